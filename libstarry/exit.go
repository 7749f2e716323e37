package libstarry

import (
	"slices"
	"time"
)

// Exit (kernel/exit.c): a thread's end, the last thread's teardown of its
// process, and the process's afterlife as a zombie until its parent
// reaps it.

// Exit ends the whole process with status (do_group_exit): the first
// call wins, every thread leaves its loop after its current trap, and
// blocked calls are woken by Dying. A stopped process goes on to die.
func (p *Process) Exit(s ExitStatus) { p.exitFirst(s) }

// exitFirst is Exit, reporting whether this call was the first.
func (p *Process) exitFirst(s ExitStatus) bool {
	p.mu.Lock()
	if p.exiting {
		p.mu.Unlock()
		return false
	}
	p.exiting, p.status = true, s
	close(p.dying)
	p.dead.Store(true)
	if p.stop.stopped {
		close(p.stop.cont)
		p.stop = stopState{}
		p.stopped.Store(false)
	}
	p.mu.Unlock()
	return true
}

// setCoreDumped sets the status's core bit (coredump_finish), before
// the last thread's exit reports the status.
func (p *Process) setCoreDumped() {
	p.mu.Lock()
	p.status.Core = true
	p.mu.Unlock()
}

// ExitThread ends the calling thread (exit(2)); when the last thread
// leaves this way, the process ends with its code.
func (t *Thread) ExitThread(code int) {
	p := t.P
	p.mu.Lock()
	p.lastExitCode = code & 0xff // if this is the last thread, the process's status
	p.mu.Unlock()
	t.exited = true
}

// exit is do_exit, run by the thread's own goroutine as it leaves.
func (t *Thread) exit() {
	p, k := t.P, t.P.k
	t.exitFutexes()
	t.clearChildTID()
	p.mu.Lock()
	delete(p.threads, t)
	last := len(p.threads) == 0
	code := p.lastExitCode
	p.mu.Unlock()
	k.mu.Lock()
	delete(k.threads, t.tid)
	k.mu.Unlock()
	p.childWait.Notify() // an exec waiting for its siblings to go
	if !last {
		t.ptraceExit(false)
		return
	}
	p.Exit(ExitStatus{Code: code}) // a no-op after exit_group or a fatal signal
	t.ptraceExit(true)
	p.exitPtrace()
	p.disassociateCtty(true) // a session leader's terminal (a no-op for others)
	p.mu.Lock()
	as, vfork := p.as, p.vforkDone
	p.vforkDone = nil
	p.mu.Unlock()
	p.recordExit()
	p.reportSyscalls()
	as.put()    // exit_mm
	p.exitSem() // exit_sem
	p.FDs.Put() // exit_files
	if vfork != nil {
		close(vfork) // mm_release: the vfork parent goes on
	}
	p.becomeZombie()
	close(p.done)
}

// clearChildTID does mm_release's part for CLONE_CHILD_CLEARTID: zero
// the word and wake one waiter (pthread_join), shared as Linux does.
func (t *Thread) clearChildTID() {
	if t.ClearTID == 0 {
		return
	}
	p := t.P
	var zero [4]byte
	if p.MM.CopyOut(t.ClearTID, zero[:]) == nil {
		if key, err := p.FutexKey(t.ClearTID, false); err == nil {
			_, _ = p.FutexWake(key, 1, FutexBitsetAll)
		}
	}
	t.ClearTID = 0
}

// waitStatus encodes a process's end as wait(2) reports it.
func (s ExitStatus) waitStatus() int {
	if s.Signal != 0 && s.Core {
		return s.Signal | 0x80
	}
	if s.Signal != 0 {
		return s.Signal
	}
	return (s.Code & 0xff) << 8
}

// killedCode is a signal death's si_code: CLD_DUMPED with a core file.
func (s ExitStatus) killedCode() int {
	if s.Core {
		return CLD_DUMPED
	}
	return CLD_KILLED
}

