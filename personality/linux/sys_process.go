package linux

import (
	"github.com/starry-go/starry/libstarry"
	"golang.org/x/sys/unix"
)

func processCalls() []Syscall {
	return []Syscall{
		part(unix.SYS_EXIT, "exit", sysExit, "ends the process: there is one thread per process so far"),
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
	}
}

// sysExit ends the thread; with one thread per process, the process
// (do_exit of the last thread). The status is the low 8 bits.
func sysExit(t *libstarry.Thread, a Args) (uint64, error) {
	t.P.Exit(libstarry.ExitStatus{Code: int(a[0] & 0xff)})
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
