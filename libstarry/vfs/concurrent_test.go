package vfs

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// TestConcurrent runs walkers, renamers, creators and removers on one
// tree at once (run it under -race), then checks the tree is still a tree
// and the cache still matches the file system.
func TestConcurrent(t *testing.T) {
	f := newFixture(t)
	dirs := []string{"p", "q", "r", "s"}
	for _, d := range dirs {
		f.mkdir(d, 0o755)
		f.mkdir(d+"/x", 0o755)
		f.mkdir(d+"/x/y", 0o755)
	}
	f.symlink("../q/x", "p/lq")
	f.mkdir("mnt", 0o755)
	f.mount("m2", "mnt")
	f.mkdir("mnt/in", 0o755)
	before := reachableDirs(t, f)
	root := f.root()
	allowed := map[string]bool{"ok": true, "ENOENT": true, "ENOTDIR": true, "EINVAL": true,
		"ENOTEMPTY": true, "EEXIST": true, "ELOOP": true, "EXDEV": true, "EBUSY": true, "EISDIR": true, "EAGAIN": true}
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[string]int{}
	run := func(seed int64, kind string, body func(r *rand.Rand) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewSource(seed))
			for i := 0; i < 2000; i++ {
				e := errName(body(r))
				mu.Lock()
				outcomes[kind+" "+e]++
				mu.Unlock()
			}
		}()
	}
	// pick makes a path that mostly exists: a random descent through the
	// directories there are now, sometimes through a symlink or "..".
	pick := func(r *rand.Rand) string {
		p := root
		for depth := 1 + r.Intn(4); depth > 0; depth-- {
			var names []string
			p.Dentry.ReadDir(2, func(e DirEntry) bool {
				if e.Type == abi.S_IFDIR {
					names = append(names, e.Name)
				}
				return true
			})
			if len(names) == 0 {
				break
			}
			next, err := f.mt.Resolve(rootCreds, root, p, names[r.Intn(len(names))], 0)
			if err != nil {
				break
			}
			p = next
		}
		s, _ := f.mt.PathOf(root, p)
		if r.Intn(5) == 0 {
			s += []string{"/..", "/../lq", "/lq/y"}[r.Intn(3)]
		}
		return s
	}
	for g := int64(0); g < 3; g++ { // renamers: directories move between parents, into each other, over each other
		run(g, "rename", func(r *rand.Rand) error {
			return f.mt.Rename(rootCreds, root, root, pick(r), root, pick(r)+"/"+[]string{"x", "y", "d"}[r.Intn(3)], 0)
		})
	}
	for g := int64(10); g < 14; g++ { // walkers, from the root and from a cwd that moves
		run(g, "walk", func(r *rand.Rand) error {
			cwd, err := f.mt.Resolve(rootCreds, root, root, pick(r), 0)
			if err != nil {
				return err
			}
			for i := 0; i < 5; i++ {
				if cwd, err = f.mt.Resolve(rootCreds, root, cwd, []string{"..", ".", "../..", "/mnt/in/..", "..", "x/.."}[r.Intn(6)], 0); err != nil {
					return err
				}
				f.mt.PathOf(root, cwd)
			}
			return nil
		})
	}
	for g := int64(20); g < 22; g++ { // creators and removers of files and directories
		run(g, "change", func(r *rand.Rand) error {
			p := pick(r) + "/" + []string{"f", "g", "d"}[r.Intn(3)]
			switch r.Intn(4) {
			case 0:
				_, err := f.mt.Create(rootCreds, root, root, p, 0o644)
				return err
			case 1:
				return f.mt.Unlink(rootCreds, root, root, p)
			case 2:
				return f.mt.Mkdir(rootCreds, root, root, p, 0o755)
			}
			return f.mt.Rmdir(rootCreds, root, root, p)
		})
	}
	run(30, "mount", func(r *rand.Rand) error { // mounts come and go under everyone's feet
		at, err := f.mt.Resolve(rootCreds, root, root, pick(r), 0)
		if err != nil {
			return err
		}
		_, fs := newMemFS("tmp")
		m, err := f.mt.Mount(fs, at)
		if err != nil {
			return err
		}
		return f.mt.Umount(m.Root())
	})
	run(31, "beneath", func(r *rand.Rand) error { // scoped walks while their roots move
		start, err := f.mt.Resolve(rootCreds, root, root, pick(r), 0)
		if err != nil {
			return err
		}
		_, err = f.mt.Resolve(rootCreds, root, start, []string{"x/..", "x/y/../..", "..", "/"}[r.Intn(4)], ResolveBeneath)
		return err
	})
	wg.Wait()
	for k := range outcomes {
		if e := k[strings.IndexByte(k, ' ')+1:]; !allowed[e] {
			t.Errorf("unexpected outcome %s", k)
		}
	}
	t.Logf("outcomes: %v", outcomes)
	// No directory may have come loose from the tree (as a loop made by
	// two racing renames would): each one not removed is still reachable.
	after := reachableDirs(t, f)
	for n := range before {
		if !after[n] && n.Attr().Nlink > 0 {
			t.Errorf("directory %d is linked but unreachable", n.Ino)
		}
	}
	checkCacheAgainstFS(t, f.root().Dentry, "")
}

