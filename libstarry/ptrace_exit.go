package libstarry

import "github.com/starry-go/starry/personality/linux/abi"

// Tracing's part of wait and exit: a tracer waits for its tracees'
// stops and exits as for its children's, and the link ends when either
// side goes.

// waitTraceesLocked reports a tracee's stop or exit to its tracer's
// wait (wait_task_stopped with ptrace set: no WUNTRACED needed); any
// says whether some tracee matched o. k.mu is held.
func (k *Kernel) waitTraceesLocked(p *Process, o WaitOptions) (r WaitResult, any bool) {
	for t := range p.tracees {
		tr := t.trace
		if !o.matchesTracee(t) {
			continue
		}
		any = true
		switch {
		case tr.exited && tr.report && o.Exited:
			st := tr.exitSt
			r = WaitResult{Pid: t.tid, Status: st.waitStatus(), Code: CLD_EXITED, Value: st.Code}
			if st.Signal != 0 {
				r.Code, r.Value = st.killedCode(), st.Signal
			}
			if !o.NoWait {
				k.unlinkLocked(t) // the real parent reaps it
			}
			return r, true
		case tr.stopped && tr.report:
			r = WaitResult{Pid: t.tid, Status: tr.status, Code: CLD_TRAPPED, Value: tr.status >> 8 & 0xff}
			if !o.NoWait {
				tr.report = false
			}
			r.Usage = usageOf(t.P)
			return r, true
		}
	}
	return r, any
}

// matchesTracee is matches for a traced thread: a thread other than
// its process's first is a clone child (exit signal -1), seen only
// with __WCLONE or __WALL.
func (o WaitOptions) matchesTracee(t *Thread) bool {
	switch o.Which {
	case WaitPID:
		if t.tid != o.ID {
			return false
		}
	case WaitPGID:
		if t.P.pgid != o.ID {
			return false
		}
	}
	clone := t.tid != t.P.pid || t.P.exitSignal != SIGCHLD
	return o.All || clone == o.Clone
}

// ptraceExit ends t's tracing as it exits (exit_notify's ptrace part):
// a tracer other than the parent hears of the process's end through its
// wait; otherwise the link just goes. last says the process is ending.
func (t *Thread) ptraceExit(last bool) {
	if !t.Traced() {
		return
	}
	p, k := t.P, t.P.k
	p.mu.Lock()
	st := p.status
	p.mu.Unlock()
	k.mu.Lock()
	tr := t.trace
	if tr == nil {
		k.mu.Unlock()
		return
	}
	tracer := tr.tracer
	if !last || tracer == p.parent {
		k.unlinkLocked(t)
		k.mu.Unlock()
		return
	}
	tr.exited, tr.report, tr.stopped, tr.exitSt = true, true, false, st
	k.mu.Unlock()
	tracer.Signal(SigInfo{Signo: SIGCHLD, Code: st.killedCodeOrExit(), Pid: t.tid, Status: st.codeOrSignal()})
	tracer.childWait.Notify()
}

// killedCodeOrExit and codeOrSignal are a SIGCHLD's si_code and
// si_status for an end.
func (s ExitStatus) killedCodeOrExit() int {
	if s.Signal != 0 {
		return s.killedCode()
	}
	return CLD_EXITED
}

func (s ExitStatus) codeOrSignal() int {
	if s.Signal != 0 {
		return s.Signal
	}
	return s.Code
}

// exitPtrace lets every tracee of an exiting tracer go (exit_ptrace):
// detached and resumed, or killed when it asked for PTRACE_O_EXITKILL.
func (p *Process) exitPtrace() {
	k := p.k
	k.mu.Lock()
	var kill []*Process
	for t := range p.tracees {
		tr := t.trace
		if tr.options&PtraceOExitKill != 0 {
			kill = append(kill, t.P)
		}
		k.unlinkLocked(t)
		if tr.stopped {
			tr.stopped, tr.resumeSig = false, 0
			close(tr.resume)
		}
	}
	k.mu.Unlock()
	for _, v := range kill {
		v.Kill(SIGKILL)
	}
}

// ptraceChild makes a new child of a traced thread traced too when the
// tracer asked for its kind (ptrace_init_task with PTRACE_O_TRACE*),
// before it first runs: it starts with a SIGSTOP pending. It returns
// the event the parent then stops in (ptraceForked), 0 for none.
func (t *Thread) ptraceChild(child *Thread, a CloneArgs) int {
	if !t.Traced() || a.Flags&abi.CLONE_UNTRACED != 0 {
		return 0
	}
	event, option := PtraceEventFork, uint64(PtraceOFork)
	switch {
	case a.Flags&abi.CLONE_VFORK != 0:
		event, option = PtraceEventVfork, PtraceOVfork
	case a.Flags&abi.CLONE_THREAD != 0 || a.ExitSignal != SIGCHLD:
		event, option = PtraceEventClone, PtraceOClone
	}
	k := t.P.k
	k.mu.Lock()
	tr := t.trace
	follow := tr != nil && tr.options&option != 0
	if follow {
		k.linkLocked(child, tr.tracer, tr.seized, tr.options)
	}
	k.mu.Unlock()
	if !follow {
		return 0
	}
	child.Signal(SigInfo{Signo: SIGSTOP, Code: SI_USER})
	return event
}

// ptraceForked stops the parent in the event ptraceChild chose, with
// the child's ID as the message (ptrace_event_pid).
func (t *Thread) ptraceForked(event, tid int) {
	if event != 0 {
		t.ptraceStop(0x7f|SIGTRAP<<8|event<<16, SigInfo{Signo: SIGTRAP, Code: SI_USER}, uint64(tid))
	}
}

// trapGroupStop turns a group stop into a tracing stop for a traced
// thread, once per stop; it reports whether the thread may run on (the
// tracer resumed it, or took this stop already).
func (t *Thread) trapGroupStop(st stopState) bool {
	if !t.Traced() {
		return false
	}
	if t.trappedStop == st.cont {
		return true
	}
	t.trappedStop = st.cont
	t.ptraceStop(0x7f|st.sig<<8, SigInfo{Signo: st.sig, Code: SI_USER}, 0)
	return true
}

// attachKick is closed when a tracer attaches to the thread, waking it
// from a group stop to trap (the channel is made on first use).
func (t *Thread) attachKick() <-chan struct{} {
	k := t.P.k
	k.mu.Lock()
	defer k.mu.Unlock()
	if t.trace != nil {
		c := make(chan struct{})
		close(c)
		return c
	}
	if t.kick == nil {
		t.kick = make(chan struct{})
	}
	return t.kick
}
