package libstarry

import (
	"github.com/starry-go/starry/libstarry/tty"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The controlling terminal (tty_jobctrl.c): a session leader acquires
// one, its session's processes inherit it across fork, setsid leaves it,
// and the leader's exit hangs it up for the session.

// ctty is p's controlling terminal, or nil.
func (p *Process) cttyOf() *Tty {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	return p.ctty
}

// setCttyLocked makes tt the controlling terminal of p's session, with
// p's group in the foreground (__proc_set_tty); k.mu is held.
func (k *Kernel) setCttyLocked(p *Process, tt *Tty) {
	tt.session, tt.pgrp = p.sid, p.pgid
	for _, q := range k.procs {
		if q.sid == p.sid && !q.zombie {
			q.ctty = tt
		}
	}
}

// acquireCtty is tty_open_proc_set_tty: a session leader with no
// controlling terminal that opens one no session has (without
// O_NOCTTY) makes it its own.
func (p *Process) acquireCtty(tt *Tty, flags int) {
	if flags&abi.O_NOCTTY != 0 {
		return
	}
	k := p.k
	k.mu.Lock()
	defer k.mu.Unlock()
	if p.sid == p.pid && p.ctty == nil && tt.session == 0 {
		k.setCttyLocked(p, tt)
	}
}

// SetCtty is TIOCSCTTY: the caller must lead a session with no
// controlling terminal (EPERM), and tt must control no session unless
// steal is asked with CAP_SYS_ADMIN (EPERM).
func (t *Thread) SetCtty(tt *Tty, steal bool) error {
	p, k := t.P, t.P.k
	admin := p.Cred().Capable(CapSysAdmin)
	k.mu.Lock()
	defer k.mu.Unlock()
	if p.sid == p.pid && tt.session == p.sid {
		return nil
	}
	if p.sid != p.pid || p.ctty != nil {
		return abi.EPERM
	}
	if tt.session != 0 {
		if !steal || !admin {
			return abi.EPERM
		}
		for _, q := range k.procs {
			if q.ctty == tt {
				q.ctty = nil
			}
		}
	}
	k.setCttyLocked(p, tt)
	return nil
}

// NoCtty is TIOCNOTTY: ENOTTY unless tt is the caller's controlling
// terminal; a session leader gives it up for its whole session, with
// SIGHUP and SIGCONT to the foreground group.
func (t *Thread) NoCtty(tt *Tty) error {
	p := t.P
	k := p.k
	k.mu.Lock()
	if p.ctty != tt {
		k.mu.Unlock()
		return abi.ENOTTY
	}
	if p.sid != p.pid {
		p.ctty = nil
		k.mu.Unlock()
		return nil
	}
	k.mu.Unlock()
	p.disassociateCtty(false)
	return nil
}

// disassociateCtty is disassociate_ctty: the leader's session loses its
// terminal; the foreground group hears SIGHUP (and SIGCONT, unless the
// leader is exiting).
func (p *Process) disassociateCtty(exiting bool) {
	k := p.k
	k.mu.Lock()
	tt := p.ctty
	if tt == nil || tt.session != p.sid || p.sid != p.pid {
		k.mu.Unlock()
		return
	}
	fg := k.groupMembersLocked(tt.pgrp)
	tt.session, tt.pgrp = 0, 0
	for _, q := range k.procs {
		if q.sid == p.sid {
			q.ctty = nil
		}
	}
	k.mu.Unlock()
	for _, q := range fg {
		q.Signal(SigInfo{Signo: int(abi.SIGHUP), Code: SI_KERNEL})
		if !exiting {
			q.Signal(SigInfo{Signo: SIGCONT, Code: SI_KERNEL})
		}
	}
}

// Pgrp is TIOCGPGRP: the foreground group of the caller's controlling
// terminal tt (ENOTTY for another terminal).
func (t *Thread) Pgrp(tt *Tty) (int, error) {
	k := t.P.k
	k.mu.Lock()
	defer k.mu.Unlock()
	if t.P.ctty != tt {
		return 0, abi.ENOTTY
	}
	return tt.pgrp, nil
}

// TtySid is TIOCGSID: the session tt controls, for a process of it.
func (t *Thread) TtySid(tt *Tty) (int, error) {
	k := t.P.k
	k.mu.Lock()
	defer k.mu.Unlock()
	if t.P.ctty != tt || tt.session == 0 {
		return 0, abi.ENOTTY
	}
	return tt.session, nil
}

// SetPgrp is TIOCSPGRP (tiocspgrp): a background caller gets SIGTTOU
// first; then ENOTTY unless tt is its controlling terminal, EINVAL for a
// negative group, ESRCH for none, EPERM for one of another session.
func (t *Thread) SetPgrp(tt *Tty, pgid int) error {
	p, k := t.P, t.P.k
	switch err := tt.checkChange(p, t, int(abi.SIGTTOU)); err {
	case nil:
	case abi.EIO:
		return abi.ENOTTY
	default:
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if p.ctty != tt || tt.session != p.sid {
		return abi.ENOTTY
	}
	if pgid < 0 {
		return abi.EINVAL
	}
	// A zombie still names its group until it is reaped (find_vpid):
	// a shell sets a pipeline's group after its first member may be gone.
	var member *Process
	for _, q := range k.procs {
		if pgid != 0 && q.pgid == pgid {
			member = q
			break
		}
	}
	if member == nil {
		return abi.ESRCH
	}
	if member.sid != p.sid {
		return abi.EPERM
	}
	tt.pgrp = pgid
	return nil
}

// SetTermios is TCSETS, TCSETSW (drain: output is never queued here, so
// it is TCSETS) and TCSETSF (flush input): a background caller gets
// SIGTTOU first.
func (t *Thread) SetTermios(tt *Tty, ts tty.Termios, flush bool) error {
	if err := tt.checkChange(t.P, t, int(abi.SIGTTOU)); err != nil {
		return err
	}
	tt.LD.SetTermios(ts, flush)
	return nil
}

// CheckTtyChange is tty_check_change for the other requests that change
// a terminal (TCFLSH, TIOCSWINSZ's callers, TCXONC).
func (t *Thread) CheckTtyChange(tt *Tty) error {
	return tt.checkChange(t.P, t, int(abi.SIGTTOU))
}

// hangupSession is tty_signal_session_leader, for a terminal whose
// device went (a pty master's close): every process loses it as its
// controlling terminal, and the session leader gets SIGHUP and SIGCONT.
func (tt *Tty) hangupSession() {
	k := tt.k
	k.mu.Lock()
	var leaders []*Process
	for _, q := range k.procs {
		if q.ctty != tt {
			continue
		}
		q.ctty = nil
		if q.sid == q.pid && !q.zombie {
			leaders = append(leaders, q)
		}
	}
	tt.session, tt.pgrp = 0, 0
	k.mu.Unlock()
	for _, q := range leaders {
		q.Signal(SigInfo{Signo: int(abi.SIGHUP), Code: SI_KERNEL})
		q.Signal(SigInfo{Signo: SIGCONT, Code: SI_KERNEL})
	}
}
