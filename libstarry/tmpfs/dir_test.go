package tmpfs

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

func TestDirectoryOps(t *testing.T) {
	s := newNS(t)
	r := s.lookup("/")
	if a := r.Inode().Attr(); a.Mode != abi.S_IFDIR|0o755 || a.UID != 0 || a.Nlink != 2 || a.Size != 40 {
		t.Fatalf("root %+v", a)
	}
	m0 := r.Inode().Attr().Mtime
	s.mkdir("a")
	s.mkdir("b")
	s.create("a/f")
	s.must(s.mt.Symlink(root, "../a/f", s.root(), s.root(), "b/l"), "symlink")
	s.must(s.mt.Mknod(root, s.root(), s.root(), "b/c", abi.S_IFCHR|0o600, abi.Mkdev(1, 3)), "mknod")
	if a := r.Inode().Attr(); a.Nlink != 4 || a.Size != 40+2*bogoDirentSize || a.Mtime == m0 || a.Ctime != a.Mtime {
		t.Errorf("root after two mkdirs: %+v", a)
	}
	if a := s.lookup("b").Inode().Attr(); a.Nlink != 2 || a.Size != 80 {
		t.Errorf("b: nlink %d size %d", a.Nlink, a.Size)
	}
	l := s.lookup("b/l")
	if target, err := l.Readlink(); target != "../a/f" || err != nil || l.Size() != 6 {
		t.Errorf("symlink %q, %v, size %d", target, err, l.Size())
	}
	if _, err := s.lookup("a/f").Readlink(); err != abi.EINVAL {
		t.Errorf("readlink of a file: %v", err)
	}
	if a := s.lookup("b/c").Inode().Attr(); a.Rdev != abi.Mkdev(1, 3) || a.Mode != abi.S_IFCHR|0o600 {
		t.Errorf("device node %+v", a)
	}
	if err := s.mt.Mkdir(root, s.root(), s.root(), "a", 0o755); err != abi.EEXIST {
		t.Errorf("mkdir of an existing name: %v", err)
	}

	// Rmdir of a non-empty directory, then a cross-directory rename of a
	// directory moves its ".." link.
	if err := s.mt.Rmdir(root, s.root(), s.root(), "a"); err != abi.ENOTEMPTY {
		t.Errorf("rmdir of a non-empty directory: %v", err)
	}
	s.mkdir("a/sub")
	s.must(s.mt.Rename(root, s.root(), s.root(), "a/sub", s.root(), "b/sub", 0), "rename dir")
	if na, nb := s.lookup("a").Inode().Attr().Nlink, s.lookup("b").Inode().Attr().Nlink; na != 2 || nb != 3 {
		t.Errorf("after moving a subdirectory: a %d, b %d links", na, nb)
	}
	// Exchange a file and a directory across parents: each name keeps its
	// place, the links follow the directory.
	f := s.lookup("a/f")
	c0 := f.Inode().Attr().Ctime
	s.must(s.mt.Rename(root, s.root(), s.root(), "a/f", s.root(), "b/sub", vfs.RenameExchange), "exchange")
	if !s.lookup("a/f").Inode().IsDir() || s.lookup("b/sub") != f {
		t.Errorf("exchange did not swap")
	}
	if na, nb := s.lookup("a").Inode().Attr().Nlink, s.lookup("b").Inode().Attr().Nlink; na != 3 || nb != 2 {
		t.Errorf("after exchange: a %d, b %d links", na, nb)
	}
	if f.Inode().Attr().Ctime == c0 {
		t.Errorf("exchange left the inode's ctime")
	}
	if got := strings.Join(s.names("a"), " "); got != ". .. f" {
		t.Errorf("a lists %q", got)
	}
	// Rename over an empty directory replaces it; over a full one is
	// ENOTEMPTY; RenameNoReplace is EEXIST; a whiteout is refused.
	s.mkdir("e1")
	s.mkdir("e2")
	s.create("e2/x")
	if err := s.mt.Rename(root, s.root(), s.root(), "e1", s.root(), "e2", 0); err != abi.ENOTEMPTY {
		t.Errorf("rename over a full directory: %v", err)
	}
	if err := s.mt.Rename(root, s.root(), s.root(), "e2", s.root(), "e1", vfs.RenameNoReplace); err != abi.EEXIST {
		t.Errorf("RenameNoReplace: %v", err)
	}
	if err := s.mt.Rename(root, s.root(), s.root(), "e2", s.root(), "e3", vfs.RenameWhiteout); err != abi.EINVAL {
		t.Errorf("RenameWhiteout: %v", err)
	}
	inodes, links := s.fs.Inodes(), r.Inode().Attr().Nlink
	victim := s.lookup("e1")
	s.must(s.mt.Rename(root, s.root(), s.root(), "e2", s.root(), "e1", 0), "rename over an empty directory")
	if s.fs.Inodes() != inodes-1 || r.Inode().Attr().Nlink != links-1 || victim.Inode().Attr().Nlink != 0 {
		t.Errorf("replacing a directory: %d inodes (was %d), root links %d (was %d), victim %d",
			s.fs.Inodes(), inodes, r.Inode().Attr().Nlink, links, victim.Inode().Attr().Nlink)
	}
	if !s.exists("e1/x") || s.exists("e2") {
		t.Errorf("rename over a directory left the wrong names")
	}
	// A removed directory takes no new entries even if someone still
	// holds it.
	s.must(s.mt.Unlink(root, s.root(), s.root(), "e1/x"), "unlink")
	e1 := s.lookup("e1")
	s.must(s.mt.Rmdir(root, s.root(), s.root(), "e1"), "rmdir")
	if _, err := e1.Create("y", 0o644, 0, 0); err != abi.ENOENT {
		t.Errorf("create in a removed directory: %v", err)
	}
}

