package exo

import (
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestTimers: timers fire in deadline order, never early, and a stopped
// one never fires.
func TestTimers(t *testing.T) {
	start := time.Now()
	var ts []*Timer
	for _, ms := range []int{30, 10, 20} {
		ts = append(ts, NewTimer(time.Duration(ms)*time.Millisecond))
	}
	stopped := NewTimer(15 * time.Millisecond)
	if !stopped.Stop() {
		t.Fatal("Stop of a pending timer reported it had fired")
	}
	order := []int{1, 2, 0}
	for _, i := range order {
		<-ts[i].C
		if el, want := time.Since(start), []time.Duration{30, 10, 20}[i]*time.Millisecond; el < want {
			t.Errorf("timer %d fired after %v, before its %v", i, el, want)
		}
		for _, j := range order {
			if j == i {
				break
			}
			select {
			case <-ts[j].C:
			default:
				t.Errorf("timer %d fired before the earlier timer %d", i, j)
			}
		}
	}
	select {
	case <-stopped.C:
		t.Error("a stopped timer fired")
	case <-time.After(20 * time.Millisecond):
	}
	if ts[0].Stop() {
		t.Error("Stop of a fired timer reported it stopped it")
	}
}

// TestAfterFunc: the function runs once the timer fires, and not at all
// when it was stopped first.
func TestAfterFunc(t *testing.T) {
	ran := make(chan struct{})
	AfterFunc(5*time.Millisecond, func() { close(ran) })
	stopped := AfterFunc(5*time.Millisecond, func() { t.Error("a stopped AfterFunc ran") })
	stopped.Stop()
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("AfterFunc never ran")
	}
	time.Sleep(20 * time.Millisecond)
}

// TestWakeLead: the lead is twice the average lateness, each sample and
// the lead itself capped, so one stall teaches no long spin.
func TestWakeLead(t *testing.T) {
	var l wakeLead
	for range 100 {
		l.learn(100 * time.Microsecond)
	}
	if got := l.get(); got < 190*time.Microsecond || got > 200*time.Microsecond {
		t.Errorf("lead after 100 us wakeups = %v, want about 200 us", got)
	}
	l.learn(time.Second)
	if got := l.get(); got > maxLead {
		t.Errorf("lead after a 1 s stall = %v, above maxLead %v", got, maxLead)
	}
	var z wakeLead
	if z.get() != 0 {
		t.Errorf("a new lead is %v, want 0", z.get())
	}
}

// lateAlarm goes off exactly late after it was due, as a slow machine's
// would: a goroutine spins to the time (the host's own timers are only
// as precise as a millisecond).
type lateAlarm struct {
	mu   sync.Mutex
	gen  int
	late time.Duration
	kick chan struct{}
}

func (a *lateAlarm) Set(d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	select {
	case <-a.kick:
	default:
	}
	a.gen++
	gen, at := a.gen, time.Now().Add(d+a.late)
	go func() {
		for time.Now().Before(at) {
			runtime.Gosched()
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.gen == gen {
			select {
			case a.kick <- struct{}{}:
			default:
			}
		}
	}()
}

func (a *lateAlarm) Wait() { <-a.kick }

// TestTimersOutrunLateAlarm: with an alarm that always goes off 300 us
// late, the service learns to set it early and spins out the rest, so
// timers fire well within that lateness, and never early.
func TestTimersOutrunLateAlarm(t *testing.T) {
	const late = 300 * time.Microsecond
	s := &timerService{alarm: &lateAlarm{late: late, kick: make(chan struct{}, 1)}}
	go s.run()
	var lateness []time.Duration
	for i := range 60 {
		c := make(chan struct{})
		tm := &Timer{C: c, c: c, soon: make(chan struct{}), when: time.Now().Add(2 * time.Millisecond)}
		s.add(tm)
		<-tm.C
		el := time.Since(tm.when)
		if el < 0 {
			t.Fatalf("timer %d fired %v early", i, -el)
		}
		if i >= 20 { // after learning
			lateness = append(lateness, el)
		}
	}
	slices.Sort(lateness)
	if med := lateness[len(lateness)/2]; med >= late/2 {
		t.Errorf("median lateness %v with an alarm %v late: the lead was not learnt", med, late)
	}
}

// TestTimerAddedDuringSpin: a timer added while the service spins toward
// a later one fires at its own time, not the later one's.
func TestTimerAddedDuringSpin(t *testing.T) {
	// With a 500 us lead and an alarm 100 us late, the alarm set for 4.5
	// ms goes off at 4.6, and the service spins from there.
	s := &timerService{alarm: &lateAlarm{late: 100 * time.Microsecond, kick: make(chan struct{}, 1)}}
	go s.run()
	mk := func(at time.Time) *Timer {
		c := make(chan struct{})
		tm := &Timer{C: c, c: c, soon: make(chan struct{}), when: at}
		s.add(tm)
		return tm
	}
	// The service noticing the early timer only when the later one is due
	// fires it 300 us late, with the later one, every time; a loaded host
	// starves the service now and then, so a quarter of the trials must
	// show the early timer well before the later one.
	ahead := 0
	for range 21 {
		s.mu.Lock()
		s.lead.avg = 250 * time.Microsecond
		s.mu.Unlock()
		t0 := time.Now()
		later := mk(t0.Add(5 * time.Millisecond))
		for time.Since(t0) < 4650*time.Microsecond {
		}
		early := mk(t0.Add(4700 * time.Microsecond))
		<-early.C
		earlyAt := time.Now()
		<-later.C
		if time.Since(earlyAt) >= 150*time.Microsecond {
			ahead++
		}
	}
	if ahead < 5 {
		t.Errorf("a timer added during a spin toward one 300 us later fired well before it in only %d of 21 trials", ahead)
	}
}

// TestSoonAndSettle: Soon closes before the deadline, early enough for a
// waiter woken by it to settle on time, and Settle never returns early.
func TestSoonAndSettle(t *testing.T) {
	s := &timerService{alarm: &lateAlarm{late: 200 * time.Microsecond, kick: make(chan struct{}, 1)}}
	go s.run()
	var lateness []time.Duration
	for i := range 40 {
		c := make(chan struct{})
		tm := &Timer{C: c, c: c, soon: make(chan struct{}), when: time.Now().Add(3 * time.Millisecond)}
		s.add(tm)
		<-tm.Soon()
		tm.Settle()
		el := time.Since(tm.when)
		if el < 0 {
			t.Fatalf("Settle returned %v early", -el)
		}
		<-tm.C
		if i >= 10 {
			lateness = append(lateness, el)
		}
	}
	slices.Sort(lateness)
	if med := lateness[len(lateness)/2]; med > 100*time.Microsecond {
		t.Errorf("median lateness %v after Soon and Settle with an alarm 200 us late", med)
	}
}
