package ipc

import (
	"encoding/binary"
	"sync"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// EventFD is an eventfd (fs/eventfd.c): a 64-bit counter that writes add
// to and reads take (all of it, or one with EFD_SEMAPHORE). Readers wait
// while it is zero; writers while the sum would pass 2^64-2.
type EventFD struct {
	mu        sync.Mutex
	count     uint64
	semaphore bool
	q         Queue
}

const eventMax = 1<<64 - 2 // ULLONG_MAX - 1

// NewEventFD makes an eventfd holding initval.
func NewEventFD(initval uint64, semaphore bool) *EventFD {
	return &EventFD{count: initval, semaphore: semaphore}
}

func (e *EventFD) Read(c fd.Ctx, b []byte) (int, error) {
	if len(b) < 8 {
		return 0, abi.EINVAL
	}
	for {
		ch := e.q.Wait()
		e.mu.Lock()
		if v := e.count; v != 0 {
			if e.semaphore {
				v = 1
			}
			e.count -= v
			e.mu.Unlock()
			binary.LittleEndian.PutUint64(b, v)
			e.q.Notify() // room for writers
			return 8, nil
		}
		e.mu.Unlock()
		if c.Nonblock {
			return 0, abi.EAGAIN
		}
		if err := sleep(c.W, ch, -1); err != nil {
			return 0, err
		}
	}
}

func (e *EventFD) Write(c fd.Ctx, b []byte) (int, error) {
	if e.CheckWrite(len(b)) != nil {
		return 0, abi.EINVAL
	}
	v := binary.LittleEndian.Uint64(b)
	if v == 1<<64-1 {
		return 0, abi.EINVAL
	}
	for {
		ch := e.q.Wait()
		e.mu.Lock()
		if eventMax-e.count >= v {
			e.count += v
			e.mu.Unlock()
			e.q.Notify()
			return 8, nil
		}
		e.mu.Unlock()
		if c.Nonblock {
			return 0, abi.EAGAIN
		}
		if err := sleep(c.W, ch, -1); err != nil {
			return 0, err
		}
	}
}

// Stat is an anonymous inode's.
func (e *EventFD) Stat() fd.Stat { return fd.Stat{Mode: 0o600, Nlink: 1} }

// NoExec: an eventfd is an anonymous inode, on a noexec mount.
func (e *EventFD) NoExec() {}

// CheckWrite: a write of other than 8 bytes is EINVAL before the buffer
// is read (Linux 6.18 wants exactly 8; reads take 8 or more).
func (e *EventFD) CheckWrite(n int) error {
	if n != 8 {
		return abi.EINVAL
	}
	return nil
}

// Seek is noop_llseek, as eventfd's: the position stays 0.
func (e *EventFD) Seek(int64, int) (int64, error) { return 0, nil }

func (e *EventFD) Queue() *Queue { return &e.q }

func (e *EventFD) Readiness() uint32 {
	e.mu.Lock()
	defer e.mu.Unlock()
	var r uint32
	if e.count > 0 {
		r |= abi.EPOLLIN
	}
	if e.count < eventMax {
		r |= abi.EPOLLOUT
	}
	return r
}
