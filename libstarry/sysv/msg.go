package sysv

import (
	"math"
	"slices"

	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/personality/linux/abi"
)

// MsgQueue is one message queue (struct msg_queue).
type MsgQueue struct {
	Perm
	msgs                []*message
	cbytes, qbytes      uint64
	stime, rtime, ctime int64
	lspid, lrpid        int
	receivers           []*msgReceiver
	senders             []*msgSender
}

type message struct {
	typ  int64
	text []byte
}

// waker is a sleeper's wake-up, closed at most once.
type waker struct {
	ch    chan struct{}
	woken bool
}

func newWaker() waker { return waker{ch: make(chan struct{})} }

func (w *waker) wake() {
	if !w.woken {
		w.woken = true
		close(w.ch)
	}
}

// msgReceiver is one sleeping msgrcv (struct msg_receiver): a sender
// hands it a message, or an error, directly.
type msgReceiver struct {
	waker
	typ      int64
	mode     int
	maxSize  int64
	pid      int
	msg      *message
	err      error
	finished bool
}

// msgSender is one msgsnd sleeping for room (struct msg_sender).
type msgSender struct {
	waker
	size int
}

// The ways msgrcv picks a message (SEARCH_*).
const (
	searchAny = iota + 1
	searchEqual
	searchNotEqual
	searchLessEqual
	searchNumber
)

// Constants Linux reports in msginfo but does not tune.
const (
	msgPool = 32000 * 16384 / 1024 // MSGPOOL
	msgMap  = 16384                // MSGMAP = MSGMNB
	msgTQL  = 16384                // MSGTQL = MSGMNB
)

// MsgGet is ksys_msgget (newque): a new queue holds msgmnb bytes.
func (ns *NS) MsgGet(c *Caller, key int32, flg int) (int, error) {
	s := &ns.msg
	s.mu.Lock()
	defer s.mu.Unlock()
	create := func() (int, error) {
		q := &MsgQueue{Perm: Perm{Key: key, Mode: uint32(flg) & 0o777}, qbytes: uint64(ns.lim.MsgMNB), ctime: ns.now()}
		return s.ids.add(q, ns.lim.MsgMNI, c)
	}
	return ipcget(&s.ids, c, key, flg, create, nil)
}

// MsgSndCheck is do_msgsnd's first checks: EINVAL for a size above
// msgmax or negative, a negative ID, or a type below 1.
func (ns *NS) MsgSndCheck(id int, typ int64, size int64) error {
	if size > int64(ns.lim.MsgMax) || size < 0 || id < 0 || typ < 1 {
		return abi.EINVAL
	}
	return nil
}

// MsgSnd is do_msgsnd after the text is read: the queue (EINVAL), then,
// each time it looks, write access (EACCES) and the queue's existence
// (EIDRM); a message that does not fit (msg_qbytes bytes and as many
// messages) fails with IPC_NOWAIT (EAGAIN) or sleeps until it fits, the
// queue goes (EIDRM) or a signal comes (EINTR, restarted when no handler
// runs: ERESTARTNOHAND). A receiver waiting for the message gets it at
// once (pipelined_send).
func (ns *NS) MsgSnd(w fd.Waiter, c *Caller, id int, typ int64, text []byte, flg int) error {
	if err := ns.MsgSndCheck(id, typ, int64(len(text))); err != nil {
		return err
	}
	s := &ns.msg
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.ids.lookup(id)
	if err != nil {
		return err
	}
	for {
		if c.denied(&q.Perm, accWrite) {
			return abi.EACCES
		}
		if q.deleted {
			return abi.EIDRM
		}
		if q.fits(len(text)) {
			break
		}
		if flg&abi.IPC_NOWAIT != 0 {
			return abi.EAGAIN
		}
		snd := &msgSender{waker: newWaker(), size: len(text)}
		q.senders = append(q.senders, snd)
		s.mu.Unlock()
		select {
		case <-snd.ch:
		case <-w.Dying():
		case <-w.Interrupted():
		}
		s.mu.Lock()
		if q.deleted {
			return abi.EIDRM
		}
		if i := slices.Index(q.senders, snd); i >= 0 {
			q.senders = slices.Delete(q.senders, i, i+1)
		}
		if interrupted(w) {
			return abi.EINTR
		}
	}
	q.lspid, q.stime = c.PID, ns.now()
	m := &message{typ: typ, text: slices.Clone(text)}
	if !ns.pipelined(q, m) {
		q.msgs = append(q.msgs, m)
		q.cbytes += uint64(len(text))
		s.hdrs++
		s.bytes += len(text)
	}
	return nil
}

// interrupted is signal_pending (or the process's exit) after a wake.
func interrupted(w fd.Waiter) bool {
	select {
	case <-w.Interrupted():
		return true
	case <-w.Dying():
		return true
	default:
		return false
	}
}

// fits is msg_fits_inqueue.
func (q *MsgQueue) fits(size int) bool {
	return uint64(size)+q.cbytes <= q.qbytes && 1+uint64(len(q.msgs)) <= q.qbytes
}

