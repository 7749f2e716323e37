package tests

import (
	"regexp"
	"strings"
	"testing"
)

// TestSyscallTrace: --trace=NAMES prints an strace-like line for each
// call named, and only those: the path as a string, the flags by name,
// an error as -1 with its name and message, the time it took, and
// exit_group's "= ?".
func TestSyscallTrace(t *testing.T) {
	r := runInRoot(t, procRoot(t), "--trace=open,openat,exit_group", "--", "/bin/cat", "/no/such/file")
	checkRun(t, r, 1, nil)
	open := regexp.MustCompile(`(?m)^\[pid \d+\] open(at)?\((AT_FDCWD, )?"/no/such/file", O_RDONLY[|A-Z_]*(, 0)?\) = -1 ENOENT \(No such file or directory\) <\d+\.\d{6}>\r?$`)
	if !open.MatchString(r.stdout) {
		t.Errorf("no open line for the missing file\n%v", r)
	}
	if !regexp.MustCompile(`(?m)^\[pid \d+\] exit_group\(1\) = \?\r?$`).MatchString(r.stdout) {
		t.Errorf("no exit_group line\n%v", r)
	}
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(l, "[pid ") && !regexp.MustCompile(`^\[pid \d+\] (open|openat|exit_group)\(`).MatchString(l) {
			t.Errorf("a call the filter leaves out was traced: %q", l)
		}
	}
}

// TestConsoleFloodKeepsKernelOutput: a user program writing to the
// console as fast as it can does not starve the kernel's own output. The
// trace of each of five sleeps, taken while `yes` floods the terminal,
// appears whole (never split by the flood's bytes) and while the flood
// is still going, not queued behind it.
func TestConsoleFloodKeepsKernelOutput(t *testing.T) {
	r := runInRoot(t, procRoot(t), "--trace=clock_nanosleep,nanosleep", "--", "/bin/sh", "-c",
		"timeout 4 yes flood & for i in 1 2 3 4 5; do sleep 0.1; done; echo loop-done; wait")
	checkRun(t, r, 0, []string{"loop-done"})
	sleep := regexp.MustCompile(`\[pid \d+\] (clock_)?nanosleep\([^\n]*\) = 0 <\d+\.\d{6}>\r?\n`)
	hits := sleep.FindAllStringIndex(r.stdout, -1)
	var loop []int // the loop's 0.1 s sleeps; timeout's own sleeps are longer
	for _, h := range hits {
		if strings.Contains(r.stdout[h[0]:h[1]], "<0.") {
			loop = append(loop, h[1])
		}
	}
	if len(loop) < 5 {
		t.Fatalf("%d whole trace lines of the loop's sleeps, want 5 (of %d traced sleeps)\n%.3000s", len(loop), len(hits), r.stdout)
	}
	after := strings.Count(r.stdout[loop[4]:], "flood\r\n")
	t.Logf("flood lines after the last sleep: %d", after)
	if total := strings.Count(r.stdout, "flood\r\n"); total < 10000 || after < 1000 {
		t.Errorf("the flood wrote %d lines, %d of them after the last sleep's trace; want the trace to come while the flood goes on", total, after)
	}
}
