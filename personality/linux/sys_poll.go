package linux

import (
	"encoding/binary"
	"time"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

func pollCalls() []Syscall {
	return []Syscall{
		part(abi.SYS_EVENTFD2, "eventfd2", sysEventfd2, "EFD_SEMAPHORE not supported"),
		part(abi.SYS_EVENTFD, "eventfd", sysEventfd, "as eventfd2 with no flags"),
		full(abi.SYS_EPOLL_CREATE1, "epoll_create1", sysEpollCreate1),
		full(abi.SYS_EPOLL_CREATE, "epoll_create", sysEpollCreate),
		part(abi.SYS_EPOLL_CTL, "epoll_ctl", sysEpollCtl, "eventfds only (other files: EPERM); level-triggered, EPOLLET acts the same"),
		part(abi.SYS_EPOLL_WAIT, "epoll_wait", sysEpollWait, "see epoll_ctl"),
		part(abi.SYS_EPOLL_PWAIT, "epoll_pwait", sysEpollWait, "see epoll_ctl; the signal mask argument is ignored"),
	}
}

func sysEventfd2(t *libstarry.Thread, a Args) (uint64, error) {
	flags := int(a[1])
	if flags&^(abi.EFD_CLOEXEC|abi.EFD_NONBLOCK) != 0 {
		return 0, abi.EINVAL
	}
	of := t.P.NewEventFD(uint64(uint32(a[0])), flags&abi.EFD_NONBLOCK != 0)
	fd, err := t.P.FDs.Install(of, 0, flags&abi.EFD_CLOEXEC != 0)
	return uint64(fd), err
}

func sysEventfd(t *libstarry.Thread, a Args) (uint64, error) {
	return sysEventfd2(t, Args{a[0]})
}

func sysEpollCreate1(t *libstarry.Thread, a Args) (uint64, error) {
	if a[0]&^abi.EPOLL_CLOEXEC != 0 {
		return 0, abi.EINVAL
	}
	fd, err := t.P.FDs.Install(t.P.NewEpoll(), 0, a[0]&abi.EPOLL_CLOEXEC != 0)
	return uint64(fd), err
}

// sysEpollCreate takes a size hint that must be positive and is ignored.
func sysEpollCreate(t *libstarry.Thread, a Args) (uint64, error) {
	if int32(a[0]) <= 0 {
		return 0, abi.EINVAL
	}
	return sysEpollCreate1(t, Args{})
}

var le = binary.LittleEndian

// epollEventSize is sizeof(struct epoll_event): packed on x86-64.
const epollEventSize = 12

func sysEpollCtl(t *libstarry.Thread, a Args) (uint64, error) {
	ep, err := t.P.FDs.Get(int(int32(a[0])))
	if err != nil {
		return 0, err
	}
	of, err := t.P.FDs.Get(int(int32(a[2])))
	if err != nil {
		return 0, err
	}
	var ev libstarry.EpollEvent
	if op := int(a[1]); op == abi.EPOLL_CTL_ADD || op == abi.EPOLL_CTL_MOD {
		var b [epollEventSize]byte
		if err := t.P.MM.CopyIn(uintptr(a[3]), b[:]); err != nil {
			return 0, err
		}
		ev = libstarry.EpollEvent{Events: le.Uint32(b[:]), Data: le.Uint64(b[4:])}
	}
	return 0, libstarry.EpollCtl(ep, int(a[1]), int(int32(a[2])), of, ev)
}

// sysEpollWait waits a[3] milliseconds (-1: forever) for ready watches.
func sysEpollWait(t *libstarry.Thread, a Args) (uint64, error) {
	ep, err := t.P.FDs.Get(int(int32(a[0])))
	if err != nil {
		return 0, err
	}
	max := int(int32(a[2]))
	if max <= 0 || max > 1<<16 {
		return 0, abi.EINVAL
	}
	timeout := time.Duration(int32(a[3])) * time.Millisecond
	if int32(a[3]) < 0 {
		timeout = -1
	}
	evs, err := libstarry.EpollWait(ep, max, timeout)
	if err != nil {
		return 0, err
	}
	b := make([]byte, len(evs)*epollEventSize)
	for i, ev := range evs {
		le.PutUint32(b[i*epollEventSize:], ev.Events)
		le.PutUint64(b[i*epollEventSize+4:], ev.Data)
	}
	return uint64(len(evs)), t.P.MM.CopyOut(uintptr(a[1]), b)
}
