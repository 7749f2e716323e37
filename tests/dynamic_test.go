package tests

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// Dynamically linked programs in the process suite's root: test programs
// linked against glibc and musl, and Debian's own ls, cat and env, each
// with its interpreter (PT_INTERP) and the shared libraries it needs,
// copied to the same paths as on the host.

// dynamicProgs are the dynamic builds among the test programs.
var dynamicProgs = []string{"hello_dyn", "hello_musl_dyn", "proc_dyn", "pipes_musl_dyn"}

// hostDynamic are Debian's dynamically linked programs, at their place
// in the root (cat goes to usr/bin: busybox's is bin/cat).
var hostDynamic = map[string]string{"/bin/ls": "bin/ls", "/bin/cat": "usr/bin/cat", "/usr/bin/env": "usr/bin/env"}

// addDynamic copies the dynamic programs into root, then what they load.
func addDynamic(root, progs string) error {
	srcs := map[string]string{}
	for _, p := range dynamicProgs {
		srcs[filepath.Join(progs, p)] = "bin/" + p
	}
	for host, rel := range hostDynamic {
		srcs[host] = rel
	}
	libs := map[string]bool{}
	for src, rel := range srcs {
		if err := copyFile(src, filepath.Join(root, rel), 0o755); err != nil {
			return err
		}
		needed, err := sharedObjects(src)
		if err != nil {
			return err
		}
		for _, l := range needed {
			libs[l] = true
		}
	}
	for l := range libs {
		if err := copyFile(l, filepath.Join(root, l), 0o755); err != nil {
			return err
		}
	}
	return nil
}

// lddPath matches a library ldd resolved ("libc.so.6 => /lib/... (0x...)")
// or the interpreter it names ("/lib64/ld-linux-x86-64.so.2 (0x...)").
var lddPath = regexp.MustCompile(`(?m)^\s*(?:\S+ => )?(/\S+) \(0x`)

// sharedObjects lists a dynamic program's interpreter and, for glibc
// programs, the libraries ldd finds (musl's interpreter is its libc).
func sharedObjects(prog string) ([]string, error) {
	f, err := elf.Open(prog)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var objs []string
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err != nil {
				return nil, err
			}
			objs = append(objs, strings.TrimRight(string(b), "\x00"))
		}
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("%s is not dynamically linked", prog)
	}
	if !strings.Contains(objs[0], "ld-linux") {
		return objs, nil
	}
	out, err := exec.Command("ldd", prog).Output()
	if err != nil {
		return nil, fmt.Errorf("ldd %s: %v", prog, err)
	}
	for _, m := range lddPath.FindAllStringSubmatch(string(out), -1) {
		objs = append(objs, m[1])
	}
	return objs, nil
}

// copyFile copies src (following links) to dst, making its directory.
func copyFile(src, dst string, mode os.FileMode) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, mode)
}
