package linux

import (
	"encoding/binary"
	"strconv"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

func fsCalls() []Syscall {
	return []Syscall{
		part(abi.SYS_OPEN, "open", sysOpen, "read-only RamFS: write access or creation is EROFS"),
		part(abi.SYS_OPENAT, "openat", sysOpenat, "read-only RamFS: write access or creation is EROFS"),
		full(abi.SYS_CLOSE, "close", sysClose),
		full(abi.SYS_CLOSE_RANGE, "close_range", sysCloseRange),
		full(abi.SYS_READLINK, "readlink", sysReadlink),
		full(abi.SYS_READLINKAT, "readlinkat", sysReadlinkat),
		full(abi.SYS_GETCWD, "getcwd", sysGetcwd),
		full(abi.SYS_CHDIR, "chdir", sysChdir),
		part(abi.SYS_UMASK, "umask", sysUmask, "kept per fs context and inherited; nothing is created with it until the VFS is writable"),
		full(abi.SYS_ACCESS, "access", sysAccess),
		full(abi.SYS_FACCESSAT, "faccessat", sysFaccessat),
		full(abi.SYS_FACCESSAT2, "faccessat2", sysFaccessat2),
		full(abi.SYS_DUP, "dup", sysDup),
		full(abi.SYS_DUP2, "dup2", sysDup2),
		full(abi.SYS_DUP3, "dup3", sysDup3),
		part(abi.SYS_FCNTL, "fcntl", sysFcntl, "F_DUPFD(_CLOEXEC), F_GETFD/SETFD, F_GETFL/SETFL, F_GETOWN/SETOWN(_EX), F_GETSIG/SETSIG, F_GETOWNER_UIDS; the owner is recorded but no SIGIO is sent; record and lease locks are EINVAL"),
		full(abi.SYS_GETDENTS64, "getdents64", sysGetdents64),
	}
}

// dirOf resolves an *at call's dirfd: nil for AT_FDCWD (or an absolute
// path, which ignores it).
func dirOf(t *libstarry.Thread, dirfd uint64) (*libstarry.Inode, error) {
	fd := int(int32(dirfd))
	if fd == abi.AT_FDCWD {
		return nil, nil
	}
	of, err := t.P.FDs.Get(fd)
	if err != nil {
		return nil, err
	}
	defer of.DecRef()
	d, ok := of.File.(libstarry.DirLister)
	if !ok || !d.Dir().IsDir() {
		return nil, abi.ENOTDIR
	}
	return d.Dir(), nil
}

func sysOpen(t *libstarry.Thread, a Args) (uint64, error) {
	return sysOpenat(t, Args{atFDCWD, a[0], a[1], a[2]})
}

// sysOpenat is do_sys_openat2 for openat's flags: build_open_flags
// refuses impossible combinations before the path is read; unknown
// flags are dropped (only openat2 refuses them).
func sysOpenat(t *libstarry.Thread, a Args) (uint64, error) {
	if err := checkOpenFlags(int(a[2])); err != nil {
		return 0, err
	}
	path, err := t.P.MM.CopyInPath(uintptr(a[1]))
	if err != nil {
		return 0, err
	}
	if !t.P.FDs.Room(t.P.NoFile()) {
		return 0, abi.EMFILE
	}
	var dir *libstarry.Inode
	if path[0] != '/' {
		if dir, err = dirOf(t, a[0]); err != nil {
			return 0, err
		}
	}
	flags := int(int32(a[2]))
	of, err := t.P.Open(dir, path, flags)
	if err != nil {
		return 0, err
	}
	fd, err := t.P.FDs.Install(of, 0, t.P.NoFile(), flags&abi.O_CLOEXEC != 0)
	return uint64(fd), err
}

// oTmpfileBit is __O_TMPFILE alone; O_TMPFILE is it with O_DIRECTORY.
const oTmpfileBit = abi.O_TMPFILE &^ abi.O_DIRECTORY

// checkOpenFlags is build_open_flags' EINVAL cases: O_CREAT with
// O_DIRECTORY, and __O_TMPFILE without O_DIRECTORY or write access.
func checkOpenFlags(flags int) error {
	if flags&abi.O_PATH != 0 { // O_PATH beats everything else
		flags &= abi.O_DIRECTORY | abi.O_NOFOLLOW | abi.O_PATH | abi.O_CLOEXEC
	}
	switch {
	case flags&(abi.O_DIRECTORY|abi.O_CREAT) == abi.O_DIRECTORY|abi.O_CREAT:
		return abi.EINVAL
	case flags&oTmpfileBit != 0 && (flags&abi.O_TMPFILE != abi.O_TMPFILE || flags&abi.O_ACCMODE == abi.O_RDONLY):
		return abi.EINVAL
	}
	return nil
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

// sysReadlinkat knows /proc/self/exe (and /proc/<pid>/exe) besides the
// RamFS's own links. As do_readlinkat: the size first, then the path, an
// empty one naming dirfd itself (never a symlink here: ENOENT).
func sysReadlinkat(t *libstarry.Thread, a Args) (uint64, error) {
	if int64(a[3]) <= 0 {
		return 0, abi.EINVAL
	}
	path, err := t.P.MM.CopyInString(uintptr(a[1]), 4096)
	if err != nil {
		return 0, err
	}
	var target string
	switch {
	case path == "":
		if _, err := dirOf(t, a[0]); err != nil && err != abi.ENOTDIR {
			return 0, err
		}
		return 0, abi.ENOENT
	case path == "/proc/self/exe" || path == "/proc/"+strconv.Itoa(t.P.Pid())+"/exe":
		target = t.P.Exe()
	default:
		var dir *libstarry.Inode
		if path[0] != '/' {
			if dir, err = dirOf(t, a[0]); err != nil {
				return 0, err
			}
		}
		n, err := t.P.Lookup(dir, path, false)
		if err != nil {
			return 0, err
		}
		if !n.IsSymlink() {
			return 0, abi.EINVAL
		}
		target = n.Target
	}
	b := []byte(target)[:min(uint64(len(target)), a[3])]
	return uint64(len(b)), t.P.MM.CopyOut(uintptr(a[2]), b)
}

func sysGetcwd(t *libstarry.Thread, a Args) (uint64, error) {
	b := append([]byte(t.P.Cwd()), 0)
	if uint64(len(b)) > a[1] {
		return 0, abi.ERANGE
	}
	return uint64(len(b)), t.P.MM.CopyOut(uintptr(a[0]), b)
}

func sysChdir(t *libstarry.Thread, a Args) (uint64, error) {
	path, err := t.P.MM.CopyInPath(uintptr(a[0]))
	if err != nil {
		return 0, err
	}
	return 0, t.P.Chdir(path)
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

// accessAt is do_faccessat, checking as root does: reading always
// passes, writing fails on the read-only file system, executing needs
// some x bit. The mode, then the flags, are checked before the path.
func accessAt(t *libstarry.Thread, dirfd, pathVA, mode uint64, flags int) (uint64, error) {
	if mode&^uint64(abi.R_OK|abi.W_OK|abi.X_OK) != 0 || flags&^(atEaccess|abi.AT_SYMLINK_NOFOLLOW|abi.AT_EMPTY_PATH) != 0 {
		return 0, abi.EINVAL
	}
	st, err := statAt(t, dirfd, pathVA, flags)
	switch {
	case err != nil:
		return 0, err
	case mode&abi.W_OK != 0:
		return 0, abi.EROFS
	case mode&abi.X_OK != 0 && st.Mode&0o111 == 0:
		return 0, abi.EACCES
	}
	return 0, nil
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

// sysGetdents64 lists a RamFS directory: ".", "..", then the entries in
// name order; the file position counts entries already returned.
func sysGetdents64(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	d, ok := of.File.(libstarry.DirLister)
	if !ok || !d.Dir().IsDir() {
		return 0, abi.ENOTDIR
	}
	dir := d.Dir()
	names := append([]string{".", ".."}, dir.Names()...)
	pos, _ := d.Seek(0, 1)
	var out []byte
	for i := int(pos); i >= 0 && i < len(names); i++ {
		n := dir
		if i > 1 {
			n = dir.Child(names[i])
		}
		rec := direntRecord(n, names[i], int64(i+1))
		if uint64(len(out)+len(rec)) > min(a[2], maxIO) {
			if len(out) == 0 {
				return 0, abi.EINVAL
			}
			break
		}
		out = append(out, rec...)
		pos = int64(i + 1)
	}
	if err := t.P.MM.CopyOut(uintptr(a[1]), out); err != nil {
		return 0, err
	}
	_, _ = d.Seek(pos, 0)
	return uint64(len(out)), nil
}

// direntRecord encodes struct linux_dirent64, padded to 8 bytes.
func direntRecord(n *libstarry.Inode, name string, next int64) []byte {
	size := (19 + len(name) + 1 + 7) &^ 7
	b := make([]byte, size)
	binary.LittleEndian.PutUint64(b[0:], n.Ino)
	binary.LittleEndian.PutUint64(b[8:], uint64(next))
	binary.LittleEndian.PutUint16(b[16:], uint16(size))
	b[18] = byte(n.Mode >> 12) // DT_* is the S_IF* type shifted down
	copy(b[19:], name)
	return b
}

// atFDCWD is AT_FDCWD (-100) as the 32-bit register value callers pass.
const atFDCWD = 0xffffff9c
