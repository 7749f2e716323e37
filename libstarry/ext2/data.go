package ext2

import (
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// relatime is how old an atime may grow before a read refreshes it even
// though the file has not changed (Linux's relatime, a day).
const relatime = 24 * 60 * 60 * 1e9

// checkReg refuses data operations on what is not a regular file.
func (n *Node) checkReg() error {
	switch n.inode.Type() {
	case abi.S_IFREG:
		return nil
	case abi.S_IFDIR:
		return abi.EISDIR
	}
	return abi.EINVAL
}

// ReadAt reads the file at off: short at its end, holes as zeros.
func (n *Node) ReadAt(b []byte, off int64) (int, error) {
	if err := n.checkReg(); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, abi.EINVAL
	}
	n.fs.mu.Lock()
	defer n.fs.unlock()
	if len(b) == 0 {
		return 0, nil
	}
	size := n.inode.Attr().Size
	if off < size {
		b = b[:min(int64(len(b)), size-off)]
	} else {
		b = b[:0]
	}
	got, err := n.readData(b, off)
	n.accessed()
	return got, err
}

// accessed updates atime when relatime wants it.
func (n *Node) accessed() {
	if n.fs.opt.ReadOnly || n.fs.released || n.inode.NoAtime() {
		return
	}
	now := n.fs.opt.Now()
	changed := false
	n.inode.Update(func(a *vfs.Attr) {
		if a.Atime <= a.Mtime || a.Atime <= a.Ctime || now-a.Atime >= relatime {
			a.Atime, changed = now, true
		}
	})
	if changed {
		n.save()
	}
}

// readData reads len(b) bytes at off (all inside the file): the blocks,
// and the mapped pages over them.
func (n *Node) readData(b []byte, off int64) (int, error) {
	got, err := n.readBlocks(b, off)
	n.overlayRead(b[:got], off)
	return got, err
}

// readBlocks reads from the blocks alone; contiguous blocks are read
// from the device at once.
func (n *Node) readBlocks(b []byte, off int64) (int, error) {
	fs := n.fs
	bs := int64(fs.bs)
	run := runIO{buf: b}
	done := 0
	for done < len(b) {
		pos := off + int64(done)
		in := int(pos % bs)
		end := min(len(b), done+fs.bs-in)
		blk, _, err := n.bmap(uint64(pos/bs), false)
		if err != nil {
			return done, err
		}
		if blk == 0 {
			clear(b[done:end])
		} else if err := run.add(fs, int64(blk)*bs+int64(in), done, end); err != nil {
			return done, err
		}
		done = end
	}
	if err := run.flush(fs); err != nil {
		return 0, err
	}
	return done, nil
}

// runIO gathers pieces of one buffer that are contiguous both on the
// device and in the buffer into one transfer.
type runIO struct {
	buf        []byte // the whole buffer
	from, to   int    // the pending piece of it
	devOff     int64  // where buf[from] goes
	write, set bool
}

// add queues buf[from:to] for devOff, sending what was queued first if
// it does not join up.
func (r *runIO) add(fs *FS, devOff int64, from, to int) error {
	if r.set && r.to == from && r.devOff+int64(r.to-r.from) == devOff {
		r.to = to
		return nil
	}
	if err := r.flush(fs); err != nil {
		return err
	}
	r.from, r.to, r.devOff, r.set = from, to, devOff, true
	return nil
}

func (r *runIO) flush(fs *FS) error {
	if !r.set {
		return nil
	}
	r.set = false
	b := r.buf[r.from:r.to]
	var err error
	var n int
	if r.write {
		n, err = fs.dev.WriteAt(b, r.devOff)
	} else {
		n, err = fs.dev.ReadAt(b, r.devOff)
	}
	if err != nil || n != len(b) {
		return abi.EIO
	}
	return nil
}

// WriteAt writes b at off, filling holes with new blocks. Past the
// largest size it is EFBIG (shortened to reach it exactly); when the
// disk fills, the bytes written so far count, or ENOSPC if none.
func (n *Node) WriteAt(b []byte, off int64) (int, error) {
	if err := n.checkReg(); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, abi.EINVAL
	}
	n.fs.mu.Lock()
	defer n.fs.unlock()
	return n.write(b, off)
}

// Append writes b at the end of the file, found under the same lock;
// it returns where it wrote.
func (n *Node) Append(b []byte) (int64, int, error) {
	if err := n.checkReg(); err != nil {
		return 0, 0, err
	}
	n.fs.mu.Lock()
	defer n.fs.unlock()
	off := n.inode.Attr().Size
	w, err := n.write(b, off)
	return off, w, err
}

