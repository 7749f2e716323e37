// Package vfs is the library OS's virtual file system core: inodes that a
// file system implements (InodeOps), the dentry cache over them, mounts and
// the mount table of a namespace, path resolution, and the directory
// operations (create, link, unlink, rmdir, rename) that keep the cache
// right. It follows Linux's fs/namei.c, fs/namespace.c and fs/dcache.c for
// behaviour and errno order; the split between VFS and file system is
// gVisor's (pkg/sentry/vfs) in spirit. File contents, open files and
// system calls live elsewhere.
//
// # Errors
//
// Errors are abi errnos, and where several apply the one returned is the
// one Linux returns. The order of checks was read from Linux's source
// (torvalds/linux, a 6.x fs/namei.c with lookup_one_qstr_excl and
// lock_two_directories): getname_flags, path_init, link_path_walk,
// step_into, pick_link, follow_dotdot, handle_dots, complete_walk and
// path_lookupat for resolution; filename_create, may_create, may_delete,
// vfs_mkdir, do_mknodat, vfs_mknod, do_symlinkat, do_linkat, vfs_link,
// do_unlinkat, vfs_unlink, do_rmdir, vfs_rmdir, do_renameat2, lock_rename
// and vfs_rename for the directory operations; generic_permission and
// acl_permission_check for Permission; notify_change and setattr_prepare
// (fs/attr.c) for SetAttr; vfs_fileattr_set and fileattr_set_prepare
// (fs/file_attr.c) for SetFileAttr, and inode_permission, may_delete,
// vfs_link and may_setattr for the append-only and immutable flags;
// lock_mount, do_add_mount, graft_tree, can_umount and do_umount
// (fs/namespace.c) for mounts. Each function here names the Linux
// functions it follows.
//
// # Concurrency
//
// Everything here may be used by many goroutines at once (one per user
// thread). Dentries are never freed while reachable: Go's collector takes
// the place of Linux's reference counts, so a Path held by a thread (its
// cwd, an open directory) stays valid after the entry is removed; it is
// then Dead.
//
// # Lock order
//
// Locks are taken only in this order; a lock later in the list is never
// held while taking an earlier one.
//
//  1. FileSystem.renameMu (Linux's s_vfs_rename_mutex): held by a rename
//     between two different directories for its ancestry check and while
//     it holds both directories' dirMu.
//  2. Dentry.dirMu (Linux's i_rwsem of a directory): exclusive for any
//     change to the directory's entries, shared for a lookup that misses
//     the cache. Two are held together only parent before child (rmdir:
//     the parent, then the victim; rename: the parents, then a directory
//     it replaces), or, for two directories neither of which is an
//     ancestor of the other, only under renameMu (a cross-directory
//     rename). Mount holds the mount point's dirMu so that it cannot race
//     with the point's removal.
//  3. Inode.setMu: held by SetAttr and SetFileAttr across their
//     permission checks and the file system's SetAttr or SetFileAttr.
//  4. The file system's own locks: InodeOps methods are called with the
//     dirMu locks above held and must not call back into this package,
//     except for Inode.Attr, Inode.Update and NewInode.
//  5. mountLock (every MountTable's mu: one lock for all namespaces, as
//     propagation changes several at once): a leaf but for the Dentry.mu
//     it reads under.
//  6. Inode.mu and Dentry.mu: leaves, held only to read or write the
//     fields they guard. Only rename holds several Dentry.mu at once (the
//     parents and the entries it moves, so that a lookup sees a rename
//     whole or not at all), taken in order of the dentries' ids.
//
// Path resolution takes no lock across steps: each step reads one
// dentry's children under its mu and, on a miss, takes that directory's
// dirMu shared to ask the file system. A resolution racing with a rename
// sees each step either before or after it, as Linux's ref-walk does.
package vfs
