package selftest

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hostClock fakes a TSC from the host's monotonic clock ticking at 1 GHz;
// hz lets a test make the calibration lie.
type hostClock struct {
	start time.Time
	hz    uint64
}

func newHostClock(hz uint64) *hostClock { return &hostClock{start: time.Now(), hz: hz} }

func (c *hostClock) TSC() uint64   { return uint64(time.Since(c.start).Nanoseconds()) }
func (c *hostClock) TSCHz() uint64 { return c.hz }

func TestRunPasses(t *testing.T) {
	var out bytes.Buffer
	ok := Run(&out, newHostClock(1e9))
	t.Logf("output:\n%s", out.String())
	if !ok {
		t.Fatal("Run reported failure on the host")
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(checks)+1 {
		t.Fatalf("got %d lines, want %d", len(lines), len(checks)+1)
	}
	for i, ck := range checks {
		prefix := "selftest: " + ck.name + ": ok ("
		if !strings.HasPrefix(lines[i], prefix) || !strings.HasSuffix(lines[i], ")") {
			t.Errorf("line %d = %q, want %q...)", i, lines[i], prefix)
		}
	}
	if last := lines[len(lines)-1]; last != "selftest: PASS" {
		t.Errorf("last line %q, want selftest: PASS", last)
	}
}

// TestLyingClockFailsSleep halves the reported TSC frequency, so the TSC
// measures the 50 ms sleep as 100 ms and the sleep check must fail.
func TestLyingClockFailsSleep(t *testing.T) {
	var out bytes.Buffer
	if Run(&out, newHostClock(5e8)) {
		t.Fatalf("Run passed with a lying clock:\n%s", out.String())
	}
	s := out.String()
	if !strings.Contains(s, "selftest: sleep: FAIL: ") {
		t.Errorf("sleep check not reported as FAIL:\n%s", s)
	}
	want := "selftest: FAIL (1 of " + itoa(len(checks)) + " checks failed)\n"
	if !strings.HasSuffix(s, want) {
		t.Errorf("output does not end with %q:\n%s", want, s)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestRunnerReportsFailures checks that errors, panics and hangs in a check
// are all reported as FAIL lines with the right count, in table order.
func TestRunnerReportsFailures(t *testing.T) {
	list := []check{
		{"good", func(Clock) (string, error) { return "fine", nil }},
		{"bad", func(Clock) (string, error) { return "", errors.New("broken") }},
		{"panics", func(Clock) (string, error) { panic("boom") }},
		{"hangs", func(Clock) (string, error) { select {} }},
	}
	var out bytes.Buffer
	if runChecks(&out, newHostClock(1e9), list, 50*time.Millisecond) {
		t.Fatal("runChecks passed with failing checks")
	}
	want := "selftest: good: ok (fine)\n" +
		"selftest: bad: FAIL: broken\n" +
		"selftest: panics: FAIL: panic: boom\n" +
		"selftest: hangs: FAIL: timed out after 50ms\n" +
		"selftest: FAIL (3 of 4 checks failed)\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestTSCDuration(t *testing.T) {
	cases := []struct {
		delta, hz uint64
		want      time.Duration
	}{
		{1e9, 1e9, time.Second},
		{3e9, 3e9, time.Second},
		{150e6, 3e9, 50 * time.Millisecond},
		{1 << 62, 1 << 30, (1 << 32) * time.Second},
		{^uint64(0), 1e9, time.Duration(1<<63 - 1)},
		{5, 0, 0},
	}
	for _, c := range cases {
		if got := tscDuration(c.delta, c.hz); got != c.want {
			t.Errorf("tscDuration(%d, %d) = %v, want %v", c.delta, c.hz, got, c.want)
		}
	}
}
