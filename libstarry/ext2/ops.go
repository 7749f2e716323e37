package ext2

import (
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// linkMax is EXT2_LINK_MAX.
const linkMax = 32000

// Inode flags (EXT2_*_FL) that new inodes inherit from their directory
// (EXT2_FL_INHERITED), and those kept on non-directories.
const (
	flInherited = 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000040 | 0x00000080 | 0x00000200 | 0x00000400 | 0x00004000 | 0x00008000 | 0x00010000
	flRegMask   = ^uint32(0x00010000 | 0x00020000) // not DIRSYNC, TOPDIR
	flOtherMask = 0x00000040 | 0x00000080          // NODUMP, NOATIME
)

// Lookup finds name in the directory (ext2_lookup).
func (n *Node) Lookup(name string) (*vfs.Inode, error) {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	d, err := n.find(name)
	if err != nil {
		return nil, err
	}
	k, err := n.fs.node(d.ino)
	if err != nil {
		return nil, err
	}
	return k.inode, nil
}

// newNode allocates and initializes an inode of mode in directory n
// (ext2_new_inode): owner as given, flags inherited, times now.
func (n *Node) newNode(mode, uid, gid uint32) (*Node, error) {
	fs := n.fs
	if err := fs.writable(); err != nil {
		return nil, err
	}
	isDir := mode&abi.S_IFMT == abi.S_IFDIR
	ino, err := fs.allocInode(n.ino, isDir)
	if err != nil {
		return nil, err
	}
	blk, off, err := fs.inodeAt(ino)
	var b []byte
	if err == nil {
		b, err = fs.block(blk)
	}
	if err != nil {
		fs.freeInode(ino, isDir)
		return nil, err
	}
	clear(b[off : off+fs.inodeSize]) // a new inode is zeroed whole
	flags := n.d.flags & flInherited
	switch mode & abi.S_IFMT {
	case abi.S_IFDIR:
	case abi.S_IFREG:
		flags &= flRegMask
	default:
		flags &= flOtherMask
	}
	fs.generation++
	now := fs.opt.Now()
	k := &Node{fs: fs, ino: ino, d: dinode{flags: flags, generation: fs.generation}}
	k.inode = vfs.NewInode(uint64(ino), vfs.Attr{Mode: mode, UID: uid, GID: gid, Nlink: 1,
		Atime: now, Mtime: now, Ctime: now}, k)
	k.applyFlags()
	fs.nodes[ino] = k
	k.save()
	return k, nil
}

// discard undoes newNode for a node that got no name.
func (k *Node) discard() {
	k.inode.Update(func(a *vfs.Attr) { a.Nlink = 0 })
	k.fs.evict(k)
}

// Create makes a regular file (ext2_create).
func (n *Node) Create(name string, mode, uid, gid uint32) (*vfs.Inode, error) {
	return n.makeNode(name, abi.S_IFREG|mode&^abi.S_IFMT, uid, gid, 0)
}

// Mknod makes a device, FIFO or socket node, or a regular file.
func (n *Node) Mknod(name string, mode, uid, gid uint32, rdev uint64) (*vfs.Inode, error) {
	return n.makeNode(name, mode, uid, gid, rdev)
}

func (n *Node) makeNode(name string, mode, uid, gid uint32, rdev uint64) (*vfs.Inode, error) {
	n.fs.mu.Lock()
	defer n.fs.unlock()
	k, err := n.newNode(mode, uid, gid)
	if err != nil {
		return nil, err
	}
	if t := mode & abi.S_IFMT; t == abi.S_IFCHR || t == abi.S_IFBLK {
		k.d.block[0], k.d.block[1] = encodeDev(rdev)
		k.inode.Update(func(a *vfs.Attr) { a.Rdev = rdev })
		k.save()
	}
	if err := n.addEntry(name, k.ino, mode); err != nil {
		k.discard()
		return nil, err
	}
	return k.inode, nil
}

// Mkdir makes a directory with its "." and ".." block (ext2_mkdir).
func (n *Node) Mkdir(name string, mode, uid, gid uint32) (*vfs.Inode, error) {
	fs := n.fs
	fs.mu.Lock()
	defer fs.unlock()
	if n.inode.Attr().Nlink >= linkMax {
		return nil, abi.EMLINK
	}
	mode = abi.S_IFDIR | mode&^abi.S_IFMT
	k, err := n.newNode(mode, uid, gid)
	if err != nil {
		return nil, err
	}
	blk, _, err := k.bmap(0, true)
	if err != nil {
		k.discard()
		return nil, err
	}
	b := fs.zeroBlock(blk)
	fs.putDent(b, 0, k.ino, recLenFor(1), ".", abi.S_IFDIR)
	fs.putDent(b, recLenFor(1), n.ino, fs.bs-recLenFor(1), "..", abi.S_IFDIR)
	k.inode.Update(func(a *vfs.Attr) { a.Nlink, a.Size = 2, int64(fs.bs) })
	k.save()
	if err := n.addEntry(name, k.ino, mode); err != nil {
		k.discard()
		return nil, err
	}
	n.nlink(1)
	n.save()
	return k.inode, nil
}

// Symlink makes a symbolic link: in i_block when shorter than it, else
// in a block (ext2_symlink); a target longer than a block is
// ENAMETOOLONG.
func (n *Node) Symlink(name, target string, uid, gid uint32) (*vfs.Inode, error) {
	fs := n.fs
	fs.mu.Lock()
	defer fs.unlock()
	if len(target)+1 > fs.bs {
		return nil, abi.ENAMETOOLONG
	}
	k, err := n.newNode(abi.S_IFLNK|0o777, uid, gid)
	if err != nil {
		return nil, err
	}
	k.inode.Update(func(a *vfs.Attr) { a.Size = int64(len(target)) })
	if len(target) < fastLink {
		raw := make([]byte, fastLink)
		copy(raw, target)
		for i := range k.d.block {
			k.d.block[i] = le.Uint32(raw[4*i:])
		}
		k.save()
	} else {
		blk, _, err := k.bmap(0, true)
		if err == nil {
			b := make([]byte, fs.bs)
			copy(b, target)
			if _, werr := fs.dev.WriteAt(b, int64(blk)*int64(fs.bs)); werr != nil {
				err = abi.EIO
			}
		}
		if err != nil {
			k.discard()
			return nil, err
		}
	}
	if err := n.addEntry(name, k.ino, abi.S_IFLNK); err != nil {
		k.discard()
		return nil, err
	}
	return k.inode, nil
}

// Link adds a name for target (ext2_link).
func (n *Node) Link(name string, target *vfs.Inode) error {
	fs := n.fs
	fs.mu.Lock()
	defer fs.unlock()
	if err := fs.writable(); err != nil {
		return err
	}
	k, ok := NodeOf(target)
	if !ok || k.fs != fs {
		return abi.EXDEV
	}
	a := target.Attr()
	switch {
	case a.Nlink == 0:
		return abi.ENOENT
	case a.Nlink >= linkMax:
		return abi.EMLINK
	}
	if err := n.addEntry(name, k.ino, a.Mode); err != nil {
		return err
	}
	k.nlink(1)
	k.touch(false)
	k.save()
	return nil
}

// Unlink removes a non-directory's name (ext2_unlink).
func (n *Node) Unlink(name string) error {
	fs := n.fs
	fs.mu.Lock()
	defer fs.unlock()
	if err := fs.writable(); err != nil {
		return err
	}
	d, err := n.find(name)
	if err != nil {
		return err
	}
	k, err := fs.node(d.ino)
	if err != nil {
		return err
	}
	if err := n.removeEntry(d); err != nil {
		return err
	}
	k.touch(false)
	k.nlink(-1)
	k.save()
	k.maybeEvict()
	return nil
}

// Rmdir removes an empty directory (ext2_rmdir).
func (n *Node) Rmdir(name string) error {
	fs := n.fs
	fs.mu.Lock()
	defer fs.unlock()
	if err := fs.writable(); err != nil {
		return err
	}
	d, err := n.find(name)
	if err != nil {
		return err
	}
	k, err := fs.node(d.ino)
	if err != nil {
		return err
	}
	if ok, err := k.empty(); err != nil || !ok {
		if err == nil {
			err = abi.ENOTEMPTY
		}
		return err
	}
	if err := n.removeEntry(d); err != nil {
		return err
	}
	k.touch(false)
	k.inode.Update(func(a *vfs.Attr) { a.Nlink = 0 })
	k.save()
	n.nlink(-1)
	n.save()
	k.maybeEvict()
	return nil
}
