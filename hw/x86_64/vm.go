package x86_64

// The lower half's address-space map: sorted, non-overlapping regions
// with their protection. mmap and friends edit it; pages are filled with
// zeroed frames on first touch (demand paging), so the Go runtime's large
// PROT_NONE reservations cost no memory.
const (
	protRead  = 1
	protWrite = 2
	protExec  = 4
	maxVMAs   = 1024
	// mmapArea is where mappings without a usable hint go.
	mmapArea = heapBase
)

type vma struct {
	start, end uintptr
	prot       int
}

var (
	vmas     [maxVMAs]vma
	nVMAs    int
	vmaTmp   [maxVMAs]vma
	mmapNext uintptr = mmapArea
)

// findVMA returns the region holding va, or nil.
func findVMA(va uintptr) *vma {
	for i := 0; i < nVMAs; i++ {
		if va < vmas[i].start {
			return nil
		}
		if va < vmas[i].end {
			return &vmas[i]
		}
	}
	return nil
}

// rangeFree reports whether no region overlaps [start, end).
func rangeFree(start, end uintptr) bool {
	for i := 0; i < nVMAs; i++ {
		if vmas[i].start < end && start < vmas[i].end {
			return false
		}
	}
	return true
}

// setRange makes [start, end) one region with prot, or unmapped when prot
// is negative, splitting and merging neighbours. It fails only when the
// table is full.
func setRange(start, end uintptr, prot int) bool {
	n := 0
	put := func(s, e uintptr, p int) bool {
		if s >= e {
			return true
		}
		if n > 0 && vmaTmp[n-1].end == s && vmaTmp[n-1].prot == p {
			vmaTmp[n-1].end = e
			return true
		}
		if n == maxVMAs {
			return false
		}
		vmaTmp[n] = vma{s, e, p}
		n++
		return true
	}
	inserted := prot < 0
	for i := 0; i < nVMAs; i++ {
		v := vmas[i]
		if !inserted && v.start >= start {
			if !put(start, end, prot) {
				return false
			}
			inserted = true
		}
		if !put(v.start, min(v.end, start), v.prot) {
			return false
		}
		if !inserted && v.end > start {
			if !put(start, end, prot) {
				return false
			}
			inserted = true
		}
		if !put(max(v.start, end), v.end, v.prot) {
			return false
		}
	}
	if !inserted && !put(start, end, prot) {
		return false
	}
	copy(vmas[:n], vmaTmp[:n])
	nVMAs = n
	return true
}

// releasePages frees the frames behind [start, end) and clears their
// entries, so the next touch sees fresh zeroed memory.
func releasePages(start, end uintptr) {
	accessCache.forget()
	forEachPTE(start, end, func(va uintptr, e *uint64) {
		if *e&(pteP|pteProt) != 0 {
			freeFrame(*e & pteAddr)
			*e = 0
			invlpg(va)
		}
	})
}

// protectPages applies prot to the frames already present in the range.
func protectPages(start, end uintptr, prot int) {
	accessCache.forget()
	forEachPTE(start, end, func(va uintptr, e *uint64) {
		if *e&(pteP|pteProt) == 0 {
			return
		}
		v := *e&pteAddr | pteNX
		switch {
		case prot == 0:
			v |= pteProt
		case prot&protWrite != 0:
			v |= pteP | pteRW
		default:
			v |= pteP
		}
		if prot&protExec != 0 {
			v &^= pteNX
		}
		*e = v
		invlpg(va)
	})
}

// demandFault handles a fault at va: if the region allows the access and
// no frame is there yet, map a zeroed one. It reports whether the access
// can now be retried.
func demandFault(va uintptr, write bool) bool {
	v := findVMA(va)
	if v == nil || v.prot == 0 || (write && v.prot&protWrite == 0) {
		return false
	}
	e := pte(va, true)
	if e == nil {
		return false
	}
	if *e&pteP != 0 {
		return !write || *e&pteRW != 0
	}
	f := *e & pteAddr
	if *e&pteProt == 0 {
		var ok bool
		if f, ok = allocFrame(); !ok {
			return false
		}
	}
	flags := uint64(pteP | pteNX)
	if v.prot&protWrite != 0 {
		flags |= pteRW
	}
	if v.prot&protExec != 0 {
		flags &^= pteNX
	}
	*e = f | flags
	return true
}

// accessible reports whether [addr, addr+n) can be read (or written) from
// the shim, faulting heap pages in as the CPU would. Only the direct map
// and the heap count: the shim never touches user (lower-half) memory.
func accessible(addr, n uintptr, write bool) bool {
	if n == 0 {
		return true
	}
	end := addr + n
	if end < addr {
		return false
	}
	if addr >= kernelBase && end <= kernelBase+directMapEnd {
		return true
	}
	if addr < heapBase || end > heapTop {
		return false
	}
	if accessCache.hit(addr, end, write) {
		return true
	}
	for p := addr &^ (pageSize - 1); p < end; p += pageSize {
		e := pte(p, false)
		if e != nil && *e&pteP != 0 && (!write || *e&pteRW != 0) {
			continue
		}
		if !demandFault(p, write) {
			return false
		}
	}
	accessCache.add(addr, end, write)
	return true
}

// accessCache remembers the last heap ranges accessible found mapped
// (writable when asked), until the heap next loses a page or a right
// (releasePages, protectPages). sysRunUser checks the same exo.Regs and
// trap record on every user trap: walking their pages each time was a
// tenth of a null system call's instructions.
var accessCache accessRanges

type accessRanges struct {
	r    [4]struct{ addr, end uintptr }
	next int
	gen  uint64 // counts forgets: a check made at the same gen still holds
}

func (c *accessRanges) hit(addr, end uintptr, write bool) bool {
	for _, e := range c.r { // every entry was checked for writing
		if e.addr <= addr && end <= e.end {
			return true
		}
	}
	return false
}

func (c *accessRanges) add(addr, end uintptr, write bool) {
	if write {
		c.r[c.next] = struct{ addr, end uintptr }{addr, end}
		c.next = (c.next + 1) % len(c.r)
	}
}

// forget empties the cache: heap pages lost their mapping or a right.
func (c *accessRanges) forget() { *c = accessRanges{gen: c.gen + 1} }
