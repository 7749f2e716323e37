package unixsock

import (
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// quiet is an errno the personality must not act on beyond returning
// it: errors.As finds the errno, but it is not the bare value a caller
// compares with (EPIPE without SIGPIPE, EINTR that is not restarted).
type quiet struct{ e abi.Errno }

func (q quiet) Error() string { return q.e.Error() }
func (q quiet) Unwrap() error { return q.e }

var (
	// errPipe is a broken pipe that raises no SIGPIPE: Linux sends the
	// signal only from unix_stream_sendmsg, and not under MSG_NOSIGNAL.
	// A bare abi.EPIPE from Send or Write means the signal is due.
	errPipe error = quiet{abi.EPIPE}
	// errIntr is a wait with a timeout (SO_RCVTIMEO, SO_SNDTIMEO) cut
	// short by a signal: sock_intr_errno gives EINTR then, not the
	// -ERESTARTSYS a bare abi.EINTR stands for.
	errIntr error = quiet{abi.EINTR}
)

// pipeErr is the EPIPE a stream send gives: with SIGPIPE unless flags
// has MSG_NOSIGNAL.
func pipeErr(flags int) error {
	if flags&abi.MSG_NOSIGNAL != 0 {
		return errPipe
	}
	return abi.EPIPE
}

// waitOpts is how one call may wait: not at all (O_NONBLOCK,
// MSG_DONTWAIT, a negative SO_*TIMEO), until a deadline, or for ever
// (a zero deadline).
type waitOpts struct {
	w        fd.Waiter
	nonblock bool
	deadline time.Time
}

func newWait(c fd.Ctx, nonblock bool, timeo time.Duration) waitOpts {
	o := waitOpts{w: c.W, nonblock: c.Nonblock || nonblock || timeo < 0}
	if timeo > 0 {
		o.deadline = time.Now().Add(timeo)
	}
	return o
}

// sleep waits on ch for the next Notify. A timeout turns the call
// non-blocking (it then fails with EAGAIN when it looks again, as
// Linux's loops do with timeo spent); a signal or the process's exit is
// EINTR, restartable only without a timeout (sock_intr_errno).
func (o *waitOpts) sleep(ch <-chan struct{}) error {
	var expire <-chan struct{}
	if !o.deadline.IsZero() {
		d := time.Until(o.deadline)
		if d <= 0 {
			o.nonblock = true
			return nil
		}
		tm := exo.NewTimer(d)
		defer tm.Stop()
		expire = tm.C
	}
	var intr error = abi.EINTR
	if !o.deadline.IsZero() {
		intr = errIntr
	}
	select {
	case <-ch:
		return nil
	case <-expire:
		o.nonblock = true
		return nil
	case <-o.w.Dying():
		return intr
	case <-o.w.Interrupted():
		return intr
	}
}

// partial is a transfer's result: what moved, or the error if nothing did.
func partial(n int, err error) (int, error) {
	if n > 0 {
		return n, nil
	}
	return 0, err
}

// callerCred is who is sending: the caller's, or nobody's.
func callerCred(w fd.Waiter) Ucred {
	if c, ok := w.(Caller); ok {
		return c.UnixCred()
	}
	return Ucred{UID: overflowID, GID: overflowID}
}

// overflowID is what an ID with no mapping reads as (overflowuid).
const overflowID = 65534
