package linux

import (
	"errors"

	"github.com/starry-go/starry/exo"
	"golang.org/x/sys/unix"
)

// errKeepRegs tells Dispatch the handler has set every register itself
// (rt_sigreturn) or the thread is ending (exit): RAX is not a result.
var errKeepRegs = errors.New("linux: registers already set")

// errnoOf is the one boundary where typed errors become errno values.
// libstarry answers unix.Errno values; exo's typed errors map to their
// nearest errno; anything else is a bug reported as EIO, never a crash.
func errnoOf(err error) unix.Errno {
	var e unix.Errno
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, exo.ErrFault), errors.Is(err, exo.ErrBadAddress):
		return unix.EFAULT
	case errors.Is(err, exo.ErrNoMemory):
		return unix.ENOMEM
	}
	return unix.EIO
}

func negErrno(e unix.Errno) uint64 { return uint64(-int64(e)) }
