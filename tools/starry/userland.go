package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The default image, what "run" boots with no command: Starry-Go's own
// init (./cmd/init) as /sbin/init, Debian's busybox-static with its
// applet links in /bin when the host has it, and u-root's core commands
// and its shell, gosh, in /ubin. Init runs /bin/sh -i (busybox ash),
// or gosh when there is no busybox.

const (
	urootModule = "github.com/u-root/u-root"
	// hostBusybox is Debian's busybox-static.
	hostBusybox = "/bin/busybox"
)

// urootCommands are the u-root core commands the image carries: the
// shell and a working set of file, process and system tools.
var urootCommands = []string{
	"gosh", "ls", "cat", "echo", "mkdir", "rm", "cp", "mv", "ln", "pwd", "touch",
	"ps", "kill", "sleep", "mount", "umount", "dmesg", "uname", "free", "df",
	"wc", "grep", "head", "tail", "find", "date", "id", "true", "false",
}

// urootBuildFlags drop the symbol tables and debug information: the
// commands are a third of the size, and the initramfs is copied into
// guest memory at every boot.
var urootBuildFlags = []string{"-trimpath", "-ldflags=-s -w"}

// userlandEtc is the image's /etc.
var userlandEtc = map[string]string{
	"passwd":   "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
	"group":    "root:x:0:\ntty:x:5:\nusers:x:100:\nnogroup:x:65534:\n",
	"hostname": "starry\n",
}

// userlandAdds builds the default image's pieces and returns them as
// --add specs: init from build/userland, busybox and /etc staged under
// tmp, u-root's commands from their cache under build/uroot/VERSION.
func userlandAdds(tmp string, progress io.Writer) ([]addSpec, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	stage := filepath.Join(tmp, "userland")
	// Init is built where go build finds it up to date next time.
	sbin := filepath.Join(root, "build", "userland", "sbin")
	if err := buildGo(root, filepath.Join(sbin, "init"), "./cmd/init"); err != nil {
		return nil, fail(exitFailure, "building init: %v", err)
	}
	adds := []addSpec{{sbin, "/sbin"}}
	ubin, err := urootBin(root, progress)
	if err != nil {
		return nil, err
	}
	adds = append(adds, addSpec{ubin, "/ubin"})
	if checkStatic("busybox", hostBusybox, "") == nil {
		bin := filepath.Join(stage, "bin")
		if err := stageBusybox(bin); err != nil {
			return nil, err
		}
		adds = append(adds, addSpec{bin, "/bin"})
	}
	etc := filepath.Join(stage, "etc")
	if err := os.MkdirAll(etc, 0o755); err != nil {
		return nil, err
	}
	for name, text := range userlandEtc {
		if err := os.WriteFile(filepath.Join(etc, name), []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	return append(adds, addSpec{etc, "/etc"}), nil
}

// buildGo builds a static linux/amd64 program with the stock toolchain.
func buildGo(dir, out, pkg string, env ...string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0"), env...)
	var msg bytes.Buffer
	cmd.Stdout, cmd.Stderr = &msg, &msg
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%v\n%s", err, msg.String())
	}
	return nil
}

// stageBusybox copies the host's busybox into bin with a link for each
// applet, as "busybox --install -s" would (init is Starry-Go's own).
func stageBusybox(bin string) error {
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	dst := filepath.Join(bin, "busybox")
	if err := copyFile(hostBusybox, dst); err != nil {
		return err
	}
	if err := os.Chmod(dst, 0o755); err != nil {
		return err
	}
	list, err := exec.Command(hostBusybox, "--list").Output()
	if err != nil {
		return fail(exitFailure, "%s --list: %v", hostBusybox, err)
	}
	for _, applet := range strings.Fields(string(list)) {
		if applet == "busybox" || applet == "init" || applet == "linuxrc" || strings.Contains(applet, "/") {
			continue
		}
		if err := os.Symlink("busybox", filepath.Join(bin, applet)); err != nil {
			return err
		}
	}
	return nil
}

// urootVersion is the u-root module version this CLI was built with
// (go.mod's; the CLI uses its cpio package).
func urootVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == urootModule {
				return d.Version
			}
		}
	}
	return "v0.16.0"
}

