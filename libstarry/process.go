package libstarry

import (
	"io"
	"path"
	"sync"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/binfmt"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Config is what the kernel gives a process.
type Config struct {
	Kernel  *Kernel // the shared layer; nil gives the process one of its own
	Exo     *exo.Exokernel
	FS      *RamFS
	Console io.ReadWriter // fds 0, 1, 2
	HWCap   uint64        // AT_HWCAP: CPUID leaf 1 EDX, as Linux reports it
	Log     func(string)  // diagnostics (unknown syscalls); nil drops them
	Pid     int           // the process ID; 0 takes the Kernel's next
	Boot    time.Time     // origin of CLOCK_MONOTONIC; zero means process start
	PPid    int           // the parent's ID (getppid)
}

// ExitStatus is how a process ended: an exit code, or the signal that
// killed it (then Code is 0).
type ExitStatus struct {
	Code   int
	Signal int
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

// Process is one library-OS instance: an Env and everything Linux keeps
// per thread group (mm_struct, files_struct, sighand_struct, cwd).
type Process struct {
	cfg          Config
	sys          SyscallHandler
	env          *exo.Env
	MM           *mm.MM
	FDs          *fd.Table
	pid          int
	mu           sync.Mutex // guards the fields below
	cwd          string
	exe          string
	threads      map[*Thread]bool
	status       ExitStatus
	exiting      bool
	dying        chan struct{} // closed when the process starts to exit
	done         chan struct{} // closed when the process has fully exited
	sig          signals
	lastExitCode int // the code of the latest exit(2), for the last thread out
}

// Start loads path from cfg.FS into a new Env and starts its first
// thread. All of exec's fallible work (lookup, format, validation, the
// initial stack) happens before the thread runs: an error here means
// nothing ran and nothing leaked.
func Start(cfg Config, sys SyscallHandler, path string, argv, envv []string) (*Process, error) {
	img, err := binfmt.LoadImage(ramFiles{cfg.FS, "/"}, path, argv, envv)
	if err != nil {
		return nil, err
	}
	env, err := cfg.Exo.NewEnv()
	if err != nil {
		return nil, abi.ENOMEM
	}
	p := &Process{cfg: cfg, sys: sys, env: env, MM: mm.New(env, uint64(cfg.Exo.UserFrames())), FDs: consoleFDs(consoleFile{cfg.Console}),
		pid: cfg.Pid, cwd: "/", exe: img.Exe, threads: map[*Thread]bool{},
		dying: make(chan struct{}), done: make(chan struct{})}
	if p.cfg.Kernel == nil {
		p.cfg.Kernel = NewKernel()
	}
	if p.pid == 0 {
		p.pid = p.cfg.Kernel.allocPID()
	}
	if p.cfg.Boot.IsZero() {
		p.cfg.Boot = time.Now()
	}
	// Past Linux's point of no return: a failure now kills the process.
	p.MM.SetupStack(img.ExecStack)
	if err := binfmt.Load(p.MM, img); err != nil {
		p.failExec()
		return p, nil
	}
	sp, err := binfmt.BuildStack(p.MM, img, cfg.HWCap, [4]uint64{})
	if err != nil {
		p.failExec()
		return p, nil
	}
	t := p.newThread(p.pid)
	t.ctx.Regs.RIP, t.ctx.Regs.RSP = img.Entry, uint64(sp)
	go t.run()
	return p, nil
}

// ramFiles is a process's view of the RamFS for exec: paths resolve from
// its working directory.
type ramFiles struct {
	fs  *RamFS
	cwd string
}

func (r ramFiles) Open(path string) (uint32, []byte, error) {
	if r.fs == nil {
		return 0, nil, abi.ENOENT
	}
	n, err := r.fs.Lookup(r.cwd, path, true)
	if err != nil {
		return 0, nil, err
	}
	return n.Mode, n.Data, nil
}

// failExec ends a process whose exec failed after the point of no return:
// it is killed by SIGSEGV before it runs (bprm_execve's force_fatal_sig).
func (p *Process) failExec() {
	p.Exit(ExitStatus{Signal: SIGSEGV})
	p.MM.Release()
	p.env.Destroy()
	close(p.done)
}

// Boot is the origin of CLOCK_MONOTONIC for this process.
func (p *Process) Boot() time.Time { return p.cfg.Boot }

// Pid is the process ID.
func (p *Process) Pid() int { return p.pid }

// PPid is the parent's process ID.
func (p *Process) PPid() int { return p.cfg.PPid }

// Env is the protection domain the process runs in.
func (p *Process) Env() *exo.Env { return p.env }

// Exe is the path of the running binary (/proc/self/exe).
func (p *Process) Exe() string { return p.exe }

// Cwd is the working directory (always absolute and clean).
func (p *Process) Cwd() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cwd
}

// Lookup resolves a path for the personality (access, readlink, the *at
// calls): relative paths start at dir, or at the working directory when
// dir is nil (AT_FDCWD).
func (p *Process) Lookup(dir *Inode, name string, follow bool) (*Inode, error) {
	fs := p.cfg.FS
	switch {
	case fs == nil || name == "":
		return nil, abi.ENOENT
	case dir != nil && !path.IsAbs(name):
		if !dir.IsDir() {
			return nil, abi.ENOTDIR
		}
		budget := maxSymlinks
		return fs.walk(dir, name, follow, &budget)
	}
	return fs.Lookup(p.Cwd(), name, follow)
}

// Chdir changes the working directory to a RamFS directory.
func (p *Process) Chdir(name string) error {
	n, err := p.Lookup(nil, name, true)
	if err != nil {
		return err
	}
	if !n.IsDir() {
		return abi.ENOTDIR
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !path.IsAbs(name) {
		name = path.Join(p.cwd, name)
	}
	p.cwd = path.Clean(name)
	return nil
}

// LogOnce reports a diagnostic once per key for the whole kernel (an
// unimplemented system call by name), so that a fuzzer making the same
// call a thousand times prints one line.
func (p *Process) LogOnce(key, msg string) {
	if p.cfg.Kernel.firstTime(key) && p.cfg.Log != nil {
		p.cfg.Log(msg)
	}
}

// Exit ends the whole process with status (do_group_exit): the first
// call wins, every thread leaves its loop after its current trap, and
// blocked calls are woken by Dying.
func (p *Process) Exit(s ExitStatus) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.exiting {
		return
	}
	p.exiting, p.status = true, s
	close(p.dying)
}

// Dying is closed once the process has begun to exit; blocking calls
// select on it so that exit and fatal signals interrupt them.
func (p *Process) Dying() <-chan struct{} { return p.dying }

// Wait blocks until the process has exited and its frames are back.
func (p *Process) Wait() ExitStatus {
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

// Done is closed when the process has exited (for select).
func (p *Process) Done() <-chan struct{} { return p.done }

// threadExited runs when a thread's loop ends; the last one out tears the
// process down (exit_mm, exit_files, and the Env itself).
func (p *Process) threadExited(t *Thread) {
	t.exitFutexes()
	p.mu.Lock()
	delete(p.threads, t)
	last := len(p.threads) == 0
	p.mu.Unlock()
	if !last {
		return
	}
	p.mu.Lock()
	code := p.lastExitCode
	p.mu.Unlock()
	p.Exit(ExitStatus{Code: code}) // a no-op after exit_group or a fatal signal
	p.MM.Release()
	p.FDs.CloseAll()
	p.env.Destroy()
	close(p.done)
}
