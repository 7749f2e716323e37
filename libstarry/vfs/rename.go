package vfs

import (
	"errors"
	"sort"

	"github.com/starry-go/starry/personality/linux/abi"
)

// renameOp is one rename between its lookups and its change.
type renameOp struct {
	c                  *Creds
	flags              uint32
	oldDir, newDir     *Dentry
	oldName, newName   string
	oldSlash, newSlash bool // the names were followed by '/'
}

// Rename renames oldPath to newPath as do_renameat2 and vfs_rename do,
// with renameat2's flags: RenameNoReplace refuses an existing target
// (EEXIST), RenameExchange swaps two existing entries, and RenameWhiteout
// is passed to the file system, which may refuse it (EINVAL). The errors
// and their order are Linux's: EINVAL for bad flags; the two parents'
// resolution errors; EXDEV across mounts; EBUSY for "." or ".." (EEXIST
// for the target under RenameNoReplace); ENOENT for a missing source;
// the target flag checks; ENOTDIR for a non-directory named with a
// trailing slash; EINVAL for moving a directory under itself and
// ENOTEMPTY for replacing an ancestor of the source; then the permission
// and type checks of vfs_rename and the file system's own.
func (mt *MountTable) Rename(c *Creds, root, oldCwd Path, oldPath string, newCwd Path, newPath string, flags uint32) error {
	if flags&^(RenameNoReplace|RenameExchange|RenameWhiteout) != 0 ||
		flags&(RenameNoReplace|RenameWhiteout) != 0 && flags&RenameExchange != 0 {
		return abi.EINVAL
	}
	op, err := mt.ResolveParent(c, root, oldCwd, oldPath, 0)
	if err != nil {
		return err
	}
	np, err := mt.ResolveParent(c, root, newCwd, newPath, 0)
	if err != nil {
		return err
	}
	switch {
	case op.Dir.Mount != np.Dir.Mount:
		return abi.EXDEV
	case op.Type != LastNorm:
		return abi.EBUSY
	case np.Type != LastNorm && flags&RenameNoReplace != 0:
		return abi.EEXIST
	case np.Type != LastNorm:
		return abi.EBUSY
	}
	if err := op.Dir.Mount.WantWrite(); err != nil {
		return err
	}
	r := &renameOp{c: c, flags: flags, oldDir: op.Dir.Dentry, newDir: np.Dir.Dentry,
		oldName: op.Name, newName: np.Name, oldSlash: op.TrailingSlash, newSlash: np.TrailingSlash}
	trap, unlock := lockRename(r.newDir, r.oldDir)
	defer unlock()
	return r.run(trap)
}

// lockRename is lock_rename: it locks both parents, taking the file
// system's renameMu when they differ, so the tree's shape cannot change
// while it orders them ancestor first. The trap it returns is the child
// of one parent on the way down to the other, nil if neither is above the
// other: the source must not be it, nor the target (see run).
func lockRename(p1, p2 *Dentry) (trap *Dentry, unlock func()) {
	if p1 == p2 {
		p1.dirMu.Lock()
		return nil, p1.dirMu.Unlock
	}
	fs := p1.fs
	fs.renameMu.Lock()
	first, second := p1, p2
	if trap = childTowards(p2, p1); trap != nil {
		first, second = p2, p1
	} else {
		trap = childTowards(p1, p2)
	}
	first.dirMu.Lock()
	second.dirMu.Lock()
	return trap, func() {
		second.dirMu.Unlock()
		first.dirMu.Unlock()
		fs.renameMu.Unlock()
	}
}

// childTowards is the child of anc that d is or is under, or nil if d is
// not under anc.
func childTowards(anc, d *Dentry) *Dentry {
	for {
		up := d.Parent()
		switch up {
		case anc:
			return d
		case d:
			return nil
		}
		d = up
	}
}

