package vfs

// Copying a namespace (copy_mnt_ns): a new MountTable holding a copy of
// every mount, each on the copy of its parent, so the two namespaces
// start alike and later mounts and unmounts in one are its own, but for
// what propagation carries between shared copies.

// Copy makes the copy of mt (copy_tree with CL_COPY_ALL). A shared
// mount's copy is a peer of it and a slave's a slave of the same master
// (clone_mnt); private and unbindable mounts are copied as they are.
// Move takes a Path in mt to the same place in the copy, and leaves a
// Path in no mount of mt as it is (set_fs_root's and set_fs_pwd's
// switch of a process's root and working directory).
func (mt *MountTable) Copy() (n *MountTable, move func(Path) Path) {
	mt.mu.Lock()
	defer mt.mu.Unlock()
	n = &MountTable{mu: mt.mu, children: make(map[mountKey]*Mount)}
	copies := map[*Mount]*Mount{}
	olds := mt.mountsLocked()
	for _, m := range olds { // in ID order, so the copies list alike
		c := n.newMount(m.fs)
		c.root, c.from = m.root, m
		c.readOnly.Store(m.readOnly.Load())
		if g := m.prop.shared; g != nil {
			c.joinGroup(g)
		}
		c.setMaster(m.prop.master)
		c.prop.unbindable = m.prop.unbindable
		copies[m] = c
	}
	n.root = copies[mt.root]
	n.root.table = n
	for _, m := range olds[1:] {
		n.attach(copies[m], Path{copies[m.parent], m.point})
	}
	move = func(p Path) Path {
		if c := copies[p.Mount]; c != nil {
			p.Mount = c
		}
		return p
	}
	return n, move
}

// CopiedFrom is the mount m is a copy of (by Copy or propagation), or
// nil for one mounted anew.
func (m *Mount) CopiedFrom() *Mount { return m.from }

// Table is the namespace m is in, nil once it is unmounted.
func (m *Mount) Table() *MountTable {
	mountLock.RLock()
	defer mountLock.RUnlock()
	return m.table
}
