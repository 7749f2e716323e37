package libstarry

import (
	"bytes"
	"path"

	"github.com/starry-go/starry/libstarry/binfmt"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// execve in the seed's two phases (reference/starry-kernel-execve.txt,
// after Linux's fs/exec.c): all fallible work first (resolve the file,
// build the new image in a fresh address space), then the siblings are
// zapped and awaited, then a commit that cannot fail.

// execFiles is a process's view of the file system for exec: paths
// resolve from its root and working directory, with its identity.
type execFiles struct {
	fs    *Files
	w     Where
	creds *vfs.Creds
	self  vfs.Path // execveat's AT_EMPTY_PATH file, named selfName
	name  string
}

// Open is open_exec's lookup: a regular file's node is what the
// program's segments map; execute permission is checked here, the
// file's type and x bits by the loader.
func (e execFiles) Open(path string) (uint32, mm.Object, error) {
	if e.fs == nil {
		return 0, nil, abi.ENOENT
	}
	q, err := e.self, error(nil)
	if q.Dentry == nil || path != e.name {
		q, err = e.fs.mt.Resolve(e.creds, e.w.Root, e.w.Dir, path, 0)
	}
	if err != nil {
		return 0, nil, err
	}
	in := q.Dentry.Inode()
	obj := fileObject(in)
	if obj == nil || in.Type() != abi.S_IFREG {
		return in.Attr().Mode, nil, nil
	}
	if err := vfs.Permission(e.creds, in, vfs.MayExec); err != nil {
		return 0, nil, err
	}
	return in.Attr().Mode, obj, nil
}

// shell runs a file that is neither ELF nor "#!" (the seed's ENOEXEC
// fallback, which Linux leaves to libc's execvp): an empty file stays
// ENOEXEC, as Linux and LTP's execve03 want.
const shell = "/bin/sh"

// loadImage is exec's first phase: the program resolved and its image
// built, nothing of any process touched.
func loadImage(fs *Files, ctx *fsContext, c *vfs.Creds, file string, argv, envv []string) (*binfmt.Image, error) {
	ctx.mu.Lock()
	files := execFiles{fs: fs, w: Where{Root: ctx.root, Dir: ctx.cwd}, creds: c}
	ctx.mu.Unlock()
	return loadImageFrom(files, file, argv, envv)
}

// loadImageFrom is loadImage with the lookup's start given.
func loadImageFrom(files execFiles, file string, argv, envv []string) (*binfmt.Image, error) {
	img, err := binfmt.LoadImage(files, file, argv, envv)
	if err != abi.ENOEXEC {
		return img, err
	}
	if _, obj, oerr := files.Open(file); oerr != nil || obj == nil || obj.Size() == 0 ||
		hasPrefix(obj, "\x7fELF") || hasPrefix(obj, "#!") {
		return nil, err
	}
	if len(argv) == 0 {
		argv = []string{""}
	}
	img, serr := binfmt.LoadImage(files, shell, append([]string{shell, file}, argv[1:]...), envv)
	if serr == abi.ENOENT {
		return nil, err // no shell to fall back on: the file's own ENOEXEC
	}
	return img, serr
}

// commitImage maps img into the thread's (fresh, empty) address space,
// writes the initial stack and points the thread at the entry: what
// Linux does after begin_new_exec. An error means the process must die
// with SIGSEGV, as bprm_execve's force_fatal_sig.
func (t *Thread) commitImage(img *binfmt.Image) error {
	m := t.P.MM
	m.SetupStack(img.ExecStack)
	err := binfmt.Load(m, img)
	if err != nil {
		return err
	}
	if img.VDSO, err = t.P.cfg.vdso.mapInto(m); err != nil {
		return err
	}
	sp, err := binfmt.BuildStack(m, img, t.P.cfg.HWCap, [4]uint64{})
	if err != nil {
		return err
	}
	t.ctx.Regs.RIP, t.ctx.Regs.RSP = img.Start, uint64(sp)
	t.P.mu.Lock()
	t.P.exe = img.Exe
	t.P.mu.Unlock()
	t.SetName(path.Base(img.Path))
	return nil
}

// Exec replaces the program of t's process (execve). It returns an error
// only when the old program goes on; after the point of no return it
// returns nil with the thread ready to enter the new image, or with the
// process killed by SIGSEGV if the image could not be mapped.
func (t *Thread) Exec(file string, argv, envv []string) error {
	return t.ExecAt(t.P.At(vfs.Path{}), vfs.Path{}, file, argv, envv)
}

// ExecAt is execveat: file taken from w (a directory descriptor's), or
// when self is set, self's file itself under the name file
// (AT_EMPTY_PATH's "/dev/fd/N").
func (t *Thread) ExecAt(w Where, self vfs.Path, file string, argv, envv []string) error {
	p := t.P
	files := execFiles{fs: p.cfg.FS, w: w, creds: p.Creds(), self: self, name: file}
	img, err := loadImageFrom(files, file, argv, envv)
	if err != nil {
		return err
	}
	as, err := newAddrSpace(p.cfg.Exo)
	if err != nil {
		return abi.ENOMEM
	}
	if err := t.zapSiblings(); err != nil {
		as.put()
		return err
	}
	cred, exe := p.execCredFor(img, files)
	img.Exe = exe
	// The point of no return.
	p.mu.Lock()
	old := p.as
	p.leaveSpaceLocked(old)
	p.attrs.execed(cred != p.cred && (cred.EUID != p.cred.EUID || cred.EGID != p.cred.EGID))
	p.as, p.MM = as, as.mm
	p.cred = cred
	p.mu.Unlock()
	t.ctx = as.env.NewContext() // every register reset (start_thread)
	t.altstack, t.ClearTID, t.Robust = AltStack{}, 0, 0
	loadErr := t.commitImage(img)
	old.put() // a vfork parent's memory stays its own
	p.UnshareFiles()
	p.FDs.CloseExec()
	p.sigh = p.sigh.copy() // unshare_sighand, then flush_signal_handlers
	p.sigh.resetForExec()
	p.execTimers() // exit_itimers: the POSIX timers go (posixtimer.go)
	t.takeLeaderTID()
	p.k.mu.Lock()
	p.execed = true
	p.k.mu.Unlock()
	p.mu.Lock()
	p.execing = false
	vfork := p.vforkDone
	p.vforkDone = nil
	p.mu.Unlock()
	if loadErr != nil {
		p.Exit(ExitStatus{Signal: SIGSEGV})
	}
	if vfork != nil {
		close(vfork) // last: the parent may now run and read our pipes
	}
	t.ptraceEvent(PtraceEventExec, PtraceOExec, uint64(t.tid))
	return nil
}

// zapSiblings is de_thread: every other thread is told to go, and exec
// waits (not interruptibly) until they have. A thread whose sibling is
// already past this point has itself been zapped: EINTR, and it goes.
func (t *Thread) zapSiblings() error {
	p := t.P
	p.mu.Lock()
	if t.zapped.Load() || p.exiting {
		p.mu.Unlock()
		return abi.EINTR
	}
	for p.execing { // another thread's exec is past its fallible phase
		ch := p.childWait.Wait()
		p.mu.Unlock()
		select {
		case <-ch:
		case <-t.Interrupted(): // zapped by it
		case <-p.dying:
		}
		p.mu.Lock()
		if t.zapped.Load() || p.exiting {
			p.mu.Unlock()
			return abi.EINTR
		}
	}
	p.execing = true
	for {
		for s := range p.threads {
			if s != t && !s.zapped.Load() {
				s.zapped.Store(true)
				s.poke()
			}
		}
		if len(p.threads) == 1 {
			p.mu.Unlock()
			return nil
		}
		ch := p.childWait.Wait()
		p.mu.Unlock()
		select {
		case <-ch:
		case <-p.dying:
			return abi.EINTR
		}
		p.mu.Lock()
	}
}

// takeLeaderTID gives the exec-ing thread the process's ID, as de_thread
// does when a non-leader execs: the parent's PID then names it.
func (t *Thread) takeLeaderTID() {
	p, k := t.P, t.P.k
	if t.tid == p.pid {
		return
	}
	k.mu.Lock()
	delete(k.threads, t.tid)
	t.tid = p.pid
	k.threads[t.tid] = t
	k.mu.Unlock()
}

// hasPrefix reports whether the object's bytes start with prefix.
func hasPrefix(o mm.Object, prefix string) bool {
	return bytes.HasPrefix(mm.ReadFull(o, 0, uint64(len(prefix))), []byte(prefix))
}

// execCredFor is the identity the new program runs with (bprm_fill_uid):
// the binary's set-user-ID and set-group-ID bits take effect; a script's
// own bits never do, its interpreter's would. It also gives the binary's
// absolute path, which /proc/self/exe names.
func (p *Process) execCredFor(img *binfmt.Image, files execFiles) (*Cred, string) {
	c := p.Cred()
	q, err := files.self, error(nil)
	if q.Dentry == nil || img.Exe != files.name {
		q, err = p.Resolve(files.w, img.Exe, 0)
	}
	if err != nil {
		return execCred(c, 0, 0, 0), img.Exe
	}
	st := p.Stat(q)
	return execCred(c, st.Mode, st.UID, st.GID), p.PathName(q)
}
