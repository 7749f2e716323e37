package sysv

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

func TestMsgTypes(t *testing.T) {
	ns, clk := newNS()
	id := must(ns.MsgGet(root, abi.IPC_PRIVATE, 0o600))
	w := newWaiter()
	clk.t = 1234
	for _, m := range []struct {
		typ  int64
		text string
	}{{3, "c"}, {1, "a1"}, {2, "b"}, {1, "a2"}, {5, "e"}} {
		ok(t, ns.MsgSnd(w, alice.withRoot(), id, m.typ, []byte(m.text), 0))
	}
	ds, _, _ := ns.MsgStat(root, id, abi.IPC_STAT)
	if ds.QNum != 5 || ds.CBytes != 7 || ds.LSPID != alice.PID || ds.Stime != 1234 || ds.QBytes != 16384 {
		t.Errorf("IPC_STAT %+v", ds)
	}
	rcv := func(typ int64, flg int) (int64, string, error) {
		mt, text, err := ns.MsgRcv(w, root, id, 100, typ, flg)
		return mt, string(text), err
	}
	for _, c := range []struct {
		typ  int64
		flg  int
		want string
	}{
		{0, MsgCopy | abi.IPC_NOWAIT, "c"}, // position 0, left in place
		{3, MsgCopy | abi.IPC_NOWAIT, "a2"},
		{0, 0, "c"},
		{-2, 0, "a1"},        // the lowest type up to 2, the first of it
		{2, MsgExcept, "a2"}, // the first not of type 2
		{-100, 0, "b"},       // 2 is the lowest now
		{5, abi.IPC_NOWAIT, "e"},
	} {
		mt, text, err := rcv(c.typ, c.flg)
		if err != nil || text != c.want {
			t.Errorf("msgrcv(%d, %#o) = %d %q %v, want %q", c.typ, c.flg, mt, text, err, c.want)
		}
	}
	_, _, err := rcv(0, abi.IPC_NOWAIT)
	wantErr(t, "empty", err, abi.ENOMSG)
	_, _, err = rcv(0, MsgCopy|abi.IPC_NOWAIT)
	wantErr(t, "MSG_COPY of nothing", err, abi.ENOMSG)
	wantErr(t, "MSG_COPY without IPC_NOWAIT", MsgRcvCheck(id, 10, MsgCopy), abi.EINVAL)
	wantErr(t, "MSG_COPY with MSG_EXCEPT", MsgRcvCheck(id, 10, MsgCopy|MsgExcept|abi.IPC_NOWAIT), abi.EINVAL)
	ds, _, _ = ns.MsgStat(root, id, abi.IPC_STAT)
	if ds.QNum != 0 || ds.CBytes != 0 || ds.LRPID != root.PID {
		t.Errorf("IPC_STAT after %+v", ds)
	}
}

// withRoot is the caller with root's identity (a privileged process).
func (c *Caller) withRoot() *Caller { return &Caller{PID: c.PID} }

func TestMsgSizes(t *testing.T) {
	ns, _ := newNS()
	id := must(ns.MsgGet(root, abi.IPC_PRIVATE, 0o600))
	w := newWaiter()
	wantErr(t, "type 0", ns.MsgSnd(w, root, id, 0, nil, 0), abi.EINVAL)
	wantErr(t, "past msgmax", ns.MsgSnd(w, root, id, 1, make([]byte, 8193), 0), abi.EINVAL)
	ok(t, ns.MsgSnd(w, root, id, 1, make([]byte, 8192), 0))
	ok(t, ns.MsgSnd(w, root, id, 2, []byte("hello"), 0))
	_, _, err := ns.MsgRcv(w, root, id, 3, 2, 0)
	wantErr(t, "too long", err, abi.E2BIG)
	_, _, err = ns.MsgRcv(w, root, id, 3, 1, MsgCopy|MsgNoError|abi.IPC_NOWAIT)
	wantErr(t, "MSG_COPY too long", err, abi.EINVAL)
	if mt, text, err := ns.MsgRcv(w, root, id, 3, 2, MsgNoError); err != nil || mt != 2 || string(text) != "hello" {
		t.Errorf("MSG_NOERROR: %d %q %v (the caller cuts it)", mt, text, err)
	}
	// The queue holds msgmnb bytes: 8192 and 8192 fit, one more byte not.
	ok(t, ns.MsgSnd(w, root, id, 1, make([]byte, 8192), 0))
	wantErr(t, "full", ns.MsgSnd(w, root, id, 1, []byte{1}, abi.IPC_NOWAIT), abi.EAGAIN)
	l, _ := ns.MsgIPCInfo(MsgInfo)
	if l.Pool != 1 || l.Map != 2 || l.TQL != 16384 {
		t.Errorf("MSG_INFO %+v", l)
	}
	l, _ = ns.MsgIPCInfo(IPCInfo)
	if l.Pool != msgPool || l.Max != 8192 || l.MNB != 16384 || l.Seg != 0xffff {
		t.Errorf("IPC_INFO %+v", l)
	}
	// A sender sleeps until a receive makes room.
	snd := result(func() error { return ns.MsgSnd(newWaiter(), root, id, 7, []byte("late"), 0) })
	if !asleep(snd) {
		t.Fatal("a send to a full queue did not wait")
	}
	ok(t, func() error { _, _, err := ns.MsgRcv(w, root, id, 8192, 1, 0); return err }())
	wantErr(t, "the woken sender", recv(t, snd), nil)
	if _, text, err := ns.MsgRcv(w, root, id, 100, 7, 0); err != nil || string(text) != "late" {
		t.Errorf("late message %q %v", text, err)
	}
	// A smaller msg_qbytes counts messages too: 2 bytes hold at most 2.
	ok(t, ns.MsgSet(root, id, PermSet{0, 0, 0o600}, 2))
	_, _, _ = ns.MsgRcv(w, root, id, 8192, 0, abi.IPC_NOWAIT)
	ok(t, ns.MsgSnd(w, root, id, 1, nil, 0))
	ok(t, ns.MsgSnd(w, root, id, 1, nil, 0))
	wantErr(t, "a third empty message", ns.MsgSnd(w, root, id, 1, nil, abi.IPC_NOWAIT), abi.EAGAIN)
}

