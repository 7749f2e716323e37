package unixsock

import (
	"testing"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestRightsReceived: files in flight keep their open file alive after
// the sender lets go; the receiver gets the references, a peek more of
// them, and the file is released when the last of those goes.
func TestRightsReceived(t *testing.T) {
	for _, typ := range []int{abi.SOCK_STREAM, abi.SOCK_DGRAM, abi.SOCK_SEQPACKET} {
		a, b := pair(t, typ)
		of, released := tracked()
		of.IncRef() // the reference sendmsg's fget takes
		if _, err := a.Send(nonblock(), SendMsg{Data: []byte("F"), Files: []*fd.OpenFile{of}}); err != nil {
			t.Fatal(err)
		}
		of.DecRef() // the sender closes its descriptor
		if released.Load() != 0 {
			t.Fatalf("type %d: released while in flight", typ)
		}
		_, p := recv(t, b, 10, abi.MSG_PEEK)
		if len(p.Files) != 1 || p.Files[0] != of {
			t.Fatalf("type %d: peek gave %v", typ, p.Files)
		}
		putFiles(p.Files)
		_, r := recv(t, b, 10, 0)
		if len(r.Files) != 1 || released.Load() != 0 {
			t.Fatalf("type %d: received %v, released %d", typ, r.Files, released.Load())
		}
		putFiles(r.Files)
		if released.Load() != 1 {
			t.Errorf("type %d: released %d times after the receiver closed it", typ, released.Load())
		}
	}
}

// TestRightsDiscarded: files in a message no one reads are dropped with
// it: when the receiver closes, when a read has nowhere to put them,
// when a failed send returns them, and when a listener goes with a
// connection that had them queued.
func TestRightsDiscarded(t *testing.T) {
	a, b := pair(t, abi.SOCK_DGRAM)
	of, released := tracked()
	a.Send(nonblock(), SendMsg{Data: []byte("F"), Files: []*fd.OpenFile{of}})
	b.Release()
	if released.Load() != 1 {
		t.Errorf("closing the receiver released the file %d times", released.Load())
	}

	c, d := pair(t, abi.SOCK_STREAM)
	of, released = tracked()
	c.Send(nonblock(), SendMsg{Data: []byte("F"), Files: []*fd.OpenFile{of}})
	if n, err := d.Read(nonblock(), make([]byte, 4)); n != 1 || err != nil || released.Load() != 1 {
		t.Errorf("read(2) of a message with a file: %d %v, released %d", n, err, released.Load())
	}

	d.Shutdown(abi.SHUT_RD)
	of, released = tracked()
	if _, err := c.Send(nonblock(), SendMsg{Data: []byte("F"), Files: []*fd.OpenFile{of}}); err == nil {
		t.Fatal("send to a socket shut for reading")
	}
	if released.Load() != 1 {
		t.Errorf("a failed send released the file %d times", released.Load())
	}

	ns := NewNamespace()
	l := listener(t, ns, abi.SOCK_STREAM, "\x00l", 1)
	cl, _ := Create(ns, abi.SOCK_STREAM, 0, Owner{})
	cl.Connect(nonblock(), abstract(ns, "\x00l", abi.SOCK_STREAM), Ucred{})
	of, released = tracked()
	cl.Send(nonblock(), SendMsg{Data: []byte("F"), Files: []*fd.OpenFile{of}})
	l.Release()
	if released.Load() != 1 {
		t.Errorf("a listener closed with the connection queued released the file %d times", released.Load())
	}
	if cl.wmem.Load() != 0 {
		t.Errorf("the client still has %d bytes charged", cl.wmem.Load())
	}
}

// TestRightsStreamBoundary: a stream read stops after the chunk that
// carried files, so they arrive with the bytes they were sent with.
func TestRightsStreamBoundary(t *testing.T) {
	a, b := pair(t, abi.SOCK_STREAM)
	send(t, a, "ab")
	of, _ := tracked()
	a.Send(nonblock(), SendMsg{Data: []byte("F"), Files: []*fd.OpenFile{of}})
	send(t, a, "cd")
	if got, r := recv(t, b, 10, 0); got != "abF" || len(r.Files) != 1 {
		t.Errorf("first read %q with %d files", got, len(r.Files))
	} else {
		putFiles(r.Files)
	}
	if got, r := recv(t, b, 10, 0); got != "cd" || r.Files != nil {
		t.Errorf("second read %q", got)
	}
}

// TestCredentials: SO_PASSCRED on the receiver attaches the sender's
// credentials to every message; explicit ones travel as given; a stream
// read does not join bytes from different senders.
func TestCredentials(t *testing.T) {
	a, b := pair(t, abi.SOCK_STREAM)
	one := []byte{1, 0, 0, 0}
	b.SetOption(abi.SO_PASSCRED, one, false)
	send(t, a, "ab")
	send(t, a, "cd")
	other := &Ucred{Pid: 1, UID: 3, GID: 4}
	a.Send(nonblock(), SendMsg{Data: []byte("ef"), Cred: other})
	if got, r := recv(t, b, 10, 0); got != "abcd" || r.Cred == nil || *r.Cred != tw.cred {
		t.Errorf("first read %q, credentials %+v", got, r.Cred)
	}
	if got, r := recv(t, b, 10, 0); got != "ef" || r.Cred == nil || *r.Cred != *other {
		t.Errorf("second read %q, credentials %+v", got, r.Cred)
	}
	c, d := pair(t, abi.SOCK_DGRAM)
	send(t, c, "before")
	d.SetOption(abi.SO_PASSCRED, one, false)
	if _, r := recv(t, d, 10, 0); r.Cred == nil || *r.Cred != (Ucred{UID: overflowID, GID: overflowID}) {
		t.Errorf("a datagram sent before SO_PASSCRED: %+v", r.Cred)
	}
	if opt, _ := d.Option(abi.SO_PASSCRED); opt[0] != 1 {
		t.Error("SO_PASSCRED reads 0")
	}
	// A datagram socket that passes credentials binds itself to send.
	e, _ := Create(NewNamespace(), abi.SOCK_DGRAM, 0, Owner{})
	e.SetOption(abi.SO_PASSCRED, one, false)
	e.Send(nonblock(), SendMsg{Data: []byte("x")})
	if len(e.Name()) != 6 {
		t.Errorf("autobind on send: %q", e.Name())
	}
}

// TestOptions: buffer sizes double within Linux's bounds; read-only and
// unknown options.
func TestOptions(t *testing.T) {
	s, _ := Create(NewNamespace(), abi.SOCK_DGRAM, 0, Owner{})
	get := func(name int) int {
		b, err := s.Option(name)
		if err != nil {
			t.Fatalf("option %d: %v", name, err)
		}
		return int(int32(le.Uint32(b)))
	}
	set := func(name, v int) error {
		b := make([]byte, 4)
		le.PutUint32(b, uint32(v))
		return s.SetOption(name, b, false)
	}
	if get(abi.SO_SNDBUF) != 212992 || get(abi.SO_RCVBUF) != 212992 || get(abi.SO_TYPE) != abi.SOCK_DGRAM || get(abi.SO_DOMAIN) != abi.AF_UNIX {
		t.Error("defaults")
	}
	for _, c := range []struct{ name, set, want int }{
		{abi.SO_SNDBUF, 10000, 20000}, {abi.SO_SNDBUF, 1, 4608}, {abi.SO_RCVBUF, 1, 2304},
		{abi.SO_SNDBUF, -1, 2 * 212992}, {abi.SO_RCVBUF, 1 << 30, 2 * 212992},
	} {
		set(c.name, c.set)
		if got := get(c.name); got != c.want {
			t.Errorf("option %d set to %d reads %d, want %d", c.name, c.set, got, c.want)
		}
	}
	if err := set(abi.SO_SNDBUFFORCE, 1<<20); err != abi.EPERM {
		t.Errorf("SO_SNDBUFFORCE unprivileged: %v", err)
	}
	if err := set(abi.SO_TYPE, 1); err != abi.ENOPROTOOPT {
		t.Errorf("setting SO_TYPE: %v", err)
	}
	if _, err := s.Option(9999); err != abi.ENOPROTOOPT {
		t.Errorf("unknown option: %v", err)
	}
	if err := s.SetOption(abi.SO_REUSEADDR, []byte{1, 0}, false); err != abi.EINVAL {
		t.Errorf("short optval: %v", err)
	}
	if b, _ := s.Option(abi.SO_PEERCRED); len(b) != 12 || le.Uint32(b[4:]) != ^uint32(0) {
		t.Errorf("SO_PEERCRED unconnected: %v", b)
	}
	a, _ := pair(t, abi.SOCK_STREAM)
	a.mu.Lock()
	a.err = abi.ECONNRESET
	a.mu.Unlock()
	if a.Readiness()&abi.EPOLLERR == 0 {
		t.Error("no EPOLLERR with an error pending")
	}
	if b, _ := a.Option(abi.SO_ERROR); le.Uint32(b) != uint32(abi.ECONNRESET) {
		t.Error("SO_ERROR")
	}
	if b, _ := a.Option(abi.SO_ERROR); le.Uint32(b) != 0 {
		t.Error("SO_ERROR is not cleared by reading it")
	}
}
