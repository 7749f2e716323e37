package tests

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// differential runs each command natively first, where it must print
// want and exit 0 (so the program's expectations are Linux's), then all
// of them in one boot, where each must do the same.
func differential(t *testing.T, want string, limit time.Duration, cmds ...[]string) {
	t.Helper()
	bin := testProgs(t)
	var steps []suiteStep
	for _, c := range cmds {
		cmd := exec.Command(filepath.Join(bin, c[0]), c[1:]...)
		timer := time.AfterFunc(limit, func() { cmd.Process.Kill() })
		out, err := cmd.CombinedOutput()
		timer.Stop()
		if err != nil || !strings.Contains(string(out), want) {
			t.Fatalf("natively, %s did not print %q (%v): the program's expectations are not Linux's\n%s", strings.Join(c, " "), want, err, out)
		}
		steps = append(steps, suiteStep{line: "/bin/" + strings.Join(c, " "), status: 0, text: want})
	}
	var lines []string
	for _, s := range steps {
		lines = append(lines, s.line)
	}
	script := writeScript(t, lines)
	r := runProgs(t, "--script", script)
	if problems := stepProblems(r, steps); len(problems) > 0 {
		t.Errorf("the guest differs from Linux:\n  %s\n%v", strings.Join(problems, "\n  "), r)
	}
}

// TestFutex checks futex(2) operation by operation (tests/progs/futex.c),
// built with musl and with glibc.
func TestFutex(t *testing.T) {
	differential(t, "futex ok", 30*time.Second, []string{"futex"}, []string{"futex_glibc"})
}

// TestPthreadStress runs condition variables, barriers, rwlocks, robust
// and PI mutexes with 8 threads for 10 seconds, with musl and glibc.
func TestPthreadStress(t *testing.T) {
	differential(t, "pthread_stress ok", 60*time.Second,
		[]string{"pthread_stress", "10"}, []string{"pthread_stress_glibc", "10"})
}
