package vfs

import (
	"strings"

	"github.com/starry-go/starry/personality/linux/abi"
)

// Flags steer one path resolution.
type Flags uint32

const (
	// NoFollow leaves a final symlink unfollowed (O_NOFOLLOW,
	// AT_SYMLINK_NOFOLLOW); a trailing slash follows it anyway.
	NoFollow Flags = 1 << iota
	// Directory requires the result to be a directory (O_DIRECTORY).
	Directory
	// EmptyPath makes "" mean the starting directory itself
	// (AT_EMPTY_PATH) instead of ENOENT.
	EmptyPath
	// The openat2 RESOLVE_* flags. ResolveBeneath and ResolveInRoot
	// scope the resolution to the starting directory: escaping it is
	// EXDEV under ResolveBeneath, while ResolveInRoot treats it as the
	// root. ResolveNoMagiclinks refuses to follow a MagicLink (ELOOP).
	ResolveNoSymlinks
	ResolveBeneath
	ResolveInRoot
	ResolveNoXdev
	ResolveNoMagiclinks
)

// LastType is what the last component of a path is, for the operations
// that create or remove it and so must refuse "." and ".." (Linux's
// LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT).
type LastType int

const (
	LastNorm   LastType = iota
	LastRoot            // the path had no components ("/", or "" with EmptyPath)
	LastDot             // "."
	LastDotDot          // ".."
)

// Parent is what ResolveParent finds: the directory that holds (or would
// hold) the last component, and that component.
type Parent struct {
	Dir           Path
	Name          string // "" for LastRoot
	Type          LastType
	TrailingSlash bool // Name was followed by '/'
}

// walker is one resolution in progress (Linux's nameidata).
type walker struct {
	mt       *MountTable
	creds    *Creds
	root     Path // where "/" and ".." stop
	cur      Path
	flags    Flags
	links    int // symlinks followed so far
	last     string
	lastType LastType
	trailing bool
}

// Resolve finds path's file as filename_lookup (fs/namei.c) does:
// absolute paths start at root, the thread's root (chroot), relative
// ones at cwd (the thread's cwd or a dirfd's directory); "." and ".."
// are the current directory and its parent, and ".." at a mount's root
// goes to the directory the mount covers but never above root; mounts
// are crossed on the way down; symlinks are followed in the middle and,
// unless flags has NoFollow, at the end, at most MaxSymlinks of them.
// Every directory walked through needs search (x) permission for c.
//
// The errors, in Linux's order: ENAMETOOLONG for a path of PathMax bytes
// or more (the NUL included) or a component over NameMax, ENOENT for ""
// (without EmptyPath) or a missing component, ENOTDIR for a
// non-directory where a directory must be (in the middle, before a
// trailing slash, or with Directory), EACCES for a directory c may not
// search, ELOOP for too many symlinks (or any, with ResolveNoSymlinks),
// EXDEV for leaving the start under ResolveBeneath or crossing a mount
// under ResolveNoXdev, and EAGAIN if a racing rename moved a scoped
// resolution out of its root.
func (mt *MountTable) Resolve(c *Creds, root, cwd Path, path string, flags Flags) (Path, error) {
	w, err := mt.newWalker(c, root, cwd, path, flags)
	if err != nil {
		return Path{}, err
	}
	for s := path; ; {
		if err := w.linkPathWalk(s); err != nil {
			return Path{}, err
		}
		link, more, err := w.lookupLast()
		if err != nil {
			return Path{}, err
		}
		if !more {
			break
		}
		s = link
	}
	if err := w.complete(); err != nil {
		return Path{}, err
	}
	if w.flags&Directory != 0 && !w.cur.Dentry.IsDir() {
		return Path{}, abi.ENOTDIR
	}
	return w.cur, nil
}

