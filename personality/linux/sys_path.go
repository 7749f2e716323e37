package linux

import (
	"encoding/binary"
	"time"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The calls that make, remove, rename and change files by path: each
// copies its paths in, finds where they start (dirfd), and leaves the
// order of checks to the VFS, which follows fs/namei.c.

var pathRows = []Syscall{
	{Nr: abi.SYS_MKDIR, Name: "mkdir", Fn: sysMkdir, Support: Supported},
	{Nr: abi.SYS_MKDIRAT, Name: "mkdirat", Fn: sysMkdirat, Support: Supported},
	{Nr: abi.SYS_MKNOD, Name: "mknod", Fn: sysMknod, Support: Supported},
	{Nr: abi.SYS_MKNODAT, Name: "mknodat", Fn: sysMknodat, Support: Supported},
	{Nr: abi.SYS_UNLINK, Name: "unlink", Fn: sysUnlink, Support: Supported},
	{Nr: abi.SYS_UNLINKAT, Name: "unlinkat", Fn: sysUnlinkat, Support: Supported},
	{Nr: abi.SYS_RMDIR, Name: "rmdir", Fn: sysRmdir, Support: Supported},
	{Nr: abi.SYS_RENAME, Name: "rename", Fn: sysRename, Support: Supported},
	{Nr: abi.SYS_RENAMEAT, Name: "renameat", Fn: sysRenameat, Support: Supported},
	{Nr: abi.SYS_RENAMEAT2, Name: "renameat2", Fn: sysRenameat2, Support: Partial, Note: "RENAME_NOREPLACE and RENAME_EXCHANGE; RENAME_WHITEOUT is EINVAL (tmpfs has no whiteouts here)"},
	{Nr: abi.SYS_LINK, Name: "link", Fn: sysLink, Support: Supported},
	{Nr: abi.SYS_LINKAT, Name: "linkat", Fn: sysLinkat, Support: Supported},
	{Nr: abi.SYS_SYMLINK, Name: "symlink", Fn: sysSymlink, Support: Supported},
	{Nr: abi.SYS_SYMLINKAT, Name: "symlinkat", Fn: sysSymlinkat, Support: Supported},
	{Nr: abi.SYS_CHMOD, Name: "chmod", Fn: sysChmod, Support: Supported},
	{Nr: abi.SYS_FCHMOD, Name: "fchmod", Fn: sysFchmod, Support: Supported},
	{Nr: abi.SYS_FCHMODAT, Name: "fchmodat", Fn: sysFchmodat, Support: Supported},
	{Nr: sysFchmodat2, Name: "fchmodat2", Fn: sysFchmodat2Call, Support: Supported},
	{Nr: abi.SYS_CHOWN, Name: "chown", Fn: sysChown, Support: Supported},
	{Nr: abi.SYS_FCHOWN, Name: "fchown", Fn: sysFchown, Support: Supported},
	{Nr: abi.SYS_LCHOWN, Name: "lchown", Fn: sysLchown, Support: Supported},
	{Nr: abi.SYS_FCHOWNAT, Name: "fchownat", Fn: sysFchownat, Support: Supported},
	{Nr: abi.SYS_UTIMENSAT, Name: "utimensat", Fn: sysUtimensat, Support: Supported},
	{Nr: abi.SYS_UTIMES, Name: "utimes", Fn: sysUtimes, Support: Supported},
	{Nr: abi.SYS_FUTIMESAT, Name: "futimesat", Fn: sysFutimesat, Support: Supported},
	{Nr: abi.SYS_UTIME, Name: "utime", Fn: sysUtime, Support: Supported},
	{Nr: abi.SYS_TRUNCATE, Name: "truncate", Fn: sysTruncate, Support: Supported},
}

// inDir copies a path in and finds where it starts.
func inDir(t *libstarry.Thread, dirfd, pathVA uint64) (libstarry.Where, string, error) {
	path, err := t.P.MM.CopyInPath(uintptr(pathVA))
	if err != nil {
		return libstarry.Where{}, "", err
	}
	w, err := where(t, dirfd, path)
	return w, path, err
}

func sysMkdir(t *libstarry.Thread, a Args) (uint64, error) {
	return sysMkdirat(t, Args{atFDCWD, a[0], a[1]})
}

func sysMkdirat(t *libstarry.Thread, a Args) (uint64, error) {
	w, path, err := inDir(t, a[0], a[1])
	if err != nil {
		return 0, err
	}
	return 0, t.P.Mkdir(w, path, uint32(a[2]))
}

func sysMknod(t *libstarry.Thread, a Args) (uint64, error) {
	return sysMknodat(t, Args{atFDCWD, a[0], a[1], a[2]})
}

// sysMknodat decodes the device number as new_decode_dev does.
func sysMknodat(t *libstarry.Thread, a Args) (uint64, error) {
	w, path, err := inDir(t, a[0], a[1])
	if err != nil {
		return 0, err
	}
	dev := uint32(a[3])
	rdev := abi.Mkdev((dev&0xfff00)>>8, dev&0xff|(dev>>12)&0xfff00)
	return 0, t.P.Mknod(w, path, uint32(a[2]), rdev)
}

func sysUnlink(t *libstarry.Thread, a Args) (uint64, error) {
	return sysUnlinkat(t, Args{atFDCWD, a[0], 0})
}

// sysUnlinkat: flags other than AT_REMOVEDIR are EINVAL before the path.
func sysUnlinkat(t *libstarry.Thread, a Args) (uint64, error) {
	if a[2]&^abi.AT_REMOVEDIR != 0 {
		return 0, abi.EINVAL
	}
	w, path, err := inDir(t, a[0], a[1])
	if err != nil {
		return 0, err
	}
	if a[2]&abi.AT_REMOVEDIR != 0 {
		return 0, t.P.Rmdir(w, path)
	}
	return 0, t.P.Unlink(w, path)
}

func sysRmdir(t *libstarry.Thread, a Args) (uint64, error) {
	w, path, err := inDir(t, atFDCWD, a[0])
	if err != nil {
		return 0, err
	}
	return 0, t.P.Rmdir(w, path)
}

func sysRename(t *libstarry.Thread, a Args) (uint64, error) {
	return sysRenameat2(t, Args{atFDCWD, a[0], atFDCWD, a[1], 0})
}

func sysRenameat(t *libstarry.Thread, a Args) (uint64, error) {
	return sysRenameat2(t, Args{a[0], a[1], a[2], a[3], 0})
}

func sysRenameat2(t *libstarry.Thread, a Args) (uint64, error) {
	from, oldPath, err := inDir(t, a[0], a[1])
	if err != nil {
		return 0, err
	}
	to, newPath, err := inDir(t, a[2], a[3])
	if err != nil {
		return 0, err
	}
	return 0, t.P.Rename(from, oldPath, to, newPath, uint32(a[4]))
}

func sysLink(t *libstarry.Thread, a Args) (uint64, error) {
	return sysLinkat(t, Args{atFDCWD, a[0], atFDCWD, a[1], 0})
}

// sysLinkat follows a final symlink of the old path only with
// AT_SYMLINK_FOLLOW; AT_EMPTY_PATH links dirfd's own file.
func sysLinkat(t *libstarry.Thread, a Args) (uint64, error) {
	flags := int(a[4])
	if flags&^(abi.AT_SYMLINK_FOLLOW|abi.AT_EMPTY_PATH) != 0 {
		return 0, abi.EINVAL
	}
	rf := vfs.NoFollow
	if flags&abi.AT_SYMLINK_FOLLOW != 0 {
		rf = 0
	}
	if flags&abi.AT_EMPTY_PATH != 0 {
		rf |= vfs.EmptyPath
	}
	old, err := lookupUser(t, a[0], a[1], rf)
	if err != nil {
		return 0, err
	}
	w, path, err := inDir(t, a[2], a[3])
	if err != nil {
		return 0, err
	}
	return 0, t.P.Link(old, w, path)
}

func sysSymlink(t *libstarry.Thread, a Args) (uint64, error) {
	return sysSymlinkat(t, Args{a[0], atFDCWD, a[1]})
}

func sysSymlinkat(t *libstarry.Thread, a Args) (uint64, error) {
	target, err := t.P.MM.CopyInString(uintptr(a[0]), vfs.PathMax+1)
	if err != nil {
		return 0, err
	}
	w, path, err := inDir(t, a[1], a[2])
	if err != nil {
		return 0, err
	}
	return 0, t.P.Symlink(target, w, path)
}

func sysChmod(t *libstarry.Thread, a Args) (uint64, error) {
	return sysFchmodat(t, Args{atFDCWD, a[0], a[1]})
}

func sysFchmodat(t *libstarry.Thread, a Args) (uint64, error) {
	q, err := lookupUser(t, a[0], a[1], 0)
	if err != nil {
		return 0, err
	}
	return 0, chmod(t, q, uint32(a[2]))
}

// sysFchmodat2 is fchmodat2 (x/sys has no number for it yet):
// AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH; a symlink's own mode cannot be
// changed (EOPNOTSUPP).
const sysFchmodat2 = 452

func sysFchmodat2Call(t *libstarry.Thread, a Args) (uint64, error) {
	flags := int(a[3])
	if flags&^(abi.AT_SYMLINK_NOFOLLOW|abi.AT_EMPTY_PATH) != 0 {
		return 0, abi.EINVAL
	}
	q, err := lookupUser(t, a[0], a[1], atFlags(flags))
	if err != nil {
		return 0, err
	}
	if q.Dentry.IsSymlink() {
		return 0, abi.EOPNOTSUPP
	}
	return 0, chmod(t, q, uint32(a[2]))
}

func sysFchmod(t *libstarry.Thread, a Args) (uint64, error) {
	q, err := fdPathOrEBADF(t, a[0])
	if err != nil {
		return 0, err
	}
	return 0, chmod(t, q, uint32(a[1]))
}

// chmod is chmod_common: S_IALLUGO of mode.
func chmod(t *libstarry.Thread, q vfs.Path, mode uint32) error {
	return t.P.SetAttr(q, vfs.AttrChange{Valid: vfs.SetMode, Mode: mode & 0o7777})
}

// fdPathOrEBADF is the file of a descriptor that calls like fchmod work
// on: an O_PATH descriptor is EBADF (fdget, not fdget_raw).
func fdPathOrEBADF(t *libstarry.Thread, fd uint64) (vfs.Path, error) {
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
		return vfs.Path{}, abi.EPERM // a pipe or another anonymous file: not changeable here
	}
	return pf.Path(), nil
}