// becomeZombie is exit_notify: the children go to init, then the parent
// hears of the death, or the process is reaped at once when nobody will
// wait for it (a parent ignoring SIGCHLD or setting SA_NOCLDWAIT, and
// init for the orphans it is given).
func (p *Process) becomeZombie() {
	k := p.k
	k.mu.Lock()
	reaper := k.reaperLocked(p)
	var orphans, zombies []*Process
	for c := range p.children {
		delete(p.children, c)
		c.setParent(reaper)
		reaper.children[c] = true
		switch {
		case !c.zombie:
			orphans = append(orphans, c)
		case reaper != k.runnerProc():
			zombies = append(zombies, c) // the subreaper hears of it
		case !c.reapWhole:
			k.reapLocked(c)
		}
	}
	p.zombie = true
	parent := p.parent
	act := parent.sigh.get(SIGCHLD)
	autoreap := parent == k.runnerProc() && !p.reapWhole ||
		p.exitSignal == SIGCHLD && (act.Handler == SIG_IGN || act.Flags&SA_NOCLDWAIT != 0)
	if autoreap {
		k.reapLocked(p)
	}
	k.mu.Unlock()
	p.notifyParentDeath(orphans)
	for _, z := range zombies {
		reaper.Signal(SigInfo{Signo: SIGCHLD, Code: CLD_EXITED, Pid: z.pid})
		reaper.childWait.Notify()
	}
	p.mu.Lock()
	st := p.status
	p.mu.Unlock()
	if p.exitSignal != 0 && parent != k.runnerProc() {
		info := SigInfo{Signo: p.exitSignal, Code: CLD_EXITED, Pid: p.pid, Status: st.Code}
		if st.Signal != 0 {
			info.Code, info.Status = st.killedCode(), st.Signal
		}
		parent.Signal(info)
	}
	parent.childWait.Notify()
}

// notifyParentStopped is do_notify_parent_cldstop: SIGCHLD unless the
// parent asked for none with SA_NOCLDSTOP, and a wake for its waits.
func (p *Process) notifyParentStopped(code, sig int) {
	p.k.mu.Lock()
	parent := p.parent
	p.k.mu.Unlock()
	if parent == nil {
		return
	}
	if act := parent.sigh.get(SIGCHLD); act.Flags&SA_NOCLDSTOP == 0 && parent != p.k.runnerProc() {
		parent.Signal(SigInfo{Signo: SIGCHLD, Code: code, Pid: p.pid, Status: sig})
	}
	parent.childWait.Notify()
}

// reapLocked is release_task: the zombie leaves the tree and its IDs are
// free again; k.mu is held.
func (k *Kernel) reapLocked(p *Process) {
	delete(p.parent.children, p)
	delete(k.procs, p.pid)
	k.leaveGroupLocked(p)
}

// Wait is the kernel runner's wait for a command it started: until the
// command is a zombie, then reaped.
func (p *Process) Wait() ExitStatus {
	<-p.done
	k := p.k
	k.mu.Lock()
	if k.procs[p.pid] == p {
		k.reapLocked(p)
	}
	k.mu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

// KillAll is init's last act at shutdown: SIGKILL to every process left
// (orphans the runner never started among them), then a wait until all
// are reaped or limit passes. It returns how many it found alive and
// how many are still there.
func (k *Kernel) KillAll(limit time.Duration) (found, left int) {
	return k.KillAllBut(nil, limit)
}

// KillAllBut is KillAll sparing the processes keep names (and init): the
// runner's way to clear away what a timed-out command left behind (its
// children in their own process groups, orphans) while background
// commands go on.
func (k *Kernel) KillAllBut(keep []*Process, limit time.Duration) (found, left int) {
	deadline := time.Now().Add(limit)
	for first := true; ; first = false {
		k.mu.Lock()
		var left []*Process
		n := 0
		for _, p := range k.procs {
			if p == k.init || slices.Contains(keep, p) {
				continue
			}
			n++
			if !p.zombie {
				left = append(left, p)
			}
		}
		k.mu.Unlock()
		if first {
			found = len(left)
		}
		if n == 0 || time.Now().After(deadline) {
			return found, n
		}
		for _, p := range left {
			p.Kill(SIGKILL)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
