package libstarry

import (
	"strconv"
	"strings"
	"sync"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Process file descriptors (kernel/pid.c, kernel/pidfd): a descriptor
// that names one process for as long as it is open, whatever later
// takes its PID. It polls readable once the process has exited (a
// zombie or reaped), and hung up once it is reaped.

// PidFD is the open file behind a pidfd.
type PidFD struct {
	P    *Process
	q    ipc.Queue
	once sync.Once
	stop chan struct{}
}

// pidfdNonblock is PIDFD_NONBLOCK (O_NONBLOCK); pidfdThread PIDFD_THREAD.
const (
	PidfdNonblock = abi.O_NONBLOCK
	PidfdThread   = abi.O_EXCL
)

// PidfdOpen is pidfd_open(2): flags, then the PID (positive), then a
// live process that has that ID (ESRCH) whose thread group it leads
// (EINVAL for another thread's ID unless PIDFD_THREAD; a thread's
// pidfd names its process here).
func (t *Thread) PidfdOpen(pid, flags int) (*fd.OpenFile, error) {
	if flags&^(PidfdNonblock|PidfdThread) != 0 || pid <= 0 {
		return nil, abi.EINVAL
	}
	k := t.P.k
	q := k.Process(pid)
	if q == nil || q == k.runnerProc() {
		th := k.Thread(pid)
		if th == nil {
			return nil, abi.ESRCH
		}
		if flags&PidfdThread == 0 {
			return nil, abi.EINVAL
		}
		q = th.P
	}
	return fd.New(NewPidFD(q), abi.O_RDWR|flags&PidfdNonblock), nil
}

// NewPidFD makes a pidfd file for p.
func NewPidFD(p *Process) *PidFD {
	f := &PidFD{P: p, stop: make(chan struct{})}
	go func() {
		select {
		case <-p.done:
			f.q.Notify()
		case <-f.stop:
		}
	}()
	return f
}

// Read and Write are EINVAL, as pidfd_fops has neither.
func (f *PidFD) Read(fd.Ctx, []byte) (int, error)  { return 0, abi.EINVAL }
func (f *PidFD) Write(fd.Ctx, []byte) (int, error) { return 0, abi.EINVAL }
func (f *PidFD) Stat() fd.Stat                     { return fd.Stat{Mode: 0o600, Nlink: 1} }
func (f *PidFD) NoExec()                           {}
func (f *PidFD) Unreadable()                       {}
func (f *PidFD) Unwritable()                       {}

// Release stops the watch on the process.
func (f *PidFD) Release() { f.once.Do(func() { close(f.stop) }) }

func (f *PidFD) Queue() *ipc.Queue { return &f.q }

// Readiness is pidfd_poll: EPOLLIN once the process has exited, and
// EPOLLHUP too once it is reaped.
func (f *PidFD) Readiness() uint32 {
	select {
	case <-f.P.done:
	default:
		return 0
	}
	r := uint32(abi.EPOLLIN)
	if f.P.k.Process(f.P.pid) != f.P {
		r |= abi.EPOLLHUP
	}
	return r
}

// Alive reports whether the process has not yet exited.
func (p *Process) Alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return !p.isExiting()
	}
}

// Reaped reports whether the process is gone from the PID table.
func (p *Process) Reaped() bool { return p.k.Process(p.pid) != p }

// ProcDirProcess is the process a /proc/PID directory opened by p names
// (pidfd_send_signal takes those as pidfds too): nil for any other
// file, and ESRCH once the process that directory was made for is gone
// (its PID may name another now).
func (p *Process) ProcDirProcess(q vfs.Path) (*Process, bool, error) {
	if q.Dentry == nil || !q.Dentry.Inode().IsDir() || q.Dentry.Inode().Ino&(1<<61) == 0 {
		return nil, false, nil
	}
	name := p.PathName(q)
	rest, ok := strings.CutPrefix(name, "/proc/")
	if !ok {
		return nil, false, nil
	}
	rest = strings.TrimSuffix(rest, " (deleted)")
	pid, err := strconv.Atoi(rest)
	if err != nil || pid <= 0 {
		return nil, false, nil
	}
	target := p.k.Process(pid)
	now, err := p.Resolve(p.At(vfs.Path{}), "/proc/"+rest, 0)
	if target == nil || err != nil || now.Dentry.Inode() != q.Dentry.Inode() {
		return nil, true, abi.ESRCH
	}
	return target, true, nil
}

// PidfdGetfd is pidfd_getfd(2)'s work once the pidfd is known: the
// process must not have exited (ESRCH), the caller may look into it as
// ptrace's PTRACE_MODE_ATTACH_REALCREDS allows (EPERM), and targetfd
// must be open there (EBADF). The file comes back for the caller to
// install with close-on-exec.
func (p *Process) PidfdGetfd(target *Process, targetfd int) (*fd.OpenFile, error) {
	if target.Reaped() {
		return nil, abi.ESRCH
	}
	if !p.MayAttach(target) {
		return nil, abi.EPERM
	}
	target.mu.Lock()
	fds := target.FDs
	target.mu.Unlock()
	if fds == nil || !target.Alive() {
		return nil, abi.EBADF // its descriptors are gone (exit_files)
	}
	return fds.Get(targetfd)
}

// MayAttach is __ptrace_may_access with real credentials: the same
// process, or the caller's real UID and GID are all of the target's
// UIDs and GIDs and the target is dumpable, or CAP_SYS_PTRACE.
func (p *Process) MayAttach(target *Process) bool {
	if p == target {
		return true
	}
	me, tc := p.Cred(), target.Cred()
	same := me.UID == tc.UID && me.UID == tc.EUID && me.UID == tc.SUID &&
		me.GID == tc.GID && me.GID == tc.EGID && me.GID == tc.SGID
	if !same && !me.Capable(CapSysPtrace) {
		return false
	}
	return target.Dumpable() || me.Capable(CapSysPtrace)
}

// SignalFrom sends info to p as pidfd_send_signal does (kill_pid_info):
// ESRCH once p is reaped, then the permission of kill(2) (EPERM); a
// zombie takes the signal and ignores it. Signal 0 only checks.
func (t *Thread) SignalFrom(p *Process, info SigInfo) error {
	if p.Reaped() {
		return abi.ESRCH
	}
	if !t.P.mayKill(p, info.Signo) {
		return abi.EPERM
	}
	if info.Signo != 0 && p.takesSignal(info.Signo) && p.Alive() {
		p.Signal(info)
	}
	return nil
}
