package mm

import (
	"sort"
	"sync"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Address-space layout (no randomization). The stack ends at StackTop,
// where Linux puts it with ASLR off, and may grow down to StackSize; mmap
// without a hint searches downward from MmapTop, below a guard gap.
const (
	StackTop  = 0x7ffffffde000
	StackSize = 8 << 20
	MmapTop   = StackTop - StackSize - 1<<30

	// userLow is vm.mmap_min_addr at Linux's default (4096), for every
	// process: Linux lets CAP_SYS_RAWIO map page zero, but here the
	// kernel's Go code runs in ring 0 beside user memory and needs a nil
	// pointer to fault, so exo never maps it.
	userLow = exo.UserBase
	// TaskSize is x86-64's TASK_SIZE_MAX: the last page below 2^47 is
	// never user memory (Linux keeps it as a guard for SYSRET).
	TaskSize = exo.UserTop - exo.PageSize
	userHigh = TaskSize
	pageMask = exo.PageSize - 1
)

// VMA is one region of the address space (Linux's vm_area_struct): a
// range with one protection, anonymous or backed by an object (a file).
// Addresses in [Start, FileEnd) are the object's bytes from FileOff on;
// the rest reads as zeros (an ELF segment's bss).
type VMA struct {
	Start, End uintptr
	Prot       exo.Perm // 0 is PROT_NONE
	Shared     bool     // MAP_SHARED: its pages are the object's, not copies
	NoReserve  bool     // MAP_NORESERVE: not counted by the commit check
	Locked     bool     // VM_LOCKED (MAP_LOCKED): only msync's MS_INVALIDATE heeds it (EBUSY)
	Dirty      bool     // has held private pages of its own (Linux's anon_vma): a core dump takes it whole
	Obj        Object   // nil for anonymous memory
	Anon       bool     // Obj is shared anonymous memory
	FileOff    uint64   // page-aligned
	FileEnd    uintptr
	Name       string // "[heap]", "[stack]", or the file's path
}

// Object is what a file mapping maps (Linux's address_space): a file's
// pages, held in frames by its file system, which every process mapping
// the file shares.
type Object interface {
	// Frame grants env the frame that holds page pgoff, allocating a
	// zero one for a hole; ENXIO when the page lies past the end of the
	// object, ENOSPC or ENOMEM when no frame can be had.
	Frame(env *exo.Env, pgoff uint64, write bool) (exo.Frame, error)
	// ReadAt reads the object's bytes (for a page only partly the file's).
	ReadAt(b []byte, off int64) (int, error)
	Size() int64
}

// page is a frame the process holds for one virtual page; shared pages
// are an object's frames, written in place. mapped is false
// while the region is PROT_NONE (the contents stay, the binding goes) and
// after a fork, until the first touch binds it. cow marks a private page
// whose frame a fork shared: it is bound without write permission, and
// the first write takes a copy, or takes the frame back if no one else
// holds it any more.
type page struct {
	frame  exo.Frame
	mapped bool
	cow    bool
}

// MM is one process's memory: its regions, the frames behind them, and
// the program break. Methods are safe for concurrent threads; m.mu is
// taken before the Env's own lock, never the other way.
type MM struct {
	mu    sync.Mutex
	env   *exo.Env
	vmas  []*VMA // sorted by Start, never overlapping
	pages map[uintptr]*page
	// holds counts the pages that use each frame: an object's frame may
	// back several pages (a file mapped twice), and the Env's grant must
	// last until the last of them goes.
	holds    map[exo.Frame]int
	held     map[Holder]bool // the objects the regions map (holdObjects)
	brkStart uintptr
	brk      uintptr
	// commitLimit is the most pages one request may commit (0: no
	// limit): the machine's memory, as Linux's overcommit heuristic
	// allows (__vm_enough_memory in OVERCOMMIT_GUESS mode).
	commitLimit uint64
}

// New makes an empty address space over env. commitLimit bounds one
// request of committed memory, in pages (0: no limit).
func New(env *exo.Env, commitLimit uint64) *MM {
	return &MM{env: env, pages: map[uintptr]*page{}, holds: map[exo.Frame]int{}, commitLimit: commitLimit}
}

func pageUp(v uint64) uint64   { return (v + pageMask) &^ pageMask }
func pageDown(v uint64) uint64 { return v &^ pageMask }

// enoughMemory is the overcommit heuristic for one request of n bytes of
// private writable (or shared anonymous) memory: refused only when it is
// more than the machine has, however much is free.
func (m *MM) enoughMemory(n uintptr) bool {
	return m.commitLimit == 0 || uint64(n)/exo.PageSize <= m.commitLimit
}

// accountable is Linux's accountable_mapping: memory that may have to be
// backed by fresh frames when written.
func accountable(v *VMA) bool {
	return !v.NoReserve && (v.Prot&exo.PermWrite != 0 && !v.Shared || v.Shared && (v.Obj == nil || v.Anon))
}

// find returns the region holding addr; m.mu is held.
func (m *MM) find(addr uintptr) *VMA {
	if i := m.after(addr); i < len(m.vmas) && m.vmas[i].Start <= addr {
		return m.vmas[i]
	}
	return nil
}

// after is the index of the first region ending above addr; m.mu is held.
func (m *MM) after(addr uintptr) int {
	return sort.Search(len(m.vmas), func(i int) bool { return m.vmas[i].End > addr })
}

// overlaps reports whether any region meets [start, end); m.mu is held.
func (m *MM) overlaps(start, end uintptr) bool {
	i := m.after(start)
	return i < len(m.vmas) && m.vmas[i].Start < end
}

// insert adds a region that overlaps none; m.mu is held.
func (m *MM) insert(v *VMA) {
	i := sort.Search(len(m.vmas), func(i int) bool { return m.vmas[i].Start >= v.Start })
	m.vmas = append(m.vmas, nil)
	copy(m.vmas[i+1:], m.vmas[i:])
	m.vmas[i] = v
}

// split cuts regions so that addr is a boundary; m.mu is held.
func (m *MM) split(addr uintptr) {
	v := m.find(addr)
	if v == nil || v.Start == addr {
		return
	}
	hi := *v
	hi.Start = addr
	if v.Obj != nil {
		hi.FileOff = v.FileOff + uint64(addr-v.Start)
	}
	v.End = addr
	m.insert(&hi)
}

// coalesce merges neighbouring regions that one region could describe,
// as Linux's vma_merge does after mmap, mprotect and mremap, so that the
// region count stays small and "lies within one region" (mremap's EFAULT
// test) means what it means on Linux; m.mu is held.
func (m *MM) coalesce() {
	out := m.vmas[:0]
	for _, v := range m.vmas {
		if n := len(out); n > 0 && mergeable(out[n-1], v) {
			prev := out[n-1]
			prev.End = v.End
			prev.Dirty = prev.Dirty || v.Dirty
			if v.Obj != nil {
				prev.FileEnd = v.FileEnd
			}
			continue
		}
		out = append(out, v)
	}
	clear(m.vmas[len(out):])
	m.vmas = out
}

// mergeable: adjacent, the same protection, sharing and name, and either
// both private anonymous memory or one file's bytes continuing without a
// gap. Shared anonymous regions are separate objects and never merge.
func mergeable(a, b *VMA) bool {
	if a.End != b.Start || a.Prot != b.Prot || a.Shared != b.Shared || a.NoReserve != b.NoReserve || a.Locked != b.Locked || a.Name != b.Name {
		return false
	}
	if a.Obj == nil && b.Obj == nil {
		return !a.Shared
	}
	return a.Obj == b.Obj && a.FileEnd >= a.End && b.FileOff == a.FileOff+uint64(a.End-a.Start)
}

// Regions returns a copy of the region list (for tests and /proc maps).
func (m *MM) Regions() []VMA {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]VMA, len(m.vmas))
	for i, v := range m.vmas {
		out[i] = *v
	}
	return out
}

