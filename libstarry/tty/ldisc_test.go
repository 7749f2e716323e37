package tty

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// screen records what the discipline sends to the device, and the
// signals it raises.
type screen struct {
	mu   sync.Mutex
	out  bytes.Buffer
	sigs []int
}

func newTTY() (*LineDisc, *screen) {
	s := &screen{}
	l := New(Hooks{
		Output: func(b []byte) { s.mu.Lock(); s.out.Write(b); s.mu.Unlock() },
		Signal: func(sig int) { s.mu.Lock(); s.sigs = append(s.sigs, sig); s.mu.Unlock() },
	})
	return l, s
}

func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

func nonblock() fd.Ctx { return fd.Ctx{Nonblock: true} }

func read(t *testing.T, l *LineDisc, c fd.Ctx, n int) (string, error) {
	t.Helper()
	b := make([]byte, n)
	got, err := l.Read(c, b)
	return string(b[:got]), err
}

// TestCanonicalEditing: a line is readable only when finished, erase,
// word erase and kill edit it with their echoes, CR becomes NL, and a
// read takes at most one line.
func TestCanonicalEditing(t *testing.T) {
	l, s := newTTY()
	l.Receive([]byte("helo\x7flo wrld\x17world"))
	if _, err := read(t, l, nonblock(), 100); err != abi.EAGAIN {
		t.Fatalf("read of an unfinished line: %v, want EAGAIN", err)
	}
	l.Receive([]byte("\rnext\n"))
	if got, _ := read(t, l, nonblock(), 100); got != "hello world\n" {
		t.Errorf("first line %q", got)
	}
	if got, _ := read(t, l, nonblock(), 2); got != "ne" {
		t.Errorf("a short read %q", got)
	}
	if got, _ := read(t, l, nonblock(), 100); got != "xt\n" {
		t.Errorf("the rest of the line %q", got)
	}
	want := "helo\b \blo wrld\b \b\b \b\b \b\b \bworld\r\nnext\r\n"
	if got := s.text(); got != want {
		t.Errorf("echo %q, want %q", got, want)
	}
	l.Receive([]byte("gone\x15kept\n"))
	if got, _ := read(t, l, nonblock(), 100); got != "kept\n" {
		t.Errorf("after kill %q", got)
	}
}

// TestEOFAndSignals: ^D ends a line without itself and on an empty line
// is end of file; ^C, ^\ and ^Z raise their signals, echo as ^C and
// flush what was typed.
func TestEOFAndSignals(t *testing.T) {
	l, s := newTTY()
	l.Receive([]byte("abc\x04"))
	if got, _ := read(t, l, nonblock(), 100); got != "abc" {
		t.Errorf("line ended by EOF %q", got)
	}
	l.Receive([]byte{4})
	if got, err := read(t, l, nonblock(), 100); got != "" || err != nil {
		t.Errorf("EOF on an empty line: %q %v", got, err)
	}
	l.Receive([]byte("typed\x03\x1c\x1a"))
	if want := []int{SIGINT, SIGQUIT, SIGTSTP}; len(s.sigs) != 3 || s.sigs[0] != want[0] || s.sigs[1] != want[1] || s.sigs[2] != want[2] {
		t.Errorf("signals %v, want %v", s.sigs, want)
	}
	if l.Pending() != 0 || l.Readable() {
		t.Errorf("input not flushed by ^C: %d pending", l.Pending())
	}
	if got := s.text(); got != "abctyped^C^\\^Z" { // ^D is not echoed
		t.Errorf("echo %q", got)
	}
}

