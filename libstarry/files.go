package libstarry

import (
	"strings"
	"sync"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/ext2"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/flock"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/libstarry/procfs"
	"github.com/starry-go/starry/libstarry/tmpfs"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Files is the kernel's file layer, shared by every process: the mount
// table of the one namespace, and the pager, an Env that never runs and
// holds the frames of every tmpfs file (the page cache), so a file's
// pages belong to the file system, and processes that map it are
// granted them.
type Files struct {
	ex    *exo.Exokernel
	pager *exo.Env
	mt    *vfs.MountTable
	locks *flock.Manager
	// shm is the internal tmpfs (Linux's shm_mnt) that memfds and shared
	// anonymous memory live on, mounted nowhere in the namespace.
	shm *vfs.MountTable

	mu      sync.Mutex
	info    map[*vfs.FileSystem]*fsInfo
	mounts  map[*vfs.Mount]mountRec
	fifos   map[*vfs.Inode]*ipc.FIFO // named pipes' buffers, by inode
	proc    *procfs.FS               // the one procfs instance, once mounted
	loopTab *loopTable               // the loop devices, made on first use
	nextDev uint32
}

// fsInfo is what the file layer keeps of each file system instance.
type fsInfo struct {
	dev    uint64 // st_dev of its files: an anonymous device, 0:N
	magic  int64  // statfs's f_type
	source string // mount's source, as /proc/mounts shows it
	tmp    *tmpfs.FS
	ext2   *ext2Inst
}

// Magic numbers of statfs's f_type (include/uapi/linux/magic.h).
const (
	tmpfsMagic = 0x01021994
)

// rootCreds is the kernel's own identity, for unpacking the initramfs.
var rootCreds = &vfs.Creds{}

// NewFiles makes the namespace: a tmpfs root with the initramfs entries
// unpacked into it (writable, as Linux's rootfs), the device nodes in
// /dev, and tmpfs instances on /tmp and /dev/shm.
func NewFiles(ex *exo.Exokernel, entries []InitEntry) (*Files, error) {
	pager, err := ex.NewEnv()
	if err != nil {
		return nil, abi.ENOMEM
	}
	fs := &Files{ex: ex, pager: pager, info: map[*vfs.FileSystem]*fsInfo{}, mounts: map[*vfs.Mount]mountRec{}, locks: flock.New()}
	// The root holds the whole initramfs, so, like Linux's rootfs when it
	// is ramfs, it is bounded only by the machine.
	root := fs.newTmpfsLimit("rootfs", 0)
	fs.mt = vfs.NewMountTable(root)
	fs.recordMount(fs.mt.Root().Mount, mountRec{fstype: "rootfs", source: "rootfs"})
	fs.shm = vfs.NewMountTable(fs.newTmpfs("tmpfs"))
	devs := deviceNodes()
	for i := range devs {
		devs[i].MTime = now() / 1e9 // made at boot, as devtmpfs's
	}
	for _, e := range append(entries, devs...) {
		if err := fs.unpack(e); err != nil {
			return nil, err
		}
	}
	for _, dir := range []string{"/tmp", "/dev/shm"} {
		if err := fs.mountTmpfs(dir); err != nil {
			return nil, err
		}
	}
	sys, err := fs.ensureDir("/sys")
	if err == nil {
		err = fs.mountSysfs(sys)
	}
	if err != nil {
		return nil, err
	}
	return fs, nil
}

// newTmpfs makes a tmpfs instance limited, as Linux's default, to half
// of the machine's memory.
func (fs *Files) newTmpfs(source string) *vfs.FileSystem {
	return fs.newTmpfsLimit(source, int64(fs.ex.UserFrames()/2))
}

// newTmpfsLimit makes a tmpfs instance of at most pages pages.
func (fs *Files) newTmpfsLimit(source string, pages int64) *vfs.FileSystem {
	t := tmpfs.New(fs.pager, pages, now)
	v := t.VFS()
	fs.register(v, &fsInfo{magic: tmpfsMagic, source: source, tmp: t})
	return v
}

// register gives a new file system instance its device number.
func (fs *Files) register(v *vfs.FileSystem, info *fsInfo) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.nextDev++
	info.dev = abi.Mkdev(0, fs.nextDev)
	fs.info[v] = info
}

// infoOf is what the layer knows of the file system p is on.
func (fs *Files) infoOf(p vfs.Path) *fsInfo {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if i := fs.info[p.Dentry.FS()]; i != nil {
		return i
	}
	return &fsInfo{}
}

// mountTmpfs mounts a fresh tmpfs on dir, making dir (sticky, world
// writable, as /tmp is) when the archive has none.
func (fs *Files) mountTmpfs(dir string) error {
	if err := fs.mkdirAll(dir); err != nil {
		return err
	}
	root := fs.mt.Root()
	at, err := fs.mt.Resolve(rootCreds, root, root, dir, 0)
	if err != nil {
		return err
	}
	v := fs.newTmpfs("tmpfs")
	if err := vfs.SetAttr(rootCreds, v.Root().Inode(), vfs.AttrChange{Valid: vfs.SetMode, Mode: 0o1777}); err != nil {
		return err
	}
	m, err := fs.mt.Mount(v, at)
	if err == nil {
		fs.recordMount(m, mountRec{fstype: "tmpfs", source: "tmpfs", options: "relatime"})
	}
	return err
}

