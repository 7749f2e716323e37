package libstarry

import (
	"runtime"
	"sync/atomic"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/mm"
)

// Thread is one user thread (a task): a CPU context in its process's
// Env, run by one goroutine, with the per-thread parts of task_struct.
type Thread struct {
	P         *Process
	ctx       *exo.Context
	tid       int
	sigmask   uint64  // blocked signals; bit n-1 is signal n
	saved     *uint64 // the mask rt_sigsuspend replaced, restored after a handler
	altstack  AltStack
	pending   sigPending    // signals sent to this thread (tgkill, faults)
	intr      interrupt     // raised while a signal may need this thread's attention
	restart   restartKind   // how to finish an interrupted system call
	restartNr uint64        // and which one it was
	ClearTID  uintptr       // set_tid_address
	Robust    uintptr       // set_robust_list head
	Comm      [16]byte      // the name prctl(PR_SET_NAME) sets (task_struct.comm)
	slack     timerSlack    // prctl(PR_SET_TIMERSLACK) (timerslack.go)
	exited    bool          // exit(2) ended this thread; only its goroutine reads it
	zapped    atomic.Bool   // a sibling's exec asked it to go (de_thread); set under Process.mu
	sleeping  atomic.Bool   // waited in this system call: /proc shows S (Interrupted sets it)
	trace     *tracee       // the tracing link (ptrace.go); Kernel.mu
	traced    atomic.Bool   // trace != nil, for readers without Kernel.mu
	origRAX   uint64        // the system call number at entry (orig_ax), ^0 after other traps
	kick      chan struct{} // closed when a tracer attaches (ptrace_exit.go); Kernel.mu
	// trappedStop is the group stop (its cont channel) this thread has
	// reported to its tracer already; only its goroutine uses it.
	trappedStop chan struct{}

	cpu         atomic.Int64 // user time of its Runs, ns (itimer.go)
	realBlocked uint64       // rt_sigtimedwait's real mask while it waits; Process.mu
}

// newThread makes a thread of p in p's Env, with no TID yet.
func (p *Process) newThread() *Thread {
	return &Thread{P: p, ctx: p.as.env.NewContext()}
}

// Dying and Interrupted make a thread an fd.Waiter: what ends a blocking
// call early (the process exiting, a signal this thread should handle).
func (t *Thread) Dying() <-chan struct{} { return t.P.dying }

// Asking for Interrupted marks the thread sleeping until its system call
// returns: every blocking wait selects on it, so /proc shows S exactly
// for a thread that waits (LTP's TST_PROCESS_STATE_WAIT polls for S to
// know a waiter is parked), not for one merely inside a call.
func (t *Thread) Interrupted() <-chan struct{} {
	t.sleeping.Store(true)
	return t.intr.C()
}

// TID is the thread ID (the PID for the first thread).
func (t *Thread) TID() int { return t.tid }

// Regs are the user registers as of the last trap; a syscall handler
// puts its result in RAX.
func (t *Thread) Regs() *exo.Regs { return &t.ctx.Regs }

// run is the thread's life: stop while its process is stopped, deliver
// pending signals, enter user mode, handle the trap that comes back,
// until the thread or its process exits.
func (t *Thread) run() {
	defer t.exit()
	for t.alive() {
		t.waitWhileStopped()
		t.deliverPending()
		if !t.alive() {
			return
		}
		tr := t.ctx.Run()
		t.account(tr.UserTime) // CPU time and the timers on it (itimer.go)
		t.handle(tr)
	}
}

// alive reports whether the thread should go on running user code.
func (t *Thread) alive() bool {
	return !t.exited && !t.P.isExiting() && !t.zapped.Load()
}

// handle dispatches one trap: syscalls to the personality, page faults
// to demand paging, other exceptions to signals (do_trap and friends).
func (t *Thread) handle(tr exo.Trap) {
	if tr.Kind != exo.TrapSyscall {
		t.origRAX = ^uint64(0)
	}
	switch tr.Kind {
	case exo.TrapSyscall:
		t.P.countSyscall()
		t.syscall()
		if t.sleeping.Load() {
			t.sleeping.Store(false)
		}
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
