package linux

import (
	"syscall"

	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The stat family, extended attributes and file advice: what a program
// learns about a file without reading it.

var statRows = []Syscall{
	{Nr: abi.SYS_FSTAT, Name: "fstat", Fn: sysFstat, Support: Supported},
	{Nr: abi.SYS_STAT, Name: "stat", Fn: sysStat, Support: Supported},
	{Nr: abi.SYS_LSTAT, Name: "lstat", Fn: sysLstat, Support: Supported},
	{Nr: abi.SYS_NEWFSTATAT, Name: "newfstatat", Fn: sysNewfstatat, Support: Supported},
	{Nr: abi.SYS_STATX, Name: "statx", Fn: sysStatx, Support: Supported},
	{Nr: abi.SYS_FADVISE64, Name: "fadvise64", Fn: sysFadvise64, Support: Supported},
	{Nr: abi.SYS_STATFS, Name: "statfs", Fn: sysStatfs, Support: Supported},
	{Nr: abi.SYS_FSTATFS, Name: "fstatfs", Fn: sysFstatfs, Support: Partial, Note: "pipes and other anonymous files report f_type 0"},
}

// putStat encodes struct stat for x86-64 (x/sys's Stat_t has its layout).
func putStat(t *libstarry.Thread, va uint64, s fdt.Stat) error {
	st := abi.Stat_t{Dev: s.Dev, Ino: s.Ino, Nlink: uint64(s.Nlink), Mode: s.Mode, Uid: s.UID, Gid: s.GID, Rdev: s.Rdev,
		Size: s.Size, Blksize: 4096, Blocks: s.Blocks, Atim: timespec(s.Atime), Mtim: timespec(s.Mtime), Ctim: timespec(s.Ctime)}
	return putStruct(t, va, st)
}

func timespec(ns int64) syscall.Timespec {
	return syscall.Timespec{Sec: floorDiv(ns, 1e9), Nsec: ns - floorDiv(ns, 1e9)*1e9}
}

func statxTime(ns int64) abi.StatxTimestamp {
	ts := timespec(ns)
	return abi.StatxTimestamp{Sec: ts.Sec, Nsec: uint32(ts.Nsec)}
}

// floorDiv rounds toward minus infinity, so times before 1970 keep a
// nanosecond field in [0, 1e9).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
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
	w, err := where(t, dirfd, path)
	if err != nil {
		return fdt.Stat{}, err
	}
	return t.P.StatPath(w, path, atFlags(flags&abi.AT_SYMLINK_NOFOLLOW))
}

// statxSyncType are statx's two cache-coherence flags, of which at most
// one may be given (AT_STATX_SYNC_TYPE); with no remote file systems
// either is a plain stat.
const statxSyncType = abi.AT_STATX_FORCE_SYNC | abi.AT_STATX_DONT_SYNC

// statxVFSAttrs are the attributes vfs_getattr_nosec and vfs_statx know
// of whatever the file system: automount points, DAX files (neither of
// which there are here) and mount roots.
const statxVFSAttrs = abi.STATX_ATTR_AUTOMOUNT | abi.STATX_ATTR_DAX | abi.STATX_ATTR_MOUNT_ROOT

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
	sx := abi.Statx_t{Mask: abi.STATX_BASIC_STATS, Blksize: 4096, Nlink: st.Nlink, Mode: uint16(st.Mode),
		Uid: st.UID, Gid: st.GID, Ino: st.Ino, Size: uint64(st.Size), Blocks: uint64(st.Blocks),
		Atime: statxTime(st.Atime), Ctime: statxTime(st.Ctime), Mtime: statxTime(st.Mtime),
		DevMajor: uint32(st.Dev>>8&0xfff | st.Dev>>32&^0xfff), DevMinor: uint32(st.Dev&0xff | st.Dev>>12&^0xff),
		RdevMajor: uint32(st.Rdev>>8&0xfff | st.Rdev>>32&^0xfff), RdevMinor: uint32(st.Rdev&0xff | st.Rdev>>12&^0xff),
		Attributes: st.Attributes, AttributesMask: st.AttributesMask | statxVFSAttrs}
	if st.MountRoot {
		sx.Attributes |= abi.STATX_ATTR_MOUNT_ROOT
	}
	if st.Mode&abi.S_IFMT == abi.S_IFBLK && mask&abi.STATX_DIOALIGN != 0 {
		if mem, off, ok := t.P.Files().BlockDIOAlign(st.Rdev); ok {
			sx.Mask |= abi.STATX_DIOALIGN
			sx.DioMemAlign, sx.DioOffset = mem, off
		}
	}
	return 0, putStruct(t, a[4], sx)
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

const stValid = 0x20 // ST_VALID: f_flags is filled in

// putStatfs encodes struct statfs for the file system q is on; a file
// with no place in the namespace (a pipe) is on an anonymous one.
func putStatfs(t *libstarry.Thread, va uint64, q vfs.Path) error {
	st := abi.Statfs_t{Bsize: 4096, Namelen: 255, Frsize: 4096, Flags: stValid}
	if q.Dentry != nil {
		s := t.P.Statfs(q)
		st.Type, st.Blocks, st.Bfree, st.Bavail, st.Files, st.Ffree = s.Magic, s.Blocks, s.Free, s.Avail, s.Files, s.FreeFiles
		st.Fsid.X__val = [2]int32{int32(s.ID), int32(s.ID >> 32)}
		if s.BlockSize != 0 {
			st.Bsize, st.Frsize = int64(s.BlockSize), int64(s.BlockSize)
		}
	}
	return putStruct(t, va, st)
}

func sysStatfs(t *libstarry.Thread, a Args) (uint64, error) {
	q, err := lookupUser(t, atFDCWD, a[0], 0)
	if err != nil {
		return 0, err
	}
	return 0, putStatfs(t, a[1], q)
}

func sysFstatfs(t *libstarry.Thread, a Args) (uint64, error) {
	q, err := fdPath(t, a[0])
	if err != nil && err != abi.ENOENT {
		return 0, err
	}
	return 0, putStatfs(t, a[1], q)
}
