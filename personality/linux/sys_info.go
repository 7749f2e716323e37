package linux

import (
	"crypto/rand"

	"github.com/starry-go/starry/libstarry"
	"golang.org/x/sys/unix"
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
		full(unix.SYS_UNAME, "uname", sysUname),
		full(unix.SYS_GETRANDOM, "getrandom", sysGetrandom),
		part(unix.SYS_PRLIMIT64, "prlimit64", sysPrlimit64, "reports fixed limits; new limits are accepted and not enforced"),
		part(unix.SYS_GETRLIMIT, "getrlimit", sysGetrlimit, "reports fixed limits"),
		part(unix.SYS_SETRLIMIT, "setrlimit", sysSetrlimit, "accepted and not enforced"),
	}
}

func sysUname(t *libstarry.Thread, a Args) (uint64, error) {
	var u unix.Utsname
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
	if a[2]&^uint64(unix.GRND_NONBLOCK|unix.GRND_RANDOM|unix.GRND_INSECURE) != 0 {
		return 0, unix.EINVAL
	}
	buf := make([]byte, min(a[1], maxIO))
	_, _ = rand.Read(buf)
	return uint64(len(buf)), t.P.MM.CopyOut(uintptr(a[0]), buf)
}

// rlimit is a resource's fixed (soft, hard) pair.
func rlimit(res uint64) (unix.Rlimit, error) {
	const inf = unix.RLIM_INFINITY
	switch res {
	case unix.RLIMIT_STACK:
		return unix.Rlimit{Cur: libstarry.StackSize, Max: inf}, nil
	case unix.RLIMIT_NOFILE:
		return unix.Rlimit{Cur: 1024, Max: 1024}, nil
	case unix.RLIMIT_CORE:
		return unix.Rlimit{Cur: 0, Max: inf}, nil
	}
	if res >= rlimNLimits {
		return unix.Rlimit{}, unix.EINVAL
	}
	return unix.Rlimit{Cur: inf, Max: inf}, nil
}

func sysPrlimit64(t *libstarry.Thread, a Args) (uint64, error) {
	if pid := int(int32(a[0])); pid != 0 && pid != t.P.Pid() {
		return 0, unix.ESRCH
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
const rlimNLimits = unix.RLIMIT_RTTIME + 1
