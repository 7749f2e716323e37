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
