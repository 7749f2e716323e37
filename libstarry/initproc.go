package libstarry

import (
	"github.com/starry-go/starry/libstarry/procfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// A real init: the kernel's runner can start one program as PID 1
// (Linux's /sbin/init) instead of playing init itself. The runner's
// thread-less process then steps aside as process 0, the new init's
// parent (Linux's idle task, which shows as PPID 0), and keeps the parts
// only a process without threads can play: it reaps nothing but init,
// and hears no SIGCHLD. Orphans go to the real init, which reaps them
// with wait as Linux's init does.

// initState is what the kernel keeps of a real init and of shutdown.
type initState struct {
	runner *Process // the runner's process once a real init took PID 1
	// reboot ends the machine (reboot(2)); nil when nobody can.
	reboot func(RebootCmd, int)
}

// RebootCmd is what reboot(2) asked for.
type RebootCmd int

const (
	RebootPowerOff RebootCmd = iota // LINUX_REBOOT_CMD_POWER_OFF
	RebootHalt                      // LINUX_REBOOT_CMD_HALT
	RebootRestart                   // LINUX_REBOOT_CMD_RESTART and RESTART2
)

// StartInit runs the program at path as PID 1 with the console on fds
// 0-2 and, as on Linux, no controlling terminal, in process group and
// session 0 (init makes its own with setsid). It must come before any
// other process is started (EBUSY). The runner waits for it with Wait.
func StartInit(cfg Config, sys SyscallHandler, path string, argv, envv []string) (*Process, error) {
	if cfg.Kernel == nil {
		cfg.Kernel = NewKernel()
	}
	k := cfg.Kernel
	k.mu.Lock()
	busy := len(k.procs) > 1 || k.ini.runner != nil
	k.mu.Unlock()
	if busy {
		return nil, abi.EBUSY
	}
	return start(cfg, sys, path, argv, envv, true)
}

// adoptStart gives a process the runner starts its ID and parent: a
// new PID under init, or, for a real init, PID 1 taken over from the
// runner, which becomes process 0 and init's parent.
func (k *Kernel) adoptStart(p *Process, t *Thread, asInit bool) bool {
	if !asInit {
		return k.adopt(k.init, p, t, int(SIGCHLD))
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ini.runner != nil || len(k.procs) > 1 {
		return false
	}
	r := k.init
	delete(k.procs, InitPID)
	k.leaveGroupLocked(r)
	r.pid = 0
	k.joinGroupLocked(r, 0, 0)
	p.pid, t.tid = InitPID, InitPID
	p.threads[t] = true
	k.threads[InitPID] = t
	k.procs[InitPID] = p
	p.exitSignal = 0
	p.setParent(r)
	r.children[p] = true
	k.joinGroupLocked(p, 0, 0)
	k.init, k.ini.runner = p, r
	return true
}

// runnerProc is the runner's own process: init, unless a real init
// took its place.
func (k *Kernel) runnerProc() *Process {
	if k.ini.runner != nil {
		return k.ini.runner
	}
	return k.init
}

// SetReboot gives reboot(2) the way to end the machine: f powers it
// off (or restarts it) with the status and does not return.
func (k *Kernel) SetReboot(f func(cmd RebootCmd, status int)) {
	k.mu.Lock()
	k.ini.reboot = f
	k.mu.Unlock()
}

// Reboot is reboot(2)'s commands that end the machine (kernel_power_off,
// kernel_halt, kernel_restart). The status is the machine's exit status
// for the host (Linux has none): init passes it, any other caller gives
// 0. ENOSYS when the kernel was given no way to end the machine.
func (t *Thread) Reboot(cmd RebootCmd, status int) error {
	k := t.P.k
	k.mu.Lock()
	f := k.ini.reboot
	isInit := t.P == k.init
	k.mu.Unlock()
	if f == nil {
		return abi.ENOSYS
	}
	if !isInit {
		status = 0
	}
	f(cmd, status)
	return nil
}

// PrepareProc makes the procfs instance over k's processes that
// mount(2) of "proc" mounts, without mounting it anywhere: a real init
// mounts /proc itself. It is MountProc less the mount.
func (fs *Files) PrepareProc(k *Kernel, cfg ProcConfig) {
	pfs := procfs.New(NewProcSource(k, fs, cfg))
	info := &fsInfo{magic: procMagic, source: "proc"}
	fs.register(pfs.VFS(), info)
	pfs.SetDev(info.dev)
	fs.mu.Lock()
	fs.proc = pfs
	fs.mu.Unlock()
}

// takesSignal reports whether a signal sent to q from user space is
// delivered: never to the runner's thread-less process, and to PID 1
// only when it has a handler for it (SIGNAL_UNKILLABLE: the default
// action, SIGKILL and SIGSTOP included, does not apply to init).
func (q *Process) takesSignal(sig int) bool {
	if q == q.k.runnerProc() {
		return false
	}
	if q.pid != InitPID {
		return true
	}
	h := q.sigh.get(sig).Handler
	return bit(sig)&unblockable == 0 && h != SIG_DFL && h != SIG_IGN
}
