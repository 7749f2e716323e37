package libstarry

import (
	"io"
	"sync"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/tty"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The console (/dev/console, fds 0-2 of the runner's commands): a
// terminal on Config.Console, whose input a goroutine feeds to the line
// discipline as it arrives, as the serial port's receive interrupt does
// on Linux, and whose output goes back unchanged when the console can
// write raw bytes (the discipline has done the NL to CR NL mapping).

// RawWriter is a console that writes bytes without mapping them; a
// console without it maps NL itself, so the discipline's output
// processing is undone for it.
type RawWriter interface {
	WriteRaw(b []byte)
}

// consoleTtys are the terminals of the consoles, one per console.
type consoleTtys struct {
	mu sync.Mutex
	by map[io.ReadWriter]*Tty
}

// consoleTty is the terminal on rw, made with its input pump on first
// use.
func (k *Kernel) consoleTty(rw io.ReadWriter) *Tty {
	cs := &k.consoles
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if tt := cs.by[rw]; tt != nil {
		return tt
	}
	if cs.by == nil {
		cs.by = map[io.ReadWriter]*Tty{}
	}
	out := func(b []byte) { _, _ = rw.Write(undoONLCR(b)) }
	if raw, ok := rw.(RawWriter); ok {
		out = raw.WriteRaw
	}
	tt := newTty(k, abi.Mkdev(5, 1), "/dev/console", out)
	cs.by[rw] = tt
	go pumpConsole(rw, tt.LD)
	return tt
}

// undoONLCR turns CR NL back into NL for a console that maps NL itself.
func undoONLCR(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// pumpConsole feeds the console's input to the discipline; the end of
// the host's input is the end of the terminal's.
func pumpConsole(r io.Reader, ld *tty.LineDisc) {
	b := make([]byte, 4096)
	for {
		n, err := r.Read(b)
		if n > 0 {
			ld.Receive(b[:n])
		}
		if err != nil {
			ld.EndOfInput()
			return
		}
	}
}

// consoleStat is /dev/console: character device 5:1.
func consoleStat() fd.Stat {
	return fd.Stat{Ino: 1, Mode: abi.S_IFCHR | 0o620, Nlink: 1, Rdev: abi.Mkdev(5, 1)}
}

// nullConsole is the console of a process with none: reads see end of
// file, writes go nowhere.
type nullConsole struct{}

func (nullConsole) Read(fd.Ctx, []byte) (int, error)      { return 0, nil }
func (nullConsole) Write(_ fd.Ctx, b []byte) (int, error) { return len(b), nil }
func (nullConsole) Stat() fd.Stat                         { return consoleStat() }

// consoleFDs makes a descriptor table with 0, 1 and 2 on the console,
// one open file description shared by all three.
func consoleFDs(c fd.File) *fd.Table {
	t := fd.NewTable()
	of := fd.New(c, abi.O_RDWR)
	for i := 0; i < 3; i++ {
		of.IncRef()
		_, _ = t.Install(of, i, 3, false)
	}
	of.DecRef()
	return t
}

// newConsoleFile is the console file over rw.
func newConsoleFile(k *Kernel, rw io.ReadWriter) fd.File {
	if rw == nil {
		return nullConsole{}
	}
	return &TtyFile{tt: k.consoleTty(rw), stat: consoleStat}
}

func (p *Process) consoleFile() fd.File { return newConsoleFile(p.k, p.cfg.Console) }
