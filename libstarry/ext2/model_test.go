package ext2

import (
	"bytes"
	"math/rand"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// model is what the file system should hold: every path, with a file's
// contents (nil for a directory).
type model map[string][]byte

var isDirMark = []byte(nil)

func (m model) isDir(p string) bool { d, ok := m[p]; return ok && d == nil }

func (m model) children(p string) []string {
	var out []string
	for k := range m {
		if k != "/" && path.Dir(k) == p {
			out = append(out, k)
		}
	}
	return out
}

// runModel applies steps random operations to the image and the model,
// comparing results, then the whole tree, then e2fsck's verdict.
func runModel(t *testing.T, seed int64, steps int, opts ...string) {
	img := mkfs(t, 8192, opts...)
	x := mount(t, img, false)
	rng := rand.New(rand.NewSource(seed))
	m := model{"/": nil, "/lost+found": nil}
	names := []string{"a", "b", "c", "dir1", "dir2", "long-" + strings.Repeat("n", 60)}
	randPath := func() string {
		p := "/"
		for depth := rng.Intn(3); depth > 0; depth-- {
			p = path.Join(p, names[rng.Intn(len(names))])
		}
		return path.Join(p, names[rng.Intn(len(names))])
	}
	for step := range steps {
		p := randPath()
		var err, want error
		op := rng.Intn(10)
		parent, exists := path.Dir(p), false
		_, exists = m[p]
		parentOK := m.isDir(parent)
		switch op {
		case 0, 1: // create
			_, err = x.create(p)
			want = expectCreate(m, p, parentOK, exists)
			if want == nil {
				m[p] = []byte{}
			}
		case 2: // mkdir
			err = x.mkdir(p)
			want = expectCreate(m, p, parentOK, exists)
			if want == nil {
				m[p] = isDirMark
			}
		case 3, 4: // write
			if !exists || m.isDir(p) {
				continue
			}
			off := int64(rng.Intn(20000))
			if rng.Intn(8) == 0 {
				off = int64(rng.Intn(3 << 20))
			}
			data := pattern(step, rng.Intn(9000))
			x.write(x.node(p), data, off)
			cur := m[p]
			if end := off + int64(len(data)); end > int64(len(cur)) {
				cur = append(cur, make([]byte, end-int64(len(cur)))...)
			}
			copy(cur[off:], data)
			m[p] = cur
		case 5: // truncate
			if !exists || m.isDir(p) {
				continue
			}
			size := int64(rng.Intn(30000))
			x.must(x.node(p).Truncate(size))
			cur := m[p]
			if size < int64(len(cur)) {
				cur = cur[:size]
			} else {
				cur = append(cur, make([]byte, size-int64(len(cur)))...)
			}
			m[p] = append([]byte{}, cur...)
		case 6: // unlink
			err = x.unlink(p)
			switch {
			case !exists:
				want = m.missing(p)
			case m.isDir(p):
				want = abi.EISDIR
			default:
				delete(m, p)
			}
		case 7: // rmdir
			err = x.rmdir(p)
			switch {
			case !exists:
				want = m.missing(p)
			case !m.isDir(p):
				want = abi.ENOTDIR
			case len(m.children(p)) > 0:
				want = abi.ENOTEMPTY
			default:
				delete(m, p)
			}
		default: // rename
			to := randPath()
			err = x.rename(p, to)
			want = m.rename(p, to)
		}
		if (err == nil) != (want == nil) || want != nil && err != want && op != 8 && op != 9 {
			t.Fatalf("seed %d step %d: op %d on %s: got %v, want %v", seed, step, op, p, err, want)
		}
		if step%50 == 0 {
			compareTree(t, x, m)
		}
	}
	compareTree(t, x, m)
	x.umount()
	y := mount(t, img, false)
	compareTree(t, y, m)
	y.umount()
}

// missing is the error looking up p, which is not there, gives:
// ENOTDIR when a file stands where a directory should.
func (m model) missing(p string) error {
	for d := path.Dir(p); d != "/"; d = path.Dir(d) {
		if v, ok := m[d]; ok {
			if v != nil {
				return abi.ENOTDIR
			}
			break
		}
	}
	return abi.ENOENT
}

// expectCreate is the error creating p should give.
func expectCreate(m model, p string, parentOK, exists bool) error {
	switch {
	case !parentOK:
		return m.missing(path.Dir(p) + "/x")
	case exists:
		return abi.EEXIST
	}
	return nil
}

// rename applies a rename to the model: whether it should fail, not
// always which errno (the checks' order is the vfs's business).
func (m model) rename(from, to string) error {
	src, ok := m[from]
	switch {
	case !ok:
		return abi.ENOENT
	case !m.isDir(path.Dir(to)):
		return abi.ENOENT
	case from == "/" || to == "/":
		return abi.EBUSY
	case to == from:
		return nil
	case strings.HasPrefix(to, from+"/"):
		return abi.EINVAL
	case strings.HasPrefix(from, to+"/"):
		return abi.ENOTEMPTY
	}
	if dst, ok := m[to]; ok {
		switch {
		case src == nil && dst != nil:
			return abi.ENOTDIR
		case src != nil && dst == nil:
			return abi.EISDIR
		case dst == nil && len(m.children(to)) > 0:
			return abi.ENOTEMPTY
		}
		delete(m, to)
	}
	moved := map[string][]byte{}
	for k, v := range m {
		if k == from || strings.HasPrefix(k, from+"/") {
			moved[to+strings.TrimPrefix(k, from)] = v
			delete(m, k)
		}
	}
	for k, v := range moved {
		m[k] = v
	}
	return nil
}

// compareTree checks the file system holds exactly the model.
func compareTree(t *testing.T, x *fixture, m model) {
	t.Helper()
	var walk func(p string)
	seen := map[string]bool{}
	walk = func(p string) {
		seen[p] = true
		names := x.names(p)
		sort.Strings(names)
		for _, name := range names {
			c := path.Join(p, name)
			want, ok := m[c]
			if !ok {
				t.Fatalf("%s exists, but not in the model", c)
			}
			n := x.node(c)
			if n.Inode().IsDir() {
				if want != nil {
					t.Fatalf("%s is a directory", c)
				}
				walk(c)
				continue
			}
			if got := x.contents(n); !bytes.Equal(got, want) {
				t.Fatalf("%s: %d bytes, want %d", c, len(got), len(want))
			}
			seen[c] = true
		}
	}
	walk("/")
	for k := range m {
		if !seen[k] {
			t.Fatalf("%s is missing", k)
		}
	}
}

func TestModel(t *testing.T) {
	for seed := int64(1); seed <= 6; seed++ {
		opts := [][]string{{"-b", "1024"}, {"-b", "4096"}, {"-b", "2048", "-O", "^filetype"}}[seed%3]
		runModel(t, seed, 1500, opts...)
	}
}

// FuzzModel runs the model with fuzzed seeds (go test -fuzz FuzzModel).
func FuzzModel(f *testing.F) {
	f.Add(int64(42))
	f.Fuzz(func(t *testing.T, seed int64) { runModel(t, seed, 300, "-b", "1024") })
}
