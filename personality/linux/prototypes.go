package linux

// Linux declares each system call's arguments with C types, and its entry
// wrappers (SYSCALL_DEFINEn's __SC_CAST) narrow each 64-bit register to
// that type before the call runs: an int fd of 0x100000003 is fd 3, a
// flags word's upper half is gone, a negative int is negative whatever
// the upper half said. Dispatch does the same from these prototypes, one
// letter per argument:
//
//	i  int, pid_t, clockid_t: the low 32 bits, sign-extended
//	u  unsigned int, u32, umode_t: the low 32 bits, zero-extended
//	l  long, unsigned long, size_t, loff_t, pointers: all 64 bits
//
// Other letters narrow as one of these and say how the system call
// trace (trace.go) shows the value: d (a descriptor), a (a directory
// descriptor, AT_FDCWD by name), o (open flags), g (a signal), c (a clock
// id) as i; f (a
// descriptor), m (a mode, octal), x (hex) as u; s (a string), p (a
// pointer), r (mmap's prot), M (mmap's flags) as l. A prototype ending
// in ":p" returns an address.
//
// Every row of the table has a prototype (a test checks), so a new call
// cannot forget its narrowing. Where Linux's own type is unsigned long
// but the value is narrowed inside (readv's fd goes to fdget, and its
// count to import_iovec, as unsigned ints), the prototype says where it
// ends up.
var prototypes = map[string]string{
	// Files and descriptors.
	"read": "fpl", "write": "fpl", "pread64": "fpll", "pwrite64": "fpll",
	"readv": "fpu", "writev": "fpu", "lseek": "flu",
	"open": "som", "openat": "asom", "close": "f", "close_range": "uuu",
	"dup": "f", "dup2": "ff", "dup3": "ffi", "fcntl": "ful", "flock": "uu", "memfd_create": "lu", "ioctl": "fxl",
	"getdents64": "fpu", "getcwd": "pl", "chdir": "s", "umask": "i",
	"access": "si", "faccessat": "asi", "faccessat2": "asii",
	"readlink": "spi", "readlinkat": "aspi", "fadvise64": "illi",
	"stat": "sp", "lstat": "sp", "fstat": "fp", "newfstatat": "aspi", "statx": "asxxp",
	"statfs": "sp", "fstatfs": "fp",
	"getxattr": "llll", "lgetxattr": "llll", "fgetxattr": "illl",
	"listxattr": "lll", "llistxattr": "lll", "flistxattr": "ill",
	"setxattr": "lllli", "lsetxattr": "lllli", "fsetxattr": "illli",
	"removexattr": "ll", "lremovexattr": "ll", "fremovexattr": "il",
	"creat": "sm", "openat2": "illl", "fchdir": "f", "chroot": "s",
	"preadv": "ulull", "pwritev": "ulull", "preadv2": "ululli", "pwritev2": "ululli",
	"truncate": "sl", "ftruncate": "fl", "fallocate": "iill",
	"fsync": "f", "fdatasync": "f", "sync": "", "syncfs": "i",
	"inotify_init": "", "inotify_init1": "i", "inotify_add_watch": "ilu", "inotify_rm_watch": "ii", "fanotify_init": "uu",
	"select": "illll", "pselect6": "illlll",
	"sendfile": "iill", "copy_file_range": "ililuu", "splice": "ililuu", "tee": "iiuu",
	// Paths: making, removing, renaming, changing files.
	"mkdir": "sm", "mkdirat": "asm", "mknod": "smu", "mknodat": "asmu",
	"rmdir": "s", "unlink": "s", "unlinkat": "asi",
	"rename": "ss", "renameat": "asas", "renameat2": "asasu",
	"link": "ss", "linkat": "asasi", "symlink": "ss", "symlinkat": "sas",
	"chmod": "sm", "fchmod": "fm", "fchmodat": "asm", "fchmodat2": "asmi",
	"chown": "suu", "fchown": "fuu", "lchown": "suu", "fchownat": "asuui",
	"mount": "ssslp", "umount2": "si",
	"utime": "ll", "utimes": "ll", "futimesat": "ill", "utimensat": "illi",
	// Pipes, polling, eventfd.
	"pipe": "p", "pipe2": "pi", "poll": "lui", "ppoll": "lulll",
	"epoll_create": "i", "epoll_create1": "i", "epoll_ctl": "iiil",
	"epoll_wait": "ilii", "epoll_pwait": "iliill", "eventfd": "u", "eventfd2": "ui",
	// Sockets.
	"socket": "iii", "socketpair": "iiil", "bind": "ili", "listen": "ii",
	"accept": "ill", "accept4": "illi", "connect": "ili", "shutdown": "ii",
	"getsockname": "ill", "getpeername": "ill",
	"sendto": "illuli", "recvfrom": "illull", "sendmsg": "ilu", "recvmsg": "ilu",
	"sendmmsg": "iluu", "recvmmsg": "iluul", "setsockopt": "iiili", "getsockopt": "iiill",
	// Memory. x86-64's mmap takes six unsigned longs; fget narrows its fd.
	"mmap": "plrMlu:p", "munmap": "pl", "mprotect": "plr", "madvise": "lli",
	"mremap": "pllll:p", "brk": "p:p", "msync": "lli",
	// Signals.
	"rt_sigaction": "gppl", "rt_sigprocmask": "illl", "rt_sigreturn": "",
	"rt_sigpending": "ll", "rt_sigsuspend": "ll", "sigaltstack": "ll",
	"kill": "ig", "tgkill": "iig", "tkill": "ig", "pause": "",
	"rt_sigqueueinfo": "iil", "rt_tgsigqueueinfo": "iiil",
	// Threads and processes.
	"clone": "lllll", "clone3": "ll", "fork": "", "vfork": "",
	"execve": "spp", "execveat": "aspli", "exit": "i:n", "exit_group": "i:n",
	"wait4": "ipip", "waitid": "iilil", "set_tid_address": "l",
	"set_robust_list": "ll", "get_robust_list": "ill", "rseq": "luiu",
	"futex": "liullu", "arch_prctl": "il", "prctl": "illll",
	"getpid": "", "getppid": "", "gettid": "", "getpgid": "i", "setpgid": "ii",
	"getpgrp": "", "setsid": "", "getsid": "i",
	"getuid": "", "geteuid": "", "getgid": "", "getegid": "", "getgroups": "il", "setgroups": "il",
	"getresuid": "lll", "getresgid": "lll", "setuid": "u", "setgid": "u",
	"setreuid": "uu", "setregid": "uu", "setresuid": "uuu", "setresgid": "uuu",
	"setfsuid": "u", "setfsgid": "u",
	"sched_yield": "", "sched_getaffinity": "iul",
	"getrlimit": "ul", "setrlimit": "ul", "prlimit64": "iull",
	// Time and the system.
	"clock_gettime": "cl", "clock_getres": "cl", "clock_nanosleep": "cill",
	"nanosleep": "ll", "gettimeofday": "ll", "time": "l",
	"times": "l", "clock_settime": "cl", "settimeofday": "ll",
	"uname": "l", "getrandom": "llu", "sysinfo": "l",
	// System V IPC.
	"shmget": "ili", "shmat": "ili", "shmdt": "l", "shmctl": "iil",
	"semget": "iii", "semop": "ilu", "semtimedop": "ilul", "semctl": "iiil",
	"msgget": "ii", "msgsnd": "illi", "msgrcv": "illli", "msgctl": "iil",
}

// narrow applies a prototype to the raw registers.
func narrow(proto string, a Args) Args {
	for i := 0; i < len(proto) && proto[i] != ':'; i++ {
		switch narrowClass(proto[i]) {
		case 'i':
			a[i] = uint64(int64(int32(a[i])))
		case 'u':
			a[i] = uint64(uint32(a[i]))
		}
	}
	return a
}

// narrowClass is the width a letter narrows to: the trace's letters
// (trace.go) each say how to show a value of one of the three widths.
func narrowClass(c byte) byte {
	switch c {
	case 'i', 'd', 'a', 'o', 'g', 'c':
		return 'i'
	case 'u', 'f', 'm', 'x':
		return 'u'
	}
	return 'l'
}
