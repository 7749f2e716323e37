package x86_64

import (
	"errors"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/starry-go/starry/exo"
)

// The exo backend on this machine: frames from the shim's allocator and
// real x86-64 page tables for each Env, whose upper half is the kernel's
// (supervisor-only) so traps need no CR3 switch.

// Backend returns the exo backend for this machine.
func Backend() exo.Backend { return machine{} }

type machine struct{}

var errNoFrames = errors.New("x86_64: out of physical memory")

// withIRQsOff runs fn with interrupts disabled: the frame allocator and
// page tables are shared with the shim, which runs from interrupts.
func withIRQsOff(fn func()) {
	f := irqOff()
	fn()
	irqRestore(f)
}

// kernelReserve is how many frames stay for the kernel's own heap, so
// user programs exhausting memory get ENOMEM from exo, never a kernel out
// of memory: an eighth of memory (the library OS's bookkeeping grows with
// what programs map), at least 8 MiB. It is headroom beyond what the
// kernel holds already (about 4 MiB of heap, stacks and GC metadata
// running busybox), so the heap can still double when programs have
// taken every other frame.
func kernelReserve() uint64 { return max(2048, framesTotal/8) }

// allocUserFrame takes a frame for user memory or a user page table,
// leaving the kernel's reserve alone: a program's page tables are its
// memory too, and a fork bomb must run out of frames, not the kernel's
// heap. IRQs are off.
func allocUserFrame() (uint64, bool) {
	if framesFree > kernelReserve() {
		return allocFrame()
	}
	return 0, false
}

func (machine) AllocPhys() (p uint64, ok bool) {
	withIRQsOff(func() { p, ok = allocUserFrame() })
	return p, ok
}

func (machine) UserFrames() int {
	if r := kernelReserve(); framesTotal > r {
		return int(framesTotal - r)
	}
	return 0
}

func (machine) FreeFrames() (n int) {
	withIRQsOff(func() {
		if r := kernelReserve(); framesFree > r {
			n = int(framesFree - r)
		}
	})
	return n
}

func (machine) FreePhys(p uint64) {
	if p >= 1<<20 && p < directMapEnd && p&(pageSize-1) == 0 {
		withIRQsOff(func() { freeFrame(p) })
	}
}

func (machine) Phys(p uint64) []byte {
	if p >= directMapEnd {
		return nil
	}
	return unsafe.Slice((*byte)(ptrAt(phys2virt(p&^(pageSize-1)))), pageSize)
}

// Load32 and CompareAndSwap32 go through the direct map; LOCK CMPXCHG
// there is atomic with user code on every CPU, whatever mapping it uses.
func (machine) Load32(p uint64) uint32 {
	return atomic.LoadUint32((*uint32)(ptrAt(phys2virt(p))))
}

func (machine) CompareAndSwap32(p uint64, old, new uint32) uint32 {
	w := (*uint32)(ptrAt(phys2virt(p)))
	for {
		if atomic.CompareAndSwapUint32(w, old, new) {
			return old
		}
		if cur := atomic.LoadUint32(w); cur != old {
			return cur
		}
	}
}

func (machine) NewAddressSpace() (exo.AddressSpace, error) {
	var root uint64
	var ok bool
	withIRQsOff(func() {
		if root, ok = allocUserFrame(); ok {
			copy(table(root)[256:], table(kernelPML4)[256:])
		}
	})
	if !ok {
		return nil, errNoFrames
	}
	return &addressSpace{root: root}, nil
}

// addressSpace is an Env's PML4 and the tables Set made below it.
type addressSpace struct {
	root uint64
	// tables lists the first tables Set allocated, so Destroy frees
	// them without scanning hundreds of empty entries per level (a
	// small program's teardown scanned about 2,800); past its size,
	// Destroy scans.
	tables  [48]uint64
	nTables int
}

// allocTable takes a frame for one of a's tables and notes it.
func (a *addressSpace) allocTable() (uint64, bool) {
	f, ok := allocUserFrame()
	if ok {
		if a.nTables < len(a.tables) {
			a.tables[a.nTables] = f
		}
		a.nTables++
	}
	return f, ok
}

func (a *addressSpace) Set(va uintptr, phys uint64, p exo.Perm) error {
	if va >= userTop || phys >= directMapEnd {
		return exo.ErrBadAddress
	}
	v := phys | pteP | pteUser
	if p&exo.PermWrite != 0 {
		v |= pteRW
	}
	if p&exo.PermExec == 0 {
		v |= pteNX
	}
	var err error
	withIRQsOff(func() {
		e := pteIn(a.root, va, a.allocTable, pteP|pteRW|pteUser)
		if e == nil {
			err = errNoFrames
			return
		}
		*e = v
		if curCR3 == a.root {
			invlpg(va)
		}
	})
	return err
}

func (a *addressSpace) Clear(va uintptr) {
	withIRQsOff(func() {
		if e := pteIn(a.root, va, nil, 0); e != nil {
			*e = 0
			if curCR3 == a.root {
				invlpg(va)
			}
		}
	})
}

func (a *addressSpace) Get(va uintptr) (phys uint64, p exo.Perm, ok bool) {
	withIRQsOff(func() {
		e := pteIn(a.root, va, nil, 0)
		if e == nil || *e&pteP == 0 {
			return
		}
		phys, ok = *e&pteAddr, true
		p = exo.PermRead
		if *e&pteRW != 0 {
			p |= exo.PermWrite
		}
		if *e&pteNX == 0 {
			p |= exo.PermExec
		}
	})
	return phys, p, ok
}

// Destroy stops every use of the tables, then frees them (lower half
// only: the upper half is the kernel's).
func (a *addressSpace) Destroy() {
	syscall.RawSyscall(sysDropAS, uintptr(a.root), 0, 0)
	withIRQsOff(func() {
		if a.nTables <= len(a.tables) {
			for _, t := range a.tables[:a.nTables] {
				freeFrame(t)
			}
			freeFrame(a.root)
		} else {
			freeTables(a.root, 3, 256)
		}
		a.root, a.nTables = 0, 0
	})
}

// freeTables frees a table and the tables below it; n limits the entries
// looked at (the PML4's lower half).
func freeTables(t uint64, level, n int) {
	if level > 0 {
		for i, e := range table(t)[:n] {
			if e&pteP != 0 {
				freeTables(e&pteAddr, level-1, 512)
				table(t)[i] = 0
			}
		}
	}
	freeFrame(t)
}

func (a *addressSpace) Run(regs *exo.Regs, slice time.Duration) exo.Trap {
	rec := trapRecord{SliceNs: uint64(slice)}
	_, _, errno := syscall.Syscall(sysRunUser, uintptr(unsafe.Pointer(regs)), uintptr(unsafe.Pointer(&rec)), uintptr(a.root))
	if errno != 0 {
		return exo.Trap{Kind: exo.TrapException, Vector: -1}
	}
	t := exo.Trap{Kind: exo.TrapKind(rec.Kind), Vector: int(rec.Vector), ErrCode: rec.ErrCode,
		Addr: uintptr(rec.Addr), UserTime: time.Duration(rec.UserNs)}
	if t.Kind == exo.TrapPageFault {
		t.Present = rec.ErrCode&1 != 0
		switch {
		case rec.ErrCode&(1<<4) != 0:
			t.Access = exo.PermExec
		case rec.ErrCode&2 != 0:
			t.Access = exo.PermWrite
		default:
			t.Access = exo.PermRead
		}
	}
	return t
}
