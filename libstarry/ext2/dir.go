package ext2

import (
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// dent is one directory entry found in a block.
type dent struct {
	blk    uint32 // the device block it is in
	off    int    // its offset in that block
	pos    int64  // its offset in the directory
	prev   int    // the previous entry's offset in the block, -1 if first
	ino    uint32
	recLen int
	ftype  uint8
	name   string
}

// parseDent reads the entry at off of block b, checking the rec_len
// rules (ext2_check_page): EIO for a damaged block.
func (fs *FS) parseDent(b []byte, off int) (dent, error) {
	if off+deHeader > len(b) {
		return dent{}, abi.EIO
	}
	d := dent{off: off, ino: le.Uint32(b[off+deInode:]), recLen: int(le.Uint16(b[off+deRecLen:]))}
	nameLen := int(b[off+deName])
	if fs.filetype {
		d.ftype = b[off+deType]
	} else {
		nameLen = int(le.Uint16(b[off+deName:]))
	}
	switch {
	case d.recLen < recLenFor(1) || d.recLen%4 != 0 || off+d.recLen > len(b):
		return dent{}, abi.EIO
	case d.ino != 0 && (recLenFor(nameLen) > d.recLen || d.ino > uint32(len(fs.groups))*fs.ipg):
		return dent{}, abi.EIO
	}
	if d.ino != 0 {
		d.name = string(b[off+deHeader : off+deHeader+nameLen])
	}
	return d, nil
}

// scan calls f for every entry of the directory from byte position from,
// in order, until f returns false.
func (n *Node) scan(from int64, f func(d dent, b []byte) bool) error {
	fs := n.fs
	size := n.inode.Attr().Size
	bs := int64(fs.bs)
	for lbn := from / bs; lbn*bs < size; lbn++ {
		blk, _, err := n.bmap(uint64(lbn), false)
		if err != nil {
			return err
		}
		if blk == 0 {
			continue // a hole in a directory: nothing to list
		}
		b, err := fs.block(blk)
		if err != nil {
			return err
		}
		prev := -1
		for off := 0; off < fs.bs; {
			d, err := fs.parseDent(b, off)
			if err != nil {
				return err
			}
			d.blk, d.pos, d.prev = blk, lbn*bs+int64(off), prev
			if d.pos >= from && !f(d, b) {
				return nil
			}
			prev, off = off, off+d.recLen
		}
	}
	return nil
}

// find is the live entry called name: ENOENT if there is none.
func (n *Node) find(name string) (dent, error) {
	var found dent
	ok := false
	err := n.scan(0, func(d dent, _ []byte) bool {
		if d.ino != 0 && d.name == name {
			found, ok = d, true
			return false
		}
		return true
	})
	switch {
	case err != nil:
		return dent{}, err
	case !ok:
		return dent{}, abi.ENOENT
	}
	return found, nil
}

// putDent writes an entry's header and name at off of b.
func (fs *FS) putDent(b []byte, off int, ino uint32, recLen int, name string, mode uint32) {
	le.PutUint32(b[off+deInode:], ino)
	le.PutUint16(b[off+deRecLen:], uint16(recLen))
	if fs.filetype {
		b[off+deName] = uint8(len(name))
		b[off+deType] = ftOfMode[(mode&abi.S_IFMT)>>12]
	} else {
		le.PutUint16(b[off+deName:], uint16(len(name)))
	}
	copy(b[off+deHeader:], name)
}

// addEntry links name to inode ino of type mode (ext2_add_link): in the
// first gap big enough, or in a new block at the end.
func (n *Node) addEntry(name string, ino, mode uint32) error {
	fs := n.fs
	need := recLenFor(len(name))
	done := false
	err := n.scan(0, func(d dent, b []byte) bool {
		used := 0
		if d.ino != 0 {
			used = recLenFor(len(d.name))
		}
		if d.recLen-used < need {
			return true
		}
		if used == 0 {
			fs.putDent(b, d.off, ino, d.recLen, name, mode)
		} else {
			le.PutUint16(b[d.off+deRecLen:], uint16(used))
			fs.putDent(b, d.off+used, ino, d.recLen-used, name, mode)
		}
		fs.markDirty(d.blk)
		done = true
		return false
	})
	if err != nil {
		return err
	}
	if !done {
		if err := n.growDir(name, ino, mode); err != nil {
			return err
		}
	}
	n.touch(true)
	n.save()
	return nil
}

// growDir adds a block to the directory holding one entry.
func (n *Node) growDir(name string, ino, mode uint32) error {
	fs := n.fs
	size := n.inode.Attr().Size
	if size+int64(fs.bs) > 1<<31-1 {
		return abi.EFBIG
	}
	blk, _, err := n.bmap(uint64(size/int64(fs.bs)), true)
	if err != nil {
		return err
	}
	b := fs.zeroBlock(blk)
	fs.putDent(b, 0, ino, fs.bs, name, mode)
	n.inode.Update(func(a *vfs.Attr) { a.Size = size + int64(fs.bs) })
	return nil
}

// removeEntry deletes an entry (ext2_delete_entry): it joins the one
// before it in its block, or, first in its block, is marked unused.
func (n *Node) removeEntry(d dent) error {
	fs := n.fs
	b, err := fs.block(d.blk)
	if err != nil {
		return err
	}
	if d.prev >= 0 {
		prevLen := int(le.Uint16(b[d.prev+deRecLen:]))
		le.PutUint16(b[d.prev+deRecLen:], uint16(prevLen+d.recLen))
	} else {
		le.PutUint32(b[d.off+deInode:], 0)
	}
	fs.markDirty(d.blk)
	n.touch(true)
	n.save()
	return nil
}

// setEntry points an entry at another inode (ext2_set_link).
func (n *Node) setEntry(d dent, ino, mode uint32, touch bool) error {
	fs := n.fs
	b, err := fs.block(d.blk)
	if err != nil {
		return err
	}
	le.PutUint32(b[d.off+deInode:], ino)
	if fs.filetype {
		b[d.off+deType] = ftOfMode[(mode&abi.S_IFMT)>>12]
	}
	fs.markDirty(d.blk)
	if touch {
		n.touch(true)
		n.save()
	}
	return nil
}

// empty reports whether a directory has no entries but "." and ".."
// (ext2_empty_dir).
func (n *Node) empty() (bool, error) {
	empty := true
	err := n.scan(0, func(d dent, _ []byte) bool {
		if d.ino != 0 && d.name != "." && d.name != ".." {
			empty = false
			return false
		}
		return true
	})
	return empty, err
}

// modeOfFt is a directory entry's file type as S_IFMT bits.
func modeOfFt(ft uint8) uint32 {
	for m, f := range ftOfMode {
		if f == ft && f != 0 {
			return uint32(m) << 12
		}
	}
	return 0
}

// ReadDir lists the entries but "." and ".." from byte position off;
// each carries the position of the one after it.
func (n *Node) ReadDir(off int64, emit func(vfs.DirEntry) bool) error {
	n.fs.mu.Lock()
	var out []vfs.DirEntry
	err := n.scan(off, func(d dent, _ []byte) bool {
		if d.ino != 0 && d.name != "." && d.name != ".." {
			out = append(out, vfs.DirEntry{Name: d.name, Ino: uint64(d.ino), Type: modeOfFt(d.ftype),
				Next: d.pos + int64(d.recLen)})
		}
		return len(out) < 256
	})
	n.accessed()
	n.fs.unlock()
	if err != nil && len(out) == 0 {
		return err
	}
	for _, e := range out {
		if !emit(e) {
			return nil
		}
	}
	if len(out) == 256 {
		return n.ReadDir(out[255].Next, emit)
	}
	return nil
}
