package libstarry

import (
	"io"
	"sync"

	"github.com/starry-go/starry/personality/linux/abi"
)

// Stat is the part of struct stat a file can tell; the personality
// encodes it in the ABI's layout.
type Stat struct {
	Ino   uint64
	Mode  uint32
	Nlink uint32
	Rdev  uint64
	Size  int64
}

// File is an open file description's behaviour. Optional abilities are
// further interfaces: Seeker, ReaderAt, DirLister, Terminal.
type File interface {
	Read(b []byte) (int, error)
	Write(b []byte) (int, error)
	Stat() Stat
}

// Seeker is a file with a position (lseek).
type Seeker interface {
	Seek(off int64, whence int) (int64, error)
}

// ReaderAt is a file readable at an offset (pread64).
type ReaderAt interface {
	ReadAt(b []byte, off int64) (int, error)
}

// DirLister is a directory: its inode, for getdents64.
type DirLister interface {
	Dir() *Inode
	Seeker
}

// Mappable is a file whose bytes can back a private mapping (mmap).
type Mappable interface {
	Bytes() []byte
}

// Terminal marks a file that answers tty ioctls (TCGETS, TIOCGWINSZ).
type Terminal interface {
	IsTerminal() bool
}

// consoleFile is the console: a character device over Config.Console.
type consoleFile struct{ rw io.ReadWriter }

func (c consoleFile) Read(b []byte) (int, error) {
	if c.rw == nil {
		return 0, nil
	}
	n, err := c.rw.Read(b)
	if err == io.EOF {
		err = nil
	}
	return n, err
}

func (c consoleFile) Write(b []byte) (int, error) {
	if c.rw == nil {
		return len(b), nil
	}
	n, err := c.rw.Write(b)
	if err != nil && n == 0 {
		return 0, abi.EIO
	}
	return n, nil
}

// Stat reports /dev/console: character device 5:1.
func (c consoleFile) Stat() Stat {
	return Stat{Ino: 1, Mode: abi.S_IFCHR | 0o620, Nlink: 1, Rdev: abi.Mkdev(5, 1)}
}

func (c consoleFile) IsTerminal() bool { return true }

// ramFile is an open RamFS inode with its own position.
type ramFile struct {
	mu  sync.Mutex
	n   *Inode
	pos int64
}

func (f *ramFile) Read(b []byte) (int, error) {
	if f.n.IsDir() {
		return 0, abi.EISDIR
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n, _ := f.ReadAt(b, f.pos)
	f.pos += int64(n)
	return n, nil
}

func (f *ramFile) ReadAt(b []byte, off int64) (int, error) {
	if f.n.IsDir() {
		return 0, abi.EISDIR
	}
	if off < 0 {
		return 0, abi.EINVAL
	}
	if off >= int64(len(f.n.Data)) {
		return 0, nil
	}
	return copy(b, f.n.Data[off:]), nil
}

func (f *ramFile) Write(b []byte) (int, error) { return 0, abi.EBADF }

func (f *ramFile) Stat() Stat { return inodeStat(f.n) }

func (f *ramFile) Dir() *Inode { return f.n }

func (f *ramFile) Bytes() []byte { return f.n.Data }

// Seek is generic_file_llseek; for a directory the position counts
// entries (what getdents64 resumes from).
func (f *ramFile) Seek(off int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var base int64
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		base = f.pos
	case io.SeekEnd:
		base = int64(len(f.n.Data))
	default:
		return 0, abi.EINVAL
	}
	if base+off < 0 {
		return 0, abi.EINVAL
	}
	f.pos = base + off
	return f.pos, nil
}

func inodeStat(n *Inode) Stat {
	return Stat{Ino: n.Ino, Mode: n.Mode, Nlink: 1, Size: int64(len(n.Data) + len(n.Target))}
}

// StatPath stats a RamFS path (stat, lstat, newfstatat).
func (p *Process) StatPath(dir *Inode, path string, follow bool) (Stat, error) {
	n, err := p.Lookup(dir, path, follow)
	if err != nil {
		return Stat{}, err
	}
	return inodeStat(n), nil
}
