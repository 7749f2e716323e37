package tmpfs

import (
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Rename moves oldname to newname in newdir (shmem_rename2), replacing
// what is there, or with vfs.RenameNoReplace refusing to (EEXIST), or
// with vfs.RenameExchange swapping the two. The vfs has checked the
// types, permissions and ancestry; a directory replaced must still be
// empty (ENOTEMPTY). RenameWhiteout is EINVAL: the whiteout's owner
// would be the caller's, whom this interface does not name.
func (n *Node) Rename(oldname string, newdir *vfs.Inode, newname string, flags uint32) error {
	od, err := n.dirOf()
	if err != nil {
		return err
	}
	m, err := n.fs.nodeOf(newdir)
	if err != nil {
		return err
	}
	nd, err := m.dirOf()
	if err != nil {
		return err
	}
	if flags&vfs.RenameWhiteout != 0 || flags&^(vfs.RenameNoReplace|vfs.RenameExchange) != 0 {
		return abi.EINVAL
	}
	unlock := lockDirs(n, m)
	defer unlock()
	src, dst := od.byName[oldname], nd.byName[newname]
	switch {
	case src == nil:
		return abi.ENOENT
	case flags&vfs.RenameExchange != 0 && dst == nil:
		return abi.ENOENT
	case flags&vfs.RenameNoReplace != 0 && dst != nil:
		return abi.EEXIST
	case dst != nil && src.node == dst.node:
		return nil // two names of one inode: nothing to do
	case flags&vfs.RenameExchange != 0:
		exchange(n, m, src, dst)
		return nil
	}
	moved := src.node
	isDir := moved.inode.IsDir()
	if dst != nil {
		victim := dst.node
		switch {
		case isDir && !victim.inode.IsDir():
			return abi.ENOTDIR
		case !isDir && victim.inode.IsDir():
			return abi.EISDIR
		case isDir && !victim.empty():
			return abi.ENOTEMPTY
		}
		nd.remove(newname)
		m.entriesChanged(-1, isDir)
		defer victim.dropLink(isDir)
	}
	od.remove(oldname)
	nd.add(newname, moved)
	n.entriesChanged(-1, isDir)
	m.entriesChanged(+1, isDir)
	moved.touch(false, true)
	return nil
}

// exchange swaps two entries' inodes (simple_rename_exchange); each name
// keeps its ReadDir position. A directory moving to the other parent
// takes its ".." link along.
func exchange(n, m *Node, src, dst *entry) {
	a, b := src.node, dst.node
	src.node, dst.node = b, a
	if n != m && a.inode.IsDir() != b.inode.IsDir() {
		d := 1
		if b.inode.IsDir() {
			d = -1
		}
		n.nlink(-d)
		m.nlink(d)
	}
	n.entriesChanged(0, false)
	if n != m {
		m.entriesChanged(0, false)
	}
	a.touch(false, true)
	b.touch(false, true)
}

// lockDirs takes the dmu of one directory, or of two in inode-number
// order, and returns what undoes it.
func lockDirs(a, b *Node) (unlock func()) {
	if a == b {
		a.dmu.Lock()
		return a.dmu.Unlock
	}
	if b.inode.Ino < a.inode.Ino {
		a, b = b, a
	}
	a.dmu.Lock()
	b.dmu.Lock()
	return func() {
		b.dmu.Unlock()
		a.dmu.Unlock()
	}
}
