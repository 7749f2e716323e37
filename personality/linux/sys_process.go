package linux

import (
	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

func processCalls() []Syscall {
	return []Syscall{
		full(abi.SYS_EXIT, "exit", sysExit),
		full(abi.SYS_EXIT_GROUP, "exit_group", sysExitGroup),
		full(abi.SYS_GETPID, "getpid", sysGetpid),
		full(abi.SYS_GETPPID, "getppid", sysGetppid),
		full(abi.SYS_GETUID, "getuid", sysZero),
		full(abi.SYS_GETEUID, "geteuid", sysZero),
		full(abi.SYS_GETGID, "getgid", sysZero),
		full(abi.SYS_GETEGID, "getegid", sysZero),
		full(abi.SYS_GETPGRP, "getpgrp", sysGetpid),
		full(abi.SYS_GETSID, "getsid", sysGetpid),
		refuse(abi.SYS_WAIT4, "wait4", abi.ECHILD, "no child processes yet"),
		full(abi.SYS_GETGROUPS, "getgroups", sysGetgroups),
		part(abi.SYS_PRCTL, "prctl", sysPrctl, "PR_SET_NAME and PR_GET_NAME; other options EINVAL"),
	}
}

// sysGetgroups: processes have no supplementary groups, so the list is
// empty whatever the buffer's size.
func sysGetgroups(t *libstarry.Thread, a Args) (uint64, error) {
	if int32(a[0]) < 0 {
		return 0, abi.EINVAL
	}
	return 0, nil
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
		t.Comm = [16]byte{}
		copy(t.Comm[:15], name)
		return 0, nil
	case abi.PR_GET_NAME:
		return 0, t.P.MM.CopyOut(uintptr(a[1]), t.Comm[:])
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

// sysZero answers the credential calls: everything runs as root (0).
func sysZero(t *libstarry.Thread, a Args) (uint64, error) { return 0, nil }
