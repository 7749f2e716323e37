package vfs

import (
	"sync"
	"sync/atomic"

	"github.com/starry-go/starry/personality/linux/abi"
)

// Dentry is a name in the dentry cache: one entry of a directory, bound
// to its inode for life. Only positive entries are cached (a miss asks
// the file system again), and nothing is evicted: every dentry stays
// until its entry is removed, which is what tmpfs needs anyway.
type Dentry struct {
	inode *Inode      // fixed; never nil
	fs    *FileSystem // fixed
	id    uint64      // fixed; orders rename's taking of several mu

	// dirMu is the directory's lock, Linux's i_rwsem (see the package
	// doc for its order).
	dirMu sync.RWMutex
	// mounted counts the mounts on this dentry, in every namespace; it
	// changes under MountTable.mu, and Mount holds dirMu when it adds one.
	mounted atomic.Int32

	mu       sync.Mutex // guards the fields below
	name     string
	parent   *Dentry // nil at the file system's root
	children map[string]*Dentry
	dead     bool // removed from its directory (unlinked, or replaced)
}

// Inode is the dentry's inode.
func (d *Dentry) Inode() *Inode { return d.inode }

// FS is the file system the dentry belongs to.
func (d *Dentry) FS() *FileSystem { return d.fs }

// IsDir and IsSymlink report the inode's type.
func (d *Dentry) IsDir() bool     { return d.inode.IsDir() }
func (d *Dentry) IsSymlink() bool { return d.inode.IsSymlink() }

// Name is the entry's current name ("" at the file system's root).
func (d *Dentry) Name() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.name
}

// Parent is the directory the entry is in now, or d itself at the file
// system's root. A dead entry keeps the parent it was removed from, as
// Linux's d_parent does, so ".." from a removed cwd still works.
func (d *Dentry) Parent() *Dentry {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.parent == nil {
		return d
	}
	return d.parent
}

// Dead reports whether the entry has been removed from its directory.
func (d *Dentry) Dead() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dead
}

// IsMountpoint reports whether something is mounted on the dentry.
func (d *Dentry) IsMountpoint() bool { return d.mounted.Load() > 0 }

// cached is d_lookup: the cached child called name, or nil.
func (d *Dentry) cached(name string) *Dentry {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.children[name]
}

// lookup is lookup_fast, then lookup_slow under the directory's shared
// lock on a miss.
func (d *Dentry) lookup(name string) (*Dentry, error) {
	if c := d.cached(name); c != nil {
		return c, nil
	}
	if !d.IsDir() {
		return nil, abi.ENOTDIR
	}
	d.dirMu.RLock()
	defer d.dirMu.RUnlock()
	return d.lookupLocked(name)
}

// lookupLocked is __lookup_slow and lookup_one_qstr_excl: the caller
// holds dirMu, shared or exclusive. A dead directory has no entries
// (ENOENT) before the name is looked at; NAME_MAX is then checked where
// Linux's file systems check it, in their lookup (simple_lookup).
func (d *Dentry) lookupLocked(name string) (*Dentry, error) {
	if c := d.cached(name); c != nil {
		return c, nil
	}
	if d.Dead() {
		return nil, abi.ENOENT
	}
	if len(name) > NameMax {
		return nil, abi.ENAMETOOLONG
	}
	n, err := d.inode.Ops.Lookup(name)
	if err != nil {
		return nil, err
	}
	return d.instantiate(name, n), nil
}

// instantiate caches n as the child called name (d_add), unless a lookup
// sharing the directory's lock cached it first, in which case that
// dentry is the one to use.
func (d *Dentry) instantiate(name string, n *Inode) *Dentry {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c := d.children[name]; c != nil {
		return c
	}
	c := d.fs.newDentry(n)
	c.name, c.parent = name, d
	if d.children == nil {
		d.children = make(map[string]*Dentry)
	}
	d.children[name] = c
	return c
}

// unhash drops child c from d's cache and marks it dead (d_delete after
// unlink or rmdir); the caller holds d's dirMu exclusively.
func (d *Dentry) unhash(c *Dentry) {
	d.mu.Lock()
	if d.children[c.name] == c {
		delete(d.children, c.name)
	}
	d.mu.Unlock()
	c.kill()
}

// kill marks d dead and forgets its children (a removed directory is
// empty, so there are none to forget but stale ones).
func (d *Dentry) kill() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dead = true
	d.children = nil
}

// Anonymous is a dentry for an inode that has no name (O_TMPFILE's file,
// d_tmpfile): dead from the start, with parent as the directory it was
// made in, so it can be opened and stat'ed but is found by no lookup.
func Anonymous(parent *Dentry, n *Inode) *Dentry {
	return AnonymousNamed(parent, n, "#"+itoa(n.Ino))
}

// AnonymousNamed is Anonymous with the name its path is to show
// ("memfd:NAME").
func AnonymousNamed(parent *Dentry, n *Inode, name string) *Dentry {
	d := parent.fs.newDentry(n)
	d.name = name
	d.parent = parent
	d.dead = true
	return d
}

func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		if v /= 10; v == 0 {
			return string(b[i:])
		}
	}
}
