package tmpfs

import (
	"errors"
	"sync/atomic"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// MaxFileSize is the largest size a file may reach: Linux's
// MAX_LFS_FILESIZE (tmpfs's s_maxbytes) rounded down to a page, so every
// byte of a file lies in a page whose index fits.
const MaxFileSize = (1<<63 - 1) &^ (exo.PageSize - 1)

// bogoDirentSize is what each entry adds to a directory's size (shmem's
// BOGO_DIRENT_SIZE): tmpfs has no directory blocks, but some programs
// misbehave when a directory's size is 0.
const bogoDirentSize = 20

// FS is one tmpfs instance (a super_block with its shmem_sb_info).
type FS struct {
	pager *exo.Env
	limit int64        // pages; 0 is no limit but the machine's
	now   func() int64 // nanoseconds since the epoch
	vfs   *vfs.FileSystem
	root  *Node

	used   atomic.Int64 // data frames held (or reserved for a moment)
	inodes atomic.Int64 // live inodes
	ino    atomic.Uint64
}

// New makes an instance whose files' frames pager holds, at most
// limitPages of them (0 or less: no limit), with times read from now.
// Its root is a 0755 directory owned by 0:0; vfs.SetAttr changes that.
func New(pager *exo.Env, limitPages int64, now func() int64) *FS {
	fs := &FS{pager: pager, limit: max(limitPages, 0), now: now}
	fs.root = fs.newNode(abi.S_IFDIR|0o755, 0, 0, "")
	v, err := vfs.NewFileSystem("tmpfs", fs.root.inode)
	if err != nil {
		panic(err) // the root is a directory
	}
	fs.vfs = v
	return fs
}

// VFS is the instance as the vfs sees it, to mount.
func (fs *FS) VFS() *vfs.FileSystem { return fs.vfs }

// Root is the root directory's node.
func (fs *FS) Root() *Node { return fs.root }

// UsedPages is how many data frames the instance holds now.
func (fs *FS) UsedPages() int64 { return fs.used.Load() }

// LimitPages is the limit on UsedPages; 0 is none but the machine's.
func (fs *FS) LimitPages() int64 { return fs.limit }

// Inodes counts the live inodes, for leak tests and statfs.
func (fs *FS) Inodes() int64 { return fs.inodes.Load() }

// NewUnlinked makes a regular file with no name (mode's type bits are
// ignored): what O_TMPFILE, memfd_create and shared anonymous memory
// make (shmem_file_setup). It lives until the Close of the caller's Open.
func (fs *FS) NewUnlinked(mode, uid, gid uint32) *Node {
	n := fs.newNode(abi.S_IFREG|mode&^abi.S_IFMT, uid, gid, "")
	n.inode.Update(func(a *vfs.Attr) { a.Nlink = 0 })
	return n
}

// newNode makes a node of mode's type, counted as live.
func (fs *FS) newNode(mode, uid, gid uint32, target string) *Node {
	t := fs.now()
	a := vfs.Attr{Mode: mode, UID: uid, GID: gid, Nlink: 1, Atime: t, Mtime: t, Ctime: t}
	n := &Node{fs: fs, target: target, seals: SealSeal}
	switch mode & abi.S_IFMT {
	case abi.S_IFDIR:
		a.Nlink, a.Size = 2, 2*bogoDirentSize
		n.dir = &dirData{byName: map[string]*entry{}}
	case abi.S_IFLNK:
		a.Size = int64(len(target))
	}
	n.inode = vfs.NewInode(fs.ino.Add(1), a, n)
	fs.inodes.Add(1)
	return n
}

// reserve counts k more pages against the limit, or fails: the check and
// the count are one step, so racing writers cannot both pass it.
func (fs *FS) reserve(k int64) bool {
	if fs.limit == 0 {
		fs.used.Add(k)
		return true
	}
	for {
		u := fs.used.Load()
		if u+k > fs.limit {
			return false
		}
		if fs.used.CompareAndSwap(u, u+k) {
			return true
		}
	}
}

// allocFrame takes a zeroed frame for a data page: ENOSPC at the limit,
// ENOMEM when the machine has none.
func (fs *FS) allocFrame() (exo.Frame, error) {
	if !fs.reserve(1) {
		return 0, abi.ENOSPC
	}
	f, err := fs.allocReserved()
	if err != nil {
		fs.used.Add(-1)
	}
	return f, err
}

// allocReserved takes a frame already counted by reserve.
func (fs *FS) allocReserved() (exo.Frame, error) {
	f, err := fs.pager.AllocFrame()
	switch {
	case err == nil:
		return f, nil
	case errors.Is(err, exo.ErrNoMemory):
		return 0, abi.ENOMEM
	default:
		return 0, abi.EIO
	}
}

// freeFrame gives a data frame back. Envs it was granted to keep it until
// they let go; the pager never maps it, so FreeFrame cannot refuse.
func (fs *FS) freeFrame(f exo.Frame) {
	_ = fs.pager.FreeFrame(f)
	fs.used.Add(-1)
}

// NodeOf is the tmpfs node behind a vfs inode, if it is one.
func NodeOf(in *vfs.Inode) (*Node, bool) {
	n, ok := in.Ops.(*Node)
	return n, ok
}

// nodeOf is NodeOf for an inode that must be of this instance.
func (fs *FS) nodeOf(in *vfs.Inode) (*Node, error) {
	n, ok := NodeOf(in)
	if !ok || n.fs != fs {
		return nil, abi.EXDEV
	}
	return n, nil
}
