package sysv

import (
	"errors"
	"testing"
	"time"
)

// waiter is a fake thread to sleep on: interrupt is a signal, kill the
// process's exit.
type waiter struct{ intr, dying chan struct{} }

func newWaiter() *waiter { return &waiter{intr: make(chan struct{}), dying: make(chan struct{})} }

func (w *waiter) Dying() <-chan struct{}       { return w.dying }
func (w *waiter) Interrupted() <-chan struct{} { return w.intr }
func (w *waiter) interrupt()                   { close(w.intr) }

var (
	root  = &Caller{PID: 100}
	alice = &Caller{PID: 200, EUID: 1000, EGID: 1000, FSGID: 1000}
	bob   = &Caller{PID: 300, EUID: 2000, EGID: 2000, FSGID: 2000, Groups: []uint32{1000}}
	eve   = &Caller{PID: 400, EUID: 3000, EGID: 3000, FSGID: 3000}
)

// clock is a settable time for the namespace.
type clock struct{ t int64 }

func (c *clock) now() int64 { return c.t }

func newNS() (*NS, *clock) {
	c := &clock{t: 1000}
	return New(c.now), c
}

// must is v, or a panic (the test fails) for an error.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) && !(err == nil && want == nil) {
		t.Errorf("%s: %v, want %v", what, err, want)
	}
}

// result runs f in a goroutine and returns a channel of its error.
func result(f func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return ch
}

// waitUntil polls cond for up to two seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// recv waits for a goroutine's error.
func recv(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(2 * time.Second):
		t.Fatal("the sleeper did not wake")
		return nil
	}
}

// asleep reports that ch has nothing yet.
func asleep(ch <-chan error) bool {
	select {
	case <-ch:
		return false
	case <-time.After(20 * time.Millisecond):
		return true
	}
}

// mem is a Backing that counts its closes.
type mem struct {
	closed int
	pages  int64
}

func (m *mem) Close()       { m.closed++ }
func (m *mem) Pages() int64 { return m.pages }