func sysChown(t *libstarry.Thread, a Args) (uint64, error) {
	return sysFchownat(t, Args{atFDCWD, a[0], a[1], a[2], 0})
}

func sysLchown(t *libstarry.Thread, a Args) (uint64, error) {
	return sysFchownat(t, Args{atFDCWD, a[0], a[1], a[2], abi.AT_SYMLINK_NOFOLLOW})
}

func sysFchownat(t *libstarry.Thread, a Args) (uint64, error) {
	flags := int(a[4])
	if flags&^(abi.AT_SYMLINK_NOFOLLOW|abi.AT_EMPTY_PATH) != 0 {
		return 0, abi.EINVAL
	}
	q, err := lookupUser(t, a[0], a[1], atFlags(flags))
	if err != nil {
		return 0, err
	}
	return 0, chown(t, q, uint32(a[2]), uint32(a[3]))
}

func sysFchown(t *libstarry.Thread, a Args) (uint64, error) {
	q, err := fdPathOrEBADF(t, a[0])
	if err != nil {
		return 0, err
	}
	return 0, chown(t, q, uint32(a[1]), uint32(a[2]))
}

// chown is chown_common: -1 leaves an ID as it is; a non-directory loses
// its set-ID bits.
func chown(t *libstarry.Thread, q vfs.Path, uid, gid uint32) error {
	ch := vfs.AttrChange{UID: uid, GID: gid}
	if uid != ^uint32(0) {
		ch.Valid |= vfs.SetUID
	}
	if gid != ^uint32(0) {
		ch.Valid |= vfs.SetGID
	}
	if !q.Dentry.IsDir() {
		ch.Valid |= vfs.KillSetID
	}
	return t.P.SetAttr(q, ch)
}

