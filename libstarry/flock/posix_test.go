package flock

import (
	"slices"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// ranges renders a list as (type, start, end) triples for comparison.
type rng struct {
	typ  int16
	s, e int64
}

func ranges(list []Lock) []rng {
	var out []rng
	for _, l := range list {
		out = append(out, rng{l.Type, l.Start, l.End})
	}
	return out
}

func TestSetSplitMerge(t *testing.T) {
	a := &owner{"a"}
	tests := []struct {
		name string
		ops  []Lock
		want []rng
	}{
		{"unlock middle splits", []Lock{lk(W, 0, 99, a), lk(U, 40, 59, a)},
			[]rng{{W, 0, 39}, {W, 60, 99}}},
		{"adjacent merges", []Lock{lk(W, 0, 99, a), lk(W, 100, 199, a)},
			[]rng{{W, 0, 199}}},
		{"adjacent before merges", []Lock{lk(W, 100, 199, a), lk(W, 0, 99, a)},
			[]rng{{W, 0, 199}}},
		{"overlap merges", []Lock{lk(R, 0, 50, a), lk(R, 40, 80, a)},
			[]rng{{R, 0, 80}}},
		{"bridge merges three", []Lock{lk(W, 0, 9, a), lk(W, 20, 29, a), lk(W, 10, 19, a)},
			[]rng{{W, 0, 29}}},
		{"gap stays", []Lock{lk(W, 0, 9, a), lk(W, 11, 19, a)},
			[]rng{{W, 0, 9}, {W, 11, 19}}},
		{"R over middle of W converts", []Lock{lk(W, 0, 99, a), lk(R, 40, 59, a)},
			[]rng{{W, 0, 39}, {R, 40, 59}, {W, 60, 99}}},
		{"W back over converted part remerges", []Lock{lk(W, 0, 99, a), lk(R, 40, 59, a), lk(W, 40, 59, a)},
			[]rng{{W, 0, 99}}},
		{"R over head of W", []Lock{lk(W, 10, 99, a), lk(R, 0, 20, a)},
			[]rng{{R, 0, 20}, {W, 21, 99}}},
		{"W over several", []Lock{lk(R, 0, 9, a), lk(W, 10, 19, a), lk(R, 20, 29, a), lk(W, 5, 24, a)},
			[]rng{{R, 0, 4}, {W, 5, 24}, {R, 25, 29}}},
		{"different type adjacent stays", []Lock{lk(R, 0, 9, a), lk(W, 10, 19, a)},
			[]rng{{R, 0, 9}, {W, 10, 19}}},
		{"unlock all", []Lock{lk(R, 0, 9, a), lk(W, 20, 29, a), lk(U, 0, MaxOffset, a)},
			nil},
		{"unlock nothing", []Lock{lk(U, 0, 9, a)}, nil},
		{"unlock head and tail", []Lock{lk(W, 10, 19, a), lk(U, 0, 12, a), lk(U, 18, 30, a)},
			[]rng{{W, 13, 17}}},
		{"to EOF merges", []Lock{lk(W, 100, MaxOffset, a), lk(W, 0, 99, a)},
			[]rng{{W, 0, MaxOffset}}},
		{"unlock to EOF", []Lock{lk(W, 0, MaxOffset, a), lk(U, 50, MaxOffset, a)},
			[]rng{{W, 0, 49}}},
		{"lock last byte", []Lock{lk(W, MaxOffset, MaxOffset, a), lk(W, 0, MaxOffset-1, a)},
			[]rng{{W, 0, MaxOffset}}},
	}
	for _, tt := range tests {
		m := New()
		f := m.Of("ino")
		for _, op := range tt.ops {
			must(t, f.Set(op, nil))
		}
		got := snapshot(f)
		checkInvariants(t, got)
		if !slices.Equal(ranges(got), tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, ranges(got), tt.want)
		}
		if m.Count() != len(tt.want) {
			t.Errorf("%s: Count %d, want %d", tt.name, m.Count(), len(tt.want))
		}
	}
}

func TestSetInvalid(t *testing.T) {
	f := New().Of("ino")
	a := &owner{"a"}
	for _, l := range []Lock{{Type: 3, Owner: a}, {Type: -1, Owner: a}, lk(W, -1, 5, a), lk(W, 5, 4, a)} {
		if err := f.Set(l, nil); err != abi.EINVAL {
			t.Errorf("%+v: %v, want EINVAL", l, err)
		}
	}
}