// recordMount and mountRecOf keep what /proc/mounts shows of a mount.
func (fs *Files) recordMount(m *vfs.Mount, r mountRec) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.mounts[m] = r
}

func (fs *Files) mountRecOf(m *vfs.Mount) mountRec {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.mounts[m]
}

// populateDev fills a new devtmpfs instance with the device nodes.
func (fs *Files) populateDev(v *vfs.FileSystem) error {
	mt := vfs.NewMountTable(v)
	root := mt.Root()
	for _, e := range deviceNodes() {
		name := strings.TrimPrefix(e.Name, "dev/")
		if e.Name == "dev" {
			continue
		}
		var err error
		switch e.Mode & abi.S_IFMT {
		case abi.S_IFLNK:
			err = mt.Symlink(rootCreds, string(e.Data), root, root, name)
		case abi.S_IFDIR: // dev/pts, which mknod cannot make
			err = mt.Mkdir(rootCreds, root, root, name, e.Mode&0o7777)
		default:
			err = mt.Mknod(rootCreds, root, root, name, e.Mode, e.Rdev)
		}
		if err != nil {
			return err
		}
		if e.Mode&abi.S_IFMT == abi.S_IFLNK {
			continue
		}
		q, err := mt.Resolve(rootCreds, root, root, name, vfs.NoFollow)
		if err != nil {
			return err
		}
		if err := vfs.SetAttr(rootCreds, q.Dentry.Inode(), vfs.AttrChange{Valid: vfs.SetMode, Mode: e.Mode & 0o7777}); err != nil {
			return err
		}
	}
	return nil
}

// Root is the namespace's root directory.
func (fs *Files) Root() vfs.Path { return fs.mt.Root() }

// ReadFile reads a whole regular file by absolute path, as root (the
// kernel reads its command list so).
func (fs *Files) ReadFile(name string) ([]byte, error) {
	root := fs.mt.Root()
	p, err := fs.mt.Resolve(rootCreds, root, root, name, 0)
	if err != nil {
		return nil, err
	}
	n, ok := tmpfs.NodeOf(p.Dentry.Inode())
	if !ok || p.Dentry.Inode().Type() != abi.S_IFREG {
		return nil, abi.EINVAL
	}
	b := make([]byte, n.Size())
	got, err := n.ReadAt(b, 0)
	return b[:got], err
}

// FramesHeld is how many frames the file systems hold (for leak tests).
func (fs *Files) FramesHeld() int64 {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var n int64
	for _, i := range fs.info {
		if i.tmp != nil {
			n += i.tmp.UsedPages()
		}
	}
	return n
}

// writeAll fills a new file with data.
func writeAll(p vfs.Path, data []byte) error {
	n, ok := tmpfs.NodeOf(p.Dentry.Inode())
	if !ok {
		return abi.EINVAL
	}
	for len(data) > 0 {
		w, err := n.WriteAt(data, n.Size())
		if err != nil {
			return err
		}
		data = data[w:]
	}
	return nil
}

// now is the clock file times are read from.
func now() int64 { return time.Now().UnixNano() }

// statOf is struct stat for the file at p.
func (fs *Files) statOf(p vfs.Path) fd.Stat {
	in := p.Dentry.Inode()
	a := in.Attr()
	st := fd.Stat{Dev: fs.infoOf(p).dev, Ino: in.Ino, Mode: a.Mode, Nlink: a.Nlink, UID: a.UID, GID: a.GID,
		Rdev: a.Rdev, Size: a.Size, Atime: a.Atime, Mtime: a.Mtime, Ctime: a.Ctime,
		MountRoot: p.Mount != nil && p.Dentry == p.Mount.Root().Dentry}
	if n, ok := tmpfs.NodeOf(in); ok {
		st.Blocks = n.Blocks()
	}
	if n, ok := ext2.NodeOf(in); ok {
		st.Blocks = n.Blocks()
	}
	if sa, ok := in.Ops.(vfs.StatxAttrs); ok {
		st.Attributes, st.AttributesMask = sa.StatxAttributes()
	}
	return st
}

// Stat stats an absolute path as root, following symlinks unless
// nofollow (for the kernel and tests).
func (fs *Files) Stat(name string, nofollow bool) (fd.Stat, error) {
	var f vfs.Flags
	if nofollow {
		f = vfs.NoFollow
	}
	root := fs.mt.Root()
	p, err := fs.mt.Resolve(rootCreds, root, root, name, f)
	if err != nil {
		return fd.Stat{}, err
	}
	return fs.statOf(p), nil
}

// FramesOutside counts the frames processes hold: every frame in use
// but those only the file systems hold (for leak reports).
func (fs *Files) FramesOutside() int { return fs.ex.FramesBeyond(fs.pager) }

// LocksHeld counts the file locks held (for leak tests).
func (fs *Files) LocksHeld() int { return fs.locks.Count() }

// fifoOf is the named pipe of a FIFO inode. (It stays as long as the
// inode is known here; a FIFO costs a few words.)
func (fs *Files) fifoOf(in *vfs.Inode) *ipc.FIFO {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.fifos == nil {
		fs.fifos = map[*vfs.Inode]*ipc.FIFO{}
	}
	f := fs.fifos[in]
	if f == nil {
		f = &ipc.FIFO{}
		fs.fifos[in] = f
	}
	return f
}
