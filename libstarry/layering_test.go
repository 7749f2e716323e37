package libstarry

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering enforces the exokernel's rule: the library OS and the Linux
// personality reach the machine only through exo. None of their packages,
// and no non-standard package they depend on however indirectly (so not
// golang.org/x/sys/unix: personality/linux/abi copies its constants),
// imports unsafe, and none is under hw/. Only the standard library may
// use unsafe beneath them.
func TestLayering(t *testing.T) {
	const mod = "github.com/starry-go/starry/"
	pkgs := []string{mod + "libstarry/...", mod + "personality/linux/..."}
	own := goList(t, append([]string{"-deps", "-f", "{{if not .Standard}}{{.ImportPath}}: {{join .Imports \" \"}}{{end}}"}, pkgs...)...)
	for _, line := range own {
		pkg, imports, _ := strings.Cut(line, ":")
		for _, imp := range strings.Fields(imports) {
			if imp == "unsafe" {
				t.Errorf("%s imports unsafe", pkg)
			}
		}
	}
	deps := goList(t, append([]string{"-deps"}, pkgs...)...)
	for _, d := range deps {
		if strings.HasPrefix(d, mod+"hw/") {
			t.Errorf("libstarry or personality/linux depends on %s", d)
		}
	}
	if len(own) < 2 || len(deps) < 2 {
		t.Fatalf("go list found too little: %v / %v", own, deps)
	}
}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}