func TestConflicts(t *testing.T) {
	a, b := &owner{"a"}, &owner{"b"}
	tests := []struct {
		held, req int16
		ok        bool
	}{{R, R, true}, {R, W, false}, {W, R, false}, {W, W, false}}
	for _, tt := range tests {
		m := New()
		f := m.Of("ino")
		must(t, f.Set(Lock{Type: tt.held, Start: 10, End: 19, Owner: a, Pid: 100}, nil))
		req := lk(tt.req, 15, 30, b)
		got, conflict := f.Test(req)
		err := f.Set(req, nil)
		if tt.ok {
			if err != nil || conflict {
				t.Errorf("held %d req %d: Set %v, Test %v %+v", tt.held, tt.req, err, conflict, got)
			}
			continue
		}
		if err != abi.EAGAIN {
			t.Errorf("held %d req %d: Set %v, want EAGAIN", tt.held, tt.req, err)
		}
		want := Lock{Type: tt.held, Start: 10, End: 19, Owner: a, Pid: 100}
		if !conflict || got != want {
			t.Errorf("held %d req %d: Test %v %+v, want %+v", tt.held, tt.req, conflict, got, want)
		}
		// Outside the range, and for the owner itself, nothing conflicts.
		if _, c := f.Test(lk(W, 20, 30, b)); c {
			t.Error("conflict outside the range")
		}
		if _, c := f.Test(lk(W, 0, MaxOffset, a)); c {
			t.Error("owner conflicts with itself")
		}
		if n := len(snapshot(f)); n != 1 {
			t.Errorf("failed Set changed the list: %d locks", n)
		}
	}
}

func TestTestFirstConflict(t *testing.T) {
	a, b, c := &owner{"a"}, &owner{"b"}, &owner{"c"}
	f := New().Of("ino")
	must(t, f.Set(Lock{Type: R, Start: 0, End: 9, Owner: a, Pid: 1}, nil))
	must(t, f.Set(Lock{Type: R, Start: 5, End: 14, Owner: b, Pid: 2}, nil))
	got, ok := f.Test(lk(W, 12, 20, c))
	if !ok || got.Owner != b || got.Pid != 2 || got.Start != 5 || got.End != 14 || got.Len() != 10 {
		t.Errorf("got %v %+v", ok, got)
	}
	got, ok = f.Test(lk(W, 0, MaxOffset, c))
	if !ok || got.Owner != a {
		t.Errorf("got %v %+v, want a's", ok, got)
	}
	if _, ok := f.Test(lk(R, 0, MaxOffset, c)); ok {
		t.Error("read conflicts with reads")
	}
	if _, ok := f.Test(lk(U, 0, MaxOffset, c)); ok {
		t.Error("F_UNLCK request found a conflict")
	}
}

// One process: its descriptor table owns the POSIX locks, each open file
// description its OFD locks, so they conflict with each other.
func TestOFDvsPOSIX(t *testing.T) {
	table := &owner{"files_struct"}
	ofd1, ofd2 := &owner{"file1"}, &owner{"file2"}
	m := New()
	f := m.Of("ino")
	must(t, f.Set(Lock{Type: W, Start: 0, End: 9, Owner: table, Pid: 42}, nil))
	if err := f.Set(Lock{Type: W, Start: 5, End: 5, Owner: ofd1, OFD: true}, nil); err != abi.EAGAIN {
		t.Fatalf("OFD over POSIX: %v", err)
	}
	got, ok := f.Test(Lock{Type: R, Start: 0, End: 0, Owner: ofd1, OFD: true})
	if !ok || got.Pid != 42 || got.OFD {
		t.Fatalf("OFD test: %v %+v", ok, got)
	}
	must(t, f.Set(Lock{Type: W, Start: 10, End: 19, Owner: ofd1, OFD: true, Pid: 42}, nil))
	got, ok = f.Test(lk(W, 15, 15, table))
	if !ok || got.Pid != -1 || !got.OFD || got.Owner != ofd1 {
		t.Fatalf("POSIX test of OFD lock: %v %+v", ok, got)
	}
	// Two descriptions of one process conflict too.
	if err := f.Set(Lock{Type: R, Start: 19, End: 30, Owner: ofd2, OFD: true}, nil); err != abi.EAGAIN {
		t.Fatalf("OFD vs OFD: %v", err)
	}
	// Closing a descriptor drops the table's locks, not the description's.
	f.RemoveOwner(table)
	if got := ranges(snapshot(f)); !slices.Equal(got, []rng{{W, 10, 19}}) {
		t.Fatalf("after RemoveOwner: %v", got)
	}
	f.RemoveFile(ofd1)
	if m.Count() != 0 || len(snapshot(f)) != 0 {
		t.Fatalf("after RemoveFile: %d", m.Count())
	}
}

