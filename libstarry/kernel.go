package libstarry

import (
	"sync"
	"time"
)

// Kernel is the state every process shares, handed to each through its
// Config rather than kept in package variables (DESIGN.md §4b): the PID
// table, the process tree, process groups and sessions, the futex queues
// (shared memory makes them kernel-wide), and later the mount table.
//
// Lock order, outermost first: Kernel.mu (the tree and the tables), a
// Process's mu, the futex table's lock, an MM's lock, its Env's lock.
type Kernel struct {
	futex futexTable

	mu       sync.Mutex
	threads  map[int]*Thread  // live threads by TID
	procs    map[int]*Process // processes by PID, zombies until reaped
	groups   map[int]int      // process group ID -> members (live or zombie)
	sessions map[int]int      // session ID -> members
	lastPID  int
	maxTasks int // threads-max: live threads in all, as copy_process counts them
	init     *Process
	ini      initState       // a real init and reboot(2) (initproc.go)
	logged   map[string]bool // diagnostics already printed
	consoles consoleTtys     // the terminals of the consoles (console.go)
	ptys     ptyTable        // the pseudo-terminal pairs (pty.go)
	sysv     *sysvIPC        // System V IPC objects (sysvshm.go)
	uts      utsNames        // hostname and domain name (uts.go)
	boot     time.Time       // when the machine started (CLOCK_BOOTTIME's origin)
}

// PID space, as Linux's defaults (kernel/pid.c): IDs count up to
// pid_max, then wrap to RESERVED_PIDS, skipping every ID still in use.
const (
	pidMax       = 32768
	reservedPIDs = 300
	// InitPID is the first process, Linux's init. The kernel's command
	// runner plays that part: the programs it starts are its children,
	// and orphans are given to it to reap.
	InitPID = 1
)

// NewKernel makes the shared layer for one machine, with its init.
func NewKernel() *Kernel {
	k := &Kernel{futex: futexTable{q: map[FutexKey][]*futexWaiter{}},
		threads: map[int]*Thread{}, procs: map[int]*Process{}, groups: map[int]int{}, sessions: map[int]int{},
		logged: map[string]bool{}, lastPID: InitPID, maxTasks: pidMax, boot: time.Now()}
	k.sysv = newSysVIPC()
	k.init = newInit(k)
	return k
}

// SetThreadsMax bounds the live threads of all processes together
// (/proc/sys/kernel/threads-max): past it, fork and clone fail with
// EAGAIN. Each thread costs kernel memory the frame budget does not see.
func (k *Kernel) SetThreadsMax(n int) {
	k.mu.Lock()
	k.maxTasks = max(n, minThreads)
	k.mu.Unlock()
}

// ThreadsMaxFor is Linux's default threads-max for a machine of frames
// pages (set_max_threads: an eighth of memory in 16 KiB thread stacks).
func ThreadsMaxFor(frames int) int { return min(max(frames/32, minThreads), pidMax) }

// minThreads is Linux's floor for threads-max (MIN_THREADS).
const minThreads = 20

// allocPIDLocked gives out the next free process or thread ID
// (alloc_pid) for a new thread: free means no thread, process (zombies
// included), process group or session uses it; false when IDs or
// threads-max run out. k.mu is held.
func (k *Kernel) allocPIDLocked() (int, bool) {
	if len(k.threads) >= k.maxTasks {
		return 0, false
	}
	for tries := 0; tries < pidMax; tries++ {
		k.lastPID++
		if k.lastPID >= pidMax {
			k.lastPID = reservedPIDs
		}
		id := k.lastPID
		if k.threads[id] == nil && k.procs[id] == nil && k.groups[id] == 0 && k.sessions[id] == 0 {
			return id, true
		}
	}
	return 0, false
}

// Process finds a process (a zombie too) by PID.
func (k *Kernel) Process(pid int) *Process {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.procs[pid]
}

// Thread finds a live thread by TID, in any process.
func (k *Kernel) Thread(tid int) *Thread {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.threads[tid]
}

// Init is PID 1.
func (k *Kernel) Init() *Process { return k.init }

// joinGroupLocked moves p into process group pgid and session sid,
// keeping the member counts that keep those IDs in use; k.mu is held.
func (k *Kernel) joinGroupLocked(p *Process, pgid, sid int) {
	if p.pgid != 0 {
		k.leaveGroupLocked(p)
	}
	p.pgid, p.sid = pgid, sid
	k.groups[pgid]++
	k.sessions[sid]++
}

func (k *Kernel) leaveGroupLocked(p *Process) {
	if k.groups[p.pgid]--; k.groups[p.pgid] <= 0 {
		delete(k.groups, p.pgid)
	}
	if k.sessions[p.sid]--; k.sessions[p.sid] <= 0 {
		delete(k.sessions, p.sid)
	}
	p.pgid, p.sid = 0, 0
}

// ForgetLogged makes every once-only message new again: the runner calls
// it before each command, so each command's output shows the ENOSYS
// numbers and other gaps it met (the LTP harness reads them per case).
func (k *Kernel) ForgetLogged() {
	k.mu.Lock()
	defer k.mu.Unlock()
	clear(k.logged)
}

// firstTime reports whether key is new, and remembers it.
func (k *Kernel) firstTime(key string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	seen := k.logged[key]
	k.logged[key] = true
	return !seen
}
