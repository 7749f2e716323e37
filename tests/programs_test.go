package tests

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// These tests run user programs through "starry run" and read the
// kernel's per-command lines (DESIGN.md §6):
//
//	starry: exit CMD status=N        after each foreground command
//	starry: exec CMD: ERROR          when a command cannot be started
//
// The run's exit status is the last foreground command's.

// exitLine matches the kernel's report of one finished command.
var exitLine = regexp.MustCompile(`starry: exit (.*) status=(-?\d+)\s*$`)

// cmdExit is one parsed exit line.
type cmdExit struct {
	cmd    string
	status int
}

// exitLines returns the exit lines of a console in order.
func exitLines(out string) []cmdExit {
	var exits []cmdExit
	for _, l := range consoleLines(out) {
		if m := exitLine.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[2])
			exits = append(exits, cmdExit{m[1], n})
		}
	}
	return exits
}

// noCommandsHint explains a console with no exit lines at all, the usual
// sign that the kernel did not run the commands file.
func noCommandsHint(r cliResult) string {
	if len(exitLines(r.stdout)) > 0 {
		return ""
	}
	return "\n  the kernel ran no command (no \"starry: exit CMD status=N\" line): does it read /.starry/commands from the initramfs (-initrd) yet?"
}

// runProgs boots the kernel with the test programs at /bin and the given
// run arguments (more --add flags, then --script or -- COMMAND).
func runProgs(t *testing.T, args ...string) cliResult {
	t.Helper()
	requireQEMU(t)
	base := []string{"run", "--accel", "tcg", "--timeout", "180s", "--kernel", kernelImage(t),
		"--add", testProgs(t) + ":/bin"}
	return starry(t, nil, append(base, args...)...)
}

// runSome boots with only the named programs of the test set in /bin:
// for small machines, where the whole set would fill the memory the test
// means to exhaust.
func runSome(t *testing.T, progs []string, args ...string) cliResult {
	t.Helper()
	requireQEMU(t)
	bin := testProgs(t)
	base := []string{"run", "--accel", "tcg", "--timeout", "180s", "--kernel", kernelImage(t)}
	for _, p := range progs {
		base = append(base, "--add", filepath.Join(bin, p)+":/bin/"+p)
	}
	return starry(t, nil, append(base, args...)...)
}

// checkRun asserts the run's status, that each wanted text appears on the
// console, that no unwanted text does, and that the kernel did not crash;
// it reports every problem at once.
func checkRun(t *testing.T, r cliResult, status int, want []string, unwanted ...string) {
	t.Helper()
	var problems []string
	if r.code != status {
		problems = append(problems, fmt.Sprintf("exit status %d, want %d", r.code, status))
	}
	for _, w := range want {
		if lineIndex(consoleLines(r.stdout), w) < 0 {
			problems = append(problems, fmt.Sprintf("no console line with %q", w))
		}
	}
	for _, u := range append(unwanted, "KERNEL CRASH") {
		if strings.Contains(r.stdout, u) {
			problems = append(problems, fmt.Sprintf("the console says %q", u))
		}
	}
	if len(problems) > 0 {
		t.Errorf("run is wrong:\n  %s%s\n%v", strings.Join(problems, "\n  "), noCommandsHint(r), r)
	}
}

// TestHello runs a static hello built three ways.
func TestHello(t *testing.T) {
	for _, c := range []struct{ prog, text string }{
		{"hello", "hello from musl"},
		{"hello_glibc", "hello from glibc"},
		{"hello_pie", "hello from static-pie"},
	} {
		t.Run(c.prog, func(t *testing.T) {
			r := runProgs(t, "--", "/bin/"+c.prog)
			checkRun(t, r, 0, []string{c.text, "starry: exit /bin/" + c.prog + " status=0"})
		})
	}
}

// TestBusyboxEcho runs Debian's static busybox; the second argument has
// two spaces inside, which the NUL-separated commands file must keep.
func TestBusyboxEcho(t *testing.T) {
	bb := hostBusybox(t)
	r := runProgs(t, "--add", bb+":/bin/busybox", "--", "/bin/busybox", "echo", "hi", "a  b")
	checkRun(t, r, 0, []string{"hi a  b"})
}

