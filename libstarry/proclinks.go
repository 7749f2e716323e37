package libstarry

import (
	"github.com/starry-go/starry/libstarry/procfs"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// A process's own links, exe, cwd and root (fs/proc/base.c's
// proc_exe_link, proc_cwd_link and proc_root_link), and the paths
// d_path gives them.

// Link is exe (the program's file, resolved from its exec path), cwd or
// root, as caller's root sees them: ENOENT for init, which has none,
// and for a zombie, whose have gone.
func (s *procSource) Link(pid int, name string, caller any) (procfs.Link, error) {
	p := s.k.Process(pid)
	if p == nil {
		return procfs.Link{}, abi.ESRCH
	}
	root, cwd, _, ok := p.fsPaths()
	if !ok || p.snapshot().zombie {
		return procfs.Link{}, abi.ENOENT
	}
	var q vfs.Path
	switch name {
	case "root":
		q = root
	case "cwd":
		q = cwd
	default:
		if q = s.exePath(p); q.Dentry == nil {
			return procfs.Link{Name: p.Exe()}, nil
		}
	}
	return procfs.Link{Name: s.pathName(caller, q), Path: q}, nil
}

// exePath is the file p runs, resolved from its exec path in its own
// root and working directory, as p itself (so "/proc/self" is p), once
// per exec. The library OS keeps the path, not the file (Linux's
// mm->exe_file), so a path that leads back through p's own exe link
// (busybox's shell execs "/proc/self/exe") means the file p ran before
// that exec: the one known here, or for a fork's child its parent's.
// A relative path is taken from the working directory of now.
func (s *procSource) exePath(p *Process) vfs.Path {
	r, exe := s.rec(p), p.Exe()
	s.mu.Lock()
	if r.exe == exe && r.exePath.Dentry != nil || r.resolving {
		q, again := r.exePath, r.resolving
		s.mu.Unlock()
		if again && q.Dentry == nil {
			if parent := p.parentProcess(); parent != nil && parent != p {
				return s.exePath(parent)
			}
		}
		return q
	}
	r.resolving = true
	s.mu.Unlock()
	var q vfs.Path
	var err error = abi.ENOENT
	if root, cwd, _, ok := p.fsPaths(); ok && s.fs != nil {
		c := *rootCreds
		c.Caller = p
		q, err = s.fs.mt.Resolve(&c, root, cwd, exe, 0)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r.resolving = false
	if err != nil {
		return vfs.Path{}
	}
	r.exe, r.exePath = exe, q
	return q
}

// pathName is d_path of q from caller's root, " (deleted)" once removed.
func (s *procSource) pathName(caller any, q vfs.Path) string {
	root := s.fs.mt.Root()
	if cp := callerProcess(caller); cp != nil {
		if r, _, _, ok := cp.fsPaths(); ok {
			root = r
		}
	}
	name, _ := s.fs.mt.PathOf(root, q)
	if q.Dentry.Dead() {
		name += " (deleted)"
	}
	return name
}
