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
	Stat_t  = syscall.Stat_t
	Timeval = syscall.Timeval
	Rlimit  = syscall.Rlimit
)

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
