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
func sysGetrandom(t *libstarry.Thread, a Args) (uint64, error) {
	if a[2]&^uint64(abi.GRND_NONBLOCK|abi.GRND_RANDOM|abi.GRND_INSECURE) != 0 {
		return 0, abi.EINVAL
	}
	buf := make([]byte, min(a[1], maxIO))
	_, _ = rand.Read(buf)
	return uint64(len(buf)), t.P.MM.CopyOut(uintptr(a[0]), buf)
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

func sysPrlimit64(t *libstarry.Thread, a Args) (uint64, error) {
	if pid := int(int32(a[0])); pid != 0 && pid != t.P.Pid() {
		return 0, abi.ESRCH
	}
	lim, err := rlimit(a[1])
	if err != nil || a[3] == 0 {
		return 0, err
	}
	return 0, putStruct(t, a[3], lim)
}

func sysGetrlimit(t *libstarry.Thread, a Args) (uint64, error) {
	return sysPrlimit64(t, Args{0, a[0], 0, a[1]})
}

func sysSetrlimit(t *libstarry.Thread, a Args) (uint64, error) {
	_, err := rlimit(a[0])
	return 0, err
}

// rlimNLimits is RLIM_NLIMITS: the number of resources (RLIMIT_RTTIME+1).
const rlimNLimits = abi.RLIMIT_RTTIME + 1