// allows reports whether prot permits access. x86 paging cannot express
// write-only or execute-only pages, so any access right implies read.
func allows(prot, access exo.Perm) bool {
	if access&exo.PermRead != 0 && prot == 0 {
		return false
	}
	return prot&(access&^exo.PermRead) == access&^exo.PermRead
}

// hwPerm is the page-table permission for a region's prot.
func hwPerm(prot exo.Perm) exo.Perm { return prot | exo.PermRead }

// pagePerm is the permission a page is bound with: its region's, less
// write while it is copy-on-write.
func pagePerm(prot exo.Perm, pg *page) exo.Perm {
	if pg.cow {
		return hwPerm(prot) &^ exo.PermWrite
	}
	return hwPerm(prot)
}

// FaultResult is how demand paging answered a fault.
type FaultResult int

const (
	FaultHandled    FaultResult = iota // the page is there: retry the access
	FaultNoMemory                      // out of frames
	FaultUnmapped                      // SIGSEGV, SEGV_MAPERR: no region
	FaultProtection                    // SIGSEGV, SEGV_ACCERR: the region forbids it
	FaultPastEOF                       // SIGBUS, BUS_ADRERR: a file page past the end of the file
)

// Fault is demand paging (Linux's handle_mm_fault): a page in a region
// whose protection allows the access gets a frame, filled from the file
// or left zero, and is mapped.
func (m *MM) Fault(addr uintptr, access exo.Perm) FaultResult {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fault(addr, access)
}

