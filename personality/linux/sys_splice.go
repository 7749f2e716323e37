package linux

import (
	"encoding/binary"

	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Moving bytes between descriptors inside the kernel: sendfile,
// copy_file_range, splice and tee. Each is a loop of reads and writes
// through a kernel buffer (there is no page-moving splice here), with
// the descriptor and offset rules of fs/splice.c and fs/read_write.c.

var spliceRows = []Syscall{
	{Nr: abi.SYS_SENDFILE, Name: "sendfile", Fn: sysSendfile, Support: Supported},
	{Nr: abi.SYS_COPY_FILE_RANGE, Name: "copy_file_range", Fn: sysCopyFileRange, Support: Supported},
	{Nr: abi.SYS_SPLICE, Name: "splice", Fn: sysSplice, Support: Partial, Note: "copies through a kernel buffer; SPLICE_F_MOVE and SPLICE_F_MORE change nothing"},
	{Nr: abi.SYS_TEE, Name: "tee", Fn: sysTee, Support: Partial, Note: "copies through a kernel buffer"},
}

// spliceNonblock is SPLICE_F_NONBLOCK.
const spliceNonblock = 2

// chunk is how much one step of a copy loop moves.
const chunk = 64 << 10

// offsetArg reads an loff_t argument (nil pointer: use the position).
func offsetArg(t *libstarry.Thread, va uint64) (*int64, error) {
	if va == 0 {
		return nil, nil
	}
	var b [8]byte
	if err := t.P.MM.CopyIn(uintptr(va), b[:]); err != nil {
		return nil, err
	}
	off := int64(binary.LittleEndian.Uint64(b[:]))
	return &off, nil
}

// offsetArgs and putOffsets read and write back copy_file_range's and
// splice's two offsets, arguments 1 and 3.
func offsetArgs(t *libstarry.Thread, a Args) (in, out *int64, err error) {
	if in, err = offsetArg(t, a[1]); err == nil {
		out, err = offsetArg(t, a[3])
	}
	return in, out, err
}

func putOffsets(t *libstarry.Thread, a Args, in, out *int64) error {
	if in != nil {
		if err := putOffset(t, a[1], *in); err != nil {
			return err
		}
	}
	if out != nil {
		return putOffset(t, a[3], *out)
	}
	return nil
}

func putOffset(t *libstarry.Thread, va uint64, off int64) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(off))
	return t.P.MM.CopyOut(uintptr(va), b[:])
}

// endpoint is one side of a transfer: the open file and, for a file with
// a position, where the transfer is in it.
type endpoint struct {
	of  *fdt.OpenFile
	off *int64 // nil: the file's own position (or a pipe)
}

// readSome reads at most n bytes from e, at *e.off when set.
func (e endpoint) readSome(t *libstarry.Thread, b []byte, nonblock bool) (int, error) {
	if e.off != nil {
		ra, ok := e.of.File.(fdt.ReaderAt)
		if !ok {
			return 0, abi.ESPIPE
		}
		n, err := ra.ReadAt(b, *e.off)
		*e.off += int64(n)
		return n, err
	}
	c := e.of.Ctx(t)
	c.Nonblock = c.Nonblock || nonblock
	return e.of.File.Read(c, b)
}

// writeAll writes b to e, at *e.off when set; it returns what went in.
func (e endpoint) writeAll(t *libstarry.Thread, b []byte, nonblock bool) (int, error) {
	c := e.of.Ctx(t)
	c.Nonblock = c.Nonblock || nonblock
	if e.off != nil {
		wa, ok := e.of.File.(fdt.WriterAt)
		if !ok {
			return 0, abi.ESPIPE
		}
		n, err := wa.WriteAt(c, b, *e.off)
		*e.off += int64(n)
		return n, err
	}
	return e.of.File.Write(c, b)
}

