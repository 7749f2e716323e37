package tests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The process tests run each program twice: natively, chrooted into a
// small root (procRoot), and in the guest with the same root's bin/ and
// data/ in the initramfs. Every line the program prints must be the
// same, and so must its exit status: Linux is the reference, so nothing
// here says what a check should print.

// procCase is one command of the suite: leading NAME=value words are
// its environment, as in a script line.
type procCase []string

var procSuite = []procCase{
	{"/bin/proc"},
	{"/bin/proc_glibc"},
	{"/bin/ptrace"},
	{"/bin/ptrace_glibc"},
	{"/bin/tty"},
	{"/bin/tty_glibc"},
	{"/bin/signals"},
	{"/bin/signals_glibc"},
	{"/bin/timers"},
	{"/bin/timers_glibc"},
	{"/bin/exec"},
	{"/bin/exec_glibc"},
	{"/bin/pipes"},
	{"/bin/pipes_glibc"},
	{"/bin/rlimit"},
	{"/bin/rlimit_glibc"},
	{"/bin/sh", "/data/jobs.sh"},
	{"/bin/sh", "/data/files.sh"},
	{"GOMAXPROCS=1", "/bin/goexec"},
	{"GOMAXPROCS=4", "/bin/goexec"},
	{"/bin/gosignal"},
	// Dynamically linked: PT_INTERP loads ld.so (glibc's, musl's), which
	// maps the libraries itself (dynamic_test.go).
	{"/bin/hello_dyn"},
	{"/bin/hello_musl_dyn"},
	{"/bin/proc_dyn"},
	{"/bin/pipes_musl_dyn"},
	{"/bin/ls", "-1", "/data"}, // -1: the guest's stdout is a terminal, the host's a pipe
	{"/bin/ls", "-ln", "/data/script", "/data/jobs.sh"},
	{"/usr/bin/cat", "/data/script", "/data/jobs.sh"},
	{"/usr/bin/env", "-i", "A=1", "B=2", "/usr/bin/env"},
}

// busyboxApplets are linked into bin/ for the shell scripts and goexec
// (bin/ls, cat and env are Debian's, dynamically linked: hostDynamic).
var busyboxApplets = []string{"sh", "cat", "echo", "sleep", "wc", "seq", "tr", "yes", "head", "true", "false", "kill", "pwd",
	"mkdir", "ln", "cp", "mv", "rm", "find", "sort", "stat", "chmod", "touch", "tar", "gzip", "gunzip",
	"cmp", "du", "cut", "readlink", "printf"}

var (
	procRootOnce sync.Once
	procRootDir  string
	procRootErr  error
)

// procRoot returns the suite's root directory, built once.
func procRoot(t *testing.T) string {
	t.Helper()
	bin := testProgs(t)
	busybox := hostBusybox(t)
	procRootOnce.Do(func() {
		procRootDir = filepath.Join(workDir, "procroot")
		procRootErr = buildProcRoot(procRootDir, bin, busybox)
	})
	if procRootErr != nil {
		t.Fatal(procRootErr)
	}
	return procRootDir
}

// buildProcRoot lays out bin/ (the programs, busybox and its applets as
// links), data/ (the scripts and files exec.c and goexec use) and, for
// the native runs only, dev/null; the guest kernel provides its own /dev.
func buildProcRoot(root, progs, busybox string) error {
	for _, d := range []string{"bin", "data", "dev", "tmp", "proc"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	copies := map[string]string{"bin/busybox": busybox, "data/noexec": filepath.Join(progs, "exec")}
	for _, p := range []string{"proc", "proc_glibc", "exec", "exec_glibc", "pipes", "pipes_glibc", "goexec", "sysfuzz", "rlimit", "rlimit_glibc", "ptrace", "ptrace_glibc", "tty", "tty_glibc", "signals", "signals_glibc", "timers", "timers_glibc", "gosignal"} {
		copies["bin/"+p] = filepath.Join(progs, p)
	}
	for dst, src := range copies {
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(root, dst), data, 0o755); err != nil {
			return err
		}
	}
	for _, a := range busyboxApplets {
		if err := os.Symlink("busybox", filepath.Join(root, "bin", a)); err != nil {
			return err
		}
	}
	jobs, err := os.ReadFile(filepath.Join(repoRoot, "tests", "progs", "sh", "jobs.sh"))
	if err != nil {
		return err
	}
	files, err := os.ReadFile(filepath.Join(repoRoot, "tests", "progs", "sh", "files.sh"))
	if err != nil {
		return err
	}
	data := map[string]string{
		"jobs.sh":  string(jobs),
		"files.sh": string(files),
		"empty":    "",
		"script":   "#!/bin/exec script a  b \n", // the interpreter's argument keeps its inner spaces
		"script2":  "#!/data/script\n",
		"deep1":    "#!/bin/exec script\n",
		// Interpreters exec must refuse, and a "#!" naming none.
		"nointerp":     "#!/no/such/interpreter\n",
		"badinterp":    "#!/data/empty\n",
		"nointerpname": "#!   \n",
	}
	for i := 2; i <= 7; i++ {
		data[fmt.Sprintf("deep%d", i)] = fmt.Sprintf("#!/data/deep%d\n", i-1)
	}
	for name, text := range data {
		if err := os.WriteFile(filepath.Join(root, "data", name), []byte(text), 0o755); err != nil {
			return err
		}
	}
	// WriteFile keeps an existing file's mode; noexec must lose its x bits.
	if err := os.Chmod(filepath.Join(root, "data", "noexec"), 0o644); err != nil {
		return err
	}
	if err := addDynamic(root, progs); err != nil {
		return err
	}
	null := filepath.Join(root, "dev", "null")
	if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		return fmt.Errorf("mknod %s (the native runs need root): %v", null, err)
	}
	return os.Chmod(null, 0o666)
}

