#include "textflag.h"
#include "layout_amd64.h"

// entry64 is where the 32-bit stub (tools/image) lands: 64-bit mode, still
// running at the physical address through the boot identity map, with
// EDI = boot protocol and ESI = physical address of the boot information.
TEXT ·entry64(SB),NOSPLIT|NOFRAME,$0
	// RIP-relative load: at this physical address it reads the physical
	// copy of entryHighAddr, which holds the upper-half address.
	MOVQ ·entryHighAddr(SB), AX
	JMP AX

// entryHigh runs in the upper half. It makes the minimum a Go call needs
// (GS per-CPU block, a shim FS base whose -8 slot holds a fake g, a stack),
// lets bootInit build everything else, then resumes the first thread at
// the runtime's own entry point, _rt0_amd64_linux.
TEXT ·entryHigh(SB),NOSPLIT|NOFRAME,$0
	LEAQ ·cpu0(SB), AX
	MOVL $MSR_GS_BASE, CX
	MOVQ AX, DX
	SHRQ $32, DX
	WRMSR
	LEAQ ·fakeG(SB), BX
	LEAQ ·shimTLS(SB), AX
	MOVQ BX, 0(AX)
	ADDQ $8, AX
	MOVQ AX, ·cpu0+C_SHIMFS(SB)
	SET_FSBASE
	LEAQ ·schedStack+65536(SB), SP
	MOVQ SP, ·cpu0+C_SCHEDTOP(SB)
	SUBQ $16, SP
	MOVQ DI, 0(SP)
	MOVQ SI, 8(SP)
	CALL ·bootInit(SB)
	JMP ·resume(SB)

// idleLoop is the idle thread: wait for an interrupt with interrupts on.
TEXT ·idleLoop(SB),NOSPLIT|NOFRAME,$0
wait:
	STI
	HLT
	JMP wait

TEXT ·outb(SB),NOSPLIT,$0-3
	MOVW port+0(FP), DX
	MOVB val+2(FP), AX
	OUTB
	RET

TEXT ·outw(SB),NOSPLIT,$0-4
	MOVW port+0(FP), DX
	MOVW val+2(FP), AX
	OUTW
	RET

TEXT ·inb(SB),NOSPLIT,$0-9
	MOVW port+0(FP), DX
	XORQ AX, AX
	INB
	MOVB AX, ret+8(FP)
	RET

TEXT ·rdmsr(SB),NOSPLIT,$0-16
	MOVL msr+0(FP), CX
	RDMSR
	SHLQ $32, DX
	ORQ DX, AX
	MOVQ AX, ret+8(FP)
	RET

TEXT ·wrmsr(SB),NOSPLIT,$0-16
	MOVL msr+0(FP), CX
	MOVQ val+8(FP), AX
	MOVQ AX, DX
	SHRQ $32, DX
	WRMSR
	RET

TEXT ·rdtsc(SB),NOSPLIT,$0-8
	RDTSC
	SHLQ $32, DX
	ORQ DX, AX
	MOVQ AX, ret+0(FP)
	RET

TEXT ·cpuid(SB),NOSPLIT,$0-24
	MOVL leaf+0(FP), AX
	MOVL sub+4(FP), CX
	CPUID
	MOVL AX, a+8(FP)
	MOVL BX, b+12(FP)
	MOVL CX, c+16(FP)
	MOVL DX, d+20(FP)
	RET

TEXT ·readCR3(SB),NOSPLIT,$0-8
	MOVQ CR3, AX
	MOVQ AX, ret+0(FP)
	RET

TEXT ·writeCR3(SB),NOSPLIT,$0-8
	MOVQ v+0(FP), AX
	MOVQ AX, CR3
	RET

TEXT ·invlpg(SB),NOSPLIT,$0-8
	MOVQ addr+0(FP), AX
	INVLPG (AX)
	RET

// loadGDT loads the GDT and TSS and reloads the data segment registers.
// CS keeps selector 0x08, whose descriptor is identical in the stub's GDT.
// FS and GS are left alone: loading them would clear their bases.
TEXT ·loadGDT(SB),NOSPLIT,$0-10
	MOVQ gdtr+0(FP), AX
	LGDT 0(AX)
	MOVW $KDATA, AX
	MOVW AX, DS
	MOVW AX, ES
	MOVW AX, SS
	MOVW tss+8(FP), AX
	BYTE $0x0F; BYTE $0x00; BYTE $0xD8 // ltr ax
	RET

