package vfs

import (
	"sort"
	"sync"
	"sync/atomic"

	"github.com/starry-go/starry/personality/linux/abi"
)

// Path is a place in the namespace: a dentry as seen through a mount
// (Linux's struct path). Two Paths are the same place when they are equal.
type Path struct {
	Mount  *Mount
	Dentry *Dentry
}

// Mount is one file system mounted somewhere in a namespace (Linux's
// struct mount). With no bind mounts its root is always its file
// system's root.
type Mount struct {
	ID   uint64
	fs   *FileSystem
	root *Dentry
	// readOnly is MS_RDONLY: every change through this mount is EROFS
	// (mnt_want_write), whatever the file system allows.
	readOnly atomic.Bool

	// Guarded by mountLock; all nil once unmounted (and, but for
	// table, for the namespace's root mount).
	table  *MountTable
	parent *Mount
	point  *Dentry
	prop   propagation // its peers and master (propagate.go)
	from   *Mount      // the mount it was copied from, if any
}

// SetReadOnly makes the mount read-only or read-write (MS_REMOUNT).
func (m *Mount) SetReadOnly(ro bool) { m.readOnly.Store(ro) }

// ReadOnly reports MS_RDONLY.
func (m *Mount) ReadOnly() bool { return m != nil && m.readOnly.Load() }

// WantWrite is mnt_want_write: EROFS on a read-only mount.
func (m *Mount) WantWrite() error {
	if m.ReadOnly() {
		return abi.EROFS
	}
	return nil
}

// FS is the mounted file system.
func (m *Mount) FS() *FileSystem { return m.fs }

// Root is the mount's root directory.
func (m *Mount) Root() Path { return Path{m, m.root} }

// mountKey names a mount point: a dentry as seen through its parent mount.
type mountKey struct {
	parent *Mount
	point  *Dentry
}

// MountTable is a mount namespace: the root mount and what is mounted on
// what (Linux's mnt_namespace and mount hash). Mounts stack: mounting on
// a mount point mounts on the root of whatever is on top of it.
type MountTable struct {
	mu       *sync.RWMutex // mountLock, shared by every namespace
	root     *Mount
	children map[mountKey]*Mount
	anon     bool // an anonymous namespace, of a detached tree (detached.go)
}

// mountLock guards every namespace's mounts (Linux's namespace_sem and
// mount_lock): a walk may cross from one namespace's mount into what is
// mounted there, and propagation changes several namespaces at once.
var mountLock sync.RWMutex

// mountIDs numbers the mounts of every namespace (mnt_id).
var mountIDs atomic.Uint64

// NewMountTable makes a namespace whose root is fs.
func NewMountTable(fs *FileSystem) *MountTable {
	mt := &MountTable{mu: &mountLock, children: make(map[mountKey]*Mount)}
	mt.root = mt.newMount(fs)
	mt.root.table = mt
	return mt
}

func (mt *MountTable) newMount(fs *FileSystem) *Mount {
	return &Mount{ID: mountIDs.Add(1), fs: fs, root: fs.root}
}

// Root is the namespace's root directory.
func (mt *MountTable) Root() Path { return mt.root.Root() }

// MountedOn is lookup_mnt: the mount directly on p, or nil.
func (mt *MountTable) MountedOn(p Path) *Mount {
	mt.mu.RLock()
	defer mt.mu.RUnlock()
	return mt.children[mountKey{p.Mount, p.Dentry}]
}

// Parent is the mount m is mounted on and the dentry it covers there, or
// a zero Path for the namespace's root or an unmounted mount.
func (mt *MountTable) Parent(m *Mount) Path {
	mt.mu.RLock()
	defer mt.mu.RUnlock()
	return Path{m.parent, m.point}
}

// Mount mounts fs on at (a directory, resolved with mounts followed, so a
// new mount goes on top of any already there). Whether the caller may
// mount (EPERM without CAP_SYS_ADMIN) is for the caller to check before it
// resolves at, as Linux's mount(2) does. The errors and their order are
// lock_mount's and do_add_mount's (fs/namespace.c): ENOENT for an entry
// already removed, EINVAL for a Path outside this namespace, EBUSY for fs
// on its own root, ENOTDIR for a non-directory.
func (mt *MountTable) Mount(fs *FileSystem, at Path) (*Mount, error) {
	for {
		m, again, err := mt.tryMount(fs, mt.top(at))
		if !again {
			return m, err
		}
	}
}

