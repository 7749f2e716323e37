package libstarry

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// CPU time and the interval timers (kernel/time/itimer.c and the
// process timers of posix-cpu-timers.c). A thread's CPU time is the user
// time of its Runs (the exokernel measures each); a process's is the sum
// over its threads, the exited ones too, and goes on across exec. There
// is no system time, so ITIMER_PROF counts what ITIMER_VIRTUAL does.
// Timers on CPU clocks are looked at when a thread's Run ends (a trap or
// the end of its time slice), as Linux looks at them on the tick.

// procTimers is a process's timer state: its CPU time, the timers on
// its CPU clocks, the interval timers and its POSIX timers. A fork child
// starts with none (the zero value), exec keeps the interval timers and
// deletes the POSIX timers (exit_itimers).
type procTimers struct {
	cpu      atomic.Int64 // CPU time of all its threads so far (ns)
	cpuArmed atomic.Int32 // len(cpuq), so a Run's end looks at cpuq only when needed

	cpuMu sync.Mutex // guards cpuq; taken last, after any process's mu
	cpuq  map[*cpuTimer]bool

	mu     sync.Mutex // guards the fields below and every posixTimer of the process
	real   realITimer
	cpuIt  [2]cpuITimer // ITIMER_VIRTUAL, ITIMER_PROF
	posix  map[int]*posixTimer
	nextID int
	reaper bool // a goroutine stops the real-time timers when the process dies
}

// cpuTimer is one armed timer on a CPU clock: the process's (thread nil)
// or one thread's. fire runs without locks once the clock reaches
// expires; it is called once, after which the timer is off the queue.
type cpuTimer struct {
	thread  *Thread
	expires time.Duration
	fire    func()
}

// CPUTime is the process's CPU time (CLOCK_PROCESS_CPUTIME_ID).
func (p *Process) CPUTime() time.Duration { return time.Duration(p.timers.cpu.Load()) }

// CPUTime is the thread's CPU time (CLOCK_THREAD_CPUTIME_ID).
func (t *Thread) CPUTime() time.Duration { return time.Duration(t.cpu.Load()) }

// account adds a Run's user time to the thread and its process and
// fires the CPU timers that became due (run_posix_cpu_timers).
func (t *Thread) account(d time.Duration) {
	if d <= 0 {
		return
	}
	t.cpu.Add(int64(d))
	p := t.P
	p.timers.cpu.Add(int64(d))
	if p.timers.cpuArmed.Load() > 0 {
		p.runCPUTimers()
	}
}

func (p *Process) runCPUTimers() {
	now := p.CPUTime()
	pt := &p.timers
	pt.cpuMu.Lock()
	var due []*cpuTimer
	for ct := range pt.cpuq {
		if ct.clock(now) >= ct.expires {
			due = append(due, ct)
			delete(pt.cpuq, ct)
		}
	}
	pt.cpuArmed.Store(int32(len(pt.cpuq)))
	pt.cpuMu.Unlock()
	for _, ct := range due {
		ct.fire()
	}
}

// clock reads ct's clock, given its process's time now.
func (ct *cpuTimer) clock(now time.Duration) time.Duration {
	if ct.thread != nil {
		return ct.thread.CPUTime()
	}
	return now
}

// due reports whether ct's clock (one of p's) has reached its expiry.
func (p *Process) due(ct *cpuTimer) bool { return ct.clock(p.CPUTime()) >= ct.expires }

// queueCPU puts ct on p's queue, to fire at the end of the first Run
// that finds its clock past its expiry.
func (p *Process) queueCPU(ct *cpuTimer) {
	pt := &p.timers
	pt.cpuMu.Lock()
	if pt.cpuq == nil {
		pt.cpuq = map[*cpuTimer]bool{}
	}
	pt.cpuq[ct] = true
	pt.cpuArmed.Store(int32(len(pt.cpuq)))
	pt.cpuMu.Unlock()
}

// dequeueCPU takes ct off p's queue, if it is there.
func (p *Process) dequeueCPU(ct *cpuTimer) {
	if ct == nil {
		return
	}
	pt := &p.timers
	pt.cpuMu.Lock()
	delete(pt.cpuq, ct)
	pt.cpuArmed.Store(int32(len(pt.cpuq)))
	pt.cpuMu.Unlock()
}

// ITimerVal is struct itimerval as durations.
type ITimerVal struct {
	Value, Interval time.Duration
}

