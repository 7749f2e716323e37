package vfs

import (
	"sort"
	"sync"

	"github.com/starry-go/starry/personality/linux/abi"
)

// memFS is a tiny in-memory file system for the tests: one lock for all
// of it, and each directory's entries numbered in creation order so that
// ReadDir positions stay stable.
type memFS struct {
	mu   sync.Mutex
	next uint64
	now  int64
}

type memNode struct {
	fs     *memFS
	inode  *Inode
	target string
	kids   map[string]*memNode
	pos    map[string]int64
	seq    int64
}

// newMemFS makes a file system whose root is a 0755 directory of root's.
func newMemFS(name string) (*memFS, *FileSystem) {
	m := &memFS{}
	root := m.newNode(abi.S_IFDIR|0o755, 0, 0, "")
	fs, err := NewFileSystem(name, root.inode)
	if err != nil {
		panic(err)
	}
	return m, fs
}

func (m *memFS) newNode(mode, uid, gid uint32, target string) *memNode {
	m.next++
	m.now++
	n := &memNode{fs: m, target: target}
	a := Attr{Mode: mode, UID: uid, GID: gid, Nlink: 1, Atime: m.now, Mtime: m.now, Ctime: m.now}
	if mode&abi.S_IFMT == abi.S_IFDIR {
		a.Nlink = 2
		n.kids, n.pos = map[string]*memNode{}, map[string]int64{}
	}
	if mode&abi.S_IFMT == abi.S_IFLNK {
		a.Size = int64(len(target))
	}
	n.inode = NewInode(m.next, a, n)
	return n
}

func (n *memNode) isDir() bool { return n.inode.IsDir() }

func (n *memNode) nlink(delta int) {
	n.inode.Update(func(a *Attr) { a.Nlink = uint32(int(a.Nlink) + delta) })
}

func (n *memNode) touch() {
	n.fs.now++
	n.inode.Update(func(a *Attr) { a.Mtime, a.Ctime = n.fs.now, n.fs.now })
}

// attach and detach add and drop an entry, keeping the directory's link
// count (one per subdirectory's "..").
func (n *memNode) attach(name string, k *memNode) {
	n.kids[name], n.pos[name] = k, n.seq
	n.seq++
	if k.isDir() {
		n.nlink(1)
	}
	n.touch()
}

func (n *memNode) detach(name string) *memNode {
	k := n.kids[name]
	delete(n.kids, name)
	delete(n.pos, name)
	if k.isDir() {
		n.nlink(-1)
	}
	n.touch()
	return k
}

func (n *memNode) Lookup(name string) (*Inode, error) {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if k := n.kids[name]; k != nil {
		return k.inode, nil
	}
	return nil, abi.ENOENT
}

func (n *memNode) make(name string, mode, uid, gid uint32, target string) (*Inode, error) {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if n.kids[name] != nil {
		return nil, abi.EEXIST
	}
	k := n.fs.newNode(mode, uid, gid, target)
	n.attach(name, k)
	return k.inode, nil
}

func (n *memNode) Create(name string, mode, uid, gid uint32) (*Inode, error) {
	return n.make(name, mode, uid, gid, "")
}

func (n *memNode) Mkdir(name string, mode, uid, gid uint32) (*Inode, error) {
	return n.make(name, mode, uid, gid, "")
}

func (n *memNode) Mknod(name string, mode, uid, gid uint32, rdev uint64) (*Inode, error) {
	in, err := n.make(name, mode, uid, gid, "")
	if err == nil {
		in.Update(func(a *Attr) { a.Rdev = rdev })
	}
	return in, err
}

func (n *memNode) Symlink(name, target string, uid, gid uint32) (*Inode, error) {
	return n.make(name, abi.S_IFLNK|0o777, uid, gid, target)
}

func (n *memNode) Link(name string, target *Inode) error {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	t := target.Ops.(*memNode)
	if t.inode.Attr().Nlink == 0 {
		return abi.ENOENT
	}
	n.attach(name, t)
	t.nlink(1)
	return nil
}

func (n *memNode) Unlink(name string) error {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	k := n.kids[name]
	switch {
	case k == nil:
		return abi.ENOENT
	case k.isDir():
		return abi.EISDIR
	}
	n.detach(name).nlink(-1)
	return nil
}

func (n *memNode) Rmdir(name string) error {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	k := n.kids[name]
	switch {
	case k == nil:
		return abi.ENOENT
	case !k.isDir():
		return abi.ENOTDIR
	case len(k.kids) > 0:
		return abi.ENOTEMPTY
	}
	n.detach(name).inode.Update(func(a *Attr) { a.Nlink = 0 })
	return nil
}

func (n *memNode) Rename(oldname string, newdir *Inode, newname string, flags uint32) error {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	nd := newdir.Ops.(*memNode)
	src, dst := n.kids[oldname], nd.kids[newname]
	switch {
	case flags&RenameWhiteout != 0:
		return abi.EINVAL
	case src == nil, flags&RenameExchange != 0 && dst == nil:
		return abi.ENOENT
	case flags&RenameNoReplace != 0 && dst != nil:
		return abi.EEXIST
	case flags&RenameExchange != 0:
		n.detach(oldname)
		nd.detach(newname)
		n.attach(oldname, dst)
		nd.attach(newname, src)
		return nil
	case dst != nil && dst.isDir() && len(dst.kids) > 0:
		return abi.ENOTEMPTY
	case dst != nil && dst.isDir():
		nd.detach(newname).inode.Update(func(a *Attr) { a.Nlink = 0 })
	case dst != nil:
		nd.detach(newname).nlink(-1)
	}
	nd.attach(newname, n.detach(oldname))
	return nil
}

func (n *memNode) Readlink() (string, error) {
	if !n.inode.IsSymlink() {
		return "", abi.EINVAL
	}
	return n.target, nil
}

func (n *memNode) ReadDir(off int64, emit func(DirEntry) bool) error {
	n.fs.mu.Lock()
	var es []DirEntry
	for name, p := range n.pos {
		if p >= off {
			k := n.kids[name]
			es = append(es, DirEntry{Name: name, Ino: k.inode.Ino, Type: k.inode.Type(), Next: p + 1})
		}
	}
	n.fs.mu.Unlock()
	sort.Slice(es, func(i, j int) bool { return es[i].Next < es[j].Next })
	for _, e := range es {
		if !emit(e) {
			break
		}
	}
	return nil
}

func (n *memNode) SetAttr(c *AttrChange) error {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	n.fs.now++
	n.inode.Update(func(a *Attr) {
		if c.Valid&SetMode != 0 {
			a.Mode = a.Mode&abi.S_IFMT | c.Mode&0o7777
		}
		if c.Valid&SetUID != 0 {
			a.UID = c.UID
		}
		if c.Valid&SetGID != 0 {
			a.GID = c.GID
		}
		if c.Valid&SetSize != 0 {
			a.Size = c.Size
		}
		if c.Valid&SetAtime != 0 {
			a.Atime = c.Atime
		}
		if c.Valid&SetMtime != 0 {
			a.Mtime = c.Mtime
		}
		a.Ctime = n.fs.now
	})
	return nil
}
