package binfmt

import (
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/personality/linux/abi"
)

// fakeFiles is a file system for exec: absolute paths to files, with
// every parent directory implied.
type fakeFiles map[string]fakeFile

type fakeFile struct {
	mode uint32
	data []byte
}

func (f fakeFiles) Open(p string) (uint32, mm.Object, error) {
	p = path.Clean("/" + p)
	if file, ok := f[p]; ok {
		return file.mode, mm.Bytes(file.data), nil
	}
	for name := range f {
		if len(name) > len(p) && name[:len(p)] == p && (p == "/" || name[len(p)] == '/') {
			return abi.S_IFDIR | 0o755, mm.Bytes(nil), nil
		}
	}
	return 0, nil, abi.ENOENT
}

// files makes a fakeFiles from entries.
func files(es ...fakeEntry) fakeFiles {
	f := fakeFiles{}
	for _, e := range es {
		f[path.Clean("/"+e.name)] = fakeFile{e.mode, e.data}
	}
	return f
}

type fakeEntry struct {
	name string
	mode uint32
	data []byte
}

// exe is an executable regular file; file one with the given permissions.
func exe(name string, data []byte) fakeEntry { return fakeEntry{name, abi.S_IFREG | 0o755, data} }
func file(name string, data []byte, perm uint32) fakeEntry {
	return fakeEntry{name, abi.S_IFREG | perm, data}
}

// newMM makes an empty address space on a fresh sim machine.
func newMM(t testing.TB) (*mm.MM, *sim.Machine) {
	m := sim.New(1 << 16)
	env, err := exo.New(m, time.Millisecond).NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	a := mm.New(env, 0)
	t.Cleanup(func() {
		a.Release()
		env.Destroy()
		if n := m.FramesInUse(); n != 0 {
			t.Errorf("%d frames still in use after Release and Destroy", n)
		}
	})
	return a, m
}

var buildOnce sync.Map

// buildProgram compiles a tiny program with one of the host toolchains
// and returns its bytes, skipping the test when the toolchain is absent.
func buildProgram(t testing.TB, kind string) []byte {
	t.Helper()
	if v, ok := buildOnce.Load(kind); ok {
		return v.([]byte)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "prog")
	var cmd *exec.Cmd
	csrc := filepath.Join(dir, "h.c")
	if err := os.WriteFile(csrc, []byte("#include <stdio.h>\nint main(){puts(\"hello\");return 0;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	switch kind {
	case "busybox": // Debian's busybox-static, when installed
		data, err := os.ReadFile("/bin/busybox")
		if err != nil {
			t.Skip("no /bin/busybox")
		}
		return data
	case "go":
		src := filepath.Join(dir, "main.go")
		if err := os.WriteFile(src, []byte("package main\nfunc main(){println(\"hi\")}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd = exec.Command("go", "build", "-o", out, src)
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	case "musl":
		cmd = exec.Command("musl-gcc", "-static", "-o", out, csrc)
	case "glibc":
		cmd = exec.Command("gcc", "-static", "-o", out, csrc)
	case "glibc-pie":
		cmd = exec.Command("gcc", "-static-pie", "-o", out, csrc)
	case "dynamic":
		cmd = exec.Command("gcc", "-o", out, csrc)
	}
	if _, err := exec.LookPath(cmd.Path); err != nil {
		t.Skipf("%s toolchain not found", kind)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("building %s program: %v\n%s", kind, err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	buildOnce.Store(kind, data)
	return data
}