TEXT ·loadIDT(SB),NOSPLIT,$0-8
	MOVQ idtr+0(FP), AX
	LIDT 0(AX)
	RET

TEXT ·halt(SB),NOSPLIT|NOFRAME,$0
	CLI
stop:
	HLT
	JMP stop

// Addresses Go code needs but cannot take itself (ABI0 entry points).
DATA ·entryHighAddr+0(SB)/8, $·entryHigh(SB)
GLOBL ·entryHighAddr(SB), RODATA, $8
DATA ·bootEntry+0(SB)/8, $·entry64(SB)
GLOBL ·bootEntry(SB), RODATA, $8
DATA ·rt0Addr+0(SB)/8, $_rt0_amd64_linux(SB)
GLOBL ·rt0Addr(SB), RODATA, $8
DATA ·idleAddr+0(SB)/8, $·idleLoop(SB)
GLOBL ·idleAddr(SB), RODATA, $8
DATA ·syscallEntryAddr+0(SB)/8, $·syscallEntry(SB)
GLOBL ·syscallEntryAddr(SB), RODATA, $8

// rdrand returns a hardware random number; ok is false when the CPU's
// generator had none ready (CF clear).
TEXT ·rdrand(SB),NOSPLIT,$0-9
	MOVL $10, CX
retry:
	BYTE $0x48; BYTE $0x0F; BYTE $0xC7; BYTE $0xF0 // rdrand rax
	JCS ok
	DECL CX
	JNZ retry
	MOVB $0, ret1+8(FP)
	RET
ok:
	MOVQ AX, ret+0(FP)
	MOVB $1, ret1+8(FP)
	RET

DATA ·kernelEnd+0(SB)/8, $runtime·end(SB)
GLOBL ·kernelEnd(SB), RODATA, $8

// irqOff disables interrupts and returns the previous RFLAGS, so Go code
// can share the frame allocator and page tables with the shim.
TEXT ·irqOff(SB),NOSPLIT,$0-8
	PUSHFQ
	POPQ AX
	CLI
	MOVQ AX, ret+0(FP)
	RET

// irqRestore re-enables interrupts if flags had IF set.
TEXT ·irqRestore(SB),NOSPLIT,$0-8
	MOVQ flags+0(FP), AX
	BTQ $9, AX
	JCC off
	STI
off:
	RET

TEXT ·readCR4(SB),NOSPLIT,$0-8
	MOVQ CR4, AX
	MOVQ AX, ret+0(FP)
	RET

TEXT ·writeCR4(SB),NOSPLIT,$0-8
	MOVQ v+0(FP), AX
	MOVQ AX, CR4
	RET

TEXT ·xsetbv(SB),NOSPLIT,$0-16
	MOVL reg+0(FP), CX
	MOVQ v+8(FP), AX
	MOVQ AX, DX
	SHRQ $32, DX
	BYTE $0x0F; BYTE $0x01; BYTE $0xD1 // xsetbv
	RET

DATA ·mxcsrInit+0(SB)/4, $0x1F80 // all SSE exceptions masked, round to nearest
GLOBL ·mxcsrInit(SB), RODATA, $4

// zeroPage clears the 4 KiB page at p with 16-byte stores, eight per
// loop: under QEMU's TCG the REP STOSQ the compiler emits for clear()
// runs each of its 512 steps as a separate translated block. The shim
// saved the interrupted thread's vector registers, so X0 is free.
TEXT ·zeroPage(SB),NOSPLIT,$0-8
	MOVQ p+0(FP), DI
	PXOR X0, X0
	MOVQ $32, CX
zloop:
	MOVOU X0, 0(DI)
	MOVOU X0, 16(DI)
	MOVOU X0, 32(DI)
	MOVOU X0, 48(DI)
	MOVOU X0, 64(DI)
	MOVOU X0, 80(DI)
	MOVOU X0, 96(DI)
	MOVOU X0, 112(DI)
	ADDQ $128, DI
	DECQ CX
	JNZ zloop
	RET
