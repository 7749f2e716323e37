package tty

import (
	"time"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Read reads as n_tty_read does: in canonical mode at most one finished
// line (an empty one, from VEOF on an empty line, is end of file); in
// non-canonical mode as VMIN and VTIME say. EAGAIN when it would block
// and c is non-blocking; EINTR on a signal or when the reader is dying.
func (l *LineDisc) Read(c fd.Ctx, b []byte) (int, error) {
	start := time.Now()
	for {
		wait := l.q.Wait()
		l.mu.Lock()
		n, done, timeout := l.take(b, start)
		l.mu.Unlock()
		if done {
			if n > 0 {
				l.q.Notify() // writers of a pty master wait for room
			}
			return n, nil
		}
		if c.Nonblock {
			return 0, abi.EAGAIN
		}
		if timeout == 0 {
			timeout = -1 // no VTIME timer: wait for input
		}
		if err := ipc.Sleep(c.W, wait, timeout); err != nil && err != abi.ETIMEDOUT {
			return 0, err
		}
	}
}

// take moves what a read may have into b; done says the read is over,
// and otherwise timeout (when positive) how long VTIME lets it wait.
// l.mu is held.
func (l *LineDisc) take(b []byte, start time.Time) (n int, done bool, timeout time.Duration) {
	if len(b) == 0 {
		return 0, true, 0
	}
	if l.t.Lflag&ICANON != 0 {
		if len(l.lines) == 0 {
			return 0, l.hung || l.eof, 0
		}
		n = copy(b, l.lines[0])
		if l.lines[0] = l.lines[0][n:]; len(l.lines[0]) == 0 {
			l.lines = l.lines[1:]
		}
		return n, true, 0
	}
	vmin, vtime := int(l.t.CC[VMIN]), time.Duration(l.t.CC[VTIME])*100*time.Millisecond
	want := min(max(1, vmin), len(b))
	switch {
	case len(l.raw) >= want || l.hung || l.eof:
	case vmin == 0 && vtime == 0:
	case vmin == 0: // a read timer from the start
		if left := vtime - time.Since(start); left > 0 {
			return 0, false, left
		}
	case vtime > 0 && len(l.raw) > 0: // an inter-byte timer from the last byte
		if left := vtime - time.Since(l.last); left > 0 {
			return 0, false, left
		}
	default:
		return 0, false, 0
	}
	n = copy(b, l.raw)
	l.raw = l.raw[n:]
	return n, true, 0
}

// Write writes b through output processing (n_tty_write): EIO once hung
// up; while output is stopped (VSTOP) it waits for VSTART (EINTR on a
// signal).
func (l *LineDisc) Write(c fd.Ctx, b []byte) (int, error) {
	for {
		wait := l.q.Wait()
		l.mu.Lock()
		hung, stopped := l.hung, l.stopped
		var out []byte
		if !hung && !stopped {
			out = l.post(nil, b)
		}
		l.mu.Unlock()
		switch {
		case hung:
			return 0, abi.EIO
		case !stopped:
			if l.hooks.Output != nil {
				l.hooks.Output(out)
			}
			return len(b), nil
		case c.Nonblock:
			return 0, abi.EAGAIN
		}
		if err := ipc.Sleep(c.W, wait, -1); err != nil {
			return 0, err
		}
	}
}

// post applies output processing (OPOST: OLCUC, ONLCR, OCRNL, ONLRET)
// to b, appending to out; l.mu is held.
func (l *LineDisc) post(out, b []byte) []byte {
	of := l.t.Oflag
	if of&OPOST == 0 {
		return append(out, b...)
	}
	for _, c := range b {
		switch {
		case c == '\n' && of&ONLCR != 0:
			out = append(out, '\r', '\n')
		case c == '\r' && of&OCRNL != 0:
			out = append(out, '\n')
		case c >= 'a' && c <= 'z' && of&OLCUC != 0:
			out = append(out, c-'a'+'A')
		default:
			out = append(out, c)
		}
	}
	return out
}
