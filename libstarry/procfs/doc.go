// Package procfs is /proc (Linux's fs/proc): a vfs file system whose
// directories are made on lookup and readdir from a Source, the library
// OS's snapshot of its processes and of the machine, and whose files'
// contents are made when they are opened, as seq_file makes them.
//
// procfs does not import libstarry (which mounts it): libstarry
// implements Source and calls Open from its open path. Who is looking
// reaches procfs through vfs.Creds.Caller, so that "self" (a
// vfs.CallerLink) names the reader's process, and the magic links (exe,
// cwd, root, fd/N: vfs.MagicLink) jump straight to their objects.
//
// Each file names the Linux function whose output it reproduces; the
// formats are Linux 6.x's, byte for byte where tools parse them.
package procfs
