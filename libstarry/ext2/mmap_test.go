package ext2

import (
	"bytes"
	"testing"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
	"github.com/starry-go/starry/personality/linux/abi"
)

// TestMappedPages: a page written through its frame (as a shared
// mapping writes it) reads back through the file at once, reaches the
// disk on Sync, and a truncation zeroes what it cut.
func TestMappedPages(t *testing.T) {
	img := mkfs(t, 4096, "-b", "1024")
	k := exo.New(sim.New(64), 10*time.Millisecond)
	pager, err := k.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	user, err := k.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	x := mount(t, img, false)
	x.fs.opt.Pager = pager
	n, err := x.create("/m")
	x.must(err)
	n.Open()
	x.write(n, pattern(1, 10000), 0)
	if _, err := n.Frame(user, 3, false); err != abi.ENXIO {
		t.Fatalf("fault past the end: %v", err)
	}
	fr, err := n.Frame(user, 1, true)
	x.must(err)
	if pager.WriteFrame(fr, 100, []byte("mapped")) != nil {
		t.Fatal("write frame")
	}
	want := pattern(1, 10000)
	copy(want[4096+100:], "mapped")
	if got := x.contents(n); !bytes.Equal(got, want) {
		t.Fatal("the file does not read the mapped page's bytes")
	}
	x.write(n, []byte("file"), 4096+200)
	copy(want[4096+200:], "file")
	got := make([]byte, 4)
	if pager.ReadFrame(fr, 200, got) != nil || string(got) != "file" {
		t.Fatalf("the mapped page reads %q after a write", got)
	}
	x.must(x.fs.Sync())
	if d := debugfsCat(t, img, "/m"); !bytes.Equal(d, want) {
		t.Fatal("the disk does not hold the mapped page after Sync")
	}
	x.must(n.Truncate(4096 + 150))
	want = want[:4096+150]
	n.Close()
	x.umount()
	if d := debugfsCat(t, img, "/m"); !bytes.Equal(d, want) {
		t.Fatal("the disk holds other bytes after truncation and close")
	}
}

// TestMappedTail: bytes a mapping wrote past the end of the file do not
// show when the file grows.
func TestMappedTail(t *testing.T) {
	img := mkfs(t, 4096)
	k := exo.New(sim.New(64), 10*time.Millisecond)
	pager, _ := k.NewEnv()
	user, _ := k.NewEnv()
	x := mount(t, img, false)
	x.fs.opt.Pager = pager
	n, err := x.create("/m")
	x.must(err)
	n.Open()
	x.write(n, []byte("abc"), 0)
	fr, err := n.Frame(user, 0, true)
	x.must(err)
	_ = pager.WriteFrame(fr, 3, []byte("junk"))
	x.must(n.Truncate(10))
	x.write(n, []byte("z"), 20)
	want := make([]byte, 21)
	copy(want, "abc")
	want[20] = 'z'
	if got := x.contents(n); !bytes.Equal(got, want) {
		t.Fatalf("file reads %q", got)
	}
	n.Close()
	x.umount()
}
