package ipc

// Reopen is a new end on e's pipe, for reading or for writing, counted
// as a reader or a writer until it is released: fifo_open on the pipe's
// inode, as opening /proc/PID/fd/N of a pipe does (cat /dev/stdin).
func (e *PipeEnd) Reopen(write bool) *PipeEnd {
	p := e.p
	p.mu.Lock()
	if write {
		p.writers++
		p.hadWriter = true
	} else {
		p.readers++
	}
	p.mu.Unlock()
	p.q.Notify()
	return &PipeEnd{p: p, write: write, stat: e.stat}
}
