package x86_64

import (
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The machine's precise timed wait for exo's timers (exo.TimedWaiter):
// the shim's futex, whose deadline the APIC timer meets to within its
// interrupt latency (armTimer), where the Go runtime's own timers wait in
// whole milliseconds.

// futex(2) operations on a private word.
const (
	futexWaitPrivate = 0 | 128
	futexWakePrivate = 1 | 128
)

func (machine) Wait(word *atomic.Uint32, val uint32, d time.Duration) {
	var ts *unix.Timespec
	if d >= 0 {
		t := unix.NsecToTimespec(d.Nanoseconds())
		ts = &t
	}
	unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(word)), futexWaitPrivate, uintptr(val),
		uintptr(unsafe.Pointer(ts)), 0, 0)
}

func (machine) Wake(word *atomic.Uint32) {
	unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(word)), futexWakePrivate, 1, 0, 0, 0)
}
