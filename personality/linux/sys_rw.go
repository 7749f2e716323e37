package linux

import (
	"encoding/binary"
	"sync"

	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/personality/linux/abi"
)

// maxIO caps one transfer; shorter counts are legal for read and write,
// and this bounds what a single call can make the kernel allocate.
const maxIO = 1 << 20

// iovMax is UIO_MAXIOV.
const iovMax = 1024

var errInval = abi.EINVAL

var rwRows = []Syscall{
	{Nr: abi.SYS_READ, Name: "read", Fn: sysRead, Support: Supported},
	{Nr: abi.SYS_WRITE, Name: "write", Fn: sysWrite, Support: Supported},
	{Nr: abi.SYS_READV, Name: "readv", Fn: sysReadv, Support: Supported},
	{Nr: abi.SYS_WRITEV, Name: "writev", Fn: sysWritev, Support: Supported},
	{Nr: abi.SYS_PREAD64, Name: "pread64", Fn: sysPread64, Support: Supported},
	{Nr: abi.SYS_PWRITE64, Name: "pwrite64", Fn: sysPwrite64, Support: Supported},
	{Nr: abi.SYS_PREADV, Name: "preadv", Fn: sysPreadv, Support: Supported},
	{Nr: abi.SYS_PWRITEV, Name: "pwritev", Fn: sysPwritev, Support: Supported},
	{Nr: abi.SYS_PREADV2, Name: "preadv2", Fn: sysPreadv2, Support: Partial, Note: "RWF_HIPRI, RWF_DSYNC and RWF_SYNC change nothing; other flags are EOPNOTSUPP"},
	{Nr: abi.SYS_PWRITEV2, Name: "pwritev2", Fn: sysPwritev2, Support: Partial, Note: "as preadv2"},
	{Nr: abi.SYS_LSEEK, Name: "lseek", Fn: sysLseek, Support: Supported},
	{Nr: abi.SYS_IOCTL, Name: "ioctl", Fn: sysIoctl, Support: Partial, Note: "FIONREAD (TIOCINQ) on pipes and regular files; FS_IOC_GETFLAGS, FS_IOC_SETFLAGS, FS_IOC_FSGETXATTR and FS_IOC_FSSETXATTR on tmpfs files and directories; the terminal requests on the console and pseudo-terminals (sys_tty.go: termios, window size, job control, the controlling terminal, TCFLSH, the pty master's TIOCGPTN, TIOCSPTLCK, TIOCGPTPEER; no packet mode, no TCXONC flow control); ENOTTY otherwise"},
}

// file returns the open file of descriptor a with a reference the caller
// drops when done (fdget and fdput).
func file(t *libstarry.Thread, a uint64) (*fdt.OpenFile, error) {
	return t.P.FDs.Get(int(int32(a)))
}

// readable and writable also check the access mode (EBADF, as vfs_read
// and vfs_write do).
func readable(t *libstarry.Thread, fd uint64) (*fdt.OpenFile, error) {
	return withMode(t, fd, abi.O_WRONLY)
}

func writable(t *libstarry.Thread, fd uint64) (*fdt.OpenFile, error) {
	return withMode(t, fd, abi.O_RDONLY)
}

func withMode(t *libstarry.Thread, fd uint64, refused int) (*fdt.OpenFile, error) {
	of, err := file(t, fd)
	if err == nil && of.Flags()&abi.O_ACCMODE == refused {
		of.DecRef()
		return nil, abi.EBADF
	}
	return of, err
}

