// Package flock is Linux's file locking (fs/locks.c) as pure logic: POSIX
// record locks (fcntl F_GETLK, F_SETLK, F_SETLKW), open-file-description
// locks (F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW) and flock(2) locks. It
// knows nothing of descriptors or inodes: the caller names a file by an
// identity key and a lock's owner by a comparable value (the descriptor
// table for POSIX locks, the open file description for OFD and flock
// locks).
package flock

import (
	"sync"
	"sync/atomic"

	"github.com/starry-go/starry/personality/linux/abi"
)

// MaxOffset is Linux's OFFSET_MAX: a lock ending here runs to the end of
// the file and beyond (l_len 0).
const MaxOffset = 1<<63 - 1

// Lock is one lock or request, Linux's struct file_lock after
// flock_to_posix_lock: an inclusive byte range [Start, End].
type Lock struct {
	Type       int16 // abi.F_RDLCK, abi.F_WRLCK, abi.F_UNLCK
	Start, End int64 // inclusive; End == MaxOffset is "to EOF and beyond"
	Owner      any   // comparable: the descriptor table (POSIX) or the open file description (OFD)
	Pid        int   // what F_GETLK reports: the locker's PID, -1 for OFD locks
	OFD        bool
}

// Len is the lock's l_len as F_GETLK reports it (posix_lock_to_flock):
// 0 for a lock that runs to the end.
func (l Lock) Len() int64 {
	if l.End == MaxOffset {
		return 0
	}
	return l.End - l.Start + 1
}

// overlaps says whether two ranges share a byte.
func (l Lock) overlaps(o Lock) bool { return l.Start <= o.End && o.Start <= l.End }

// conflicts is posix_locks_conflict: locks of one owner never conflict;
// otherwise two overlapping locks do unless both are read locks
// (locks_conflict). POSIX and OFD locks share one list and meet here by
// owner alone, as on Linux.
func (l Lock) conflicts(o Lock) bool {
	if l.Owner == o.Owner || !l.overlaps(o) {
		return false
	}
	return l.Type == abi.F_WRLCK || o.Type == abi.F_WRLCK
}

// Manager holds the lock state of every file (one per machine, as the
// kernel's inode lock contexts are) and the blocked-on graph that POSIX
// deadlock detection walks across files (Linux's blocked_hash).
type Manager struct {
	mu    sync.Mutex
	files map[any]*File

	gmu     sync.Mutex                    // the graph's lock (blocked_lock_lock); taken after a File's
	waiting map[any]map[*waitRec]struct{} // owner -> its blocked requests

	count atomic.Int64 // locks held in all
}

// New returns an empty Manager.
func New() *Manager {
	return &Manager{files: map[any]*File{}, waiting: map[any]map[*waitRec]struct{}{}}
}

// Of returns the lock state of the file with identity key (the caller's
// inode pointer), creating it on first use (locks_get_lock_context). A
// File with no locks and no waiters is dropped again, so keys are not
// kept alive.
func (m *Manager) Of(key any) *File {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.files[key]
	if f == nil {
		f = &File{m: m, key: key}
		m.files[key] = f
	}
	return f
}

// Lookup returns the file's lock state or nil when it has none: the
// close path's fast check, as locks_remove_posix returns at once when the
// inode has no lock context. RemoveOwner and RemoveFile take a nil File.
func (m *Manager) Lookup(key any) *File {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.files[key]
}

// Count is the number of locks held on all files (for leak tests).
func (m *Manager) Count() int { return int(m.count.Load()) }

// File is one file's locks (struct file_lock_context): the POSIX list
// (record and OFD locks) and the flock list, which never conflict with
// each other.
type File struct {
	m   *Manager
	key any

	mu      sync.Mutex
	dead    bool                  // dropped from the Manager: use m.Of(key) instead
	posix   []Lock                // flc_posix: each owner's locks together, sorted by Start
	flocks  []flockLock           // flc_flock
	waiters int                   // callers asleep on wake
	wake    chan struct{}         // closed (and forgotten) when the locks change
	recs    map[*waitRec]struct{} // this file's waiters in the deadlock graph
}

// acquire locks the live File for f's key: a caller may hold a File the
// Manager has since dropped, and must not lock a second copy.
func (f *File) acquire() *File {
	for {
		f.mu.Lock()
		if !f.dead {
			return f
		}
		f.mu.Unlock()
		f = f.m.Of(f.key)
	}
}

// release unlocks f and drops it from the Manager when it holds nothing
// and nobody waits on it.
func (f *File) release() {
	empty := f.idle()
	f.mu.Unlock()
	if !empty {
		return
	}
	m := f.m
	m.mu.Lock()
	f.mu.Lock()
	if f.idle() && !f.dead && m.files[f.key] == f {
		f.dead = true
		delete(m.files, f.key)
	}
	f.mu.Unlock()
	m.mu.Unlock()
}

func (f *File) idle() bool { return len(f.posix) == 0 && len(f.flocks) == 0 && f.waiters == 0 }

// changed wakes every waiter of the file after its locks were removed or
// changed (locks_wake_up_blocks): each rechecks under the lock. Their
// edges leave the deadlock graph now, as __locks_delete_block takes a
// woken request out of blocked_hash, and come back if they block again.
func (f *File) changed() {
	if f.wake != nil {
		close(f.wake)
		f.wake = nil
	}
	if len(f.recs) > 0 {
		f.m.gmu.Lock()
		for r := range f.recs {
			f.m.unblock(r)
		}
		f.m.gmu.Unlock()
		f.recs = nil
	}
}
