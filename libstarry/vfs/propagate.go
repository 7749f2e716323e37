package vfs

import "github.com/starry-go/starry/personality/linux/abi"

// Mount propagation (fs/pnode.c): a shared mount is one of a peer group
// whose members see each other's mounts and unmounts below them; a slave
// receives its master group's events and sends none; a private mount
// does neither. Namespaces copied from one with shared mounts hold peers
// of them, which is how a mount made in one namespace shows in another.
// Everything here runs under mountLock.

// propagation is a mount's place in the propagation tree.
type propagation struct {
	shared     *peerGroup // its peers (MS_SHARED), or nil
	master     *peerGroup // the group it receives from (MS_SLAVE), or nil
	unbindable bool       // MS_UNBINDABLE
}

// peerGroup is one peer group: its members and the mounts slave to it.
type peerGroup struct {
	id     int
	peers  map[*Mount]bool
	slaves map[*Mount]bool
}

// groupIDs are the peer group IDs in use (mnt_group_ida): a new group
// takes the smallest free one, as mountinfo's shared:N shows.
var groupIDs = map[int]bool{}

func newPeerGroup() *peerGroup {
	id := 1
	for groupIDs[id] {
		id++
	}
	groupIDs[id] = true
	return &peerGroup{id: id, peers: map[*Mount]bool{}, slaves: map[*Mount]bool{}}
}

// Propagation is a propagation type mount(2) sets.
type Propagation int

// The types, as MS_SHARED, MS_PRIVATE, MS_SLAVE and MS_UNBINDABLE.
const (
	PropShared Propagation = iota + 1
	PropPrivate
	PropSlave
	PropUnbindable
)

// SetPropagation is do_change_type: p must be a mount's root (EINVAL)
// in this namespace (EINVAL); recursive changes every mount below too.
func (mt *MountTable) SetPropagation(p Path, kind Propagation, recursive bool) error {
	if p.Mount == nil || p.Dentry != p.Mount.root {
		return abi.EINVAL
	}
	mt.mu.Lock()
	defer mt.mu.Unlock()
	if p.Mount.table != mt {
		return abi.EINVAL
	}
	ms := []*Mount{p.Mount}
	if recursive {
		ms = mt.subtree(p.Mount)
	}
	for _, m := range ms {
		switch kind {
		case PropShared:
			if m.prop.shared == nil {
				m.joinGroup(newPeerGroup())
			}
		case PropPrivate:
			m.makePrivate()
		case PropSlave:
			m.makeSlave()
		case PropUnbindable:
			m.makePrivate()
			m.prop.unbindable = true
		}
	}
	return nil
}

// subtree is m and every mount below it, parents first.
func (mt *MountTable) subtree(m *Mount) []*Mount {
	out := []*Mount{m}
	for i := 0; i < len(out); i++ {
		for k, c := range mt.children {
			if k.parent == out[i] {
				out = append(out, c)
			}
		}
	}
	return out
}

func (m *Mount) joinGroup(g *peerGroup) {
	m.prop.shared = g
	m.prop.unbindable = false
	g.peers[m] = true
}

func (m *Mount) setMaster(g *peerGroup) {
	if m.prop.master != nil {
		delete(m.prop.master.slaves, m)
	}
	m.prop.master = g
	if g != nil {
		g.slaves[m] = true
	}
}

// leaveGroup takes m out of its peer group. The last member's slaves
// pass to its own master, or become private (do_make_slave's and
// umount's transfer of slaves).
func (m *Mount) leaveGroup() {
	g := m.prop.shared
	if g == nil {
		return
	}
	m.prop.shared = nil
	delete(g.peers, m)
	if len(g.peers) > 0 {
		return
	}
	for s := range g.slaves {
		s.prop.master = nil
		s.setMaster(m.prop.master)
	}
	delete(groupIDs, g.id)
}

// makePrivate is MS_PRIVATE: no peers, no master.
func (m *Mount) makePrivate() {
	m.leaveGroup()
	m.setMaster(nil)
	m.prop.unbindable = false
}