// utimensat's special nanosecond values.
const (
	utimeNow  = 1<<30 - 1
	utimeOmit = 1<<30 - 2
)

// sysUtimensat is utimensat(dirfd, path, times, flags): both times
// UTIME_OMIT does nothing, not even the lookup; a NULL path works on
// dirfd's file (the old futimens).
func sysUtimensat(t *libstarry.Thread, a Args) (uint64, error) {
	var ts *[2][2]int64
	if a[2] != 0 {
		var b [32]byte
		if err := t.P.MM.CopyIn(uintptr(a[2]), b[:]); err != nil {
			return 0, err
		}
		le := binary.LittleEndian
		ts = &[2][2]int64{{int64(le.Uint64(b[0:])), int64(le.Uint64(b[8:]))}, {int64(le.Uint64(b[16:])), int64(le.Uint64(b[24:]))}}
		if ts[0][1] == utimeOmit && ts[1][1] == utimeOmit {
			return 0, nil
		}
	}
	return 0, utimes(t, a[0], a[1], ts, int(a[3]))
}

// utimes is do_utimes: the times, then the flags, then the file.
func utimes(t *libstarry.Thread, dirfd, pathVA uint64, ts *[2][2]int64, flags int) error {
	if ts != nil {
		for _, x := range ts {
			if (x[1] < 0 || x[1] >= 1e9) && x[1] != utimeNow && x[1] != utimeOmit {
				return abi.EINVAL
			}
		}
	}
	var q vfs.Path
	var err error
	if pathVA == 0 && int32(dirfd) != abi.AT_FDCWD {
		if flags != 0 {
			return abi.EINVAL
		}
		q, err = fdPathOrEBADF(t, dirfd)
	} else {
		if flags&^(abi.AT_SYMLINK_NOFOLLOW|abi.AT_EMPTY_PATH) != 0 {
			return abi.EINVAL
		}
		q, err = lookupUser(t, dirfd, pathVA, atFlags(flags))
	}
	if err != nil {
		return err
	}
	return t.P.SetAttr(q, timesChange(ts))
}

