package linux

import (
	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry"
	"golang.org/x/sys/unix"
)

func mmCalls() []Syscall {
	return []Syscall{
		full(unix.SYS_BRK, "brk", sysBrk),
		part(unix.SYS_MMAP, "mmap", sysMmap, "anonymous memory, and private (or read-only shared) mappings of RamFS files"),
		full(unix.SYS_MUNMAP, "munmap", sysMunmap),
		full(unix.SYS_MPROTECT, "mprotect", sysMprotect),
		part(unix.SYS_MADVISE, "madvise", sysMadvise, "advice accepted and ignored; MADV_DONTNEED does not zero pages yet"),
		refuse(unix.SYS_MREMAP, "mremap", unix.ENOMEM, "not implemented: callers fall back to mmap+copy"),
	}
}

func sysBrk(t *libstarry.Thread, a Args) (uint64, error) {
	return uint64(t.P.MM.Brk(uintptr(a[0]))), nil
}

// perm converts PROT_* bits; unknown bits are EINVAL as in Linux.
func perm(prot uint64) (exo.Perm, error) {
	if prot&^uint64(unix.PROT_READ|unix.PROT_WRITE|unix.PROT_EXEC) != 0 {
		return 0, unix.EINVAL
	}
	var p exo.Perm
	if prot&unix.PROT_READ != 0 {
		p |= exo.PermRead
	}
	if prot&unix.PROT_WRITE != 0 {
		p |= exo.PermWrite
	}
	if prot&unix.PROT_EXEC != 0 {
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
	kind := flags & unix.MAP_TYPE
	if kind != unix.MAP_PRIVATE && kind != unix.MAP_SHARED && kind != unix.MAP_SHARED_VALIDATE {
		return 0, unix.EINVAL
	}
	if a[5]&(exo.PageSize-1) != 0 {
		return 0, unix.EINVAL
	}
	r := libstarry.MapRequest{Addr: uintptr(a[0]), Len: uintptr(a[1]), Prot: prot,
		Fixed: flags&unix.MAP_FIXED != 0, NoReplace: flags&unix.MAP_FIXED_NOREPLACE != 0}
	if flags&unix.MAP_ANONYMOUS == 0 {
		of, err := t.P.FDs.Get(int(int32(a[4])))
		if err != nil {
			return 0, err
		}
		m, ok := of.File.(libstarry.Mappable)
		if !ok {
			return 0, unix.ENODEV
		}
		if kind != unix.MAP_PRIVATE && prot&exo.PermWrite != 0 {
			return 0, unix.EACCES // a writable shared map of a read-only file
		}
		r.File, r.FileOff = m.Bytes(), a[5]
		if r.File == nil {
			r.File = []byte{}
		}
	} else if kind != unix.MAP_PRIVATE {
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
	prot, err := perm(a[2] &^ (unix.PROT_GROWSDOWN | unix.PROT_GROWSUP))
	if err != nil {
		return 0, err
	}
	return 0, t.P.MM.Mprotect(uintptr(a[0]), uintptr(a[1]), prot)
}

func sysMadvise(t *libstarry.Thread, a Args) (uint64, error) {
	if a[0]&(exo.PageSize-1) != 0 {
		return 0, unix.EINVAL
	}
	return 0, nil
}
