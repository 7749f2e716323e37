package abi

import "encoding/binary"

// The x86-64 signal frame (arch/x86/include/asm/sigframe.h, uapi
// asm/sigcontext.h and asm-generic/siginfo.h), shared by the library OS,
// which builds it in a user program's memory, and the ring-0 shim, which
// builds it for the Go runtime's own handlers. The encoders write into
// a byte slice and never allocate, so the shim can use them in a trap.
//
// struct rt_sigframe: pretcode (the handler's return address), struct
// ucontext, struct siginfo. The FPU image the sigcontext's fpstate
// points at lies below it, 64-byte aligned: the FXSAVE image alone, or,
// when the CPU saves AVX state, an XSAVE image (see XSaveFrameSize).
const (
	FrameUcontext = 8                            // the ucontext within rt_sigframe
	FrameSiginfo  = FrameUcontext + UcontextSize // the siginfo within rt_sigframe
	FrameSize     = FrameSiginfo + SiginfoSize
	FPStateSize   = 512 // the FXSAVE image (no XSAVE header, so no FP_XSTATE_MAGIC)

	UcontextFlags = 0 // uc_flags

	UcontextStack    = 16                     // uc_stack (stack_t)
	UcontextMcontext = 40                     // uc_mcontext (struct sigcontext)
	UcontextSigmask  = UcontextMcontext + 256 // uc_sigmask
	UcontextSize     = UcontextSigmask + 8    // with a 64-bit sigmask
	SiginfoSize      = 128                    // siginfo_t
	UcontextFPState  = UcontextMcontext + 184 // uc_mcontext.fpstate
	siginfoUnion     = 16                     // where siginfo's union starts
)

// The XSAVE frame (arch/x86/kernel/fpu/signal.c and uapi sigcontext.h):
// the FXSAVE image, whose software-reserved bytes (struct _fpx_sw_bytes)
// name the extended area, the XSAVE header, the AVX component in the
// standard (uncompacted) format, then FP_XSTATE_MAGIC2 after the image.
const (
	FPXSWBytes      = 464        // struct _fpx_sw_bytes in the FXSAVE image
	FPXStateMagic1  = 0x46505853 // "SXPF": the image is extended
	FPXStateMagic2  = 0x46505845 // "EXPF": after the extended image
	XSaveHeader     = 512        // xstate_bv, xcomp_bv, reserved
	XSaveAVX        = 576        // YMM0-15's upper halves, 16 bytes each
	XSaveSizeAVX    = 832        // legacy + header + AVX: XCR0 = x87|SSE|AVX
	XSaveFrameSize  = XSaveSizeAVX + 4
	XFeaturesFPSSE  = 3 // XCR0's x87 and SSE bits
	XFeatureAVX     = 4
	XSaveMinSize    = XSaveAVX // min_xstate_size: legacy area and header
	UCFPXState      = 1        // uc_flags: the fpstate is an XSAVE image
	UCSigcontextSS  = 2        // uc_flags: sigcontext's ss is saved
	UCStrictRestore = 4        // uc_flags: sigreturn restores that ss as it is
)

// Sigcontext is struct sigcontext: the general registers in its order,
// the segments, the trap's details and the fpstate pointer.
type Sigcontext struct {
	Gregs                [18]uint64 // r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags
	CS, GS, FS, SS       uint16
	Err, Trapno, Oldmask uint64
	CR2, FPState         uint64
}

// StackT is stack_t, a sigaltstack.
type StackT struct {
	SP    uint64
	Flags int32
	Size  uint64
}

// Ucontext is struct ucontext as a signal frame holds it (uc_link is
// always 0 here).
type Ucontext struct {
	Flags    uint64
	Stack    StackT
	Mcontext Sigcontext
	Sigmask  uint64
}

var le = binary.LittleEndian

// Put writes u over b[:UcontextSize], zeroing what it does not name.
func (u *Ucontext) Put(b []byte) {
	b = b[:UcontextSize]
	clear(b)
	le.PutUint64(b[UcontextFlags:], u.Flags)
	le.PutUint64(b[UcontextStack:], u.Stack.SP)
	le.PutUint32(b[UcontextStack+8:], uint32(u.Stack.Flags))
	le.PutUint64(b[UcontextStack+16:], u.Stack.Size)
	mc := &u.Mcontext
	m := b[UcontextMcontext:]
	for i, r := range mc.Gregs {
		le.PutUint64(m[8*i:], r)
	}
	le.PutUint16(m[144:], mc.CS)
	le.PutUint16(m[146:], mc.GS)
	le.PutUint16(m[148:], mc.FS)
	le.PutUint16(m[150:], mc.SS)
	le.PutUint64(m[152:], mc.Err)
	le.PutUint64(m[160:], mc.Trapno)
	le.PutUint64(m[168:], mc.Oldmask)
	le.PutUint64(m[176:], mc.CR2)
	le.PutUint64(b[UcontextFPState:], mc.FPState)
	le.PutUint64(b[UcontextSigmask:], u.Sigmask)
}

// Get reads a ucontext back from b[:UcontextSize] (rt_sigreturn).
func (u *Ucontext) Get(b []byte) {
	b = b[:UcontextSize]
	u.Flags = le.Uint64(b[UcontextFlags:])
	u.Stack = StackT{SP: le.Uint64(b[UcontextStack:]), Flags: int32(le.Uint32(b[UcontextStack+8:])),
		Size: le.Uint64(b[UcontextStack+16:])}
	mc := &u.Mcontext
	m := b[UcontextMcontext:]
	for i := range mc.Gregs {
		mc.Gregs[i] = le.Uint64(m[8*i:])
	}
	mc.CS, mc.GS, mc.FS, mc.SS = le.Uint16(m[144:]), le.Uint16(m[146:]), le.Uint16(m[148:]), le.Uint16(m[150:])
	mc.Err, mc.Trapno, mc.Oldmask = le.Uint64(m[152:]), le.Uint64(m[160:]), le.Uint64(m[168:])
	mc.CR2, mc.FPState = le.Uint64(m[176:]), le.Uint64(b[UcontextFPState:])
	u.Sigmask = le.Uint64(b[UcontextSigmask:])
}

// Siginfo is the part of siginfo_t a kernel fills: the header and one of
// the union's members, chosen by the signal and its code.
type Siginfo struct {
	Signo, Errno, Code int32
	Pid, UID           int32  // _kill, _rt, _sigchld
	Status             int32  // _sigchld: exit code or signal
	Addr               uint64 // _sigfault: the faulting address
}

// Siginfo's union members, as the kernel picks one.
const (
	SiginfoKill  = iota // si_pid, si_uid
	SiginfoChild        // si_pid, si_uid, si_status
	SiginfoFault        // si_addr
)

// Put writes info over b[:SiginfoSize] with the union member kind.
func (info *Siginfo) Put(b []byte, kind int) {
	b = b[:SiginfoSize]
	clear(b)
	le.PutUint32(b[0:], uint32(info.Signo))
	le.PutUint32(b[4:], uint32(info.Errno))
	le.PutUint32(b[8:], uint32(info.Code))
	u := b[siginfoUnion:]
	switch kind {
	case SiginfoFault:
		le.PutUint64(u, info.Addr)
	case SiginfoChild:
		le.PutUint32(u[8:], uint32(info.Status))
		fallthrough
	default:
		le.PutUint32(u, uint32(info.Pid))
		le.PutUint32(u[4:], uint32(info.UID))
	}
}
