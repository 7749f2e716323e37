package tty

import (
	"sync"
	"time"

	"github.com/starry-go/starry/libstarry/ipc"
)

// Signal numbers the signal characters raise (x86-64 Linux).
const (
	SIGINT   = 2
	SIGQUIT  = 3
	SIGTSTP  = 20
	SIGWINCH = 28
)

// Hooks connect a discipline to its device and its sessions.
type Hooks struct {
	// Output takes processed bytes for the device: echoes and writes.
	Output func(b []byte)
	// Signal raises sig in the terminal's foreground process group (a
	// signal character, or SIGWINCH for a new window size).
	Signal func(sig int)
}

// maxLine is N_TTY_BUF_SIZE less one: the longest canonical line.
const maxLine = 4095

// LineDisc is one terminal's line discipline.
type LineDisc struct {
	hooks Hooks
	q     ipc.Queue // readers and writers wait here; poll watches it

	mu      sync.Mutex
	t       Termios
	ws      Winsize
	edit    []byte   // canonical: the line being typed
	lines   [][]byte // canonical: finished lines, the EOF character's without it
	raw     []byte   // non-canonical: bytes to read
	lnext   bool     // the next character is literal (VLNEXT)
	stopped bool     // output held, by VSTOP (IXON) or TCOOFF
	tcoStop bool     // held by TCOOFF: only TCOON resumes it
	hung    bool     // hung up: reads see end of file, writes EIO
	eof     bool     // the device's input ended: reads that find nothing see end of file
	last    time.Time
}

// New makes a discipline with the standard termios.
func New(h Hooks) *LineDisc {
	return &LineDisc{hooks: h, t: StdTermios(), ws: Winsize{Row: 24, Col: 80}}
}

// Queue is the wait queue poll and epoll watch.
func (l *LineDisc) Queue() *ipc.Queue { return &l.q }

// Termios returns the current settings (TCGETS).
func (l *LineDisc) Termios() Termios {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.t
}

// SetTermios changes the settings (TCSETS); flush throws away pending
// input first (TCSETSF). Leaving canonical mode makes what was typed
// readable at once; entering it makes unread bytes one finished line.
func (l *LineDisc) SetTermios(t Termios, flush bool) {
	l.mu.Lock()
	if flush {
		l.flushInput()
	}
	wasCanon, canon := l.t.Lflag&ICANON != 0, t.Lflag&ICANON != 0
	switch {
	case wasCanon && !canon:
		for _, ln := range l.lines {
			l.raw = append(l.raw, ln...)
		}
		l.raw = append(l.raw, l.edit...)
		l.lines, l.edit = nil, nil
	case !wasCanon && canon && len(l.raw) > 0:
		l.lines = append(l.lines, l.raw)
		l.raw = nil
	}
	if t.Iflag&IXON == 0 && !l.tcoStop {
		l.stopped = false
	}
	l.t = t
	l.mu.Unlock()
	l.q.Notify()
}

// TCXONC's actions (include/uapi/asm-generic/termbits.h).
const (
	TCOOFF = 0
	TCOON  = 1
	TCIOFF = 2
	TCION  = 3
)

// Flow is TCXONC (n_tty_ioctl_helper): TCOOFF holds output until TCOON
// (VSTART typed does not resume it); TCIOFF and TCION send the VSTOP or
// VSTART character to the device. False for an unknown action.
func (l *LineDisc) Flow(action int) bool {
	l.mu.Lock()
	var send byte
	switch action {
	case TCOOFF:
		l.stopped, l.tcoStop = true, true
	case TCOON:
		if l.tcoStop {
			l.stopped, l.tcoStop = false, false
		}
	case TCIOFF:
		send = l.t.CC[VSTOP]
	case TCION:
		send = l.t.CC[VSTART]
	default:
		l.mu.Unlock()
		return false
	}
	l.mu.Unlock()
	if send != 0 && l.hooks.Output != nil {
		l.hooks.Output([]byte{send})
	}
	l.q.Notify()
	return true
}

// Winsize returns the window size (TIOCGWINSZ).
func (l *LineDisc) Winsize() Winsize {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ws
}

// SetWinsize changes it (TIOCSWINSZ): a change raises SIGWINCH.
func (l *LineDisc) SetWinsize(ws Winsize) {
	l.mu.Lock()
	changed := ws != l.ws
	l.ws = ws
	l.mu.Unlock()
	if changed && l.hooks.Signal != nil {
		l.hooks.Signal(SIGWINCH)
	}
}

// Flush throws away input, output or both (TCFLSH); output is never
// held here, so only input has anything to lose.
func (l *LineDisc) Flush(input bool) {
	if !input {
		return
	}
	l.mu.Lock()
	l.flushInput()
	l.mu.Unlock()
	l.q.Notify()
}

func (l *LineDisc) flushInput() { l.edit, l.lines, l.raw = nil, nil, nil }

// Hangup ends the terminal's session with its device (tty_hangup):
// readers see end of file and writers EIO from now on.
func (l *LineDisc) Hangup() {
	l.mu.Lock()
	l.hung = true
	l.mu.Unlock()
	l.q.Notify()
}

// Pending is how many bytes a read could take now (FIONREAD).
func (l *LineDisc) Pending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.raw)
	for _, ln := range l.lines {
		n += len(ln)
	}
	return n
}

// Readable reports whether a read would not block (n_tty_poll's
// input_available_p): a finished line, or VMIN bytes when VTIME is 0.
func (l *LineDisc) Readable() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.hung || l.eof {
		return true
	}
	if l.t.Lflag&ICANON != 0 {
		return len(l.lines) > 0
	}
	want := 1
	if l.t.CC[VTIME] == 0 && l.t.CC[VMIN] > 0 {
		want = int(l.t.CC[VMIN])
	}
	return len(l.raw) >= want
}

// EndOfInput is the end of the device's input (a console whose host
// input ended): what was typed becomes a line, and reads that find
// nothing more see end of file.
func (l *LineDisc) EndOfInput() {
	l.mu.Lock()
	if len(l.edit) > 0 {
		l.endLine()
	}
	l.eof = true
	l.mu.Unlock()
	l.q.Notify()
}
