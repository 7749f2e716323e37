package main

import (
	"slices"

	hw "github.com/starry-go/starry/hw/x86_64"
	"github.com/starry-go/starry/libstarry"
)

// vdsoClock is the clock the processes' vDSO reads: the kernel's own TSC
// clock. The kernel command-line word "novdso" (or a CPU that keeps
// RDTSC from ring 3) leaves processes without a vDSO, reading the clock
// through system calls.
func vdsoClock(args []string) libstarry.Clock {
	if slices.Contains(args, "novdso") || !hw.UserTSC() {
		return libstarry.Clock{}
	}
	tsc, mult, wall := hw.ClockParams()
	return libstarry.Clock{TSCBoot: tsc, Mult: mult, WallBoot: wall, Now: hw.Nanotime}
}
