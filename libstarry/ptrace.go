package libstarry

import (
	"encoding/binary"

	"github.com/starry-go/starry/personality/linux/abi"
)

// Process tracing (kernel/ptrace.c): a tracer process attaches to a
// thread; the thread then stops at each signal it is about to take (a
// signal-delivery-stop), at exec, and, when asked, at system call entry
// and exit. The tracer sees the stops through wait, reads and writes the
// tracee's registers and memory while it is stopped, and resumes it,
// choosing which signal, if any, it then takes.

// CLD_TRAPPED is the si_code of a SIGCHLD for a tracing stop.
const CLD_TRAPPED = 4

// Options a tracer may set (PTRACE_SETOPTIONS): the ones implemented.
const (
	PtraceOSysGood  = 1       // syscall stops report SIGTRAP|0x80
	PtraceOFork     = 1 << 1  // trace fork children
	PtraceOVfork    = 1 << 2  // trace vfork children
	PtraceOClone    = 1 << 3  // trace clone children
	PtraceOExec     = 1 << 4  // an event stop at exec instead of SIGTRAP
	PtraceOExitKill = 1 << 20 // SIGKILL the tracee when the tracer exits
	ptraceOKnown    = PtraceOSysGood | PtraceOFork | PtraceOVfork | PtraceOClone | PtraceOExec | PtraceOExitKill
)

// Event numbers in a stop's status (status>>16) and PTRACE_GETEVENTMSG.
const (
	PtraceEventFork  = 1
	PtraceEventVfork = 2
	PtraceEventClone = 3
	PtraceEventExec  = 4
	PtraceEventStop  = 128
)

// How a tracer resumes its tracee.
const (
	ResumeCont    = iota // PTRACE_CONT
	ResumeSyscall        // PTRACE_SYSCALL: stop at the next entry or exit
	ResumeStep           // PTRACE_SINGLESTEP: stop after one instruction
)

// tracee is the tracing link of one thread: its tracer and the stop it
// is in. Guarded by Kernel.mu.
type tracee struct {
	tracer    *Process
	seized    bool   // PTRACE_SEIZE: no SIGSTOP at attach, event stops for interrupts
	options   uint64 // PTRACE_O_*
	mode      int    // Resume*: how it was last resumed
	interrupt bool   // PTRACE_INTERRUPT asked for a stop

	stopped   bool          // in a tracing stop
	report    bool          // the stop, or the exit, is yet to be reported by wait
	status    int           // its wait status: 0x7f | sig<<8 | event<<16
	info      SigInfo       // PTRACE_GETSIGINFO: the signal of a signal-delivery-stop
	resume    chan struct{} // closed when the tracer lets it go on
	resumeSig int           // the signal it then takes (0: none)
	msg       uint64        // PTRACE_GETEVENTMSG
	trapped   chan struct{} // closed at the first stop after the attach
	exited    bool          // the tracee is gone; its exit is reported to the tracer
	exitSt    ExitStatus
}

// Traced reports whether a tracer is attached to t.
func (t *Thread) Traced() bool { return t.traced.Load() }

// PtraceTraceMe makes the thread's parent its tracer (PTRACE_TRACEME):
// EPERM when it is traced already, or when the parent is the kernel's
// runner, which never waits for tracing stops.
func (t *Thread) PtraceTraceMe() error {
	k := t.P.k
	k.mu.Lock()
	defer k.mu.Unlock()
	parent := t.P.parent
	if t.trace != nil || parent == nil || parent == k.runnerProc() || parent.zombie {
		return abi.EPERM
	}
	k.linkLocked(t, parent, false, 0)
	return nil
}

