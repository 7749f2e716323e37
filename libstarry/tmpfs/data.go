package tmpfs

import (
	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

const pageSize = exo.PageSize

// zeroPage is the source of the zeros written over a page's tail; it is
// only ever read.
var zeroPage [pageSize]byte

// relatime is how old an atime may grow before a read refreshes it even
// though the file has not changed since (Linux's relatime, a day).
const relatime = 24 * 60 * 60 * 1e9

// ReadAt reads from the file at off: short at its end, (0, nil) at or
// past it. Holes read as zeros and take no frame. It refreshes atime as
// relatime does (touch_atime).
func (n *Node) ReadAt(b []byte, off int64) (int, error) {
	if err := n.checkReg(); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, abi.EINVAL
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	if len(b) == 0 {
		return 0, nil
	}
	if off >= n.size {
		n.accessed()
		return 0, nil
	}
	if int64(len(b)) > n.size-off {
		b = b[:n.size-off]
	}
	done := 0
	for done < len(b) {
		pg, in := pageOf(off + int64(done))
		chunk := b[done:min(len(b), done+pageSize-in)]
		if f, ok := n.pages.get(pg); ok {
			if n.fs.pager.ReadFrame(f, in, chunk) != nil {
				return done, abi.EIO
			}
		} else {
			clear(chunk)
		}
		done += len(chunk)
	}
	n.accessed()
	return done, nil
}

// accessed updates atime if relatime wants it and the inode is not
// NOATIME (atime_needs_update).
func (n *Node) accessed() {
	if n.inode.NoAtime() {
		return
	}
	now := n.fs.now()
	n.inode.Update(func(a *vfs.Attr) {
		if a.Atime <= a.Mtime || a.Atime <= a.Ctime || now-a.Atime >= relatime {
			a.Atime = now
		}
	})
}

// WriteAt writes b at off, extending the file and taking frames for the
// holes it fills. Past MaxFileSize it is EFBIG (and shortened to reach
// it exactly, as generic_write_check_limits). When no frame can be had,
// the bytes written before count: a short write with no error, or ENOSPC
// if there were none. Write permission and O_APPEND are the caller's.
func (n *Node) WriteAt(b []byte, off int64) (int, error) {
	if err := n.checkReg(); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, abi.EINVAL
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.writeLocked(b, off)
}

// Append writes b at the end of the file, found under the same lock as
// the write so that appenders never overwrite each other (O_APPEND). It
// returns the offset it wrote at with the count: the file position
// after it is off+n.
func (n *Node) Append(b []byte) (off int64, w int, err error) {
	if err := n.checkReg(); err != nil {
		return 0, 0, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	off = n.size
	w, err = n.writeLocked(b, off)
	return off, w, err
}

// writeLocked is WriteAt with n.mu held.
func (n *Node) writeLocked(b []byte, off int64) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if off >= MaxFileSize {
		return 0, abi.EFBIG
	}
	if int64(len(b)) > MaxFileSize-off {
		b = b[:MaxFileSize-off]
	}
	if n.writeSealed(off, off+int64(len(b))) {
		return 0, abi.EPERM
	}
	// Times change before the copy, as file_modified does, even if no
	// frame can then be had.
	n.touch(true, true)
	if off+int64(len(b)) > n.size {
		n.zeroTail(n.size)
	}
	done := 0
	var err error
	for done < len(b) {
		pg, in := pageOf(off + int64(done))
		chunk := b[done:min(len(b), done+pageSize-in)]
		f, ok := n.pages.get(pg)
		if !ok {
			if f, err = n.fs.allocFrame(); err != nil {
				break
			}
			n.pages.set(pg, f)
		}
		if n.fs.pager.WriteFrame(f, in, chunk) != nil {
			err = abi.EIO
			break
		}
		done += len(chunk)
	}
	if done == 0 {
		if err == abi.ENOMEM {
			err = abi.ENOSPC
		}
		return 0, err
	}
	if end := off + int64(done); end > n.size {
		n.setSizeLocked(end)
	}
	return done, nil
}

// Truncate sets the file's size: pages wholly past it are freed and the
// tail of its last page zeroed, so that growing it again reads zeros.
// mtime and ctime change only if the size does (shmem_setattr); an
// ftruncate that must set them anyway passes them to SetAttr.
func (n *Node) Truncate(size int64) error {
	if err := n.checkReg(); err != nil {
		return err
	}
	switch {
	case size < 0:
		return abi.EINVAL
	case size > MaxFileSize:
		return abi.EFBIG
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if size == n.size {
		return nil
	}
	if n.sizeSealed(size) {
		return abi.EPERM
	}
	if size < n.size {
		n.freePages(pagesIn(size), ^uint64(0))
		n.zeroTail(size)
	} else {
		n.zeroTail(n.size)
	}
	n.setSizeLocked(size)
	n.touch(true, true)
	return nil
}

// setSizeLocked sets the size and the inode's copy of it; n.mu is held.
func (n *Node) setSizeLocked(size int64) {
	n.size = size
	n.inode.Update(func(a *vfs.Attr) { a.Size = size })
}

// zeroTail zeroes the page holding pos from pos to the page's end, if
// the page is there; n.mu is held.
func (n *Node) zeroTail(pos int64) {
	if pos%pageSize != 0 {
		n.zeroRange(pos, (pos/pageSize+1)*pageSize)
	}
}

// zeroRange zeroes [start, end) of one present page; n.mu is held.
func (n *Node) zeroRange(start, end int64) {
	pg, in := pageOf(start)
	if f, ok := n.pages.get(pg); ok {
		_ = n.fs.pager.WriteFrame(f, in, zeroPage[:end-start])
	}
}

// freePages frees the frames of pages [first, end), walking whichever is
// smaller, the range or the file's pages; n.mu is held.
func (n *Node) freePages(first, end uint64) {
	if end-first > uint64(n.pages.count()) {
		n.pages.each(func(pg uint64, f exo.Frame) {
			if pg >= first && pg < end {
				n.pages.del(pg)
				n.fs.freeFrame(f)
			}
		})
		return
	}
	for pg := first; pg < end; pg++ {
		if f, ok := n.pages.get(pg); ok {
			n.pages.del(pg)
			n.fs.freeFrame(f)
		}
	}
}

// pageOf is the page holding pos and pos's offset in it.
func pageOf(pos int64) (uint64, int) {
	return uint64(pos / pageSize), int(pos % pageSize)
}

// pagesIn is how many pages size bytes need: the index of the first page
// wholly past them.
func pagesIn(size int64) uint64 {
	return uint64(size/pageSize) + uint64(min(size%pageSize, 1))
}
