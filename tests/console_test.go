package tests

import (
	"bytes"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Console input: the host's piped stdin (starry run --stdin) reaches the
// guest through COM1's receive interrupt, on every machine type, and an
// idle reader does not poll.

// slowInput hands out its chunks one Read at a time, each after gap, so
// that the guest is already blocked reading when input arrives.
type slowInput struct {
	chunks []string
	gap    time.Duration
}

func (s *slowInput) Read(p []byte) (int, error) {
	if len(s.chunks) == 0 {
		return 0, io.EOF
	}
	time.Sleep(s.gap)
	n := copy(p, s.chunks[0])
	s.chunks[0] = s.chunks[0][n:]
	if s.chunks[0] == "" {
		s.chunks = s.chunks[1:]
	}
	return n, nil
}

// runWithInput is runCLI with stdin fed from in.
func runWithInput(t *testing.T, in io.Reader, args ...string) cliResult {
	t.Helper()
	cmd := exec.Command(starryBin, args...)
	cmd.Dir = repoRoot
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = in, &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(2*time.Minute, func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	err := cmd.Wait()
	timer.Stop()
	r := cliResult{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		r.code = -1
	}
	return r
}

var conStatsLine = regexp.MustCompile(`starry: console: irq=(\d) interrupts=(\d+) bytes=(\d+) overruns=(\d+) blocked-reads=(\d+)`)

// consoleStats returns the power-off "constats" line's numbers: irq,
// interrupts, bytes, overruns, blocked reads.
func consoleStats(t *testing.T, r cliResult) []int {
	t.Helper()
	m := conStatsLine.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no console statistics line\n%v", r)
	}
	var v []int
	for _, s := range m[1:] {
		n, _ := strconv.Atoi(s)
		v = append(v, n)
	}
	return v
}

// TestConsolePipedShell: busybox sh reads a script from the host's
// stdin, given before boot, on each machine type; and with the input
// arriving while it waits, the wait costs a few blocked reads, not one
// per 10 ms poll (the "noconirq" fallback shows the polling).
func TestConsolePipedShell(t *testing.T) {
	requireQEMU(t)
	kernel, bb := kernelImage(t), hostBusybox(t)
	run := func(t *testing.T, in io.Reader, machine, extra string) cliResult {
		return runWithInput(t, in, "run", "--accel", "tcg", "--machine", machine, "--timeout", "60s", "--stdin",
			"--kernel", kernel, "--append", "constats "+extra, "--add", bb+":/bin/busybox", "--", "/bin/busybox", "sh")
	}
	for _, m := range []string{"microvm", "q35", "pc"} {
		t.Run(m, func(t *testing.T) {
			r := run(t, strings.NewReader("echo hi $((6*7))\nexit 3\n"), m, "")
			checkRun(t, r, 3, []string{"hi 42"}, "polled")
			if s := consoleStats(t, r); s[0] != 1 || s[2] != 24 {
				t.Errorf("want input by interrupt, 24 bytes; got irq=%d bytes=%d\n%v", s[0], s[2], r)
			}
		})
	}
	for _, extra := range []string{"", "noconirq"} {
		t.Run("idle"+extra, func(t *testing.T) {
			in := &slowInput{chunks: []string{"echo late\n", "exit 4\n"}, gap: 2 * time.Second}
			r := run(t, in, "microvm", extra)
			checkRun(t, r, 4, []string{"late"})
			s := consoleStats(t, r)
			blocked := s[4]
			t.Logf("console: irq=%d interrupts=%d bytes=%d blocked reads=%d", s[0], s[1], s[2], blocked)
			switch {
			case extra == "" && blocked > s[2]+5: // at most one wait per byte received
				t.Errorf("%d blocked reads over 4 s of waiting for %d bytes: the console is polled\n%v", blocked, s[2], r)
			case extra != "" && (blocked < 100 || !strings.Contains(r.stdout, "console input is polled")):
				t.Errorf("noconirq: want polling (>= 100 blocked reads and the boot message), got %d\n%v", blocked, r)
			}
		})
	}
}

// TestConsoleRaw: the kernel's raw console API (the "consoletest" mode)
// reads a line as sent and writes it back without adding a CR.
func TestConsoleRaw(t *testing.T) {
	requireQEMU(t)
	in := &slowInput{chunks: []string{"x\ty\n"}, gap: time.Second}
	r := runWithInput(t, in, "run", "--accel", "tcg", "--timeout", "60s", "--stdin", "--kernel", kernelImage(t),
		"--append", "consoletest")
	if r.code != 0 || !strings.Contains(r.stdout, "consoletest: raw x\ty\nstarry: poweroff") {
		t.Errorf("want the line echoed raw (no CR before its newline)\n%q\n%v", r.stdout, r)
	}
}
