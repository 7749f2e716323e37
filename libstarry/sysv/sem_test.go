package sysv

import (
	"sync"
	"testing"
	"time"

	"github.com/starry-go/starry/personality/linux/abi"
)

func noUndo() *Undo { panic("no SEM_UNDO here") }

func op(num uint16, o int16, flg int16) SemBuf { return SemBuf{Num: num, Op: o, Flg: flg} }

func vals(t *testing.T, ns *NS, id int) []uint16 {
	t.Helper()
	return must(ns.SemGetAll(root, id))
}

func TestSemGet(t *testing.T) {
	ns, _ := newNS()
	_, err := ns.SemGet(root, abi.IPC_PRIVATE, 0, 0o600)
	wantErr(t, "no semaphores", err, abi.EINVAL)
	_, err = ns.SemGet(root, abi.IPC_PRIVATE, 32001, 0o600)
	wantErr(t, "past semmsl", err, abi.EINVAL)
	id := must(ns.SemGet(root, 4, 3, abi.IPC_CREAT|0o600))
	must(ns.SemGet(root, abi.IPC_PRIVATE, 1, 0o600))
	if got := must(ns.SemGet(root, 4, 0, 0)); got != id {
		t.Errorf("nsems 0 finds it: %d", got)
	}
	_, err = ns.SemGet(root, 4, 4, 0)
	wantErr(t, "more semaphores than the set", err, abi.EINVAL)
	ds, _, _ := ns.SemStat(root, id, abi.IPC_STAT)
	if ds.NSems != 3 || ds.Otime != 0 || ds.Ctime != 1000 {
		t.Errorf("IPC_STAT %+v", ds)
	}
	l, _ := ns.SemIPCInfo(SemInfo)
	if l.USZ != 2 || l.AEM != 4 || l.VMX != SemVMX {
		t.Errorf("SEM_INFO %+v", l)
	}
	l, _ = ns.SemIPCInfo(abi.IPC_STAT) // IPC_INFO's numbers
	if l.USZ != semUSZ || l.AEM != semAEM || l.MSL != 32000 {
		t.Errorf("IPC_INFO %+v", l)
	}
}

func TestSemOpImmediate(t *testing.T) {
	ns, clk := newNS()
	id := must(ns.SemGet(root, abi.IPC_PRIVATE, 2, 0o600))
	w := newWaiter()
	sem := func(sops ...SemBuf) error { return ns.SemOp(w, alice, noUndo, id, sops, -1) }
	wantErr(t, "no access", sem(op(0, 1, 0)), abi.EACCES)
	ok(t, ns.SemSet(root, id, PermSet{UID: 1000, GID: 1000, Mode: 0o600}))
	wantErr(t, "no operations", sem(), abi.EINVAL)
	wantErr(t, "past the set", sem(op(2, 1, 0)), abi.EFBIG)
	wantErr(t, "past SEMVMX", sem(op(0, 32767, 0), op(0, 1, 0)), abi.ERANGE)
	if v := vals(t, ns, id); v[0] != 0 {
		t.Errorf("a failed semop changed the set: %v", v)
	}
	many := make([]SemBuf, 501)
	wantErr(t, "past semopm", sem(many...), abi.E2BIG)
	clk.t = 1500
	ok(t, sem(op(0, 2, 0), op(1, 1, 0)))
	wantErr(t, "all or nothing", sem(op(0, -1, 0), op(1, -2, abi.IPC_NOWAIT)), abi.EAGAIN)
	if v := vals(t, ns, id); v[0] != 2 || v[1] != 1 {
		t.Errorf("values %v, want 2 1", v)
	}
	// The same semaphore twice: each operation sees the one before it.
	ok(t, sem(op(0, -2, 0), op(0, 3, 0), op(0, -3, 0)))
	if v := vals(t, ns, id); v[0] != 0 {
		t.Errorf("value %v, want 0", v)
	}
	wantErr(t, "wait for zero, not zero", sem(op(1, 0, abi.IPC_NOWAIT)), abi.EAGAIN)
	ok(t, sem(op(0, 0, 0)))
	ds, _, _ := ns.SemStat(root, id, abi.IPC_STAT)
	if ds.Otime != 1500 {
		t.Errorf("otime %d", ds.Otime)
	}
	if pid := must(ns.SemCtlNum(root, id, 0, GetPID)); pid != alice.PID {
		t.Errorf("GETPID %d", pid)
	}
	wantErr(t, "SETVAL past SEMVMX", ns.SemSetVal(root, -1, 0, 32768), abi.ERANGE)
	wantErr(t, "SETVAL of a bad number", ns.SemSetVal(root, id, 2, 1), abi.EINVAL)
	_, err := ns.SemCtlNum(root, id, 2, GetVal)
	wantErr(t, "GETVAL of a bad number", err, abi.EINVAL)
	wantErr(t, "SETALL past SEMVMX", ns.SemSetAll(root, id, func(n int) ([]uint16, error) { return []uint16{1, 40000}, nil }), abi.ERANGE)
	ok(t, ns.SemSetAll(root, id, func(n int) ([]uint16, error) { return []uint16{7, 8}, nil }))
	if v := vals(t, ns, id); v[0] != 7 || v[1] != 8 {
		t.Errorf("after SETALL %v", v)
	}
}

