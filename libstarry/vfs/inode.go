package vfs

import (
	"sync"
	"sync/atomic"

	"github.com/starry-go/starry/personality/linux/abi"
)

// Attr is an inode's metadata, the part of struct stat the VFS and its
// file systems share.
type Attr struct {
	Mode                uint32 // S_IF* type bits and permission bits
	UID, GID            uint32
	Nlink               uint32
	Size                int64
	Rdev                uint64 // a device node's number
	Atime, Mtime, Ctime int64  // nanoseconds since the epoch
}

// Inode is one file of a file system. Its number and type never change;
// the rest of its attributes may, so they are read with Attr and changed
// with Update. A file system makes inodes with NewInode.
type Inode struct {
	Ino uint64
	Ops InodeOps // the file system's behaviour for this inode; fixed

	typ    uint32        // Mode&S_IFMT, fixed at creation
	iflags atomic.Uint32 // Inode* flags (fileattr.go)
	setMu  sync.Mutex    // serializes SetAttr's and SetFileAttr's checks with their change
	mu     sync.Mutex    // guards attr
	attr   Attr
}

// NewInode makes an inode with attributes a, served by ops.
func NewInode(ino uint64, a Attr, ops InodeOps) *Inode {
	return &Inode{Ino: ino, Ops: ops, typ: a.Mode & abi.S_IFMT, attr: a}
}

// Attr returns a copy of the inode's attributes.
func (n *Inode) Attr() Attr {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.attr
}

// Update changes the attributes under the inode's lock; the type bits are
// kept whatever f does to them, since dentries rely on them never changing.
func (n *Inode) Update(f func(a *Attr)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	f(&n.attr)
	n.attr.Mode = n.typ | n.attr.Mode&^abi.S_IFMT
}

// Type is the inode's S_IFMT bits.
func (n *Inode) Type() uint32 { return n.typ }

// IsDir reports whether the inode is a directory.
func (n *Inode) IsDir() bool { return n.typ == abi.S_IFDIR }

// IsSymlink reports whether the inode is a symbolic link.
func (n *Inode) IsSymlink() bool { return n.typ == abi.S_IFLNK }

// InodeOps is what a file system implements for its inodes: the subset of
// Linux's inode_operations that tmpfs needs, with names as plain strings.
// Directory methods are called only on directories and Readlink only on
// symlinks; the VFS has already checked permissions, the types involved,
// and that a name to create is absent and one to remove is present (the
// file system must still refuse what it alone can see, such as a
// non-empty directory). Methods are called with the parent directory's
// dirMu held (see the package doc) and must update the attributes they
// change (link counts, times) with Inode.Update.
type InodeOps interface {
	// Lookup finds name in the directory: ENOENT if absent.
	Lookup(name string) (*Inode, error)
	// Create, Mkdir, Mknod and Symlink make a new entry with the given
	// mode (type included), owner and, for Mknod, device number.
	Create(name string, mode, uid, gid uint32) (*Inode, error)
	Mkdir(name string, mode, uid, gid uint32) (*Inode, error)
	Mknod(name string, mode, uid, gid uint32, rdev uint64) (*Inode, error)
	Symlink(name, target string, uid, gid uint32) (*Inode, error)
	// Link adds name for target, an inode of the same file system that
	// is not a directory; ENOENT if target's link count is already 0.
	Link(name string, target *Inode) error
	// Unlink removes a non-directory entry, Rmdir an empty directory
	// (ENOTEMPTY otherwise).
	Unlink(name string) error
	Rmdir(name string) error
	// Rename moves oldname to newname in newdir (this file system's),
	// replacing an existing newname (ENOTEMPTY for a non-empty
	// directory) or, with RenameExchange, swapping the two. Flags it does
	// not support are EINVAL.
	Rename(oldname string, newdir *Inode, newname string, flags uint32) error
	// Readlink returns a symlink's target.
	Readlink() (string, error)
	// ReadDir calls emit for the directory's entries from position off
	// (0 is the start), in an order that stays stable while entries come
	// and go, until emit returns false. Positions are the file system's
	// own, never negative; each entry carries the one after it.
	ReadDir(off int64, emit func(DirEntry) bool) error
	// SetAttr applies a change the VFS has already allowed.
	SetAttr(c *AttrChange) error
}

// DirEntry is one directory entry as ReadDir reports it.
type DirEntry struct {
	Name string
	Ino  uint64
	Type uint32 // the entry's S_IFMT bits; getdents's d_type is Type>>12
	Next int64  // the position just after this entry
}

// CallerLink is a symlink whose body depends on who reads it: procfs's
// "self" names the reader's own process (proc_self_get_link), and its
// magic links show paths as the reader's root sees them. The walker and
// ReadlinkAs call ReadlinkFor instead of InodeOps.Readlink.
type CallerLink interface {
	ReadlinkFor(c *Creds) (string, error)
}

// MagicLink is a symlink that, followed, goes straight to an object
// rather than resolving its body (nd_jump_link): procfs's fd/N, cwd,
// root and exe. Jump returns where c lands from the link at link, or
// the error the walk fails with (ENOENT for a file that has gone, ENXIO
// for one that cannot be reached again). An object in no namespace (a
// pipe) may be given as an Anonymous dentry of the link's file system.
type MagicLink interface {
	Jump(c *Creds, link Path) (Path, error)
}

// Revalidator is a directory whose entries may go stale behind the
// dentry cache's back (procfs: a process exits, a descriptor closes).
// Each cached entry a walk finds in it is checked first (d_revalidate);
// one Revalidate calls stale is dropped and looked up afresh.
type Revalidator interface {
	Revalidate(name string, child *Inode) bool
}

// ReadlinkAs is a symlink's body as c reads it (vfs_readlink): the
// CallerLink's answer for c, or the file system's Readlink.
func ReadlinkAs(c *Creds, n *Inode) (string, error) {
	if l, ok := n.Ops.(CallerLink); ok {
		return l.ReadlinkFor(c)
	}
	return n.Ops.Readlink()
}
