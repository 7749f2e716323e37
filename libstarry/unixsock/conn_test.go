package unixsock

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestListenAcceptConnect: connections are made at connect, queue on the
// listener up to backlog+1, then EAGAIN or a wait until accept takes
// one; data sent before accept waits on the new socket.
func TestListenAcceptConnect(t *testing.T) {
	ns := NewNamespace()
	l := listener(t, ns, abi.SOCK_STREAM, "\x00srv", 1)
	if r := l.Readiness(); r != 0 {
		t.Errorf("an idle listener's readiness %#x", r)
	}
	if _, err := l.Accept(nonblock(), Owner{}); err != abi.EAGAIN {
		t.Errorf("accept with nothing waiting: %v", err)
	}
	to := abstract(ns, "\x00srv", abi.SOCK_STREAM)
	var cs []*Socket
	for i := 0; i < 2; i++ {
		c, _ := Create(ns, abi.SOCK_STREAM, 0, Owner{})
		if err := c.Connect(nonblock(), to, Ucred{Pid: int32(100 + i)}); err != nil {
			t.Fatalf("connect %d: %v", i, err)
		}
		cs = append(cs, c)
	}
	send(t, cs[0], "early")
	if l.Readiness()&abi.EPOLLIN == 0 {
		t.Error("a listener with connections waiting is not readable")
	}
	c3, _ := Create(ns, abi.SOCK_STREAM, 0, Owner{})
	if err := c3.Connect(nonblock(), to, Ucred{}); err != abi.EAGAIN {
		t.Errorf("non-blocking connect to a full backlog: %v", err)
	}
	done := make(chan error)
	go func() { done <- c3.Connect(block(), to, Ucred{Pid: 102}) }()
	time.Sleep(20 * time.Millisecond)
	a0, err := l.Accept(block(), Owner{UID: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("blocked connect after accept made room: %v", err)
	}
	if got, _ := recv(t, a0, 10, 0); got != "early" {
		t.Errorf("data sent before accept: %q", got)
	}
	if a0.PeerCred().Pid != 100 || cs[0].PeerCred() != (Ucred{Pid: 9, UID: 1, GID: 2}) {
		t.Errorf("SO_PEERCRED: accepted %+v, client %+v", a0.PeerCred(), cs[0].PeerCred())
	}
	if a0.Name() != "\x00srv" || a0.Stat().UID != 5 {
		t.Errorf("accepted socket's name %q, owner %d", a0.Name(), a0.Stat().UID)
	}
	if p, err := cs[0].PeerName(); err != nil || p != "\x00srv" {
		t.Errorf("client's peer name %q %v", p, err)
	}
	if p, err := a0.PeerName(); err != nil || p != "" {
		t.Errorf("accepted socket's peer name %q %v", p, err)
	}
	if err := cs[0].Connect(nonblock(), to, Ucred{}); err != abi.EAGAIN {
		t.Errorf("connect of a connected socket to a full listener: %v", err)
	}
	l.Accept(block(), Owner{})
	if err := cs[0].Connect(nonblock(), to, Ucred{}); err != abi.EISCONN {
		t.Errorf("connect of a connected socket: %v", err)
	}
	if err := cs[0].Listen(5, Ucred{}); err != abi.EINVAL {
		t.Errorf("listen on a connected socket: %v", err)
	}
	if _, err := cs[0].Accept(nonblock(), Owner{}); err != abi.EINVAL {
		t.Errorf("accept on a socket not listening: %v", err)
	}
	x, _ := Create(ns, abi.SOCK_STREAM, 0, Owner{})
	if err := x.Connect(nonblock(), abstract(ns, "\x00none", abi.SOCK_STREAM), Ucred{}); err != abi.ECONNREFUSED {
		t.Errorf("connect to an unbound name: %v", err)
	}
	if err := x.Connect(nonblock(), abstract(ns, "\x00srv", abi.SOCK_SEQPACKET), Ucred{}); err != abi.ECONNREFUSED {
		t.Errorf("abstract names are per type: %v", err)
	}
	if err := x.Listen(1, Ucred{}); err != abi.EINVAL {
		t.Errorf("listen unbound: %v", err)
	}
	// Closing the listener resets the connection still waiting on it.
	l.Release()
	_, err = c3.Recv(nonblock(), 10, 0)
	wantErr(t, "read of a connection its listener dropped", err, abi.ECONNRESET)
	if err := x.Connect(nonblock(), to, Ucred{}); err != abi.ECONNREFUSED {
		t.Errorf("connect after the listener closed: %v", err)
	}
}

// TestBindPath: a path's inode finds its socket, of its type, until it
// closes; a second bind is EINVAL, a taken abstract name EADDRINUSE.
func TestBindPath(t *testing.T) {
	ns := NewNamespace()
	in := sockInode()
	s, _ := Create(ns, abi.SOCK_STREAM, 0, Owner{})
	if err := s.BindPath(in, "/tmp/s\x00"); err != nil {
		t.Fatal(err)
	}
	if err := s.BindPath(sockInode(), "/tmp/t\x00"); err != abi.EINVAL {
		t.Errorf("second bind: %v", err)
	}
	if err := s.BindAbstract("\x00a"); err != abi.EINVAL {
		t.Errorf("abstract bind of a bound socket: %v", err)
	}
	if _, err := ns.Find(in, abi.SOCK_DGRAM); err != abi.EPROTOTYPE {
		t.Errorf("find of the wrong type: %v", err)
	}
	if f, err := ns.Find(in, abi.SOCK_STREAM); f != s || err != nil {
		t.Errorf("find: %v", err)
	}
	s.Listen(-1, Ucred{})
	s.Release()
	if _, err := ns.Find(in, abi.SOCK_STREAM); err != abi.ECONNREFUSED {
		t.Errorf("find after close: %v", err)
	}
	a, _ := Create(ns, abi.SOCK_DGRAM, 0, Owner{})
	b, _ := Create(ns, abi.SOCK_DGRAM, 0, Owner{})
	c, _ := Create(ns, abi.SOCK_STREAM, 0, Owner{})
	a.BindAbstract("\x00n")
	if err := b.BindAbstract("\x00n"); err != abi.EADDRINUSE {
		t.Errorf("taken abstract name: %v", err)
	}
	if err := c.BindAbstract("\x00n"); err != nil {
		t.Errorf("the same name for another type: %v", err)
	}
	if err := b.Autobind(); err != nil || len(b.Name()) != 6 || b.Name()[0] != 0 || strings.Trim(b.Name()[1:], "0123456789abcdef") != "" {
		t.Errorf("autobind %q %v", b.Name(), err)
	}
	name := b.Name()
	if b.Autobind(); b.Name() != name {
		t.Error("autobind renamed a bound socket")
	}
	a.Release()
	d, _ := Create(ns, abi.SOCK_DGRAM, 0, Owner{})
	if err := d.BindAbstract("\x00n"); err != nil {
		t.Errorf("a released socket's name is free again: %v", err)
	}
}

// TestShutdownListener: a listener shut for reading refuses connections
// and ends a blocking accept with EINVAL.
func TestShutdownListener(t *testing.T) {
	ns := NewNamespace()
	l := listener(t, ns, abi.SOCK_SEQPACKET, "\x00l", 5)
	errc := make(chan error)
	go func() {
		_, err := l.Accept(block(), Owner{})
		errc <- err
	}()
	time.Sleep(10 * time.Millisecond)
	l.Shutdown(abi.SHUT_RD)
	if err := <-errc; err != abi.EINVAL {
		t.Errorf("blocked accept at SHUT_RD: %v", err)
	}
	c, _ := Create(ns, abi.SOCK_SEQPACKET, 0, Owner{})
	if err := c.Connect(nonblock(), abstract(ns, "\x00l", abi.SOCK_SEQPACKET), Ucred{}); err != abi.ECONNREFUSED {
		t.Errorf("connect to a listener shut for reading: %v", err)
	}
	if err := c.Shutdown(3); err != abi.EINVAL {
		t.Errorf("shutdown(3): %v", err)
	}
	if err := c.Shutdown(abi.SHUT_RDWR); err != nil {
		t.Errorf("shutdown of an unconnected socket: %v", err)
	}
}

// TestStress: many clients connect, write and read back through echo
// servers at once, some closing early; run with -race.
func TestStress(t *testing.T) {
	ns := NewNamespace()
	l := listener(t, ns, abi.SOCK_STREAM, "\x00echo", 8)
	to := abstract(ns, "\x00echo", abi.SOCK_STREAM)
	var servers sync.WaitGroup
	go func() {
		for {
			a, err := l.Accept(block(), Owner{})
			if err != nil {
				return
			}
			servers.Add(1)
			go func() {
				defer servers.Done()
				defer a.Release()
				for {
					r, err := a.Recv(block(), 4096, 0)
					if err != nil || r.N == 0 {
						return
					}
					if _, err := a.Send(block(), SendMsg{Data: r.Data, Flags: abi.MSG_NOSIGNAL}); err != nil {
						return
					}
				}
			}()
		}
	}()
	var clients sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 64; i++ {
		clients.Add(1)
		go func(i int) {
			defer clients.Done()
			c, _ := Create(ns, abi.SOCK_STREAM, 0, Owner{})
			defer c.Release()
			if err := c.Connect(block(), to, Ucred{}); err != nil {
				errs <- err
				return
			}
			msg := strings.Repeat(fmt.Sprint(i%10), 1000+i*100)
			if _, err := c.Send(block(), SendMsg{Data: []byte(msg)}); err != nil {
				errs <- err
				return
			}
			if i%8 == 7 {
				return // close with the echo unread
			}
			got := ""
			for len(got) < len(msg) {
				r, err := c.Recv(block(), 1<<16, 0)
				if err != nil || r.N == 0 {
					errs <- fmt.Errorf("client %d: %v after %d bytes", i, err, len(got))
					return
				}
				got += string(r.Data)
			}
			if got != msg {
				errs <- fmt.Errorf("client %d: echo differs", i)
			}
		}(i)
	}
	clients.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	l.Release()
	servers.Wait()
}

// TestStressChurn: datagram senders race a receiver that closes and is
// bound again, and stream pairs pass files while both ends close; no
// file may be lost or released twice (run with -race).
func TestStressChurn(t *testing.T) {
	ns := NewNamespace()
	to := abstract(ns, "\x00churn", abi.SOCK_DGRAM)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, _ := Create(ns, abi.SOCK_DGRAM, 0, Owner{})
			defer s.Release()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s.Send(nonblock(), SendMsg{Data: []byte("d"), To: to})
				if s.Connect(block(), to, Ucred{}) == nil {
					s.Send(nonblock(), SendMsg{Data: []byte("c")})
				}
			}
		}()
	}
	for i := 0; i < 200; i++ {
		r, _ := Create(ns, abi.SOCK_DGRAM, 0, Owner{})
		if r.BindAbstract("\x00churn") != nil {
			t.Fatal("the name was not freed")
		}
		for j := 0; j < 5; j++ {
			r.Recv(nonblock(), 10, 0)
		}
		r.Release()
	}
	close(stop)
	wg.Wait()

	var released int32
	var files sync.WaitGroup
	for i := 0; i < 50; i++ {
		files.Add(1)
		go func() {
			defer files.Done()
			a, b := pair(t, abi.SOCK_STREAM)
			of, n := tracked()
			go a.Send(block(), SendMsg{Data: []byte("F"), Files: []*fd.OpenFile{of}})
			go func() {
				r, _ := b.Recv(nonblock(), 1, 0)
				putFiles(r.Files)
			}()
			time.Sleep(time.Millisecond)
			a.Release()
			b.Release()
			eventually(t, "the file's release", func() bool { return n.Load() == 1 })
			atomic.AddInt32(&released, n.Load())
		}()
	}
	files.Wait()
	if released != 50 {
		t.Errorf("%d of 50 files released", released)
	}
}
