package tmpfs

import (
	"testing"

	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// chattr sets flags through the vfs as FS_IOC_SETFLAGS does, with
// CAP_LINUX_IMMUTABLE.
func (s *ns) chattr(path string, flags uint32) error {
	return vfs.SetFileAttr(root, vfsPath(s, path).Dentry.Inode(), vfs.FillFlags(flags), true)
}

// TestFileAttrFlags: tmpfs keeps IMMUTABLE, APPEND, NODUMP and NOATIME
// (EOPNOTSUPP for any other, the rest unchanged), maps them onto the
// flags the vfs enforces, reports them to statx, and changes ctime.
func TestFileAttrFlags(t *testing.T) {
	s := newNS(t)
	n := s.create("f")
	for _, bad := range []uint32{abi.FS_COMPR_FL, abi.FS_SYNC_FL, abi.FS_DAX_FL | abi.FS_NODUMP_FL} {
		if err := s.chattr("f", bad); !errIs(err, abi.EOPNOTSUPP) {
			t.Errorf("set %#x: %v, want EOPNOTSUPP", bad, err)
		}
	}
	ctime := n.Inode().Attr().Ctime
	s.must(s.chattr("f", abi.FS_APPEND_FL|abi.FS_NODUMP_FL|abi.FS_NOATIME_FL), "chattr")
	if got := n.GetFileAttr().Flags; got != abi.FS_APPEND_FL|abi.FS_NODUMP_FL|abi.FS_NOATIME_FL {
		t.Errorf("flags %#x", got)
	}
	if got := n.Inode().Flags(); got != vfs.InodeAppend|vfs.InodeNoAtime {
		t.Errorf("inode flags %#x, want append and noatime", got)
	}
	if n.Inode().Attr().Ctime == ctime {
		t.Error("chattr left ctime")
	}
	attrs, mask := n.StatxAttributes()
	if attrs != abi.STATX_ATTR_APPEND|abi.STATX_ATTR_NODUMP || mask != StatxAttrsMask {
		t.Errorf("statx attributes %#x mask %#x", attrs, mask)
	}
	if xf := n.GetFileAttr().XFlags; xf != abi.FS_XFLAG_APPEND|abi.FS_XFLAG_NODUMP|abi.FS_XFLAG_NOATIME {
		t.Errorf("xflags %#x", xf)
	}
	// FS_IOC_FSSETXATTR with only the common flags is taken; a project
	// ID is not.
	in := n.Inode()
	s.must(vfs.SetFileAttr(root, in, vfs.FillXFlags(abi.FS_XFLAG_IMMUTABLE), true), "fssetxattr")
	if got := n.GetFileAttr().Flags; got != abi.FS_IMMUTABLE_FL {
		t.Errorf("after fssetxattr flags %#x", got)
	}
	fa := vfs.FillXFlags(0)
	fa.ProjID = 5
	if err := vfs.SetFileAttr(root, in, fa, true); !errIs(err, abi.EOPNOTSUPP) {
		t.Errorf("project ID: %v, want EOPNOTSUPP", err)
	}
	s.must(s.chattr("f", 0), "clear")
}

// TestFileAttrPermission: only the owner (or privilege) sets flags, and
// APPEND and IMMUTABLE change only with CAP_LINUX_IMMUTABLE.
func TestFileAttrPermission(t *testing.T) {
	s := newNS(t)
	in := s.create("f").Inode()
	s.must(vfs.SetAttr(root, in, vfs.AttrChange{Valid: vfs.SetUID, UID: 1000}), "chown")
	owner, other := &vfs.Creds{UID: 1000, GID: 1000}, &vfs.Creds{UID: 2000, GID: 2000}
	if err := vfs.SetFileAttr(other, in, vfs.FillFlags(abi.FS_NODUMP_FL), true); !errIs(err, abi.EPERM) {
		t.Errorf("non-owner: %v, want EPERM", err)
	}
	s.must(vfs.SetFileAttr(owner, in, vfs.FillFlags(abi.FS_NODUMP_FL), false), "owner sets NODUMP")
	if err := vfs.SetFileAttr(owner, in, vfs.FillFlags(abi.FS_NODUMP_FL|abi.FS_IMMUTABLE_FL), false); !errIs(err, abi.EPERM) {
		t.Errorf("IMMUTABLE without the capability: %v, want EPERM", err)
	}
	s.must(s.chattr("f", abi.FS_APPEND_FL), "root sets APPEND")
	if err := vfs.SetFileAttr(owner, in, vfs.FillFlags(0), false); !errIs(err, abi.EPERM) {
		t.Errorf("clearing APPEND without the capability: %v, want EPERM", err)
	}
	s.must(vfs.SetFileAttr(owner, in, vfs.FillFlags(abi.FS_APPEND_FL|abi.FS_NOATIME_FL), false), "owner keeps APPEND")
}

// TestFileAttrInherited: a new inode takes NODUMP and NOATIME from its
// directory, never APPEND or IMMUTABLE.
func TestFileAttrInherited(t *testing.T) {
	s := newNS(t)
	s.mkdir("d")
	s.must(s.chattr("d", abi.FS_APPEND_FL|abi.FS_NODUMP_FL|abi.FS_NOATIME_FL), "chattr d")
	for _, n := range []*Node{s.create("d/f"), func() *Node { s.mkdir("d/sub"); return s.lookup("d/sub") }()} {
		if got := n.GetFileAttr().Flags; got != abi.FS_NODUMP_FL|abi.FS_NOATIME_FL {
			t.Errorf("inherited flags %#x", got)
		}
		if n.Inode().Flags() != vfs.InodeNoAtime {
			t.Errorf("inherited inode flags %#x", n.Inode().Flags())
		}
	}
}

// TestImmutableRefuses: an immutable file refuses every change through
// the vfs with EPERM, and so does an immutable directory for its entries.
func TestImmutableRefuses(t *testing.T) {
	s := newNS(t)
	s.mkdir("d")
	s.create("d/in")
	n := s.create("f")
	s.must(s.chattr("f", abi.FS_IMMUTABLE_FL), "chattr f")
	s.must(s.chattr("d", abi.FS_IMMUTABLE_FL), "chattr d")
	r := s.root()
	in := n.Inode()
	for what, err := range map[string]error{
		"write access":   vfs.Permission(root, in, vfs.MayWrite),
		"chmod":          vfs.SetAttr(root, in, vfs.AttrChange{Valid: vfs.SetMode, Mode: 0o600}),
		"chown":          vfs.SetAttr(root, in, vfs.AttrChange{Valid: vfs.SetUID, UID: 5}),
		"touch":          vfs.SetAttr(root, in, vfs.AttrChange{Valid: vfs.SetAtime | vfs.SetMtime | vfs.SetTimesNow}),
		"explicit times": vfs.SetAttr(root, in, vfs.AttrChange{Valid: vfs.SetMtime, Mtime: 5}),
		"link":           s.mt.Link(root, vfsPath(s, "f"), r, r, "g"),
		"unlink":         s.mt.Unlink(root, r, r, "f"),
		"rename":         s.mt.Rename(root, r, r, "f", r, "g", 0),
		"create in dir":  func() error { _, err := s.mt.Create(root, r, r, "d/new", 0o644); return err }(),
		"mkdir in dir":   s.mt.Mkdir(root, r, r, "d/sub", 0o755),
		"unlink in dir":  s.mt.Unlink(root, r, r, "d/in"),
		"rename in dir":  s.mt.Rename(root, r, r, "d/in", r, "d/in2", 0),
		"fallocate":      n.Fallocate(0, 0, 4096),
	} {
		if !errIs(err, abi.EPERM) {
			t.Errorf("%s of an immutable inode: %v, want EPERM", what, err)
		}
	}
	if err := vfs.Permission(root, in, vfs.MayRead); err != nil {
		t.Errorf("read access: %v", err)
	}
	if err := vfs.Permission(root, vfsPath(s, "d/in").Dentry.Inode(), vfs.MayWrite); err != nil {
		t.Errorf("write access to a file in an immutable directory: %v", err)
	}
	s.must(s.chattr("f", 0), "clear f")
	s.must(s.mt.Unlink(root, r, r, "f"), "unlink once mutable")
}

// TestAppendOnlyRefuses: an append-only file may not be removed,
// renamed, linked, or have its mode or explicit times changed, but may
// be touched and grown by fallocate; an append-only directory keeps its
// entries but takes new ones.
func TestAppendOnlyRefuses(t *testing.T) {
	s := newNS(t)
	s.mkdir("d")
	s.create("d/in")
	n := s.create("f")
	s.must(s.chattr("f", abi.FS_APPEND_FL), "chattr f")
	s.must(s.chattr("d", abi.FS_APPEND_FL), "chattr d")
	r := s.root()
	in := n.Inode()
	for what, err := range map[string]error{
		"chmod":           vfs.SetAttr(root, in, vfs.AttrChange{Valid: vfs.SetMode, Mode: 0o600}),
		"explicit times":  vfs.SetAttr(root, in, vfs.AttrChange{Valid: vfs.SetAtime, Atime: 5}),
		"link":            s.mt.Link(root, vfsPath(s, "f"), r, r, "g"),
		"unlink":          s.mt.Unlink(root, r, r, "f"),
		"rename":          s.mt.Rename(root, r, r, "f", r, "g", 0),
		"unlink in dir":   s.mt.Unlink(root, r, r, "d/in"),
		"rename out":      s.mt.Rename(root, r, r, "d/in", r, "out", 0),
		"punch a hole":    n.Fallocate(abi.FALLOC_FL_PUNCH_HOLE|abi.FALLOC_FL_KEEP_SIZE, 0, 4096),
		"replace by name": func() error { s.create("other"); return s.mt.Rename(root, r, r, "other", r, "f", 0) }(),
	} {
		if !errIs(err, abi.EPERM) {
			t.Errorf("%s of an append-only inode: %v, want EPERM", what, err)
		}
	}
	for what, err := range map[string]error{
		"write access":  vfs.Permission(root, in, vfs.MayWrite),
		"touch":         vfs.SetAttr(root, in, vfs.AttrChange{Valid: vfs.SetAtime | vfs.SetMtime | vfs.SetTimesNow}),
		"fallocate":     n.Fallocate(0, 0, 4096),
		"create in dir": func() error { _, err := s.mt.Create(root, r, r, "d/new", 0o644); return err }(),
	} {
		if err != nil {
			t.Errorf("%s of an append-only inode: %v", what, err)
		}
	}
}

// TestNoAtime: a NOATIME file's reads leave its atime.
func TestNoAtime(t *testing.T) {
	s := newNS(t)
	n := s.create("f")
	mustWrite(t, n, []byte("data"), 0)
	s.must(s.chattr("f", abi.FS_NOATIME_FL), "chattr")
	before := n.Inode().Attr().Atime
	contents(t, n)
	if n.Inode().Attr().Atime != before {
		t.Error("a read of a NOATIME file changed its atime")
	}
	s.must(s.chattr("f", 0), "clear")
	contents(t, n)
	if n.Inode().Attr().Atime == before {
		t.Error("a read after NOATIME went left atime (relatime should update it)")
	}
}
