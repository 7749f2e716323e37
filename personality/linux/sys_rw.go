package linux

import (
	"encoding/binary"

	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// maxIO caps one transfer; shorter counts are legal for read and write,
// and this bounds what a single call can make the kernel allocate.
const maxIO = 1 << 20

// iovMax is UIO_MAXIOV.
const iovMax = 1024

var errInval = abi.EINVAL

func rwCalls() []Syscall {
	return []Syscall{
		full(abi.SYS_READ, "read", sysRead),
		full(abi.SYS_WRITE, "write", sysWrite),
		full(abi.SYS_READV, "readv", sysReadv),
		full(abi.SYS_WRITEV, "writev", sysWritev),
		full(abi.SYS_PREAD64, "pread64", sysPread64),
		refuse(abi.SYS_PWRITE64, "pwrite64", abi.ESPIPE, "no writable seekable files (RamFS is read-only)"),
		full(abi.SYS_LSEEK, "lseek", sysLseek),
		part(abi.SYS_IOCTL, "ioctl", sysIoctl, "FIONREAD (TIOCINQ) on pipes; TCGETS, TIOCGWINSZ (80x24), TIOCGPGRP on the console; TCSETS* accepted and ignored; ENOTTY otherwise"),
	}
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

func sysRead(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := readable(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	buf := make([]byte, min(a[2], maxIO))
	n, err := of.Read(t, buf)
	if err != nil {
		return 0, err
	}
	return uint64(n), t.P.MM.CopyOut(uintptr(a[1]), buf[:n])
}

// sysWrite is ksys_write; a pipe with no reader left also raises SIGPIPE
// at the writer (pipe_write's send_sig).
func sysWrite(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := writable(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	buf := make([]byte, min(a[2], maxIO))
	if err := t.P.MM.CopyIn(uintptr(a[1]), buf); err != nil {
		return 0, err
	}
	n, err := of.Write(t, buf)
	if err == abi.EPIPE {
		t.P.Kill(int(abi.SIGPIPE))
	}
	return uint64(n), err
}

func sysPread64(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := readable(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	ra, ok := of.File.(fdt.ReaderAt)
	if !ok {
		return 0, abi.ESPIPE
	}
	if int64(a[3]) < 0 {
		return 0, abi.EINVAL
	}
	buf := make([]byte, min(a[2], maxIO))
	n, err := ra.ReadAt(buf, int64(a[3]))
	if err != nil {
		return 0, err
	}
	return uint64(n), t.P.MM.CopyOut(uintptr(a[1]), buf[:n])
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

func sysWritev(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := writable(t, a[0])
	if err != nil {
		return 0, err
	}
	of.DecRef()
	return vectored(t, a, sysWrite)
}

func sysReadv(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := readable(t, a[0])
	if err != nil {
		return 0, err
	}
	of.DecRef()
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
	s, ok := of.File.(fdt.Seeker)
	if !ok {
		return 0, abi.ESPIPE
	}
	off, err := s.Seek(int64(a[1]), int(int32(a[2])))
	return uint64(off), err
}

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
	if p, ok := of.File.(pending); ok && uint32(a[1]) == abi.TIOCINQ {
		return 0, putU32(t, a[2], uint32(p.Pending()))
	}
	if tty, ok := of.File.(fdt.Terminal); !ok || !tty.IsTerminal() {
		return 0, abi.ENOTTY
	}
	switch uint32(a[1]) {
	case abi.TCGETS:
		return 0, t.P.MM.CopyOut(uintptr(a[2]), saneTermios())
	case abi.TCSETS, abi.TCSETSW, abi.TCSETSF:
		return 0, nil
	case abi.TIOCGWINSZ:
		return 0, putStruct(t, a[2], abi.Winsize{Row: 24, Col: 80})
	case abi.TIOCGPGRP:
		return 0, putU32(t, a[2], uint32(t.P.Pid()))
	}
	return 0, abi.ENOTTY
}

// saneTermios is struct termios (the kernel's 36-byte one, no speeds) as
// `stty sane` leaves a console: tty_std_termios in drivers/tty/tty_io.c.
func saneTermios() []byte {
	b := make([]byte, 36)
	le := binary.LittleEndian
	le.PutUint32(b[0:], abi.ICRNL|abi.IXON)
	le.PutUint32(b[4:], abi.OPOST|abi.ONLCR)
	le.PutUint32(b[8:], abi.B38400|abi.CS8|abi.CREAD|abi.HUPCL)
	le.PutUint32(b[12:], abi.ISIG|abi.ICANON|abi.ECHO|abi.ECHOE|abi.ECHOK|abi.ECHOCTL|abi.ECHOKE|abi.IEXTEN)
	// c_line at 16, then INIT_C_CC: ^C ^\ DEL ^U ^D, VTIME 0, VMIN 1, ...
	copy(b[17:], []byte{3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0})
	return b
}
