package tests

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPty makes a host pseudo-terminal pair (posix_openpt, unlockpt,
// ptsname): the master for the test, the slave for the program under
// test, as a terminal emulator would.
func openPty() (master, slave *os.File, err error) {
	mfd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	master = os.NewFile(uintptr(mfd), "/dev/ptmx")
	if err := unix.IoctlSetPointerInt(mfd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("unlockpt: %w", err)
	}
	n, err := unix.IoctlGetInt(mfd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("ptsname: %w", err)
	}
	name := "/dev/pts/" + strconv.Itoa(n)
	slave, err = os.OpenFile(name, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	ws := &unix.Winsize{Row: 24, Col: 80}
	_ = unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, ws)
	return master, slave, nil
}

// screen collects what a pty master reads, for a test to wait on.
type screen struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	seen int // how far expect has consumed
	more chan struct{}
}

// readFrom copies the master's output until it fails (the slave side
// closed). Carriage returns are dropped: the guest's line discipline
// sends CR NL and the host pty, whose output processing QEMU leaves on,
// adds a CR of its own.
func (s *screen) readFrom(m *os.File) {
	b := make([]byte, 4096)
	for {
		n, err := m.Read(b)
		s.mu.Lock()
		s.buf.Write(bytes.ReplaceAll(b[:n], []byte("\r"), nil))
		s.mu.Unlock()
		select {
		case s.more <- struct{}{}:
		default:
		}
		if err != nil {
			return
		}
	}
}

// expect waits until want appears after what earlier calls consumed,
// and consumes up to its end.
func (s *screen) expect(t *testing.T, want string, limit time.Duration) {
	t.Helper()
	deadline := time.After(limit)
	for {
		s.mu.Lock()
		i := bytes.Index(s.buf.Bytes()[s.seen:], []byte(want))
		if i >= 0 {
			s.seen += i + len(want)
		}
		s.mu.Unlock()
		if i >= 0 {
			return
		}
		select {
		case <-s.more:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatalf("no %q on the terminal within %v; it shows (after the last match):\n%s", want, limit, s.tail())
		}
	}
}

// tail is what the terminal showed since the last match.
func (s *screen) tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()[s.seen:]
}

// all is everything the terminal showed.
func (s *screen) all() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
