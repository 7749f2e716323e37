package linux

import (
	"syscall"

	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The stat family, extended attributes and file advice: what a program
// learns about a file without reading it.

func statCalls() []Syscall {
	return []Syscall{
		full(abi.SYS_FSTAT, "fstat", sysFstat),
		full(abi.SYS_STAT, "stat", sysStat),
		full(abi.SYS_LSTAT, "lstat", sysLstat),
		full(abi.SYS_NEWFSTATAT, "newfstatat", sysNewfstatat),
		full(abi.SYS_STATX, "statx", sysStatx),
		part(abi.SYS_GETXATTR, "getxattr", sysGetxattr, "the RamFS has no extended attributes: EOPNOTSUPP, as for any file system without them"),
		part(abi.SYS_LGETXATTR, "lgetxattr", sysLgetxattr, "as getxattr"),
		part(abi.SYS_FGETXATTR, "fgetxattr", sysFgetxattr, "as getxattr"),
		part(abi.SYS_LISTXATTR, "listxattr", sysListxattr, "the RamFS has no extended attributes: an empty list"),
		part(abi.SYS_LLISTXATTR, "llistxattr", sysLlistxattr, "as listxattr"),
		part(abi.SYS_FLISTXATTR, "flistxattr", sysFlistxattr, "as listxattr"),
		full(abi.SYS_FADVISE64, "fadvise64", sysFadvise64),
		part(abi.SYS_STATFS, "statfs", sysStatfs, "one read-only ramfs, sizes 0 as ramfs reports them"),
		part(abi.SYS_FSTATFS, "fstatfs", sysFstatfs, "as statfs; pipes and other anonymous files are ramfs too"),
	}
}

// putStat encodes struct stat for x86-64 (x/sys's Stat_t has its layout).
func putStat(t *libstarry.Thread, va uint64, s fdt.Stat) error {
	ts := syscall.Timespec{Sec: s.MTime}
	st := abi.Stat_t{Dev: 1, Ino: s.Ino, Nlink: uint64(s.Nlink), Mode: s.Mode, Rdev: s.Rdev,
		Size: s.Size, Blksize: 4096, Blocks: (s.Size + 511) / 512, Atim: ts, Mtim: ts, Ctim: ts}
	return putStruct(t, va, st)
}

func sysFstat(t *libstarry.Thread, a Args) (uint64, error) {
	st, err := fdStat(t, a[0])
	if err != nil {
		return 0, err
	}
	return 0, putStat(t, a[1], st)
}

// fdStat is what an open file description says of its file.
func fdStat(t *libstarry.Thread, fd uint64) (fdt.Stat, error) {
	of, err := file(t, fd)
	if err != nil {
		return fdt.Stat{}, err
	}
	defer of.DecRef()
	return of.Stat(), nil
}

func sysStat(t *libstarry.Thread, a Args) (uint64, error) {
	return sysNewfstatat(t, Args{atFDCWD, a[0], a[1], 0})
}

func sysLstat(t *libstarry.Thread, a Args) (uint64, error) {
	return sysNewfstatat(t, Args{atFDCWD, a[0], a[1], abi.AT_SYMLINK_NOFOLLOW})
}

// statFlags are the flags fstatat and statx take (AT_NO_AUTOMOUNT has
// nothing to do here: there are no automount points).
const statFlags = abi.AT_SYMLINK_NOFOLLOW | abi.AT_NO_AUTOMOUNT | abi.AT_EMPTY_PATH

// sysNewfstatat is vfs_fstatat; with AT_EMPTY_PATH and "" it is fstat,
// which is how glibc implements fstat. As Linux 6.18's: an empty (or
// NULL) path with AT_EMPTY_PATH and a real dirfd is fstat of it at once,
// whatever other flags say; otherwise the flags are checked.
func sysNewfstatat(t *libstarry.Thread, a Args) (uint64, error) {
	flags := int(a[3])
	if emptyPath(t, a[1], flags) && int32(a[0]) >= 0 {
		return sysFstat(t, Args{a[0], a[2]})
	}
	if flags&^(statFlags|statxSyncType) != 0 {
		return 0, abi.EINVAL
	}
	st, err := statAt(t, a[0], a[1], flags)
	if err != nil {
		return 0, err
	}
	return 0, putStat(t, a[2], st)
}

// emptyPath is vfs_empty_path's short cut: whether AT_EMPTY_PATH is set
// and the path is NULL or "" (a pointer it cannot read is not empty; the
// lookup reports its EFAULT later).
func emptyPath(t *libstarry.Thread, pathVA uint64, flags int) bool {
	if flags&abi.AT_EMPTY_PATH == 0 {
		return false
	}
	if pathVA == 0 {
		return true
	}
	var c [1]byte
	return t.P.MM.CopyIn(uintptr(pathVA), c[:]) == nil && c[0] == 0
}

// statAt resolves an *at call's (dirfd, path, flags) to a stat: "" (or,
// since Linux 6.11, NULL) with AT_EMPTY_PATH is dirfd itself, the
// working directory for AT_FDCWD.
func statAt(t *libstarry.Thread, dirfd, pathVA uint64, flags int) (fdt.Stat, error) {
	path := ""
	if pathVA != 0 || flags&abi.AT_EMPTY_PATH == 0 {
		var err error
		if path, err = t.P.MM.CopyInString(uintptr(pathVA), 4096); err != nil {
			return fdt.Stat{}, err
		}
	}
	if path == "" {
		if flags&abi.AT_EMPTY_PATH == 0 {
			return fdt.Stat{}, abi.ENOENT
		}
		if int32(dirfd) != abi.AT_FDCWD {
			return fdStat(t, dirfd)
		}
		path = "."
	}
	var dir *libstarry.Inode
	if path[0] != '/' {
		var err error
		if dir, err = dirOf(t, dirfd); err != nil {
			return fdt.Stat{}, err
		}
	}
	return t.P.StatPath(dir, path, flags&abi.AT_SYMLINK_NOFOLLOW == 0)
}

// statxSyncType are statx's two cache-coherence flags, of which at most
// one may be given (AT_STATX_SYNC_TYPE); with no remote file systems
// either is a plain stat.
const statxSyncType = abi.AT_STATX_FORCE_SYNC | abi.AT_STATX_DONT_SYNC

// sysStatx is statx(dirfd, path, flags, mask, buf): every basic field is
// known, whatever mask asks for, so stx_mask is STATX_BASIC_STATS.
func sysStatx(t *libstarry.Thread, a Args) (uint64, error) {
	flags, mask := int(int32(a[2])), uint32(a[3])
	empty := emptyPath(t, a[1], flags)
	if mask&abi.STATX__RESERVED != 0 || flags&statxSyncType == statxSyncType ||
		!(empty && int32(a[0]) >= 0) && flags&^(statFlags|statxSyncType) != 0 {
		return 0, abi.EINVAL
	}
	var st fdt.Stat
	var err error
	if empty && int32(a[0]) >= 0 {
		st, err = fdStat(t, a[0]) // do_statx_fd
	} else {
		st, err = statAt(t, a[0], a[1], flags&^statxSyncType)
	}
	if err != nil {
		return 0, err
	}
	ts := abi.StatxTimestamp{Sec: st.MTime}
	sx := abi.Statx_t{Mask: abi.STATX_BASIC_STATS, Blksize: 4096, Nlink: st.Nlink, Mode: uint16(st.Mode),
		Ino: st.Ino, Size: uint64(st.Size), Blocks: uint64(st.Size+511) / 512,
		Atime: ts, Ctime: ts, Mtime: ts, DevMinor: 1,
		RdevMajor: uint32(st.Rdev>>8&0xfff | st.Rdev>>32&^0xfff), RdevMinor: uint32(st.Rdev&0xff | st.Rdev>>12&^0xff)}
	return 0, putStruct(t, a[4], sx)
}

// The xattr calls resolve their file as Linux does, then find that the
// RamFS keeps no extended attributes: get is EOPNOTSUPP (no handler for
// any name), list is empty.

func sysGetxattr(t *libstarry.Thread, a Args) (uint64, error) {
	return xattrPath(t, a[0], true, abi.EOPNOTSUPP)
}

func sysLgetxattr(t *libstarry.Thread, a Args) (uint64, error) {
	return xattrPath(t, a[0], false, abi.EOPNOTSUPP)
}

func sysFgetxattr(t *libstarry.Thread, a Args) (uint64, error) {
	if _, err := fdStat(t, a[0]); err != nil {
		return 0, err
	}
	return 0, abi.EOPNOTSUPP
}

func sysListxattr(t *libstarry.Thread, a Args) (uint64, error) {
	return xattrPath(t, a[0], true, nil)
}

func sysLlistxattr(t *libstarry.Thread, a Args) (uint64, error) {
	return xattrPath(t, a[0], false, nil)
}

func sysFlistxattr(t *libstarry.Thread, a Args) (uint64, error) {
	_, err := fdStat(t, a[0])
	return 0, err
}

// xattrPath looks the path up, then answers result.
func xattrPath(t *libstarry.Thread, pathVA uint64, follow bool, result error) (uint64, error) {
	path, err := t.P.MM.CopyInPath(uintptr(pathVA))
	if err != nil {
		return 0, err
	}
	if _, err := t.P.StatPath(nil, path, follow); err != nil {
		return 0, err
	}
	return 0, result
}

// POSIX_FADV_DONTNEED and POSIX_FADV_NOREUSE, which x/sys lacks; 0 to 3
// are abi.FADV_NORMAL, RANDOM, SEQUENTIAL and WILLNEED.
const (
	fadvDontneed = 4
	fadvNoreuse  = 5
)

// sysFadvise64 is fadvise64(fd, offset, len, advice): advice about a
// page cache there is none of, so valid advice changes nothing; a pipe
// is ESPIPE and a negative length EINVAL, as generic_fadvise says.
func sysFadvise64(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	if of.Stat().Mode&abi.S_IFMT == abi.S_IFIFO {
		return 0, abi.ESPIPE
	}
	if int64(a[2]) < 0 || a[3] > fadvNoreuse {
		return 0, abi.EINVAL
	}
	return 0, nil
}

// The RamFS as statfs reports it: Linux's ramfs (sizes unknown, so 0),
// mounted read-only.
const (
	ramfsMagic = 0x858458f6
	stRdonly   = 1    // ST_RDONLY
	stValid    = 0x20 // ST_VALID: f_flags is filled in
)

func putStatfs(t *libstarry.Thread, va uint64) error {
	return putStruct(t, va, abi.Statfs_t{Type: ramfsMagic, Bsize: 4096, Namelen: 255, Frsize: 4096, Flags: stRdonly | stValid})
}

func sysStatfs(t *libstarry.Thread, a Args) (uint64, error) {
	path, err := t.P.MM.CopyInPath(uintptr(a[0]))
	if err != nil {
		return 0, err
	}
	if _, err := t.P.StatPath(nil, path, true); err != nil {
		return 0, err
	}
	return 0, putStatfs(t, a[1])
}

func sysFstatfs(t *libstarry.Thread, a Args) (uint64, error) {
	if _, err := fdStat(t, a[0]); err != nil {
		return 0, err
	}
	return 0, putStatfs(t, a[1])
}
