package libstarry

import (
	"math"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// POSIX timers (kernel/time/posix-timers.c, posix-cpu-timers.c): timers
// of a process on a clock, each sending its signal (SI_TIMER) to the
// process or to one of its threads when it expires, or nothing
// (SIGEV_NONE). As on Linux, a periodic timer whose signal is queued is
// not started again until that signal is dequeued; then it moves on past
// now, and the intervals it skipped are the signal's si_overrun and
// timer_getoverrun's answer. A signal queued for an older setting (or a
// deleted timer) is dropped when it would be dequeued.

// sigev_notify values and the timer si_code (include/uapi/asm-generic).
const (
	SIGEV_SIGNAL    = 0
	SIGEV_NONE      = 1
	SIGEV_THREAD    = 2
	SIGEV_THREAD_ID = 4
	SI_TIMER        = -2
	SI_QUEUE        = -1
)

// maxPosixTimers bounds a process's timers (Linux's bound is the
// RLIMIT_SIGPENDING its preallocated signals count against).
const maxPosixTimers = 1 << 14

// clockKind is what a timer's clock counts.
type clockKind int

const (
	clockRealtime   clockKind = iota + 1 // wall time since the Unix epoch
	clockMonotonic                       // time since boot (MONOTONIC, BOOTTIME)
	clockProcessCPU                      // a process's CPU time
	clockThreadCPU                       // a thread's CPU time
)

// timerClock is a resolved clock ID.
type timerClock struct {
	kind clockKind
	boot time.Time // clockMonotonic's origin
	p    *Process  // the CPU clocks': whose time
	t    *Thread   // clockThreadCPU's thread
}

func (c timerClock) now() time.Duration {
	switch c.kind {
	case clockRealtime:
		return time.Duration(time.Now().UnixNano())
	case clockMonotonic:
		return time.Since(c.boot)
	case clockThreadCPU:
		return c.t.CPUTime()
	}
	return c.p.CPUTime()
}

func (c timerClock) cpu() bool { return c.kind == clockProcessCPU || c.kind == clockThreadCPU }

// Clock ID errors: an ID Linux does not know is EINVAL; a known clock
// that cannot time (the raw and coarse ones, and the alarm clocks, which
// need a wake-up RTC this machine lacks) is EOPNOTSUPP.
func (t *Thread) timerClockOf(id int32) (timerClock, error) {
	switch id {
	case abi.CLOCK_REALTIME, abi.CLOCK_TAI:
		return timerClock{kind: clockRealtime}, nil
	case abi.CLOCK_MONOTONIC, abi.CLOCK_BOOTTIME:
		return timerClock{kind: clockMonotonic, boot: t.P.Boot()}, nil
	case abi.CLOCK_PROCESS_CPUTIME_ID:
		return timerClock{kind: clockProcessCPU, p: t.P}, nil
	case abi.CLOCK_THREAD_CPUTIME_ID:
		return timerClock{kind: clockThreadCPU, p: t.P, t: t}, nil
	case abi.CLOCK_MONOTONIC_RAW, abi.CLOCK_REALTIME_COARSE, abi.CLOCK_MONOTONIC_COARSE,
		abi.CLOCK_REALTIME_ALARM, abi.CLOCK_BOOTTIME_ALARM:
		return timerClock{}, abi.EOPNOTSUPP
	}
	if id < 0 {
		return t.cpuClockOf(id)
	}
	return timerClock{}, abi.EINVAL
}

// cpuClockOf resolves a clock make_process_cpuclock or
// make_thread_cpuclock made (pid_for_clock): ~pid above bit 3, bit 2 for
// a thread, the kind in the low two bits (PROF, VIRT and SCHED all read
// the one CPU time kept here). A thread clock must name one of the
// caller's threads; a process clock, a process.
func (t *Thread) cpuClockOf(id int32) (timerClock, error) {
	const cpuclockMax, perThread = 3, 4
	switch {
	case id&7 == cpuclockMax: // CLOCKFD: a dynamic clock's fd, which has no timers
		return timerClock{}, abi.EOPNOTSUPP
	case id&3 == cpuclockMax:
		return timerClock{}, abi.EINVAL
	}
	pid := int(^(id >> 3))
	if id&perThread != 0 {
		th := t
		if pid != 0 {
			th = t.P.ThreadByTID(pid)
		}
		if th == nil {
			return timerClock{}, abi.EINVAL
		}
		return timerClock{kind: clockThreadCPU, p: t.P, t: th}, nil
	}
	p := t.P
	if pid != 0 && pid != p.pid {
		if p = p.k.Process(pid); p == nil || p.Env() == nil {
			return timerClock{}, abi.EINVAL
		}
	}
	return timerClock{kind: clockProcessCPU, p: p}, nil
}

// SigEvent is struct sigevent: how a timer tells of its expiry.
type SigEvent struct {
	Value  uint64 // sigev_value
	Signo  int
	Notify int
	TID    int // SIGEV_THREAD_ID's thread
}

// Timer states (it_status).
const (
	timerDisarmed = iota
	timerArmed
	timerRequeue // expired, its signal queued: started again when that is dequeued
)

type posixTimer struct {
	id     int
	owner  *Process
	clk    timerClock
	notify int
	signo  int
	value  uint64
	tid    int // SIGEV_THREAD_ID

	// Guarded by owner.timers.mu.
	status      int
	expires     time.Duration // on clk
	interval    time.Duration
	noneSet     bool  // a SIGEV_NONE timer has an expiry (it is never armed)
	overrun     int64 // it_overrun: intervals skipped since the last delivery, less one
	overrunLast int64 // it_overrun_last: what timer_getoverrun reports
	signalSeq   uint64
	queuedSeq   uint64 // signalSeq when its signal was last queued
	queued      bool   // its signal is pending
	gen         uint64 // bumped when tm or ct is replaced
	tm          *exo.Timer
	ct          *cpuTimer
	dead        bool
}

// TimerCreate is timer_create(2) with the sigevent read (nil for none:
// SIGALRM to the process, with the timer's ID as its value). The ID is
// chosen before the sigevent is checked, as Linux does; publish is
// called with it (copy_to_user) before the timer exists, and its error
// undoes the creation.
func (t *Thread) TimerCreate(clockID int32, ev *SigEvent, publish func(id int) error) error {
	clk, err := t.timerClockOf(clockID)
	if err != nil {
		return err
	}
	p := t.P
	tm := &posixTimer{owner: p, clk: clk, overrun: -1}
	pt := &p.timers
	pt.mu.Lock()
	if len(pt.posix) >= maxPosixTimers {
		pt.mu.Unlock()
		return abi.EAGAIN
	}
	for pt.posix[pt.nextID] != nil {
		pt.nextID = (pt.nextID + 1) & math.MaxInt32
	}
	tm.id = pt.nextID // taken even if the sigevent is refused, as on Linux
	pt.nextID = (pt.nextID + 1) & math.MaxInt32
	pt.mu.Unlock()
	if ev != nil {
		switch ev.Notify {
		case SIGEV_SIGNAL | SIGEV_THREAD_ID:
			if th := p.ThreadByTID(ev.TID); th == nil {
				return abi.EINVAL // not one of the caller's threads
			}
			fallthrough
		case SIGEV_SIGNAL, SIGEV_THREAD:
			if ev.Signo <= 0 || ev.Signo > NSIG {
				return abi.EINVAL
			}
		case SIGEV_NONE:
		default:
			return abi.EINVAL
		}
		tm.notify, tm.signo, tm.value, tm.tid = ev.Notify, ev.Signo, ev.Value, ev.TID
	} else {
		tm.notify, tm.signo, tm.value = SIGEV_SIGNAL, int(abi.SIGALRM), uint64(tm.id)
	}
	if err := publish(tm.id); err != nil {
		return err
	}
	pt.mu.Lock()
	defer pt.mu.Unlock()
	if pt.posix == nil {
		pt.posix = map[int]*posixTimer{}
	}
	if pt.posix[tm.id] != nil || p.isExiting() {
		return abi.EAGAIN // taken meanwhile by another thread's create
	}
	pt.posix[tm.id] = tm
	p.watchExitLocked()
	return nil
}

// timer finds one of the process's timers; pt.mu is held.
func (p *Process) timerLocked(id int) (*posixTimer, error) {
	if tm := p.timers.posix[id]; tm != nil {
		return tm, nil
	}
	return nil, abi.EINVAL
}

// TimerSpec is struct itimerspec as durations.
type TimerSpec struct {
	Value, Interval time.Duration
}

// TimerGettime is timer_gettime(2).
func (p *Process) TimerGettime(id int) (TimerSpec, error) {
	p.timers.mu.Lock()
	defer p.timers.mu.Unlock()
	tm, err := p.timerLocked(id)
	if err != nil {
		return TimerSpec{}, err
	}
	return tm.getLocked(), nil
}

// getLocked is common_timer_get: a periodic timer that expired and
// waits for its signal to be taken (or a SIGEV_NONE one) is moved on
// past now first; an expired timer still to be told of reads 1 ns, an
// expired SIGEV_NONE one 0.
func (tm *posixTimer) getLocked() TimerSpec {
	s := TimerSpec{Interval: tm.interval}
	sigNone := tm.notify == SIGEV_NONE
	if sigNone && !tm.noneSet || !sigNone && tm.status == timerDisarmed {
		return s
	}
	now := tm.clk.now()
	if tm.interval > 0 && tm.status != timerArmed {
		var n int64
		tm.expires, n = forward(tm.expires, tm.interval, now)
		tm.overrun += n
	}
	switch rem := tm.expires - now; {
	case rem > 0:
		s.Value = rem
	case !sigNone:
		s.Value = 1
	}
	return s
}

// forward moves a periodic expiry past now (hrtimer_forward): the new
// expiry and how many intervals it moved (0 when not yet expired).
func forward(expires, interval, now time.Duration) (time.Duration, int64) {
	if now < expires || interval <= 0 {
		return expires, 0
	}
	n := int64((now-expires)/interval) + 1
	return expires + time.Duration(n)*interval, n
}

// TimerSettime is timer_settime(2): it returns the old setting. A zero
// value disarms; abs takes the value as a time on the timer's clock.
func (p *Process) TimerSettime(id int, abs bool, v TimerSpec) (TimerSpec, error) {
	pt := &p.timers
	pt.mu.Lock()
	tm, err := p.timerLocked(id)
	if err != nil {
		pt.mu.Unlock()
		return TimerSpec{}, err
	}
	old := tm.getLocked()
	tm.stopLocked()
	tm.status = timerDisarmed
	tm.interval = 0
	if v.Value > 0 {
		tm.interval = v.Interval
	}
	tm.overrunLast, tm.overrun = 0, -1
	tm.signalSeq++
	tm.noneSet = false
	if v.Value <= 0 {
		pt.mu.Unlock()
		return old, nil
	}
	tm.expires = v.Value
	if !abs {
		tm.expires += tm.clk.now()
	}
	if tm.notify == SIGEV_NONE {
		tm.noneSet = true
		pt.mu.Unlock()
		return old, nil
	}
	tm.status = timerArmed
	fireNow := tm.armLocked()
	pt.mu.Unlock()
	if fireNow != nil {
		fireNow()
	}
	return old, nil
}

// stopLocked cancels the running timer, if any.
func (tm *posixTimer) stopLocked() {
	tm.gen++
	if tm.tm != nil {
		tm.tm.Stop()
		tm.tm = nil
	}
	if tm.ct != nil {
		tm.clk.p.dequeueCPU(tm.ct)
		tm.ct = nil
	}
}

// armLocked starts the timer for tm.expires. A CPU-clock timer whose
// time has passed already is to be fired at once: the function to call
// once the lock is dropped.
func (tm *posixTimer) armLocked() func() {
	tm.gen++
	gen := tm.gen
	fire := func() { tm.fire(gen) }
	if tm.clk.cpu() {
		ct := &cpuTimer{expires: tm.expires, fire: fire}
		if tm.clk.kind == clockThreadCPU {
			ct.thread = tm.clk.t
		}
		if tm.clk.p.due(ct) {
			return fire
		}
		tm.ct = ct
		tm.clk.p.queueCPU(ct)
		return nil
	}
	tm.tm = exo.AfterFunc(max(tm.expires-tm.clk.now(), 0), fire)
	return nil
}

// fire is the expiry (posix_timer_fn, cpu_timer_fire): the signal goes
// to the process, or to the SIGEV_THREAD_ID thread, unless one from this
// timer is pending already.
func (tm *posixTimer) fire(gen uint64) {
	p := tm.owner
	pt := &p.timers
	pt.mu.Lock()
	if tm.dead || gen != tm.gen || tm.status != timerArmed {
		pt.mu.Unlock()
		return
	}
	tm.tm, tm.ct = nil, nil
	tm.status = timerDisarmed
	if tm.interval > 0 {
		tm.status = timerRequeue
	}
	tm.queuedSeq = tm.signalSeq
	already := tm.queued
	tm.queued = true
	info := SigInfo{Signo: tm.signo, Code: SI_TIMER, TimerID: tm.id, Value: tm.value, timer: tm}
	pt.mu.Unlock()
	if already {
		return
	}
	var to *Thread
	if tm.notify&SIGEV_THREAD_ID != 0 {
		if to = p.ThreadByTID(tm.tid); to == nil {
			return // the thread is gone: the signal has nowhere to go
		}
	}
	if p.queueTimerSignal(to, info) {
		return
	}
	// Ignored and thrown away. Linux parks the timer until the signal is
	// no longer ignored; here a periodic one keeps running instead.
	pt.mu.Lock()
	defer pt.mu.Unlock()
	tm.queued = false
	if tm.dead || tm.status != timerRequeue || p.isExiting() {
		return
	}
	tm.expires, _ = forward(tm.expires, tm.interval, tm.clk.now())
	tm.status = timerArmed
	if f := tm.armLocked(); f != nil {
		go f()
	}
}

// delivered is posixtimer_deliver_signal, for a signal of tm being
// dequeued: false drops it (the timer was deleted or set again since it
// was queued); a periodic timer starts again, and the intervals it
// missed become the signal's si_overrun.
func (tm *posixTimer) delivered(info *SigInfo) bool {
	p := tm.owner
	pt := &p.timers
	pt.mu.Lock()
	tm.queued = false
	if tm.dead || tm.signalSeq != tm.queuedSeq {
		pt.mu.Unlock()
		return false
	}
	var fireNow func()
	if tm.interval > 0 && tm.status == timerRequeue {
		var n int64
		tm.expires, n = forward(tm.expires, tm.interval, tm.clk.now())
		if n == 0 { // the clock read a hair before the expiry it reached
			tm.expires += tm.interval
			n = 1
		}
		tm.overrun += n
		tm.overrunLast, tm.overrun = tm.overrun, -1
		tm.signalSeq++
		tm.status = timerArmed
		info.Overrun = overrunInt(tm.overrunLast)
		if !p.isExiting() {
			fireNow = tm.armLocked()
		}
	}
	pt.mu.Unlock()
	if fireNow != nil {
		go fireNow()
	}
	return true
}

// overrunInt is timer_overrun_to_int: capped at INT_MAX.
func overrunInt(n int64) int {
	return int(min(max(n, 0), math.MaxInt32))
}

// TimerGetoverrun is timer_getoverrun(2).
func (p *Process) TimerGetoverrun(id int) (int, error) {
	p.timers.mu.Lock()
	defer p.timers.mu.Unlock()
	tm, err := p.timerLocked(id)
	if err != nil {
		return 0, err
	}
	return overrunInt(tm.overrunLast), nil
}

// TimerDelete is timer_delete(2).
func (p *Process) TimerDelete(id int) error {
	pt := &p.timers
	pt.mu.Lock()
	defer pt.mu.Unlock()
	tm, err := p.timerLocked(id)
	if err != nil {
		return err
	}
	tm.deleteLocked()
	delete(pt.posix, id)
	return nil
}

func (tm *posixTimer) deleteLocked() {
	tm.stopLocked()
	tm.dead = true
	tm.status = timerDisarmed
}

// execTimers is exec's exit_itimers: the POSIX timers go; the interval
// timers stay.
func (p *Process) execTimers() {
	pt := &p.timers
	pt.mu.Lock()
	defer pt.mu.Unlock()
	for _, tm := range pt.posix {
		tm.deleteLocked()
	}
	pt.posix = nil
}

// queueTimerSignal queues a timer's signal as send_sigqueue does: like
// any signal sent, but a standard signal already pending does not
// swallow it (the timer's siginfo is its own). It reports false when
// the signal was ignored and thrown away.
func (p *Process) queueTimerSignal(to *Thread, info SigInfo) bool {
	sig := info.Signo
	p.prepareSignal(sig)
	act := p.sigh.get(sig)
	p.mu.Lock()
	if p.exiting {
		p.mu.Unlock()
		return false
	}
	target := p.pickThread(to, sig)
	var waiting uint64 // sigtimedwait's real mask
	if target != nil {
		waiting = target.realBlocked
	}
	if ignored(sig, act) && target != nil && waiting&bit(sig) == 0 {
		p.mu.Unlock()
		return false
	}
	q := &p.shared
	if to != nil {
		q = &to.pending
	}
	q.set |= bit(sig)
	q.infos[sig] = append(q.infos[sig], info)
	p.mu.Unlock()
	p.sigfdQ.Notify()
	if target != nil {
		target.poke() // a fatal default action is taken on its way out (get_signal)
	}
	return true
}