// timesChange is vfs_utimes' attribute change: no times, or both
// UTIME_NOW, is a touch, which write access allows.
func timesChange(ts *[2][2]int64) vfs.AttrChange {
	now := time.Now().UnixNano()
	if ts == nil || ts[0][1] == utimeNow && ts[1][1] == utimeNow {
		return vfs.AttrChange{Valid: vfs.SetAtime | vfs.SetMtime | vfs.SetTimesNow, Atime: now, Mtime: now}
	}
	var ch vfs.AttrChange
	set := func(x [2]int64, bit uint32, dst *int64) {
		switch x[1] {
		case utimeOmit:
			return
		case utimeNow:
			*dst = now
		default:
			*dst = x[0]*1e9 + x[1]
		}
		ch.Valid |= bit
	}
	set(ts[0], vfs.SetAtime, &ch.Atime)
	set(ts[1], vfs.SetMtime, &ch.Mtime)
	return ch
}

func sysUtimes(t *libstarry.Thread, a Args) (uint64, error) {
	return sysFutimesat(t, Args{atFDCWD, a[0], a[1]})
}

// sysFutimesat takes struct timeval pairs: microseconds out of range
// are EINVAL.
func sysFutimesat(t *libstarry.Thread, a Args) (uint64, error) {
	var ts *[2][2]int64
	if a[2] != 0 {
		var b [32]byte
		if err := t.P.MM.CopyIn(uintptr(a[2]), b[:]); err != nil {
			return 0, err
		}
		le := binary.LittleEndian
		ts = &[2][2]int64{}
		for i := range ts {
			sec, usec := int64(le.Uint64(b[16*i:])), int64(le.Uint64(b[16*i+8:]))
			if usec < 0 || usec >= 1e6 {
				return 0, abi.EINVAL
			}
			ts[i] = [2]int64{sec, usec * 1000}
		}
	}
	return 0, utimes(t, a[0], a[1], ts, 0)
}

// sysUtime takes struct utimbuf {actime, modtime}, in seconds.
func sysUtime(t *libstarry.Thread, a Args) (uint64, error) {
	var ts *[2][2]int64
	if a[1] != 0 {
		var b [16]byte
		if err := t.P.MM.CopyIn(uintptr(a[1]), b[:]); err != nil {
			return 0, err
		}
		le := binary.LittleEndian
		ts = &[2][2]int64{{int64(le.Uint64(b[0:])), 0}, {int64(le.Uint64(b[8:])), 0}}
	}
	return 0, utimes(t, atFDCWD, a[0], ts, 0)
}

// sysTruncate is do_sys_truncate: a negative length is EINVAL before
// the path is looked at.
func sysTruncate(t *libstarry.Thread, a Args) (uint64, error) {
	if int64(a[1]) < 0 {
		return 0, abi.EINVAL
	}
	q, err := lookupUser(t, atFDCWD, a[0], 0)
	if err != nil {
		return 0, err
	}
	return 0, t.P.Truncate(q, int64(a[1]))
}
