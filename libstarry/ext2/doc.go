// Package ext2 is Linux's ext2 (fs/ext2) for this kernel: a vfs file
// system kept on a block device (a loop device's backing file), read and
// written with encoding/binary.
//
// # On disk
//
// It reads revision 0 and 1 file systems with 1, 2 or 4 KiB blocks, the
// sparse_super, large_file and filetype features, and ignores compat
// features (resize_inode's reserved blocks are already marked used; an
// indexed directory's index blocks read as empty entries, as fs/ext2
// treats them). An unknown incompat feature refuses the mount, an
// unknown ro_compat one a read-write mount (EINVAL), as ext2_fill_super
// does. Directories are linear; inode times are whole seconds on disk,
// as ext2 stores them, and nanoseconds in memory while the inode is
// cached (which, here, is for the life of the instance).
//
// # Writing
//
// File data goes straight to the device. Metadata blocks (bitmaps,
// inode tables, indirect and directory blocks) are cached; every
// operation marks what it changed and writes it, with the group
// descriptors and superblock counts, before it returns, so the device
// is consistent between operations and Sync only has to stamp the
// superblock. Mapped pages (mmap) are frames filled from the file and
// written back on Sync, Close of the last user and truncation.
//
// # Locks
//
// One mutex per instance serializes every operation. It is a leaf
// under the vfs's directory locks; the vfs Inode lock is taken under it.
package ext2
