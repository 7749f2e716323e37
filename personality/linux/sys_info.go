package linux

import (
	"encoding/binary"
	"github.com/starry-go/starry/exo"
	"time"

	"github.com/starry-go/starry/libstarry"

	"github.com/starry-go/starry/personality/linux/abi"
)

var infoRows = []Syscall{
	{Nr: abi.SYS_UNAME, Name: "uname", Fn: sysUname, Support: Supported},
	{Nr: abi.SYS_SYSINFO, Name: "sysinfo", Fn: sysSysinfo, Support: Partial, Note: "no swap or high memory; the load averages are 0 (not kept)"},
	{Nr: abi.SYS_GETRANDOM, Name: "getrandom", Fn: sysGetrandom, Support: Supported},
	{Nr: abi.SYS_PRLIMIT64, Name: "prlimit64", Fn: sysPrlimit64, Support: Partial, Note: "limits are kept per process, inherited by fork and exec; RLIMIT_NOFILE is enforced, the others are reported but not enforced (RLIMIT_NICE and RLIMIT_RTPRIO are checked by setpriority and sched_setscheduler)"},
	{Nr: abi.SYS_GETRLIMIT, Name: "getrlimit", Fn: sysGetrlimit, Support: Partial, Note: "as prlimit64"},
	{Nr: abi.SYS_SETRLIMIT, Name: "setrlimit", Fn: sysSetrlimit, Support: Partial, Note: "as prlimit64"},
}

// sysSysinfo fills struct sysinfo (112 bytes on x86-64): uptime,
// loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap
// (longs), procs (a short), totalhigh, freehigh, mem_unit.
func sysSysinfo(t *libstarry.Thread, a Args) (uint64, error) {
	s := t.P.SysInfo()
	b := make([]byte, 112)
	le.PutUint64(b[0:], uint64((s.Uptime+time.Second-1)/time.Second)) // rounded up, as do_sysinfo
	le.PutUint64(b[32:], s.TotalRAM)
	le.PutUint64(b[40:], s.FreeRAM)
	le.PutUint64(b[48:], s.SharedRAM)
	le.PutUint64(b[56:], s.BufferRAM)
	le.PutUint16(b[80:], uint16(min(s.Procs, 0xffff)))
	le.PutUint32(b[104:], 1)
	return 0, t.P.MM.CopyOut(uintptr(a[0]), b)
}

func sysUname(t *libstarry.Thread, a Args) (uint64, error) {
	var u abi.Utsname
	n := t.P.Uname()
	copy(u.Sysname[:], n.Sysname)
	copy(u.Nodename[:], n.Nodename)
	copy(u.Release[:], n.Release)
	copy(u.Version[:], n.Version)
	copy(u.Machine[:], n.Machine)
	copy(u.Domainname[:], n.Domainname)
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
	exo.Random(buf)
	n, err := copyOutPartial(t, a[0], buf)
	return uint64(n), err
}

// getRlimit reads struct rlimit64 from user memory.
func getRlimit(t *libstarry.Thread, va uint64) (abi.Rlimit, error) {
	var b [16]byte
	if err := t.P.MM.CopyIn(uintptr(va), b[:]); err != nil {
		return abi.Rlimit{}, err
	}
	return abi.Rlimit{Cur: binary.LittleEndian.Uint64(b[0:]), Max: binary.LittleEndian.Uint64(b[8:])}, nil
}

// sysPrlimit64 is prlimit64 in the syscall's order: the new limits are
// read first (EFAULT), then the process looked up (ESRCH), then
// do_prlimit (the resource, the new pair), then the old pair written.
func sysPrlimit64(t *libstarry.Thread, a Args) (uint64, error) {
	var newp *abi.Rlimit
	if a[2] != 0 {
		r, err := getRlimit(t, a[2])
		if err != nil {
			return 0, err
		}
		newp = &r
	}
	p := t.P
	if pid := int(a[0]); pid != 0 && pid != p.Pid() {
		if p = p.Kernel().Process(pid); p == nil {
			return 0, abi.ESRCH
		}
		// check_prlimit_permission: every ID of the target the caller's
		// real ones, or CAP_SYS_RESOURCE.
		me, tc := t.P.Cred(), p.Cred()
		same := me.UID == tc.UID && me.UID == tc.EUID && me.UID == tc.SUID &&
			me.GID == tc.GID && me.GID == tc.EGID && me.GID == tc.SGID
		if !same && !me.Capable(libstarry.CapSysResrc) {
			return 0, abi.EPERM
		}
	}
	old, err := p.PrlimitBy(t.P, int(min(a[1], libstarry.RlimNLimits)), newp)
	if err != nil || a[3] == 0 {
		return 0, err
	}
	return 0, putStruct(t, a[3], old)
}

// sysGetrlimit is getrlimit: the resource, then the copy (NULL: EFAULT).
func sysGetrlimit(t *libstarry.Thread, a Args) (uint64, error) {
	lim, err := t.P.Prlimit(int(min(a[0], libstarry.RlimNLimits)), nil)
	if err != nil {
		return 0, err
	}
	return 0, putStruct(t, a[1], lim)
}

// sysSetrlimit is setrlimit: the new pair read first, then do_prlimit.
func sysSetrlimit(t *libstarry.Thread, a Args) (uint64, error) {
	r, err := getRlimit(t, a[1])
	if err != nil {
		return 0, err
	}
	_, err = t.P.Prlimit(int(min(a[0], libstarry.RlimNLimits)), &r)
	return 0, err
}
