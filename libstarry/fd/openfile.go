package fd

import (
	"sync"
	"sync/atomic"

	"github.com/starry-go/starry/personality/linux/abi"
)

// OpenFile is an open file description (struct file): shared by the
// descriptors dup and fork make, it carries the status flags (O_APPEND,
// O_NONBLOCK...), and it counts its references, so the last one to go
// releases the file. Whoever holds a reference (a descriptor, a system
// call in progress, an epoll watch) calls DecRef once when done.
type OpenFile struct {
	File
	refs    atomic.Int64
	mu      sync.Mutex
	flags   int
	onClose map[any]func() // run at the last DecRef: epoll drops its watches
	owner   Owner
}

// New opens f with status flags: one reference, the caller's.
func New(f File, flags int) *OpenFile {
	o := &OpenFile{File: f, flags: flags}
	o.refs.Store(1)
	return o
}

// IncRef takes another reference (get_file).
func (o *OpenFile) IncRef() { o.refs.Add(1) }

// DecRef drops one; the last releases the file (fput): first whoever
// asked to hear of it (eventpoll_release), then the file itself.
func (o *OpenFile) DecRef() {
	switch n := o.refs.Add(-1); {
	case n == 0:
		o.mu.Lock()
		hooks := o.onClose
		o.onClose = nil
		o.mu.Unlock()
		for _, fn := range hooks {
			fn()
		}
		if r, ok := o.File.(Releaser); ok {
			r.Release()
		}
	case n < 0:
		panic("fd: OpenFile released twice")
	}
}

// OnRelease has fn run when the last reference goes, unless taken back
// with CancelRelease(key) first. It does not hold a reference itself: an
// epoll watch must not keep a closed file alive.
func (o *OpenFile) OnRelease(key any, fn func()) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.onClose == nil {
		o.onClose = map[any]func(){}
	}
	o.onClose[key] = fn
}

// CancelRelease takes back what OnRelease(key) asked for.
func (o *OpenFile) CancelRelease(key any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.onClose, key)
}

// Flags returns the status flags (F_GETFL).
func (o *OpenFile) Flags() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.flags
}

// SetFlags changes the settable status flags (setfl: O_APPEND,
// O_NONBLOCK, O_DIRECT, O_NOATIME; O_ASYNC where the file has fasync;
// the access mode stays). Changing O_APPEND of an append-only file is
// EPERM; O_DIRECT on a file without direct I/O is EINVAL.
func (o *OpenFile) SetFlags(fl int) error {
	if a, ok := o.File.(AppendOnly); ok && (fl^o.Flags())&abi.O_APPEND != 0 && a.AppendOnly() {
		return abi.EPERM
	}
	settable := abi.O_APPEND | abi.O_NONBLOCK | abi.O_DIRECT | abi.O_NOATIME
	if fl&abi.O_DIRECT != 0 {
		if _, ok := o.File.(DirectIO); !ok {
			return abi.EINVAL
		}
	}
	if _, ok := o.File.(Async); ok {
		settable |= abi.O_ASYNC
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flags = o.flags&^settable | fl&settable
	return nil
}

// ctx is the context of one read or write by w.
func (o *OpenFile) ctx(w Waiter) Ctx {
	fl := o.Flags()
	return Ctx{W: w, Nonblock: fl&abi.O_NONBLOCK != 0, Append: fl&abi.O_APPEND != 0}
}

// Ctx is the context of a call on behalf of w that is neither read nor
// write (pwrite64, splice).
func (o *OpenFile) Ctx(w Waiter) Ctx { return o.ctx(w) }

// Read reads on behalf of w, which sleeps if the file must wait.
func (o *OpenFile) Read(w Waiter, b []byte) (int, error) { return o.File.Read(o.ctx(w), b) }

// Write writes on behalf of w.
func (o *OpenFile) Write(w Waiter, b []byte) (int, error) { return o.File.Write(o.ctx(w), b) }
