package vfs

import "github.com/starry-go/starry/personality/linux/abi"

// ReadDir lists the directory's entries from position off, as getdents
// wants them: "." at position 0 and ".." (the parent within the file
// system, so the root's own at a file system's root, as dcache_readdir
// gives) at 1, then the file system's entries, whose positions are
// shifted by 2. A removed directory is ENOENT (iterate_dir). The
// directory's lock is held shared while emit runs, so emit must not
// change the directory.
func (d *Dentry) ReadDir(off int64, emit func(DirEntry) bool) error {
	if !d.IsDir() {
		return abi.ENOTDIR
	}
	if off < 0 {
		return abi.EINVAL
	}
	d.dirMu.RLock()
	defer d.dirMu.RUnlock()
	if d.Dead() {
		return abi.ENOENT
	}
	if off == 0 {
		if !emit(DirEntry{Name: ".", Ino: d.inode.Ino, Type: abi.S_IFDIR, Next: 1}) {
			return nil
		}
		off = 1
	}
	if off == 1 {
		if !emit(DirEntry{Name: "..", Ino: d.Parent().inode.Ino, Type: abi.S_IFDIR, Next: 2}) {
			return nil
		}
		off = 2
	}
	return d.inode.Ops.ReadDir(off-2, func(e DirEntry) bool {
		e.Next += 2
		return emit(e)
	})
}
