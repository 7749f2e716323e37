package libstarry

import (
	"io"
	"sync"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/libstarry/tmpfs"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// regFile is an open tmpfs regular file: its node, and a position of its
// own. The node's contents are the file system's frames.
type regFile struct {
	lockable
	n   *tmpfs.Node
	mu  sync.Mutex // guards pos, and orders this file's reads and writes
	pos int64
}

// newRegFile opens n: the node counts the open file until Release, so
// an unlinked file keeps its contents until the last close.
func newRegFile(n *tmpfs.Node, q vfs.Path, fs *Files) *regFile {
	n.Open()
	return &regFile{lockable: lockable{path: q, fs: fs}, n: n}
}

func (f *regFile) Read(_ fd.Ctx, b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.n.ReadAt(b, f.pos)
	f.pos += int64(n)
	return n, err
}

func (f *regFile) Write(c fd.Ctx, b []byte) (int, error) {
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

func (f *regFile) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, abi.EINVAL
	}
	return f.n.ReadAt(b, off)
}

func (f *regFile) WriteAt(c fd.Ctx, b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, abi.EINVAL
	}
	if c.Append {
		_, n, err := f.n.Append(b)
		return n, err
	}
	return f.n.WriteAt(b, off)
}

// Seek is shmem_file_llseek: generic_file_llseek, and SEEK_DATA and
// SEEK_HOLE by the pages present.
func (f *regFile) Seek(off int64, whence int) (int64, error) {
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

func (f *regFile) Stat() fd.Stat { return f.fs.statOf(f.path) }

// Release is the last close: the description's locks go, and the node
// may free its frames now.
func (f *regFile) Release() {
	f.releaseLocks(f)
	f.n.Close()
}

// Object is what mmap maps: the node's pages.
func (f *regFile) Object() mm.Object { return f.n }

func (f *regFile) Path() vfs.Path { return f.path }

// DirectIO: tmpfs takes O_DIRECT (since Linux 6.6).
func (f *regFile) DirectIO() {}

// Truncate is ftruncate's do_truncate on the open file: an append-only
// file is EPERM (an immutable one was not opened for writing, or became
// immutable since, which Linux lets through).
func (f *regFile) Truncate(c *vfs.Creds, size int64) error {
	if size < 0 {
		return abi.EINVAL
	}
	if f.n.Inode().IsAppend() {
		return abi.EPERM
	}
	return vfs.SetAttr(c, f.n.Inode(), vfs.AttrChange{Valid: vfs.SetSize, Size: size})
}

// Fallocate is shmem_fallocate.
func (f *regFile) Fallocate(mode uint32, off, length int64) error {
	return f.n.Fallocate(mode, off, length)
}

// Mapper is an open file whose pages mmap can map.
type Mapper interface{ Object() mm.Object }

// Truncater is an open file ftruncate can size.
type Truncater interface {
	Truncate(c *vfs.Creds, size int64) error
}

// Allocator is an open file fallocate works on.
type Allocator interface {
	Fallocate(mode uint32, off, length int64) error
}
