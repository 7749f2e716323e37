package libstarry

import "sync"

// Kernel is the state every process shares, handed to each through its
// Config rather than kept in package variables (DESIGN.md §4b): the
// futex queues, which shared memory makes kernel-wide, and what later
// layers add (the PID table, the process tree, the mount table).
//
// Lock order: Kernel's futex lock, then an MM's lock, then its Env's.
type Kernel struct {
	futex   futexTable
	mu      sync.Mutex
	logged  map[string]bool // diagnostics already printed
	lastPID int             // process and thread IDs share one space
}

// InitPID is the ID of the first process, Linux's init. The kernel's
// command runner plays that part: the programs it starts are its
// children, from PID 2 on, and see it as their parent.
const InitPID = 1

// NewKernel makes the shared layer for one machine.
func NewKernel() *Kernel {
	return &Kernel{futex: futexTable{q: map[FutexKey][]*futexWaiter{}}, logged: map[string]bool{}, lastPID: InitPID}
}

// allocPID gives out the next process or thread ID (alloc_pid), so no
// two live tasks share one.
func (k *Kernel) allocPID() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lastPID++
	return k.lastPID
}

// firstTime reports whether key is new, and remembers it.
func (k *Kernel) firstTime(key string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	seen := k.logged[key]
	k.logged[key] = true
	return !seen
}