func TestSetLKWWoken(t *testing.T) {
	a, b := &owner{"a"}, &owner{"b"}
	m := New()
	f := m.Of("ino")
	must(t, f.Set(lk(W, 0, 99, a), nil))
	done := async(func() error { return f.Set(lk(R, 50, 59, b), newWaiter()) })
	waitFor(t, f, 1)
	// A change that leaves the conflict wakes the waiter, which sleeps again.
	must(t, f.Set(lk(U, 0, 9, a), nil))
	expectBlocked(t, done)
	must(t, f.Set(lk(U, 40, 69, a), nil))
	expectDone(t, done, nil)
	want := []rng{{W, 10, 39}, {W, 70, 99}, {R, 50, 59}}
	if got := ranges(snapshot(f)); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestSetLKWWokenByClose(t *testing.T) {
	a, b := &owner{"a"}, &owner{"b"}
	m := New()
	f := m.Of("ino")
	must(t, f.Set(lk(R, 0, MaxOffset, a), nil))
	done := async(func() error {
		return m.Of("ino").Set(Lock{Type: W, Start: 0, End: 0, Owner: b, OFD: true}, newWaiter())
	})
	waitFor(t, f, 1)
	m.Lookup("ino").RemoveOwner(a)
	expectDone(t, done, nil)
	m.Of("ino").RemoveFile(b)
	if m.Count() != 0 || m.Lookup("ino") != nil {
		t.Fatalf("left %d locks, file %v", m.Count(), m.Lookup("ino"))
	}
}

func TestSetLKWInterrupted(t *testing.T) {
	a, b := &owner{"a"}, &owner{"b"}
	for _, dying := range []bool{false, true} {
		m := New()
		f := m.Of("ino")
		must(t, f.Set(lk(W, 0, 9, a), nil))
		w := newWaiter()
		done := async(func() error { return f.Set(lk(W, 5, 5, b), w) })
		waitFor(t, f, 1)
		if dying {
			w.die()
		} else {
			w.interrupt()
		}
		expectDone(t, done, abi.EINTR)
		if waiters(f) != 0 || len(m.waiting) != 0 {
			t.Fatalf("waiter left behind: %d, graph %v", waiters(f), m.waiting)
		}
		// Level-triggered: a signal already pending ends the wait at once.
		if err := f.Set(lk(W, 5, 5, b), w); err != abi.EINTR {
			t.Fatalf("pending signal: %v", err)
		}
		// No conflict: the signal does not matter.
		must(t, f.Set(lk(W, 10, 10, b), w))
		f.RemoveOwner(a)
		f.RemoveOwner(b)
		if m.Count() != 0 || len(m.files) != 0 {
			t.Fatalf("left %d locks, %d files", m.Count(), len(m.files))
		}
	}
}

func TestDeadlockTwoFiles(t *testing.T) {
	a, b := &owner{"a"}, &owner{"b"}
	m := New()
	f1, f2 := m.Of("ino1"), m.Of("ino2")
	must(t, f1.Set(lk(W, 0, 9, a), nil))
	must(t, f2.Set(lk(W, 0, 9, b), nil))
	done := async(func() error { return f2.Set(lk(W, 0, 0, a), newWaiter()) })
	waitFor(t, f2, 1)
	if err := f1.Set(lk(R, 5, 5, b), newWaiter()); err != abi.EDEADLK {
		t.Fatalf("got %v, want EDEADLK", err)
	}
	// Without waiting there is no detection, just EAGAIN.
	if err := f1.Set(lk(R, 5, 5, b), nil); err != abi.EAGAIN {
		t.Fatalf("got %v, want EAGAIN", err)
	}
	// b waiting on a range a does not hold is fine.
	must(t, f1.Set(lk(R, 10, 10, b), newWaiter()))
	f2.RemoveOwner(b)
	expectDone(t, done, nil)
	f1.RemoveOwner(a)
	f1.RemoveOwner(b)
	f2.RemoveOwner(a)
	if m.Count() != 0 || len(m.files) != 0 || len(m.waiting) != 0 {
		t.Fatalf("left %d locks, %d files, graph %v", m.Count(), len(m.files), m.waiting)
	}
}

func TestDeadlockThreeOwners(t *testing.T) {
	a, b, c := &owner{"a"}, &owner{"b"}, &owner{"c"}
	m := New()
	f := m.Of("ino")
	must(t, f.Set(lk(W, 0, 0, a), nil))
	must(t, f.Set(lk(W, 1, 1, b), nil))
	must(t, f.Set(lk(W, 2, 2, c), nil))
	wa, wb := newWaiter(), newWaiter()
	da := async(func() error { return f.Set(lk(W, 1, 1, a), wa) }) // a waits on b
	waitFor(t, f, 1)
	db := async(func() error { return f.Set(lk(W, 2, 2, b), wb) }) // b waits on c
	waitFor(t, f, 2)
	if err := f.Set(lk(W, 0, 0, c), newWaiter()); err != abi.EDEADLK { // c on a: cycle
		t.Fatalf("got %v, want EDEADLK", err)
	}
	wa.interrupt()
	expectDone(t, da, abi.EINTR)
	// With a gone from the chain, c may wait on a.
	dc := async(func() error { return f.Set(lk(W, 0, 0, c), newWaiter()) })
	waitFor(t, f, 2)
	f.RemoveOwner(a)
	expectDone(t, dc, nil)
	wb.interrupt()
	expectDone(t, db, abi.EINTR)
	f.RemoveOwner(b)
	f.RemoveOwner(c)
	if m.Count() != 0 || len(m.waiting) != 0 {
		t.Fatalf("left %d locks, graph %v", m.Count(), m.waiting)
	}
}

// OFD requests are not checked for deadlock, as on Linux: they sleep
// until interrupted.
func TestDeadlockOFDNotDetected(t *testing.T) {
	d1, d2 := &owner{"file1"}, &owner{"file2"}
	m := New()
	f1, f2 := m.Of("ino1"), m.Of("ino2")
	ofd := func(t int16, s, e int64, o any) Lock { return Lock{Type: t, Start: s, End: e, Owner: o, OFD: true} }
	must(t, f1.Set(ofd(W, 0, 9, d1), nil))
	must(t, f2.Set(ofd(W, 0, 9, d2), nil))
	w1, w2 := newWaiter(), newWaiter()
	done1 := async(func() error { return f2.Set(ofd(W, 0, 0, d1), w1) })
	waitFor(t, f2, 1)
	done2 := async(func() error { return f1.Set(ofd(W, 0, 0, d2), w2) })
	expectBlocked(t, done2)
	w2.interrupt()
	expectDone(t, done2, abi.EINTR)
	f2.RemoveFile(d2)
	expectDone(t, done1, nil)
	f1.RemoveFile(d1)
	f2.RemoveFile(d1)
	if m.Count() != 0 || len(m.files) != 0 {
		t.Fatalf("left %d locks, %d files", m.Count(), len(m.files))
	}
}

// A caller may keep a File the Manager dropped; it must act on the live
// state, not a second copy.
func TestStaleFile(t *testing.T) {
	a, b := &owner{"a"}, &owner{"b"}
	m := New()
	stale := m.Of("ino")
	must(t, stale.Set(lk(W, 0, 9, a), nil))
	stale.RemoveOwner(a)
	if len(m.files) != 0 {
		t.Fatal("empty file kept")
	}
	must(t, stale.Set(lk(W, 0, 9, a), nil))
	live := m.Of("ino")
	if live == stale {
		t.Fatal("dropped File came back")
	}
	if err := live.Set(lk(W, 5, 5, b), nil); err != abi.EAGAIN {
		t.Fatalf("live copy missed the stale File's lock: %v", err)
	}
	if _, ok := stale.Test(lk(R, 0, 0, b)); !ok {
		t.Fatal("stale File missed the lock")
	}
	m.Lookup("ino").RemoveOwner(a)
	if m.Count() != 0 || m.Lookup("ino") != nil {
		t.Fatal("leak")
	}
	var nilFile *File
	nilFile.RemoveOwner(a)
	nilFile.RemoveFile(a)
}
