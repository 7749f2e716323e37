package libstarry

import (
	"encoding/binary"
	"sync"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TimerFD is a timerfd (fs/timerfd.c): a timer whose expiries are
// counted, read as an 8-byte count that the read resets. Readers wait
// while the count is zero; poll and epoll see it readable once it is
// not. A periodic timer is not restarted by its expiry but by the next
// read or timerfd_gettime, which add the intervals it missed to the
// count, as Linux does to keep a short period from costing anything
// while nobody reads. The clock is never set here, so
// TFD_TIMER_CANCEL_ON_SET is accepted and never cancels.
type TimerFD struct {
	clk timerClock

	mu       sync.Mutex
	running  bool // the timer is counting down to expires (hrtimer_active)
	expires  time.Duration
	interval time.Duration
	ticks    uint64
	expired  bool // it expired since it was last set or moved on
	gen      uint64
	tm       *exo.Timer
	closed   bool
	q        ipc.Queue
}

// NewTimerFD makes a timerfd on clockID (timerfd_create's clock check:
// REALTIME, MONOTONIC, BOOTTIME, and the alarm clocks, which need
// CAP_WAKE_ALARM and tick here as REALTIME and BOOTTIME do).
func (t *Thread) NewTimerFD(clockID int32) (*TimerFD, error) {
	f := &TimerFD{}
	switch clockID {
	case abi.CLOCK_REALTIME:
		f.clk = timerClock{kind: clockRealtime}
	case abi.CLOCK_MONOTONIC, abi.CLOCK_BOOTTIME:
		f.clk = timerClock{kind: clockMonotonic, boot: t.P.Boot()}
	case abi.CLOCK_REALTIME_ALARM, abi.CLOCK_BOOTTIME_ALARM:
		if !t.P.Cred().Capable(abi.CAP_WAKE_ALARM) {
			return nil, abi.EPERM
		}
		f.clk = timerClock{kind: clockMonotonic, boot: t.P.Boot()}
		if clockID == abi.CLOCK_REALTIME_ALARM {
			f.clk = timerClock{kind: clockRealtime}
		}
	default:
		return nil, abi.EINVAL
	}
	return f, nil
}

// Set is timerfd_settime: the old setting (a periodic timer that
// expired is moved on first), then the new one; the count starts again
// from zero. A zero value leaves it stopped, its interval kept.
func (f *TimerFD) Set(abs bool, v TimerSpec) TimerSpec {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopLocked()
	if f.expired && f.interval > 0 {
		f.expires, _ = forward(f.expires, f.interval, f.clk.now())
	}
	old := TimerSpec{Value: f.remainingLocked(), Interval: f.interval}
	f.expired, f.ticks = false, 0
	f.interval, f.expires = v.Interval, 0
	if v.Value > 0 {
		f.expires = v.Value
		if !abs {
			f.expires += f.clk.now()
		}
		f.startLocked()
	}
	return old
}

// Get is timerfd_gettime: an expired periodic timer is moved on (its
// missed expiries counted) and started again first.
func (f *TimerFD) Get() TimerSpec {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.expired && f.interval > 0 {
		f.expired = false
		f.ticks += f.moveOnLocked() - 1
		f.startLocked()
	}
	return TimerSpec{Value: f.remainingLocked(), Interval: f.interval}
}

// remainingLocked is timerfd_get_remaining: the time to the expiry, or
// 0 when it is past (or the timer was never set).
func (f *TimerFD) remainingLocked() time.Duration {
	if f.expires == 0 {
		return 0 // never set, or set to zero (hrtimer_setup clears the expiry)
	}
	return max(f.expires-f.clk.now(), 0)
}

// moveOnLocked forwards an expired periodic timer past now: how many
// intervals it moved, at least one.
func (f *TimerFD) moveOnLocked() uint64 {
	var n int64
	f.expires, n = forward(f.expires, f.interval, f.clk.now())
	if n == 0 {
		f.expires += f.interval
		n = 1
	}
	return uint64(n)
}

func (f *TimerFD) stopLocked() {
	f.gen++
	if f.tm != nil {
		f.tm.Stop()
		f.tm = nil
	}
	f.running = false
}

func (f *TimerFD) startLocked() {
	if f.closed {
		return
	}
	f.gen++
	gen := f.gen
	f.running = true
	f.tm = exo.AfterFunc(max(f.expires-f.clk.now(), 0), func() { f.fire(gen) })
}

// fire is timerfd_tmrproc: one more expiry, and readers woken.
func (f *TimerFD) fire(gen uint64) {
	f.mu.Lock()
	if gen != f.gen || !f.running {
		f.mu.Unlock()
		return
	}
	f.running, f.tm = false, nil
	f.expired = true
	f.ticks++
	f.mu.Unlock()
	f.q.Notify()
}

// Read takes the count (timerfd_read): EINVAL for less than 8 bytes,
// EAGAIN or a wait while it is zero.
func (f *TimerFD) Read(c fd.Ctx, b []byte) (int, error) {
	if len(b) < 8 {
		return 0, abi.EINVAL
	}
	for {
		ch := f.q.Wait()
		f.mu.Lock()
		if f.ticks > 0 {
			ticks := f.ticks
			if f.expired && f.interval > 0 {
				ticks += f.moveOnLocked() - 1
				f.startLocked()
			}
			f.expired, f.ticks = false, 0
			f.mu.Unlock()
			binary.LittleEndian.PutUint64(b, ticks)
			return 8, nil
		}
		f.mu.Unlock()
		if c.Nonblock {
			return 0, abi.EAGAIN
		}
		select {
		case <-ch:
		case <-c.W.Dying():
			return 0, abi.EINTR
		case <-c.W.Interrupted():
			return 0, abi.EINTR
		}
	}
}

// Write: a timerfd has no write (EINVAL before the buffer is looked at).
func (f *TimerFD) Write(fd.Ctx, []byte) (int, error) { return 0, abi.EINVAL }
func (f *TimerFD) Unwritable()                       {}

// Stat is an anonymous inode's.
func (f *TimerFD) Stat() fd.Stat { return fd.Stat{Mode: 0o600, Nlink: 1} }

// NoExec: a timerfd is an anonymous inode, on a noexec mount.
func (f *TimerFD) NoExec() {}

// Seek is noop_llseek.
func (f *TimerFD) Seek(int64, int) (int64, error) { return 0, nil }

func (f *TimerFD) Queue() *ipc.Queue { return &f.q }

func (f *TimerFD) Readiness() uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ticks > 0 {
		return abi.EPOLLIN
	}
	return 0
}

// Release stops the timer when the last descriptor closes.
func (f *TimerFD) Release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopLocked()
	f.closed = true
}
