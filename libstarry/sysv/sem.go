package sysv

import (
	"errors"
	"slices"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// SemBuf is struct sembuf: one operation of a semop.
type SemBuf struct {
	Num uint16
	Op  int16
	Flg int16
}

type semaphore struct {
	val int
	pid int // sempid: the last process to change it
}

// SemSet is one semaphore set (struct sem_array).
type SemSet struct {
	Perm
	sems         []semaphore
	otime, ctime int64
	pending      []*semQueue // sleeping operations, oldest first
	undos        map[*Undo]bool
}

// semQueue is one sleeping semop (struct sem_queue).
type semQueue struct {
	sops     []SemBuf
	undo     []int16 // the caller's adjustments on this set, with SEM_UNDO
	pid      int
	alter    bool
	blocking int // the operation that blocked, for GETNCNT and GETZCNT
	done     chan struct{}
	err      error
	finished bool
}

// Undo is one process's SEM_UNDO adjustments (struct sem_undo_list, a
// sem_undo per set): applied when the process exits (ExitSem). It is
// shared by the threads of a process (CLONE_SYSVSEM, which pthreads use)
// and not by a forked child, which starts with none.
type Undo struct {
	adj map[*SemSet][]int16 // guarded by the sem lock
}

// NewUndo makes an empty list.
func NewUndo() *Undo { return &Undo{adj: map[*SemSet][]int16{}} }

// Constants Linux reports in seminfo but does not tune.
const (
	semMNU = 32000 * 32000 // SEMMNU = SEMMNS
	semMap = 32000 * 32000 // SEMMAP = SEMMNS
	semUME = 500           // SEMUME = SEMOPM
)

// errBlock is perform's "the caller must sleep".
var errBlock = errors.New("sysv: semop would block")

// SemGet is ksys_semget: EINVAL for nsems below 0 or above semmsl first;
// a new set needs at least one semaphore (EINVAL) and room under semmns
// (ENOSPC); an existing one must have at least nsems (EINVAL).
func (ns *NS) SemGet(c *Caller, key int32, nsems, flg int) (int, error) {
	if nsems < 0 || nsems > ns.lim.SemMSL {
		return 0, abi.EINVAL
	}
	s := &ns.sem
	s.mu.Lock()
	defer s.mu.Unlock()
	create := func() (int, error) {
		switch {
		case nsems == 0:
			return 0, abi.EINVAL
		case s.used+nsems > ns.lim.SemMNS:
			return 0, abi.ENOSPC
		}
		set := &SemSet{Perm: Perm{Key: key, Mode: uint32(flg) & 0o777}, sems: make([]semaphore, nsems),
			ctime: ns.now(), undos: map[*Undo]bool{}}
		id, err := s.ids.add(set, ns.lim.SemMNI, c)
		if err == nil {
			s.used += nsems
		}
		return id, err
	}
	more := func(set *SemSet) error {
		if nsems > len(set.sems) {
			return abi.EINVAL
		}
		return nil
	}
	return ipcget(&s.ids, c, key, flg, create, more)
}

// SemOp is __do_semtimedop: EINVAL for no operations or a negative ID,
// E2BIG for more than semopm, then the set (EINVAL), a semaphore number
// past its end (EFBIG), the access (write if any operation changes a
// value, else read: EACCES). The operations happen all at once or not
// at all: ERANGE past SEMVMX or the SEM_UNDO range, EAGAIN when one must
// wait and has IPC_NOWAIT; otherwise the caller sleeps, oldest first,
// until they can (then others may in turn), the set goes (EIDRM), the
// timeout passes (timeout >= 0: EAGAIN) or a signal comes (EINTR, never
// restarted). undo gives the caller's SEM_UNDO list when an operation
// asks for one.
func (ns *NS) SemOp(w fd.Waiter, c *Caller, undo func() *Undo, id int, sops []SemBuf, timeout time.Duration) error {
	if len(sops) < 1 || id < 0 {
		return abi.EINVAL
	}
	if len(sops) > ns.lim.SemOPM {
		return abi.E2BIG
	}
	maxNum, undos, alter := 0, false, false
	for _, op := range sops {
		maxNum = max(maxNum, int(op.Num))
		undos = undos || op.Flg&SemUndo != 0
		alter = alter || op.Op != 0
	}
	acc := accRead
	if alter {
		acc = accWrite
	}
	var u *Undo
	if undos {
		u = undo()
	}
	s := &ns.sem
	s.mu.Lock()
	set, err := s.ids.lookup(id)
	switch {
	case err != nil:
	case maxNum >= len(set.sems):
		err = abi.EFBIG
	case c.denied(&set.Perm, acc):
		err = abi.EACCES
	}
	if err != nil {
		s.mu.Unlock()
		return err
	}
	q := &semQueue{sops: slices.Clone(sops), pid: c.PID, alter: alter}
	if u != nil {
		q.undo = set.undoOf(u)
	}
	switch err := set.perform(q); {
	case err == nil:
		if alter {
			ns.semUpdate(set, true)
		} else {
			set.otime = ns.now()
		}
		s.mu.Unlock()
		return nil
	case err != errBlock:
		s.mu.Unlock()
		return err
	}
	q.done = make(chan struct{})
	set.pending = append(set.pending, q)
	s.mu.Unlock()

	var expire <-chan struct{}
	if timeout >= 0 {
		tm := exo.NewTimer(timeout)
		defer tm.Stop()
		expire = tm.C
	}
	timedOut := false
	select {
	case <-q.done:
	case <-expire:
		timedOut = true
	case <-w.Dying():
	case <-w.Interrupted():
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if q.finished {
		return q.err
	}
	set.unlink(q)
	if timedOut {
		return abi.EAGAIN
	}
	return abi.EINTR
}

// undoOf is find_alloc_undo: u's adjustments on the set, made (all 0)
// on first use; the sem lock is held.
func (set *SemSet) undoOf(u *Undo) []int16 {
	if adj, ok := u.adj[set]; ok {
		return adj
	}
	adj := make([]int16, len(set.sems))
	u.adj[set] = adj
	set.undos[u] = true
	return adj
}

// perform is perform_atomic_semop_slow: the operations in order, each
// on the values the ones before it left, all undone at the first that
// must wait (errBlock, or EAGAIN with IPC_NOWAIT) or would go out of
// range (ERANGE). The sem lock is held.
func (set *SemSet) perform(q *semQueue) error {
	for i, op := range q.sops {
		cur := &set.sems[op.Num]
		v := cur.val
		if op.Op == 0 && v != 0 {
			return set.blocked(q, i)
		}
		v += int(op.Op)
		if v < 0 {
			return set.blocked(q, i)
		}
		if v > SemVMX {
			set.rollback(q, i)
			return abi.ERANGE
		}
		if op.Flg&SemUndo != 0 {
			adj := int(q.undo[op.Num]) - int(op.Op)
			if adj < -semAEM-1 || adj > semAEM {
				set.rollback(q, i)
				return abi.ERANGE
			}
			q.undo[op.Num] = int16(adj)
		}
		cur.val = v
	}
	for i := len(q.sops) - 1; i >= 0; i-- {
		set.sems[q.sops[i].Num].pid = q.pid
	}
	return nil
}

func (set *SemSet) blocked(q *semQueue, i int) error {
	q.blocking = i
	set.rollback(q, i)
	if q.sops[i].Flg&abi.IPC_NOWAIT != 0 {
		return abi.EAGAIN
	}
	return errBlock
}

// rollback undoes the operations before the i'th.
func (set *SemSet) rollback(q *semQueue, i int) {
	for j := i - 1; j >= 0; j-- {
		op := q.sops[j]
		set.sems[op.Num].val -= int(op.Op)
		if op.Flg&SemUndo != 0 {
			q.undo[op.Num] += op.Op
		}
	}
}

func (set *SemSet) unlink(q *semQueue) {
	if i := slices.Index(set.pending, q); i >= 0 {
		set.pending = slices.Delete(set.pending, i, i+1)
	}
}

// finish wakes a sleeper with its result (wake_up_sem_queue_prepare).
func (q *semQueue) finish(err error) {
	q.err, q.finished = err, true
	close(q.done)
}

// semUpdate is do_smart_update after the values changed: sleeping
// operations that can now complete do, and sem_otime is set if any did
// (or otime asks for it anyway); the sem lock is held.
func (ns *NS) semUpdate(set *SemSet, otime bool) {
	if set.wake() || otime {
		set.otime = ns.now()
	}
}

// wake completes what can be completed, as update_queue and
// wake_const_ops do: the waits for zero first, then the oldest
// operation that changes values and can go, after which the waits for
// zero are looked at again and the scan starts over; it reports whether
// any completed.
func (set *SemSet) wake() bool {
	completed := set.wakeConst()
	for {
		again := false
		for _, q := range slices.Clone(set.pending) {
			if !q.alter || q.finished {
				continue
			}
			err := set.perform(q)
			if err == errBlock {
				continue
			}
			set.unlink(q)
			q.finish(err)
			if err == nil {
				completed = true
				set.wakeConst()
				again = true
				break
			}
		}
		if !again {
			return completed
		}
	}
}

// wakeConst completes the waits for zero that can (wake_const_ops).
func (set *SemSet) wakeConst() bool {
	completed := false
	for _, q := range slices.Clone(set.pending) {
		if q.alter || q.finished {
			continue
		}
		if err := set.perform(q); err != errBlock {
			set.unlink(q)
			q.finish(err)
			completed = completed || err == nil
		}
	}
	return completed
}

// count is count_semcnt: the sleepers whose blocking operation is on
// semaphore num and decrements it (GETNCNT) or waits for zero (GETZCNT).
func (set *SemSet) count(num int, zero bool) int {
	n := 0
	for _, q := range set.pending {
		op := q.sops[q.blocking]
		if int(op.Num) == num && (zero && op.Op == 0 || !zero && op.Op < 0) {
			n++
		}
	}
	return n
}

// SemDS is struct semid64_ds's contents.
type SemDS struct {
	Perm
	Otime, Ctime int64
	NSems        int
}

// SemStat is semctl_stat: IPC_STAT of an ID (returning 0), SEM_STAT and
// SEM_STAT_ANY of a slot index (returning the ID), read permission
// needed but for SEM_STAT_ANY.
func (ns *NS) SemStat(c *Caller, id, cmd int) (SemDS, int, error) {
	s := &ns.sem
	s.mu.Lock()
	defer s.mu.Unlock()
	var set *SemSet
	var err error
	if cmd == abi.IPC_STAT {
		set, err = s.ids.lookup(id)
	} else {
		set, err = s.ids.atIndex(id)
	}
	if err != nil {
		return SemDS{}, 0, err
	}
	if cmd != SemStatAny && c.denied(&set.Perm, accRead) {
		return SemDS{}, 0, abi.EACCES
	}
	ds := SemDS{Perm: set.Perm, Otime: set.otime, Ctime: set.ctime, NSems: len(set.sems)}
	if cmd == abi.IPC_STAT {
		return ds, 0, nil
	}
	return ds, set.ID, nil
}

// SemLimits is struct seminfo.
type SemLimits struct {
	Map, MNI, MNS, MNU, MSL, OPM, UME, USZ, VMX, AEM int32
}

// SemIPCInfo is semctl_info: the limits, with for SEM_INFO the sets in
// use (semusz) and the semaphores in them (semaem), and the highest slot
// in use.
func (ns *NS) SemIPCInfo(cmd int) (SemLimits, int) {
	s := &ns.sem
	s.mu.Lock()
	defer s.mu.Unlock()
	l := SemLimits{Map: semMap, MNI: int32(ns.lim.SemMNI), MNS: int32(ns.lim.SemMNS), MNU: semMNU,
		MSL: int32(ns.lim.SemMSL), OPM: int32(ns.lim.SemOPM), UME: semUME, USZ: semUSZ, VMX: SemVMX, AEM: semAEM}
	if cmd == SemInfo {
		l.USZ, l.AEM = int32(s.ids.inUse), int32(s.used)
	}
	return l, s.ids.maxIndex()
}

// SemCtlNum is semctl_main's GETVAL, GETPID, GETNCNT and GETZCNT: the
// set (EINVAL), read access (EACCES), then the semaphore number
// (EINVAL).
func (ns *NS) SemCtlNum(c *Caller, id, num, cmd int) (int, error) {
	s := &ns.sem
	s.mu.Lock()
	defer s.mu.Unlock()
	set, err := s.ids.lookup(id)
	if err != nil {
		return 0, err
	}
	if c.denied(&set.Perm, accRead) {
		return 0, abi.EACCES
	}
	if num < 0 || num >= len(set.sems) {
		return 0, abi.EINVAL
	}
	switch cmd {
	case GetVal:
		return set.sems[num].val, nil
	case GetPID:
		return set.sems[num].pid, nil
	case GetNCnt:
		return set.count(num, false), nil
	case GetZCnt:
		return set.count(num, true), nil
	}
	return 0, abi.EINVAL
}

// SemGetAll is GETALL: every value, with read access.
func (ns *NS) SemGetAll(c *Caller, id int) ([]uint16, error) {
	s := &ns.sem
	s.mu.Lock()
	defer s.mu.Unlock()
	set, err := s.ids.lookup(id)
	if err != nil {
		return nil, err
	}
	if c.denied(&set.Perm, accRead) {
		return nil, abi.EACCES
	}
	vals := make([]uint16, len(set.sems))
	for i, sem := range set.sems {
		vals[i] = uint16(sem.val)
	}
	return vals, nil
}

// SemSetAll is SETALL: write access (EACCES), then read(nsems) gives the
// values (its error, EFAULT, as it is), ERANGE if one is above SEMVMX,
// EIDRM if the set went meanwhile; every adjustment on the set is
// cleared and sleepers that can now go do.
func (ns *NS) SemSetAll(c *Caller, id int, read func(n int) ([]uint16, error)) error {
	s := &ns.sem
	s.mu.Lock()
	set, err := s.ids.lookup(id)
	if err == nil && c.denied(&set.Perm, accWrite) {
		err = abi.EACCES
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	vals, err := read(len(set.sems))
	if err != nil {
		return err
	}
	for _, v := range vals {
		if v > SemVMX {
			return abi.ERANGE
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if set.deleted {
		return abi.EIDRM
	}
	for i, v := range vals {
		set.sems[i] = semaphore{val: int(v), pid: c.PID}
	}
	for u := range set.undos {
		clear(u.adj[set])
	}
	set.ctime = ns.now()
	ns.semUpdate(set, false)
	return nil
}

// SemSetVal is semctl_setval: ERANGE for a value outside 0..SEMVMX
// before anything, the set (EINVAL), the number (EINVAL), write access
// (EACCES); every adjustment of that semaphore is cleared.
func (ns *NS) SemSetVal(c *Caller, id, num, val int) error {
	if val < 0 || val > SemVMX {
		return abi.ERANGE
	}
	s := &ns.sem
	s.mu.Lock()
	defer s.mu.Unlock()
	set, err := s.ids.lookup(id)
	if err != nil {
		return err
	}
	if num < 0 || num >= len(set.sems) {
		return abi.EINVAL
	}
	if c.denied(&set.Perm, accWrite) {
		return abi.EACCES
	}
	for u := range set.undos {
		u.adj[set][num] = 0
	}
	set.sems[num] = semaphore{val: val, pid: c.PID}
	set.ctime = ns.now()
	ns.semUpdate(set, false)
	return nil
}

// SemSet is semctl_down's IPC_SET.
func (ns *NS) SemSet(c *Caller, id int, ps PermSet) error {
	s := &ns.sem
	s.mu.Lock()
	defer s.mu.Unlock()
	set, err := s.ids.lookup(id)
	if err != nil {
		return err
	}
	if err := c.ctlCheck(&set.Perm); err != nil {
		return err
	}
	if err := ps.update(&set.Perm); err != nil {
		return err
	}
	set.ctime = ns.now()
	return nil
}

// SemRemove is semctl_down's IPC_RMID (freeary): the adjustments on the
// set are dropped and every sleeper fails with EIDRM.
func (ns *NS) SemRemove(c *Caller, id int) error {
	s := &ns.sem
	s.mu.Lock()
	defer s.mu.Unlock()
	set, err := s.ids.lookup(id)
	if err != nil {
		return err
	}
	if err := c.ctlCheck(&set.Perm); err != nil {
		return err
	}
	for u := range set.undos {
		delete(u.adj, set)
	}
	set.undos = nil
	for _, q := range set.pending {
		q.finish(abi.EIDRM)
	}
	set.pending = nil
	s.ids.remove(set)
	s.used -= len(set.sems)
	return nil
}

// ExitSem is exit_sem: the adjustments of a process that exits are
// added to the values, each kept within 0..SEMVMX, with pid as the
// last to change them; sleepers that can now go do. u is empty after.
func (ns *NS) ExitSem(u *Undo, pid int) {
	s := &ns.sem
	s.mu.Lock()
	defer s.mu.Unlock()
	for set, adj := range u.adj {
		delete(u.adj, set)
		if set.deleted {
			continue
		}
		delete(set.undos, u)
		for i, a := range adj {
			if a == 0 {
				continue
			}
			set.sems[i] = semaphore{val: min(max(set.sems[i].val+int(a), 0), SemVMX), pid: pid}
		}
		ns.semUpdate(set, true)
	}
}
