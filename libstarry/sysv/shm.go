package sysv

import (
	"github.com/starry-go/starry/personality/linux/abi"
)

// Backing is the memory behind a segment, which the caller of ShmGet
// makes (shmem_kernel_file_setup): the segment holds it from creation
// to destruction, then closes it. Close runs with the shm lock held
// and must not call into the namespace.
type Backing interface {
	Close()
	Pages() int64 // resident pages, for SHM_INFO's shm_rss
}

// Segment is one shared-memory segment (struct shmid_kernel).
type Segment struct {
	Perm
	size                uint64
	nattch              int
	atime, dtime, ctime int64
	cpid, lpid          int
	mem                 Backing
	name                string // "SYSV%08x" of the key it was made with
}

// Name is what the segment's mappings are called ("SYSV" and the
// creation key in hex, as its shmem file is).
func (s *Segment) Name() string { return s.name }

// Size is shm_segsz, the size asked for.
func (s *Segment) Size() uint64 { return s.size }

// Memory is the segment's backing.
func (s *Segment) Memory() Backing { return s.mem }

const pageSize = 4096

func pagesOf(size uint64) uint64 { return (size + pageSize - 1) / pageSize }

// ShmGet is ksys_shmget: newseg's checks for a new segment (EINVAL for a
// size below SHMMIN or above shmmax, ENOSPC past shmall pages in all),
// then the memory (newMem's error as it is, given shmflg), then a slot
// (ENOSPC past shmmni); an existing one must be at least size bytes
// (EINVAL) before its mode is checked.
func (ns *NS) ShmGet(c *Caller, key int32, size uint64, flg int, newMem func(size uint64, flg int, name string) (Backing, error)) (int, error) {
	s := &ns.shm
	s.mu.Lock()
	defer s.mu.Unlock()
	create := func() (int, error) {
		pages := pagesOf(size)
		switch {
		case size < ShmMin || size > ns.lim.ShmMax:
			return 0, abi.EINVAL
		case pages*pageSize < size, s.tot+pages < s.tot, s.tot+pages > ns.lim.ShmAll:
			return 0, abi.ENOSPC
		}
		name := sysvName(key)
		mem, err := newMem(size, flg, name)
		if err != nil {
			return 0, err
		}
		seg := &Segment{Perm: Perm{Key: key, Mode: uint32(flg) & 0o777}, size: size, mem: mem, name: name,
			cpid: c.PID, ctime: ns.now()}
		id, err := s.ids.add(seg, ns.lim.ShmMNI, c)
		if err != nil {
			mem.Close()
			return 0, err
		}
		s.tot += pages
		return id, nil
	}
	more := func(seg *Segment) error {
		if seg.size < size {
			return abi.EINVAL
		}
		return nil
	}
	return ipcget(&s.ids, c, key, flg, create, more)
}

// sysvName is newseg's file name, "SYSV%08x" of the key.
func sysvName(key int32) string {
	const hex = "0123456789abcdef"
	b := []byte("SYSV00000000")
	for i, k := 11, uint32(key); i >= 4; i, k = i-1, k>>4 {
		b[i] = hex[k&15]
	}
	return string(b)
}

// ShmAttachBegin is do_shmat's part before the mapping: the segment
// (EINVAL), the access its flags want (EACCES: read, write unless
// SHM_RDONLY, execute with SHM_EXEC), and an attach held across the
// mapping so that an IPC_RMID meanwhile cannot destroy it. The caller
// maps the segment and then calls ShmAttachEnd.
func (ns *NS) ShmAttachBegin(c *Caller, id, flg int) (*Segment, error) {
	acc := accRead | accWrite
	if flg&abi.SHM_RDONLY != 0 {
		acc = accRead
	}
	if flg&ShmExec != 0 {
		acc |= accExec
	}
	s := &ns.shm
	s.mu.Lock()
	defer s.mu.Unlock()
	seg, err := s.ids.lookup(id)
	if err != nil {
		return nil, err
	}
	if c.denied(&seg.Perm, acc) {
		return nil, abi.EACCES
	}
	seg.nattch++
	return seg, nil
}

// ShmAttachEnd lets go of ShmAttachBegin's hold (do_shmat's out_nattch):
// the segment goes now if it was removed and nothing maps it.
func (ns *NS) ShmAttachEnd(seg *Segment) {
	s := &ns.shm
	s.mu.Lock()
	defer s.mu.Unlock()
	seg.nattch--
	ns.maybeDestroy(seg)
}

// ShmOpen is __shm_open: a process begins to map the segment (shmat,
// and fork's copy of each attach); pid is shm_lpid from now on.
func (ns *NS) ShmOpen(seg *Segment, pid int) {
	s := &ns.shm
	s.mu.Lock()
	defer s.mu.Unlock()
	seg.atime, seg.lpid = ns.now(), pid
	seg.nattch++
}

// ShmClose is __shm_close: a process's last region of one attach went
// (shmdt, munmap, exec, exit). The last detach of a removed segment
// destroys it.
func (ns *NS) ShmClose(seg *Segment, pid int) {
	s := &ns.shm
	s.mu.Lock()
	defer s.mu.Unlock()
	seg.dtime, seg.lpid = ns.now(), pid
	seg.nattch--
	ns.maybeDestroy(seg)
}

// ShmDetached records pid as the last to detach the segment after a
// shmdt, which names the caller even when the attach it unmapped was a
// fork's copy of another's.
func (ns *NS) ShmDetached(seg *Segment, pid int) {
	s := &ns.shm
	s.mu.Lock()
	defer s.mu.Unlock()
	seg.lpid = pid
}

