package tests

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestInodeFlags runs iflags.c natively in a scratch tmpfs and in the
// guest on its /tmp and compares every line: chattr's flags on tmpfs
// (FS_IOC_GETFLAGS, FS_IOC_SETFLAGS, FS_IOC_FSGETXATTR,
// FS_IOC_FSSETXATTR), what immutable and append-only inodes refuse, and
// statx's attributes, with Linux's tmpfs as the reference for each errno.
func TestInodeFlags(t *testing.T) { compareOnTmpfs(t, "iflags") }

// compareOnTmpfs runs test program name with a tmpfs directory as its
// argument, natively (a scratch tmpfs) and in the guest (its /tmp), and
// compares every line and the status: Linux's answers are the reference.
func compareOnTmpfs(t *testing.T, name string) {
	t.Helper()
	prog := filepath.Join(testProgs(t), name)
	native := runOnTmpfs(t, prog)
	if len(native.lines) == 0 || native.status != 0 {
		t.Fatalf("natively, %s printed %d lines and exited %d: its expectations are not Linux's\n%s",
			name, len(native.lines), native.status, strings.Join(native.lines, "\n"))
	}
	r := starry(t, nil, "run", "--accel", "tcg", "--timeout", "120s", "--kernel", kernelImage(t),
		"--add", prog+":/bin/"+name, "--script", writeScript(t, []string{"/bin/" + name + " /tmp"}))
	guest := guestResults(r.stdout)
	if len(guest) == 0 {
		t.Fatalf("no exit line from the guest\n%v", r)
	}
	if d := compareRuns(native, guest[0]); d != "" {
		t.Errorf("the guest differs from Linux:\n    %s\n%v", d, r)
	}
}
