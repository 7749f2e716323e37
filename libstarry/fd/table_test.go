package fd

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// countFile counts its releases.
type countFile struct{ released int }

func (c *countFile) Read(Ctx, []byte) (int, error)  { return 0, nil }
func (c *countFile) Write(Ctx, []byte) (int, error) { return 0, nil }
func (c *countFile) Stat() Stat                     { return Stat{} }
func (c *countFile) Release()                       { c.released++ }

// TestReleaseOnLastClose: a description shared by dup, dup3, fork and a
// call in progress is released once, when the last of them lets go.
func TestReleaseOnLastClose(t *testing.T) {
	f := &countFile{}
	tab := NewTable()
	fd0, err := tab.Install(New(f, abi.O_RDWR), 0, 1024, false)
	if err != nil || fd0 != 0 {
		t.Fatal(fd0, err)
	}
	fd1, _ := tab.Dup(fd0, 5, 1024, true)
	_ = tab.Dup3(fd0, 9, 1024, false)
	child := tab.Fork()
	inFlight, _ := tab.Get(fd0)
	if fd1 != 5 {
		t.Errorf("dup with min 5 gave %d", fd1)
	}
	if on, _ := child.CloseOnExec(5); !on {
		t.Error("fork lost FD_CLOEXEC")
	}
	child.CloseExec()
	if _, err := child.Get(5); err != abi.EBADF {
		t.Errorf("descriptor 5 survived close-on-exec: %v", err)
	}
	tab.CloseAll()
	child.Close(0)
	if f.released != 0 {
		t.Fatal("released while the child's descriptor 9 and a call still hold it")
	}
	child.CloseRange(9, 9, false)
	if f.released != 0 {
		t.Fatal("released while a call still holds it")
	}
	inFlight.DecRef()
	if f.released != 1 {
		t.Errorf("released %d times, want once", f.released)
	}
}

// TestInstallLimits: the caller's RLIMIT_NOFILE bounds every new
// descriptor (EMFILE, and EBADF for dup3 past it), a refused Install
// gives the reference back, and EBADF on bad descriptors.
func TestInstallLimits(t *testing.T) {
	const limit = 4
	tab := NewTable()
	f := &countFile{}
	if _, err := tab.Install(New(f, 0), limit, limit, false); err != abi.EMFILE {
		t.Errorf("min at the limit: %v", err)
	}
	if f.released != 1 {
		t.Error("a refused Install kept the reference")
	}
	for want := 0; want < limit; want++ {
		if !tab.Room(limit) {
			t.Fatalf("no room with %d of %d descriptors used", want, limit)
		}
		if fd, err := tab.Install(New(&countFile{}, 0), 0, limit, false); fd != want || err != nil {
			t.Fatalf("Install = %d, %v; want %d", fd, err, want)
		}
	}
	if tab.Room(limit) {
		t.Error("room reported in a full table")
	}
	if _, err := tab.Dup(0, 0, limit, false); err != abi.EMFILE {
		t.Errorf("dup in a full table: %v", err)
	}
	if err := tab.Dup3(0, limit, limit, false); err != abi.EBADF {
		t.Errorf("dup3 to the limit: %v", err)
	}
	if err := tab.Dup3(0, limit-1, limit+1, false); err != nil {
		t.Errorf("dup3 below a higher limit: %v", err)
	}
	_ = tab.Close(2)
	if fd, err := tab.Dup(0, 0, limit, false); fd != 2 || err != nil {
		t.Errorf("dup after a close = %d, %v; want 2", fd, err)
	}
	for _, fd := range []int{-1, 1 << 20} {
		if _, err := tab.Get(fd); err != abi.EBADF {
			t.Errorf("Get(%d) = %v", fd, err)
		}
		if err := tab.Close(fd); err != abi.EBADF {
			t.Errorf("Close(%d) = %v", fd, err)
		}
	}
	tab.CloseAll()
	if err := tab.Dup3(0, 1, limit, false); err != abi.EBADF {
		t.Errorf("Dup3 of a closed descriptor: %v", err)
	}
}
