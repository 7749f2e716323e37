package libstarry

import "encoding/binary"

// Robust futexes (kernel/futex/core.c, exit_robust_list): a thread names
// the list of locks it holds with set_robust_list; when it dies, the
// kernel marks each one it still owns FUTEX_OWNER_DIED and wakes a
// waiter, so the next locker learns (EOWNERDEAD) instead of hanging.

// robustListLimit bounds the walk, as ROBUST_LIST_LIMIT does, so a
// corrupt or circular list cannot keep an exiting thread busy.
const robustListLimit = 2048

// exitFutexes runs as a thread exits (futex_exit_release): its robust
// list is walked, then PI locks it still owns go to their waiters.
func (t *Thread) exitFutexes() {
	t.exitRobustList()
	t.P.futexes().exitPI(t)
}

// exitRobustList walks struct robust_list_head {next, futex_offset,
// list_op_pending}; bit 0 of an entry pointer marks a PI futex. The entry
// being taken or released when the thread died (list_op_pending) is
// handled last. Faults end the walk quietly, as in Linux.
func (t *Thread) exitRobustList() {
	head, m := t.Robust, t.P.MM
	if head == 0 {
		return
	}
	le := binary.LittleEndian
	var b [24]byte
	if m.CopyIn(head, b[:]) != nil {
		return
	}
	entry, off, pending := le.Uint64(b[0:]), int64(le.Uint64(b[8:])), le.Uint64(b[16:])
	for n := 0; entry&^1 != uint64(head) && n < robustListLimit; n++ {
		var nb [8]byte
		if m.CopyIn(uintptr(entry&^1), nb[:]) != nil {
			return
		}
		if entry&^1 != pending&^1 {
			t.futexDeath(uintptr(int64(entry&^1)+off), entry&1 != 0, false)
		}
		entry = le.Uint64(nb[:])
	}
	if pending&^1 != 0 {
		t.futexDeath(uintptr(int64(pending&^1)+off), pending&1 != 0, true)
	}
}

// futexDeath is handle_futex_death for the word at va: if t owns it, it
// becomes FUTEX_OWNER_DIED (keeping FUTEX_WAITERS) and one waiter wakes;
// a PI lock goes straight to its first waiter. A lock released but not
// yet woken when t died (pendingOp, word 0) still gets its wake.
func (t *Thread) futexDeath(va uintptr, pi, pendingOp bool) {
	p, f := t.P, t.P.futexes()
	key, err := p.FutexKey(va, false)
	if err != nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for tries := 0; tries < 64; tries++ {
		cur, err := p.MM.Load32(va)
		switch {
		case err != nil:
			return
		case pendingOp && !pi && cur == 0:
			_, _ = f.wake(key, 1, FutexBitsetAll)
			return
		case cur&FutexTIDMask != uint32(t.tid):
			return
		case pi:
			if ok, err := f.handOver(p, key, va, cur, FutexOwnerDied|cur&FutexWaiters); ok || err != nil {
				return
			}
			continue
		}
		next := cur&FutexWaiters | FutexOwnerDied
		if got, err := p.MM.CompareAndSwap32(va, cur, next); err != nil {
			return
		} else if got == cur {
			if cur&FutexWaiters != 0 {
				_, _ = f.wake(key, 1, FutexBitsetAll)
			}
			return
		}
	}
}

// exitPI passes on the PI locks of t's process that t still owns and
// others wait for, with FUTEX_OWNER_DIED (exit_pi_state_list). Locks in
// memory shared with other processes are found only through the robust
// list.
func (f *futexTable) exitPI(t *Thread) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for key, q := range f.q {
		if key.mm != t.P.MM || !hasPIWaiter(q) {
			continue
		}
		for tries := 0; tries < 64; tries++ {
			cur, err := t.P.MM.Load32(key.addr)
			if err != nil || cur&FutexTIDMask != uint32(t.tid) {
				break
			}
			if ok, err := f.handOver(t.P, key, key.addr, cur, FutexOwnerDied); ok || err != nil {
				break
			}
		}
	}
}

func hasPIWaiter(q []*futexWaiter) bool {
	for _, w := range q {
		if w.pi {
			return true
		}
	}
	return false
}
