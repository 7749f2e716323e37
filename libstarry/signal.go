package libstarry

import (
	"sync"

	"github.com/starry-go/starry/personality/linux/abi"
)

// Signal numbers and si_codes used by the library OS (x/sys/unix has the
// numbers as abi.Signal; these are plain ints for the ABI).
const (
	SIGTRAP = int(abi.SIGTRAP)
	SIGILL  = int(abi.SIGILL)
	SIGBUS  = int(abi.SIGBUS)
	SIGFPE  = int(abi.SIGFPE)
	SIGKILL = int(abi.SIGKILL)
	SIGSEGV = int(abi.SIGSEGV)
	SIGSTOP = int(abi.SIGSTOP)
	NSIG    = 64

	SEGV_MAPERR = 1 // si_codes (include/uapi/asm-generic/siginfo.h)
	SEGV_ACCERR = 2
	BUS_ADRERR  = 2
	SI_USER     = 0
	SI_KERNEL   = 0x80
	ILL_ILLOPN  = 2
	FPE_INTDIV  = 1
	FPE_FLTINV  = 7
	BUS_ADRALN  = 1

	SIG_DFL = 0
	SIG_IGN = 1

	SA_ONSTACK   = 0x08000000
	SA_RESTORER  = 0x04000000
	SA_NODEFER   = 0x40000000
	SA_RESETHAND = 0x80000000
	SA_SIGINFO   = 4

	SS_ONSTACK  = 1
	SS_DISABLE  = 2
	MINSIGSTKSZ = 2048
)

// SigInfo is the siginfo a handler receives: the fields used here.
type SigInfo struct {
	Signo, Code int
	Addr        uint64 // si_addr for faults
	Pid, UID    int    // sender, for kill
}

// SigAction is struct sigaction as the x86-64 kernel ABI has it
// (k_sigaction: handler, flags, restorer, mask).
type SigAction struct {
	Handler, Flags, Restorer, Mask uint64
}

// AltStack is stack_t (sigaltstack).
type AltStack struct {
	SP    uint64
	Flags int32
	Size  uint64
}

// signals is the process's signal state: handlers (sighand_struct) and
// the shared pending set with the siginfo of each pending signal.
type signals struct {
	mu       sync.Mutex
	actions  [NSIG + 1]SigAction
	pending  uint64
	infos    [NSIG + 1]SigInfo
	incoming chan struct{} // a signal became pending (wakes sleepers)
}

func bit(sig int) uint64 { return 1 << (sig - 1) }

// unblockable are SIGKILL and SIGSTOP, which no mask or handler affects.
var unblockable = bit(SIGKILL) | bit(SIGSTOP)

// defaultIgnored are the signals whose default action is to do nothing
// (sig_kernel_ignore_mask); the stop signals join them, as there is no
// job control here.
func defaultIgnored(sig int) bool {
	switch abi.Signal(sig) {
	case abi.SIGCHLD, abi.SIGCONT, abi.SIGURG, abi.SIGWINCH,
		abi.SIGSTOP, abi.SIGTSTP, abi.SIGTTIN, abi.SIGTTOU:
		return true
	}
	return false
}

// SigAction reads and optionally sets a handler (do_sigaction).
func (p *Process) SigAction(sig int, act *SigAction) (SigAction, error) {
	if sig < 1 || sig > NSIG || (act != nil && bit(sig)&unblockable != 0) {
		return SigAction{}, abi.EINVAL
	}
	s := &p.sig
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.actions[sig]
	if act != nil {
		a := *act
		a.Mask &^= unblockable
		s.actions[sig] = a
		if a.Handler == SIG_IGN || (a.Handler == SIG_DFL && defaultIgnored(sig)) {
			s.pending &^= bit(sig) // POSIX: setting SIG_IGN discards pending
		}
	}
	return old, nil
}

// SigProcMask changes the thread's blocked set (sigprocmask).
func (t *Thread) SigProcMask(how int, set *uint64) (uint64, error) {
	old := t.sigmask
	if set == nil {
		return old, nil
	}
	switch how {
	case abi.SIG_BLOCK:
		t.sigmask |= *set
	case abi.SIG_UNBLOCK:
		t.sigmask &^= *set
	case abi.SIG_SETMASK:
		t.sigmask = *set
	default:
		return old, abi.EINVAL
	}
	t.sigmask &^= unblockable
	return old, nil
}