// urootBin returns the directory of u-root's commands, building them
// once per module version (and command list) into build/uroot/VERSION.
// They are built in a module of their own that takes u-root's go.mod
// requirements and go.sum, so this repository's go.mod stays as it is.
func urootBin(root string, progress io.Writer) (string, error) {
	version := urootVersion()
	cache := filepath.Join(root, "build", "uroot", version)
	bin := filepath.Join(cache, "ubin")
	stamp := filepath.Join(cache, "commands")
	want := strings.Join(append([]string{strings.Join(urootBuildFlags, " ")}, urootCommands...), "\n") + "\n"
	if got, err := os.ReadFile(stamp); err == nil && string(got) == want {
		return bin, nil
	}
	start := time.Now()
	fmt.Fprintf(progress, "starry: building u-root %s's commands into %s (once per version)\n", version, bin)
	src, err := urootModuleDir(root, version)
	if err != nil {
		return "", err
	}
	work := filepath.Join(cache, "module")
	if err := writeUrootModule(work, src, version); err != nil {
		return "", err
	}
	tmpBin := bin + ".tmp"
	if err := os.RemoveAll(tmpBin); err != nil {
		return "", err
	}
	pkgs := append(append([]string{"build"}, urootBuildFlags...), "-o", tmpBin+"/")
	for _, c := range urootCommands {
		pkgs = append(pkgs, urootModule+"/cmds/core/"+c)
	}
	cmd := exec.Command("go", pkgs...)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
	var msg bytes.Buffer
	cmd.Stdout, cmd.Stderr = &msg, &msg
	if err := cmd.Run(); err != nil {
		return "", fail(exitFailure, "building u-root's commands: %v\n%s", err, msg.String())
	}
	if err := os.RemoveAll(bin); err != nil {
		return "", err
	}
	if err := os.Rename(tmpBin, bin); err != nil {
		return "", err
	}
	if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
		return "", err
	}
	fmt.Fprintf(progress, "starry: u-root's %d commands built in %v\n", len(urootCommands), time.Since(start).Round(100*time.Millisecond))
	return bin, nil
}

// urootModuleDir finds u-root's source in the module cache.
func urootModuleDir(root, version string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", urootModule+"@"+version)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fail(exitFailure, "go mod download %s@%s: %v", urootModule, version, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), `"Dir": "`); ok {
			return strings.TrimSuffix(v, `",`), nil
		}
	}
	return "", fail(exitFailure, "go mod download %s@%s named no directory", urootModule, version)
}

// writeUrootModule makes the module the commands are built in: u-root's
// own go.mod under another name, requiring u-root itself, and its go.sum.
func writeUrootModule(dir, src, version string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	mod, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		return err
	}
	lines := strings.Split(string(mod), "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "module ") })
	if i < 0 {
		return fail(exitFailure, "%s/go.mod has no module line", src)
	}
	lines[i] = "module starry-userland"
	lines = append(lines, "require "+urootModule+" "+version, "")
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(src, "go.sum"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "doc.go"), []byte("// Package userland builds u-root's commands for Starry-Go's image.\npackage userland\n"), 0o644)
}

// interactiveTimeout stands for no timeout: a shell on the terminal
// runs until it exits.
const interactiveTimeout = 1000 * time.Hour

// interactiveShell reports whether run is to boot the default image to
// a shell: no command, script, self-test, ISO or initramfs of the
// user's, and input to type into (a terminal, or --stdin).
func (o *runOptions) interactiveShell() bool {
	return len(o.command) == 0 && o.script == "" && !o.selftest && o.cdrom == "" && o.initramfs == "" &&
		(o.stdin || stdinIsTerminal())
}

// withUserland puts the default image before the user's --add paths.
func withUserland(tmp string, adds []addSpec, progress io.Writer) ([]addSpec, error) {
	ua, err := userlandAdds(tmp, progress)
	if err != nil {
		return nil, err
	}
	return append(ua, adds...), nil
}

// stdinIsTerminal reports whether standard input is a terminal (not
// merely a character device such as /dev/null).
func stdinIsTerminal() bool {
	_, err := unix.IoctlGetTermios(int(os.Stdin.Fd()), unix.TCGETS)
	return err == nil
}
