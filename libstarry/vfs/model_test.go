package vfs

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// The reference model: a plain tree and a recursive resolver written from
// path_resolution(7)'s rules rather than from walk.go's structure.

type mnode struct {
	dir, isLink bool
	target      string
	kids        map[string]*mnode
	parent      *mnode
	name        string
}

type model struct{ root, cwd *mnode }

func newModel() *model {
	root := &mnode{dir: true, kids: map[string]*mnode{}}
	root.parent = root
	cwd := &mnode{dir: true, kids: map[string]*mnode{}, parent: root, name: "w"}
	root.kids["w"] = cwd
	return &model{root: root, cwd: cwd}
}

func (m *model) pathOf(n *mnode) string {
	if n == m.root {
		return "/"
	}
	s := ""
	for ; n != m.root; n = n.parent {
		s = "/" + n.name + s
	}
	return s
}

func splitPath(p string) []string {
	var cs []string
	for _, c := range strings.Split(p, "/") {
		if c != "" {
			cs = append(cs, c)
		}
	}
	return cs
}

func (m *model) check(path string) error {
	switch {
	case len(path) >= PathMax:
		return abi.ENAMETOOLONG
	case path == "":
		return abi.ENOENT
	}
	return nil
}

func (m *model) resolve(path string, follow, mustDir bool) (*mnode, error) {
	if err := m.check(path); err != nil {
		return nil, err
	}
	budget := MaxSymlinks
	n, err := m.walk(m.cwd, path, follow, &budget)
	if err == nil && mustDir && !n.dir {
		return nil, abi.ENOTDIR
	}
	return n, err
}

// walk resolves path from cur: every component must be a directory but
// the last, which must be one if the path ends in '/'; symlinks are
// followed but for a final one when !follow and there is no slash after.
func (m *model) walk(cur *mnode, path string, follow bool, budget *int) (*mnode, error) {
	if strings.HasPrefix(path, "/") {
		cur = m.root
	}
	cs := splitPath(path)
	slash := strings.HasSuffix(path, "/") && len(cs) > 0
	for i, c := range cs {
		last := i == len(cs)-1
		switch c {
		case ".":
		case "..":
			cur = cur.parent
		default:
			if len(c) > NameMax {
				return nil, abi.ENAMETOOLONG
			}
			next := cur.kids[c]
			if next == nil {
				return nil, abi.ENOENT
			}
			if next.isLink && (!last || follow || slash) {
				if *budget == 0 {
					return nil, abi.ELOOP
				}
				*budget--
				var err error
				if next, err = m.walk(cur, next.target, true, budget); err != nil {
					return nil, err
				}
			}
			cur = next
		}
		if !last && !cur.dir {
			return nil, abi.ENOTDIR
		}
	}
	if slash && !cur.dir {
		return nil, abi.ENOTDIR
	}
	return cur, nil
}

// mparent is the model's parent mode.
type mparent struct {
	dir   *mnode
	name  string
	typ   LastType
	slash bool
}

func (m *model) parentOf(path string) (mparent, error) {
	if err := m.check(path); err != nil {
		return mparent{}, err
	}
	start := m.cwd
	if strings.HasPrefix(path, "/") {
		start = m.root
	}
	cs := splitPath(path)
	if len(cs) == 0 {
		return mparent{dir: start, typ: LastRoot}, nil
	}
	p := mparent{dir: start, name: cs[len(cs)-1], slash: strings.HasSuffix(path, "/")}
	if len(cs) > 1 {
		budget := MaxSymlinks
		d, err := m.walk(start, strings.Join(cs[:len(cs)-1], "/")+"/", true, &budget)
		if err != nil {
			return mparent{}, err
		}
		p.dir = d
	}
	switch p.name {
	case ".":
		p.typ = LastDot
	case "..":
		p.typ = LastDotDot
	}
	return p, nil
}

// child looks the last component up: nil if absent.
func (p mparent) child() (*mnode, error) {
	if len(p.name) > NameMax {
		return nil, abi.ENAMETOOLONG
	}
	return p.dir.kids[p.name], nil
}

func (m *model) make(path string, n *mnode, isDir bool) error {
	p, err := m.parentOf(path)
	if err != nil {
		return err
	}
	if p.typ != LastNorm {
		return abi.EEXIST
	}
	old, err := p.child()
	switch {
	case err != nil:
		return err
	case old != nil:
		return abi.EEXIST
	case p.slash && !isDir:
		return abi.ENOENT
	}
	n.parent, n.name = p.dir, p.name
	p.dir.kids[p.name] = n
	return nil
}

