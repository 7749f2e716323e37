package main

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// The LTP build: the syscall tests (and pipeio) as static binaries,
// installed under build/ltp/VERSION/root/opt/ltp, which is LTPROOT. A
// tarball's build is cached by its name; a source directory is the
// user's own tree, so make runs again there (it is incremental) and only
// the install is redone.

// ltpRecipe names the build steps; a cache made by another recipe is
// rebuilt.
const ltpRecipe = "starry-ltp-build 1: static, syscalls + ipc/pipeio, strip --strip-debug\n"

// ltpDirs are the test directories built and installed.
var ltpDirs = []string{"testcases/kernel/syscalls", "testcases/kernel/ipc/pipeio"}

// ltpTools are the host programs the build needs, with their packages.
var ltpTools = [][2]string{
	{"make", "make"}, {"gcc", "gcc"}, {"autoconf", "autoconf"}, {"automake", "automake"},
	{"m4", "m4"}, {"pkg-config", "pkg-config"}, {"tar", "tar"}, {"xz", "xz-utils"}, {"strip", "binutils"},
}

// ltpBuild is a built LTP: LTPROOT on the host and its version key.
type ltpBuild struct {
	version string // e.g. ltp-20260529
	dir     string // build/ltp/VERSION
	root    string // LTPROOT: DIR/root/opt/ltp
}

// bin is the directory holding the test binaries and their helpers.
func (b *ltpBuild) bin() string { return filepath.Join(b.root, "testcases", "bin") }

