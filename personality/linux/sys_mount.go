package linux

import (
	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// mount(2) and umount2(2) (fs/namespace.c): new tmpfs and devtmpfs
// instances, remounts that change MS_RDONLY, bind mounts and moves, and
// unmounting.

var mountRows = []Syscall{
	{Nr: abi.SYS_MOUNT, Name: "mount", Fn: sysMount, Support: Partial, Note: "new tmpfs, devtmpfs and sysfs mounts (size=, mode=, uid=, gid=), ext2 from a loop device (no options; a second mount of the device shares the instance), proc (the one instance again), MS_REMOUNT of MS_RDONLY; MS_SHARED, MS_PRIVATE, MS_SLAVE, MS_UNBINDABLE (with MS_REC) set propagation between mount namespaces; MS_BIND (MS_REC too; the copies are private) and MS_MOVE; other types ENODEV"},
	{Nr: abi.SYS_UMOUNT2, Name: "umount2", Fn: sysUmount2, Support: Supported},
}

// The mount flags of include/uapi/linux/mount.h this call looks at.
const (
	msRdonly      = 0x1
	msRemount     = 0x20
	msBind        = 0x1000
	msMove        = 0x2000
	msPropagation = 0x20000 | 0x40000 | 0x80000 | 0x100000 // UNBINDABLE, PRIVATE, SLAVE, SHARED
	msRec         = 0x4000
	msSilent      = 0x8000
	msMgcMask     = 0xffff0000 // MS_MGC_MSK: the old magic in the high half
	msMgcVal      = 0xc0ed0000
	mntForce      = 1
	mntDetach     = 2
	mntExpire     = 4
	umountNofollw = 8
)

// sysMount is do_mount: privilege first, then the strings, the target,
// and what the flags ask for.
func sysMount(t *libstarry.Thread, a Args) (uint64, error) {
	if t.P.Cred().EUID != 0 {
		return 0, abi.EPERM
	}
	flags := a[3]
	if flags&msMgcMask == msMgcVal {
		flags &^= msMgcMask
	}
	var source, fstype, data string
	var err error
	if a[0] != 0 {
		if source, err = t.P.MM.CopyInString(uintptr(a[0]), 4096); err != nil {
			return 0, err
		}
	}
	if a[2] != 0 {
		if fstype, err = t.P.MM.CopyInString(uintptr(a[2]), 4096); err != nil {
			return 0, err
		}
	}
	if a[4] != 0 && flags&(msBind|msMove|msPropagation) == 0 {
		if data, err = t.P.MM.CopyInString(uintptr(a[4]), 4096); err != nil {
			return 0, err
		}
	}
	target, err := lookupUser(t, atFDCWD, a[1], 0)
	if err != nil {
		return 0, err
	}
	switch {
	case flags&msRemount != 0:
		return 0, t.P.Remount(target, flags&msRdonly)
	case flags&msBind != 0:
		return bindOrMove(t, source, target, flags)
	case flags&msPropagation != 0:
		return 0, changeType(t, target, flags)
	case flags&msMove != 0:
		return bindOrMove(t, source, target, flags)
	}
	return 0, t.P.Mount(source, target, fstype, flags&msRdonly, data)
}

// bindOrMove is do_loopback and do_move_mount_old: the source is a
// path (EINVAL if empty), followed through symlinks.
func bindOrMove(t *libstarry.Thread, source string, target vfs.Path, flags uint64) (uint64, error) {
	if source == "" {
		return 0, abi.EINVAL
	}
	src, err := lookupAt(t, atFDCWD, source, 0)
	if err != nil {
		return 0, err
	}
	if flags&msBind != 0 {
		return 0, t.P.BindMount(src, target, flags&msRec != 0)
	}
	return 0, t.P.MoveMount(src, target, false)
}

// propagationTypes are the propagation flags and what they set.
var propagationTypes = map[uint64]vfs.Propagation{0x100000: vfs.PropShared, 0x40000: vfs.PropPrivate,
	0x80000: vfs.PropSlave, 0x20000: vfs.PropUnbindable}

// changeType is do_change_type: the target a mount's root, exactly one
// propagation flag besides MS_REC and MS_SILENT (flags_to_propagation_type),
// else EINVAL.
func changeType(t *libstarry.Thread, target vfs.Path, flags uint64) error {
	if target.Dentry != target.Mount.Root().Dentry {
		return abi.EINVAL
	}
	kind, ok := propagationTypes[flags&^(msRec|msSilent)]
	if !ok {
		return abi.EINVAL
	}
	return t.P.SetPropagation(target, kind, flags&msRec != 0)
}

// sysUmount2: unknown flags, MNT_EXPIRE with FORCE or DETACH, are
// EINVAL; the target is a mount's root.
func sysUmount2(t *libstarry.Thread, a Args) (uint64, error) {
	flags := a[1]
	if flags&^(mntForce|mntDetach|mntExpire|umountNofollw) != 0 ||
		flags&mntExpire != 0 && flags&(mntForce|mntDetach) != 0 {
		return 0, abi.EINVAL
	}
	if t.P.Cred().EUID != 0 {
		return 0, abi.EPERM
	}
	var rf vfs.Flags
	if flags&umountNofollw != 0 {
		rf = vfs.NoFollow
	}
	target, err := lookupUser(t, atFDCWD, a[0], rf)
	if err != nil {
		return 0, err
	}
	return 0, t.P.Umount(target)
}