func (m *model) mkdir(path string) error {
	return m.make(path, &mnode{dir: true, kids: map[string]*mnode{}}, true)
}

func (m *model) create(path string) error { return m.make(path, &mnode{}, false) }

func (m *model) symlink(target, path string) error {
	switch {
	case len(target) >= PathMax:
		return abi.ENAMETOOLONG
	case target == "":
		return abi.ENOENT
	}
	return m.make(path, &mnode{isLink: true, target: target}, false)
}

func (m *model) unlink(path string) error {
	p, err := m.parentOf(path)
	if err != nil {
		return err
	}
	if p.typ != LastNorm {
		return abi.EISDIR
	}
	n, err := p.child()
	switch {
	case err != nil:
		return err
	case n == nil:
		return abi.ENOENT
	case n.dir:
		return abi.EISDIR
	case p.slash:
		return abi.ENOTDIR
	}
	delete(p.dir.kids, p.name)
	return nil
}

func (m *model) rmdir(path string) error {
	p, err := m.parentOf(path)
	if err != nil {
		return err
	}
	switch p.typ {
	case LastDotDot:
		return abi.ENOTEMPTY
	case LastDot:
		return abi.EINVAL
	case LastRoot:
		return abi.EBUSY
	}
	n, err := p.child()
	switch {
	case err != nil:
		return err
	case n == nil:
		return abi.ENOENT
	case !n.dir:
		return abi.ENOTDIR
	case len(n.kids) > 0:
		return abi.ENOTEMPTY
	}
	delete(p.dir.kids, p.name)
	return nil
}

// above reports whether a is d or one of its ancestors.
func (m *model) above(a, d *mnode) bool {
	for ; ; d = d.parent {
		if d == a {
			return true
		}
		if d == m.root {
			return false
		}
	}
}

func (m *model) rename(from, to string, flags uint32) error {
	op, err := m.parentOf(from)
	if err != nil {
		return err
	}
	np, err := m.parentOf(to)
	switch {
	case err != nil:
		return err
	case op.typ != LastNorm:
		return abi.EBUSY
	case np.typ != LastNorm && flags&RenameNoReplace != 0:
		return abi.EEXIST
	case np.typ != LastNorm:
		return abi.EBUSY
	}
	old, err := op.child()
	if err != nil {
		return err
	}
	if old == nil {
		return abi.ENOENT
	}
	tgt, err := np.child()
	if err != nil {
		return err
	}
	return m.renameChecked(op, np, old, tgt, flags)
}

func (m *model) renameChecked(op, np mparent, old, tgt *mnode, flags uint32) error {
	xchg := flags&RenameExchange != 0
	switch {
	case flags&RenameNoReplace != 0 && tgt != nil:
		return abi.EEXIST
	case xchg && tgt == nil:
		return abi.ENOENT
	case xchg && !tgt.dir && np.slash:
		return abi.ENOTDIR
	case !old.dir && (op.slash || !xchg && np.slash):
		return abi.ENOTDIR
	case m.above(old, np.dir):
		return abi.EINVAL
	case tgt != nil && m.above(tgt, op.dir) && xchg:
		return abi.EINVAL
	case tgt != nil && m.above(tgt, op.dir):
		return abi.ENOTEMPTY
	case old == tgt:
		return nil
	case tgt != nil && !xchg && old.dir && !tgt.dir:
		return abi.ENOTDIR
	case tgt != nil && !xchg && !old.dir && tgt.dir:
		return abi.EISDIR
	case tgt != nil && !xchg && tgt.dir && len(tgt.kids) > 0:
		return abi.ENOTEMPTY
	}
	delete(op.dir.kids, op.name)
	if xchg {
		op.dir.kids[op.name] = tgt
		tgt.parent, tgt.name = op.dir, op.name
	}
	np.dir.kids[np.name] = old
	old.parent, old.name = np.dir, np.name
	return nil
}

// pathGen makes random paths over a few names, with ".", "..", extra
// slashes, names at and over NameMax, and paths at and over PathMax.
type pathGen struct{ r *rand.Rand }

func (g pathGen) name() string {
	switch k := g.r.Intn(100); {
	case k < 12:
		return "."
	case k < 28:
		return ".."
	case k < 30:
		return strings.Repeat("n", NameMax)
	case k < 32:
		return strings.Repeat("n", NameMax+1)
	default:
		return []string{"a", "b", "c", "l", "m"}[g.r.Intn(5)]
	}
}

