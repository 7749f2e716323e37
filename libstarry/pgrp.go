package libstarry

import (
	"github.com/starry-go/starry/personality/linux/abi"
)

// Process groups and sessions (kernel/sys.c), and kill(2)'s targets
// (kernel/signal.c's kill_something_info).

// SetPgid is setpgid(pid, pgid): the caller or one of its children (not
// yet exec'd, in the caller's session) joins or makes a process group
// of the caller's session. A session leader cannot move.
func (t *Thread) SetPgid(pid, pgid int) error {
	p, k := t.P, t.P.k
	if pid == 0 {
		pid = p.pid
	}
	if pgid == 0 {
		pgid = pid
	}
	if pgid < 0 {
		return abi.EINVAL
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	target := p
	if pid != p.pid {
		c := k.procs[pid]
		if c == nil || c.parent != p {
			return abi.ESRCH
		}
		if c.sid != p.sid {
			return abi.EPERM
		}
		if c.execed {
			return abi.EACCES
		}
		target = c
	}
	if target.sid == target.pid {
		return abi.EPERM
	}
	if pgid != target.pid && !k.groupInSessionLocked(pgid, target.sid) {
		return abi.EPERM
	}
	k.joinGroupLocked(target, pgid, target.sid)
	return nil
}

// groupInSessionLocked reports whether process group pgid exists in
// session sid; k.mu is held. A zombie is a member until it is reaped
// (Linux detaches its PIDs in release_task): a shell puts a pipeline's
// later processes in the group of the first, which may be dead by then.
func (k *Kernel) groupInSessionLocked(pgid, sid int) bool {
	for _, q := range k.procs {
		if q.pgid == pgid && q.sid == sid {
			return true
		}
	}
	return false
}

// Setsid makes the caller a session leader and process group leader of
// new ones (setsid): EPERM for a process group leader.
func (t *Thread) Setsid() (int, error) {
	p, k := t.P, t.P.k
	k.mu.Lock()
	defer k.mu.Unlock()
	if p.pgid == p.pid || k.groups[p.pid] > 0 {
		return 0, abi.EPERM
	}
	k.joinGroupLocked(p, p.pid, p.pid)
	p.ctty = nil // a new session has no controlling terminal
	return p.pid, nil
}

// Pgid and Sid read a process's group and session (getpgid, getsid);
// pid 0 is the caller. ESRCH for no such process.
func (t *Thread) Pgid(pid int) (int, error) {
	q, err := t.target(pid)
	if err != nil {
		return 0, err
	}
	t.P.k.mu.Lock()
	defer t.P.k.mu.Unlock()
	return q.pgid, nil
}

func (t *Thread) Sid(pid int) (int, error) {
	q, err := t.target(pid)
	if err != nil {
		return 0, err
	}
	t.P.k.mu.Lock()
	defer t.P.k.mu.Unlock()
	return q.sid, nil
}

func (t *Thread) target(pid int) (*Process, error) {
	if pid == 0 {
		return t.P, nil
	}
	q := t.P.k.Process(pid)
	if q == nil {
		return nil, abi.ESRCH
	}
	return q, nil
}

// KillPID is kill(pid, sig): pid > 0 one process, 0 the caller's process
// group, -1 every process but init and the caller, below -1 the process
// group -pid. ESRCH when no process matched, else EINVAL for a signal
// that does not exist (check_kill_permission, per target); sig 0 only
// checks.
func (t *Thread) KillPID(pid, sig int) error {
	if pid == -1<<31 {
		return abi.ESRCH // -INT_MIN is no group
	}
	p, k := t.P, t.P.k
	var targets []*Process
	k.mu.Lock()
	switch {
	case pid > 0: // a process, or the process of a thread (find_vpid)
		if q := k.procs[pid]; q != nil {
			targets = append(targets, q)
		} else if th := k.threads[pid]; th != nil {
			targets = append(targets, th.P)
		}
	case pid == -1:
		for _, q := range k.procs {
			if q.pid != InitPID && q != p {
				targets = append(targets, q)
			}
		}
	default:
		group := -pid
		if pid == 0 {
			group = p.pgid
		}
		for _, q := range k.procs {
			if q.pgid == group {
				targets = append(targets, q)
			}
		}
	}
	k.mu.Unlock()
	if len(targets) == 0 {
		return abi.ESRCH
	}
	if sig < 0 || sig > NSIG {
		return abi.EINVAL
	}
	sent := false
	for _, q := range targets {
		if !p.mayKill(q, sig) {
			continue
		}
		sent = true
		if sig != 0 && q.takesSignal(sig) {
			q.Signal(SigInfo{Signo: sig, Code: SI_USER, Pid: p.pid, UID: int(p.Cred().UID)})
		}
	}
	if !sent && pid != -1 {
		return abi.EPERM // one target, or a group none of which it may signal
	}
	return nil
}

// mayKill is check_kill_permission: privilege, a real or effective ID
// matching the target's real or saved one, or SIGCONT within the
// session.
func (p *Process) mayKill(q *Process, sig int) bool {
	c, d := p.Cred(), q.Cred()
	if c.EUID == 0 || c.EUID == d.SUID || c.EUID == d.UID || c.UID == d.SUID || c.UID == d.UID {
		return true
	}
	if sig == int(SIGCONT) {
		p.k.mu.Lock()
		defer p.k.mu.Unlock()
		return p.sid == q.sid
	}
	return false
}

// KillThread is tgkill(tgid, tid, sig), or tkill(tid, sig) with tgid
// -1: ESRCH unless tid names a live thread (of process tgid).
func (t *Thread) KillThread(tgid, tid, sig int) error {
	if tid <= 0 || tgid == 0 || tgid < -1 {
		return abi.EINVAL
	}
	target := t.P.k.Thread(tid)
	if target == nil || (tgid != -1 && target.P.pid != tgid) {
		return abi.ESRCH
	}
	if sig < 0 || sig > NSIG {
		return abi.EINVAL
	}
	if !t.P.mayKill(target.P, sig) {
		return abi.EPERM
	}
	if sig != 0 {
		target.Signal(SigInfo{Signo: sig, Code: SI_TKILL, Pid: t.P.pid, UID: int(t.P.Cred().UID)})
	}
	return nil
}

// IDInUse reports whether id names anything (find_vpid): a thread, a
// process (a zombie too), a process group or a session.
func (k *Kernel) IDInUse(id int) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.threads[id] != nil || k.procs[id] != nil || k.groups[id] > 0 || k.sessions[id] > 0
}

// OwnerExists reports whether a file owner still has a task of its kind
// (pid_task): the thread, the process with that PID, or a member of the
// group. F_GETOWN reads 0 for an owner that has none.
func (k *Kernel) OwnerExists(kind, id int) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch kind {
	case abi.F_OWNER_TID:
		return k.threads[id] != nil
	case abi.F_OWNER_PID:
		return k.procs[id] != nil
	case abi.F_OWNER_PGRP:
		return k.groups[id] > 0
	}
	return false
}
