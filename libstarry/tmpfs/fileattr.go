package tmpfs

import (
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// chattr's flags as shmem keeps them (its fsflags, since Linux 6.0):
// what a user may set, and what a new inode takes from its directory.
const (
	userModifiable = abi.FS_IMMUTABLE_FL | abi.FS_APPEND_FL | abi.FS_NODUMP_FL | abi.FS_NOATIME_FL
	inherited      = abi.FS_NODUMP_FL | abi.FS_NOATIME_FL
)

// StatxAttrsMask is what shmem_getattr says tmpfs supports of statx's
// stx_attributes (the VFS adds its own, such as STATX_ATTR_MOUNT_ROOT).
const StatxAttrsMask = abi.STATX_ATTR_APPEND | abi.STATX_ATTR_IMMUTABLE | abi.STATX_ATTR_NODUMP

var _ vfs.FileAttrOps = (*Node)(nil)

// GetFileAttr is shmem_fileattr_get.
func (n *Node) GetFileAttr() vfs.FileAttr { return vfs.FillFlags(n.fsflags.Load()) }

// SetFileAttr is shmem_fileattr_set: an attribute of FS_IOC_FSSETXATTR
// beyond the common flags, or a flag but the four tmpfs keeps, is
// EOPNOTSUPP.
func (n *Node) SetFileAttr(fa *vfs.FileAttr) error {
	if fa.HasFsx() || fa.Flags&^userModifiable != 0 {
		return abi.EOPNOTSUPP
	}
	n.setFlags(n.fsflags.Load()&^userModifiable | fa.Flags&userModifiable)
	n.touch(false, true)
	return nil
}

// setFlags stores the flags and what the VFS enforces of them
// (shmem_set_inode_flags).
func (n *Node) setFlags(f uint32) {
	n.fsflags.Store(f)
	var i uint32
	if f&abi.FS_APPEND_FL != 0 {
		i |= vfs.InodeAppend
	}
	if f&abi.FS_IMMUTABLE_FL != 0 {
		i |= vfs.InodeImmutable
	}
	if f&abi.FS_NOATIME_FL != 0 {
		i |= vfs.InodeNoAtime
	}
	n.inode.SetFlags(i)
}

// inherit gives a new node its directory's inherited flags.
func (n *Node) inherit(dir *Node) {
	if f := dir.fsflags.Load() & inherited; f != 0 {
		n.setFlags(f)
	}
}

// StatxAttributes is shmem_getattr's stx_attributes and the mask of
// those tmpfs supports.
func (n *Node) StatxAttributes() (attrs, mask uint64) {
	f := n.fsflags.Load()
	for _, p := range [...][2]uint64{
		{abi.FS_APPEND_FL, abi.STATX_ATTR_APPEND},
		{abi.FS_IMMUTABLE_FL, abi.STATX_ATTR_IMMUTABLE},
		{abi.FS_NODUMP_FL, abi.STATX_ATTR_NODUMP},
	} {
		if uint64(f)&p[0] != 0 {
			attrs |= p[1]
		}
	}
	return attrs, StatxAttrsMask
}
