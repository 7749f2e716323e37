package abi

// Inode flags and their ioctls (include/uapi/linux/fs.h) that x/sys/unix
// lacks: the FS_*_FL flags of FS_IOC_GETFLAGS and FS_IOC_SETFLAGS, the
// FS_XFLAG_* flags of struct fsxattr, and the 32-bit request numbers.
const (
	FS_SECRM_FL       = 0x1
	FS_UNRM_FL        = 0x2
	FS_COMPR_FL       = 0x4
	FS_SYNC_FL        = 0x8
	FS_IMMUTABLE_FL   = 0x10
	FS_APPEND_FL      = 0x20
	FS_NODUMP_FL      = 0x40
	FS_NOATIME_FL     = 0x80
	FS_DAX_FL         = 0x02000000
	FS_PROJINHERIT_FL = 0x20000000

	FS_XFLAG_IMMUTABLE    = 0x8
	FS_XFLAG_APPEND       = 0x10
	FS_XFLAG_SYNC         = 0x20
	FS_XFLAG_NOATIME      = 0x40
	FS_XFLAG_NODUMP       = 0x80
	FS_XFLAG_PROJINHERIT  = 0x200
	FS_XFLAG_EXTSIZE      = 0x800
	FS_XFLAG_EXTSZINHERIT = 0x1000
	FS_XFLAG_DAX          = 0x8000
	FS_XFLAG_COWEXTSIZE   = 0x10000

	FS_IOC32_GETFLAGS = 0x80046601 // _IOR('f', 1, int)
	FS_IOC32_SETFLAGS = 0x40046602 // _IOW('f', 2, int)
	FS_IOC_FSGETXATTR = 0x801c581f // _IOR('X', 31, struct fsxattr)
	FS_IOC_FSSETXATTR = 0x401c5820 // _IOW('X', 32, struct fsxattr)
	SizeofFsxattr     = 28
)
