package exo

import (
	"sync"
	"time"
)

// Alarm is a precise one-shot alarm a Backend may provide for the timers
// (timer.go). Set arms it to go off after d (d <= 0: at once), replacing
// the previous setting and dropping a going-off not yet waited for; Wait
// blocks until it goes off (spurious returns are allowed). Wait must park
// only the goroutine, in the runtime's poller, not block its thread in a
// system call: a thread blocked there keeps the scheduler's P, so the
// goroutines its timers wake would wait for sysmon to take the P back
// (100-400 us measured under TCG), where the thread that the poller wakes
// runs them at once. A backend without one gets a time.Timer.
type Alarm interface {
	Set(d time.Duration)
	Wait()
}

// UseAlarm makes the timers wait with a. New calls it for a backend that
// has one; it must come before the first timer.
func UseAlarm(a Alarm) {
	timers.mu.Lock()
	defer timers.mu.Unlock()
	if timers.alarm == nil {
		timers.alarm = a
	}
}

// wakeLead is how early the timers' alarm is set: twice a moving average
// of how late it has gone off, at most maxLead, so that a stalled
// machine (a busy host) does not make the timers spin for long.
type wakeLead struct{ avg time.Duration }

const maxLead = 500 * time.Microsecond

func (l *wakeLead) get() time.Duration { return min(2*l.avg, maxLead) }

func (l *wakeLead) learn(late time.Duration) { l.avg += (min(late, maxLead) - l.avg) / 8 }

// chanAlarm is the Alarm of a backend without one: a time.Timer.
type chanAlarm struct {
	mu   sync.Mutex
	tm   *time.Timer
	gen  uint64 // which Set the pending time.Timer belongs to
	kick chan struct{}
}

func newChanAlarm() *chanAlarm { return &chanAlarm{kick: make(chan struct{}, 1)} }

func (c *chanAlarm) Set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tm != nil {
		c.tm.Stop()
	}
	select { // drop a going-off not yet waited for
	case <-c.kick:
	default:
	}
	c.gen++
	gen := c.gen
	c.tm = time.AfterFunc(max(d, 0), func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.gen != gen {
			return // a Set replaced this one after it had started
		}
		select {
		case c.kick <- struct{}{}:
		default:
		}
	})
}

func (c *chanAlarm) Wait() { <-c.kick }
