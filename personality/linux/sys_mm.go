package linux

import (
	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/personality/linux/abi"
)

var mmRows = []Syscall{
	{Nr: abi.SYS_BRK, Name: "brk", Fn: sysBrk, Support: Supported},
	{Nr: abi.SYS_MMAP, Name: "mmap", Fn: sysMmap, Support: Partial, Note: "anonymous memory, and private and shared mappings of tmpfs files (a shared mapping writes the file's own pages); shared anonymous memory is an unnamed file on the internal tmpfs, shared by every process that inherits it"},
	{Nr: abi.SYS_MUNMAP, Name: "munmap", Fn: sysMunmap, Support: Supported},
	{Nr: abi.SYS_MPROTECT, Name: "mprotect", Fn: sysMprotect, Support: Supported},
	{Nr: abi.SYS_MADVISE, Name: "madvise", Fn: sysMadvise, Support: Partial, Note: "DONTNEED, DONTNEED_LOCKED and FREE drop private pages; REMOVE is EINVAL on every region (no hole punching in shared memory yet); other advice is checked and not acted on"},
	{Nr: abi.SYS_MREMAP, Name: "mremap", Fn: sysMremap, Support: Partial, Note: "grow, shrink, MAYMOVE, FIXED, DONTUNMAP (private regions); old_len 0 (duplicating a shared mapping) is EINVAL"},
	{Nr: abi.SYS_MSYNC, Name: "msync", Fn: sysMsync, Support: Supported},
}

func sysBrk(t *libstarry.Thread, a Args) (uint64, error) {
	return uint64(t.P.MM.Brk(uintptr(a[0]))), nil
}

// perm converts the PROT_READ, PROT_WRITE and PROT_EXEC bits; mmap
// ignores any others, as Linux's does.
func perm(prot uint64) exo.Perm {
	var p exo.Perm
	if prot&abi.PROT_READ != 0 {
		p |= exo.PermRead
	}
	if prot&abi.PROT_WRITE != 0 {
		p |= exo.PermWrite
	}
	if prot&abi.PROT_EXEC != 0 {
		p |= exo.PermExec
	}
	return p
}

// mapDroppable is MAP_DROPPABLE (Linux 6.11), a mapping type for
// anonymous memory only.
const mapDroppable = 0x08

// MAP_HUGE_SHIFT and MAP_HUGE_MASK: a huge page's size, as its log2,
// in the flags' top bits.
const (
	mapHugeShift = 26
	mapHugeMask  = 0x3f
)