// pipelined is pipelined_send: the first sleeping receiver the message
// matches takes it, or fails with E2BIG if it is too long for it (and
// the next one is tried); the msg lock is held.
func (ns *NS) pipelined(q *MsgQueue, m *message) bool {
	for _, r := range slices.Clone(q.receivers) {
		if !testmsg(m.typ, r.typ, r.mode) {
			continue
		}
		q.dropReceiver(r)
		r.finished = true
		if r.maxSize < int64(len(m.text)) {
			r.err = abi.E2BIG
			r.wake()
			continue
		}
		q.lrpid, q.rtime = r.pid, ns.now()
		r.msg = m
		r.wake()
		return true
	}
	return false
}

func (q *MsgQueue) dropReceiver(r *msgReceiver) {
	if i := slices.Index(q.receivers, r); i >= 0 {
		q.receivers = slices.Delete(q.receivers, i, i+1)
	}
}

// testmsg is testmsg: whether a message of type mtype is what a receiver
// asking for typ in mode wants.
func testmsg(mtype, typ int64, mode int) bool {
	switch mode {
	case searchAny, searchNumber:
		return true
	case searchLessEqual:
		return mtype <= typ
	case searchEqual:
		return mtype == typ
	case searchNotEqual:
		return mtype != typ
	}
	return false
}

// convertMode is convert_mode: MSG_COPY takes the typ'th message; 0 the
// first; a negative type the lowest type up to its absolute value; a
// positive one that type, or with MSG_EXCEPT any other.
func convertMode(typ int64, flg int) (int64, int) {
	switch {
	case flg&MsgCopy != 0:
		return typ, searchNumber
	case typ == 0:
		return typ, searchAny
	case typ < 0:
		if typ == math.MinInt64 {
			return math.MaxInt64, searchLessEqual
		}
		return -typ, searchLessEqual
	case flg&MsgExcept != 0:
		return typ, searchNotEqual
	}
	return typ, searchEqual
}

// find is find_msg: the index of the message wanted, or -1.
func (q *MsgQueue) find(typ int64, mode int) int {
	found := -1
	var count int64
	for i, m := range q.msgs {
		if !testmsg(m.typ, typ, mode) {
			continue
		}
		switch {
		case mode == searchLessEqual && m.typ != 1:
			typ, found = m.typ-1, i
		case mode == searchNumber:
			if typ == count {
				return i
			}
		default:
			return i
		}
		count++
	}
	return found
}

// MsgRcvCheck is do_msgrcv's first checks: EINVAL for a negative ID or
// size, and for MSG_COPY with MSG_EXCEPT or without IPC_NOWAIT.
func MsgRcvCheck(id int, size int64, flg int) error {
	switch {
	case id < 0 || size < 0:
		return abi.EINVAL
	case flg&MsgCopy != 0 && (flg&MsgExcept != 0 || flg&abi.IPC_NOWAIT == 0):
		return abi.EINVAL
	}
	return nil
}

// MsgRcv is do_msgrcv: the queue (EINVAL), then, each time it looks,
// read access (EACCES) and the queue's existence (EIDRM); a message
// longer than size is E2BIG unless MSG_NOERROR cuts it; with none
// wanted it fails with IPC_NOWAIT (ENOMSG) or sleeps until a sender
// hands it one, the queue goes (EIDRM) or a signal comes (EINTR; as for
// MsgSnd). MSG_COPY copies the message at position typ and leaves it
// (EINVAL if it is longer than min(size, msgmax)). It returns the
// message's type and text, not yet cut to size.
func (ns *NS) MsgRcv(w fd.Waiter, c *Caller, id int, size, typ int64, flg int) (int64, []byte, error) {
	if err := MsgRcvCheck(id, size, flg); err != nil {
		return 0, nil, err
	}
	want, mode := convertMode(typ, flg)
	s := &ns.msg
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.ids.lookup(id)
	if err != nil {
		return 0, nil, err
	}
	for {
		if c.denied(&q.Perm, accRead) {
			return 0, nil, abi.EACCES
		}
		if q.deleted {
			return 0, nil, abi.EIDRM
		}
		if i := q.find(want, mode); i >= 0 {
			m := q.msgs[i]
			if size < int64(len(m.text)) && flg&MsgNoError == 0 {
				return 0, nil, abi.E2BIG
			}
			if flg&MsgCopy != 0 {
				if int64(len(m.text)) > min(size, int64(ns.lim.MsgMax)) {
					return 0, nil, abi.EINVAL // copy_msg: the copy is too small
				}
				return m.typ, slices.Clone(m.text), nil
			}
			q.msgs = slices.Delete(q.msgs, i, i+1)
			q.rtime, q.lrpid = ns.now(), c.PID
			q.cbytes -= uint64(len(m.text))
			s.hdrs--
			s.bytes -= len(m.text)
			q.wakeSenders()
			return m.typ, m.text, nil
		}
		if flg&abi.IPC_NOWAIT != 0 {
			return 0, nil, abi.ENOMSG
		}
		r := &msgReceiver{waker: newWaker(), typ: want, mode: mode, maxSize: size, pid: c.PID}
		if flg&MsgNoError != 0 {
			r.maxSize = math.MaxInt32
		}
		q.receivers = append(q.receivers, r)
		s.mu.Unlock()
		select {
		case <-r.ch:
		case <-w.Dying():
		case <-w.Interrupted():
		}
		s.mu.Lock()
		if r.finished {
			if r.err != nil {
				return 0, nil, r.err
			}
			return r.msg.typ, r.msg.text, nil
		}
		q.dropReceiver(r)
		if interrupted(w) {
			return 0, nil, abi.EINTR
		}
	}
}

