package unixsock

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/starry-go/starry/personality/linux/abi"
)

// TestStreamPair: a byte stream both ways, reads that join and split
// writes, end of file after SHUT_WR, and what a closed peer leaves.
func TestStreamPair(t *testing.T) {
	a, b := pair(t, abi.SOCK_STREAM)
	send(t, a, "hello ")
	send(t, a, "world")
	if got, _ := recv(t, b, 3, 0); got != "hel" {
		t.Errorf("first read %q", got)
	}
	if got, _ := recv(t, b, 100, abi.MSG_PEEK); got != "lo world" {
		t.Errorf("peek %q", got)
	}
	if got, _ := recv(t, b, 100, 0); got != "lo world" {
		t.Errorf("rest %q", got)
	}
	_, err := b.Recv(nonblock(), 10, 0)
	wantErr(t, "read of an empty stream", err, abi.EAGAIN)
	send(t, b, "back")
	if got, _ := recv(t, a, 10, 0); got != "back" {
		t.Errorf("other way %q", got)
	}
	if err := a.Shutdown(abi.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	if r, err := b.Recv(block(), 10, 0); err != nil || r.N != 0 {
		t.Errorf("read after the peer's SHUT_WR: %d %v, want end of file", r.N, err)
	}
	if _, err := a.Send(nonblock(), SendMsg{Data: []byte("x")}); err != abi.EPIPE {
		t.Errorf("send after SHUT_WR: %v, want a bare EPIPE (SIGPIPE)", err)
	}
	_, err = a.Send(nonblock(), SendMsg{Data: []byte("x"), Flags: abi.MSG_NOSIGNAL})
	if err == abi.EPIPE || !errors.Is(err, abi.EPIPE) {
		t.Errorf("MSG_NOSIGNAL: %v, want EPIPE without the signal", err)
	}
	if err := a.CheckWrite(0); err != abi.EPIPE {
		t.Errorf("CheckWrite after SHUT_WR: %v", err)
	}

	// A peer that goes with unread data resets the connection: the bytes
	// waiting here come first, then ECONNRESET once, then end of file.
	c, d := pair(t, abi.SOCK_STREAM)
	send(t, c, "unread")
	send(t, d, "to c")
	d.Release()
	if got, _ := recv(t, c, 10, 0); got != "to c" {
		t.Errorf("data before the reset: %q", got)
	}
	_, err = c.Recv(nonblock(), 10, 0)
	wantErr(t, "read after the peer closed with unread data", err, abi.ECONNRESET)
	if r, err := c.Recv(nonblock(), 10, 0); err != nil || r.N != 0 {
		t.Errorf("then: %d %v, want end of file", r.N, err)
	}
	if _, err := c.Send(nonblock(), SendMsg{Data: []byte("x")}); err != abi.EPIPE {
		t.Errorf("write to a closed peer: %v", err)
	}
	if r := c.Readiness(); r&(abi.EPOLLHUP|abi.EPOLLRDHUP|abi.EPOLLIN) != abi.EPOLLHUP|abi.EPOLLRDHUP|abi.EPOLLIN {
		t.Errorf("readiness after the peer closed: %#x", r)
	}
}

// TestStreamWaitAll: MSG_WAITALL waits for the whole size; a blocked
// reader is woken by the writer.
func TestStreamWaitAll(t *testing.T) {
	a, b := pair(t, abi.SOCK_STREAM)
	got := make(chan string)
	go func() {
		r, err := b.Recv(block(), 6, abi.MSG_WAITALL)
		if err != nil {
			got <- err.Error()
		}
		got <- string(r.Data)
	}()
	send(t, a, "abc")
	time.Sleep(10 * time.Millisecond)
	send(t, a, "defgh")
	if s := <-got; s != "abcdef" {
		t.Errorf("MSG_WAITALL read %q", s)
	}
	if s, _ := recv(t, b, 10, 0); s != "gh" {
		t.Errorf("left %q", s)
	}
}

// TestStreamFlowControl: a writer may have a send buffer's worth in
// flight (counted as Linux counts sk_buffs: 768 bytes for one byte), is
// writable while within a quarter of it, and a blocked writer goes on
// once the reader takes some.
func TestStreamFlowControl(t *testing.T) {
	a, b := pair(t, abi.SOCK_STREAM)
	n := 0
	for {
		if _, err := a.Send(nonblock(), SendMsg{Data: []byte("x")}); err != nil {
			wantErr(t, "a full send buffer", err, abi.EAGAIN)
			break
		}
		n++
	}
	if n != 278 {
		t.Errorf("%d one-byte writes went before EAGAIN, Linux takes 278", n)
	}
	if a.Readiness()&abi.EPOLLOUT != 0 {
		t.Error("writable with a full buffer")
	}
	recv(t, b, 250, 0)
	if a.Readiness()&abi.EPOLLOUT == 0 {
		t.Error("not writable after the reader drained most of it")
	}
	big := bytes.Repeat([]byte("y"), 1<<20)
	done := make(chan int)
	go func() {
		n, _ := a.Send(block(), SendMsg{Data: big})
		done <- n
	}()
	total := 0
	for total < len(big)+28 {
		r, err := b.Recv(block(), 1<<16, 0)
		if err != nil {
			t.Fatal(err)
		}
		total += r.N
	}
	if n := <-done; n != len(big) {
		t.Errorf("blocking write of 1 MiB: %d", n)
	}
}

// TestStreamInterrupt: a blocked read ends with EINTR at a signal
// (restartable), with a quiet EINTR when SO_RCVTIMEO is set, and with
// EAGAIN when that time runs out.
func TestStreamInterrupt(t *testing.T) {
	a, _ := pair(t, abi.SOCK_STREAM)
	w := newWaiter()
	errc := make(chan error)
	go func() {
		_, err := a.Recv(fdCtx(w), 10, 0)
		errc <- err
	}()
	time.Sleep(10 * time.Millisecond)
	w.intr <- struct{}{}
	if err := <-errc; err != abi.EINTR {
		t.Errorf("interrupted read: %v, want a bare EINTR", err)
	}
	tv := make([]byte, 16)
	le.PutUint64(tv[8:], 300000) // 0.3 s
	if err := a.SetOption(abi.SO_RCVTIMEO, tv, false); err != nil {
		t.Fatal(err)
	}
	go func() {
		_, err := a.Recv(fdCtx(w), 10, 0)
		errc <- err
	}()
	time.Sleep(10 * time.Millisecond)
	w.intr <- struct{}{}
	if err := <-errc; err == abi.EINTR || !errors.Is(err, abi.EINTR) {
		t.Errorf("interrupted read with a timeout: %v, want EINTR that does not restart", err)
	}
	le.PutUint64(tv[8:], 20000)
	a.SetOption(abi.SO_RCVTIMEO, tv, false)
	start := time.Now()
	_, err := a.Recv(fdCtx(w), 10, 0)
	wantErr(t, "read past SO_RCVTIMEO", err, abi.EAGAIN)
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("timed out after %v", d)
	}
}

