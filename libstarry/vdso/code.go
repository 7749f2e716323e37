package vdso

// The vDSO's functions, hand-encoded. Each follows the C calling
// convention (arguments in rdi, rsi, rdx; the result in rax; rax, rcx,
// rdx, rsi, rdi, r8-r11 free to clobber), uses no stack, and answers
// what the system call would: the same clocks from the same TSC
// arithmetic as the kernel's nanotime. What it does not know it passes
// to the real system call, whose -errno it returns as Linux's vDSO does.

// Clock IDs (include/uapi/linux/time.h) and the classes the vDSO reads
// itself, as personality/linux's readClock groups them: the realtime
// clocks (REALTIME, REALTIME_COARSE, TAI) and the monotonic ones
// (MONOTONIC, MONOTONIC_RAW, MONOTONIC_COARSE, BOOTTIME). The CPU-time
// and alarm clocks, and any other ID, go to the system call.
const (
	clockTAI      = 11 // the highest ID the vDSO reads
	realtimeMask  = 1<<0 | 1<<5 | 1<<11
	monotonicMask = 1<<1 | 1<<4 | 1<<6 | 1<<7

	sysClockGettime = 228
	sysClockGetres  = 229
)

// readNS leaves the kernel's nanotime in rax (clobbering rdx):
// ((TSC - tscBoot) * mult) >> 32 over the 128-bit product, as nanotime's
// bits.Mul64 does. lfence keeps rdtsc from running ahead of earlier
// loads, as Linux's rdtsc_ordered does.
func (a *asm) readNS() {
	a.op(0x0f, 0xae, 0xe8)               // lfence
	a.op(0x0f, 0x31)                     // rdtsc
	a.op(0x48, 0xc1, 0xe2, 0x20)         // shl rdx, 32
	a.op(0x48, 0x09, 0xd0)               // or rax, rdx
	a.data(offTSCBoot, 0x48, 0x2b, 0x05) // sub rax, [rip+tscBoot]
	a.data(offMult, 0x48, 0xf7, 0x25)    // mul qword [rip+mult]
	a.op(0x48, 0x0f, 0xac, 0xd0, 0x20)   // shrd rax, rdx, 32
}

// realtimeNS leaves Unix time in ns in rax.
func (a *asm) realtimeNS() {
	a.readNS()
	a.data(offWallBoot, 0x48, 0x03, 0x05) // add rax, [rip+wallBoot]
}

// divide splits rax by d: the quotient in rax, the remainder in rdx.
func (a *asm) divide(d uint32) {
	a.op(0x31, 0xd2)       // xor edx, edx
	a.imm32(d, 0xb9)       // mov ecx, d
	a.op(0x48, 0xf7, 0xf1) // div rcx
}

// classify sets eax to 1<<clock for a clock ID in edi the vDSO may
// read, jumping to fallback for any other (negative IDs, the dynamic
// CPU clocks, compare above clockTAI unsigned).
func (a *asm) classify(fallback string) {
	a.op(0x83, 0xff, clockTAI) // cmp edi, 11
	a.jcc(0x77, fallback)      // ja fallback
	a.imm32(1, 0xb8)           // mov eax, 1
	a.op(0x89, 0xf9)           // mov ecx, edi
	a.op(0xd3, 0xe0)           // shl eax, cl
}

// syscall emits the fallback: the same arguments to the real call.
func (a *asm) syscall(nr uint32) {
	a.imm32(nr, 0xb8) // mov eax, nr
	a.op(0x0f, 0x05)  // syscall
	a.op(0xc3)        // ret
}

