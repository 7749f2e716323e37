package x86_64

// dispatch runs for every trap and system call, on the shim stack with
// the current thread's registers saved. It handles the event and leaves
// cpu0.cur at the thread to resume.
func dispatch() {
	t := cur()
	if t.inUser {
		userTrap(t)
		return
	}
	switch v := t.regs.Vector; {
	case v == vecSyscall:
		t.syscallNr = t.regs.RAX
		ret := shimSyscall(t)
		switch {
		case ret == retYield:
			t.regs.RAX = 0
		case t.state == stRunnable && ret != retNoChange:
			t.regs.RAX = uint64(ret)
		}
		if t.state != stRunnable || ret == retYield {
			schedule()
		}
	case v == vecTimer:
		ticks++
		lapicAck()
		schedule()
	case v == vecCOM1:
		uartInterrupt()
		schedule()
	case v == vecSpurious:
	case v == 14 && t.regs.CS&3 == 0 && t.regs.CR2 >= heapBase && demandFault(uintptr(t.regs.CR2), t.regs.ErrCode&2 != 0):
		// A first touch of heap memory: retry the instruction.
	case v < 32:
		kernelFault(t)
	default:
		deviceInterrupt()
	}
}

// kernelFault turns a CPU exception in Go code into the signal Linux
// would send, delivered to the handler the runtime installed (so a nil
// dereference becomes the usual recoverable panic). Exceptions with no
// signal, or with no handler, are fatal.
func kernelFault(t *thread) {
	sig, code, addr := faultSignal(&t.regs)
	if sig == 0 || t.sigDepth > 8 || !deliverSignal(t, sig, code, addr) {
		crash(&t.regs, "unhandled exception in kernel code")
	}
}

// faultSignal maps an exception to a signal, si_code and si_addr, as
// Linux's arch/x86/kernel/traps.c and fault.c do.
func faultSignal(r *Regs) (sig, code int, addr uint64) {
	switch r.Vector {
	case 0:
		return sigFPE, 1, r.RIP // FPE_INTDIV
	case 1, 3:
		return sigTRAP, 1, r.RIP // TRAP_BRKPT
	case 4, 5:
		return sigSEGV, siKernel, 0
	case 6:
		return sigILL, 2, r.RIP // ILL_ILLOPN
	case 13:
		return sigSEGV, siKernel, 0
	case 14:
		if r.ErrCode&1 != 0 {
			return sigSEGV, 2, r.CR2 // SEGV_ACCERR
		}
		return sigSEGV, 1, r.CR2 // SEGV_MAPERR
	case 16, 19:
		return sigFPE, 0, r.RIP
	case 17:
		return sigBUS, 1, r.CR2 // BUS_ADRALN
	}
	return 0, 0, 0
}
