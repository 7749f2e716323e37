package libstarry

import (
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Sleep waits for d (nanosleep): it returns the time left and EINTR if
// a signal or exit cut it short.
func (t *Thread) Sleep(d time.Duration) (time.Duration, error) {
	if d <= 0 {
		return 0, nil
	}
	start := time.Now()
	tm := exo.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.Soon(): // on time, however slow the wakeup (exo.Timer.Soon)
		tm.Settle()
		return 0, nil
	case <-t.P.dying:
	case <-t.Interrupted():
	}
	return max(0, d-time.Since(start)), abi.EINTR
}

// Pause waits until a signal needs the thread or the process exits
// (sys_pause): it ends with EINTR once a handler has run, and goes on
// waiting after a signal that runs none (ERESTARTNOHAND).
func (t *Thread) Pause() error {
	select {
	case <-t.P.dying:
		return abi.EINTR
	case <-t.Interrupted():
		return ErrRestartNoHand
	}
}

// SigSuspend waits with mask as the blocked set until a signal needs the
// thread (rt_sigsuspend). The old mask comes back once a handler has run
// (it goes in the handler's frame) or, when none runs, at once; the call
// always ends in EINTR.
func (t *Thread) SigSuspend(mask uint64) error {
	old := t.sigmask
	t.saved = &old
	t.setMask(mask) // a signal only the new mask lets through ends it at once
	select {
	case <-t.P.dying:
	case <-t.Interrupted():
	}
	return abi.EINTR
}

// SetCallMask replaces the signal mask for the rest of a system call
// (set_user_sigmask: ppoll, pselect6, epoll_pwait). EndCallMask is
// restore_saved_sigmask_unless: a call that was interrupted leaves the
// old mask for the handler's frame to keep (or for the return to user
// mode to restore when no handler runs); any other end restores it now,
// so a signal only the call's mask let through stays pending.
func (t *Thread) SetCallMask(mask uint64) {
	old := t.sigmask
	t.saved = &old
	t.setMask(mask)
}

// EndCallMask ends what SetCallMask began.
func (t *Thread) EndCallMask(interrupted bool) {
	if !interrupted {
		t.restoreMask()
	}
}
