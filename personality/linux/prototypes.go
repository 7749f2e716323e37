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
// Every row of the table has a prototype (a test checks), so a new call
// cannot forget its narrowing. Where Linux's own type is unsigned long
// but the value is narrowed inside (readv's fd goes to fdget, and its
// count to import_iovec, as unsigned ints), the prototype says where it
// ends up.
var prototypes = map[string]string{
	// Files and descriptors.
	"read": "ull", "write": "ull", "pread64": "ulll", "pwrite64": "ulll",
	"readv": "ulu", "writev": "ulu", "lseek": "ulu",
	"open": "liu", "openat": "iliu", "close": "u", "close_range": "uuu",
	"dup": "u", "dup2": "uu", "dup3": "uui", "fcntl": "uul", "flock": "uu", "memfd_create": "lu", "ioctl": "uul",
	"getdents64": "ulu", "getcwd": "ll", "chdir": "l", "umask": "i",
	"access": "li", "faccessat": "ili", "faccessat2": "ilii",
	"readlink": "lli", "readlinkat": "illi", "fadvise64": "illi",
	"stat": "ll", "lstat": "ll", "fstat": "ul", "newfstatat": "illi", "statx": "iluul",
	"statfs": "ll", "fstatfs": "ul",
	"getxattr": "llll", "lgetxattr": "llll", "fgetxattr": "illl",
	"listxattr": "lll", "llistxattr": "lll", "flistxattr": "ill",
	"setxattr": "lllli", "lsetxattr": "lllli", "fsetxattr": "illli",
	"removexattr": "ll", "lremovexattr": "ll", "fremovexattr": "il",
	"creat": "lu", "openat2": "illl", "fchdir": "u", "chroot": "l",
	"preadv": "ulull", "pwritev": "ulull", "preadv2": "ululli", "pwritev2": "ululli",
	"truncate": "ll", "ftruncate": "ul", "fallocate": "iill",
	"fsync": "u", "fdatasync": "u", "sync": "", "syncfs": "i",
	"inotify_init": "", "inotify_init1": "i", "inotify_add_watch": "ilu", "inotify_rm_watch": "ii", "fanotify_init": "uu",
	"select": "illll", "pselect6": "illlll",
	"sendfile": "iill", "copy_file_range": "ililuu", "splice": "ililuu", "tee": "iiuu",
	// Paths: making, removing, renaming, changing files.
	"mkdir": "lu", "mkdirat": "ilu", "mknod": "luu", "mknodat": "iluu",
	"rmdir": "l", "unlink": "l", "unlinkat": "ili",
	"rename": "ll", "renameat": "ilil", "renameat2": "ililu",
	"link": "ll", "linkat": "ilili", "symlink": "ll", "symlinkat": "lil",
	"chmod": "lu", "fchmod": "uu", "fchmodat": "ilu", "fchmodat2": "ilui",
	"chown": "luu", "fchown": "uuu", "lchown": "luu", "fchownat": "iluui",
	"mount": "lllll", "umount2": "li",
	"utime": "ll", "utimes": "ll", "futimesat": "ill", "utimensat": "illi",
	// Pipes, polling, eventfd.
	"pipe": "l", "pipe2": "li", "poll": "lui", "ppoll": "lulll",
	"epoll_create": "i", "epoll_create1": "i", "epoll_ctl": "iiil",
	"epoll_wait": "ilii", "epoll_pwait": "iliill", "eventfd": "u", "eventfd2": "ui",
	// Sockets.
	"socket": "iii", "socketpair": "iiil", "bind": "ili", "listen": "ii",
	"accept": "ill", "accept4": "illi", "connect": "ili", "shutdown": "ii",
	"getsockname": "ill", "getpeername": "ill",
	"sendto": "illuli", "recvfrom": "illull", "sendmsg": "ilu", "recvmsg": "ilu",
	"sendmmsg": "iluu", "recvmmsg": "iluul", "setsockopt": "iiili", "getsockopt": "iiill",
	// Memory. x86-64's mmap takes six unsigned longs; fget narrows its fd.
	"mmap": "lllllu", "munmap": "ll", "mprotect": "lll", "madvise": "lli",
	"mremap": "lllll", "brk": "l", "msync": "lli",
	// Signals.
	"rt_sigaction": "illl", "rt_sigprocmask": "illl", "rt_sigreturn": "",
	"rt_sigpending": "ll", "rt_sigsuspend": "ll", "sigaltstack": "ll",
	"kill": "ii", "tgkill": "iii", "tkill": "ii", "pause": "",
	"rt_sigqueueinfo": "iil", "rt_tgsigqueueinfo": "iiil",
	// Threads and processes.
	"clone": "lllll", "clone3": "ll", "fork": "", "vfork": "",
	"execve": "lll", "execveat": "illli", "exit": "i", "exit_group": "i",
	"wait4": "ilil", "waitid": "iilil", "set_tid_address": "l",
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
	"clock_gettime": "il", "clock_getres": "il", "clock_nanosleep": "iill",
	"nanosleep": "ll", "gettimeofday": "ll", "time": "l",
	"uname": "l", "getrandom": "llu", "sysinfo": "l",
	// System V IPC.
	"shmget": "ili", "shmat": "ili", "shmdt": "l", "shmctl": "iil",
	"semget": "iii", "semop": "ilu", "semtimedop": "ilul", "semctl": "iiil",
	"msgget": "ii", "msgsnd": "illi", "msgrcv": "illli", "msgctl": "iil",
}

// narrow applies a prototype to the raw registers.
func narrow(proto string, a Args) Args {
	for i := 0; i < len(proto); i++ {
		switch proto[i] {
		case 'i':
			a[i] = uint64(int64(int32(a[i])))
		case 'u':
			a[i] = uint64(uint32(a[i]))
		}
	}
	return a
}