// TestCommandEnv: leading NAME=value words of a command set its
// environment, as in a shell, replacing a default of the same name.
func TestCommandEnv(t *testing.T) {
	bb := hostBusybox(t)
	r := runProgs(t, "--add", bb+":/bin/busybox", "--", "GREETING=a b", "HOME=/tmp", "/bin/busybox", "env")
	checkRun(t, r, 0, []string{"GREETING=a b", "HOME=/tmp", "PATH=/bin"})
	for _, l := range consoleLines(r.stdout) {
		if l == "HOME=/" {
			t.Errorf("the default HOME=/ was not replaced:\n%v", r)
		}
	}
}

// TestExitStatus: a program's exit status becomes the CLI's.
func TestExitStatus(t *testing.T) {
	for _, n := range []int{42, 1} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			r := runProgs(t, "--", "/bin/exit", strconv.Itoa(n))
			checkRun(t, r, n, []string{fmt.Sprintf("status=%d", n)})
		})
	}
}

// TestKilledStatus: a program killed by signal N gives 128+N (SIGILL 4).
func TestKilledStatus(t *testing.T) {
	r := runProgs(t, "--", "/bin/fault", "ill")
	checkRun(t, r, 128+4, []string{"status=132"}, "still alive")
}

// TestInitramfsConcat: --initramfs FILE comes first and the --add archive
// after it; the kernel must read both.
func TestInitramfsConcat(t *testing.T) {
	base := filepath.Join(t.TempDir(), "base.cpio")
	writeNewc(t, base, map[string]string{"etc/motd": "from the base archive\n"})
	bb := hostBusybox(t)
	r := runProgs(t, "--initramfs", base, "--add", bb+":/bin/busybox", "--", "/bin/busybox", "cat", "/etc/motd")
	if strings.Contains(r.stdout, "no /.starry/commands in the initramfs") {
		t.Fatalf("the kernel saw only the first archive: after its TRAILER!!! record it must skip the NUL padding and read the next newc archive (Linux does)\n%v", r)
	}
	checkRun(t, r, 0, []string{"from the base archive"})
}

// suiteStep is one foreground command of a --script boot and what it
// must give.
type suiteStep struct {
	line   string // the script line
	status int
	text   string // a console line it must print, if any
	bad    string // output that means the protection failed
}

// protectionSuite runs in one boot: every violation must kill only the
// program, so each later command still runs.
var protectionSuite = []suiteStep{
	{line: "/bin/kmem_read", status: 139, bad: "kmem_read: read"},
	{line: "/bin/kmem_write", status: 139, bad: "kmem_write: wrote"},
	{line: "/bin/priv hlt", status: 139, bad: "priv hlt: executed"},
	{line: "/bin/priv cli", status: 139, bad: "priv cli: executed"},
	{line: "/bin/priv in", status: 139, bad: "priv in: executed"},
	{line: "/bin/priv out", status: 139, bad: "priv out: executed"},
	{line: "/bin/priv wrmsr", status: 139, bad: "priv wrmsr: executed"},
	{line: "/bin/priv cr3", status: 139, bad: "priv cr3: executed"},
	{line: "/bin/priv lgdt", status: 139, bad: "priv lgdt: executed"},
	{line: "/bin/fault segv", status: 139, bad: "fault segv: still alive"},
	{line: "/bin/fault fpe", status: 136, bad: "fault fpe: still alive"},
	{line: "/bin/fault trap", status: 133, bad: "fault trap: still alive"},
	{line: "/bin/efault", status: 0, text: "efault ok"},
	{line: "/bin/dirty", status: 0, text: "dirty ok"},
	{line: "/bin/zero", status: 0, text: "zero ok"},
	{line: "/bin/oom", status: 137},
	// mmap, munmap, mprotect, madvise, mremap and brk against a page model.
	{line: "/bin/memmodel 99 2000", status: 0, text: "memmodel ok"},
	// POSIX threads (clone, futex, CLONE_CHILD_CLEARTID for join), musl and glibc.
	{line: "/bin/threads", status: 0, text: "threads ok 80000"},
	{line: "/bin/threads_glibc", status: 0, text: "threads ok 80000"},
	// 63 threads besides main (64 per process), all spinning at exit_group.
	{line: "/bin/manythreads", status: 0, text: "created 63 spinning threads"},
	// The Go runtime in user mode: threads, futexes, signals, epoll timers.
	{line: "/bin/gohello a b", status: 0, text: "hello from Go: sum 4950"},
	{line: "/bin/gcstress seq", status: 0, text: "gcstress ok"},
	// 60,000 system calls with hostile arguments: answered, never fatal.
	{line: "/bin/sysfuzz 1 20000", status: 0},
	{line: "/bin/sysfuzz 2 20000", status: 0},
	{line: "/bin/sysfuzz 3 20000", status: 0},
	{line: "& /bin/spin"},
	{line: "/bin/hello", status: 0, text: "hello from musl"},
}

