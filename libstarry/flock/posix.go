package flock

import (
	"cmp"
	"slices"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Test is posix_test_lock (F_GETLK, F_OFD_GETLK): the first lock of
// another owner that would keep req from being set, or false. POSIX and
// OFD locks test against each other. An OFD lock reports pid -1
// (locks_translate_pid). A type other than F_RDLCK or F_WRLCK finds
// nothing: fcntl_getlk refuses those with EINVAL before it asks.
func (f *File) Test(req Lock) (Lock, bool) {
	if req.Type != abi.F_RDLCK && req.Type != abi.F_WRLCK {
		return Lock{}, false
	}
	g := f.acquire()
	defer g.release()
	for _, l := range g.posix {
		if req.conflicts(l) {
			if l.OFD {
				l.Pid = -1
			}
			return l, true
		}
	}
	return Lock{}, false
}

// Set is posix_lock_inode behind F_SETLK, F_SETLKW and their OFD forms:
// it sets req (or, for F_UNLCK, clears its range) for req.Owner,
// splitting and merging that owner's locks. With w nil a conflict is
// EAGAIN; otherwise the caller sleeps until the conflict goes (EINTR if
// a signal or exit comes first), unless a POSIX request would wait on
// an owner that waits on it (EDEADLK, posix_locks_deadlock). Nothing is
// changed unless the whole request succeeds.
func (f *File) Set(req Lock, w fd.Waiter) error {
	switch req.Type {
	case abi.F_RDLCK, abi.F_WRLCK, abi.F_UNLCK:
	default:
		return abi.EINVAL
	}
	if req.Start < 0 || req.End < req.Start {
		return abi.EINVAL
	}
	if req.OFD {
		req.Pid = -1
	}
	g := f.acquire()
	defer g.release()
	for {
		var conflicting, posixBlockers []any
		if req.Type != abi.F_UNLCK {
			for _, l := range g.posix {
				if req.conflicts(l) && !slices.Contains(conflicting, l.Owner) {
					conflicting = append(conflicting, l.Owner)
					if !l.OFD {
						posixBlockers = append(posixBlockers, l.Owner)
					}
				}
			}
		}
		if len(conflicting) == 0 {
			g.apply(req)
			return nil
		}
		if w == nil {
			return abi.EAGAIN
		}
		rec, deadlock := g.block(req.Owner, req.OFD, conflicting, posixBlockers)
		if deadlock {
			return abi.EDEADLK
		}
		if err := g.sleep(w, rec); err != nil {
			return err
		}
	}
}

// RemoveOwner drops every lock owner holds on the file: close(2) of any
// descriptor for the file drops the closing table's POSIX locks
// (locks_remove_posix). f may be nil (Manager.Lookup found nothing).
func (f *File) RemoveOwner(owner any) {
	if f == nil {
		return
	}
	g := f.acquire()
	defer g.release()
	g.apply(Lock{Type: abi.F_UNLCK, Start: 0, End: MaxOffset, Owner: owner})
}

// apply is the edit half of posix_lock_inode, with conflicts already
// ruled out: the owner's locks lose req's range (the ends of a lock
// that sticks out survive, so unlocking the middle splits it), then
// req goes in and merges with the owner's same-type locks it touches or
// overlaps. The result per byte is Linux's; the owner's locks stay
// together in the list, sorted, never overlapping nor adjacent with one
// type. Waiters are woken when anything changed.
func (f *File) apply(req Lock) {
	i := 0
	for i < len(f.posix) && f.posix[i].Owner != req.Owner {
		i++
	}
	j := i
	for j < len(f.posix) && f.posix[j].Owner == req.Owner {
		j++
	}
	old := f.posix[i:j]
	mine := make([]Lock, 0, len(old)+2)
	for _, l := range old {
		if !l.overlaps(req) {
			mine = append(mine, l)
			continue
		}
		if l.Start < req.Start {
			left := l
			left.End = req.Start - 1
			mine = append(mine, left)
		}
		if l.End > req.End {
			right := l
			right.Start = req.End + 1
			mine = append(mine, right)
		}
	}
	if req.Type != abi.F_UNLCK {
		mine = append(mine, req)
		slices.SortFunc(mine, func(a, b Lock) int { return cmp.Compare(a.Start, b.Start) })
		merged := mine[:1]
		for _, l := range mine[1:] {
			last := &merged[len(merged)-1]
			if last.Type == l.Type && last.End+1 == l.Start { // last.End < l.Start <= MaxOffset: no overflow
				last.End = l.End
				continue
			}
			merged = append(merged, l)
		}
		mine = merged
	}
	if slices.Equal(old, mine) {
		return
	}
	list := make([]Lock, 0, len(f.posix)-len(old)+len(mine))
	list = append(append(append(list, f.posix[:i]...), mine...), f.posix[j:]...)
	f.posix = list
	f.m.count.Add(int64(len(mine) - len(old)))
	f.changed()
}
