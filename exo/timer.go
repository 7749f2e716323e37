package exo

import (
	"container/heap"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Timer is a one-shot timer as precise as the machine's timer interrupt.
// The Go runtime waits for its own timers in epoll_pwait, whose timeout
// is whole milliseconds, so a time.Timer of 5.3 ms wakes after 5, finds
// nothing due and waits a whole millisecond more. User programs measure
// their sleeps (nanosleep, poll and futex timeouts), so the library OS
// times them with these: one kernel thread waits for the earliest
// deadline of all in the machine's own timed wait (TimedWaiter: the
// shim's futex, whose timeout has nanoseconds), or, on a backend without
// one, in a time.Timer.
//
// TimedWaiter is that wait, which a Backend may provide: Wait blocks the
// calling thread until *word is no longer val, a Wake of word, or d has
// passed (d < 0: no limit); spurious returns are allowed.
type TimedWaiter interface {
	Wait(word *atomic.Uint32, val uint32, d time.Duration)
	Wake(word *atomic.Uint32)
}

// UseTimedWaiter makes the timers wait with w. New calls it for a
// backend that has one; it must come before the first timer.
func UseTimedWaiter(w TimedWaiter) {
	timers.mu.Lock()
	defer timers.mu.Unlock()
	if timers.waiter == nil {
		timers.waiter = w
	}
}

type Timer struct {
	// C is closed when the timer fires.
	C    <-chan struct{}
	c    chan struct{}
	fn   func() // AfterFunc's, run in its own goroutine when the timer fires
	when time.Time
	idx  int // in the heap; -1 once fired or stopped
}

// NewTimer starts a timer that fires after d.
func NewTimer(d time.Duration) *Timer { return newTimer(d, nil) }

func newTimer(d time.Duration, f func()) *Timer {
	c := make(chan struct{})
	t := &Timer{C: c, c: c, fn: f, when: time.Now().Add(d)}
	timers.add(t)
	return t
}

// AfterFunc calls f in its own goroutine after d, unless the timer is
// stopped first (time.AfterFunc, with this package's precision).
func AfterFunc(d time.Duration, f func()) *Timer { return newTimer(d, f) }

// Stop stops the timer; it reports whether that prevented it firing.
func (t *Timer) Stop() bool { return timers.remove(t) }

// timerService is the heap of pending timers and its waiting thread.
type timerService struct {
	once   sync.Once
	mu     sync.Mutex
	h      timerHeap
	waiter TimedWaiter
	word   atomic.Uint32 // bumped (and woken) when the earliest changes
}

var timers timerService

func (s *timerService) add(t *Timer) {
	s.once.Do(func() {
		s.mu.Lock()
		if s.waiter == nil {
			s.waiter = &chanWaiter{kick: make(chan struct{}, 1)}
		}
		s.mu.Unlock()
		go s.run()
	})
	s.mu.Lock()
	heap.Push(&s.h, t)
	first := s.h[0] == t
	s.mu.Unlock()
	if first {
		s.word.Add(1)
		s.waiter.Wake(&s.word)
	}
}

func (s *timerService) remove(t *Timer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.idx < 0 {
		return false
	}
	heap.Remove(&s.h, t.idx)
	return true
}

// run is the waiting thread: it fires what is due, then sleeps in the
// kernel until the next deadline or until an earlier one is added.
func (s *timerService) run() {
	runtime.LockOSThread() // its own M: the wait is a real blocking call
	for {
		v := s.word.Load()
		s.mu.Lock()
		now := time.Now()
		for len(s.h) > 0 && !s.h[0].when.After(now) {
			t := heap.Pop(&s.h).(*Timer)
			close(t.c)
			if t.fn != nil {
				go t.fn()
			}
		}
		d := time.Duration(-1)
		if len(s.h) > 0 {
			d = s.h[0].when.Sub(now)
		}
		s.mu.Unlock()
		s.waiter.Wait(&s.word, v, d)
	}
}

// chanWaiter is the timed wait of a backend without one.
type chanWaiter struct{ kick chan struct{} }

func (c *chanWaiter) Wait(word *atomic.Uint32, val uint32, d time.Duration) {
	if word.Load() != val {
		return
	}
	var expire <-chan time.Time
	if d >= 0 {
		tm := time.NewTimer(d)
		defer tm.Stop()
		expire = tm.C
	}
	select {
	case <-c.kick:
	case <-expire:
	}
}

func (c *chanWaiter) Wake(*atomic.Uint32) {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// timerHeap orders timers by deadline (container/heap).
type timerHeap []*Timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].when.Before(h[j].when) }
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*Timer)
	t.idx = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.idx = -1
	return t
}
