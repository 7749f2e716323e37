package linux

import (
	"time"

	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Scheduling, priorities, capabilities, resource usage and the other
// per-process attributes Linux keeps.

var schedRows = []Syscall{
	{Nr: abi.SYS_GETPRIORITY, Name: "getpriority", Fn: sysGetpriority, Support: Partial, Note: "the nice value is kept per process (Linux: per thread) and changes nothing: the Go runtime schedules every thread alike"},
	{Nr: abi.SYS_SETPRIORITY, Name: "setpriority", Fn: sysSetpriority, Support: Partial, Note: "as getpriority"},
	{Nr: abi.SYS_GETRUSAGE, Name: "getrusage", Fn: sysGetrusage, Support: Partial, Note: "user time is the Envs' CPU time (RUSAGE_THREAD: the process's); system time, faults and context switches are 0; maxrss is sampled at getrusage, exec and exit"},
	{Nr: abi.SYS_CAPGET, Name: "capget", Fn: sysCapget, Support: Supported},
	{Nr: abi.SYS_CAPSET, Name: "capset", Fn: sysCapset, Support: Supported},
	{Nr: abi.SYS_SCHED_SETPARAM, Name: "sched_setparam", Fn: sysSchedSetparam, Support: Partial, Note: "policies and priorities are kept per process and checked as Linux does, but nothing acts on them"},
	{Nr: abi.SYS_SCHED_GETPARAM, Name: "sched_getparam", Fn: sysSchedGetparam, Support: Partial, Note: "as sched_setparam"},
	{Nr: abi.SYS_SCHED_SETSCHEDULER, Name: "sched_setscheduler", Fn: sysSchedSetscheduler, Support: Partial, Note: "as sched_setparam; SCHED_DEADLINE needs sched_setattr (EINVAL)"},
	{Nr: abi.SYS_SCHED_GETSCHEDULER, Name: "sched_getscheduler", Fn: sysSchedGetscheduler, Support: Partial, Note: "as sched_setparam"},
	{Nr: abi.SYS_SCHED_GET_PRIORITY_MAX, Name: "sched_get_priority_max", Fn: sysSchedGetPriorityMax, Support: Supported},
	{Nr: abi.SYS_SCHED_GET_PRIORITY_MIN, Name: "sched_get_priority_min", Fn: sysSchedGetPriorityMin, Support: Supported},
	{Nr: abi.SYS_SCHED_RR_GET_INTERVAL, Name: "sched_rr_get_interval", Fn: sysSchedRRGetInterval, Support: Partial, Note: "100 ms for SCHED_RR, 0 for SCHED_FIFO, a lone task's 4 ms slice otherwise"},
	{Nr: abi.SYS_SCHED_SETAFFINITY, Name: "sched_setaffinity", Fn: sysSchedSetaffinity, Support: Partial, Note: "one CPU: a mask must contain CPU 0, which stays the only one"},
	{Nr: abi.SYS_GETCPU, Name: "getcpu", Fn: sysGetcpu, Support: Partial, Note: "always CPU 0, node 0"},
	{Nr: abi.SYS_IOPRIO_SET, Name: "ioprio_set", Fn: sysIoprioSet, Support: Partial, Note: "kept per process (Linux: per thread); no I/O scheduler uses it"},
	{Nr: abi.SYS_IOPRIO_GET, Name: "ioprio_get", Fn: sysIoprioGet, Support: Partial, Note: "as ioprio_set"},
	{Nr: abi.SYS_SETHOSTNAME, Name: "sethostname", Fn: sysSethostname, Support: Supported},
	{Nr: abi.SYS_SETDOMAINNAME, Name: "setdomainname", Fn: sysSetdomainname, Support: Supported},
	{Nr: abi.SYS_PERSONALITY, Name: "personality", Fn: sysPersonality, Support: Partial, Note: "the persona is kept and inherited; only UNAME26 changes anything (uname's release)"},
	{Nr: abi.SYS_PIDFD_OPEN, Name: "pidfd_open", Fn: sysPidfdOpen, Support: Partial, Note: "PIDFD_THREAD names the thread's process"},
	{Nr: abi.SYS_PIDFD_SEND_SIGNAL, Name: "pidfd_send_signal", Fn: sysPidfdSendSignal, Support: Partial, Note: "pidfds and /proc/PID directories (by their path)"},
	{Nr: abi.SYS_PIDFD_GETFD, Name: "pidfd_getfd", Fn: sysPidfdGetfd, Support: Supported},
	{Nr: abi.SYS_KCMP, Name: "kcmp", Fn: sysKcmp, Support: Partial, Note: "KCMP_FILE, KCMP_VM, KCMP_FILES, KCMP_FS, KCMP_SIGHAND; unequal is 3 (no ordering); the other types are EINVAL"},
	{Nr: abi.SYS_UNSHARE, Name: "unshare", Fn: sysUnshare, Support: Partial, Note: "CLONE_FILES, CLONE_FS, CLONE_SYSVSEM, CLONE_NEWNS (a copy of the mount namespace), and CLONE_THREAD/SIGHAND/VM for a lone thread; other namespaces are EPERM without CAP_SYS_ADMIN and EINVAL with it"},
}

// schedPrototypes are the prototypes (see prototypes.go) of this file's calls.
var schedPrototypes = map[string]string{
	"getpriority": "ii", "setpriority": "iii", "getrusage": "il", "capget": "ll", "capset": "ll",
	"sched_setparam": "il", "sched_getparam": "il", "sched_setscheduler": "iil", "sched_getscheduler": "i",
	"sched_get_priority_max": "i", "sched_get_priority_min": "i", "sched_rr_get_interval": "il",
	"sched_setaffinity": "iul", "getcpu": "lll", "ioprio_set": "iii", "ioprio_get": "ii",
	"sethostname": "li", "setdomainname": "li", "personality": "u",
	"pidfd_open": "iu", "pidfd_send_signal": "iilu", "pidfd_getfd": "iiu", "unshare": "l",
	"kcmp": "iiill",
}

func sysGetpriority(t *libstarry.Thread, a Args) (uint64, error) {
	v, err := t.GetPriority(int(int32(a[0])), int(int32(a[1])))
	return uint64(v), err
}

func sysSetpriority(t *libstarry.Thread, a Args) (uint64, error) {
	return 0, t.SetPriority(int(int32(a[0])), int(int32(a[1])), int(int32(a[2])))
}

// putRusage writes struct rusage (144 bytes): ru_utime, ru_stime
// (timevals), then fourteen longs from ru_maxrss (KiB) on.
func putRusage(t *libstarry.Thread, va uint64, u libstarry.Rusage) error {
	b := make([]byte, rusageSize)
	tv := func(off int, d time.Duration) {
		le.PutUint64(b[off:], uint64(d/time.Second))
		le.PutUint64(b[off+8:], uint64(d%time.Second/time.Microsecond))
	}
	tv(0, u.UTime)
	tv(16, u.STime)
	le.PutUint64(b[32:], uint64(u.MaxRSS))
	return t.P.MM.CopyOut(uintptr(va), b)
}

func sysGetrusage(t *libstarry.Thread, a Args) (uint64, error) {
	u, err := t.P.Getrusage(int(int32(a[0])))
	if err != nil {
		return 0, err
	}
	return 0, putRusage(t, a[1], u)
}

// Capability header versions (include/uapi/linux/capability.h).
const (
	capV1 = 0x19980330
	capV2 = 0x20071026
	capV3 = 0x20080522
)

// capVersion is cap_validate_magic: the header's version gives how many
// 32-bit halves of each set are copied (1 for v1, 2 for v2 and v3); any
// other version is EINVAL after v3, the preferred one, is written back.
func capVersion(t *libstarry.Thread, hdr uint64) (int, error) {
	v, err := getU32(t, hdr)
	if err != nil {
		return 0, err
	}
	switch v {
	case capV1:
		return 1, nil
	case capV2, capV3:
		return 2, nil
	}
	if err := putU32(t, hdr, capV3); err != nil {
		return 0, err
	}
	return 0, abi.EINVAL
}

// sysCapget is capget(hdr, data): the version (a NULL data with a bad
// version is the probe, answered 0), the pid (negative: EINVAL; another
// process's: ESRCH if none), then the sets as one or two
// {effective, permitted, inheritable} triples of 32 bits.
func sysCapget(t *libstarry.Thread, a Args) (uint64, error) {
	n, err := capVersion(t, a[0])
	if a[1] == 0 || err != nil {
		if a[1] == 0 && err == abi.EINVAL {
			return 0, nil
		}
		return 0, err
	}
	pid32, err := getU32(t, a[0]+4)
	if err != nil {
		return 0, err
	}
	pid := int(int32(pid32))
	if pid < 0 {
		return 0, abi.EINVAL
	}
	p := t.P
	if pid != 0 && pid != p.Pid() {
		th := p.Kernel().Thread(pid)
		if th == nil {
			return 0, abi.ESRCH
		}
		p = th.P
	}
	c := p.Cred().Caps
	b := make([]byte, 12*n)
	for i := range n {
		sh := 32 * i
		le.PutUint32(b[12*i:], uint32(c.Effective>>sh))
		le.PutUint32(b[12*i+4:], uint32(c.Permitted>>sh))
		le.PutUint32(b[12*i+8:], uint32(c.Inheritable>>sh))
	}
	return 0, t.P.MM.CopyOut(uintptr(a[1]), b)
}

// sysCapset is capset(hdr, data): the version, the pid (only the
// caller's own: EPERM), the sets read, then cap_capset's rules.
func sysCapset(t *libstarry.Thread, a Args) (uint64, error) {
	n, err := capVersion(t, a[0])
	if err != nil {
		return 0, err
	}
	pid32, err := getU32(t, a[0]+4)
	if err != nil {
		return 0, err
	}
	if pid := int(int32(pid32)); pid != 0 && pid != t.P.Pid() {
		return 0, abi.EPERM
	}
	b := make([]byte, 12*n)
	if err := t.P.MM.CopyIn(uintptr(a[1]), b); err != nil {
		return 0, err
	}
	var eff, prm, inh uint64
	for i := range n {
		sh := 32 * i
		eff |= uint64(le.Uint32(b[12*i:])) << sh
		prm |= uint64(le.Uint32(b[12*i+4:])) << sh
		inh |= uint64(le.Uint32(b[12*i+8:])) << sh
	}
	return 0, t.P.Capset(eff, prm, inh)
}

// schedTarget is find_process_by_pid after the pid's sign was checked.
func schedTarget(t *libstarry.Thread, pid uint64) (*libstarry.Process, error) {
	if int32(pid) < 0 {
		return nil, abi.EINVAL
	}
	return t.SchedTarget(int(int32(pid)))
}

// setScheduler is do_sched_setscheduler: a NULL param or a negative pid
// is EINVAL, then the param is read, then the process found.
func setScheduler(t *libstarry.Thread, pid uint64, policy int, param uint64) (uint64, error) {
	if param == 0 || int32(pid) < 0 {
		return 0, abi.EINVAL
	}
	prio, err := getU32(t, param)
	if err != nil {
		return 0, err
	}
	q, err := t.SchedTarget(int(int32(pid)))
	if err != nil {
		return 0, err
	}
	return 0, t.SetScheduler(q, libstarry.SchedParam{Policy: policy, Priority: int(int32(prio))})
}

func sysSchedSetscheduler(t *libstarry.Thread, a Args) (uint64, error) {
	if int32(a[1]) < 0 {
		return 0, abi.EINVAL
	}
	return setScheduler(t, a[0], int(int32(a[1])), a[2])
}

func sysSchedSetparam(t *libstarry.Thread, a Args) (uint64, error) {
	return setScheduler(t, a[0], -1, a[1])
}

func sysSchedGetscheduler(t *libstarry.Thread, a Args) (uint64, error) {
	q, err := schedTarget(t, a[0])
	if err != nil {
		return 0, err
	}
	return uint64(q.Scheduler()), nil
}

func sysSchedGetparam(t *libstarry.Thread, a Args) (uint64, error) {
	if a[1] == 0 || int32(a[0]) < 0 {
		return 0, abi.EINVAL
	}
	q, err := schedTarget(t, a[0])
	if err != nil {
		return 0, err
	}
	return 0, putU32(t, a[1], uint32(q.RTPriority()))
}

// sysSchedGetPriorityMax and Min: 1..99 for the real-time policies, 0
// for the others, EINVAL for an unknown one.
func sysSchedGetPriorityMax(t *libstarry.Thread, a Args) (uint64, error) {
	switch int32(a[0]) {
	case libstarry.SchedFIFO, libstarry.SchedRR:
		return 99, nil
	case libstarry.SchedNormal, libstarry.SchedBatch, libstarry.SchedIdle, libstarry.SchedDeadline:
		return 0, nil
	}
	return 0, abi.EINVAL
}

func sysSchedGetPriorityMin(t *libstarry.Thread, a Args) (uint64, error) {
	switch int32(a[0]) {
	case libstarry.SchedFIFO, libstarry.SchedRR:
		return 1, nil
	case libstarry.SchedNormal, libstarry.SchedBatch, libstarry.SchedIdle, libstarry.SchedDeadline:
		return 0, nil
	}
	return 0, abi.EINVAL
}

func sysSchedRRGetInterval(t *libstarry.Thread, a Args) (uint64, error) {
	q, err := schedTarget(t, a[0])
	if err != nil {
		return 0, err
	}
	ns := q.RRInterval()
	var b [16]byte
	le.PutUint64(b[0:], uint64(ns/1e9))
	le.PutUint64(b[8:], uint64(ns%1e9))
	return 0, t.P.MM.CopyOut(uintptr(a[1]), b[:])
}

// sysSchedSetaffinity is sched_setaffinity(pid, len, mask): the mask is
// read first (a shorter one is zero-filled, a longer one cut to the
// one long this machine's cpumask has), then the process (ESRCH), the
// right to change it (EPERM), and a mask without CPU 0, the only one,
// is EINVAL.
func sysSchedSetaffinity(t *libstarry.Thread, a Args) (uint64, error) {
	var mask [8]byte
	if err := t.P.MM.CopyIn(uintptr(a[2]), mask[:min(a[1], 8)]); err != nil {
		return 0, err
	}
	q, err := t.SchedTarget(int(int32(a[0])))
	if err != nil {
		return 0, err
	}
	if !t.P.MaySetAffinity(q) {
		return 0, abi.EPERM
	}
	if mask[0]&1 == 0 {
		return 0, abi.EINVAL
	}
	return 0, nil
}

// sysGetcpu writes CPU 0 and node 0 where asked (each pointer may be
// NULL; the cache argument is unused).
func sysGetcpu(t *libstarry.Thread, a Args) (uint64, error) {
	for _, va := range a[:2] {
		if va != 0 {
			if err := putU32(t, va, 0); err != nil {
				return 0, err
			}
		}
	}
	return 0, nil
}

func sysIoprioSet(t *libstarry.Thread, a Args) (uint64, error) {
	return 0, t.SetIOPrio(int(int32(a[0])), int(int32(a[1])), int(int32(a[2])))
}

func sysIoprioGet(t *libstarry.Thread, a Args) (uint64, error) {
	v, err := t.GetIOPrio(int(int32(a[0])), int(int32(a[1])))
	return uint64(v), err
}

// setUTS is sethostname and setdomainname: the privilege and the length
// first, then the bytes.
func setUTS(t *libstarry.Thread, a Args, set func([]byte) error) (uint64, error) {
	n := int(int32(a[1]))
	if err := t.P.CheckSetUTS(n); err != nil {
		return 0, err
	}
	b := make([]byte, n)
	if err := t.P.MM.CopyIn(uintptr(a[0]), b); err != nil {
		return 0, err
	}
	return 0, set(b)
}

func sysSethostname(t *libstarry.Thread, a Args) (uint64, error) {
	return setUTS(t, a, t.P.SetHostname)
}

func sysSetdomainname(t *libstarry.Thread, a Args) (uint64, error) {
	return setUTS(t, a, t.P.SetDomainname)
}

func sysPersonality(t *libstarry.Thread, a Args) (uint64, error) {
	return uint64(t.P.SetPersona(uint32(a[0]))), nil
}

func sysPidfdOpen(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := t.PidfdOpen(int(int32(a[0])), int(uint32(a[1])))
	if err != nil {
		return 0, err
	}
	fd, err := t.P.FDs.Install(of, 0, t.P.NoFile(), true)
	return uint64(fd), err
}

// pidfdProcess is the process a pidfd names: a pidfd_open descriptor,
// or (for pidfd_send_signal) a /proc/PID directory; EBADF for any
// other file.
func pidfdProcess(t *libstarry.Thread, fd uint64, procDirs bool) (*libstarry.Process, *fdt.OpenFile, error) {
	of, err := file(t, fd)
	if err != nil {
		return nil, nil, err
	}
	defer of.DecRef()
	if pf, ok := of.File.(*libstarry.PidFD); ok {
		return pf.P, of, nil
	}
	if pf, ok := of.File.(libstarry.PathFile); ok && procDirs {
		p, isProc, err := t.P.ProcDirProcess(pf.Path())
		if isProc {
			return p, of, err
		}
	}
	return nil, nil, abi.EBADF
}

// PIDFD_SIGNAL_* scopes pidfd_send_signal takes (include/uapi/linux/pidfd.h).
const pidfdSignalScopes = 1 | 2 | 4

// sysPidfdSendSignal is pidfd_send_signal(pidfd, sig, info, flags): the
// flags, the descriptor, the signal's range, then a given siginfo
// (its signal must be sig; a process may not forge a kernel or kill
// code for another), then the send.
func sysPidfdSendSignal(t *libstarry.Thread, a Args) (uint64, error) {
	if a[3]&^pidfdSignalScopes != 0 || a[3]&(a[3]-1) != 0 {
		return 0, abi.EINVAL
	}
	q, _, err := pidfdProcess(t, a[0], true)
	if err != nil {
		return 0, err
	}
	sig := int(int32(a[1]))
	if sig < 0 || sig > libstarry.NSIG {
		return 0, abi.EINVAL
	}
	info := libstarry.SigInfo{Signo: sig, Code: libstarry.SI_USER, Pid: t.P.Pid(), UID: int(t.P.Cred().UID)}
	if a[2] != 0 {
		b := make([]byte, abi.SiginfoSize)
		if err := t.P.MM.CopyIn(uintptr(a[2]), b); err != nil {
			return 0, err
		}
		signo, code := int(int32(le.Uint32(b[0:]))), int(int32(le.Uint32(b[8:])))
		if signo != sig {
			return 0, abi.EINVAL
		}
		if q != t.P && (code >= 0 || code == libstarry.SI_TKILL) {
			return 0, abi.EPERM
		}
		info = libstarry.SigInfo{Signo: sig, Code: code, Pid: int(int32(le.Uint32(b[16:]))), UID: int(int32(le.Uint32(b[20:]))),
			Value: le.Uint64(b[24:])} // _rt: si_pid, si_uid, si_value
	}
	return 0, t.SignalFrom(q, info)
}

// sysPidfdGetfd is pidfd_getfd(pidfd, targetfd, flags): flags (none
// exist), the pidfd, then the target's descriptor, duplicated with
// close-on-exec.
func sysPidfdGetfd(t *libstarry.Thread, a Args) (uint64, error) {
	if a[2] != 0 {
		return 0, abi.EINVAL
	}
	q, _, err := pidfdProcess(t, a[0], false)
	if err != nil {
		return 0, err
	}
	of, err := t.P.PidfdGetfd(q, int(int32(a[1])))
	if err != nil {
		return 0, err
	}
	fd, err := t.P.FDs.Install(of, 0, t.P.NoFile(), true)
	return uint64(fd), err
}

// sysKcmp is kcmp(pid1, pid2, type, idx1, idx2): both processes first
// (ESRCH), then the comparison.
func sysKcmp(t *libstarry.Thread, a Args) (uint64, error) {
	k := t.P.Kernel()
	p1, p2 := k.Process(int(int32(a[0]))), k.Process(int(int32(a[1])))
	if p1 == nil || p2 == nil || p1 == k.Init() || p2 == k.Init() {
		return 0, abi.ESRCH
	}
	v, err := t.P.Kcmp(p1, p2, int(int32(a[2])), a[3], a[4])
	return uint64(v), err
}

func sysUnshare(t *libstarry.Thread, a Args) (uint64, error) {
	return 0, t.Unshare(a[0])
}
