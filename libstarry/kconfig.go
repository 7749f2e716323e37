package libstarry

import "strings"

// KernelConfig is this kernel's .config as Linux would spell it: the
// options whose behaviour the library OS and the personality provide
// are set, the ones programs commonly probe for and that are absent here
// say so ("is not set"). /proc/config.gz serves it; LTP's needs_kconfigs
// and tools like it read it to skip what the kernel lacks.
var KernelConfig = kconfig(
	[]string{
		"64BIT", "X86_64", "MMU", "MULTIUSER", "PROC_FS", "PROC_SYSCTL", "SYSFS", "DEVTMPFS",
		"TMPFS", "TMPFS_XATTR", "SHMEM", "MEMFD_CREATE", "SYSVIPC", "FUTEX", "EPOLL",
		"SIGNALFD", "TIMERFD", "EVENTFD", "POSIX_TIMERS", "HIGH_RES_TIMERS", "FILE_LOCKING",
		"UNIX", "INET", "IPV6", "BLK_DEV", "BLK_DEV_LOOP", "BINFMT_ELF", "BINFMT_SCRIPT",
		"COREDUMP", "ELF_CORE", "KCMP", "CHECKPOINT_RESTORE", "IKCONFIG", "IKCONFIG_PROC",
	},
	[]string{
		"SMP", "MODULES", "USER_NS", "PID_NS", "NET_NS", "UTS_NS", "IPC_NS", "TIME_NS", "CGROUPS",
		"USERFAULTFD", "FS_VERITY", "FANOTIFY", "INOTIFY_USER", "SWAP", "HUGETLBFS", "NUMA",
		"KSM", "TRANSPARENT_HUGEPAGE", "SECURITY", "UBSAN", "KASAN", "EXT2_FS", "EXT4_FS", "XFS_FS",
		"BTRFS_FS", "FUSE_FS", "OVERLAY_FS", "POSIX_AUX_CLOCKS", "BPF_SYSCALL",
		"POSIX_MQUEUE", "FHANDLE", "AIO", "IO_URING", "SECCOMP",
	})

func kconfig(set, unset []string) string {
	var b strings.Builder
	b.WriteString("#\n# Starry-Go\n#\n")
	for _, o := range set {
		b.WriteString("CONFIG_" + o + "=y\n")
	}
	for _, o := range unset {
		b.WriteString("# CONFIG_" + o + " is not set\n")
	}
	return b.String()
}
