package ext2

import (
	"bytes"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Mapped pages. ext2 has no page cache here, so a page that mmap maps
// is given a frame filled from the file; reads and writes of the file
// go through to that frame as well as the disk while it exists, and the
// frame's contents go back to the disk (where they differ from it) on
// Sync, on the last Close or Drop, and before truncation drops it.

const pageSize = exo.PageSize

// Frame is mm.Object's: the frame of page pgoff, filled from the file on
// the first fault, granted to env. A page past the end is ENXIO.
func (n *Node) Frame(env *exo.Env, pgoff uint64, write bool) (exo.Frame, error) {
	fs := n.fs
	if fs.opt.Pager == nil || n.inode.Type() != abi.S_IFREG {
		return 0, abi.ENODEV
	}
	fs.mu.Lock()
	defer fs.unlock()
	size := n.inode.Attr().Size
	if int64(pgoff) >= (size+pageSize-1)/pageSize {
		return 0, abi.ENXIO
	}
	f, ok := n.pages[pgoff]
	if !ok {
		var err error
		if f, err = n.fillPage(pgoff, size); err != nil {
			return 0, err
		}
	}
	if write && !fs.opt.ReadOnly {
		n.touch(true)
		n.save()
	}
	if fs.opt.Pager.Share(f, env) != nil {
		return 0, abi.ENOMEM
	}
	return f, nil
}

// fillPage takes a frame for page pg and reads the file into it.
func (n *Node) fillPage(pg uint64, size int64) (exo.Frame, error) {
	fs := n.fs
	f, err := fs.opt.Pager.AllocFrame()
	if err != nil {
		return 0, abi.ENOMEM
	}
	off := int64(pg) * pageSize
	buf := make([]byte, min(pageSize, size-off))
	if _, err := n.readBlocks(buf, off); err != nil {
		_ = fs.opt.Pager.FreeFrame(f)
		return 0, err
	}
	if fs.opt.Pager.WriteFrame(f, 0, buf) != nil {
		_ = fs.opt.Pager.FreeFrame(f)
		return 0, abi.EIO
	}
	if n.pages == nil {
		n.pages = map[uint64]exo.Frame{}
	}
	n.pages[pg] = f
	return f, nil
}

// overlay calls f for each mapped page that [off, off+len) touches,
// with the part of b it covers and the offset in the page.
func (n *Node) overlay(b []byte, off int64, f func(fr exo.Frame, in int, part []byte)) {
	if len(n.pages) == 0 || len(b) == 0 {
		return
	}
	for pos := off; pos < off+int64(len(b)); {
		pg, in := uint64(pos/pageSize), int(pos%pageSize)
		end := min(off+int64(len(b)), int64(pg+1)*pageSize)
		if fr, ok := n.pages[pg]; ok {
			f(fr, in, b[pos-off:end-off])
		}
		pos = end
	}
}

// overlayRead takes the mapped pages' bytes over the disk's.
func (n *Node) overlayRead(b []byte, off int64) {
	n.overlay(b, off, func(fr exo.Frame, in int, part []byte) { _ = n.fs.opt.Pager.ReadFrame(fr, in, part) })
}

// overlayWrite copies what was written into the mapped pages.
func (n *Node) overlayWrite(b []byte, off int64) {
	n.overlay(b, off, func(fr exo.Frame, in int, part []byte) { _ = n.fs.opt.Pager.WriteFrame(fr, in, part) })
}

// writeback writes the mapped pages that differ from the disk; with
// free it lets go of them too (no one maps the file any more).
func (n *Node) writeback(free bool) {
	if len(n.pages) == 0 {
		return
	}
	fs := n.fs
	size := n.inode.Attr().Size
	for pg, fr := range n.pages {
		off := int64(pg) * pageSize
		if off < size && !fs.opt.ReadOnly && !fs.released {
			mem := make([]byte, min(pageSize, size-off))
			disk := make([]byte, len(mem))
			if fs.opt.Pager.ReadFrame(fr, 0, mem) == nil {
				if _, err := n.readBlocks(disk, off); err == nil && !bytes.Equal(mem, disk) {
					if _, err := n.writeData(mem, off); err != nil && fs.ioErr == nil {
						fs.ioErr = err
					}
				}
			}
		}
		if free {
			_ = fs.opt.Pager.FreeFrame(fr)
			delete(n.pages, pg)
		}
	}
	n.save()
}

// writebackAll writes back every node's mapped pages (sync).
func (fs *FS) writebackAll() {
	for _, n := range fs.nodes {
		n.writeback(false)
	}
}

// truncPages drops the mapped pages wholly past size and zeroes the
// tail of the one it ends in. The caller's mappings keep their grant of
// a dropped frame until they unmap it, as with tmpfs.
func (n *Node) truncPages(size int64) {
	for pg, fr := range n.pages {
		off := int64(pg) * pageSize
		switch {
		case off >= size:
			_ = n.fs.opt.Pager.FreeFrame(fr)
			delete(n.pages, pg)
		case off+pageSize > size:
			zero := make([]byte, off+pageSize-size)
			_ = n.fs.opt.Pager.WriteFrame(fr, int(size-off), zero)
		}
	}
}

// zeroPageTail zeroes the mapped page holding the end of the file past
// that end, before the file grows over it: a mapping may have written
// there, and the file must read zeros (pagecache_isize_extended).
func (n *Node) zeroPageTail(size int64) {
	in := size % pageSize
	if in == 0 {
		return
	}
	if fr, ok := n.pages[uint64(size/pageSize)]; ok {
		_ = n.fs.opt.Pager.WriteFrame(fr, int(in), make([]byte, pageSize-in))
	}
}

// dropPages lets go of every mapped page, unwritten (the file is gone).
func (n *Node) dropPages() {
	for pg, fr := range n.pages {
		_ = n.fs.opt.Pager.FreeFrame(fr)
		delete(n.pages, pg)
	}
}
