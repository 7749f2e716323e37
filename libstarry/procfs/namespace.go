package procfs

import (
	"bytes"
	"fmt"
	"strings"
)

// /proc/PID/mounts and mountinfo (fs/proc_namespace.c: show_vfsmnt,
// show_mountinfo), of the process's namespace as its root sees it.

// mangle is proc_namespace.c's mangle: space, tab, newline and
// backslash as octal escapes.
var mangle = strings.NewReplacer(" ", "\\040", "\t", "\\011", "\n", "\\012", "\\", "\\134").Replace

// showMounts is show_vfsmnt: "source point type options 0 0".
func showMounts(c *ctx) ([]byte, error) {
	if _, err := c.proc(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, m := range c.src.Mounts(c.pid) {
		fmt.Fprintf(&b, "%s %s %s %s 0 0\n", mangle(orNone(m.Source)), mangle(m.Point), m.FSType, m.Options)
	}
	return b.Bytes(), nil
}

// showMountinfo is show_mountinfo: IDs, the device, the mount's root
// within its file system and its point, the per-mount options, no
// optional fields (every mount is private), then after " - " the type,
// the source and the super block's options.
func showMountinfo(c *ctx) ([]byte, error) {
	if _, err := c.proc(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, m := range c.src.Mounts(c.pid) {
		mnt, super := splitOptions(m.Options)
		major := uint32(m.Dev>>8&0xfff) | uint32(m.Dev>>32&^0xfff)
		minor := uint32(m.Dev&0xff) | uint32(m.Dev>>12&^0xff)
		root := m.Root
		if root == "" {
			root = "/"
		}
		if m.Propagation != "" {
			mnt += " " + m.Propagation
		}
		fmt.Fprintf(&b, "%d %d %d:%d %s %s %s - %s %s %s\n", m.ID, m.ParentID, major, minor, mangle(root),
			mangle(m.Point), mnt, m.FSType, mangle(orNone(m.Source)), super)
	}
	return b.Bytes(), nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// mountFlags are the options show_mnt_opts prints (the mount's own);
// the rest are the super block's (show_sb_opts and the file system's).
var mountFlags = map[string]bool{"nosuid": true, "nodev": true, "noexec": true, "noatime": true,
	"nodiratime": true, "relatime": true, "nosymfollow": true}

// splitOptions splits /proc/mounts's options into mountinfo's per-mount
// and super-block fields, each led by "rw" or "ro".
func splitOptions(opts string) (mnt, super string) {
	fields := strings.Split(opts, ",")
	rw := "rw"
	if len(fields) > 0 && (fields[0] == "ro" || fields[0] == "rw") {
		rw, fields = fields[0], fields[1:]
	}
	m, s := []string{rw}, []string{rw}
	for _, f := range fields {
		switch {
		case f == "":
		case mountFlags[f]:
			m = append(m, f)
		default:
			s = append(s, f)
		}
	}
	return strings.Join(m, ","), strings.Join(s, ",")
}
