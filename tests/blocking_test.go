package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A program that waits for ever must leave the kernel idle, not dead: the
// Go runtime must never declare it deadlocked.

// TestBlockedForeground: a foreground program that blocks for ever, ahead
// of a second command, holds the boot until --timeout, which ends it
// with the CLI's usual message and status 124.
func TestBlockedForeground(t *testing.T) {
	for _, how := range []string{"eventfd", "futex"} {
		t.Run(how, func(t *testing.T) {
			script := filepath.Join(t.TempDir(), "s")
			if err := os.WriteFile(script, []byte("/bin/block "+how+"\n/bin/hello\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			requireQEMU(t)
			r := starry(t, nil, "run", "--accel", "tcg", "--timeout", "6s", "--kernel", kernelImage(t),
				"--add", testProgs(t)+":/bin", "--script", script)
			checkRun(t, r, 124, []string{"block: waiting (" + how + ")"}, "fatal error", "deadlock", "hello from musl", "block: "+how+" returned")
			if !strings.Contains(r.stderr, "timed out after 6s") {
				t.Errorf("no timeout message from the CLI:\n%v", r)
			}
		})
	}
}

// TestBlockedBackground: programs blocked for ever in the background do
// not stop the foreground ones, and killing them at the end wakes every
// blocked thread and gives every frame back.
func TestBlockedBackground(t *testing.T) {
	steps := []suiteStep{
		{line: "& /bin/block eventfd"},
		{line: "& /bin/block futex"},
		{line: "& /bin/block pause"},
		{line: "/bin/hello", status: 0, text: "hello from musl"},
		{line: "/bin/exit 3", status: 3},
	}
	var lines []string
	for _, s := range steps {
		lines = append(lines, s.line)
	}
	script := writeScript(t, lines)
	r := runProgs(t, "--script", script)
	problems := stepProblems(r, steps)
	if m := framesLine.FindStringSubmatch(r.stdout); m == nil || m[1] != "0" {
		problems = append(problems, "frames still in use after the blocked programs were killed (or no frames line)")
	}
	for _, bad := range []string{"fatal error", "returned"} {
		if strings.Contains(r.stdout, bad) {
			problems = append(problems, "the console says "+bad)
		}
	}
	if len(problems) > 0 {
		t.Errorf("blocked background programs went wrong:\n  %s\n%v", strings.Join(problems, "\n  "), r)
	}
}

// TestPauseWakes: pause(2) ends with EINTR once a signal's handler has
// run, natively and in the guest.
func TestPauseWakes(t *testing.T) {
	differential(t, "block: pause ended with EINTR after the handler", 10*time.Second, []string{"block", "pausewake"})
}

// TestExitWithTerminalReader: a process exits while one of its threads
// waits to read the console; the exit must not wait for input (a read
// of the console used to be one the kernel could not cut short).
func TestExitWithTerminalReader(t *testing.T) {
	differential(t, "block: exit with a reader on the terminal", 10*time.Second, []string{"block", "readexit"})
}
