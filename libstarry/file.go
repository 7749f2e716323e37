package libstarry

import (
	"io"
	"path"
	"sync"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// DirLister is a directory: its inode, for getdents64.
type DirLister interface {
	Dir() *Inode
	fd.Seeker
}

// consoleFile is the console: a character device over Config.Console.
type consoleFile struct{ rw io.ReadWriter }

func (c consoleFile) Read(_ fd.Ctx, b []byte) (int, error) {
	if c.rw == nil {
		return 0, nil
	}
	n, err := c.rw.Read(b)
	if err == io.EOF {
		err = nil
	}
	return n, err
}

func (c consoleFile) Write(_ fd.Ctx, b []byte) (int, error) {
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
func (c consoleFile) Stat() fd.Stat {
	return fd.Stat{Ino: 1, Mode: abi.S_IFCHR | 0o620, Nlink: 1, Rdev: abi.Mkdev(5, 1)}
}

func (c consoleFile) IsTerminal() bool { return true }

// Async: a terminal has fasync (tty_fasync), so O_ASYNC stays set.
func (c consoleFile) Async() {}

// ramFile is an open RamFS inode with its own position.
type ramFile struct {
	mu  sync.Mutex
	n   *Inode
	pos int64
}

func (f *ramFile) Read(_ fd.Ctx, b []byte) (int, error) {
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

func (f *ramFile) Write(_ fd.Ctx, b []byte) (int, error) { return 0, abi.EBADF }

func (f *ramFile) Stat() fd.Stat { return inodeStat(f.n) }

// DirectIO: rootfs files take O_DIRECT, as tmpfs's do.
func (f *ramFile) DirectIO() {}

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

func inodeStat(n *Inode) fd.Stat {
	return fd.Stat{Ino: n.Ino, Mode: n.Mode, Nlink: 1, Rdev: n.Rdev, Size: int64(len(n.Data) + len(n.Target)), MTime: n.MTime}
}

// StatPath stats a RamFS path (stat, lstat, newfstatat).
func (p *Process) StatPath(dir *Inode, path string, follow bool) (fd.Stat, error) {
	n, err := p.Lookup(dir, path, follow)
	if err != nil {
		return fd.Stat{}, err
	}
	return inodeStat(n), nil
}

// Open opens a RamFS path (do_sys_openat2). The file system is read-only:
// any write access, O_CREAT of a missing file or O_TRUNC is EROFS.
func (p *Process) Open(dir *Inode, path string, flags int) (*fd.OpenFile, error) {
	n, err := p.Lookup(dir, path, flags&abi.O_NOFOLLOW == 0)
	if err == abi.ENOENT && flags&abi.O_CREAT != 0 {
		return nil, abi.EROFS
	}
	if err != nil {
		return nil, err
	}
	status := flags &^ (abi.O_CLOEXEC | abi.O_CREAT | abi.O_EXCL | abi.O_NOCTTY | abi.O_TRUNC)
	switch {
	case flags&abi.O_CREAT != 0 && flags&abi.O_EXCL != 0:
		return nil, abi.EEXIST
	case n.Mode&abi.S_IFMT == abi.S_IFCHR:
		dev, err := p.openDevice(n)
		if err != nil {
			return nil, err
		}
		return fd.New(dev, status), nil
	case n.IsSymlink():
		return nil, abi.ELOOP // O_NOFOLLOW on a link
	case flags&abi.O_DIRECTORY != 0 && !n.IsDir():
		return nil, abi.ENOTDIR
	case flags&abi.O_ACCMODE != abi.O_RDONLY || flags&abi.O_TRUNC != 0:
		if n.IsDir() {
			return nil, abi.EISDIR
		}
		return nil, abi.EROFS
	}
	return fd.New(&ramFile{n: n}, status), nil
}

// consoleFDs makes a descriptor table with 0, 1 and 2 on the console,
// one open file description shared by all three.
func consoleFDs(c consoleFile) *fd.Table {
	t := fd.NewTable()
	of := fd.New(c, abi.O_RDWR)
	for i := 0; i < 3; i++ {
		of.IncRef()
		_, _ = t.Install(of, i, 3, false)
	}
	of.DecRef()
	return t
}

// Umask sets the file mode creation mask (umask(2)) to mask's
// permission bits and returns the old one; CLONE_FS shares it.
func (p *Process) Umask(mask uint32) uint32 {
	p.fs.mu.Lock()
	defer p.fs.mu.Unlock()
	old := p.fs.umask
	p.fs.umask = mask & 0o777
	return old
}

// Cwd is the working directory (always absolute and clean).
func (p *Process) Cwd() string {
	p.fs.mu.Lock()
	defer p.fs.mu.Unlock()
	return p.fs.cwd
}

// Lookup resolves a path for the personality (access, readlink, the *at
// calls): relative paths start at dir, or at the working directory when
// dir is nil (AT_FDCWD).
func (p *Process) Lookup(dir *Inode, name string, follow bool) (*Inode, error) {
	fs := p.cfg.FS
	switch {
	case fs == nil || name == "":
		return nil, abi.ENOENT
	case dir != nil && !path.IsAbs(name):
		if !dir.IsDir() {
			return nil, abi.ENOTDIR
		}
		budget := maxSymlinks
		return fs.walk(dir, name, follow, &budget)
	}
	return fs.Lookup(p.Cwd(), name, follow)
}

// Chdir changes the working directory to a RamFS directory.
func (p *Process) Chdir(name string) error {
	n, err := p.Lookup(nil, name, true)
	if err != nil {
		return err
	}
	if !n.IsDir() {
		return abi.ENOTDIR
	}
	p.fs.mu.Lock()
	defer p.fs.mu.Unlock()
	if !path.IsAbs(name) {
		name = path.Join(p.fs.cwd, name)
	}
	p.fs.cwd = path.Clean(name)
	return nil
}

// UnshareFiles gives the process a descriptor table of its own if it
// shares one (unshare_fd).
func (p *Process) UnshareFiles() {
	if p.FDs.Shared() {
		fds := p.FDs.Fork()
		p.FDs.Put()
		p.FDs = fds
	}
}
