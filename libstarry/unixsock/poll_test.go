package unixsock

import (
	"testing"
	"time"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestEpoll: an epoll instance watching a socket hears data arrive, a
// connection wait on a listener, and the peer going.
func TestEpoll(t *testing.T) {
	var _ ipc.Pollable = (*Socket)(nil)
	ns := NewNamespace()
	a, b := pair(t, abi.SOCK_STREAM)
	l := listener(t, ns, abi.SOCK_STREAM, "\x00ep", 4)
	ep := ipc.NewEpoll()
	defer ep.Release()
	for i, s := range []*Socket{b, l} {
		if err := ep.Ctl(abi.EPOLL_CTL_ADD, i, fd.New(s, abi.O_RDWR), ipc.EpollEvent{Events: abi.EPOLLIN | abi.EPOLLRDHUP, Data: uint64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if evs, _ := ep.Wait(tw, 4, 0); len(evs) != 0 {
		t.Fatalf("ready before anything happened: %v", evs)
	}
	got := make(chan []ipc.EpollEvent)
	go func() {
		evs, _ := ep.Wait(tw, 4, 2*time.Second)
		got <- evs
	}()
	time.Sleep(10 * time.Millisecond)
	send(t, a, "x")
	if evs := <-got; len(evs) != 1 || evs[0].Data != 0 || evs[0].Events != abi.EPOLLIN {
		t.Errorf("after a write: %v", evs)
	}
	recv(t, b, 1, 0)
	c, _ := Create(ns, abi.SOCK_STREAM, 0, Owner{})
	c.Connect(nonblock(), abstract(ns, "\x00ep", abi.SOCK_STREAM), Ucred{})
	if evs, _ := ep.Wait(tw, 4, time.Second); len(evs) != 1 || evs[0].Data != 1 {
		t.Errorf("after a connect: %v", evs)
	}
	l.Accept(nonblock(), Owner{})
	a.Release()
	if evs, _ := ep.Wait(tw, 4, time.Second); len(evs) != 1 || evs[0].Events != abi.EPOLLIN|abi.EPOLLRDHUP|abi.EPOLLHUP {
		t.Errorf("after the peer closed: %v", evs)
	}
}
