package procfs

import (
	"sync"
	"sync/atomic"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Open makes the open file of the procfs regular file at q, its contents
// made now, as the caller sees them (fs/seq_file.c's single_open and
// seq_read, and proc_reg_open), or opens anew the pipe a descriptor's
// link led to; ok is false for any other inode, which the caller opens
// as it would any other. libstarry's open path calls it before looking
// at the inode's type.
func Open(c *vfs.Creds, q vfs.Path, flags int) (fd.File, bool, error) {
	in := q.Dentry.Inode()
	if r, ok := in.Ops.(reopenNode); ok {
		f, err := r.reopen(flags)
		return f, true, err
	}
	n, ok := in.Ops.(*node)
	if !ok || n.e.kind != kFile {
		return nil, false, nil
	}
	f := &snapshot{n: n, q: q, in: in, c: n.ctx(callerOf(c))}
	if flags&abi.O_ACCMODE != abi.O_WRONLY {
		if err := f.fill(); err != nil {
			return nil, true, err
		}
		f.fresh = true
	}
	if n.e.write != nil {
		return &rwFile{f}, true, nil
	}
	return &roFile{f}, true, nil
}

// snapshot is an open procfs file: the contents as made at open, read
// from a position as seq_read reads its buffer. A read at offset 0
// makes them afresh (seq_read_iter restarts there), so a program that
// seeks back and reads again sees the present, as on Linux. Reads and
// seeks are serialized (seq_file's lock); the position is also kept
// where a look at it needs no lock, since making fdinfo's contents may
// look at this very file's.
type snapshot struct {
	n  *node
	q  vfs.Path
	in *vfs.Inode
	c  *ctx

	mu    sync.Mutex // serializes reads and seeks; guards data and fresh
	data  []byte
	fresh bool // made and not yet read: a read at 0 need not remake it
	pos   atomic.Int64
}

func (f *snapshot) fill() error {
	b, err := f.n.e.show(f.c)
	if err != nil {
		return err
	}
	f.data = b
	return nil
}

// readAt reads at off; f.mu is held.
func (f *snapshot) readAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, abi.EINVAL
	}
	if off == 0 && !f.fresh || f.data == nil {
		if err := f.fill(); err != nil {
			return 0, err
		}
	}
	f.fresh = false
	if off >= int64(len(f.data)) {
		return 0, nil
	}
	return copy(b, f.data[off:]), nil
}

// Read reads from the file position on.
func (f *snapshot) Read(_ fd.Ctx, b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.readAt(b, f.pos.Load())
	f.pos.Add(int64(n))
	return n, err
}

// ReadAt is pread64.
func (f *snapshot) ReadAt(b []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.readAt(b, off)
}

// Seek is seq_lseek: SEEK_SET and SEEK_CUR to a place not before the
// start, anything else EINVAL. The files with no size (cmdline,
// environ, auxv) seek as generic_file_llseek over an i_size of 0, so
// SEEK_END is from 0 and SEEK_DATA and SEEK_HOLE find nothing (ENXIO).
// Telling the position (0, SEEK_CUR) takes no lock.
func (f *snapshot) Seek(off int64, whence int) (int64, error) {
	if off == 0 && whence == abi.SEEK_CUR {
		return f.pos.Load(), nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	pos := off
	switch {
	case whence == abi.SEEK_SET:
	case whence == abi.SEEK_CUR:
		pos += f.pos.Load()
	case f.n.e.sizeless && whence == abi.SEEK_END:
	case f.n.e.sizeless && (whence == abi.SEEK_DATA || whence == abi.SEEK_HOLE):
		if off < 0 {
			return 0, abi.EINVAL
		}
		return 0, abi.ENXIO
	default:
		return 0, abi.EINVAL
	}
	if pos < 0 {
		return 0, abi.EINVAL
	}
	f.pos.Store(pos)
	return pos, nil
}

// Stat is the inode's attributes, with the instance's device; procfs
// files have no size.
func (f *snapshot) Stat() fd.Stat {
	a := f.in.Attr()
	return fd.Stat{Dev: f.n.fs.dev.Load(), Ino: f.in.Ino, Mode: a.Mode, Nlink: a.Nlink, UID: a.UID, GID: a.GID,
		Atime: a.Atime, Mtime: a.Mtime, Ctime: a.Ctime}
}

// Path is where the file was opened (libstarry's PathFile: what its
// descriptor's link names, what fchdir and the *at calls see).
func (f *snapshot) Path() vfs.Path { return f.q }

// roFile is a file with no write op: EINVAL, before the buffer is looked
// at (FMODE_CAN_WRITE unset).
type roFile struct{ *snapshot }

func (f *roFile) Write(fd.Ctx, []byte) (int, error) { return 0, abi.EINVAL }
func (f *roFile) Unwritable()                       {}

// rwFile is a writable file (comm): every write goes to the entry's
// write op whatever the position, as comm_write ignores it.
type rwFile struct{ *snapshot }

func (f *rwFile) Write(_ fd.Ctx, b []byte) (int, error) { return f.n.e.write(f.c, b) }

func (f *rwFile) WriteAt(_ fd.Ctx, b []byte, _ int64) (int, error) { return f.n.e.write(f.c, b) }

var (
	_ fd.File     = (*roFile)(nil)
	_ fd.Seeker   = (*roFile)(nil)
	_ fd.ReaderAt = (*roFile)(nil)
	_ fd.WriterAt = (*rwFile)(nil)
)
