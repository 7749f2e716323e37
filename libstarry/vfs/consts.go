package vfs

// sIXUGO is S_IXUGO, any execute bit, which x/sys/unix lacks.
const sIXUGO = 0o0111

// Rename flags (renameat2, include/uapi/linux/fs.h).
const (
	RenameNoReplace = 1
	RenameExchange  = 2
	RenameWhiteout  = 4
)

// Limits of one path resolution (include/uapi/linux/limits.h and
// include/linux/namei.h).
const (
	PathMax     = 4096 // bytes, including the terminating NUL
	NameMax     = 255  // bytes in one component
	MaxSymlinks = 40   // symlinks followed in one resolution
)
