package libstarry

import (
	"encoding/binary"
	"sync"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Taking signals without a handler: rt_sigtimedwait and signalfd
// (kernel/signal.c's do_sigtimedwait, fs/signalfd.c), and the hooks
// every dequeue goes through.

// SignalfdSiginfoSize is sizeof(struct signalfd_siginfo).
const SignalfdSiginfoSize = 128

// dequeued is called for each signal taken from a pending set, before
// it is acted on or handed out (dequeue_signal's tail): a POSIX timer's
// signal may be dropped (false) or start its timer again, and a SIGALRM
// starts a periodic ITIMER_REAL again.
func (p *Process) dequeued(info *SigInfo) bool {
	if info.Signo == int(abi.SIGALRM) {
		defer p.rearmReal()
	}
	if info.timer != nil {
		return info.timer.delivered(info)
	}
	return true
}

// takeSignal removes the lowest pending signal of set, the thread's own
// before its process's (dequeue_signal); stale timer signals are
// dropped on the way. Only the thread itself calls it.
func (t *Thread) takeSignal(set uint64) (SigInfo, bool) {
	p := t.P
	for {
		p.mu.Lock()
		info, ok := t.pending.take(^set)
		if !ok {
			info, ok = p.shared.take(^set)
		}
		p.mu.Unlock()
		if !ok {
			return SigInfo{}, false
		}
		ok = p.dequeued(&info)
		t.recalcPending()
		if ok {
			return info, true
		}
	}
}

// SigTimedWait is rt_sigtimedwait: it takes a pending signal of set, or
// waits up to timeout (negative: for ever) for one, with those signals
// unblocked meanwhile so that they wake it (but are not delivered, nor
// kill or are thrown away as ignored: realBlocked keeps what the thread
// really blocks). EAGAIN when the time runs out, EINTR when another
// signal (or the exit) came first.
func (t *Thread) SigTimedWait(set uint64, timeout time.Duration) (SigInfo, error) {
	set &^= unblockable
	if info, ok := t.takeSignal(set); ok {
		return info, nil
	}
	if timeout == 0 {
		return SigInfo{}, abi.EAGAIN
	}
	p := t.P
	old := t.sigmask
	p.mu.Lock()
	t.realBlocked = old
	p.mu.Unlock()
	t.setMask(old &^ set)
	var expire <-chan struct{}
	if timeout > 0 {
		tm := exo.NewTimer(timeout)
		defer tm.Stop()
		expire = tm.C
	}
	timedOut := false
	select {
	case <-t.Interrupted():
	case <-p.dying:
	case <-expire:
		timedOut = true
	}
	p.mu.Lock()
	t.realBlocked = 0
	p.mu.Unlock()
	info, ok := t.takeSignal(set)
	t.setMask(old)
	switch {
	case ok:
		return info, nil
	case timedOut:
		return SigInfo{}, abi.EAGAIN
	}
	return SigInfo{}, abi.EINTR
}

// SigInfoBytes is info as siginfo_t (128 bytes), as a handler or
// rt_sigtimedwait sees it.
func SigInfoBytes(info SigInfo) []byte {
	b := make([]byte, abi.SiginfoSize)
	putSigInfo(b, info)
	return b
}

// putSigInfoExtra fills the union members putSigInfo's abi encoder does
// not know: _timer (si_tid, si_overrun, si_sigval) for SI_TIMER, and
// _rt's si_sigval for the other negative codes (sigqueue).
func putSigInfoExtra(b []byte, info SigInfo) {
	const union = 16
	le := binary.LittleEndian
	switch {
	case info.Code == SI_TIMER:
		le.PutUint32(b[union:], uint32(info.TimerID))
		le.PutUint32(b[union+4:], uint32(info.Overrun))
		le.PutUint64(b[union+8:], info.Value)
	case info.Code < 0:
		le.PutUint64(b[union+8:], info.Value)
	}
}

// signalfdInfo is info as struct signalfd_siginfo (signalfd_copyinfo),
// the members filled as siginfo_layout says.
func signalfdInfo(b []byte, info SigInfo) {
	le := binary.LittleEndian
	clear(b[:SignalfdSiginfoSize])
	le.PutUint32(b[0:], uint32(info.Signo))
	le.PutUint32(b[8:], uint32(info.Code))
	switch {
	case info.Code == SI_TIMER:
		le.PutUint32(b[24:], uint32(info.TimerID)) // ssi_tid
		le.PutUint32(b[32:], uint32(info.Overrun))
		le.PutUint32(b[44:], uint32(info.Value)) // ssi_int
		le.PutUint64(b[48:], info.Value)         // ssi_ptr
	case info.Signo == SIGCHLD && info.Code > 0 && info.Code < SI_KERNEL:
		le.PutUint32(b[12:], uint32(info.Pid))
		le.PutUint32(b[16:], uint32(info.UID))
		le.PutUint32(b[40:], uint32(info.Status))
	case info.Code > 0 && info.Code < SI_KERNEL:
		le.PutUint64(b[72:], info.Addr) // ssi_addr
	case info.Code < 0:
		le.PutUint32(b[12:], uint32(info.Pid))
		le.PutUint32(b[16:], uint32(info.UID))
		le.PutUint32(b[44:], uint32(info.Value))
		le.PutUint64(b[48:], info.Value)
	default:
		le.PutUint32(b[12:], uint32(info.Pid))
		le.PutUint32(b[16:], uint32(info.UID))
	}
}

// SignalFD is a signalfd: reading it takes pending signals of its mask
// (the reader's own and its process's), as struct signalfd_siginfo. Its
// readiness, which Linux computes for whichever thread polls, is the
// creating process's: a pending signal of the mask in the process or in
// any of its threads.
type SignalFD struct {
	p    *Process
	mu   sync.Mutex
	mask uint64
}

// NewSignalFD makes a signalfd of p for the signals in mask (SIGKILL
// and SIGSTOP never count).
func NewSignalFD(p *Process, mask uint64) *SignalFD {
	return &SignalFD{p: p, mask: mask &^ unblockable}
}

// SetMask replaces the mask of an existing signalfd, waking its readers.
func (s *SignalFD) SetMask(mask uint64) {
	s.mu.Lock()
	s.mask = mask &^ unblockable
	s.mu.Unlock()
	s.p.sigfdQ.Notify()
}

func (s *SignalFD) getMask() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mask
}

