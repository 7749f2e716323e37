package x86_64

import "golang.org/x/sys/unix"

// The shim's system calls: what the Go runtime (and the standard library
// it pulls in) asks of Linux, served for real. Arguments arrive in RDI,
// RSI, RDX, R10, R8, R9; the result, or -errno, goes back in RAX.

const (
	errEPERM     = int64(unix.EPERM)
	errENOENT    = int64(unix.ENOENT)
	errEINTR     = int64(unix.EINTR)
	errEBADF     = int64(unix.EBADF)
	errEAGAIN    = int64(unix.EAGAIN)
	errENOMEM    = int64(unix.ENOMEM)
	errEFAULT    = int64(unix.EFAULT)
	errEEXIST    = int64(unix.EEXIST)
	errEINVAL    = int64(unix.EINVAL)
	errEMFILE    = int64(unix.EMFILE)
	errENOSYS    = int64(unix.ENOSYS)
	errETIMEDOUT = int64(unix.ETIMEDOUT)
	errESRCH     = int64(unix.ESRCH)
	errENODEV    = int64(unix.ENODEV)

	// retNoChange leaves RAX as the handler set it (rt_sigreturn).
	retNoChange = -1 << 62
	// retYield returns 0 and lets the next thread run.
	retYield = -1<<62 + 1
)

var reportedNr [512]bool

func shimSyscall(t *thread) int64 {
	r := &t.regs
	a0, a1, a2, a3, a4 := uintptr(r.RDI), uintptr(r.RSI), uintptr(r.RDX), uintptr(r.R10), uintptr(r.R8)
	switch r.RAX {
	case unix.SYS_READ:
		return sysRead(int(a0), a1, a2)
	case unix.SYS_WRITE:
		return sysWrite(int(a0), a1, a2)
	case unix.SYS_CLOSE:
		return sysClose(int(a0))
	case unix.SYS_FSTAT:
		return sysFstat(int(a0), a1)
	case unix.SYS_OPEN, unix.SYS_OPENAT:
		return -errENOENT // no file system inside the kernel itself
	case unix.SYS_MMAP:
		return sysMmap(a0, a1, int(a2), int(a3), int(int32(a4)))
	case unix.SYS_MUNMAP:
		return sysMunmap(a0, a1)
	case unix.SYS_MPROTECT:
		return sysMprotect(a0, a1, int(a2))
	case unix.SYS_MADVISE:
		return sysMadvise(a0, a1, int(a2))
	case unix.SYS_RT_SIGACTION:
		return sysSigaction(int(a0), a1, a2, a3)
	case unix.SYS_RT_SIGPROCMASK:
		return sysSigprocmask(t, int(a0), a1, a2, a3)
	case unix.SYS_RT_SIGRETURN:
		return sysSigreturn(t)
	case unix.SYS_SIGALTSTACK:
		return sysSigaltstack(t, a0, a1)
	case unix.SYS_SCHED_YIELD:
		return retYield
	case unix.SYS_NANOSLEEP:
		return sysNanosleep(a0)
	case unix.SYS_CLOCK_NANOSLEEP:
		return sysClockNanosleep(int(a0), int(a1), a2)
	case unix.SYS_GETPID:
		return 1
	case unix.SYS_GETPPID:
		return 0
	case unix.SYS_GETTID:
		return int64(t.tid)
	case unix.SYS_GETUID, unix.SYS_GETEUID, unix.SYS_GETGID, unix.SYS_GETEGID:
		return 0
	case unix.SYS_CLONE:
		return sysClone(t, uint64(a0), a1, a2, a3, a4)
	case unix.SYS_EXIT:
		return sysExit(t, int(a0))
	case unix.SYS_EXIT_GROUP:
		powerOff(int(a0) & 0xFF)
		return 0
	case unix.SYS_FUTEX:
		return sysFutex(a0, int(a1), uint32(a2), a3)
	case unix.SYS_TGKILL:
		return sysKill(int(a1), int(a2))
	case unix.SYS_TKILL:
		return sysKill(int(a0), int(a1))
	case unix.SYS_KILL:
		return sysKill(0, int(a1))
	case unix.SYS_FCNTL:
		return sysFcntl(int(a0), int(a1), a2)
	case unix.SYS_CLOCK_GETTIME:
		return sysClockGettime(int(a0), a1)
	case unix.SYS_GETTIMEOFDAY:
		return sysGettimeofday(a0)
	case unix.SYS_GETRANDOM:
		return sysGetrandom(a0, a1)
	case unix.SYS_SCHED_GETAFFINITY:
		return sysSchedGetaffinity(a1, a2)
	case unix.SYS_ARCH_PRCTL:
		return sysArchPrctl(t, int(a0), a1)
	case unix.SYS_PRCTL:
		return sysPrctl(t, int(a0), a1)
	case unix.SYS_SET_TID_ADDRESS:
		t.clearTID = a0
		return int64(t.tid)
	case unix.SYS_SET_ROBUST_LIST:
		return 0 // futex robust lists matter only for processes that die holding locks
	case unix.SYS_PRLIMIT64:
		return sysPrlimit(int(a1), a2, a3)
	case unix.SYS_GETRLIMIT:
		return sysPrlimit(int(a0), 0, a1)
	case unix.SYS_UNAME:
		return sysUname(a0)
	case unix.SYS_EPOLL_CREATE1:
		return sysEpollCreate(int(a0))
	case unix.SYS_EPOLL_CTL:
		return sysEpollCtl(int(a0), int(a1), int(a2), a3)
	case unix.SYS_EPOLL_PWAIT, unix.SYS_EPOLL_WAIT:
		return sysEpollWait(int(a0), a1, int(a2), int(int32(a3)))
	case unix.SYS_EVENTFD2:
		return sysEventfd(uint64(a0), int(a1))
	}
	switch r.RAX {
	case sysRunUser:
		return runUser(t, a0, a1, uint64(a2))
	case sysDropAS:
		dropAddressSpace(uint64(a0))
		return 0
	case sysFrame:
		return frameCall(a0, uint64(a1))
	}
	if r.RAX == sysCrashTest && crashTest {
		return int64(*u64at(0x1000)) // unmapped: the shim itself faults
	}
	if n := r.RAX; n < uint64(len(reportedNr)) && !reportedNr[n] {
		reportedNr[n] = true
		kprint("starry: shim: unimplemented syscall ")
		kprintDec(int64(n))
		kprint("\n")
	}
	return -errENOSYS
}
