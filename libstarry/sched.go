package libstarry

import "github.com/starry-go/starry/personality/linux/abi"

// Scheduling attributes (kernel/sys.c's setpriority, kernel/sched/
// syscalls.c, block/ioprio.c) and the other per-process attributes of
// prctl and personality(2). Linux keeps the nice value, the policy and
// the I/O priority per thread; here they are per process (every thread
// of a process shares them). Nothing acts on them: the Go runtime
// schedules every thread alike and there is one CPU. They are kept,
// reported, inherited by fork and checked as Linux checks them.

// procAttr is what a Process keeps of these, guarded by Process.mu.
type procAttr struct {
	nice        int // -20..19
	policy      int // SCHED_*
	rtPrio      int // 1..99 for SCHED_FIFO and SCHED_RR, else 0
	resetOnFork bool
	ioprio      int
	pdeathSig   int  // sent to the process when its parent dies
	subreaper   bool // PR_SET_CHILD_SUBREAPER
	undumpable  bool // PR_SET_DUMPABLE 0
	noNewPrivs  bool
	persona     uint32
}

// forked is the child's copy (copy_process, sched_fork): the parent-
// death signal is not inherited, nor is being a subreaper; with
// SCHED_RESET_ON_FORK the child is SCHED_NORMAL at nice 0 or above.
func (a procAttr) forked() procAttr {
	a.pdeathSig, a.subreaper = 0, false
	if a.resetOnFork {
		if a.policy == SchedFIFO || a.policy == SchedRR || a.policy == SchedDeadline {
			a.policy, a.rtPrio = SchedNormal, 0
		}
		a.nice = max(a.nice, 0)
		a.resetOnFork = false
	}
	return a
}

// execed is the change exec makes: the process is dumpable again
// unless its identity changed (setup_new_exec, would_dump aside), and
// a changed identity clears the parent-death signal and the persona's
// PER_CLEAR_ON_SETID bits (begin_new_exec).
func (a *procAttr) execed(credChanged bool) {
	a.undumpable = credChanged
	if credChanged {
		a.pdeathSig = 0
		a.persona &^= perClearOnSetID
	}
}

// perClearOnSetID is PER_CLEAR_ON_SETID: READ_IMPLIES_EXEC,
// ADDR_NO_RANDOMIZE, ADDR_COMPAT_LAYOUT, MMAP_PAGE_ZERO.
const perClearOnSetID = 0x0400000 | 0x0040000 | 0x0200000 | 0x0100000

// Scheduling policies (include/uapi/linux/sched.h).
const (
	SchedNormal      = 0
	SchedFIFO        = 1
	SchedRR          = 2
	SchedBatch       = 3
	SchedIdle        = 5
	SchedDeadline    = 6
	SchedResetOnFork = 0x40000000
	maxRTPrio        = 100
	// RRTimeslice is sched_rr_timeslice: RR_TIMESLICE, 100 ms.
	RRTimeslice = 100_000_000
)

// Priority targets of getpriority and setpriority.
const (
	PrioProcess = 0
	PrioPgrp    = 1
	PrioUser    = 2
	minNice     = -20
	maxNice     = 19
	rlimitNice  = 13
	rlimitRTPri = 14
)

// attr reads the attributes.
func (p *Process) attr() procAttr {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.attrs
}

// setAttr changes the attributes with fn.
func (p *Process) setAttr(fn func(a *procAttr)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fn(&p.attrs)
}

// priorityTargets are the processes which and who name (PRIO_PROCESS:
// a process, or a thread's; PRIO_PGRP: a group's members; PRIO_USER: the
// processes whose real UID is who); who 0 is the caller's own.
func (t *Thread) priorityTargets(which, who int) ([]*Process, error) {
	p, k := t.P, t.P.k
	if which < PrioProcess || which > PrioUser {
		return nil, abi.EINVAL
	}
	var out []*Process
	switch which {
	case PrioProcess:
		if who == 0 {
			return []*Process{p}, nil
		}
		if th := k.Thread(who); th != nil {
			return []*Process{th.P}, nil
		}
		if q := k.Process(who); q != nil {
			return []*Process{q}, nil // a zombie, or init
		}
	case PrioPgrp:
		k.mu.Lock()
		g := who
		if g == 0 {
			g = p.pgid
		}
		for _, q := range k.procs {
			if q.pgid == g {
				out = append(out, q)
			}
		}
		k.mu.Unlock()
	case PrioUser:
		uid := uint32(who)
		if who == 0 {
			uid = p.Cred().UID
		}
		for _, q := range k.pids() {
			if q.Cred().UID == uid {
				out = append(out, q)
			}
		}
	}
	return out, nil
}

