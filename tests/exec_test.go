package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"
)

// Executables the loader must refuse. Like a shell, the kernel reports
// "starry: exec CMD: exec format error" with status 126 for a file it
// cannot run, and "starry: exec CMD: no such file or directory" with 127
// for a missing one.

// execCase is one command and the outcomes accepted for it.
type execCase struct {
	cmd      string
	message  string // the exec error the kernel prints
	statuses []int  // accepted exit statuses
}

var execCases = []execCase{
	{"/bad/trunc_headers", "exec format error", []int{126}},
	{"/bad/wrong_machine", "exec format error", []int{126}},
	{"/bad/text", "exec format error", []int{126}},
	{"/bin/no_such_program", "no such file or directory", []int{127}},
	// Headers fine, segments past the end of the file: refusing it at
	// exec (126) or killing it at the first touch (SIGBUS 135, SIGSEGV
	// 139) are both fine, as long as the kernel lives on.
	{"/bad/trunc_body", "", []int{126, 135, 139}},
}

// TestExecErrors runs every broken executable in one boot, then hello,
// which must still run.
func TestExecErrors(t *testing.T) {
	var lines []string
	for _, c := range execCases {
		lines = append(lines, c.cmd)
	}
	script := writeScript(t, append(lines, "/bin/hello"))
	r := runProgs(t, "--add", badProgs(t)+":/bad", "--script", script)
	exits := exitLines(r.stdout)
	var problems []string
	for _, c := range execCases {
		if p := checkExecCase(c, r.stdout, exits); p != "" {
			problems = append(problems, p)
		}
	}
	if lineIndex(consoleLines(r.stdout), "hello from musl") < 0 {
		problems = append(problems, "/bin/hello did not run after the broken executables")
	}
	if r.code != 0 {
		problems = append(problems, fmt.Sprintf("exit status %d, want hello's 0", r.code))
	}
	if strings.Contains(r.stdout, "KERNEL CRASH") {
		problems = append(problems, "the kernel crashed")
	}
	if len(problems) > 0 {
		t.Errorf("broken executables handled wrongly:\n  %s%s\n%v", strings.Join(problems, "\n  "), noCommandsHint(r), r)
	}
}

// checkExecCase accepts the kernel's exec message or an exit line with an
// accepted status; it returns a problem or "".
func checkExecCase(c execCase, out string, exits []cmdExit) string {
	msg := "starry: exec " + c.cmd + ": " + c.message
	sawMsg := strings.Contains(out, msg)
	if c.message == "" {
		msg += "..." // any exec error will do
	}
	for _, e := range exits {
		if !strings.Contains(e.cmd, c.cmd) {
			continue
		}
		if !slices.Contains(c.statuses, e.status) {
			return fmt.Sprintf("%s: status=%d, want one of %v", c.cmd, e.status, c.statuses)
		}
		return ""
	}
	if sawMsg {
		return ""
	}
	return fmt.Sprintf("%s: neither %q nor an exit line with status %v", c.cmd, msg, c.statuses)
}

// TestExecStatus: the exec failure statuses reach the host.
func TestExecStatus(t *testing.T) {
	for _, c := range execCases[1:4] {
		t.Run(filepath.Base(c.cmd), func(t *testing.T) {
			r := runProgs(t, "--add", badProgs(t)+":/bad", "--", c.cmd)
			checkRun(t, r, c.statuses[0], []string{"starry: exec " + c.cmd + ": " + c.message})
		})
	}
}

// writeNewc writes a newc archive of regular files (name -> contents),
// made independently of the CLI's writer.
func writeNewc(t *testing.T, path string, files map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := cpio.Newc.Writer(f)
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var recs []cpio.Record
	for i, n := range names {
		rec := cpio.StaticFile(n, files[n], 0o644)
		rec.Ino = uint64(100 + i)
		rec.NLink = 1
		recs = append(recs, rec)
	}
	if err := cpio.WriteRecordsAndDirs(w, recs); err != nil {
		t.Fatal(err)
	}
	if err := cpio.WriteTrailer(w); err != nil {
		t.Fatal(err)
	}
}
