package libstarry

import (
	"testing"

	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// points lists the mount points /proc/PID/mounts would show p.
func points(p *Process) map[string]bool {
	out := map[string]bool{}
	for _, e := range p.Mounts() {
		out[e.Point] = true
	}
	return out
}

// TestMountNamespace: a process that copies its namespace (as
// unshare(CLONE_NEWNS) does) keeps its working directory's place, and
// its later mounts are its own; the original's mount does not reach it
// either, and each cannot unmount the other's mounts.
func TestMountNamespace(t *testing.T) {
	_, ex := newMachine()
	fs, err := NewFiles(ex, entries(t, InitDir("mnt", 0o755), InitDir("mnt2", 0o755), InitDir("work", 0o755)))
	if err != nil {
		t.Fatal(err)
	}
	p := &Process{cfg: Config{FS: fs}, cred: rootCred, fs: newFSContext(fs)}
	w := p.At(vfs.Path{})
	work, err := p.Resolve(w, "/work", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Chdir(work); err != nil {
		t.Fatal(err)
	}
	q := &Process{cfg: Config{FS: fs}, cred: rootCred, fs: p.fs.copy()}
	q.fs.copyMountNS()
	if q.MountNS() == p.MountNS() {
		t.Fatal("copy shares the namespace")
	}
	if cwd, err := q.Getcwd(); cwd != "/work" || err != nil {
		t.Errorf("copy's cwd = %q, %v; want /work", cwd, err)
	}
	if len(q.Mounts()) != len(p.Mounts()) {
		t.Errorf("copy has %d mounts, the original %d", len(q.Mounts()), len(p.Mounts()))
	}
	if q.Mounts()[1].FSType != p.Mounts()[1].FSType || q.Mounts()[1].ID == p.Mounts()[1].ID {
		t.Errorf("copied mount: %+v; original %+v", q.Mounts()[1], p.Mounts()[1])
	}
	mountAt := func(r *Process, dir string) {
		t.Helper()
		at, err := r.Resolve(r.At(vfs.Path{}), dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Mount("tmpfs", at, "tmpfs", 0, ""); err != nil {
			t.Fatalf("mount on %s: %v", dir, err)
		}
	}
	mountAt(q, "/mnt")
	mountAt(p, "/mnt2")
	if !points(q)["/mnt"] || points(q)["/mnt2"] {
		t.Errorf("copy's mounts: %v; want /mnt and not /mnt2", points(q))
	}
	if points(p)["/mnt"] || !points(p)["/mnt2"] {
		t.Errorf("original's mounts: %v; want /mnt2 and not /mnt", points(p))
	}
	qm, _ := q.Resolve(q.At(vfs.Path{}), "/mnt", 0)
	if err := p.Umount(qm); err != abi.EINVAL {
		t.Errorf("umount of the copy's mount by the original: %v, want EINVAL", err)
	}
	if err := p.Mount("tmpfs", qm, "tmpfs", 0, ""); err != abi.EINVAL {
		t.Errorf("mount on the copy's mount by the original: %v, want EINVAL", err)
	}
	if err := q.Umount(qm); err != nil {
		t.Errorf("umount in the copy: %v", err)
	}
}

// TestMountPropagationShared: with / shared before the copy, a mount in
// one namespace shows in the other, and /proc's mountinfo fields say so.
func TestMountPropagationShared(t *testing.T) {
	_, ex := newMachine()
	fs, err := NewFiles(ex, entries(t, InitDir("mnt", 0o755)))
	if err != nil {
		t.Fatal(err)
	}
	p := &Process{cfg: Config{FS: fs}, cred: rootCred, fs: newFSContext(fs)}
	if err := p.SetPropagation(fs.Root(), vfs.PropShared, false); err != nil {
		t.Fatal(err)
	}
	q := &Process{cfg: Config{FS: fs}, cred: rootCred, fs: p.fs.copy()}
	q.fs.copyMountNS()
	at, _ := p.Resolve(p.At(vfs.Path{}), "/mnt", 0)
	if err := p.Mount("tmpfs", at, "tmpfs", 0, "size=8k"); err != nil {
		t.Fatal(err)
	}
	var got *MountEntry
	for _, e := range q.Mounts() {
		if e.Point == "/mnt" {
			got = &e
		}
	}
	if got == nil || got.FSType != "tmpfs" || got.Options != "rw,relatime,size=8k" || got.Propagation == "" {
		t.Errorf("propagated mount in the copy: %+v", got)
	}
	if p.Mounts()[0].Propagation != q.Mounts()[0].Propagation {
		t.Errorf("roots' fields differ: %q, %q", p.Mounts()[0].Propagation, q.Mounts()[0].Propagation)
	}
}
