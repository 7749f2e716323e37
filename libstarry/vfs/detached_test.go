package vfs

import "testing"

// TestDetachedMove makes a detached mount, checks move_mount's refusals,
// attaches it, moves it elsewhere and clones it: each step changes what
// paths see, and a clone closed while detached leaves nothing mounted.
func TestDetachedMove(t *testing.T) {
	f := newFixture(t)
	f.mkdir("a", 0o755)
	f.mkdir("b", 0o755)
	f.create("file", 0o644)
	_, fs2 := newMemFS("two")
	m := NewDetached(fs2)
	if !m.Detached() {
		t.Fatal("a new detached mount is not detached")
	}
	r := f.root()
	for _, c := range []struct {
		from, to Path
		want     string
	}{
		{m.Root(), f.lookup("file"), "EINVAL"},   // a directory onto a file
		{f.lookup("a"), f.lookup("b"), "EINVAL"}, // not a mount's root
		{r, f.lookup("b"), "EINVAL"},             // the namespace's root
		{m.Root(), f.lookup("a"), "ok"},
		{m.Root(), f.lookup("a"), "ELOOP"}, // onto itself
	} {
		if err := f.mt.Move(c.from, c.to); errName(err) != c.want {
			t.Errorf("Move(%s, %s) = %s, want %s", f.where(c.from), f.where(c.to), errName(err), c.want)
		}
	}
	if m.Detached() {
		t.Error("still detached after Move")
	}
	if got := resolveWhere(f, rootCreds, r, r, "a", 0); got != "/a@two" {
		t.Errorf("a = %s, want /a@two", got)
	}
	if err := f.mt.Move(m.Root(), f.lookup("b")); err != nil {
		t.Fatalf("move a to b: %v", err)
	}
	for path, w := range map[string]string{"a": "/a@root", "b": "/b@two"} {
		if got := resolveWhere(f, rootCreds, r, r, path, 0); got != w {
			t.Errorf("after the move %s = %s, want %s", path, got, w)
		}
	}
	c, err := f.mt.Clone(f.lookup("b"), false)
	if err != nil || !c.Detached() || c.FS() != fs2 {
		t.Fatalf("Clone = %v, %v", c, err)
	}
	if gone := c.Dissolve(); len(gone) != 1 || c.Table() != nil {
		t.Errorf("Dissolve took %d mounts, table %v", len(gone), c.Table())
	}
	if gone := m.Dissolve(); gone != nil {
		t.Errorf("Dissolve of an attached mount took %d", len(gone))
	}
	if err := f.mt.Umount(m.Root()); err != nil {
		t.Errorf("umount b: %v", err)
	}
}
