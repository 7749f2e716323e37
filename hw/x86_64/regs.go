// Package x86_64 boots the kernel on x86-64 and runs the unmodified Go
// runtime in ring 0. It owns the CPU tables (GDT, TSS, IDT), the trap and
// SYSCALL entry paths, paging and physical frames, the serial console, the
// clocks, and the shim: the Linux system calls the Go runtime itself makes
// (threads, futexes, sleeping, memory, epoll), served for real.
//
// Shim discipline: dispatch and everything it calls run on the per-CPU
// shim stack with a fake g (its stack guard is 0, so no stack check ever
// fails) and interrupts off. That code must not allocate, must not store
// pointers into heap or global memory (no write barriers: store uintptr),
// and must not use interfaces, maps, closures that escape, fmt or print.
package x86_64

// Regs is a thread's saved CPU state. The assembly reaches it by fixed
// offsets (layout_amd64.h); RIP..SS are laid out as an IRETQ frame so
// resume can return straight from it.
type Regs struct {
	RAX, RBX, RCX, RDX, RSI, RDI, RBP    uint64
	R8, R9, R10, R11, R12, R13, R14, R15 uint64
	Vector, ErrCode                      uint64
	RIP, CS, RFLAGS, RSP, SS             uint64
	FSBase, GSBase, CR2                  uint64
	// fpuValid says fx holds this thread's FPU state. A SYSCALL from
	// kernel Go code skips saving it: Go treats every vector register as
	// clobbered by a call (X15 is re-zeroed on return), so such a thread
	// resumes with a fresh FPU instead (see resume).
	fpuValid uint64
	_        [6]uint64
	fx       [xsaveMax + 64]byte // FXSAVE/XSAVE area, 64-aligned inside
}

// cpuLocal is the per-CPU block that GS points at. One exists today; the
// layout is per CPU so more can be added.
type cpuLocal struct {
	self     uint64 // its own address
	cur      uint64 // *Regs of the running thread
	schedTop uint64 // top of the shim stack
	scratch  uint64 // one register's worth of room for the entry paths
	shimFS   uint64 // FS base while the shim runs: -8(FS) holds &fakeG
	depth    uint64 // nonzero while the shim runs; a trap then is fatal
	curIdx   int    // index of the running thread in threads
	xsave    uint64 // nonzero: save FPU state with XSAVE (AVX on), else FXSAVE
	// kernGS is what KERNEL_GS_BASE holds: the GS base of the user thread
	// last resumed (ring 3 cannot change it, FSGSBASE being off), so a
	// thread resumed again needs no WRMSR.
	kernGS uint64
}

// Trap vectors beyond the CPU's exceptions.
const (
	vecTimer    = 32
	vecSpurious = 255
	vecSyscall  = 256 // pseudo-vector: entered through SYSCALL
	kernelCS    = 0x08
	kernelSS    = 0x10
	userSS      = gdtUserData*8 | 3
	userCS      = gdtUserCode*8 | 3
	rflagsIF    = 1 << 9
)

var (
	cpu0       cpuLocal
	fakeG      [64]uint64 // stands in for a g while the shim runs
	shimTLS    [2]uint64  // [0] = &fakeG; FS base = &shimTLS[1]
	schedStack [65536]byte
	fatalRegs  Regs

	// bootPageTables is filled by tools/image with the boot page tables
	// (PML4, PDPT, 4 PDs) in its first page-aligned 6 pages. It must be
	// initialized data, so that the bytes exist in the file.
	bootPageTables = [7 * 512]uint64{1}
)

// Set by the assembly: addresses of ABI0 entry points.
var entryHighAddr, bootEntry, rt0Addr, idleAddr, syscallEntryAddr, kernelEnd uintptr
var vectorStubs [256]uintptr

// Implemented in assembly (entry_amd64.s).
func outb(port uint16, val uint8)
func outw(port uint16, val uint16)
func inb(port uint16) uint8
func rdmsr(msr uint32) uint64
func wrmsr(msr uint32, val uint64)
func rdtsc() uint64
func cpuid(leaf, sub uint32) (a, b, c, d uint32)
func readCR3() uint64
func writeCR3(v uint64)
func invlpg(addr uintptr)
func loadGDT(gdtr uintptr, tss uint16)
func loadIDT(idtr uintptr)
func halt()
func rdrand() (uint64, bool)
func irqOff() uint64
func irqRestore(flags uint64)