// realITimer is ITIMER_REAL (signal_struct's real_timer and
// it_real_incr): it sends SIGALRM to the process, and a periodic one is
// started again when that SIGALRM is dequeued, as Linux does.
type realITimer struct {
	tm       *exo.Timer
	gen      uint64 // bumped whenever tm is replaced: a stale callback does nothing
	armed    bool   // counting down (hrtimer_active)
	expires  time.Time
	interval time.Duration
}

// cpuITimer is ITIMER_VIRTUAL or ITIMER_PROF (struct cpu_itimer).
type cpuITimer struct {
	ct       *cpuTimer // nil when disarmed
	interval time.Duration
}

// aboutToFire is what an expired timer whose signal is on the way
// reports as its value, so that it does not read as disarmed.
const aboutToFire = time.Microsecond

// GetITimer is getitimer(2).
func (p *Process) GetITimer(which int) (ITimerVal, error) {
	pt := &p.timers
	pt.mu.Lock()
	defer pt.mu.Unlock()
	switch which {
	case abi.ITIMER_REAL:
		return p.realGetLocked(), nil
	case abi.ITIMER_VIRTUAL, abi.ITIMER_PROF:
		return p.cpuITimerGetLocked(which), nil
	}
	return ITimerVal{}, abi.EINVAL
}

func (p *Process) realGetLocked() ITimerVal {
	r := &p.timers.real
	v := ITimerVal{Interval: r.interval}
	if r.armed {
		v.Value = max(time.Until(r.expires), aboutToFire)
	}
	return v
}

func (p *Process) cpuITimerGetLocked(which int) ITimerVal {
	it := &p.timers.cpuIt[which-abi.ITIMER_VIRTUAL]
	v := ITimerVal{Interval: it.interval}
	if it.ct != nil {
		v.Value = max(it.ct.expires-p.CPUTime(), aboutToFire)
	}
	return v
}

// SetITimer is setitimer(2): it returns the old setting. A zero value
// disarms the timer (and forgets the interval).
func (p *Process) SetITimer(which int, v ITimerVal) (ITimerVal, error) {
	switch which {
	case abi.ITIMER_REAL:
		return p.setReal(v), nil
	case abi.ITIMER_VIRTUAL, abi.ITIMER_PROF:
		return p.setCPUITimer(which, v), nil
	}
	return ITimerVal{}, abi.EINVAL
}

func (p *Process) setReal(v ITimerVal) ITimerVal {
	pt := &p.timers
	pt.mu.Lock()
	defer pt.mu.Unlock()
	old := p.realGetLocked()
	r := &pt.real
	r.stop()
	if v.Value <= 0 {
		r.interval = 0
		return old
	}
	r.interval = v.Interval
	r.expires = time.Now().Add(v.Value)
	p.realStartLocked()
	return old
}

func (r *realITimer) stop() {
	if r.tm != nil {
		r.tm.Stop()
		r.tm = nil
	}
	r.gen++
	r.armed = false
}

// realStartLocked arms ITIMER_REAL for r.expires.
func (p *Process) realStartLocked() {
	r := &p.timers.real
	r.gen++
	gen := r.gen
	r.armed = true
	r.tm = exo.AfterFunc(time.Until(r.expires), func() { p.realFire(gen) })
	p.watchExitLocked()
}

// realFire is it_real_fn: SIGALRM to the process.
func (p *Process) realFire(gen uint64) {
	pt := &p.timers
	pt.mu.Lock()
	r := &pt.real
	if r.gen != gen || !r.armed {
		pt.mu.Unlock()
		return
	}
	r.armed, r.tm = false, nil
	pt.mu.Unlock()
	p.Signal(SigInfo{Signo: int(abi.SIGALRM), Code: SI_KERNEL})
}

// rearmReal restarts a periodic ITIMER_REAL once its SIGALRM is taken
// (dequeue_signal's posixtimers_rearm_itimer).
func (p *Process) rearmReal() {
	pt := &p.timers
	pt.mu.Lock()
	defer pt.mu.Unlock()
	r := &pt.real
	if r.armed || r.interval <= 0 || p.isExiting() {
		return
	}
	now := time.Now()
	if !r.expires.After(now) {
		n := now.Sub(r.expires)/r.interval + 1
		r.expires = r.expires.Add(n * r.interval)
	}
	p.realStartLocked()
}

