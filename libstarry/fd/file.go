// Package fd is the file-descriptor layer (Linux's struct file and
// files_struct): open file descriptions that descriptors share, counted
// so the last close releases what they hold, and the table of one
// process's descriptors. It knows nothing of paths or file systems.
package fd

// Stat is the part of struct stat a file can tell; the personality
// encodes it in the ABI's layout.
type Stat struct {
	Ino   uint64
	Mode  uint32
	Nlink uint32
	Rdev  uint64
	Size  int64
	MTime int64 // seconds since the epoch (atime and ctime too)
}

// Waiter is the thread a blocking read or write puts to sleep: its sleep
// ends early when a signal is pending for it or its process exits.
type Waiter interface {
	Dying() <-chan struct{}
	Interrupted() <-chan struct{}
}

// Ctx comes with every read and write: who waits if it must block, and
// whether the open file description is non-blocking (O_NONBLOCK).
type Ctx struct {
	W        Waiter
	Nonblock bool
}

// File is an open file description's behaviour. Optional abilities are
// further interfaces: Seeker, ReaderAt, Mappable, Terminal, Releaser.
type File interface {
	Read(c Ctx, b []byte) (int, error)
	Write(c Ctx, b []byte) (int, error)
	Stat() Stat
}

// Releaser is a file that must let go of something when its last
// descriptor closes: a pipe end tells the other end, a file drops its
// pages.
type Releaser interface {
	Release()
}

// Seeker is a file with a position (lseek).
type Seeker interface {
	Seek(off int64, whence int) (int64, error)
}

// ReaderAt is a file readable at an offset (pread64).
type ReaderAt interface {
	ReadAt(b []byte, off int64) (int, error)
}

// Mappable is a file whose bytes can back a private mapping (mmap).
type Mappable interface {
	Bytes() []byte
}

// Terminal marks a file that answers tty ioctls (TCGETS, TIOCGWINSZ).
type Terminal interface {
	IsTerminal() bool
}
