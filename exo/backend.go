package exo

import "time"

// Backend is the machine under exo. Every method is trusted: exo has
// already made its protection checks when it calls one.
type Backend interface {
	// AllocPhys returns a zeroed physical frame.
	AllocPhys() (uint64, bool)
	FreePhys(phys uint64)
	// UserFrames is how many frames AllocPhys can hand out in all: the
	// machine's memory less what the kernel keeps for itself.
	UserFrames() int
	// FreeFrames is how many more AllocPhys could hand out now, less any
	// the machine spends on page tables meanwhile.
	FreeFrames() int
	// Phys gives access to a frame's bytes (for Read/Write).
	Phys(phys uint64) []byte
	// Load32 and CompareAndSwap32 act on the aligned word at physical
	// address phys atomically with respect to user code on every CPU;
	// CompareAndSwap32 returns the word's old value.
	Load32(phys uint64) uint32
	CompareAndSwap32(phys uint64, old, new uint32) uint32
	// NewAddressSpace makes an empty user address space whose kernel half
	// is the kernel's and not accessible from user mode.
	NewAddressSpace() (AddressSpace, error)
}

// AddressSpace is one Env's page table.
type AddressSpace interface {
	// Set maps the user page at va to phys with user access p.
	Set(va uintptr, phys uint64, p Perm) error
	// Clear removes the mapping at va and invalidates the TLB entry.
	Clear(va uintptr)
	// Get returns the mapping at va.
	Get(va uintptr) (phys uint64, p Perm, ok bool)
	// Run enters user mode on this address space with regs until a trap
	// or until slice has passed, saving the user state back into regs.
	Run(regs *Regs, slice time.Duration) Trap
	// Destroy frees the page-table pages (not the mapped frames).
	Destroy()
}

// Regs is the user-visible CPU state of a user thread.
type Regs struct {
	RAX, RBX, RCX, RDX, RSI, RDI, RBP, RSP uint64
	R8, R9, R10, R11, R12, R13, R14, R15   uint64
	RIP, RFLAGS, FSBase, GSBase            uint64
	FX                                     [512]byte // FXSAVE image: x87, MXCSR, XMM0-15
	YMMHi                                  [256]byte // upper halves of YMM0-15 (AVX)
	// FPStamp names the FX and YMMHi image the backend last stored here
	// (0: none), so that it need not load an unchanged image back on the
	// next Run: a null system call's round trip copied these 768 bytes
	// out and in again. Code that edits FX or YMMHi in place calls
	// FPChanged; a whole-struct copy carries the stamp with the image.
	FPStamp uint64
}

// FPChanged says FX or YMMHi were edited in place: the next Run loads
// them.
func (r *Regs) FPChanged() { r.FPStamp = 0 }

// TrapKind says why user mode ended.
type TrapKind int

const (
	TrapSyscall   TrapKind = iota + 1 // SYSCALL: number in RAX, arguments in RDI, RSI, RDX, R10, R8, R9
	TrapPageFault                     // Addr, Access, Present
	TrapException                     // another CPU exception: Vector, ErrCode
	TrapInterrupt                     // a device interrupt arrived
	TrapTimeSlice                     // the slice ended
)

// Trap describes the event that ended a Run.
type Trap struct {
	Kind    TrapKind
	Vector  int
	ErrCode uint64
	Addr    uintptr // faulting address (page faults)
	Access  Perm    // what the access wanted (page faults)
	Present bool    // the page was mapped; the fault is a protection fault
	// UserTime is the time spent in user mode in this Run, measured by
	// the backend (it knows when the CPU entered and left ring 3).
	UserTime time.Duration
}

// Syscall returns the number and six arguments of a TrapSyscall.
func (r *Regs) Syscall() (nr uint64, args [6]uint64) {
	return r.RAX, [6]uint64{r.RDI, r.RSI, r.RDX, r.R10, r.R8, r.R9}
}
