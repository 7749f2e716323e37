package libstarry

import (
	"sync"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// fsContext is the root, working directory and umask (fs_struct),
// shared with CLONE_FS, and the mount namespace they are in: those who
// share a fs_struct always share the namespace (Linux refuses
// CLONE_NEWNS with CLONE_FS, and unshare's CLONE_NEWNS implies
// CLONE_FS), and a copy of the context keeps it (mountns.go).
type fsContext struct {
	mu        sync.Mutex
	root, cwd vfs.Path
	umask     uint32          // the file mode creation mask
	ns        *vfs.MountTable // the mount namespace
}

func newFSContext(fs *Files) *fsContext {
	c := &fsContext{umask: 0o022} // init_fs's umask
	if fs != nil {
		c.root, c.cwd, c.ns = fs.Root(), fs.Root(), fs.mt
	}
	return c
}

// copy is copy_fs_struct: the same root, directory, umask and namespace.
func (c *fsContext) copy() *fsContext {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &fsContext{root: c.root, cwd: c.cwd, umask: c.umask, ns: c.ns}
}

// Where is where a path starts: the process's root, and the directory a
// relative path is taken from (the working directory, or an *at call's
// dirfd).
type Where struct {
	Root, Dir vfs.Path
	// Waiter is who waits if opening must (a FIFO with no other end yet);
	// nil opens without waiting.
	Waiter fd.Waiter
}

// At is where a path given with dirfd starts: dir when it is a
// directory's Path, the working directory when dir is the zero Path
// (AT_FDCWD).
func (p *Process) At(dir vfs.Path) Where {
	p.fs.mu.Lock()
	defer p.fs.mu.Unlock()
	w := Where{Root: p.fs.root, Dir: p.fs.cwd}
	if dir.Dentry != nil {
		w.Dir = dir
	}
	return w
}

// Files is the file layer the process sees.
func (p *Process) Files() *Files { return p.cfg.FS }

// errNoFS is the answer of a process started without a file system.
var errNoFS = abi.ENOENT

// Resolve finds a path's file (filename_lookup) from w.
func (p *Process) Resolve(w Where, path string, flags vfs.Flags) (vfs.Path, error) {
	if p.cfg.FS == nil {
		return vfs.Path{}, errNoFS
	}
	return p.cfg.FS.mt.Resolve(p.Creds(), w.Root, w.Dir, path, flags)
}

// StatPath stats a path (stat, lstat, newfstatat).
func (p *Process) StatPath(w Where, path string, flags vfs.Flags) (fd.Stat, error) {
	q, err := p.Resolve(w, path, flags)
	if err != nil {
		return fd.Stat{}, err
	}
	return p.cfg.FS.statOf(q), nil
}

// Stat is struct stat for the file at q.
func (p *Process) Stat(q vfs.Path) fd.Stat { return p.cfg.FS.statOf(q) }

// Umask sets the file mode creation mask (umask(2)) to mask's
// permission bits and returns the old one; CLONE_FS shares it.
func (p *Process) Umask(mask uint32) uint32 {
	p.fs.mu.Lock()
	defer p.fs.mu.Unlock()
	old := p.fs.umask
	p.fs.umask = mask & 0o777
	return old
}

func (p *Process) umask() uint32 {
	p.fs.mu.Lock()
	defer p.fs.mu.Unlock()
	return p.fs.umask
}

// Getcwd is the working directory's path (getcwd(2)): ENOENT once it
// has been removed, and "(unreachable)" before a path outside the root.
func (p *Process) Getcwd() (string, error) {
	if p.cfg.FS == nil {
		return "/", nil
	}
	w := p.At(vfs.Path{})
	if w.Dir.Dentry.Dead() {
		return "", abi.ENOENT
	}
	s, under := p.cfg.FS.mt.PathOf(w.Root, w.Dir)
	if !under {
		s = "(unreachable)" + s
	}
	return s, nil
}

// Chdir makes the directory at q the working directory (set_fs_pwd);
// the caller has resolved it. Search permission is needed.
func (p *Process) Chdir(q vfs.Path) error {
	if !q.Dentry.IsDir() {
		return abi.ENOTDIR
	}
	if err := vfs.Permission(p.Creds(), q.Dentry.Inode(), vfs.MayExec); err != nil {
		return err
	}
	p.fs.mu.Lock()
	p.fs.cwd = q
	p.fs.mu.Unlock()
	return nil
}

// Chroot makes q the root (chroot(2)): root only, and q a directory
// the caller may search. The working directory stays.
func (p *Process) Chroot(q vfs.Path) error {
	if !q.Dentry.IsDir() {
		return abi.ENOTDIR
	}
	if err := vfs.Permission(p.Creds(), q.Dentry.Inode(), vfs.MayExec); err != nil {
		return err
	}
	if p.Creds().UID != 0 {
		return abi.EPERM
	}
	p.fs.mu.Lock()
	p.fs.root = q
	p.fs.mu.Unlock()
	return nil
}

// UnshareFiles gives the process a descriptor table of its own if it
// shares one (unshare_fd).
func (p *Process) UnshareFiles() {
	if p.FDs.Shared() {
		fds := p.FDs.Fork()
		p.FDs.Put()
		p.FDs = fds
	}
}

// PathName is q's path as the process sees it (d_path), with
// " (deleted)" once it is removed, as /proc/PID/maps shows it.
func (p *Process) PathName(q vfs.Path) string {
	s, _ := p.cfg.FS.mt.PathOf(p.At(vfs.Path{}).Root, q)
	if q.Dentry.Dead() {
		s += " (deleted)"
	}
	return s
}
