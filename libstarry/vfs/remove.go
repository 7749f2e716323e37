package vfs

import "github.com/starry-go/starry/personality/linux/abi"

// Unlink removes a non-directory (do_unlinkat, vfs_unlink): "." and ".."
// (or no name) are EISDIR, a trailing slash ENOTDIR (EISDIR on a
// directory), and a directory EISDIR after the permission checks.
func (mt *MountTable) Unlink(c *Creds, root, cwd Path, path string) error {
	par, err := mt.ResolveParent(c, root, cwd, path, 0)
	if err != nil {
		return err
	}
	if par.Type != LastNorm {
		return abi.EISDIR
	}
	if err := par.Dir.Mount.WantWrite(); err != nil {
		return err
	}
	dir := par.Dir.Dentry
	dir.dirMu.Lock()
	defer dir.dirMu.Unlock()
	victim, err := dir.lookupLocked(par.Name)
	if err != nil {
		return err
	}
	if par.TrailingSlash {
		if victim.IsDir() {
			return abi.EISDIR
		}
		return abi.ENOTDIR
	}
	if err := mayDelete(c, dir, victim, false); err != nil {
		return err
	}
	if err := dir.inode.Ops.Unlink(par.Name); err != nil {
		return err
	}
	dir.unhash(victim)
	return nil
}

// Rmdir removes an empty directory (do_rmdir, vfs_rmdir): ".." is
// ENOTEMPTY, "." EINVAL and no name EBUSY, as is a mount point.
func (mt *MountTable) Rmdir(c *Creds, root, cwd Path, path string) error {
	par, err := mt.ResolveParent(c, root, cwd, path, 0)
	if err != nil {
		return err
	}
	switch par.Type {
	case LastDotDot:
		return abi.ENOTEMPTY
	case LastDot:
		return abi.EINVAL
	case LastRoot:
		return abi.EBUSY
	}
	if err := par.Dir.Mount.WantWrite(); err != nil {
		return err
	}
	dir := par.Dir.Dentry
	dir.dirMu.Lock()
	defer dir.dirMu.Unlock()
	victim, err := dir.lookupLocked(par.Name)
	if err != nil {
		return err
	}
	if err := mayDelete(c, dir, victim, true); err != nil {
		return err
	}
	victim.dirMu.Lock()
	defer victim.dirMu.Unlock()
	if victim.IsMountpoint() {
		return abi.EBUSY
	}
	if err := dir.inode.Ops.Rmdir(par.Name); err != nil {
		return err
	}
	dir.unhash(victim)
	return nil
}

// mayDelete is may_delete: c may write and search dir, which is not
// append-only, the sticky bit lets c remove victim, which is neither
// append-only nor immutable, victim is a directory exactly if isDir, and
// dir has not been removed itself.
func mayDelete(c *Creds, dir, victim *Dentry, isDir bool) error {
	if err := Permission(c, dir.inode, MayWrite|MayExec); err != nil {
		return err
	}
	if dir.inode.IsAppend() {
		return abi.EPERM
	}
	if stickyDenies(c, dir.inode.Attr(), victim.inode.Attr()) || victim.inode.Flags()&(InodeAppend|InodeImmutable) != 0 {
		return abi.EPERM
	}
	switch {
	case isDir && !victim.IsDir():
		return abi.ENOTDIR
	case !isDir && victim.IsDir():
		return abi.EISDIR
	case dir.Dead():
		return abi.ENOENT
	}
	return nil
}