// write is WriteAt with fs.mu held.
func (n *Node) write(b []byte, off int64) (int, error) {
	fs := n.fs
	if err := fs.writable(); err != nil {
		return 0, err
	}
	if len(b) == 0 {
		return 0, nil
	}
	limit := fs.sizeLimit()
	if off >= limit {
		return 0, abi.EFBIG
	}
	b = b[:min(int64(len(b)), limit-off)]
	n.touch(true)
	if size := n.inode.Attr().Size; off+int64(len(b)) > size {
		n.zeroPageTail(size)
	}
	done, err := n.writeData(b, off)
	if end := off + int64(done); end > n.inode.Attr().Size {
		n.inode.Update(func(a *vfs.Attr) { a.Size = end })
		fs.noteLargeFile(end)
	}
	n.save()
	if done > 0 {
		return done, nil
	}
	return 0, err
}

// sizeLimit is the largest file size: 2 GiB - 1 on a revision 0 file
// system, which cannot record large_file.
func (fs *FS) sizeLimit() int64 {
	if le.Uint32(fs.sb[sbRevLevel:]) == 0 {
		return 1<<31 - 1
	}
	return fs.maxFileSize
}

// noteLargeFile sets large_file once a file passes 2 GiB.
func (fs *FS) noteLargeFile(size int64) {
	ro := le.Uint32(fs.sb[sbFeatureRO:])
	if size > 1<<31-1 && ro&roCompatLargeFile == 0 {
		le.PutUint32(fs.sb[sbFeatureRO:], ro|roCompatLargeFile)
		fs.sbDirty = true
	}
}

// writeData writes b at off block by block: whole blocks straight from
// b (runs of them at once), partial ones read, changed and written.
func (n *Node) writeData(b []byte, off int64) (int, error) {
	fs := n.fs
	bs := int64(fs.bs)
	run := runIO{buf: b, write: true}
	done := 0
	for done < len(b) {
		pos := off + int64(done)
		in := int(pos % bs)
		end := min(len(b), done+fs.bs-in)
		blk, fresh, err := n.bmap(uint64(pos/bs), true)
		if err != nil {
			if ferr := run.flush(fs); ferr != nil {
				return 0, ferr
			}
			n.overlayWrite(b[:done], off)
			return done, err
		}
		devOff := int64(blk) * bs
		if end-done == fs.bs {
			err = run.add(fs, devOff, done, end)
		} else if err = run.flush(fs); err == nil {
			err = n.writePartial(blk, fresh, in, b[done:end])
		}
		if err != nil {
			return done, err
		}
		done = end
	}
	if err := run.flush(fs); err != nil {
		return 0, err
	}
	n.overlayWrite(b, off)
	return done, nil
}

// writePartial changes part of one block.
func (n *Node) writePartial(blk uint32, fresh bool, in int, chunk []byte) error {
	fs := n.fs
	buf := make([]byte, fs.bs)
	devOff := int64(blk) * int64(fs.bs)
	if !fresh {
		if r, err := fs.dev.ReadAt(buf, devOff); err != nil || r != fs.bs {
			return abi.EIO
		}
	}
	copy(buf[in:], chunk)
	if w, err := fs.dev.WriteAt(buf, devOff); err != nil || w != fs.bs {
		return abi.EIO
	}
	return nil
}

// Truncate sets a regular file's size (ext2_setsize): blocks wholly past
// it are freed and the rest of its last block zeroed, so that growing
// it again reads zeros; mtime and ctime change when the size does.
func (n *Node) Truncate(size int64) error {
	if err := n.checkReg(); err != nil {
		return err
	}
	n.fs.mu.Lock()
	defer n.fs.unlock()
	if err := n.fs.writable(); err != nil {
		return err
	}
	return n.truncate(size)
}

// truncate is Truncate with fs.mu held.
func (n *Node) truncate(size int64) error {
	fs := n.fs
	switch {
	case size < 0:
		return abi.EINVAL
	case size > fs.sizeLimit():
		return abi.EFBIG
	}
	old := n.inode.Attr().Size
	if size == old {
		return nil
	}
	bs := int64(fs.bs)
	if size < old {
		if in := size % bs; in != 0 {
			blk, _, err := n.bmap(uint64(size/bs), false)
			if err != nil {
				return err
			}
			if blk != 0 {
				zero := make([]byte, bs-in)
				if _, err := fs.dev.WriteAt(zero, int64(blk)*bs+in); err != nil {
					return abi.EIO
				}
			}
		}
		n.truncPages(size)
		n.freeFrom(uint64((size + bs - 1) / bs))
	} else {
		n.zeroPageTail(old)
	}
	n.inode.Update(func(a *vfs.Attr) { a.Size = size })
	fs.noteLargeFile(size)
	n.touch(true)
	n.save()
	return nil
}

// SeekData and SeekHole are generic_file_llseek's: the whole file is
// data, with a hole at its end.
func (n *Node) SeekData(off int64) (int64, error) {
	if off < 0 || off >= n.Size() {
		return 0, abi.ENXIO
	}
	return off, nil
}

func (n *Node) SeekHole(off int64) (int64, error) {
	size := n.Size()
	if off < 0 || off >= size {
		return 0, abi.ENXIO
	}
	return size, nil
}

// Fallocate: ext2 has no fallocate (EOPNOTSUPP, as fs/ext2).
func (n *Node) Fallocate(mode uint32, off, length int64) error { return abi.EOPNOTSUPP }
