// Package linux will hold the x86-64 Linux ABI: syscall numbers, argument
// decoding, struct layouts and errno, dispatching into libstarry. Not
// implemented yet (issue 3).
package linux