// Read is signalfd_read: as many signals as whole records fit, waiting
// (unless non-blocking) only for the first.
func (s *SignalFD) Read(c fd.Ctx, b []byte) (int, error) {
	n := len(b) / SignalfdSiginfoSize
	t, ok := c.W.(*Thread)
	if n == 0 || !ok {
		return 0, abi.EINVAL
	}
	q := &t.P.sigfdQ
	done := 0
	for done < n {
		ch := q.Wait()
		if info, ok := t.takeSignal(s.getMask()); ok {
			signalfdInfo(b[done*SignalfdSiginfoSize:], info)
			done++
			continue
		}
		if done > 0 {
			break
		}
		if c.Nonblock {
			return 0, abi.EAGAIN
		}
		select {
		case <-ch:
		case <-t.P.dying:
			return 0, abi.EINTR
		case <-t.Interrupted():
			return 0, abi.EINTR
		}
	}
	return done * SignalfdSiginfoSize, nil
}

// Write: a signalfd has no write.
func (s *SignalFD) Write(fd.Ctx, []byte) (int, error) { return 0, abi.EINVAL }
func (s *SignalFD) Unwritable()                       {}

func (s *SignalFD) Stat() fd.Stat                  { return fd.Stat{Mode: 0o600, Nlink: 1} }
func (s *SignalFD) NoExec()                        {}
func (s *SignalFD) Seek(int64, int) (int64, error) { return 0, nil }
func (s *SignalFD) Queue() *ipc.Queue              { return &s.p.sigfdQ }

func (s *SignalFD) Readiness() uint32 {
	mask := s.getMask()
	p := s.p
	p.mu.Lock()
	defer p.mu.Unlock()
	pending := p.shared.set
	for t := range p.threads {
		pending |= t.pending.set
	}
	if pending&mask != 0 {
		return abi.EPOLLIN
	}
	return 0
}
