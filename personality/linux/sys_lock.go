package linux

import (
	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/flock"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Record locks (fcntl F_GETLK, F_SETLK, F_SETLKW and the F_OFD_* forms)
// and flock(2), over libstarry/flock (fs/locks.c's rules). struct flock
// on x86-64: l_type and l_whence (shorts), l_start and l_len (longs) at
// 8 and 16, l_pid (int) at 24; 32 bytes.

const flockSize = 32

// The OFD commands, which x/sys names but abigen keeps local here.
const (
	fOFDGetlk  = 36
	fOFDSetlk  = 37
	fOFDSetlkw = 38
)

// fcntlLock is fcntl_getlk and fcntl_setlk: the struct is read first
// (EFAULT), then the type (EINVAL), OFD's l_pid must be 0 (EINVAL), the
// range, and for a set the access mode the type needs (EBADF).
func fcntlLock(t *libstarry.Thread, fd int, of *fdt.OpenFile, cmd int, arg uint64) (uint64, error) {
	var b [flockSize]byte
	if err := t.P.MM.CopyIn(uintptr(arg), b[:]); err != nil {
		return 0, err
	}
	typ, whence := int16(le.Uint16(b[0:])), int16(le.Uint16(b[2:]))
	start, length, pid := int64(le.Uint64(b[8:])), int64(le.Uint64(b[16:])), int32(le.Uint32(b[24:]))
	ofd := cmd == fOFDGetlk || cmd == fOFDSetlk || cmd == fOFDSetlkw
	get := cmd == abi.F_GETLK || cmd == fOFDGetlk
	if typ != abi.F_RDLCK && typ != abi.F_WRLCK && (get || typ != abi.F_UNLCK) {
		return 0, abi.EINVAL
	}
	if ofd && pid != 0 {
		return 0, abi.EINVAL
	}
	lk, ok := of.File.(libstarry.Lockable)
	if !ok || of.Flags()&abi.O_PATH != 0 {
		if of.Flags()&abi.O_PATH != 0 {
			return 0, abi.EBADF
		}
		return 0, abi.EINVAL // a pipe or device: no lock context here
	}
	pos, _ := seekOf(of)
	s, e, err := flock.Range(whence, start, length, pos, of.Stat().Size)
	if err != nil {
		return 0, err
	}
	req := flock.Lock{Type: typ, Start: s, End: e, Owner: t.P.LockOwner(), Pid: t.P.Pid()}
	if ofd {
		req.Owner, req.Pid, req.OFD = of.File, -1, true
	}
	if get {
		got, found := lk.Locks().Test(req)
		if !found {
			le.PutUint16(b[0:], uint16(abi.F_UNLCK))
		} else {
			le.PutUint16(b[0:], uint16(got.Type))
			le.PutUint16(b[2:], 0) // SEEK_SET
			le.PutUint64(b[8:], uint64(got.Start))
			le.PutUint64(b[16:], uint64(got.Len()))
			le.PutUint32(b[24:], uint32(int32(got.Pid)))
		}
		return 0, t.P.MM.CopyOut(uintptr(arg), b[:])
	}
	acc := of.Flags() & abi.O_ACCMODE
	if typ == abi.F_RDLCK && acc == abi.O_WRONLY || typ == abi.F_WRLCK && acc == abi.O_RDONLY {
		return 0, abi.EBADF
	}
	var w fdt.Waiter
	if cmd == abi.F_SETLKW || cmd == fOFDSetlkw {
		w = t
	}
	if err := lk.Locks().Set(req, w); err != nil {
		return 0, restartable(err)
	}
	if !ofd && typ != abi.F_UNLCK {
		// A close racing with the lock (fcntl_setlk): if fd no longer
		// names this description, the lock must not outlive it.
		now, err := t.P.FDs.Get(fd)
		if err == nil {
			now.DecRef()
		}
		if err != nil || now != of {
			req.Type = abi.F_UNLCK
			_ = lk.Locks().Set(req, nil)
			return 0, abi.EBADF
		}
	}
	return 0, nil
}

// sysFlock is flock(2): the operation is checked before the descriptor;
// an O_PATH descriptor is EBADF.
func sysFlock(t *libstarry.Thread, a Args) (uint64, error) {
	op := int(a[1])
	ignore, err := flock.ParseFlock(op)
	if err != nil || ignore {
		return 0, err
	}
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	if of.Flags()&abi.O_PATH != 0 {
		return 0, abi.EBADF
	}
	lk, ok := of.File.(libstarry.Lockable)
	if !ok {
		return 0, abi.EINVAL
	}
	var w fdt.Waiter
	if op&abi.LOCK_NB == 0 {
		w = t
	}
	return 0, restartable(lk.Locks().Flock(of.File, op, w))
}
