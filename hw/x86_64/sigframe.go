package x86_64

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
	fp := (sp - fpstateSize) &^ 63
	info := fp - siginfoSize
	uc := (info - ucontextSize) &^ 15
	frame := uc - 8
	if !accessible(uintptr(frame), uintptr(sp-frame), true) {
		return false
	}
	img := (*[fpstateSize]byte)(ptrAt(uintptr(fp)))
	if r.fpuValid != 0 {
		copy(img[:], fxArea(r))
	} else { // interrupted at a kernel SYSCALL: its FPU state is the initial one
		clear(img[:])
		img[0], img[1], img[24], img[25] = 0x7F, 0x03, 0x80, 0x1F
	}
	clear((*[siginfoSize]byte)(ptrAt(uintptr(info)))[:])
	*(*int32)(ptrAt(uintptr(info))) = int32(sig)
	*(*int32)(ptrAt(uintptr(info + 8))) = int32(code)
	*u64at(uintptr(info + 16)) = addr
	if code == siTkill {
		*u64at(uintptr(info + 16)) = 1 // si_pid 1, si_uid 0
	}
	writeUcontext(t, uintptr(uc), fp)
	*u64at(uintptr(frame)) = act.restorer

	t.sigmask |= act.mask
	if act.flags&saNoDefer == 0 {
		t.sigmask |= 1 << (sig - 1)
	}
	r.RIP, r.RSP = act.handler, frame
	r.RDI, r.RSI, r.RDX, r.RAX = uint64(sig), info, uc, 0
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
	clear((*[ucontextSize]byte)(ptrAt(uc))[:])
	*u64at(uc + 16), *u64at(uc + 24), *u64at(uc + 32) = t.altSP, uint64(t.altFlags), t.altSize
	mc := uc + mcontextOff
	r := &t.regs
	for i, p := range gregs(r) {
		*u64at(mc + uintptr(i)*8) = *p
	}
	*u64at(mc + 18*8) = r.CS | r.SS<<48 // cs, gs, fs, ss
	*u64at(mc + 19*8) = r.ErrCode
	*u64at(mc + 20*8) = r.Vector
	*u64at(mc + 21*8) = t.sigmask // oldmask
	*u64at(mc + 22*8) = r.CR2
	*u64at(mc + 23*8) = fp
	*u64at(uc + sigmaskOff) = t.sigmask
}

// sysSigreturn restores the context saved by deliverSignal (or edited by
// the handler: the runtime redirects RIP to sigpanic).
func sysSigreturn(t *thread) int64 {
	uc := uintptr(t.regs.RSP)
	if !accessible(uc, ucontextSize, false) {
		crash(&t.regs, "rt_sigreturn with a bad frame")
	}
	r := &t.regs
	mc := uc + mcontextOff
	flags := r.RFLAGS
	for i, p := range gregs(r) {
		*p = *u64at(mc + uintptr(i)*8)
	}
	// Keep only the flags user code may change; interrupts stay on.
	r.RFLAGS = r.RFLAGS&0x00DD5 | flags&^0x00DD5 | rflagsIF
	if fp := uintptr(*u64at(mc + 23*8)); fp != 0 && accessible(fp, fpstateSize, false) {
		x := xArea(r)
		copy(x, (*[fpstateSize]byte)(ptrAt(fp))[:])
		x[26], x[27] = 0, 0 // MXCSR reserved bits must be zero for FXRSTOR
		x[24] &^= 0x40
		// The frame holds the legacy image only: x87 and SSE come from it,
		// AVX upper halves return to their initial (zero) state.
		clear(x[xstateBVOff : xstateBVOff+64])
		x[xstateBVOff] = xcr0X87SSE
		r.fpuValid = 1
	}
	t.sigmask = *u64at(uc + sigmaskOff) &^ (1<<(9-1) | 1<<(19-1))
	if t.sigDepth > 0 {
		t.sigDepth--
	}
	return retNoChange
}