// TestRawModes: VMIN and VTIME as termios(3) describes them.
func TestRawModes(t *testing.T) {
	l, s := newTTY()
	raw := l.Termios()
	raw.Lflag &^= ICANON | ECHO
	raw.CC[VMIN], raw.CC[VTIME] = 3, 0
	l.SetTermios(raw, false)
	l.Receive([]byte("ab"))
	if l.Readable() {
		t.Error("readable with 2 of VMIN 3 bytes")
	}
	done := make(chan string)
	go func() { got, _ := read(t, l, fd.Ctx{}, 10); done <- got }()
	time.Sleep(20 * time.Millisecond)
	l.Receive([]byte("c"))
	if got := <-done; got != "abc" {
		t.Errorf("VMIN 3 read %q", got)
	}
	raw.CC[VMIN], raw.CC[VTIME] = 0, 1 // wait up to 100 ms for anything
	l.SetTermios(raw, false)
	start := time.Now()
	if got, err := read(t, l, fd.Ctx{}, 10); got != "" || err != nil {
		t.Errorf("VTIME timeout read %q %v", got, err)
	}
	if d := time.Since(start); d < 90*time.Millisecond || d > 2*time.Second {
		t.Errorf("VTIME 1 waited %v", d)
	}
	raw.CC[VMIN], raw.CC[VTIME] = 0, 0
	l.SetTermios(raw, false)
	if got, err := read(t, l, fd.Ctx{}, 10); got != "" || err != nil {
		t.Errorf("polling read %q %v", got, err)
	}
	if s.text() != "" {
		t.Errorf("echo with ECHO off: %q", s.text())
	}
}

// TestModeSwitch: what was typed in canonical mode is readable once
// ICANON goes; output processing maps NL to CR NL only with OPOST.
func TestModeSwitch(t *testing.T) {
	l, s := newTTY()
	l.Receive([]byte("half"))
	raw := l.Termios()
	raw.Lflag &^= ICANON
	raw.CC[VMIN] = 1
	l.SetTermios(raw, false)
	if got, _ := read(t, l, nonblock(), 10); got != "half" {
		t.Errorf("after leaving ICANON %q", got)
	}
	s.out.Reset()
	if _, err := l.Write(fd.Ctx{}, []byte("a\nb")); err != nil {
		t.Fatal(err)
	}
	raw.Oflag &^= OPOST
	l.SetTermios(raw, false)
	_, _ = l.Write(fd.Ctx{}, []byte("c\n"))
	if got := s.text(); got != "a\r\nbc\n" {
		t.Errorf("output %q", got)
	}
	l.Hangup()
	if _, err := l.Write(fd.Ctx{}, []byte("x")); err != abi.EIO {
		t.Errorf("write after hangup: %v", err)
	}
	if got, err := read(t, l, fd.Ctx{}, 10); got != "" || err != nil {
		t.Errorf("read after hangup %q %v", got, err)
	}
}

// TestTermiosLayout: the ABI bytes round-trip and the defaults are
// tty_std_termios's (a Linux pty slave's, 0x500 5 0xbf 0x8a3b, lacks
// only HUPCL).
func TestTermiosLayout(t *testing.T) {
	std := StdTermios()
	b := std.Bytes()
	if len(b) != 36 || ParseTermios(b) != std {
		t.Fatalf("round trip: %x", b)
	}
	if std.Iflag != 0x500 || std.Oflag != 5 || std.Cflag != 0x4bf || std.Lflag != 0x8a3b {
		t.Errorf("flags %#x %#x %#x %#x", std.Iflag, std.Oflag, std.Cflag, std.Lflag)
	}
}

// TestFlowControl: ^S holds writes and ^Q releases them; TCOOFF holds
// them until TCOON, whatever is typed; TCIOFF and TCION send the flow
// characters; an unknown action is refused.
func TestFlowControl(t *testing.T) {
	l, s := newTTY()
	write := func() error { _, err := l.Write(nonblock(), []byte("w")); return err }
	l.Receive([]byte("\x13"))
	if err := write(); err != abi.EAGAIN {
		t.Fatalf("write after ^S: %v, want EAGAIN", err)
	}
	l.Receive([]byte("\x11"))
	if err := write(); err != nil {
		t.Fatalf("write after ^Q: %v", err)
	}
	l.Flow(TCOOFF)
	l.Receive([]byte("\x11"))
	if err := write(); err != abi.EAGAIN {
		t.Fatalf("write after TCOOFF and ^Q: %v, want EAGAIN", err)
	}
	l.Flow(TCOON)
	if err := write(); err != nil {
		t.Fatalf("write after TCOON: %v", err)
	}
	l.Flow(TCIOFF)
	l.Flow(TCION)
	if got := s.text(); got != "ww\x13\x11" {
		t.Errorf("device saw %q, want %q", got, "ww\x13\x11")
	}
	if l.Flow(4) {
		t.Error("action 4 was accepted")
	}
}
