package linux

import (
	"errors"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// errKeepRegs tells Dispatch the handler has set every register itself
// (rt_sigreturn) or the thread is ending (exit): RAX is not a result.
var errKeepRegs = errors.New("linux: registers already set")

// errnoOf is the one boundary where typed errors become errno values.
// libstarry answers abi.Errno values; exo's typed errors map to their
// nearest errno; anything else is a bug reported as EIO, never a crash.
func errnoOf(err error) abi.Errno {
	var e abi.Errno
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, exo.ErrFault), errors.Is(err, exo.ErrBadAddress):
		return abi.EFAULT
	case errors.Is(err, exo.ErrNoMemory):
		return abi.ENOMEM
	}
	return abi.EIO
}

func negErrno(e abi.Errno) uint64 { return uint64(-int64(e)) }