// GetPriority is getpriority(2)'s answer as the system call gives it:
// 20 minus the lowest nice value among the targets (1..40), so that it
// is never negative; ESRCH when there are none.
func (t *Thread) GetPriority(which, who int) (int, error) {
	ps, err := t.priorityTargets(which, who)
	if err != nil {
		return 0, err
	}
	if len(ps) == 0 {
		return 0, abi.ESRCH
	}
	best := 0
	for _, q := range ps {
		best = max(best, 20-q.attr().nice)
	}
	return best, nil
}

// SetPriority is setpriority(2): the value clamped to -20..19, then each
// target in turn (set_one_prio): EPERM unless the caller's effective
// UID is the target's real or effective one or it has CAP_SYS_NICE,
// EACCES for a lower value than the target has beyond RLIMIT_NICE
// (can_nice). The last failure is the answer; ESRCH if none matched.
func (t *Thread) SetPriority(which, who, nice int) error {
	ps, err := t.priorityTargets(which, who)
	if err != nil {
		return err
	}
	nice = min(max(nice, minNice), maxNice)
	err = abi.ESRCH
	me := t.P.Cred()
	for _, q := range ps {
		if e := t.P.setOnePrio(me, q, nice); e != nil {
			err = e
		} else if err == abi.ESRCH {
			err = nil
		}
	}
	return err
}

func (p *Process) setOnePrio(me *Cred, q *Process, nice int) error {
	qc := q.Cred()
	if qc.UID != me.EUID && qc.EUID != me.EUID && !me.Capable(CapSysNice) {
		return abi.EPERM
	}
	if nice < q.attr().nice && !canNice(me, q, nice) {
		return abi.EACCES
	}
	q.setAttr(func(a *procAttr) { a.nice = nice })
	return nil
}

// canNice is can_nice: RLIMIT_NICE's 20-nice scale, or CAP_SYS_NICE.
func canNice(me *Cred, q *Process, nice int) bool {
	return uint64(20-nice) <= q.Rlimit(rlimitNice).Cur || me.Capable(CapSysNice)
}

// Nice is the process's nice value.
func (p *Process) Nice() int { return p.attr().nice }

// SchedParam is what sched_setscheduler and sched_setparam set.
type SchedParam struct {
	Policy   int // SCHED_*, with SchedResetOnFork; -1: keep (sched_setparam)
	Priority int
}

// SchedTarget is find_process_by_pid: the caller for 0, else a
// thread's process or a process (a zombie too); ESRCH otherwise.
func (t *Thread) SchedTarget(pid int) (*Process, error) {
	if pid == 0 {
		return t.P, nil
	}
	if th := t.P.k.Thread(pid); th != nil {
		return th.P, nil
	}
	if q := t.P.k.Process(pid); q != nil {
		return q, nil // a zombie until reaped, or init (the runner, with no threads)
	}
	return nil, abi.ESRCH
}

// validPolicy is valid_policy.
func validPolicy(p int) bool {
	switch p {
	case SchedNormal, SchedFIFO, SchedRR, SchedBatch, SchedIdle, SchedDeadline:
		return true
	}
	return false
}

func rtPolicy(p int) bool { return p == SchedFIFO || p == SchedRR }

// SetScheduler is __sched_setscheduler for a policy and priority given
// the old way (sched_setscheduler, sched_setparam): the policy, the
// priority's range for it, then the caller's rights
// (user_check_sched_setscheduler) unless it has CAP_SYS_NICE.
func (t *Thread) SetScheduler(q *Process, sp SchedParam) error {
	old := q.attr()
	policy, reset := sp.Policy, false
	if policy < 0 {
		policy, reset = old.policy, old.resetOnFork
	} else {
		reset = policy&SchedResetOnFork != 0
		policy &^= SchedResetOnFork
		if !validPolicy(policy) {
			return abi.EINVAL
		}
	}
	prio := uint32(sp.Priority)
	if prio > maxRTPrio-1 || policy == SchedDeadline || rtPolicy(policy) != (prio != 0) {
		return abi.EINVAL // a deadline task needs sched_setattr's parameters
	}
	me := t.P.Cred()
	if !me.Capable(CapSysNice) && !t.maySetScheduler(me, q, old, policy, int(prio), reset) {
		return abi.EPERM
	}
	q.setAttr(func(a *procAttr) { a.policy, a.rtPrio, a.resetOnFork = policy, int(prio), reset })
	return nil
}

