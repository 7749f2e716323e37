package libstarry

import (
	"time"

	"github.com/starry-go/starry/personality/linux/abi"
)

// Sleep waits for d (nanosleep): it returns the time left and EINTR if
// a signal or exit cut it short.
func (t *Thread) Sleep(d time.Duration) (time.Duration, error) {
	if d <= 0 {
		return 0, nil
	}
	start := time.Now()
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return 0, nil
	case <-t.P.dying:
	case <-t.wake:
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
	case <-t.wake:
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
	t.sigmask = mask &^ unblockable
	select {
	case <-t.P.dying:
	case <-t.wake:
	}
	return abi.EINTR
}
