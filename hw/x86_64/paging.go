package x86_64

import "unsafe"

// Page tables. The kernel lives in the upper half: the direct map (with
// the kernel image inside it) in 2 MiB pages built by tools/image, and the
// Go heap, mapped 4 KiB at a time on demand by vm.go, in one PML4 slot of
// its own. Every Env's page table shares these upper-half entries, so a
// trap from user mode reaches the kernel without a CR3 switch; the lower
// half belongs to user programs.
const (
	pteP    = 1 << 0
	pteRW   = 1 << 1
	ptePS   = 1 << 7
	pteProt = 1 << 9 // software: present frame hidden by PROT_NONE
	pteNX   = 1 << 63
	pteAddr = 0x000FFFFFFFFFF000
	pteUser = 1 << 2
	userTop = 1 << 47 // end of the lower half

	// The Go heap's region: PML4 slot 384, 512 GiB. The runtime's hints
	// point into the lower half; the shim refuses them and the runtime
	// falls back to what mmap returns (amd64's arena index covers the
	// upper half too).
	heapBase = 0xffffc00000000000
	heapTop  = heapBase + 1<<39
)

// kernelPML4 is the physical address of the PML4 (the boot tables).
var kernelPML4 uint64

func table(phys uint64) *[512]uint64 { return (*[512]uint64)(ptrAt(phys2virt(phys))) }

// dropIdentityMap removes the boot identity map of low memory, freeing the
// lower half for the Go heap.
func dropIdentityMap() {
	kernelPML4 = readCR3() &^ 0xFFF
	tables := addrOf(unsafe.Pointer(&bootPageTables)) - kernelBase
	if kernelPML4 < tables || kernelPML4 >= tables+uint64(len(bootPageTables))*8 {
		kprint("starry: CR3 is not the image's boot page tables\n")
	}
	table(kernelPML4)[0] = 0
	// The heap slot's PDPT exists from the start, so that Env page tables
	// copied from the kernel's upper half see all later heap mappings.
	if f, ok := allocFrame(); ok {
		table(kernelPML4)[heapBase>>39&511] = f | pteP | pteRW
	}
	writeCR3(kernelPML4)
	curCR3 = kernelPML4
}

// pte returns the page-table entry for va, creating the intermediate
// tables when create is set. It returns nil when a level is missing (and
// not created) or out of frames.
func pte(va uintptr, create bool) *uint64 {
	var alloc func() (uint64, bool)
	if create {
		alloc = allocFrame
	}
	return pteIn(kernelPML4, va, alloc, pteP|pteRW)
}

// pteIn walks the tables under root, making missing intermediate tables
// from alloc (nil: make none); they get flags (user tables add pteUser,
// which every level must allow).
func pteIn(root uint64, va uintptr, alloc func() (uint64, bool), flags uint64) *uint64 {
	t := table(root)
	for shift := uint(39); shift > 12; shift -= 9 {
		e := &t[(va>>shift)&511]
		if *e&pteP == 0 {
			if alloc == nil {
				return nil
			}
			f, ok := alloc()
			if !ok {
				return nil
			}
			*e = f | flags
		}
		t = table(*e & pteAddr)
	}
	return &t[(va>>12)&511]
}

// forEachPTE calls fn for every entry in [start, end) whose tables exist,
// skipping absent subtrees, so huge reservations cost nothing to walk.
func forEachPTE(start, end uintptr, fn func(va uintptr, e *uint64)) {
	for va := start; va < end; {
		e, span := walkSpan(va)
		if e != nil {
			fn(va, e)
		}
		next := (va &^ (span - 1)) + span
		if next <= va {
			return
		}
		va = next
	}
}

// walkSpan returns the 4 KiB entry for va, or nil with the size of the
// absent region around va.
func walkSpan(va uintptr) (*uint64, uintptr) {
	t := table(kernelPML4)
	for shift := uint(39); shift > 12; shift -= 9 {
		e := t[(va>>shift)&511]
		if e&pteP == 0 {
			return nil, 1 << shift
		}
		t = table(e & pteAddr)
	}
	return &t[(va>>12)&511], pageSize
}