// tickLine is the kernel's report once background programs were killed.
var tickLine = regexp.MustCompile(`starry: kernel timer ticked (\d+) times while background programs ran`)

// framesLine is the kernel's count of frames still held by Envs once
// every program has exited (and background ones were killed).
var framesLine = regexp.MustCompile(`starry: frames in use after the last program: (\d+)`)

// TestProtectionSuite runs the whole suite in one boot and checks every
// exit line, in order.
func TestProtectionSuite(t *testing.T) {
	script := filepath.Join(t.TempDir(), "suite")
	var lines []string
	for _, s := range protectionSuite {
		lines = append(lines, s.line)
	}
	if err := os.WriteFile(script, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runProgs(t, "--script", script)
	problems := stepProblems(r, protectionSuite)
	if m := tickLine.FindStringSubmatch(r.stdout); m == nil {
		problems = append(problems, `no "starry: kernel timer ticked N times while background programs ran" line after the background spin`)
	} else if n, _ := strconv.Atoi(m[1]); n <= 0 {
		problems = append(problems, fmt.Sprintf("the timer ticked %d times while spin ran in the background; a user loop must not stop the timer", n))
	}
	problems = append(problems, repeatedLogLines(r.stdout)...)
	if m := framesLine.FindStringSubmatch(r.stdout); m == nil {
		problems = append(problems, `no "starry: frames in use after the last program: N" line`)
	} else if m[1] != "0" {
		problems = append(problems, fmt.Sprintf("%s frames still in use after every program exited: a leak", m[1]))
	}
	if len(problems) > 0 {
		t.Errorf("the suite went wrong:\n  %s%s\n%v", strings.Join(problems, "\n  "), noCommandsHint(r), r)
	}
}

// stepProblems matches the exit lines against the foreground steps in
// order and checks the run ends with the last one's status.
func stepProblems(r cliResult, steps []suiteStep) []string {
	var fg []suiteStep
	for _, s := range steps {
		if !strings.HasPrefix(s.line, "&") {
			fg = append(fg, s)
		}
	}
	exits := exitLines(r.stdout)
	var problems []string
	for i, s := range fg {
		if i >= len(exits) {
			problems = append(problems, fmt.Sprintf("the kernel reported %d of %d commands; no exit line from %q on", len(exits), len(fg), s.line))
			break
		}
		argv0 := path.Base(strings.Fields(s.line)[0])
		if !strings.Contains(exits[i].cmd, argv0) {
			problems = append(problems, fmt.Sprintf("exit line %d is for %q, want %q", i+1, exits[i].cmd, s.line))
		} else if exits[i].status != s.status {
			problems = append(problems, fmt.Sprintf("%q: status=%d, want %d", s.line, exits[i].status, s.status))
		}
		if s.text != "" && lineIndex(consoleLines(r.stdout), s.text) < 0 {
			problems = append(problems, fmt.Sprintf("%q did not print %q", s.line, s.text))
		}
		if s.bad != "" && strings.Contains(r.stdout, s.bad) {
			problems = append(problems, fmt.Sprintf("%q printed %q: the protection did not hold", s.line, s.bad))
		}
	}
	if len(exits) > len(fg) {
		problems = append(problems, fmt.Sprintf("%d exit lines for %d foreground commands", len(exits), len(fg)))
	}
	if last := fg[len(fg)-1].status; r.code != last {
		problems = append(problems, fmt.Sprintf("run exit status %d, want the last command's %d", r.code, last))
	}
	if strings.Contains(r.stdout, "KERNEL CRASH") {
		problems = append(problems, "the kernel crashed")
	}
	return problems
}

// TestProcessIDs: the kernel's runner plays init, so each program's
// parent is PID 1; programs and their threads get IDs of their own from
// one space, as on Linux (a thread's TID is never another's PID).
func TestProcessIDs(t *testing.T) {
	script := filepath.Join(t.TempDir(), "ids")
	if err := os.WriteFile(script, []byte("/bin/ids\n/bin/ids\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runProgs(t, "--script", script)
	checkRun(t, r, 0, []string{"ids pid="})
	seen := map[int]bool{}
	runs := 0
	for _, l := range consoleLines(r.stdout) {
		var pid, ppid, tid, thread int
		if n, _ := fmt.Sscanf(l, "ids pid=%d ppid=%d tid=%d thread=%d", &pid, &ppid, &tid, &thread); n != 4 {
			continue
		}
		runs++
		if ppid != 1 || tid != pid || pid < 2 || seen[pid] || seen[thread] || thread == pid {
			t.Errorf("ids: pid %d ppid %d tid %d thread %d (IDs seen before: %v)", pid, ppid, tid, thread, seen)
		}
		seen[pid], seen[thread] = true, true
	}
	if runs != 2 {
		t.Errorf("%d ids lines, want 2\n%v", runs, r)
	}
}

// TestLongArguments: a script line far over 64 KiB runs (one argument of
// 100 KiB, under Linux's MAX_ARG_STRLEN of 128 KiB); one argument over
// it is E2BIG, as execve answers on Linux, and the next line still runs.
func TestLongArguments(t *testing.T) {
	bb := hostBusybox(t)
	long, tooLong := strings.Repeat("x", 100<<10), strings.Repeat("y", 130<<10)
	script := filepath.Join(t.TempDir(), "long")
	body := "/bin/busybox echo " + long + "\n/bin/busybox echo " + tooLong + "\n/bin/busybox echo after\n"
	if err := os.WriteFile(script, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runProgs(t, "--add", bb+":/bin/busybox", "--script", script)
	checkRun(t, r, 0, []string{long, "argument list too long", "after"})
}

// TestTooLittleMemory: a machine too small for the kernel says how much
// it needs and stops, instead of faulting in the Go runtime's start-up,
// and the size it names is enough.
func TestTooLittleMemory(t *testing.T) {
	r := runProgs(t, "--mem", "24", "--", "/bin/hello")
	checkRun(t, r, 1, []string{"starry: not enough memory", "boot with at least"}, "hello from musl")
	m := regexp.MustCompile(`boot with at least (\d+) MiB`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no size in the message\n%v", r)
	}
	checkRun(t, runProgs(t, "--mem", m[1], "--", "/bin/hello"), 0, []string{"hello from musl"})
}

// TestSmallMemory: in a 32 MiB machine (the initramfs freed once its
// files are copied, an 8 MiB kernel reserve) busybox's shell runs a
// pipeline, and programs that exhaust memory and threads (a growing
// heap, forks copying pages, a fork bomb) fail or are killed while the
// kernel goes on and gets every frame back.
func TestSmallMemory(t *testing.T) {
	bb := hostBusybox(t)
	steps := []suiteStep{
		{line: `/bin/busybox sh -c "echo small | /bin/busybox tr a-z A-Z"`, status: 0, text: "SMALL"},
		{line: "/bin/oom 1", status: 137},
		{line: "/bin/forkoom 2", status: 0, text: "forkoom ok"},
		{line: "/bin/forkbomb", status: 0, text: "forkbomb: parent alive"},
		{line: "/bin/hello", status: 0, text: "hello from musl"},
	}
	var lines []string
	for _, s := range steps {
		lines = append(lines, s.line)
	}
	r := runSome(t, []string{"oom", "forkoom", "forkbomb", "hello"}, "--mem", "32", "--add", bb+":/bin/busybox",
		"--script", writeScript(t, lines))
	problems := stepProblems(r, steps)
	if m := framesLine.FindStringSubmatch(r.stdout); m == nil || m[1] != "0" {
		problems = append(problems, "frames still in use at the end (or no frames line)")
	}
	if strings.Contains(r.stdout, "KERNEL CRASH") {
		problems = append(problems, "the kernel crashed")
	}
	if len(problems) > 0 {
		t.Errorf("32 MiB machine:\n  %s\n%v", strings.Join(problems, "\n  "), r)
	}
}

// repeatedLogLines finds kernel diagnostics printed more than once for
// one command: an unimplemented system call is reported once per command
// (the runner forgets what it logged between them), by name, however
// often a program (sysfuzz: 20,000 calls) makes it.
func repeatedLogLines(out string) []string {
	count := map[string]int{}
	var problems []string
	for _, l := range consoleLines(out) {
		switch {
		case strings.HasPrefix(l, "starry: linux: "):
			if count[l]++; count[l] == 2 {
				problems = append(problems, fmt.Sprintf("%q printed more than once for one command", l))
			}
		case strings.HasPrefix(l, "starry: exit "):
			clear(count)
		}
	}
	return problems
}
