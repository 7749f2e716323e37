package libstarry

import (
	"sync"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/libstarry/sysv"
	"github.com/starry-go/starry/libstarry/tmpfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// System V IPC's glue: the kernel-wide namespace (libstarry/sysv keeps
// the objects), a segment's memory (an unlinked file on the internal
// tmpfs, as shmem_kernel_file_setup makes on shm_mnt), its attaches as
// regions of the address space, and each process's SEM_UNDO list.
//
// An attach is counted as Linux counts a segment's VMAs, through the
// mapping itself: each shmat maps an shmAttach, an mm.Holder, so every
// address space that maps it (the attacher, and each child a fork copies
// the shared region into) holds it once, and lets go when its last
// region of it goes: shmdt, munmap, a SHM_REMAP or MAP_FIXED over it,
// exec's new address space, exit. No hook in exec or exit is needed for
// shm; SEM_UNDO's exitSem wants one (see there).

// sysvIPC is the kernel's System V IPC (the init ipc_namespace), with
// the SEM_UNDO lists of the processes that made one.
type sysvIPC struct {
	ns   *sysv.NS
	mu   sync.Mutex
	undo map[*Process]*sysv.Undo
}

func newSysVIPC() *sysvIPC {
	return &sysvIPC{ns: sysv.New(nil), undo: map[*Process]*sysv.Undo{}}
}

// SysV is the kernel's IPC namespace.
func (k *Kernel) SysV() *sysv.NS { return k.sysv.ns }

// IPCCaller is the process as System V IPC's checks see it: its ID and
// its effective, file-system and supplementary IDs.
func (p *Process) IPCCaller() *sysv.Caller {
	c := p.Cred()
	return &sysv.Caller{PID: p.pid, EUID: c.EUID, EGID: c.EGID, FSGID: c.FSGID, Groups: c.Groups}
}

// shmLBA is x86's SHMLBA: a page.
const shmLBA = exo.PageSize

// ShmGet is shmget(2) (ksys_shmget).
func (p *Process) ShmGet(key int32, size uint64, flg int) (int, error) {
	return p.k.sysv.ns.ShmGet(p.IPCCaller(), key, size, flg, p.shmMemory)
}

// shmMemory is newseg's file: SHM_HUGETLB finds no huge pages reserved
// (ENOMEM, as mmap's MAP_HUGETLB), a size past MAX_LFS_FILESIZE is
// EINVAL, and without SHM_NORESERVE the pages are charged as
// shmem_acct_size does: more than the machine has is ENOMEM. The file
// is empty; pages come as they are touched.
func (p *Process) shmMemory(size uint64, flg int, _ string) (sysv.Backing, error) {
	switch {
	case flg&sysv.ShmHugeTLB != 0:
		return nil, abi.ENOMEM
	case size > tmpfs.MaxFileSize:
		return nil, abi.EINVAL
	case flg&sysv.ShmNoReserve == 0 && p.cfg.Exo != nil && (size+exo.PageSize-1)/exo.PageSize > uint64(p.cfg.Exo.UserFrames()):
		return nil, abi.ENOMEM
	case p.cfg.FS == nil:
		return nil, abi.ENOMEM
	}
	fs := p.cfg.FS
	n := fs.infoOf(fs.shm.Root()).tmp.NewUnlinked(abi.S_IFREG|0o777, 0, 0)
	n.Open() // the segment's own hold, until it is destroyed
	if err := n.Truncate(int64(size)); err != nil {
		n.Close()
		return nil, abi.ENOMEM
	}
	return n, nil
}

// shmAttach is one shmat: the object its regions map, the segment's
// pages, and as an mm.Holder the segment's attach count (shm_open and
// shm_close). pid, the attacher, is who shm_lpid names when a region of
// it is mapped or unmapped (Hold and Drop do not know by whom), but for
// shmdt, which names its caller.
type shmAttach struct {
	ns  *sysv.NS
	seg *sysv.Segment
	mem *tmpfs.Node
	pid int
}

var (
	_ mm.Object = (*shmAttach)(nil)
	_ mm.Holder = (*shmAttach)(nil)
)

func (a *shmAttach) Frame(env *exo.Env, pgoff uint64, write bool) (exo.Frame, error) {
	return a.mem.Frame(env, pgoff, write)
}
func (a *shmAttach) ReadAt(b []byte, off int64) (int, error) { return a.mem.ReadAt(b, off) }
func (a *shmAttach) Size() int64                             { return a.mem.Size() }
func (a *shmAttach) Hold()                                   { a.ns.ShmOpen(a.seg, a.pid) }
func (a *shmAttach) Drop()                                   { a.ns.ShmClose(a.seg, a.pid) }

// ShmAt is shmat(2) (do_shmat), checking in its order: a negative ID;
// an address not on a page without SHM_RND (EINVAL; SHM_RND rounds it
// down, and to 0 with SHM_REMAP is EINVAL), SHM_REMAP without an
// address; the segment and its access (EINVAL, EACCES); then, at an
// address and without SHM_REMAP, anything already mapped in the range
// (EINVAL). The segment is mapped shared, read-only with SHM_RDONLY,
// executable with SHM_EXEC, at the address (replacing what is there
// with SHM_REMAP) or where mmap would put it.
func (p *Process) ShmAt(id int, addr uintptr, flg int) (uintptr, error) {
	if id < 0 {
		return 0, abi.EINVAL
	}
	fixed := addr != 0
	switch {
	case fixed && addr&(shmLBA-1) != 0 && flg&abi.SHM_RND == 0:
		return 0, abi.EINVAL
	case fixed && addr&(shmLBA-1) != 0:
		if addr &^= shmLBA - 1; addr == 0 && flg&sysv.ShmRemap != 0 {
			return 0, abi.EINVAL
		}
	case !fixed && flg&sysv.ShmRemap != 0:
		return 0, abi.EINVAL
	}
	prot := exo.PermRead | exo.PermWrite
	if flg&abi.SHM_RDONLY != 0 {
		prot = exo.PermRead
	}
	if flg&sysv.ShmExec != 0 {
		prot |= exo.PermExec
	}
	ns := p.k.sysv.ns
	seg, err := ns.ShmAttachBegin(p.IPCCaller(), id, flg)
	if err != nil {
		return 0, err
	}
	defer ns.ShmAttachEnd(seg)
	size := uintptr(seg.Size())
	if addr != 0 && flg&sysv.ShmRemap == 0 && (addr+size < addr || p.MM.Mapped(addr, size)) {
		return 0, abi.EINVAL
	}
	mem, ok := seg.Memory().(*tmpfs.Node)
	if !ok {
		return 0, abi.EINVAL // not made by shmMemory
	}
	att := &shmAttach{ns: ns, seg: seg, mem: mem, pid: p.pid}
	return p.MM.Mmap(mm.MapRequest{Addr: addr, Len: size, Prot: prot, Fixed: fixed, Shared: true, Obj: att,
		Name: "/" + seg.Name() + " (deleted)"})
}

// ShmDt is shmdt(2) (ksys_shmdt): addr must be on a page (EINVAL); the
// first attach region at or above it whose offset in the segment is its
// distance from addr (the attach at addr, or a fragment of it that
// mprotect or munmap left) names the attach, and it and every other
// fragment of that attach within the segment's size from addr are
// unmapped. EINVAL when there is none.
func (p *Process) ShmDt(addr uintptr) error {
	if addr&(exo.PageSize-1) != 0 {
		return abi.EINVAL
	}
	regions := p.MM.Regions()
	fragment := func(v mm.VMA) (*shmAttach, bool) {
		a, ok := v.Obj.(*shmAttach)
		return a, ok && uint64(v.Start-addr)/exo.PageSize == v.FileOff/exo.PageSize
	}
	var att *shmAttach
	i := 0
	for ; i < len(regions); i++ {
		if v := regions[i]; v.End > addr {
			if a, ok := fragment(v); ok {
				att = a
				_ = p.MM.Munmap(v.Start, v.End-v.Start)
				i++
				break
			}
		}
	}
	if att == nil {
		return abi.EINVAL
	}
	size := (uint64(att.mem.Size()) + exo.PageSize - 1) &^ (exo.PageSize - 1)
	for ; i < len(regions) && uint64(regions[i].End-addr) <= size; i++ {
		if a, ok := fragment(regions[i]); ok && a == att {
			_ = p.MM.Munmap(regions[i].Start, regions[i].End-regions[i].Start)
		}
	}
	att.ns.ShmDetached(att.seg, p.pid)
	return nil
}

// ShmLock is shmctl's SHM_LOCK and SHM_UNLOCK, with the process's
// RLIMIT_MEMLOCK.
func (p *Process) ShmLock(id, cmd int) error {
	return p.k.sysv.ns.ShmLockCmd(p.IPCCaller(), id, cmd, p.Rlimit(abi.RLIMIT_MEMLOCK).Cur)
}

// SemOp is semop(2) and semtimedop(2) for the thread (timeout < 0: none):
// a signal ends a sleep with EINTR, never restarted, as Linux's semop
// returns -EINTR itself.
func (t *Thread) SemOp(id int, sops []sysv.SemBuf, timeout time.Duration) error {
	p := t.P
	return p.k.sysv.ns.SemOp(t, p.IPCCaller(), p.semUndo, id, sops, timeout)
}

// semUndo is the process's SEM_UNDO list, made at its first use
// (get_undo_list). The threads of the process share it (CLONE_SYSVSEM,
// which pthread_create passes); a forked child starts with none; exec
// keeps it.
func (p *Process) semUndo() *sysv.Undo {
	s := p.k.sysv
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.undo[p]
	if u == nil {
		u = sysv.NewUndo()
		s.undo[p] = u
		// Until exit calls exitSem itself, the adjustments are made
		// once the process is gone (after its parent may have reaped
		// it: later than Linux, which makes them before exit_notify).
		go func() {
			<-p.done
			p.exitSem()
		}()
	}
	return u
}

// exitSem is exit_sem: the process's SEM_UNDO adjustments are applied.
// do_exit makes them after exit_mm and before the parent hears of the
// death; Thread.exit should call it there, after as.put() and before
// becomeZombie. It does nothing for a process that has no list (or
// whose list was applied already).
func (p *Process) exitSem() {
	s := p.k.sysv
	s.mu.Lock()
	u := s.undo[p]
	delete(s.undo, p)
	s.mu.Unlock()
	if u != nil {
		s.ns.ExitSem(u, p.pid)
	}
}

// MsgSnd is msgsnd(2) after the message was read from the caller: a
// signal ends a sleep with ERESTARTNOHAND, as do_msgsnd's.
func (t *Thread) MsgSnd(id int, typ int64, text []byte, flg int) error {
	return intr(t.P.k.sysv.ns.MsgSnd(t, t.P.IPCCaller(), id, typ, text, flg), ErrRestartNoHand)
}

// MsgRcv is msgrcv(2) before the message is written to the caller: its
// type and text (not yet cut to size); a signal ends a sleep with
// ERESTARTNOHAND, as do_msgrcv's.
func (t *Thread) MsgRcv(id int, size, typ int64, flg int) (int64, []byte, error) {
	mt, text, err := t.P.k.sysv.ns.MsgRcv(t, t.P.IPCCaller(), id, size, typ, flg)
	return mt, text, intr(err, ErrRestartNoHand)
}
