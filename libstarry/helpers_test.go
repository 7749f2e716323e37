package libstarry

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
)

// entries lists initramfs entries (tests read like the archives they stand for).
func entries(t testing.TB, es ...InitEntry) []InitEntry { return es }

// exe is an executable regular file.
func exe(name string, data []byte) InitEntry { return InitFile(name, data, 0o755) }

// newMachine makes a sim machine and an exokernel over it.
func newMachine() (*sim.Machine, *exo.Exokernel) {
	m := sim.New(1 << 16)
	return m, exo.New(m, time.Millisecond)
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
