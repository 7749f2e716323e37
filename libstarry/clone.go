package libstarry

import (
	"encoding/binary"

	"github.com/starry-go/starry/personality/linux/abi"
)

// Threads: clone with CLONE_THREAD (kernel/fork.c copy_process, for the
// thread case only) and the exit of one thread (do_exit).

// threadFlags are what every thread clone must share: the address space,
// fs info, the fd table, signal handlers, and the thread group.
const threadFlags = abi.CLONE_VM | abi.CLONE_FS | abi.CLONE_FILES | abi.CLONE_SIGHAND | abi.CLONE_THREAD

// cloneFlagsKnown are the flags CloneThread honours. CLONE_DETACHED is
// obsolete and ignored, as on Linux, but musl still passes it.
const cloneFlagsKnown = threadFlags | abi.CLONE_SYSVSEM | abi.CLONE_SETTLS |
	abi.CLONE_PARENT_SETTID | abi.CLONE_CHILD_SETTID | abi.CLONE_CHILD_CLEARTID | abi.CLONE_DETACHED

// CloneThread starts a thread in t's process that resumes where t is,
// with RAX 0, on stack (if non-zero) and with FS base tls (CLONE_SETTLS).
// Forking a new process is not supported yet: ENOSYS.
func (t *Thread) CloneThread(flags, stack, ptid, ctid, tls uint64) (int, error) {
	if flags&threadFlags != threadFlags {
		return 0, abi.ENOSYS
	}
	if flags&^cloneFlagsKnown != 0 {
		return 0, abi.EINVAL // an exit signal, vfork, new namespaces...
	}
	p := t.P
	nt, err := p.addThread()
	if err != nil {
		return 0, err
	}
	r := &nt.ctx.Regs
	*r = t.ctx.Regs
	r.RAX = 0
	if stack != 0 {
		r.RSP = stack
	}
	if flags&abi.CLONE_SETTLS != 0 {
		r.FSBase = tls
	}
	nt.sigmask = t.sigmask // the signal stack is not inherited by threads
	var tid [4]byte
	binary.LittleEndian.PutUint32(tid[:], uint32(nt.tid))
	// Linux ignores faults on these writes (copy_process's put_user).
	if flags&abi.CLONE_PARENT_SETTID != 0 {
		_ = p.MM.CopyOut(uintptr(ptid), tid[:])
	}
	if flags&abi.CLONE_CHILD_SETTID != 0 {
		_ = p.MM.CopyOut(uintptr(ctid), tid[:])
	}
	if flags&abi.CLONE_CHILD_CLEARTID != 0 {
		nt.ClearTID = uintptr(ctid)
	}
	go nt.run()
	return nt.tid, nil
}

// addThread makes a thread with the next TID, unless the process is
// already exiting (then the new thread would outlive the teardown).
func (p *Process) addThread() (*Thread, error) {
	ctx := p.env.NewContext()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exiting {
		return nil, abi.EAGAIN
	}
	if len(p.threads) >= maxThreads {
		return nil, abi.EAGAIN
	}
	t := &Thread{P: p, ctx: ctx, tid: p.cfg.Kernel.allocPID()}
	p.threads[t] = true
	return t, nil
}

// maxThreads bounds a process's threads (each holds a kernel thread while
// it runs in user mode).
const maxThreads = 64

// ExitThread ends the calling thread (exit(2)): clear_child_tid is zeroed
// and its futex woken (how pthread_join learns of it); when the last
// thread leaves this way, the process ends with its code.
func (t *Thread) ExitThread(code int) {
	p := t.P
	if t.ClearTID != 0 {
		var zero [4]byte
		if p.MM.CopyOut(t.ClearTID, zero[:]) == nil {
			// A shared (not private) wake, as mm_release does.
			if key, err := p.FutexKey(t.ClearTID, false); err == nil {
				_, _ = p.FutexWake(key, 1, FutexBitsetAll)
			}
		}
	}
	p.mu.Lock()
	p.lastExitCode = code & 0xff // if this is the last thread, the process's status
	p.mu.Unlock()
	t.exited = true
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
