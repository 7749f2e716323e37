package ext2

import (
	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Node is an inode in use (ext2_inode_info): the on-disk fields, and the
// vfs inode that mirrors its attributes. The vfs attributes are the
// truth for mode, owner, times, links and size; the disk inode is
// written from them.
type Node struct {
	fs    *FS
	ino   uint32
	inode *vfs.Inode
	d     dinode
	opens int  // open files and mappings (Open less Close)
	dead  bool // its blocks and number are free again
	// lastBlock is the block last allocated to it, the next one's goal.
	lastBlock uint32
	// pages are the frames of the mapped pages (mmap.go), by index.
	pages map[uint64]exo.Frame
}

var _ vfs.InodeOps = (*Node)(nil)

// NodeOf is the ext2 node behind a vfs inode, if it is one.
func NodeOf(in *vfs.Inode) (*Node, bool) {
	n, ok := in.Ops.(*Node)
	return n, ok
}

// Inode is the node's vfs inode.
func (n *Node) Inode() *vfs.Inode { return n.inode }

// FS is the instance the node belongs to.
func (n *Node) FS() *FS { return n.fs }

// inodeAt is where inode ino lives: its table block and the offset in it.
func (fs *FS) inodeAt(ino uint32) (uint32, int, error) {
	if ino < 1 || ino > uint32(len(fs.groups))*fs.ipg {
		return 0, 0, abi.EIO
	}
	g, idx := (ino-1)/fs.ipg, (ino-1)%fs.ipg
	off := int64(idx) * int64(fs.inodeSize)
	return fs.groups[g].inodeTable + uint32(off/int64(fs.bs)), int(off % int64(fs.bs)), nil
}

// node is inode ino, read on first use (ext2_iget); EIO for one that is
// not in use.
func (fs *FS) node(ino uint32) (*Node, error) {
	if n, ok := fs.nodes[ino]; ok {
		return n, nil
	}
	blk, off, err := fs.inodeAt(ino)
	if err != nil {
		return nil, err
	}
	b, err := fs.block(blk)
	if err != nil {
		return nil, err
	}
	d := decodeInode(b[off:])
	if d.links == 0 || d.mode == 0 {
		return nil, abi.EIO // a stale entry (ext2_iget's ESTALE)
	}
	n := &Node{fs: fs, ino: ino, d: d}
	a := vfs.Attr{Mode: uint32(d.mode), UID: d.uid, GID: d.gid, Nlink: uint32(d.links), Size: int64(d.size),
		Atime: int64(d.atime) * 1e9, Mtime: int64(d.mtime) * 1e9, Ctime: int64(d.ctime) * 1e9}
	if t := a.Mode & abi.S_IFMT; t == abi.S_IFCHR || t == abi.S_IFBLK {
		a.Rdev = decodeDev(d.block[0], d.block[1])
	}
	n.inode = vfs.NewInode(uint64(ino), a, n)
	n.applyFlags()
	fs.nodes[ino] = n
	return n, nil
}

// save writes the node's inode from its attributes (ext2_write_inode).
func (n *Node) save() {
	if n.dead {
		return
	}
	a := n.inode.Attr()
	d := &n.d
	d.mode = uint16(a.Mode)
	d.uid, d.gid = a.UID, a.GID
	d.links = uint16(a.Nlink)
	d.size = uint64(a.Size)
	d.atime, d.mtime, d.ctime = secs(a.Atime), secs(a.Mtime), secs(a.Ctime)
	n.fs.writeInode(n.ino, d)
}

func secs(ns int64) uint32 {
	if ns < 0 {
		return uint32(int32(ns / 1e9)) // before 1970: negative seconds
	}
	return uint32(ns / 1e9)
}

// writeInode encodes d into the inode table.
func (fs *FS) writeInode(ino uint32, d *dinode) {
	blk, off, err := fs.inodeAt(ino)
	if err != nil {
		return
	}
	b, err := fs.block(blk)
	if err != nil {
		fs.ioErr = err
		return
	}
	d.encode(b[off:])
	fs.markDirty(blk)
}

// decodeDev is a device number as ext2 keeps it: the old 16-bit form in
// i_block[0], or the new one in i_block[1].
func decodeDev(b0, b1 uint32) uint64 {
	if b0 != 0 {
		return abi.Mkdev((b0>>8)&0xff, b0&0xff)
	}
	return abi.Mkdev((b1&0xfff00)>>8, b1&0xff|(b1>>12)&0xfff00)
}

// encodeDev is the reverse: the old form when both parts fit a byte.
func encodeDev(rdev uint64) (uint32, uint32) {
	major := uint32((rdev>>8)&0xfff | (rdev>>32)&^0xfff)
	minor := uint32(rdev&0xff | (rdev>>12)&^0xff)
	if major < 256 && minor < 256 {
		return major<<8 | minor, 0
	}
	return 0, minor&0xff | major<<8 | (minor&^0xff)<<12
}

// Blocks is st_blocks: i_blocks, in 512-byte units.
func (n *Node) Blocks() int64 {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	return int64(n.d.blocks)
}

// Size is the file's size.
func (n *Node) Size() int64 { return n.inode.Attr().Size }

// Open counts an open file (or a mapping) of the node: an unlinked
// node's blocks stay until the last Close.
func (n *Node) Open() {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	n.opens++
	n.fs.users++
}

// Close ends an Open: mapped pages go back to the disk, and the last
// Close of a node with no name frees it (ext2_evict_inode).
func (n *Node) Close() {
	fs := n.fs
	fs.mu.Lock()
	if n.opens <= 0 {
		fs.mu.Unlock()
		panic("ext2: Close without Open")
	}
	n.opens--
	fs.users--
	if n.opens == 0 {
		n.writeback(true)
	}
	n.maybeEvict()
	var idle func()
	if fs.mounts == 0 && fs.users == 0 && fs.onIdle != nil {
		_ = fs.releaseLocked()
		idle, fs.onIdle = fs.onIdle, nil
	}
	fs.unlock()
	if idle != nil {
		idle()
	}
}

// Hold and Drop are a mapping's reference (mm.Holder).
func (n *Node) Hold() { n.Open() }
func (n *Node) Drop() { n.Close() }

// maybeEvict frees the node once it has neither a name nor a user.
func (n *Node) maybeEvict() {
	if n.dead || n.opens > 0 || n.inode.Attr().Nlink > 0 || n.fs.released {
		return
	}
	n.fs.evict(n)
}

// touch sets mtime and ctime (or only ctime) to now.
func (n *Node) touch(mtime bool) {
	now := n.fs.opt.Now()
	n.inode.Update(func(a *vfs.Attr) {
		if mtime {
			a.Mtime = now
		}
		a.Ctime = now
	})
}

// nlink changes the link count by delta.
func (n *Node) nlink(delta int) {
	n.inode.Update(func(a *vfs.Attr) { a.Nlink = uint32(int(a.Nlink) + delta) })
}

// Readlink is a symlink's target: in i_block when fast, else block 0.
func (n *Node) Readlink() (string, error) {
	if !n.inode.IsSymlink() {
		return "", abi.EINVAL
	}
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	size := int(n.inode.Attr().Size)
	if n.isFastLink() {
		raw := make([]byte, fastLink)
		for i, v := range n.d.block {
			le.PutUint32(raw[4*i:], v)
		}
		return string(raw[:min(size, fastLink)]), nil
	}
	if size > n.fs.bs {
		return "", abi.EIO
	}
	b := make([]byte, size)
	if _, err := n.readData(b, 0); err != nil {
		return "", err
	}
	return string(b), nil
}

// isFastLink is ext2_inode_is_fast_symlink: a symlink with no blocks
// but a possible extended attribute block.
func (n *Node) isFastLink() bool {
	ea := uint32(0)
	if n.d.fileACL != 0 {
		ea = uint32(n.fs.bs / 512)
	}
	return n.inode.IsSymlink() && n.d.blocks-ea == 0
}

// SetAttr applies a change the vfs allowed (ext2_setattr): the size
// first, then the rest, with ctime now.
func (n *Node) SetAttr(c *vfs.AttrChange) error {
	n.fs.mu.Lock()
	defer n.fs.unlock()
	if err := n.fs.writable(); err != nil {
		return err
	}
	if c.Valid&vfs.SetSize != 0 {
		if err := n.truncate(c.Size); err != nil {
			return err
		}
	}
	now := n.fs.opt.Now()
	n.inode.Update(func(a *vfs.Attr) {
		if c.Valid&vfs.SetMode != 0 {
			a.Mode = a.Mode&abi.S_IFMT | c.Mode&0o7777
		}
		if c.Valid&vfs.SetUID != 0 {
			a.UID = c.UID
		}
		if c.Valid&vfs.SetGID != 0 {
			a.GID = c.GID
		}
		if c.Valid&vfs.SetTimesNow != 0 {
			a.Atime, a.Mtime = now, now
		} else {
			if c.Valid&vfs.SetAtime != 0 {
				a.Atime = c.Atime
			}
			if c.Valid&vfs.SetMtime != 0 {
				a.Mtime = c.Mtime
			}
		}
		a.Ctime = now
	})
	n.save()
	return nil
}

// writable refuses changes to a read-only or unmounted instance.
func (fs *FS) writable() error {
	switch {
	case fs.released:
		return abi.EIO
	case fs.opt.ReadOnly:
		return abi.EROFS
	}
	return nil
}
