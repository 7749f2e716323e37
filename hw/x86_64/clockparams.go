package x86_64

// ClockParams gives the TSC clock's fixed parameters (tscBoot, mult,
// wallBoot), so that user mode can read the kernel's clock itself (the
// vDSO): nanotime is
// (TSC - tscBoot) * mult >> 32, the 128-bit product's middle 64 bits, and
// CLOCK_REALTIME is wallBoot + nanotime. They are set once at boot and
// never change (the clock cannot be set).
func ClockParams() (uint64, uint64, int64) { return tscBoot, tscMult, wallBoot }

// Nanotime is the kernel's monotonic clock, the one the Go runtime reads,
// in ns since tscBoot.
func Nanotime() int64 { return nanotime() }

// UserTSC reports whether ring 3 may execute RDTSC: CR4.TSD is clear
// (the boot stub never sets it, but a loader could have).
func UserTSC() bool { return readCR4()&(1<<2) == 0 }
