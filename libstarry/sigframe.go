package libstarry

import "encoding/binary"

// The x86-64 rt_sigframe (arch/x86/include/asm/sigframe.h): pretcode,
// then struct ucontext, then siginfo; the FXSAVE image sits below the
// frame, 64-byte aligned, and uc_mcontext.fpstate points at it.
const (
	ucOff      = 8             // struct ucontext
	ucStackOff = ucOff + 16    // uc_stack (stack_t)
	mcOff      = ucOff + 40    // uc_mcontext (struct sigcontext)
	ucMaskOff  = mcOff + 256   // uc_sigmask
	infoOff    = ucMaskOff + 8 // struct siginfo
	frameSize  = infoOff + 128
	fpSize     = 512 // FXSAVE image; no XSAVE header, so no FP_XSTATE_MAGIC
	redZone    = 128 // the System V ABI's red zone below the user's SP
	mcFPOff    = mcOff + 184
	userEflags = 0x40000 | 0x800 | 0x400 | 0x100 | 0xD5 | 0x10000 // FIX_EFLAGS: AC OF DF TF SF ZF AF PF CF RF
	mxcsrOff   = 24
	mxcsrMask  = 0xFFFF
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
	if act.Flags&SA_ONSTACK != 0 && alt.Size != 0 && !(sp > alt.SP && sp-alt.SP <= alt.Size) {
		sp = alt.SP + alt.Size
	}
	fp := (sp - fpSize) &^ 63
	frame := ((fp - frameSize) &^ 15) - 8 // as if a call pushed pretcode
	b := make([]byte, frameSize)
	le := binary.LittleEndian
	le.PutUint64(b[0:], act.Restorer)
	le.PutUint64(b[ucStackOff:], alt.SP)
	le.PutUint32(b[ucStackOff+8:], uint32(alt.Flags))
	le.PutUint64(b[ucStackOff+16:], alt.Size)
	for i, reg := range t.sigcontext() {
		le.PutUint64(b[mcOff+8*i:], *reg)
	}
	le.PutUint16(b[mcOff+144:], 0x33) // cs: __USER_CS
	le.PutUint16(b[mcOff+150:], 0x2b) // ss: __USER_DS
	if info.Signo == SIGSEGV || info.Signo == SIGBUS {
		le.PutUint64(b[mcOff+176:], info.Addr) // cr2
	}
	le.PutUint64(b[mcFPOff:], fp)
	le.PutUint64(b[ucMaskOff:], t.frameMask())
	putSigInfo(b[infoOff:], info)
	mm := t.P.MM
	if mm.CopyOut(uintptr(fp), r.FX[:]) != nil || mm.CopyOut(uintptr(frame), b) != nil {
		return false
	}
	r.RDI, r.RSI, r.RDX, r.RAX = uint64(info.Signo), frame+infoOff, frame+ucOff, 0
	r.RSP, r.RIP = frame, act.Handler
	r.RFLAGS &^= 0x400 | 0x100 | 0x40000 // DF, TF, AC cleared for the handler
	if act.Flags&SA_NODEFER == 0 {
		t.sigmask |= bit(info.Signo)
	}
	t.sigmask = (t.sigmask | act.Mask) &^ unblockable
	if act.Flags&SA_RESETHAND != 0 {
		t.P.sigh.mu.Lock()
		t.P.sigh.actions[info.Signo] = SigAction{}
		t.P.sigh.mu.Unlock()
	}
	return true
}

// putSigInfo encodes siginfo_t: signo, errno, code, then the union:
// si_pid, si_uid and si_status for SIGCHLD, si_addr for faults, si_pid
// and si_uid for kill.
func putSigInfo(b []byte, info SigInfo) {
	le := binary.LittleEndian
	le.PutUint32(b[0:], uint32(info.Signo))
	le.PutUint32(b[8:], uint32(int32(info.Code)))
	switch {
	case info.Signo == SIGCHLD && info.Code > 0:
		le.PutUint32(b[16:], uint32(info.Pid))
		le.PutUint32(b[20:], uint32(info.UID))
		le.PutUint32(b[24:], uint32(info.Status))
	case info.Code > 0:
		le.PutUint64(b[16:], info.Addr)
	default:
		le.PutUint32(b[16:], uint32(info.Pid))
		le.PutUint32(b[20:], uint32(info.UID))
	}
}

// Sigreturn restores the state saved by setupFrame (rt_sigreturn and
// restore_sigcontext): the handler's `ret` has popped pretcode, so the
// frame starts 8 bytes below the current SP. Only user-changeable
// RFLAGS bits and a sane MXCSR are taken, so no frame can make the
// kernel fault when it reloads the state.
func (t *Thread) Sigreturn() error {
	r := &t.ctx.Regs
	frame := r.RSP - 8
	b := make([]byte, frameSize)
	if err := t.P.MM.CopyIn(uintptr(frame), b); err != nil {
		return err
	}
	var fx [fpSize]byte
	le := binary.LittleEndian
	fp := le.Uint64(b[mcFPOff:])
	if fp != 0 {
		if err := t.P.MM.CopyIn(uintptr(fp), fx[:]); err != nil {
			return err
		}
	}
	flags := r.RFLAGS
	for i, reg := range t.sigcontext() {
		*reg = le.Uint64(b[mcOff+8*i:])
	}
	r.RFLAGS = flags&^userEflags | r.RFLAGS&userEflags
	if fp != 0 {
		mx := le.Uint32(fx[mxcsrOff:]) & mxcsrMask
		le.PutUint32(fx[mxcsrOff:], mx)
		r.FX = fx
	}
	t.sigmask = le.Uint64(b[ucMaskOff:]) &^ unblockable
	return nil
}
