package tmpfs

import (
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// readDirBatch is how many entries ReadDir copies out per hold of the
// directory's lock: emit runs without it.
const readDirBatch = 64

// dirOf is the node's entries, ENOTDIR if it has none.
func (n *Node) dirOf() (*dirData, error) {
	if n.dir == nil {
		return nil, abi.ENOTDIR
	}
	return n.dir, nil
}

// Lookup finds name in the directory (simple_lookup).
func (n *Node) Lookup(name string) (*vfs.Inode, error) {
	d, err := n.dirOf()
	if err != nil {
		return nil, err
	}
	n.dmu.RLock()
	defer n.dmu.RUnlock()
	if e := d.byName[name]; e != nil {
		return e.node.inode, nil
	}
	return nil, abi.ENOENT
}

// Create makes a regular file (shmem_create).
func (n *Node) Create(name string, mode, uid, gid uint32) (*vfs.Inode, error) {
	return n.make(name, abi.S_IFREG|mode&^abi.S_IFMT, uid, gid, "", 0)
}

// Mkdir makes a directory (shmem_mkdir).
func (n *Node) Mkdir(name string, mode, uid, gid uint32) (*vfs.Inode, error) {
	return n.make(name, abi.S_IFDIR|mode&^abi.S_IFMT, uid, gid, "", 0)
}

// Mknod makes a node of mode's type (shmem_mknod): a device, FIFO or
// socket, or a regular file for type 0.
func (n *Node) Mknod(name string, mode, uid, gid uint32, rdev uint64) (*vfs.Inode, error) {
	if mode&abi.S_IFMT == 0 {
		mode |= abi.S_IFREG
	}
	return n.make(name, mode, uid, gid, "", rdev)
}

// Symlink makes a symbolic link to target (shmem_symlink).
func (n *Node) Symlink(name, target string, uid, gid uint32) (*vfs.Inode, error) {
	return n.make(name, abi.S_IFLNK|0o777, uid, gid, target, 0)
}

// make adds a new node under name: the directory grows by an entry and
// its times change (shmem_mknod).
func (n *Node) make(name string, mode, uid, gid uint32, target string, rdev uint64) (*vfs.Inode, error) {
	d, err := n.dirOf()
	if err != nil {
		return nil, err
	}
	n.dmu.Lock()
	defer n.dmu.Unlock()
	switch {
	case n.inode.Attr().Nlink == 0:
		return nil, abi.ENOENT
	case d.byName[name] != nil:
		return nil, abi.EEXIST
	}
	k := n.fs.newNode(mode, uid, gid, target)
	k.inherit(n)
	if rdev != 0 {
		k.inode.Update(func(a *vfs.Attr) { a.Rdev = rdev })
	}
	d.add(name, k)
	n.entriesChanged(+1, k.inode.IsDir())
	return k.inode, nil
}

// entriesChanged accounts for one entry more or less in the directory:
// its size, its link count if the entry is a subdirectory (whose ".."
// links to it), and its mtime and ctime.
func (n *Node) entriesChanged(delta int, subdir bool) {
	now := n.fs.now()
	n.inode.Update(func(a *vfs.Attr) {
		a.Size += int64(delta) * bogoDirentSize
		if subdir {
			a.Nlink = uint32(int(a.Nlink) + delta)
		}
		a.Mtime, a.Ctime = now, now
	})
}

// Link adds name for target (shmem_link); ENOENT once target's last link
// is gone, checked with the count's rise so that a racing unlink
// elsewhere cannot free it in between.
func (n *Node) Link(name string, target *vfs.Inode) error {
	d, err := n.dirOf()
	if err != nil {
		return err
	}
	t, err := n.fs.nodeOf(target)
	if err != nil {
		return err
	}
	if t.inode.IsDir() {
		return abi.EPERM
	}
	n.dmu.Lock()
	defer n.dmu.Unlock()
	if d.byName[name] != nil {
		return abi.EEXIST
	}
	linked, now := false, n.fs.now()
	t.inode.Update(func(a *vfs.Attr) {
		if a.Nlink > 0 || t.linkable.CompareAndSwap(true, false) {
			a.Nlink++
			a.Ctime = now
			linked = true
		}
	})
	if !linked {
		return abi.ENOENT
	}
	d.add(name, t)
	n.entriesChanged(+1, false)
	return nil
}

// Unlink removes a non-directory's name (shmem_unlink); the inode goes
// with its last name unless it is open.
func (n *Node) Unlink(name string) error {
	d, err := n.dirOf()
	if err != nil {
		return err
	}
	n.dmu.Lock()
	defer n.dmu.Unlock()
	e := d.byName[name]
	switch {
	case e == nil:
		return abi.ENOENT
	case e.node.inode.IsDir():
		return abi.EISDIR
	}
	k := d.remove(name)
	n.entriesChanged(-1, false)
	k.dropLink(false)
	return nil
}

// Rmdir removes an empty directory (shmem_rmdir).
func (n *Node) Rmdir(name string) error {
	d, err := n.dirOf()
	if err != nil {
		return err
	}
	n.dmu.Lock()
	defer n.dmu.Unlock()
	e := d.byName[name]
	switch {
	case e == nil:
		return abi.ENOENT
	case !e.node.inode.IsDir():
		return abi.ENOTDIR
	case !e.node.empty():
		return abi.ENOTEMPTY
	}
	k := d.remove(name)
	n.entriesChanged(-1, true)
	k.dropLink(true)
	return nil
}

// empty reports whether a directory has no entries; its parent's dmu may
// be held (parent before child).
func (n *Node) empty() bool {
	n.dmu.RLock()
	defer n.dmu.RUnlock()
	return len(n.dir.byName) == 0
}

// dropLink is the end of one name of n: its ctime changes and its link
// count falls (to 0 for a directory, whose "." went too), and the inode
// is freed if nothing else holds it.
func (n *Node) dropLink(dir bool) {
	now := n.fs.now()
	n.inode.Update(func(a *vfs.Attr) {
		if dir || a.Nlink == 0 {
			a.Nlink = 0
		} else {
			a.Nlink--
		}
		a.Ctime = now
	})
	n.maybeEvict()
}

// ReadDir emits the entries from position off in cookie order, each with
// Next its cookie plus one. Entries are copied out a batch at a time, so
// emit runs without the directory's lock; one made meanwhile appears if
// its cookie is still ahead, which it always is.
func (n *Node) ReadDir(off int64, emit func(vfs.DirEntry) bool) error {
	d, err := n.dirOf()
	if err != nil {
		return err
	}
	batch := make([]vfs.DirEntry, 0, readDirBatch)
	for {
		batch = batch[:0]
		n.dmu.RLock()
		for _, e := range d.order[d.from(off):] {
			if len(batch) == readDirBatch {
				break
			}
			if !e.gone {
				batch = append(batch, vfs.DirEntry{Name: e.name, Ino: e.node.inode.Ino,
					Type: e.node.inode.Type(), Next: e.cookie + 1})
			}
		}
		n.dmu.RUnlock()
		for _, e := range batch {
			if !emit(e) {
				return nil
			}
		}
		if len(batch) < readDirBatch {
			return nil
		}
		off = batch[len(batch)-1].Next
	}
}
