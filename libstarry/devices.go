package libstarry

import (
	"github.com/starry-go/starry/exo"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The character devices every program expects (drivers/char/mem.c and
// the tty layer's /dev/tty and /dev/console): NewFiles makes their nodes
// under /dev, and Open serves any node by its device number.

// Device numbers (Documentation/admin-guide/devices.txt).
const (
	memMajor   = 1 // null 3, zero 5, full 7, random 8, urandom 9
	ttyMajor   = 5 // tty 0, console 1
	minNull    = 3
	minZero    = 5
	minFull    = 7
	minRandom  = 8
	minURandom = 9
)

// deviceNodes are the /dev entries for the devices Open serves.
func deviceNodes() []InitEntry {
	return append([]InitEntry{
		InitDir("dev", 0o755),
		InitCharDev("dev/null", 0o666, memMajor, minNull),
		InitCharDev("dev/zero", 0o666, memMajor, minZero),
		InitCharDev("dev/full", 0o666, memMajor, minFull),
		InitCharDev("dev/random", 0o666, memMajor, minRandom),
		InitCharDev("dev/urandom", 0o666, memMajor, minURandom),
		InitCharDev("dev/tty", 0o666, ttyMajor, 0),
		InitCharDev("dev/console", 0o600, ttyMajor, 1),
		InitCharDev("dev/ptmx", 0o666, ttyMajor, ptmxMinor),
		InitDir("dev/pts", 0o755),
		// The descriptors' names (udev's and devtmpfs users' links).
		InitSymlink("dev/fd", "/proc/self/fd"),
		InitSymlink("dev/stdin", "/proc/self/fd/0"),
		InitSymlink("dev/stdout", "/proc/self/fd/1"),
		InitSymlink("dev/stderr", "/proc/self/fd/2"),
	}, loopNodes()...)
}

// memDevice is /dev/null, /dev/zero, /dev/full or a random device.
type memDevice struct {
	minor uint32
	stat  func() fd.Stat
}

func (d memDevice) Read(_ fd.Ctx, b []byte) (int, error) {
	switch d.minor {
	case minNull:
		return 0, nil
	case minRandom, minURandom:
		exo.Random(b)
		return len(b), nil
	}
	clear(b) // zero and full read as zeros
	return len(b), nil
}

func (d memDevice) Write(_ fd.Ctx, b []byte) (int, error) {
	if d.minor == minFull {
		return 0, abi.ENOSPC
	}
	return len(b), nil // null, zero and the random devices take anything
}

func (d memDevice) Stat() fd.Stat { return d.stat() }

// sinkDevice is /dev/null, /dev/zero or /dev/full: writes that never
// read their bytes (write_null, write_full). The random devices read
// theirs, to mix them in.
type sinkDevice struct{ memDevice }

func (d sinkDevice) Sink(n int) (int, error) {
	if d.minor == minFull {
		return 0, abi.ENOSPC
	}
	return n, nil
}

// ReadAt: the memory devices ignore the offset (pread works, as on Linux).
func (d memDevice) ReadAt(b []byte, _ int64) (int, error) { return d.Read(fd.Ctx{}, b) }

// Seek always lands at 0, as null_lseek and the zero device's do.
func (d memDevice) Seek(int64, int) (int64, error) { return 0, nil }

// openDevice opens a character device node: ENXIO for a number no
// driver here serves.
func (p *Process) openDevice(q vfs.Path, flags int) (fd.File, error) {
	rdev := q.Dentry.Inode().Attr().Rdev
	major, minor := uint32((rdev>>8)&0xfff), uint32(rdev&0xff|(rdev>>12)&0xfff00)
	stat := func() fd.Stat { return p.cfg.FS.statOf(q) }
	switch {
	case major == memMajor && (minor == minNull || minor == minZero || minor == minFull):
		return sinkDevice{memDevice{minor, stat}}, nil
	case major == memMajor && (minor == minRandom || minor == minURandom):
		return memDevice{minor, stat}, nil
	case major == ttyMajor:
		return p.openTtyDevice(minor, flags, stat)
	case major == ptsMajor:
		return p.openSlave(int(minor), flags, stat)
	case major == miscMajor && minor == loopCtlMinor:
		return &LoopControl{fs: p.cfg.FS, stat: stat}, nil
	}
	return nil, abi.ENXIO
}

// openBlockDevice opens a block device node: loop devices are the only
// block devices here.
func (p *Process) openBlockDevice(q vfs.Path) (fd.File, error) {
	rdev := q.Dentry.Inode().Attr().Rdev
	major, minor := uint32((rdev>>8)&0xfff), uint32(rdev&0xff|(rdev>>12)&0xfff00)
	if major != loopMajor {
		return nil, abi.ENXIO
	}
	return p.cfg.FS.openLoop(int(minor), func() fd.Stat { return p.cfg.FS.statOf(q) })
}
