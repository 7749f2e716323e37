package libstarry

import (
	"time"

	"github.com/starry-go/starry/personality/linux/abi"
)

// Sleep waits for d (nanosleep): it returns the time left and EINTR if
// a signal or exit cut it short.
func (p *Process) Sleep(d time.Duration) (time.Duration, error) {
	if d <= 0 {
		return 0, nil
	}
	start := time.Now()
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return 0, nil
	case <-p.dying:
	case <-p.Interrupted():
	}
	return max(0, d-time.Since(start)), abi.EINTR
}

// Pause waits until a signal becomes pending or the process exits
// (sys_pause): it always ends with EINTR.
func (p *Process) Pause() error {
	select {
	case <-p.dying:
	case <-p.Interrupted():
	}
	return abi.EINTR
}
