// Package libstarry will hold the library OS that runs one instance per
// process: address-space map, fd table, signals, exec, VFS, pipes, tty and
// futexes. It imports neither unsafe nor hw/... Not implemented yet (issue 3).
package libstarry
