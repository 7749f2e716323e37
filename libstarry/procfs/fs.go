package procfs

import (
	"fmt"
	"github.com/starry-go/starry/exo"
	"sync/atomic"
	"time"

	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// FS is one procfs instance (proc_fill_super's super_block): the Source
// it shows, its device number, and the boot's random/boot_id.
type FS struct {
	src    Source
	vfs    *vfs.FileSystem
	dev    atomic.Uint64
	bootID string
	now    func() int64
}

// New makes a procfs instance over src. Its st_dev is 0 until SetDev.
func New(src Source) *FS {
	fs := &FS{src: src, bootID: newUUID(), now: func() int64 { return time.Now().UnixNano() }}
	root := fs.inode(&node{fs: fs, e: rootEntry})
	v, err := vfs.NewFileSystem("proc", root)
	if err != nil {
		panic(err) // the root is a directory
	}
	fs.vfs = v
	return fs
}

// VFS is the instance as the vfs sees it, to mount.
func (fs *FS) VFS() *vfs.FileSystem { return fs.vfs }

// SetDev sets st_dev for the open files' fstat (the file layer numbers
// file systems after making them; stat of a path gets it there too).
func (fs *FS) SetDev(dev uint64) { fs.dev.Store(dev) }

// ino numbers a node: the static entries by their place in the tree,
// the per-process ones from (pid, tid, entry, fd), so that every entry
// keeps its number while its process lives (16 bits each of pid and
// tid: IDs past 65535 would share numbers).
func (n *node) ino() uint64 {
	if n.pid == 0 {
		return n.e.id
	}
	return 1<<61 | uint64(n.pid&0xffff)<<45 | uint64(n.tid&0xffff)<<29 | n.e.id<<21 | uint64(n.fd)&(1<<21-1)
}

// inode makes n's inode: its mode, and for a process's entries the
// owner task_dump_owner gives (the effective IDs).
func (fs *FS) inode(n *node) *vfs.Inode {
	t := fs.now()
	a := vfs.Attr{Mode: n.mode(), Nlink: n.nlink(), Atime: t, Mtime: t, Ctime: t}
	if n.e.kind == kFDLink {
		a.Size = 64 // proc_fd_instantiate's
	}
	if n.pid != 0 {
		if p, ok := fs.src.Process(n.pid, nil); ok {
			a.UID, a.GID = p.EUID, p.EGID
		}
	}
	ops := vfs.InodeOps(n)
	switch n.e.kind {
	case kSelf:
		ops = selfLink{n}
	case kMagic, kFDLink:
		ops = magicLink{n}
	}
	return vfs.NewInode(n.ino(), a, ops)
}

func (n *node) mode() uint32 {
	if n.e.kind == kFDLink {
		return fdLinkMode(n.fs.src, n.pid, n.fd)
	}
	return n.e.mode
}

// nlink is a directory's 2 plus its subdirectories (pid_entry_nlink).
func (n *node) nlink() uint32 {
	if n.e.mode&abi.S_IFMT != abi.S_IFDIR {
		return 1
	}
	l := uint32(2)
	for _, k := range n.e.kids {
		if k.mode&abi.S_IFMT == abi.S_IFDIR {
			l++
		}
	}
	return l
}

// newUUID is a random version-4 UUID (generate_random_uuid).
func newUUID() string {
	var b [16]byte
	exo.Random(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