// checkLTPTools names every missing build tool at once, with the
// packages that provide them.
func checkLTPTools() error {
	var missing, pkgs []string
	for _, t := range ltpTools {
		if _, err := exec.LookPath(t[0]); err != nil {
			missing = append(missing, t[0])
			pkgs = append(pkgs, t[1])
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fail(exitFailure, "building LTP needs %s: apt-get install -y %s (tools/setup.sh installs them)",
		strings.Join(missing, ", "), strings.Join(pkgs, " "))
}

// ltpVersion is the cache key of a source: a tarball's name without its
// extensions, or for a directory "ltp-" and its VERSION file.
func ltpVersion(src string, isDir bool) (string, error) {
	if !isDir {
		name := filepath.Base(src)
		for _, ext := range []string{".tar.xz", ".tar.gz", ".tar.bz2", ".tgz", ".tar"} {
			if v, ok := strings.CutSuffix(name, ext); ok {
				return v, nil
			}
		}
		return "", fail(exitUsage, "--src %s: not a .tar.xz, .tar.gz, .tar.bz2 or .tar file, nor a directory", src)
	}
	v, err := os.ReadFile(filepath.Join(src, "VERSION"))
	if err != nil {
		return "", fail(exitFailure, "--src %s: not an LTP source tree (%v)", src, err)
	}
	return "ltp-" + strings.TrimSpace(string(v)) + "-tree", nil
}

// prepareLTP returns the build of src, building it first unless a cached
// build of a tarball is there. Progress and the build's log go to log.
func prepareLTP(buildDir, src string, log io.Writer) (*ltpBuild, error) {
	st, err := os.Stat(src)
	if err != nil {
		return nil, fail(exitFailure, "--src: %v", err)
	}
	version, err := ltpVersion(src, st.IsDir())
	if err != nil {
		return nil, err
	}
	b := &ltpBuild{version: version, dir: filepath.Join(buildDir, "ltp", version)}
	b.root = filepath.Join(b.dir, "root", "opt", "ltp")
	stamp := filepath.Join(b.dir, "root", ".built")
	if old, err := os.ReadFile(stamp); err == nil && string(old) == ltpRecipe && !st.IsDir() {
		return b, nil
	}
	if err := checkLTPTools(); err != nil {
		return nil, err
	}
	tree := src
	if !st.IsDir() {
		if tree, err = extractLTP(src, b.dir, log); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(log, "starry: building %s in %s (several minutes; the log is %s)\n", version, tree, filepath.Join(b.dir, "build.log"))
	if err := compileLTP(tree, b.dir); err != nil {
		return nil, err
	}
	if err := stripTree(b.bin()); err != nil {
		return nil, err
	}
	if err := copyFile(filepath.Join(tree, "runtest", "syscalls"), filepath.Join(b.root, "runtest", "syscalls")); err != nil {
		return nil, err
	}
	return b, os.WriteFile(stamp, []byte(ltpRecipe), 0o644)
}

// extractLTP unpacks a tarball into DIR/src (one top directory inside it)
// and returns the tree's path.
func extractLTP(tarball, dir string, log io.Writer) (string, error) {
	tree := filepath.Join(dir, "src")
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(tree, 0o755); err != nil {
		return "", err
	}
	fmt.Fprintf(log, "starry: unpacking %s\n", tarball)
	abs, err := filepath.Abs(tarball)
	if err != nil {
		return "", err
	}
	cmd := exec.Command("tar", "-xf", abs, "--strip-components=1")
	cmd.Dir = tree
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fail(exitFailure, "unpacking %s: %v\n%s", tarball, err, out)
	}
	return tree, nil
}

// compileLTP runs LTP's documented recipe: autotools, a static
// configure, the library, then the test directories with make -k (a
// test that does not build on this host is recorded as missing, not
// fatal), installed with DESTDIR into DIR/root.
func compileLTP(tree, dir string) error {
	logPath := filepath.Join(dir, "build.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logf.Close()
	jobs := fmt.Sprintf("-j%d", runtime.NumCPU())
	dest, err := filepath.Abs(filepath.Join(dir, "root"))
	if err != nil {
		return err
	}
	steps := [][]string{
		{"make", "autotools"},
		{"./configure", "--prefix=/opt/ltp", "LDFLAGS=-static"},
		{"make", jobs, "-C", "lib"},
	}
	for _, d := range ltpDirs {
		steps = append(steps, []string{"make", jobs, "-k", "-C", d})
	}
	for _, d := range ltpDirs {
		steps = append(steps, []string{"make", "-k", "-C", d, "install", "DESTDIR=" + dest})
	}
	for _, s := range steps {
		fmt.Fprintf(logf, "+ %s\n", strings.Join(s, " "))
		cmd := exec.Command(s[0], s[1:]...)
		cmd.Dir = tree
		cmd.Stdout, cmd.Stderr = logf, logf
		// make -k reports the tests that did not build with a non-zero
		// status; those show up as missing binaries, so only the steps
		// before them must succeed.
		if err := cmd.Run(); err != nil && !slices.Contains(s, "-k") {
			return fail(exitFailure, "LTP build step %q failed (%v); see %s", strings.Join(s, " "), err, logPath)
		}
	}
	if _, err := os.Stat(filepath.Join(dest, "opt", "ltp", "testcases", "bin")); err != nil {
		return fail(exitFailure, "the LTP build installed no tests; see %s", logPath)
	}
	return nil
}

// stripTree strips the debug sections of every ELF file under dir: the
// binaries go into the guest's initramfs, and debug info is most of them.
func stripTree(dir string) error {
	var files []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return err
		}
		if f, err := elf.Open(p); err == nil {
			f.Close()
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for len(files) > 0 {
		n := min(len(files), 200)
		out, err := exec.Command("strip", append([]string{"--strip-debug"}, files[:n]...)...).CombinedOutput()
		if err != nil {
			return fail(exitFailure, "strip: %v\n%s", err, out)
		}
		files = files[n:]
	}
	return nil
}

// copyFile copies src to dst, making dst's directory.
func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}

// isELF reports whether the file at p starts with the ELF magic.
func isELF(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var m [4]byte
	_, err = io.ReadFull(f, m[:])
	return err == nil && bytes.Equal(m[:], []byte("\x7fELF"))
}
