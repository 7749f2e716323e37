package linux

import (
	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The new mount API (fs/fsopen.c, fs/namespace.c): fsopen, fsconfig,
// fsmount, fspick, move_mount and open_tree, over the types mount(2)
// makes (libstarry/fscontext.go).

var fsmountRows = []Syscall{
	{Nr: abi.SYS_FSOPEN, Name: "fsopen", Fn: sysFsopen, Support: Partial, Note: "tmpfs, devtmpfs, sysfs, proc and ext2; the descriptor reads the error log (\"e ...\" lines) for the messages of parameter parsing"},
	{Nr: abi.SYS_FSCONFIG, Name: "fsconfig", Fn: sysFsconfig, Support: Partial, Note: "every command; the common super block flags, tmpfs's options (checked at once), source; proc's and ext2's options are accepted and change nothing; CMD_RECONFIGURE applies only ro/rw, to the picked mount"},
	{Nr: abi.SYS_FSMOUNT, Name: "fsmount", Fn: sysFsmount, Support: Partial, Note: "a detached mount; MOUNT_ATTR_RDONLY acts, NOSUID, NODEV, NOEXEC, the atime ones, NODIRATIME and NOSYMFOLLOW show in /proc/mounts only; MOUNT_ATTR_IDMAP is EINVAL"},
	{Nr: abi.SYS_FSPICK, Name: "fspick", Fn: sysFspick, Support: Partial, Note: "as fsconfig's CMD_RECONFIGURE"},
	{Nr: abi.SYS_MOVE_MOUNT, Name: "move_mount", Fn: sysMoveMount, Support: Partial, Note: "attaches a detached tree or moves a mount of the caller's namespace, MOVE_MOUNT_BENEATH too (without propagation); MOVE_MOUNT_SET_GROUP is EINVAL"},
	{Nr: abi.SYS_OPEN_TREE, Name: "open_tree", Fn: sysOpenTree, Support: Partial, Note: "OPEN_TREE_CLONE makes private copies"},
}

// fsmountPrototypes are the prototypes (see prototypes.go) of this file's calls.
var fsmountPrototypes = map[string]string{
	"fsopen": "sx", "fsconfig": "duspi", "fsmount": "dxx", "fspick": "asx",
	"move_mount": "asasx", "open_tree": "asx",
}

// Flags of include/uapi/linux/mount.h that x/sys/unix does not name as
// this code needs them.
const (
	fsconfigCmdCreateExcl = 8
	mountAttrKnown        = abi.MOUNT_ATTR_RDONLY | abi.MOUNT_ATTR_NOSUID | abi.MOUNT_ATTR_NODEV |
		abi.MOUNT_ATTR_NOEXEC | abi.MOUNT_ATTR__ATIME | abi.MOUNT_ATTR_NODIRATIME | abi.MOUNT_ATTR_NOSYMFOLLOW
	moveMountMask    = 0x377 // MOVE_MOUNT__MASK, with BENEATH and SET_GROUP
	moveMountBeneath = 0x200
	moveMountSetGrp  = 0x100
)

// sysFsopen: CAP_SYS_ADMIN, the flags, the name (ENODEV unknown).
func sysFsopen(t *libstarry.Thread, a Args) (uint64, error) {
	if !t.P.Cred().Capable(libstarry.CapSysAdmin) {
		return 0, abi.EPERM
	}
	if a[1]&^abi.FSOPEN_CLOEXEC != 0 {
		return 0, abi.EINVAL
	}
	name, err := t.P.MM.CopyInString(uintptr(a[0]), 4096)
	if err == abi.ENAMETOOLONG {
		return 0, abi.EINVAL
	}
	if err != nil {
		return 0, err
	}
	c, err := t.P.FSOpen(name)
	if err != nil {
		return 0, err
	}
	return install(t, fdt.New(c, abi.O_RDWR), a[1]&abi.FSOPEN_CLOEXEC != 0)
}

// install puts a new open file in the lowest free descriptor.
func install(t *libstarry.Thread, of *fdt.OpenFile, cloexec bool) (uint64, error) {
	n, err := t.P.FDs.Install(of, 0, t.P.NoFile(), cloexec)
	if err != nil {
		of.DecRef()
		return 0, err
	}
	return uint64(n), nil
}

// fsconfigArgsOK is the first switch of fsconfig(2): which of key,
// value and aux each command takes.
func fsconfigArgsOK(cmd uint64, key, value uint64, aux int32) (bool, error) {
	switch cmd {
	case abi.FSCONFIG_SET_FLAG:
		return key != 0 && value == 0 && aux == 0, nil
	case abi.FSCONFIG_SET_STRING:
		return key != 0 && value != 0 && aux == 0, nil
	case abi.FSCONFIG_SET_BINARY:
		return key != 0 && value != 0 && aux > 0 && aux <= 1<<20, nil
	case abi.FSCONFIG_SET_PATH, abi.FSCONFIG_SET_PATH_EMPTY:
		return key != 0 && value != 0 && (aux == abi.AT_FDCWD || aux >= 0), nil
	case abi.FSCONFIG_SET_FD:
		return key != 0 && value == 0 && aux >= 0, nil
	case abi.FSCONFIG_CMD_CREATE, fsconfigCmdCreateExcl, abi.FSCONFIG_CMD_RECONFIGURE:
		return key == 0 && value == 0 && aux == 0, nil
	}
	return false, abi.EOPNOTSUPP
}

// sysFsconfig is fsconfig(2): the arguments for the command (EINVAL,
// EOPNOTSUPP for an unknown one), a negative fd (EINVAL), the
// descriptor (EBADF, EINVAL if no context), then the key and value.
func sysFsconfig(t *libstarry.Thread, a Args) (uint64, error) {
	fd, cmd, aux := int32(a[0]), a[1], int32(a[4])
	if fd < 0 {
		return 0, abi.EINVAL
	}
	if ok, err := fsconfigArgsOK(cmd, a[2], a[3], aux); !ok {
		if err == nil {
			err = abi.EINVAL
		}
		return 0, err
	}
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	c, ok := of.File.(*libstarry.FSContext)
	if !ok {
		return 0, abi.EINVAL
	}
	switch cmd {
	case abi.FSCONFIG_CMD_CREATE, fsconfigCmdCreateExcl:
		return 0, c.Create(t.P, cmd == fsconfigCmdCreateExcl)
	case abi.FSCONFIG_CMD_RECONFIGURE:
		return 0, c.Reconfigure(t.P)
	}
	prm, err := fsconfigParam(t, cmd, a[2], a[3], aux)
	if err != nil {
		return 0, err
	}
	return 0, c.SetParam(prm)
}

// fsconfigParam copies in one parameter (strndup_user's 256 bytes for
// the key and a string, getname for a path, fget for a descriptor).
func fsconfigParam(t *libstarry.Thread, cmd, keyVA, valVA uint64, aux int32) (libstarry.FSParam, error) {
	var prm libstarry.FSParam
	var err error
	if prm.Key, err = copyInShort(t, keyVA); err != nil {
		return prm, err
	}
	switch cmd {
	case abi.FSCONFIG_SET_FLAG:
		prm.Kind = libstarry.ParamFlag
	case abi.FSCONFIG_SET_STRING:
		prm.Kind = libstarry.ParamString
		prm.Value, err = copyInShort(t, valVA)
	case abi.FSCONFIG_SET_BINARY:
		prm.Kind = libstarry.ParamBlob
		b := make([]byte, aux)
		err = t.P.MM.CopyIn(uintptr(valVA), b)
		prm.Value = string(b)
	case abi.FSCONFIG_SET_PATH, abi.FSCONFIG_SET_PATH_EMPTY:
		prm.Kind = libstarry.ParamPath
		if cmd == abi.FSCONFIG_SET_PATH_EMPTY {
			prm.Value, err = t.P.MM.CopyInString(uintptr(valVA), vfs.PathMax)
		} else {
			prm.Value, err = t.P.MM.CopyInPath(uintptr(valVA))
		}
	case abi.FSCONFIG_SET_FD:
		prm.Kind = libstarry.ParamFD
		var of *fdt.OpenFile
		if of, err = file(t, uint64(aux)); err == nil {
			of.DecRef()
		}
	}
	return prm, err
}

// copyInShort is strndup_user(s, 256): EINVAL past 255 bytes.
func copyInShort(t *libstarry.Thread, va uint64) (string, error) {
	s, err := t.P.MM.CopyInString(uintptr(va), 256)
	if err == abi.ENAMETOOLONG {
		return "", abi.EINVAL
	}
	return s, err
}

// fsmountAttrs turns MOUNT_ATTR_* into the mount's read-only flag and
// attributes; EINVAL for unknown bits or an unknown atime setting.
func fsmountAttrs(attr uint64) (bool, libstarry.MountAttrs, error) {
	if attr&^uint64(mountAttrKnown) != 0 {
		return false, 0, abi.EINVAL
	}
	var m libstarry.MountAttrs
	for bit, a := range map[uint64]libstarry.MountAttrs{abi.MOUNT_ATTR_NOSUID: libstarry.MountNoSuid,
		abi.MOUNT_ATTR_NODEV: libstarry.MountNoDev, abi.MOUNT_ATTR_NOEXEC: libstarry.MountNoExec,
		abi.MOUNT_ATTR_NODIRATIME: libstarry.MountNoDirAtime, abi.MOUNT_ATTR_NOSYMFOLLOW: libstarry.MountNoSymFollow} {
		if attr&bit != 0 {
			m |= a
		}
	}
	switch attr & abi.MOUNT_ATTR__ATIME {
	case abi.MOUNT_ATTR_RELATIME:
	case abi.MOUNT_ATTR_NOATIME:
		m |= libstarry.MountNoAtime
	case abi.MOUNT_ATTR_STRICTATIME:
		m |= libstarry.MountStrictAtime
	default:
		return false, 0, abi.EINVAL
	}
	return attr&abi.MOUNT_ATTR_RDONLY != 0, m, nil
}

// sysFsmount: CAP_SYS_ADMIN, the flags, the attributes, then the
// context's descriptor (EBADF; EINVAL if it is no context).
func sysFsmount(t *libstarry.Thread, a Args) (uint64, error) {
	if !t.P.Cred().Capable(libstarry.CapSysAdmin) {
		return 0, abi.EPERM
	}
	if a[1]&^abi.FSMOUNT_CLOEXEC != 0 {
		return 0, abi.EINVAL
	}
	ro, attrs, err := fsmountAttrs(a[2])
	if err != nil {
		return 0, err
	}
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	c, ok := of.File.(*libstarry.FSContext)
	if !ok {
		return 0, abi.EINVAL
	}
	if !t.P.FDs.Room(t.P.NoFile()) {
		return 0, abi.EMFILE
	}
	mf, err := c.Mount(ro, attrs)
	if err != nil {
		return 0, err
	}
	return install(t, mf, a[1]&abi.FSMOUNT_CLOEXEC != 0)
}

// sysFspick: CAP_SYS_ADMIN, the flags, then the path (a mount's root).
func sysFspick(t *libstarry.Thread, a Args) (uint64, error) {
	if !t.P.Cred().Capable(libstarry.CapSysAdmin) {
		return 0, abi.EPERM
	}
	flags := a[2]
	if flags&^uint64(abi.FSPICK_CLOEXEC|abi.FSPICK_SYMLINK_NOFOLLOW|abi.FSPICK_NO_AUTOMOUNT|abi.FSPICK_EMPTY_PATH) != 0 {
		return 0, abi.EINVAL
	}
	var rf vfs.Flags
	if flags&abi.FSPICK_SYMLINK_NOFOLLOW != 0 {
		rf |= vfs.NoFollow
	}
	if flags&abi.FSPICK_EMPTY_PATH != 0 {
		rf |= vfs.EmptyPath
	}
	q, err := lookupUser(t, a[0], a[1], rf)
	if err != nil {
		return 0, err
	}
	c, err := t.P.FSPick(q)
	if err != nil {
		return 0, err
	}
	return install(t, fdt.New(c, abi.O_RDWR), flags&abi.FSPICK_CLOEXEC != 0)
}

// sysMoveMount: CAP_SYS_ADMIN, the flags, the from path, the to path
// (each followed through symlinks only when asked, "" with its
// EMPTY_PATH flag naming the descriptor's own place).
func sysMoveMount(t *libstarry.Thread, a Args) (uint64, error) {
	if !t.P.Cred().Capable(libstarry.CapSysAdmin) {
		return 0, abi.EPERM
	}
	flags := a[4]
	if flags&^moveMountMask != 0 || flags&(moveMountBeneath|moveMountSetGrp) == moveMountBeneath|moveMountSetGrp {
		return 0, abi.EINVAL
	}
	if flags&moveMountSetGrp != 0 {
		return 0, abi.EINVAL // not implemented
	}
	lookupFlags := func(symlinks, empty uint64) vfs.Flags {
		rf := vfs.NoFollow
		if flags&symlinks != 0 {
			rf = 0
		}
		if flags&empty != 0 {
			rf |= vfs.EmptyPath
		}
		return rf
	}
	from, err := lookupUser(t, a[0], a[1], lookupFlags(abi.MOVE_MOUNT_F_SYMLINKS, abi.MOVE_MOUNT_F_EMPTY_PATH))
	if err != nil {
		return 0, err
	}
	to, err := lookupUser(t, a[2], a[3], lookupFlags(abi.MOVE_MOUNT_T_SYMLINKS, abi.MOVE_MOUNT_T_EMPTY_PATH))
	if err != nil {
		return 0, err
	}
	return 0, t.P.MoveMount(from, to, flags&moveMountBeneath != 0)
}

// sysOpenTree: the flags (AT_RECURSIVE only with OPEN_TREE_CLONE),
// CAP_SYS_ADMIN for a clone, a free descriptor, then the path.
func sysOpenTree(t *libstarry.Thread, a Args) (uint64, error) {
	flags := a[2]
	if flags&^uint64(abi.AT_EMPTY_PATH|abi.AT_NO_AUTOMOUNT|abi.AT_RECURSIVE|abi.AT_SYMLINK_NOFOLLOW|
		abi.OPEN_TREE_CLONE|abi.OPEN_TREE_CLOEXEC) != 0 || flags&(abi.AT_RECURSIVE|abi.OPEN_TREE_CLONE) == abi.AT_RECURSIVE {
		return 0, abi.EINVAL
	}
	clone := flags&abi.OPEN_TREE_CLONE != 0
	if clone && !t.P.Cred().Capable(libstarry.CapSysAdmin) {
		return 0, abi.EPERM
	}
	if !t.P.FDs.Room(t.P.NoFile()) {
		return 0, abi.EMFILE
	}
	var rf vfs.Flags
	if flags&abi.AT_SYMLINK_NOFOLLOW != 0 {
		rf |= vfs.NoFollow
	}
	if flags&abi.AT_EMPTY_PATH != 0 {
		rf |= vfs.EmptyPath
	}
	q, err := lookupUser(t, a[0], a[1], rf)
	if err != nil {
		return 0, err
	}
	if !clone {
		return install(t, t.P.OpenPath(q), flags&abi.OPEN_TREE_CLOEXEC != 0)
	}
	of, err := t.P.OpenTreeClone(q, flags&abi.AT_RECURSIVE != 0)
	if err != nil {
		return 0, err
	}
	return install(t, of, flags&abi.OPEN_TREE_CLOEXEC != 0)
}
