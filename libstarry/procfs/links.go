package procfs

import (
	"strconv"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Links: /proc/self (fs/proc/self.c), /proc/thread-self
// (fs/proc/thread_self.c), and a process's magic links, exe, cwd, root
// and fd/N (base.c's proc_pid_get_link and proc_pid_readlink, fd.c's
// proc_fd_link).

// Readlink is the link's body with no one looking (the kernel's own
// readlink): "self" is then ENOENT, as for a kernel thread.
func (n *node) Readlink() (string, error) { return n.readlink(nil) }

func (n *node) readlink(caller any) (string, error) {
	switch n.e.kind {
	case kLink:
		return n.e.target, nil
	case kSelf, kMagic, kFDLink:
		l, err := n.e.link(n.ctx(caller))
		if err != nil {
			return "", err
		}
		return l.Name, nil
	}
	return "", abi.EINVAL
}

// ReadlinkFor is the body as c reads it.
func (l selfLink) ReadlinkFor(c *vfs.Creds) (string, error) { return l.readlink(callerOf(c)) }

// ReadlinkFor is what readlink(2) shows c: the path as c's root sees it.
func (l magicLink) ReadlinkFor(c *vfs.Creds) (string, error) {
	if err := l.mayFollow(c); err != nil {
		return "", err
	}
	return l.readlink(callerOf(c))
}

// Jump is where following the link takes c (nd_jump_link's path): the
// object's own place, or for one that has none but can be opened again
// an unnamed inode beside the link, owned as the process's entries are.
func (l magicLink) Jump(c *vfs.Creds, at vfs.Path) (vfs.Path, error) {
	if err := l.mayFollow(c); err != nil {
		return vfs.Path{}, err
	}
	k, err := l.e.link(l.ctx(callerOf(c)))
	switch {
	case err != nil:
		return vfs.Path{}, err
	case k.Path.Dentry != nil:
		return k.Path, nil
	case k.Reopen != nil:
		a := vfs.Attr{Mode: k.Mode, Nlink: 1}
		if p, ok := l.fs.src.Process(l.pid, nil); ok {
			a.UID, a.GID = p.EUID, p.EGID
		}
		in := vfs.NewInode(k.Ino, a, reopenNode{l.node, k.Reopen})
		return vfs.Path{Mount: at.Mount, Dentry: vfs.Anonymous(at.Dentry.Parent(), in)}, nil
	case k.Err != nil:
		return vfs.Path{}, k.Err
	}
	return vfs.Path{}, abi.ENOENT
}

// reopenNode is the unnamed inode a link to a pipe leads to: opening it
// opens the pipe anew.
type reopenNode struct {
	*node
	reopen func(flags int) (fd.File, error)
}

// mayFollow is proc_fd_access_allowed's ptrace_may_access in
// PTRACE_MODE_READ_FSCREDS mode: c's fsuid must be all of the
// process's user IDs, unless c is privileged (CAP_SYS_PTRACE).
func (l magicLink) mayFollow(c *vfs.Creds) error {
	if c == nil || c.UID == 0 {
		return nil
	}
	p, ok := l.fs.src.Process(l.pid, nil)
	if !ok {
		return abi.ENOENT
	}
	if c.UID != p.UID || c.UID != p.EUID || c.UID != p.SUID || c.GID != p.GID || c.GID != p.EGID || c.GID != p.SGID {
		return abi.EACCES
	}
	return nil
}

func callerOf(c *vfs.Creds) any {
	if c == nil {
		return nil
	}
	return c.Caller
}

// selfTarget is proc_self_get_link: the reader's PID.
func selfTarget(c *ctx) (Link, error) {
	pid, _, ok := c.src.Self(c.caller)
	if !ok {
		return Link{}, abi.ENOENT
	}
	return Link{Name: strconv.Itoa(pid)}, nil
}

// threadSelfTarget is proc_thread_self_get_link: "PID/task/TID".
func threadSelfTarget(c *ctx) (Link, error) {
	pid, tid, ok := c.src.Self(c.caller)
	if !ok {
		return Link{}, abi.ENOENT
	}
	return Link{Name: strconv.Itoa(pid) + "/task/" + strconv.Itoa(tid)}, nil
}

// fdTarget is proc_fd_link: the open file's path, or its pseudo-name.
func fdTarget(c *ctx) (Link, error) {
	f, ok := c.src.FD(c.pid, c.fd, c.caller)
	if !ok {
		return Link{}, abi.ENOENT
	}
	return f.Link, nil
}

// procLink is one of the process's own links (proc_exe_link,
// proc_cwd_link, proc_root_link).
func procLink(name string) func(c *ctx) (Link, error) {
	return func(c *ctx) (Link, error) {
		if _, err := c.proc(); err != nil {
			return Link{}, err
		}
		return c.src.Link(c.pid, name, c.caller)
	}
}

// fdLinkMode is proc_fd_instantiate's mode: read and search for the
// owner if open for reading, write and search if for writing (none for
// O_PATH).
func fdLinkMode(src Source, pid, fd int) uint32 {
	mode := uint32(abi.S_IFLNK)
	f, ok := src.FD(pid, fd, nil)
	if !ok || f.Flags&abi.O_PATH != 0 {
		return mode
	}
	switch f.Flags & abi.O_ACCMODE {
	case abi.O_RDONLY:
		mode |= 0o500
	case abi.O_WRONLY:
		mode |= 0o300
	default:
		mode |= 0o700
	}
	return mode
}
