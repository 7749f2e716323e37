package x86_64

import "golang.org/x/sys/unix"

// mmap, munmap, mprotect and madvise for anonymous memory: the Go heap.

func pageRound(n uintptr) uintptr { return (n + pageSize - 1) &^ (pageSize - 1) }

func validRange(addr, length uintptr) bool {
	return addr&(pageSize-1) == 0 && addr >= heapBase && length <= heapTop-heapBase && addr <= heapTop-length
}

func sysMmap(addr, length uintptr, prot, flags, fd int) int64 {
	if flags&unix.MAP_ANONYMOUS == 0 || fd != -1 && fd != 0 {
		return -errENODEV // only anonymous memory exists in the kernel
	}
	if length == 0 || prot&^(protRead|protWrite|protExec) != 0 {
		return -errEINVAL
	}
	length = pageRound(length)
	if flags&unix.MAP_FIXED != 0 {
		if !validRange(addr, length) {
			return -errEINVAL
		}
	} else if addr == 0 || !validRange(addr&^(pageSize-1), length) || !rangeFree(addr&^(pageSize-1), addr&^(pageSize-1)+length) {
		addr = findFree(length)
		if addr == 0 {
			return -errENOMEM
		}
	} else {
		addr &^= pageSize - 1 // the hint is free: honour it
	}
	releasePages(addr, addr+length) // MAP_FIXED replaces what was there
	if !setRange(addr, addr+length, prot) {
		return -errENOMEM
	}
	return int64(addr)
}

// findFree finds room in the mmap area, moving upward.
func findFree(length uintptr) uintptr {
	for tries := 0; tries < maxVMAs+1; tries++ {
		a := mmapNext
		if a > heapTop-length {
			return 0
		}
		if rangeFree(a, a+length) {
			mmapNext = a + length
			return a
		}
		for i := 0; i < nVMAs; i++ { // skip past the region in the way
			if vmas[i].start < a+length && a < vmas[i].end {
				mmapNext = vmas[i].end
			}
		}
	}
	return 0
}

func sysMunmap(addr, length uintptr) int64 {
	length = pageRound(length)
	if length == 0 || !validRange(addr, length) {
		return -errEINVAL
	}
	releasePages(addr, addr+length)
	if !setRange(addr, addr+length, -1) {
		return -errENOMEM
	}
	return 0
}

func sysMprotect(addr, length uintptr, prot int) int64 {
	length = pageRound(length)
	if !validRange(addr, length) || prot&^(protRead|protWrite|protExec) != 0 {
		return -errEINVAL
	}
	for a := addr; a < addr+length; a += pageSize {
		if findVMA(a) == nil {
			return -errENOMEM // Linux: part of the range is not mapped
		}
	}
	if !setRange(addr, addr+length, prot) {
		return -errENOMEM
	}
	protectPages(addr, addr+length, prot)
	return 0
}

func sysMadvise(addr, length uintptr, advice int) int64 {
	length = pageRound(length)
	if !validRange(addr, length) {
		return -errEINVAL
	}
	switch advice {
	case unix.MADV_DONTNEED, unix.MADV_FREE:
		// Freeing at once is the strongest form of both: the next touch
		// sees zeroes, which MADV_FREE allows and MADV_DONTNEED requires.
		releasePages(addr, addr+length)
	case unix.MADV_NORMAL, unix.MADV_RANDOM, unix.MADV_SEQUENTIAL, unix.MADV_WILLNEED,
		unix.MADV_HUGEPAGE, unix.MADV_NOHUGEPAGE, unix.MADV_COLLAPSE:
		// Hints about paging policy; this kernel has one policy.
	default:
		return -errEINVAL
	}
	return 0
}
