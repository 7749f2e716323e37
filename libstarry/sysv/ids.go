package sysv

import (
	"math"
	"slices"

	"github.com/starry-go/starry/personality/linux/abi"
)

// The ABI's IPC constants that golang.org/x/sys/unix does not have
// (include/uapi/linux/ipc.h, shm.h, sem.h, msg.h); IPC_CREAT, IPC_EXCL,
// IPC_NOWAIT, IPC_PRIVATE, IPC_RMID, IPC_SET, IPC_STAT, SHM_RDONLY and
// SHM_RND come from abi.
const (
	IPCInfo = 3 // IPC_INFO

	ShmLock    = 11 // SHM_LOCK
	ShmUnlock  = 12 // SHM_UNLOCK
	ShmStat    = 13 // SHM_STAT
	ShmInfo    = 14 // SHM_INFO
	ShmStatAny = 15 // SHM_STAT_ANY

	ShmHugeTLB   = 0o4000   // SHM_HUGETLB (shmget)
	ShmNoReserve = 0o10000  // SHM_NORESERVE (shmget)
	ShmRemap     = 0o40000  // SHM_REMAP (shmat)
	ShmExec      = 0o100000 // SHM_EXEC (shmat)
	ShmDest      = 0o1000   // SHM_DEST: in shm_perm.mode, destroyed at the last detach
	ShmLocked    = 0o2000   // SHM_LOCKED: in shm_perm.mode, SHM_LOCK'ed

	GetPID     = 11 // GETPID
	GetVal     = 12 // GETVAL
	GetAll     = 13 // GETALL
	GetNCnt    = 14 // GETNCNT
	GetZCnt    = 15 // GETZCNT
	SetVal     = 16 // SETVAL
	SetAll     = 17 // SETALL
	SemStat    = 18 // SEM_STAT
	SemInfo    = 19 // SEM_INFO
	SemStatAny = 20 // SEM_STAT_ANY
	SemUndo    = 0x1000

	MsgStat    = 11 // MSG_STAT
	MsgInfo    = 12 // MSG_INFO
	MsgStatAny = 13 // MSG_STAT_ANY
	MsgNoError = 0o10000
	MsgExcept  = 0o20000
	MsgCopy    = 0o40000 // CONFIG_CHECKPOINT_RESTORE's peek by position
)

// Identifiers (ipc/util.h): an ID is its slot index plus its slot's
// sequence number times IPCMNI, so a reused slot gives a new ID.
const (
	ipcMNI   = 1 << 15 // IPCMNI, without ipcmni_extend
	seqShift = 15
	idxMask  = ipcMNI - 1
	seqMax   = math.MaxInt32 >> seqShift // ipcid_seq_max
	minCycle = 64                        // ipc_min_cycle: RADIX_TREE_MAP_SIZE
)

// noID is (uid_t)-1, the invalid user or group ID.
const noID = ^uint32(0)

// Caller is who makes a call: the thread group ID that cpid, lpid and
// sempid record, and the identity the permission checks use. Privilege
// (CAP_IPC_OWNER, CAP_SYS_ADMIN, CAP_SYS_RESOURCE, CAP_IPC_LOCK) is an
// effective user ID of 0.
type Caller struct {
	PID               int
	EUID, EGID, FSGID uint32
	Groups            []uint32 // sorted
}

func (c *Caller) privileged() bool { return c.EUID == 0 }

// inGroup is in_group_p: the fsgid or a supplementary group.
func (c *Caller) inGroup(g uint32) bool {
	if g == c.FSGID {
		return true
	}
	_, ok := slices.BinarySearch(c.Groups, g)
	return ok
}

// Perm is an object's kern_ipc_perm, as IPC_STAT reports it (ipc64_perm).
type Perm struct {
	Key                  int32
	UID, GID, CUID, CGID uint32
	Mode                 uint32 // the access bits, and SHM_DEST and SHM_LOCKED
	Seq                  uint16
	ID                   int

	deleted bool
}

