package vfs

import "testing"

func TestMountErrors(t *testing.T) {
	f := newFixture(t)
	f.mkdir("m", 0o755)
	f.create("file", 0o644)
	f.mkdir("gone", 0o755)
	gone := f.lookup("gone")
	f.must(runOp(f, rootCreds, "rmdir gone"), "rmdir")
	_, other := newMemFS("other")
	foreign := NewMountTable(other)
	_, fs2 := newMemFS("fs2")
	cases := []struct {
		fs   *FileSystem
		at   Path
		want string
	}{
		{f.fs, f.root(), "EBUSY"}, // a file system on its own root
		{fs2, f.lookup("file"), "ENOTDIR"},
		{fs2, gone, "ENOENT"},
		{fs2, foreign.Root(), "EINVAL"},
		{f.fs, f.lookup("m"), "ok"}, // the same file system elsewhere is fine
	}
	for _, c := range cases {
		if _, err := f.mt.Mount(c.fs, c.at); errName(err) != c.want {
			t.Errorf("Mount(%s on %s) = %s, want %s", c.fs.Name, f.where(c.at), errName(err), c.want)
		}
	}
	// Mounts are on a dentry as seen through a mount: /m/m is the
	// directory under the mount, not the mount again.
	for path, w := range map[string]string{"m/file": "/m/file@root", "m/m/file": "ENOENT", "m/m/..": "/m@root"} {
		if got := resolveWhere(f, rootCreds, f.root(), f.root(), path, 0); got != w {
			t.Errorf("root mounted on /m: %s = %s, want %s", path, got, w)
		}
	}
}

// TestMountStack mounts twice on one point, then unmounts, checking what
// is visible and where ".." goes at each stage.
func TestMountStack(t *testing.T) {
	f := newFixture(t)
	f.mkdir("m", 0o755)
	f.create("m/under", 0o644)
	_, _, m1 := f.mount("one", "m")
	f.mkdir("m/sub", 0o755)
	_, _, m2 := f.mount("two", "m")
	r := f.root()
	check := func(path, w string) {
		t.Helper()
		if got := resolveWhere(f, rootCreds, r, r, path, 0); got != w {
			t.Errorf("%s = %s, want %s", path, got, w)
		}
	}
	check("m", "/m@two")
	check("m/..", "/@root")
	check("m/sub", "ENOENT")
	if got := f.mt.MountedOn(m1.Root()); got != m2 {
		t.Errorf("MountedOn(one's root) = %v, want two", got)
	}
	if err := f.mt.Umount(m1.Root()); errName(err) != "EBUSY" {
		t.Errorf("Umount(one, covered) = %s, want EBUSY", errName(err))
	}
	if err := f.mt.Umount(f.lookup("m/..")); errName(err) != "EBUSY" {
		t.Errorf("Umount(/) = %s, want EBUSY", errName(err))
	}
	f.mkdir("m/inside", 0o755)
	inside := f.lookup("m/inside")
	if err := f.mt.Umount(inside); errName(err) != "EINVAL" {
		t.Errorf("Umount(not a mount's root) = %s, want EINVAL", errName(err))
	}
	f.must(f.mt.Umount(m2.Root()), "umount two")
	check("m", "/m@one")
	check("m/sub", "/m/sub@one")
	if err := f.mt.Umount(m2.Root()); errName(err) != "EINVAL" {
		t.Errorf("Umount(two again) = %s, want EINVAL", errName(err))
	}
	// A cwd left inside the detached mount: ".." stays at its root.
	if got := resolveWhere(f, rootCreds, r, inside, "../..", 0); got != "?/@two" {
		t.Errorf("from a detached mount, ../.. = %s, want its root", got)
	}
	f.must(f.mt.Umount(m1.Root()), "umount one")
	check("m/under", "/m/under@root")
	if f.lookup("m").Dentry.IsMountpoint() {
		t.Errorf("/m still a mount point")
	}
}

func TestPathOf(t *testing.T) {
	f := newFixture(t)
	f.mkdir("a", 0o755)
	f.mkdir("a/b", 0o755)
	f.mkdir("c", 0o755)
	_, _, m := f.mount("mfs", "c")
	f.mkdir("c/d", 0o755)
	a, b, d := f.lookup("a"), f.lookup("a/b"), f.lookup("c/d")
	cases := []struct {
		root, p Path
		want    string
		under   bool
	}{
		{f.root(), f.root(), "/", true},
		{f.root(), b, "/a/b", true},
		{a, b, "/b", true},
		{a, a, "/", true},
		{b, a, "/a", false},
		{f.root(), d, "/c/d", true},
		{m.Root(), d, "/d", true},
		{d, m.Root(), "/c", false},
	}
	for _, c := range cases {
		got, under := f.mt.PathOf(c.root, c.p)
		if got != c.want || under != c.under {
			t.Errorf("PathOf(%s, %s) = %q, %v; want %q, %v", f.where(c.root), f.where(c.p), got, under, c.want, c.under)
		}
	}
}
