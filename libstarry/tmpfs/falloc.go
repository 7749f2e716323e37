package tmpfs

import (
	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Fallocate modes tmpfs supports (shmem_fallocate).
const (
	fallocKeepSize  = abi.FALLOC_FL_KEEP_SIZE
	fallocPunchHole = abi.FALLOC_FL_PUNCH_HOLE
)

// Fallocate is fallocate(2) with vfs_fallocate's checks in its order,
// but for write access to the file, which is the caller's: an immutable
// file is EPERM, and so is an append-only one but for a plain
// allocation (mode 0 or KEEP_SIZE). Mode 0 and KEEP_SIZE give
// every page of [off, off+length) a frame, growing the file unless
// KEEP_SIZE; PUNCH_HOLE|KEEP_SIZE frees the whole pages of the range and
// zeroes the partial ones. Other modes are EOPNOTSUPP. An allocation
// that cannot be had whole is ENOSPC and undoes itself: the frames it
// took go back, the size stays, what was there before is intact.
func (n *Node) Fallocate(mode uint32, off, length int64) error {
	switch {
	case off < 0 || length <= 0:
		return abi.EINVAL
	case mode&^(fallocKeepSize|fallocPunchHole) != 0:
		return abi.EOPNOTSUPP
	case mode&fallocPunchHole != 0 && mode&fallocKeepSize == 0:
		return abi.EOPNOTSUPP
	case mode&^fallocKeepSize != 0 && n.inode.IsAppend(), n.inode.IsImmutable():
		return abi.EPERM
	}
	switch n.inode.Type() {
	case abi.S_IFREG:
	case abi.S_IFDIR:
		return abi.EISDIR
	case abi.S_IFIFO:
		return abi.ESPIPE
	default:
		return abi.ENODEV
	}
	if length > MaxFileSize-off {
		return abi.EFBIG
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	end := off + length
	switch {
	case mode&fallocPunchHole != 0 && n.seals&(SealWrite|SealFutureWrite) != 0:
		return abi.EPERM
	case mode&fallocKeepSize == 0 && n.sizeSealed(max(end, n.size)):
		return abi.EPERM
	}
	if mode&fallocPunchHole != 0 {
		n.punchLocked(off, end)
	} else if err := n.allocateLocked(off, end, mode&fallocKeepSize == 0); err != nil {
		return err
	}
	n.touch(true, true)
	return nil
}

// allocateLocked gives the pages of [start, end) frames. With a limit,
// the frames missing are counted against it all at once first, as
// shmem_fallocate checks the whole range before it starts.
func (n *Node) allocateLocked(start, end int64, grow bool) error {
	first, last := uint64(start/pageSize), uint64((end-1)/pageSize)
	bulk := n.fs.limit > 0
	var need int64
	if bulk {
		need = int64(last-first+1) - n.presentIn(first, last)
		if !n.fs.reserve(need) {
			return abi.ENOSPC
		}
	}
	alloc := n.fs.allocFrame
	if bulk {
		alloc = n.fs.allocReserved
	}
	var taken []uint64
	for pg := first; pg <= last; pg++ {
		if _, ok := n.pages.get(pg); ok {
			continue
		}
		f, err := alloc()
		if err != nil {
			n.undoAllocate(taken, need, bulk)
			if err == abi.ENOMEM {
				err = abi.ENOSPC
			}
			return err
		}
		n.pages.set(pg, f)
		taken = append(taken, pg)
	}
	if grow && end > n.size {
		n.zeroTail(n.size)
		n.setSizeLocked(end)
	}
	return nil
}

// undoAllocate gives back the frames an allocation took and, with a
// bulk reservation, the part of it not used; n.mu is held.
func (n *Node) undoAllocate(taken []uint64, need int64, bulk bool) {
	for _, pg := range taken {
		f, _ := n.pages.get(pg)
		n.fs.freeFrame(f)
		n.pages.del(pg)
	}
	if bulk {
		n.fs.used.Add(-(need - int64(len(taken))))
	}
}

// presentIn counts the file's pages in [first, last]; n.mu is held.
func (n *Node) presentIn(first, last uint64) int64 {
	var c int64
	if last-first >= uint64(n.pages.count()) {
		n.pages.each(func(pg uint64, _ exo.Frame) {
			if pg >= first && pg <= last {
				c++
			}
		})
		return c
	}
	for pg := first; pg <= last; pg++ {
		if _, ok := n.pages.get(pg); ok {
			c++
		}
	}
	return c
}

// punchLocked frees the pages wholly inside [start, end) and zeroes the
// parts of the others that it covers (shmem_truncate_range); n.mu is
// held. The range may lie past the end of the file.
func (n *Node) punchLocked(start, end int64) {
	firstWhole, endWhole := pagesIn(start), uint64(end/pageSize)
	if firstWhole < endWhole {
		n.freePages(firstWhole, endWhole)
	}
	headPartial := start%pageSize != 0
	if headPartial {
		n.zeroRange(start, min(end, (start/pageSize+1)*pageSize))
	}
	if end%pageSize != 0 && !(headPartial && start/pageSize == end/pageSize) {
		n.zeroRange(max(start, end/pageSize*pageSize), end)
	}
}
