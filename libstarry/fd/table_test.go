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
	fd0, err := tab.Install(New(f, abi.O_RDWR), 0, false)
	if err != nil || fd0 != 0 {
		t.Fatal(fd0, err)
	}
	fd1, _ := tab.Dup(fd0, 5, true)
	_ = tab.Dup3(fd0, 9, false)
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

// TestInstallLimits: EMFILE gives the reference back; EBADF on bad
// descriptors.
func TestInstallLimits(t *testing.T) {
	tab := NewTable()
	f := &countFile{}
	if _, err := tab.Install(New(f, 0), MaxFDs, false); err != abi.EINVAL {
		t.Errorf("min past the limit: %v", err)
	}
	if f.released != 1 {
		t.Error("a refused Install kept the reference")
	}
	for _, fd := range []int{-1, 3, MaxFDs} {
		if _, err := tab.Get(fd); err != abi.EBADF {
			t.Errorf("Get(%d) = %v", fd, err)
		}
		if err := tab.Close(fd); err != abi.EBADF {
			t.Errorf("Close(%d) = %v", fd, err)
		}
	}
	if err := tab.Dup3(0, 1, false); err != abi.EBADF {
		t.Errorf("Dup3 of a closed descriptor: %v", err)
	}
}
