package libstarry

import (
	"time"

	"github.com/starry-go/starry/personality/linux/abi"
)

// Priority-inheritance futexes (kernel/futex/pi.c): the word holds the
// owner's TID, with FUTEX_WAITERS set while someone sleeps on it, and
// the kernel hands ownership straight to the next waiter on unlock.
// There are no thread priorities here to inherit, so the protocol is kept
// and the boosting is not: the order is first come, first served.

// Bits of a PI (and robust) futex word (include/uapi/linux/futex.h).
const (
	FutexWaiters   = 0x80000000
	FutexOwnerDied = 0x40000000
	FutexTIDMask   = 0x3fffffff
)

// FutexLockPI takes the PI lock at va for t (futex_lock_pi): at once if
// the word has no owner (keeping FUTEX_OWNER_DIED, which tells the new
// owner its predecessor died holding it), else it sets FUTEX_WAITERS and
// sleeps until an unlock hands the lock over. try makes it
// FUTEX_TRYLOCK_PI (EAGAIN instead of sleeping). EDEADLK if t owns it,
// ESRCH if the owner named in the word does not exist.
func (t *Thread) FutexLockPI(key FutexKey, va uintptr, timeout time.Duration, try bool) error {
	p, f := t.P, t.P.futexes()
	tid := uint32(t.tid)
	for {
		f.mu.Lock()
		cur, err := p.MM.Load32(va)
		if err != nil {
			f.mu.Unlock()
			return err
		}
		owner := cur & FutexTIDMask
		var next uint32
		switch {
		case owner == 0:
			next = tid | cur&FutexOwnerDied
			if len(f.q[key]) > 0 {
				next |= FutexWaiters
			}
		case owner == tid:
			f.mu.Unlock()
			return abi.EDEADLK
		case try:
			f.mu.Unlock()
			return abi.EAGAIN
		case p.k.Thread(int(owner)) == nil:
			f.mu.Unlock()
			return abi.ESRCH
		default:
			next = cur | FutexWaiters
		}
		if got, err := p.MM.CompareAndSwap32(va, cur, next); err != nil || got != cur {
			f.mu.Unlock()
			if err != nil {
				return err
			}
			continue // the program changed the word: look again
		}
		if owner == 0 {
			f.mu.Unlock()
			return nil
		}
		w := f.enqueue(key, t.tid, FutexBitsetAll, true)
		f.mu.Unlock()
		woken, err := f.sleep(t, w, timeout)
		switch {
		case woken:
			return nil // the unlocker wrote our TID into the word
		case err == abi.EINTR && !p.isExiting():
			return ErrRestartNoIntr
		}
		return err
	}
}

// FutexUnlockPI releases the PI lock at va, which t must own (EPERM
// otherwise): the first waiter becomes the owner, with FUTEX_WAITERS set
// as Linux's wake_futex_pi does, or the word becomes 0.
func (t *Thread) FutexUnlockPI(key FutexKey, va uintptr) error {
	p, f := t.P, t.P.futexes()
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		cur, err := p.MM.Load32(va)
		if err != nil {
			return err
		}
		if cur&FutexTIDMask != uint32(t.tid) {
			return abi.EPERM
		}
		if ok, err := f.handOver(p, key, va, cur, 0); ok || err != nil {
			return err
		}
	}
}

// handOver gives the PI lock at va, which holds cur, to the first PI
// waiter on key (adding extra to the word), or clears the word to extra
// when none waits. It reports false if the word changed under it; f.mu
// is held.
func (f *futexTable) handOver(p *Process, key FutexKey, va uintptr, cur, extra uint32) (bool, error) {
	q := f.q[key]
	var next *futexWaiter
	for _, w := range q {
		if w.pi {
			next = w
			break
		}
	}
	val := extra
	if next != nil {
		val |= uint32(next.tid) | FutexWaiters
	}
	if got, err := p.MM.CompareAndSwap32(va, cur, val); err != nil || got != cur {
		return false, err
	}
	if next != nil {
		f.remove(next)
		wakeWaiter(next)
	}
	return true, nil
}
