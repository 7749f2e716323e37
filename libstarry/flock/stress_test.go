package flock

import (
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/starry-go/starry/personality/linux/abi"
)

// TestStress has POSIX owners (two sharing one descriptor table, as
// threads do) wait for random ranges with F_SETLKW across three files,
// while OFD and flock owners, which have no deadlock detection, wait
// with a timeout (a signal); a checker watches that no two owners ever
// hold conflicting locks. Everything must be released at the end.
func TestStress(t *testing.T) {
	m := New()
	keys := []string{"ino0", "ino1", "ino2"}
	iters := 300
	if testing.Short() {
		iters = 60
	}
	var wg sync.WaitGroup
	var stop atomic.Bool
	var granted, deadlocks, interrupted atomic.Int64
	errs := make(chan string, 100)
	fail := func(format string, args ...any) {
		select {
		case errs <- fmt.Sprintf(format, args...):
		default:
		}
	}
	count := func(err error) {
		switch err {
		case nil:
			granted.Add(1)
		case abi.EDEADLK:
			deadlocks.Add(1)
		case abi.EINTR, abi.EAGAIN:
			interrupted.Add(1)
		default:
			fail("unexpected error %v", err)
		}
	}

	var posixOwners []*owner
	for g := 0; g < 7; g++ {
		posixOwners = append(posixOwners, &owner{fmt.Sprint("table", g)})
	}
	posixOwners = append(posixOwners, posixOwners[0]) // a second thread of table0
	for g, o := range posixOwners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(g)))
			files := []*File{m.Of(keys[0]), m.Of(keys[1]), m.Of(keys[2])}
			w := newWaiter()
			for i := 0; i < iters; i++ {
				f := files[r.Intn(len(files))]
				s := int64(r.Intn(32))
				e := s + int64(r.Intn(8))
				switch r.Intn(6) {
				case 0:
					f.RemoveOwner(o)
				case 1:
					must0(f.Set(lk(U, s, e, o), nil), fail)
				default:
					typ := []int16{R, W}[r.Intn(2)]
					err := f.Set(Lock{Type: typ, Start: s, End: e, Owner: o, Pid: g}, w)
					count(err)
					if err == nil && o != posixOwners[0] { // table0's other thread may unlock it meanwhile
						if c, ok := f.Test(Lock{Type: typ, Start: s, End: e, Owner: o}); ok && c.Owner != o {
							// Another owner may have come in only if compatible.
							if typ == W || c.Type == W {
								fail("granted %d [%d,%d] to %v but %+v conflicts", typ, s, e, o.name, c)
							}
						}
					}
				}
			}
			for _, f := range files {
				f.RemoveOwner(o)
			}
		}()
	}
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(100 + g)))
			o := &owner{fmt.Sprint("ofd", g)}
			for i := 0; i < iters; i++ {
				f := m.Of(keys[r.Intn(len(keys))])
				s := int64(r.Intn(32))
				e := s + int64(r.Intn(8))
				if r.Intn(4) == 0 {
					f.RemoveFile(o)
					continue
				}
				typ := []int16{R, W, U}[r.Intn(3)]
				count(f.Set(Lock{Type: typ, Start: s, End: e, Owner: o, OFD: true}, timedWaiter(time.Millisecond)))
			}
			for _, k := range keys {
				m.Lookup(k).RemoveFile(o)
			}
		}()
	}
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(200 + g)))
			o := &owner{fmt.Sprint("flock", g)}
			for i := 0; i < iters; i++ {
				f := m.Of(keys[r.Intn(len(keys))])
				op := []int{abi.LOCK_SH, abi.LOCK_EX, abi.LOCK_UN, abi.LOCK_EX | abi.LOCK_NB}[r.Intn(4)]
				count(f.Flock(o, op, timedWaiter(time.Millisecond)))
			}
			for _, k := range keys {
				m.Lookup(k).RemoveFile(o)
			}
		}()
	}
	var checker sync.WaitGroup
	checker.Add(1)
	go func() {
		defer checker.Done()
		for !stop.Load() {
			for _, k := range keys {
				g := m.Of(k).acquire()
				err := invariantErr(g.posix)
				for i, a := range g.flocks {
					for _, b := range g.flocks[i+1:] {
						if a.owner == b.owner || a.typ == W || b.typ == W {
							err = fmt.Sprintf("flocks conflict: %+v %+v", a, b)
						}
					}
				}
				g.release()
				if err != "" {
					fail("%s", err)
				}
			}
			time.Sleep(100 * time.Microsecond)
		}
	}()

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("stress test hung (undetected deadlock?)")
	}
	stop.Store(true)
	checker.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	t.Logf("granted %d, EDEADLK %d, EINTR/EAGAIN %d", granted.Load(), deadlocks.Load(), interrupted.Load())
	if n := m.Count(); n != 0 {
		t.Errorf("Count %d after every owner let go", n)
	}
	if len(m.files) != 0 || len(m.waiting) != 0 {
		t.Errorf("left %d files, graph %v", len(m.files), m.waiting)
	}
	if granted.Load() == 0 {
		t.Error("nothing granted")
	}
}

func must0(err error, fail func(string, ...any)) {
	if err != nil {
		fail("%v", err)
	}
}
