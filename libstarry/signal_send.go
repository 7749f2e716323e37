package libstarry

import "sort"

// Sending and delivering signals (kernel/signal.c): send_signal queues a
// signal on a thread or on its process; complete_signal picks a thread
// that does not block it and wakes it, or ends the process at once if
// the signal would only kill it; get_signal, on the way back to user
// mode, takes the lowest deliverable signal and acts on it.

// stopState is job control's part of a process: whether it is stopped,
// by which signal, and what a wait of its parent has yet to report.
type stopState struct {
	stopped         bool
	sig             int
	cont            chan struct{} // closed when it continues
	reportStop      bool          // for WUNTRACED
	reportContinued bool          // for WCONTINUED
}

// Kill sends sig to the process as kill(2) from the kernel would.
func (p *Process) Kill(sig int) { p.Signal(SigInfo{Signo: sig, Code: SI_USER}) }

// Signal sends a process-directed signal (kill, a child's SIGCHLD).
func (p *Process) Signal(info SigInfo) { p.send(nil, info) }

// Signal sends a signal to this thread alone (tgkill, tkill).
func (t *Thread) Signal(info SigInfo) { t.P.send(t, info) }

func (p *Process) send(to *Thread, info SigInfo) {
	sig := info.Signo
	if sig < 1 || sig > NSIG {
		return
	}
	p.prepareSignal(sig)
	act := p.sigh.get(sig)
	p.mu.Lock()
	if p.exiting {
		p.mu.Unlock()
		return
	}
	target := p.pickThread(to, sig)
	var waiting uint64 // what a target in rt_sigtimedwait really blocks (real_blocked)
	if target != nil {
		waiting = target.realBlocked
	}
	traced := target != nil && target.Traced() && sig != SIGKILL // the tracer sees every signal (sig_ignored)
	if ignored(sig, act) && target != nil && waiting&bit(sig) == 0 && !traced {
		p.mu.Unlock()
		return // thrown away on arrival; a blocked one stays pending
	}
	if to != nil {
		to.pending.add(info)
	} else {
		p.shared.add(info)
	}
	p.mu.Unlock()
	p.sigfdQ.Notify() // signalfd readers (signalfd_notify)
	switch {
	case target == nil:
	case fatal(sig, act) && !coreSignal(sig) && waiting&bit(sig) == 0 && !traced:
		p.Exit(ExitStatus{Signal: sig}) // the fast path of complete_signal; a core dump is the target's own
	default:
		target.poke()
	}
}

// pickThread chooses who takes sig: the thread it was sent to, else the
// first thread (by TID) that does not block it; nil if it is blocked
// there, or by all. p.mu is held.
func (p *Process) pickThread(to *Thread, sig int) *Thread {
	if to != nil {
		if to.sigmask&bit(sig) == 0 {
			return to
		}
		return nil
	}
	ts := make([]*Thread, 0, len(p.threads))
	for t := range p.threads {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].tid < ts[j].tid })
	for _, t := range ts {
		if t.sigmask&bit(sig) == 0 {
			return t
		}
	}
	return nil
}

// prepareSignal is prepare_signal's job control: a stop signal throws
// away a pending SIGCONT; SIGCONT (even blocked or ignored) and SIGKILL
// throw away pending stop signals and continue a stopped process.
func (p *Process) prepareSignal(sig int) {
	p.mu.Lock()
	switch {
	case defaultStop&bit(sig) != 0:
		p.discardPending(bit(SIGCONT))
	case sig == SIGCONT || sig == SIGKILL:
		p.discardPending(defaultStop)
	}
	p.mu.Unlock()
	if sig == SIGCONT || sig == SIGKILL {
		p.resume(sig == SIGCONT)
	}
}

// discardPending drops sigs from every pending set; p.mu is held.
func (p *Process) discardPending(sigs uint64) {
	p.shared.discard(sigs)
	for t := range p.threads {
		t.pending.discard(sigs)
	}
}

// groupStop stops the whole process (do_signal_stop) and tells the
// parent; the threads stop on their way back to user mode.
func (p *Process) groupStop(sig int) {
	p.mu.Lock()
	if p.stop.stopped || p.exiting {
		p.mu.Unlock()
		return
	}
	p.stop = stopState{stopped: true, sig: sig, cont: make(chan struct{}), reportStop: true}
	p.stopped.Store(true)
	for t := range p.threads {
		t.poke()
	}
	p.mu.Unlock()
	p.notifyParentStopped(CLD_STOPPED, sig)
}

