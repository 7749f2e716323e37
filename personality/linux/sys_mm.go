package linux

import (
	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

func mmCalls() []Syscall {
	return []Syscall{
		full(abi.SYS_BRK, "brk", sysBrk),
		part(abi.SYS_MMAP, "mmap", sysMmap, "anonymous memory, and private (or read-only shared) mappings of RamFS files"),
		full(abi.SYS_MUNMAP, "munmap", sysMunmap),
		full(abi.SYS_MPROTECT, "mprotect", sysMprotect),
		part(abi.SYS_MADVISE, "madvise", sysMadvise, "advice accepted and ignored; MADV_DONTNEED does not zero pages yet"),
		refuse(abi.SYS_MREMAP, "mremap", abi.ENOMEM, "not implemented: callers fall back to mmap+copy"),
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
	r := libstarry.MapRequest{Addr: uintptr(a[0]), Len: uintptr(a[1]), Prot: prot,
		Fixed: flags&abi.MAP_FIXED != 0, NoReplace: flags&abi.MAP_FIXED_NOREPLACE != 0}
	if flags&abi.MAP_ANONYMOUS == 0 {
		of, err := t.P.FDs.Get(int(int32(a[4])))
		if err != nil {
			return 0, err
		}
		m, ok := of.File.(libstarry.Mappable)
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
	} else if kind != abi.MAP_PRIVATE {
		// One address space per process and no fork yet: shared
		// anonymous memory behaves as private.
		r.Name = "[shared anon]"
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

func sysMadvise(t *libstarry.Thread, a Args) (uint64, error) {
	if a[0]&(exo.PageSize-1) != 0 {
		return 0, abi.EINVAL
	}
	return 0, nil
}