// SigAltStack reads and optionally sets the alternate signal stack
// (do_sigaltstack): EPERM while running on it.
func (t *Thread) SigAltStack(ss *AltStack) (AltStack, error) {
	old := t.altstack
	sp := t.ctx.Regs.RSP
	onStack := old.Size != 0 && sp > old.SP && sp-old.SP <= old.Size
	if onStack {
		old.Flags = SS_ONSTACK
	} else if old.Size == 0 {
		old.Flags = SS_DISABLE
	}
	if ss == nil {
		return old, nil
	}
	switch {
	case onStack:
		return old, abi.EPERM
	case ss.Flags&^(SS_DISABLE|SS_ONSTACK) != 0:
		return old, abi.EINVAL
	case ss.Flags&SS_DISABLE != 0:
		t.altstack = AltStack{}
	case ss.Size < MINSIGSTKSZ:
		return old, abi.ENOMEM
	default:
		t.altstack = AltStack{SP: ss.SP, Size: ss.Size}
	}
	return old, nil
}

// Kill sends sig to the process, as kill(2) from outside would; SIGKILL
// and signals whose default action is fatal end it at once (the fatal
// fast path of Linux's complete_signal), waking any blocked call.
func (p *Process) Kill(sig int) {
	if sig < 1 || sig > NSIG {
		return
	}
	s := &p.sig
	s.mu.Lock()
	act := s.actions[sig]
	fatal := sig == SIGKILL || (act.Handler == SIG_DFL && !defaultIgnored(sig))
	ignored := act.Handler == SIG_IGN || (act.Handler == SIG_DFL && defaultIgnored(sig))
	if !fatal && !ignored {
		s.pending |= bit(sig)
		s.infos[sig] = SigInfo{Signo: sig, Code: SI_USER}
	}
	s.mu.Unlock()
	if fatal {
		p.Exit(ExitStatus{Signal: sig})
		return
	}
	select {
	case p.sig.wakeup() <- struct{}{}:
	default:
	}
}

// Interrupted yields a value when a signal has become pending: blocking
// calls select on it (with Dying) to return EINTR.
func (p *Process) Interrupted() <-chan struct{} { return p.sig.wakeup() }

func (s *signals) wakeup() chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.incoming == nil {
		s.incoming = make(chan struct{}, 1)
	}
	return s.incoming
}

// force delivers a synchronous fault signal (force_sig_info): if the
// handler is SIG_IGN or the signal blocked, the handler is reset to
// SIG_DFL and the signal unblocked, so a fault can never be ignored.
func (t *Thread) force(info SigInfo) {
	s := &t.P.sig
	s.mu.Lock()
	act := s.actions[info.Signo]
	if act.Handler == SIG_IGN || t.sigmask&bit(info.Signo) != 0 {
		act.Handler = SIG_DFL
		s.actions[info.Signo] = act
		t.sigmask &^= bit(info.Signo)
	}
	s.mu.Unlock()
	t.dispatch(info, act)
}

// deliverPending takes the lowest pending unblocked signal, if any, and
// acts on it (get_signal).
func (t *Thread) deliverPending() {
	s := &t.P.sig
	s.mu.Lock()
	ready := s.pending &^ t.sigmask
	if ready == 0 {
		s.mu.Unlock()
		return
	}
	sig := 1
	for ready&bit(sig) == 0 {
		sig++
	}
	s.pending &^= bit(sig)
	info, act := s.infos[sig], s.actions[sig]
	s.mu.Unlock()
	t.dispatch(info, act)
}

// dispatch performs the action for a signal being delivered.
func (t *Thread) dispatch(info SigInfo, act SigAction) {
	switch {
	case act.Handler == SIG_IGN:
	case act.Handler == SIG_DFL && defaultIgnored(info.Signo):
	case act.Handler == SIG_DFL:
		t.P.Exit(ExitStatus{Signal: info.Signo})
	default:
		if !t.setupFrame(info, act) {
			// handle_signal: a frame that cannot be written is SIGSEGV.
			t.P.Exit(ExitStatus{Signal: SIGSEGV})
		}
	}
}
