package flock

// waitRec is one blocked request in the deadlock graph: owner waits
// until each of blockers lets go (Linux's blocked request in
// blocked_hash, whose fl_blocker chain what_owner_is_waiting_for
// follows).
type waitRec struct {
	owner    any
	blockers []any
}

// block checks whether a POSIX request of owner that must wait for the
// owners of conflicting locks would close a cycle of owners waiting on
// each other (posix_locks_deadlock); if not, it enters the wait in the
// graph, and in f's list of waiters so that a change on f takes it out
// again. ofd is the request's kind: OFD requests are never refused, as
// Linux's detector does not try them (they are not owned by a process,
// per se). Only waits on POSIX locks (posixBlockers) become edges, as
// __locks_insert_block enters only those in blocked_hash.
//
// Linux follows only the first conflicting lock and gives up after
// MAX_DEADLK_ITERATIONS steps; here every conflicting owner is an edge
// and the walk keeps a visited set, so any cycle is found and the walk
// still ends.
func (f *File) block(owner any, ofd bool, conflicting, posixBlockers []any) (rec *waitRec, deadlock bool) {
	m := f.m
	m.gmu.Lock()
	defer m.gmu.Unlock()
	if !ofd && m.reaches(conflicting, owner) {
		return nil, true
	}
	blockers := posixBlockers
	if len(blockers) == 0 {
		return nil, false
	}
	rec = &waitRec{owner: owner, blockers: blockers}
	set := m.waiting[owner]
	if set == nil {
		set = map[*waitRec]struct{}{}
		m.waiting[owner] = set
	}
	set[rec] = struct{}{}
	if f.recs == nil {
		f.recs = map[*waitRec]struct{}{}
	}
	f.recs[rec] = struct{}{}
	return rec, false
}

// reaches says whether an owner of from is target or waits, through the
// graph, on target. Called with gmu held.
func (m *Manager) reaches(from []any, target any) bool {
	seen := map[any]bool{}
	queue := append([]any(nil), from...)
	for len(queue) > 0 {
		o := queue[0]
		queue = queue[1:]
		if o == target {
			return true
		}
		if seen[o] {
			continue
		}
		seen[o] = true
		for r := range m.waiting[o] {
			queue = append(queue, r.blockers...)
		}
	}
	return false
}

// unblock takes rec out of the graph (__locks_delete_block). Called with
// gmu held; rec may already be gone.
func (m *Manager) unblock(r *waitRec) {
	set := m.waiting[r.owner]
	delete(set, r)
	if len(set) == 0 {
		delete(m.waiting, r.owner)
	}
}
