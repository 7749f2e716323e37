package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// mounts are what init mounts, in order, where nothing is mounted yet
// (the kernel may have mounted some already).
var mounts = []struct{ fstype, target string }{
	{"proc", "/proc"},
	{"sysfs", "/sys"},
	{"devtmpfs", "/dev"},
	{"tmpfs", "/dev/shm"},
	{"tmpfs", "/tmp"},
}

// mountAll mounts the pseudo file systems; a failure is reported and
// the boot goes on.
func mountAll() {
	for _, m := range mounts {
		if isMountPoint(m.target) {
			continue
		}
		if err := os.MkdirAll(m.target, 0o755); err != nil {
			warn("mkdir %s: %v", m.target, err)
			continue
		}
		if err := unix.Mount(m.fstype, m.target, m.fstype, unix.MS_NOSUID, ""); err != nil {
			warn("mount -t %s %s: %v", m.fstype, m.target, err)
		}
	}
	if err := os.Chmod("/tmp", 0o1777); err != nil {
		warn("chmod /tmp: %v", err)
	}
}

// isMountPoint reports whether dir is the root of a mount: on another
// device than its parent, or the same directory (the root).
func isMountPoint(dir string) bool {
	var st, parent unix.Stat_t
	if unix.Stat(dir, &st) != nil || unix.Stat(dir+"/..", &parent) != nil {
		return false
	}
	return st.Dev != parent.Dev || st.Ino == parent.Ino
}