// runInRoot boots with root's directories but dev/ in the initramfs and the
// given run arguments (more --add flags, then --script or -- COMMAND).
func runInRoot(t *testing.T, root string, args ...string) cliResult {
	t.Helper()
	requireQEMU(t)
	base := []string{"run", "--accel", "tcg", "--timeout", "300s", "--kernel", kernelImage(t)}
	for _, d := range []string{"bin", "data", "lib", "lib64", "usr"} {
		if _, err := os.Stat(filepath.Join(root, d)); err == nil {
			base = append(base, "--add", filepath.Join(root, d)+":/"+d)
		}
	}
	return starry(t, nil, append(base, args...)...)
}

// procResult is what one run of a case printed and how it ended.
type procResult struct {
	lines  []string
	status int
}

// runChrooted runs c natively in root with the guest's environment.
func runChrooted(root string, c procCase, limit time.Duration) (procResult, error) {
	env := []string{"PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/", "TERM=linux"}
	argv := []string(c)
	for len(argv) > 0 && strings.Contains(argv[0], "=") {
		env, argv = append(env, argv[0]), argv[1:]
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = "/", env
	// Its own process group, killed whole at the deadline: a child left
	// behind would hold the output pipe open, and Wait with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root, Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	r := procResult{lines: splitOutput(out.String())}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return r, fmt.Errorf("natively, %s ran past %v; it printed:\n%s", strings.Join(c, " "), limit, out.String())
	case errors.As(err, &ee):
		ws := ee.Sys().(syscall.WaitStatus)
		r.status = ws.ExitStatus()
		if ws.Signaled() {
			r.status = 128 + int(ws.Signal())
		}
	case err != nil:
		return r, fmt.Errorf("natively, %s: %v", strings.Join(c, " "), err)
	}
	return r, nil
}

