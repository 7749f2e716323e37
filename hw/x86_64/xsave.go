package x86_64

// Extended FPU state. With XSAVE and AVX present, the kernel turns on
// CR4.OSXSAVE and XCR0 = x87|SSE|AVX, so both the Go runtime and user
// programs may use AVX, and every trap saves the full state with XSAVE.
// Without them it falls back to FXSAVE, and CPUID tells programs there is
// no AVX (its OSXSAVE bit follows CR4).
const (
	xsaveMax    = 1024 // room per thread; the enabled state must fit
	xcr0X87SSE  = 3
	xcr0AVX     = 4
	xstateBVOff = 512 // XSAVE header: which components the image holds
)

var avxOff = 576 // offset of the AVX (YMM upper halves) component

func readCR4() uint64
func writeCR4(v uint64)
func xsetbv(reg uint32, v uint64)

// enableXSAVE turns on XSAVE with AVX when the CPU has both and the
// state fits in xsaveMax.
func enableXSAVE() {
	_, _, ecx, _ := cpuid(1, 0)
	const cpuidXSAVE, cpuidAVX = 1 << 26, 1 << 28
	if ecx&cpuidXSAVE == 0 || ecx&cpuidAVX == 0 {
		return
	}
	writeCR4(readCR4() | 1<<18) // OSXSAVE
	xsetbv(0, xcr0X87SSE|xcr0AVX)
	_, size, _, _ := cpuid(0xD, 0)
	_, off, _, _ := cpuid(0xD, 2)
	if size > xsaveMax || off+256 > xsaveMax {
		writeCR4(readCR4() &^ (1 << 18))
		return
	}
	avxOff = int(off)
	cpu0.xsave = 1
}

// XSAVEEnabled reports whether AVX state is saved (programs may use AVX).
func XSAVEEnabled() bool { return cpu0.xsave != 0 }

// XFeatures is XCR0's user state components (x87|SSE|AVX) when XSAVE is
// on, 0 when traps save the FXSAVE image only.
func XFeatures() uint64 {
	if cpu0.xsave == 0 {
		return 0
	}
	return xcr0X87SSE | xcr0AVX
}
