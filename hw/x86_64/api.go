package x86_64

import (
	"syscall"
	"unsafe"
)

// The kernel's view of the machine, for ordinary Go code (kernel main,
// the self-test). These run after the runtime is up.

// Cmdline returns the kernel command line.
func Cmdline() string { return string(cmdline[:cmdlineLen]) }

// PowerOff prints the status line and ends the machine with status.
func PowerOff(status int) { powerOff(status) }

// TSC reads the time-stamp counter.
func TSC() uint64 { return rdtsc() }

// TSCHz is the TSC rate measured at boot.
func TSCHz() uint64 { return tscHz }

// Ticks counts timer interrupts since boot.
func Ticks() uint64 { return ticks }

// Memory reports physical memory handed to the frame allocator and how
// much of it is free, in bytes.
func Memory() (total, free uint64) { return framesTotal * pageSize, framesFree * pageSize }

// WaitInterrupt blocks the calling goroutine's thread until a device
// interrupt arrives. It is a real blocking system call to the runtime
// (syscall.Syscall, so the thread's P goes to other goroutines), which is
// what keeps an idle kernel from being declared deadlocked: a runtime
// with a thread in a system call never is. No device interrupt is
// enabled yet, so today it waits for ever.
func WaitInterrupt() { syscall.Syscall(sysWaitIRQ, 0, 0, 0) }

// sysCrashTest is a kernel-private system call number: with "crashtest"
// on the command line, the shim faults on purpose to show a crash report.
const sysCrashTest = 0x5354

// CrashTest makes the shim fault deliberately (needs "crashtest" on the
// command line). It does not return when it works.
func CrashTest() { syscall.RawSyscall(sysCrashTest, 0, 0, 0) }

// Initrd returns the initramfs the loader passed (the first boot module),
// or nil. The memory stays reserved for the kernel's lifetime.
func Initrd() []byte {
	if initrdEnd == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(ptrAt(phys2virt(initrdStart))), initrdEnd-initrdStart)
}

// HWCap is CPUID leaf 1's EDX, what Linux reports as AT_HWCAP.
func HWCap() uint64 {
	_, _, _, d := cpuid(1, 0)
	return uint64(d)
}
