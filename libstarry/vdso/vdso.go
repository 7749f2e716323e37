// Package vdso builds the virtual dynamic shared object exec maps into
// every process (Linux's vDSO, AT_SYSINFO_EHDR): clock_gettime,
// gettimeofday, time, getcpu and clock_getres in user mode, so that
// reading the clock takes no trap. The code reads the TSC and the clock's
// parameters from a data page mapped just below it ([vvar]) and computes
// what the system calls answer.
package vdso

import "encoding/binary"

// PageSize is the size of the data page and of the image, one page each.
const PageSize = 4096

// The data page's layout: what readNS and the clocks need.
const (
	offTSCBoot  = 0  // the TSC at the clock's origin
	offMult     = 8  // ns per TSC tick, 32.32 fixed point
	offWallBoot = 16 // Unix time in ns at the origin: CLOCK_REALTIME's offset
	offMonoBase = 24 // the clock's reading at CLOCK_MONOTONIC's zero (the kernel's boot)
)

// dataVaddr is where the data page lies relative to the image's first
// byte: the page right below it.
const dataVaddr = -PageSize

// Params are the clock's parameters (see Data).
type Params struct {
	TSCBoot, Mult uint64
	WallBoot      int64
	MonoBase      int64
}

// Data is the [vvar] page for p: with ns = ((rdtsc - TSCBoot) * Mult)
// >> 32, CLOCK_REALTIME is ns + WallBoot and CLOCK_MONOTONIC ns -
// MonoBase. The values never change, so no sequence count guards them.
func Data(p Params) []byte {
	b := make([]byte, PageSize)
	binary.LittleEndian.PutUint64(b[offTSCBoot:], p.TSCBoot)
	binary.LittleEndian.PutUint64(b[offMult:], p.Mult)
	binary.LittleEndian.PutUint64(b[offWallBoot:], uint64(p.WallBoot))
	binary.LittleEndian.PutUint64(b[offMonoBase:], uint64(p.MonoBase))
	return b
}

// image is built once: it does not depend on the parameters.
var image = build()

// Image is the [vdso] page: an ELF shared object linked at 0, to be
// mapped one page above the data page. The slice is shared: do not
// modify it.
func Image() []byte { return image }
