package flock

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

const (
	sh = abi.LOCK_SH
	ex = abi.LOCK_EX
	un = abi.LOCK_UN
	nb = abi.LOCK_NB
)

func TestFlock(t *testing.T) {
	d1, d2, d3 := &owner{"d1"}, &owner{"d2"}, &owner{"d3"}
	m := New()
	f := m.Of("ino")
	must(t, f.Flock(d1, sh, nil))
	must(t, f.Flock(d2, sh|nb, nil)) // shared locks share
	// EWOULDBLOCK is EAGAIN.
	if err := f.Flock(d3, ex|nb, newWaiter()); err != abi.EAGAIN {
		t.Fatalf("EX over SH with NB: %v", err)
	}
	if err := f.Flock(d3, ex, nil); err != abi.EAGAIN {
		t.Fatalf("EX over SH without waiter: %v", err)
	}
	must(t, f.Flock(d1, sh, nil)) // again: nothing changes
	if m.Count() != 2 {
		t.Fatalf("Count %d", m.Count())
	}
	// d3 sleeps until both shared locks go.
	done := async(func() error { return f.Flock(d3, ex, newWaiter()) })
	waitFor(t, f, 1)
	must(t, f.Flock(d1, un, nil))
	expectBlocked(t, done)
	f.RemoveFile(d2)
	expectDone(t, done, nil)
	if err := f.Flock(d1, sh|nb, nil); err != abi.EAGAIN {
		t.Fatalf("SH over EX: %v", err)
	}
	// Converting EX to SH lets another SH in.
	must(t, f.Flock(d3, sh, nil))
	must(t, f.Flock(d1, sh|nb, nil))
	// A conversion that fails drops the lock held, as flock_lock_inode does.
	if err := f.Flock(d3, ex|nb, nil); err != abi.EAGAIN {
		t.Fatalf("convert with another SH: %v", err)
	}
	if m.Count() != 1 {
		t.Fatalf("failed conversion kept the old lock: Count %d", m.Count())
	}
	must(t, f.Flock(d1, un|nb, nil))
	must(t, f.Flock(d1, un, nil)) // unlocking nothing is fine
	if m.Count() != 0 || len(m.files) != 0 {
		t.Fatalf("left %d locks, %d files", m.Count(), len(m.files))
	}
}

func TestFlockInterrupted(t *testing.T) {
	d1, d2 := &owner{"d1"}, &owner{"d2"}
	m := New()
	f := m.Of("ino")
	must(t, f.Flock(d1, ex, nil))
	w := newWaiter()
	done := async(func() error { return f.Flock(d2, sh, w) })
	waitFor(t, f, 1)
	w.interrupt()
	expectDone(t, done, abi.EINTR)
	w = newWaiter()
	done = async(func() error { return f.Flock(d2, ex, w) })
	waitFor(t, f, 1)
	w.die()
	expectDone(t, done, abi.EINTR)
	f.RemoveFile(d1)
	if m.Count() != 0 || len(m.files) != 0 {
		t.Fatalf("left %d locks, %d files", m.Count(), len(m.files))
	}
}

func TestFlockOps(t *testing.T) {
	f := New().Of("ino")
	d := &owner{"d"}
	for _, op := range []int{0, nb, sh | ex, sh | un, 16, 3, ex | 64} {
		if err := f.Flock(d, op, nil); err != abi.EINVAL {
			t.Errorf("op %#x: %v, want EINVAL", op, err)
		}
		if _, err := ParseFlock(op); err != abi.EINVAL {
			t.Errorf("ParseFlock(%#x): %v", op, err)
		}
	}
	for _, op := range []int{32, 32 | 64, 32 | 128 | ex, -1} { // LOCK_MAND (-1 is 0xffffffff to Linux): ignored
		if ign, err := ParseFlock(op); !ign || err != nil {
			t.Errorf("ParseFlock(%#x): %v %v", op, ign, err)
		}
		if err := f.Flock(d, op, nil); err != nil {
			t.Errorf("op %#x: %v", op, err)
		}
	}
	for _, op := range []int{sh, ex, un, sh | nb, ex | nb, un | nb} {
		if ign, err := ParseFlock(op); ign || err != nil {
			t.Errorf("ParseFlock(%#x): %v %v", op, ign, err)
		}
	}
}

// flock and POSIX locks live on separate lists and never conflict.
func TestFlockVsPOSIX(t *testing.T) {
	d, table := &owner{"d"}, &owner{"table"}
	m := New()
	f := m.Of("ino")
	must(t, f.Flock(d, ex, nil))
	must(t, f.Set(lk(W, 0, MaxOffset, table), nil))
	if err := f.Flock(&owner{"d2"}, sh|nb, nil); err != abi.EAGAIN {
		t.Fatalf("flock vs flock: %v", err)
	}
	if err := f.Set(Lock{Type: R, Start: 0, End: 0, Owner: d, OFD: true}, nil); err != abi.EAGAIN {
		t.Fatalf("OFD vs POSIX: %v", err)
	}
	if m.Count() != 2 {
		t.Fatalf("got %d", m.Count())
	}
}

func TestRemoveFile(t *testing.T) {
	d, other, table := &owner{"d"}, &owner{"other"}, &owner{"table"}
	m := New()
	f := m.Of("ino")
	must(t, f.Flock(d, sh, nil))
	must(t, f.Flock(other, sh, nil))
	must(t, f.Set(Lock{Type: R, Start: 0, End: 9, Owner: d, OFD: true}, nil))
	must(t, f.Set(Lock{Type: W, Start: 20, End: 29, Owner: d, OFD: true}, nil))
	must(t, f.Set(lk(R, 0, 5, table), nil))
	f.RemoveFile(d)
	if m.Count() != 2 {
		t.Fatalf("Count %d, want the table's lock and other's flock", m.Count())
	}
	if err := f.Flock(other, ex|nb, nil); err != nil { // d's flock went
		t.Fatal(err)
	}
	f.RemoveFile(other)
	f.RemoveOwner(table)
	if m.Count() != 0 || m.Lookup("ino") != nil {
		t.Fatal("leak")
	}
}
