package flock

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/starry-go/starry/personality/linux/abi"
)

// waiter is a fake fd.Waiter: interrupt makes Interrupted readable, die
// closes Dying.
type waiter struct {
	intr, dying chan struct{}
	once, dOnce sync.Once
}

func newWaiter() *waiter {
	return &waiter{intr: make(chan struct{}), dying: make(chan struct{})}
}

func (w *waiter) Interrupted() <-chan struct{} { return w.intr }
func (w *waiter) Dying() <-chan struct{}       { return w.dying }
func (w *waiter) interrupt()                   { w.once.Do(func() { close(w.intr) }) }
func (w *waiter) die()                         { w.dOnce.Do(func() { close(w.dying) }) }

// timedWaiter is interrupted after d.
func timedWaiter(d time.Duration) *waiter {
	w := newWaiter()
	time.AfterFunc(d, w.interrupt)
	return w
}

const (
	R = abi.F_RDLCK
	W = abi.F_WRLCK
	U = abi.F_UNLCK
)

// owner stands for a descriptor table or an open file description.
type owner struct{ name string }

func lk(t int16, s, e int64, o any) Lock { return Lock{Type: t, Start: s, End: e, Owner: o} }

// snapshot copies the file's POSIX list.
func snapshot(f *File) []Lock {
	g := f.acquire()
	defer g.release()
	return append([]Lock(nil), g.posix...)
}

// waiters reports how many callers sleep on f's key.
func waiters(f *File) int {
	g := f.acquire()
	defer g.release()
	return g.waiters
}

// waitFor polls until f has n sleepers.
func waitFor(t *testing.T, f *File, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for waiters(f) < n {
		if time.Now().After(deadline) {
			t.Fatalf("no %d waiters", n)
		}
		time.Sleep(time.Millisecond)
	}
}

// async runs fn in a goroutine and returns its result channel.
func async(fn func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- fn() }()
	return ch
}

func expectBlocked(t *testing.T, ch <-chan error) {
	t.Helper()
	select {
	case err := <-ch:
		t.Fatalf("returned %v, want it blocked", err)
	case <-time.After(20 * time.Millisecond):
	}
}

func expectDone(t *testing.T, ch <-chan error, want error) {
	t.Helper()
	select {
	case err := <-ch:
		if err != want {
			t.Fatalf("got %v, want %v", err, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("still blocked")
	}
}

// checkInvariants fails t if list breaks invariantErr's rules.
func checkInvariants(t *testing.T, list []Lock) {
	t.Helper()
	if err := invariantErr(list); err != "" {
		t.Fatal(err)
	}
}

// invariantErr checks a POSIX list: each owner's locks together,
// sorted, neither overlapping nor touching with one type; no two owners'
// locks in conflict.
func invariantErr(list []Lock) string {
	done := map[any]bool{}
	for i, l := range list {
		if l.Start < 0 || l.End < l.Start || (l.Type != R && l.Type != W) {
			return fmt.Sprintf("bad lock %+v", l)
		}
		if i > 0 && list[i-1].Owner == l.Owner {
			p := list[i-1]
			if p.End >= l.Start {
				return fmt.Sprintf("owner's locks overlap or unsorted: %+v %+v", p, l)
			}
			if p.Type == l.Type && p.End+1 == l.Start {
				return fmt.Sprintf("unmerged: %+v %+v", p, l)
			}
		} else {
			if done[l.Owner] {
				return fmt.Sprintf("owner %v's locks not together: %+v", l.Owner, list)
			}
			done[l.Owner] = true
		}
		for _, o := range list[i+1:] {
			if l.conflicts(o) {
				return fmt.Sprintf("conflict held: %+v %+v", l, o)
			}
		}
	}
	return ""
}
