package vfs

import (
	"fmt"
	"strings"
	"testing"
)

// walkTree builds the tree the resolution tables walk.
func walkTree(t *testing.T) *fixture {
	f := newFixture(t)
	f.mkdir("a", 0o755)
	f.mkdir("a/b", 0o755)
	f.mkdir("a/b/c", 0o755)
	f.create("a/f", 0o644)
	f.symlink("/a/b", "abs")
	f.symlink("a/b", "rel")
	f.symlink("a/b/../..", "up")
	f.symlink("../f", "a/b/back")
	f.symlink("loop2", "loop1")
	f.symlink("loop1", "loop2")
	f.symlink("self", "self")
	f.symlink("nope", "dangling")
	f.symlink("/a/f", "tofile")
	f.symlink("a/f/", "tofileslash")
	f.symlink("///", "slash")
	f.symlink("/b", "a/absl")
	for i := 0; i < MaxSymlinks-1; i++ { // c0 -> c1 -> ... -> c39 -> /a: 40 links
		f.symlink(fmt.Sprintf("c%d", i+1), fmt.Sprintf("c%d", i))
	}
	f.symlink("/a", fmt.Sprintf("c%d", MaxSymlinks-1))
	for i := 0; i < MaxSymlinks; i++ { // d0 -> ... -> d40 -> /a: 41 links
		f.symlink(fmt.Sprintf("d%d", i+1), fmt.Sprintf("d%d", i))
	}
	f.symlink("/a", fmt.Sprintf("d%d", MaxSymlinks))
	f.mkdir("noexec", 0o700)
	f.create("noexec/x", 0o644)
	f.mkdir("mnt", 0o755)
	f.mount("m2", "mnt")
	f.mkdir("mnt/m1", 0o755)
	f.symlink("..", "mnt/up")
	f.symlink("/a", "mnt/abs")
	f.mount("m3", "mnt/m1")
	return f
}

func TestResolve(t *testing.T) {
	f := walkTree(t)
	long := strings.Repeat("x", NameMax)
	tooLong := long + "x"
	cases := []struct {
		path  string
		flags Flags
		want  string
	}{
		{"", 0, "ENOENT"},
		{"", EmptyPath, "/@root"},
		{"/", 0, "/@root"},
		{"//a///b//", 0, "/a/b@root"},
		{"a/./b/.", 0, "/a/b@root"},
		{"a/b/c/../../f", 0, "/a/f@root"},
		{"/..", 0, "/@root"},
		{"../../a", 0, "/a@root"},
		{"a/f", 0, "/a/f@root"},
		{"a/f/", 0, "ENOTDIR"},
		{"a/f/x", 0, "ENOTDIR"},
		{"a/f/.", 0, "ENOTDIR"},
		{"a/f/..", 0, "ENOTDIR"},
		{"a/f", Directory, "ENOTDIR"},
		{"a", Directory, "/a@root"},
		{"a/nope", 0, "ENOENT"},
		{"a/nope/x", 0, "ENOENT"},
		{"abs", 0, "/a/b@root"},
		{"abs", NoFollow, "/abs@root"},
		{"abs/", NoFollow, "/a/b@root"},
		{"abs", NoFollow | Directory, "ENOTDIR"},
		{"abs/c", 0, "/a/b/c@root"},
		{"rel/c", 0, "/a/b/c@root"},
		{"up", 0, "/@root"},
		{"a/b/back", 0, "/a/f@root"},
		{"loop1", 0, "ELOOP"},
		{"loop1", NoFollow, "/loop1@root"},
		{"loop1/", NoFollow, "ELOOP"},
		{"self/x", 0, "ELOOP"},
		{"dangling", 0, "ENOENT"},
		{"dangling", NoFollow, "/dangling@root"},
		{"dangling/", NoFollow, "ENOENT"},
		{"tofile/", 0, "ENOTDIR"},
		{"tofile", 0, "/a/f@root"},
		{"tofileslash", 0, "ENOTDIR"},
		{"tofileslash", NoFollow, "/tofileslash@root"},
		{"tofileslash/..", 0, "ENOTDIR"},
		{"slash", 0, "/@root"},
		{"slash/a", 0, "/a@root"},
		{"c0", 0, "/a@root"},
		{"c0/b", 0, "/a/b@root"},
		{"d0", 0, "ELOOP"},
		{"abs", ResolveNoSymlinks, "ELOOP"},
		{"abs", NoFollow | ResolveNoSymlinks, "/abs@root"},
		{"a/b", ResolveNoSymlinks | ResolveNoMagiclinks, "/a/b@root"},
		{long, 0, "ENOENT"},
		{tooLong, 0, "ENAMETOOLONG"},
		{"a/" + tooLong + "/x", 0, "ENAMETOOLONG"},
		{"nope/" + tooLong, 0, "ENOENT"},
		{strings.Repeat("/", PathMax-1), 0, "/@root"},
		{strings.Repeat("/", PathMax), 0, "ENAMETOOLONG"},
		{"a" + strings.Repeat("/.", (PathMax-2)/2), 0, "/a@root"},
		{"mnt", 0, "/mnt@m2"},
		{"mnt/", 0, "/mnt@m2"},
		{"mnt/m1", 0, "/mnt/m1@m3"},
		{"mnt/..", 0, "/@root"},
		{"mnt/m1/..", 0, "/mnt@m2"},
		{"mnt/m1/../..", 0, "/@root"},
		{"mnt/up", 0, "/@root"},
		{"mnt/up/a", 0, "/a@root"},
		{"mnt/abs", 0, "/a@root"},
		{"mnt", ResolveNoXdev, "EXDEV"},
		{"a", ResolveNoXdev, "/a@root"},
		{"/a", ResolveNoXdev, "/a@root"},
	}
	for _, c := range cases {
		got := resolveWhere(f, rootCreds, f.root(), f.root(), c.path, c.flags)
		if got != c.want {
			t.Errorf("Resolve(%.40q, %#x) = %s, want %s", c.path, c.flags, got, c.want)
		}
	}
}

