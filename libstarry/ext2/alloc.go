package ext2

import (
	"math/bits"

	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// allocBlock takes a free block, near goal when it can (ext2_new_blocks
// without reservation windows): ENOSPC when there is none.
func (fs *FS) allocBlock(goal uint32) (uint32, error) {
	if fs.freeBlocks == 0 {
		return 0, abi.ENOSPC
	}
	if goal < fs.firstData || goal >= fs.nBlocks {
		goal = fs.firstData
	}
	start := (goal - fs.firstData) / fs.bpg
	ng := uint32(len(fs.groups))
	for i := range ng + 1 {
		g := (start + i) % ng
		if fs.groups[g].freeBlocks == 0 {
			continue
		}
		from := uint32(0)
		if i == 0 {
			from = (goal - fs.firstData) % fs.bpg
		}
		bit, err := fs.takeBit(fs.groups[g].blockBitmap, from, fs.groupBlocks(g))
		if err != nil {
			return 0, err
		}
		if bit < 0 {
			continue
		}
		fs.groups[g].freeBlocks--
		fs.gdDirty[g] = true
		fs.freeBlocks--
		fs.sbDirty = true
		return fs.firstData + g*fs.bpg + uint32(bit), nil
	}
	return 0, abi.ENOSPC
}

// groupBlocks is how many blocks group g has (the last may be short).
func (fs *FS) groupBlocks(g uint32) uint32 {
	return min(fs.bpg, fs.nBlocks-fs.firstData-g*fs.bpg)
}

// takeBit finds the first clear bit at or after from (wrapping) below
// limit in bitmap block bm and sets it; -1 when all are set.
func (fs *FS) takeBit(bm, from, limit uint32) (int, error) {
	b, err := fs.block(bm)
	if err != nil {
		return 0, err
	}
	for _, r := range [][2]uint32{{from, limit}, {0, from}} {
		if i := findClear(b, r[0], r[1]); i >= 0 {
			b[i/8] |= 1 << (i % 8)
			fs.markDirty(bm)
			return i, nil
		}
	}
	return -1, nil
}

// findClear is the first clear bit of b in [from, to), or -1.
func findClear(b []byte, from, to uint32) int {
	i := from
	for i < to {
		if i%64 == 0 && i+64 <= to {
			w := le.Uint64(b[i/8:])
			if w == ^uint64(0) {
				i += 64
				continue
			}
			return int(i) + bits.TrailingZeros64(^w)
		}
		if b[i/8]&(1<<(i%8)) == 0 {
			return int(i)
		}
		i++
	}
	return -1
}

// freeBlock gives block blk back (ext2_free_blocks); a block outside the
// data area or already free is left alone (the file system is damaged:
// Linux reports it and goes on).
func (fs *FS) freeBlock(blk uint32) {
	if blk < fs.firstData || blk >= fs.nBlocks {
		return
	}
	g, bit := (blk-fs.firstData)/fs.bpg, (blk-fs.firstData)%fs.bpg
	b, err := fs.block(fs.groups[g].blockBitmap)
	if err != nil || b[bit/8]&(1<<(bit%8)) == 0 {
		return
	}
	b[bit/8] &^= 1 << (bit % 8)
	fs.markDirty(fs.groups[g].blockBitmap)
	fs.groups[g].freeBlocks++
	fs.gdDirty[g] = true
	fs.freeBlocks++
	fs.sbDirty = true
	fs.forget(blk)
}

// allocInode takes a free inode number (ext2_new_inode): a directory
// goes to the group with the most free inodes among those with free
// blocks at or above average (find_group_other for the rest: the
// parent's group, then any), so that directories spread out.
func (fs *FS) allocInode(parent uint32, dir bool) (uint32, error) {
	if fs.freeInodes == 0 {
		return 0, abi.ENOSPC
	}
	ng := uint32(len(fs.groups))
	order := make([]uint32, 0, ng)
	pg := (parent - 1) / fs.ipg
	if dir {
		best, avg := int64(-1), fs.freeBlocks/ng
		for g := range ng {
			gr := fs.groups[g]
			if gr.freeInodes > 0 && gr.freeBlocks >= avg && (best < 0 || gr.freeInodes > fs.groups[best].freeInodes) {
				best = int64(g)
			}
		}
		if best >= 0 {
			pg = uint32(best)
		}
	}
	for i := range ng {
		order = append(order, (pg+i)%ng)
	}
	for _, g := range order {
		if fs.groups[g].freeInodes == 0 {
			continue
		}
		from := uint32(0)
		if g == 0 {
			from = fs.firstIno - 1 // the reserved inodes are never handed out
		}
		bit, err := fs.takeBit(fs.groups[g].inodeBitmap, from, fs.ipg)
		if err != nil {
			return 0, err
		}
		if bit < 0 || (g == 0 && uint32(bit) < fs.firstIno-1) {
			if bit >= 0 { // wrapped into the reserved range: undo
				fs.clearBit(fs.groups[g].inodeBitmap, uint32(bit))
			}
			continue
		}
		fs.groups[g].freeInodes--
		if dir {
			fs.groups[g].usedDirs++
		}
		fs.gdDirty[g] = true
		fs.freeInodes--
		fs.sbDirty = true
		return g*fs.ipg + uint32(bit) + 1, nil
	}
	return 0, abi.ENOSPC
}

func (fs *FS) clearBit(bm, bit uint32) {
	if b, err := fs.block(bm); err == nil {
		b[bit/8] &^= 1 << (bit % 8)
		fs.markDirty(bm)
	}
}

// freeInode gives inode ino back (ext2_free_inode).
func (fs *FS) freeInode(ino uint32, dir bool) {
	g, bit := (ino-1)/fs.ipg, (ino-1)%fs.ipg
	b, err := fs.block(fs.groups[g].inodeBitmap)
	if err != nil || b[bit/8]&(1<<(bit%8)) == 0 {
		return
	}
	fs.clearBit(fs.groups[g].inodeBitmap, bit)
	fs.groups[g].freeInodes++
	if dir {
		fs.groups[g].usedDirs--
	}
	fs.gdDirty[g] = true
	fs.freeInodes++
	fs.sbDirty = true
}

// evict ends a node's life: its blocks and number are freed, and the
// inode is left with dtime set and no links (ext2_evict_inode).
func (fs *FS) evict(n *Node) {
	if fs.opt.ReadOnly {
		return
	}
	n.dropPages()
	if n.hasBlocks() {
		n.freeFrom(0)
	}
	n.inode.Update(func(a *vfs.Attr) { a.Size = 0 })
	n.save()
	n.d.dtime = uint32(fs.opt.Now() / 1e9)
	n.d.block = [nBlocks]uint32{}
	fs.writeInode(n.ino, &n.d)
	n.dead = true
	fs.freeInode(n.ino, n.inode.IsDir())
	delete(fs.nodes, n.ino)
}
