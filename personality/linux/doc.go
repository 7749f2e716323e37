// Package linux is the x86-64 Linux ABI over libstarry: one declarative
// system call table (table.go; README.md is generated from it), one file
// per call family (sys_rw, sys_fs, sys_mm, sys_signal, sys_thread,
// sys_process, sys_info, sys_time), and one boundary (errno.go) where
// libstarry's typed errors become -errno in RAX.
//
// The kernel starts a program with Start and waits on the returned
// libstarry.Process.
package linux
