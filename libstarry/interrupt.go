package libstarry

import (
	"sync"
	"sync/atomic"
)

// interrupt is a thread's TIF_SIGPENDING as a channel: closed while the
// thread has something to look at (a signal it does not block, a stop,
// a sibling's exec), so every blocking call can select on it. It is
// level-triggered, not a token: setMask opens it again once
// nothing is left, so a wake-up that was already dealt with cannot cut
// a later sleep short (a stale token made a blocking pipe read fail
// with EINTR long after the signal's handler had run).
type interrupt struct {
	mu     sync.Mutex
	ch     chan struct{}
	raised atomic.Bool // written under mu; read without it by up()
}

// up reports whether the interrupt is raised, without locking: the
// return to user mode asks this on every trap.
func (i *interrupt) up() bool { return i.raised.Load() }

// C is the channel to select on; it is closed while raised.
func (i *interrupt) C() <-chan struct{} {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.ch == nil {
		i.ch = make(chan struct{})
	}
	return i.ch
}

func (i *interrupt) raise() {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.ch == nil {
		i.ch = make(chan struct{})
	}
	if !i.raised.Load() {
		close(i.ch)
		i.raised.Store(true)
	}
}

func (i *interrupt) clear() {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.raised.Load() {
		i.ch = make(chan struct{})
		i.raised.Store(false)
	}
}

// poke wakes the thread from a blocking call to look at its signals.
func (t *Thread) poke() { t.intr.raise() }

// setMask replaces the blocked set and recalculates the interrupt
// (set_current_blocked, recalc_sigpending; SIGKILL and SIGSTOP are never
// blocked): it stays raised only if a signal the thread does not block
// is pending, or the thread must go. Only the thread writes its mask, so
// it reads it freely; senders read it under Process.mu, which the write
// takes. Clearing before the check means a signal sent meanwhile raises
// it again: senders queue under Process.mu first and poke after.
func (t *Thread) setMask(mask uint64) {
	t.intr.clear()
	p := t.P
	p.mu.Lock()
	t.sigmask = mask &^ unblockable
	pending := (t.pending.set|p.shared.set)&^t.sigmask != 0 || t.zapped.Load() || p.exiting
	p.mu.Unlock()
	if pending {
		t.intr.raise()
	}
}

// recalcPending recalculates the interrupt after signals were taken.
func (t *Thread) recalcPending() { t.setMask(t.sigmask) }
