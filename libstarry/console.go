package libstarry

import (
	"io"
	"sync"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// consoleFile is the console: a character device over Config.Console.
// Reads come through the console's input goroutine, so that a reader
// waits as a tty read does: until input comes, a signal interrupts it,
// or its process dies (a read of the host's stdin cannot be cut short).
type consoleFile struct {
	rw io.ReadWriter
	in *consoleInput
}

func (c consoleFile) Read(ctx fd.Ctx, b []byte) (int, error) {
	if c.rw == nil || len(b) == 0 {
		return 0, nil
	}
	return c.in.read(ctx, b)
}

// consoleInputs are the input goroutines, one per console.
type consoleInputs struct {
	mu sync.Mutex
	by map[io.Reader]*consoleInput
}

// of is the input of console r, started on first use.
func (cs *consoleInputs) of(r io.Reader) *consoleInput {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.by == nil {
		cs.by = map[io.Reader]*consoleInput{}
	}
	in := cs.by[r]
	if in == nil {
		in = &consoleInput{chunks: make(chan []byte), want: make(chan struct{}, 1)}
		cs.by[r] = in
		go in.pump(r)
	}
	return in
}

// consoleInput reads the console only when some reader waits (want), so
// bytes nobody asked for stay with the host; what a read did not take
// is kept for the next.
type consoleInput struct {
	mu     sync.Mutex // serializes readers
	left   []byte
	eof    bool
	chunks chan []byte // nil slice: end of input
	want   chan struct{}
}

func (in *consoleInput) pump(r io.Reader) {
	for range in.want {
		b := make([]byte, 4096)
		n, err := r.Read(b)
		if n == 0 && err != nil {
			in.chunks <- nil
			return
		}
		in.chunks <- b[:n]
	}
}

// read gives what input is there, or waits for some: 0 at end of input,
// EINTR (restartable) on a signal or when the process dies.
func (in *consoleInput) read(ctx fd.Ctx, b []byte) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for len(in.left) == 0 {
		if in.eof {
			return 0, nil
		}
		select {
		case in.want <- struct{}{}:
		default: // a request is already out
		}
		var dying, intr <-chan struct{}
		if ctx.W != nil {
			dying, intr = ctx.W.Dying(), ctx.W.Interrupted()
		}
		if ctx.Nonblock {
			select {
			case c := <-in.chunks:
				in.take(c)
				continue
			default:
				return 0, abi.EAGAIN
			}
		}
		select {
		case c := <-in.chunks:
			in.take(c)
		case <-dying:
			return 0, abi.EINTR
		case <-intr:
			return 0, abi.EINTR
		}
	}
	n := copy(b, in.left)
	in.left = in.left[n:]
	return n, nil
}

func (in *consoleInput) take(c []byte) {
	if c == nil {
		in.eof = true
	}
	in.left = c
}

func (c consoleFile) Write(_ fd.Ctx, b []byte) (int, error) {
	if c.rw == nil {
		return len(b), nil
	}
	n, err := c.rw.Write(b)
	if err != nil && n == 0 {
		return 0, abi.EIO
	}
	return n, nil
}

// Stat reports /dev/console: character device 5:1.
func (c consoleFile) Stat() fd.Stat {
	return fd.Stat{Ino: 1, Mode: abi.S_IFCHR | 0o620, Nlink: 1, Rdev: abi.Mkdev(5, 1)}
}

func (c consoleFile) IsTerminal() bool { return true }

// Async: a terminal has fasync (tty_fasync), so O_ASYNC stays set.
func (c consoleFile) Async() {}

// consoleFDs makes a descriptor table with 0, 1 and 2 on the console,
// one open file description shared by all three.
func consoleFDs(c consoleFile) *fd.Table {
	t := fd.NewTable()
	of := fd.New(c, abi.O_RDWR)
	for i := 0; i < 3; i++ {
		of.IncRef()
		_, _ = t.Install(of, i, 3, false)
	}
	of.DecRef()
	return t
}

// newConsoleFile is the console file over rw, reading through the
// kernel's input goroutine for it.
func newConsoleFile(k *Kernel, rw io.ReadWriter) consoleFile {
	c := consoleFile{rw: rw}
	if rw != nil {
		c.in = k.consoles.of(rw)
	}
	return c
}

func (p *Process) consoleFile() consoleFile { return newConsoleFile(p.k, p.cfg.Console) }
