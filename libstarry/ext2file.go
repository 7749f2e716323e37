package libstarry

import (
	"io"
	"sync"

	"github.com/starry-go/starry/libstarry/ext2"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/libstarry/tmpfs"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// ext2File is an open regular file of an ext2 instance: its node and a
// position of its own (ext2_file_operations).
type ext2File struct {
	lockable
	n   *ext2.Node
	mu  sync.Mutex // guards pos, and orders this file's reads and writes
	pos int64
}

func newExt2File(n *ext2.Node, q vfs.Path, fs *Files) *ext2File {
	n.Open()
	return &ext2File{lockable: lockable{path: q, fs: fs}, n: n}
}

func (f *ext2File) Read(_ fd.Ctx, b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.n.ReadAt(b, f.pos)
	f.pos += int64(n)
	return n, err
}

func (f *ext2File) Write(c fd.Ctx, b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n int
	var err error
	if c.Append {
		f.pos, n, err = f.n.Append(b)
	} else {
		n, err = f.n.WriteAt(b, f.pos)
	}
	f.pos += int64(n)
	return n, err
}

func (f *ext2File) ReadAt(b []byte, off int64) (int, error) { return f.n.ReadAt(b, off) }

func (f *ext2File) WriteAt(c fd.Ctx, b []byte, off int64) (int, error) {
	if c.Append {
		_, n, err := f.n.Append(b)
		return n, err
	}
	return f.n.WriteAt(b, off)
}

// Seek is generic_file_llseek.
func (f *ext2File) Seek(off int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var pos int64
	var err error
	switch whence {
	case io.SeekStart:
		pos = off
	case io.SeekCurrent:
		pos = f.pos + off
	case io.SeekEnd:
		pos = f.n.Size() + off
	case abi.SEEK_DATA:
		pos, err = f.n.SeekData(off)
	case abi.SEEK_HOLE:
		pos, err = f.n.SeekHole(off)
	default:
		return 0, abi.EINVAL
	}
	if err != nil {
		return 0, err
	}
	if pos < 0 {
		return 0, abi.EINVAL
	}
	f.pos = pos
	return pos, nil
}

func (f *ext2File) Stat() fd.Stat { return f.fs.statOf(f.path) }

// Release is the last close: the description's locks go, and the node
// may be freed now.
func (f *ext2File) Release() {
	f.releaseLocks(f)
	f.n.Close()
}

// Object is what mmap maps.
func (f *ext2File) Object() mm.Object { return f.n }

func (f *ext2File) Path() vfs.Path { return f.path }

// DirectIO: ext2 takes O_DIRECT.
func (f *ext2File) DirectIO() {}

// Truncate is ftruncate's do_truncate.
func (f *ext2File) Truncate(c *vfs.Creds, size int64) error {
	if size < 0 {
		return abi.EINVAL
	}
	return vfs.SetAttr(c, f.n.Inode(), vfs.AttrChange{Valid: vfs.SetSize, Size: size})
}

// Fallocate: ext2 has no fallocate (EOPNOTSUPP).
func (f *ext2File) Fallocate(mode uint32, off, length int64) error { return abi.EOPNOTSUPP }

// openExt2 makes the open file for a regular ext2 inode.
func (fs *Files) openExt2(q vfs.Path) (fd.File, bool) {
	n, ok := ext2.NodeOf(q.Dentry.Inode())
	if !ok || q.Dentry.Inode().Type() != abi.S_IFREG {
		return nil, false
	}
	return newExt2File(n, q, fs), true
}

// umount is Umount's work: the vfs's, then the file system's own.
func (fs *Files) umount(target vfs.Path) error {
	if err := umountIn(target); err != nil {
		return err
	}
	fs.ext2Unmounted(target.Dentry.FS())
	return nil
}

// fileObject is what exec maps of a regular file: a tmpfs or ext2 node
// (nil for others).
func fileObject(in *vfs.Inode) mm.Object {
	if n, ok := tmpfs.NodeOf(in); ok {
		return n
	}
	if n, ok := ext2.NodeOf(in); ok {
		return n
	}
	return nil
}
