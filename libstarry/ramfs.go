package libstarry

import (
	"path"
	"sort"
	"strings"

	"github.com/starry-go/starry/personality/linux/abi"
)

// maxSymlinks bounds symlink following during one lookup, as Linux's
// MAXSYMLINKS (40) does in fs/namei.c; beyond it lookup fails with ELOOP.
const maxSymlinks = 40

// Inode is one file, directory or symlink of a RamFS. Inodes are
// immutable once the RamFS is built, so processes may share them freely.
type Inode struct {
	Ino    uint64
	Mode   uint32 // Linux st_mode: S_IF* type bits and permissions
	Data   []byte // a regular file's contents
	Target string // a symlink's target
	Rdev   uint64 // a device node's number
	MTime  int64  // seconds since the epoch; atime and ctime read the same
	parent *Inode
	kids   map[string]*Inode
}

// IsDir reports whether the inode is a directory.
func (n *Inode) IsDir() bool { return n.Mode&abi.S_IFMT == abi.S_IFDIR }

// IsSymlink reports whether the inode is a symbolic link.
func (n *Inode) IsSymlink() bool { return n.Mode&abi.S_IFMT == abi.S_IFLNK }

// Names lists a directory's entries in a stable order (for getdents64).
func (n *Inode) Names() []string {
	names := make([]string, 0, len(n.kids))
	for k := range n.kids {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Child returns a directory's entry by name.
func (n *Inode) Child(name string) *Inode { return n.kids[name] }

// RamFS is a read-only file system built from the initramfs's entries.
// It is shared by processes and never changes.
type RamFS struct {
	root *Inode
	next uint64
}

// RamEntry is one file of the initramfs as its archive lists it: a path,
// a Linux st_mode, and the contents (a symlink's target). The kernel reads
// the archive (kernel/initramfs), so the library OS needs no archive
// reader of its own.
type RamEntry struct {
	Name string
	Mode uint32
	Data []byte
	Rdev uint64 // a device node's number (abi.Mkdev)
	// MTime is the modification time, in seconds since the epoch, that
	// the archive gives (Linux's initramfs sets it with do_utime).
	MTime int64
}

// RamFile, RamSymlink and RamDir make entries.
func RamFile(name string, data []byte, perm uint32) RamEntry {
	return RamEntry{Name: name, Mode: abi.S_IFREG | perm, Data: data}
}

func RamSymlink(name, target string) RamEntry {
	return RamEntry{Name: name, Mode: abi.S_IFLNK | 0o777, Data: []byte(target)}
}

func RamDir(name string, perm uint32) RamEntry { return RamEntry{Name: name, Mode: abi.S_IFDIR | perm} }

// RamCharDev makes a character device node.
func RamCharDev(name string, perm, major, minor uint32) RamEntry {
	return RamEntry{Name: name, Mode: abi.S_IFCHR | perm, Rdev: abi.Mkdev(major, minor)}
}

// NewRamFS builds the tree, later entries replacing earlier ones of the
// same name. Directories named only as parents of other entries are
// created implicitly; character devices are kept (Open serves those it
// knows, see devices.go), other special files become empty regular files.
func NewRamFS(entries []RamEntry) (*RamFS, error) {
	fs := &RamFS{}
	fs.root = fs.newInode(abi.S_IFDIR|0o755, nil)
	fs.root.parent = fs.root
	for _, e := range entries {
		if err := fs.add(e); err != nil {
			return nil, err
		}
	}
	return fs, nil
}

func (fs *RamFS) newInode(mode uint32, parent *Inode) *Inode {
	fs.next++
	n := &Inode{Ino: fs.next, Mode: mode, parent: parent}
	if n.IsDir() {
		n.kids = map[string]*Inode{}
	}
	return n
}

// add places one entry, creating missing parent directories.
func (fs *RamFS) add(r RamEntry) error {
	name := strings.Trim(path.Clean("/"+r.Name), "/")
	if name == "" || name == "." {
		return nil // the root itself
	}
	parts := strings.Split(name, "/")
	dir := fs.root
	for _, p := range parts[:len(parts)-1] {
		next := dir.kids[p]
		if next == nil {
			next = fs.newInode(abi.S_IFDIR|0o755, dir)
			dir.kids[p] = next
		}
		if !next.IsDir() {
			return abi.ENOTDIR
		}
		dir = next
	}
	mode := uint32(r.Mode)
	switch mode & abi.S_IFMT {
	case abi.S_IFDIR, abi.S_IFREG, abi.S_IFLNK, abi.S_IFCHR:
	default:
		mode = abi.S_IFREG | mode&0o7777
	}
	leaf := parts[len(parts)-1]
	if old := dir.kids[leaf]; old != nil && old.IsDir() && mode&abi.S_IFMT == abi.S_IFDIR {
		old.Mode, old.MTime = mode, r.MTime // an explicit record for an implicit directory
		return nil
	}
	n := fs.newInode(mode, dir)
	n.Rdev, n.MTime = r.Rdev, r.MTime
	switch {
	case n.IsSymlink():
		n.Target = string(r.Data)
	case !n.IsDir():
		n.Data = r.Data
	}
	dir.kids[leaf] = n
	return nil
}

// Lookup resolves p (relative paths start at cwd, itself absolute) the
// way Linux's path walk in fs/namei.c does: ".." stops at the root,
// symlinks are followed in every non-final component and, if follow is
// set, in the final one. Errors are ENOENT, ENOTDIR, ELOOP.
func (fs *RamFS) Lookup(cwd, p string, follow bool) (*Inode, error) {
	if p == "" {
		return nil, abi.ENOENT
	}
	budget := maxSymlinks
	start := fs.root
	if !strings.HasPrefix(p, "/") {
		dir, err := fs.walk(fs.root, cwd, true, &budget)
		if err != nil {
			return nil, err
		}
		start = dir
	}
	return fs.walk(start, p, follow, &budget)
}

// walk resolves p from dir; budget counts the symlinks still allowed.
func (fs *RamFS) walk(dir *Inode, p string, follow bool, budget *int) (*Inode, error) {
	if strings.HasPrefix(p, "/") {
		dir = fs.root
	}
	parts := strings.FieldsFunc(p, func(r rune) bool { return r == '/' })
	cur := dir
	for i, name := range parts {
		if !cur.IsDir() {
			return nil, abi.ENOTDIR
		}
		switch name {
		case ".":
			continue
		case "..":
			cur = cur.parent
			continue
		}
		next := cur.kids[name]
		if next == nil {
			return nil, abi.ENOENT
		}
		last := i == len(parts)-1
		if next.IsSymlink() && (!last || follow) {
			if *budget--; *budget < 0 {
				return nil, abi.ELOOP
			}
			var err error
			if next, err = fs.walk(cur, next.Target, true, budget); err != nil {
				return nil, err
			}
		}
		cur = next
	}
	if strings.HasSuffix(p, "/") && !cur.IsDir() {
		return nil, abi.ENOTDIR
	}
	return cur, nil
}
