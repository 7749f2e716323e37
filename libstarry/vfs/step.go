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
	child, err := w.cur.Dentry.lookup(w.last)
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

// pickLink is pick_link: it counts the link against MaxSymlinks, reads
// it, and jumps to the root for an absolute target. A target that is
// nothing but slashes is a pure jump, with no more to walk.
func (w *walker) pickLink(p Path) (string, bool, error) {
	if w.links >= MaxSymlinks {
		return "", false, abi.ELOOP
	}
	w.links++
	if w.flags&ResolveNoSymlinks != 0 {
		return "", false, abi.ELOOP
	}
	target, err := p.Dentry.inode.Ops.Readlink()
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