// run looks both names up under the parents' locks and checks them as
// do_renameat2 does before vfs_rename.
func (r *renameOp) run(trap *Dentry) error {
	old, err := r.oldDir.lookupLocked(r.oldName)
	if err != nil {
		return err
	}
	target, err := r.newDir.lookupLocked(r.newName)
	if err != nil && (!errors.Is(err, abi.ENOENT) || r.newDir.Dead()) {
		return err
	}
	exchange := r.flags&RenameExchange != 0
	switch {
	case r.flags&RenameNoReplace != 0 && target != nil:
		return abi.EEXIST
	case exchange && target == nil:
		return abi.ENOENT
	case exchange && !target.IsDir() && r.newSlash:
		return abi.ENOTDIR
	case !old.IsDir() && (r.oldSlash || !exchange && r.newSlash):
		return abi.ENOTDIR
	case old == trap:
		return abi.EINVAL
	case target != nil && target == trap && exchange:
		return abi.EINVAL
	case target != nil && target == trap:
		return abi.ENOTEMPTY
	}
	return r.vfsRename(old, target)
}

// vfsRename is vfs_rename. Renaming a name onto another for the same
// inode does nothing. A directory it replaces is locked, so nothing can
// be made in it meanwhile (a moved directory need not be: its entries do
// not change).
func (r *renameOp) vfsRename(old, target *Dentry) error {
	if target != nil && old.inode == target.inode {
		return nil
	}
	if err := r.mayRename(old, target); err != nil {
		return err
	}
	exchange := r.flags&RenameExchange != 0
	if target != nil && !exchange && target.IsDir() {
		target.dirMu.Lock()
		defer target.dirMu.Unlock()
	}
	if old.IsMountpoint() || target != nil && target.IsMountpoint() {
		return abi.EBUSY
	}
	fs := r.oldDir.fs
	fs.beginRename()
	defer fs.endRename()
	if err := r.oldDir.inode.Ops.Rename(r.oldName, r.newDir.inode, r.newName, r.flags); err != nil {
		return err
	}
	r.move(old, target)
	return nil
}

// mayRename is vfs_rename's permission and type checks: the source may
// be deleted, the target deleted or created, and a directory changing
// parent must be writable (its ".." changes).
func (r *renameOp) mayRename(old, target *Dentry) error {
	isDir := old.IsDir()
	exchange := r.flags&RenameExchange != 0
	if err := mayDelete(r.c, r.oldDir, old, isDir); err != nil {
		return err
	}
	var err error
	switch {
	case target == nil:
		err = mayCreate(r.c, r.newDir)
	case exchange:
		err = mayDelete(r.c, r.newDir, target, target.IsDir())
	default:
		err = mayDelete(r.c, r.newDir, target, isDir)
	}
	if err != nil || r.oldDir == r.newDir {
		return err
	}
	if isDir {
		if err := Permission(r.c, old.inode, MayWrite); err != nil {
			return err
		}
	}
	if exchange && target.IsDir() {
		return Permission(r.c, target.inode, MayWrite)
	}
	return nil
}

// move is d_move and d_exchange: the cache follows what the file system
// did. It holds every dentry's mu it changes at once, taken in id order,
// so a lookup sees the rename whole or not at all.
func (r *renameOp) move(old, target *Dentry) {
	unlock := lockDentries(r.oldDir, r.newDir, old, target)
	defer unlock()
	if r.newDir.children == nil {
		r.newDir.children = make(map[string]*Dentry)
	}
	if r.flags&RenameExchange != 0 {
		r.oldDir.children[r.oldName] = target
		target.parent, target.name = r.oldDir, r.oldName
	} else {
		delete(r.oldDir.children, r.oldName)
		if target != nil {
			target.dead, target.children = true, nil
		}
	}
	r.newDir.children[r.newName] = old
	old.parent, old.name = r.newDir, r.newName
}

// lockDentries locks the distinct non-nil dentries' mu in id order.
func lockDentries(ds ...*Dentry) (unlock func()) {
	var set []*Dentry
	for _, d := range ds {
		if d != nil && !containsDentry(set, d) {
			set = append(set, d)
		}
	}
	sort.Slice(set, func(i, j int) bool { return set[i].id < set[j].id })
	for _, d := range set {
		d.mu.Lock()
	}
	return func() {
		for i := len(set) - 1; i >= 0; i-- {
			set[i].mu.Unlock()
		}
	}
}

func containsDentry(set []*Dentry, d *Dentry) bool {
	for _, e := range set {
		if e == d {
			return true
		}
	}
	return false
}