// fault is Fault with m.mu held. A private region that gets anonymous
// memory of its own is marked Dirty, as Linux prepares its anon_vma
// then: a page of anonymous memory, or a write to a file's page (the
// copy); a file's page only read stays the file's, even where a partial
// one is a private frame here.
func (m *MM) fault(addr uintptr, access exo.Perm) FaultResult {
	r := m.faultPage(addr, access)
	if r == FaultHandled {
		if v := m.find(addr); v != nil && !v.Shared && (v.Obj == nil || access&exo.PermWrite != 0) {
			v.Dirty = true
		}
	}
	return r
}

func (m *MM) faultPage(addr uintptr, access exo.Perm) FaultResult {
	v := m.find(addr)
	if v == nil {
		return FaultUnmapped
	}
	if !allows(v.Prot, access) {
		return FaultProtection
	}
	va := addr &^ pageMask
	if pg := m.pages[va]; pg != nil {
		if pg.cow && access&exo.PermWrite != 0 {
			if !m.breakCOW(va, pg) {
				return FaultNoMemory
			}
		}
		if pg.mapped {
			// Another thread mapped it first, or the TLB held a stale
			// entry: binding it again flushes that entry.
			if m.env.Protect(va, pagePerm(v.Prot, pg)) != nil {
				return FaultNoMemory
			}
			return FaultHandled
		}
		if m.env.Map(va, pg.frame, pagePerm(v.Prot, pg)) != nil {
			return FaultNoMemory
		}
		pg.mapped = true
		return FaultHandled
	}
	if v.Obj != nil && va < v.FileEnd && va+exo.PageSize <= v.FileEnd {
		return m.faultObject(v, va, access)
	}
	f, err := m.env.AllocFrame()
	if err != nil {
		return FaultNoMemory
	}
	// Fill before mapping: no other thread may see the page half-filled.
	if r := m.fillPartial(v, va, f); r != FaultHandled {
		_ = m.env.FreeFrame(f)
		return r
	}
	if err := m.env.Map(va, f, hwPerm(v.Prot)); err != nil {
		_ = m.env.FreeFrame(f)
		return FaultNoMemory
	}
	m.addPage(va, &page{frame: f, mapped: true})
	return FaultHandled
}

