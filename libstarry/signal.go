package libstarry

import (
	"sync"

	"github.com/starry-go/starry/personality/linux/abi"
)

// Signal numbers and si_codes used by the library OS (x/sys/unix has the
// numbers as abi.Signal; these are plain ints for the ABI).
const (
	SIGTRAP  = int(abi.SIGTRAP)
	SIGILL   = int(abi.SIGILL)
	SIGBUS   = int(abi.SIGBUS)
	SIGFPE   = int(abi.SIGFPE)
	SIGKILL  = int(abi.SIGKILL)
	SIGSEGV  = int(abi.SIGSEGV)
	SIGPIPE  = int(abi.SIGPIPE)
	SIGCHLD  = int(abi.SIGCHLD)
	SIGCONT  = int(abi.SIGCONT)
	SIGSTOP  = int(abi.SIGSTOP)
	NSIG     = 64
	SIGRTMIN = 32 // from here on, signals queue rather than coalesce

	SEGV_MAPERR   = 1 // si_codes (include/uapi/asm-generic/siginfo.h)
	SEGV_ACCERR   = 2
	BUS_ADRERR    = 2
	SI_USER       = 0
	SI_KERNEL     = 0x80
	SI_TKILL      = -6
	ILL_ILLOPN    = 2
	FPE_INTDIV    = 1
	FPE_FLTINV    = 7
	BUS_ADRALN    = 1
	CLD_EXITED    = 1
	CLD_KILLED    = 2
	CLD_DUMPED    = 3
	CLD_STOPPED   = 5
	CLD_CONTINUED = 6

	SIG_DFL = 0
	SIG_IGN = 1

	SA_NOCLDSTOP = 1
	SA_NOCLDWAIT = 2
	SA_SIGINFO   = 4
	SA_ONSTACK   = 0x08000000
	SA_RESTART   = 0x10000000
	SA_RESTORER  = 0x04000000
	SA_NODEFER   = 0x40000000
	SA_RESETHAND = 0x80000000

	SS_ONSTACK  = 1
	SS_DISABLE  = 2
	MINSIGSTKSZ = 2048
)

// SigInfo is the siginfo a handler receives: the fields used here.
type SigInfo struct {
	Signo, Code int
	Addr        uint64 // si_addr for faults
	Pid, UID    int    // the sender (kill), or the child (SIGCHLD)
	Status      int    // SIGCHLD: the exit code or the signal
	TimerID     int    // SI_TIMER: si_timerid (posixtimer.go)
	Overrun     int    // SI_TIMER: si_overrun
	Value       uint64 // si_value: SI_TIMER's sigev_value, SI_QUEUE's
	timer       *posixTimer
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

// sigHandlers are the actions (sighand_struct), shared by threads and
// by clones with CLONE_SIGHAND, copied by fork.
type sigHandlers struct {
	mu      sync.Mutex
	actions [NSIG + 1]SigAction
}

func (h *sigHandlers) get(sig int) SigAction {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.actions[sig]
}

// copy is fork's copy of the handlers.
func (h *sigHandlers) copy() *sigHandlers {
	h.mu.Lock()
	defer h.mu.Unlock()
	return &sigHandlers{actions: h.actions}
}

// resetForExec is flush_signal_handlers: handlers go back to SIG_DFL,
// SIG_IGN stays.
func (h *sigHandlers) resetForExec() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.actions {
		if h.actions[i].Handler != SIG_IGN {
			h.actions[i] = SigAction{}
		}
	}
}

// sigPending is a pending set (struct sigpending): standard signals are
// pending once, real-time ones queue one siginfo per send.
type sigPending struct {
	set   uint64
	infos [NSIG + 1][]SigInfo
}

func (q *sigPending) add(info SigInfo) {
	s := info.Signo
	if q.set&bit(s) != 0 && s < SIGRTMIN {
		return // a standard signal already pending coalesces
	}
	q.set |= bit(s)
	q.infos[s] = append(q.infos[s], info)
}

// take removes the lowest pending signal not in mask.
func (q *sigPending) take(mask uint64) (SigInfo, bool) {
	ready := q.set &^ mask
	if ready == 0 {
		return SigInfo{}, false
	}
	s := lowestSignal(ready)
	info := q.infos[s][0]
	if q.infos[s] = q.infos[s][1:]; len(q.infos[s]) == 0 {
		q.set &^= bit(s)
	}
	return info, true
}

func (q *sigPending) discard(sigs uint64) {
	for s := 1; s <= NSIG; s++ {
		if sigs&bit(s) != 0 {
			q.infos[s] = nil
		}
	}
	q.set &^= sigs
}

func lowestSignal(set uint64) int {
	s := 1
	for set&bit(s) == 0 {
		s++
	}
	return s
}

func bit(sig int) uint64 { return 1 << (sig - 1) }

// unblockable are SIGKILL and SIGSTOP, which no mask or handler affects.
var unblockable = bit(SIGKILL) | bit(SIGSTOP)

