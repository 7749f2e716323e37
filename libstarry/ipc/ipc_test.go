package ipc

import (
	"bytes"
	"testing"
	"time"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// waiter is a thread that is never interrupted (unless intr is sent to).
type waiter struct{ intr chan struct{} }

func newWaiter() waiter                       { return waiter{make(chan struct{}, 1)} }
func (w waiter) Dying() <-chan struct{}       { return nil }
func (w waiter) Interrupted() <-chan struct{} { return w.intr }
func ctx(w waiter, nonblock bool) fd.Ctx      { return fd.Ctx{W: w, Nonblock: nonblock} }

func TestPipe(t *testing.T) {
	w := newWaiter()
	r, wr := NewPipe()
	if n, err := r.Read(ctx(w, true), make([]byte, 4)); n != 0 || err != abi.EAGAIN {
		t.Errorf("non-blocking read of an empty pipe: %d %v", n, err)
	}
	got := make(chan []byte)
	go func() {
		b := make([]byte, 16)
		n, _ := r.Read(ctx(w, false), b)
		got <- b[:n]
	}()
	time.Sleep(10 * time.Millisecond)
	if n, err := wr.Write(ctx(w, false), []byte("hello")); n != 5 || err != nil {
		t.Fatal(n, err)
	}
	if b := <-got; string(b) != "hello" {
		t.Errorf("blocked reader got %q", b)
	}
	if r.Readiness()&abi.EPOLLIN != 0 || wr.Readiness()&abi.EPOLLOUT == 0 {
		t.Errorf("readiness %#x %#x after draining", r.Readiness(), wr.Readiness())
	}
	wr.Release()
	if n, err := r.Read(ctx(w, false), make([]byte, 4)); n != 0 || err != nil {
		t.Errorf("read after the last writer went: %d %v, want end of file", n, err)
	}
	if r.Readiness()&abi.EPOLLHUP == 0 {
		t.Error("no EPOLLHUP without writers")
	}
	r2, w2 := NewPipe()
	r2.Release()
	if n, err := w2.Write(ctx(w, false), []byte("x")); n != 0 || err != abi.EPIPE {
		t.Errorf("write with no reader: %d %v, want EPIPE", n, err)
	}
	if n, err := w2.Write(ctx(w, false), nil); n != 0 || err != nil {
		t.Errorf("empty write with no reader: %d %v, want 0", n, err)
	}
}

// TestPipeAtomicAndPartial: a write of PIPE_BUF bytes never goes in
// half; a bigger non-blocking write goes in as far as there is room.
func TestPipeAtomicAndPartial(t *testing.T) {
	w := newWaiter()
	r, wr := NewPipe()
	big := bytes.Repeat([]byte("a"), pipeCapacity-100)
	if n, err := wr.Write(ctx(w, true), big); n != len(big) || err != nil {
		t.Fatal(n, err)
	}
	if n, err := wr.Write(ctx(w, true), make([]byte, PipeBuf)); n != 0 || err != abi.EAGAIN {
		t.Errorf("a PIPE_BUF write into 100 bytes of room: %d %v, want EAGAIN", n, err)
	}
	if n, err := wr.Write(ctx(w, true), make([]byte, PipeBuf+1)); n != 100 || err != nil {
		t.Errorf("a bigger write: %d %v, want the 100 bytes of room", n, err)
	}
	done := make(chan int)
	go func() { n, _ := wr.Write(ctx(w, false), make([]byte, 10)); done <- n }()
	select {
	case <-done:
		t.Fatal("a blocking write into a full pipe did not wait")
	case <-time.After(20 * time.Millisecond):
	}
	r.Read(ctx(w, false), make([]byte, 4096))
	if n := <-done; n != 10 {
		t.Errorf("the waiting write wrote %d", n)
	}
	w.intr <- struct{}{}
	if _, err := wr.Write(ctx(w, false), make([]byte, pipeCapacity)); err != nil && err != abi.EINTR {
		t.Errorf("interrupted write: %v", err)
	}
}

func TestEventFDSemaphore(t *testing.T) {
	w := newWaiter()
	e := NewEventFD(2, true)
	b := make([]byte, 8)
	for i := 0; i < 2; i++ {
		if n, err := e.Read(ctx(w, true), b); n != 8 || err != nil || b[0] != 1 {
			t.Errorf("semaphore read %d: %d %v %d", i, n, err, b[0])
		}
	}
	if _, err := e.Read(ctx(w, true), b); err != abi.EAGAIN {
		t.Errorf("read of zero: %v", err)
	}
}

// TestEpollAcrossFiles: a waiter on an epoll instance wakes when another
// goroutine writes to a watched pipe, and a watch goes with its file's
// last reference.
func TestEpollAcrossFiles(t *testing.T) {
	w := newWaiter()
	r, wr := NewPipe()
	rf := fd.New(r, abi.O_RDONLY)
	ep := NewEpoll()
	if err := ep.Ctl(abi.EPOLL_CTL_ADD, 3, rf, EpollEvent{Events: abi.EPOLLIN, Data: 42}); err != nil {
		t.Fatal(err)
	}
	if err := ep.Ctl(abi.EPOLL_CTL_ADD, 3, rf, EpollEvent{}); err != abi.EEXIST {
		t.Errorf("second add: %v", err)
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		wr.Write(ctx(w, false), []byte("x"))
	}()
	evs, err := ep.Wait(w, 4, 5*time.Second)
	if err != nil || len(evs) != 1 || evs[0].Data != 42 || evs[0].Events&abi.EPOLLIN == 0 {
		t.Fatalf("epoll_wait: %+v %v", evs, err)
	}
	if evs, _ := ep.Wait(w, 4, 0); len(evs) != 1 {
		t.Errorf("level-triggered: still ready, got %+v", evs)
	}
	rf.DecRef()
	if evs, _ := ep.Wait(w, 4, 0); len(evs) != 0 {
		t.Errorf("the watch outlived its file: %+v", evs)
	}
	if _, err := ep.Wait(w, 4, 20*time.Millisecond); err != nil {
		t.Errorf("timeout: %v", err)
	}
}
