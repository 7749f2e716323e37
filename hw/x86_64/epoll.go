package x86_64

import "golang.org/x/sys/unix"

// epoll over the kernel's own fds. Watches store fd+1 so the zero value
// means unused. Readiness is level-triggered; EPOLLET is accepted and, for
// the eventfd wakeups the runtime uses, behaves the same because the
// runtime drains the eventfd after each wakeup.

func sysEpollCreate(flags int) int64 {
	if flags&^unix.EPOLL_CLOEXEC != 0 {
		return -errEINVAL
	}
	return allocFD(fdEpoll, unix.O_RDWR)
}

func sysEpollCtl(epfd, op, fd int, ev uintptr) int64 {
	ep, f := getFD(epfd), getFD(fd)
	if ep == nil || f == nil {
		return -errEBADF
	}
	if ep.kind != fdEpoll || epfd == fd {
		return -errEINVAL
	}
	if f.kind != fdEventfd && f.kind != fdTimerfd {
		return -errEPERM // only eventfds and timerfds can be watched inside the kernel
	}
	w := findWatch(epfd, fd)
	var events uint32
	var data uint64
	if op != unix.EPOLL_CTL_DEL {
		if !accessible(ev, 12, false) {
			return -errEFAULT
		}
		events, data = *(*uint32)(ptrAt(ev)), *u64at(ev + 4)
	}
	switch op {
	case unix.EPOLL_CTL_ADD:
		if w != nil {
			return -errEEXIST
		}
		if w = findWatch(-1, -1); w == nil {
			return -errENOMEM
		}
		*w = watch{epfd + 1, fd + 1, events, data}
	case unix.EPOLL_CTL_MOD, unix.EPOLL_CTL_DEL:
		if w == nil {
			return -errENOENT
		}
		if op == unix.EPOLL_CTL_DEL {
			*w = watch{}
		} else {
			w.events, w.data = events, data
		}
	default:
		return -errEINVAL
	}
	return 0
}

func findWatch(epfd, fd int) *watch {
	for i := range watches {
		if watches[i].epfd == epfd+1 && watches[i].fd == fd+1 {
			return &watches[i]
		}
	}
	return nil
}

// sysEpollWait reports ready watches; with none, it blocks until an
// eventfd write restarts it or the timeout (ms, -1 forever) passes.
func sysEpollWait(epfd int, events uintptr, max, timeout int) int64 {
	ep := getFD(epfd)
	if ep == nil {
		return -errEBADF
	}
	if ep.kind != fdEpoll || max <= 0 {
		return -errEINVAL
	}
	if !accessible(events, uintptr(max)*12, true) {
		return -errEFAULT
	}
	n := 0
	for i := range watches {
		w := &watches[i]
		if n == max || w.epfd != epfd+1 {
			continue
		}
		f := &fds[w.fd-1]
		if (f.kind == fdEventfd || f.kind == fdTimerfd) && f.counter > 0 && w.events&unix.EPOLLIN != 0 {
			at := events + uintptr(n)*12
			*(*uint32)(ptrAt(at)) = unix.EPOLLIN
			*u64at(at + 4) = w.data
			n++
		}
	}
	if n > 0 || timeout == 0 {
		return int64(n)
	}
	deadline := int64(0)
	if timeout > 0 {
		deadline = nanotime() + int64(timeout)*1_000_000
	}
	block(waitEpoll, uintptr(epfd), deadline)
	return 0
}

// wakeEpollers restarts the epoll waits that watch fd.
func wakeEpollers(fd int) {
	for i := range watches {
		if watches[i].fd == fd+1 {
			for j := 1; j < slotsUsed; j++ {
				t := &threads[j]
				if t.state == stBlocked && t.waitKind == waitEpoll && t.waitAddr == uintptr(watches[i].epfd-1) {
					restart(t)
				}
			}
		}
	}
}