func TestLinkCountsAndTimes(t *testing.T) {
	s := newNS(t)
	n := s.create("f")
	s.mkdir("d")
	d := s.lookup("d")
	c0, m0 := n.Inode().Attr().Ctime, d.Inode().Attr().Mtime
	s.must(s.mt.Link(root, vfsPath(s, "f"), s.root(), s.root(), "d/g"), "link")
	if a := n.Inode().Attr(); a.Nlink != 2 || a.Ctime == c0 {
		t.Errorf("after link: %+v", a)
	}
	if a := d.Inode().Attr(); a.Mtime == m0 || a.Size != 60 || a.Nlink != 2 {
		t.Errorf("directory after link: %+v", a)
	}
	// Renaming onto another name of the same inode does nothing.
	s.must(s.mt.Rename(root, s.root(), s.root(), "f", s.root(), "d/g", 0), "rename onto own link")
	if !s.exists("f") || n.Inode().Attr().Nlink != 2 {
		t.Errorf("rename onto a hard link changed something")
	}
	// A rename over a file drops its link.
	s.create("h")
	s.must(s.mt.Rename(root, s.root(), s.root(), "h", s.root(), "f", 0), "rename over")
	if n.Inode().Attr().Nlink != 1 {
		t.Errorf("replaced file has %d links", n.Inode().Attr().Nlink)
	}
	if err := d.Link("x", s.lookup("d").Inode()); err != abi.EPERM {
		t.Errorf("link to a directory: %v", err)
	}
	other := newFixture(t, 8, 0)
	if err := d.Link("x", other.file("o").Inode()); err != abi.EXDEV {
		t.Errorf("link across instances: %v", err)
	}
}

// TestReadDirPositions: positions survive entries coming and going, and
// a listing resumed from a position sees each surviving entry once.
func TestReadDirPositions(t *testing.T) {
	s := newNS(t)
	s.mkdir("d")
	for i := 0; i < 200; i++ {
		s.create(fmt.Sprintf("d/f%03d", i))
	}
	p := vfsPath(s, "d")
	// Read 50, then remove every other entry and add new ones, then go on.
	var first []vfs.DirEntry
	p.Dentry.ReadDir(0, func(e vfs.DirEntry) bool {
		first = append(first, e)
		return len(first) < 50
	})
	for i := 0; i < 200; i += 2 {
		s.must(s.mt.Unlink(root, s.root(), s.root(), fmt.Sprintf("d/f%03d", i)), "unlink")
	}
	for i := 0; i < 20; i++ {
		s.create(fmt.Sprintf("d/n%03d", i))
	}
	var rest []string
	p.Dentry.ReadDir(first[len(first)-1].Next, func(e vfs.DirEntry) bool {
		rest = append(rest, e.Name)
		return true
	})
	var want []string
	for i := 48; i < 200; i++ { // first ends with f047
		if i%2 == 1 && i >= 48 {
			want = append(want, fmt.Sprintf("f%03d", i))
		}
	}
	for i := 0; i < 20; i++ {
		want = append(want, fmt.Sprintf("n%03d", i))
	}
	if strings.Join(rest, " ") != strings.Join(want, " ") {
		t.Errorf("resumed listing:\n got %v\nwant %v", rest, want)
	}
	if first[0].Name != "." || first[1].Name != ".." || first[2].Name != "f000" || first[2].Next != 3 {
		t.Errorf("listing starts %+v %+v %+v", first[0], first[1], first[2])
	}
}

// TestReadDirUnderChurn: while other goroutines make and remove entries,
// a listing in pieces sees every entry that stays throughout exactly
// once, and never an entry twice.
func TestReadDirUnderChurn(t *testing.T) {
	s := newNS(t)
	s.mkdir("d")
	const stable = 300
	for i := 0; i < stable; i++ {
		s.create(fmt.Sprintf("d/s%03d", i))
	}
	p := vfsPath(s, "d")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("d/t%d-%d", w, i%10)
				if _, err := s.mt.Create(root, s.root(), s.root(), name, 0o644); err == nil {
					s.mt.Unlink(root, s.root(), s.root(), name)
				}
			}
		}(w)
	}
	for round := 0; round < 50; round++ {
		seen := map[string]int{}
		off := int64(0)
		for {
			var got int
			p.Dentry.ReadDir(off, func(e vfs.DirEntry) bool {
				seen[e.Name]++
				off = e.Next
				got++
				return got < 17
			})
			if got < 17 {
				break
			}
		}
		for name, c := range seen {
			if c > 1 {
				t.Fatalf("round %d: %s listed %d times", round, name, c)
			}
		}
		for i := 0; i < stable; i++ {
			if seen[fmt.Sprintf("s%03d", i)] != 1 {
				t.Fatalf("round %d: s%03d missing", round, i)
			}
		}
	}
	close(stop)
	wg.Wait()
	var names []string
	p.Dentry.ReadDir(2, func(e vfs.DirEntry) bool { names = append(names, e.Name); return true })
	sort.Strings(names)
	if len(names) != stable {
		t.Errorf("%d entries left, want %d", len(names), stable)
	}
}
