package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
	"golang.org/x/sys/unix"
)

// TestGeneratedFileIsCurrent regenerates zconsts.go and compares: a new
// abi name in the code, or a changed x/sys/unix, makes it stale.
func TestGeneratedFileIsCurrent(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	want, err := Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, OutFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run go generate ./personality/linux/abi", OutFile)
	}
}

// TestHandWrittenParts checks types.go against x/sys/unix and Linux's
// struct sizes.
func TestHandWrittenParts(t *testing.T) {
	if abi.Mkdev(5, 1) != unix.Mkdev(5, 1) || abi.Mkdev(4100, 300000) != unix.Mkdev(4100, 300000) {
		t.Error("Mkdev differs from x/sys/unix")
	}
	if abi.EPERM != unix.EPERM || abi.SIGKILL != unix.SIGKILL || abi.AT_FDCWD != unix.AT_FDCWD ||
		abi.RLIM_INFINITY != uint64(unix.RLIM_INFINITY) || abi.SYS_CLONE != unix.SYS_CLONE {
		t.Error("generated constants differ from x/sys/unix")
	}
	for name, c := range map[string]struct {
		v    any
		size int
	}{
		"stat": {abi.Stat_t{}, 144}, "utsname": {abi.Utsname{}, 6 * 65}, "winsize": {abi.Winsize{}, 8},
		"timeval": {abi.Timeval{}, 16}, "rlimit": {abi.Rlimit{}, 16},
	} {
		if n := binary.Size(c.v); n != c.size {
			t.Errorf("struct %s encodes to %d bytes, Linux's is %d", name, n, c.size)
		}
	}
}