// maySetScheduler is user_check_sched_setscheduler's rules for a caller
// without CAP_SYS_NICE.
func (t *Thread) maySetScheduler(me *Cred, q *Process, old procAttr, policy, prio int, reset bool) bool {
	if rtPolicy(policy) {
		lim := q.Rlimit(rlimitRTPri).Cur
		if policy != old.policy && lim == 0 {
			return false
		}
		if prio > old.rtPrio && uint64(prio) > lim {
			return false
		}
	}
	if old.policy == SchedIdle && policy != SchedIdle && !canNice(me, q, old.nice) {
		return false
	}
	qc := q.Cred()
	if me.EUID != qc.EUID && me.EUID != qc.UID {
		return false // check_same_owner
	}
	return !old.resetOnFork || reset
}

// Scheduler is sched_getscheduler's answer: the policy, with
// SCHED_RESET_ON_FORK when that is set.
func (p *Process) Scheduler() int {
	a := p.attr()
	if a.resetOnFork {
		return a.policy | SchedResetOnFork
	}
	return a.policy
}

// RTPriority is sched_getparam's sched_priority.
func (p *Process) RTPriority() int { return p.attr().rtPrio }

// RRInterval is sched_rr_get_interval's time slice in nanoseconds:
// RR_TIMESLICE for SCHED_RR, 0 for SCHED_FIFO, and for the fair
// policies the slice of a lone task (sysctl_sched_base_slice, 3 ms
// on Linux 6.6+, rounded to jiffies at HZ=250: 4 ms).
func (p *Process) RRInterval() int64 {
	switch p.attr().policy {
	case SchedRR:
		return RRTimeslice
	case SchedFIFO:
		return 0
	}
	return 4_000_000
}

// MaySetAffinity is sched_setaffinity's permission: the same owner
// (check_same_owner) or CAP_SYS_NICE.
func (p *Process) MaySetAffinity(q *Process) bool {
	me, qc := p.Cred(), q.Cred()
	return me.EUID == qc.EUID || me.EUID == qc.UID || me.Capable(CapSysNice)
}

// I/O priority classes and targets (include/uapi/linux/ioprio.h).
const (
	IOPrioClassNone  = 0
	IOPrioClassRT    = 1
	IOPrioClassBE    = 2
	IOPrioClassIdle  = 3
	IOPrioWhoProcess = 1
	IOPrioWhoPgrp    = 2
	IOPrioWhoUser    = 3
	ioprioClassShift = 13
)

// checkIOPrio is ioprio_check_cap: the class (RT needs CAP_SYS_NICE or
// CAP_SYS_ADMIN), and for IOPRIO_CLASS_NONE a level of 0. The level is
// the low three bits; the bits above it are hints, which pass.
func checkIOPrio(c *Cred, ioprio int) error {
	class, level := (ioprio>>ioprioClassShift)&7, ioprio&7
	switch class {
	case IOPrioClassRT:
		if !c.Capable(CapSysNice) && !c.Capable(CapSysAdmin) {
			return abi.EPERM
		}
	case IOPrioClassBE, IOPrioClassIdle:
	case IOPrioClassNone:
		if level != 0 {
			return abi.EINVAL
		}
	default:
		return abi.EINVAL
	}
	return nil
}

// ioTargets are ioprio's targets (which is IOPRIO_WHO_*); EINVAL for
// another which.
func (t *Thread) ioTargets(which, who int) ([]*Process, error) {
	if which < IOPrioWhoProcess || which > IOPrioWhoUser {
		return nil, abi.EINVAL
	}
	return t.priorityTargets(which-1, who)
}

// SetIOPrio is ioprio_set(2): the value's class and rights first, then
// each target (set_task_ioprio: the caller's real or effective UID is
// the target's real one, or CAP_SYS_NICE); ESRCH when none matched.
func (t *Thread) SetIOPrio(which, who, ioprio int) error {
	me := t.P.Cred()
	if err := checkIOPrio(me, ioprio); err != nil {
		return err
	}
	ps, err := t.ioTargets(which, who)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return abi.ESRCH
	}
	for _, q := range ps {
		if qc := q.Cred(); qc.UID != me.EUID && qc.UID != me.UID && !me.Capable(CapSysNice) {
			return abi.EPERM
		}
		q.setAttr(func(a *procAttr) { a.ioprio = ioprio })
	}
	return nil
}

