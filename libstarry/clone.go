package libstarry

import (
	"encoding/binary"

	"github.com/starry-go/starry/personality/linux/abi"
)

// clone (kernel/fork.c's copy_process): a new thread in the caller's
// process with CLONE_THREAD, otherwise a new process that copies, or
// shares as the flags say, the caller's address space (CLONE_VM), its
// descriptor table (CLONE_FILES), working directory (CLONE_FS) and
// signal handlers (CLONE_SIGHAND).

// CloneArgs are clone's or clone3's arguments.
type CloneArgs struct {
	Flags      uint64
	Stack, TLS uint64
	ParentTID  uint64 // CLONE_PARENT_SETTID writes the new TID here
	ChildTID   uint64 // CLONE_CHILD_SETTID and CLONE_CHILD_CLEARTID
	ExitSignal int    // sent to the parent at the child's exit
}

// cloneFlagsKnown are the flags Clone honours. CLONE_DETACHED is
// obsolete and ignored, as on Linux (musl still passes it); CLONE_IO,
// CLONE_UNTRACED and CLONE_PTRACE change nothing here.
const cloneFlagsKnown = abi.CLONE_VM | abi.CLONE_FS | abi.CLONE_FILES | abi.CLONE_SIGHAND | abi.CLONE_THREAD |
	abi.CLONE_SYSVSEM | abi.CLONE_SETTLS | abi.CLONE_PARENT_SETTID | abi.CLONE_CHILD_SETTID |
	abi.CLONE_CHILD_CLEARTID | abi.CLONE_DETACHED | abi.CLONE_VFORK | abi.CLONE_PARENT |
	abi.CLONE_IO | abi.CLONE_UNTRACED | abi.CLONE_PTRACE

// maxThreads bounds a process's threads (each holds a kernel thread while
// it runs in user mode).
const maxThreads = 64

// Clone makes a thread or a process that resumes where t is, with RAX 0,
// on the given stack (if non-zero) and TLS (CLONE_SETTLS); it returns the
// new TID. The flag checks are copy_process's.
func (t *Thread) Clone(a CloneArgs) (int, error) {
	f := a.Flags
	switch {
	case f&(abi.CLONE_NEWNS|abi.CLONE_FS) == abi.CLONE_NEWNS|abi.CLONE_FS,
		f&(abi.CLONE_NEWUSER|abi.CLONE_FS) == abi.CLONE_NEWUSER|abi.CLONE_FS,
		f&abi.CLONE_THREAD != 0 && f&(abi.CLONE_NEWUSER|abi.CLONE_NEWPID) != 0:
		return 0, abi.EINVAL
	case f&^(cloneFlagsKnown|cloneNewAll) != 0:
		return 0, abi.EINVAL // CLONE_PIDFD, CLONE_SETTLS's cousins...
	case f&abi.CLONE_THREAD != 0 && f&abi.CLONE_SIGHAND == 0,
		f&abi.CLONE_SIGHAND != 0 && f&abi.CLONE_VM == 0:
		return 0, abi.EINVAL
	case f&abi.CLONE_PARENT != 0 && t.P.pid == InitPID:
		return 0, abi.EINVAL
	}
	if err := t.P.cloneNamespaces(f); err != nil {
		return 0, err
	}
	if f&abi.CLONE_THREAD != 0 {
		return t.cloneThread(a)
	}
	return t.cloneProcess(a)
}

// copyRegs starts the new thread where t is: RAX 0, and the stack and
// TLS the caller gave.
func (t *Thread) copyRegs(nt *Thread, a CloneArgs) {
	r := &nt.ctx.Regs
	*r = t.ctx.Regs
	r.RAX = 0
	if a.Stack != 0 {
		r.RSP = a.Stack
	}
	if a.Flags&abi.CLONE_SETTLS != 0 {
		r.FSBase = a.TLS
	}
	nt.sigmask = t.sigmask
}

// cloneThread adds a thread to t's process.
func (t *Thread) cloneThread(a CloneArgs) (int, error) {
	p, k := t.P, t.P.k
	nt := p.newThread()
	t.copyRegs(nt, a)
	nt.altstack = AltStack{Flags: SS_DISABLE} // sas_ss_reset: threads get no signal stack
	k.mu.Lock()
	p.mu.Lock()
	tid, ok := k.allocPIDLocked()
	if !ok || p.exiting || p.execing || len(p.threads) >= maxThreads {
		p.mu.Unlock()
		k.mu.Unlock()
		return 0, abi.EAGAIN
	}
	nt.tid = tid
	p.threads[nt] = true
	k.threads[tid] = nt
	p.mu.Unlock()
	k.mu.Unlock()
	t.setTIDWords(nt, a)
	event := t.ptraceChild(nt, a)
	nt.start()
	t.ptraceForked(event, tid)
	return tid, nil
}