// resume continues a stopped process; notify (it was SIGCONT) makes it
// a state change the parent hears of.
func (p *Process) resume(notify bool) {
	p.mu.Lock()
	if !p.stop.stopped {
		p.mu.Unlock()
		return
	}
	close(p.stop.cont)
	p.stop = stopState{reportContinued: notify}
	p.stopped.Store(false)
	p.mu.Unlock()
	if notify {
		p.notifyParentStopped(CLD_CONTINUED, SIGCONT)
	}
}

// waitWhileStopped holds the thread while its process is stopped. A
// traced thread instead reports the stop to its tracer once and goes on
// when the tracer resumes it (ptrace_attach's JOBCTL_TRAP_STOP); a
// tracer attaching meanwhile kicks it into that.
func (t *Thread) waitWhileStopped() {
	p := t.P
	if !p.stopped.Load() { // the common case, without the lock
		return
	}
	for {
		p.mu.Lock()
		st := p.stop
		p.mu.Unlock()
		if !st.stopped || t.trapGroupStop(st) {
			return
		}
		select {
		case <-st.cont:
		case <-p.dying:
			return
		case <-t.attachKick():
		}
	}
}

// deliverPending acts on pending signals (get_signal): ignored ones go,
// a default stop stops the process, a default kill ends it, and each
// with a handler gets a frame. Like Linux's exit-to-user loop it goes on
// while a signal the new mask lets through is pending, so the frames
// nest and the last one set up runs first. An interrupted system call is
// finished by the first.
// With the interrupt down, no call to finish and no mask to restore
// there is nothing to do: a deliverable signal always raises it.
func (t *Thread) deliverPending() {
	if !t.intr.up() && t.restart == restartNone && t.saved == nil {
		return
	}
	p := t.P
	defer t.recalcPending() // what was taken no longer interrupts
	if t.Traced() {
		t.ptraceInterrupted()
	}
	for {
		p.mu.Lock()
		info, ok := t.pending.take(t.sigmask)
		if !ok {
			info, ok = p.shared.take(t.sigmask)
		}
		p.mu.Unlock()
		if ok && !p.dequeued(&info) {
			continue // a stale timer signal (signalfd.go)
		}
		if ok && info.Signo != SIGKILL && t.Traced() {
			if info, ok = t.ptraceSignal(info); !ok {
				if p.isExiting() {
					return
				}
				continue // suppressed, or requeued
			}
		}
		if !ok {
			t.finishRestart(false, 0)
			t.restoreMask()
			return
		}
		act := p.sigh.get(info.Signo)
		switch sig := info.Signo; {
		case act.Handler == SIG_IGN:
		case act.Handler == SIG_DFL && defaultIgnore&bit(sig) != 0:
		case act.Handler == SIG_DFL && defaultStop&bit(sig) != 0:
			p.groupStop(sig)
			t.waitWhileStopped()
		case act.Handler == SIG_DFL:
			t.dieOf(info)
			return
		default:
			t.finishRestart(true, act.Flags)
			if !t.setupFrame(info, act) {
				t.dieOf(SigInfo{Signo: SIGSEGV, Code: SI_KERNEL}) // handle_signal: no room for the frame (force_sigsegv)
				return
			}
			t.saved = nil // in the frame now
		}
	}
}

// frameMask is the mask a handler's frame keeps for sigreturn: the one
// rt_sigsuspend replaced, if it did.
func (t *Thread) frameMask() uint64 {
	if t.saved != nil {
		return *t.saved
	}
	return t.sigmask
}

// restoreMask puts back a mask rt_sigsuspend replaced when no handler
// ran (restore_saved_sigmask).
func (t *Thread) restoreMask() {
	if t.saved != nil {
		t.setMask(*t.saved)
		t.saved = nil
	}
}

// force delivers a synchronous fault signal (force_sig_info): if the
// handler is SIG_IGN or the signal blocked, the handler is reset to
// SIG_DFL and the signal unblocked, so a fault can never be ignored.
func (t *Thread) force(info SigInfo) {
	if t.Traced() {
		t.forceTraced(info)
		return
	}
	h := t.P.sigh
	h.mu.Lock()
	act := h.actions[info.Signo]
	blocked := t.sigmask&bit(info.Signo) != 0
	if act.Handler == SIG_IGN || blocked {
		act.Handler = SIG_DFL
		h.actions[info.Signo] = act
	}
	h.mu.Unlock()
	if blocked {
		t.setMask(t.sigmask &^ bit(info.Signo))
	}
	if act.Handler == SIG_DFL {
		t.dieOf(info)
		return
	}
	t.finishRestart(true, act.Flags)
	if !t.setupFrame(info, act) {
		t.dieOf(SigInfo{Signo: SIGSEGV, Code: SI_KERNEL})
	}
}
