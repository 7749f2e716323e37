package tmpfs

import "sort"

// entry is one name in a directory. Its cookie, the directory's count of
// names made so far when it was made, is its ReadDir position: it never
// changes, so a listing in progress neither skips nor repeats an entry
// because others came or went (Linux's stable offsets, simple_offset).
type entry struct {
	name   string
	node   *Node
	cookie int64
	gone   bool
}

// dirData is a directory's entries: by name, and in cookie order for
// ReadDir. Removed entries stay in order, marked, until they are many.
type dirData struct {
	byName map[string]*entry
	order  []*entry
	next   int64
	gone   int
}

func (d *dirData) add(name string, k *Node) {
	e := &entry{name: name, node: k, cookie: d.next}
	d.next++
	d.byName[name] = e
	d.order = append(d.order, e)
}

func (d *dirData) remove(name string) *Node {
	e := d.byName[name]
	delete(d.byName, name)
	e.gone = true
	if d.gone++; d.gone > 32 && d.gone*2 > len(d.order) {
		d.compact()
	}
	return e.node
}

// compact drops the removed entries from order, into a new slice: a
// ReadDir may still be reading the old one.
func (d *dirData) compact() {
	live := make([]*entry, 0, len(d.byName))
	for _, e := range d.order {
		if !e.gone {
			live = append(live, e)
		}
	}
	d.order, d.gone = live, 0
}

// from is the index in order of the first entry whose cookie is off or
// more.
func (d *dirData) from(off int64) int {
	return sort.Search(len(d.order), func(i int) bool { return d.order[i].cookie >= off })
}
