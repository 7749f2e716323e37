#include "textflag.h"
#include "layout_amd64.h"

// trapEntry: every IDT vector stub pushes (error code, vector) and jumps
// here, on an IST stack, interrupts off. Frame: 0 vector, 8 error, 16 RIP,
// 24 CS, 32 RFLAGS, 40 RSP, 48 SS. The frame is copied into the current
// thread's Regs so the IST stack is free again at once.
TEXT ·trapEntry(SB),NOSPLIT|NOFRAME,$0
	// From ring 3, GS still holds the user's base: swap in the kernel's.
	// (An NMI landing before a SWAPGS would see the wrong GS; NMIs are
	// not used yet.)
	TESTB $3, 24(SP)
	JZ fromKernel
	SWAPGS
fromKernel:
	CMPQ C_DEPTH(GS), $0
	JNE nested
	MOVQ AX, C_SCRATCH(GS)
	MOVQ C_CUR(GS), AX
	SAVE_GPRS(AX)
	MOVQ C_SCRATCH(GS), BX
	MOVQ BX, R_RAX(AX)
	SAVE_TRAP_FRAME(AX)
	JMP ·enterShim(SB)
nested:
	// A trap while the shim itself runs: the shim is broken. Save what we
	// can into fatalRegs and report; never returns.
	MOVQ AX, ·fatalRegs+R_RAX(SB)
	LEAQ ·fatalRegs(SB), AX
	SAVE_GPRS(AX)
	SAVE_TRAP_FRAME(AX)
	MOVQ C_SHIMFS(GS), AX
	SET_FSBASE
	CALL ·fatalNested(SB)
	JMP ·halt(SB)

// syscallEntry is LSTAR. SYSCALL from ring 0 (the Go runtime's own calls)
// switches neither stack nor privilege; RCX holds the return RIP, R11 the
// flags, and FMASK has cleared IF. Kernel code lives in the upper half, so
// bit 63 of RCX tells kernel callers from user ones without a scratch
// register.
TEXT ·syscallEntry(SB),NOSPLIT|NOFRAME,$0
	BTQ $63, CX
	JCC fromUser
	MOVQ SP, C_SCRATCH(GS)
	MOVQ C_CUR(GS), SP
	MOVQ AX, R_RAX(SP)
	SAVE_GPRS(SP)
	MOVQ CX, R_RIP(SP)
	MOVQ R11, R_RFLAGS(SP)
	MOVQ C_SCRATCH(GS), AX
	MOVQ AX, R_RSP(SP)
	MOVQ $KCODE, R_CS(SP)
	MOVQ $KDATA, R_SS(SP)
	MOVQ $VEC_SYSCALL, R_VEC(SP)
	MOVQ SP, AX
	MOVQ $0, R_FPUVALID(AX) // no FPU save: see Regs.fpuValid
	JMP ·runDispatch(SB)
fromUser:
	// A user program's system call: GS and RSP are the user's. Save its
	// registers into the thread's user Regs (C_CUR points there while the
	// thread runs in ring 3); dispatch hands the trap to the library OS.
	SWAPGS
	MOVQ SP, C_SCRATCH(GS)
	MOVQ C_CUR(GS), SP
	MOVQ AX, R_RAX(SP)
	SAVE_GPRS(SP)
	MOVQ CX, R_RIP(SP)
	MOVQ R11, R_RFLAGS(SP)
	MOVQ C_SCRATCH(GS), AX
	MOVQ AX, R_RSP(SP)
	MOVQ $UCODE, R_CS(SP)
	MOVQ $UDATA, R_SS(SP)
	MOVQ $VEC_SYSCALL, R_VEC(SP)
	MOVQ SP, AX
	JMP ·enterShim(SB)

// enterShim: AX = Regs of the current thread, general registers saved.
// Save the SSE state, switch to the per-CPU shim stack and the shim FS
// base (fake g), and run dispatch in Go. dispatch picks the thread to run.
TEXT ·enterShim(SB),NOSPLIT|NOFRAME,$0
	MOVQ $1, R_FPUVALID(AX)
	LEAQ (R_FX+63)(AX), BX
	ANDQ $~63, BX
	CMPQ C_XSAVE(GS), $0
	JEQ fxsave
	MOVL $-1, AX // save every enabled component
	MOVL $-1, DX
	BYTE $0x48; BYTE $0x0F; BYTE $0xAE; BYTE $0x23 // xsave64 (rbx)
	JMP saved
fxsave:
	FXSAVE64 (BX)