func resolveWhere(f *fixture, c *Creds, root, cwd Path, path string, flags Flags) string {
	p, err := f.mt.Resolve(c, root, cwd, path, flags)
	if err != nil {
		return errName(err)
	}
	return f.where(p)
}

// TestResolveFrom covers other roots and starting points: a chroot, the
// scoped openat2 flags, mounts under ResolveNoXdev, and a non-directory
// start.
func TestResolveFrom(t *testing.T) {
	f := walkTree(t)
	a, mnt, file := f.lookup("a"), f.lookup("mnt"), f.lookup("a/f")
	cases := []struct {
		root, cwd Path
		path      string
		flags     Flags
		want      string
	}{
		{a, a, "/", 0, "/a@root"}, // a chroot at /a
		{a, a, "..", 0, "/a@root"},
		{a, a, "/../../b", 0, "/a/b@root"},
		{a, a, "b/../../..", 0, "/a@root"},
		{a, a, "absl", 0, "/a/b@root"},
		{a, f.lookup("a/b/c"), "../../..", 0, "/a@root"},
		{f.root(), a, "b/c", ResolveBeneath, "/a/b/c@root"},
		{f.root(), a, "b/back", ResolveBeneath, "/a/f@root"},
		{f.root(), a, "..", ResolveBeneath, "EXDEV"},
		{f.root(), a, "b/../..", ResolveBeneath, "EXDEV"},
		{f.root(), a, "/a", ResolveBeneath, "EXDEV"},
		{f.root(), a, "absl", ResolveBeneath, "EXDEV"},
		{f.root(), a, "absl", ResolveBeneath | NoFollow, "/a/absl@root"},
		{f.root(), a, "..", ResolveInRoot, "/a@root"},
		{f.root(), a, "/b", ResolveInRoot, "/a/b@root"},
		{f.root(), a, "absl", ResolveInRoot, "/a/b@root"},
		{f.root(), a, "absl", 0, "ENOENT"},
		{f.root(), mnt, "..", ResolveNoXdev, "EXDEV"},
		{f.root(), mnt, "m1", ResolveNoXdev, "EXDEV"},
		{f.root(), mnt, "abs", ResolveNoXdev, "EXDEV"},
		{f.root(), mnt, "/a", ResolveNoXdev, "/a@root"},
		{f.root(), mnt, "up", 0, "/@root"},
		{mnt, mnt, "..", 0, "/mnt@m2"}, // a chroot at a mount's root
		{mnt, mnt, "up/abs", 0, "ENOENT"},
		{f.root(), file, "x", 0, "ENOTDIR"},
		{f.root(), file, "", EmptyPath, "/a/f@root"},
		{f.root(), file, "", EmptyPath | Directory, "ENOTDIR"},
		{f.root(), file, "/a", 0, "/a@root"},
	}
	for _, c := range cases {
		got := resolveWhere(f, rootCreds, c.root, c.cwd, c.path, c.flags)
		if got != c.want {
			t.Errorf("Resolve(root %s, cwd %s, %q, %#x) = %s, want %s",
				f.where(c.root), f.where(c.cwd), c.path, c.flags, got, c.want)
		}
	}
}

