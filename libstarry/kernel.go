package libstarry

// Kernel is the state every process shares, handed to each through its
// Config rather than kept in package variables (DESIGN.md §4b): the
// futex queues, which shared memory makes kernel-wide, and what later
// layers add (the PID table, the process tree, the mount table).
//
// Lock order: Kernel's futex lock, then an MM's lock, then its Env's.
type Kernel struct {
	futex futexTable
}

// NewKernel makes the shared layer for one machine.
func NewKernel() *Kernel {
	return &Kernel{futex: futexTable{q: map[FutexKey][]*futexWaiter{}}}
}