func TestMsgReceivers(t *testing.T) {
	ns, _ := newNS()
	id := must(ns.MsgGet(root, abi.IPC_PRIVATE, 0o600))
	w := newWaiter()
	type got struct {
		typ  int64
		text string
		err  error
	}
	recvAsync := func(size, typ int64, flg int) <-chan got {
		ch := make(chan got, 1)
		go func() {
			mt, text, err := ns.MsgRcv(newWaiter(), root, id, size, typ, flg)
			ch <- got{mt, string(text), err}
		}()
		return ch
	}
	small := recvAsync(2, 4, 0)
	waitUntil(t, "a receiver sleeps", func() bool {
		ns.msg.mu.Lock()
		defer ns.msg.mu.Unlock()
		return len(ns.msg.ids.byIdx[0].receivers) == 1
	})
	big := recvAsync(100, 4, 0)
	waitUntil(t, "two receivers sleep", func() bool {
		ns.msg.mu.Lock()
		defer ns.msg.mu.Unlock()
		return len(ns.msg.ids.byIdx[0].receivers) == 2
	})
	ok(t, ns.MsgSnd(w, root, id, 4, []byte("four"), 0))
	if g := <-small; g.err != abi.E2BIG {
		t.Errorf("the receiver with too small a buffer: %+v", g)
	}
	if g := <-big; g.err != nil || g.text != "four" {
		t.Errorf("the next receiver: %+v", g)
	}
	ds, _, _ := ns.MsgStat(root, id, abi.IPC_STAT)
	if ds.QNum != 0 {
		t.Errorf("a handed-over message was queued: %+v", ds)
	}
	// A signal, then removal.
	iw := newWaiter()
	ch := result(func() error { _, _, err := ns.MsgRcv(iw, root, id, 100, 9, 0); return err })
	if !asleep(ch) {
		t.Fatal("msgrcv of nothing did not wait")
	}
	iw.interrupt()
	wantErr(t, "interrupted", recv(t, ch), abi.EINTR)
	rch := recvAsync(100, 9, 0)
	waitUntil(t, "a receiver sleeps", func() bool {
		ns.msg.mu.Lock()
		defer ns.msg.mu.Unlock()
		return len(ns.msg.ids.byIdx[0].receivers) == 1
	})
	ok(t, ns.MsgSet(root, id, PermSet{0, 0, 0o600}, 1))
	ok(t, ns.MsgSnd(w, root, id, 1, []byte("x"), 0))
	sch := result(func() error { return ns.MsgSnd(newWaiter(), root, id, 1, []byte("y"), 0) })
	if !asleep(sch) {
		t.Fatal("msgsnd to a full queue did not wait")
	}
	ok(t, ns.MsgRemove(root, id))
	if g := <-rch; g.err != abi.EIDRM {
		t.Errorf("receiver at IPC_RMID: %+v", g)
	}
	wantErr(t, "sender at IPC_RMID", recv(t, sch), abi.EIDRM)
	if l, _ := ns.MsgIPCInfo(MsgInfo); l.Pool != 0 || l.Map != 0 || l.TQL != 0 {
		t.Errorf("MSG_INFO after removal %+v", l)
	}
}

// TestMsgSetWakesReceivers: IPC_SET makes sleeping receivers look again,
// and one the new mode refuses fails with EACCES.
func TestMsgSetWakesReceivers(t *testing.T) {
	ns, _ := newNS()
	id := must(ns.MsgGet(alice, abi.IPC_PRIVATE, 0o666))
	ch := result(func() error { _, _, err := ns.MsgRcv(newWaiter(), bob, id, 100, 0, 0); return err })
	if !asleep(ch) {
		t.Fatal("did not sleep")
	}
	ok(t, ns.MsgSet(alice, id, PermSet{1000, 1000, 0o600}, 16384))
	wantErr(t, "refused after IPC_SET", recv(t, ch), abi.EACCES)
}
