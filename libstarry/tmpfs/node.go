package tmpfs

import (
	"sync"
	"sync/atomic"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Node is the tmpfs side of every inode (a shmem_inode_info); it
// implements vfs.InodeOps, and for regular files the data operations the
// file layer and mmap use.
type Node struct {
	fs     *FS
	inode  *vfs.Inode
	target string // a symlink's; fixed

	// mu guards the data and the node's life. Readers of data share it.
	mu      sync.RWMutex
	pages   pageIndex // a regular file's frames, by page index
	size    int64     // a regular file's; the inode's Size mirrors it
	opens   int       // open file descriptions (Open less Close)
	evicted bool      // no name, no open: pages freed, not counted
	seals   uint32    // what the file refuses (seals.go)
	// linkable lets an unnamed file get its first name (O_TMPFILE
	// without O_EXCL: I_LINKABLE).
	linkable atomic.Bool
	xattrs   map[string][]byte // extended attributes (xattr.go)
	fsflags  atomic.Uint32     // chattr's FS_*_FL flags (fileattr.go)

	// dmu guards a directory's entries (dir is nil for other types).
	dmu sync.RWMutex
	dir *dirData
}

var _ vfs.InodeOps = (*Node)(nil)

// Inode is the node's vfs inode.
func (n *Node) Inode() *vfs.Inode { return n.inode }

// Size is a regular file's size (a symlink's target length, a
// directory's bogus size, for the others).
func (n *Node) Size() int64 {
	if !n.isReg() {
		return n.inode.Attr().Size
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.size
}

// Pages is how many frames the file holds, pages past its end that
// fallocate kept included.
func (n *Node) Pages() int64 {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return int64(n.pages.count())
}

// Blocks is st_blocks: 512-byte units of the frames held, as tmpfs counts
// i_blocks.
func (n *Node) Blocks() int64 { return n.Pages() * (exo.PageSize / 512) }

// Open records an open file description of the node (and an mmap should
// hold one as long as it maps the file). Opening a node whose last name
// went before the open arrived brings it back, empty: its pages were
// already freed.
func (n *Node) Open() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.evicted {
		n.evicted = false
		n.fs.inodes.Add(1)
	}
	n.opens++
}

// Close ends one Open. The last, on a node with no name left, frees its
// pages (shmem_evict_inode).
func (n *Node) Close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.opens <= 0 {
		panic("tmpfs: Close without Open")
	}
	n.opens--
	n.evictLocked()
}

// maybeEvict frees the node if its link count just reached 0 with no
// open left.
func (n *Node) maybeEvict() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.evictLocked()
}

// evictLocked is the end of an inode's life; n.mu is held.
func (n *Node) evictLocked() {
	if n.evicted || n.opens > 0 || n.inode.Attr().Nlink > 0 || n == n.fs.root {
		return
	}
	n.evicted = true
	n.fs.inodes.Add(-1)
	if n.isReg() {
		n.freePages(0, ^uint64(0))
		n.setSizeLocked(0)
	}
}

func (n *Node) isReg() bool { return n.inode.Type() == abi.S_IFREG }

// checkReg refuses data operations on what is not a regular file.
func (n *Node) checkReg() error {
	switch n.inode.Type() {
	case abi.S_IFREG:
		return nil
	case abi.S_IFDIR:
		return abi.EISDIR
	}
	return abi.EINVAL
}

// Readlink is a symlink's target.
func (n *Node) Readlink() (string, error) {
	if !n.inode.IsSymlink() {
		return "", abi.EINVAL
	}
	return n.target, nil
}

// SetAttr applies a change vfs.SetAttr allowed: the size first, through
// Truncate (its error leaves the rest undone, as shmem_setattr), then
// the rest, with ctime now as notify_change sets it.
func (n *Node) SetAttr(c *vfs.AttrChange) error {
	if c.Valid&vfs.SetSize != 0 {
		if err := n.Truncate(c.Size); err != nil {
			return err
		}
	}
	now := n.fs.now()
	n.inode.Update(func(a *vfs.Attr) {
		if c.Valid&vfs.SetMode != 0 {
			a.Mode = a.Mode&abi.S_IFMT | c.Mode&0o7777
		}
		if c.Valid&vfs.SetUID != 0 {
			a.UID = c.UID
		}
		if c.Valid&vfs.SetGID != 0 {
			a.GID = c.GID
		}
		switch {
		case c.Valid&vfs.SetTimesNow != 0:
			a.Atime, a.Mtime = now, now
		default:
			if c.Valid&vfs.SetAtime != 0 {
				a.Atime = c.Atime
			}
			if c.Valid&vfs.SetMtime != 0 {
				a.Mtime = c.Mtime
			}
		}
		a.Ctime = now
	})
	return nil
}

// touch sets what changed of mtime and ctime to now.
func (n *Node) touch(mtime, ctime bool) {
	now := n.fs.now()
	n.inode.Update(func(a *vfs.Attr) {
		if mtime {
			a.Mtime = now
		}
		if ctime {
			a.Ctime = now
		}
	})
}

// nlink changes the link count by delta.
func (n *Node) nlink(delta int) {
	n.inode.Update(func(a *vfs.Attr) { a.Nlink = uint32(int(a.Nlink) + delta) })
}

// Hold and Drop are a mapping's reference on the file (mm.Holder): the
// pages of an unlinked file stay until its last mapping goes too.
func (n *Node) Hold() { n.Open() }
func (n *Node) Drop() { n.Close() }

// SetLinkable lets linkat give an unnamed file a name (O_TMPFILE).
func (n *Node) SetLinkable() { n.linkable.Store(true) }

// Linkable reports whether an unnamed file may still get a name.
func (n *Node) Linkable() bool { return n.linkable.Load() }
