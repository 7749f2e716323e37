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

// fileNode is a regular file's node as a file system keeps it (a tmpfs
// or ext2 node): its bytes, its holes, its count of open files, and its
// pages for mmap.
type fileNode interface {
	mm.Object
	Open()
	Close()
	Inode() *vfs.Inode
	Size() int64
	ReadAt(b []byte, off int64) (int, error)
	WriteAt(b []byte, off int64) (int, error)
	Append(b []byte) (off int64, n int, err error)
	SeekData(off int64) (int64, error)
	SeekHole(off int64) (int64, error)
	Fallocate(mode uint32, off, length int64) error
}

// nodeFile is an open regular file: its node, and a position of its own
// (generic_file_* over the node). tmpfs's regFile adds the seals.
type nodeFile struct {
	lockable
	n   fileNode
	mu  sync.Mutex // guards pos, and orders this file's reads and writes
	pos int64
}

// newNodeFile opens n: the node counts the open file until Release, so
// an unlinked file keeps its contents until the last close.
func newNodeFile(n fileNode, q vfs.Path, fs *Files) *nodeFile {
	n.Open()
	return &nodeFile{lockable: lockable{path: q, fs: fs}, n: n}
}

// regFile is an open tmpfs regular file; the node's contents are the
// file system's frames.
type regFile struct {
	*nodeFile
	tn *tmpfs.Node
}

func newRegFile(n *tmpfs.Node, q vfs.Path, fs *Files) *regFile {
	return &regFile{nodeFile: newNodeFile(n, q, fs), tn: n}
}

func (f *nodeFile) Read(_ fd.Ctx, b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.n.ReadAt(b, f.pos)
	f.pos += int64(n)
	return n, err
}

func (f *nodeFile) Write(c fd.Ctx, b []byte) (int, error) {
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

func (f *nodeFile) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, abi.EINVAL
	}
	return f.n.ReadAt(b, off)
}

func (f *nodeFile) WriteAt(c fd.Ctx, b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, abi.EINVAL
	}
	if c.Append {
		_, n, err := f.n.Append(b)
		return n, err
	}
	return f.n.WriteAt(b, off)
}

// Seek is generic_file_llseek, with SEEK_DATA and SEEK_HOLE as the
// node finds its data (shmem_file_llseek for tmpfs).
func (f *nodeFile) Seek(off int64, whence int) (int64, error) {
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

func (f *nodeFile) Stat() fd.Stat { return f.fs.statOf(f.path) }

// Release is the last close: the description's locks go, and the node
// may free its frames now.
func (f *nodeFile) Release() { f.release(f) }

// release does it for the open file self, the owner its locks were
// taken by (a regFile's are its own, not its nodeFile's).
func (f *nodeFile) release(self fd.File) {
	f.releaseLocks(self)
	f.n.Close()
}

// Release: the locks this description took are keyed by the regFile.
func (f *regFile) Release() { f.release(f) }

// Object is what mmap maps: the node's pages.
func (f *nodeFile) Object() mm.Object { return f.n }

func (f *nodeFile) Path() vfs.Path { return f.path }

// DirectIO: tmpfs (since Linux 6.6) and ext2 take O_DIRECT.
func (f *nodeFile) DirectIO() {}

// Truncate is ftruncate's do_truncate on the open file: an append-only
// file is EPERM (an immutable one was not opened for writing, or became
// immutable since, which Linux lets through).
func (f *nodeFile) Truncate(c *vfs.Creds, size int64) error {
	if size < 0 {
		return abi.EINVAL
	}
	if f.n.Inode().IsAppend() {
		return abi.EPERM
	}
	return vfs.SetAttr(c, f.n.Inode(), vfs.AttrChange{Valid: vfs.SetSize, Size: size})
}

// Fallocate is the file system's (shmem_fallocate; ext2 has none).
func (f *nodeFile) Fallocate(mode uint32, off, length int64) error {
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