func (p *Perm) ipcPerm() *Perm { return p }

// object is what an idSet holds: a pointer to a type embedding Perm.
type object interface{ ipcPerm() *Perm }

// idSet is one kind's struct ipc_ids: the slots by index (an idr), the
// keys, and the counters the cyclic allocation and IPC_INFO use.
type idSet[O object] struct {
	byIdx   map[int]O
	byKey   map[int32]O
	inUse   int
	seq     int
	lastIdx int
	maxIdx  int // the highest slot in use, -1 for none
	next    int // idr_alloc_cyclic's idr_next
}

// newIDSet is ipc_init_ids.
func newIDSet[O object]() idSet[O] {
	return idSet[O]{byIdx: map[int]O{}, byKey: map[int32]O{}, lastIdx: -1, maxIdx: -1}
}

// lookup is ipc_obtain_object_check: the slot of id's index, EINVAL if
// it is empty or holds another sequence number.
func (s *idSet[O]) lookup(id int) (O, error) {
	var zero O
	if id < 0 {
		return zero, abi.EINVAL
	}
	o, ok := s.byIdx[id&idxMask]
	if !ok || int(o.ipcPerm().Seq) != id>>seqShift {
		return zero, abi.EINVAL
	}
	return o, nil
}

// atIndex is ipc_obtain_object_idr: the slot itself, for *_STAT, whose
// argument is an index rather than an ID.
func (s *idSet[O]) atIndex(idx int) (O, error) {
	var zero O
	o, ok := s.byIdx[idx&idxMask]
	if idx < 0 || !ok {
		return zero, abi.EINVAL
	}
	return o, nil
}

// findKey is ipc_findkey.
func (s *idSet[O]) findKey(key int32) (O, bool) {
	o, ok := s.byKey[key]
	return o, ok
}

// add is ipc_addid: ENOSPC with limit objects in use already; the
// object gets the caller's effective IDs as owner and creator, a slot
// (idr_alloc_cyclic below max(in_use*3/2, ipc_min_cycle)), the slot's
// sequence number (bumped whenever allocation wraps to a lower slot) and
// its key (IPC_PRIVATE is never looked up).
func (s *idSet[O]) add(o O, limit int, c *Caller) (int, error) {
	limit = min(limit, ipcMNI)
	if s.inUse >= limit {
		return 0, abi.ENOSPC
	}
	maxIdx := min(max(s.inUse*3/2, minCycle), ipcMNI)
	idx, ok := s.alloc(maxIdx)
	if !ok {
		return 0, abi.ENOSPC
	}
	if idx <= s.lastIdx {
		if s.seq++; s.seq >= seqMax {
			s.seq = 0
		}
	}
	s.lastIdx = idx
	p := o.ipcPerm()
	p.UID, p.CUID, p.GID, p.CGID = c.EUID, c.EUID, c.EGID, c.EGID
	p.Seq, p.ID, p.deleted = uint16(s.seq), s.seq<<seqShift+idx, false
	s.byIdx[idx] = o
	if p.Key != abi.IPC_PRIVATE {
		s.byKey[p.Key] = o
	}
	s.inUse++
	s.maxIdx = max(s.maxIdx, idx)
	return p.ID, nil
}

// alloc is idr_alloc_cyclic over [0, end): the lowest free slot from
// the one after the last given, else from 0.
func (s *idSet[O]) alloc(end int) (int, bool) {
	from := s.next
	for _, start := range []int{from, 0} {
		for i := start; i < end; i++ {
			if _, used := s.byIdx[i]; !used {
				s.next = i + 1
				return i, true
			}
		}
		if from == 0 {
			break
		}
	}
	return 0, false
}

