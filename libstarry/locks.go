package libstarry

import (
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/flock"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// File locks live with the inode (its file_lock_context), kept by the
// file layer's lock manager: POSIX record locks are owned by a
// descriptor table and go when it closes any descriptor of the file;
// OFD locks and flock locks are owned by the open file description and
// go at its last close.

// lockable is the part of an open file in the namespace that locks need.
type lockable struct {
	path vfs.Path
	fs   *Files
}

// AppendOnly reports whether the open file's inode is append-only.
func (l lockable) AppendOnly() bool { return l.path.Dentry.Inode().IsAppend() }

// Locks is the lock state of the open file's inode.
func (l lockable) Locks() *flock.File { return l.fs.locks.Of(l.path.Dentry.Inode()) }

// Flush drops the POSIX locks the closing table held (locks_remove_posix).
func (l lockable) Flush(owner any) {
	if f := l.fs.locks.Lookup(l.path.Dentry.Inode()); f != nil {
		f.RemoveOwner(owner)
	}
}

// releaseLocks drops the description's OFD and flock locks
// (locks_remove_file); owner is the open file.
func (l lockable) releaseLocks(owner any) {
	if f := l.fs.locks.Lookup(l.path.Dentry.Inode()); f != nil {
		f.RemoveFile(owner)
	}
}

// Lockable is an open file that takes locks.
type Lockable interface {
	Locks() *flock.File
}

// LockOwner is who owns the POSIX locks the process takes: its
// descriptor table, shared with CLONE_FILES as Linux's files_struct.
func (p *Process) LockOwner() any { return p.FDs }

var _ fd.Flusher = lockable{}

// errNotLockable is what the lock calls answer for a file with no inode
// of the namespace (a pipe): Linux locks those too, but nothing here
// shares them, so EINVAL says so plainly.
var errNotLockable = abi.EINVAL