// TestStreamErrors: the errors of unconnected and listening sockets.
func TestStreamErrors(t *testing.T) {
	ns := NewNamespace()
	s, _ := Create(ns, abi.SOCK_STREAM, 0, Owner{})
	_, err := s.Recv(nonblock(), 1, 0)
	wantErr(t, "read of an unconnected stream", err, abi.EINVAL)
	_, err = s.Send(nonblock(), SendMsg{Data: []byte("x")})
	wantErr(t, "write of an unconnected stream", err, abi.ENOTCONN)
	_, err = s.Send(nonblock(), SendMsg{Data: []byte("x"), To: abstract(ns, "\x00x", abi.SOCK_STREAM)})
	wantErr(t, "sendto on an unconnected stream", err, abi.EOPNOTSUPP)
	a, _ := pair(t, abi.SOCK_STREAM)
	_, err = a.Send(nonblock(), SendMsg{Data: []byte("x"), To: abstract(ns, "\x00x", abi.SOCK_STREAM)})
	wantErr(t, "sendto on a connected stream", err, abi.EISCONN)
	if r := s.Readiness(); r != abi.EPOLLOUT|abi.EPOLLWRNORM|abi.EPOLLWRBAND|abi.EPOLLHUP {
		t.Errorf("a new stream socket's readiness %#x", r)
	}
	if _, err := Create(ns, abi.SOCK_STREAM, 2, Owner{}); err != abi.EPROTONOSUPPORT {
		t.Errorf("protocol 2: %v", err)
	}
	if _, err := Create(ns, 4, 0, Owner{}); err != abi.ESOCKTNOSUPPORT {
		t.Errorf("SOCK_RDM: %v", err)
	}
	if r, _ := Create(ns, abi.SOCK_RAW, 0, Owner{}); r.Type() != abi.SOCK_DGRAM {
		t.Errorf("SOCK_RAW is type %d", r.Type())
	}
	if st := s.Stat(); st.Mode != abi.S_IFSOCK|0o777 || st.Ino == 0 {
		t.Errorf("stat %+v", st)
	}
}
