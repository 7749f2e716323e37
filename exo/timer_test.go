package exo

import (
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
