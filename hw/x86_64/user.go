package x86_64

import (
	"unsafe"

	"github.com/starry-go/starry/exo"
)

// User mode. A kernel thread (the M running a library-OS goroutine) enters
// ring 3 with the private system call sysRunUser; the next trap from ring
// 3 copies the user state back into the caller's exo.Regs, fills in a
// userTrap record, and returns from that system call. To the Go runtime
// the thread was simply in a blocking system call, so its P goes to other
// goroutines meanwhile.
const (
	sysRunUser = 0x5355 // (regs *exo.Regs, rec *trapRecord, cr3)
	sysDropAS  = 0x5356 // (cr3): stop using an address space being freed
	sysFrame   = 0x5357 // (op, phys): frame allocator for Go code
	sysWaitIRQ = 0x5358 // (): block until a device interrupt arrives

	msrKernelGSBase = 0xC0000102

	// User code may set only these flags (CF, PF, AF, ZF, SF, TF, DF, OF,
	// AC, ID); IF is always on and IOPL is 0.
	userFlags = 0x254DD5
)

// trapRecord is the record sysRunUser fills in; hw's AddressSpace.Run turns
// it into an exo.Trap.
type trapRecord struct {
	Kind, Vector, ErrCode, Addr uint64
	SliceNs                     uint64
	UserNs                      uint64 // time in ring 3 during this run
}

// curCR3 is the page table loaded now (the kernel's at boot).
var curCR3 uint64

func canonicalUser(a uint64) bool { return a < userTop }

// runUser loads regs into the thread's user state and switches to it.
func runUser(t *thread, regs, rec uintptr, cr3 uint64) int64 {
	if regs != t.uctx || rec != t.trapRec || t.accessGen != accessCache.gen+1 {
		if !accessible(regs, unsafe.Sizeof(exo.Regs{}), true) || !accessible(rec, unsafe.Sizeof(trapRecord{}), true) {
			return -errEFAULT
		}
		t.accessGen = accessCache.gen + 1 // the same two ranges: no check until the heap loses a page
	}
	u := (*exo.Regs)(ptrAt(regs))
	tr := (*trapRecord)(ptrAt(rec))
	if !canonicalUser(u.RIP) || !canonicalUser(u.FSBase) || !canonicalUser(u.GSBase) {
		// IRETQ or WRMSR would fault in ring 0: report it as the #GP the
		// program's own jump or arch_prctl would have earned.
		*tr = trapRecord{Kind: uint64(exo.TrapException), Vector: 13}
		return 0
	}
	r := &t.user
	r.RAX, r.RBX, r.RCX, r.RDX, r.RSI, r.RDI, r.RBP = u.RAX, u.RBX, u.RCX, u.RDX, u.RSI, u.RDI, u.RBP
	r.R8, r.R9, r.R10, r.R11, r.R12, r.R13, r.R14, r.R15 = u.R8, u.R9, u.R10, u.R11, u.R12, u.R13, u.R14, u.R15
	r.RIP, r.RSP, r.FSBase, r.GSBase = u.RIP, u.RSP, u.FSBase, u.GSBase
	r.RFLAGS = u.RFLAGS&userFlags | rflagsIF | 2
	r.CS, r.SS = userCS, userSS
	if u.FPStamp == 0 || u.FPStamp != t.fpImage { // else user.fx holds it already
		loadUserFP(r, u)
		t.fpImage = u.FPStamp
	}
	r.fpuValid = 1
	t.inUser, t.uctx, t.trapRec, t.userCR3 = true, regs, rec, cr3
	t.userNs = 0
	switchTo(cpu0.curIdx)
	t.sliceEnd = t.entered + int64(tr.SliceNs) // switchTo read the clock
	return retNoChange
}

