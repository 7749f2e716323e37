package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// tests/ltp/ holds two lists kept by "starry ltp --update tests/ltp":
// must-pass.txt (the cases that pass, which the test suite runs) and
// known-failures.txt (the rest, each with its reason). An update moves
// the cases of the run between them and leaves the others alone.

const mustPassHeader = `# LTP cases that pass in Starry-Go: tests/ltp_test.go runs every one and
# fails when one does not pass. Kept by "starry ltp --update tests/ltp";
# a case that starts passing moves here from known-failures.txt.
`

const knownHeader = `# LTP cases of the peers' lists (../shared/ltp) that do not pass in
# Starry-Go: name, then the reason in a few words, the verdict, and the
# first failure line of the run. Kept by "starry ltp --update tests/ltp".
`

// updateLists merges the run into DIR's two lists.
func updateLists(dir string, rep *ltpReport) error {
	pass, err := readListLines(filepath.Join(dir, "must-pass.txt"))
	if err != nil {
		return err
	}
	known, err := readListLines(filepath.Join(dir, "known-failures.txt"))
	if err != nil {
		return err
	}
	for _, r := range rep.Cases {
		delete(pass, r.Name)
		delete(known, r.Name)
		if r.Starry.Verdict == vPass {
			pass[r.Name] = r.Name
		} else {
			known[r.Name] = fmt.Sprintf("%s\t%s (%s): %s", r.Name, ltpReason(r), r.Starry.Verdict, oneLine(r.Starry.First))
		}
	}
	if err := writeList(filepath.Join(dir, "must-pass.txt"), mustPassHeader, pass); err != nil {
		return err
	}
	return writeList(filepath.Join(dir, "known-failures.txt"), knownHeader, known)
}

// readListLines maps each case of a list to its whole line; a missing
// file is an empty list.
func readListLines(path string) (map[string]string, error) {
	m := map[string]string{}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		m[strings.Fields(line)[0]] = line
	}
	return m, sc.Err()
}

func writeList(path, header string, lines map[string]string) error {
	var b strings.Builder
	b.WriteString(header)
	for _, k := range sortedKeys(lines) {
		b.WriteString(lines[k])
		b.WriteByte('\n')
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Patterns of the failure lines, in the order they are tried.
var (
	reENOSYS  = regexp.MustCompile(`ENOSYS|[Nn]ot implemented|not supported by (this )?kernel|not supported on your arch|syscall .* not supported`)
	reDevice  = regexp.MustCompile(`tst_device|loop device|Failed to acquire device|block device|/dev/loop`)
	reErrno   = regexp.MustCompile(`expected .*E[A-Z]+|(should|expected to) fail|got E[A-Z]+|errno`)
	reFlag    = regexp.MustCompile(`EINVAL`)
	reTimeout = regexp.MustCompile(`[Tt]imeout|timed out|Test killed`)
	reTiming  = regexp.MustCompile(`slept for too long|greater than \d+ ms|[Tt]ime(r)? (drift|skew)`)
)

// ltpReason puts a failure into a few words, from its verdict and its
// first failure line.
func ltpReason(r ltpRow) string {
	first := r.Starry.First
	switch r.Starry.Verdict {
	case vMissing:
		return "not built"
	case vTimeout:
		return "hangs"
	case vCrash:
		return "guest died"
	case vSignal:
		return "killed by a signal"
	case vNoExec:
		return "cannot exec"
	}
	switch {
	case reTiming.MatchString(first):
		return "timing: sleeps overshoot under TCG"
	case reDevice.MatchString(first):
		return "needs a block device"
	case reENOSYS.MatchString(first) && len(r.Starry.ENOSYS) > 0:
		// The kernel named the calls it lacks (the library's own misses,
		// such as a cleanup's, among them).
		return "missing syscall " + strings.Join(r.Starry.ENOSYS, ",")
	case reENOSYS.MatchString(first):
		return "missing syscall"
	case reTimeout.MatchString(first):
		return "hangs"
	case r.Starry.Verdict == vConf:
		return "unsupported feature"
	case reErrno.MatchString(first):
		return "wrong errno"
	case reFlag.MatchString(first):
		return "unsupported flag"
	}
	return "wrong result"
}