// remove is ipc_rmid: the slot and the key are free at once.
func (s *idSet[O]) remove(o O) {
	p := o.ipcPerm()
	idx := p.ID & idxMask
	delete(s.byIdx, idx)
	s.forgetKey(p)
	s.inUse--
	p.deleted = true
	if idx == s.maxIdx {
		s.maxIdx = -1
		for i := idx - 1; i >= 0; i-- {
			if _, ok := s.byIdx[i]; ok {
				s.maxIdx = i
				break
			}
		}
	}
}

// setKeyPrivate is ipc_set_key_private: the object keeps its ID, but no
// key finds it any more.
func (s *idSet[O]) setKeyPrivate(o O) {
	p := o.ipcPerm()
	s.forgetKey(p)
	p.Key = abi.IPC_PRIVATE
}

func (s *idSet[O]) forgetKey(p *Perm) {
	if p.Key != abi.IPC_PRIVATE {
		if cur, ok := s.byKey[p.Key]; ok && cur.ipcPerm() == p {
			delete(s.byKey, p.Key)
		}
	}
}

// maxIndex is ipc_get_maxidx as the *_INFO commands return it: the
// highest slot in use, 0 when none is.
func (s *idSet[O]) maxIndex() int {
	switch {
	case s.inUse == 0:
		return 0
	case s.inUse == ipcMNI:
		return ipcMNI - 1
	}
	return s.maxIdx
}

// ipcget is ipcget_public and ipcget_new: IPC_PRIVATE always makes a new
// object; a key finds its object (EEXIST with IPC_CREAT|IPC_EXCL, then
// the kind's own checks, then EACCES for the mode bits flg asks for),
// or makes one with IPC_CREAT (ENOENT without).
func ipcget[O object](s *idSet[O], c *Caller, key int32, flg int, create func() (int, error), more func(O) error) (int, error) {
	if key == abi.IPC_PRIVATE {
		return create()
	}
	o, ok := s.findKey(key)
	switch {
	case !ok && flg&abi.IPC_CREAT == 0:
		return 0, abi.ENOENT
	case !ok:
		return create()
	case flg&abi.IPC_CREAT != 0 && flg&abi.IPC_EXCL != 0:
		return 0, abi.EEXIST
	}
	if more != nil {
		if err := more(o); err != nil {
			return 0, err
		}
	}
	if c.denied(o.ipcPerm(), flg) {
		return 0, abi.EACCES
	}
	return o.ipcPerm().ID, nil
}

// Access requests, as ipcperms takes them (S_IRUGO, S_IWUGO, S_IXUGO).
const (
	accRead  = 0o444
	accWrite = 0o222
	accExec  = 0o111
)

// denied is ipcperms failing: some bit flag asks for (in any of its
// three triplets) is missing from the triplet that applies to the caller
// (owner or creator, then either group, then others), and the caller
// is not privileged.
func (c *Caller) denied(p *Perm, flag int) bool {
	requested := uint32(flag>>6|flag>>3|flag) & 7
	granted := p.Mode
	switch {
	case c.EUID == p.CUID || c.EUID == p.UID:
		granted >>= 6
	case c.inGroup(p.CGID) || c.inGroup(p.GID):
		granted >>= 3
	}
	return requested&^granted&7 != 0 && !c.privileged()
}

// ctlCheck is ipcctl_obtain_check's test for IPC_SET and IPC_RMID: the
// owner, the creator, or privilege; EPERM for anyone else.
func (c *Caller) ctlCheck(p *Perm) error {
	if c.EUID == p.CUID || c.EUID == p.UID || c.privileged() {
		return nil
	}
	return abi.EPERM
}

// PermSet is what IPC_SET may change of an ipc_perm.
type PermSet struct {
	UID, GID, Mode uint32
}

// update is ipc_update_perm: EINVAL for an invalid ID, else the owner
// and the access bits change (the upper mode bits stay).
func (ps PermSet) update(p *Perm) error {
	if ps.UID == noID || ps.GID == noID {
		return abi.EINVAL
	}
	p.UID, p.GID = ps.UID, ps.GID
	p.Mode = p.Mode&^0o777 | ps.Mode&0o777
	return nil
}
