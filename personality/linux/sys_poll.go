package linux

import (
	"encoding/binary"
	"time"

	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/personality/linux/abi"
)

var pollRows = []Syscall{
	{Nr: abi.SYS_PIPE, Name: "pipe", Fn: sysPipe, Support: Supported},
	{Nr: abi.SYS_PIPE2, Name: "pipe2", Fn: sysPipe2, Support: Partial, Note: "O_DIRECT (packet mode) is EINVAL"},
	{Nr: abi.SYS_EVENTFD2, Name: "eventfd2", Fn: sysEventfd2, Support: Supported},
	{Nr: abi.SYS_EVENTFD, Name: "eventfd", Fn: sysEventfd, Support: Supported},
	{Nr: abi.SYS_EPOLL_CREATE1, Name: "epoll_create1", Fn: sysEpollCreate1, Support: Supported},
	{Nr: abi.SYS_EPOLL_CREATE, Name: "epoll_create", Fn: sysEpollCreate, Support: Supported},
	{Nr: abi.SYS_EPOLL_CTL, Name: "epoll_ctl", Fn: sysEpollCtl, Support: Partial, Note: "pipes, eventfds and epoll instances (other files: EPERM); level-triggered, EPOLLET acts the same"},
	{Nr: abi.SYS_EPOLL_WAIT, Name: "epoll_wait", Fn: sysEpollWait, Support: Partial, Note: "see epoll_ctl"},
	{Nr: abi.SYS_EPOLL_PWAIT, Name: "epoll_pwait", Fn: sysEpollPwait, Support: Partial, Note: "see epoll_ctl"},
	{Nr: abi.SYS_POLL, Name: "poll", Fn: sysPoll, Support: Partial, Note: "pipes, eventfds and epoll instances wait; other files are always readable and writable"},
	{Nr: abi.SYS_PPOLL, Name: "ppoll", Fn: sysPpoll, Support: Partial, Note: "as poll"},
	{Nr: abi.SYS_SELECT, Name: "select", Fn: sysSelect, Support: Partial, Note: "as poll; the timeout is not updated with the time left"},
	{Nr: abi.SYS_PSELECT6, Name: "pselect6", Fn: sysPselect6, Support: Partial, Note: "as select"},
}

func sysPipe(t *libstarry.Thread, a Args) (uint64, error) { return sysPipe2(t, Args{a[0], 0}) }

// sysPipe2 makes a pipe and writes its two descriptors (do_pipe2).
func sysPipe2(t *libstarry.Thread, a Args) (uint64, error) {
	flags := int(a[1])
	if flags&^(abi.O_CLOEXEC|abi.O_NONBLOCK) != 0 {
		return 0, abi.EINVAL
	}
	r, w := ipc.NewPipe()
	status := flags & abi.O_NONBLOCK
	rf, wf := fdt.New(r, abi.O_RDONLY|status), fdt.New(w, abi.O_WRONLY|status)
	cloexec := flags&abi.O_CLOEXEC != 0
	rfd, err := t.P.FDs.Install(rf, 0, t.P.NoFile(), cloexec)
	if err != nil {
		wf.DecRef()
		return 0, err
	}
	wfd, err := t.P.FDs.Install(wf, 0, t.P.NoFile(), cloexec)
	if err != nil {
		_ = t.P.FDs.Close(rfd)
		return 0, err
	}
	var b [8]byte
	binary.LittleEndian.PutUint32(b[0:], uint32(rfd))
	binary.LittleEndian.PutUint32(b[4:], uint32(wfd))
	if err := t.P.MM.CopyOut(uintptr(a[0]), b[:]); err != nil {
		_ = t.P.FDs.Close(rfd)
		_ = t.P.FDs.Close(wfd)
		return 0, err
	}
	return 0, nil
}

func sysEventfd2(t *libstarry.Thread, a Args) (uint64, error) {
	flags := int(a[1])
	if flags&^(abi.EFD_CLOEXEC|abi.EFD_NONBLOCK|abi.EFD_SEMAPHORE) != 0 {
		return 0, abi.EINVAL
	}
	e := ipc.NewEventFD(uint64(uint32(a[0])), flags&abi.EFD_SEMAPHORE != 0)
	fd, err := t.P.FDs.Install(fdt.New(e, abi.O_RDWR|flags&abi.EFD_NONBLOCK), 0, t.P.NoFile(), flags&abi.EFD_CLOEXEC != 0)
	return uint64(fd), err
}