// tryMount mounts fs on at, the top of its stack a moment ago; again
// says another mount got there first, and the caller should go on top of
// it, as lock_mount does.
func (mt *MountTable) tryMount(fs *FileSystem, at Path) (m *Mount, again bool, err error) {
	at.Dentry.dirMu.Lock()
	defer at.Dentry.dirMu.Unlock()
	if at.Dentry.Dead() {
		return nil, false, abi.ENOENT
	}
	mt.mu.Lock()
	defer mt.mu.Unlock()
	switch {
	case mt.children[mountKey{at.Mount, at.Dentry}] != nil:
		return nil, true, nil
	case at.Mount.table != mt:
		return nil, false, abi.EINVAL
	case at.Mount.fs == fs && at.Dentry == at.Mount.root:
		return nil, false, abi.EBUSY
	case !at.Dentry.IsDir():
		return nil, false, abi.ENOTDIR
	}
	m = mt.newMount(fs)
	mt.attach(m, at)
	propagateMount(m)
	return m, false, nil
}

// attach puts m on at, in mt.
func (mt *MountTable) attach(m *Mount, at Path) {
	m.table, m.parent, m.point = mt, at.Mount, at.Dentry
	mt.children[mountKey{at.Mount, at.Dentry}] = m
	at.Dentry.mounted.Add(1)
}

// top follows p down to the topmost mount on it, in the namespace of
// p's mount (lookup_mnt), whichever namespace mt is.
func (mt *MountTable) top(p Path) Path {
	mt.mu.RLock()
	defer mt.mu.RUnlock()
	for p.Mount.table != nil {
		m := p.Mount.table.children[mountKey{p.Mount, p.Dentry}]
		if m == nil {
			break
		}
		p = m.Root()
	}
	return p
}

// Umount unmounts the mount whose root p is. As in can_umount and
// do_umount: EINVAL if p is not a mount's root or not in this namespace,
// EBUSY if other mounts are on it, and EBUSY for the namespace's root
// (which Linux would instead remount read-only). A mount still in use (a
// cwd inside it) is not refused: with no reference counts it is detached
// as by MNT_DETACH, and ".." at its root then stays there.
func (mt *MountTable) Umount(p Path) error {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	m := p.Mount
	switch {
	case p.Dentry != m.root || m.table != mt:
		return abi.EINVAL
	case m.parent == nil || mt.hasChildren(m):
		return abi.EBUSY
	}
	propagateUmount(m)
	mt.detach(m)
	return nil
}

// detach takes m out of its namespace and its peer group.
func (mt *MountTable) detach(m *Mount) {
	delete(mt.children, mountKey{m.parent, m.point})
	m.point.mounted.Add(-1)
	m.table, m.parent, m.point = nil, nil, nil
	m.makePrivate()
}

// hasChildren reports whether anything is mounted inside m.
func (mt *MountTable) hasChildren(m *Mount) bool {
	for k := range mt.children {
		if k.parent == m {
			return true
		}
	}
	return false
}

// crossMounts is traverse_mounts: p, or the root of the topmost mount
// stacked on it. Crossing into a mount is EXDEV under ResolveNoXdev.
func (mt *MountTable) crossMounts(p Path, flags Flags) (Path, error) {
	if p.Dentry.mounted.Load() == 0 {
		return p, nil
	}
	q := mt.top(p)
	if q != p && flags&ResolveNoXdev != 0 {
		return Path{}, abi.EXDEV
	}
	return q, nil
}

// chooseMountpoint is choose_mountpoint: going up from the root of m,
// the first mount point that is not itself a mount's root, unless root
// (the process root) comes first or there is no parent mount.
func (mt *MountTable) chooseMountpoint(m *Mount, root Path) (Path, bool) {
	mt.mu.RLock()
	defer mt.mu.RUnlock()
	for m.parent != nil {
		point := m.point
		m = m.parent
		if root == (Path{m, point}) {
			break
		}
		if point != m.root {
			return Path{m, point}, true
		}
	}
	return Path{}, false
}

// Mounts lists the namespace's mounts, the root's first, then in the
// order they were made (what /proc/mounts shows).
func (mt *MountTable) Mounts() []*Mount {
	mt.mu.RLock()
	defer mt.mu.RUnlock()
	return mt.mountsLocked()
}

func (mt *MountTable) mountsLocked() []*Mount {
	out := []*Mount{mt.root}
	for _, m := range mt.children {
		out = append(out, m)
	}
	sort.Slice(out[1:], func(i, j int) bool { return out[1+i].ID < out[1+j].ID })
	return out
}
