package vfs

import (
	"errors"

	"github.com/starry-go/starry/personality/linux/abi"
)

// The operations below take the path the way Resolve does (root, and cwd
// or a dirfd's directory, for relative paths) and a mode the caller has
// already applied its umask to. Each follows its do_*at and vfs_*
// functions in fs/namei.c for the errors and their order.

// Mkdir makes a directory (do_mkdirat, vfs_mkdir): only permission bits
// and the sticky bit of mode are kept.
func (mt *MountTable) Mkdir(c *Creds, root, cwd Path, path string, mode uint32) error {
	_, err := mt.createAt(c, root, cwd, path, true, func(dir Path, name string) (*Inode, error) {
		if err := mayCreate(c, dir.Dentry); err != nil {
			return nil, err
		}
		uid, gid, m := newOwner(c, dir.Dentry.inode, abi.S_IFDIR|mode&0o1777)
		return dir.Dentry.inode.Ops.Mkdir(name, m, uid, gid)
	})
	return err
}

// Create makes a regular file (vfs_create, as mknod and open's O_CREAT
// do) and returns it.
func (mt *MountTable) Create(c *Creds, root, cwd Path, path string, mode uint32) (Path, error) {
	return mt.createAt(c, root, cwd, path, false, func(dir Path, name string) (*Inode, error) {
		if err := mayCreate(c, dir.Dentry); err != nil {
			return nil, err
		}
		uid, gid, m := newOwner(c, dir.Dentry.inode, abi.S_IFREG|mode&0o7777)
		return dir.Dentry.inode.Ops.Create(name, m, uid, gid)
	})
}

// Mknod makes a file of mode's type (do_mknodat, vfs_mknod): a regular
// file for type 0 or S_IFREG, a device, FIFO or socket otherwise. A
// directory is EPERM and an unknown type EINVAL, before the path is
// looked at; a device needs privilege (CAP_MKNOD), but for a whiteout
// (character device 0).
func (mt *MountTable) Mknod(c *Creds, root, cwd Path, path string, mode uint32, rdev uint64) error {
	switch mode & abi.S_IFMT {
	case 0, abi.S_IFREG:
		_, err := mt.Create(c, root, cwd, path, mode)
		return err
	case abi.S_IFCHR, abi.S_IFBLK, abi.S_IFIFO, abi.S_IFSOCK:
	case abi.S_IFDIR:
		return abi.EPERM
	default:
		return abi.EINVAL
	}
	_, err := mt.createAt(c, root, cwd, path, false, func(dir Path, name string) (*Inode, error) {
		if err := mayCreate(c, dir.Dentry); err != nil {
			return nil, err
		}
		typ := mode & abi.S_IFMT
		if (typ == abi.S_IFBLK || typ == abi.S_IFCHR && rdev != 0) && !c.privileged() {
			return nil, abi.EPERM
		}
		uid, gid, m := newOwner(c, dir.Dentry.inode, mode)
		return dir.Dentry.inode.Ops.Mknod(name, m, uid, gid, rdev)
	})
	return err
}

// Symlink makes path a symbolic link to target (do_symlinkat,
// vfs_symlink); target is checked as a path is first.
func (mt *MountTable) Symlink(c *Creds, target string, root, cwd Path, path string) error {
	switch {
	case len(target) >= PathMax:
		return abi.ENAMETOOLONG
	case target == "":
		return abi.ENOENT
	}
	_, err := mt.createAt(c, root, cwd, path, false, func(dir Path, name string) (*Inode, error) {
		if err := mayCreate(c, dir.Dentry); err != nil {
			return nil, err
		}
		uid, gid, _ := newOwner(c, dir.Dentry.inode, abi.S_IFLNK|0o777)
		return dir.Dentry.inode.Ops.Symlink(name, target, uid, gid)
	})
	return err
}

// Link makes path a new name for old, which the caller resolved first
// (following a final symlink only for AT_SYMLINK_FOLLOW), as do_linkat
// does: EXDEV across mounts, EPERM for an append-only or immutable file
// and for a directory, ENOENT for a file with no links left.
func (mt *MountTable) Link(c *Creds, old Path, root, cwd Path, path string) error {
	_, err := mt.createAt(c, root, cwd, path, false, func(dir Path, name string) (*Inode, error) {
		if old.Mount != dir.Mount {
			return nil, abi.EXDEV
		}
		if err := mayCreate(c, dir.Dentry); err != nil {
			return nil, err
		}
		n := old.Dentry.inode
		switch {
		case n.Flags()&(InodeAppend|InodeImmutable) != 0, n.IsDir():
			return nil, abi.EPERM
		case n.Attr().Nlink == 0 && !linkable(n):
			return nil, abi.ENOENT
		}
		return n, dir.Dentry.inode.Ops.Link(name, n)
	})
	return err
}

// createAt is filename_create: it resolves path's parent, locks it, and
// checks the last component is a plain name that does not exist yet;
// then mk, the vfs_* half, checks the rest and makes it. Only a
// directory may be named with a trailing slash.
func (mt *MountTable) createAt(c *Creds, root, cwd Path, path string, wantDir bool,
	mk func(dir Path, name string) (*Inode, error)) (Path, error) {
	par, err := mt.ResolveParent(c, root, cwd, path, 0)
	if err != nil {
		return Path{}, err
	}
	if par.Type != LastNorm {
		return Path{}, abi.EEXIST
	}
	dir := par.Dir.Dentry
	dir.dirMu.Lock()
	defer dir.dirMu.Unlock()
	if _, err := dir.lookupLocked(par.Name); err == nil {
		return Path{}, abi.EEXIST
	} else if !errors.Is(err, abi.ENOENT) {
		return Path{}, err
	}
	if par.TrailingSlash && !wantDir {
		return Path{}, abi.ENOENT
	}
	if err := par.Dir.Mount.WantWrite(); err != nil {
		return Path{}, err // after EEXIST, as filename_create reports it
	}
	n, err := mk(par.Dir, par.Name)
	if err != nil {
		return Path{}, err
	}
	return Path{par.Dir.Mount, dir.instantiate(par.Name, n)}, nil
}

// mayCreate is may_create: the directory must still exist and c may
// write and search it.
func mayCreate(c *Creds, dir *Dentry) error {
	if dir.Dead() {
		return abi.ENOENT
	}
	return Permission(c, dir.inode, MayWrite|MayExec)
}

// Linkable is an inode whose file system lets a file with no links get
// one (an O_TMPFILE file, I_LINKABLE).
type Linkable interface{ Linkable() bool }

func linkable(n *Inode) bool {
	l, ok := n.Ops.(Linkable)
	return ok && l.Linkable()
}