// transfer moves up to n bytes from in to out, stopping at end of file
// or a short read, at a short write, or (after some bytes) at an error.
func transfer(t *libstarry.Thread, in, out endpoint, n uint64, nonblock bool) (uint64, error) {
	var done uint64
	buf := make([]byte, min(n, chunk))
	for done < n {
		want := buf[:min(n-done, uint64(len(buf)))]
		r, err := in.readSome(t, want, nonblock)
		if r == 0 || err != nil {
			if done > 0 {
				return done, nil
			}
			return 0, restartable(err)
		}
		w, err := out.writeAll(t, want[:r], nonblock)
		done += uint64(w)
		if err == abi.EPIPE {
			t.P.Kill(int(abi.SIGPIPE))
		}
		if err != nil || w < r {
			if in.off != nil {
				*in.off -= int64(r - w) // what was read but not written stays unread
			}
			if done > 0 {
				return done, nil
			}
			return 0, restartable(err)
		}
		if r < len(want) {
			break // a pipe had no more, or the file ended: never wait for more after some moved
		}
	}
	return done, nil
}

// sysSendfile is do_sendfile: the input must be open for reading and
// readable at an offset, the output open for writing and not O_APPEND;
// with an offset pointer the input's position stays.
func sysSendfile(t *libstarry.Thread, a Args) (uint64, error) {
	in, err := readable(t, a[1])
	if err != nil {
		return 0, err
	}
	defer in.DecRef()
	if !spliceReads(in) {
		return 0, abi.EINVAL
	}
	off, err := offsetArg(t, a[2])
	if err != nil {
		return 0, err
	}
	if off != nil && *off < 0 {
		return 0, abi.EINVAL
	}
	out, err := writable(t, a[0])
	if err != nil {
		return 0, err
	}
	defer out.DecRef()
	if out.Flags()&abi.O_APPEND != 0 {
		return 0, abi.EINVAL
	}
	src := endpoint{of: in, off: off}
	if off == nil {
		pos, err := seekOf(in)
		if err != nil {
			return 0, err
		}
		src.off = &pos
		defer func() { setPos(in, pos) }()
	}
	n, err := transfer(t, src, endpoint{of: out}, min(a[3], sendfileMax(out)), false)
	if err == nil && off != nil {
		err = putOffset(t, a[2], *off)
	}
	return n, err
}

// sendfileMax is the most one sendfile moves: into a regular file, all
// of MAX_RW_COUNT, as do_splice_direct does on Linux (programs count on
// a whole gigabyte going in one call); into anything that may block (a
// pipe, a socket) 16 MiB, so that one call does not wait for the reader
// to take two gigabytes.
func sendfileMax(out *fdt.OpenFile) uint64 {
	if out.Stat().Mode&abi.S_IFMT == abi.S_IFREG {
		return maxRWCount
	}
	return maxIO * 16
}

// spliceReads reports whether sendfile can read a file: readable at an
// offset, and not a directory (a directory has no splice_read, so
// Linux's answer is EINVAL where its read says EISDIR).
func spliceReads(of *fdt.OpenFile) bool {
	_, ok := of.File.(fdt.ReaderAt)
	return ok && !isDir(of)
}

func isDir(of *fdt.OpenFile) bool { return of.Stat().Mode&abi.S_IFMT == abi.S_IFDIR }

// seekOf and setPos read and set a file's position.
func seekOf(of *fdt.OpenFile) (int64, error) {
	s, ok := of.File.(fdt.Seeker)
	if !ok {
		return 0, abi.ESPIPE
	}
	return s.Seek(0, 1)
}

func setPos(of *fdt.OpenFile, pos int64) {
	if s, ok := of.File.(fdt.Seeker); ok {
		_, _ = s.Seek(pos, 0)
	}
}

