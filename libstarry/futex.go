package libstarry

import (
	"sync"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Futexes (kernel/futex/): wait queues keyed by the futex word, kept in
// the Kernel because shared memory lets processes share a futex. Every
// operation that compares or changes a word does so holding the table
// lock, and every waiter is queued under it, so no wake can slip between
// a waiter's check of the value and its sleep.

// FutexBitsetAll is FUTEX_BITSET_MATCH_ANY: what plain WAIT and WAKE use.
const FutexBitsetAll = 0xffffffff

// FutexKey names a futex word as get_futex_key does: private memory by
// address space and address, shared memory by frame and offset, so that
// every process mapping the memory finds the same queue.
type FutexKey struct {
	mm    *mm.MM
	frame exo.Frame
	addr  uintptr
}

// futexWaiter is one sleeping thread (struct futex_q).
type futexWaiter struct {
	key    FutexKey
	bitset uint32
	tid    int
	pi     bool          // waiting to own a PI lock (FUTEX_LOCK_PI)
	woken  chan struct{} // closed by whoever wakes it
	done   bool          // woken, or (pi) handed the lock; table lock held
}

// futexTable holds every sleeping waiter by key, in arrival order.
type futexTable struct {
	mu sync.Mutex
	q  map[FutexKey][]*futexWaiter
}

// FutexKey finds the key of the word at va: private (FUTEX_PRIVATE_FLAG)
// keys need no lookup; shared ones need the page, EFAULT if it is not
// there, and name its frame only if the region is MAP_SHARED.
func (p *Process) FutexKey(va uintptr, private bool) (FutexKey, error) {
	if va%4 != 0 {
		return FutexKey{}, abi.EINVAL
	}
	if private {
		return FutexKey{mm: p.MM, addr: va}, nil
	}
	f, shared, err := p.MM.SharedFrame(va)
	switch {
	case err != nil:
		return FutexKey{}, err
	case !shared:
		return FutexKey{mm: p.MM, addr: va}, nil
	}
	return FutexKey{frame: f, addr: va % exo.PageSize}, nil
}

func (p *Process) futexes() *futexTable { return &p.cfg.Kernel.futex }

// FutexWait sleeps on key while the word at va holds val (futex_wait):
// EAGAIN if it differs, ETIMEDOUT after timeout (<0: none), EINTR when a
// signal or the process's exit ends the wait. bitset (not 0) selects
// which FutexWake calls may wake it.
func (t *Thread) FutexWait(key FutexKey, va uintptr, val, bitset uint32, timeout time.Duration) error {
	if bitset == 0 {
		return abi.EINVAL
	}
	f := t.P.futexes()
	f.mu.Lock()
	cur, err := t.P.MM.Load32(va)
	if err != nil || cur != val {
		f.mu.Unlock()
		if err != nil {
			return err
		}
		return abi.EAGAIN
	}
	w := f.enqueue(key, t.tid, bitset, false)
	f.mu.Unlock()
	_, err = f.sleep(t, w, timeout)
	if timeout < 0 {
		return intr(err, ErrRestartSys) // an untimed wait restarts as Linux's does
	}
	return err
}

// enqueue adds a waiter at the back of its queue; f.mu is held.
func (f *futexTable) enqueue(key FutexKey, tid int, bitset uint32, pi bool) *futexWaiter {
	w := &futexWaiter{key: key, bitset: bitset, tid: tid, pi: pi, woken: make(chan struct{})}
	f.q[key] = append(f.q[key], w)
	return w
}

// sleep waits for w to be woken, the timeout, the process's exit or a
// signal; a wake racing with the others wins (woken is then true).
func (f *futexTable) sleep(t *Thread, w *futexWaiter, timeout time.Duration) (woken bool, err error) {
	var expire <-chan struct{}
	if timeout >= 0 {
		tm := exo.NewTimer(timeout)
		defer tm.Stop()
		expire = tm.C
	}
	select {
	case <-w.woken:
		return true, nil
	case <-expire:
		err = abi.ETIMEDOUT
	case <-t.P.dying:
		err = abi.EINTR
	case <-t.Interrupted():
		err = abi.EINTR
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if w.done {
		return true, nil
	}
	f.remove(w)
	return false, err
}

// remove takes w off its queue; f.mu is held.
func (f *futexTable) remove(w *futexWaiter) {
	q := f.q[w.key]
	for i, x := range q {
		if x == w {
			q = append(q[:i:i], q[i+1:]...)
			break
		}
	}
	f.setQueue(w.key, q)
}

func (f *futexTable) setQueue(key FutexKey, q []*futexWaiter) {
	if len(q) == 0 {
		delete(f.q, key)
	} else {
		f.q[key] = q
	}
}

// wakeWaiter ends one waiter's sleep; f.mu is held.
func wakeWaiter(w *futexWaiter) {
	w.done = true
	close(w.woken)
}

// FutexWake wakes waiters on key whose bitset meets bitset and says how
// many (futex_wake). Like Linux it wakes at least one when there is one,
// even for n <= 0, and answers EINVAL if it meets a PI waiter.
func (p *Process) FutexWake(key FutexKey, n int, bitset uint32) (int, error) {
	if bitset == 0 {
		return 0, abi.EINVAL
	}
	f := p.futexes()
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.wake(key, n, bitset)
}

// wake is FutexWake with f.mu held.
func (f *futexTable) wake(key FutexKey, n int, bitset uint32) (int, error) {
	q := f.q[key]
	var rest []*futexWaiter
	woken := 0
	for i, w := range q {
		if w.bitset&bitset == 0 {
			rest = append(rest, w)
			continue
		}
		if w.pi {
			f.setQueue(key, append(rest, q[i:]...))
			return woken, abi.EINVAL
		}
		wakeWaiter(w)
		if woken++; woken >= n {
			rest = append(rest, q[i+1:]...)
			break
		}
	}
	f.setQueue(key, rest)
	return woken, nil
}

// FutexRequeue wakes up to nwake waiters on from and moves up to nmove
// of the rest to to (futex_requeue); with cmp set it first checks that
// the word at va still holds *cmp (FUTEX_CMP_REQUEUE), else EAGAIN. It
// answers how many it woke and moved. Bitsets play no part, as in Linux.
func (p *Process) FutexRequeue(from, to FutexKey, va uintptr, nwake, nmove int, cmp *uint32) (int, error) {
	if nwake < 0 || nmove < 0 {
		return 0, abi.EINVAL
	}
	f := p.futexes()
	f.mu.Lock()
	defer f.mu.Unlock()
	if cmp != nil {
		cur, err := p.MM.Load32(va)
		if err != nil {
			return 0, err
		}
		if cur != *cmp {
			return 0, abi.EAGAIN
		}
	}
	q := f.q[from]
	n := 0 // the first n waiters are woken (nwake of them) or moved
	for _, w := range q {
		if n-nwake >= nmove {
			break
		}
		if w.pi {
			return 0, abi.EINVAL
		}
		n++
	}
	for _, w := range q[:min(n, nwake)] {
		wakeWaiter(w)
	}
	moved := q[min(n, nwake):n]
	f.setQueue(from, append([]*futexWaiter(nil), q[n:]...))
	for _, w := range moved {
		w.key = to
		f.q[to] = append(f.q[to], w)
	}
	return n, nil
}
