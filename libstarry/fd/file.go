// Package fd is the file-descriptor layer (Linux's struct file and
// files_struct): open file descriptions that descriptors share, counted
// so the last close releases what they hold, and the table of one
// process's descriptors. It knows nothing of paths or file systems.
package fd

// Stat is the part of struct stat a file can tell; the personality
// encodes it in the ABI's layout.
type Stat struct {
	Dev, Ino            uint64
	Mode                uint32
	Nlink               uint32
	UID, GID            uint32
	Rdev                uint64
	Size                int64
	Blocks              int64 // 512-byte units allocated
	Atime, Mtime, Ctime int64 // nanoseconds since the epoch
	MountRoot           bool  // the root of a mount (statx's STATX_ATTR_MOUNT_ROOT)
	// Attributes are statx's stx_attributes the file system reports
	// (vfs.StatxAttrs), AttributesMask those it supports.
	Attributes, AttributesMask uint64
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
	Append   bool // O_APPEND: every write goes to the end of the file
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

// Flusher is a file that must hear of every descriptor closed on it,
// not only the last (f_op->flush, and the record locks filp_close
// drops): owner is the descriptor table that closed it.
type Flusher interface {
	Flush(owner any)
}

// Seeker is a file with a position (lseek).
type Seeker interface {
	Seek(off int64, whence int) (int64, error)
}

// Unreadable and Unwritable are files with no read or write at all (an
// epoll instance): Linux refuses those with EINVAL before it looks at
// the user's buffer (FMODE_CAN_READ, FMODE_CAN_WRITE).
type Unreadable interface{ Unreadable() }
type Unwritable interface{ Unwritable() }

// WriteChecker is a file that refuses some write sizes before copying
// the user's bytes in (an eventfd takes exactly 8), as its write op
// does on Linux before copy_from_user.
type WriteChecker interface{ CheckWrite(n int) error }

// Sink is a file that takes writes without reading them (/dev/null,
// /dev/zero, /dev/full): Linux never touches the buffer, so a write
// from an unmapped one still succeeds (or fails as the file says).
type Sink interface{ Sink(n int) (int, error) }

// DirectIO is a file that takes O_DIRECT (FMODE_CAN_ODIRECT: regular
// files, pipes); F_SETFL refuses the flag elsewhere with EINVAL.
type DirectIO interface{ DirectIO() }

// AppendOnly is a file whose inode may say it is append-only
// (IS_APPEND): then F_SETFL may not change O_APPEND.
type AppendOnly interface{ AppendOnly() bool }

// Async is a file with an fasync op (pipes, terminals): only those keep
// O_ASYNC, which F_SETFL silently drops for the rest.
type Async interface{ Async() }

// NoExec is a file on a noexec mount (pipefs, anonymous inodes): mmap
// with PROT_EXEC is EPERM before the file is asked whether it maps.
type NoExec interface{ NoExec() }

// ReaderAt is a file readable at an offset (pread64).
type ReaderAt interface {
	ReadAt(b []byte, off int64) (int, error)
}

// WriterAt is a file writable at an offset (pwrite64); with c.Append
// the bytes go to the end, as Linux's pwrite on an O_APPEND file does.
type WriterAt interface {
	WriteAt(c Ctx, b []byte, off int64) (int, error)
}

// Terminal marks a file that answers tty ioctls (TCGETS, TIOCGWINSZ).
type Terminal interface {
	IsTerminal() bool
}
