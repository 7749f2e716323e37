// Package selftest is the kernel's boot-time self-test: it exercises the
// parts of the Go runtime that depend on the kernel's syscall shim
// (scheduler, garbage collector, timers, signals for nil dereference) and
// reports each result on the console. Its checks are ordinary Go, so the
// same code is also tested on the host with go test.
package selftest

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// Clock gives the raw time-stamp counter and its calibrated frequency.
// The sleep check compares it against the runtime's notion of time, so a
// broken calibration or a broken timer shim shows up as a failure.
type Clock interface {
	TSC() uint64
	TSCHz() uint64
}

// check is one named self-test. run returns a short detail for the report
// on success, or an error saying why it failed.
type check struct {
	name string
	run  func(c Clock) (detail string, err error)
}

// checks is the fixed, ordered list of checks, kept in a table so the
// console output is stable from boot to boot.
var checks = []check{
	{"goroutines", checkGoroutines},
	{"gc", checkGC},
	{"sleep", checkSleep},
	{"timers", checkTimers},
	{"panic", checkPanic},
	{"nilderef", checkNilDeref},
}

// checkTimeout bounds how long Run waits for one check, so a hung check
// (say, a lost wakeup in the scheduler) is reported instead of hanging boot.
const checkTimeout = 20 * time.Second

// Run runs every check, writes one line per check ("selftest: NAME: ok
// (detail)" or "selftest: NAME: FAIL: why"), then "selftest: PASS" or
// "selftest: FAIL (N of M checks failed)", and returns whether all passed.
func Run(w io.Writer, c Clock) bool {
	return runChecks(w, c, checks, checkTimeout)
}

// runChecks is Run over an arbitrary table, so tests can inject checks.
func runChecks(w io.Writer, c Clock, list []check, timeout time.Duration) bool {
	failed := 0
	for _, ck := range list {
		detail, err := runOne(ck, c, timeout)
		if err != nil {
			failed++
			fmt.Fprintf(w, "selftest: %s: FAIL: %v\n", ck.name, err)
			continue
		}
		fmt.Fprintf(w, "selftest: %s: ok (%s)\n", ck.name, detail)
	}
	if failed > 0 {
		fmt.Fprintf(w, "selftest: FAIL (%d of %d checks failed)\n", failed, len(list))
		return false
	}
	fmt.Fprintf(w, "selftest: PASS\n")
	return true
}

// outcome carries a check's result back from its goroutine.
type outcome struct {
	detail string
	err    error
}

// runOne runs a check on its own goroutine, turning a panic into a failure
// and giving up after timeout, so one broken check cannot take down or
// stall the whole report.
func runOne(ck check, c Clock, timeout time.Duration) (string, error) {
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- outcome{err: fmt.Errorf("panic: %v", r)}
			}
		}()
		d, err := ck.run(c)
		done <- outcome{detail: d, err: err}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case o := <-done:
		return o.detail, o.err
	case <-t.C:
		return "", errors.New("timed out after " + timeout.String())
	}
}
