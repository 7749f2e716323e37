package vfs

import "github.com/starry-go/starry/personality/linux/abi"

// Inode flags the VFS enforces itself (Linux's S_APPEND, S_IMMUTABLE and
// S_NOATIME in i_flags). A file system that keeps chattr's flags maps
// them onto these with Inode.SetFlags whenever they change, as
// shmem_set_inode_flags and ext2_set_inode_flags do: an immutable inode
// refuses every change (Permission's MayWrite, SetAttr, link, unlink,
// rename), an append-only one all but appends.
const (
	InodeAppend    = 1 << iota // may be written only at the end (S_APPEND)
	InodeImmutable             // may not change at all (S_IMMUTABLE)
	InodeNoAtime               // reads leave atime alone (S_NOATIME)
)

// Flags are the inode's Inode* flags.
func (n *Inode) Flags() uint32 { return n.iflags.Load() }

// SetFlags sets the inode's Inode* flags (inode_set_flags).
func (n *Inode) SetFlags(f uint32) { n.iflags.Store(f) }

// IsAppend reports whether the inode is append-only (IS_APPEND).
func (n *Inode) IsAppend() bool { return n.Flags()&InodeAppend != 0 }

// IsImmutable reports whether the inode is immutable (IS_IMMUTABLE).
func (n *Inode) IsImmutable() bool { return n.Flags()&InodeImmutable != 0 }

// NoAtime reports whether reads leave the inode's atime alone.
func (n *Inode) NoAtime() bool { return n.Flags()&InodeNoAtime != 0 }

// FileAttr is Linux's struct fileattr: the flags of FS_IOC_GETFLAGS
// (Flags) and those of FS_IOC_FSGETXATTR (XFlags and the rest) at once,
// each derived from the other by FillFlags and FillXFlags; FlagsValid or
// FsxValid says which interface a change came from.
type FileAttr struct {
	Flags                uint32 // FS_*_FL
	XFlags               uint32 // FS_XFLAG_*
	ExtSize, NExtents    uint32
	ProjID, CowExtSize   uint32
	FlagsValid, FsxValid bool
}

// FileAttrOps is an inode whose file system keeps chattr's flags
// (Linux's fileattr_get and fileattr_set inode operations). SetFileAttr
// is called by SetFileAttr below once the VFS allowed the change; it
// refuses what the file system does not support (EOPNOTSUPP), else
// stores the flags, updates Inode.SetFlags and sets ctime.
type FileAttrOps interface {
	GetFileAttr() FileAttr
	SetFileAttr(fa *FileAttr) error
}

// StatxAttrs is an inode whose file system reports statx's attributes
// (what its getattr puts in stx_attributes), with the mask of those it
// supports (stx_attributes_mask).
type StatxAttrs interface {
	StatxAttributes() (attrs, mask uint64)
}

// The flag pairs FS_IOC_SETFLAGS and FS_IOC_FSSETXATTR share, in
// fileattr_fill_flags' order.
var flagPairs = [...][2]uint32{
	{abi.FS_SYNC_FL, abi.FS_XFLAG_SYNC},
	{abi.FS_IMMUTABLE_FL, abi.FS_XFLAG_IMMUTABLE},
	{abi.FS_APPEND_FL, abi.FS_XFLAG_APPEND},
	{abi.FS_NODUMP_FL, abi.FS_XFLAG_NODUMP},
	{abi.FS_NOATIME_FL, abi.FS_XFLAG_NOATIME},
	{abi.FS_DAX_FL, abi.FS_XFLAG_DAX},
	{abi.FS_PROJINHERIT_FL, abi.FS_XFLAG_PROJINHERIT},
}

// Common flags: what both interfaces can say (FS_COMMON_FL,
// FS_XFLAG_COMMON).
const (
	commonFlags = abi.FS_SYNC_FL | abi.FS_IMMUTABLE_FL | abi.FS_APPEND_FL | abi.FS_NODUMP_FL |
		abi.FS_NOATIME_FL | abi.FS_DAX_FL | abi.FS_PROJINHERIT_FL
	commonXFlags = abi.FS_XFLAG_SYNC | abi.FS_XFLAG_IMMUTABLE | abi.FS_XFLAG_APPEND |
		abi.FS_XFLAG_NODUMP | abi.FS_XFLAG_NOATIME | abi.FS_XFLAG_DAX | abi.FS_XFLAG_PROJINHERIT
)

