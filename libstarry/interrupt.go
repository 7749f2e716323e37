package libstarry

import "sync"

// interrupt is a thread's TIF_SIGPENDING as a channel: closed while the
// thread has something to look at (a signal it does not block, a stop,
// a sibling's exec), so every blocking call can select on it. It is
// level-triggered, not a token: recalcPending opens it again once
// nothing is left, so a wake-up that was already dealt with cannot cut
// a later sleep short (a stale token made a blocking pipe read fail
// with EINTR long after the signal's handler had run).
type interrupt struct {
	mu     sync.Mutex
	ch     chan struct{}
	raised bool
}

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
	if !i.raised {
		close(i.ch)
		i.raised = true
	}
}

func (i *interrupt) clear() {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.raised {
		i.ch, i.raised = make(chan struct{}), false
	}
}

// poke wakes the thread from a blocking call to look at its signals.
func (t *Thread) poke() { t.intr.raise() }

// recalcPending is recalc_sigpending: after the thread's signals or mask
// changed, its interrupt stays raised only if a signal it does not block
// is pending, or it must go. Clearing before the check means a signal
// sent meanwhile raises it again: senders queue under Process.mu first
// and poke after.
func (t *Thread) recalcPending() {
	t.intr.clear()
	p := t.P
	p.mu.Lock()
	pending := (t.pending.set|p.shared.set)&^t.sigmask != 0 || t.zapped || p.exiting
	p.mu.Unlock()
	if pending {
		t.intr.raise()
	}
}
