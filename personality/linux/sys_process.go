package linux

import (
	"strconv"

	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

var processRows = []Syscall{
	{Nr: abi.SYS_EXIT, Name: "exit", Fn: sysExit, Support: Supported},
	{Nr: abi.SYS_EXIT_GROUP, Name: "exit_group", Fn: sysExitGroup, Support: Supported},
	{Nr: abi.SYS_GETPID, Name: "getpid", Fn: sysGetpid, Support: Supported},
	{Nr: abi.SYS_GETPPID, Name: "getppid", Fn: sysGetppid, Support: Supported},
	{Nr: abi.SYS_GETPGRP, Name: "getpgrp", Fn: sysGetpgrp, Support: Supported},
	{Nr: abi.SYS_GETPGID, Name: "getpgid", Fn: sysGetpgid, Support: Supported},
	{Nr: abi.SYS_SETPGID, Name: "setpgid", Fn: sysSetpgid, Support: Supported},
	{Nr: abi.SYS_GETSID, Name: "getsid", Fn: sysGetsid, Support: Supported},
	{Nr: abi.SYS_SETSID, Name: "setsid", Fn: sysSetsid, Support: Supported},
	{Nr: abi.SYS_WAIT4, Name: "wait4", Fn: sysWait4, Support: Partial, Note: "rusage as getrusage fills it"},
	{Nr: abi.SYS_WAITID, Name: "waitid", Fn: sysWaitid, Support: Partial, Note: "rusage as getrusage fills it"},
	{Nr: abi.SYS_EXECVE, Name: "execve", Fn: sysExecve, Support: Partial, Note: "static ELF, static PIE and #! scripts; a non-ELF non-script file runs under /bin/sh"},
	{Nr: abi.SYS_EXECVEAT, Name: "execveat", Fn: sysExecveat, Support: Partial, Note: "as execve; a script run through AT_EMPTY_PATH gets /dev/fd/N as its name"},
	{Nr: abi.SYS_PRCTL, Name: "prctl", Fn: sysPrctl, Support: Partial, Note: "names, PDEATHSIG (sent when the parent process exits), CHILD_SUBREAPER, DUMPABLE, NO_NEW_PRIVS (kept; set-ID bits still apply), KEEPCAPS, SECUREBITS, CAPBSET_READ/DROP, CAP_AMBIENT, TIMING, TIMERSLACK (kept and reported; wakeups are not batched); other options EINVAL"},
}

// sysPrctl names the thread (kernel/sys.c PR_SET_NAME copies at most 15
// bytes and terminates them) or reads the name back.
func sysPrctl(t *libstarry.Thread, a Args) (uint64, error) {
	switch a[0] {
	case abi.PR_SET_NAME:
		var comm [16]byte
		name, err := t.P.MM.CopyInString(uintptr(a[1]), len(comm))
		if err == abi.ENAMETOOLONG { // longer names are cut, as Linux does
			err = t.P.MM.CopyIn(uintptr(a[1]), comm[:15])
			name = string(comm[:15])
		}
		if err != nil {
			return 0, err
		}
		t.SetName(name)
		return 0, nil
	case abi.PR_GET_NAME:
		var comm [16]byte
		copy(comm[:15], t.Name())
		return 0, t.P.MM.CopyOut(uintptr(a[1]), comm[:])
	case prSetTimerslack:
		t.SetTimerSlack(a[1])
		return 0, nil
	case prGetTimerslack:
		return t.TimerSlack(), nil
	}
	return prctlAttr(t, a)
}

// prctl options of kernel/sys.c (security_task_prctl's capability ones
// first, as cap_task_prctl answers them before the switch).
const (
	prSetPdeathsig      = 1
	prGetPdeathsig      = 2
	prGetDumpable       = 3
	prSetDumpable       = 4
	prGetKeepcaps       = 7
	prSetKeepcaps       = 8
	prGetTiming         = 13
	prSetTiming         = 14
	prCapbsetRead       = 23
	prCapbsetDrop       = 24
	prGetSecurebits     = 27
	prSetSecurebits     = 28
	prSetTimerslack     = 29
	prGetTimerslack     = 30
	prSetChildSubreaper = 36
	prGetChildSubreaper = 37
	prSetNoNewPrivs     = 38
	prGetNoNewPrivs     = 39
	prCapAmbient        = 47
)

func prctlAttr(t *libstarry.Thread, a Args) (uint64, error) {
	p := t.P
	boolVal := func(b bool) uint64 {
		if b {
			return 1
		}
		return 0
	}
	switch a[0] {
	case prCapbsetRead:
		if !libstarry.ValidCap(a[1]) {
			return 0, abi.EINVAL
		}
		return p.Cred().Caps.Bounding >> a[1] & 1, nil
	case prCapbsetDrop:
		return 0, p.CapbsetDrop(a[1])
	case prCapAmbient:
		return p.CapAmbient(a[1], a[2], a[3], a[4])
	case prGetSecurebits:
		return uint64(p.Cred().Caps.Securebits), nil
	case prSetSecurebits:
		return 0, p.SetSecurebits(a[1])
	case prGetKeepcaps:
		return uint64(p.Cred().Caps.Securebits >> 4 & 1), nil
	case prSetKeepcaps:
		if a[1] > 1 || a[2] != 0 || a[3] != 0 || a[4] != 0 {
			return 0, abi.EINVAL
		}
		return 0, p.SetKeepCaps(a[1] == 1)
	case prSetPdeathsig:
		if a[1] > libstarry.NSIG {
			return 0, abi.EINVAL
		}
		return 0, p.SetPdeathSignal(int(a[1]))
	case prGetPdeathsig:
		return 0, putU32(t, a[1], uint32(p.PdeathSignal()))
	case prGetDumpable:
		return boolVal(p.Dumpable()), nil
	case prSetDumpable:
		if a[1] > 1 {
			return 0, abi.EINVAL
		}
		p.SetDumpable(a[1] == 1)
		return 0, nil
	case prGetTiming:
		return 0, nil // PR_TIMING_STATISTICAL
	case prSetTiming:
		if a[1] != 0 {
			return 0, abi.EINVAL // only PR_TIMING_STATISTICAL
		}
		return 0, nil
	case prSetChildSubreaper:
		p.SetChildSubreaper(a[1] != 0)
		return 0, nil
	case prGetChildSubreaper:
		return 0, putU32(t, a[1], uint32(boolVal(p.ChildSubreaper())))
	case prSetNoNewPrivs:
		if a[1] != 1 || a[2] != 0 || a[3] != 0 || a[4] != 0 {
			return 0, abi.EINVAL
		}
		p.SetNoNewPrivs()
		return 0, nil
	case prGetNoNewPrivs:
		if a[1] != 0 || a[2] != 0 || a[3] != 0 || a[4] != 0 {
			return 0, abi.EINVAL
		}
		return boolVal(p.NoNewPrivs()), nil
	}
	return 0, abi.EINVAL
}

// sysExit ends the calling thread; the last one ends the process with
// the low 8 bits of the status (do_exit).
func sysExit(t *libstarry.Thread, a Args) (uint64, error) {
	t.ExitThread(int(a[0] & 0xff))
	return 0, errKeepRegs
}

func sysExitGroup(t *libstarry.Thread, a Args) (uint64, error) {
	t.P.Exit(libstarry.ExitStatus{Code: int(a[0] & 0xff)})
	return 0, errKeepRegs
}

func sysGetpid(t *libstarry.Thread, a Args) (uint64, error)  { return uint64(t.P.Pid()), nil }
func sysGetppid(t *libstarry.Thread, a Args) (uint64, error) { return uint64(t.P.PPid()), nil }

// sysZero answers 0 and does nothing (sync: every file is in memory).
func sysZero(t *libstarry.Thread, a Args) (uint64, error) { return 0, nil }

func sysGetpgrp(t *libstarry.Thread, a Args) (uint64, error) { return sysGetpgid(t, Args{}) }

func sysGetpgid(t *libstarry.Thread, a Args) (uint64, error) {
	g, err := t.Pgid(int(int32(a[0])))
	return uint64(g), err
}

func sysSetpgid(t *libstarry.Thread, a Args) (uint64, error) {
	return 0, t.SetPgid(int(int32(a[0])), int(int32(a[1])))
}

func sysGetsid(t *libstarry.Thread, a Args) (uint64, error) {
	s, err := t.Sid(int(int32(a[0])))
	return uint64(s), err
}

func sysSetsid(t *libstarry.Thread, a Args) (uint64, error) {
	s, err := t.Setsid()
	return uint64(s), err
}

// Wait flags (include/uapi/linux/wait.h).
const (
	wNoHang    = 1
	wUntraced  = 2 // WSTOPPED for waitid
	wExited    = 4
	wContinued = 8
	wNoWait    = 0x01000000
	wNoThread  = 0x20000000
	wAll       = 0x40000000
	wClone     = 0x80000000
)

// sysWait4 is wait4(pid, wstatus, options, rusage): pid > 0 that child,
// 0 the caller's process group, -1 any child, below -1 group -pid.
func sysWait4(t *libstarry.Thread, a Args) (uint64, error) {
	opts := a[2]
	if opts&^(wNoHang|wUntraced|wContinued|wNoThread|wAll|wClone) != 0 {
		return 0, abi.EINVAL
	}
	o := libstarry.WaitOptions{Exited: true, Stopped: opts&wUntraced != 0, Continued: opts&wContinued != 0,
		NoHang: opts&wNoHang != 0, All: opts&wAll != 0, Clone: opts&wClone != 0}
	switch pid := int(int32(a[0])); {
	case pid == -1<<31:
		return 0, abi.ESRCH // -INT_MIN is no group
	case pid > 0:
		o.Which, o.ID = libstarry.WaitPID, pid
	case pid == -1:
		o.Which = libstarry.WaitAll
	case pid == 0:
		g, _ := t.Pgid(0)
		o.Which, o.ID = libstarry.WaitPGID, g
	default:
		o.Which, o.ID = libstarry.WaitPGID, -pid
	}
	r, err := t.Wait(o)
	if err != nil {
		return 0, err
	}
	if r.Pid != 0 && a[1] != 0 {
		if err := putU32(t, a[1], uint32(r.Status)); err != nil {
			return 0, err
		}
	}
	if a[3] != 0 && r.Pid != 0 {
		if err := putRusage(t, a[3], r.Usage); err != nil {
			return 0, err
		}
	}
	return uint64(r.Pid), nil
}

// rusageSize is sizeof(struct rusage).
const rusageSize = 144

// sysWaitid is waitid(idtype, id, infop, options, rusage). As Linux's,
// it fills in infop whatever the wait said, so a bad infop is EFAULT
// even when the wait itself failed; rusage only when a child was found.
func sysWaitid(t *libstarry.Thread, a Args) (uint64, error) {
	r, err := waitid(t, a)
	if err == nil && r.Pid != 0 && a[4] != 0 {
		if err := putRusage(t, a[4], r.Usage); err != nil {
			return 0, err
		}
	}
	if a[2] == 0 {
		return 0, err
	}
	var info abi.Siginfo
	if err == nil && r.Pid != 0 {
		info = abi.Siginfo{Signo: int32(libstarry.SIGCHLD), Code: int32(r.Code), Pid: int32(r.Pid), Status: int32(r.Value)}
	}
	b := make([]byte, abi.SiginfoSize)
	info.Put(b, abi.SiginfoChild)
	// Only the fields Linux stores (signo, errno, code, pid, uid, status).
	if !accessOK(a[2], abi.SiginfoSize) || t.P.MM.CopyOut(uintptr(a[2]), b[:28]) != nil {
		return 0, abi.EFAULT
	}
	return 0, err
}

// waitid is kernel_waitid: the options and the ID type, then the wait.
func waitid(t *libstarry.Thread, a Args) (libstarry.WaitResult, error) {
	opts := a[3]
	if opts&^(wNoHang|wUntraced|wExited|wContinued|wNoWait|wNoThread|wAll|wClone) != 0 ||
		opts&(wExited|wUntraced|wContinued) == 0 {
		return libstarry.WaitResult{}, abi.EINVAL
	}
	o := libstarry.WaitOptions{Exited: opts&wExited != 0, Stopped: opts&wUntraced != 0,
		Continued: opts&wContinued != 0, NoHang: opts&wNoHang != 0, NoWait: opts&wNoWait != 0,
		All: opts&wAll != 0, Clone: opts&wClone != 0, ID: int(int32(a[1]))}
	switch a[0] {
	case libstarry.WaitAll:
		o.Which = libstarry.WaitAll
	case libstarry.WaitPID:
		if o.ID <= 0 {
			return libstarry.WaitResult{}, abi.EINVAL
		}
		o.Which = libstarry.WaitPID
	case libstarry.WaitPGID:
		if o.ID < 0 {
			return libstarry.WaitResult{}, abi.EINVAL
		}
		o.Which = libstarry.WaitPGID
		if o.ID == 0 {
			o.ID, _ = t.Pgid(0)
		}
	case pPidfd:
		q, of, err := pidfdOf(t, a[1])
		if err != nil {
			return libstarry.WaitResult{}, err
		}
		o.Which, o.ID = libstarry.WaitPID, q.Pid()
		if of.Flags()&abi.O_NONBLOCK != 0 {
			o.NoHang = true
			r, err := t.Wait(o)
			if err == nil && r.Pid == 0 && opts&wNoHang == 0 {
				return r, abi.EAGAIN // the pidfd is non-blocking
			}
			return r, err
		}
	default:
		return libstarry.WaitResult{}, abi.EINVAL
	}
	return t.Wait(o)
}

// pPidfd is P_PIDFD: waitid's id is a pidfd.
const pPidfd = 3

// pidfdOf is the process a pidfd_open descriptor names (EBADF for
// another file) and its open file.
func pidfdOf(t *libstarry.Thread, fd uint64) (*libstarry.Process, *fdt.OpenFile, error) {
	of, err := file(t, fd)
	if err != nil {
		return nil, nil, err
	}
	defer of.DecRef()
	pf, ok := of.File.(*libstarry.PidFD)
	if !ok {
		return nil, nil, abi.EBADF
	}
	return pf.P, of, nil
}

func sysExecve(t *libstarry.Thread, a Args) (uint64, error) {
	return sysExecveat(t, Args{atFDCWD, a[0], a[1], a[2], 0})
}

// sysExecveat is execveat(dirfd, path, argv, envp, flags): the path and
// the argument and environment vectors are read first (NULL vectors are
// empty, as count_strings_kernel allows); then the process is replaced,
// or the error comes back with the old program intact.
func sysExecveat(t *libstarry.Thread, a Args) (uint64, error) {
	if a[4]&^uint64(abi.AT_EMPTY_PATH|abi.AT_SYMLINK_NOFOLLOW) != 0 {
		return 0, abi.EINVAL
	}
	var path string
	var err error
	if a[4]&abi.AT_EMPTY_PATH != 0 {
		path, err = t.P.MM.CopyInString(uintptr(a[1]), vfs.PathMax)
	} else {
		path, err = t.P.MM.CopyInPath(uintptr(a[1]))
	}
	if err != nil {
		return 0, err
	}
	// do_open_execat: the file from dirfd, or dirfd's own with
	// AT_EMPTY_PATH (named /dev/fd/N, as bprm->filename is), a final
	// symlink refused with AT_SYMLINK_NOFOLLOW.
	var self vfs.Path
	w := t.P.At(vfs.Path{})
	if path == "" {
		if self, err = fdPath(t, a[0]); err != nil {
			return 0, err
		}
		path = "/dev/fd/" + strconv.Itoa(int(int32(a[0])))
	} else {
		if w, err = where(t, a[0], path); err != nil {
			return 0, err
		}
		if a[4]&abi.AT_SYMLINK_NOFOLLOW != 0 {
			q, err := t.P.Resolve(w, path, vfs.NoFollow)
			if err != nil {
				return 0, err
			}
			if q.Dentry.Inode().IsSymlink() {
				return 0, abi.ELOOP
			}
		}
	}
	argv, err := userStrings(t, a[2])
	if err != nil {
		return 0, err
	}
	envv, err := userStrings(t, a[3])
	if err != nil {
		return 0, err
	}
	if err := t.ExecAt(w, self, path, argv, envv); err != nil {
		return 0, err
	}
	return 0, errKeepRegs
}

// maxArgStrings is MAX_ARG_STRINGS.
const maxArgStrings = 0x7fffffff

// userStrings reads a NULL-terminated array of string pointers; a NULL
// array is empty. A string too long for exec is E2BIG, as copy_strings
// answers.
func userStrings(t *libstarry.Thread, va uint64) ([]string, error) {
	var out []string
	for va != 0 && len(out) < maxArgStrings {
		p, err := getU64(t, va)
		if err != nil {
			return nil, err
		}
		if p == 0 {
			return out, nil
		}
		s, err := t.P.MM.CopyInString(uintptr(p), 32*4096)
		if err == abi.ENAMETOOLONG {
			return nil, abi.E2BIG
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		va += 8
	}
	return out, nil
}
