package libstarry

import (
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Config is what the kernel gives the processes it starts.
type Config struct {
	Kernel  *Kernel // the shared layer; nil gives the process one of its own
	Exo     *exo.Exokernel
	FS      *Files
	Console io.ReadWriter // fds 0, 1, 2
	HWCap   uint64        // AT_HWCAP: CPUID leaf 1 EDX, as Linux reports it
	// XFeatures is the XSAVE state user programs have (XCR0: x87, SSE,
	// AVX), which signal frames carry; 0 when only FXSAVE state is saved.
	XFeatures uint64
	Log       func(string)  // diagnostics (unknown syscalls); nil drops them
	Trace     *SyscallTrace // a line per system call (trace.go); nil for none
	Boot      time.Time     // origin of CLOCK_MONOTONIC; zero means process start
	Clock     Clock         // the TSC clock, for the vDSO (vdso.go); zero for none
	// CountSyscalls logs each process's count of system calls at its exit.
	CountSyscalls bool

	vdso *vdsoPages // built by Start from Clock
}

// ExitStatus is how a process ended: an exit code, or the signal that
// killed it (then Code is 0) and whether it dumped core (coredump.go).
type ExitStatus struct {
	Code   int
	Signal int
	Core   bool // WCOREDUMP: a core file was written
}

// ShellStatus is what a POSIX shell shows in $?: the code, or 128+signal.
func (s ExitStatus) ShellStatus() int {
	if s.Signal != 0 {
		return 128 + s.Signal
	}
	return s.Code
}

// SyscallHandler serves the system call a thread trapped with; the
// personality supplies it and writes the result into t.Regs().
type SyscallHandler func(t *Thread)

// addrSpace is an Env with the memory map built on it (mm_struct). A
// CLONE_VM clone of another process (vfork, posix_spawn) shares it until
// it execs or exits; the last user releases the frames and the Env.
type addrSpace struct {
	env   *exo.Env
	mm    *mm.MM
	users atomic.Int32
}

func newAddrSpace(k *exo.Exokernel) (*addrSpace, error) {
	env, err := k.NewEnv()
	if err != nil {
		return nil, err
	}
	as := &addrSpace{env: env, mm: mm.New(env, uint64(k.UserFrames()))}
	as.users.Store(1)
	return as, nil
}

func (as *addrSpace) share() *addrSpace { as.users.Add(1); return as }

func (as *addrSpace) put() {
	if as.users.Add(-1) == 0 {
		as.mm.Release()
		as.env.Destroy()
	}
}

// Process is one library-OS instance, a thread group: what Linux keeps
// per process (the address space, the descriptor table, the signal
// handlers, the working directory, each shareable as clone allows), its
// threads, and its place in the process tree.
type Process struct {
	cfg Config
	k   *Kernel
	sys SyscallHandler
	pid int

	as   *addrSpace
	MM   *mm.MM // as.mm: the memory of this process's threads
	FDs  *fd.Table
	fs   *fsContext
	sigh *sigHandlers

	mu           sync.Mutex // guards the fields below
	exe          string
	threads      map[*Thread]bool
	status       ExitStatus
	exiting      bool
	dying        chan struct{} // closed when the process starts to exit
	dead         atomic.Bool   // dying is closed: what the thread loop looks at on every trap
	done         chan struct{} // closed when every thread is gone and the resources too
	lastExitCode int           // the code of the latest exit(2), for the last thread out
	shared       sigPending    // signals sent to the process, not to one thread
	execing      bool          // a thread is in exec's point of no return
	vforkDone    chan struct{} // a CLONE_VFORK child's: closed at its exec or exit
	rlim         [RlimNLimits]abi.Rlimit
	cred         *Cred
	creds        atomic.Pointer[credCopy] // cred's vfs identities, with this process as caller
	attrs        procAttr                 // nice, policy, prctl's attributes (sched.go)
	ru           rusageState              // resource usage (rusage.go)
	timers       procTimers               // CPU time, interval and POSIX timers (itimer.go)
	sigfdQ       ipc.Queue                // woken when a signal is queued: signalfd readers
	syscalls     atomic.Uint64            // system call traps, for CountSyscalls (vdso.go)

	// The process tree and job control, guarded by Kernel.mu.
	parent     *Process
	ppid       atomic.Int32 // parent.pid, for getppid without Kernel.mu
	children   map[*Process]bool
	exitSignal int // sent to the parent at exit (clone's low byte)
	pgid, sid  int
	zombie     bool
	reapWhole  bool // the runner reaps it itself; init does not
	execed     bool // it has exec'd since its fork (setpgid then refuses)
	stop       stopState
	stopped    atomic.Bool      // stop.stopped, for waitWhileStopped's lock-free look on every trap
	childWait  ipc.Queue        // wait4 sleeps here until a child changes state
	tracees    map[*Thread]bool // the threads this process traces (ptrace.go)
	ctty       *Tty             // the controlling terminal (ttyctl.go)
}

// Start runs the program at path as a new process whose parent is init,
// leading a process group of its own, as the kernel's command runner
// starts each command. All of exec's
// fallible work happens before anything runs: an error means nothing ran
// and nothing leaked. A failure Linux would meet after exec's point of no
// return gives a process that was killed by SIGSEGV instead.
func Start(cfg Config, sys SyscallHandler, path string, argv, envv []string) (*Process, error) {
	return start(cfg, sys, path, argv, envv, false)
}

// start is Start, or StartInit when asInit (initproc.go).
func start(cfg Config, sys SyscallHandler, path string, argv, envv []string, asInit bool) (*Process, error) {
	if cfg.Kernel == nil {
		cfg.Kernel = NewKernel()
	}
	if cfg.Boot.IsZero() {
		cfg.Boot = cfg.Kernel.boot // the machine's boot, not the command's start
	}
	cfg.vdso = newVDSO(cfg.Clock, cfg.Boot)
	k := cfg.Kernel
	fs := newFSContext(cfg.FS)
	img, err := loadImage(cfg.FS, fs, rootCred.fs, path, argv, envv)
	if err != nil {
		return nil, err
	}
	as, err := newAddrSpace(cfg.Exo)
	if err != nil {
		return nil, errNoMem
	}
	p := newProcess(cfg, sys, as, consoleFDs(newConsoleFile(k, cfg.Console)), fs, &sigHandlers{})
	p.reapWhole, p.execed = true, true
	p.rlim = k.initRlimits()
	p.cred = rootCred
	t := p.newThread()
	if !k.adoptStart(p, t, asInit) {
		as.put()
		p.FDs.Put()
		return nil, errAgain
	}
	// Each command is a job of its own, as a shell starts it: a process
	// group it leads, in init's session, so its group is not orphaned,
	// and the console's foreground job.
	var console *Tty
	if cfg.Console != nil {
		console = k.consoleTty(cfg.Console)
	}
	k.mu.Lock()
	if !asInit {
		k.joinGroupLocked(p, p.pid, k.init.sid)
		if console != nil && (console.session == 0 || console.session == p.sid) {
			k.setCttyLocked(p, console)
		}
	}
	k.mu.Unlock()
	if err := t.commitImage(img); err != nil {
		t.P.Exit(ExitStatus{Signal: SIGSEGV}) // killed at exec (force_fatal_sig)
	}
	t.start()
	return p, nil
}

// newProcess makes a process with no ID and no thread yet.
func newProcess(cfg Config, sys SyscallHandler, as *addrSpace, fds *fd.Table, fs *fsContext, sigh *sigHandlers) *Process {
	return &Process{cfg: cfg, k: cfg.Kernel, sys: sys, as: as, MM: as.mm, FDs: fds, fs: fs, sigh: sigh,
		threads: map[*Thread]bool{}, children: map[*Process]bool{},
		dying: make(chan struct{}), done: make(chan struct{})}
}

// newInit makes PID 1: a process with no threads or memory, the parent
// the runner's commands have and orphans get.
func newInit(k *Kernel) *Process {
	p := &Process{k: k, pid: InitPID, children: map[*Process]bool{}, sigh: &sigHandlers{}, cred: rootCred,
		threads: map[*Thread]bool{}, dying: make(chan struct{}), done: make(chan struct{}), exe: "init"}
	k.procs[InitPID] = p
	k.joinGroupLocked(p, InitPID, InitPID)
	return p
}

// Boot is the origin of CLOCK_MONOTONIC for this process.
func (p *Process) Boot() time.Time { return p.cfg.Boot }

// Pid is the process ID.
func (p *Process) Pid() int { return p.pid }

// Kernel is the shared layer the process belongs to.
func (p *Process) Kernel() *Kernel { return p.k }

// PPid is the parent's process ID (0 for init).
func (p *Process) PPid() int { return int(p.ppid.Load()) }

// setParent moves the process under parent; Kernel.mu is held.
func (p *Process) setParent(parent *Process) {
	p.parent = parent
	p.ppid.Store(int32(parent.pid))
}

// Env is the protection domain the process runs in.
func (p *Process) Env() *exo.Env {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.as == nil {
		return nil // init has no address space
	}
	return p.as.env
}

// Exe is the path of the running binary (/proc/self/exe).
func (p *Process) Exe() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exe
}

// LogOnce reports a diagnostic once per key (an unimplemented system
// call by name) until the runner's next command (Kernel.ForgetLogged),
// so that a fuzzer making the same call a thousand times prints one line.
func (p *Process) LogOnce(key, msg string) {
	if p.k.firstTime(key) && p.cfg.Log != nil {
		p.cfg.Log(msg)
	}
}

// Dying is closed once the process has begun to exit; blocking calls
// select on it so that exit and fatal signals interrupt them.
func (p *Process) Dying() <-chan struct{} { return p.dying }

// Done is closed when the process has exited (for select).
func (p *Process) Done() <-chan struct{} { return p.done }

// isExiting reports whether the process is going away.
func (p *Process) isExiting() bool { return p.dead.Load() }

var (
	errNoMem = abi.ENOMEM
	errAgain = abi.EAGAIN
)
