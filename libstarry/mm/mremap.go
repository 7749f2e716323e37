package mm

import (
	"github.com/starry-go/starry/personality/linux/abi"
)

// RemapRequest is mremap's arguments after the personality decoded them.
type RemapRequest struct {
	Old, OldLen, NewLen uintptr
	MayMove             bool // MREMAP_MAYMOVE
	Fixed               bool // MREMAP_FIXED: move to NewAddr, replacing what is there
	DontUnmap           bool // MREMAP_DONTUNMAP: the old range stays, emptied
	NewAddr             uintptr
}

// Mremap grows, shrinks or moves a mapping (mm/mremap.c). The checks come
// in Linux's order: flags and alignment (EINVAL), a region at Old
// (EFAULT), a shrink that only unmaps the tail, then a growth in place if
// the space after the region is free, else a move when allowed (ENOMEM
// when not). What moves keeps its frames, so its contents move with it.
func (m *MM) Mremap(r RemapRequest) (uintptr, error) {
	oldLen, newLen := uintptr(pageUp(uint64(r.OldLen))), uintptr(pageUp(uint64(r.NewLen)))
	switch {
	case (r.Fixed || r.DontUnmap) && !r.MayMove, r.Old&pageMask != 0, newLen == 0,
		r.DontUnmap && oldLen != newLen:
		return 0, abi.EINVAL
	case r.Fixed && (r.NewAddr&pageMask != 0 || newLen > userHigh || r.NewAddr > userHigh-newLen ||
		(r.Old < r.NewAddr+newLen && r.NewAddr < r.Old+oldLen)):
		return 0, abi.EINVAL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.coalesce()
	v := m.find(r.Old)
	switch {
	case v == nil || r.Old > userHigh-oldLen:
		return 0, abi.EFAULT
	case newLen > oldLen && accountable(v) && !m.enoughMemory(newLen-oldLen):
		return 0, abi.ENOMEM
	case oldLen == 0:
		// Linux duplicates a shared mapping here; pages here belong to
		// one address each, so there is nothing to duplicate them with.
		return 0, abi.EINVAL
	case r.Fixed || r.DontUnmap:
		return m.remapTo(r.Old, oldLen, newLen, r)
	case newLen <= oldLen:
		m.unmap(r.Old+newLen, r.Old+oldLen)
		return r.Old, nil
	case r.Old+oldLen > v.End:
		return 0, abi.EFAULT // the range is more than one region
	case r.Old+oldLen == v.End && r.Old <= userHigh-newLen && !m.overlaps(v.End, r.Old+newLen):
		m.extend(v, r.Old+newLen)
		return r.Old, nil
	case !r.MayMove:
		return 0, abi.ENOMEM
	}
	to, ok := m.freeRange(newLen)
	if !ok {
		return 0, abi.ENOMEM
	}
	m.move(r.Old, oldLen, to, newLen, false)
	return to, nil
}

// remapTo is mremap_to: the target (NewAddr, or a free range for a bare
// DONTUNMAP) is cleared, the old tail past newLen unmapped, and the rest
// moved; m.mu is held.
func (m *MM) remapTo(old, oldLen, newLen uintptr, r RemapRequest) (uintptr, error) {
	keep := min(oldLen, newLen)
	v := m.find(old)
	if old+keep > v.End {
		return 0, abi.EFAULT
	}
	if r.DontUnmap && v.Shared {
		return 0, abi.EINVAL // the old range would have to alias the new one
	}
	to := r.NewAddr
	if r.Fixed {
		m.unmap(to, to+newLen)
	} else if t, ok := m.freeRange(newLen); ok {
		to = t
	} else {
		return 0, abi.ENOMEM
	}
	if newLen < oldLen {
		m.unmap(old+newLen, old+oldLen)
	}
	m.move(old, keep, to, newLen, r.DontUnmap)
	m.holdObjects()
	return to, nil
}

// extend grows region v in place to end (vma_expand); m.mu is held.
func (m *MM) extend(v *VMA, end uintptr) {
	if v.Obj != nil && v.FileEnd >= v.End {
		v.FileEnd = end // the object's pages go on (SIGBUS past its end)
	}
	v.End = end
}

// move carries the n bytes at old, one region, to a new region of
// length newLen at to (move_vma): each present page is rebound at its
// new address with the same frame. keepOld leaves the old region mapped
// and empty (MREMAP_DONTUNMAP); m.mu is held and [to, to+newLen) is free.
func (m *MM) move(old, n, to, newLen uintptr, keepOld bool) {
	m.split(old)
	m.split(old + n)
	src := m.find(old)
	dst := *src
	dst.Start, dst.End = to, to+n
	if src.Obj != nil {
		dst.FileEnd = to + min(n, max(src.FileEnd, src.Start)-src.Start)
	}
	m.eachPage(old, old+n, func(va uintptr, pg *page) {
		nva := to + (va - old)
		if pg.mapped {
			_ = m.env.Unmap(va)
			pg.mapped = m.env.Map(nva, pg.frame, pagePerm(dst.Prot, pg)) == nil
		}
		delete(m.pages, va)
		m.pages[nva] = pg
	})
	if !keepOld {
		m.removeVMA(src)
	} else {
		src.Locked = false // move_vma clears VM_LOCKED on the emptied range
	}
	m.insert(&dst)
	if newLen > n {
		m.extend(&dst, to+newLen)
	}
}

// removeVMA takes one region out of the list (its pages are gone).
func (m *MM) removeVMA(v *VMA) {
	for i, w := range m.vmas {
		if w == v {
			m.vmas = append(m.vmas[:i], m.vmas[i+1:]...)
			return
		}
	}
}
