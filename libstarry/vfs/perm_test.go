package vfs

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

func TestPermission(t *testing.T) {
	reg := func(mode, uid, gid uint32) *Inode {
		return NewInode(1, Attr{Mode: abi.S_IFREG | mode, UID: uid, GID: gid}, nil)
	}
	dir := func(mode uint32) *Inode { return NewInode(2, Attr{Mode: abi.S_IFDIR | mode}, nil) }
	cases := []struct {
		c    *Creds
		n    *Inode
		mask int
		want string
	}{
		{user, reg(0o600, 1000, 0), MayRead | MayWrite, "ok"},
		{user, reg(0o400, 1000, 0), MayWrite, "EACCES"},
		{user, reg(0o077, 1000, 0), MayRead, "EACCES"}, // the owner gets only the owner's bits
		{user, reg(0o040, 0, 50), MayRead, "ok"},       // a supplementary group
		{user, reg(0o040, 0, 1000), MayRead, "ok"},     // the primary group
		{user, reg(0o704, 0, 1000), MayRead, "EACCES"}, // group bits, not others'
		{user, reg(0o004, 0, 0), MayRead, "ok"},
		{user, reg(0o001, 0, 0), MayExec, "ok"},
		{user, reg(0o006, 0, 0), MayExec, "EACCES"},
		{rootCreds, reg(0, 5, 5), MayRead | MayWrite, "ok"},
		{rootCreds, reg(0o644, 5, 5), MayExec, "EACCES"},
		{rootCreds, reg(0o010, 5, 5), MayExec, "ok"}, // any x bit lets root execute
		{rootCreds, dir(0), MayRead | MayWrite | MayExec, "ok"},
		{user, dir(0o755), MayWrite, "EACCES"},
		{user, dir(0o755), MayExec, "ok"},
		{user, dir(0o754), MayExec, "EACCES"},
	}
	for i, c := range cases {
		if got := errName(Permission(c.c, c.n, c.mask)); got != c.want {
			t.Errorf("case %d: Permission(uid %d, %#o, %d) = %s, want %s", i, c.c.UID, c.n.Attr().Mode, c.mask, got, c.want)
		}
	}
}

func TestSetAttr(t *testing.T) {
	f := newFixture(t)
	f.create("f", 0o644)
	f.chown("f", 1000, 1000)
	n := f.lookup("f").Dentry.inode
	steps := []struct {
		chmod uint32 // if not 0, root's chmod first
		c     *Creds
		ch    AttrChange
		want  string
		mode  uint32 // the permission bits after the step
	}{
		{0, user2, AttrChange{Valid: SetMode, Mode: 0o600}, "EPERM", 0o644},
		{0, user, AttrChange{Valid: SetMode, Mode: 0o6755}, "ok", 0o6755}, // user is in group 1000: kept
		{0, rootCreds, AttrChange{Valid: SetGID, GID: 7}, "ok", 0o6755},
		{0, user, AttrChange{Valid: SetMode, Mode: 0o2755}, "ok", 0o0755}, // not in group 7: dropped
		{0, user, AttrChange{Valid: SetGID, GID: 50}, "ok", 0o0755},
		{0, user, AttrChange{Valid: SetGID, GID: 51}, "EPERM", 0o0755},
		{0, user, AttrChange{Valid: SetUID, UID: 1000}, "ok", 0o0755},
		{0, user, AttrChange{Valid: SetUID, UID: 0}, "EPERM", 0o0755},
		{0, user, AttrChange{Valid: SetMode, Mode: 0o6775}, "ok", 0o6775},
		{0, user, AttrChange{Valid: SetGID | KillSetID, GID: 50}, "ok", 0o0775},
		{0, user2, AttrChange{Valid: SetAtime | SetMtime, Atime: 1, Mtime: 1}, "EPERM", 0o0775},
		{0, user2, AttrChange{Valid: SetMode, Mode: 0o755}, "EPERM", 0o0775},
		{0, user2, AttrChange{Valid: SetAtime | SetMtime | SetTimesNow}, "EACCES", 0o0775},
		{0o777, user2, AttrChange{Valid: SetAtime | SetMtime | SetTimesNow}, "ok", 0o0777},
		{0o777, user2, AttrChange{Valid: SetAtime, Atime: 5}, "EPERM", 0o0777},
		{0, user, AttrChange{Valid: SetSize, Size: -1}, "EINVAL", 0o0777},
		{0, user, AttrChange{Valid: SetSize, Size: 10}, "ok", 0o0777},
	}
	for i, s := range steps {
		if s.chmod != 0 {
			f.chmod("f", s.chmod)
		}
		if got := errName(SetAttr(s.c, n, s.ch)); got != s.want {
			t.Errorf("step %d: SetAttr = %s, want %s", i, got, s.want)
		}
		if m := n.Attr().Mode; m != abi.S_IFREG|s.mode {
			t.Errorf("step %d: mode %#o, want %#o", i, m, abi.S_IFREG|s.mode)
		}
	}
	if a := n.Attr(); a.Size != 10 || a.GID != 50 || a.UID != 1000 {
		t.Errorf("attributes %+v", a)
	}
	if err := SetAttr(rootCreds, f.root().Dentry.inode, AttrChange{Valid: SetSize}); errName(err) != "EISDIR" {
		t.Errorf("truncating a directory = %s, want EISDIR", errName(err))
	}
}