func (g pathGen) path() string {
	switch g.r.Intn(60) {
	case 0:
		return ""
	case 1:
		return strings.Repeat("./", (PathMax-1)/2) + "a" // PathMax-1 bytes
	case 2:
		return strings.Repeat("./", (PathMax-1)/2) + "aa" // PathMax bytes
	}
	cs := make([]string, 1+g.r.Intn(4))
	for i := range cs {
		cs[i] = g.name()
	}
	sep := "/"
	if g.r.Intn(8) == 0 {
		sep = "//"
	}
	p := strings.Join(cs, sep)
	if g.r.Intn(3) == 0 {
		p = "/" + p
	}
	if g.r.Intn(7) == 0 {
		p += "/"
	}
	return p
}

// modelRig runs the same operations on the model and on a namespace
// whose process root is /r and cwd /r/w.
type modelRig struct {
	t         *testing.T
	f         *fixture
	m         *model
	root, cwd Path
	ops       map[string]int
}

func newModelRig(t *testing.T) *modelRig {
	f := newFixture(t)
	f.mkdir("r", 0o755)
	f.mkdir("r/w", 0o755)
	return &modelRig{t: t, f: f, m: newModel(), root: f.lookup("r"), cwd: f.lookup("r/w"), ops: map[string]int{}}
}

func (g *modelRig) where(p Path) string {
	s, under := g.f.mt.PathOf(g.root, p)
	if !under {
		return "outside:" + s
	}
	return s
}

func TestModel(t *testing.T) {
	for seed := int64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			g := newModelRig(t)
			r := rand.New(rand.NewSource(seed))
			for i := 0; i < 3000 && !t.Failed(); i++ {
				g.step(i, r)
			}
			g.compareTrees()
			t.Logf("ops by outcome: %v", g.ops)
		})
	}
}

func (g *modelRig) step(i int, r *rand.Rand) {
	gen := pathGen{r}
	var desc string
	var got, wantErr error
	var gotWhere, wantWhere string
	mt, c := g.f.mt, rootCreds
	switch k := r.Intn(100); {
	case k < 14:
		p := gen.path()
		desc = "mkdir " + p
		got, wantErr = mt.Mkdir(c, g.root, g.cwd, p, 0o755), g.m.mkdir(p)
	case k < 26:
		p := gen.path()
		desc = "create " + p
		_, got = mt.Create(c, g.root, g.cwd, p, 0o644)
		wantErr = g.m.create(p)
	case k < 38:
		t, p := gen.path(), gen.path()
		desc = "symlink " + t + " " + p
		got, wantErr = mt.Symlink(c, t, g.root, g.cwd, p), g.m.symlink(t, p)
	case k < 46:
		p := gen.path()
		desc = "unlink " + p
		victim := g.victim(p)
		got, wantErr = mt.Unlink(c, g.root, g.cwd, p), g.m.unlink(p)
		g.checkDead(got, victim, desc)
	case k < 54:
		p := gen.path()
		desc = "rmdir " + p
		victim := g.victim(p)
		got, wantErr = mt.Rmdir(c, g.root, g.cwd, p), g.m.rmdir(p)
		g.checkDead(got, victim, desc)
	case k < 70:
		from, to := gen.path(), gen.path()
		flags := []uint32{0, 0, 0, RenameNoReplace, RenameExchange}[r.Intn(5)]
		desc = fmt.Sprintf("rename %s %s %d", from, to, flags)
		victim := g.victim(to)
		got, wantErr = mt.Rename(c, g.root, g.cwd, from, g.cwd, to, flags), g.m.rename(from, to, flags)
		if flags == 0 && victim.Dentry != nil && victim.Dentry.inode != g.resolvedInode(from) {
			g.checkDead(got, victim, desc)
		}
	default:
		p := gen.path()
		flags := []Flags{0, 0, NoFollow, Directory, NoFollow | Directory}[r.Intn(5)]
		desc = fmt.Sprintf("resolve %s %#x", p, flags)
		res, err := mt.Resolve(c, g.root, g.cwd, p, flags)
		n, merr := g.m.resolve(p, flags&NoFollow == 0, flags&Directory != 0)
		got, wantErr = err, merr
		if err == nil {
			gotWhere = g.where(res)
		}
		if merr == nil {
			wantWhere = g.m.pathOf(n)
		}
	}
	op := strings.Fields(desc)[0]
	g.ops[op+" "+errName(wantErr)]++
	if errName(got) != errName(wantErr) || gotWhere != wantWhere {
		g.t.Errorf("op %d: %.200s: got %s %s, model %s %s", i, desc, errName(got), gotWhere, errName(wantErr), wantWhere)
	}
	if op != "resolve" {
		g.auditCache()
	}
	if i%500 == 499 {
		g.compareTrees()
	}
}