// faultObject maps a page that is wholly the object's (filemap_fault):
// its frame itself, written in place by a shared region, and by a
// private one only after a copy (do_cow_fault), so that until then the
// page shows the file as it changes, as Linux's page cache does.
func (m *MM) faultObject(v *VMA, va uintptr, access exo.Perm) FaultResult {
	write := access&exo.PermWrite != 0
	f, err := v.Obj.Frame(m.env, (v.FileOff+uint64(va-v.Start))/exo.PageSize, write && v.Shared)
	switch {
	case err == abi.ENXIO || err == abi.ENOSPC:
		return FaultPastEOF
	case err != nil:
		return FaultNoMemory
	}
	pg := &page{frame: f, cow: !v.Shared}
	m.addPage(va, pg)
	if pg.cow && write && !m.breakCOW(va, pg) {
		m.dropPage(va, pg)
		return FaultNoMemory
	}
	if m.env.Map(va, pg.frame, pagePerm(v.Prot, pg)) != nil {
		m.dropPage(va, pg)
		return FaultNoMemory
	}
	pg.mapped = true
	return FaultHandled
}

// fillPartial fills a private frame for a page of v that is not wholly
// the object's: the object's bytes below FileEnd, zeros above. A page
// that starts past the end of the object is SIGBUS; m.mu is held.
func (m *MM) fillPartial(v *VMA, va uintptr, f exo.Frame) FaultResult {
	if v.Obj == nil {
		return FaultHandled
	}
	off := v.FileOff + uint64(va-v.Start)
	size := v.Obj.Size()
	if off >= uint64(size) {
		return FaultPastEOF
	}
	if va >= v.FileEnd {
		return FaultHandled
	}
	buf := make([]byte, min(uint64(v.FileEnd-va), uint64(size)-off, exo.PageSize))
	n, _ := v.Obj.ReadAt(buf, int64(off))
	_ = m.env.WriteFrame(f, 0, buf[:n])
	return FaultHandled
}

// addPage records a page and the use of its frame; m.mu is held.
func (m *MM) addPage(va uintptr, pg *page) {
	m.pages[va] = pg
	m.holds[pg.frame]++
}

// letGo ends one page's use of frame f, giving the Env's hold on it
// back with the last; m.mu is held and the page no longer maps f.
func (m *MM) letGo(f exo.Frame) {
	if m.holds[f]--; m.holds[f] <= 0 {
		delete(m.holds, f)
		_ = m.env.FreeFrame(f)
	}
}

// eachPage calls fn for every present page in [start, end), walking
// whichever is smaller, the range or the page table, so that a huge
// PROT_NONE reservation costs what is present in it; m.mu is held and fn
// may delete the page it is given.
func (m *MM) eachPage(start, end uintptr, fn func(va uintptr, pg *page)) {
	if uint64(end-start)/exo.PageSize > uint64(len(m.pages)) {
		for va, pg := range m.pages {
			if va >= start && va < end {
				fn(va, pg)
			}
		}
		return
	}
	for va := start; va < end; va += exo.PageSize {
		if pg := m.pages[va]; pg != nil {
			fn(va, pg)
		}
	}
}

// dropPages unmaps and frees every page in [start, end); m.mu is held.
func (m *MM) dropPages(start, end uintptr) { m.eachPage(start, end, m.dropPage) }

func (m *MM) dropPage(va uintptr, pg *page) {
	if pg.mapped {
		_ = m.env.Unmap(va)
	}
	delete(m.pages, va)
	m.letGo(pg.frame)
}

// Release frees every frame (exit_mmap): the address space is empty after.
func (m *MM) Release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for va, pg := range m.pages {
		m.dropPage(va, pg)
	}
	m.vmas = nil
	m.holdObjects()
}

// FramesHeld counts frames the process holds (for tests and accounting).
func (m *MM) FramesHeld() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.pages)
}