// PtraceAttach makes t's process the tracer of thread tid (PTRACE_ATTACH
// and, with seize, PTRACE_SEIZE), in ptrace_attach's order: ESRCH for no
// such thread, EPERM for a thread of the caller's own process, one not
// to be traced by this caller's credentials, or one traced already.
// ATTACH sends the tracee SIGSTOP, which it stops on.
func (t *Thread) PtraceAttach(tid int, seize bool, options uint64) error {
	if seize && options&^ptraceOKnown != 0 {
		return abi.EINVAL
	}
	k := t.P.k
	target := k.Thread(tid)
	if target == nil {
		return abi.ESRCH
	}
	if target.P == t.P || target.P == k.runnerProc() || !t.P.MayAttach(target.P) {
		return abi.EPERM
	}
	k.mu.Lock()
	if target.trace != nil || target.P.zombie || target.P.isExiting() {
		k.mu.Unlock()
		return abi.EPERM
	}
	k.linkLocked(target, t.P, seize, options)
	trapped := target.trace.trapped
	k.mu.Unlock()
	if !seize {
		target.Signal(SigInfo{Signo: SIGSTOP, Code: SI_USER, Pid: t.P.pid, UID: int(t.P.Cred().UID)})
	}
	target.P.mu.Lock()
	st := target.P.stop
	target.P.mu.Unlock()
	if st.stopped { // a stopped tracee is in its tracing stop when attach returns
		select {
		case <-trapped:
		case <-st.cont:
		case <-target.P.dying:
		}
	}
	return nil
}

// linkLocked attaches tracer to t (ptrace_link); k.mu is held.
func (k *Kernel) linkLocked(t *Thread, tracer *Process, seize bool, options uint64) {
	t.trace = &tracee{tracer: tracer, seized: seize, options: options, trapped: make(chan struct{})}
	t.traced.Store(true)
	if t.kick != nil {
		close(t.kick) // out of a group stop, to trap
		t.kick = nil
	}
	if tracer.tracees == nil {
		tracer.tracees = map[*Thread]bool{}
	}
	tracer.tracees[t] = true
}

// unlinkLocked detaches t from its tracer (__ptrace_unlink); k.mu is held.
func (k *Kernel) unlinkLocked(t *Thread) {
	tr := t.trace
	if tr == nil {
		return
	}
	delete(tr.tracer.tracees, t)
	t.trace = nil
	t.traced.Store(false)
}

// Tracee finds thread tid for a request of t's process that needs it
// traced by this process (ptrace_check_attach): ESRCH when it is not,
// or when stopped is asked for and it is not in a tracing stop.
func (t *Thread) Tracee(tid int, stopped bool) (*Thread, error) {
	k := t.P.k
	k.mu.Lock()
	defer k.mu.Unlock()
	target := k.threads[tid]
	if target == nil || target.trace == nil || target.trace.tracer != t.P || target.trace.exited {
		return nil, abi.ESRCH
	}
	if stopped && !target.trace.stopped {
		return nil, abi.ESRCH
	}
	return target, nil
}

// PtraceResume lets a stopped tracee go on with sig (0: none), in mode;
// detach ends the tracing too (PTRACE_CONT, SYSCALL, SINGLESTEP, DETACH).
func (t *Thread) PtraceResume(target *Thread, mode, sig int, detach bool) error {
	if sig < 0 || sig > NSIG {
		return abi.EIO
	}
	k := t.P.k
	k.mu.Lock()
	tr := target.trace
	if tr == nil || tr.tracer != t.P {
		k.mu.Unlock()
		return abi.ESRCH
	}
	tr.mode = mode
	if detach {
		tr.mode = ResumeCont
		k.unlinkLocked(target)
	}
	wake := tr.stopped
	if wake {
		tr.stopped, tr.report, tr.resumeSig = false, false, sig
		close(tr.resume)
	}
	k.mu.Unlock()
	if !wake && detach && sig != 0 {
		target.Signal(SigInfo{Signo: sig, Code: SI_USER, Pid: t.P.pid}) // a running tracee
	}
	return nil
}

// PtraceInterrupt asks a seized tracee to stop (PTRACE_INTERRUPT): EIO
// for one attached without PTRACE_SEIZE.
func (t *Thread) PtraceInterrupt(target *Thread) error {
	k := t.P.k
	k.mu.Lock()
	tr := target.trace
	if tr == nil || !tr.seized {
		k.mu.Unlock()
		return abi.EIO
	}
	tr.interrupt = true
	k.mu.Unlock()
	target.poke()
	return nil
}

// PtraceSetOptions sets the tracing options: EINVAL for unknown ones.
func (t *Thread) PtraceSetOptions(target *Thread, options uint64) error {
	if options&^ptraceOKnown != 0 {
		return abi.EINVAL
	}
	t.withTrace(target, func(tr *tracee) { tr.options = options })
	return nil
}

// PtraceStopInfo is the siginfo of a tracee's stop (PTRACE_GETSIGINFO)
// and the message of its last event (PTRACE_GETEVENTMSG).
func (t *Thread) PtraceStopInfo(target *Thread) (info SigInfo, msg uint64) {
	t.withTrace(target, func(tr *tracee) { info, msg = tr.info, tr.msg })
	return info, msg
}