func (p *Process) setCPUITimer(which int, v ITimerVal) ITimerVal {
	pt := &p.timers
	pt.mu.Lock()
	old := p.cpuITimerGetLocked(which)
	it := &pt.cpuIt[which-abi.ITIMER_VIRTUAL]
	p.dequeueCPU(it.ct)
	it.ct, it.interval = nil, v.Interval
	if v.Value <= 0 {
		it.interval = 0
		pt.mu.Unlock()
		return old
	}
	ct := p.cpuITimerTimer(which, p.CPUTime()+v.Value)
	it.ct = ct
	p.queueCPU(ct)
	pt.mu.Unlock()
	return old
}

func (p *Process) cpuITimerTimer(which int, expires time.Duration) *cpuTimer {
	ct := &cpuTimer{expires: expires}
	ct.fire = func() { p.cpuITimerFire(which, ct) }
	return ct
}

// cpuITimerFire is check_cpu_itimer: the signal, and a periodic timer's
// next expiry one interval on (due at once, it fires at the next Run's
// end: once per tick, as on Linux).
func (p *Process) cpuITimerFire(which int, ct *cpuTimer) {
	pt := &p.timers
	pt.mu.Lock()
	it := &pt.cpuIt[which-abi.ITIMER_VIRTUAL]
	if it.ct != ct {
		pt.mu.Unlock()
		return
	}
	it.ct = nil
	if it.interval > 0 {
		it.ct = p.cpuITimerTimer(which, ct.expires+it.interval)
		p.queueCPU(it.ct)
	}
	pt.mu.Unlock()
	sig := abi.SIGVTALRM
	if which == abi.ITIMER_PROF {
		sig = abi.SIGPROF
	}
	p.Signal(SigInfo{Signo: int(sig), Code: SI_KERNEL})
}

// Alarm is alarm(2): ITIMER_REAL set to secs (0 cancels it); the old
// value comes back in whole seconds, rounded to the nearest, and never 0
// while an alarm was pending (alarm_setitimer).
func (p *Process) Alarm(secs uint32) uint32 {
	old := p.setReal(ITimerVal{Value: time.Duration(secs) * time.Second})
	s := old.Value / time.Second
	ns := old.Value % time.Second
	if s == 0 && ns != 0 || ns >= time.Second/2 {
		s++
	}
	return uint32(s)
}

// watchExitLocked starts, once, the goroutine that stops the process's
// timers when it dies, so none fires into a dead process or keeps it
// reachable. pt.mu is held.
func (p *Process) watchExitLocked() {
	pt := &p.timers
	if pt.reaper {
		return
	}
	pt.reaper = true
	go func() {
		<-p.dying
		pt.mu.Lock()
		pt.real.stop()
		pt.real.interval = 0
		for _, tm := range pt.posix {
			tm.deleteLocked()
		}
		pt.posix = nil
		pt.mu.Unlock()
		pt.cpuMu.Lock()
		pt.cpuq = nil
		pt.cpuArmed.Store(0)
		pt.cpuMu.Unlock()
	}()
}

// SleepCPU is clock_nanosleep on a CPU clock (posix_cpu_nsleep): it
// waits until the clock reaches d (abs) or d from now, and returns the
// time left on it when a signal or the exit cuts the wait short (EINTR).
// The caller's own thread clock is EINVAL: it cannot advance while the
// thread sleeps.
func (t *Thread) SleepCPU(clockID int32, abs bool, d time.Duration) (time.Duration, error) {
	clk, err := t.timerClockOf(clockID)
	if err != nil {
		if err == abi.EOPNOTSUPP {
			err = abi.EINVAL
		}
		return 0, err
	}
	if !clk.cpu() || clk.kind == clockThreadCPU && clk.t == t {
		return 0, abi.EINVAL
	}
	expires := d
	if !abs {
		expires += clk.now()
	}
	done := make(chan struct{})
	ct := &cpuTimer{expires: expires, fire: func() { close(done) }}
	if clk.kind == clockThreadCPU {
		ct.thread = clk.t
	}
	if clk.p.due(ct) {
		return 0, nil
	}
	clk.p.queueCPU(ct)
	select {
	case <-done:
		return 0, nil
	case <-t.P.dying:
	case <-t.Interrupted():
	}
	clk.p.dequeueCPU(ct)
	return max(expires-clk.now(), 0), abi.EINTR
}