// ResolveParent is Resolve's parent mode (filename_parentat), for the
// operations that create, remove or rename the last component: it walks
// all but the last component and returns the directory reached and that
// component, unlooked-at. Flags other than the Resolve* ones are ignored.
func (mt *MountTable) ResolveParent(c *Creds, root, cwd Path, path string, flags Flags) (Parent, error) {
	w, err := mt.newWalker(c, root, cwd, path, flags&^(NoFollow|Directory))
	if err != nil {
		return Parent{}, err
	}
	if err := w.linkPathWalk(path); err != nil {
		return Parent{}, err
	}
	if err := w.complete(); err != nil {
		return Parent{}, err
	}
	return Parent{Dir: w.cur, Name: w.last, Type: w.lastType, TrailingSlash: w.trailing}, nil
}

// newWalker is getname's checks and path_init: where the walk starts and,
// for a scoped resolution, its root.
func (mt *MountTable) newWalker(c *Creds, root, cwd Path, path string, flags Flags) (*walker, error) {
	if len(path) >= PathMax {
		return nil, abi.ENAMETOOLONG
	}
	if path == "" && flags&EmptyPath == 0 {
		return nil, abi.ENOENT
	}
	w := &walker{mt: mt, creds: c, root: root, flags: flags}
	if strings.HasPrefix(path, "/") && flags&ResolveInRoot == 0 {
		return w, w.jumpRoot()
	}
	if path != "" && !cwd.Dentry.IsDir() {
		return nil, abi.ENOTDIR
	}
	w.cur = cwd
	if flags&(ResolveBeneath|ResolveInRoot) != 0 {
		w.root = cwd
	}
	return w, nil
}

// linkPathWalk is link_path_walk: it walks every component of name but
// the last, following the symlinks met, and leaves the last in w.last.
// rest holds, innermost last, what is left of each name whose symlink
// is being walked.
func (w *walker) linkPathWalk(name string) error {
	w.last, w.lastType, w.trailing = "", LastRoot, false
	if name = skipSlashes(name); name == "" {
		return nil
	}
	var rest []string
	for {
		if err := w.mayLookup(); err != nil {
			return err
		}
		comp, after := cutComponent(name)
		w.setLast(comp)
		next := skipSlashes(after)
		switch {
		case next != "":
			name = next
		case len(rest) == 0:
			w.trailing = after != ""
			return nil
		default: // the last component of a symlink met in the middle
			name, rest = rest[len(rest)-1], rest[:len(rest)-1]
		}
		link, isLink, err := w.walkComponent(false)
		if err != nil {
			return err
		}
		if isLink {
			rest = append(rest, name)
			name = link
			continue
		}
		if !w.cur.Dentry.IsDir() {
			return abi.ENOTDIR
		}
	}
}

// lookupLast walks the last component (lookup_last); a trailing slash
// makes it follow a symlink and require a directory. It returns the
// target of a final symlink still to be walked.
func (w *walker) lookupLast() (string, bool, error) {
	if w.lastType == LastNorm && w.trailing {
		w.flags = w.flags&^NoFollow | Directory
	}
	return w.walkComponent(true)
}

// complete is complete_walk's check for scoped resolutions: whatever
// raced, the result must be under the root.
func (w *walker) complete() error {
	if w.flags&(ResolveBeneath|ResolveInRoot) != 0 && !w.mt.isUnder(w.cur, w.root) {
		return abi.EXDEV
	}
	return nil
}

// mayLookup is may_lookup: search permission on the current directory.
func (w *walker) mayLookup() error {
	return Permission(w.creds, w.cur.Dentry.inode, MayExec)
}

func (w *walker) setLast(comp string) {
	w.last, w.lastType = comp, LastNorm
	switch comp {
	case ".":
		w.lastType = LastDot
	case "..":
		w.lastType = LastDotDot
	}
}

func skipSlashes(s string) string { return strings.TrimLeft(s, "/") }

// cutComponent splits s (not starting with '/') at its first slash.
func cutComponent(s string) (comp, after string) {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}
