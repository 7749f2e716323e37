package linux

import (
	"strings"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/libstarry/tmpfs"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Extended attributes (fs/xattr.c) on tmpfs files: the user, trusted and
// security namespaces, kept in memory; other namespaces EOPNOTSUPP.

var xattrRows = []Syscall{
	{Nr: abi.SYS_SETXATTR, Name: "setxattr", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return setxattr(t, pathTarget(a[0], 0), a[1:]) }, Support: Supported},
	{Nr: abi.SYS_LSETXATTR, Name: "lsetxattr", Fn: func(t *libstarry.Thread, a Args) (uint64, error) {
		return setxattr(t, pathTarget(a[0], vfs.NoFollow), a[1:])
	}, Support: Supported},
	{Nr: abi.SYS_FSETXATTR, Name: "fsetxattr", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return setxattr(t, fdTarget(a[0]), a[1:]) }, Support: Supported},
	{Nr: abi.SYS_GETXATTR, Name: "getxattr", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return getxattr(t, pathTarget(a[0], 0), a[1:]) }, Support: Supported},
	{Nr: abi.SYS_LGETXATTR, Name: "lgetxattr", Fn: func(t *libstarry.Thread, a Args) (uint64, error) {
		return getxattr(t, pathTarget(a[0], vfs.NoFollow), a[1:])
	}, Support: Supported},
	{Nr: abi.SYS_FGETXATTR, Name: "fgetxattr", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return getxattr(t, fdTarget(a[0]), a[1:]) }, Support: Supported},
	{Nr: abi.SYS_LISTXATTR, Name: "listxattr", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return listxattr(t, pathTarget(a[0], 0), a[1:]) }, Support: Supported},
	{Nr: abi.SYS_LLISTXATTR, Name: "llistxattr", Fn: func(t *libstarry.Thread, a Args) (uint64, error) {
		return listxattr(t, pathTarget(a[0], vfs.NoFollow), a[1:])
	}, Support: Supported},
	{Nr: abi.SYS_FLISTXATTR, Name: "flistxattr", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return listxattr(t, fdTarget(a[0]), a[1:]) }, Support: Supported},
	{Nr: abi.SYS_REMOVEXATTR, Name: "removexattr", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return removexattr(t, pathTarget(a[0], 0), a[1]) }, Support: Supported},
	{Nr: abi.SYS_LREMOVEXATTR, Name: "lremovexattr", Fn: func(t *libstarry.Thread, a Args) (uint64, error) {
		return removexattr(t, pathTarget(a[0], vfs.NoFollow), a[1])
	}, Support: Supported},
	{Nr: abi.SYS_FREMOVEXATTR, Name: "fremovexattr", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return removexattr(t, fdTarget(a[0]), a[1]) }, Support: Supported},
}

// target finds the file an xattr call works on: by path (looked up after
// the name and value are read, as Linux does) or by descriptor.
type target func(t *libstarry.Thread) (vfs.Path, error)

func pathTarget(pathVA uint64, flags vfs.Flags) target {
	return func(t *libstarry.Thread) (vfs.Path, error) { return lookupUser(t, atFDCWD, pathVA, flags) }
}

// fdTarget: an O_PATH descriptor is EBADF; a file outside the namespace
// (a pipe) has no attributes to offer (EOPNOTSUPP).
func fdTarget(fd uint64) target {
	return func(t *libstarry.Thread) (vfs.Path, error) {
		of, err := file(t, fd)
		if err != nil {
			return vfs.Path{}, err
		}
		defer of.DecRef()
		if of.Flags()&abi.O_PATH != 0 {
			return vfs.Path{}, abi.EBADF
		}
		pf, ok := of.File.(libstarry.PathFile)
		if !ok {
			return vfs.Path{}, abi.EOPNOTSUPP
		}
		return pf.Path(), nil
	}
}

// xattrName copies a name in: empty or 256 bytes and more is ERANGE.
func xattrName(t *libstarry.Thread, va uint64) (string, error) {
	name, err := t.P.MM.CopyInString(uintptr(va), 256)
	switch {
	case err == abi.ENAMETOOLONG || err == nil && name == "":
		return "", abi.ERANGE
	case err != nil:
		return "", err
	}
	return name, nil
}

