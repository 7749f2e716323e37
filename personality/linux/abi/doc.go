// Package abi holds the x86-64 Linux ABI constants and struct layouts
// that libstarry and the personality speak: system call numbers, errno,
// flags, signal numbers.
//
// The constants come from golang.org/x/sys/unix, copied by
// tools/abigen into zconsts.go (run `go generate` here), because that
// package uses unsafe and the library OS must not depend on code that
// does. tools/abigen's test fails when zconsts.go no longer matches
// x/sys/unix or the names the code uses. types.go has what the generated
// file does not: the std syscall types and two small structs.
package abi

//go:generate go run ../../../tools/abigen
