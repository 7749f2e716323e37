package linux

import (
	"encoding/binary"

	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// fileattrIoctl is do_vfs_ioctl's inode-flag requests (fs/file_attr.c):
// FS_IOC_GETFLAGS and FS_IOC_SETFLAGS, whose argument is an int whatever
// the request's size says, and FS_IOC_FSGETXATTR and FS_IOC_FSSETXATTR
// with a struct fsxattr. They are served for regular files and
// directories of a file system that keeps the flags (vfs.FileAttrOps);
// handled is false for any other file, whose own ioctl then answers (as
// vfs_fileattr_get's ENOIOCTLCMD lets it). The 32-bit FS_IOC32_* numbers
// are compat_ioctl's only: a 64-bit caller gets ENOTTY for them, as on
// Linux.
func fileattrIoctl(t *libstarry.Thread, of *fdt.OpenFile, cmd uint32, arg uint64) (handled bool, err error) {
	switch cmd {
	case abi.FS_IOC_GETFLAGS, abi.FS_IOC_SETFLAGS, abi.FS_IOC_FSGETXATTR, abi.FS_IOC_FSSETXATTR:
	default:
		return false, nil
	}
	pf, ok := of.File.(libstarry.PathFile)
	if !ok {
		return false, nil
	}
	q := pf.Path()
	in := q.Dentry.Inode()
	if _, ok := in.Ops.(vfs.FileAttrOps); !ok || in.Type() != abi.S_IFREG && !in.IsDir() {
		return false, nil
	}
	switch cmd {
	case abi.FS_IOC_GETFLAGS:
		fa, err := vfs.GetFileAttr(in)
		if err != nil {
			return true, err
		}
		return true, putU32(t, arg, fa.Flags)
	case abi.FS_IOC_FSGETXATTR:
		fa, err := vfs.GetFileAttr(in)
		if err != nil {
			return true, err
		}
		return true, t.P.MM.CopyOut(uintptr(arg), encodeFsxattr(fa))
	case abi.FS_IOC_SETFLAGS:
		flags, err := getU32(t, arg)
		if err != nil {
			return true, err
		}
		return true, setFileAttr(t, q, vfs.FillFlags(flags))
	}
	b, err := copyIn(t, arg, abi.SizeofFsxattr)
	if err != nil {
		return true, err
	}
	return true, setFileAttr(t, q, decodeFsxattr(b))
}

// setFileAttr is ioctl_setflags and ioctl_fssetxattr once the argument
// is in: the mount must be writable, then vfs_fileattr_set's checks.
func setFileAttr(t *libstarry.Thread, q vfs.Path, fa vfs.FileAttr) error {
	if err := q.Mount.WantWrite(); err != nil {
		return err
	}
	return vfs.SetFileAttr(t.P.Creds(), q.Dentry.Inode(), fa, t.P.Cred().Capable(libstarry.CapLinuxImmut))
}

// encodeFsxattr is copy_fsxattr_to_user: struct fsxattr, its padding
// zeroed.
func encodeFsxattr(fa vfs.FileAttr) []byte {
	b := make([]byte, abi.SizeofFsxattr)
	le := binary.LittleEndian
	for i, v := range []uint32{fa.XFlags, fa.ExtSize, fa.NExtents, fa.ProjID, fa.CowExtSize} {
		le.PutUint32(b[4*i:], v)
	}
	return b
}

// decodeFsxattr is copy_fsxattr_from_user.
func decodeFsxattr(b []byte) vfs.FileAttr {
	le := binary.LittleEndian
	fa := vfs.FillXFlags(le.Uint32(b[0:]))
	fa.ExtSize, fa.NExtents = le.Uint32(b[4:]), le.Uint32(b[8:])
	fa.ProjID, fa.CowExtSize = le.Uint32(b[12:]), le.Uint32(b[16:])
	return fa
}
