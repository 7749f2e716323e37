package mm

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
	Shared    bool   // MAP_SHARED
	NoReserve bool   // MAP_NORESERVE
	Locked    bool   // MAP_LOCKED (VM_LOCKED)
	Obj       Object // nil for anonymous memory
	Anon      bool   // Obj is shared anonymous memory (counted as such)
	FileOff   uint64
	Name      string
}

// Mmap creates a region (do_mmap): at Addr when fixed, at the hint
// (rounded up to a page, as get_unmapped_area does) when it is free, else
// at the highest free range below MmapTop. A file page past the end of
// the file is SIGBUS when touched, as on Linux; the rest of the file's
// last page reads as zeros.
func (m *MM) Mmap(r MapRequest) (uintptr, error) {
	if r.Len == 0 {
		return 0, abi.EINVAL
	}
	length := uintptr(pageUp(uint64(r.Len)))
	if length == 0 || length > userHigh-userLow {
		return 0, abi.ENOMEM
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	fixed := r.Fixed || r.NoReplace
	addr := r.Addr
	switch hint := uintptr(pageUp(uint64(r.Addr))); {
	case fixed && addr&pageMask != 0:
		return 0, abi.EINVAL
	case fixed && addr > userHigh-length:
		return 0, abi.ENOMEM
	case fixed:
	case hint >= userLow && hint <= userHigh-length && !m.overlaps(hint, hint+length):
		addr = hint
	default:
		var ok bool
		if addr, ok = m.freeRange(length); !ok {
			return 0, abi.ENOMEM
		}
	}
	v := &VMA{Start: addr, End: addr + length, Prot: r.Prot, Shared: r.Shared, NoReserve: r.NoReserve, Locked: r.Locked, Anon: r.Anon, Name: r.Name}
	if r.Obj != nil {
		if !FileRangeOK(r.FileOff, uint64(length)) {
			return 0, abi.EOVERFLOW
		}
		v.Obj, v.FileOff, v.FileEnd = r.Obj, r.FileOff, addr+length
	}
	if accountable(v) && !m.enoughMemory(length) {
		return 0, abi.ENOMEM
	}
	if err := m.place(v, r.NoReplace); err != nil {
		return 0, err
	}
	return addr, nil
}

// FileRangeOK is file_mmap_ok for a regular file: the mapping must end
// within MAX_LFS_FILESIZE (else EOVERFLOW).
func FileRangeOK(off, length uint64) bool {
	const maxFileSize = 1<<63 - 1
	return length <= maxFileSize && off>>12 <= (maxFileSize-length)>>12
}

// freeRange finds the highest gap of length bytes below MmapTop
// (arch_get_unmapped_area_topdown); m.mu is held.
func (m *MM) freeRange(length uintptr) (uintptr, bool) {
	return m.freeRangeAligned(length, exo.PageSize)
}

// freeRangeAligned is freeRange for a start aligned to align (a power
// of two); m.mu is held.
func (m *MM) freeRangeAligned(length, align uintptr) (uintptr, bool) {
	top := uintptr(MmapTop)
	for i := len(m.vmas) - 1; i >= -1; i-- {
		floor := uintptr(userLow)
		if i >= 0 {
			floor = m.vmas[i].End
		}
		if floor < top && top-floor >= length {
			if a := (top - length) &^ (align - 1); a >= floor {
				return a, true
			}
		}
		if i >= 0 {
			top = min(top, m.vmas[i].Start)
		}
	}
	return 0, false
}

// Munmap removes [addr, addr+len) (do_munmap): regions are split, pages
// unmapped and their frames given back to exo. A range with nothing in
// it is fine, address 0 included, as on Linux.
func (m *MM) Munmap(addr, length uintptr) error {
	if addr&pageMask != 0 || addr > userHigh || length > userHigh-addr {
		return abi.EINVAL
	}
	end := addr + uintptr(pageUp(uint64(length)))
	if end == addr {
		return abi.EINVAL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.unmap(addr, end)
	m.holdObjects()
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
	clear(m.vmas[len(kept):])
	m.vmas = kept
}

// Mprotect changes the protection of [addr, addr+len) (do_mprotect_pkey):
// regions from addr up to the first hole change, and a hole anywhere is
// ENOMEM, as in Linux (nothing changes if addr itself is unmapped). Pages
// already present are rebound; with PROT_NONE they are unbound but kept.
func (m *MM) Mprotect(addr, length uintptr, prot exo.Perm) error {
	if addr&pageMask != 0 {
		return abi.EINVAL
	}
	if length == 0 {
		return nil
	}
	end := addr + uintptr(pageUp(uint64(length)))
	if end <= addr {
		return abi.ENOMEM
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.coalesce()
	m.split(addr)
	m.split(end)
	for a := addr; a < end; {
		v := m.find(a)
		if v == nil {
			return abi.ENOMEM
		}
		was := *v
		v.Prot = prot
		if accountable(v) && !accountable(&was) && !m.enoughMemory(v.End-v.Start) {
			v.Prot = was.Prot // mprotect_fixup's charge failed
			return abi.ENOMEM
		}
		m.eachPage(v.Start, v.End, func(va uintptr, pg *page) { m.rebind(va, pg, prot) })
		a = v.End
	}
	return nil
}

// rebind applies prot to one present page; m.mu is held.
func (m *MM) rebind(va uintptr, pg *page, prot exo.Perm) {
	switch {
	case prot == 0 && pg.mapped:
		_ = m.env.Unmap(va)
		pg.mapped = false
	case prot != 0 && pg.mapped:
		_ = m.env.Protect(va, pagePerm(prot, pg))
	case prot != 0:
		if m.env.Map(va, pg.frame, pagePerm(prot, pg)) == nil {
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
// space that leaves a page free below the next region (do_brk's check
// against vm_start_gap), shrinking frees pages; a refused or zero request
// answers the current break, which is how the C libraries probe it.
func (m *MM) Brk(want uintptr) uintptr {
	m.mu.Lock()
	defer m.mu.Unlock()
	if want < m.brkStart || want >= userHigh {
		return m.brk
	}
	oldEnd, newEnd := uintptr(pageUp(uint64(m.brk))), uintptr(pageUp(uint64(want)))
	switch {
	case newEnd > oldEnd:
		if i := m.after(oldEnd); i < len(m.vmas) && m.vmas[i].Start < newEnd+exo.PageSize {
			return m.brk
		}
		if !m.enoughMemory(newEnd - oldEnd) {
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
