package linux

import (
	"encoding/binary"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/ipc"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

var fsRows = []Syscall{
	{Nr: abi.SYS_OPEN, Name: "open", Fn: sysOpen, Support: Supported},
	{Nr: abi.SYS_OPENAT, Name: "openat", Fn: sysOpenat, Support: Supported},
	{Nr: abi.SYS_OPENAT2, Name: "openat2", Fn: sysOpenat2, Support: Supported},
	{Nr: abi.SYS_CREAT, Name: "creat", Fn: sysCreat, Support: Supported},
	{Nr: abi.SYS_CLOSE, Name: "close", Fn: sysClose, Support: Supported},
	{Nr: abi.SYS_CLOSE_RANGE, Name: "close_range", Fn: sysCloseRange, Support: Supported},
	{Nr: abi.SYS_READLINK, Name: "readlink", Fn: sysReadlink, Support: Supported},
	{Nr: abi.SYS_READLINKAT, Name: "readlinkat", Fn: sysReadlinkat, Support: Supported},
	{Nr: abi.SYS_GETCWD, Name: "getcwd", Fn: sysGetcwd, Support: Supported},
	{Nr: abi.SYS_CHDIR, Name: "chdir", Fn: sysChdir, Support: Supported},
	{Nr: abi.SYS_FCHDIR, Name: "fchdir", Fn: sysFchdir, Support: Supported},
	{Nr: abi.SYS_CHROOT, Name: "chroot", Fn: sysChroot, Support: Supported},
	{Nr: abi.SYS_UMASK, Name: "umask", Fn: sysUmask, Support: Supported},
	{Nr: abi.SYS_ACCESS, Name: "access", Fn: sysAccess, Support: Supported},
	{Nr: abi.SYS_FACCESSAT, Name: "faccessat", Fn: sysFaccessat, Support: Supported},
	{Nr: abi.SYS_FACCESSAT2, Name: "faccessat2", Fn: sysFaccessat2, Support: Supported},
	{Nr: abi.SYS_DUP, Name: "dup", Fn: sysDup, Support: Supported},
	{Nr: abi.SYS_DUP2, Name: "dup2", Fn: sysDup2, Support: Supported},
	{Nr: abi.SYS_DUP3, Name: "dup3", Fn: sysDup3, Support: Supported},
	{Nr: abi.SYS_FCNTL, Name: "fcntl", Fn: sysFcntl, Support: Partial, Note: "F_DUPFD(_CLOEXEC), F_GETFD/SETFD, F_GETFL/SETFL, F_GETOWN/SETOWN(_EX), F_GETSIG/SETSIG, F_GETOWNER_UIDS, F_GETLK/SETLK/SETLKW and the F_OFD_* locks (regular files and directories), F_GETPIPE_SZ/SETPIPE_SZ, F_ADD_SEALS/F_GET_SEALS; the owner is recorded but no SIGIO is sent; leases are EINVAL"},
	{Nr: abi.SYS_FLOCK, Name: "flock", Fn: sysFlock, Support: Partial, Note: "regular files and directories; other files EINVAL"},
	{Nr: abi.SYS_MEMFD_CREATE, Name: "memfd_create", Fn: sysMemfdCreate, Support: Partial, Note: "MFD_HUGETLB is EINVAL (no huge pages); seals F_SEAL_SEAL, SHRINK, GROW, WRITE, FUTURE_WRITE are kept and enforced, F_SEAL_EXEC kept only"},
	{Nr: abi.SYS_GETDENTS64, Name: "getdents64", Fn: sysGetdents64, Support: Supported},
}

// dirOf resolves an *at call's dirfd: the zero Path for AT_FDCWD,
// ENOTDIR for a descriptor that is not a directory's.
func dirOf(t *libstarry.Thread, dirfd uint64) (vfs.Path, error) {
	fd := int(int32(dirfd))
	if fd == abi.AT_FDCWD {
		return vfs.Path{}, nil
	}
	of, err := t.P.FDs.Get(fd)
	if err != nil {
		return vfs.Path{}, err
	}
	defer of.DecRef()
	d, ok := of.File.(libstarry.PathFile)
	if !ok || !d.Path().Dentry.IsDir() {
		return vfs.Path{}, abi.ENOTDIR
	}
	return d.Path(), nil
}

// where is where an *at call's path starts: an absolute path ignores
// dirfd (a bad one too), a relative one starts at its directory.
func where(t *libstarry.Thread, dirfd uint64, path string) (libstarry.Where, error) {
	var dir vfs.Path
	if path == "" || path[0] != '/' {
		var err error
		if dir, err = dirOf(t, dirfd); err != nil {
			return libstarry.Where{}, err
		}
	}
	w := t.P.At(dir)
	w.Waiter = t
	return w, nil
}

func sysClose(t *libstarry.Thread, a Args) (uint64, error) {
	return 0, t.P.FDs.Close(int(int32(a[0])))
}

// close_range flags (include/uapi/linux/close_range.h).
const (
	closeRangeUnshare = 2
	closeRangeCloexec = 4
)

// sysCloseRange is close_range(first, last, flags): CLOSE_RANGE_CLOEXEC
// marks instead of closing; CLOSE_RANGE_UNSHARE first gives the caller a
// table of its own.
func sysCloseRange(t *libstarry.Thread, a Args) (uint64, error) {
	first, last, flags := uint(uint32(a[0])), uint(uint32(a[1])), a[2]
	if flags&^(closeRangeUnshare|closeRangeCloexec) != 0 || first > last {
		return 0, abi.EINVAL
	}
	if flags&closeRangeUnshare != 0 {
		t.P.UnshareFiles()
	}
	t.P.FDs.CloseRange(first, last, flags&closeRangeCloexec != 0)
	return 0, nil
}

func sysReadlink(t *libstarry.Thread, a Args) (uint64, error) {
	return sysReadlinkat(t, Args{atFDCWD, a[0], a[1], a[2]})
}

// sysReadlinkat is do_readlinkat: the size first, then the path, an
// empty one naming dirfd itself (an O_PATH descriptor of a symlink);
// anything but a symlink is EINVAL, or ENOENT when named by "". /proc's
// links read as the caller sees them (its own exe, cwd, descriptors).
func sysReadlinkat(t *libstarry.Thread, a Args) (uint64, error) {
	if int64(a[3]) <= 0 {
		return 0, abi.EINVAL
	}
	path, err := t.P.MM.CopyInString(uintptr(a[1]), 4096)
	if err != nil {
		return 0, err
	}
	q, err := lookupAt(t, a[0], path, vfs.NoFollow|vfs.EmptyPath)
	if err != nil {
		return 0, err
	}
	switch {
	case !q.Dentry.IsSymlink() && path == "":
		return 0, abi.ENOENT
	case !q.Dentry.IsSymlink():
		return 0, abi.EINVAL
	}
	target, err := vfs.ReadlinkAs(t.P.Creds(), q.Dentry.Inode())
	if err != nil {
		return 0, err
	}
	b := []byte(target)[:min(uint64(len(target)), a[3])]
	return uint64(len(b)), t.P.MM.CopyOut(uintptr(a[2]), b)
}

// lookupAt resolves (dirfd, path) with flags; with vfs.EmptyPath an
// empty path is dirfd's own file, of any type.
func lookupAt(t *libstarry.Thread, dirfd uint64, path string, flags vfs.Flags) (vfs.Path, error) {
	if path == "" && flags&vfs.EmptyPath != 0 && int32(dirfd) != abi.AT_FDCWD {
		return fdPath(t, dirfd)
	}
	w, err := where(t, dirfd, path)
	if err != nil {
		return vfs.Path{}, err
	}
	return t.P.Resolve(w, path, flags)
}

// fdPath is the place a descriptor's file has in the namespace: EBADF
// for a bad descriptor, ENOTDIR-free; a file that has none (a pipe) is
// answered by the caller's own rules, here ENOENT.
func fdPath(t *libstarry.Thread, fd uint64) (vfs.Path, error) {
	of, err := file(t, fd)
	if err != nil {
		return vfs.Path{}, err
	}
	defer of.DecRef()
	pf, ok := of.File.(libstarry.PathFile)
	if !ok {
		return vfs.Path{}, abi.ENOENT
	}
	return pf.Path(), nil
}

func sysGetcwd(t *libstarry.Thread, a Args) (uint64, error) {
	cwd, err := t.P.Getcwd()
	if err != nil {
		return 0, err
	}
	b := append([]byte(cwd), 0)
	if uint64(len(b)) > a[1] {
		return 0, abi.ERANGE
	}
	return uint64(len(b)), t.P.MM.CopyOut(uintptr(a[0]), b)
}

func sysChdir(t *libstarry.Thread, a Args) (uint64, error) {
	q, err := lookupUser(t, atFDCWD, a[0], 0)
	if err != nil {
		return 0, err
	}
	return 0, t.P.Chdir(q)
}

// sysFchdir: the descriptor's directory (an O_PATH one too).
func sysFchdir(t *libstarry.Thread, a Args) (uint64, error) {
	q, err := fdPath(t, a[0])
	if err == abi.ENOENT {
		return 0, abi.ENOTDIR
	}
	if err != nil {
		return 0, err
	}
	return 0, t.P.Chdir(q)
}

func sysChroot(t *libstarry.Thread, a Args) (uint64, error) {
	q, err := lookupUser(t, atFDCWD, a[0], 0)
	if err != nil {
		return 0, err
	}
	return 0, t.P.Chroot(q)
}

// lookupUser copies a path from user memory and resolves it; "" is
// ENOENT unless flags has EmptyPath (AT_EMPTY_PATH: dirfd's own file).
func lookupUser(t *libstarry.Thread, dirfd, pathVA uint64, flags vfs.Flags) (vfs.Path, error) {
	var path string
	var err error
	if flags&vfs.EmptyPath != 0 {
		path, err = t.P.MM.CopyInString(uintptr(pathVA), vfs.PathMax)
	} else {
		path, err = t.P.MM.CopyInPath(uintptr(pathVA))
	}
	if err != nil {
		return vfs.Path{}, err
	}
	return lookupAt(t, dirfd, path, flags)
}

// sysUmask is umask(2): the new mask's permission bits, the old mask back.
func sysUmask(t *libstarry.Thread, a Args) (uint64, error) {
	return uint64(t.P.Umask(uint32(a[0]))), nil
}

func sysAccess(t *libstarry.Thread, a Args) (uint64, error) {
	return accessAt(t, atFDCWD, a[0], a[1], 0)
}

func sysFaccessat(t *libstarry.Thread, a Args) (uint64, error) {
	return accessAt(t, a[0], a[1], a[2], 0)
}

// atEaccess is AT_EACCESS: check with the effective IDs (the same here).
const atEaccess = 0x200

func sysFaccessat2(t *libstarry.Thread, a Args) (uint64, error) {
	return accessAt(t, a[0], a[1], a[2], int(a[3]))
}

// accessAt is do_faccessat: the mode, then the flags, are checked
// before the path; F_OK asks only that the file exist. The check uses
// the real IDs unless AT_EACCESS; W_OK on a read-only mount is EROFS.
func accessAt(t *libstarry.Thread, dirfd, pathVA, mode uint64, flags int) (uint64, error) {
	if mode&^uint64(abi.R_OK|abi.W_OK|abi.X_OK) != 0 || flags&^(atEaccess|abi.AT_SYMLINK_NOFOLLOW|abi.AT_EMPTY_PATH) != 0 {
		return 0, abi.EINVAL
	}
	q, err := lookupUser(t, dirfd, pathVA, atFlags(flags))
	if err != nil {
		return 0, err
	}
	c := t.P.RealCreds()
	if flags&atEaccess != 0 {
		c = t.P.Creds()
	}
	if err := vfs.Permission(c, q.Dentry.Inode(), int(mode&7)); err != nil {
		return 0, err
	}
	if mode&abi.W_OK != 0 && q.Mount.ReadOnly() {
		if typ := q.Dentry.Inode().Type(); typ != abi.S_IFCHR && typ != abi.S_IFIFO && typ != abi.S_IFSOCK && typ != abi.S_IFBLK {
			return 0, abi.EROFS
		}
	}
	return 0, nil
}

// atFlags turns AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH into resolution flags.
func atFlags(flags int) vfs.Flags {
	var f vfs.Flags
	if flags&abi.AT_SYMLINK_NOFOLLOW != 0 {
		f |= vfs.NoFollow
	}
	if flags&abi.AT_EMPTY_PATH != 0 {
		f |= vfs.EmptyPath
	}
	return f
}

func sysDup(t *libstarry.Thread, a Args) (uint64, error) {
	fd, err := t.P.FDs.Dup(int(int32(a[0])), 0, t.P.NoFile(), false)
	return uint64(fd), err
}

func sysDup2(t *libstarry.Thread, a Args) (uint64, error) {
	if a[0] == a[1] {
		of, err := file(t, a[0])
		if err == nil {
			of.DecRef()
		}
		return a[1], err
	}
	return a[1], t.P.FDs.Dup3(int(int32(a[0])), int(int32(a[1])), t.P.NoFile(), false)
}

func sysDup3(t *libstarry.Thread, a Args) (uint64, error) {
	if a[0] == a[1] || a[2]&^abi.O_CLOEXEC != 0 {
		return 0, abi.EINVAL
	}
	return a[1], t.P.FDs.Dup3(int(int32(a[0])), int(int32(a[1])), t.P.NoFile(), a[2]&abi.O_CLOEXEC != 0)
}

func sysFcntl(t *libstarry.Thread, a Args) (uint64, error) {
	fd := int(int32(a[0]))
	of, err := t.P.FDs.Get(fd)
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	switch int(a[1]) {
	case abi.F_DUPFD, abi.F_DUPFD_CLOEXEC:
		from, limit := int(int32(a[2])), t.P.NoFile()
		if from < 0 || from >= limit {
			return 0, abi.EINVAL // f_dupfd: from past RLIMIT_NOFILE
		}
		nfd, err := t.P.FDs.Dup(fd, from, limit, int(a[1]) == abi.F_DUPFD_CLOEXEC)
		return uint64(nfd), err
	case abi.F_GETFD:
		on, err := t.P.FDs.CloseOnExec(fd)
		if on {
			return abi.FD_CLOEXEC, err
		}
		return 0, err
	case abi.F_SETFD:
		return 0, t.P.FDs.SetCloseOnExec(fd, a[2]&abi.FD_CLOEXEC != 0)
	case abi.F_GETFL:
		return uint64(of.Flags()), nil
	case abi.F_SETFL:
		return 0, of.SetFlags(int(a[2]))
	case abi.F_GETOWN, abi.F_SETOWN, abi.F_GETOWN_EX, abi.F_SETOWN_EX, abi.F_GETSIG, abi.F_SETSIG:
		return fcntlOwner(t, of, int(a[1]), a[2])
	case abi.F_GETLK, abi.F_SETLK, abi.F_SETLKW, fOFDGetlk, fOFDSetlk, fOFDSetlkw:
		return fcntlLock(t, fd, of, int(a[1]), a[2])
	case fAddSeals, fGetSeals:
		return fcntlSeals(of, int(a[1]), a[2])
	case abi.F_GETPIPE_SZ, abi.F_SETPIPE_SZ:
		pe, ok := of.File.(*ipc.PipeEnd)
		if !ok {
			return 0, abi.EBADF
		}
		if int(a[1]) == abi.F_GETPIPE_SZ {
			return uint64(pe.PipeSize()), nil
		}
		n, err := pe.SetPipeSize(uint64(uint32(a[2])))
		return uint64(n), err
	case fGetOwnerUIDs:
		// The owner's real and effective UIDs as F_SETOWN's caller had
		// them: every process here is root, so both are 0.
		return 0, t.P.MM.CopyOut(uintptr(a[2]), make([]byte, 8))
	}
	return 0, abi.EINVAL
}

// fGetOwnerUIDs is F_GETOWNER_UIDS (CONFIG_CHECKPOINT_RESTORE), which
// x/sys lacks.
const fGetOwnerUIDs = 17

// fcntlOwner keeps a file's owner record as fs/fcntl.c does: F_SETOWN
// takes a PID (a group when negative), F_SETOWN_EX a struct f_owner_ex
// {int type; pid_t pid}; an ID that names nothing is ESRCH, and a read
// shows 0 once the owner has no task of its kind left.
func fcntlOwner(t *libstarry.Thread, of *fd.OpenFile, cmd int, arg uint64) (uint64, error) {
	k := t.P.Kernel()
	switch cmd {
	case abi.F_GETOWN:
		o := of.Owner()
		if o.ID == 0 || !k.OwnerExists(o.Kind, o.ID) {
			return 0, nil
		}
		if o.Kind == abi.F_OWNER_PGRP {
			return uint64(-o.ID), nil
		}
		return uint64(o.ID), nil
	case abi.F_SETOWN:
		who, kind := int(int32(arg)), abi.F_OWNER_PID
		if who < 0 {
			if who == -1<<31 {
				return 0, abi.EINVAL
			}
			who, kind = -who, abi.F_OWNER_PGRP
		}
		if who != 0 && !k.IDInUse(who) {
			return 0, abi.ESRCH
		}
		of.SetOwner(kind, who)
		return 0, nil
	case abi.F_GETOWN_EX:
		o := of.Owner()
		var b [8]byte
		binary.LittleEndian.PutUint32(b[0:], uint32(o.Kind))
		if o.ID != 0 && k.OwnerExists(o.Kind, o.ID) {
			binary.LittleEndian.PutUint32(b[4:], uint32(o.ID))
		}
		return 0, t.P.MM.CopyOut(uintptr(arg), b[:])
	case abi.F_SETOWN_EX:
		var b [8]byte
		if err := t.P.MM.CopyIn(uintptr(arg), b[:]); err != nil {
			return 0, err
		}
		kind, who := int(int32(binary.LittleEndian.Uint32(b[0:]))), int(int32(binary.LittleEndian.Uint32(b[4:])))
		if kind < abi.F_OWNER_TID || kind > abi.F_OWNER_PGRP {
			return 0, abi.EINVAL
		}
		if who != 0 && !k.IDInUse(who) {
			return 0, abi.ESRCH
		}
		of.SetOwner(kind, who)
		return 0, nil
	case abi.F_GETSIG:
		return uint64(of.Owner().Signal), nil
	default: // F_SETSIG
		sig := uint64(int64(int32(arg)))
		if sig > libstarry.NSIG {
			return 0, abi.EINVAL
		}
		of.SetOwnerSignal(int(sig))
		return 0, nil
	}
}

// sysGetdents64 is getdents64 on a directory: entries from the file's
// position, as many as fit (EINVAL if not even one does); the position
// moves past the ones returned, and stays valid while entries come and
// go.
func sysGetdents64(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	d, ok := of.File.(libstarry.DirReader)
	if !ok {
		return 0, abi.ENOTDIR
	}
	limit := int(min(a[2], maxIO))
	var out []byte
	full := false
	err = d.ReadDir(func(e vfs.DirEntry) bool {
		rec := direntRecord(e)
		if len(out)+len(rec) > limit {
			full = true
			return false
		}
		out = append(out, rec...)
		return true
	})
	switch {
	case err != nil:
		return 0, err
	case len(out) == 0 && full:
		return 0, abi.EINVAL
	}
	return uint64(len(out)), t.P.MM.CopyOut(uintptr(a[1]), out)
}

// direntRecord encodes struct linux_dirent64, padded to 8 bytes.
func direntRecord(e vfs.DirEntry) []byte {
	size := (19 + len(e.Name) + 1 + 7) &^ 7
	b := make([]byte, size)
	binary.LittleEndian.PutUint64(b[0:], e.Ino)
	binary.LittleEndian.PutUint64(b[8:], uint64(e.Next))
	binary.LittleEndian.PutUint16(b[16:], uint16(size))
	b[18] = byte(e.Type >> 12) // DT_* is the S_IF* type shifted down
	copy(b[19:], e.Name)
	return b
}

// atFDCWD is AT_FDCWD (-100) as the 32-bit register value callers pass.
const atFDCWD = 0xffffff9c