// xattrPermission is xattr_permission: no change to an append-only or
// immutable file, trusted.* needs privilege, user.* a regular file or
// directory, and both the file's own access.
func xattrPermission(t *libstarry.Thread, q vfs.Path, name string, mask int) error {
	in := q.Dentry.Inode()
	if mask&vfs.MayWrite != 0 && in.Flags()&(vfs.InodeAppend|vfs.InodeImmutable) != 0 {
		return abi.EPERM
	}
	deny := abi.ENODATA
	if mask&vfs.MayWrite != 0 {
		deny = abi.EPERM
	}
	switch {
	case strings.HasPrefix(name, "trusted."):
		if t.P.Cred().EUID != 0 {
			return deny
		}
		return nil
	case strings.HasPrefix(name, "user."):
		if typ := in.Type(); typ != abi.S_IFREG && typ != abi.S_IFDIR {
			return deny
		}
	}
	return vfs.Permission(t.P.Creds(), in, mask)
}

// nodeOf is the tmpfs node behind q, or EOPNOTSUPP.
func nodeOf(q vfs.Path) (*tmpfs.Node, error) {
	n, ok := tmpfs.NodeOf(q.Dentry.Inode())
	if !ok {
		return nil, abi.EOPNOTSUPP
	}
	return n, nil
}

// setxattr(file, name, value, size, flags): the flags, the name, the
// size (E2BIG) and the value first, then the file.
func setxattr(t *libstarry.Thread, find target, a []uint64) (uint64, error) {
	if a[3]&^(tmpfs.XattrCreate|tmpfs.XattrReplace) != 0 {
		return 0, abi.EINVAL
	}
	name, err := xattrName(t, a[0])
	if err != nil {
		return 0, err
	}
	if a[2] > tmpfs.XattrSizeMax {
		return 0, abi.E2BIG
	}
	value := make([]byte, a[2])
	if err := t.P.MM.CopyIn(uintptr(a[1]), value); err != nil {
		return 0, err
	}
	q, err := find(t)
	if err != nil {
		return 0, err
	}
	if err := xattrPermission(t, q, name, vfs.MayWrite); err != nil {
		return 0, err
	}
	n, err := nodeOf(q)
	if err != nil {
		return 0, err
	}
	return 0, n.SetXattr(name, value, int(a[3]))
}

// getxattr(file, name, value, size): size 0 asks for the length; a
// smaller buffer than the value is ERANGE.
func getxattr(t *libstarry.Thread, find target, a []uint64) (uint64, error) {
	name, err := xattrName(t, a[0])
	if err != nil {
		return 0, err
	}
	q, err := find(t)
	if err != nil {
		return 0, err
	}
	if err := xattrPermission(t, q, name, vfs.MayRead); err != nil {
		return 0, err
	}
	n, err := nodeOf(q)
	if err != nil {
		return 0, err
	}
	v, err := n.GetXattr(name)
	switch {
	case err != nil:
		return 0, err
	case a[2] == 0:
		return uint64(len(v)), nil
	case uint64(len(v)) > a[2]:
		return 0, abi.ERANGE
	}
	return uint64(len(v)), t.P.MM.CopyOut(uintptr(a[1]), v)
}

// listxattr(file, list, size): the names, each NUL-terminated; those the
// caller may not see (trusted.* without privilege) are left out.
func listxattr(t *libstarry.Thread, find target, a []uint64) (uint64, error) {
	q, err := find(t)
	if err != nil {
		return 0, err
	}
	var out []byte
	if n, ok := tmpfs.NodeOf(q.Dentry.Inode()); ok {
		for _, name := range n.ListXattr() {
			if strings.HasPrefix(name, "trusted.") && t.P.Cred().EUID != 0 {
				continue
			}
			out = append(append(out, name...), 0)
		}
	}
	switch {
	case a[1] == 0:
		return uint64(len(out)), nil
	case uint64(len(out)) > a[1]:
		return 0, abi.ERANGE
	}
	return uint64(len(out)), t.P.MM.CopyOut(uintptr(a[0]), out)
}

func removexattr(t *libstarry.Thread, find target, nameVA uint64) (uint64, error) {
	name, err := xattrName(t, nameVA)
	if err != nil {
		return 0, err
	}
	q, err := find(t)
	if err != nil {
		return 0, err
	}
	if err := xattrPermission(t, q, name, vfs.MayWrite); err != nil {
		return 0, err
	}
	n, err := nodeOf(q)
	if err != nil {
		return 0, err
	}
	return 0, n.SetXattr(name, nil, 0)
}
