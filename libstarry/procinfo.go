package libstarry

import (
	"sort"

	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// What /proc reads of processes, copied under the locks that guard it
// (Kernel.mu, then Process.mu, as the lock order says), so that
// procsource.go hands procfs values, never pointers into live state.

// threadSnap is one thread as /proc shows it.
type threadSnap struct {
	t             *Thread
	tid           int
	comm          string
	mask, pending uint64
	sleeping      bool
	tracer        int  // TracerPid: the tracing process, 0 for none
	traceStop     bool // in a tracing stop ('t')
}

// procSnap is one process as /proc shows it.
type procSnap struct {
	pid, ppid, pgid, sid int
	zombie, stopped      bool
	exitSignal           int
	status               ExitStatus
	threads              []threadSnap // by TID
	shared               uint64       // process-wide pending signals
	cred                 *Cred
	rlim                 [RlimNLimits]abi.Rlimit
	exe                  string
	mm                   *mm.MM // nil for init
}

// snapshot copies p's state for /proc.
func (p *Process) snapshot() procSnap {
	k := p.k
	k.mu.Lock()
	defer k.mu.Unlock()
	s := procSnap{pid: p.pid, pgid: p.pgid, sid: p.sid, zombie: p.zombie, exitSignal: p.exitSignal}
	if p.parent != nil {
		s.ppid = p.parent.pid
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for t := range p.threads {
		if t.tid != 0 {
			ts := threadSnap{t: t, tid: t.tid, comm: commString(t.Comm), mask: t.sigmask, pending: t.pending.set, sleeping: t.sleeping.Load()}
			if tr := t.trace; tr != nil {
				ts.tracer, ts.traceStop = tr.tracer.pid, tr.stopped
			}
			s.threads = append(s.threads, ts)
		}
	}
	sort.Slice(s.threads, func(i, j int) bool { return s.threads[i].tid < s.threads[j].tid })
	s.stopped, s.status, s.shared = p.stop.stopped, p.status, p.shared.set
	s.cred, s.rlim, s.exe = p.cred, p.rlim, p.exe
	if p.as != nil {
		s.mm = p.as.mm
	}
	return s
}

func commString(c [16]byte) string {
	for i, b := range c {
		if b == 0 {
			return string(c[:i])
		}
	}
	return string(c[:15])
}

// Name is the thread's name (task_struct.comm: prctl's PR_GET_NAME,
// /proc/PID/task/TID/comm), read under its process's lock.
func (t *Thread) Name() string {
	t.P.mu.Lock()
	defer t.P.mu.Unlock()
	return commString(t.Comm)
}

// SetName names the thread (set_task_comm): at most 15 bytes, under its
// process's lock, so that /proc's readers see it whole.
func (t *Thread) SetName(name string) {
	t.P.mu.Lock()
	defer t.P.mu.Unlock()
	t.Comm = [16]byte{}
	copy(t.Comm[:15], name)
}

// pids lists the processes, zombies included, by PID.
func (k *Kernel) pids() []*Process {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]*Process, 0, len(k.procs))
	for _, p := range k.procs {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pid < out[j].pid })
	return out
}

// taskCounts is the live threads, the last ID handed out and
// threads-max, for loadavg, stat and sys/kernel/threads-max.
func (k *Kernel) taskCounts() (threads, lastPID, threadsMax int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.threads), k.lastPID, k.maxTasks
}

// signalSets are the signals the process ignores and catches
// (collect_sigign_sigcatch).
func (p *Process) signalSets() (ign, cgt uint64) {
	h := p.sigh
	if h == nil {
		return 0, 0
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for sig := 1; sig <= NSIG; sig++ {
		switch h.actions[sig].Handler {
		case SIG_DFL:
		case SIG_IGN:
			ign |= bit(sig)
		default:
			cgt |= bit(sig)
		}
	}
	return ign, cgt
}

// fsPaths is the process's root, working directory and umask; ok is
// false for a process with none (init).
func (p *Process) fsPaths() (root, cwd vfs.Path, umask uint32, ok bool) {
	if p.fs == nil {
		return vfs.Path{}, vfs.Path{}, 0, false
	}
	p.fs.mu.Lock()
	defer p.fs.mu.Unlock()
	return p.fs.root, p.fs.cwd, p.fs.umask, p.fs.root.Dentry != nil
}
