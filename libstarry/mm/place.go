package mm

import (
	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Place maps region v at its own address, as the ELF loader's elf_map
// and vm_brk do: over whatever is there, or with noReplace failing with
// EEXIST instead, after the overcommit check mmap makes.
func (m *MM) Place(v VMA, noReplace bool) error {
	if v.End > v.Start && accountable(&v) && !m.enoughMemory(v.End-v.Start) {
		return abi.ENOMEM
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.place(&v, noReplace)
}

// Mapped reports whether any region overlaps [addr, addr+length), as
// MAP_FIXED_NOREPLACE asks before anything else is decided.
func (m *MM) Mapped(addr, length uintptr) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.overlaps(addr, addr+length)
}

// FreeRange finds the highest free range of length bytes, aligned to
// align (a power of two), below MmapTop: where a mapping without a hint
// goes (arch_get_unmapped_area_topdown).
func (m *MM) FreeRange(length, align uintptr) (uintptr, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.freeRangeAligned(length, align)
}

// place puts v at its own address: over whatever is there, or with
// noReplace failing with EEXIST instead (do_mmap with MAP_FIXED or
// MAP_FIXED_NOREPLACE after get_unmapped_area's checks); m.mu is held.
func (m *MM) place(v *VMA, noReplace bool) error {
	switch {
	case v.End <= v.Start || v.End > userHigh:
		return abi.ENOMEM
	case v.Start < userLow:
		return abi.EPERM // below mmap_min_addr; exo never maps page zero
	case noReplace && m.overlaps(v.Start, v.End):
		return abi.EEXIST
	}
	m.unmap(v.Start, v.End)
	m.insert(v)
	m.coalesce()
	m.holdObjects()
	return nil
}

// SetupStack makes the stack region before anything else is mapped, as
// setup_arg_pages does (an ET_EXEC segment over it is refused); PT_GNU_STACK
// with PF_X makes it executable.
func (m *MM) SetupStack(exec bool) {
	prot := exo.PermRead | exo.PermWrite
	if exec {
		prot |= exo.PermExec
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.insert(&VMA{Start: StackTop - StackSize, End: StackTop, Prot: prot, Name: "[stack]"})
}
