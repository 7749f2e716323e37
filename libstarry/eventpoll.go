package libstarry

import (
	"encoding/binary"
	"sync"
	"time"

	"github.com/starry-go/starry/personality/linux/abi"
)

// eventfd and epoll (fs/eventfd.c, fs/eventpoll.c), enough for programs
// that wait on timers and wake-ups this way, the Go runtime's netpoller
// among them. Readiness is level-triggered; EPOLLET is accepted and acts
// the same, which is correct for callers that drain what they are told of.

// pollable is a file whose readiness epoll can watch.
type pollable interface {
	ready() uint32 // EPOLLIN / EPOLLOUT now
}

// pollKick wakes every epoll_wait of the process: some watched file's
// readiness may have changed.
func (p *Process) pollKick() {
	p.pollMu.Lock()
	if p.pollWake != nil {
		close(p.pollWake)
		p.pollWake = nil
	}
	p.pollMu.Unlock()
}

// pollWait returns a channel pollKick will close.
func (p *Process) pollWait() <-chan struct{} {
	p.pollMu.Lock()
	defer p.pollMu.Unlock()
	if p.pollWake == nil {
		p.pollWake = make(chan struct{})
	}
	return p.pollWake
}

// eventFile is an eventfd: a 64-bit counter.
type eventFile struct {
	p       *Process
	of      *OpenFile // for O_NONBLOCK
	mu      sync.Mutex
	counter uint64
}

// NewEventFD makes an eventfd's open file (eventfd2 without EFD_SEMAPHORE).
func (p *Process) NewEventFD(initval uint64, nonblock bool) *OpenFile {
	ef := &eventFile{p: p, counter: initval}
	flags := abi.O_RDWR
	if nonblock {
		flags |= abi.O_NONBLOCK
	}
	ef.of = &OpenFile{File: ef, flags: flags}
	return ef.of
}

func (e *eventFile) Read(b []byte) (int, error) {
	if len(b) < 8 {
		return 0, abi.EINVAL
	}
	for {
		wait := e.p.pollWait()
		e.mu.Lock()
		if v := e.counter; v != 0 {
			e.counter = 0
			e.mu.Unlock()
			binary.LittleEndian.PutUint64(b, v)
			e.p.pollKick() // now writable again
			return 8, nil
		}
		e.mu.Unlock()
		if e.of.Flags()&abi.O_NONBLOCK != 0 {
			return 0, abi.EAGAIN
		}
		select {
		case <-wait:
		case <-e.p.dying:
			return 0, abi.EINTR
		case <-e.p.Interrupted():
			return 0, abi.EINTR
		}
	}
}

func (e *eventFile) Write(b []byte) (int, error) {
	if len(b) < 8 {
		return 0, abi.EINVAL
	}
	v := binary.LittleEndian.Uint64(b)
	if v == 1<<64-1 {
		return 0, abi.EINVAL
	}
	e.mu.Lock()
	if e.counter+v < e.counter || e.counter+v == 1<<64-1 {
		e.mu.Unlock()
		return 0, abi.EAGAIN // a writer that would block: not supported
	}
	e.counter += v
	e.mu.Unlock()
	e.p.pollKick()
	return 8, nil
}

func (e *eventFile) Stat() Stat { return Stat{Mode: 0o600, Nlink: 1} }

func (e *eventFile) ready() uint32 {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := uint32(abi.EPOLLOUT)
	if e.counter != 0 {
		r |= abi.EPOLLIN
	}
	return r
}

// epollFile is an epoll instance: its watches by fd.
type epollFile struct {
	p       *Process
	mu      sync.Mutex
	watches map[int]*epollWatch
}

type epollWatch struct {
	of     *OpenFile
	events uint32
	data   uint64
}

// EpollEvent is one struct epoll_event.
type EpollEvent struct {
	Events uint32
	Data   uint64
}

// NewEpoll makes an epoll instance's open file.
func (p *Process) NewEpoll() *OpenFile {
	return &OpenFile{File: &epollFile{p: p, watches: map[int]*epollWatch{}}, flags: abi.O_RDWR}
}

func (e *epollFile) Read([]byte) (int, error)  { return 0, abi.EINVAL }
func (e *epollFile) Write([]byte) (int, error) { return 0, abi.EINVAL }
func (e *epollFile) Stat() Stat                { return Stat{Mode: 0o600, Nlink: 1} }

// EpollCtl adds, changes or removes the watch of fd (open as of).
func EpollCtl(ep *OpenFile, op, fd int, of *OpenFile, ev EpollEvent) error {
	e, ok := ep.File.(*epollFile)
	if !ok || ep == of {
		return abi.EINVAL
	}
	if _, ok := of.File.(pollable); !ok {
		return abi.EPERM // as Linux answers for files that cannot be polled
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	w := e.watches[fd]
	switch {
	case op == abi.EPOLL_CTL_ADD && w != nil:
		return abi.EEXIST
	case op == abi.EPOLL_CTL_ADD:
		e.watches[fd] = &epollWatch{of, ev.Events, ev.Data}
	case w == nil:
		return abi.ENOENT
	case op == abi.EPOLL_CTL_MOD:
		w.events, w.data = ev.Events, ev.Data
	case op == abi.EPOLL_CTL_DEL:
		delete(e.watches, fd)
	default:
		return abi.EINVAL
	}
	return nil
}

// EpollWait reports up to max ready watches, waiting up to timeout (<0:
// forever) for one; a signal ends the wait with EINTR.
func EpollWait(ep *OpenFile, max int, timeout time.Duration) ([]EpollEvent, error) {
	e, ok := ep.File.(*epollFile)
	if !ok || max <= 0 {
		return nil, abi.EINVAL
	}
	var expire <-chan time.Time
	if timeout >= 0 {
		tm := time.NewTimer(timeout)
		defer tm.Stop()
		expire = tm.C
	}
	for {
		wait := e.p.pollWait()
		if evs := e.collect(max); len(evs) > 0 || timeout == 0 {
			return evs, nil
		}
		select {
		case <-wait:
		case <-expire:
			return nil, nil
		case <-e.p.dying:
			return nil, abi.EINTR
		case <-e.p.Interrupted():
			return nil, abi.EINTR
		}
	}
}

func (e *epollFile) collect(max int) []EpollEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	var evs []EpollEvent
	for _, w := range e.watches {
		if r := w.of.File.(pollable).ready() & (w.events | abi.EPOLLERR | abi.EPOLLHUP); r != 0 && len(evs) < max {
			evs = append(evs, EpollEvent{r, w.data})
		}
	}
	return evs
}
