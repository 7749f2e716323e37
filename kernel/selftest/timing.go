package selftest

import (
	"errors"
	"fmt"
	"math/bits"
	"time"
)

// sleepFor is the sleep the TSC measures; sleepSlack is the allowed error.
const (
	sleepFor   = 50 * time.Millisecond
	sleepSlack = sleepFor / 5
)

// tscDuration converts a TSC delta to a Duration without overflowing
// (delta*1e9 needs 128 bits for long intervals on fast clocks).
func tscDuration(delta, hz uint64) time.Duration {
	if hz == 0 {
		return 0
	}
	hi, lo := bits.Mul64(delta, uint64(time.Second))
	if hi >= hz {
		return time.Duration(1<<63 - 1)
	}
	q, _ := bits.Div64(hi, lo, hz)
	if q > 1<<63-1 {
		return time.Duration(1<<63 - 1)
	}
	return time.Duration(q)
}

// within reports whether d is within sleepSlack of sleepFor.
func within(d time.Duration) bool {
	return d >= sleepFor-sleepSlack && d <= sleepFor+sleepSlack
}

// checkSleep sleeps and measures the sleep both with the raw TSC and with
// the runtime's clock; both must agree with the requested duration, which
// ties together timer wakeups, the monotonic clock and TSC calibration.
// A sleep the host stretched (a stalled guest on a busy machine) is
// tried again, up to three times: a broken timer or clock fails all three.
func checkSleep(c Clock) (string, error) {
	var err error
	for try := 0; try < 3; try++ {
		var detail string
		if detail, err = sleepOnce(c); err == nil {
			return detail, nil
		}
	}
	return "", err
}

// sleepOnce is one sleep of checkSleep.
func sleepOnce(c Clock) (string, error) {
	hz := c.TSCHz()
	if hz == 0 {
		return "", errors.New("TSC frequency is zero")
	}
	t0 := c.TSC()
	start := time.Now()
	time.Sleep(sleepFor)
	since := time.Since(start)
	t1 := c.TSC()
	if t1 < t0 {
		return "", fmt.Errorf("TSC went backwards: %d -> %d", t0, t1)
	}
	tsc := tscDuration(t1-t0, hz)
	detail := fmt.Sprintf("Sleep(%v): TSC %v at %d Hz, time.Since %v",
		sleepFor, tsc.Round(10*time.Microsecond), hz, since.Round(10*time.Microsecond))
	if !within(tsc) {
		return "", errors.New(detail + ": TSC measure outside 20%")
	}
	if !within(since) {
		return "", errors.New(detail + ": time.Since outside 20%")
	}
	return detail, nil
}

// timersDeadline bounds every wait in checkTimers so a lost timer is a
// failure rather than a hang.
const timersDeadline = 2 * time.Second

// checkTimers exercises time.After, time.NewTimer, timer Stop and a Ticker
// through select, checking order and that a stopped timer stays silent.
func checkTimers(Clock) (string, error) {
	start := time.Now()
	if err := timerOrder(); err != nil {
		return "", err
	}
	if err := timerStop(); err != nil {
		return "", err
	}
	n, err := tickerTicks(3, 5*time.Millisecond)
	if err != nil {
		return "", err
	}
	if err := selectChannel(); err != nil {
		return "", err
	}
	return fmt.Sprintf("10ms before 30ms, stopped timer silent, %d ticks, channel beat timeout; %v",
		n, time.Since(start).Round(time.Millisecond)), nil
}

// timerOrder starts a 30 ms After and a 10 ms Timer and requires them to
// fire in deadline order.
func timerOrder() error {
	late := time.After(30 * time.Millisecond)
	early := time.NewTimer(10 * time.Millisecond)
	defer early.Stop()
	guard := time.After(timersDeadline)
	for _, want := range []string{"10ms", "30ms"} {
		got := ""
		select {
		case <-early.C:
			got = "10ms"
		case <-late:
			got = "30ms"
		case <-guard:
			return fmt.Errorf("timer %s never fired", want)
		}
		if got != want {
			return fmt.Errorf("timer %s fired when %s was due", got, want)
		}
	}
	return nil
}

// timerStop stops a pending timer and requires it not to fire later.
func timerStop() error {
	t := time.NewTimer(10 * time.Millisecond)
	if !t.Stop() {
		return errors.New("Stop of a pending timer returned false")
	}
	select {
	case <-t.C:
		return errors.New("stopped timer fired")
	case <-time.After(30 * time.Millisecond):
		return nil
	}
}

// tickerTicks waits for n ticks of a ticker and checks they are spaced.
func tickerTicks(n int, every time.Duration) (int, error) {
	tk := time.NewTicker(every)
	defer tk.Stop()
	guard := time.After(timersDeadline)
	var last time.Time
	for i := 0; i < n; i++ {
		select {
		case t := <-tk.C:
			if !last.IsZero() && !t.After(last) {
				return i, fmt.Errorf("tick %d at %v not after previous %v", i, t, last)
			}
			last = t
		case <-guard:
			return i, fmt.Errorf("only %d of %d ticks within %v", i, n, timersDeadline)
		}
	}
	return n, nil
}

// selectChannel requires a message sent by another goroutine after a short
// sleep to win a select against a long timeout.
func selectChannel() error {
	ch := make(chan int)
	go func() {
		time.Sleep(5 * time.Millisecond)
		ch <- 42
	}()
	select {
	case v := <-ch:
		if v != 42 {
			return fmt.Errorf("channel delivered %d, want 42", v)
		}
		return nil
	case <-time.After(timersDeadline):
		return errors.New("channel send lost: timeout won the select")
	}
}
