package exo

import (
	"container/heap"
	"runtime"
	"sync"
	"time"
)

// Timer is a one-shot timer as precise as the machine allows. The Go
// runtime waits for its own timers in epoll_pwait, whose timeout is whole
// milliseconds, so a time.Timer of 5.3 ms wakes after 5, finds nothing
// due and waits a whole millisecond more. User programs measure their
// sleeps (nanosleep, poll and futex timeouts), so the library OS times
// them with these: one goroutine waits for the earliest deadline of all
// on the machine's Alarm (alarm.go) and fires the timers that are due.
type Timer struct {
	// C is closed when the timer fires.
	C      <-chan struct{}
	c      chan struct{}
	soon   chan struct{} // Soon's
	isSoon bool          // soon is closed
	fn     func()        // AfterFunc's, run in its own goroutine when the timer fires
	when   time.Time
	idx    int // in the heap; -1 once fired or stopped
}

// NewTimer starts a timer that fires after d.
func NewTimer(d time.Duration) *Timer { return newTimer(d, nil) }

func newTimer(d time.Duration, f func()) *Timer {
	c := make(chan struct{})
	t := &Timer{C: c, c: c, soon: make(chan struct{}), fn: f, when: time.Now().Add(d)}
	timers.add(t)
	return t
}

// AfterFunc calls f in its own goroutine after d, unless the timer is
// stopped first (time.AfterFunc, with this package's precision).
func AfterFunc(d time.Duration, f func()) *Timer { return newTimer(d, f) }

// Stop stops the timer; it reports whether that prevented it firing.
func (t *Timer) Stop() bool { return timers.remove(t) }

// Soon is closed shortly before the timer fires: once its deadline is
// less than the wakeup lead away (timerService). A waiter that must end
// on time (nanosleep, poll) selects on Soon instead of C and then calls
// Settle, so that the cost of its own wakeup falls before the deadline,
// not after it.
func (t *Timer) Soon() <-chan struct{} { return t.soon }

// Settle returns at the deadline, spinning to it (and yielding).
func (t *Timer) Settle() {
	for time.Now().Before(t.when) {
		runtime.Gosched()
	}
}

// closeSoon closes soon once; timerService.mu.
func (t *Timer) closeSoon() {
	if !t.isSoon {
		t.isSoon = true
		close(t.soon)
	}
}

// timerService is the heap of pending timers and its waiting goroutine.
// The alarm is set to go off lead before the first deadline, the time a
// wakeup takes to reach that goroutine (learnt as it goes), and the
// goroutine spins out what is left, so timers fire on time however slow
// the machine's wakeups are. Under QEMU's TCG they take 100-300 us, more
// the longer the machine has idled; a precise machine learns a small lead.
type timerService struct {
	once   sync.Once
	mu     sync.Mutex
	h      timerHeap
	alarm  Alarm
	lead   wakeLead
	target time.Time // when the alarm was set to go off; zero: not learning
}

var timers timerService

func (s *timerService) add(t *Timer) {
	s.once.Do(func() {
		s.mu.Lock()
		if s.alarm == nil {
			s.alarm = newChanAlarm()
		}
		s.mu.Unlock()
		go s.run()
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	heap.Push(&s.h, t)
	if s.h[0] == t {
		s.setAlarm(time.Now())
	}
}

// remove leaves the alarm set for a removed first timer: it only costs
// run one spurious wakeup.
func (s *timerService) remove(t *Timer) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.idx < 0 {
		return false
	}
	heap.Remove(&s.h, t.idx)
	return true
}

// setAlarm sets the alarm for the first timer, lead before it, or at once
// when that has passed (run then spins).
func (s *timerService) setAlarm(now time.Time) {
	at := s.h[0].when.Add(-s.lead.get())
	s.target = time.Time{}
	if at.After(now) {
		s.target = at
	}
	s.alarm.Set(at.Sub(now))
}

// run is the waiting goroutine: it fires what is due, then waits for the
// next deadline on the alarm or, when that is less than lead away, spins
// to it (after telling that timer's Soon), yielding each time round so
// that the goroutines it woke run and a timer added meanwhile is seen.
func (s *timerService) run() {
	woke := false
	for {
		s.mu.Lock()
		now := time.Now()
		if woke && !s.target.IsZero() && !now.Before(s.target) {
			s.lead.learn(now.Sub(s.target))
			s.target = time.Time{}
		}
		for len(s.h) > 0 && !s.h[0].when.After(now) {
			t := heap.Pop(&s.h).(*Timer)
			t.closeSoon()
			close(t.c)
			if t.fn != nil {
				go t.fn()
			}
		}
		spin := len(s.h) > 0 && s.h[0].when.Sub(now) <= s.lead.get()
		if spin {
			s.h[0].closeSoon()
		} else if len(s.h) > 0 {
			s.setAlarm(now)
		}
		s.mu.Unlock()
		if woke = !spin; woke {
			s.alarm.Wait()
		} else {
			runtime.Gosched()
		}
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
