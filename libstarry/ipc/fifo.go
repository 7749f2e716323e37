package ipc

import (
	"sync"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// FIFO is a named pipe (fs/pipe.c's fifo_open): the buffer its opens
// share while any is open, and the counts of ends ever opened that a
// blocked open waits to see change.
type FIFO struct {
	mu     sync.Mutex
	p      *pipe
	rCount uint64 // readers opened so far (r_counter)
	wCount uint64
	q      Queue
}

// Open opens the FIFO for reading, writing or both (fifo_open): a
// reader waits for a writer and a writer for a reader, unless
// nonblocking (a writer is then ENXIO with no reader); both ends at once
// never wait. stat is the inode's.
func (f *FIFO) Open(w fd.Waiter, read, write, nonblock bool, stat func() fd.Stat) (*PipeEnd, error) {
	f.mu.Lock()
	if write && !read && nonblock && (f.p == nil || f.p.readers == 0) {
		f.mu.Unlock()
		return nil, abi.ENXIO
	}
	if f.p == nil {
		f.p = &pipe{size: pipeCapacity, fifo: f}
	}
	p := f.p
	p.mu.Lock()
	if read {
		p.readers++
		f.rCount++
	}
	if write {
		p.writers++
		f.wCount++
		p.hadWriter = true
	}
	p.mu.Unlock()
	e := &PipeEnd{p: p, write: write && !read, rdwr: read && write, stat: stat}
	f.q.Notify()
	p.q.Notify()
	if read && write || nonblock {
		f.mu.Unlock()
		return e, nil
	}
	// Wait for the other side: a change of its count, not its presence,
	// so that an open and close in between still counts.
	count := func() uint64 {
		if read {
			return f.wCount
		}
		return f.rCount
	}
	other := func() int {
		p.mu.Lock()
		defer p.mu.Unlock()
		if read {
			return p.writers
		}
		return p.readers
	}
	seen := count()
	for other() == 0 && count() == seen {
		ch := f.q.Wait()
		f.mu.Unlock()
		err := sleep(w, ch, -1)
		f.mu.Lock()
		if err != nil && other() == 0 && count() == seen {
			f.mu.Unlock()
			e.Release()
			return nil, err
		}
	}
	f.mu.Unlock()
	return e, nil
}

// closed forgets the buffer once no end is open (the next open starts
// empty, as free_pipe_info leaves it).
func (f *FIFO) closed(p *pipe) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p.mu.Lock()
	done := p.readers == 0 && p.writers == 0
	p.mu.Unlock()
	if done && f.p == p {
		f.p = nil
	}
	f.q.Notify()
}
