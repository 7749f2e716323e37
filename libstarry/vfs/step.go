package vfs

import (
	"strings"

	"github.com/starry-go/starry/personality/linux/abi"
)

// walkComponent is walk_component and step_into: it moves w.cur to the
// last component read, crossing mounts, or returns the target of a
// symlink to follow from there. trailing marks the path's final
// component, whose symlink NoFollow leaves alone.
func (w *walker) walkComponent(trailing bool) (link string, isLink bool, err error) {
	switch w.lastType {
	case LastDotDot:
		return "", false, w.dotdot()
	case LastDot, LastRoot:
		return "", false, nil
	}
	child, err := lookupFresh(w.cur.Dentry, w.last)
	if err != nil {
		return "", false, err
	}
	next, err := w.mt.crossMounts(Path{w.cur.Mount, child}, w.flags)
	if err != nil {
		return "", false, err
	}
	if !next.Dentry.IsSymlink() || trailing && w.flags&NoFollow != 0 {
		w.cur = next
		return "", false, nil
	}
	return w.pickLink(next)
}

// lookupFresh is lookup_fast's d_revalidate: a child d's file system
// calls stale is dropped from the cache (d_invalidate) and looked up
// again. A lookup that adds an entry to such a directory first sweeps
// the stale ones out, as proc_flush_pid drops a dead process's, so
// that a directory whose entries come and go keeps no gone ones.
func lookupFresh(d *Dentry, name string) (*Dentry, error) {
	r, ok := d.inode.Ops.(Revalidator)
	if !ok {
		return d.lookup(name)
	}
	if d.cached(name) == nil {
		sweep(d, r)
	}
	child, err := d.lookup(name)
	if err != nil || r.Revalidate(name, child.inode) {
		return child, err
	}
	invalidate(d, []*Dentry{child})
	return d.lookup(name)
}

// sweep drops the cached children of d that r calls stale.
func sweep(d *Dentry, r Revalidator) {
	d.mu.Lock()
	kids := make(map[string]*Dentry, len(d.children))
	for name, c := range d.children {
		kids[name] = c
	}
	d.mu.Unlock()
	var stale []*Dentry
	for name, c := range kids {
		if !r.Revalidate(name, c.inode) {
			stale = append(stale, c)
		}
	}
	invalidate(d, stale)
}

// invalidate is d_invalidate of children of d: each is unhashed and
// dead, unless something is mounted on it or it was replaced meanwhile.
func invalidate(d *Dentry, children []*Dentry) {
	if len(children) == 0 {
		return
	}
	d.dirMu.Lock()
	defer d.dirMu.Unlock()
	for _, c := range children {
		if d.cached(c.Name()) == c && !c.IsMountpoint() {
			d.unhash(c)
		}
	}
}

// pickLink is pick_link: it counts the link against MaxSymlinks, then
// jumps through a magic link, or reads the link (as the walker's caller
// sees it, for a CallerLink) and jumps to the root for an absolute
// target. A target that is nothing but slashes is a pure jump, with no
// more to walk.
func (w *walker) pickLink(p Path) (string, bool, error) {
	if w.links >= MaxSymlinks {
		return "", false, abi.ELOOP
	}
	w.links++
	if w.flags&ResolveNoSymlinks != 0 {
		return "", false, abi.ELOOP
	}
	if m, ok := p.Dentry.inode.Ops.(MagicLink); ok {
		return "", false, w.jumpLink(m, p)
	}
	target, err := ReadlinkAs(w.creds, p.Dentry.inode)
	if err != nil {
		return "", false, err
	}
	if strings.HasPrefix(target, "/") {
		if err := w.jumpRoot(); err != nil {
			return "", false, err
		}
		target = skipSlashes(target)
	}
	return target, target != "", nil
}

// jumpLink is nd_jump_link: the walk goes on from the object the magic
// link names, its body never read. Refused with ResolveNoMagiclinks
// (ELOOP), under ResolveNoXdev when it leaves the link's mount, and for
// scoped resolutions (EXDEV).
func (w *walker) jumpLink(m MagicLink, link Path) error {
	if w.flags&ResolveNoMagiclinks != 0 {
		return abi.ELOOP
	}
	to, err := m.Jump(w.creds, link)
	if err != nil {
		return err
	}
	if w.flags&ResolveNoXdev != 0 && to.Mount != w.cur.Mount {
		return abi.EXDEV
	}
	if w.flags&(ResolveBeneath|ResolveInRoot) != 0 {
		return abi.EXDEV
	}
	w.cur = to
	return nil
}

// jumpRoot is nd_jump_root: go to the root, for an absolute path or
// symlink. That leaves the start, so it is EXDEV under ResolveBeneath,
// and under ResolveNoXdev when it changes mount.
func (w *walker) jumpRoot() error {
	if w.flags&ResolveBeneath != 0 {
		return abi.EXDEV
	}
	if w.flags&ResolveNoXdev != 0 && w.cur.Mount != nil && w.cur.Mount != w.root.Mount {
		return abi.EXDEV
	}
	w.cur = w.root
	return nil
}

// dotdot is handle_dots for "..": up one directory, then down through
// whatever is mounted there. A scoped resolution that finds itself
// outside its root was raced by a rename: EAGAIN, as Linux returns when
// its rename_lock moved.
func (w *walker) dotdot() error {
	parent, err := w.followDotdot()
	if err != nil {
		return err
	}
	if w.cur, err = w.mt.crossMounts(parent, w.flags); err != nil {
		return err
	}
	if w.flags&(ResolveBeneath|ResolveInRoot) != 0 && !w.mt.isUnder(w.cur, w.root) {
		return abi.EAGAIN
	}
	return nil
}

// followDotdot is follow_dotdot: ".." of the root is the root (EXDEV
// under ResolveBeneath); at a mount's root it is ".." of the directory
// the mount covers.
func (w *walker) followDotdot() (Path, error) {
	if w.cur == w.root {
		return w.inRoot()
	}
	if w.cur.Dentry == w.cur.Mount.root {
		up, ok := w.mt.chooseMountpoint(w.cur.Mount, w.root)
		if !ok {
			return w.inRoot()
		}
		w.cur = up
		if w.flags&ResolveNoXdev != 0 {
			return Path{}, abi.EXDEV
		}
	}
	return Path{w.cur.Mount, w.cur.Dentry.Parent()}, nil
}

func (w *walker) inRoot() (Path, error) {
	if w.flags&ResolveBeneath != 0 {
		return Path{}, abi.EXDEV
	}
	return w.cur, nil
}
