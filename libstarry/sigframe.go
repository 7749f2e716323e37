package libstarry

import (
	"encoding/binary"

	"github.com/starry-go/starry/personality/linux/abi"
)

// The x86-64 rt_sigframe's layout is abi's (shared with the ring-0
// shim); these are the rules for filling it in.
const (
	redZone    = 128                                              // the System V ABI's red zone below the user's SP
	userEflags = 0x40000 | 0x800 | 0x400 | 0x100 | 0xD5 | 0x10000 // FIX_EFLAGS: AC OF DF TF SF ZF AF PF CF RF
	mxcsrOff   = 24
	mxcsrMask  = 0xFFFF
	userCS     = 0x33 // __USER_CS
	userDS     = 0x2b // __USER_DS
)

// sigcontext lists the registers in struct sigcontext order.
func (t *Thread) sigcontext() []*uint64 {
	r := &t.ctx.Regs
	return []*uint64{&r.R8, &r.R9, &r.R10, &r.R11, &r.R12, &r.R13, &r.R14, &r.R15,
		&r.RDI, &r.RSI, &r.RBP, &r.RBX, &r.RDX, &r.RAX, &r.RCX, &r.RSP, &r.RIP, &r.RFLAGS}
}

// setupFrame pushes an rt_sigframe and points the thread at the handler
// (setup_rt_frame and handle_signal in arch/x86/kernel/signal*.c). The
// x86-64 ABI requires SA_RESTORER: the handler returns into it, and it
// calls rt_sigreturn.
func (t *Thread) setupFrame(info SigInfo, act SigAction) bool {
	if act.Flags&SA_RESTORER == 0 {
		return false
	}
	r := &t.ctx.Regs
	sp := r.RSP - redZone
	alt := t.altstack
	alt.Flags = t.altFlags(r.RSP) // as __save_altstack reports it
	if act.Flags&SA_ONSTACK != 0 && alt.Size != 0 && !t.onAltStack(sp) {
		sp = alt.SP + alt.Size
		if uint32(t.altstack.Flags)&ssAutoDisarm != 0 {
			t.altstack = AltStack{} // sas_ss_reset, until sigreturn restores it
		}
	}
	xf := t.P.cfg.XFeatures
	fp := (sp - fpFrameSize(xf)) &^ 63
	frame := ((fp - abi.FrameSize) &^ 15) - 8 // as if a call pushed pretcode
	b := make([]byte, abi.FrameSize)
	le := binary.LittleEndian
	le.PutUint64(b[0:], act.Restorer)
	uc := abi.Ucontext{Flags: abi.UCSigcontextSS | abi.UCStrictRestore, Stack: abi.StackT{SP: alt.SP, Flags: int32(alt.Flags), Size: alt.Size}, Sigmask: t.frameMask()}
	mc := &uc.Mcontext
	for i, reg := range t.sigcontext() {
		mc.Gregs[i] = *reg
	}
	mc.CS, mc.SS, mc.FPState = userCS, userDS, fp
	if xf&abi.XFeatureAVX != 0 {
		uc.Flags |= abi.UCFPXState
	}
	if info.Signo == SIGSEGV || info.Signo == SIGBUS {
		mc.CR2 = info.Addr
	}
	uc.Put(b[abi.FrameUcontext:])
	putSigInfo(b[abi.FrameSiginfo:], info)
	mm := t.P.MM
	if mm.CopyOut(uintptr(fp), fpImage(r, xf)) != nil || mm.CopyOut(uintptr(frame), b) != nil {
		return false
	}
	r.RDI, r.RSI, r.RDX, r.RAX = uint64(info.Signo), frame+abi.FrameSiginfo, frame+abi.FrameUcontext, 0
	r.RSP, r.RIP = frame, act.Handler
	r.RFLAGS &^= 0x400 | 0x100 | 0x40000 // DF, TF, AC cleared for the handler
	mask := t.sigmask | act.Mask
	if act.Flags&SA_NODEFER == 0 {
		mask |= bit(info.Signo)
	}
	t.setMask(mask)
	if act.Flags&SA_RESETHAND != 0 {
		t.P.sigh.mu.Lock()
		t.P.sigh.actions[info.Signo].Handler = SIG_DFL // SA_ONESHOT: the flags stay (get_signal)
		t.P.sigh.mu.Unlock()
	}
	return true
}

// putSigInfo encodes siginfo_t with the union member Linux fills in:
// si_pid, si_uid and si_status for SIGCHLD, si_addr for faults (a
// positive code other than SIGCHLD's), si_pid and si_uid otherwise.
func putSigInfo(b []byte, info SigInfo) {
	kind := abi.SiginfoKill
	switch {
	case info.Signo == SIGCHLD && info.Code > 0:
		kind = abi.SiginfoChild
	case info.Code > 0:
		kind = abi.SiginfoFault
	}
	si := abi.Siginfo{Signo: int32(info.Signo), Code: int32(info.Code), Pid: int32(info.Pid), UID: int32(info.UID),
		Status: int32(info.Status), Addr: info.Addr}
	si.Put(b, kind)
	putSigInfoExtra(b, info) // _timer, and _rt's value (signalfd.go)
}

// Sigreturn restores the state saved by setupFrame (rt_sigreturn and
// restore_sigcontext): the handler's `ret` has popped pretcode, so the
// frame starts 8 bytes below the current SP. Only user-changeable
// RFLAGS bits and a sane MXCSR are taken, so no frame can make the
// kernel fault when it reloads the state.
func (t *Thread) Sigreturn() error {
	r := &t.ctx.Regs
	frame := r.RSP - 8
	b := make([]byte, abi.FrameSize)
	if err := t.P.MM.CopyIn(uintptr(frame), b); err != nil {
		return err
	}
	var uc abi.Ucontext
	uc.Get(b[abi.FrameUcontext:])
	if fp := uc.Mcontext.FPState; fp != 0 {
		if err := restoreFP(t.P.MM, fp, r, t.P.cfg.XFeatures); err != nil {
			return err
		}
	}
	flags := r.RFLAGS
	for i, reg := range t.sigcontext() {
		*reg = uc.Mcontext.Gregs[i]
	}
	r.RFLAGS = flags&^userEflags | r.RFLAGS&userEflags
	t.setMask(uc.Sigmask)
	// restore_altstack: the stack the frame saved (SS_AUTODISARM's
	// comes back here); a stack sigaltstack would refuse is a bad frame.
	if _, err := t.SigAltStack(&AltStack{SP: uc.Stack.SP, Flags: uc.Stack.Flags, Size: uc.Stack.Size}); err != nil {
		return abi.EFAULT
	}
	return nil
}
