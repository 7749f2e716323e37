package flock

import (
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// sleep is the wait in do_lock_file_wait and flock_lock_inode_wait: with
// f locked and a conflict seen, it sleeps until the file's locks change,
// then returns with f locked again for the caller to retry. A pending
// signal or the process's exit ends the wait with EINTR (Linux's
// -ERESTARTSYS). The channel is taken under the lock that saw the
// conflict, so no change after that check goes unnoticed. rec, if not
// nil, is the caller's edge in the deadlock graph; it is gone on return.
func (f *File) sleep(w fd.Waiter, rec *waitRec) error {
	if f.wake == nil {
		f.wake = make(chan struct{})
	}
	ch := f.wake
	f.waiters++
	f.mu.Unlock()
	var err error
	select {
	case <-ch:
	case <-w.Interrupted():
		err = abi.EINTR
	case <-w.Dying():
		err = abi.EINTR
	}
	f.mu.Lock()
	f.waiters--
	if rec != nil {
		if _, ok := f.recs[rec]; ok {
			delete(f.recs, rec)
			f.m.gmu.Lock()
			f.m.unblock(rec)
			f.m.gmu.Unlock()
		}
	}
	return err
}
