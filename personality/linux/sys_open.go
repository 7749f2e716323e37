package linux

import (
	"encoding/binary"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

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
	return openIn(t, a[0], path, int(int32(a[2])), uint32(a[3]), 0)
}

// openIn opens path from dirfd and installs the file: the table must
// have room before the path is looked at (EMFILE first).
func openIn(t *libstarry.Thread, dirfd uint64, path string, flags int, mode uint32, rf vfs.Flags) (uint64, error) {
	if !t.P.FDs.Room(t.P.NoFile()) {
		return 0, abi.EMFILE
	}
	w, err := where(t, dirfd, path)
	if err != nil {
		return 0, err
	}
	of, err := t.P.OpenFlags(w, path, flags, mode, rf)
	if err != nil {
		return 0, restartable(err) // a FIFO's open waits interruptibly
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

func sysCreat(t *libstarry.Thread, a Args) (uint64, error) {
	return sysOpenat(t, Args{atFDCWD, a[0], abi.O_CREAT | abi.O_WRONLY | abi.O_TRUNC, a[1]})
}

// validOpenFlags is VALID_OPEN_FLAGS: what openat2 accepts (O_LARGEFILE
// is 0 on x86-64's uapi but 0x8000 in the kernel).
const validOpenFlags = abi.O_ACCMODE | abi.O_CREAT | abi.O_EXCL | abi.O_NOCTTY | abi.O_TRUNC | abi.O_APPEND |
	abi.O_NONBLOCK | abi.O_SYNC | abi.O_DSYNC | abi.O_ASYNC | abi.O_DIRECT | oLargefile | abi.O_DIRECTORY |
	abi.O_NOFOLLOW | abi.O_NOATIME | abi.O_CLOEXEC | abi.O_PATH | oTmpfileBit

const oLargefile = 0x8000

// The RESOLVE_* flags of openat2 (include/uapi/linux/openat2.h).
const (
	resolveNoXdev       = 0x01
	resolveNoMagiclinks = 0x02
	resolveNoSymlinks   = 0x04
	resolveBeneath      = 0x08
	resolveInRoot       = 0x10
	resolveCached       = 0x20
)

// openHowSize is OPEN_HOW_SIZE_VER0: struct open_how {flags, mode, resolve}.
const openHowSize = 24

// sysOpenat2 is openat2(dirfd, path, how, size): copy_struct_from_user's
// size rules (EINVAL below the first version, E2BIG past a page or for
// unknown nonzero tail bytes), then build_open_flags' strict checks:
// unknown flags, a mode without O_CREAT or O_TMPFILE, bad mode bits and
// unknown or contradictory RESOLVE_* flags are EINVAL.
func sysOpenat2(t *libstarry.Thread, a Args) (uint64, error) {
	size := a[3]
	if size < openHowSize {
		return 0, abi.EINVAL
	}
	if size > 4096 {
		return 0, abi.E2BIG
	}
	how := make([]byte, size)
	if err := t.P.MM.CopyIn(uintptr(a[2]), how); err != nil {
		return 0, err
	}
	for _, c := range how[openHowSize:] {
		if c != 0 {
			return 0, abi.E2BIG
		}
	}
	le := binary.LittleEndian
	flags, mode, resolve := le.Uint64(how), le.Uint64(how[8:]), le.Uint64(how[16:])
	switch {
	case flags&^uint64(validOpenFlags) != 0:
		return 0, abi.EINVAL
	case flags&(abi.O_CREAT|oTmpfileBit) == 0 && mode != 0:
		return 0, abi.EINVAL
	case mode&^0o7777 != 0:
		return 0, abi.EINVAL
	case resolve&^(resolveNoXdev|resolveNoMagiclinks|resolveNoSymlinks|resolveBeneath|resolveInRoot|resolveCached) != 0:
		return 0, abi.EINVAL
	case resolve&(resolveBeneath|resolveInRoot) == resolveBeneath|resolveInRoot:
		return 0, abi.EINVAL
	case resolve&resolveCached != 0 && flags&(abi.O_TRUNC|abi.O_CREAT|oTmpfileBit) != 0:
		return 0, abi.EAGAIN
	}
	if err := checkOpenFlags(int(flags)); err != nil {
		return 0, err
	}
	path, err := t.P.MM.CopyInPath(uintptr(a[1]))
	if err != nil {
		return 0, err
	}
	return openIn(t, a[0], path, int(flags), uint32(mode), resolveFlags(resolve))
}

// resolveFlags turns RESOLVE_* into resolution flags (RESOLVE_CACHED
// needs nothing: every dentry is cached).
func resolveFlags(r uint64) vfs.Flags {
	var f vfs.Flags
	for bit, v := range map[uint64]vfs.Flags{resolveNoXdev: vfs.ResolveNoXdev, resolveNoMagiclinks: vfs.ResolveNoMagiclinks,
		resolveNoSymlinks: vfs.ResolveNoSymlinks, resolveBeneath: vfs.ResolveBeneath, resolveInRoot: vfs.ResolveInRoot} {
		if r&bit != 0 {
			f |= v
		}
	}
	return f
}
