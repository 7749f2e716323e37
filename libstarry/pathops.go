package libstarry

import (
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The directory operations as the process asks for them: its identity,
// its root, the directory w names, and its umask applied to new modes.

func (p *Process) mt() (*vfs.MountTable, error) {
	if p.cfg.FS == nil {
		return nil, errNoFS
	}
	return p.cfg.FS.mt, nil
}

// Mkdir is mkdirat(2).
func (p *Process) Mkdir(w Where, path string, mode uint32) error {
	mt, err := p.mt()
	if err != nil {
		return err
	}
	return mt.Mkdir(p.Creds(), w.Root, w.Dir, path, mode&^p.umask())
}

// Mknod is mknodat(2): the type bits of mode stay, the umask takes
// permission bits away.
func (p *Process) Mknod(w Where, path string, mode uint32, rdev uint64) error {
	mt, err := p.mt()
	if err != nil {
		return err
	}
	return mt.Mknod(p.Creds(), w.Root, w.Dir, path, mode&^(p.umask()&0o777), rdev)
}

// Symlink is symlinkat(2).
func (p *Process) Symlink(target string, w Where, path string) error {
	mt, err := p.mt()
	if err != nil {
		return err
	}
	return mt.Symlink(p.Creds(), target, w.Root, w.Dir, path)
}

// Link is linkat(2) once the old file is resolved.
func (p *Process) Link(old vfs.Path, w Where, path string) error {
	mt, err := p.mt()
	if err != nil {
		return err
	}
	return mt.Link(p.Creds(), old, w.Root, w.Dir, path)
}

// Unlink is unlinkat(2) without AT_REMOVEDIR, Rmdir with it.
func (p *Process) Unlink(w Where, path string) error {
	mt, err := p.mt()
	if err != nil {
		return err
	}
	return mt.Unlink(p.Creds(), w.Root, w.Dir, path)
}

func (p *Process) Rmdir(w Where, path string) error {
	mt, err := p.mt()
	if err != nil {
		return err
	}
	return mt.Rmdir(p.Creds(), w.Root, w.Dir, path)
}

// Rename is renameat2(2); both paths start from the same root.
func (p *Process) Rename(from Where, oldPath string, to Where, newPath string, flags uint32) error {
	mt, err := p.mt()
	if err != nil {
		return err
	}
	return mt.Rename(p.Creds(), from.Root, from.Dir, oldPath, to.Dir, newPath, flags)
}

// SetAttr changes the attributes of the file at q (chmod, chown,
// utimensat, truncate), with the checks notify_change makes.
func (p *Process) SetAttr(q vfs.Path, ch vfs.AttrChange) error {
	if err := q.Mount.WantWrite(); err != nil {
		return err
	}
	return vfs.SetAttr(p.Creds(), q.Dentry.Inode(), ch)
}

// Truncate is truncate(2)'s vfs_truncate after the lookup: a directory
// is EISDIR, anything else not regular EINVAL, write permission is
// needed (EPERM for an immutable file), and an append-only file is EPERM.
func (p *Process) Truncate(q vfs.Path, size int64) error {
	in := q.Dentry.Inode()
	switch {
	case in.IsDir():
		return abi.EISDIR
	case in.Type() != abi.S_IFREG:
		return abi.EINVAL
	}
	if err := q.Mount.WantWrite(); err != nil {
		return err
	}
	if err := vfs.Permission(p.Creds(), in, vfs.MayWrite); err != nil {
		return err
	}
	if in.IsAppend() {
		return abi.EPERM
	}
	if size < 0 {
		return abi.EINVAL
	}
	return vfs.SetAttr(p.Creds(), in, vfs.AttrChange{Valid: vfs.SetSize, Size: size})
}

// Statfs is what statfs(2) reports of the file system q is on.
type Statfs struct {
	Magic               int64
	BlockSize           int    // f_bsize; 0 is a page
	Blocks, Free, Avail uint64 // in BlockSize units
	Files, FreeFiles    uint64
	ID                  uint64
}

// Statfs reports the file system q is on (a tmpfs counts its limit).
func (p *Process) Statfs(q vfs.Path) Statfs {
	info := p.cfg.FS.infoOf(q)
	s := Statfs{Magic: info.magic, ID: info.dev}
	if t := info.tmp; t != nil {
		limit := uint64(t.LimitPages())
		used := uint64(t.UsedPages())
		s.Blocks, s.Free = limit, limit-min(used, limit)
		s.Avail = s.Free
		s.Files = uint64(p.cfg.FS.ex.UserFrames())
		s.FreeFiles = s.Files - min(uint64(t.Inodes()), s.Files)
	}
	if i := info.ext2; i != nil {
		ext2Statfs(i.fs, &s)
	}
	return s
}