// sysMmap is x86-64's mmap, checking in ksys_mmap_pgoff's and do_mmap's
// order: the offset's alignment, the descriptor, the length, the address
// range, and only then the mapping type and the file's access.
func sysMmap(t *libstarry.Thread, a Args) (uint64, error) {
	addr, length, flags := a[0], a[1], a[3]
	if a[5]&(exo.PageSize-1) != 0 {
		return 0, abi.EINVAL
	}
	var of *fdt.OpenFile
	if flags&abi.MAP_ANONYMOUS == 0 {
		var err error
		if of, err = file(t, a[4]); err != nil {
			return 0, err
		}
		defer of.DecRef()
	}
	align, err := hugeAlign(flags, of != nil)
	if err != nil {
		return 0, err
	}
	// Huge pages: the length is rounded up to whole ones first (if that
	// wraps to 0, do_mmap refuses the empty mapping), and a fixed address
	// must be aligned to one before any range check.
	if align > exo.PageSize {
		length = (length + align - 1) &^ (align - 1)
	}
	fixed := flags&(abi.MAP_FIXED|abi.MAP_FIXED_NOREPLACE) != 0
	pages := (length + exo.PageSize - 1) / exo.PageSize
	switch {
	case length == 0:
		return 0, abi.EINVAL
	case pages == 0 || length > mm.TaskSize: // PAGE_ALIGN wrapped, or past TASK_SIZE
		return 0, abi.ENOMEM
	case of != nil && a[5]/exo.PageSize+pages < a[5]/exo.PageSize:
		return 0, abi.EOVERFLOW
	case fixed && align > exo.PageSize && addr&(align-1) != 0:
		return 0, abi.EINVAL
	case fixed && addr > mm.TaskSize-pages*exo.PageSize:
		return 0, abi.ENOMEM
	case fixed && addr&(exo.PageSize-1) != 0:
		return 0, abi.EINVAL
	}
	// do_mmap finds the range (and refuses a taken one for
	// MAP_FIXED_NOREPLACE) before it looks at the type or the file.
	if !fixed {
		if _, ok := t.P.MM.FreeRange(uintptr(pages*exo.PageSize), uintptr(align)); !ok {
			return 0, abi.ENOMEM
		}
	}
	if flags&abi.MAP_FIXED_NOREPLACE != 0 && t.P.MM.Mapped(uintptr(addr), uintptr(pages*exo.PageSize)) {
		return 0, abi.EEXIST
	}
	kind, err := mapKind(flags, of != nil)
	if err != nil {
		return 0, err
	}
	prot := perm(a[2])
	r := mm.MapRequest{Addr: uintptr(addr), Len: uintptr(length), Prot: prot,
		Fixed: flags&abi.MAP_FIXED != 0, NoReplace: flags&abi.MAP_FIXED_NOREPLACE != 0, Shared: kind != abi.MAP_PRIVATE,
		NoReserve: flags&abi.MAP_NORESERVE != 0, Locked: flags&abi.MAP_LOCKED != 0}
	if of != nil {
		// The open file's mode first (EACCES), then whether it maps at all.
		acc := of.Flags() & abi.O_ACCMODE
		if kind != abi.MAP_PRIVATE && prot&exo.PermWrite != 0 && acc == abi.O_RDONLY || acc == abi.O_WRONLY {
			return 0, abi.EACCES
		}
		if _, noexec := of.File.(fdt.NoExec); noexec && prot&exo.PermExec != 0 {
			return 0, abi.EPERM
		}
		m, ok := of.File.(libstarry.Mapper)
		if !ok {
			return 0, abi.ENODEV
		}
		if flags&abi.MAP_GROWSDOWN != 0 {
			return 0, abi.EINVAL // a file mapping cannot grow
		}
		if s, ok := of.File.(libstarry.Sealer); ok && kind != abi.MAP_PRIVATE && prot&exo.PermWrite != 0 && libstarry.WriteSealed(s) {
			return 0, abi.EPERM // seal_check_write
		}
		r.Obj, r.FileOff = m.Object(), a[5]
		if pf, ok := of.File.(libstarry.PathFile); ok {
			r.Name = t.P.PathName(pf.Path())
		}
	} else if flags&abi.MAP_HUGETLB != 0 {
		return 0, abi.ENOMEM // no huge pages are reserved (Linux with vm.nr_hugepages 0)
	} else if r.Shared {
		r.Name = "/dev/zero (deleted)" // what /proc/PID/maps shows for it
		obj, err := t.P.SharedAnon(uint64(r.Len+exo.PageSize-1) &^ (exo.PageSize - 1))
		if err != nil {
			return 0, err
		}
		// Held across the call: the mapping's own hold keeps it after,
		// and a failed mmap lets it go.
		obj.Hold()
		defer obj.Drop()
		r.Obj, r.Anon = obj, true
	}
	va, err := t.P.MM.Mmap(r)
	return uint64(va), err
}

// hugeAlign is the page size a mapping is made of: a huge page's for
// anonymous MAP_HUGETLB (2 MiB unless the flags' top bits name 1 GiB;
// any other size has no hstate, EINVAL), EINVAL for MAP_HUGETLB on a
// file (none here lives on hugetlbfs), else a page.
func hugeAlign(flags uint64, file bool) (uint64, error) {
	if flags&abi.MAP_HUGETLB == 0 {
		return exo.PageSize, nil
	}
	switch sz := flags >> mapHugeShift & mapHugeMask; {
	case file:
		return 0, abi.EINVAL
	case sz == 0:
		return 1 << 21, nil
	case sz == 21 || sz == 30:
		return 1 << sz, nil
	}
	return 0, abi.EINVAL
}

