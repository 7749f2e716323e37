package ext2

import (
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// renameNoReplace is RENAME_NOREPLACE, the only flag ext2 takes (the vfs
// has already refused an existing target).
const renameNoReplace = 1

// Rename moves oldname to newname in newdir (ext2_rename): a directory
// moved to another parent has its ".." changed; a replaced target loses
// a link; RENAME_EXCHANGE and RENAME_WHITEOUT are EINVAL.
func (n *Node) Rename(oldname string, newdir *vfs.Inode, newname string, flags uint32) error {
	fs := n.fs
	if flags&^renameNoReplace != 0 {
		return abi.EINVAL
	}
	nd, ok := NodeOf(newdir)
	if !ok || nd.fs != fs {
		return abi.EXDEV
	}
	fs.mu.Lock()
	defer fs.unlock()
	if err := fs.writable(); err != nil {
		return err
	}
	oldDe, err := n.find(oldname)
	if err != nil {
		return err
	}
	old, err := fs.node(oldDe.ino)
	if err != nil {
		return err
	}
	var dotdot dent
	isDir := old.inode.IsDir()
	if isDir {
		if dotdot, err = old.find(".."); err != nil {
			return err
		}
	}
	newDe, err := nd.find(newname)
	switch {
	case err == nil:
		if err := nd.replace(newDe, old, isDir); err != nil {
			return err
		}
	case err != abi.ENOENT:
		return err
	default:
		if isDir && nd != n && nd.inode.Attr().Nlink >= linkMax {
			return abi.EMLINK
		}
		if err := nd.addEntry(newname, old.ino, old.inode.Attr().Mode); err != nil {
			return err
		}
		if isDir {
			nd.nlink(1)
			nd.save()
		}
	}
	old.touch(false)
	old.save()
	// The entry may have moved if the new name went into its block.
	if oldDe, err = n.find(oldname); err != nil {
		return err
	}
	if oldDe.ino == old.ino {
		if err := n.removeEntry(oldDe); err != nil {
			return err
		}
	}
	if isDir {
		if nd != n {
			if err := old.setEntry(dotdot, nd.ino, abi.S_IFDIR, false); err != nil {
				return err
			}
		}
		n.nlink(-1)
		n.save()
	}
	return nil
}

// replace points an existing entry at old, dropping the inode it named.
func (nd *Node) replace(de dent, old *Node, isDir bool) error {
	fs := nd.fs
	victim, err := fs.node(de.ino)
	if err != nil {
		return err
	}
	if isDir {
		if ok, err := victim.empty(); err != nil || !ok {
			if err == nil {
				err = abi.ENOTEMPTY
			}
			return err
		}
	}
	if err := nd.setEntry(de, old.ino, old.inode.Attr().Mode, true); err != nil {
		return err
	}
	victim.touch(false)
	if isDir {
		victim.nlink(-1)
	}
	victim.nlink(-1)
	victim.save()
	victim.maybeEvict()
	return nil
}