// TestResolveSearchPermission checks x permission on every directory
// walked, before the component in it is looked at.
func TestResolveSearchPermission(t *testing.T) {
	f := walkTree(t)
	f.mkdir("a/b/c/d", 0o755)
	f.chmod("a/b", 0o754) // others may read but not search
	f.mkdir("g", 0o710)
	f.chown("g", 0, 50) // user is in group 50 through Groups
	f.create("g/x", 0o644)
	cases := []struct {
		c    *Creds
		path string
		want string
	}{
		{user, "noexec", "/noexec@root"},
		{user, "noexec/x", "EACCES"},
		{user, "noexec/nope", "EACCES"},
		{user, "noexec/.", "EACCES"},
		{user, "noexec/..", "EACCES"},
		{rootCreds, "noexec/x", "/noexec/x@root"},
		{user, "a/b", "/a/b@root"},
		{user, "a/b/c", "EACCES"},
		{user, "abs/c", "EACCES"},
		{user, "g/x", "/g/x@root"},
		{user2, "g/x", "EACCES"},
	}
	for _, c := range cases {
		if got := resolveWhere(f, c.c, f.root(), f.root(), c.path, 0); got != c.want {
			t.Errorf("Resolve(uid %d, %q) = %s, want %s", c.c.UID, c.path, got, c.want)
		}
	}
	// A cwd the thread cannot search: "." needs search permission too.
	cd := f.lookup("a/b/c")
	for path, w := range map[string]string{".": "EACCES", "d": "EACCES", "": "EACCES"} {
		flags := Flags(0)
		if path == "" {
			flags, w = EmptyPath, "/a/b/c@root"
		}
		f.chmod("a/b/c", 0o700)
		if got := resolveWhere(f, user, f.root(), cd, path, flags); got != w {
			t.Errorf("Resolve from an unsearchable cwd, %q = %s, want %s", path, got, w)
		}
	}
}

func TestResolveParent(t *testing.T) {
	f := walkTree(t)
	cases := []struct {
		c    *Creds
		path string
		want string
	}{
		{rootCreds, "a/b", "/a@root b norm"},
		{rootCreds, "a/b/", "/a@root b norm/"},
		{rootCreds, "a//b//", "/a@root b norm/"},
		{rootCreds, "/", "/@root  root"},
		{rootCreds, "a/..", "/a@root .. dotdot"},
		{rootCreds, ".", "/@root . dot"},
		{rootCreds, "abs/x", "/a/b@root x norm"},
		{rootCreds, "abs", "/@root abs norm"},
		{rootCreds, "mnt", "/@root mnt norm"},
		{rootCreds, "mnt/x", "/mnt@m2 x norm"},
		{rootCreds, "nope/x", "ENOENT"},
		{rootCreds, "a/f/x", "ENOTDIR"},
		{rootCreds, "loop1/x", "ELOOP"},
		{rootCreds, "a/" + strings.Repeat("y", NameMax+1), "/a@root " + strings.Repeat("y", NameMax+1) + " norm"},
		{user, "noexec/x", "EACCES"},
		{user, "noexec", "/@root noexec norm"},
	}
	types := map[LastType]string{LastNorm: "norm", LastRoot: "root", LastDot: "dot", LastDotDot: "dotdot"}
	for _, c := range cases {
		par, err := f.mt.ResolveParent(c.c, f.root(), f.root(), c.path, 0)
		got := errName(err)
		if err == nil {
			got = fmt.Sprintf("%s %s %s", f.where(par.Dir), par.Name, types[par.Type])
			if par.TrailingSlash {
				got += "/"
			}
		}
		if got != c.want {
			t.Errorf("ResolveParent(%.40q) = %.80s, want %.80s", c.path, got, c.want)
		}
	}
}
