package abi

import "syscall"

// Errno and Signal are the standard library's, as in x/sys/unix, so
// errno values print as their messages.
type (
	Errno  = syscall.Errno
	Signal = syscall.Signal
)

// Struct layouts the standard library has for linux/amd64.
type (
	Stat_t   = syscall.Stat_t
	Timeval  = syscall.Timeval
	Rlimit   = syscall.Rlimit
	Statfs_t = syscall.Statfs_t
)

// Statx_t is struct statx (include/uapi/linux/stat.h), 256 bytes; x/sys
// has it too, but this package stays free of unsafe.
type Statx_t struct {
	Mask, Blksize              uint32
	Attributes                 uint64
	Nlink, Uid, Gid            uint32
	Mode                       uint16
	_                          uint16
	Ino, Size, Blocks          uint64
	AttributesMask             uint64
	Atime, Btime, Ctime, Mtime StatxTimestamp
	RdevMajor, RdevMinor       uint32
	DevMajor, DevMinor         uint32
	MntID                      uint64
	DioMemAlign, DioOffset     uint32
	_                          [12]uint64
}

// StatxTimestamp is struct statx_timestamp.
type StatxTimestamp struct {
	Sec  int64
	Nsec uint32
	_    int32
}

// Utsname is struct utsname with byte fields (syscall's uses int8).
type Utsname struct {
	Sysname, Nodename, Release, Version, Machine, Domainname [65]byte
}

// Winsize is struct winsize (TIOCGWINSZ).
type Winsize struct {
	Row, Col, Xpixel, Ypixel uint16
}

// Mkdev encodes a device number as glibc's makedev (and Linux's
// new_encode_dev) does.
func Mkdev(major, minor uint32) uint64 {
	return uint64(major&0x00000fff)<<8 | uint64(major&0xfffff000)<<32 |
		uint64(minor&0x000000ff) | uint64(minor&0xffffff00)<<12
}
