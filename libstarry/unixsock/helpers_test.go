package unixsock

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// waiter is a thread: interrupted when intr is sent to, and a Caller.
type waiter struct {
	intr chan struct{}
	cred Ucred
}

func newWaiter() *waiter {
	return &waiter{intr: make(chan struct{}, 1), cred: Ucred{Pid: 42, UID: 7, GID: 8}}
}
func (w *waiter) Dying() <-chan struct{}       { return nil }
func (w *waiter) Interrupted() <-chan struct{} { return w.intr }
func (w *waiter) UnixCred() Ucred              { return w.cred }

var tw = newWaiter()

func block() fd.Ctx    { return fd.Ctx{W: tw} }
func nonblock() fd.Ctx { return fd.Ctx{W: tw, Nonblock: true} }

func pair(t *testing.T, typ int) (*Socket, *Socket) {
	t.Helper()
	a, b, err := Pair(NewNamespace(), typ, Owner{}, Ucred{Pid: 1})
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func send(t *testing.T, s *Socket, data string) {
	t.Helper()
	if n, err := s.Send(nonblock(), SendMsg{Data: []byte(data)}); n != len(data) || err != nil {
		t.Fatalf("send %q: %d %v", data, n, err)
	}
}

func recv(t *testing.T, s *Socket, size, flags int) (string, RecvMsg) {
	t.Helper()
	r, err := s.Recv(nonblock(), size, flags)
	if err != nil {
		t.Fatalf("recv: %v", err)
	}
	return string(r.Data), r
}

func wantErr(t *testing.T, what string, err error, want abi.Errno) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: %v, want %v", what, err, want)
	}
}

// trackedFile is an open file that counts its releases.
type trackedFile struct{ released *atomic.Int32 }

func (f trackedFile) Read(fd.Ctx, []byte) (int, error)  { return 0, nil }
func (f trackedFile) Write(fd.Ctx, []byte) (int, error) { return 0, nil }
func (f trackedFile) Stat() fd.Stat                     { return fd.Stat{} }
func (f trackedFile) Release()                          { f.released.Add(1) }

func tracked() (*fd.OpenFile, *atomic.Int32) {
	n := new(atomic.Int32)
	return fd.New(trackedFile{n}, abi.O_RDWR), n
}

// listener is a stream socket listening on an abstract name.
func listener(t *testing.T, ns *Namespace, typ int, name string, backlog int) *Socket {
	t.Helper()
	l, err := Create(ns, typ, 0, Owner{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.BindAbstract(name); err != nil {
		t.Fatal(err)
	}
	if err := l.Listen(backlog, Ucred{Pid: 9, UID: 1, GID: 2}); err != nil {
		t.Fatal(err)
	}
	return l
}

func abstract(ns *Namespace, name string, typ int) Finder {
	return func() (*Socket, error) { return ns.FindAbstract(name, typ) }
}

func sockInode() *vfs.Inode { return vfs.NewInode(1, vfs.Attr{Mode: abi.S_IFSOCK | 0o755}, nil) }

// eventually waits for cond, which another goroutine makes true.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if cond() {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("%s: never happened", what)
}

func fdCtx(w *waiter) fd.Ctx { return fd.Ctx{W: w} }
