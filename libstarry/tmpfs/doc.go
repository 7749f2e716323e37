// Package tmpfs is Linux's tmpfs (mm/shmem.c) for this kernel: a vfs file
// system whose regular files keep their contents in physical frames held
// by the pager, an exo Env that never runs code. A file's pages are then
// the file system's, not any process's, so a process that maps the file
// is granted the very frames a read or write reaches (a shared page
// cache), and the frames outlive every mapping but the file's own.
//
// # Pages
//
// Page i of a file is frame pages[i]; the map is sparse, and a hole reads
// as zeros without taking a frame. Frames come from pager.AllocFrame
// (zeroed by exo) and are counted against the instance's limit (Linux's
// size= option, in pages) before they are taken, so that two writers
// racing for the last page cannot both get it. Running out, of the limit
// or of the machine, is an error (ENOSPC, or ENOMEM for a fault), never a
// panic.
//
// # Life of an inode
//
// An inode lives while it has a name (its link count) or an open file
// description (Open and Close, which the file layer calls, and which an
// mmap should hold too, as a VMA holds its file). When both are gone its
// frames go back to the pager; exo frees each one when the last Env
// holding it (a process that mapped it) lets go.
//
// # Directories
//
// Each entry of a directory has a cookie, the directory's count of
// entries made before it, which is its ReadDir position and never
// changes; so a listing resumed from a position neither skips nor
// repeats an entry however many come and go meanwhile. The vfs emits "."
// and ".." itself at positions 0 and 1 and shifts these positions by 2.
// Directory sizes and link counts are shmem's: 20 bytes an entry (40 for
// an empty directory), and 2 links plus one per subdirectory.
//
// # Inode flags
//
// chattr's flags are shmem's since Linux 6.0 (fileattr.go): IMMUTABLE,
// APPEND, NODUMP and NOATIME may be set (any other flag is EOPNOTSUPP),
// a new inode takes NODUMP and NOATIME from its directory, and the first
// three show in statx's attributes. What the flags forbid is the vfs's
// to enforce (vfs.Inode.SetFlags), but for fallocate, which is here.
//
// # Locks
//
// Each node has a data lock (mu) for its pages, size and open count, and
// a directory has its own lock (dmu) for its entries, because the vfs
// serializes changes to a directory but lets lookups and ReadDir race
// with them. Two directory locks are held together only parent before
// child, or by a rename, which takes the two parents in inode-number
// order. A directory lock may be held while a data lock is taken (an
// unlink frees the victim's pages), never the other way; the vfs's Inode
// lock and exo's locks are leaves under both.
package tmpfs
