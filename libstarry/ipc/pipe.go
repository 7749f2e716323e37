package ipc

import (
	"sync"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Pipe sizes (include/linux/pipe_fs_i.h, include/uapi/linux/limits.h).
const (
	PipeBuf      = 4096  // PIPE_BUF: writes up to this size are atomic
	pipeCapacity = 65536 // 16 pages, the default
)

// pipe is the buffer both ends share (struct pipe_inode_info).
type pipe struct {
	mu               sync.Mutex
	data             []byte
	size             int // what the buffer holds at most (F_SETPIPE_SZ)
	readers, writers int
	q                Queue
	fifo             *FIFO // the named pipe it is the buffer of, if any
	// hadWriter: a FIFO opened for reading with no writer yet is not hung
	// up (pipe_poll compares w_counter); pipe(2)'s always had one.
	hadWriter bool
}

// PipeEnd is one end of a pipe: the read end or the write end.
type PipeEnd struct {
	p     *pipe
	write bool
	rdwr  bool           // a FIFO opened O_RDWR: both ends in one
	stat  func() fd.Stat // a FIFO's inode; nil for pipe(2)'s
}

// NewPipe makes a pipe and its two ends (pipe2).
func NewPipe() (r, w *PipeEnd) {
	p := &pipe{readers: 1, writers: 1, size: pipeCapacity, hadWriter: true}
	return &PipeEnd{p: p}, &PipeEnd{p: p, write: true}
}

// Read takes what is buffered (pipe_read): it waits while the pipe is
// empty and a writer remains, and gives 0 (end of file) once none does.
func (e *PipeEnd) Read(c fd.Ctx, b []byte) (int, error) { return e.read(c, b, true) }

// Peek copies what Read would take but leaves it buffered (tee).
func (e *PipeEnd) Peek(c fd.Ctx, b []byte) (int, error) { return e.read(c, b, false) }

func (e *PipeEnd) read(c fd.Ctx, b []byte, take bool) (int, error) {
	if e.write && !e.rdwr {
		return 0, abi.EBADF
	}
	if len(b) == 0 {
		return 0, nil
	}
	p := e.p
	for {
		ch := p.q.Wait()
		p.mu.Lock()
		if len(p.data) > 0 {
			n := copy(b, p.data)
			if !take {
				p.mu.Unlock()
				return n, nil
			}
			p.data = append(p.data[:0], p.data[n:]...)
			p.mu.Unlock()
			p.q.Notify() // room for writers
			return n, nil
		}
		if p.writers == 0 {
			p.mu.Unlock()
			return 0, nil
		}
		p.mu.Unlock()
		if c.Nonblock {
			return 0, abi.EAGAIN
		}
		if err := sleep(c.W, ch, -1); err != nil {
			return 0, err
		}
	}
}

// Write adds b (pipe_write): a write of at most PIPE_BUF bytes goes in
// whole or waits until it fits; a longer one goes in as room appears.
// With no reader left it is EPIPE (the caller raises SIGPIPE); a write
// cut short by a signal or O_NONBLOCK reports what went in.
// CheckWrite is pipe_write's first look: with no reader left a write of
// anything is EPIPE before the caller's bytes are read.
func (e *PipeEnd) CheckWrite(n int) error {
	if !e.write && !e.rdwr || n == 0 {
		return nil
	}
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	if e.p.readers == 0 {
		return abi.EPIPE
	}
	return nil
}

func (e *PipeEnd) Write(c fd.Ctx, b []byte) (int, error) {
	if !e.write && !e.rdwr {
		return 0, abi.EBADF
	}
	p := e.p
	done := 0
	for done < len(b) { // (a write of nothing is 0, even with no reader)
		ch := p.q.Wait()
		p.mu.Lock()
		if p.readers == 0 {
			p.mu.Unlock()
			if done > 0 {
				return done, nil
			}
			return 0, abi.EPIPE
		}
		room := p.size - len(p.data)
		rest := b[done:]
		if room > 0 && (len(rest) > PipeBuf || room >= len(rest)) {
			n := min(room, len(rest))
			p.data = append(p.data, rest[:n]...)
			done += n
			p.mu.Unlock()
			p.q.Notify()
			continue
		}
		p.mu.Unlock()
		if c.Nonblock {
			if done > 0 {
				return done, nil
			}
			return 0, abi.EAGAIN
		}
		if err := sleep(c.W, ch, -1); err != nil {
			if done > 0 {
				return done, nil
			}
			return 0, err
		}
	}
	return done, nil
}

// PipeSize is F_GETPIPE_SZ: the buffer's size in bytes.
func (e *PipeEnd) PipeSize() int {
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	return e.p.size
}

// SetPipeSize is F_SETPIPE_SZ (pipe_set_size): the size rounded up to a
// power of two pages, at least one; past 2^31 EINVAL, below what the pipe
// holds EBUSY. It returns the new size.
func (e *PipeEnd) SetPipeSize(n uint64) (int, error) {
	if n > 1<<31 {
		return 0, abi.EINVAL
	}
	size := 4096
	for uint64(size) < n {
		size <<= 1
	}
	p := e.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.data) > size {
		return 0, abi.EBUSY
	}
	p.size = size
	p.q.Notify()
	return size, nil
}

// Stat is a FIFO's: pipefs's for pipe(2), the inode's for a named one.
func (e *PipeEnd) Stat() fd.Stat {
	if e.stat != nil {
		return e.stat()
	}
	return fd.Stat{Mode: abi.S_IFIFO | 0o600, Nlink: 1}
}

// A pipe lives on pipefs (noexec), takes O_DIRECT (packet mode, not yet
// honoured: writes are not split into packets) and has fasync.
func (e *PipeEnd) NoExec()   {}
func (e *PipeEnd) DirectIO() {}
func (e *PipeEnd) Async()    {}

// Release closes this end: readers see end of file once the last writer
// goes, writers EPIPE once the last reader goes.
func (e *PipeEnd) Release() {
	p := e.p
	p.mu.Lock()
	if e.write || e.rdwr {
		p.writers--
	}
	if !e.write || e.rdwr {
		p.readers--
	}
	p.mu.Unlock()
	p.q.Notify()
	if p.fifo != nil {
		p.fifo.closed(p)
	}
}

func (e *PipeEnd) Queue() *Queue { return &e.p.q }

// Readiness is pipe_poll's: the read end is readable with data, hung up
// with no writer; the write end writable with a PIPE_BUF of room, in
// error with no reader.
func (e *PipeEnd) Readiness() uint32 {
	p := e.p
	p.mu.Lock()
	defer p.mu.Unlock()
	var r uint32
	if !e.write || e.rdwr {
		if len(p.data) > 0 {
			r |= abi.EPOLLIN | abi.EPOLLRDNORM
		}
		if p.writers == 0 && p.hadWriter {
			r |= abi.EPOLLHUP
		}
	}
	if e.write || e.rdwr {
		if p.size-len(p.data) >= PipeBuf {
			r |= abi.EPOLLOUT | abi.EPOLLWRNORM
		}
		if p.readers == 0 {
			r |= abi.EPOLLERR
		}
	}
	return r
}

// Pending is how many bytes wait to be read (FIONREAD).
func (e *PipeEnd) Pending() int {
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	return len(e.p.data)
}

// SamePipe reports whether two ends are of one pipe.
func (e *PipeEnd) SamePipe(o *PipeEnd) bool { return e.p == o.p }
