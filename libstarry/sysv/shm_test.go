package sysv

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// backed gives ShmGet its memory and remembers it.
func backed(made *[]*mem) func(uint64, int, string) (Backing, error) {
	return func(size uint64, _ int, _ string) (Backing, error) {
		m := &mem{pages: int64(pagesOf(size))}
		*made = append(*made, m)
		return m, nil
	}
}

func TestShmGetSizes(t *testing.T) {
	ns, _ := newNS()
	var made []*mem
	get := func(key int32, size uint64, flg int) (int, error) {
		return ns.ShmGet(alice, key, size, flg, backed(&made))
	}
	_, err := get(abi.IPC_PRIVATE, 0, 0o600)
	wantErr(t, "size 0", err, abi.EINVAL)
	_, err = get(abi.IPC_PRIVATE, ^uint64(0), 0o600)
	wantErr(t, "size above shmmax", err, abi.EINVAL)
	id := must(get(5, 10000, abi.IPC_CREAT|0o600))
	if got := must(get(5, 0, 0)); got != id {
		t.Errorf("size 0 finds the segment: %d", got)
	}
	if got := must(get(5, 10000, 0)); got != id {
		t.Errorf("its own size: %d", got)
	}
	_, err = get(5, 10001, 0)
	wantErr(t, "larger than the segment", err, abi.EINVAL)
	_, err = ns.ShmGet(eve, 5, 10001, 0o600, backed(&made))
	wantErr(t, "the size is checked before the mode", err, abi.EINVAL)
	_, err = ns.ShmGet(eve, 5, 100, 0o600, backed(&made))
	wantErr(t, "then the mode", err, abi.EACCES)
	ds, _, err := ns.ShmStat(alice, id, abi.IPC_STAT)
	if err != nil || ds.Size != 10000 || ds.CPID != alice.PID || ds.Nattch != 0 || ds.Ctime != 1000 || ds.Key != 5 {
		t.Errorf("IPC_STAT %+v %v", ds, err)
	}
	u, _ := ns.ShmInfo()
	if u.UsedIDs != 1 || u.Tot != 3 || u.RSS != 3 {
		t.Errorf("SHM_INFO %+v", u)
	}
	lim := DefaultLimits
	lim.ShmAll = 4
	small := NewWithLimits(lim, nil)
	must(small.ShmGet(root, abi.IPC_PRIVATE, 3*4096, 0, backed(&made)))
	_, err = small.ShmGet(root, abi.IPC_PRIVATE, 4097, 0, backed(&made))
	wantErr(t, "past shmall", err, abi.ENOSPC)
}

func TestShmRemoveAttached(t *testing.T) {
	ns, clk := newNS()
	var made []*mem
	id := must(ns.ShmGet(alice, 9, 4096, abi.IPC_CREAT|0o600, backed(&made)))
	seg, err := ns.ShmAttachBegin(alice, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	clk.t = 2000
	ns.ShmOpen(seg, alice.PID) // the mapping's own
	ns.ShmAttachEnd(seg)
	ds, _, _ := ns.ShmStat(alice, id, abi.IPC_STAT)
	if ds.Nattch != 1 || ds.Atime != 2000 || ds.LPID != alice.PID {
		t.Errorf("after shmat %+v", ds)
	}
	_, err = ns.ShmAttachBegin(eve, id, abi.SHM_RDONLY)
	wantErr(t, "shmat without read access", err, abi.EACCES)
	wantErr(t, "IPC_RMID by another", ns.ShmRemove(eve, id), abi.EPERM)
	ok(t, ns.ShmRemove(alice, id))
	ds, _, err = ns.ShmStat(alice, id, abi.IPC_STAT)
	if err != nil || ds.Mode&ShmDest == 0 || ds.Key != abi.IPC_PRIVATE || made[0].closed != 0 {
		t.Errorf("removed while attached: %+v %v", ds, err)
	}
	if _, err := ns.ShmGet(alice, 9, 0, 0, backed(&made)); err != abi.ENOENT {
		t.Errorf("its key still finds it: %v", err)
	}
	again := must(ns.ShmGet(alice, 9, 4096, abi.IPC_CREAT|abi.IPC_EXCL|0o600, backed(&made)))
	if again == id {
		t.Error("the new segment has the old ID")
	}
	// A removed segment can still be attached (Linux allows it) until it goes.
	seg2, err := ns.ShmAttachBegin(alice, id, 0)
	if err != nil {
		t.Fatalf("shmat of a removed segment: %v", err)
	}
	ns.ShmOpen(seg2, alice.PID)
	ns.ShmAttachEnd(seg2)
	ns.ShmClose(seg, alice.PID)
	if made[0].closed != 0 {
		t.Error("destroyed with an attach left")
	}
	ns.ShmClose(seg2, alice.PID)
	if made[0].closed != 1 {
		t.Errorf("closed %d times at the last detach", made[0].closed)
	}
	if _, _, err := ns.ShmStat(alice, id, abi.IPC_STAT); err != abi.EINVAL {
		t.Errorf("IPC_STAT after destruction: %v", err)
	}
	u, _ := ns.ShmInfo()
	if u.UsedIDs != 1 || u.Tot != 1 {
		t.Errorf("SHM_INFO %+v", u)
	}
	ok(t, ns.ShmRemove(alice, again))
	if made[1].closed != 1 {
		t.Error("an unattached segment is destroyed at IPC_RMID")
	}
}

func TestShmRemovedDuringAttach(t *testing.T) {
	ns, _ := newNS()
	var made []*mem
	id := must(ns.ShmGet(root, abi.IPC_PRIVATE, 4096, 0o600, backed(&made)))
	seg := must(ns.ShmAttachBegin(root, id, 0))
	ok(t, ns.ShmRemove(root, id))
	if made[0].closed != 0 {
		t.Fatal("destroyed while shmat maps it")
	}
	ns.ShmAttachEnd(seg) // the mapping failed
	if made[0].closed != 1 {
		t.Error("not destroyed when the failed shmat let go")
	}
}

func TestShmLockAndSet(t *testing.T) {
	ns, _ := newNS()
	var made []*mem
	id := must(ns.ShmGet(alice, abi.IPC_PRIVATE, 4096, 0o600, backed(&made)))
	wantErr(t, "SHM_LOCK by another", ns.ShmLockCmd(eve, id, ShmLock, 1<<20), abi.EPERM)
	wantErr(t, "SHM_LOCK with no RLIMIT_MEMLOCK", ns.ShmLockCmd(alice, id, ShmLock, 0), abi.EPERM)
	ok(t, ns.ShmLockCmd(alice, id, ShmLock, 1<<16))
	ds, _, _ := ns.ShmStat(alice, id, abi.IPC_STAT)
	if ds.Mode != ShmLocked|0o600 {
		t.Errorf("mode %o", ds.Mode)
	}
	ok(t, ns.ShmSet(alice, id, PermSet{UID: 3000, GID: 3000, Mode: 0o7755}))
	ds, _, _ = ns.ShmStat(alice, id, abi.IPC_STAT)
	if ds.Mode != ShmLocked|0o755 || ds.UID != 3000 || ds.CUID != 1000 {
		t.Errorf("after IPC_SET %+v", ds.Perm)
	}
	ok(t, ns.ShmRemove(eve, id)) // the new owner may
}
