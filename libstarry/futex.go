package libstarry

import (
	"encoding/binary"
	"sync"
	"time"

	"github.com/starry-go/starry/personality/linux/abi"
)

// futexTable holds the process's futex waiters by user address (private
// futexes: one address space, so the address is the key, as in Linux's
// get_futex_key for FUTEX_PRIVATE_FLAG).
type futexTable struct {
	mu      sync.Mutex
	waiters map[uintptr][]chan struct{}
}

func (f *futexTable) init() { f.waiters = map[uintptr][]chan struct{}{} }

// FutexWait sleeps while *addr == val (futex_wait): EAGAIN if the value
// differs, ETIMEDOUT after timeout (<0: none), EINTR on a signal or exit.
// The value check and the enqueue happen under the table lock, which
// FutexWake takes too, so a wake between them cannot be lost.
func (p *Process) FutexWait(addr uintptr, val uint32, timeout time.Duration) error {
	if addr%4 != 0 {
		return abi.EINVAL
	}
	f := &p.futex
	f.mu.Lock()
	var b [4]byte
	if err := p.MM.CopyIn(addr, b[:]); err != nil {
		f.mu.Unlock()
		return err
	}
	if binary.LittleEndian.Uint32(b[:]) != val {
		f.mu.Unlock()
		return abi.EAGAIN
	}
	ch := make(chan struct{})
	f.waiters[addr] = append(f.waiters[addr], ch)
	f.mu.Unlock()
	var expire <-chan time.Time
	if timeout >= 0 {
		tm := time.NewTimer(timeout)
		defer tm.Stop()
		expire = tm.C
	}
	var err error
	select {
	case <-ch:
		return nil
	case <-expire:
		err = abi.ETIMEDOUT
	case <-p.dying:
		err = abi.EINTR
	case <-p.Interrupted():
		err = abi.EINTR
	}
	f.remove(addr, ch)
	return err
}

// remove drops a waiter that gave up; a wake that raced in wins.
func (f *futexTable) remove(addr uintptr, ch chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.waiters[addr]
	for i, c := range q {
		if c == ch {
			f.waiters[addr] = append(q[:i:i], q[i+1:]...)
			break
		}
	}
	if len(f.waiters[addr]) == 0 {
		delete(f.waiters, addr)
	}
}

// FutexWake wakes up to n waiters on addr and says how many (futex_wake).
func (p *Process) FutexWake(addr uintptr, n int) int {
	f := &p.futex
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.waiters[addr]
	woken := min(n, len(q))
	for _, ch := range q[:woken] {
		close(ch)
	}
	if woken == len(q) {
		delete(f.waiters, addr)
	} else {
		f.waiters[addr] = q[woken:]
	}
	return woken
}

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
