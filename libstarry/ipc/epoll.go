package ipc

import (
	"sort"
	"sync"
	"time"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Epoll is an epoll instance (fs/eventpoll.c): watches of (descriptor,
// open file) pairs, each hooked to its file's queue so the instance hears
// when readiness may have changed. Readiness is level-triggered; EPOLLET
// is accepted and acts the same, which is right for callers that drain
// what they are told of. EPOLLONESHOT disarms a watch once it is
// reported. A watch does not keep its file open: when the file's last
// descriptor closes, the watch goes (eventpoll_release).
type Epoll struct {
	mu      sync.Mutex
	watches map[epKey]*epWatch
	q       Queue
}

type epKey struct {
	fd int
	of *fd.OpenFile
}

type epWatch struct {
	p      Pollable
	events uint32
	data   uint64
	hook   *Watch
}

// EpollEvent is one struct epoll_event.
type EpollEvent struct {
	Events uint32
	Data   uint64
}

// NewEpoll makes an empty epoll instance.
func NewEpoll() *Epoll { return &Epoll{watches: map[epKey]*epWatch{}} }

func (e *Epoll) Read(fd.Ctx, []byte) (int, error)  { return 0, abi.EINVAL }
func (e *Epoll) Write(fd.Ctx, []byte) (int, error) { return 0, abi.EINVAL }
func (e *Epoll) Stat() fd.Stat                     { return fd.Stat{Mode: 0o600, Nlink: 1} }

// NoExec: an epoll instance is an anonymous inode, on a noexec mount.
func (e *Epoll) NoExec()     {}
func (e *Epoll) Unreadable() {}
func (e *Epoll) Unwritable() {}

// Seek is noop_llseek: an epoll file "seeks" and stays at 0.
func (e *Epoll) Seek(int64, int) (int64, error) { return 0, nil }
func (e *Epoll) Queue() *Queue                  { return &e.q }

// Readiness makes an epoll instance itself pollable: readable when one
// of its watches is ready.
func (e *Epoll) Readiness() uint32 {
	if len(e.collect(1, false)) > 0 {
		return abi.EPOLLIN
	}
	return 0
}

// Ctl adds, changes or removes the watch of descriptor n, open as of
// (epoll_ctl). A file that cannot be polled is EPERM, as Linux answers.
func (e *Epoll) Ctl(op, n int, of *fd.OpenFile, ev EpollEvent) error {
	if of.File == fd.File(e) {
		return abi.EINVAL
	}
	p, ok := of.File.(Pollable)
	if !ok {
		return abi.EPERM
	}
	if op != abi.EPOLL_CTL_ADD && op != abi.EPOLL_CTL_MOD && op != abi.EPOLL_CTL_DEL {
		return abi.EINVAL
	}
	key := epKey{n, of}
	e.mu.Lock()
	defer e.mu.Unlock()
	w := e.watches[key]
	switch {
	case op == abi.EPOLL_CTL_ADD && w != nil:
		return abi.EEXIST
	case op == abi.EPOLL_CTL_ADD:
		w = &epWatch{p: p, events: ev.Events, data: ev.Data, hook: p.Queue().AddWatch(e.q.Notify)}
		e.watches[key] = w
		of.OnRelease(e, func() { e.drop(key) })
	case w == nil:
		return abi.ENOENT
	case op == abi.EPOLL_CTL_MOD:
		w.events, w.data = ev.Events, ev.Data
	case op == abi.EPOLL_CTL_DEL:
		w.hook.Remove()
		delete(e.watches, key)
		of.CancelRelease(e)
		return nil
	default:
		return abi.EINVAL
	}
	go e.q.Notify() // the file may be ready already
	return nil
}

// drop removes the watches of a file whose last descriptor closed.
func (e *Epoll) drop(key epKey) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if w := e.watches[key]; w != nil {
		w.hook.Remove()
		delete(e.watches, key)
	}
}

// Release removes every watch when the instance itself closes.
func (e *Epoll) Release() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for key, w := range e.watches {
		w.hook.Remove()
		key.of.CancelRelease(e)
		delete(e.watches, key)
	}
}

// Wait reports up to max ready watches, waiting up to timeout (<0:
// forever) for one (epoll_wait); a signal ends the wait with EINTR.
func (e *Epoll) Wait(w fd.Waiter, max int, timeout time.Duration) ([]EpollEvent, error) {
	if max <= 0 {
		return nil, abi.EINVAL
	}
	deadline := time.Now().Add(timeout)
	for {
		ch := e.q.Wait()
		if evs := e.collect(max, true); len(evs) > 0 || timeout == 0 {
			return evs, nil
		}
		left := time.Duration(-1)
		if timeout > 0 {
			if left = time.Until(deadline); left <= 0 {
				return nil, nil
			}
		}
		switch err := sleep(w, ch, left); err {
		case nil:
		case abi.ETIMEDOUT:
			return nil, nil
		default:
			return nil, err
		}
	}
}

// collect gathers ready watches in descriptor order; report disarms
// EPOLLONESHOT watches as it reports them.
func (e *Epoll) collect(max int, report bool) []EpollEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	keys := make([]epKey, 0, len(e.watches))
	for k := range e.watches {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].fd < keys[j].fd })
	var evs []EpollEvent
	for _, k := range keys {
		w := e.watches[k]
		r := w.p.Readiness() & (w.events | abi.EPOLLERR | abi.EPOLLHUP)
		if r == 0 || len(evs) == max || w.events&^(abi.EPOLLET|abi.EPOLLONESHOT) == 0 && w.events&abi.EPOLLONESHOT != 0 {
			continue
		}
		evs = append(evs, EpollEvent{r, w.data})
		if report && w.events&abi.EPOLLONESHOT != 0 {
			w.events &= abi.EPOLLET | abi.EPOLLONESHOT // disarmed until EPOLL_CTL_MOD
		}
	}
	return evs
}
