package x86_64

import "golang.org/x/sys/unix"

// Signals for the Go runtime in ring 0. The runtime installs handlers
// with rt_sigaction and runs them on the per-M stack it registers with
// sigaltstack; a CPU exception in Go code is delivered to that handler in
// a Linux rt_sigframe (arch/x86/kernel/signal.c), so the runtime turns a
// nil dereference into its usual panic, and rt_sigreturn resumes.
const (
	sigTRAP = 5
	sigBUS  = 7
	sigFPE  = 8
	sigSEGV = 11
	sigILL  = 4
	sigURG  = 23

	siKernel = 0x80 // SI_KERNEL
	siTkill  = -6   // SI_TKILL

	ssOnStack = 1
	ssDisable = 2

	minSigStack = 2048 // MINSIGSTKSZ
)

type sigaction struct{ handler, flags, restorer, mask uint64 }

var sigactions [65]sigaction

func u64at(a uintptr) *uint64 { return (*uint64)(ptrAt(a)) }

func sysSigaction(sig int, act, oact, size uintptr) int64 {
	if sig < 1 || sig > 64 || size != 8 || act != 0 && (sig == 9 || sig == 19) {
		return -errEINVAL
	}
	if oact != 0 {
		if !accessible(oact, 32, true) {
			return -errEFAULT
		}
		a := sigactions[sig]
		*u64at(oact), *u64at(oact + 8), *u64at(oact + 16), *u64at(oact + 24) = a.handler, a.flags, a.restorer, a.mask
	}
	if act != 0 {
		if !accessible(act, 32, false) {
			return -errEFAULT
		}
		sigactions[sig] = sigaction{*u64at(act), *u64at(act + 8), *u64at(act + 16), *u64at(act + 24)}
	}
	return 0
}

func sysSigprocmask(t *thread, how int, set, oset, size uintptr) int64 {
	if size != 8 {
		return -errEINVAL
	}
	old := t.sigmask
	if set != 0 {
		if !accessible(set, 8, false) {
			return -errEFAULT
		}
		s := *u64at(set)
		switch how {
		case unix.SIG_BLOCK:
			t.sigmask |= s
		case unix.SIG_UNBLOCK:
			t.sigmask &^= s
		case unix.SIG_SETMASK:
			t.sigmask = s
		default:
			return -errEINVAL
		}
		t.sigmask &^= 1<<(9-1) | 1<<(19-1) // SIGKILL and SIGSTOP cannot be blocked
	}
	if oset != 0 {
		if !accessible(oset, 8, true) {
			return -errEFAULT
		}
		*u64at(oset) = old
	}
	return 0
}

func onAltStack(t *thread, sp uint64) bool {
	return t.altFlags&ssDisable == 0 && sp > t.altSP && sp <= t.altSP+t.altSize
}

func sysSigaltstack(t *thread, ss, oss uintptr) int64 {
	if oss != 0 {
		if !accessible(oss, 24, true) {
			return -errEFAULT
		}
		flags := uint64(t.altFlags)
		if onAltStack(t, t.regs.RSP) {
			flags = ssOnStack
		}
		*u64at(oss), *u64at(oss + 8), *u64at(oss + 16) = t.altSP, flags, t.altSize
	}
	if ss != 0 {
		if !accessible(ss, 24, false) {
			return -errEFAULT
		}
		if onAltStack(t, t.regs.RSP) {
			return -errEPERM
		}
		sp, flags, size := *u64at(ss), int32(*u64at(ss + 8)), *u64at(ss + 16)
		switch {
		case flags == ssDisable:
			t.altSP, t.altSize, t.altFlags = 0, 0, ssDisable
		case flags != 0:
			return -errEINVAL
		case size < minSigStack:
			return -errENOMEM
		default:
			t.altSP, t.altSize, t.altFlags = sp, size, 0
		}
	}
	return 0
}

// sendSignal queues sig for t, or takes the default action at once.
func sendSignal(t *thread, sig int) {
	switch h := sigactions[sig].handler; {
	case h == 1: // SIG_IGN
	case h == 0 && (sig == sigURG || sig == int(unix.SIGCHLD) || sig == int(unix.SIGWINCH)):
	case h == 0:
		kprint("starry: kernel killed by signal ")
		kprintDec(int64(sig))
		kprint("\n")
		powerOff(128 + sig)
	default:
		t.pending |= 1 << (sig - 1)
		if t.state == stBlocked && t.pending&^t.sigmask != 0 {
			wake(t, -errEINTR)
		}
	}
}

// deliverPending delivers the lowest pending unblocked signal.
func deliverPending(t *thread) {
	for sig := 1; sig <= 64; sig++ {
		bit := uint64(1) << (sig - 1)
		if t.pending&bit != 0 && t.sigmask&bit == 0 {
			t.pending &^= bit
			if !deliverSignal(t, sig, siTkill, 0) {
				sendSignal(t, sig)
			}
			return
		}
	}
}