// mapKind checks the mapping type as do_mmap does for a file or for
// anonymous memory, and returns MAP_PRIVATE or MAP_SHARED. Anonymous
// memory is shared, droppable (pages the kernel may zero at will; keeping
// them is allowed) or private, and only a private one may grow down; a
// file takes MAP_SHARED_VALIDATE too, which refuses flags it does not
// know (EOPNOTSUPP).
func mapKind(flags uint64, file bool) (uint64, error) {
	grows := flags&abi.MAP_GROWSDOWN != 0
	switch kind := flags & abi.MAP_TYPE; {
	case kind == abi.MAP_PRIVATE:
		return abi.MAP_PRIVATE, nil
	case kind == abi.MAP_SHARED && !file:
		if grows {
			return 0, abi.EINVAL
		}
		return abi.MAP_SHARED, nil
	case kind == mapDroppable && !file:
		if grows || flags&(abi.MAP_LOCKED|abi.MAP_HUGETLB) != 0 {
			return 0, abi.EINVAL
		}
		return abi.MAP_PRIVATE, nil
	case kind == abi.MAP_SHARED_VALIDATE && file:
		if flags&^mapValidated != 0 {
			return 0, abi.EOPNOTSUPP
		}
		return abi.MAP_SHARED, nil
	case kind == abi.MAP_SHARED && file:
		return abi.MAP_SHARED, nil
	}
	return 0, abi.EINVAL
}

// mapValidated is what MAP_SHARED_VALIDATE accepts of a file that is not
// DAX (no MAP_SYNC), as measured on Linux 6.18: LEGACY_MAP_MASK, which
// lacks MAP_FIXED_NOREPLACE; flags are unsigned long, so any upper bit
// is unknown too.
const mapValidated = abi.MAP_SHARED | abi.MAP_PRIVATE | abi.MAP_FIXED | abi.MAP_ANONYMOUS | abi.MAP_32BIT | mapAbove4G |
	abi.MAP_GROWSDOWN | abi.MAP_DENYWRITE | abi.MAP_EXECUTABLE | abi.MAP_LOCKED | abi.MAP_NORESERVE |
	abi.MAP_POPULATE | abi.MAP_NONBLOCK | abi.MAP_STACK | abi.MAP_HUGETLB | mapHugeMask<<mapHugeShift

// mapAbove4G is MAP_ABOVE4G (Linux 6.5), which x/sys lacks.
const mapAbove4G = 0x80

func sysMunmap(t *libstarry.Thread, a Args) (uint64, error) {
	return 0, t.P.MM.Munmap(uintptr(a[0]), uintptr(a[1]))
}

// protSem is PROT_SEM, which mprotect accepts and x86 ignores.
const protSem = 0x8

// sysMprotect checks in do_mprotect_pkey's order: PROT_GROWSDOWN with
// PROT_GROWSUP, the start's alignment, a zero length (success), a range
// that wraps (ENOMEM), then unknown protection bits.
func sysMprotect(t *libstarry.Thread, a Args) (uint64, error) {
	start, length, prot := a[0], a[1], a[2]
	grows := prot & (abi.PROT_GROWSDOWN | abi.PROT_GROWSUP)
	prot &^= grows
	switch {
	case grows == abi.PROT_GROWSDOWN|abi.PROT_GROWSUP, start&(exo.PageSize-1) != 0:
		return 0, abi.EINVAL
	case length == 0:
		return 0, nil
	case start+(length+exo.PageSize-1)&^(exo.PageSize-1) <= start:
		return 0, abi.ENOMEM
	case prot&^uint64(abi.PROT_READ|abi.PROT_WRITE|abi.PROT_EXEC|protSem) != 0:
		return 0, abi.EINVAL
	case grows != 0:
		return 0, abi.EINVAL // no region here grows (VM_GROWSDOWN)
	}
	return 0, t.P.MM.Mprotect(uintptr(start), uintptr(length), perm(prot))
}

