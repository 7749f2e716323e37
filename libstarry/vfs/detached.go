package vfs

import "github.com/starry-go/starry/personality/linux/abi"

// Detached mount trees (fs/namespace.c's anonymous namespaces): fsmount
// and open_tree(OPEN_TREE_CLONE) make a tree of mounts that is in no
// process's namespace but an anonymous one of its own, reachable only
// through a descriptor; move_mount attaches it somewhere, and closing the
// descriptor while it is still detached unmounts it (dissolve_on_fput).

// NewDetached makes a mount of fs, the root of a new anonymous namespace
// (fsmount's alloc_mnt_ns(anon)).
func NewDetached(fs *FileSystem) *Mount {
	mt := NewMountTable(fs)
	mt.anon = true
	return mt.root
}

// Detached reports whether m is the root of an anonymous namespace
// (anon_ns_root): what move_mount may attach and a close dissolves.
func (m *Mount) Detached() bool {
	mountLock.RLock()
	defer mountLock.RUnlock()
	return m.detachedLocked()
}

func (m *Mount) detachedLocked() bool {
	return m.table != nil && m.table.anon && m.table.root == m
}

// Clone is open_tree's OPEN_TREE_CLONE (__do_loopback): a copy of the
// mount p is in, rooted at p's dentry (a bind mount), with copies of the
// mounts below that dentry if recursive (copy_tree, which leaves out
// unbindable ones), as a new anonymous namespace. EINVAL for an
// unbindable mount or one outside mt (check_mnt). The copies are
// private.
func (mt *MountTable) Clone(p Path, recursive bool) (*Mount, error) {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	old := p.Mount
	if old.prop.unbindable || old.table != mt {
		return nil, abi.EINVAL
	}
	n := &MountTable{mu: mt.mu, children: make(map[mountKey]*Mount), anon: true}
	n.root = cloneMount(n, old, p.Dentry)
	n.root.table = n
	if !recursive {
		return n.root, nil
	}
	copies := map[*Mount]*Mount{old: n.root}
	for _, m := range mt.subtree(old)[1:] { // parents first
		parent := copies[m.parent]
		if parent == nil || m.prop.unbindable || !isSubdir(m.point, parent.root) {
			continue
		}
		c := cloneMount(n, m, m.root)
		n.attach(c, Path{parent, m.point})
		copies[m] = c
	}
	return n.root, nil
}

// cloneMount is clone_mnt: a new mount of m's file system at root,
// read-only if m is.
func cloneMount(n *MountTable, m *Mount, root *Dentry) *Mount {
	c := n.newMount(m.fs)
	c.root, c.from = root, m
	c.readOnly.Store(m.readOnly.Load())
	return c
}

// Move is do_move_mount: the tree whose root is from, a detached tree's
// root or a mount of mt, goes on top of whatever is mounted on to, a
// place in mt, with what is mounted below it. The errors and their order
// are do_move_mount's: ENOENT for a removed mount point; EINVAL when from
// is not a mount's root, is mt's root, sits under a shared mount or is in
// yet another namespace, when to is not in mt, when one is a directory
// and the other not, or when an unbindable mount would go under a shared
// one; ELOOP for a move under itself.
func (mt *MountTable) Move(from, to Path) error {
	for {
		again, err := mt.tryMove(from, mt.top(to))
		if !again {
			return err
		}
	}
}

// tryMove moves from onto at, the top of its stack a moment ago; again
// says another mount got there first (as tryMount).
func (mt *MountTable) tryMove(from, at Path) (again bool, err error) {
	at.Dentry.dirMu.Lock()
	defer at.Dentry.dirMu.Unlock()
	if at.Dentry.Dead() {
		return false, abi.ENOENT
	}
	mt.mu.Lock()
	defer mt.mu.Unlock()
	if mt.children[mountKey{at.Mount, at.Dentry}] != nil {
		return true, nil
	}
	if err := mt.canMove(from, at); err != nil {
		return false, err
	}
	old := from.Mount
	mt.unhook(old)
	mt.attach(old, at)
	if old.prop.shared == nil { // a moved peer keeps its group
		propagateMount(old)
	}
	return false, nil
}

// unhook takes old off its mount point in mt, or takes the rest of its
// detached tree into mt, before it is attached again.
func (mt *MountTable) unhook(old *Mount) {
	src := old.table
	if src == mt {
		delete(mt.children, mountKey{old.parent, old.point})
		old.point.mounted.Add(-1)
		return
	}
	for k, c := range src.children {
		delete(src.children, k)
		mt.children[k] = c
		c.table = mt
	}
}

// MoveBeneath is move_mount's MOVE_MOUNT_BENEATH: to must be the root of
// a mount that has a parent (EINVAL), not one below from; from goes on
// to's mount point and to's mount on from's root, so that unmounting it
// uncovers from. The other checks are Move's. Nothing propagates.
func (mt *MountTable) MoveBeneath(from, to Path) error {
	mt.mu.RLock()
	top := to.Mount
	point := Path{top.parent, top.point}
	mt.mu.RUnlock()
	if to.Dentry != top.root || point.Mount == nil {
		return abi.EINVAL
	}
	point.Dentry.dirMu.Lock()
	defer point.Dentry.dirMu.Unlock()
	mt.mu.Lock()
	defer mt.mu.Unlock()
	if top.table != mt || top.parent != point.Mount || top.point != point.Dentry {
		return abi.EINVAL
	}
	for p := from.Mount; p != nil; p = p.parent {
		if p == top {
			return abi.EINVAL
		}
	}
	if err := mt.canMove(from, point); err != nil {
		return err
	}
	old := from.Mount
	mt.unhook(old)
	delete(mt.children, mountKey{point.Mount, point.Dentry})
	point.Dentry.mounted.Add(-1)
	mt.attach(old, point)
	mt.attach(top, old.Root())
	return nil
}

// canMove is do_move_mount's checks, under mountLock.
func (mt *MountTable) canMove(from, at Path) error {
	old := from.Mount
	switch {
	case old.table == nil:
		return abi.EINVAL
	case old.table == mt:
		if old.parent == nil || old.parent.prop.shared != nil {
			return abi.EINVAL
		}
	case !old.detachedLocked():
		return abi.EINVAL
	}
	switch {
	case at.Mount.table != mt, from.Dentry != old.root, at.Dentry.IsDir() != from.Dentry.IsDir():
		return abi.EINVAL
	case at.Mount.prop.shared != nil && old.table.hasUnbindable(old):
		return abi.EINVAL
	}
	for p := at.Mount; p != nil; p = p.parent {
		if p == old {
			return abi.ELOOP
		}
	}
	return nil
}

// hasUnbindable is tree_contains_unbindable.
func (mt *MountTable) hasUnbindable(m *Mount) bool {
	for _, c := range mt.subtree(m) {
		if c.prop.unbindable {
			return true
		}
	}
	return false
}

// Dissolve is dissolve_on_fput: while m is still the root of its
// anonymous namespace, the whole tree is unmounted. It returns the
// mounts that went, so their file systems may let go of what they hold.
func (m *Mount) Dissolve() []*Mount {
	mountLock.Lock()
	defer mountLock.Unlock()
	if !m.detachedLocked() {
		return nil
	}
	t := m.table
	gone := t.subtree(m)
	for i := len(gone) - 1; i > 0; i-- {
		t.detach(gone[i])
	}
	m.table = nil
	return gone
}
