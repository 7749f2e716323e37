package libstarry

import (
	"runtime"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/mm"
)

// Thread is one user thread: a CPU context in the process's Env, run by
// one goroutine, with the per-thread parts of Linux's task_struct.
type Thread struct {
	P        *Process
	ctx      *exo.Context
	tid      int
	sigmask  uint64 // blocked signals; bit n-1 is signal n
	altstack AltStack
	ClearTID uintptr  // set_tid_address
	Robust   uintptr  // set_robust_list head
	Comm     [16]byte // the name prctl(PR_SET_NAME) sets (task_struct.comm)
	exited   bool     // exit(2) ended this thread; only its goroutine reads it
}

func (p *Process) newThread(tid int) *Thread {
	t := &Thread{P: p, ctx: p.env.NewContext(), tid: tid}
	p.mu.Lock()
	p.threads[t] = true
	p.mu.Unlock()
	return t
}

// Dying and Interrupted make a thread an fd.Waiter: what ends a blocking
// call early.
func (t *Thread) Dying() <-chan struct{}       { return t.P.dying }
func (t *Thread) Interrupted() <-chan struct{} { return t.P.Interrupted() }

// TID is the thread ID (the PID for the first thread).
func (t *Thread) TID() int { return t.tid }

// Regs are the user registers as of the last trap; a syscall handler
// puts its result in RAX.
func (t *Thread) Regs() *exo.Regs { return &t.ctx.Regs }

// exiting reports whether the process is going away.
func (p *Process) isExiting() bool {
	select {
	case <-p.dying:
		return true
	default:
		return false
	}
}

// run is the thread's life: deliver pending signals, enter user mode,
// handle the trap that comes back, until the process exits.
func (t *Thread) run() {
	defer t.P.threadExited(t)
	for !t.P.isExiting() && !t.exited {
		t.deliverPending()
		if t.P.isExiting() {
			return
		}
		t.handle(t.ctx.Run())
	}
}

// handle dispatches one trap: syscalls to the personality, page faults
// to demand paging, other exceptions to signals (do_trap and friends).
func (t *Thread) handle(tr exo.Trap) {
	switch tr.Kind {
	case exo.TrapSyscall:
		t.P.sys(t)
	case exo.TrapPageFault:
		switch t.P.MM.Fault(tr.Addr, tr.Access) {
		case mm.FaultHandled:
		case mm.FaultNoMemory: // out of frames: Linux's OOM killer would pick us
			t.P.Exit(ExitStatus{Signal: SIGKILL})
		case mm.FaultUnmapped:
			t.force(SigInfo{Signo: SIGSEGV, Code: SEGV_MAPERR, Addr: uint64(tr.Addr)})
		case mm.FaultProtection:
			t.force(SigInfo{Signo: SIGSEGV, Code: SEGV_ACCERR, Addr: uint64(tr.Addr)})
		case mm.FaultPastEOF:
			t.force(SigInfo{Signo: SIGBUS, Code: BUS_ADRERR, Addr: uint64(tr.Addr)})
		}
	case exo.TrapException:
		t.exception(tr)
	case exo.TrapTimeSlice:
		runtime.Gosched()
	case exo.TrapInterrupt:
	default:
		t.P.Exit(ExitStatus{Signal: SIGKILL})
	}
}

// exception maps a CPU exception to its signal as arch/x86/kernel/traps.c
// does; a dead Env (vector -1) or an unknown vector kills the process.
func (t *Thread) exception(tr exo.Trap) {
	rip := t.ctx.Regs.RIP
	var info SigInfo
	switch tr.Vector {
	case 0: // #DE
		info = SigInfo{Signo: SIGFPE, Code: FPE_INTDIV, Addr: rip}
	case 1, 3: // #DB, #BP
		info = SigInfo{Signo: SIGTRAP, Code: SI_KERNEL}
	case 4: // #OF
		info = SigInfo{Signo: SIGSEGV, Code: SI_KERNEL}
	case 5, 10, 11, 12, 13: // #BR, #TS, #NP, #SS, #GP
		info = SigInfo{Signo: SIGSEGV, Code: SI_KERNEL}
	case 6: // #UD
		info = SigInfo{Signo: SIGILL, Code: ILL_ILLOPN, Addr: rip}
	case 7: // #NM: the FPU is always available to user code here
		info = SigInfo{Signo: SIGFPE, Code: SI_KERNEL}
	case 16, 19: // #MF, #XM
		info = SigInfo{Signo: SIGFPE, Code: FPE_FLTINV, Addr: rip}
	case 17: // #AC
		info = SigInfo{Signo: SIGBUS, Code: BUS_ADRALN}
	default:
		t.P.Exit(ExitStatus{Signal: SIGKILL})
		return
	}
	t.force(info)
}
