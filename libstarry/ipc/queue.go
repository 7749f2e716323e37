// Package ipc holds the objects processes talk through: wait queues, and
// the files built on them (pipes, eventfds, epoll instances). Each file
// keeps its own queue, so a reader in one process is woken by a writer
// in another, and epoll hears of readiness through a callback on it, as
// Linux's wait_queue_head and ep_poll_callback work.
package ipc

import (
	"sync"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Queue is a wait queue. A sleeper takes Wait's channel, checks its
// condition, and sleeps on the channel; the next Notify closes it (every
// sleeper wakes and checks again). Watches are called on every Notify.
type Queue struct {
	mu      sync.Mutex
	ch      chan struct{}
	watches map[*Watch]func()
}

// Watch is one callback registered on a Queue.
type Watch struct{ q *Queue }

// Wait returns a channel the next Notify closes.
func (q *Queue) Wait() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ch == nil {
		q.ch = make(chan struct{})
	}
	return q.ch
}

// Notify wakes every sleeper and calls every watch (wake_up).
func (q *Queue) Notify() {
	q.mu.Lock()
	if q.ch != nil {
		close(q.ch)
		q.ch = nil
	}
	fns := make([]func(), 0, len(q.watches))
	for _, fn := range q.watches {
		fns = append(fns, fn)
	}
	q.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// AddWatch has fn called on each Notify until the watch is removed.
func (q *Queue) AddWatch(fn func()) *Watch {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.watches == nil {
		q.watches = map[*Watch]func(){}
	}
	w := &Watch{q: q}
	q.watches[w] = fn
	return w
}

// Remove stops the watch.
func (w *Watch) Remove() {
	w.q.mu.Lock()
	defer w.q.mu.Unlock()
	delete(w.q.watches, w)
}

// Pollable is a file whose readiness can be waited for (poll, select,
// epoll): Readiness is EPOLLIN, EPOLLOUT, EPOLLHUP and EPOLLERR bits as
// of now, and Queue is notified whenever they may have changed.
type Pollable interface {
	Readiness() uint32
	Queue() *Queue
}

// Sleep waits on ch for w, until timeout (<0: none): it reports EINTR if
// a signal or exit came first, ETIMEDOUT if the time ran out. A blocking
// read or write that gets EINTR is restarted or ends as SA_RESTART says.
// A nil w (the kernel's own reads) waits for ch or the time alone.
func Sleep(w fd.Waiter, ch <-chan struct{}, timeout time.Duration) error {
	if w == nil {
		w = noWaiter{}
	}
	return sleep(w, ch, timeout)
}

// noWaiter is never interrupted and never dies.
type noWaiter struct{}

func (noWaiter) Dying() <-chan struct{}       { return nil }
func (noWaiter) Interrupted() <-chan struct{} { return nil }

func sleep(w fd.Waiter, ch <-chan struct{}, timeout time.Duration) error {
	var expire <-chan struct{}
	var tm *exo.Timer
	if timeout >= 0 {
		tm = exo.NewTimer(timeout)
		defer tm.Stop()
		expire = tm.Soon() // on time, however slow the wakeup
	}
	select {
	case <-ch:
		return nil
	case <-expire:
		tm.Settle()
		return abi.ETIMEDOUT
	case <-w.Dying():
		return abi.EINTR
	case <-w.Interrupted():
		return abi.EINTR
	}
}