// FillFlags is fileattr_fill_flags: an attribute from FS_*_FL flags.
func FillFlags(flags uint32) FileAttr {
	fa := FileAttr{Flags: flags, FlagsValid: true}
	for _, p := range flagPairs {
		if flags&p[0] != 0 {
			fa.XFlags |= p[1]
		}
	}
	return fa
}

// FillXFlags is fileattr_fill_xflags: an attribute from FS_XFLAG_* flags.
func FillXFlags(xflags uint32) FileAttr {
	fa := FileAttr{XFlags: xflags, FsxValid: true}
	for _, p := range flagPairs {
		if xflags&p[1] != 0 {
			fa.Flags |= p[0]
		}
	}
	return fa
}

// HasFsx is fileattr_has_fsx: a change through FS_IOC_FSSETXATTR that
// says more than the common flags.
func (fa *FileAttr) HasFsx() bool {
	return fa.FsxValid && (fa.XFlags&^commonXFlags != 0 || fa.ExtSize != 0 || fa.ProjID != 0 || fa.CowExtSize != 0)
}

// GetFileAttr is vfs_fileattr_get: ENOTTY for a file system without
// flags (ENOIOCTLCMD, which the ioctl turns into ENOTTY).
func GetFileAttr(n *Inode) (FileAttr, error) {
	ops, ok := n.Ops.(FileAttrOps)
	if !ok {
		return FileAttr{}, abi.ENOTTY
	}
	return ops.GetFileAttr(), nil
}

// SetFileAttr is vfs_fileattr_set with fileattr_set_prepare: c must own
// n (or be privileged), and changing IMMUTABLE or APPEND needs
// linuxImmutable (CAP_LINUX_IMMUTABLE, which the caller checks); what
// fa does not say is kept from the inode's attribute.
func SetFileAttr(c *Creds, n *Inode, fa FileAttr, linuxImmutable bool) error {
	ops, ok := n.Ops.(FileAttrOps)
	if !ok {
		return abi.ENOTTY
	}
	if !ownerOrPrivileged(c, n.Attr()) {
		return abi.EPERM
	}
	n.setMu.Lock()
	defer n.setMu.Unlock()
	old := ops.GetFileAttr()
	if fa.FlagsValid {
		fa.XFlags |= old.XFlags &^ commonXFlags
		fa.ExtSize, fa.NExtents, fa.ProjID, fa.CowExtSize = old.ExtSize, old.NExtents, old.ProjID, old.CowExtSize
	} else {
		fa.Flags |= old.Flags &^ commonFlags
	}
	if err := setFileAttrPrepare(n, old, &fa, linuxImmutable); err != nil {
		return err
	}
	return ops.SetFileAttr(&fa)
}

// setFileAttrPrepare is fileattr_set_prepare without encryption and
// project quotas (one user namespace): the capability, then the
// extent-size and DAX flags' file types.
func setFileAttrPrepare(n *Inode, old FileAttr, fa *FileAttr, linuxImmutable bool) error {
	if (fa.Flags^old.Flags)&(abi.FS_APPEND_FL|abi.FS_IMMUTABLE_FL) != 0 && !linuxImmutable {
		return abi.EPERM
	}
	reg, dir := n.Type() == abi.S_IFREG, n.IsDir()
	switch {
	case fa.XFlags&abi.FS_XFLAG_EXTSIZE != 0 && !reg,
		fa.XFlags&abi.FS_XFLAG_EXTSZINHERIT != 0 && !dir,
		fa.XFlags&abi.FS_XFLAG_COWEXTSIZE != 0 && !reg && !dir,
		fa.XFlags&abi.FS_XFLAG_DAX != 0 && !reg && !dir:
		return abi.EINVAL
	}
	if fa.ExtSize == 0 {
		fa.XFlags &^= abi.FS_XFLAG_EXTSIZE | abi.FS_XFLAG_EXTSZINHERIT
	}
	if fa.CowExtSize == 0 {
		fa.XFlags &^= abi.FS_XFLAG_COWEXTSIZE
	}
	return nil
}
