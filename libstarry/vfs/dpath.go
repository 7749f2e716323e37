package vfs

import (
	"runtime"
	"strings"
)

// PathOf is d_path: p's absolute path as seen from root, and whether p
// is under root at all (false, with the path from the namespace's root,
// when it is not, as for a cwd outside a chroot). A dead p still gets
// the path it was removed from; getcwd's ENOENT for it is the caller's.
// A rename running meanwhile makes it read again, as Linux's rename_lock
// does, so the path was whole at one moment.
func (mt *MountTable) PathOf(root, p Path) (string, bool) {
	var names []string
	under := mt.upward(root, p, func(d *Dentry) { names = append(names, d.Name()) }, func() { names = names[:0] })
	if len(names) == 0 {
		return "/", under
	}
	var b strings.Builder
	for i := len(names) - 1; i >= 0; i-- {
		b.WriteString("/")
		b.WriteString(names[i])
	}
	return b.String(), under
}

// isUnder is path_is_under: whether root is p or one of its ancestors.
func (mt *MountTable) isUnder(p, root Path) bool {
	return mt.upward(root, p, func(*Dentry) {}, func() {})
}

// upward climbs from p towards root, calling step for each dentry left
// behind, and reports whether it reached root. It restarts (calling
// reset) if a rename in a file system it passed through ran meanwhile.
func (mt *MountTable) upward(root, p Path, step func(*Dentry), reset func()) bool {
	for {
		seen := map[*FileSystem]uint64{}
		under, ok := mt.climb(root, p, seen, step)
		if ok && unchanged(seen) {
			return under
		}
		reset()
		runtime.Gosched()
	}
}

// climb is one try of upward; ok is false if it met a rename in progress.
func (mt *MountTable) climb(root, p Path, seen map[*FileSystem]uint64, step func(*Dentry)) (under, ok bool) {
	mt.mu.RLock()
	defer mt.mu.RUnlock()
	for p != root {
		if p.Dentry == p.Mount.root {
			if p.Mount.parent == nil {
				return false, true
			}
			p = Path{p.Mount.parent, p.Mount.point}
			continue
		}
		fs := p.Dentry.fs
		if _, met := seen[fs]; !met {
			if seen[fs] = fs.renameSeq.Load(); seen[fs]%2 == 1 {
				return false, false
			}
		}
		up := p.Dentry.Parent()
		if up == p.Dentry {
			return false, true // a dentry not of p.Mount's file system
		}
		step(p.Dentry)
		p = Path{p.Mount, up}
	}
	return true, true
}

// unchanged reports whether no rename ran in the file systems seen since
// their sequence numbers were read.
func unchanged(seen map[*FileSystem]uint64) bool {
	for fs, seq := range seen {
		if fs.renameSeq.Load() != seq {
			return false
		}
	}
	return true
}
