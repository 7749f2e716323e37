package x86_64

import (
	"unsafe"

	"github.com/starry-go/starry/personality/linux/abi"
)

// The rt_sigframe for the Go runtime's own handlers: its layout is abi's,
// shared with the library OS, encoded in place in the frame's memory.

// bytesAt is the kernel memory at a as a byte slice.
func bytesAt(a uintptr, n int) []byte { return unsafe.Slice((*byte)(ptrAt(a)), n) }

// deliverSignal builds an rt_sigframe for sig on t's stack (its
// sigaltstack when the handler asks for it) and points t at the handler.
// It fails when no handler is installed or the stack is unusable.
func deliverSignal(t *thread, sig, code int, addr uint64) bool {
	act := sigactions[sig]
	if act.handler <= 1 || act.flags&saRestorer == 0 {
		return false
	}
	r := &t.regs
	sp := r.RSP - 128 // skip the red zone
	if act.flags&saOnStack != 0 && t.altFlags&ssDisable == 0 && !onAltStack(t, r.RSP) {
		sp = t.altSP + t.altSize
	}
	fp := (sp - abi.FPStateSize) &^ 63
	frame := ((fp - abi.FrameSize) &^ 15) - 8 // as if a call pushed pretcode
	if !accessible(uintptr(frame), uintptr(sp-frame), true) {
		return false
	}
	// (*[N]byte), not bytesAt: go1.26.8's SSA lowering crashes (disjointTypes)
	// on a fixed-length copy between an unsafe.Slice and these areas.
	img := (*[abi.FPStateSize]byte)(ptrAt(uintptr(fp)))
	if r.fpuValid != 0 {
		copy(img[:], fxArea(r))
	} else { // interrupted at a kernel SYSCALL: its FPU state is the initial one
		clear(img[:])
		img[0], img[1], img[24], img[25] = 0x7F, 0x03, 0x80, 0x1F
	}
	info := abi.Siginfo{Signo: int32(sig), Code: int32(code), Addr: addr}
	kind := abi.SiginfoFault
	if code == siTkill {
		info.Pid, kind = 1, abi.SiginfoKill // si_pid 1, si_uid 0
	}
	info.Put(bytesAt(uintptr(frame+abi.FrameSiginfo), abi.SiginfoSize), kind)
	writeUcontext(t, uintptr(frame+abi.FrameUcontext), fp)
	*u64at(uintptr(frame)) = act.restorer

	t.sigmask |= act.mask
	if act.flags&saNoDefer == 0 {
		t.sigmask |= 1 << (sig - 1)
	}
	r.RIP, r.RSP = act.handler, frame
	r.RDI, r.RSI, r.RDX, r.RAX = uint64(sig), frame+abi.FrameSiginfo, frame+abi.FrameUcontext, 0
	r.RFLAGS &^= 1<<8 | 1<<10 // TF, DF
	t.sigDepth++
	return true
}

const (
	saOnStack  = 0x08000000
	saRestorer = 0x04000000
	saNoDefer  = 0x40000000
)

// gregs lists Regs fields in sigcontext order (r8..r15, rdi, rsi, rbp,
// rbx, rdx, rax, rcx, rsp, rip, eflags).
func gregs(r *Regs) [18]*uint64 {
	return [18]*uint64{&r.R8, &r.R9, &r.R10, &r.R11, &r.R12, &r.R13, &r.R14, &r.R15,
		&r.RDI, &r.RSI, &r.RBP, &r.RBX, &r.RDX, &r.RAX, &r.RCX, &r.RSP, &r.RIP, &r.RFLAGS}
}

func writeUcontext(t *thread, uc uintptr, fp uint64) {
	r := &t.regs
	u := abi.Ucontext{Stack: abi.StackT{SP: t.altSP, Flags: int32(t.altFlags), Size: t.altSize}, Sigmask: t.sigmask}
	mc := &u.Mcontext
	for i, p := range gregs(r) {
		mc.Gregs[i] = *p
	}
	mc.CS, mc.SS = uint16(r.CS), uint16(r.SS)
	mc.Err, mc.Trapno, mc.Oldmask, mc.CR2, mc.FPState = r.ErrCode, r.Vector, t.sigmask, r.CR2, fp
	u.Put(bytesAt(uc, abi.UcontextSize))
}

// sysSigreturn restores the context saved by deliverSignal (or edited by
// the handler: the runtime redirects RIP to sigpanic).
func sysSigreturn(t *thread) int64 {
	uc := uintptr(t.regs.RSP) // the handler's ret popped pretcode
	if !accessible(uc, abi.UcontextSize, false) {
		crash(&t.regs, "rt_sigreturn with a bad frame")
	}
	var u abi.Ucontext
	u.Get(bytesAt(uc, abi.UcontextSize))
	r := &t.regs
	flags := r.RFLAGS
	for i, p := range gregs(r) {
		*p = u.Mcontext.Gregs[i]
	}
	// Keep only the flags user code may change; interrupts stay on.
	r.RFLAGS = r.RFLAGS&0x00DD5 | flags&^0x00DD5 | rflagsIF
	if fp := uintptr(u.Mcontext.FPState); fp != 0 && accessible(fp, abi.FPStateSize, false) {
		x := xArea(r)
		copy(x, (*[abi.FPStateSize]byte)(ptrAt(fp))[:]) // not bytesAt: see deliverSignal

		x[26], x[27] = 0, 0 // MXCSR reserved bits must be zero for FXRSTOR
		x[24] &^= 0x40
		// The frame holds the legacy image only: x87 and SSE come from it,
		// AVX upper halves return to their initial (zero) state.
		clear(x[xstateBVOff : xstateBVOff+64])
		x[xstateBVOff] = xcr0X87SSE
		r.fpuValid = 1
	}
	t.sigmask = u.Sigmask &^ (1<<(9-1) | 1<<(19-1))
	if t.sigDepth > 0 {
		t.sigDepth--
	}
	return retNoChange
}