// GetIOPrio is ioprio_get(2): the one target's value, or the best of
// several (ioprio_best); a process that set none has IOPRIO_CLASS_NONE
// level 0 (IOPRIO_DEFAULT).
func (t *Thread) GetIOPrio(which, who int) (int, error) {
	ps, err := t.ioTargets(which, who)
	if err != nil {
		return 0, err
	}
	if len(ps) == 0 {
		return 0, abi.ESRCH
	}
	best := -1
	for _, q := range ps {
		v := q.attr().ioprio
		if best < 0 {
			best = v
		} else {
			best = ioprioBest(best, v)
		}
	}
	return best, nil
}

// ioprioBest is ioprio_best: a class-less value counts as best-effort
// level 4 (IOPRIO_BE_NORM), and the lower value wins.
func ioprioBest(a, b int) int {
	norm := func(v int) int {
		if c := v >> ioprioClassShift; c == IOPrioClassNone || c > IOPrioClassIdle {
			return IOPrioClassBE<<ioprioClassShift | 4
		}
		return v
	}
	return min(norm(a), norm(b))
}

// Parent-death signals, subreapers, dumpability and no_new_privs
// (prctl).

// SetPdeathSignal is PR_SET_PDEATHSIG: 0 or a valid signal.
func (p *Process) SetPdeathSignal(sig int) error {
	if sig < 0 || sig > NSIG {
		return abi.EINVAL
	}
	p.setAttr(func(a *procAttr) { a.pdeathSig = sig })
	return nil
}

// PdeathSignal is PR_GET_PDEATHSIG's value.
func (p *Process) PdeathSignal() int { return p.attr().pdeathSig }

// SetChildSubreaper is PR_SET_CHILD_SUBREAPER: orphaned descendants
// are given to the nearest subreaper ancestor instead of init.
func (p *Process) SetChildSubreaper(on bool) { p.setAttr(func(a *procAttr) { a.subreaper = on }) }

// ChildSubreaper is PR_GET_CHILD_SUBREAPER's value.
func (p *Process) ChildSubreaper() bool { return p.attr().subreaper }

// SetDumpable is PR_SET_DUMPABLE (0 or 1).
func (p *Process) SetDumpable(on bool) { p.setAttr(func(a *procAttr) { a.undumpable = !on }) }

// Dumpable is PR_GET_DUMPABLE's value.
func (p *Process) Dumpable() bool { return !p.attr().undumpable }

// SetNoNewPrivs is PR_SET_NO_NEW_PRIVS: once set it stays, through fork
// and exec. Set-user-ID bits still apply at exec here (partial).
func (p *Process) SetNoNewPrivs() { p.setAttr(func(a *procAttr) { a.noNewPrivs = true }) }

// NoNewPrivs is PR_GET_NO_NEW_PRIVS's value.
func (p *Process) NoNewPrivs() bool { return p.attr().noNewPrivs }

// Persona is the execution domain personality(2) keeps.
func (p *Process) Persona() uint32 { return p.attr().persona }

// SetPersona is personality(2): the old value back; 0xffffffff only
// asks.
func (p *Process) SetPersona(v uint32) uint32 {
	var old uint32
	p.setAttr(func(a *procAttr) {
		old = a.persona
		if v != 0xffffffff {
			a.persona = v
		}
	})
	return old
}

// reaperLocked is find_new_reaper: the nearest ancestor of p that is a
// child subreaper and not exiting, else init. k.mu is held.
func (k *Kernel) reaperLocked(p *Process) *Process {
	for a := p.parent; a != nil && a != k.init; a = a.parent {
		if !a.isExiting() && a.attr().subreaper {
			return a
		}
	}
	return k.init
}

// parentDied sends each child its parent-death signal (the
// pdeath_signal forget_original_parent sends).
func (p *Process) notifyParentDeath(children []*Process) {
	for _, c := range children {
		if sig := c.PdeathSignal(); sig != 0 {
			c.Signal(SigInfo{Signo: sig, Code: SI_USER, Pid: p.pid})
		}
	}
}