func TestSemBlocking(t *testing.T) {
	ns, _ := newNS()
	id := must(ns.SemGet(root, abi.IPC_PRIVATE, 2, 0o600))
	ok(t, ns.SemSetVal(root, id, 1, 1))
	dec := result(func() error { return ns.SemOp(newWaiter(), root, noUndo, id, []SemBuf{op(0, -2, 0)}, -1) })
	zero := result(func() error { return ns.SemOp(newWaiter(), root, noUndo, id, []SemBuf{op(1, 0, 0)}, -1) })
	waitUntil(t, "both sleep", func() bool {
		n, _ := ns.SemCtlNum(root, id, 0, GetNCnt)
		z, _ := ns.SemCtlNum(root, id, 1, GetZCnt)
		return n == 1 && z == 1
	})
	ok(t, ns.SemOp(newWaiter(), root, noUndo, id, []SemBuf{op(0, 1, 0)}, -1))
	if !asleep(dec) {
		t.Fatal("1 satisfied a decrement by 2")
	}
	// One semop gives sem 0 its second unit and takes sem 1's: both go.
	ok(t, ns.SemOp(newWaiter(), root, noUndo, id, []SemBuf{op(0, 1, 0), op(1, -1, 0)}, -1))
	wantErr(t, "the decrement", recv(t, dec), nil)
	wantErr(t, "the wait for zero", recv(t, zero), nil)
	if v := vals(t, ns, id); v[0] != 0 || v[1] != 0 {
		t.Errorf("values %v", v)
	}
	if n, _ := ns.SemCtlNum(root, id, 0, GetNCnt); n != 0 {
		t.Errorf("GETNCNT %d after the wake", n)
	}
}

// TestSemZeroFirst: waits for zero are looked at before the operations
// that change values, so one that can go when a value reaches 0 does,
// even if an older sleeper would make it non-zero again (as
// do_smart_update).
func TestSemZeroFirst(t *testing.T) {
	ns, _ := newNS()
	id := must(ns.SemGet(root, abi.IPC_PRIVATE, 2, 0o600))
	ok(t, ns.SemSetVal(root, id, 0, 1))
	up := result(func() error {
		return ns.SemOp(newWaiter(), root, noUndo, id, []SemBuf{op(0, 1, 0), op(1, -1, 0)}, -1)
	})
	waitUntil(t, "the complex op sleeps", func() bool { n, _ := ns.SemCtlNum(root, id, 1, GetNCnt); return n == 1 })
	zero := result(func() error { return ns.SemOp(newWaiter(), root, noUndo, id, []SemBuf{op(0, 0, 0)}, -1) })
	waitUntil(t, "the zero wait sleeps", func() bool { n, _ := ns.SemCtlNum(root, id, 0, GetZCnt); return n == 1 })
	ok(t, ns.SemOp(newWaiter(), root, noUndo, id, []SemBuf{op(0, -1, 0), op(1, 1, 0)}, -1))
	wantErr(t, "zero", recv(t, zero), nil)
	wantErr(t, "up", recv(t, up), nil)
}

func TestSemInterruptTimeoutRemove(t *testing.T) {
	ns, _ := newNS()
	id := must(ns.SemGet(root, abi.IPC_PRIVATE, 1, 0o600))
	w := newWaiter()
	ch := result(func() error { return ns.SemOp(w, root, noUndo, id, []SemBuf{op(0, -1, 0)}, -1) })
	waitUntil(t, "it sleeps", func() bool { n, _ := ns.SemCtlNum(root, id, 0, GetNCnt); return n == 1 })
	w.interrupt()
	wantErr(t, "a signal", recv(t, ch), abi.EINTR)
	if n, _ := ns.SemCtlNum(root, id, 0, GetNCnt); n != 0 {
		t.Errorf("GETNCNT %d after EINTR", n)
	}
	start := time.Now()
	err := ns.SemOp(newWaiter(), root, noUndo, id, []SemBuf{op(0, -1, 0)}, 30*time.Millisecond)
	wantErr(t, "timeout", err, abi.EAGAIN)
	if time.Since(start) < 30*time.Millisecond {
		t.Error("timed out early")
	}
	ch = result(func() error { return ns.SemOp(newWaiter(), root, noUndo, id, []SemBuf{op(0, -1, 0)}, -1) })
	waitUntil(t, "it sleeps", func() bool { n, _ := ns.SemCtlNum(root, id, 0, GetNCnt); return n == 1 })
	ok(t, ns.SemRemove(root, id))
	wantErr(t, "IPC_RMID", recv(t, ch), abi.EIDRM)
	wantErr(t, "after IPC_RMID", ns.SemOp(newWaiter(), root, noUndo, id, []SemBuf{op(0, 1, 0)}, -1), abi.EINVAL)
}

