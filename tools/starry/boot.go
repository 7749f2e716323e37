package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Console lines with a meaning to the host (the kernel's side of the
// contract in DESIGN.md §6).
const (
	lineBoot     = "starry: boot"
	lineGoMain   = "starry: go main"
	linePass     = "selftest: PASS"
	lineFail     = "selftest: FAIL"
	lineCrash    = "starry: KERNEL CRASH"
	linePoweroff = "starry: poweroff status="
)

// Names of the timing marks a boot records.
const (
	markFirstByte = "first serial byte"
	markBoot      = lineBoot
	markGoMain    = lineGoMain
	markPass      = linePass
	markExit      = "QEMU exit"
)

// bootResult is what the host saw of one boot.
type bootResult struct {
	qemuCode  int                      // QEMU's exit status, -1 if killed
	poweroff  bool                     // the poweroff line was printed
	status    int                      // the status that line gave
	crashed   bool                     // a KERNEL CRASH report was printed
	trace     crashTrace               // its addresses, for symbolizing
	failLine  string                   // the selftest: FAIL line, if any
	lastLine  string                   // last non-empty console line
	marks     map[string]time.Duration // since QEMU started
	signal    string                   // the signal that killed QEMU, if one did
	timedOut  bool
	cancelled bool
}

// console receives QEMU's stdout (the guest's COM1), copies it live to out
// and watches it line by line. exec calls Write from one goroutine and
// Wait orders it before the result is read, so no locking is needed.
type console struct {
	out   io.Writer
	start time.Time
	res   *bootResult
	line  []byte
}

func (c *console) Write(p []byte) (int, error) {
	now := time.Since(c.start)
	if _, ok := c.res.marks[markFirstByte]; !ok && len(p) > 0 {
		c.res.marks[markFirstByte] = now
	}
	c.out.Write(p) // a closed terminal must not stop the guest
	for _, b := range p {
		if b != '\n' {
			c.line = append(c.line, b)
			continue
		}
		c.see(string(c.line), now)
		c.line = c.line[:0]
	}
	return len(p), nil
}

// flush handles a last line that had no newline.
func (c *console) flush() {
	if len(c.line) > 0 {
		c.see(string(c.line), time.Since(c.start))
		c.line = nil
	}
}

// see interprets one console line. It looks for markers anywhere in the
// line, because firmware may leave escape sequences before the first one.
func (c *console) see(line string, at time.Duration) {
	line = strings.TrimRight(line, "\r")
	if strings.TrimSpace(line) == "" {
		return
	}
	r := c.res
	r.lastLine = line
	r.trace.see(line)
	for _, m := range []string{markBoot, markGoMain, markPass} {
		if _, seen := r.marks[m]; !seen && strings.Contains(line, m) {
			r.marks[m] = at
		}
	}
	switch {
	case strings.Contains(line, lineCrash):
		r.crashed = true
	case strings.Contains(line, lineFail) && r.failLine == "":
		r.failLine = line[strings.Index(line, lineFail):]
	case strings.Contains(line, linePoweroff):
		rest := line[strings.Index(line, linePoweroff)+len(linePoweroff):]
		if n, err := strconv.Atoi(strings.TrimSpace(rest)); err == nil {
			r.poweroff, r.status = true, n
		}
	}
}

// boot runs QEMU once, streaming the console to out and QEMU's own
// messages to errOut. It returns an error only when QEMU could not start.
func boot(ctx context.Context, qemu string, args []string, timeout time.Duration, stdin io.Reader, out, errOut io.Writer) (*bootResult, error) {
	res := &bootResult{qemuCode: -1, marks: map[string]time.Duration{}}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(tctx, qemu, args...)
	// SIGTERM first: QEMU then restores the terminal it put in raw mode.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 3 * time.Second
	con := &console{out: out, res: res}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, con, errOut
	con.start = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fail(exitFailure, "starting QEMU: %v", err)
	}
	err := cmd.Wait()
	res.marks[markExit] = time.Since(con.start)
	con.flush()
	res.timedOut = errors.Is(tctx.Err(), context.DeadlineExceeded)
	res.cancelled = ctx.Err() != nil
	st, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case ok && st.Exited():
		res.qemuCode = st.ExitStatus()
	case ok && st.Signaled():
		res.signal = st.Signal().String()
	case err != nil && !res.timedOut && !res.cancelled:
		return res, fail(exitFailure, "QEMU: %v", err)
	}
	return res, nil
}

// verdict turns what a boot showed into the run's exit status, with a
// message whenever the guest did not power off cleanly.
func (r *bootResult) verdict(timeout time.Duration) error {
	switch {
	case r.cancelled:
		return fail(exitInterrupted, "interrupted; QEMU stopped")
	case r.timedOut:
		return fail(exitTimeout, "timed out after %v; %s", timeout, r.lastWords())
	case r.qemuCode < 0:
		return fail(exitFailure, "QEMU was killed by signal %q (see its message above); %s", r.signal, r.lastWords())
	}
	status, err := r.guestStatus()
	if err != nil {
		return err
	}
	if r.crashed {
		if status == 0 {
			status = exitFailure
		}
		return fail(status, "kernel crashed (see the KERNEL CRASH report above); guest status %d", status)
	}
	if status != 0 {
		return &exitError{code: status}
	}
	return nil
}

// guestStatus decodes QEMU's exit status. isa-debug-exit makes it odd:
// (N<<1)|1, truncated to 8 bits. QEMU's own failures also exit 1, so 1 counts as the guest's
// status 0 only when the kernel printed its poweroff line.
func (r *bootResult) guestStatus() (int, error) {
	code := r.qemuCode
	switch {
	case code == 1 && !r.poweroff:
		return 0, fail(exitFailure, "QEMU failed (exit status 1; see its message above) and the guest never powered off; %s", r.lastWords())
	case code&1 == 1 && r.poweroff && r.status&0x7f == code>>1:
		// QEMU's exit status has 8 bits, so the port keeps only N's low
		// 7; the poweroff line has all of it (132 for SIGILL, say).
		return r.status, nil
	case code&1 == 1:
		return code >> 1, nil
	case code == 0 && r.poweroff:
		return r.status, nil
	case code == 0:
		return 0, fail(exitFailure, "QEMU exited without the guest powering off (a triple fault or reset under -no-reboot?); %s", r.lastWords())
	}
	return 0, fail(exitFailure, "QEMU failed with exit status %d; %s", code, r.lastWords())
}

// lastWords summarises the console for an error message.
func (r *bootResult) lastWords() string {
	if _, ok := r.marks[markFirstByte]; !ok {
		return "the kernel printed nothing on the serial console"
	}
	return "last console line: " + strconv.Quote(r.lastLine)
}

// stdinForRun passes the terminal through so the guest console is
// interactive; a non-terminal stdin is forwarded only when asked (--stdin),
// so a run in a pipe or a test does not consume its input by accident.
func stdinForRun(always bool) io.Reader {
	if st, err := os.Stdin.Stat(); always || err == nil && st.Mode()&os.ModeCharDevice != 0 {
		return os.Stdin
	}
	return nil
}
