package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// linuxImagePackage is the Debian metapackage whose kernel the Linux
// guest boots: the cloud flavour, small and built for virtual machines.
const linuxImagePackage = "linux-image-cloud-amd64"

// debianLinux returns the vmlinuz of Debian's cloud kernel, fetched on
// first use with apt-get download (no root needed) and unpacked with
// dpkg -x under cache; later runs use the cached one.
func debianLinux(cache string, stderr io.Writer) (string, error) {
	if k := cachedVmlinuz(cache); k != "" {
		return k, nil
	}
	for _, tool := range []string{"apt-get", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			return "", fail(exitFailure, "--vs linux needs %s (a Debian host) to fetch %s, or pass --linux-kernel", tool, linuxImagePackage)
		}
	}
	dl := filepath.Join(cache, "deb")
	if err := os.MkdirAll(dl, 0o755); err != nil {
		return "", err
	}
	fmt.Fprintf(stderr, "starry: bench: fetching %s into %s\n", linuxImagePackage, cache)
	meta, err := aptDownload(dl, linuxImagePackage)
	if err != nil && os.Geteuid() == 0 {
		// A fresh machine may have no package lists yet; root can fetch them.
		fmt.Fprintf(stderr, "starry: bench: apt-get download failed; running apt-get update\n")
		if msg, uerr := exec.Command("apt-get", "update").CombinedOutput(); uerr != nil {
			return "", fail(exitFailure, "apt-get update: %v\n%s", uerr, msg)
		}
		meta, err = aptDownload(dl, linuxImagePackage)
	}
	if err != nil {
		return "", err
	}
	dep, err := exec.Command("dpkg-deb", "-f", meta, "Depends").Output()
	if err != nil {
		return "", fail(exitFailure, "dpkg-deb -f %s Depends: %v", meta, err)
	}
	image := ""
	for _, d := range strings.Split(string(dep), ",") {
		if f := strings.Fields(d); len(f) > 0 && strings.HasPrefix(f[0], "linux-image-") {
			image = f[0]
			break
		}
	}
	if image == "" {
		return "", fail(exitFailure, "%s depends on no linux-image package (%q)", linuxImagePackage, strings.TrimSpace(string(dep)))
	}
	deb, err := aptDownload(dl, image)
	if err != nil {
		return "", err
	}
	if msg, err := exec.Command("dpkg-deb", "-x", deb, filepath.Join(cache, "root")).CombinedOutput(); err != nil {
		return "", fail(exitFailure, "dpkg-deb -x %s: %v\n%s", deb, err, msg)
	}
	if k := cachedVmlinuz(cache); k != "" {
		return k, nil
	}
	return "", fail(exitFailure, "%s holds no boot/vmlinuz-*", deb)
}

// aptDownload fetches pkg's .deb into dir and returns its path.
func aptDownload(dir, pkg string) (string, error) {
	cmd := exec.Command("apt-get", "download", pkg)
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fail(exitFailure, "apt-get download %s: %v (run apt-get update first if the package lists are missing)\n%s", pkg, err, msg)
	}
	m, _ := filepath.Glob(filepath.Join(dir, pkg+"_*.deb"))
	if len(m) == 0 {
		return "", fail(exitFailure, "apt-get download %s left no %s_*.deb in %s", pkg, pkg, dir)
	}
	return m[len(m)-1], nil
}

// cachedVmlinuz is the unpacked kernel in cache, or "".
func cachedVmlinuz(cache string) string {
	m, _ := filepath.Glob(filepath.Join(cache, "root", "boot", "vmlinuz-*"))
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1]
}

// linuxCmdline is the Linux guest's command line. Under TCG its PIT
// calibration fails when the host is busy; it then hangs at boot or falls
// back to the 4 ms jiffies clock, so the TSC rate is given (the guest's
// TSC runs at the host's) and declared reliable. lat= names the
// benchmarks /init runs.
func linuxCmdline(hostKHz int, names string) string {
	c := "console=ttyS0 quiet panic=-1 reboot=t"
	if hostKHz > 0 {
		c += " tsc_early_khz=" + strconv.Itoa(hostKHz) + " tsc=reliable"
	}
	if names != "" {
		c += " lat=" + names
	}
	return c
}

// hostTSCkHz is the host's TSC rate in kHz from /proc/cpuinfo's first
// "cpu MHz" (0 when it cannot be read).
func hostTSCkHz() int {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "cpu MHz" {
			mhz, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return int(mhz * 1000)
			}
		}
	}
	return 0
}

// hostCPUName is the host's "model name" from /proc/cpuinfo.
func hostCPUName() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