// loadUserFP puts u's FPU image into r's save area for XRSTOR.
func loadUserFP(r *Regs, u *exo.Regs) {
	x := xArea(r)
	copy(x, u.FX[:])
	x[26], x[27] = 0, 0 // reserved MXCSR bits would make FXRSTOR fault
	if cpu0.xsave != 0 {
		// A fresh header naming x87, SSE and AVX: XRSTOR loads all three
		// from the image (and faults on a malformed header).
		clear(x[xstateBVOff : xstateBVOff+64])
		x[xstateBVOff] = xcr0X87SSE | xcr0AVX
		copy(x[avxOff:avxOff+256], u.YMMHi[:])
	}
}

// fpStamps numbers the FPU images userExit stores (exo.Regs.FPStamp).
var fpStamps uint64

// userTrap handles a trap taken in ring 3.
func userTrap(t *thread) {
	t.userNs += nanotime() - t.entered
	r := &t.user
	switch v := r.Vector; {
	case v == vecTimer:
		ticks++
		lapicAck()
		if nanotime() >= t.sliceEnd {
			userExit(t, exo.TrapTimeSlice, 0)
		}
		schedule()
	case v == vecCOM1:
		uartInterrupt() // a console reader may wake; the user thread stays in ring 3
		schedule()
	case v == vecSyscall:
		userExit(t, exo.TrapSyscall, 0)
	case v == 14:
		userExit(t, exo.TrapPageFault, r.CR2)
	case v < 32:
		userExit(t, exo.TrapException, 0)
	case v == vecSpurious:
	default:
		deviceInterrupt()
		userExit(t, exo.TrapInterrupt, 0)
	}
}

// userExit copies the user state out and returns the thread to the
// kernel side, where sysRunUser returns.
func userExit(t *thread, kind exo.TrapKind, addr uint64) {
	r := &t.user
	u := (*exo.Regs)(ptrAt(t.uctx))
	u.RAX, u.RBX, u.RCX, u.RDX, u.RSI, u.RDI, u.RBP = r.RAX, r.RBX, r.RCX, r.RDX, r.RSI, r.RDI, r.RBP
	u.R8, u.R9, u.R10, u.R11, u.R12, u.R13, u.R14, u.R15 = r.R8, r.R9, r.R10, r.R11, r.R12, r.R13, r.R14, r.R15
	u.RIP, u.RSP, u.RFLAGS, u.FSBase, u.GSBase = r.RIP, r.RSP, r.RFLAGS, r.FSBase, r.GSBase
	copy(u.FX[:], fxArea(r))
	if cpu0.xsave != 0 {
		x := xArea(r)
		if x[xstateBVOff]&xcr0AVX != 0 {
			copy(u.YMMHi[:], x[avxOff:avxOff+256])
		} else {
			clear(u.YMMHi[:]) // AVX state in its initial (zero) form
		}
	}
	fpStamps++
	u.FPStamp, t.fpImage = fpStamps, fpStamps
	*(*trapRecord)(ptrAt(t.trapRec)) = trapRecord{Kind: uint64(kind), Vector: r.Vector, ErrCode: r.ErrCode, Addr: addr, UserNs: uint64(t.userNs)}
	t.inUser = false
	t.regs.RAX = 0
	switchTo(cpu0.curIdx)
}

// dropAddressSpace makes sure nothing runs on cr3 any more: threads in
// user mode on it are sent back to the kernel side (as an interrupt), and
// the CPU switches to the kernel's tables.
func dropAddressSpace(cr3 uint64) {
	for i := 1; i < slotsUsed; i++ {
		t := &threads[i]
		if t.state != stFree && t.inUser && t.userCR3 == cr3 {
			userExit(t, exo.TrapInterrupt, 0)
		}
	}
	if curCR3 == cr3 {
		writeCR3(kernelPML4)
		curCR3 = kernelPML4
	}
	switchTo(cpu0.curIdx)
}

// frameCall serves the frame allocator to Go code (exo's backend), which
// must not race with the shim's own use of it.
func frameCall(op uintptr, phys uint64) int64 {
	if op == 0 {
		p, ok := allocFrame()
		if !ok {
			return -errENOMEM
		}
		return int64(p)
	}
	if phys < 1<<20 || phys >= directMapEnd || phys&(pageSize-1) != 0 {
		return -errEINVAL
	}
	freeFrame(phys)
	return 0
}
