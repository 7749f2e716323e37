package libstarry

import (
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Mount descriptors: fsmount's and open_tree(OPEN_TREE_CLONE)'s O_PATH
// descriptor at a detached tree's root, and move_mount, which attaches
// such a tree or moves a mount of the caller's namespace.

// mountFile is a descriptor whose last close unmounts its tree while it
// is still detached (FMODE_NEED_UNMOUNT).
type mountFile struct{ pathFile }

// Release is dissolve_on_fput: the tree's ext2 instances count the
// mounts that went.
func (f mountFile) Release() {
	for _, m := range f.path.Mount.Dissolve() {
		f.fs.ext2Unmounted(m.FS())
	}
}

// MoveMount is move_mount(2) (and mount(2)'s MS_MOVE) once both paths
// are resolved: CAP_SYS_ADMIN, then vfs's do_move_mount in the
// caller's namespace; beneath (MOVE_MOUNT_BENEATH) may not go under the
// mount of the caller's root.
func (p *Process) MoveMount(from, to vfs.Path, beneath bool) error {
	if !p.Cred().Capable(CapSysAdmin) {
		return abi.EPERM
	}
	if !beneath {
		return p.MountNS().Move(from, to)
	}
	if to.Mount == p.At(vfs.Path{}).Root.Mount {
		return abi.EINVAL
	}
	return p.MountNS().MoveBeneath(from, to)
}

// OpenTreeClone is open_tree(2) with OPEN_TREE_CLONE: CAP_SYS_ADMIN,
// then a detached copy of the mount at q (and, if recursive, of those
// below it), whose descriptor dissolves it on close unless attached.
func (p *Process) OpenTreeClone(q vfs.Path, recursive bool) (*fd.OpenFile, error) {
	if !p.Cred().Capable(CapSysAdmin) {
		return nil, abi.EPERM
	}
	m, err := p.cloneTree(q, recursive)
	if err != nil {
		return nil, err
	}
	return fd.New(mountFile{pathFile{m.Root(), p.cfg.FS}}, abi.O_PATH), nil
}

// cloneTree is __do_loopback: the detached copy, its ext2 instances
// counting the new mounts.
func (p *Process) cloneTree(q vfs.Path, recursive bool) (*vfs.Mount, error) {
	m, err := p.MountNS().Clone(q, recursive)
	if err != nil {
		return nil, err
	}
	for _, c := range m.Table().Mounts() {
		p.cfg.FS.ext2Cloned(c.FS())
	}
	return m, nil
}

// BindMount is mount(2)'s MS_BIND (do_loopback): a copy of the mount at
// src (with those below it if recursive) goes on target, in the
// caller's namespace (EINVAL otherwise).
func (p *Process) BindMount(src, target vfs.Path, recursive bool) error {
	if err := p.inMountNS(target); err != nil {
		return err
	}
	m, err := p.cloneTree(src, recursive)
	if err != nil {
		return err
	}
	if err := p.MountNS().Move(m.Root(), target); err != nil {
		mountFile{pathFile{m.Root(), p.cfg.FS}}.Release()
		return err
	}
	return nil
}

// OpenPath is open_tree(2) without OPEN_TREE_CLONE: an O_PATH
// descriptor of q, as open(O_PATH) gives.
func (p *Process) OpenPath(q vfs.Path) *fd.OpenFile {
	return fd.New(pathFile{q, p.cfg.FS}, abi.O_PATH)
}

// ext2Cloned counts one more mount of an ext2 instance (a copy made by
// open_tree), so that its last unmount, not the first, lets go of it.
func (fs *Files) ext2Cloned(v *vfs.FileSystem) {
	fs.mu.Lock()
	info := fs.info[v]
	fs.mu.Unlock()
	if info == nil || info.ext2 == nil {
		return
	}
	info.ext2.fs.Attach()
}
