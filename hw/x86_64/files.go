package x86_64

import (
	"unsafe"

	"github.com/starry-go/starry/personality/linux/abi"
	"golang.org/x/sys/unix"
)

// The kernel's own file descriptors: the console on 0-2, the eventfds
// and epoll instances the runtime's netpoller uses for timers and wakeups,
// and the timerfds of exo's timers.
const (
	fdFree    = 0
	fdConsole = 1
	fdEventfd = 2
	fdEpoll   = 3
	fdTimerfd = 4 // timerfd.go
	maxFDs    = 64
	maxWatch  = 64
)

type fileDesc struct {
	kind     int
	flags    int    // O_NONBLOCK, O_RDWR...; FD_CLOEXEC is not tracked (no exec here)
	counter  uint64 // an eventfd's value; a timerfd's expirations not yet read
	deadline int64  // a timerfd's expiry in ns since boot; 0: disarmed
}

// watch is one fd registered with an epoll instance.
type watch struct {
	epfd, fd int
	events   uint32
	data     uint64
}

var (
	fds     = [maxFDs]fileDesc{{kind: fdConsole, flags: unix.O_RDWR}, {kind: fdConsole, flags: unix.O_RDWR}, {kind: fdConsole, flags: unix.O_RDWR}}
	watches [maxWatch]watch
)

func getFD(fd int) *fileDesc {
	if fd < 0 || fd >= maxFDs || fds[fd].kind == fdFree {
		return nil
	}
	return &fds[fd]
}

func allocFD(kind, flags int) int64 {
	for i := range fds {
		if fds[i].kind == fdFree {
			fds[i] = fileDesc{kind: kind, flags: flags}
			return int64(i)
		}
	}
	return -errEMFILE
}

func sysRead(fd int, buf, n uintptr) int64 {
	f := getFD(fd)
	if f == nil {
		return -errEBADF
	}
	if !accessible(buf, n, true) {
		return -errEFAULT
	}
	switch f.kind {
	case fdConsole:
		return consoleRead(f, buf, n) // console.go
	case fdEventfd, fdTimerfd:
		if n < 8 {
			return -errEINVAL
		}
		if f.counter == 0 {
			if f.flags&unix.O_NONBLOCK != 0 {
				return -errEAGAIN
			}
			block(waitRestart, uintptr(fd), 0)
			return 0
		}
		*u64at(buf) = f.counter
		f.counter = 0
		return 8
	}
	return -errEINVAL
}

func sysWrite(fd int, buf, n uintptr) int64 {
	f := getFD(fd)
	if f == nil {
		return -errEBADF
	}
	if !accessible(buf, n, false) {
		return -errEFAULT
	}
	switch f.kind {
	case fdConsole:
		consoleWrite((*[1 << 30]byte)(ptrAt(buf))[:n:n])
		return int64(n)
	case fdEventfd:
		if n < 8 {
			return -errEINVAL
		}
		v := *u64at(buf)
		if v == 1<<64-1 || f.counter+v < f.counter || f.counter+v == 1<<64-1 {
			return -errEAGAIN // would overflow; blocking writers are not supported
		}
		f.counter += v
		wakeRestarters(waitRestart, uintptr(fd))
		wakeEpollers(fd)
		return 8
	}
	return -errEINVAL
}

func sysClose(fd int) int64 {
	f := getFD(fd)
	if f == nil {
		return -errEBADF
	}
	for i := range watches {
		if watches[i].epfd == fd+1 || watches[i].fd == fd+1 {
			watches[i] = watch{}
		}
	}
	setTimerfd(f, 0)
	*f = fileDesc{}
	return 0
}

func sysFstat(fd int, st uintptr) int64 {
	f := getFD(fd)
	if f == nil {
		return -errEBADF
	}
	if !accessible(st, unsafe.Sizeof(abi.Stat_t{}), true) {
		return -errEFAULT
	}
	mode := uint32(unix.S_IFCHR | 0o620)
	if f.kind != fdConsole {
		mode = 0o600 // anonymous inode, as Linux shows eventfd and epoll
	}
	*(*abi.Stat_t)(ptrAt(st)) = abi.Stat_t{Mode: mode, Nlink: 1, Blksize: 4096} // the library OS's layout too
	return 0
}

func sysFcntl(fd, cmd int, arg uintptr) int64 {
	f := getFD(fd)
	if f == nil {
		return -errEBADF
	}
	switch cmd {
	case unix.F_GETFD:
		return 0
	case unix.F_SETFD:
		return 0 // close-on-exec has no meaning without exec in the kernel
	case unix.F_GETFL:
		return int64(f.flags)
	case unix.F_SETFL:
		f.flags = f.flags&^unix.O_NONBLOCK | int(arg)&unix.O_NONBLOCK
		return 0
	}
	return -errEINVAL
}

func sysEventfd(initval uint64, flags int) int64 {
	if flags&^(unix.EFD_NONBLOCK|unix.EFD_CLOEXEC) != 0 {
		return -errEINVAL // EFD_SEMAPHORE is not needed by the runtime
	}
	fd := allocFD(fdEventfd, unix.O_RDWR|flags&unix.O_NONBLOCK)
	if fd >= 0 {
		fds[fd].counter = initval
	}
	return fd
}
