package linux

import (
	"github.com/starry-go/starry/libstarry"
	"golang.org/x/sys/unix"
)

func processCalls() []Syscall {
	return []Syscall{
		full(unix.SYS_EXIT, "exit", sysExit),
		full(unix.SYS_EXIT_GROUP, "exit_group", sysExitGroup),
		full(unix.SYS_GETPID, "getpid", sysGetpid),
		full(unix.SYS_GETPPID, "getppid", sysGetppid),
		full(unix.SYS_GETUID, "getuid", sysZero),
		full(unix.SYS_GETEUID, "geteuid", sysZero),
		full(unix.SYS_GETGID, "getgid", sysZero),
		full(unix.SYS_GETEGID, "getegid", sysZero),
		full(unix.SYS_GETPGRP, "getpgrp", sysGetpid),
		full(unix.SYS_GETSID, "getsid", sysGetpid),
		refuse(unix.SYS_WAIT4, "wait4", unix.ECHILD, "no child processes yet"),
		full(unix.SYS_GETGROUPS, "getgroups", sysGetgroups),
		part(unix.SYS_PRCTL, "prctl", sysPrctl, "PR_SET_NAME and PR_GET_NAME; other options EINVAL"),
	}
}

// sysGetgroups: processes have no supplementary groups, so the list is
// empty whatever the buffer's size.
func sysGetgroups(t *libstarry.Thread, a Args) (uint64, error) {
	if int32(a[0]) < 0 {
		return 0, unix.EINVAL
	}
	return 0, nil
}

// sysPrctl names the thread (kernel/sys.c PR_SET_NAME copies at most 15
// bytes and terminates them) or reads the name back.
func sysPrctl(t *libstarry.Thread, a Args) (uint64, error) {
	switch a[0] {
	case unix.PR_SET_NAME:
		var comm [16]byte
		name, err := t.P.MM.CopyInString(uintptr(a[1]), len(comm))
		if err == unix.ENAMETOOLONG { // longer names are cut, as Linux does
			err = t.P.MM.CopyIn(uintptr(a[1]), comm[:15])
			name = string(comm[:15])
		}
		if err != nil {
			return 0, err
		}
		t.Comm = [16]byte{}
		copy(t.Comm[:15], name)
		return 0, nil
	case unix.PR_GET_NAME:
		return 0, t.P.MM.CopyOut(uintptr(a[1]), t.Comm[:])
	}
	return 0, unix.EINVAL
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
