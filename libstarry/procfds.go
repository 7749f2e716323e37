package libstarry

import (
	"io"
	"strconv"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/libstarry/procfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// /proc/PID/fd and fdinfo's view of the descriptor table (fs/proc/fd.c:
// proc_fd_link's path, seq_show's fields).

func (s *procSource) FDs(pid int) []int {
	t := s.fdTable(pid)
	if t == nil {
		return nil
	}
	var out []int
	for n, size := 0, t.Size(); n < size; n++ {
		if _, err := t.CloseOnExec(n); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// Pos is the descriptor's file position, as its lseek(0, SEEK_CUR)
// tells it (0 for a file with none).
func (s *procSource) Pos(pid, n int) int64 {
	t := s.fdTable(pid)
	if t == nil {
		return 0
	}
	of, err := t.Get(n)
	if err != nil {
		return 0
	}
	defer of.DecRef()
	var pos int64
	if sk, ok := of.File.(fd.Seeker); ok {
		pos, _ = sk.Seek(0, io.SeekCurrent)
	}
	return pos
}

func (s *procSource) FD(pid, n int, caller any) (procfs.FDInfo, bool) {
	t := s.fdTable(pid)
	if t == nil {
		return procfs.FDInfo{}, false
	}
	return s.fdInfo(t, n, caller)
}

// fdTable is pid's descriptor table; none for a zombie (exit_files).
func (s *procSource) fdTable(pid int) *fd.Table {
	p := s.k.Process(pid)
	if p == nil || p.snapshot().zombie {
		return nil
	}
	return p.FDs
}

// fdInfo is one descriptor: its flags as f_flags has them (O_LARGEFILE
// on every file open made, O_CLOEXEC for the descriptor's bit), and
// what the link names.
func (s *procSource) fdInfo(t *fd.Table, n int, caller any) (procfs.FDInfo, bool) {
	of, err := t.Get(n)
	if err != nil {
		return procfs.FDInfo{}, false
	}
	defer of.DecRef()
	info := procfs.FDInfo{FD: n, Flags: of.Flags()}
	if cloexec, _ := t.CloseOnExec(n); cloexec {
		info.Flags |= abi.O_CLOEXEC
	}
	st := of.File.Stat()
	info.Ino = st.Ino
	info.Link = s.fdLink(of.File, st, caller)
	if q := info.Link.Path; q.Mount != nil {
		info.MntID = q.Mount.ID
		if info.Flags&abi.O_PATH == 0 {
			info.Flags |= oLargefile
		}
	}
	return info, true
}

// fdLink is what fd/N names: a file's path, a device's node, or the
// pseudo-names of files no path reaches ("pipe:[ino]", "socket:[ino]",
// "anon_inode:[eventfd]"). Following a pipe's opens a new end on it for
// the access asked for (fifo_open); the others cannot be followed
// (ENXIO, as for a socket on Linux).
func (s *procSource) fdLink(f fd.File, st fd.Stat, caller any) procfs.Link {
	if pf, ok := f.(PathFile); ok {
		q := pf.Path()
		return procfs.Link{Name: s.pathName(caller, q), Path: q}
	}
	ino := strconv.FormatUint(st.Ino, 10)
	switch f := f.(type) {
	case *ipc.PipeEnd:
		return procfs.Link{Name: "pipe:[" + ino + "]", Mode: st.Mode, Ino: st.Ino, Reopen: func(flags int) (fd.File, error) {
			switch flags & abi.O_ACCMODE {
			case abi.O_RDONLY:
				return f.Reopen(false), nil
			case abi.O_WRONLY:
				return f.Reopen(true), nil
			}
			return nil, abi.ENXIO // an end is one way; Linux's O_RDWR open of a FIFO is both
		}}
	case *TtyFile:
		return s.devLink(f.tt.path, caller)
	case *ipc.EventFD:
		return procfs.Link{Name: "anon_inode:[eventfd]", Err: abi.ENXIO}
	case *ipc.Epoll:
		return procfs.Link{Name: "anon_inode:[eventpoll]", Err: abi.ENXIO}
	case *TimerFD:
		return procfs.Link{Name: "anon_inode:[timerfd]", Err: abi.ENXIO}
	case *SignalFD:
		return procfs.Link{Name: "anon_inode:[signalfd]", Err: abi.ENXIO}
	case *PidFD:
		return procfs.Link{Name: "anon_inode:[pidfd]", Err: abi.ENXIO}
	}
	switch st.Mode & abi.S_IFMT {
	case abi.S_IFIFO:
		return procfs.Link{Name: "pipe:[" + ino + "]", Err: abi.ENXIO}
	case abi.S_IFSOCK:
		return procfs.Link{Name: "socket:[" + ino + "]", Err: abi.ENXIO}
	case abi.S_IFCHR:
		if name, ok := devNames[st.Rdev]; ok {
			return s.devLink(name, caller)
		}
	}
	return procfs.Link{Name: "anon_inode:[" + ino + "]", Err: abi.ENXIO}
}

// devNames are the device nodes the library OS serves, by number.
var devNames = map[uint64]string{
	abi.Mkdev(memMajor, minNull): "/dev/null", abi.Mkdev(memMajor, minZero): "/dev/zero",
	abi.Mkdev(memMajor, minFull): "/dev/full", abi.Mkdev(memMajor, minRandom): "/dev/random",
	abi.Mkdev(memMajor, minURandom): "/dev/urandom", abi.Mkdev(ttyMajor, 0): "/dev/tty",
	abi.Mkdev(ttyMajor, 1): "/dev/console",
}

// devLink names a device by its node, which following reaches.
func (s *procSource) devLink(name string, caller any) procfs.Link {
	root := s.fs.mt.Root()
	q, err := s.fs.mt.Resolve(rootCreds, root, root, name, 0)
	if err != nil {
		return procfs.Link{Name: name}
	}
	return procfs.Link{Name: s.pathName(caller, q), Path: q}
}
