package linux

import (
	"github.com/starry-go/starry/libstarry"
	fdt "github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The calls on an open file's contents besides read and write: writes
// at an offset, vectored reads and writes at one, sizing and syncing.

var fileRows = []Syscall{
	{Nr: abi.SYS_FTRUNCATE, Name: "ftruncate", Fn: sysFtruncate, Support: Supported},
	{Nr: abi.SYS_FALLOCATE, Name: "fallocate", Fn: sysFallocate, Support: Partial, Note: "modes 0, KEEP_SIZE and PUNCH_HOLE|KEEP_SIZE on tmpfs; others EOPNOTSUPP"},
	{Nr: abi.SYS_FSYNC, Name: "fsync", Fn: sysFsync, Support: Supported},
	{Nr: abi.SYS_FDATASYNC, Name: "fdatasync", Fn: sysFsync, Support: Supported},
	{Nr: abi.SYS_SYNC, Name: "sync", Fn: sysSync, Support: Supported},
	{Nr: abi.SYS_SYNCFS, Name: "syncfs", Fn: sysSyncfs, Support: Supported},
	{Nr: abi.SYS_INOTIFY_INIT, Name: "inotify_init", Support: Refused, Errno: abi.ENOSYS, Note: "no file-change notification yet: programs fall back to polling"},
	{Nr: abi.SYS_INOTIFY_INIT1, Name: "inotify_init1", Support: Refused, Errno: abi.ENOSYS, Note: "as inotify_init"},
	{Nr: abi.SYS_INOTIFY_ADD_WATCH, Name: "inotify_add_watch", Support: Refused, Errno: abi.ENOSYS, Note: "as inotify_init"},
	{Nr: abi.SYS_INOTIFY_RM_WATCH, Name: "inotify_rm_watch", Support: Refused, Errno: abi.ENOSYS, Note: "as inotify_init"},
	{Nr: abi.SYS_FANOTIFY_INIT, Name: "fanotify_init", Support: Refused, Errno: abi.ENOSYS, Note: "as inotify_init"},
}

// sysPwrite64 is ksys_pwrite64: a negative offset, the descriptor,
// ESPIPE for what cannot seek, the access mode, access_ok, the file.
func sysPwrite64(t *libstarry.Thread, a Args) (uint64, error) {
	if int64(a[3]) < 0 {
		return 0, abi.EINVAL
	}
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	wa, ok := of.File.(fdt.WriterAt)
	switch {
	case !ok:
		return 0, abi.ESPIPE
	case of.Flags()&abi.O_ACCMODE == abi.O_RDONLY:
		return 0, abi.EBADF
	}
	if !accessOK(a[1], a[2]) {
		return 0, abi.EFAULT
	}
	buf := make([]byte, min(a[2], maxIO))
	if err := t.P.MM.CopyIn(uintptr(a[1]), buf); err != nil {
		return 0, err
	}
	n, err := wa.WriteAt(of.Ctx(t), buf, int64(a[3]))
	return uint64(n), err
}

func sysPreadv(t *libstarry.Thread, a Args) (uint64, error) {
	return positioned(t, a, int64(a[3]), sysPread64, nil)
}

func sysPwritev(t *libstarry.Thread, a Args) (uint64, error) {
	return positioned(t, a, int64(a[3]), sysPwrite64, nil)
}

// The RWF_* flags that change nothing here: every write is as durable
// as it will ever be, and there is no polling I/O.
const rwfHarmless = 1 | 2 | 4 // RWF_HIPRI, RWF_DSYNC, RWF_SYNC

func sysPreadv2(t *libstarry.Thread, a Args) (uint64, error) {
	if a[5]&^rwfHarmless != 0 {
		return 0, abi.EOPNOTSUPP
	}
	return positioned(t, a, int64(a[3]), sysPread64, sysReadv)
}

func sysPwritev2(t *libstarry.Thread, a Args) (uint64, error) {
	if a[5]&^rwfHarmless != 0 {
		return 0, abi.EOPNOTSUPP
	}
	return positioned(t, a, int64(a[3]), sysPwrite64, sysWritev)
}

// positioned runs a vectored transfer at pos (do_preadv and
// do_pwritev): each iovec at the offset after the last, stopping at the
// first short one; pos -1 is the file position, as readv, for the
// *v2 calls, which pass plain.
func positioned(t *libstarry.Thread, a Args, pos int64, at, plain Handler) (uint64, error) {
	if pos == -1 && plain != nil {
		return plain(t, Args{a[0], a[1], a[2]})
	}
	if pos < 0 {
		return 0, abi.EINVAL
	}
	iov, err := iovecs(t, a[1], a[2])
	if err != nil {
		return 0, err
	}
	var total, want uint64
	for _, v := range iov {
		want += v[1]
	}
	for _, v := range iov {
		if want == 0 {
			break
		}
		n, err := at(t, Args{a[0], v[0], v[1], uint64(pos) + total})
		if err != nil && total == 0 {
			return 0, err
		}
		total += n
		if err != nil || n < v[1] {
			break
		}
	}
	if len(iov) == 0 || total == 0 {
		// The descriptor's own errors; a directory's EISDIR comes from
		// its read op, which a transfer of nothing never reaches
		// (do_iter_read returns 0 first).
		if _, err := at(t, Args{a[0], 0, 0, uint64(pos)}); err != nil && err != abi.EISDIR {
			return 0, err
		}
		return 0, nil
	}
	return total, nil
}

// sysFtruncate is do_ftruncate: a negative length, then a file open for
// writing (EINVAL otherwise, or EBADF without a descriptor), then a
// regular file (EINVAL).
func sysFtruncate(t *libstarry.Thread, a Args) (uint64, error) {
	if int64(a[1]) < 0 {
		return 0, abi.EINVAL
	}
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	tr, ok := of.File.(libstarry.Truncater)
	if !ok || of.Flags()&abi.O_ACCMODE == abi.O_RDONLY || of.Flags()&abi.O_PATH != 0 {
		if of.Flags()&abi.O_PATH != 0 {
			return 0, abi.EBADF
		}
		return 0, abi.EINVAL
	}
	return 0, tr.Truncate(t.P.Creds(), int64(a[1]))
}

// sysFallocate is vfs_fallocate: offset and length, the mode's flags,
// write access, then the file's type (ESPIPE for a pipe, ENODEV for
// other non-regular files).
func sysFallocate(t *libstarry.Thread, a Args) (uint64, error) {
	mode, off, length := uint32(a[1]), int64(a[2]), int64(a[3])
	if off < 0 || length <= 0 {
		return 0, abi.EINVAL
	}
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	if of.Flags()&abi.O_ACCMODE == abi.O_RDONLY {
		return 0, abi.EBADF
	}
	al, ok := of.File.(libstarry.Allocator)
	if !ok {
		if of.Stat().Mode&abi.S_IFMT == abi.S_IFIFO {
			return 0, abi.ESPIPE
		}
		return 0, abi.ENODEV
	}
	if off+length < 0 {
		return 0, abi.EFBIG
	}
	return 0, al.Fallocate(mode, off, length)
}

// sysFsync checks the descriptor (fsync, fdatasync): an O_PATH one is
// EBADF, a file with no fsync op (a pipe, a device) EINVAL; then the
// file system writes back (tmpfs has nothing to write; ext2 syncs the
// instance, its write error included).
func sysFsync(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	if of.Flags()&abi.O_PATH != 0 {
		return 0, abi.EBADF
	}
	pf, ok := of.File.(libstarry.PathFile)
	if !ok {
		return 0, abi.EINVAL
	}
	return 0, t.P.Files().SyncFS(pf.Path())
}

// sysSync is sync(2): every file system writes back; it cannot fail.
func sysSync(t *libstarry.Thread, a Args) (uint64, error) {
	t.P.Files().SyncAll()
	return 0, nil
}

// sysSyncfs syncs the file system a descriptor's file is on: any file
// will do but an O_PATH one.
func sysSyncfs(t *libstarry.Thread, a Args) (uint64, error) {
	of, err := file(t, a[0])
	if err != nil {
		return 0, err
	}
	defer of.DecRef()
	if of.Flags()&abi.O_PATH != 0 {
		return 0, abi.EBADF
	}
	if pf, ok := of.File.(libstarry.PathFile); ok {
		return 0, t.P.Files().SyncFS(pf.Path())
	}
	return 0, nil
}