// reachableDirs walks the file system from the root (through ReadDir,
// not the cache), failing on a loop, and returns the directories found.
func reachableDirs(t *testing.T, f *fixture) map[*Inode]bool {
	seen := map[*Inode]bool{}
	var walk func(p Path)
	walk = func(p Path) {
		if seen[p.Dentry.inode] {
			t.Fatalf("%s reached twice", f.where(p))
		}
		seen[p.Dentry.inode] = true
		var names []string
		f.must(p.Dentry.ReadDir(2, func(e DirEntry) bool { names = append(names, e.Name); return true }), "readdir")
		for _, n := range names {
			c, err := f.mt.Resolve(rootCreds, f.root(), p, n, NoFollow)
			f.must(err, "resolve "+n)
			if c.Dentry.IsDir() {
				walk(c)
			}
		}
	}
	walk(f.root())
	return seen
}

// checkCacheAgainstFS checks every cached entry under d is live, points
// back at its parent, and is what the file system has under that name.
func checkCacheAgainstFS(t *testing.T, d *Dentry, path string) {
	d.mu.Lock()
	kids := make(map[string]*Dentry, len(d.children))
	for k, v := range d.children {
		kids[k] = v
	}
	d.mu.Unlock()
	for name, c := range kids {
		n, err := d.inode.Ops.Lookup(name)
		switch {
		case c.Dead() || c.Parent() != d || c.Name() != name:
			t.Errorf("cache: %s/%s is dead or misplaced", path, name)
		case err != nil || n != c.inode:
			t.Errorf("cache: %s/%s is not the file system's (%v)", path, name, err)
		default:
			checkCacheAgainstFS(t, c, path+"/"+name)
		}
	}
}

// TestConcurrentRenameLoop races the two renames that together would
// make a loop (a into b and b into a): renameMu lets one win.
func TestConcurrentRenameLoop(t *testing.T) {
	f := newFixture(t)
	f.mkdir("a", 0o755)
	f.mkdir("b", 0o755)
	root := f.root()
	for i := 0; i < 300; i++ {
		var wg sync.WaitGroup
		var e1, e2 error
		wg.Add(2)
		go func() { defer wg.Done(); e1 = f.mt.Rename(rootCreds, root, root, "a", root, "b/a", 0) }()
		go func() { defer wg.Done(); e2 = f.mt.Rename(rootCreds, root, root, "b", root, "a/b", 0) }()
		wg.Wait()
		// Both may fail (the second one's source moved away) but never
		// both succeed; undo whichever won.
		switch {
		case e1 == nil && e2 == nil:
			t.Fatalf("round %d: both renames succeeded", i)
		case e1 == nil:
			f.must(f.mt.Rename(rootCreds, root, root, "b/a", root, "a", 0), "undo")
		case e2 == nil:
			f.must(f.mt.Rename(rootCreds, root, root, "a/b", root, "b", 0), "undo")
		}
		for _, e := range []error{e1, e2} {
			if e != nil && !errors.Is(e, abi.ENOENT) && !errors.Is(e, abi.EINVAL) {
				t.Fatalf("round %d: %v", i, e)
			}
		}
		if dirs := reachableDirs(t, f); len(dirs) != 3 {
			t.Fatalf("round %d: %d directories reachable, want 3", i, len(dirs))
		}
	}
}

// TestConcurrentLookup has many goroutines miss the cache for the same
// names at once: they must all get the same dentry.
func TestConcurrentLookup(t *testing.T) {
	_, fs := newMemFS("fs")
	for i := 0; i < 50; i++ { // entries made behind the cache's back
		fs.root.inode.Ops.(*memNode).make(fmt.Sprint("e", i), abi.S_IFDIR|0o755, 0, 0, "")
	}
	mt := NewMountTable(fs)
	r := mt.Root()
	found := make([][]*Dentry, 8)
	var wg sync.WaitGroup
	for g := range found {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				p, err := mt.Resolve(rootCreds, r, r, fmt.Sprint("e", i, "/."), 0)
				if err != nil {
					t.Error(err)
					return
				}
				found[g] = append(found[g], p.Dentry)
			}
		}()
	}
	wg.Wait()
	for g := 1; g < len(found); g++ {
		for i := range found[g] {
			if found[g][i] != found[0][i] {
				t.Fatalf("goroutines %d and 0 got different dentries for e%d", g, i)
			}
		}
	}
}