saved:
	JMP ·runDispatch(SB)

// runDispatch switches to the per-CPU shim stack and the shim FS base
// (fake g) and runs dispatch in Go, then resumes whichever thread it chose.
TEXT ·runDispatch(SB),NOSPLIT|NOFRAME,$0
	MOVQ $1, C_DEPTH(GS)
	MOVQ C_SCHEDTOP(GS), SP
	MOVQ C_SHIMFS(GS), AX
	SET_FSBASE
	CALL ·dispatch(SB)
	JMP ·resume(SB)

// resume returns to the current thread exactly as its Regs say, through
// IRETQ (which in 64-bit mode pops RIP, CS, RFLAGS, RSP and SS, so it
// serves ring 0 and ring 3 alike).
TEXT ·resume(SB),NOSPLIT|NOFRAME,$0
	MOVQ $0, C_DEPTH(GS)
	MOVQ C_CUR(GS), SP
	CMPQ R_FPUVALID(SP), $0
	JEQ fpuInit
	LEAQ (R_FX+63)(SP), BX
	ANDQ $~63, BX
	CMPQ C_XSAVE(GS), $0
	JEQ fxrstor
	MOVL $-1, AX
	MOVL $-1, DX
	BYTE $0x48; BYTE $0x0F; BYTE $0xAE; BYTE $0x2B // xrstor64 (rbx)
	JMP restored
fxrstor:
	FXRSTOR64 (BX)
	JMP restored
fpuInit:
	// Back from a kernel SYSCALL whose FPU state was not saved: start
	// clean (all vector registers zero, so X15 is the zero Go expects,
	// default x87 control word and MXCSR).
	CMPQ C_XSAVE(GS), $0
	JEQ sseInit
	BYTE $0xC5; BYTE $0xFC; BYTE $0x77 // vzeroall
	JMP fpuCtl
sseInit:
	PXOR X0, X0
	PXOR X1, X1
	PXOR X2, X2
	PXOR X3, X3
	PXOR X4, X4
	PXOR X5, X5
	PXOR X6, X6
	PXOR X7, X7
	PXOR X8, X8
	PXOR X9, X9
	PXOR X10, X10
	PXOR X11, X11
	PXOR X12, X12
	PXOR X13, X13
	PXOR X14, X14
	PXOR X15, X15
fpuCtl:
	BYTE $0xDB; BYTE $0xE3 // fninit
	LDMXCSR ·mxcsrInit(SB)
restored:
	MOVQ R_FSBASE(SP), AX
	SET_FSBASE
	// Where RCX and R11 hold RIP and RFLAGS, as after a SYSCALL, IRETQ's
	// five-word frame (and its two descriptor loads, costly under TCG) is
	// not needed: SYSRETQ goes back to ring 3, a jump stays in ring 0.
	// SYSRETQ clears RF, so a thread with RF set takes IRETQ.
	MOVQ R_RCX(SP), AX
	CMPQ AX, R_RIP(SP)
	JNE viaIRET
	MOVQ R_R11(SP), AX
	CMPQ AX, R_RFLAGS(SP)
	JNE viaIRET
	BTQ $16, AX
	JCS viaIRET
	TESTB $3, R_CS(SP)
	JZ jumpKernel
	// SS may be null after an interrupt from ring 3; AMD's SYSRET keeps
	// its unusable attributes, so load a real one first (Linux's
	// X86_BUG_SYSRET_SS_ATTRS).
	MOVL $KDATA, AX
	MOVW AX, SS
	RESTORE_GPRS(SP)
	MOVQ R_RSP(SP), SP
	SWAPGS // back to the user's GS base; the kernel's waits in KERNEL_GS_BASE
	BYTE $0x48; BYTE $0x0F; BYTE $0x07 // sysretq to ring 3 (RIP = RCX, RFLAGS = R11)
jumpKernel:
	// Interrupts stay off until POPFQ: one landing between POPFQ and the
	// jump saves this thread at the jump, with RCX intact, and resumes it
	// there. Go keeps nothing below SP, so the pushed word is free room.
	RESTORE_GPRS(SP)
	MOVQ R_RSP(SP), SP
	PUSHQ R11
	POPFQ
	JMP CX
viaIRET:
	RESTORE_GPRS(SP)
	TESTB $3, R_CS(SP)
	JZ toKernel
	SWAPGS // back to the user's GS base; the kernel's waits in KERNEL_GS_BASE
toKernel:
	LEAQ R_RIP(SP), SP
	IRETQ
