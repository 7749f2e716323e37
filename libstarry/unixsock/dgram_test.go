package unixsock

import (
	"errors"
	"strings"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// TestDgramBoundaries: each datagram is read whole or cut (MSG_TRUNC),
// MSG_TRUNC asks for the real length, and the sender's name comes too.
func TestDgramBoundaries(t *testing.T) {
	a, b := pair(t, abi.SOCK_DGRAM)
	send(t, a, "first")
	send(t, a, "second")
	send(t, a, "")
	if got, r := recv(t, b, 3, abi.MSG_PEEK); got != "fir" || r.Flags&abi.MSG_TRUNC == 0 {
		t.Errorf("peek cut: %q %#x", got, r.Flags)
	}
	if got, r := recv(t, b, 100, 0); got != "first" || r.Flags != 0 || !r.Named || r.From != "" {
		t.Errorf("first datagram %q %+v", got, r)
	}
	if got, r := recv(t, b, 2, abi.MSG_TRUNC); got != "se" || r.N != 6 {
		t.Errorf("MSG_TRUNC: %q, N %d", got, r.N)
	}
	if _, r := recv(t, b, 10, 0); r.N != 0 || !r.Named {
		t.Errorf("an empty datagram: %+v", r)
	}
	_, err := b.Recv(nonblock(), 10, 0)
	wantErr(t, "empty queue", err, abi.EAGAIN)
	_, err = a.Send(nonblock(), SendMsg{Data: make([]byte, defaultBuf-31)})
	wantErr(t, "a datagram past SO_SNDBUF-32", err, abi.EMSGSIZE)
	send(t, a, strings.Repeat("z", defaultBuf-32))
	if _, r := recv(t, b, 1<<20, 0); r.N != defaultBuf-32 {
		t.Errorf("the biggest datagram: %d", r.N)
	}
}

// TestDgramStrangers: a receiver not connected back takes at most
// max_dgram_qlen+1 datagrams from others; its name goes with what it
// sends; a socket connected elsewhere refuses strangers (EPERM).
func TestDgramStrangers(t *testing.T) {
	ns := NewNamespace()
	r, _ := Create(ns, abi.SOCK_DGRAM, 0, Owner{})
	if err := r.BindAbstract("\x00srv"); err != nil {
		t.Fatal(err)
	}
	w, _ := Create(ns, abi.SOCK_DGRAM, 0, Owner{})
	w.BindAbstract("\x00cli")
	to := abstract(ns, "\x00srv", abi.SOCK_DGRAM)
	n := 0
	for ; n < 100; n++ {
		if _, err := w.Send(nonblock(), SendMsg{Data: []byte("x"), To: to}); err != nil {
			wantErr(t, "a full receiver", err, abi.EAGAIN)
			break
		}
	}
	if n != maxDgramQlen+1 {
		t.Errorf("%d datagrams queued, Linux takes 11", n)
	}
	if err := w.Connect(block(), to, Ucred{}); err != nil {
		t.Fatal(err)
	}
	if w.Readiness()&abi.EPOLLOUT != 0 {
		t.Error("writable while the peer's queue is full")
	}
	if _, rm := recv(t, r, 10, 0); rm.From != "\x00cli" {
		t.Errorf("from %q", rm.From)
	}
	if w.Readiness()&abi.EPOLLOUT == 0 {
		t.Error("not writable once the peer took one")
	}
	x, _ := Create(ns, abi.SOCK_DGRAM, 0, Owner{})
	x.BindAbstract("\x00x")
	r.Connect(block(), abstract(ns, "\x00x", abi.SOCK_DGRAM), Ucred{})
	_, err := w.Send(nonblock(), SendMsg{Data: []byte("x")})
	wantErr(t, "a receiver connected to another", err, abi.EPERM)
	r.Disconnect()
	if _, err := r.Recv(nonblock(), 10, 0); err != abi.EAGAIN {
		t.Errorf("leaving a peer purges the queue: %v", err)
	}
	r.Connect(block(), abstract(ns, "\x00x", abi.SOCK_DGRAM), Ucred{})
	_, err = w.Send(nonblock(), SendMsg{Data: []byte("x"), To: abstract(ns, "\x00none", abi.SOCK_DGRAM)})
	wantErr(t, "sendto an unbound name", err, abi.ECONNREFUSED)
	x.Release()
	_, err = r.Send(nonblock(), SendMsg{Data: []byte("x")})
	wantErr(t, "send to a dead peer", err, abi.ECONNREFUSED)
	_, err = r.Send(nonblock(), SendMsg{Data: []byte("x")})
	wantErr(t, "and then", err, abi.ENOTCONN)
}

// TestDgramShutdown: SHUT_RD makes a blocking read end of file and a
// non-blocking one EAGAIN; senders get EPIPE without SIGPIPE.
func TestDgramShutdown(t *testing.T) {
	a, b := pair(t, abi.SOCK_DGRAM)
	b.Shutdown(abi.SHUT_RD)
	if _, err := b.Recv(nonblock(), 10, 0); err != abi.EAGAIN {
		t.Errorf("non-blocking read after SHUT_RD: %v", err)
	}
	if r, err := b.Recv(block(), 10, 0); err != nil || r.N != 0 {
		t.Errorf("blocking read after SHUT_RD: %v", err)
	}
	_, err := a.Send(nonblock(), SendMsg{Data: []byte("x")})
	if err == abi.EPIPE || !errors.Is(err, abi.EPIPE) {
		t.Errorf("send to a socket shut for reading: %v, want a quiet EPIPE", err)
	}
	if a.Readiness()&abi.EPOLLRDHUP != 0 {
		t.Error("a datagram socket's shutdown reached its peer")
	}
}

// TestSeqpacket: records over a connection; a closed peer is end of
// file and a quiet EPIPE; unread data there resets it.
func TestSeqpacket(t *testing.T) {
	a, b := pair(t, abi.SOCK_SEQPACKET)
	send(t, a, "abcdef")
	send(t, a, "gh")
	if got, r := recv(t, b, 3, 0); got != "abc" || r.Flags&abi.MSG_TRUNC == 0 {
		t.Errorf("cut record %q %#x", got, r.Flags)
	}
	if got, _ := recv(t, b, 8, 0); got != "gh" {
		t.Errorf("second record %q", got)
	}
	send(t, a, "unread")
	b.Release()
	_, err := a.Send(nonblock(), SendMsg{Data: []byte("x")})
	wantErr(t, "send after the peer closed with unread data", err, abi.ECONNRESET)
	_, err = a.Send(nonblock(), SendMsg{Data: []byte("x")})
	if err == abi.EPIPE || !errors.Is(err, abi.EPIPE) {
		t.Errorf("then: %v, want EPIPE without SIGPIPE", err)
	}
	if r, err := a.Recv(nonblock(), 8, 0); err != nil || r.N != 0 {
		t.Errorf("non-blocking read at end of file: %d %v", r.N, err)
	}
	u, _ := Create(NewNamespace(), abi.SOCK_SEQPACKET, 0, Owner{})
	_, err = u.Recv(nonblock(), 1, 0)
	wantErr(t, "read of an unconnected seqpacket socket", err, abi.ENOTCONN)
	if u.Readiness()&abi.EPOLLHUP == 0 {
		t.Error("an unconnected seqpacket socket is not hung up")
	}
}