// advice maps MADV_* values (include/uapi/asm-generic/mman-common.h) to
// what libstarry does with them; ok is false for values Linux refuses.
func advice(v uint64) (adv mm.Advice, ok bool) {
	switch v {
	case abi.MADV_DONTNEED, abi.MADV_DONTNEED_LOCKED:
		return mm.AdviceDontNeed, true
	case abi.MADV_FREE:
		return mm.AdviceFree, true
	case abi.MADV_NORMAL, abi.MADV_RANDOM, abi.MADV_SEQUENTIAL, abi.MADV_WILLNEED,
		abi.MADV_DONTFORK, abi.MADV_DOFORK, abi.MADV_MERGEABLE, abi.MADV_UNMERGEABLE,
		abi.MADV_HUGEPAGE, abi.MADV_NOHUGEPAGE, abi.MADV_DONTDUMP, abi.MADV_DODUMP,
		abi.MADV_WIPEONFORK, abi.MADV_KEEPONFORK, abi.MADV_COLD, abi.MADV_PAGEOUT,
		abi.MADV_POPULATE_READ, abi.MADV_POPULATE_WRITE, abi.MADV_COLLAPSE:
		return mm.AdviceHint, true
	case abi.MADV_REMOVE:
		return mm.AdviceRemove, true
	}
	return 0, false // HWPOISON and GUARD_* are not offered
}

func sysMadvise(t *libstarry.Thread, a Args) (uint64, error) {
	adv, ok := advice(a[2])
	if !ok {
		return 0, abi.EINVAL
	}
	return 0, t.P.MM.Madvise(uintptr(a[0]), uintptr(a[1]), adv)
}

// sysMremap is mremap(old_address, old_size, new_size, flags, new_address).
func sysMremap(t *libstarry.Thread, a Args) (uint64, error) {
	flags := a[3]
	if flags&^uint64(abi.MREMAP_MAYMOVE|abi.MREMAP_FIXED|abi.MREMAP_DONTUNMAP) != 0 {
		return 0, abi.EINVAL
	}
	addr, err := t.P.MM.Mremap(mm.RemapRequest{Old: uintptr(a[0]), OldLen: uintptr(a[1]), NewLen: uintptr(a[2]),
		MayMove: flags&abi.MREMAP_MAYMOVE != 0, Fixed: flags&abi.MREMAP_FIXED != 0,
		DontUnmap: flags&abi.MREMAP_DONTUNMAP != 0, NewAddr: uintptr(a[4])})
	return uint64(addr), err
}

// sysMsync checks the flags as the syscall does, in its order: unknown
// bits, the start's alignment, then MS_ASYNC with MS_SYNC (all EINVAL);
// the walk over the regions is libstarry's. Shared file mappings map the
// file's own frames, so there is never anything to write back.
func sysMsync(t *libstarry.Thread, a Args) (uint64, error) {
	start, flags := a[0], a[2]
	switch {
	case flags&^uint64(abi.MS_ASYNC|abi.MS_INVALIDATE|abi.MS_SYNC) != 0,
		start&(exo.PageSize-1) != 0,
		flags&abi.MS_ASYNC != 0 && flags&abi.MS_SYNC != 0:
		return 0, abi.EINVAL
	}
	return 0, t.P.MM.Msync(mm.SyncRequest{Start: uintptr(start), Len: uintptr(a[1]),
		AsyncOnly: flags == abi.MS_ASYNC, Sync: flags&abi.MS_SYNC != 0, Invalidate: flags&abi.MS_INVALIDATE != 0})
}