// PtraceSetSigInfo replaces the signal a tracee in a
// signal-delivery-stop will take (PTRACE_SETSIGINFO).
func (t *Thread) PtraceSetSigInfo(target *Thread, info SigInfo) {
	t.withTrace(target, func(tr *tracee) { tr.info = info })
}

func (t *Thread) withTrace(target *Thread, f func(*tracee)) {
	k := t.P.k
	k.mu.Lock()
	defer k.mu.Unlock()
	if tr := target.trace; tr != nil && tr.tracer == t.P {
		f(tr)
	}
}

// ptraceStop parks the thread in a tracing stop (ptrace_stop) with wait
// status status until its tracer resumes it, or the process dies. It
// returns the signal the tracer resumed it with, and false when the
// thread was not traced or is dying.
func (t *Thread) ptraceStop(status int, info SigInfo, msg uint64) (int, bool) {
	k := t.P.k
	k.mu.Lock()
	tr := t.trace
	if tr == nil || t.P.isExiting() {
		k.mu.Unlock()
		return 0, false
	}
	tr.stopped, tr.report, tr.status, tr.info, tr.msg = true, true, status, info, msg
	tr.resume = make(chan struct{})
	if tr.trapped != nil {
		close(tr.trapped) // an attach waiting for its first stop
		tr.trapped = nil
	}
	tracer, resume := tr.tracer, tr.resume
	k.mu.Unlock()
	sig := status >> 8 & 0xff
	if act := tracer.sigh.get(SIGCHLD); act.Flags&SA_NOCLDSTOP == 0 {
		tracer.Signal(SigInfo{Signo: SIGCHLD, Code: CLD_TRAPPED, Pid: t.tid, Status: sig})
	}
	tracer.childWait.Notify()
	select {
	case <-resume:
	case <-t.P.dying:
		return 0, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return tr.resumeSig, true
}

// ptraceSignal is ptrace_signal: a traced thread about to take info
// stops first; the tracer decides what it takes. It returns the signal
// to act on, or false when there is none (suppressed, requeued because
// it is blocked now, or the thread is dying).
func (t *Thread) ptraceSignal(info SigInfo) (SigInfo, bool) {
	sig, ok := t.ptraceStop(0x7f|info.Signo<<8, info, 0)
	if !ok || sig == 0 {
		return SigInfo{}, false
	}
	k := t.P.k
	k.mu.Lock()
	if tr := t.trace; tr != nil {
		info = tr.info // PTRACE_SETSIGINFO may have changed it
		if sig != info.Signo {
			info = SigInfo{Signo: sig, Code: SI_USER, Pid: tr.tracer.pid, UID: int(tr.tracer.Cred().UID)}
		}
	} else if sig != info.Signo {
		info = SigInfo{Signo: sig, Code: SI_USER}
	}
	k.mu.Unlock()
	if t.sigmask&bit(sig) != 0 {
		t.Signal(info) // blocked now: it waits, as any blocked signal
		return SigInfo{}, false
	}
	return info, true
}

// ptraceInterrupted takes a PTRACE_INTERRUPT request: the thread stops
// in a PTRACE_EVENT_STOP until resumed.
func (t *Thread) ptraceInterrupted() {
	k := t.P.k
	k.mu.Lock()
	tr := t.trace
	asked := tr != nil && tr.interrupt
	if asked {
		tr.interrupt = false
	}
	k.mu.Unlock()
	if asked {
		t.ptraceStop(0x7f|SIGTRAP<<8|PtraceEventStop<<16, SigInfo{Signo: SIGTRAP, Code: SI_USER}, 0)
	}
}

// traceMode is how the thread was last resumed, and its options.
func (t *Thread) traceMode() (mode int, options uint64) {
	if !t.Traced() {
		return ResumeCont, 0
	}
	k := t.P.k
	k.mu.Lock()
	defer k.mu.Unlock()
	if tr := t.trace; tr != nil {
		return tr.mode, tr.options
	}
	return ResumeCont, 0
}

// ptraceEvent stops at an event the tracer asked for with option
// (ptrace_event); without it, an exec raises SIGTRAP as Linux does for
// a tracer that did not ask.
func (t *Thread) ptraceEvent(event int, option uint64, msg uint64) {
	if !t.Traced() {
		return
	}
	_, options := t.traceMode()
	switch {
	case options&option != 0:
		t.ptraceStop(0x7f|SIGTRAP<<8|event<<16, SigInfo{Signo: SIGTRAP, Code: SI_USER}, msg)
	case event == PtraceEventExec:
		t.Signal(SigInfo{Signo: SIGTRAP, Code: SI_USER})
	}
}

// syscallStop is the stop at a system call's entry or exit while the
// tracer asked for them (ptrace_report_syscall): SIGTRAP, |0x80 with
// PTRACE_O_TRACESYSGOOD. A signal the tracer resumes with is sent.
func (t *Thread) syscallStop() {
	mode, options := t.traceMode()
	if mode != ResumeSyscall {
		return
	}
	sig := SIGTRAP
	if options&PtraceOSysGood != 0 {
		sig |= 0x80
	}
	if s, ok := t.ptraceStop(0x7f|sig<<8, SigInfo{Signo: SIGTRAP, Code: SIGTRAP | 0x80}, 0); ok && s != 0 {
		t.Signal(SigInfo{Signo: s, Code: SI_USER})
	}
}

// syscall serves a system call, with the tracer's entry and exit stops
// around it when it asked for them (syscall_trace_enter): at the entry
// stop RAX reads -ENOSYS and orig_rax the number, which the tracer may
// change; -1 skips the call, leaving RAX as the tracer set it.
func (t *Thread) syscall() {
	r := &t.ctx.Regs
	t.origRAX = r.RAX
	if !t.Traced() {
		t.P.sys(t)
		return
	}
	if mode, _ := t.traceMode(); mode == ResumeSyscall {
		r.RAX = negENOSYS
		t.syscallStop()
		if t.P.isExiting() {
			return
		}
		if t.origRAX != ^uint64(0) {
			r.RAX = t.origRAX
			t.P.sys(t)
		}
	} else {
		t.P.sys(t)
	}
	t.syscallStop()
}

// OrigRAX is the system call number of the thread's last system call
// trap, ^0 after another trap (user_regs_struct's orig_rax).
func (t *Thread) OrigRAX() uint64 { return t.origRAX }

// SetOrigRAX changes it, as a tracer may at the entry stop.
func (t *Thread) SetOrigRAX(v uint64) { t.origRAX = v }

// forceTraced is force for a traced thread: the fault signal is made
// unignorable and unblocked as force does, then queued, so the tracer
// sees it at its signal-delivery-stop before the thread acts on it.
func (t *Thread) forceTraced(info SigInfo) {
	h := t.P.sigh
	blocked := t.sigmask&bit(info.Signo) != 0
	h.mu.Lock()
	if h.actions[info.Signo].Handler == SIG_IGN || blocked {
		h.actions[info.Signo].Handler = SIG_DFL
	}
	h.mu.Unlock()
	if blocked {
		t.setMask(t.sigmask &^ bit(info.Signo))
	}
	t.Signal(info)
}

// negENOSYS is -ENOSYS in RAX: what a syscall-entry-stop shows.
var negENOSYS = ^uint64(abi.ENOSYS) + 1

// SetUserRFLAGS sets the RFLAGS bits user code may change (putreg's
// set_flags); the others keep their value.
func (t *Thread) SetUserRFLAGS(v uint64) {
	r := &t.ctx.Regs
	r.RFLAGS = r.RFLAGS&^userEflags | v&userEflags
}

// SetFPRegs replaces the FXSAVE image (PTRACE_SETFPREGS) with MXCSR's
// reserved bits cleared, so the state can always be loaded again.
func (t *Thread) SetFPRegs(fx [512]byte) {
	le := binary.LittleEndian
	le.PutUint32(fx[mxcsrOff:], le.Uint32(fx[mxcsrOff:])&mxcsrMask)
	t.ctx.Regs.FX = fx
	t.ctx.Regs.FPChanged()
}

// SigMask is the thread's blocked set (PTRACE_GETSIGMASK).
func (t *Thread) SigMask() uint64 { return t.sigmask }

// SetSigMaskOf replaces a stopped tracee's blocked set for it
// (PTRACE_SETSIGMASK); SIGKILL and SIGSTOP stay unblocked.
func (t *Thread) SetSigMaskOf(mask uint64) { t.setMask(mask) }