// makeSlave is MS_SLAVE (do_make_slave): a mount with peers becomes
// their slave; one without keeps its master, or stays private.
func (m *Mount) makeSlave() {
	g := m.prop.shared
	if g == nil {
		m.prop.unbindable = false
		return
	}
	if len(g.peers) > 1 {
		m.leaveGroup()
		m.setMaster(g)
		return
	}
	m.leaveGroup()
}

// PropagationFields are mountinfo's optional fields for the mount:
// "shared:N", "master:N", "unbindable", space separated.
func (m *Mount) PropagationFields() string {
	mountLock.RLock()
	defer mountLock.RUnlock()
	s := ""
	add := func(f string) {
		if s != "" {
			s += " "
		}
		s += f
	}
	if g := m.prop.shared; g != nil {
		add("shared:" + itoa(uint64(g.id)))
	}
	if g := m.prop.master; g != nil {
		add("master:" + itoa(uint64(g.id)))
	}
	if m.prop.unbindable {
		add("unbindable")
	}
	return s
}

// propagateMount is propagate_mnt for n, just mounted: under a shared
// parent n becomes shared in a new group, and every mount that receives
// the parent's events gets a copy of n on the same dentry, a peer of n
// for the parent's peers, a slave for its slaves (shared in a group of
// its own again when the slave is shared). Where a receiver already has
// something mounted on that dentry it gets no copy (Linux tucks one
// under it).
func propagateMount(n *Mount) {
	g := n.parent.prop.shared
	if g == nil {
		return
	}
	ng := newPeerGroup()
	n.joinGroup(ng)
	deliver(g, n, ng, map[*Mount]bool{n.parent: true})
}

// deliver copies n onto src's peers (joining them to ng) and slaves.
func deliver(src *peerGroup, n *Mount, ng *peerGroup, seen map[*Mount]bool) {
	for q := range src.peers {
		if !seen[q] {
			seen[q] = true
			if c := copyOnto(n, q); c != nil {
				c.joinGroup(ng)
			}
		}
	}
	for s := range src.slaves {
		if seen[s] {
			continue
		}
		seen[s] = true
		c := copyOnto(n, s)
		if c == nil {
			continue
		}
		c.setMaster(ng)
		if s.prop.shared != nil {
			sg := newPeerGroup()
			c.joinGroup(sg)
			deliver(s.prop.shared, n, sg, seen)
		}
	}
}

// copyOnto mounts a copy of n on q at n's mount point, if q sees that
// dentry and nothing is mounted on it there.
func copyOnto(n, q *Mount) *Mount {
	t := q.table
	if t == nil || t.children[mountKey{q, n.point}] != nil || !isSubdir(n.point, q.root) {
		return nil
	}
	c := t.newMount(n.fs)
	c.root, c.from = n.root, n
	c.readOnly.Store(n.readOnly.Load())
	t.attach(c, Path{q, n.point})
	return c
}

// isSubdir reports whether d is root or below it.
func isSubdir(d, root *Dentry) bool {
	for {
		if d == root {
			return true
		}
		up := d.Parent()
		if up == d {
			return false
		}
		d = up
	}
}

// propagateUmount is propagate_umount for n, about to be unmounted: what
// is mounted on the same dentry of each receiver of n's parent goes
// too, unless something is mounted inside it.
func propagateUmount(n *Mount) {
	g := n.parent.prop.shared
	if g == nil {
		return
	}
	var gone []*Mount
	receivers(g, map[*Mount]bool{n.parent: true}, func(r *Mount) {
		if t := r.table; t != nil {
			if c := t.children[mountKey{r, n.point}]; c != nil && !t.hasChildren(c) {
				gone = append(gone, c)
			}
		}
	})
	for _, c := range gone {
		c.table.detach(c)
	}
}

// receivers calls fn for each mount that receives g's events.
func receivers(g *peerGroup, seen map[*Mount]bool, fn func(*Mount)) {
	for q := range g.peers {
		if !seen[q] {
			seen[q] = true
			fn(q)
		}
	}
	for s := range g.slaves {
		if !seen[s] {
			seen[s] = true
			fn(s)
			if s.prop.shared != nil {
				receivers(s.prop.shared, seen, fn)
			}
		}
	}
}
