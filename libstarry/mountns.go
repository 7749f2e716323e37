package libstarry

import (
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Mount namespaces (fs/namespace.c's copy_mnt_ns): each process's
// fsContext names the namespace (a vfs.MountTable) its root and working
// directory are in. clone(CLONE_NEWNS) and unshare(CLONE_NEWNS) give the
// process a copy of it; mounts and unmounts after that are the
// namespace's own, but for what propagation between shared mounts
// carries (vfs/propagate.go). Paths resolve through the namespace of
// the mount they start in, so a descriptor opened before the copy still
// sees the old namespace, as on Linux. Only the mount namespace exists:
// the others are EINVAL (after the EPERM check), and a namespace is the
// whole process's, not one thread's.

// MountNS is the process's mount namespace.
func (p *Process) MountNS() *vfs.MountTable {
	c := p.fs
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ns == nil && p.cfg.FS != nil {
		return p.cfg.FS.mt
	}
	return c.ns
}

// copyMountNS moves c into a copy of its namespace, its root and working
// directory to the same places in the copy.
func (c *fsContext) copyMountNS() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ns == nil {
		return // no file system at all
	}
	n, move := c.ns.Copy()
	c.ns, c.root, c.cwd = n, move(c.root), move(c.cwd)
}

// recOf is what /proc/mounts shows of m: its own record, or, for a copy
// (of a namespace, or by propagation), the original's.
func (fs *Files) recOf(m *vfs.Mount) mountRec {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for ; m != nil; m = m.CopiedFrom() {
		if r, ok := fs.mounts[m]; ok {
			return r
		}
	}
	return mountRec{}
}

// cloneNamespaces is copy_process's namespace checks: CLONE_NEWUSER is
// not implemented (EINVAL); any other new namespace needs CAP_SYS_ADMIN
// (EPERM, copy_namespaces), and all but the mount namespace are not
// implemented (EINVAL).
func (p *Process) cloneNamespaces(f uint64) error {
	switch {
	case f&abi.CLONE_NEWUSER != 0:
		return abi.EINVAL
	case f&cloneNewAll == 0:
		return nil
	case !p.Cred().Capable(CapSysAdmin):
		return abi.EPERM
	case f&(cloneNewAll&^abi.CLONE_NEWNS) != 0:
		return abi.EINVAL
	}
	return nil
}

// mountIn mounts v on at in the namespace at is in (the caller has
// checked that it is its own, check_mnt).
func mountIn(v *vfs.FileSystem, at vfs.Path) (*vfs.Mount, error) {
	ns := at.Mount.Table()
	if ns == nil {
		return nil, abi.EINVAL
	}
	return ns.Mount(v, at)
}

// umountIn unmounts the mount whose root target is, in its namespace.
func umountIn(target vfs.Path) error {
	ns := target.Mount.Table()
	if ns == nil {
		return abi.EINVAL
	}
	return ns.Umount(target)
}

// inMountNS is check_mnt: EINVAL for a target in another namespace (or
// one unmounted).
func (p *Process) inMountNS(target vfs.Path) error {
	if target.Mount == nil || target.Mount.Table() != p.MountNS() {
		return abi.EINVAL
	}
	return nil
}

// SetPropagation is mount(2)'s MS_SHARED, MS_PRIVATE, MS_SLAVE and
// MS_UNBINDABLE (do_change_type), MS_REC for the whole subtree.
func (p *Process) SetPropagation(target vfs.Path, kind vfs.Propagation, recursive bool) error {
	if p.Cred().EUID != 0 {
		return abi.EPERM
	}
	return p.MountNS().SetPropagation(target, kind, recursive)
}
