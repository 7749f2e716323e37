package libstarry

import (
	"sort"
	"strconv"
	"strings"

	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// mount(2) and umount2(2): new instances of the file systems the file
// layer knows, on directories of the one namespace. There are no bind
// mounts or moves, and no propagation (every mount is private).

// MountFlags are the per-mount flags mount(2) takes that matter here.
const (
	MountReadOnly = 1 // MS_RDONLY
)

// mountRec is what /proc/mounts shows of a mount besides its place.
type mountRec struct {
	fstype, source, options string
	attrs                   MountAttrs // fsmount's MOUNT_ATTR_*
	sb                      uint32     // fsconfig's super block flags but SB_RDONLY
}

// MountEntry is one line of /proc/mounts.
type MountEntry struct {
	ID, ParentID   uint64
	Dev            uint64
	Point          string // where it is mounted, as the caller sees it
	FSType, Source string
	Options        string // "rw" or "ro", then the file system's own
	ReadOnly       bool
	Root           vfs.Path
	Propagation    string // mountinfo's optional fields ("shared:1")
}

// FileSystemTypes are the types mount(2) makes (/proc/filesystems).
var FileSystemTypes = []string{"tmpfs", "devtmpfs", "sysfs", "proc"}

// Mount mounts a new instance of fstype on target (do_new_mount): root
// only (EPERM), a known type (ENODEV), a directory (ENOTDIR); data holds
// the file system's options (tmpfs: size=, mode=, uid=, gid=, nr_inodes=).
func (p *Process) Mount(source string, target vfs.Path, fstype string, flags uint64, data string) error {
	if p.Cred().EUID != 0 {
		return abi.EPERM
	}
	fs := p.cfg.FS
	if !target.Dentry.IsDir() {
		return abi.ENOTDIR
	}
	if err := p.inMountNS(target); err != nil {
		return err
	}
	switch fstype {
	case "tmpfs", "devtmpfs":
	case "ext2":
		return p.mountExt2(source, target, flags)
	case "sysfs":
		return fs.mountSysfs(target)
	case "proc":
		fs.mu.Lock()
		pfs := fs.proc
		fs.mu.Unlock()
		if pfs == nil {
			return abi.ENODEV
		}
		return fs.MountProcAt(pfs, target)
	default:
		return abi.ENODEV
	}
	inst, err := fs.newTmpfsInstance(fstype, source, data)
	if err != nil {
		return err
	}
	m, err := mountIn(inst.v, target)
	if err != nil {
		return err
	}
	m.SetReadOnly(flags&MountReadOnly != 0)
	fs.recordMount(m, inst.rec)
	return nil
}

// newTmpfsInstance is a new tmpfs or devtmpfs instance (shmem_get_tree)
// with the options in data, its root's mode and owner from them.
func (fs *Files) newTmpfsInstance(fstype, source, data string) (*fsInstance, error) {
	opts, err := parseTmpfsOptions(data, int64(fs.ex.UserFrames()))
	if err != nil {
		return nil, err
	}
	v := fs.newTmpfsLimit(source, opts.pages)
	root := v.Root().Inode()
	if err := vfs.SetAttr(rootCreds, root, vfs.AttrChange{Valid: vfs.SetMode | vfs.SetUID | vfs.SetGID,
		Mode: opts.mode, UID: opts.uid, GID: opts.gid}); err != nil {
		return nil, err
	}
	if fstype == "devtmpfs" {
		if err := fs.populateDev(v); err != nil {
			return nil, err
		}
	}
	return &fsInstance{v: v, rec: mountRec{fstype: fstype, source: source, options: opts.text}}, nil
}

// Remount changes a mount's flags (MS_REMOUNT): target must be a mount's
// root (EINVAL).
func (p *Process) Remount(target vfs.Path, flags uint64) error {
	if p.Cred().EUID != 0 {
		return abi.EPERM
	}
	if target.Dentry != target.Mount.Root().Dentry {
		return abi.EINVAL
	}
	if err := p.inMountNS(target); err != nil {
		return err
	}
	target.Mount.SetReadOnly(flags&MountReadOnly != 0)
	return nil
}

// Umount is umount2 once the target is resolved: root only, a mount's
// root, nothing mounted inside it.
func (p *Process) Umount(target vfs.Path) error {
	if p.Cred().EUID != 0 {
		return abi.EPERM
	}
	if err := p.inMountNS(target); err != nil {
		return err
	}
	return p.cfg.FS.umount(target)
}

// Mounts is /proc/mounts for the process: every mount, with its mount
// point as seen from the process's root.
func (p *Process) Mounts() []MountEntry {
	fs, ns := p.cfg.FS, p.MountNS()
	root := p.At(vfs.Path{}).Root
	var out []MountEntry
	for _, m := range ns.Mounts() {
		point := "/"
		parent := ns.Parent(m)
		if parent.Mount != nil {
			s, under := ns.PathOf(root, parent)
			if !under {
				continue
			}
			point = s
		}
		rec := fs.recOf(m)
		e := MountEntry{ID: m.ID, Dev: fs.infoOf(m.Root()).dev, Point: point, FSType: rec.fstype,
			Source: rec.source, ReadOnly: m.ReadOnly(), Root: m.Root(), Propagation: m.PropagationFields()}
		if parent.Mount != nil {
			e.ParentID = parent.Mount.ID
		}
		e.Options = mountOptions(e.ReadOnly, rec.attrs, sbText(rec.sb), rec.options)
		out = append(out, e)
	}
	return out
}

// tmpfsOptions are a tmpfs mount's options, parsed (shmem_parse_one).
type tmpfsOptions struct {
	pages    int64
	mode     uint32
	uid, gid uint32
	text     string // as /proc/mounts shows them
}

// parseTmpfsOptions reads "size=N[kmg%],mode=OCTAL,uid=N,gid=N": an
// unknown option or a bad value is EINVAL. The size defaults to half of
// memory, the mode to 01777.
func parseTmpfsOptions(data string, frames int64) (tmpfsOptions, error) {
	o := tmpfsOptions{pages: frames / 2, mode: 0o1777}
	var shown []string
	for _, kv := range strings.Split(data, ",") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "size":
			n, err := tmpfsSize(v, frames)
			if err != nil {
				return o, err
			}
			o.pages = n
			shown = append(shown, "size="+strconv.FormatInt(n*4, 10)+"k")
		case "mode":
			m, err := strconv.ParseUint(v, 8, 32)
			if err != nil || m > 0o7777 {
				return o, abi.EINVAL
			}
			o.mode = uint32(m)
		case "uid", "gid":
			id, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return o, abi.EINVAL
			}
			if k == "uid" {
				o.uid = uint32(id)
			} else {
				o.gid = uint32(id)
			}
			shown = append(shown, kv)
		case "nr_inodes", "nr_blocks", "huge", "mpol", "inode64", "inode32", "noswap":
			// accepted; inodes and huge pages are not limited or used here
		default:
			return o, abi.EINVAL
		}
	}
	if o.mode != 0o1777 {
		shown = append(shown, "mode="+strconv.FormatUint(uint64(o.mode), 8))
	}
	sort.Strings(shown)
	o.text = strings.Join(append([]string{"relatime"}, shown...), ",")
	return o, nil
}

// tmpfsSize is memparse for size=: bytes with a k, m or g suffix, or a
// percentage of memory; in pages, rounded up.
func tmpfsSize(v string, frames int64) (int64, error) {
	if strings.HasSuffix(v, "%") {
		pct, err := strconv.ParseInt(strings.TrimSuffix(v, "%"), 10, 64)
		if err != nil || pct < 0 {
			return 0, abi.EINVAL
		}
		return frames * pct / 100, nil
	}
	mult := int64(1)
	switch {
	case strings.HasSuffix(v, "k"), strings.HasSuffix(v, "K"):
		mult = 1 << 10
	case strings.HasSuffix(v, "m"), strings.HasSuffix(v, "M"):
		mult = 1 << 20
	case strings.HasSuffix(v, "g"), strings.HasSuffix(v, "G"):
		mult = 1 << 30
	}
	if mult != 1 {
		v = v[:len(v)-1]
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, abi.EINVAL
	}
	return (n*mult + 4095) / 4096, nil
}
