package libstarry

import (
	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// MapRequest describes an mmap: Linux's do_mmap arguments after the
// personality has decoded them.
type MapRequest struct {
	Addr, Len uintptr
	Prot      exo.Perm
	Fixed     bool   // MAP_FIXED: replace whatever is there
	NoReplace bool   // MAP_FIXED_NOREPLACE: fail with EEXIST instead
	File      []byte // nil for anonymous memory
	FileOff   uint64
	Name      string
}

// Mmap creates a region (do_mmap): at Addr when fixed, at the hint when
// it is free, else at the highest free range below MmapTop. File bytes
// past the end of the file read as zeros (Linux raises SIGBUS past EOF;
// private zero pages are a lenient approximation).
func (m *MM) Mmap(r MapRequest) (uintptr, error) {
	if r.Len == 0 || r.Len > userHigh {
		return 0, abi.EINVAL
	}
	length := uintptr(pageUp(uint64(r.Len)))
	m.mu.Lock()
	defer m.mu.Unlock()
	addr := r.Addr &^ pageMask
	switch {
	case r.Fixed || r.NoReplace:
		if r.Addr&pageMask != 0 || addr < userLow || addr+length > userHigh || addr+length < addr {
			return 0, abi.EINVAL
		}
		if r.NoReplace && m.overlaps(addr, addr+length) {
			return 0, abi.EEXIST
		}
		m.unmap(addr, addr+length)
	case addr >= userLow && addr+length <= userHigh && addr+length > addr && !m.overlaps(addr, addr+length):
	default:
		var ok bool
		if addr, ok = m.freeRange(length); !ok {
			return 0, abi.ENOMEM
		}
	}
	v := &VMA{Start: addr, End: addr + length, Prot: r.Prot, Name: r.Name}
	if r.File != nil {
		v.File, v.FileOff = r.File, r.FileOff
		v.FileEnd = addr + length
		if avail := uint64(len(r.File)) - min(r.FileOff, uint64(len(r.File))); avail < uint64(length) {
			v.FileEnd = addr + uintptr(avail)
		}
	}
	m.insert(v)
	return addr, nil
}

// freeRange finds the highest gap of length bytes below MmapTop
// (arch_get_unmapped_area_topdown); m.mu is held.
func (m *MM) freeRange(length uintptr) (uintptr, bool) {
	top := uintptr(MmapTop)
	for i := len(m.vmas) - 1; i >= -1; i-- {
		floor := uintptr(userLow)
		if i >= 0 {
			floor = m.vmas[i].End
		}
		if floor >= top {
			if i >= 0 {
				top = min(top, m.vmas[i].Start)
			}
			continue
		}
		if top-floor >= length {
			return top - length, true
		}
		if i >= 0 {
			top = min(top, m.vmas[i].Start)
		}
	}
	return 0, false
}

// Munmap removes [addr, addr+len) (do_munmap): regions are split, pages
// unmapped and their frames given back to exo.
func (m *MM) Munmap(addr, length uintptr) error {
	if addr&pageMask != 0 || length == 0 || addr < userLow || addr+length > userHigh || addr+length < addr {
		return abi.EINVAL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.unmap(addr, addr+uintptr(pageUp(uint64(length))))
	return nil
}

// unmap removes [start, end); m.mu is held.
func (m *MM) unmap(start, end uintptr) {
	m.split(start)
	m.split(end)
	kept := m.vmas[:0]
	for _, v := range m.vmas {
		if v.Start >= start && v.End <= end {
			m.dropPages(v.Start, v.End)
			continue
		}
		kept = append(kept, v)
	}
	m.vmas = kept
}

// Mprotect changes the protection of [addr, addr+len) (do_mprotect_pkey):
// ENOMEM if part of the range is unmapped, as in Linux. Pages already
// present are rebound; with PROT_NONE they are unbound but kept.
func (m *MM) Mprotect(addr, length uintptr, prot exo.Perm) error {
	if addr&pageMask != 0 || addr+length < addr {
		return abi.EINVAL
	}
	end := addr + uintptr(pageUp(uint64(length)))
	m.mu.Lock()
	defer m.mu.Unlock()
	for a := addr; a < end; {
		v := m.find(a)
		if v == nil {
			return abi.ENOMEM
		}
		a = v.End
	}
	m.split(addr)
	m.split(end)
	for _, v := range m.vmas {
		if v.Start < addr || v.End > end {
			continue
		}
		v.Prot = prot
		for va := v.Start; va < v.End; va += exo.PageSize {
			m.rebind(va, prot)
		}
	}
	return nil
}

// rebind applies prot to one present page; m.mu is held.
func (m *MM) rebind(va uintptr, prot exo.Perm) {
	pg := m.pages[va]
	switch {
	case pg == nil:
	case prot == 0 && pg.mapped:
		_ = m.env.Unmap(va)
		pg.mapped = false
	case prot != 0 && pg.mapped:
		_ = m.env.Protect(va, hwPerm(prot))
	case prot != 0:
		if m.env.Map(va, pg.frame, hwPerm(prot)) == nil {
			pg.mapped = true
		}
	}
}

// SetBrkStart places the heap: it begins empty at start.
func (m *MM) SetBrkStart(start uintptr) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.brkStart, m.brk = start, start
}

// Brk moves the program break (sys_brk): page-granular growth into free
// space, shrinking frees pages; a refused or zero request answers the
// current break, which is how the C libraries probe it.
func (m *MM) Brk(want uintptr) uintptr {
	m.mu.Lock()
	defer m.mu.Unlock()
	if want < m.brkStart || want >= userHigh {
		return m.brk
	}
	oldEnd, newEnd := uintptr(pageUp(uint64(m.brk))), uintptr(pageUp(uint64(want)))
	switch {
	case newEnd > oldEnd:
		if m.overlaps(oldEnd, newEnd) {
			return m.brk
		}
		if heap := m.find(oldEnd - 1); heap != nil && heap.Name == "[heap]" && heap.End == oldEnd {
			heap.End = newEnd
		} else {
			m.insert(&VMA{Start: oldEnd, End: newEnd, Prot: exo.PermRead | exo.PermWrite, Name: "[heap]"})
		}
	case newEnd < oldEnd:
		m.unmap(newEnd, oldEnd)
	}
	m.brk = want
	return m.brk
}
