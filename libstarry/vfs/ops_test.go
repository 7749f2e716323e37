package vfs

import (
	"strconv"
	"strings"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// runOp runs one line of an operations table: an op name, its arguments,
// and for rename an optional flags word.
func runOp(f *fixture, c *Creds, line string) error {
	args := strings.Fields(line)
	r := f.root()
	switch args[0] {
	case "mkdir":
		return f.mt.Mkdir(c, r, r, args[1], 0o755)
	case "create":
		_, err := f.mt.Create(c, r, r, args[1], 0o644)
		return err
	case "mknod":
		mode, _ := strconv.ParseUint(args[2], 0, 32)
		rdev := uint64(0)
		if len(args) > 3 {
			rdev, _ = strconv.ParseUint(args[3], 0, 64)
		}
		return f.mt.Mknod(c, r, r, args[1], uint32(mode), rdev)
	case "symlink":
		return f.mt.Symlink(c, strings.ReplaceAll(args[1], "''", ""), r, r, args[2])
	case "link", "linkf":
		flags := NoFollow
		if args[0] == "linkf" {
			flags = 0
		}
		old, err := f.mt.Resolve(c, r, r, args[1], flags)
		if err != nil {
			return err
		}
		return f.mt.Link(c, old, r, r, args[2])
	case "unlink":
		return f.mt.Unlink(c, r, r, args[1])
	case "rmdir":
		return f.mt.Rmdir(c, r, r, args[1])
	case "rename":
		flags := uint64(0)
		if len(args) > 3 {
			flags, _ = strconv.ParseUint(args[3], 0, 32)
		}
		return f.mt.Rename(c, r, r, args[1], r, args[2], uint32(flags))
	case "chown":
		uid, _ := strconv.ParseUint(args[2], 0, 32)
		p, err := f.mt.Resolve(c, r, r, args[1], NoFollow)
		if err != nil {
			return err
		}
		return SetAttr(c, p.Dentry.inode, AttrChange{Valid: SetUID, UID: uint32(uid)})
	case "exists":
		_, err := f.mt.Resolve(c, r, r, args[1], NoFollow)
		return err
	}
	panic("unknown op " + line)
}

func TestOps(t *testing.T) {
	f := newFixture(t)
	f.mkdir("mnt", 0o755)
	f.mount("m2", "mnt")
	f.mkdir("tmp", 0o1777)
	f.mkdir("ud", 0o755)
	f.chown("ud", 1000, 1000)
	long := strings.Repeat("n", NameMax+1)
	steps := []struct {
		c    *Creds
		op   string
		want string
	}{
		{rootCreds, "mkdir d", "ok"},
		{rootCreds, "mkdir d", "EEXIST"},
		{rootCreds, "mkdir d/", "EEXIST"},
		{rootCreds, "mkdir d/.", "EEXIST"},
		{rootCreds, "mkdir d/..", "EEXIST"},
		{rootCreds, "mkdir /", "EEXIST"},
		{rootCreds, "mkdir nope/x", "ENOENT"},
		{rootCreds, "mkdir d/" + long, "ENAMETOOLONG"},
		{rootCreds, "mkdir e//", "ok"},
		{rootCreds, "create d/f", "ok"},
		{rootCreds, "create d/f", "EEXIST"},
		{rootCreds, "create d/g/", "ENOENT"},
		{rootCreds, "create d/f/", "EEXIST"},
		{rootCreds, "create d/f/x", "ENOTDIR"},
		{rootCreds, "mknod d/dir 0x4000", "EPERM"},
		{rootCreds, "mknod d/bad 0xf000", "EINVAL"},
		{rootCreds, "mknod d/bad 0xf000", "EINVAL"},
		{rootCreds, "mknod nope/bad 0x4000", "EPERM"}, // before the path is looked at
		{rootCreds, "mknod d/fifo 0x1000", "ok"},
		{rootCreds, "mknod d/reg 0", "ok"},
		{rootCreds, "mknod d/null 0x2000 0x103", "ok"},
		{user, "mknod ud/null 0x2000 0x103", "EPERM"},
		{user, "mknod ud/wh 0x2000 0", "ok"},
		{user, "mknod d/fifo2 0x1000", "EACCES"},
		{rootCreds, "symlink '' d/s", "ENOENT"},
		{rootCreds, "symlink " + strings.Repeat("t", PathMax) + " d/s", "ENAMETOOLONG"},
		{rootCreds, "symlink f d/s", "ok"},
		{rootCreds, "symlink x d/s", "EEXIST"},
		{rootCreds, "symlink x d/s/", "EEXIST"},
		{rootCreds, "symlink x d/s2/", "ENOENT"},
		{rootCreds, "link d/f d/f2", "ok"},
		{rootCreds, "link d/f d/f2", "EEXIST"},
		{rootCreds, "link d d/d2", "EPERM"},
		{rootCreds, "link d/f mnt/x", "EXDEV"},
		{rootCreds, "link d/f mnt", "EEXIST"},
		{rootCreds, "link d/s d/s3", "ok"},  // links the symlink itself
		{rootCreds, "linkf d/s d/f3", "ok"}, // links its target
		{user, "link d/f ud/f", "ok"},
		{rootCreds, "unlink d", "EISDIR"},
		{rootCreds, "unlink d/", "EISDIR"},
		{rootCreds, "unlink d/f/", "ENOTDIR"},
		{rootCreds, "unlink d/nope", "ENOENT"},
		{rootCreds, "unlink d/nope/", "ENOENT"},
		{rootCreds, "unlink .", "EISDIR"},
		{rootCreds, "unlink d/..", "EISDIR"},
		{rootCreds, "unlink /", "EISDIR"},
		{user, "unlink d/f2", "EACCES"},
		{user, "unlink d/f2/", "ENOTDIR"},
		{user, "unlink d", "EACCES"},
		{rootCreds, "unlink d/f2", "ok"},
		{rootCreds, "exists d/f2", "ENOENT"},
		{rootCreds, "rmdir d", "ENOTEMPTY"},
		{rootCreds, "rmdir d/f", "ENOTDIR"},
		{rootCreds, "rmdir .", "EINVAL"},
		{rootCreds, "rmdir d/..", "ENOTEMPTY"},
		{rootCreds, "rmdir /", "EBUSY"},
		{rootCreds, "rmdir mnt", "EBUSY"},
		{rootCreds, "rmdir mnt/", "EBUSY"},
		{rootCreds, "rmdir nope", "ENOENT"},
		{user, "rmdir e", "EACCES"},
		{rootCreds, "rmdir e/", "ok"},
		{rootCreds, "exists e", "ENOENT"},
		{rootCreds, "mkdir d/sub", "ok"},
		{rootCreds, "rename d d/sub", "EINVAL"},
		{rootCreds, "rename d d/sub/x", "EINVAL"},
		{rootCreds, "rename d d", "ok"},
		{rootCreds, "rename d/sub d", "ENOTEMPTY"},
		{rootCreds, "rename d/sub d 2", "EINVAL"}, // exchange with an ancestor
		{rootCreds, "rename d/f d/sub", "EISDIR"},
		{rootCreds, "rename d/sub d/f", "ENOTDIR"},
		{rootCreds, "rename d/f d/sub/f", "ok"},
		{rootCreds, "exists d/f", "ENOENT"},
		{rootCreds, "rename d/sub/f/ d/f", "ENOTDIR"},
		{rootCreds, "rename d/sub/f d/f/", "ENOTDIR"},
		{rootCreds, "rename d/sub/f d/f", "ok"},
		{rootCreds, "rename d/sub d/sub2/", "ok"},
		{rootCreds, "rename d/sub2/ d/sub//", "ok"},
		{rootCreds, "rename . x", "EBUSY"},
		{rootCreds, "rename d/sub ..", "EBUSY"},
		{rootCreds, "rename d/sub .. 1", "EEXIST"},
		{rootCreds, "rename d/nope x", "ENOENT"},
		{rootCreds, "rename nope/x y", "ENOENT"},
		{rootCreds, "rename d/fifo nope/x", "ENOENT"},
		{rootCreds, "rename d/fifo d/s 1", "EEXIST"},
		{rootCreds, "rename d/fifo d/nope 2", "ENOENT"},
		{rootCreds, "rename d/fifo d/s/ 2", "ENOTDIR"},
		{rootCreds, "rename d/fifo d/sub/ 2", "ok"}, // exchange a file with a directory
		{rootCreds, "exists d/fifo/", "ok"},
		{rootCreds, "rename d/fifo d/sub 2", "ok"},
		{rootCreds, "rename d/fifo mnt/x", "EXDEV"},
		{rootCreds, "rename d/fifo d/fifo", "ok"},
		{rootCreds, "rename d/s d/s3", "ok"}, // two links to one inode: nothing happens
		{rootCreds, "exists d/s", "ok"},
		{rootCreds, "rename d/fifo d/x 8", "EINVAL"},
		{rootCreds, "rename d/fifo d/x 3", "EINVAL"},
		{rootCreds, "rename d/fifo d/x 6", "EINVAL"},
		{rootCreds, "rename d/fifo d/x 4", "EINVAL"}, // memFS has no whiteouts
		{rootCreds, "mkdir d/e1", "ok"},
		{rootCreds, "mkdir d/e2", "ok"},
		{rootCreds, "rename d/e1 d/e2", "ok"},
		{rootCreds, "mkdir d/n1", "ok"},
		{rootCreds, "create d/e2/x", "ok"},
		{rootCreds, "rename d/n1 d/e2", "ENOTEMPTY"},
		{user, "create tmp/uf", "ok"},
		{user2, "unlink tmp/uf", "EPERM"},
		{user2, "rename tmp/uf tmp/vf", "EPERM"},
		{user2, "create tmp/u2", "ok"},
		{user2, "rename tmp/u2 tmp/uf", "EPERM"}, // may not delete the target
		{user, "unlink tmp/uf", "ok"},
		{rootCreds, "unlink tmp/u2", "ok"},
		{rootCreds, "mkdir ud/x", "ok"},
		{rootCreds, "mkdir ud/y", "ok"},
		{user, "chown ud/y 1000", "EPERM"},
		{rootCreds, "chown ud/y 1000", "ok"},
		{user, "rename ud/x ud/y/x", "EACCES"}, // root's directory: its ".." cannot change
		{user, "rename ud/x ud/z", "ok"},
		{user, "mkdir d/u", "EACCES"},
		{user, "mkdir d/sub", "EEXIST"},
	}
	for i, s := range steps {
		if got := errName(runOp(f, s.c, s.op)); got != want(s.want) {
			t.Errorf("step %d: uid %d %.60s = %s, want %s", i, s.c.UID, s.op, got, s.want)
		}
	}
	if n := f.lookup("d/f3").Dentry.inode; n != f.lookup("d/f").Dentry.inode || n.Attr().Nlink != 3 {
		t.Errorf("d/f3 is not d/f with 3 links (nlink %d)", n.Attr().Nlink)
	}
}

// TestOpsCache checks that the dentry cache follows the operations: a
// removed entry is dead and not found again, a renamed one is found
// under its new name with its subtree, and a removed cwd still works for
// "." and "..".
func TestOpsCache(t *testing.T) {
	f := newFixture(t)
	f.mkdir("d", 0o755)
	f.mkdir("d/sub", 0o755)
	f.create("d/sub/x", 0o644)
	f.mkdir("e", 0o755)
	sub, x := f.lookup("d/sub"), f.lookup("d/sub/x")
	f.must(runOp(f, rootCreds, "rename d/sub e/moved"), "rename")
	if got := f.where(sub); got != "/e/moved@root" {
		t.Errorf("moved dir is at %s", got)
	}
	if got := f.where(x); got != "/e/moved/x@root" {
		t.Errorf("file in moved dir is at %s", got)
	}
	if p := f.lookup("e/moved/x"); p != x {
		t.Errorf("lookup after rename found a different dentry")
	}
	if errName(runOp(f, rootCreds, "exists d/sub")) != "ENOENT" {
		t.Errorf("old name still found")
	}
	f.must(runOp(f, rootCreds, "unlink e/moved/x"), "unlink")
	if !x.Dentry.Dead() || sub.Dentry.cached("x") != nil {
		t.Errorf("unlinked entry still cached")
	}
	f.create("e/moved/x", 0o644)
	if p := f.lookup("e/moved/x"); p == x || p.Dentry.Dead() {
		t.Errorf("re-created entry reuses the dead dentry")
	}
	f.must(runOp(f, rootCreds, "unlink e/moved/x"), "unlink")
	f.must(runOp(f, rootCreds, "rmdir e/moved"), "rmdir")
	if !sub.Dentry.Dead() {
		t.Errorf("removed directory not dead")
	}
	r := f.root()
	for path, w := range map[string]string{".": "/e/moved@root", "..": "/e@root", "x": "ENOENT"} {
		if got := resolveWhere(f, rootCreds, r, sub, path, 0); got != w {
			t.Errorf("from a removed cwd, %q = %s, want %s", path, got, w)
		}
	}
	if err := f.mt.Mkdir(rootCreds, r, sub, "new", 0o755); errName(err) != "ENOENT" {
		t.Errorf("mkdir in a removed cwd = %s, want ENOENT", errName(err))
	}
	if err := sub.Dentry.ReadDir(0, func(DirEntry) bool { return true }); errName(err) != "ENOENT" {
		t.Errorf("ReadDir of a removed dir = %s, want ENOENT", errName(err))
	}
	// Replacing a directory by rename kills the replaced one.
	f.mkdir("p", 0o755)
	f.mkdir("q", 0o755)
	q := f.lookup("q")
	f.must(runOp(f, rootCreds, "rename p q"), "rename over")
	if !q.Dentry.Dead() || f.lookup("q") == q {
		t.Errorf("replaced directory still live")
	}
}

// TestNewOwner checks a new entry's owner and mode, set-group-ID
// directories included.
func TestNewOwner(t *testing.T) {
	f := newFixture(t)
	f.mkdir("sg", 0o777|abi.S_ISGID) // mkdir drops set-group-ID from the mode
	if f.lookup("sg").Dentry.inode.Attr().Mode&abi.S_ISGID != 0 {
		t.Errorf("mkdir kept S_ISGID")
	}
	f.chmod("sg", 0o777|abi.S_ISGID)
	f.chown("sg", 0, 77)
	f.mkdir("w", 0o777)
	r := f.root()
	f.must(f.mt.Mkdir(user, r, r, "sg/dir", 0o755), "mkdir")
	f.must(f.mt.Mknod(user, r, r, "sg/file", abi.S_IFREG|0o755|abi.S_ISGID, 0), "mknod")
	f.must(f.mt.Mkdir(user, r, r, "w/plain", 0o7777), "mkdir")
	cases := map[string]Attr{
		"sg/dir":  {Mode: abi.S_IFDIR | 0o755 | abi.S_ISGID, UID: 1000, GID: 77},
		"sg/file": {Mode: abi.S_IFREG | 0o755, UID: 1000, GID: 77},
		"w/plain": {Mode: abi.S_IFDIR | 0o1777, UID: 1000, GID: 1000},
	}
	for path, w := range cases {
		a := f.lookup(path).Dentry.inode.Attr()
		if a.Mode != w.Mode || a.UID != w.UID || a.GID != w.GID {
			t.Errorf("%s: mode %#o uid %d gid %d, want %#o %d %d", path, a.Mode, a.UID, a.GID, w.Mode, w.UID, w.GID)
		}
	}
}

func TestReadDir(t *testing.T) {
	f := newFixture(t)
	f.mkdir("d", 0o755)
	for _, n := range []string{"one", "two", "three", "four"} {
		f.create("d/"+n, 0o644)
	}
	d := f.lookup("d")
	var names []string
	var next int64
	err := d.Dentry.ReadDir(0, func(e DirEntry) bool {
		names = append(names, e.Name)
		next = e.Next
		return len(names) < 4
	})
	f.must(err, "readdir")
	f.must(runOp(f, rootCreds, "unlink d/two"), "unlink") // already read
	f.must(runOp(f, rootCreds, "unlink d/three"), "unlink")
	f.create("d/five", 0o644)
	f.must(d.Dentry.ReadDir(next, func(e DirEntry) bool { names = append(names, e.Name); return true }), "readdir")
	if got := strings.Join(names, " "); got != ". .. one two four five" {
		t.Errorf("ReadDir gave %q", got)
	}
	var dots []DirEntry
	f.must(f.root().Dentry.ReadDir(0, func(e DirEntry) bool { dots = append(dots, e); return len(dots) < 2 }), "readdir /")
	if dots[1].Name != ".." || dots[1].Ino != f.root().Dentry.inode.Ino {
		t.Errorf("\"..\" of the root is %+v", dots[1])
	}
}
