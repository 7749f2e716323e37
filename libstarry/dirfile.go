package libstarry

import (
	"io"
	"sync"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// dirFile is an open directory: its position is a directory offset as
// the file system's ReadDir gives them, which stays valid while entries
// come and go.
type dirFile struct {
	lockable
	mu  sync.Mutex
	pos int64
}

// A directory has Linux's read ops, which fail (generic_read_dir):
// read, pread64 and the vectored reads reach them and give EISDIR, after
// the descriptor's own checks. Like any file that is not a stream it is
// positional (FMODE_PREAD, FMODE_PWRITE), so pread64 is not ESPIPE; a
// directory is only ever open read-only, so a write is EBADF.
func (f *dirFile) Read(fd.Ctx, []byte) (int, error)           { return 0, abi.EISDIR }
func (f *dirFile) ReadAt([]byte, int64) (int, error)          { return 0, abi.EISDIR }
func (f *dirFile) Write(fd.Ctx, []byte) (int, error)          { return 0, abi.EBADF }
func (f *dirFile) WriteAt(fd.Ctx, []byte, int64) (int, error) { return 0, abi.EBADF }
func (f *dirFile) Stat() fd.Stat                              { return f.fs.statOf(f.path) }
func (f *dirFile) Path() vfs.Path                             { return f.path }

// Release is the last close: the description's flock goes.
func (f *dirFile) Release() { f.releaseLocks(f) }

// Seek is dcache_dir_lseek: SEEK_SET and SEEK_CUR to any offset.
func (f *dirFile) Seek(off int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		off += f.pos
	default:
		return 0, abi.EINVAL
	}
	if off < 0 {
		return 0, abi.EINVAL
	}
	f.pos = off
	return off, nil
}

// ReadDir calls take for each entry from the position on until it
// returns false, moving the position past each entry taken (iterate_dir).
func (f *dirFile) ReadDir(take func(vfs.DirEntry) bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.path.Dentry.ReadDir(f.pos, func(e vfs.DirEntry) bool {
		if !take(e) {
			return false
		}
		f.pos = e.Next
		return true
	})
}

// DirReader is an open directory (getdents64).
type DirReader interface {
	ReadDir(take func(vfs.DirEntry) bool) error
}

// pathFile is an O_PATH descriptor: it names a file and does nothing
// else (read and write are EBADF).
type pathFile struct {
	path vfs.Path
	fs   *Files
}

func (f pathFile) Read(fd.Ctx, []byte) (int, error)           { return 0, abi.EBADF }
func (f pathFile) Write(fd.Ctx, []byte) (int, error)          { return 0, abi.EBADF }
func (f pathFile) ReadAt([]byte, int64) (int, error)          { return 0, abi.EBADF }
func (f pathFile) WriteAt(fd.Ctx, []byte, int64) (int, error) { return 0, abi.EBADF }
func (f pathFile) Stat() fd.Stat                              { return f.fs.statOf(f.path) }
func (f pathFile) Path() vfs.Path                             { return f.path }

// OPath marks an O_PATH descriptor, which most calls refuse with EBADF.
func (f pathFile) OPath() {}
