package ext2

import (
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// chattr's flags (ext2's i_flags, FS_IOC_GETFLAGS and FS_IOC_SETFLAGS):
// what a user sees and may change (EXT2_FL_USER_VISIBLE and
// EXT2_FL_USER_MODIFIABLE, FS_COMPR_FL among them: ext2 keeps it,
// though it compresses nothing).
const (
	flVisible    = 0x0003DFFF
	flModifiable = 0x000380FF
)

// statxMask is what ext2_getattr says ext2 supports of stx_attributes.
const statxMask = abi.STATX_ATTR_COMPRESSED | abi.STATX_ATTR_APPEND | abi.STATX_ATTR_IMMUTABLE | abi.STATX_ATTR_NODUMP

var _ vfs.FileAttrOps = (*Node)(nil)
var _ vfs.StatxAttrs = (*Node)(nil)

// GetFileAttr is ext2_fileattr_get.
func (n *Node) GetFileAttr() vfs.FileAttr {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	return vfs.FillFlags(n.d.flags & flVisible)
}

// SetFileAttr is ext2_fileattr_set: FS_IOC_FSSETXATTR's extras are
// EOPNOTSUPP; the modifiable flags are replaced, ctime set.
func (n *Node) SetFileAttr(fa *vfs.FileAttr) error {
	if fa.HasFsx() {
		return abi.EOPNOTSUPP
	}
	n.fs.mu.Lock()
	defer n.fs.unlock()
	if err := n.fs.writable(); err != nil {
		return err
	}
	n.d.flags = n.d.flags&^flModifiable | fa.Flags&flModifiable
	n.applyFlags()
	n.touch(false)
	n.save()
	return nil
}

// applyFlags is ext2_set_inode_flags: what the VFS enforces of i_flags.
func (n *Node) applyFlags() {
	var f uint32
	if n.d.flags&abi.FS_APPEND_FL != 0 {
		f |= vfs.InodeAppend
	}
	if n.d.flags&abi.FS_IMMUTABLE_FL != 0 {
		f |= vfs.InodeImmutable
	}
	if n.d.flags&abi.FS_NOATIME_FL != 0 {
		f |= vfs.InodeNoAtime
	}
	n.inode.SetFlags(f)
}

// StatxAttributes is ext2_getattr's stx_attributes and mask.
func (n *Node) StatxAttributes() (attrs, mask uint64) {
	n.fs.mu.Lock()
	f := n.d.flags
	n.fs.mu.Unlock()
	for _, p := range [...][2]uint64{
		{abi.FS_COMPR_FL, abi.STATX_ATTR_COMPRESSED},
		{abi.FS_APPEND_FL, abi.STATX_ATTR_APPEND},
		{abi.FS_IMMUTABLE_FL, abi.STATX_ATTR_IMMUTABLE},
		{abi.FS_NODUMP_FL, abi.STATX_ATTR_NODUMP},
	} {
		if uint64(f)&p[0] != 0 {
			attrs |= p[1]
		}
	}
	return attrs, statxMask
}
