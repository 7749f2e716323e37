package vfs

import "testing"

// nsView resolves paths in the namespace n from its root.
func nsView(t *testing.T, f *fixture, n *MountTable, path string) string {
	t.Helper()
	p, err := n.Resolve(rootCreds, n.Root(), n.Root(), path, 0)
	if err != nil {
		return errName(err)
	}
	return p.Mount.fs.Name
}

// TestCopyPrivate: a copied namespace starts with the same mounts (new
// ones, with new IDs); later mounts and unmounts stay in their own
// namespace, and a Path moved into the copy walks the copy's mounts.
func TestCopyPrivate(t *testing.T) {
	f := newFixture(t)
	f.mkdir("a", 0o755)
	f.mkdir("b", 0o755)
	_, _, ma := f.mount("one", "a")
	n, move := f.mt.Copy()
	if got := len(n.Mounts()); got != 2 {
		t.Fatalf("copy has %d mounts, want 2", got)
	}
	if c := n.Mounts()[1]; c == ma || c.ID == ma.ID || c.CopiedFrom() != ma || c.Table() != n {
		t.Errorf("copy of one: %p id %d from %p, want a new mount copied from %p", c, c.ID, c.CopiedFrom(), ma)
	}
	if got := nsView(t, f, n, "a"); got != "one" {
		t.Errorf("copy sees /a on %s, want one", got)
	}
	_, fs2 := newMemFS("two")
	nb, err := n.Resolve(rootCreds, n.Root(), n.Root(), "b", 0)
	f.must(err, "resolve b in copy")
	_, err = n.Mount(fs2, nb)
	f.must(err, "mount two in copy")
	if got, want := resolveWhere(f, rootCreds, f.root(), f.root(), "b", 0), "/b@root"; got != want {
		t.Errorf("original sees /b as %s, want %s (private)", got, want)
	}
	f.must(f.mt.Umount(ma.Root()), "umount one in original")
	if got := nsView(t, f, n, "a"); got != "one" {
		t.Errorf("after the original's umount, copy sees /a on %s, want one", got)
	}
	// The original's /b, moved, is the copy's /b, under which two is.
	moved := move(f.lookup("b"))
	if moved.Mount != n.Root().Mount {
		t.Errorf("moved /b is not on the copy's root mount")
	}
	if got := n.top(moved); got.Mount.fs.Name != "two" {
		t.Errorf("walk from moved /b reaches %s, want two", got.Mount.fs.Name)
	}
	// A mount of the other namespace is EINVAL here (check_mnt).
	if err := f.mt.Umount(n.Mounts()[1].Root()); errName(err) != "EINVAL" {
		t.Errorf("umount of the copy's mount from the original = %s, want EINVAL", errName(err))
	}
}

// TestPropagation: under a shared mount, mounts and unmounts reach the
// peers in a copied namespace; a slave receives but does not send; a
// private mount neither.
func TestPropagation(t *testing.T) {
	f := newFixture(t)
	f.mkdir("s", 0o755)
	_, _, ms := f.mount("shared", "s")
	f.mkdir("s/x", 0o755)
	f.mkdir("s/y", 0o755)
	f.must(f.mt.SetPropagation(ms.Root(), PropShared, false), "make-shared")
	if got := ms.PropagationFields(); got != "shared:1" {
		t.Errorf("fields = %q, want shared:1", got)
	}
	if err := f.mt.SetPropagation(f.lookup("s/x"), PropShared, false); errName(err) != "EINVAL" {
		t.Errorf("make-shared of a non-root = %s, want EINVAL", errName(err))
	}
	peer, _ := f.mt.Copy()
	slave, _ := f.mt.Copy()
	sm := slave.Mounts()[1]
	f.must(slave.SetPropagation(sm.Root(), PropSlave, false), "make-slave")
	if got := sm.PropagationFields(); got != "master:1" {
		t.Errorf("slave fields = %q, want master:1", got)
	}
	_, _, mx := f.mount("x", "s/x")
	for _, n := range []*MountTable{peer, slave} {
		if got := nsView(t, f, n, "s/x"); got != "x" {
			t.Errorf("mount on shared /s/x reaches a copy as %s, want x", got)
		}
	}
	if got := mx.PropagationFields(); got != "shared:2" {
		t.Errorf("new mount under a shared one: %q, want shared:2", got)
	}
	// The slave's own mount does not go back.
	_, fsy := newMemFS("y")
	y, err := slave.Resolve(rootCreds, slave.Root(), slave.Root(), "s/y", 0)
	f.must(err, "resolve s/y in slave")
	_, err = slave.Mount(fsy, y)
	f.must(err, "mount y in slave")
	if got := nsView(t, f, f.mt, "s/y"); got != "shared" {
		t.Errorf("slave's mount reached the master: /s/y on %s", got)
	}
	f.must(f.mt.Umount(mx.Root()), "umount x")
	for _, n := range []*MountTable{peer, slave} {
		if got := nsView(t, f, n, "s/x"); got != "shared" {
			t.Errorf("umount of /s/x left %s in a copy", got)
		}
	}
	// Private: no more propagation.
	f.must(f.mt.SetPropagation(ms.Root(), PropPrivate, true), "make-rprivate")
	f.mount("z", "s/x")
	if got := nsView(t, f, peer, "s/x"); got != "shared" {
		t.Errorf("mount under a private mount reached the copy as %s", got)
	}
}
