package libstarry

import (
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/libstarry/tty"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Terminals (drivers/tty/tty_io.c and tty_jobctrl.c): a Tty is a line
// discipline on a device, the console's serial port or a pty master,
// and the session it controls with that session's foreground process
// group. Processes of the session that are not in the foreground get
// SIGTTIN when they read it and SIGTTOU when they write with TOSTOP or
// change its settings.

// Tty is one terminal. Its session and foreground group are guarded by
// Kernel.mu.
type Tty struct {
	k       *Kernel
	LD      *tty.LineDisc
	rdev    uint64
	path    string // its /dev name, for /proc/PID/fd
	session int    // the session it is the controlling terminal of; 0 for none
	pgrp    int    // that session's foreground process group
}

// newTty makes a terminal writing its output to out.
func newTty(k *Kernel, rdev uint64, path string, out func([]byte)) *Tty {
	tt := &Tty{k: k, rdev: rdev, path: path}
	tt.LD = tty.New(tty.Hooks{Output: out, Signal: tt.signalForeground})
	return tt
}

// signalForeground sends sig to every process of the foreground group
// (a signal character, SIGWINCH).
func (tt *Tty) signalForeground(sig int) {
	tt.k.mu.Lock()
	targets := tt.k.groupMembersLocked(tt.pgrp)
	tt.k.mu.Unlock()
	for _, q := range targets {
		q.Signal(SigInfo{Signo: sig, Code: SI_KERNEL})
	}
}

// groupMembersLocked lists the live processes of group pgid; k.mu is held.
func (k *Kernel) groupMembersLocked(pgid int) []*Process {
	var out []*Process
	if pgid == 0 {
		return nil
	}
	for _, q := range k.procs {
		if q.pgid == pgid && !q.zombie {
			out = append(out, q)
		}
	}
	return out
}

// orphanedLocked is will_become_orphaned_pgrp's test for pgid: no member
// has a parent in another group of the same session. k.mu is held.
func (k *Kernel) orphanedLocked(pgid int) bool {
	for _, q := range k.groupMembersLocked(pgid) {
		if par := q.parent; par != nil && par.pgid != pgid && par.sid == q.sid {
			return false
		}
	}
	return true
}

// checkChange is __tty_check_change: for p, a process whose controlling
// terminal tt is, outside the foreground group: sig goes to its group
// and the call is restarted after the stop (ERESTARTSYS), or it is EIO
// when sig would be ignored (for SIGTTIN only: a background writer that
// ignores SIGTTOU may write) or its group is orphaned.
func (tt *Tty) checkChange(p *Process, t *Thread, sig int) error {
	k := tt.k
	k.mu.Lock()
	if p.ctty != tt || tt.pgrp == 0 || p.pgid == tt.pgrp {
		k.mu.Unlock()
		return nil
	}
	pgid := p.pgid
	orphaned := k.orphanedLocked(pgid)
	targets := k.groupMembersLocked(pgid)
	k.mu.Unlock()
	ignoredOrBlocked := p.sigh.get(sig).Handler == SIG_IGN || t != nil && t.sigmask&bit(sig) != 0 // is_ignored
	switch {
	case ignoredOrBlocked:
		if sig == int(abi.SIGTTIN) {
			return abi.EIO
		}
		return nil
	case orphaned:
		return abi.EIO
	}
	for _, q := range targets {
		q.Signal(SigInfo{Signo: sig, Code: SI_KERNEL})
	}
	return ErrRestartSys
}

// TtyFile is an open terminal: the console, /dev/tty, a pty's slave.
type TtyFile struct {
	tt      *Tty
	stat    func() fd.Stat
	release func() // a pty slave counts its open files
}

// Release is the file's last close.
func (f *TtyFile) Release() {
	if f.release != nil {
		f.release()
	}
}

// Tty is the terminal the file is open on.
func (f *TtyFile) Tty() *Tty { return f.tt }

func callerOf(c fd.Ctx) (*Thread, *Process) {
	if t, ok := c.W.(*Thread); ok {
		return t, t.P
	}
	return nil, nil
}

// Read reads the terminal (tty_read): a background reader gets SIGTTIN.
func (f *TtyFile) Read(c fd.Ctx, b []byte) (int, error) {
	if t, p := callerOf(c); p != nil {
		if err := f.tt.checkChange(p, t, int(abi.SIGTTIN)); err != nil {
			return 0, err
		}
	}
	return f.tt.LD.Read(c, b)
}

// Write writes it (tty_write): with TOSTOP a background writer gets
// SIGTTOU.
func (f *TtyFile) Write(c fd.Ctx, b []byte) (int, error) {
	if t, p := callerOf(c); p != nil && f.tt.LD.Termios().Lflag&tty.TOSTOP != 0 {
		if err := f.tt.checkChange(p, t, int(abi.SIGTTOU)); err != nil {
			return 0, err
		}
	}
	return f.tt.LD.Write(c, b)
}

func (f *TtyFile) Stat() fd.Stat { return f.stat() }

// IsTerminal marks it for isatty (TCGETS).
func (f *TtyFile) IsTerminal() bool { return true }

// Async: a terminal has fasync (tty_fasync), so O_ASYNC stays set.
func (f *TtyFile) Async() {}

// Pending is FIONREAD's count.
func (f *TtyFile) Pending() int { return f.tt.LD.Pending() }

// Queue and Readiness make it pollable: readable as the discipline
// says, always writable.
func (f *TtyFile) Queue() *ipc.Queue { return f.tt.LD.Queue() }

func (f *TtyFile) Readiness() uint32 {
	r := uint32(abi.EPOLLOUT | abi.EPOLLWRNORM)
	if f.tt.LD.Readable() {
		r |= abi.EPOLLIN | abi.EPOLLRDNORM
	}
	return r
}

// openTtyDevice opens a node of major 5: /dev/tty is the caller's
// controlling terminal (ENXIO without one), /dev/console the console,
// /dev/ptmx a new pseudo-terminal pair.
func (p *Process) openTtyDevice(minor uint32, flags int, stat func() fd.Stat) (fd.File, error) {
	switch minor {
	case 0:
		tt := p.cttyOf()
		if tt == nil {
			return nil, abi.ENXIO
		}
		return &TtyFile{tt: tt, stat: stat}, nil
	case 1:
		f := p.consoleFile()
		if tf, ok := f.(*TtyFile); ok {
			p.acquireCtty(tf.tt, flags)
			return &TtyFile{tt: tf.tt, stat: stat}, nil
		}
		return f, nil
	case ptmxMinor:
		return p.OpenPtmx()
	}
	return nil, abi.ENXIO
}