// The default actions (the sig_kernel_*_mask sets of kernel/signal.c).
var (
	defaultIgnore = bit(int(abi.SIGCHLD)) | bit(int(abi.SIGCONT)) | bit(int(abi.SIGURG)) | bit(int(abi.SIGWINCH))
	defaultStop   = bit(SIGSTOP) | bit(int(abi.SIGTSTP)) | bit(int(abi.SIGTTIN)) | bit(int(abi.SIGTTOU))
	defaultCore   = bit(int(abi.SIGQUIT)) | bit(SIGILL) | bit(SIGTRAP) | bit(int(abi.SIGABRT)) | bit(SIGBUS) |
		bit(SIGFPE) | bit(SIGSEGV) | bit(int(abi.SIGXCPU)) | bit(int(abi.SIGXFSZ)) | bit(int(abi.SIGSYS))
)

// ignored reports whether a signal would be thrown away on arrival
// (sig_ignored): SIG_IGN, or SIG_DFL whose default is to ignore.
func ignored(sig int, act SigAction) bool {
	return act.Handler == SIG_IGN || act.Handler == SIG_DFL && defaultIgnore&bit(sig) != 0
}

// fatal reports whether delivering sig with act ends the process.
func fatal(sig int, act SigAction) bool {
	return sig == SIGKILL || act.Handler == SIG_DFL && (defaultIgnore|defaultStop)&bit(sig) == 0
}

// SigAction reads and optionally sets a handler (do_sigaction). Setting
// a signal to be ignored throws away what is pending of it.
func (p *Process) SigAction(sig int, act *SigAction) (SigAction, error) {
	if sig < 1 || sig > NSIG || (act != nil && bit(sig)&unblockable != 0) {
		return SigAction{}, abi.EINVAL
	}
	h := p.sigh
	h.mu.Lock()
	old := h.actions[sig]
	if act != nil {
		a := *act
		a.Mask &^= unblockable
		h.actions[sig] = a
	}
	h.mu.Unlock()
	if act != nil && ignored(sig, *act) {
		p.mu.Lock()
		p.shared.discard(bit(sig))
		for t := range p.threads {
			t.pending.discard(bit(sig))
		}
		p.mu.Unlock()
	}
	return old, nil
}

// SigProcMask changes the thread's blocked set (sigprocmask).
func (t *Thread) SigProcMask(how int, set *uint64) (uint64, error) {
	old := t.sigmask
	if set == nil {
		return old, nil
	}
	mask := old
	switch how {
	case abi.SIG_BLOCK:
		mask |= *set
	case abi.SIG_UNBLOCK:
		mask &^= *set
	case abi.SIG_SETMASK:
		mask = *set
	default:
		return old, abi.EINVAL
	}
	t.setMask(mask)
	return old, nil
}

// ssAutoDisarm is SS_AUTODISARM: the stack is given up while a handler
// runs on it (and taken back by sigreturn's restore of uc_stack).
const ssAutoDisarm = 1 << 31

// onAltStack is on_sig_stack: sp is inside the stack (never, once armed
// with SS_AUTODISARM).
func (t *Thread) onAltStack(sp uint64) bool {
	a := t.altstack
	return uint32(a.Flags)&ssAutoDisarm == 0 && a.Size != 0 && sp > a.SP && sp-a.SP <= a.Size
}

// altFlags is what sigaltstack and signal frames report as ss_flags
// (sas_ss_flags): SS_DISABLE with no stack, SS_ONSTACK on it, with the
// SS_AUTODISARM bit as set.
func (t *Thread) altFlags(sp uint64) int32 {
	f := uint32(t.altstack.Flags) & ssAutoDisarm
	switch {
	case t.altstack.Size == 0:
		f |= SS_DISABLE
	case t.onAltStack(sp):
		f |= SS_ONSTACK
	}
	return int32(f)
}

// SigAltStack reads and optionally sets the alternate signal stack, as
// do_sigaltstack: EPERM while running on it, EINVAL for an unknown mode,
// nothing checked further when the stack asked for is the one there.
func (t *Thread) SigAltStack(ss *AltStack) (AltStack, error) {
	sp := t.ctx.Regs.RSP
	cur := t.altstack
	old := AltStack{SP: cur.SP, Size: cur.Size, Flags: t.altFlags(sp)}
	if ss == nil {
		return old, nil
	}
	mode := uint32(ss.Flags) &^ ssAutoDisarm
	switch {
	case t.onAltStack(sp):
		return old, abi.EPERM
	case mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE:
		return old, abi.EINVAL
	case *ss == cur:
	case mode == SS_DISABLE:
		t.altstack = AltStack{Flags: ss.Flags}
	case ss.Size < MINSIGSTKSZ:
		return old, abi.ENOMEM
	default:
		t.altstack = *ss
	}
	return old, nil
}

// Pending is the set of signals pending for the thread or its process
// that it blocks (rt_sigpending).
func (t *Thread) Pending() uint64 {
	t.P.mu.Lock()
	defer t.P.mu.Unlock()
	return (t.pending.set | t.P.shared.set) & t.sigmask
}
