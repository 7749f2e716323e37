package flock

import (
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// lockMand is LOCK_MAND, which x/sys/unix does not carry: flock(2)
// accepts and ignores it since Linux 5.15.
const lockMand = 32

// flockLock is one flock(2) lock: whole-file, owned by an open file
// description.
type flockLock struct {
	owner any
	typ   int16
}

// ParseFlock checks flock(2)'s operation as sys_flock does before it
// looks at the descriptor: ignore is true for LOCK_MAND (accepted and
// dropped, even on a bad descriptor), err is EINVAL for anything but
// LOCK_SH, LOCK_EX or LOCK_UN, each with or without LOCK_NB
// (flock_translate_cmd).
func ParseFlock(op int) (ignore bool, err error) {
	_, ignore, err = flockType(op)
	return ignore, err
}

func flockType(op int) (typ int16, ignore bool, err error) {
	if op&lockMand != 0 {
		return 0, true, nil
	}
	switch op &^ abi.LOCK_NB {
	case abi.LOCK_SH:
		return abi.F_RDLCK, false, nil
	case abi.LOCK_EX:
		return abi.F_WRLCK, false, nil
	case abi.LOCK_UN:
		return abi.F_UNLCK, false, nil
	}
	return 0, false, abi.EINVAL
}

// Flock is flock(2) on the file for owner, the open file description
// (flock_lock_inode): LOCK_SH, LOCK_EX or LOCK_UN, LOCK_NB to fail with
// EWOULDBLOCK (EAGAIN) instead of sleeping, as does a nil w. A lock the
// description already holds with the same type is kept; one of the
// other type is released first, so a conversion that fails leaves no
// lock, as on Linux. Locks of one description never conflict; flock
// and POSIX locks never meet. No deadlock detection.
func (f *File) Flock(owner any, op int, w fd.Waiter) error {
	typ, ignore, err := flockType(op)
	if err != nil || ignore {
		return err
	}
	g := f.acquire()
	defer g.release()
	for i, l := range g.flocks {
		if l.owner != owner {
			continue
		}
		if l.typ == typ {
			return nil
		}
		g.flocks = append(g.flocks[:i:i], g.flocks[i+1:]...)
		g.m.count.Add(-1)
		g.changed()
		break
	}
	if typ == abi.F_UNLCK {
		return nil
	}
	for {
		conflict := false
		for _, l := range g.flocks {
			if l.owner != owner && (typ == abi.F_WRLCK || l.typ == abi.F_WRLCK) {
				conflict = true
				break
			}
		}
		if !conflict {
			g.flocks = append(g.flocks, flockLock{owner: owner, typ: typ})
			g.m.count.Add(1)
			return nil
		}
		if w == nil || op&abi.LOCK_NB != 0 {
			return abi.EAGAIN
		}
		if err := g.sleep(w, nil); err != nil {
			return err
		}
	}
}

// RemoveFile drops what an open file description holds at its last
// close (locks_remove_file): its OFD locks (locks_remove_posix with the
// description as owner) and its flock lock (locks_remove_flock). f may
// be nil (Manager.Lookup found nothing).
func (f *File) RemoveFile(owner any) {
	if f == nil {
		return
	}
	g := f.acquire()
	defer g.release()
	g.apply(Lock{Type: abi.F_UNLCK, Start: 0, End: MaxOffset, Owner: owner})
	for i, l := range g.flocks {
		if l.owner == owner {
			g.flocks = append(g.flocks[:i:i], g.flocks[i+1:]...)
			g.m.count.Add(-1)
			g.changed()
			break
		}
	}
}