// splitOutput is a program's output as lines, without the last newline.
func splitOutput(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// guestResults splits one boot's console into what each foreground
// command printed: the lines since the previous exit line, leaving out
// the kernel's own ("starry: ...").
func guestResults(console string) []procResult {
	var rs []procResult
	var pending []string
	for _, l := range consoleLines(console) {
		if m := exitLine.FindStringSubmatch(l); m != nil {
			status, _ := strconv.Atoi(m[2])
			rs = append(rs, procResult{lines: pending, status: status})
			pending = nil
			continue
		}
		if !strings.HasPrefix(l, "starry: ") && l != "" {
			pending = append(pending, l)
		}
	}
	return rs
}

// compareRuns says how the guest's run differs from Linux's, or "".
func compareRuns(native, guest procResult) string {
	var diffs []string
	if native.status != guest.status {
		diffs = append(diffs, fmt.Sprintf("status %d, Linux %d", guest.status, native.status))
	}
	for i := 0; i < len(native.lines) || i < len(guest.lines); i++ {
		var n, g string
		if i < len(native.lines) {
			n = native.lines[i]
		}
		if i < len(guest.lines) {
			g = guest.lines[i]
		}
		if n != g {
			diffs = append(diffs, fmt.Sprintf("line %d: guest %q, Linux %q", i+1, g, n))
		}
	}
	if len(diffs) > 8 {
		diffs = append(diffs[:8], fmt.Sprintf("and %d more", len(diffs)-8))
	}
	return strings.Join(diffs, "\n    ")
}

// TestProcessConformance runs the process suite natively and in one boot
// and compares every line: fork, vfork, clone, wait, process groups and
// sessions, kill (proc.c); execve's image, descriptors, signals and
// scripts (exec.c); pipes, poll, epoll and shared descriptions (pipes.c);
// a busybox shell script of pipelines, substitutions, jobs and traps;
// resource limits kept, inherited and enforced for descriptors (rlimit.c);
// Go's os/exec with one and four Ps.
func TestProcessConformance(t *testing.T) {
	root := procRoot(t)
	// The guest's /tmp is a tmpfs; so is the native one, for the
	// scripts that make files there.
	tmp := filepath.Join(root, "tmp")
	if err := syscall.Mount("tmpfs", tmp, "tmpfs", 0, "size=64m"); err != nil {
		t.Fatalf("mount a tmpfs on %s (the native runs need root): %v", tmp, err)
	}
	defer syscall.Unmount(tmp, syscall.MNT_DETACH)
	// And both have /proc (ptrace reads a tracee's status).
	proc := filepath.Join(root, "proc")
	if err := syscall.Mount("proc", proc, "proc", 0, ""); err != nil {
		t.Fatalf("mount proc on %s: %v", proc, err)
	}
	defer syscall.Unmount(proc, syscall.MNT_DETACH)
	unmountPts := mountPts(t, root)
	defer unmountPts()
	native := make([]procResult, len(procSuite))
	var lines []string
	for i, c := range procSuite {
		r, err := runChrooted(root, c, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.lines) == 0 || r.status != 0 {
			t.Fatalf("natively, %s printed %d lines and exited %d: the program's expectations are not Linux's\n%s",
				strings.Join(c, " "), len(r.lines), r.status, strings.Join(r.lines, "\n"))
		}
		native[i] = r
		lines = append(lines, strings.Join(c, " "))
	}
	script := writeScript(t, lines)
	r := runInRoot(t, root, "--script", script)
	guest := guestResults(r.stdout)
	var bad []string
	for i, c := range procSuite {
		if i >= len(guest) {
			bad = append(bad, fmt.Sprintf("%s: no exit line (the guest ran %d of %d)", lines[i], len(guest), len(procSuite)))
			break
		}
		if d := compareRuns(native[i], guest[i]); d != "" {
			bad = append(bad, fmt.Sprintf("%s:\n    %s", strings.Join(c, " "), d))
		}
	}
	if strings.Contains(r.stdout, "KERNEL CRASH") {
		bad = append(bad, "the kernel crashed")
	}
	if m := framesLine.FindStringSubmatch(r.stdout); m == nil || m[1] != "0" {
		bad = append(bad, "frames still in use after every process exited (or no frames line)")
	}
	if len(bad) > 0 {
		t.Errorf("the guest differs from Linux:\n  %s\n%v", strings.Join(bad, "\n  "), r)
	}
}

// TestShellFallback runs a file that is neither ELF nor "#!" as a
// command: execve fails with ENOEXEC on Linux, and the seed kernel (like
// execvp in libc) hands such a file to /bin/sh, which the guest keeps.
func TestShellFallback(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "plain"), []byte("echo plain ran with $1\nexit 4\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := runInRoot(t, procRoot(t), "--add", filepath.Join(dir, "plain")+":/data/plain", "--", "/data/plain", "arg")
	checkRun(t, r, 4, []string{"plain ran with arg"})
}

// TestForkExhaustion runs out of memory and of threads with fork, in a
// small guest: children copying the parent's pages until frames run out
// (fork is ENOMEM or a copying child is killed), then a fork bomb of
// pausing children (EAGAIN at threads-max). The parents go on, later
// commands still run, and every frame is back once the kernel has killed
// the orphans left at shutdown.
func TestForkExhaustion(t *testing.T) {
	steps := []suiteStep{
		{line: "/bin/forkoom 8", status: 0, text: "forkoom ok"},
		{line: "/bin/forkoom 1", status: 0, text: "forkoom ok"},
		{line: "/bin/forkbomb", status: 0, text: "forkbomb: parent alive"},
		{line: "/bin/hello", status: 0, text: "hello from musl"},
	}
	var lines []string
	for _, s := range steps {
		lines = append(lines, s.line)
	}
	script := writeScript(t, lines)
	r := runSome(t, []string{"forkoom", "forkbomb", "hello"}, "--mem", "128", "--script", script)
	problems := stepProblems(r, steps)
	if !strings.Contains(r.stdout, "starry: killed ") {
		problems = append(problems, "the kernel did not kill the fork bomb's children at shutdown")
	}
	if m := framesLine.FindStringSubmatch(r.stdout); m == nil || m[1] != "0" {
		problems = append(problems, "frames still in use at the end (or no frames line)")
	}
	if len(problems) > 0 {
		t.Errorf("fork under exhaustion went wrong:\n  %s\n%v", strings.Join(problems, "\n  "), r)
	}
}

// mountPts gives the native runs pseudo-terminals: a devpts instance of
// their own at dev/pts, dev/ptmx leading to its ptmx, and dev/tty (the
// guest has all three). The returned function takes them away again.
func mountPts(t *testing.T, root string) func() {
	t.Helper()
	pts, ptmx := filepath.Join(root, "dev", "pts"), filepath.Join(root, "dev", "ptmx")
	if err := os.MkdirAll(pts, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("devpts", pts, "devpts", 0, "newinstance,ptmxmode=0666,mode=0620"); err != nil {
		t.Fatalf("mount devpts on %s: %v", pts, err)
	}
	_ = os.Remove(ptmx)
	if err := os.Symlink("pts/ptmx", ptmx); err != nil {
		t.Fatal(err)
	}
	tty := filepath.Join(root, "dev", "tty")
	_ = os.Remove(tty)
	if err := syscall.Mknod(tty, syscall.S_IFCHR|0o666, 5<<8); err != nil {
		t.Fatalf("mknod %s: %v", tty, err)
	}
	return func() {
		_ = os.Remove(tty)
		_ = os.Remove(ptmx)
		_ = syscall.Unmount(pts, syscall.MNT_DETACH)
	}
}
