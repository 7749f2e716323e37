package libstarry

import (
	"path"
	"strings"

	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// InitEntry is one file of the initramfs as its archive lists it: a
// path, a Linux st_mode, and the contents (a symlink's target). The
// kernel reads the archive (kernel/initramfs), so the library OS needs no
// archive reader of its own; NewFiles unpacks the entries into the root
// tmpfs, as Linux's populate_rootfs does.
type InitEntry struct {
	Name string
	Mode uint32
	Data []byte
	Rdev uint64 // a device node's number (abi.Mkdev)
	// MTime is the modification time, in seconds since the epoch, that
	// the archive gives (Linux's initramfs sets it with do_utime).
	MTime int64
}

// InitFile, InitSymlink and InitDir make entries.
func InitFile(name string, data []byte, perm uint32) InitEntry {
	return InitEntry{Name: name, Mode: abi.S_IFREG | perm, Data: data}
}

func InitSymlink(name, target string) InitEntry {
	return InitEntry{Name: name, Mode: abi.S_IFLNK | 0o777, Data: []byte(target)}
}

func InitDir(name string, perm uint32) InitEntry {
	return InitEntry{Name: name, Mode: abi.S_IFDIR | perm}
}

// InitCharDev makes a character device node.
func InitCharDev(name string, perm, major, minor uint32) InitEntry {
	return InitEntry{Name: name, Mode: abi.S_IFCHR | perm, Rdev: abi.Mkdev(major, minor)}
}

// unpack places one entry as init/initramfs.c's do_name does: missing
// parent directories are made, an existing entry of the name is replaced
// (a directory only merges), and the archive's times are kept.
func (fs *Files) unpack(e InitEntry) error {
	name := strings.Trim(path.Clean("/"+e.Name), "/")
	if name == "" || name == "." {
		return fs.setInitAttr(fs.mt.Root(), e) // the root itself
	}
	if err := fs.mkdirAll(path.Dir(name)); err != nil {
		return err
	}
	c, root := rootCreds, fs.mt.Root()
	typ := e.Mode & abi.S_IFMT
	if old, err := fs.mt.Resolve(c, root, root, name, vfs.NoFollow); err == nil {
		if old.Dentry.IsDir() && typ == abi.S_IFDIR {
			return fs.setInitAttr(old, e)
		}
		if err := fs.remove(name, old.Dentry.IsDir()); err != nil {
			return err
		}
	}
	var err error
	switch typ {
	case abi.S_IFDIR:
		err = fs.mt.Mkdir(c, root, root, name, e.Mode&0o7777)
	case abi.S_IFLNK:
		err = fs.mt.Symlink(c, string(e.Data), root, root, name)
	case abi.S_IFCHR, abi.S_IFBLK, abi.S_IFIFO, abi.S_IFSOCK:
		err = fs.mt.Mknod(c, root, root, name, e.Mode, e.Rdev)
	default:
		var p vfs.Path
		if p, err = fs.mt.Create(c, root, root, name, e.Mode&0o7777); err == nil {
			err = writeAll(p, e.Data)
		}
	}
	if err != nil {
		return err
	}
	p, err := fs.mt.Resolve(c, root, root, name, vfs.NoFollow)
	if err != nil {
		return err
	}
	return fs.setInitAttr(p, e)
}

// setInitAttr gives an unpacked file the archive's mode and time.
func (fs *Files) setInitAttr(p vfs.Path, e InitEntry) error {
	ch := vfs.AttrChange{Valid: vfs.SetAtime | vfs.SetMtime, Atime: e.MTime * 1e9, Mtime: e.MTime * 1e9}
	if !p.Dentry.IsSymlink() {
		ch.Valid |= vfs.SetMode
		ch.Mode = e.Mode & 0o7777
	}
	return vfs.SetAttr(rootCreds, p.Dentry.Inode(), ch)
}

// mkdirAll makes dir and its missing parents, 0755 as do_name's parents.
func (fs *Files) mkdirAll(dir string) error {
	if dir == "." || dir == "/" || dir == "" {
		return nil
	}
	root := fs.mt.Root()
	p, err := fs.mt.Resolve(rootCreds, root, root, dir, 0)
	switch {
	case err == nil && p.Dentry.IsDir():
		return nil
	case err == nil:
		return abi.ENOTDIR
	case err != abi.ENOENT:
		return err
	}
	if err := fs.mkdirAll(path.Dir(dir)); err != nil {
		return err
	}
	return fs.mt.Mkdir(rootCreds, root, root, dir, 0o755)
}

// remove deletes an entry the archive replaces (a directory with all it
// holds, as do_name's clean_path does).
func (fs *Files) remove(name string, dir bool) error {
	root := fs.mt.Root()
	if !dir {
		return fs.mt.Unlink(rootCreds, root, root, name)
	}
	p, err := fs.mt.Resolve(rootCreds, root, root, name, vfs.NoFollow)
	if err != nil {
		return err
	}
	var kids []vfs.DirEntry
	_ = p.Dentry.ReadDir(2, func(e vfs.DirEntry) bool { kids = append(kids, e); return true })
	for _, k := range kids {
		if err := fs.remove(name+"/"+k.Name, k.Type == abi.S_IFDIR); err != nil {
			return err
		}
	}
	return fs.mt.Rmdir(rootCreds, root, root, name)
}
