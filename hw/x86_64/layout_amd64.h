// Offsets shared by the assembly and the Go structs (Regs, cpuLocal).
// layout_test.go checks them against unsafe.Offsetof.

// Regs
#define R_RAX 0
#define R_RBX 8
#define R_RCX 16
#define R_RDX 24
#define R_RSI 32
#define R_RDI 40
#define R_RBP 48
#define R_R8 56
#define R_R9 64
#define R_R10 72
#define R_R11 80
#define R_R12 88
#define R_R13 96
#define R_R14 104
#define R_R15 112
#define R_VEC 120
#define R_ERR 128
#define R_RIP 136
#define R_CS 144
#define R_RFLAGS 152
#define R_RSP 160
#define R_SS 168
#define R_FSBASE 176
#define R_CR2 192
#define R_FPUVALID 200
#define R_FX 256

// cpuLocal, reached through GS
#define C_CUR 8
#define C_SCHEDTOP 16
#define C_SCRATCH 24
#define C_SHIMFS 32
#define C_DEPTH 40
#define C_XSAVE 56

#define MSR_FS_BASE 0xC0000100
#define MSR_GS_BASE 0xC0000101
#define VEC_SYSCALL 256
#define KCODE 0x08
#define KDATA 0x10
#define UDATA 0x23
#define UCODE 0x2B

// Save every general register but the one holding the base.
#define SAVE_GPRS(b) \
	MOVQ BX, R_RBX(b); MOVQ CX, R_RCX(b); MOVQ DX, R_RDX(b); \
	MOVQ SI, R_RSI(b); MOVQ DI, R_RDI(b); MOVQ BP, R_RBP(b); \
	MOVQ R8, R_R8(b); MOVQ R9, R_R9(b); MOVQ R10, R_R10(b); MOVQ R11, R_R11(b); \
	MOVQ R12, R_R12(b); MOVQ R13, R_R13(b); MOVQ R14, R_R14(b); MOVQ R15, R_R15(b)

// Load FS base from a 64-bit register value in AX (clobbers CX, DX).
#define SET_FSBASE \
	MOVL $MSR_FS_BASE, CX; MOVQ AX, DX; SHRQ $32, DX; WRMSR

// Restore every general register but the one holding the base (SP here).
#define RESTORE_GPRS(b) \
	MOVQ R_RAX(b), AX; MOVQ R_RBX(b), BX; MOVQ R_RCX(b), CX; MOVQ R_RDX(b), DX; \
	MOVQ R_RSI(b), SI; MOVQ R_RDI(b), DI; MOVQ R_RBP(b), BP; \
	MOVQ R_R8(b), R8; MOVQ R_R9(b), R9; MOVQ R_R10(b), R10; MOVQ R_R11(b), R11; \
	MOVQ R_R12(b), R12; MOVQ R_R13(b), R13; MOVQ R_R14(b), R14; MOVQ R_R15(b), R15

// Copy the IST frame (vector, error, RIP, CS, RFLAGS, RSP, SS, pushed at
// 0..48(SP)) and CR2 into Regs at b (clobbers BX).
#define SAVE_TRAP_FRAME(b) \
	MOVQ 0(SP), BX; MOVQ BX, R_VEC(b); MOVQ 8(SP), BX; MOVQ BX, R_ERR(b); \
	MOVQ 16(SP), BX; MOVQ BX, R_RIP(b); MOVQ 24(SP), BX; MOVQ BX, R_CS(b); \
	MOVQ 32(SP), BX; MOVQ BX, R_RFLAGS(b); MOVQ 40(SP), BX; MOVQ BX, R_RSP(b); \
	MOVQ 48(SP), BX; MOVQ BX, R_SS(b); MOVQ CR2, BX; MOVQ BX, R_CR2(b)
