package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The latency suite's guest layout: the benchmark and the programs it
// starts in /bench, busybox in /bin (sh is a link to it), glibc's loader
// and libc where exit0_dyn looks for them, and /init, bench/progs/init,
// which both kernels run as PID 1: it notes the TSC for lat's boot row
// and runs the shell script /init.sh.
const (
	latGuestDir    = "/bench"
	latGuestInit   = "/init"
	latGuestScript = "/init.sh"
)

// latPrograms are the suite's C programs in bench/progs: output name,
// source, and whether it is linked dynamically with glibc (gcc) rather
// than statically with musl (musl-gcc -static).
var latPrograms = []struct {
	name, src string
	dynamic   bool
}{
	{"lat", "lat.c", false},
	{"exit0", "exit0.c", false},
	{"exit0_dyn", "exit0.c", true},
	{"big", "big.c", false},
	{"init", "init.c", false},
}

// latInitScript, /init.sh, runs the benchmarks named by lat= on the
// kernel command line (all when none), says which clock Linux chose, and
// ends the machine: "reboot -f" under -no-reboot is QEMU's exit for both
// kernels.
const latInitScript = `#!/bin/sh
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
cs=/sys/devices/system/clocksource/clocksource0/current_clocksource
[ -r $cs ] && echo "lat: clocksource $(cat $cs)"
names=
for w in $(cat /proc/cmdline); do
	case $w in lat=*) names=$(echo "${w#lat=}" | tr , ' ');; esac
done
/bench/lat /bench $names
echo "lat: status $?"
reboot -f
`

// latImage is the suite built once: the host directory the host run
// uses, and the initramfs both guests boot.
type latImage struct {
	dir    string // holds the programs, sh and file4k (the host run's DIR)
	initrd string
}

// buildLatImage compiles the programs into tmp/bench and writes the
// initramfs to tmp.
func buildLatImage(tmp, busybox string) (*latImage, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	for _, tool := range []string{"musl-gcc", "gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fail(exitFailure, "%s not found: install musl-tools and gcc (tools/setup.sh does)", tool)
		}
	}
	dir := filepath.Join(tmp, "bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, p := range latPrograms {
		cc, args := "musl-gcc", []string{"-static", "-O2"}
		if p.dynamic {
			cc, args = "gcc", []string{"-O2"}
		}
		args = append(args, "-o", filepath.Join(dir, p.name), filepath.Join(root, "bench", "progs", p.src))
		if msg, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
			return nil, fail(exitFailure, "compiling bench/progs/%s: %v\n%s", p.src, err, msg)
		}
	}
	data := make([]byte, 4096)
	rand.Read(data)
	if err := os.WriteFile(filepath.Join(dir, "file4k"), data, 0o644); err != nil {
		return nil, err
	}
	if err := os.Symlink(busybox, filepath.Join(dir, "sh")); err != nil {
		return nil, err
	}
	initrd, err := writeLatInitramfs(tmp, dir, busybox)
	if err != nil {
		return nil, err
	}
	return &latImage{dir: dir, initrd: initrd}, nil
}

// writeLatInitramfs lays out the guest: /bench from dir (sh there points
// at /bin/busybox), busybox's applets, the dynamic program's libraries
// and /init with its script.
func writeLatInitramfs(tmp, dir, busybox string) (string, error) {
	guest := filepath.Join(tmp, "guest")
	bin := filepath.Join(guest, "bin")
	for _, d := range []string{bin, filepath.Join(guest, "proc"), filepath.Join(guest, "sys"), filepath.Join(guest, "dev"), filepath.Join(guest, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", err
		}
	}
	for _, a := range []string{"sh", "mount", "cat", "echo", "tr", "reboot", "true"} {
		if err := os.Symlink("busybox", filepath.Join(bin, a)); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(guest, strings.TrimPrefix(latGuestScript, "/")), []byte(latInitScript), 0o755); err != nil {
		return "", err
	}
	gbench := filepath.Join(guest, "bench")
	if err := os.MkdirAll(gbench, 0o755); err != nil {
		return "", err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	adds := []addSpec{{host: guest, guest: "/"}, {host: busybox, guest: "/bin/busybox"},
		{host: filepath.Join(dir, "init"), guest: latGuestInit}}
	for _, e := range ents {
		if e.Name() == "sh" {
			if err := os.Symlink("/bin/busybox", filepath.Join(gbench, "sh")); err != nil {
				return "", err
			}
			continue
		}
		adds = append(adds, addSpec{host: filepath.Join(dir, e.Name()), guest: latGuestDir + "/" + e.Name()})
	}
	libs, err := sharedLibraries(filepath.Join(dir, "exit0_dyn"))
	if err != nil {
		return "", err
	}
	for _, l := range libs {
		adds = append(adds, addSpec{host: l, guest: l})
	}
	return makeInitramfsTree(tmp, adds)
}

// makeInitramfsTree is makeInitramfs for a tree whose first add is the
// root directory itself (addTree would name it "/", which the archive
// writer skips by adding its entries only).
func makeInitramfsTree(tmp string, adds []addSpec) (string, error) {
	root := adds[0].host
	ents, err := os.ReadDir(root)
	if err != nil {
		return "", err
	}
	var all []addSpec
	for _, e := range ents {
		all = append(all, addSpec{host: filepath.Join(root, e.Name()), guest: "/" + e.Name()})
	}
	return makeInitramfs(tmp, "", append(all, adds[1:]...), nil)
}

// sharedLibraries is what ldd says prog loads: the interpreter and the
// libraries, by absolute path.
func sharedLibraries(prog string) ([]string, error) {
	out, err := exec.Command("ldd", prog).Output()
	if err != nil {
		return nil, fail(exitFailure, "ldd %s: %v", prog, err)
	}
	var libs []string
	for _, line := range strings.Split(string(out), "\n") {
		for _, f := range strings.Fields(line) {
			if strings.HasPrefix(f, "/") {
				libs = append(libs, f)
				break
			}
		}
	}
	if len(libs) == 0 {
		return nil, fmt.Errorf("ldd %s names no libraries", prog)
	}
	return libs, nil
}
