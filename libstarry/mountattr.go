package libstarry

import "strings"

// MountAttrs are a mount's own flags besides read-only (mnt_flags), as
// fsmount's MOUNT_ATTR_* set them. The zero value is relatime, Linux's
// default. They show in /proc/mounts and mountinfo; nothing yet acts on
// them (exec does not refuse a noexec mount, open a nodev one).
type MountAttrs uint32

// The attributes.
const (
	MountNoSuid MountAttrs = 1 << iota
	MountNoDev
	MountNoExec
	MountNoAtime
	MountStrictAtime
	MountNoDirAtime
	MountNoSymFollow
)

// mountFlagWords are show_mnt_opts's words in its order, and the
// attribute that prints each (relatime: neither atime attribute).
var mountFlagWords = []struct {
	word string
	attr MountAttrs
}{
	{"nosuid", MountNoSuid}, {"nodev", MountNoDev}, {"noexec", MountNoExec}, {"noatime", MountNoAtime},
	{"nodiratime", MountNoDirAtime}, {"relatime", 0}, {"nosymfollow", MountNoSymFollow},
}

// mountOptions is /proc/mounts's options field: "rw" or "ro", the
// mount's flags (show_mnt_opts: a, and those the record's text names),
// the super block's (sb, show_sb_opts), then the rest of text, the file
// system's options.
func mountOptions(ro bool, a MountAttrs, sb, text string) string {
	named := map[string]bool{}
	out := []string{"rw"}
	if ro {
		out[0] = "ro"
	}
	var rest []string
	for _, w := range strings.Split(text, ",") {
		switch {
		case w == "":
		case isMountFlagWord(w):
			named[w] = true
		default:
			rest = append(rest, w)
		}
	}
	for _, f := range mountFlagWords {
		on := named[f.word] || f.attr != 0 && a&f.attr != 0
		if f.word == "relatime" {
			on = named[f.word] && a&(MountNoAtime|MountStrictAtime) == 0
		}
		if on {
			out = append(out, f.word)
		}
	}
	if sb != "" {
		out = append(out, sb)
	}
	return strings.Join(append(out, rest...), ",")
}

func isMountFlagWord(w string) bool {
	for _, f := range mountFlagWords {
		if f.word == w {
			return true
		}
	}
	return false
}