// forkReserve is how many free frames a fork leaves: below it fork is
// ENOMEM, so that after a fork near the end of memory the parent can
// still copy the pages it writes next instead of being killed for them.
func forkReserve(userFrames int) int { return max(64, userFrames/64) }

// cloneProcess makes a child process.
func (t *Thread) cloneProcess(a CloneArgs) (int, error) {
	p, f := t.P, a.Flags
	as := p.as.share()
	if f&abi.CLONE_VM == 0 {
		as.put()
		if ex := p.cfg.Exo; ex.FreeFrames() < forkReserve(ex.UserFrames()) {
			return 0, abi.ENOMEM
		}
		var err error
		if as, err = newAddrSpace(p.cfg.Exo); err != nil {
			return 0, abi.ENOMEM
		}
		if err := p.MM.Fork(as.mm); err != nil {
			as.put()
			return 0, err
		}
	}
	fds, fs, sigh := p.FDs.Share(), p.fs, p.sigh
	if f&abi.CLONE_FILES == 0 {
		fds.Put()
		fds = p.FDs.Fork()
	}
	if f&abi.CLONE_FS == 0 {
		fs = fs.copy()
	}
	if f&abi.CLONE_NEWNS != 0 {
		fs.copyMountNS()
	}
	if f&abi.CLONE_SIGHAND == 0 {
		sigh = sigh.copy()
	}
	c := newProcess(p.cfg, p.sys, as, fds, fs, sigh)
	c.exe = p.Exe()
	p.mu.Lock()
	c.rlim = p.rlim // copy_signal
	c.cred = p.cred // copy_creds: shared until one side changes it
	c.attrs = p.attrs.forked()
	if f&abi.CLONE_VM != 0 {
		c.ru.baseCPU = as.env.CPUTime() // the shared Env's time so far is the parent's
	}
	p.mu.Unlock()
	nt := c.newThread()
	t.copyRegs(nt, a)
	if f&abi.CLONE_VM == 0 || f&abi.CLONE_VFORK != 0 {
		nt.altstack = t.altstack // kept by fork and vfork (sas_ss_reset otherwise)
	} else {
		nt.altstack = AltStack{Flags: SS_DISABLE}
	}
	nt.Comm = t.Comm
	nt.inheritTimerSlack(t)
	parent := p
	if f&abi.CLONE_PARENT != 0 {
		parent = p.parentProcess()
	}
	var vfork chan struct{}
	if f&abi.CLONE_VFORK != 0 {
		vfork = make(chan struct{})
		c.vforkDone = vfork
	}
	c.ctty = p.cttyOf() // copy_signal: the session's terminal
	if !p.k.adopt(parent, c, nt, a.ExitSignal) {
		as.put()
		fds.Put()
		return 0, abi.EAGAIN
	}
	t.setTIDWords(nt, a)
	event := t.ptraceChild(nt, a)
	nt.start()
	t.ptraceForked(event, nt.tid)
	if vfork != nil {
		// The parent sleeps until the child execs or exits (killable).
		select {
		case <-vfork:
		case <-p.dying:
		}
	}
	return nt.tid, nil
}

// parentProcess is p's parent (CLONE_PARENT makes a sibling).
func (p *Process) parentProcess() *Process {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	return p.parent
}

// adopt gives the new process c and its first thread their ID and their
// place under parent, in parent's process group and session; false when
// IDs run out or the parent is exiting.
func (k *Kernel) adopt(parent, c *Process, t *Thread, exitSignal int) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	id, ok := k.allocPIDLocked()
	if !ok || parent.isExiting() {
		return false
	}
	c.pid, t.tid = id, id
	c.threads[t] = true
	k.threads[id] = t
	k.procs[id] = c
	c.exitSignal = exitSignal
	c.setParent(parent)
	parent.children[c] = true
	k.joinGroupLocked(c, parent.pgid, parent.sid)
	return true
}

// setTIDWords writes the new TID where the caller asked (copy_process's
// put_user calls, whose faults Linux ignores): CLONE_PARENT_SETTID in
// the caller's memory, CLONE_CHILD_SETTID in the child's.
func (t *Thread) setTIDWords(nt *Thread, a CloneArgs) {
	var tid [4]byte
	binary.LittleEndian.PutUint32(tid[:], uint32(nt.tid))
	if a.Flags&abi.CLONE_PARENT_SETTID != 0 {
		_ = t.P.MM.CopyOut(uintptr(a.ParentTID), tid[:])
	}
	if a.Flags&abi.CLONE_CHILD_SETTID != 0 {
		_ = nt.P.MM.CopyOut(uintptr(a.ChildTID), tid[:])
	}
	if a.Flags&abi.CLONE_CHILD_CLEARTID != 0 {
		nt.ClearTID = uintptr(a.ChildTID)
	}
}

// ThreadByTID finds a live thread of the process.
func (p *Process) ThreadByTID(tid int) *Thread {
	p.mu.Lock()
	defer p.mu.Unlock()
	for t := range p.threads {
		if t.tid == tid {
			return t
		}
	}
	return nil
}