// victim is the entry path names, unfollowed, before an operation that
// may remove it.
func (g *modelRig) victim(path string) Path {
	p, err := g.f.mt.Resolve(rootCreds, g.root, g.cwd, path, NoFollow)
	if err != nil || p == g.root || p == g.cwd {
		return Path{}
	}
	return p
}

func (g *modelRig) resolvedInode(path string) *Inode {
	p, err := g.f.mt.Resolve(rootCreds, g.root, g.cwd, path, NoFollow)
	if err != nil {
		return nil
	}
	return p.Dentry.inode
}

// checkDead checks a successful removal left its victim dead and gone
// from the cache.
func (g *modelRig) checkDead(err error, victim Path, desc string) {
	if err != nil || victim.Dentry == nil {
		return
	}
	d := victim.Dentry
	if !d.Dead() {
		g.t.Errorf("%s: victim %s not dead", desc, g.where(victim))
	}
	if c := d.Parent().cached(d.Name()); c == d {
		g.t.Errorf("%s: victim still cached", desc)
	}
}

// auditCache walks the dentry cache from the process root: every cached
// entry must be live, know its own name and parent, and match the model.
func (g *modelRig) auditCache() {
	var walk func(d *Dentry, n *mnode, path string)
	walk = func(d *Dentry, n *mnode, path string) {
		d.mu.Lock()
		kids := make(map[string]*Dentry, len(d.children))
		for k, v := range d.children {
			kids[k] = v
		}
		d.mu.Unlock()
		for name, c := range kids {
			mn := n.kids[name]
			switch {
			case c.Dead():
				g.t.Errorf("cache: dead entry %s/%s", path, name)
			case c.Name() != name || c.Parent() != d:
				g.t.Errorf("cache: %s/%s names itself %q", path, name, c.Name())
			case mn == nil:
				g.t.Errorf("cache: %s/%s is not in the model", path, name)
			case mn.dir != c.IsDir() || mn.isLink != c.IsSymlink():
				g.t.Errorf("cache: %s/%s has the wrong type", path, name)
			default:
				walk(c, mn, path+"/"+name)
			}
		}
	}
	walk(g.root.Dentry, g.m.root, "")
}

// compareTrees lists the file system through ReadDir (the file system's
// view, not the cache's) and checks it is the model's tree.
func (g *modelRig) compareTrees() {
	var got, want []string
	var list func(p Path, prefix string)
	list = func(p Path, prefix string) {
		var names []string
		err := p.Dentry.ReadDir(2, func(e DirEntry) bool { names = append(names, e.Name); return true })
		if err != nil {
			g.t.Fatalf("readdir %s: %v", prefix, err)
		}
		for _, name := range names {
			c, err := g.f.mt.Resolve(rootCreds, g.root, p, name, NoFollow)
			if err != nil {
				g.t.Fatalf("resolve %s/%s: %v", prefix, name, err)
			}
			got = append(got, describe(prefix+"/"+name, c.Dentry.IsDir(), c.Dentry.IsSymlink(), linkTarget(c)))
			if c.Dentry.IsDir() {
				list(c, prefix+"/"+name)
			}
		}
	}
	list(g.root, "")
	var walk func(n *mnode, prefix string)
	walk = func(n *mnode, prefix string) {
		for name, k := range n.kids {
			want = append(want, describe(prefix+"/"+name, k.dir, k.isLink, k.target))
			if k.dir {
				walk(k, prefix+"/"+name)
			}
		}
	}
	walk(g.m.root, "")
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		g.t.Errorf("trees differ:\nvfs:\n%s\nmodel:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func describe(path string, dir, link bool, target string) string {
	switch {
	case dir:
		return path + "/"
	case link:
		return path + " -> " + target
	}
	return path
}

func linkTarget(p Path) string {
	if !p.Dentry.IsSymlink() {
		return ""
	}
	t, _ := p.Dentry.inode.Ops.Readlink()
	return t
}
