// Package sim is exo's simulated machine: physical memory, page tables
// and user execution as Go data, so the exokernel and the library OS above
// it are tested with plain `go test`, without QEMU. User code is a Go
// function (CPU) that plays the program: it reads and writes memory
// through the same permission checks the MMU makes and returns traps.
package sim

import (
	"encoding/binary"
	"sync"
	"time"

	"github.com/starry-go/starry/exo"
)

// CPU runs simulated user code for one Run: it may change regs, access
// memory through u, and returns the trap that ends the run.
type CPU func(u *User, regs *exo.Regs) exo.Trap

// Machine is the simulated hardware.
type Machine struct {
	mu        sync.Mutex
	next      uint64
	frames    map[uint64][]byte
	maxFrames int
	// CPU is called by Run. Nil makes Run fail with #UD.
	CPU CPU
}

// New makes a machine with room for maxFrames frames.
func New(maxFrames int) *Machine {
	return &Machine{next: 0x100000, frames: map[uint64][]byte{}, maxFrames: maxFrames}
}

// AllocPhys returns a zeroed frame.
func (m *Machine) AllocPhys() (uint64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.frames) >= m.maxFrames {
		return 0, false
	}
	p := m.next
	m.next += exo.PageSize
	m.frames[p] = make([]byte, exo.PageSize)
	return p, true
}

// UserFrames is the machine's size.
func (m *Machine) UserFrames() int { return m.maxFrames }

// FreeFrames is what AllocPhys could still hand out.
func (m *Machine) FreeFrames() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.maxFrames - len(m.frames)
}

// FreePhys returns a frame; its contents are scribbled so a missing
// zeroing on reuse would show.
func (m *Machine) FreePhys(p uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f := m.frames[p]; f != nil {
		for i := range f {
			f[i] = 0xA5
		}
	}
	delete(m.frames, p)
}

// Phys returns a frame's bytes.
func (m *Machine) Phys(p uint64) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.frames[p]
}

// Load32 reads a word of physical memory under the machine's lock: user
// code here is Go, so the lock is what makes the access atomic.
func (m *Machine) Load32(p uint64) uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return binary.LittleEndian.Uint32(m.frames[p&^(exo.PageSize-1)][p&(exo.PageSize-1):])
}

// CompareAndSwap32 swaps a word of physical memory under the machine's
// lock and returns its old value.
func (m *Machine) CompareAndSwap32(p uint64, old, new uint32) uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	w := m.frames[p&^(exo.PageSize-1)][p&(exo.PageSize-1):]
	cur := binary.LittleEndian.Uint32(w)
	if cur == old {
		binary.LittleEndian.PutUint32(w, new)
	}
	return cur
}

// FramesInUse counts allocated frames.
func (m *Machine) FramesInUse() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.frames)
}

// NewAddressSpace makes an empty page table.
func (m *Machine) NewAddressSpace() (exo.AddressSpace, error) {
	return &AddressSpace{m: m, pages: map[uintptr]pte{}}, nil
}

type pte struct {
	phys uint64
	perm exo.Perm
}

// AddressSpace is a simulated page table.
type AddressSpace struct {
	m     *Machine
	mu    sync.Mutex
	pages map[uintptr]pte
}

func (a *AddressSpace) Set(va uintptr, phys uint64, p exo.Perm) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pages[va] = pte{phys, p}
	return nil
}

func (a *AddressSpace) Clear(va uintptr) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.pages, va)
}

func (a *AddressSpace) Get(va uintptr) (uint64, exo.Perm, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.pages[va]
	return e.phys, e.perm, ok
}

func (a *AddressSpace) Destroy() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pages = nil
}

// Run plays the machine's CPU function as user code.
func (a *AddressSpace) Run(regs *exo.Regs, slice time.Duration) exo.Trap {
	if a.m.CPU == nil {
		return exo.Trap{Kind: exo.TrapException, Vector: 6}
	}
	start := time.Now()
	t := a.m.CPU(&User{as: a}, regs)
	t.UserTime = time.Since(start)
	return t
}