func TestSemUndo(t *testing.T) {
	ns, _ := newNS()
	id := must(ns.SemGet(alice, abi.IPC_PRIVATE, 2, 0o600))
	ok(t, ns.SemSetVal(root, id, 0, 5))
	u := NewUndo()
	undo := func() *Undo { return u }
	w := newWaiter()
	ok(t, ns.SemOp(w, alice, undo, id, []SemBuf{op(0, -2, SemUndo), op(1, 3, SemUndo)}, -1))
	if v := vals(t, ns, id); v[0] != 3 || v[1] != 3 {
		t.Fatalf("values %v", v)
	}
	// Someone else takes sem 1 down to 1: the undo of +3 stops at 0.
	ok(t, ns.SemOp(w, root, noUndo, id, []SemBuf{op(1, -2, 0)}, -1))
	ns.ExitSem(u, alice.PID)
	if v := vals(t, ns, id); v[0] != 5 || v[1] != 0 {
		t.Errorf("after exit %v, want 5 0", v)
	}
	if pid := must(ns.SemCtlNum(root, id, 1, GetPID)); pid != alice.PID {
		t.Errorf("GETPID after exit %d", pid)
	}
	// SETVAL clears the adjustments on its semaphore.
	ok(t, ns.SemOp(w, alice, undo, id, []SemBuf{op(0, 1, SemUndo), op(1, 1, SemUndo)}, -1))
	ok(t, ns.SemSetVal(root, id, 0, 10))
	ns.ExitSem(u, alice.PID)
	if v := vals(t, ns, id); v[0] != 10 || v[1] != 0 {
		t.Errorf("after SETVAL and exit %v, want 10 0", v)
	}
	// The adjustment has a range of its own.
	ok(t, ns.SemSetVal(root, id, 0, SemVMX))
	ok(t, ns.SemOp(w, alice, undo, id, []SemBuf{op(0, -SemVMX, SemUndo)}, -1))
	wantErr(t, "past the undo range", ns.SemOp(w, alice, undo, id, []SemBuf{op(0, 2, 0), op(0, -2, SemUndo)}, -1), abi.ERANGE)
	if v := vals(t, ns, id); v[0] != 0 {
		t.Errorf("a failed semop changed the value: %v", v)
	}
	// An undo whose set went is dropped.
	ok(t, ns.SemRemove(root, id))
	ns.ExitSem(u, alice.PID)
	if len(u.adj) != 0 {
		t.Error("undo kept a removed set")
	}
	// A woken sleeper's adjustment is recorded too.
	id = must(ns.SemGet(alice, abi.IPC_PRIVATE, 1, 0o600))
	ch := result(func() error { return ns.SemOp(newWaiter(), alice, undo, id, []SemBuf{op(0, -1, SemUndo)}, -1) })
	waitUntil(t, "it sleeps", func() bool { n, _ := ns.SemCtlNum(root, id, 0, GetNCnt); return n == 1 })
	ok(t, ns.SemOp(w, root, noUndo, id, []SemBuf{op(0, 1, 0)}, -1))
	wantErr(t, "the sleeper", recv(t, ch), nil)
	ns.ExitSem(u, alice.PID)
	if v := vals(t, ns, id); v[0] != 1 {
		t.Errorf("after the sleeper's exit %v, want 1", v)
	}
}

// TestSemRace: semaphores as a mutex and as a counter under contention;
// run with -race.
func TestSemRace(t *testing.T) {
	ns, _ := newNS()
	id := must(ns.SemGet(root, abi.IPC_PRIVATE, 2, 0o600))
	ok(t, ns.SemSetVal(root, id, 0, 1))
	const workers, rounds = 8, 300
	var wg sync.WaitGroup
	shared := 0
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := &Caller{PID: 1000 + i}
			u := NewUndo()
			undo := func() *Undo { return u }
			for r := 0; r < rounds; r++ {
				if err := ns.SemOp(newWaiter(), c, undo, id, []SemBuf{op(0, -1, SemUndo), op(1, 1, 0)}, -1); err != nil {
					t.Error(err)
					return
				}
				shared++ // guarded by the semaphore
				if err := ns.SemOp(newWaiter(), c, undo, id, []SemBuf{op(0, 1, SemUndo)}, -1); err != nil {
					t.Error(err)
					return
				}
				if r%50 == 0 {
					_, _ = ns.SemCtlNum(c, id, 0, GetNCnt)
				}
			}
			ns.ExitSem(u, c.PID)
		}(i)
	}
	wg.Wait()
	if v := vals(t, ns, id); shared != workers*rounds || v[0] != 1 || int(v[1]) != workers*rounds%65536 {
		t.Errorf("shared %d, values %v", shared, v)
	}
}
