package sysv

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

func TestKeys(t *testing.T) {
	ns, _ := newNS()
	a := must(ns.MsgGet(root, abi.IPC_PRIVATE, 0o600))
	b := must(ns.MsgGet(root, abi.IPC_PRIVATE, abi.IPC_CREAT|abi.IPC_EXCL|0o600))
	if a == b {
		t.Errorf("IPC_PRIVATE gave %d twice", a)
	}
	_, err := ns.MsgGet(root, 42, 0)
	wantErr(t, "msgget of a missing key", err, abi.ENOENT)
	k := must(ns.MsgGet(root, 42, abi.IPC_CREAT|0o600))
	if got := must(ns.MsgGet(root, 42, 0)); got != k {
		t.Errorf("msgget(42) = %d, want %d", got, k)
	}
	if got := must(ns.MsgGet(root, 42, abi.IPC_CREAT)); got != k {
		t.Errorf("msgget(42, IPC_CREAT) = %d, want %d", got, k)
	}
	_, err = ns.MsgGet(root, 42, abi.IPC_CREAT|abi.IPC_EXCL)
	wantErr(t, "IPC_EXCL", err, abi.EEXIST)
	ok(t, ns.MsgRemove(root, k))
	_, err = ns.MsgGet(root, 42, 0)
	wantErr(t, "msgget after IPC_RMID", err, abi.ENOENT)
	_, _, err = ns.MsgStat(root, k, abi.IPC_STAT)
	wantErr(t, "IPC_STAT after IPC_RMID", err, abi.EINVAL)
}

// TestIDs checks ipc_idr_alloc's numbering: slots are given cyclically
// below max(in_use*3/2, 64), and wrapping to a lower slot bumps the
// sequence, so an ID is not reused soon.
func TestIDs(t *testing.T) {
	ns, _ := newNS()
	var ids []int
	for i := 0; i < 3; i++ {
		ids = append(ids, must(ns.SemGet(root, abi.IPC_PRIVATE, 1, 0o600)))
	}
	if ids[0] != 0 || ids[1] != 1 || ids[2] != 2 {
		t.Errorf("first IDs %v, want 0 1 2", ids)
	}
	for _, id := range ids {
		ok(t, ns.SemRemove(root, id))
	}
	if id := must(ns.SemGet(root, abi.IPC_PRIVATE, 1, 0o600)); id != 3 {
		t.Errorf("after removal the next ID is %d, want 3 (cyclic)", id)
	}
	for i := 4; i < 64; i++ {
		id := must(ns.SemGet(root, abi.IPC_PRIVATE, 1, 0o600))
		ok(t, ns.SemRemove(root, id))
	}
	if id := must(ns.SemGet(root, abi.IPC_PRIVATE, 1, 0o600)); id != 1<<15 {
		t.Errorf("wrapped ID %d, want slot 0 of sequence 1 (%d)", id, 1<<15)
	}
	if _, _, err := ns.SemStat(root, 0, abi.IPC_STAT); err != abi.EINVAL {
		t.Errorf("an old sequence's ID: %v, want EINVAL", err)
	}
	if _, id, err := ns.SemStat(root, 0, SemStat); err != nil || id != 1<<15 {
		t.Errorf("SEM_STAT of slot 0 = %d, %v", id, err)
	}
	if _, max := ns.SemIPCInfo(SemInfo); max != 3 {
		t.Errorf("highest slot %d, want 3", max)
	}
}

func TestLimitsOnCount(t *testing.T) {
	lim := DefaultLimits
	lim.MsgMNI = 2
	ns := NewWithLimits(lim, nil)
	must(ns.MsgGet(root, abi.IPC_PRIVATE, 0))
	must(ns.MsgGet(root, abi.IPC_PRIVATE, 0))
	_, err := ns.MsgGet(root, abi.IPC_PRIVATE, 0)
	wantErr(t, "past msgmni", err, abi.ENOSPC)
}

func TestPermissions(t *testing.T) {
	ns, _ := newNS()
	id := must(ns.MsgGet(alice, 7, abi.IPC_CREAT|0o640))
	ds, _, err := ns.MsgStat(alice, id, abi.IPC_STAT)
	if err != nil || ds.UID != 1000 || ds.CUID != 1000 || ds.GID != 1000 || ds.CGID != 1000 || ds.Mode != 0o640 || ds.Key != 7 {
		t.Errorf("IPC_STAT %+v %v", ds.Perm, err)
	}
	// Bob is in Alice's group: read, not write.
	if _, err := ns.MsgGet(bob, 7, 0o400); err != nil {
		t.Errorf("group read: %v", err)
	}
	_, err = ns.MsgGet(bob, 7, 0o200)
	wantErr(t, "group write", err, abi.EACCES)
	err = ns.MsgSnd(newWaiter(), bob, id, 1, []byte("x"), abi.IPC_NOWAIT)
	wantErr(t, "group msgsnd", err, abi.EACCES)
	_, _, err = ns.MsgStat(eve, id, abi.IPC_STAT)
	wantErr(t, "other IPC_STAT", err, abi.EACCES)
	if _, _, err := ns.MsgStat(eve, 0, MsgStatAny); err != nil {
		t.Errorf("MSG_STAT_ANY needs no permission: %v", err)
	}
	if _, err := ns.MsgGet(eve, 7, 0); err != nil {
		t.Errorf("asking for nothing: %v", err)
	}
	if _, err := ns.MsgGet(root, 7, 0o666); err != nil {
		t.Errorf("root: %v", err)
	}
	wantErr(t, "IPC_RMID by another", ns.MsgRemove(bob, id), abi.EPERM)
	wantErr(t, "IPC_SET by another", ns.MsgSet(bob, id, PermSet{2000, 2000, 0o666}, 100), abi.EPERM)
	wantErr(t, "IPC_SET of uid -1", ns.MsgSet(alice, id, PermSet{noID, 1000, 0o666}, 100), abi.EINVAL)
	wantErr(t, "IPC_SET qbytes above msgmnb", ns.MsgSet(alice, id, PermSet{1000, 1000, 0o666}, 1<<20), abi.EPERM)
	// Giving it to Bob: the creator keeps control, and Bob gets it.
	ok(t, ns.MsgSet(alice, id, PermSet{2000, 2000, 0o600}, 100))
	ds, _, _ = ns.MsgStat(bob, id, abi.IPC_STAT)
	if ds.UID != 2000 || ds.CUID != 1000 || ds.QBytes != 100 || ds.Mode != 0o600 {
		t.Errorf("after IPC_SET %+v", ds)
	}
	if err := ns.MsgSnd(newWaiter(), alice, id, 1, []byte("x"), abi.IPC_NOWAIT); err != nil {
		t.Errorf("the creator's access: %v", err)
	}
	ok(t, ns.MsgRemove(alice, id))
}

func TestSysvName(t *testing.T) {
	if n := sysvName(0x1234abcd); n != "SYSV1234abcd" {
		t.Error(n)
	}
	if n := sysvName(-1); n != "SYSVffffffff" {
		t.Error(n)
	}
}
