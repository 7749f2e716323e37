package tests

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// syscallsLine is what the kernel prints at each process's exit when
// booted with "syscount".
var syscallsLine = regexp.MustCompile(`^starry: pid \d+ \((\S+)\) made (\d+) system calls`)

// syscallCounts reads the counts of a console, in order.
func syscallCounts(out string) []syscallCount {
	var counts []syscallCount
	for _, l := range consoleLines(out) {
		if m := syscallsLine.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[2])
			counts = append(counts, syscallCount{m[1], n})
		}
	}
	return counts
}

type syscallCount struct {
	exe string
	n   int
}

// vdsoRun is one command of the vDSO tests and the system calls it may
// make: at most max, at least min.
type vdsoRun struct {
	cmd      string
	text     string
	min, max int
}

// TestVDSO: with the vDSO, 200000 readings of the clock through libc
// (musl and glibc, tests/progs/vdso.c) and 100000 time.Now calls of a Go
// program cost no system call each: every program's count stays in the
// hundreds its start-up makes, where the same checks made with raw
// system calls ("vdso raw") count every reading. The readings agree with
// the system calls (the program checks; natively too).
func TestVDSO(t *testing.T) {
	runs := []vdsoRun{
		{"/bin/vdso", "vdso ok", 0, 300},
		{"/bin/vdso_glibc", "vdso ok", 0, 300},
		{"/bin/vdso raw", "vdso ok", 200000, 201000},
		{"/bin/govdso", "govdso ok", 0, 2000},
	}
	checkVDSORuns(t, "syscount", runs, "vdso: AT_SYSINFO_EHDR set")
}

// TestNoVDSO: booted with "novdso", programs get no AT_SYSINFO_EHDR and
// libc and Go's runtime read the clock by system call, with the same
// results; each reading is then a system call.
func TestNoVDSO(t *testing.T) {
	runs := []vdsoRun{
		{"/bin/vdso", "vdso ok", 200000, 201000},
		{"/bin/vdso_glibc", "vdso ok", 200000, 201000},
		{"/bin/govdso", "govdso ok", 100000, 120000},
	}
	checkVDSORuns(t, "syscount novdso", runs, "vdso: AT_SYSINFO_EHDR absent")
}

func checkVDSORuns(t *testing.T, words string, runs []vdsoRun, auxv string) {
	bin := testProgs(t)
	var lines []string
	var steps []suiteStep
	progs := map[string]bool{}
	for _, r := range runs {
		argv := strings.Fields(r.cmd)
		native := exec.Command(filepath.Join(bin, filepath.Base(argv[0])), argv[1:]...)
		if out, err := native.CombinedOutput(); err != nil || !strings.Contains(string(out), r.text) {
			t.Fatalf("natively, %s did not print %q (%v):\n%s", r.cmd, r.text, err, out)
		}
		lines = append(lines, r.cmd)
		steps = append(steps, suiteStep{line: r.cmd, text: r.text})
		progs[filepath.Base(argv[0])] = true
	}
	var names []string
	for p := range progs {
		names = append(names, p)
	}
	start := time.Now()
	res := runSome(t, names, "--append", words, "--script", writeScript(t, lines))
	problems := stepProblems(res, steps)
	if lineIndex(consoleLines(res.stdout), auxv) < 0 {
		problems = append(problems, fmt.Sprintf("no line %q", auxv))
	}
	counts := syscallCounts(res.stdout)
	if len(counts) < len(runs) {
		problems = append(problems, fmt.Sprintf("%d system call counts for %d commands", len(counts), len(runs)))
	}
	for i := 0; i < len(runs) && i < len(counts); i++ {
		r, c := runs[i], counts[i]
		if !strings.HasSuffix(strings.Fields(r.cmd)[0], c.exe) || c.n < r.min || c.n > r.max {
			problems = append(problems, fmt.Sprintf("%s (%s) made %d system calls, want %d to %d", r.cmd, c.exe, c.n, r.min, r.max))
		}
	}
	if len(problems) > 0 {
		t.Errorf("with %q:\n  %s\n%v", words, strings.Join(problems, "\n  "), res)
	}
	t.Logf("%q: counts %v in %v", words, counts, time.Since(start).Round(time.Second))
}
