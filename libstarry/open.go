package libstarry

import (
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/procfs"
	"github.com/starry-go/starry/libstarry/tmpfs"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Opener is an inode whose file system makes its open files itself
// (procfs's generated files, devices): flags are open's.
type Opener interface {
	OpenFile(p *Process, q vfs.Path, flags int) (fd.File, error)
}

// PathFile is an open file that names a place in the namespace: a
// directory an *at call may start from, or any file fchdir, fstat and
// the f*at calls with AT_EMPTY_PATH work on.
type PathFile interface {
	Path() vfs.Path
}

// Open opens path from w (path_openat): O_PATH gives a descriptor that
// only names the file; O_CREAT makes a missing regular file with mode
// less the umask; then may_open's checks for the file's type and the
// access wanted, and O_TRUNC.
func (p *Process) Open(w Where, path string, flags int, mode uint32) (*fd.OpenFile, error) {
	return p.OpenFlags(w, path, flags, mode, 0)
}

// OpenFlags is Open with openat2's RESOLVE_* flags as resolution flags.
func (p *Process) OpenFlags(w Where, path string, flags int, mode uint32, rf vfs.Flags) (*fd.OpenFile, error) {
	if p.cfg.FS == nil {
		return nil, errNoFS
	}
	if flags&abi.O_NOFOLLOW != 0 {
		rf |= vfs.NoFollow
	}
	if flags&abi.O_DIRECTORY != 0 {
		rf |= vfs.Directory
	}
	if flags&abi.O_PATH != 0 {
		q, err := p.Resolve(w, path, rf)
		if err != nil {
			return nil, err
		}
		return fd.New(pathFile{q, p.cfg.FS}, flags&(abi.O_PATH|abi.O_DIRECTORY|abi.O_NOFOLLOW)), nil
	}
	if flags&tmpfileBit != 0 {
		return p.openTmpfile(w, path, flags, mode)
	}
	var q vfs.Path
	var err error
	created := false
	if flags&abi.O_CREAT != 0 {
		q, created, err = p.openCreate(w, path, flags, mode, rf&^(vfs.NoFollow|vfs.Directory), 0)
	} else {
		q, err = p.Resolve(w, path, rf)
	}
	if err != nil {
		return nil, err
	}
	return p.openPath(q, flags, created, w.Waiter)
}

// tmpfileBit is __O_TMPFILE alone; O_TMPFILE is it with O_DIRECTORY.
const tmpfileBit = abi.O_TMPFILE &^ abi.O_DIRECTORY

// openCreate is open_last_lookups with O_CREAT: the last component must
// be a plain name (EISDIR otherwise, or with a trailing slash); an
// existing file is opened (EEXIST under O_EXCL, whose symlinks are never
// followed), a missing one made.
func (p *Process) openCreate(w Where, path string, flags int, mode uint32, rf vfs.Flags, links int) (vfs.Path, bool, error) {
	mt := p.cfg.FS.mt
	par, err := mt.ResolveParent(p.Creds(), w.Root, w.Dir, path, rf)
	if err != nil {
		return vfs.Path{}, false, err
	}
	if par.Type != vfs.LastNorm || par.TrailingSlash {
		return vfs.Path{}, false, abi.EISDIR
	}
	at := Where{Root: w.Root, Dir: par.Dir}
	if rf&(vfs.ResolveBeneath|vfs.ResolveInRoot) != 0 {
		at.Root = w.Dir // the scope the parent was found in
	}
	rf &^= vfs.ResolveBeneath | vfs.ResolveInRoot
	for tries := 0; ; tries++ {
		q, err := p.Resolve(at, par.Name, rf|vfs.NoFollow)
		switch {
		case err == nil && flags&abi.O_EXCL != 0:
			return vfs.Path{}, false, abi.EEXIST
		case err == nil && q.Dentry.IsSymlink() && flags&abi.O_NOFOLLOW == 0:
			return p.createThrough(at, q, flags, mode, rf, links)
		case err == nil:
			return q, false, nil
		case err != abi.ENOENT:
			return vfs.Path{}, false, err
		}
		q, err = mt.Create(p.Creds(), w.Root, par.Dir, par.Name, mode&^p.umask()&0o7777)
		if err != abi.EEXIST || tries > 2 {
			return q, err == nil, err
		}
	}
}

// createThrough follows a final symlink met by O_CREAT: to an existing
// file, or, when it dangles, to create its target, as the walk goes on
// with the link's body; the links count towards MaxSymlinks (ELOOP).
func (p *Process) createThrough(at Where, link vfs.Path, flags int, mode uint32, rf vfs.Flags, links int) (vfs.Path, bool, error) {
	if rf&vfs.ResolveNoSymlinks != 0 || links >= vfs.MaxSymlinks {
		return vfs.Path{}, false, abi.ELOOP
	}
	q, err := p.Resolve(at, link.Dentry.Name(), rf)
	if err != abi.ENOENT {
		return q, false, err
	}
	target, err := vfs.ReadlinkAs(p.Creds(), link.Dentry.Inode())
	if err != nil {
		return vfs.Path{}, false, err
	}
	return p.openCreate(at, target, flags, mode, rf, links+1)
}

// openPath is do_open after the lookup: the type and permission checks
// of may_open, then the file made for the inode's type.
func (p *Process) openPath(q vfs.Path, flags int, created bool, waiter fd.Waiter) (*fd.OpenFile, error) {
	in := q.Dentry.Inode()
	acc := accessMask(flags)
	switch in.Type() {
	case abi.S_IFLNK:
		return nil, abi.ELOOP
	case abi.S_IFDIR:
		if flags&abi.O_CREAT != 0 || acc&vfs.MayWrite != 0 {
			return nil, abi.EISDIR
		}
	case abi.S_IFIFO, abi.S_IFSOCK:
		flags &^= abi.O_TRUNC
	}
	if flags&abi.O_DIRECTORY != 0 && !in.IsDir() {
		return nil, abi.ENOTDIR
	}
	if !created {
		if err := vfs.Permission(p.Creds(), in, acc); err != nil {
			return nil, err
		}
		if (acc&vfs.MayWrite != 0 || flags&abi.O_TRUNC != 0) && in.Type() != abi.S_IFCHR && in.Type() != abi.S_IFIFO && in.Type() != abi.S_IFSOCK {
			if err := q.Mount.WantWrite(); err != nil {
				return nil, err
			}
		}
		if err := mayOpenAppend(in, flags); err != nil {
			return nil, err
		}
	}
	f, err := p.makeFile(q, flags, waiter)
	if err != nil {
		return nil, err
	}
	if flags&abi.O_TRUNC != 0 && in.Type() == abi.S_IFREG && !created {
		if err := vfs.SetAttr(p.Creds(), in, vfs.AttrChange{Valid: vfs.SetSize}); err != nil {
			if r, ok := f.(fd.Releaser); ok {
				r.Release()
			}
			return nil, err
		}
	}
	status := flags &^ (abi.O_CLOEXEC | abi.O_CREAT | abi.O_EXCL | abi.O_NOCTTY | abi.O_TRUNC)
	return fd.New(f, status), nil
}

// mayOpenAppend is may_open's rule for an append-only file: it is opened
// for writing only with O_APPEND, and never with O_TRUNC.
func mayOpenAppend(in *vfs.Inode, flags int) error {
	if !in.IsAppend() {
		return nil
	}
	if flags&abi.O_ACCMODE != abi.O_RDONLY && flags&abi.O_APPEND == 0 || flags&abi.O_TRUNC != 0 {
		return abi.EPERM
	}
	return nil
}

// accessMask is the access open asks for (build_open_flags' acc_mode):
// O_TRUNC wants write access too.
func accessMask(flags int) int {
	var m int
	switch flags & abi.O_ACCMODE {
	case abi.O_RDONLY:
		m = vfs.MayRead
	case abi.O_WRONLY:
		m = vfs.MayWrite
	default:
		m = vfs.MayRead | vfs.MayWrite
	}
	if flags&abi.O_TRUNC != 0 {
		m |= vfs.MayWrite
	}
	return m
}

// makeFile makes the open file for the inode at q by its type.
func (p *Process) makeFile(q vfs.Path, flags int, waiter fd.Waiter) (fd.File, error) {
	in := q.Dentry.Inode()
	c := p.Creds()
	if t, ok := waiter.(*Thread); ok {
		// /proc files show the thread reading them as running.
		tc := *c
		tc.Caller = t
		c = &tc
	}
	if f, ok, err := procfs.Open(c, q, flags); ok {
		return f, err
	}
	if o, ok := in.Ops.(Opener); ok {
		return o.OpenFile(p, q, flags)
	}
	switch in.Type() {
	case abi.S_IFDIR:
		return &dirFile{lockable: lockable{path: q, fs: p.cfg.FS}}, nil
	case abi.S_IFCHR:
		return p.openDevice(q, flags)
	case abi.S_IFBLK:
		return p.openBlockDevice(q)
	case abi.S_IFIFO:
		acc := flags & abi.O_ACCMODE
		nonblock := flags&abi.O_NONBLOCK != 0 || waiter == nil
		return p.cfg.FS.fifoOf(in).Open(waiter, acc != abi.O_WRONLY, acc != abi.O_RDONLY, nonblock,
			func() fd.Stat { return p.cfg.FS.statOf(q) })
	case abi.S_IFREG:
		if f, ok := p.cfg.FS.openSysBlockStat(q); ok {
			return f, nil
		}
		if n, ok := tmpfs.NodeOf(in); ok {
			return newRegFile(n, q, p.cfg.FS), nil
		}
		if f, ok := p.cfg.FS.openExt2(q); ok {
			return f, nil
		}
	}
	return nil, abi.ENXIO // sockets (open(2) of one is ENXIO on Linux too)
}

// openTmpfile is do_tmpfile: an unnamed regular file in the directory
// at path, which needs write access there.
func (p *Process) openTmpfile(w Where, path string, flags int, mode uint32) (*fd.OpenFile, error) {
	dir, err := p.Resolve(w, path, vfs.Directory)
	if err != nil {
		return nil, err
	}
	if err := vfs.Permission(p.Creds(), dir.Dentry.Inode(), vfs.MayWrite|vfs.MayExec); err != nil {
		return nil, err
	}
	info := p.cfg.FS.infoOf(dir)
	if info.tmp == nil {
		return nil, abi.EOPNOTSUPP
	}
	c := p.Creds()
	n := info.tmp.NewUnlinked(abi.S_IFREG|mode&^p.umask()&0o7777, c.UID, c.GID)
	if flags&abi.O_EXCL == 0 {
		n.SetLinkable()
	}
	q := vfs.Path{Mount: dir.Mount, Dentry: vfs.Anonymous(dir.Dentry, n.Inode())}
	status := flags &^ (abi.O_CLOEXEC | abi.O_CREAT | abi.O_EXCL | abi.O_NOCTTY | abi.O_TRUNC | tmpfileBit)
	return fd.New(newRegFile(n, q, p.cfg.FS), status), nil
}