// sysCopyFileRange is copy_file_range(2): flags must be 0; both must be
// regular files (EISDIR for a directory), the input readable and the
// output writable and not O_APPEND (EBADF); the same file's ranges must
// not overlap (EINVAL).
func sysCopyFileRange(t *libstarry.Thread, a Args) (uint64, error) {
	if a[5] != 0 {
		return 0, abi.EINVAL
	}
	in, err := readable(t, a[0])
	if err != nil {
		return 0, err
	}
	defer in.DecRef()
	out, err := writable(t, a[2])
	if err != nil {
		return 0, err
	}
	defer out.DecRef()
	if out.Flags()&abi.O_APPEND != 0 {
		return 0, abi.EBADF
	}
	si, so := in.Stat(), out.Stat()
	switch {
	case si.Mode&abi.S_IFMT == abi.S_IFDIR || so.Mode&abi.S_IFMT == abi.S_IFDIR:
		return 0, abi.EISDIR
	case si.Mode&abi.S_IFMT != abi.S_IFREG || so.Mode&abi.S_IFMT != abi.S_IFREG:
		return 0, abi.EINVAL
	}
	offIn, offOut, err := offsetArgs(t, a)
	if err != nil {
		return 0, err
	}
	src, dst := endpoint{of: in, off: offIn}, endpoint{of: out, off: offOut}
	for _, e := range []*endpoint{&src, &dst} {
		if e.off == nil {
			pos, err := seekOf(e.of)
			if err != nil {
				return 0, err
			}
			e.off = &pos
			defer func(of *fdt.OpenFile, p *int64) { setPos(of, *p) }(e.of, e.off)
		} else if *e.off < 0 {
			return 0, abi.EINVAL
		}
	}
	n := min(a[4], uint64(max(si.Size-*src.off, 0)))
	if si.Dev == so.Dev && si.Ino == so.Ino && *src.off < *dst.off+int64(n) && *dst.off < *src.off+int64(n) {
		return 0, abi.EINVAL
	}
	done, err := transfer(t, src, dst, n, false)
	if err == nil {
		err = putOffsets(t, a, offIn, offOut)
	}
	return done, err
}

// sysSplice is splice(2): one side must be a pipe (EINVAL otherwise),
// and a pipe takes no offset (ESPIPE); the other side reads or writes at
// its offset or position.
func sysSplice(t *libstarry.Thread, a Args) (uint64, error) {
	in, err := readable(t, a[0])
	if err != nil {
		return 0, err
	}
	defer in.DecRef()
	out, err := writable(t, a[2])
	if err != nil {
		return 0, err
	}
	defer out.DecRef()
	_, inPipe := in.File.(*ipc.PipeEnd)
	_, outPipe := out.File.(*ipc.PipeEnd)
	switch {
	case !inPipe && !outPipe:
		return 0, abi.EINVAL
	case inPipe && a[1] != 0 || outPipe && a[3] != 0:
		return 0, abi.ESPIPE
	case out.Flags()&abi.O_APPEND != 0, isDir(in):
		return 0, abi.EINVAL
	}
	offIn, offOut, err := offsetArgs(t, a)
	if err != nil {
		return 0, err
	}
	if offIn != nil && *offIn < 0 || offOut != nil && *offOut < 0 {
		return 0, abi.EINVAL
	}
	nonblock := a[5]&spliceNonblock != 0
	n, err := transfer(t, endpoint{of: in, off: offIn}, endpoint{of: out, off: offOut}, min(a[4], maxIO), nonblock)
	if err == nil {
		err = putOffsets(t, a, offIn, offOut)
	}
	return n, err
}

// sysTee is tee(2): it copies what one pipe holds into another without
// taking it; both must be pipes, and not the same one (EINVAL).
func sysTee(t *libstarry.Thread, a Args) (uint64, error) {
	in, err := readable(t, a[0])
	if err != nil {
		return 0, err
	}
	defer in.DecRef()
	out, err := writable(t, a[1])
	if err != nil {
		return 0, err
	}
	defer out.DecRef()
	src, ok1 := in.File.(*ipc.PipeEnd)
	_, ok2 := out.File.(*ipc.PipeEnd)
	if !ok1 || !ok2 || src.SamePipe(out.File.(*ipc.PipeEnd)) {
		return 0, abi.EINVAL
	}
	c := in.Ctx(t)
	c.Nonblock = c.Nonblock || a[3]&spliceNonblock != 0
	buf := make([]byte, min(a[2], chunk))
	r, err := src.Peek(c, buf)
	if r == 0 || err != nil {
		return 0, restartable(err)
	}
	oc := out.Ctx(t)
	oc.Nonblock = oc.Nonblock || a[3]&spliceNonblock != 0
	w, err := out.File.Write(oc, buf[:r])
	if w > 0 {
		return uint64(w), nil
	}
	return 0, restartable(err)
}