// sysRead is ksys_read: the descriptor, then access_ok on the whole
// buffer (EFAULT even when less would be read), then the file.
func sysRead(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := readable(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	if _, no := of.File.(fdt.Unreadable); no {
		return 0, abi.EINVAL
	}
	if !accessOK(a[1], a[2]) {
		return 0, abi.EFAULT
	}
	_, whole := of.File.(fdt.ReaderAt)
	return readChunks(t, a[1], a[2], whole, func(b []byte) (int, error) {
		n, err := of.Read(t, b)
		return n, restartable(err)
	})
}

// readChunks reads up to n bytes into user memory at va, a chunk of at
// most maxIO bytes at a time so that no call allocates more. A file
// with a position (a regular file, a block device: what pread can read)
// gives everything up to MAX_RW_COUNT in one call on Linux, and programs
// count on it, so with whole set chunks follow while each one comes back
// full; anything else (a pipe, a socket) answers with one chunk, as it
// would block for a second. An error counts only when nothing was read.
func readChunks(t *libstarry.Thread, va, n uint64, whole bool, read func([]byte) (int, error)) (uint64, error) {
	n = min(n, maxRWCount)
	buf := getIOBuf(int(min(n, maxIO)))
	defer putIOBuf(buf)
	var total uint64
	for {
		b := buf[:min(n-total, uint64(len(buf)))]
		clear(b) // as a fresh buffer: a reader shows only what it wrote
		got, err := read(b)
		if err != nil {
			if total > 0 {
				return total, nil
			}
			return 0, err
		}
		done, err := copyOutPartial(t, va+total, b[:got])
		total += uint64(done)
		if err != nil {
			if total > 0 {
				return total, nil
			}
			return 0, err
		}
		if !whole || done < len(b) || total == n {
			return total, nil
		}
	}
}

// sysWrite is ksys_write; a pipe with no reader left also raises SIGPIPE
// at the writer (pipe_write's send_sig).
func sysWrite(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := writable(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	if _, no := of.File.(fdt.Unwritable); no {
		return 0, abi.EINVAL
	}
	if !accessOK(a[1], a[2]) {
		return 0, abi.EFAULT
	}
	if s, ok := of.File.(fdt.Sink); ok {
		n, err := s.Sink(int(min(a[2], maxRWCount)))
		return uint64(n), err
	}
	n := int(min(a[2], maxIO))
	if c, ok := of.File.(fdt.WriteChecker); ok {
		if err := c.CheckWrite(n); err != nil {
			if err == abi.EPIPE {
				t.P.Kill(int(abi.SIGPIPE))
			}
			return 0, err
		}
	}
	buf := make([]byte, n)
	if err := t.P.MM.CopyIn(uintptr(a[1]), buf); err != nil {
		return 0, err
	}
	n, err = of.Write(t, buf)
	if err == abi.EPIPE {
		t.P.Kill(int(abi.SIGPIPE))
	}
	return uint64(n), restartable(err)
}

// restartable is how a read or write that a signal cut short before it
// moved anything ends: -ERESTARTSYS, as pipe_read, pipe_write and the
// eventfd's ops return, so it runs again unless a handler without
// SA_RESTART runs.
func restartable(err error) error {
	if err == abi.EINTR {
		return libstarry.ErrRestartSys
	}
	return err
}

// sysPread64 is ksys_pread64: a negative offset first, then the
// descriptor, ESPIPE for what cannot seek, its access mode, access_ok,
// the file.
func sysPread64(t *libstarry.Thread, a Args) (uint64, error) {
	if int64(a[3]) < 0 {
		return 0, abi.EINVAL
	}
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	ra, ok := of.File.(fdt.ReaderAt)
	switch {
	case !ok:
		return 0, abi.ESPIPE // FMODE_PREAD, before vfs_read's own checks
	case of.Flags()&abi.O_ACCMODE == abi.O_WRONLY:
		return 0, abi.EBADF
	}
	if !accessOK(a[1], a[2]) {
		return 0, abi.EFAULT
	}
	off := int64(a[3])
	return readChunks(t, a[1], a[2], true, func(b []byte) (int, error) {
		n, err := ra.ReadAt(b, off)
		off += int64(n)
		return n, err
	})
}

// iovecs reads an iovec array (import_iovec).
func iovecs(t *libstarry.Thread, va, n uint64) ([][2]uint64, error) {
	if n > iovMax {
		return nil, abi.EINVAL
	}
	b := make([]byte, n*16)
	if err := t.P.MM.CopyIn(uintptr(va), b); err != nil {
		return nil, err
	}
	out := make([][2]uint64, n)
	for i := range out {
		out[i] = [2]uint64{binary.LittleEndian.Uint64(b[i*16:]), binary.LittleEndian.Uint64(b[i*16+8:])}
		if int64(out[i][1]) < 0 {
			return nil, abi.EINVAL
		}
	}
	return out, nil
}

// sysWritev and sysReadv check the descriptor as vfs_writev and
// vfs_readv do (the access mode, then whether it can write or read at
// all) before the iovecs are read.
func sysWritev(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := writable(t, a[0])
	if err != nil {
		return 0, err
	}
	if n, ok, err := socketVectored(t, of, a, true); ok { // one record per call
		of.DecRef()
		return n, err
	}
	_, no := of.File.(fdt.Unwritable)
	of.DecRef()
	if no {
		return 0, abi.EINVAL
	}
	return vectored(t, a, sysWrite)
}

func sysReadv(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := readable(t, a[0])
	if err != nil {
		return 0, err
	}
	if n, ok, err := socketVectored(t, of, a, false); ok {
		of.DecRef()
		return n, err
	}
	_, no := of.File.(fdt.Unreadable)
	of.DecRef()
	if no {
		return 0, abi.EINVAL
	}
	return vectored(t, a, sysRead)
}

// vectored runs a read or write per iovec (fs/read_write.c's
// do_loop_readv_writev): it stops at the first short transfer, and an
// error counts only when nothing was transferred before it.
func vectored(t *libstarry.Thread, a Args, rw Handler) (uint64, error) {
	iov, err := iovecs(t, a[1], a[2])
	if err != nil {
		return 0, err
	}
	var sum uint64
	for _, v := range iov {
		sum += v[1]
	}
	if sum == 0 {
		return 0, nil // vfs_writev and vfs_readv stop here, the file unasked
	}
	var total uint64
	for _, v := range iov {
		n, err := rw(t, Args{a[0], v[0], v[1]})
		if err != nil && total == 0 {
			return 0, err
		}
		total += n
		if err != nil || n < v[1] {
			break
		}
	}
	return total, nil
}

func sysLseek(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	if a[2] > seekMax {
		return 0, abi.EINVAL // ksys_lseek checks whence before the file can seek
	}
	s, ok := of.File.(fdt.Seeker)
	if !ok {
		return 0, abi.ESPIPE
	}
	off, err := s.Seek(int64(a[1]), int(a[2]))
	return uint64(off), err
}

// seekMax is SEEK_MAX (SEEK_HOLE).
const seekMax = 4

// pending is a file that can say how much waits to be read (FIONREAD).
type pending interface{ Pending() int }

// sysIoctl answers FIONREAD (TIOCINQ) on pipes and the terminal requests C
// libraries make on stdout.
func sysIoctl(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	if of.Flags()&abi.O_PATH != 0 {
		return 0, abi.EBADF // fdget refuses an O_PATH descriptor
	}
	if handled, err := genericIoctl(t, int(a[0]), of, uint32(a[1]), a[2]); handled {
		return 0, err
	}
	if handled, err := fileattrIoctl(t, of, uint32(a[1]), a[2]); handled {
		return 0, err
	}
	if handled, r, err := blockIoctl(t, of, uint32(a[1]), a[2]); handled {
		return r, err
	}
	if handled, r, err := socketIoctl(t, of, uint32(a[1]), a[2]); handled {
		return r, err
	}
	if p, ok := of.File.(pending); ok && uint32(a[1]) == abi.TIOCINQ {
		return 0, putU32(t, a[2], uint32(p.Pending()))
	}
	if st := of.Stat(); st.Mode&abi.S_IFMT == abi.S_IFREG && uint32(a[1]) == abi.TIOCINQ {
		// file_ioctl's FIONREAD: the bytes from the position to the end.
		pos := int64(0)
		if s, ok := of.File.(fdt.Seeker); ok {
			pos, _ = s.Seek(0, 1)
		}
		return 0, putU32(t, a[2], uint32(max(st.Size-pos, 0)))
	}
	if _, ok := of.File.(*ipc.Epoll); ok {
		return 0, abi.EINVAL // ep_eventpoll_ioctl knows only its own requests
	}
	switch f := of.File.(type) {
	case *libstarry.TtyFile:
		return ttyIoctl(t, f.Tty(), uint32(a[1]), a[2])
	case *libstarry.PtyMaster:
		return ptyMasterIoctl(t, f, uint32(a[1]), a[2])
	}
	return 0, abi.ENOTTY
}

// The requests do_vfs_ioctl serves for every file before the file's own
// ioctl sees them.
const (
	fioclex  = 0x5451
	fionclex = 0x5450
	fionbio  = 0x5421
	figetbsz = 2
)

// genericIoctl is do_vfs_ioctl's own requests: FIOCLEX and FIONCLEX set
// and clear close-on-exec, FIONBIO sets O_NONBLOCK from an int, FIGETBSZ
// reports the block size.
func genericIoctl(t *libstarry.Thread, fd int, of *fdt.OpenFile, cmd uint32, arg uint64) (bool, error) {
	switch cmd {
	case fioclex, fionclex:
		return true, t.P.FDs.SetCloseOnExec(fd, cmd == fioclex)
	case fionbio:
		v, err := getU32(t, arg)
		if err != nil {
			return true, err
		}
		fl := of.Flags() &^ abi.O_NONBLOCK
		if v != 0 {
			fl |= abi.O_NONBLOCK
		}
		_ = of.SetFlags(fl) // O_DIRECT is as it was: this cannot fail
		return true, nil
	case figetbsz:
		return true, putU32(t, arg, 4096)
	}
	return false, nil
}

// ioBufs are readChunks' buffers, by size class: a fresh one per read
// made the kernel's heap grow a page per 4 KiB read until the next
// collection (each page a demand fault), and the reads in between.
var ioBufs = [...]struct {
	size int
	pool sync.Pool
}{{size: 4 << 10}, {size: 64 << 10}, {size: maxIO}}

// getIOBuf returns a buffer of n bytes (n <= maxIO), not zeroed.
func getIOBuf(n int) []byte {
	for i := range ioBufs {
		c := &ioBufs[i]
		if n <= c.size {
			if p, ok := c.pool.Get().(*[]byte); ok {
				return (*p)[:n]
			}
			return make([]byte, n, c.size)
		}
	}
	return make([]byte, n)
}

// putIOBuf gives back a buffer getIOBuf made.
func putIOBuf(b []byte) {
	for i := range ioBufs {
		if c := &ioBufs[i]; cap(b) == c.size {
			b = b[:0]
			c.pool.Put(&b)
			return
		}
	}
}
