package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// goOSNetworkTests are the os test cases that need TCP, which the kernel
// does not have yet (the network issue): they fail with "tcp is not
// supported", and so do the tests above them. Every other case of Go's
// os package must pass in the guest.
var goOSNetworkTests = regexp.MustCompile(`(?i)tcp|^TestLargeCopyViaNetwork$|^TestGetPollFDAndNetwork$`)

// TestGoOSPackage runs the Go standard library's own os tests (go test
// -c os, -short) in the guest, from a copy of their package directory
// with busybox as /usr/bin and the host's /etc/passwd and group, and
// requires every case to pass but those that need TCP.
func TestGoOSPackage(t *testing.T) {
	requireQEMU(t)
	dir := t.TempDir()
	osTest := filepath.Join(dir, "os.test")
	build := exec.Command("go", "test", "-c", "-o", osTest, "os")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go test -c os: %v\n%s", err, out)
	}
	bb := hostBusybox(t)
	usr := filepath.Join(dir, "usr")
	etc := filepath.Join(dir, "etc")
	for _, d := range []string{usr, etc} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(usr, "busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"sh", "pwd", "ls", "cat", "echo", "true", "false", "sleep"} {
		if err := os.Symlink("busybox", filepath.Join(usr, a)); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"passwd", "group", "hosts"} {
		if b, err := os.ReadFile("/etc/" + f); err == nil {
			_ = os.WriteFile(filepath.Join(etc, f), b, 0o644)
		}
	}
	src := filepath.Join(runtime.GOROOT(), "src", "os")
	r := starry(t, nil, "run", "--accel", "tcg", "--timeout", "500s", "--mem", "1024", "--kernel", kernelImage(t),
		"--add", osTest+":/bin/os.test", "--add", usr+":/usr/bin", "--add", etc+":/etc", "--add", src+":/src/os",
		"--", "/usr/bin/sh", "-c", "cd /src/os && TMPDIR=/tmp /bin/os.test -test.v -test.short")
	out := strings.ReplaceAll(r.stdout, "\r", "")
	passed := len(regexp.MustCompile(`(?m)^\s*--- PASS: `).FindAllString(out, -1))
	var failed, network []string
	for _, m := range regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`).FindAllStringSubmatch(out, -1) {
		failed = append(failed, m[1])
		if goOSNetworkTests.MatchString(m[1]) {
			network = append(network, m[1])
		}
	}
	var bad []string
	for _, f := range failed {
		ok := false
		for _, n := range network {
			ok = ok || n == f || strings.HasPrefix(n, f+"/") // a parent fails with its TCP case
		}
		if !ok {
			bad = append(bad, f)
		}
	}
	switch {
	case !strings.Contains(out, "starry: exit "):
		t.Errorf("the os tests did not finish\n%v", r)
	case len(bad) > 0:
		t.Errorf("%d os tests fail in the guest (%d cases passed): %s\n%v", len(bad), passed, strings.Join(bad, " "), r)
	case passed < 3000:
		t.Errorf("only %d os test cases passed\n%v", passed, r)
	}
	t.Logf("%d cases of Go's os tests passed in the guest", passed)
}
