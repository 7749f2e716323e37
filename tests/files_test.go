package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestFileConformance runs the file programs natively in a scratch
// tmpfs and in the guest on its /tmp tmpfs, and compares every line and
// the exit status: tmpfs on Linux is the reference for each errno. They
// are the file-syscall conformance program (files.c), file mappings and
// shared memory (fmap.c), both with musl and glibc, and a stress of
// processes creating, renaming, deleting and listing files in one
// directory that ends with nothing leaked (fstress.c), and the identity
// calls with exec of set-ID programs (setid.c), named pipes (fifo.c),
// AF_UNIX sockets (unix.c), System V IPC (sysv.c), POSIX shm_open and
// sem_open over /dev/shm (posixipc.c), and Go's os, io/fs
// and net.Listen("unix") (gofiles).
func TestFileConformance(t *testing.T) {
	bin := testProgs(t)
	progs := []string{"files", "files_glibc", "fmap", "fmap_glibc", "fstress", "setid", "fifo",
		"unix", "unix_glibc", "sysv", "sysv_glibc", "posixipc", "posixipc_glibc", "gofiles"}
	native := make([]procResult, len(progs))
	for i, p := range progs {
		native[i] = runOnTmpfs(t, filepath.Join(bin, p))
		if len(native[i].lines) == 0 || native[i].status != 0 {
			t.Fatalf("natively, %s printed %d lines and exited %d: its expectations are not Linux's\n%s",
				p, len(native[i].lines), native[i].status, strings.Join(native[i].lines, "\n"))
		}
	}
	args := []string{"run", "--accel", "tcg", "--timeout", "300s", "--kernel", kernelImage(t)}
	var lines []string
	for _, p := range progs {
		args = append(args, "--add", filepath.Join(bin, p)+":/bin/"+p)
		lines = append(lines, "/bin/"+p+" /tmp")
	}
	r := starry(t, nil, append(args, "--script", writeScript(t, lines))...)
	guest := guestResults(r.stdout)
	var bad []string
	for i, p := range progs {
		if i >= len(guest) {
			bad = append(bad, fmt.Sprintf("%s: no exit line", p))
			break
		}
		if d := compareRuns(native[i], guest[i]); d != "" {
			bad = append(bad, fmt.Sprintf("%s:\n    %s", p, d))
		}
	}
	if m := framesLine.FindStringSubmatch(r.stdout); m == nil || m[1] != "0" {
		bad = append(bad, "frames still in use after every process exited (or no frames line)")
	}
	if len(bad) > 0 {
		t.Errorf("the guest differs from Linux:\n  %s\n%v", strings.Join(bad, "\n  "), r)
	}
}

// runOnTmpfs runs prog natively with a fresh tmpfs as its scratch
// directory (mounting needs root, as the native process runs do).
func runOnTmpfs(t *testing.T, prog string) procResult {
	t.Helper()
	dir := t.TempDir()
	// setid.c runs programs there as other users: they must reach it.
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64m"); err != nil {
		t.Fatalf("mount a tmpfs for the native run (needs root): %v", err)
	}
	defer syscall.Unmount(dir, syscall.MNT_DETACH)
	cmd := exec.Command(prog, dir)
	cmd.Env = []string{"PATH=/bin:/usr/bin", "HOME=/"}
	out, err := cmd.CombinedOutput()
	r := procResult{lines: splitOutput(string(out))}
	if ee, ok := err.(*exec.ExitError); ok {
		r.status = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("natively, %s: %v", prog, err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestFillMemory fills /tmp, /dev/shm and the root on a 128 MiB machine:
// each tmpfs stops at its limit, the last when the machine runs out of
// frames, every write ends with ENOSPC and the contents intact, removing
// the files gives every block back, and programs still run after.
func TestFillMemory(t *testing.T) {
	script := writeScript(t, []string{"/bin/fill /tmp /dev/shm /", "/bin/hello"})
	r := runSome(t, []string{"fill", "hello"}, "--mem", "128", "--script", script)
	checkRun(t, r, 0, []string{"fill ok", "hello from musl", "starry: frames in use after the last program: 0"},
		"LOST", "LEAKED", "fatal error")
}
