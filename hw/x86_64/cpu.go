package x86_64

import "unsafe"

// GDT layout. SYSRET derives the user selectors from STAR[63:48]: SS is
// base+8 and CS is base+16, hence user data before user code.
const (
	gdtKernelCode = 1 // 0x08
	gdtKernelData = 2 // 0x10
	gdtUserCode32 = 3 // 0x18, only as SYSRET's base
	gdtUserData   = 4 // 0x20
	gdtUserCode   = 5 // 0x28
	gdtTSS        = 6 // 0x30, two slots
	tssSelector   = gdtTSS * 8
)

// IST assignment: NMI, double fault and machine check get stacks of their
// own; every other vector uses istTrap, so no trap lands on a goroutine
// stack. The entry code copies the frame out at once, so one stack can
// serve all of them.
const (
	istNMI    = 1
	istDouble = 2
	istMCE    = 3
	istTrap   = 4
	istSize   = 16384
)

var (
	gdt       [8]uint64
	tss       [13]uint64 // 104-byte 64-bit TSS
	idt       [512]uint64
	istStacks [4][istSize]byte
	descPtr   [2]uint64 // scratch pseudo-descriptor for lgdt/lidt
)

func addrOf(p unsafe.Pointer) uint64 { return uint64(uintptr(p)) }

// setupCPU loads the GDT with a TSS, the IDT, and the SYSCALL MSRs.
func setupCPU() {
	gdt[gdtKernelCode] = 0x00AF9A000000FFFF
	gdt[gdtKernelData] = 0x00CF92000000FFFF
	gdt[gdtUserCode32] = 0x00CFFA000000FFFF
	gdt[gdtUserData] = 0x00CFF2000000FFFF
	gdt[gdtUserCode] = 0x00AFFA000000FFFF
	tssBase := addrOf(unsafe.Pointer(&tss))
	for i := 0; i < 4; i++ {
		top := addrOf(unsafe.Pointer(&istStacks[i])) + istSize
		setTSSWord(36+8*i, top) // IST1..IST4
	}
	setTSSWord(4, addrOf(unsafe.Pointer(&istStacks[istTrap-1]))+istSize) // RSP0, for ring-3 traps later
	tss[12] = 104 << 48                                                  // I/O bitmap offset: none
	limit := uint64(104 - 1)
	gdt[gdtTSS] = limit | (tssBase&0xFFFFFF)<<16 | 0x89<<40 | (tssBase>>24&0xFF)<<56
	gdt[gdtTSS+1] = tssBase >> 32
	descPtr[0] = uint64(len(gdt)*8-1) | addrOf(unsafe.Pointer(&gdt))<<16
	descPtr[1] = addrOf(unsafe.Pointer(&gdt)) >> 48
	loadGDT(uintptr(unsafe.Pointer(&descPtr)), tssSelector)

	for v := 0; v < 256; v++ {
		ist := uint64(istTrap)
		switch v {
		case 2:
			ist = istNMI
		case 8:
			ist = istDouble
		case 18:
			ist = istMCE
		}
		h := uint64(vectorStubs[v])
		attr := uint64(0x8E) // present, DPL 0, 64-bit interrupt gate
		if v == 3 || v == 4 {
			attr = 0xEE // int3 and into are allowed from ring 3, as on Linux
		}
		idt[2*v] = h&0xFFFF | kernelCS<<16 | ist<<32 | attr<<40 | (h>>16&0xFFFF)<<48
		idt[2*v+1] = h >> 32
	}
	descPtr[0] = uint64(len(idt)*8-1) | addrOf(unsafe.Pointer(&idt))<<16
	descPtr[1] = addrOf(unsafe.Pointer(&idt)) >> 48
	loadIDT(uintptr(unsafe.Pointer(&descPtr)))

	const msrSTAR, msrLSTAR, msrFMASK = 0xC0000081, 0xC0000082, 0xC0000084
	wrmsr(msrSTAR, uint64(gdtUserCode32*8)<<48|uint64(kernelCS)<<32)
	wrmsr(msrLSTAR, uint64(syscallEntryAddr))
	// Clear TF, IF, DF, IOPL, NT and AC on entry, as Linux does.
	wrmsr(msrFMASK, 0x47700)
}

// setTSSWord stores a 64-bit value at a byte offset of the TSS, whose
// 64-bit fields are only 4-byte aligned.
func setTSSWord(off int, v uint64) {
	b := (*[104]byte)(unsafe.Pointer(&tss))
	for i := 0; i < 8; i++ {
		b[off+i] = byte(v >> (8 * i))
	}
}
