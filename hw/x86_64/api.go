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
// with a thread in a system call never is. The only device interrupt
// today is COM1's receive interrupt.
func WaitInterrupt() { syscall.Syscall(sysWaitIRQ, 0, 0, 0) }

// ConsoleRead reads console input into b, blocking (in a system call, so
// other goroutines run) until at least one byte has arrived. The bytes
// are as the UART received them: no line editing, no CR/NL mapping.
func ConsoleRead(b []byte) (int, error) {
	for {
		n, err := syscall.Read(0, b)
		if err != syscall.EINTR {
			if n < 0 {
				n = 0
			}
			return n, err
		}
	}
}

// ConsoleWriteRaw writes b to the console unchanged (fds 1 and 2 turn
// "\n" into "\r\n"; a tty layer doing its own output processing wants
// neither). It goes through the shim, so it never interleaves inside
// another writer's bytes; long writes go in pieces so that interrupts
// are served between them.
func ConsoleWriteRaw(b []byte) {
	for len(b) > 0 {
		n := min(len(b), 4096)
		syscall.Syscall(sysConsoleRaw, uintptr(unsafe.Pointer(&b[0])), uintptr(n), 0)
		b = b[n:]
	}
}

// ConsoleInterrupts reports whether console input arrives by interrupt
// (false: the shim polls the UART every 10 ms).
func ConsoleInterrupts() bool { return conIRQ }

// sysCrashTest is a kernel-private system call number: with "crashtest"
// on the command line, the shim faults on purpose to show a crash report.
const sysCrashTest = 0x5354

// CrashTest makes the shim fault deliberately (needs "crashtest" on the
// command line). It does not return when it works.
func CrashTest() { syscall.RawSyscall(sysCrashTest, 0, 0, 0) }

// Initrd returns the initramfs the loader passed (the first boot module),
// or nil. Its memory stays reserved until ReleaseInitrd.
func Initrd() []byte {
	if initrdEnd == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(ptrAt(phys2virt(initrdStart))), initrdEnd-initrdStart)
}

// ReleaseInitrd gives the initramfs's memory to the frame allocator once
// its files were copied out (Linux's "Freeing initrd memory"): in a
// small machine it is a tenth of memory. No slice Initrd returned may be
// used after.
func ReleaseInitrd() {
	withIRQsOff(func() {
		if initrdEnd != 0 && initrdEnd > initrdStart {
			addFreeRange(initrdStart, initrdEnd)
		}
		initrdStart, initrdEnd = 0, 0
	})
}

// HWCap is CPUID leaf 1's EDX, what Linux reports as AT_HWCAP.
func HWCap() uint64 {
	_, _, _, d := cpuid(1, 0)
	return uint64(d)
}
