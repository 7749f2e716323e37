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

// shimArgs are a system call's first five arguments (none uses a sixth).
type shimArgs [5]uintptr

// shimFamily serves the calls of one family; ok is false for others.
type shimFamily func(t *thread, nr uint64, a shimArgs) (ret int64, ok bool)

func shimSyscall(t *thread) int64 {
	r := &t.regs
	if r.RAX == sysRunUser { // every user trap's round trip: skip the families
		return runUser(t, uintptr(r.RDI), uintptr(r.RSI), r.RDX)
	}
	a := shimArgs{uintptr(r.RDI), uintptr(r.RSI), uintptr(r.RDX), uintptr(r.R10), uintptr(r.R8)}
	for _, family := range [...]shimFamily{fileCalls, memoryCalls, threadCalls, signalCalls, infoCalls, privateCalls} {
		if ret, ok := family(t, r.RAX, a); ok {
			return ret
		}
	}
	if n := r.RAX; n < uint64(len(reportedNr)) && !reportedNr[n] {
		reportedNr[n] = true
		kprint("starry: shim: unimplemented syscall ")
		kprintDec(int64(n))
		kprint("\n")
	}
	return -errENOSYS
}

func fileCalls(t *thread, nr uint64, a shimArgs) (int64, bool) {
	switch nr {
	case unix.SYS_READ:
		return sysRead(int(a[0]), a[1], a[2]), true
	case unix.SYS_WRITE:
		return sysWrite(int(a[0]), a[1], a[2]), true
	case unix.SYS_CLOSE:
		return sysClose(int(a[0])), true
	case unix.SYS_FSTAT:
		return sysFstat(int(a[0]), a[1]), true
	case unix.SYS_OPEN, unix.SYS_OPENAT:
		return -errENOENT, true // no file system inside the kernel itself
	case unix.SYS_FCNTL:
		return sysFcntl(int(a[0]), int(a[1]), a[2]), true
	case unix.SYS_EPOLL_CREATE1:
		return sysEpollCreate(int(a[0])), true
	case unix.SYS_EPOLL_CTL:
		return sysEpollCtl(int(a[0]), int(a[1]), int(a[2]), a[3]), true
	case unix.SYS_EPOLL_PWAIT, unix.SYS_EPOLL_WAIT:
		return sysEpollWait(int(a[0]), a[1], int(a[2]), int(int32(a[3]))), true
	case unix.SYS_EVENTFD2:
		return sysEventfd(uint64(a[0]), int(a[1])), true
	case unix.SYS_TIMERFD_CREATE:
		return sysTimerfdCreate(int(a[0]), int(a[1])), true
	case unix.SYS_TIMERFD_SETTIME:
		return sysTimerfdSettime(int(a[0]), int(a[1]), a[2], a[3]), true
	}
	return 0, false
}

func memoryCalls(t *thread, nr uint64, a shimArgs) (int64, bool) {
	switch nr {
	case unix.SYS_MMAP:
		return sysMmap(a[0], a[1], int(a[2]), int(a[3]), int(int32(a[4]))), true
	case unix.SYS_MUNMAP:
		return sysMunmap(a[0], a[1]), true
	case unix.SYS_MPROTECT:
		return sysMprotect(a[0], a[1], int(a[2])), true
	case unix.SYS_MADVISE:
		return sysMadvise(a[0], a[1], int(a[2])), true
	}
	return 0, false
}

func threadCalls(t *thread, nr uint64, a shimArgs) (int64, bool) {
	switch nr {
	case unix.SYS_SCHED_YIELD:
		return retYield, true
	case unix.SYS_NANOSLEEP:
		return sysNanosleep(a[0]), true
	case unix.SYS_CLOCK_NANOSLEEP:
		return sysClockNanosleep(int(a[0]), int(a[1]), a[2]), true
	case unix.SYS_CLONE:
		return sysClone(t, uint64(a[0]), a[1], a[2], a[3], a[4]), true
	case unix.SYS_EXIT:
		return sysExit(t, int(a[0])), true
	case unix.SYS_EXIT_GROUP:
		powerOff(int(a[0]) & 0xFF)
		return 0, true
	case unix.SYS_FUTEX:
		return sysFutex(a[0], int(a[1]), uint32(a[2]), a[3]), true
	case unix.SYS_SET_TID_ADDRESS:
		t.clearTID = a[0]
		return int64(t.tid), true
	case unix.SYS_SET_ROBUST_LIST:
		return 0, true // robust lists matter only for processes that die holding locks
	case unix.SYS_ARCH_PRCTL:
		return sysArchPrctl(t, int(a[0]), a[1]), true
	case unix.SYS_PRCTL:
		return sysPrctl(t, int(a[0]), a[1]), true
	}
	return 0, false
}

func signalCalls(t *thread, nr uint64, a shimArgs) (int64, bool) {
	switch nr {
	case unix.SYS_RT_SIGACTION:
		return sysSigaction(int(a[0]), a[1], a[2], a[3]), true
	case unix.SYS_RT_SIGPROCMASK:
		return sysSigprocmask(t, int(a[0]), a[1], a[2], a[3]), true
	case unix.SYS_RT_SIGRETURN:
		return sysSigreturn(t), true
	case unix.SYS_SIGALTSTACK:
		return sysSigaltstack(t, a[0], a[1]), true
	case unix.SYS_TGKILL:
		return sysKill(int(a[1]), int(a[2])), true
	case unix.SYS_TKILL:
		return sysKill(int(a[0]), int(a[1])), true
	case unix.SYS_KILL:
		return sysKill(0, int(a[1])), true
	}
	return 0, false
}

func infoCalls(t *thread, nr uint64, a shimArgs) (int64, bool) {
	switch nr {
	case unix.SYS_GETPID:
		return 1, true
	case unix.SYS_GETPPID:
		return 0, true
	case unix.SYS_GETTID:
		return int64(t.tid), true
	case unix.SYS_GETUID, unix.SYS_GETEUID, unix.SYS_GETGID, unix.SYS_GETEGID:
		return 0, true
	case unix.SYS_CLOCK_GETTIME:
		return sysClockGettime(int(a[0]), a[1]), true
	case unix.SYS_GETTIMEOFDAY:
		return sysGettimeofday(a[0]), true
	case unix.SYS_GETRANDOM:
		return sysGetrandom(a[0], a[1]), true
	case unix.SYS_SCHED_GETAFFINITY:
		return sysSchedGetaffinity(a[1], a[2]), true
	case unix.SYS_PRLIMIT64:
		return sysPrlimit(int(a[1]), a[2], a[3]), true
	case unix.SYS_GETRLIMIT:
		return sysPrlimit(int(a[0]), 0, a[1]), true
	case unix.SYS_UNAME:
		return sysUname(a[0]), true
	}
	return 0, false
}

// privateCalls are the kernel's own calls (numbers no Linux program
// uses; user programs never reach this table).
func privateCalls(t *thread, nr uint64, a shimArgs) (int64, bool) {
	switch nr {
	case sysRunUser:
		return runUser(t, a[0], a[1], uint64(a[2])), true
	case sysDropAS:
		dropAddressSpace(uint64(a[0]))
		return 0, true
	case sysFrame:
		return frameCall(a[0], uint64(a[1])), true
	case sysWaitIRQ:
		block(waitIRQ, 0, 0)
		return 0, true
	case sysConsoleRaw:
		return consoleWriteRaw(a[0], a[1]), true
	case sysCrashTest:
		if crashTest {
			return int64(*u64at(0x1000)), true // unmapped: the shim itself faults
		}
	}
	return 0, false
}
