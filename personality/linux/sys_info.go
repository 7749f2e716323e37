package linux

import (
	"crypto/rand"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Identity reported by uname.
const (
	sysname  = "Linux"
	nodename = "starry"
	release  = "6.1.0-starry"
	version  = "#1 SMP Starry-Go"
	machine  = "x86_64"
)

func infoCalls() []Syscall {
	return []Syscall{
		full(abi.SYS_UNAME, "uname", sysUname),
		full(abi.SYS_GETRANDOM, "getrandom", sysGetrandom),
		part(abi.SYS_PRLIMIT64, "prlimit64", sysPrlimit64, "reports fixed limits; new limits are accepted and not enforced"),
		part(abi.SYS_GETRLIMIT, "getrlimit", sysGetrlimit, "reports fixed limits"),
		part(abi.SYS_SETRLIMIT, "setrlimit", sysSetrlimit, "accepted and not enforced"),
	}
}

func sysUname(t *libstarry.Thread, a Args) (uint64, error) {
	var u abi.Utsname
	copy(u.Sysname[:], sysname)
	copy(u.Nodename[:], nodename)
	copy(u.Release[:], release)
	copy(u.Version[:], version)
	copy(u.Machine[:], machine)
	copy(u.Domainname[:], "(none)")
	return 0, putStruct(t, a[0], u)
}

// sysGetrandom fills the buffer from the kernel's generator; it never
// blocks, since crypto/rand is always seeded.
// maxRWCount is MAX_RW_COUNT: the most one read or write transfers.
const maxRWCount = (1<<31 - 1) &^ (4096 - 1)

// sysGetrandom is getrandom(buf, len, flags): the flags (GRND_INSECURE
// and GRND_RANDOM together are EINVAL), access_ok, then as many bytes
// as can be written before a fault.
func sysGetrandom(t *libstarry.Thread, a Args) (uint64, error) {
	const insecureRandom = abi.GRND_RANDOM | abi.GRND_INSECURE
	if a[2]&^uint64(abi.GRND_NONBLOCK|insecureRandom) != 0 || a[2]&insecureRandom == insecureRandom {
		return 0, abi.EINVAL
	}
	if !accessOK(a[0], min(a[1], maxRWCount)) { // import_ubuf clamps before access_ok
		return 0, abi.EFAULT
	}
	buf := make([]byte, min(a[1], maxIO))
	_, _ = rand.Read(buf)
	n, err := copyOutPartial(t, a[0], buf)
	return uint64(n), err
}

// rlimit is a resource's fixed (soft, hard) pair.
func rlimit(res uint64) (abi.Rlimit, error) {
	const inf = abi.RLIM_INFINITY
	switch res {
	case abi.RLIMIT_STACK:
		return abi.Rlimit{Cur: mm.StackSize, Max: inf}, nil
	case abi.RLIMIT_NOFILE:
		return abi.Rlimit{Cur: 1024, Max: 1024}, nil
	case abi.RLIMIT_CORE:
		return abi.Rlimit{Cur: 0, Max: inf}, nil
	}
	if res >= rlimNLimits {
		return abi.Rlimit{}, abi.EINVAL
	}
	return abi.Rlimit{Cur: inf, Max: inf}, nil
}

// sysPrlimit64 reads the (fixed) limits of any process, in the syscall's
// order: the new limits are read first (EFAULT), then the process looked
// up (ESRCH), then the resource (EINVAL). New limits are not kept.
func sysPrlimit64(t *libstarry.Thread, a Args) (uint64, error) {
	if a[2] != 0 {
		if err := t.P.MM.CopyIn(uintptr(a[2]), make([]byte, 16)); err != nil {
			return 0, err
		}
	}
	if pid := int(a[0]); pid != 0 && t.P.Kernel().Process(pid) == nil {
		return 0, abi.ESRCH
	}
	lim, err := rlimit(a[1])
	if err != nil || a[3] == 0 {
		return 0, err
	}
	return 0, putStruct(t, a[3], lim)
}

// sysGetrlimit is getrlimit: the resource, then the copy (NULL: EFAULT).
func sysGetrlimit(t *libstarry.Thread, a Args) (uint64, error) {
	lim, err := rlimit(a[0])
	if err != nil {
		return 0, err
	}
	return 0, putStruct(t, a[1], lim)
}

func sysSetrlimit(t *libstarry.Thread, a Args) (uint64, error) {
	if err := t.P.MM.CopyIn(uintptr(a[1]), make([]byte, 16)); err != nil {
		return 0, err
	}
	_, err := rlimit(a[0])
	return 0, err
}

// rlimNLimits is RLIM_NLIMITS: the number of resources (RLIMIT_RTTIME+1).
const rlimNLimits = abi.RLIMIT_RTTIME + 1