// wakeSenders is ss_wakeup: senders whose message fits now look again.
func (q *MsgQueue) wakeSenders() {
	for _, snd := range q.senders {
		if q.fits(snd.size) {
			snd.wake()
		}
	}
}

// MsgDS is struct msqid64_ds's contents.
type MsgDS struct {
	Perm
	Stime, Rtime, Ctime  int64
	CBytes, QNum, QBytes uint64
	LSPID, LRPID         int
}

// MsgStat is msgctl_stat: IPC_STAT of an ID (returning 0), MSG_STAT and
// MSG_STAT_ANY of a slot index (returning the ID), read permission
// needed but for MSG_STAT_ANY.
func (ns *NS) MsgStat(c *Caller, id, cmd int) (MsgDS, int, error) {
	s := &ns.msg
	s.mu.Lock()
	defer s.mu.Unlock()
	var q *MsgQueue
	var err error
	if cmd == abi.IPC_STAT {
		q, err = s.ids.lookup(id)
	} else {
		q, err = s.ids.atIndex(id)
	}
	if err != nil {
		return MsgDS{}, 0, err
	}
	if cmd != MsgStatAny && c.denied(&q.Perm, accRead) {
		return MsgDS{}, 0, abi.EACCES
	}
	ds := MsgDS{Perm: q.Perm, Stime: q.stime, Rtime: q.rtime, Ctime: q.ctime, CBytes: q.cbytes,
		QNum: uint64(len(q.msgs)), QBytes: q.qbytes, LSPID: q.lspid, LRPID: q.lrpid}
	if cmd == abi.IPC_STAT {
		return ds, 0, nil
	}
	return ds, q.ID, nil
}

// MsgLimits is struct msginfo.
type MsgLimits struct {
	Pool, Map, Max, MNB, MNI, SSZ, TQL int32
	Seg                                uint16
}

// MsgIPCInfo is msgctl_info: the limits, with for MSG_INFO the queues in
// use (msgpool), the messages (msgmap) and their bytes (msgtql), and
// the highest slot in use.
func (ns *NS) MsgIPCInfo(cmd int) (MsgLimits, int) {
	s := &ns.msg
	s.mu.Lock()
	defer s.mu.Unlock()
	l := MsgLimits{Pool: msgPool, Map: msgMap, Max: int32(ns.lim.MsgMax), MNB: int32(ns.lim.MsgMNB),
		MNI: int32(ns.lim.MsgMNI), SSZ: msgSSZ, TQL: msgTQL, Seg: msgSeg}
	if cmd == MsgInfo {
		l.Pool, l.Map, l.TQL = int32(s.ids.inUse), int32(min(s.hdrs, math.MaxInt32)), int32(min(s.bytes, math.MaxInt32))
	}
	return l, s.ids.maxIndex()
}

// MsgSet is msgctl_down's IPC_SET: the owner, creator or privilege
// (EPERM), EPERM for a msg_qbytes above msgmnb without privilege, the
// new owner and mode (EINVAL for an invalid ID) and size. Receivers look
// again (the mode may now refuse them) and senders that now fit go.
// qbytes is the int msgctl_down takes.
func (ns *NS) MsgSet(c *Caller, id int, ps PermSet, qbytes int32) error {
	s := &ns.msg
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.ids.lookup(id)
	if err != nil {
		return err
	}
	if err := c.ctlCheck(&q.Perm); err != nil {
		return err
	}
	if uint32(qbytes) > uint32(ns.lim.MsgMNB) && !c.privileged() {
		return abi.EPERM
	}
	if err := ps.update(&q.Perm); err != nil {
		return err
	}
	q.qbytes = uint64(int64(qbytes))
	q.ctime = ns.now()
	for _, r := range q.receivers {
		r.wake()
	}
	q.wakeSenders()
	return nil
}

// MsgRemove is msgctl_down's IPC_RMID (freeque): receivers fail with
// EIDRM, senders wake to find the queue gone, the messages are freed.
func (ns *NS) MsgRemove(c *Caller, id int) error {
	s := &ns.msg
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.ids.lookup(id)
	if err != nil {
		return err
	}
	if err := c.ctlCheck(&q.Perm); err != nil {
		return err
	}
	for _, r := range q.receivers {
		r.finished, r.err = true, abi.EIDRM
		r.wake()
	}
	q.receivers = nil
	for _, snd := range q.senders {
		snd.wake()
	}
	q.senders = nil
	s.ids.remove(q)
	s.hdrs -= len(q.msgs)
	s.bytes -= int(q.cbytes)
	q.msgs, q.cbytes = nil, 0
	return nil
}