// maybeDestroy is shm_may_destroy then shm_destroy (shm_rmid_forced is
// 0); s.mu is held.
func (ns *NS) maybeDestroy(seg *Segment) {
	if seg.nattch > 0 || seg.Mode&ShmDest == 0 || seg.deleted {
		return
	}
	s := &ns.shm
	s.tot -= pagesOf(seg.size)
	s.ids.remove(seg)
	seg.mem.Close()
}

// ShmDS is struct shmid64_ds's contents.
type ShmDS struct {
	Perm
	Size                uint64
	Atime, Dtime, Ctime int64
	CPID, LPID          int
	Nattch              uint64
}

// ShmStat is shmctl_stat: IPC_STAT of an ID (returning 0), SHM_STAT
// and SHM_STAT_ANY of a slot index (returning the ID), read permission
// needed but for SHM_STAT_ANY.
func (ns *NS) ShmStat(c *Caller, id, cmd int) (ShmDS, int, error) {
	s := &ns.shm
	s.mu.Lock()
	defer s.mu.Unlock()
	var seg *Segment
	var err error
	if cmd == abi.IPC_STAT {
		seg, err = s.ids.lookup(id)
	} else {
		seg, err = s.ids.atIndex(id)
	}
	if err != nil {
		return ShmDS{}, 0, err
	}
	if cmd != ShmStatAny && c.denied(&seg.Perm, accRead) {
		return ShmDS{}, 0, abi.EACCES
	}
	ds := ShmDS{Perm: seg.Perm, Size: seg.size, Atime: seg.atime, Dtime: seg.dtime, Ctime: seg.ctime,
		CPID: seg.cpid, LPID: seg.lpid, Nattch: uint64(seg.nattch)}
	if cmd == abi.IPC_STAT {
		return ds, 0, nil
	}
	return ds, seg.ID, nil
}

// ShmInfoLimits is struct shminfo64 (IPC_INFO).
type ShmInfoLimits struct {
	ShmMax, ShmMin, ShmMNI, ShmSeg, ShmAll uint64
}

// ShmIPCInfo is shmctl_ipc_info: the limits, and the highest slot in use.
func (ns *NS) ShmIPCInfo() (ShmInfoLimits, int) {
	s := &ns.shm
	s.mu.Lock()
	defer s.mu.Unlock()
	mni := uint64(ns.lim.ShmMNI)
	return ShmInfoLimits{ShmMax: ns.lim.ShmMax, ShmMin: ShmMin, ShmMNI: mni, ShmSeg: mni, ShmAll: ns.lim.ShmAll}, s.ids.maxIndex()
}

// ShmUsage is struct shm_info (SHM_INFO).
type ShmUsage struct {
	UsedIDs              int
	Tot, RSS, Swp        uint64
	SwapAttempts, SwapOK uint64
}

// ShmInfo is shmctl_shm_info: the segments, their pages asked for and
// resident (none are ever swapped), and the highest slot in use.
func (ns *NS) ShmInfo() (ShmUsage, int) {
	s := &ns.shm
	s.mu.Lock()
	defer s.mu.Unlock()
	u := ShmUsage{UsedIDs: s.ids.inUse, Tot: s.tot}
	for _, seg := range s.ids.byIdx {
		u.RSS += uint64(seg.mem.Pages())
	}
	return u, s.ids.maxIndex()
}

// ShmSet is shmctl_down's IPC_SET: the owner, creator or privilege
// (EPERM), then the new owner and mode (EINVAL for an invalid ID).
func (ns *NS) ShmSet(c *Caller, id int, ps PermSet) error {
	s := &ns.shm
	s.mu.Lock()
	defer s.mu.Unlock()
	seg, err := s.ids.lookup(id)
	if err != nil {
		return err
	}
	if err := c.ctlCheck(&seg.Perm); err != nil {
		return err
	}
	if err := ps.update(&seg.Perm); err != nil {
		return err
	}
	seg.ctime = ns.now()
	return nil
}

// ShmRemove is shmctl_down's IPC_RMID (do_shm_rmid): a segment nothing
// maps goes at once; an attached one is marked SHM_DEST and loses its
// key, so that shmget no longer finds it and the key is free, and goes
// at its last detach.
func (ns *NS) ShmRemove(c *Caller, id int) error {
	s := &ns.shm
	s.mu.Lock()
	defer s.mu.Unlock()
	seg, err := s.ids.lookup(id)
	if err != nil {
		return err
	}
	if err := c.ctlCheck(&seg.Perm); err != nil {
		return err
	}
	seg.Mode |= ShmDest
	if seg.nattch > 0 {
		s.ids.setKeyPrivate(seg)
		return nil
	}
	ns.maybeDestroy(seg)
	return nil
}

// ShmLockCmd is shmctl_do_lock (SHM_LOCK, SHM_UNLOCK): without
// privilege only the owner or creator may, and SHM_LOCK only with a
// RLIMIT_MEMLOCK above 0 (EPERM). Pages here are never swapped, so the
// lock is the SHM_LOCKED mode bit.
func (ns *NS) ShmLockCmd(c *Caller, id, cmd int, memlock uint64) error {
	s := &ns.shm
	s.mu.Lock()
	defer s.mu.Unlock()
	seg, err := s.ids.lookup(id)
	if err != nil {
		return err
	}
	if !c.privileged() {
		if c.EUID != seg.UID && c.EUID != seg.CUID {
			return abi.EPERM
		}
		if cmd == ShmLock && memlock == 0 {
			return abi.EPERM
		}
	}
	if cmd == ShmLock {
		seg.Mode |= ShmLocked
	} else {
		seg.Mode &^= ShmLocked
	}
	return nil
}
