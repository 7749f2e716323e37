package procfs

import (
	"sort"
	"strconv"
	"time"

	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// node is one procfs inode's behaviour (vfs.InodeOps): an entry, and the
// process, thread and descriptor it is of (0 for the machine's).
type node struct {
	fs    *FS
	e     *entry
	pid   int
	tid   int
	fd    int
	start time.Duration // the process's start when the node was made
}

// The two kinds of link need interfaces plain nodes must not have.
type selfLink struct{ *node }
type magicLink struct{ *node }

var (
	_ vfs.InodeOps    = (*node)(nil)
	_ vfs.Revalidator = (*node)(nil)
	_ vfs.CallerLink  = selfLink{}
	_ vfs.CallerLink  = magicLink{}
	_ vfs.MagicLink   = magicLink{}
)

// child is a node as its directory lists it.
type child struct {
	pos  int64
	name string
	n    *node
}

// pidPos is where the processes start among /proc's positions, after
// the fixed entries (FIRST_PROCESS_ENTRY).
const pidPos = 256

// children lists a directory's entries in position order
// (proc_root_readdir, proc_pid_readdir, proc_task_readdir,
// proc_readfd_common, proc_pident_readdir).
func (n *node) children() []child {
	var out []child
	for i, k := range n.e.kids {
		out = append(out, child{int64(i), k.name, n.sub(k, n.tid, 0)})
	}
	src := n.fs.src
	switch n.e.kind {
	case kRoot:
		for _, pid := range src.PIDs() {
			if start, ok := src.Alive(pid, 0); ok {
				out = append(out, child{pidPos + int64(pid), strconv.Itoa(pid), n.proc(pid, start)})
			}
		}
	case kTask:
		if p, ok := src.Process(n.pid, nil); ok {
			for _, t := range p.Threads {
				out = append(out, child{int64(t.TID), strconv.Itoa(t.TID), n.sub(tidEntry, t.TID, 0)})
			}
		}
	case kFDDir, kFDInfoDir:
		e := fdLinkEntry
		if n.e.kind == kFDInfoDir {
			e = fdInfoEntry
		}
		for _, fd := range src.FDs(n.pid) {
			out = append(out, child{int64(fd), strconv.Itoa(fd), n.sub(e, n.tid, fd)})
		}
	}
	return out
}

// proc is the directory of process pid.
func (n *node) proc(pid int, start time.Duration) *node {
	return &node{fs: n.fs, e: pidEntry, pid: pid, start: start}
}

// sub is an entry of n's process (or of the machine, for n's).
func (n *node) sub(e *entry, tid, fd int) *node {
	return &node{fs: n.fs, e: e, pid: n.pid, tid: tid, fd: fd, start: n.start}
}

// Lookup finds name among the directory's entries (proc_root_lookup,
// proc_pid_lookup, proc_task_lookup, proc_lookupfd_common,
// proc_pident_lookup).
func (n *node) Lookup(name string) (*vfs.Inode, error) {
	for _, k := range n.e.kids {
		if k.name == name {
			return n.fs.inode(n.sub(k, n.tid, 0)), nil
		}
	}
	num, err := strconv.Atoi(name)
	if err != nil || num < 0 || strconv.Itoa(num) != name {
		return nil, abi.ENOENT
	}
	src := n.fs.src
	switch n.e.kind {
	case kRoot:
		if start, ok := src.Alive(num, 0); ok {
			return n.fs.inode(n.proc(num, start)), nil
		}
	case kTask:
		if _, ok := src.Alive(n.pid, num); ok {
			return n.fs.inode(n.sub(tidEntry, num, 0)), nil
		}
	case kFDDir, kFDInfoDir:
		if _, ok := src.FD(n.pid, num, nil); ok {
			e := fdLinkEntry
			if n.e.kind == kFDInfoDir {
				e = fdInfoEntry
			}
			return n.fs.inode(n.sub(e, n.tid, num)), nil
		}
	}
	return nil, abi.ENOENT
}

// ReadDir emits the entries from position off on.
func (n *node) ReadDir(off int64, emit func(vfs.DirEntry) bool) error {
	cs := n.children()
	sort.Slice(cs, func(i, j int) bool { return cs[i].pos < cs[j].pos })
	for _, c := range cs {
		if c.pos < off {
			continue
		}
		if !emit(vfs.DirEntry{Name: c.name, Ino: c.n.ino(), Type: c.n.e.mode & abi.S_IFMT, Next: c.pos + 1}) {
			return nil
		}
	}
	return nil
}

// Revalidate is pid_revalidate and tid_fd_revalidate: a process's
// directory holds while that process (not another with its PID) lives,
// a thread's while it lives, a descriptor's while it is open; the owner
// and a descriptor link's mode are brought up to date as they go.
func (n *node) Revalidate(name string, in *vfs.Inode) bool {
	c, ok := opsNode(in)
	if !ok {
		return true
	}
	src := n.fs.src
	switch n.e.kind {
	case kRoot:
		if c.pid == 0 {
			return true
		}
		start, ok := src.Alive(c.pid, 0)
		if !ok || start != c.start {
			return false
		}
	case kTask:
		if _, ok := src.Alive(c.pid, c.tid); !ok {
			return false
		}
	case kFDDir, kFDInfoDir:
		if _, ok := src.FD(c.pid, c.fd, nil); !ok {
			return false
		}
	default:
		return true
	}
	if p, ok := src.Process(c.pid, nil); ok {
		mode := c.mode()
		in.Update(func(a *vfs.Attr) { a.UID, a.GID, a.Mode = p.EUID, p.EGID, mode })
	}
	return true
}

// opsNode is the node behind an inode of this file system.
func opsNode(in *vfs.Inode) (*node, bool) {
	switch o := in.Ops.(type) {
	case *node:
		return o, true
	case selfLink:
		return o.node, true
	case magicLink:
		return o.node, true
	}
	return nil, false
}

// The tree is the Source's to change: every change through the VFS is
// refused as Linux's proc inodes refuse it (no such operation: EPERM,
// and EACCES for create, as vfs_create says).
func (n *node) Create(string, uint32, uint32, uint32) (*vfs.Inode, error) { return nil, abi.EACCES }
func (n *node) Mkdir(string, uint32, uint32, uint32) (*vfs.Inode, error)  { return nil, abi.EPERM }
func (n *node) Mknod(string, uint32, uint32, uint32, uint64) (*vfs.Inode, error) {
	return nil, abi.EPERM
}
func (n *node) Symlink(string, string, uint32, uint32) (*vfs.Inode, error) { return nil, abi.EPERM }
func (n *node) Link(string, *vfs.Inode) error                              { return abi.EPERM }
func (n *node) Unlink(string) error                                        { return abi.EPERM }
func (n *node) Rmdir(string) error                                         { return abi.EPERM }
func (n *node) Rename(string, *vfs.Inode, string, uint32) error            { return abi.EPERM }

// SetAttr is proc_setattr: no mode changes; the rest (a truncate from
// O_TRUNC, times, owners) is taken and forgotten.
func (n *node) SetAttr(ch *vfs.AttrChange) error {
	if ch.Valid&vfs.SetMode != 0 {
		return abi.EPERM
	}
	return nil
}