// clockGettime is clock_gettime(clockid_t clk, struct timespec *ts).
func (a *asm) clockGettime() {
	a.classify("cgt.sys")
	a.imm32(realtimeMask, 0xa9)  // test eax, realtimeMask
	a.jcc(0x75, "cgt.real")      // jnz real
	a.imm32(monotonicMask, 0xa9) // test eax, monotonicMask
	a.jcc(0x74, "cgt.sys")       // jz sys
	a.readNS()
	a.data(offMonoBase, 0x48, 0x2b, 0x05) // sub rax, [rip+monoBase]
	a.jcc(0xeb, "cgt.store")              // jmp store
	a.label("cgt.real")
	a.realtimeNS()
	a.label("cgt.store")
	a.divide(1e9)
	a.op(0x48, 0x89, 0x06)       // mov [rsi], rax: tv_sec
	a.op(0x48, 0x89, 0x56, 0x08) // mov [rsi+8], rdx: tv_nsec
	a.op(0x31, 0xc0)             // xor eax, eax
	a.op(0xc3)                   // ret
	a.label("cgt.sys")
	a.syscall(sysClockGettime)
}

// gettimeofday is gettimeofday(struct timeval *tv, struct timezone *tz):
// each filled when given, the time zone as zeros (UTC), as the call does.
func (a *asm) gettimeofday() {
	a.op(0x48, 0x85, 0xff) // test rdi, rdi
	a.jcc(0x74, "gtod.tz") // jz tz
	a.realtimeNS()
	a.divide(1e9)
	a.op(0x48, 0x89, 0x07) // mov [rdi], rax: tv_sec
	a.op(0x48, 0x89, 0xd0) // mov rax, rdx
	a.divide(1000)
	a.op(0x48, 0x89, 0x47, 0x08) // mov [rdi+8], rax: tv_usec
	a.label("gtod.tz")
	a.op(0x48, 0x85, 0xf6)                         // test rsi, rsi
	a.jcc(0x74, "gtod.done")                       // jz done
	a.op(0x48, 0xc7, 0x06, 0x00, 0x00, 0x00, 0x00) // mov qword [rsi], 0: both ints
	a.label("gtod.done")
	a.op(0x31, 0xc0) // xor eax, eax
	a.op(0xc3)       // ret
}

// time is time(time_t *t): the seconds, also stored when t is given.
func (a *asm) time() {
	a.realtimeNS()
	a.divide(1e9)
	a.op(0x48, 0x85, 0xff) // test rdi, rdi
	a.jcc(0x74, "time.ret")
	a.op(0x48, 0x89, 0x07) // mov [rdi], rax
	a.label("time.ret")
	a.op(0xc3) // ret
}

// getcpu is getcpu(unsigned *cpu, unsigned *node, void *cache): CPU 0,
// node 0, as the system call answers.
func (a *asm) getcpu() {
	a.op(0x48, 0x85, 0xff) // test rdi, rdi
	a.jcc(0x74, "getcpu.node")
	a.imm32(0, 0xc7, 0x07) // mov dword [rdi], 0
	a.label("getcpu.node")
	a.op(0x48, 0x85, 0xf6) // test rsi, rsi
	a.jcc(0x74, "getcpu.done")
	a.imm32(0, 0xc7, 0x06) // mov dword [rsi], 0
	a.label("getcpu.done")
	a.op(0x31, 0xc0) // xor eax, eax
	a.op(0xc3)       // ret
}

// clockGetres is clock_getres(clockid_t clk, struct timespec *res): 1 ns
// for the clocks the vDSO reads, as the call answers for them.
func (a *asm) clockGetres() {
	a.classify("getres.sys")
	a.imm32(realtimeMask|monotonicMask, 0xa9) // test eax, mask
	a.jcc(0x74, "getres.sys")                 // jz sys
	a.op(0x48, 0x85, 0xf6)                    // test rsi, rsi
	a.jcc(0x74, "getres.ok")
	a.imm32(0, 0x48, 0xc7, 0x06)       // mov qword [rsi], 0
	a.imm32(1, 0x48, 0xc7, 0x46, 0x08) // mov qword [rsi+8], 1
	a.label("getres.ok")
	a.op(0x31, 0xc0) // xor eax, eax
	a.op(0xc3)       // ret
	a.label("getres.sys")
	a.syscall(sysClockGetres)
}
