package ext2

import "github.com/starry-go/starry/personality/linux/abi"

// hasBlocks reports whether the inode's i_block holds block pointers:
// regular files, directories and slow symlinks (a device keeps its
// number there, a fast symlink its target).
func (n *Node) hasBlocks() bool {
	switch n.inode.Type() {
	case abi.S_IFREG, abi.S_IFDIR:
		return true
	case abi.S_IFLNK:
		return !n.isFastLink()
	}
	return false
}

// path is ext2_block_to_path: the indexes that lead to logical block
// lbn, from i_block down; EFBIG past the triple indirect block.
func (fs *FS) path(lbn uint64) ([]uint32, error) {
	ppb := uint64(fs.bs / 4)
	switch {
	case lbn < nDirect:
		return []uint32{uint32(lbn)}, nil
	case lbn-nDirect < ppb:
		return []uint32{indIdx, uint32(lbn - nDirect)}, nil
	}
	x := lbn - nDirect - ppb
	if x < ppb*ppb {
		return []uint32{dindIdx, uint32(x / ppb), uint32(x % ppb)}, nil
	}
	x -= ppb * ppb
	if x < ppb*ppb*ppb {
		return []uint32{tindIdx, uint32(x / (ppb * ppb)), uint32(x / ppb % ppb), uint32(x % ppb)}, nil
	}
	return nil, abi.EFBIG
}

// bmap is the device block holding logical block lbn, 0 for a hole; with
// create it fills the hole (and the indirect blocks on the way), and
// fresh reports that the data block is new (its old contents are junk).
func (n *Node) bmap(lbn uint64, create bool) (blk uint32, fresh bool, err error) {
	fs := n.fs
	p, err := fs.path(lbn)
	if err != nil {
		return 0, false, err
	}
	cur := n.d.block[p[0]]
	var holder []byte // the indirect block the current pointer is in
	var holderBlk uint32
	for depth := 0; ; depth++ {
		last := depth == len(p)-1
		if cur == 0 {
			if !create {
				return 0, false, nil
			}
			nb, err := fs.allocBlock(n.goal())
			if err != nil {
				return 0, false, err
			}
			n.d.blocks += uint32(fs.bs / 512)
			n.lastBlock = nb
			if holder == nil {
				n.d.block[p[0]] = nb
			} else {
				le.PutUint32(holder[4*p[depth]:], nb)
				fs.markDirty(holderBlk)
			}
			n.save()
			if last {
				return nb, true, nil
			}
			fs.zeroBlock(nb)
			cur = nb
		}
		if cur >= fs.nBlocks || cur < fs.firstData {
			return 0, false, abi.EIO
		}
		if last {
			return cur, false, nil
		}
		b, err := fs.block(cur)
		if err != nil {
			return 0, false, err
		}
		holder, holderBlk = b, cur
		cur = le.Uint32(b[4*p[depth+1]:])
	}
}

// goal is where the next block of the node should go: after its last
// one, or at the start of its inode's group (ext2_find_goal, simplified).
func (n *Node) goal() uint32 {
	if n.lastBlock != 0 {
		return n.lastBlock + 1
	}
	g := (n.ino - 1) / n.fs.ipg
	return n.fs.firstData + g*n.fs.bpg
}

// freeFrom frees the blocks at logical index first and past it, with the
// indirect blocks wholly past it (ext2_truncate_blocks); i_block is
// updated and the inode saved.
func (n *Node) freeFrom(first uint64) {
	fs := n.fs
	for i := first; i < nDirect; i++ {
		n.freeTree(n.d.block[i], 0)
		n.d.block[i] = 0
	}
	ppb := uint64(fs.bs / 4)
	base, span := uint64(nDirect), ppb
	for k := 1; k <= 3; k++ {
		idx := nDirect + k - 1
		switch ptr := n.d.block[idx]; {
		case ptr == 0:
		case first <= base:
			n.freeTree(ptr, k)
			n.d.block[idx] = 0
		case first < base+span:
			n.truncTree(ptr, k, first-base)
		}
		base += span
		span *= ppb
	}
	if first == 0 {
		n.lastBlock = 0
	}
	n.save()
}

// freeTree frees block blk and, at depth k > 0, the k levels of blocks
// it points to.
func (n *Node) freeTree(blk uint32, k int) {
	fs := n.fs
	if blk == 0 || blk >= fs.nBlocks {
		return
	}
	if k > 0 {
		if b, err := fs.block(blk); err == nil {
			for i := 0; i < fs.bs; i += 4 {
				n.freeTree(le.Uint32(b[i:]), k-1)
			}
		}
	}
	fs.freeBlock(blk)
	n.d.blocks -= min(n.d.blocks, uint32(fs.bs/512))
}

// truncTree frees what indirect block blk (of depth k) maps from its
// logical offset from on; blk itself stays.
func (n *Node) truncTree(blk uint32, k int, from uint64) {
	fs := n.fs
	b, err := fs.block(blk)
	if err != nil || blk >= fs.nBlocks {
		return
	}
	ppb := uint64(fs.bs / 4)
	span := uint64(1)
	for range k - 1 {
		span *= ppb
	}
	i0 := from / span
	if from%span != 0 {
		if child := le.Uint32(b[4*i0:]); child != 0 {
			n.truncTree(child, k-1, from%span)
		}
		i0++
	}
	for i := i0; i < ppb; i++ {
		if child := le.Uint32(b[4*i:]); child != 0 {
			n.freeTree(child, k-1)
			le.PutUint32(b[4*i:], 0)
		}
	}
	fs.markDirty(blk)
}
