package linux

import (
	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/personality/linux/abi"
)

func mmCalls() []Syscall {
	return []Syscall{
		full(abi.SYS_BRK, "brk", sysBrk),
		part(abi.SYS_MMAP, "mmap", sysMmap, "anonymous memory, and private (or read-only shared) mappings of RamFS files; shared anonymous memory is not shared across processes yet"),
		full(abi.SYS_MUNMAP, "munmap", sysMunmap),
		full(abi.SYS_MPROTECT, "mprotect", sysMprotect),
		part(abi.SYS_MADVISE, "madvise", sysMadvise, "DONTNEED, DONTNEED_LOCKED and FREE drop private pages; REMOVE is EINVAL; other advice is checked and not acted on"),
		part(abi.SYS_MREMAP, "mremap", sysMremap, "grow, shrink, MAYMOVE, FIXED, DONTUNMAP (private regions); old_len 0 (duplicating a shared mapping) is EINVAL"),
	}
}

func sysBrk(t *libstarry.Thread, a Args) (uint64, error) {
	return uint64(t.P.MM.Brk(uintptr(a[0]))), nil
}

// perm converts PROT_* bits; unknown bits are EINVAL as in Linux.
func perm(prot uint64) (exo.Perm, error) {
	if prot&^uint64(abi.PROT_READ|abi.PROT_WRITE|abi.PROT_EXEC) != 0 {
		return 0, abi.EINVAL
	}
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
	return p, nil
}

// sysMmap is ksys_mmap_pgoff for what a static program needs.
func sysMmap(t *libstarry.Thread, a Args) (uint64, error) {
	prot, err := perm(a[2])
	if err != nil {
		return 0, err
	}
	flags := a[3]
	kind := flags & abi.MAP_TYPE
	if kind != abi.MAP_PRIVATE && kind != abi.MAP_SHARED && kind != abi.MAP_SHARED_VALIDATE {
		return 0, abi.EINVAL
	}
	if a[5]&(exo.PageSize-1) != 0 {
		return 0, abi.EINVAL
	}
	r := mm.MapRequest{Addr: uintptr(a[0]), Len: uintptr(a[1]), Prot: prot,
		Fixed: flags&abi.MAP_FIXED != 0, NoReplace: flags&abi.MAP_FIXED_NOREPLACE != 0, Shared: kind != abi.MAP_PRIVATE,
		NoReserve: flags&abi.MAP_NORESERVE != 0}
	if flags&abi.MAP_ANONYMOUS == 0 {
		of, err := file(t, a[4])
		if err != nil {
			return 0, err
		}
		defer of.DecRef()
		m, ok := of.File.(fdt.Mappable)
		if !ok {
			return 0, abi.ENODEV
		}
		if kind != abi.MAP_PRIVATE && prot&exo.PermWrite != 0 {
			return 0, abi.EACCES // a writable shared map of a read-only file
		}
		r.File, r.FileOff = m.Bytes(), a[5]
		if r.File == nil {
			r.File = []byte{}
		}
	} else if r.Shared {
		r.Name = "/dev/zero (deleted)" // what /proc/PID/maps shows for it
	}
	addr, err := t.P.MM.Mmap(r)
	return uint64(addr), err
}

func sysMunmap(t *libstarry.Thread, a Args) (uint64, error) {
	return 0, t.P.MM.Munmap(uintptr(a[0]), uintptr(a[1]))
}

func sysMprotect(t *libstarry.Thread, a Args) (uint64, error) {
	prot, err := perm(a[2] &^ (abi.PROT_GROWSDOWN | abi.PROT_GROWSUP))
	if err != nil {
		return 0, err
	}
	return 0, t.P.MM.Mprotect(uintptr(a[0]), uintptr(a[1]), prot)
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
	}
	return 0, false // MADV_REMOVE needs a shared file; HWPOISON and GUARD_* are not offered
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