func sysEventfd(t *libstarry.Thread, a Args) (uint64, error) {
	return sysEventfd2(t, Args{a[0]})
}

func sysEpollCreate1(t *libstarry.Thread, a Args) (uint64, error) {
	if a[0]&^abi.EPOLL_CLOEXEC != 0 {
		return 0, abi.EINVAL
	}
	fd, err := t.P.FDs.Install(fdt.New(ipc.NewEpoll(), abi.O_RDWR), 0, t.P.NoFile(), a[0]&abi.EPOLL_CLOEXEC != 0)
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

// sysEpollCtl is epoll_ctl: the event is copied in first for every op
// but EPOLL_CTL_DEL (ep_op_has_event), then both descriptors are looked
// up, then the watched file must poll (EPERM) and the first be an epoll
// instance (EINVAL).
func sysEpollCtl(t *libstarry.Thread, a Args) (uint64, error) {
	op := int(a[1])
	var ev ipc.EpollEvent
	if op != abi.EPOLL_CTL_DEL {
		var b [epollEventSize]byte
		if err := t.P.MM.CopyIn(uintptr(a[3]), b[:]); err != nil {
			return 0, err
		}
		ev = ipc.EpollEvent{Events: le.Uint32(b[:]), Data: le.Uint64(b[4:])}
	}
	epf, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer epf.DecRef()
	of, err := file(t, a[2])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	if _, ok := of.File.(ipc.Pollable); !ok {
		return 0, abi.EPERM
	}
	ep, ok := epf.File.(*ipc.Epoll)
	if !ok {
		return 0, abi.EINVAL
	}
	if op != abi.EPOLL_CTL_ADD && op != abi.EPOLL_CTL_MOD {
		ev = ipc.EpollEvent{}
	}
	return 0, ep.Ctl(op, int(a[2]), of, ev)
}

// epMaxEvents is EP_MAX_EVENTS: as many events as fit in INT_MAX bytes.
const epMaxEvents = (1<<31 - 1) / epollEventSize

// sysEpollWait waits a[3] milliseconds (-1: forever) for ready watches.
// As Linux 6.18's do_epoll_wait: the descriptor, maxevents, access_ok on
// the events array, then whether it is an epoll instance.
func sysEpollWait(t *libstarry.Thread, a Args) (uint64, error) {
	return epollWait(t, a, msTimeout(a[3]))
}

// epollWait is do_epoll_wait with the timeout decoded (negative: none).
func epollWait(t *libstarry.Thread, a Args, timeout time.Duration) (uint64, error) {
	epf, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer epf.DecRef()
	max := int(a[2])
	if max <= 0 || max > epMaxEvents {
		return 0, abi.EINVAL
	}
	if !accessOK(a[1], uint64(max)*epollEventSize) {
		return 0, abi.EFAULT
	}
	ep, ok := epf.File.(*ipc.Epoll)
	if !ok {
		return 0, abi.EINVAL
	}
	evs, err := ep.Wait(t, min(max, 1<<16), timeout)
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

// msTimeout reads a millisecond timeout argument; negative is forever.
func msTimeout(a uint64) time.Duration {
	if int32(a) < 0 {
		return -1
	}
	return time.Duration(int32(a)) * time.Millisecond
}

// sysPoll is poll(fds, nfds, timeout_ms).
func sysPoll(t *libstarry.Thread, a Args) (uint64, error) {
	return doPoll(t, a[0], a[1], msTimeout(a[2]))
}

// sysPpoll is ppoll(fds, nfds, tsp, sigmask, sigsetsize): the timeout,
// then the signal mask, which holds while it waits.
func sysPpoll(t *libstarry.Thread, a Args) (uint64, error) {
	timeout := time.Duration(-1)
	if a[2] != 0 {
		d, err := getTimespec(t, a[2])
		if err != nil {
			return 0, err
		}
		timeout = d
	}
	set, err := callMask(t, a[3], a[4])
	if err != nil {
		return 0, err
	}
	n, err := doPoll(t, a[0], a[1], timeout)
	if set {
		t.EndCallMask(err != nil)
	}
	return n, err
}

// sysEpollPwait is epoll_pwait: the signal mask first, then epoll_wait
// under it.
func sysEpollPwait(t *libstarry.Thread, a Args) (uint64, error) {
	set, err := callMask(t, a[4], a[5])
	if err != nil {
		return 0, err
	}
	n, err := sysEpollWait(t, a)
	if set {
		t.EndCallMask(err != nil)
	}
	return n, err
}

// sysEpollPwait2 is epoll_pwait2: epoll_pwait with a timespec timeout
// (NULL: none), read (EFAULT) and checked (EINVAL) before the mask.
func sysEpollPwait2(t *libstarry.Thread, a Args) (uint64, error) {
	timeout := time.Duration(-1)
	if a[3] != 0 {
		d, err := getTimespec(t, a[3])
		if err != nil {
			return 0, err
		}
		timeout = d
	}
	set, err := callMask(t, a[4], a[5])
	if err != nil {
		return 0, err
	}
	n, err := epollWait(t, a, timeout)
	if set {
		t.EndCallMask(err != nil)
	}
	return n, err
}

// callMask is set_user_sigmask: no mask (NULL) changes nothing; else
// the size must be a sigset_t's (EINVAL) and the mask readable (EFAULT).
func callMask(t *libstarry.Thread, va, size uint64) (bool, error) {
	if va == 0 {
		return false, nil
	}
	if size != 8 {
		return false, abi.EINVAL
	}
	mask, err := getU64(t, va)
	if err != nil {
		return false, err
	}
	t.SetCallMask(mask)
	return true, nil
}

// pollFDSize is sizeof(struct pollfd): fd, events, revents.
const pollFDSize = 8

// doPoll is do_sys_poll: each pollfd's events are checked against its
// file's readiness; pollable files are waited for through a temporary
// epoll instance, others count as always ready (POLLIN|POLLOUT), as
// regular files do on Linux. POLLNVAL marks a bad descriptor.
func doPoll(t *libstarry.Thread, va, n uint64, timeout time.Duration) (uint64, error) {
	if n > uint64(t.P.NoFile()) { // nfds past RLIMIT_NOFILE
		return 0, abi.EINVAL
	}
	b := make([]byte, n*pollFDSize)
	if err := t.P.MM.CopyIn(uintptr(va), b); err != nil {
		return 0, err
	}
	fds := make([]pollFD, n)
	for i := range fds {
		fds[i] = pollFD{fd: int32(le.Uint32(b[i*pollFDSize:])), events: uint32(le.Uint16(b[i*pollFDSize+4:]))}
	}
	ready, err := pollFiles(t, fds, timeout)
	if err != nil {
		return 0, err
	}
	for i := range fds {
		le.PutUint16(b[uint64(i)*pollFDSize+6:], fds[i].revents)
	}
	if !accessOK(va, n*pollFDSize) { // user_write_access_begin, even for no fds
		return 0, abi.EFAULT
	}
	return uint64(ready), t.P.MM.CopyOut(uintptr(va), b)
}

// pollFD is struct pollfd in the kernel's hands.
type pollFD struct {
	fd      int32
	events  uint32
	revents uint16
}

// pollFiles is do_poll: it fills each entry's revents (POLLNVAL for a
// closed descriptor, none for a negative one) and counts the entries
// with any, waiting up to timeout (negative: for ever) for the first.
func pollFiles(t *libstarry.Thread, fds []pollFD, timeout time.Duration) (int, error) {
	ep := ipc.NewEpoll()
	defer ep.Release()
	var files []*fdt.OpenFile
	defer func() {
		for _, of := range files {
			of.DecRef()
		}
	}()
	ready := 0
	for i := range fds {
		fd, events := fds[i].fd, fds[i].events
		if fd < 0 {
			continue
		}
		of, err := t.P.FDs.Get(int(fd))
		if err != nil {
			fds[i].revents = abi.POLLNVAL
			ready++
			continue
		}
		files = append(files, of)
		if _, ok := of.File.(ipc.Pollable); !ok {
			// DEFAULT_POLLMASK, filtered as vfs_poll's callers filter
			// it: a descriptor counts only if something it asked for
			// (or an error or hang-up) holds.
			const always = abi.POLLIN | abi.POLLOUT | abi.EPOLLRDNORM | abi.EPOLLWRNORM
			if fds[i].revents = uint16(always & (events | abi.POLLERR | abi.POLLHUP)); fds[i].revents != 0 {
				ready++
			}
			continue
		}
		_ = ep.Ctl(abi.EPOLL_CTL_ADD, i, of, ipc.EpollEvent{Events: events, Data: uint64(i)})
	}
	if ready > 0 {
		timeout = 0
	}
	evs, err := ep.Wait(t, len(fds)+1, timeout)
	if err != nil {
		return 0, err
	}
	for _, ev := range evs {
		fds[ev.Data].revents = uint16(ev.Events)
		ready++
	}
	return ready, nil
}
