package fd

import (
	"sync"
	"sync/atomic"

	"github.com/starry-go/starry/personality/linux/abi"
)

type slot struct {
	of      *OpenFile
	cloexec bool
}

// Table maps descriptors to open file descriptions (files_struct). It
// holds one reference to each description it names; references are
// dropped after the table's lock is let go, so a Release never runs
// under it.
type Table struct {
	mu    sync.Mutex
	fds   []slot
	users atomic.Int32 // processes sharing it (CLONE_FILES)
}

// NewTable makes an empty table with one user.
func NewTable() *Table {
	t := &Table{}
	t.users.Store(1)
	return t
}

// Share adds a user: a clone with CLONE_FILES uses the same table.
func (t *Table) Share() *Table {
	t.users.Add(1)
	return t
}

// Put drops a user; the last closes every descriptor (exit_files).
func (t *Table) Put() {
	if t.users.Add(-1) == 0 {
		t.CloseAll()
	}
}

// Shared reports whether another process uses the table too (exec
// then takes a copy of its own: unshare_files).
func (t *Table) Shared() bool { return t.users.Load() > 1 }

// Get returns the open file for fd with a reference the caller drops
// (fdget and fdput), or EBADF.
func (t *Table) Get(fd int) (*OpenFile, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fd < 0 || fd >= len(t.fds) || t.fds[fd].of == nil {
		return nil, abi.EBADF
	}
	of := t.fds[fd].of
	of.IncRef()
	return of, nil
}

// Install puts of at the lowest free descriptor >= min and below limit,
// the caller's RLIMIT_NOFILE (alloc_fd: EMFILE when there is none); the
// table takes over the caller's reference, and drops it on failure.
func (t *Table) Install(of *OpenFile, min, limit int, cloexec bool) (int, error) {
	t.mu.Lock()
	fd, err := t.installLocked(of, min, limit, cloexec)
	t.mu.Unlock()
	if err != nil {
		of.DecRef()
	}
	return fd, err
}

func (t *Table) installLocked(of *OpenFile, min, limit int, cloexec bool) (int, error) {
	if min < 0 {
		return 0, abi.EINVAL
	}
	for fd := min; fd < limit; fd++ {
		if fd >= len(t.fds) {
			t.fds = append(t.fds, make([]slot, fd+1-len(t.fds))...)
		}
		if t.fds[fd].of == nil {
			t.fds[fd] = slot{of: of, cloexec: cloexec}
			return fd, nil
		}
	}
	return 0, abi.EMFILE
}

// Room reports whether a descriptor below limit is free: open takes
// one (get_unused_fd_flags) before it resolves the path, so a full
// table is EMFILE even for a path that does not exist.
func (t *Table) Room(limit int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for fd := 0; fd < limit; fd++ {
		if fd >= len(t.fds) || t.fds[fd].of == nil {
			return true
		}
	}
	return false
}

// Dup installs another descriptor for fd's file at the lowest free one
// >= min and below limit (F_DUPFD, F_DUPFD_CLOEXEC, dup).
func (t *Table) Dup(fd, min, limit int, cloexec bool) (int, error) {
	of, err := t.Get(fd)
	if err != nil {
		return 0, err
	}
	return t.Install(of, min, limit, cloexec)
}

// Close frees a descriptor.
func (t *Table) Close(fd int) error {
	t.mu.Lock()
	if fd < 0 || fd >= len(t.fds) || t.fds[fd].of == nil {
		t.mu.Unlock()
		return abi.EBADF
	}
	of := t.fds[fd].of
	t.fds[fd] = slot{}
	t.mu.Unlock()
	t.closed(of)
	return nil
}

// closed is filp_close for one descriptor the table no longer holds:
// the file hears that this table let go of it (its record locks go),
// then the reference goes.
func (t *Table) closed(of *OpenFile) {
	if f, ok := of.File.(Flusher); ok {
		f.Flush(t)
	}
	of.DecRef()
}

// Size is how many descriptors the table has room for now (max_fds:
// 64 at first, doubling as it grows), which select cuts its nfds to.
func (t *Table) Size() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 64
	for n < len(t.fds) {
		n *= 2
	}
	return n
}

// Dup3 makes newfd refer to oldfd's file (dup2/dup3: do_dup2), closing
// what newfd held. dup3 refuses oldfd == newfd; dup2 does not (the
// personality checks that). A newfd at or past limit, the caller's
// RLIMIT_NOFILE, is EBADF.
func (t *Table) Dup3(oldfd, newfd, limit int, cloexec bool) error {
	t.mu.Lock()
	if oldfd < 0 || oldfd >= len(t.fds) || t.fds[oldfd].of == nil || newfd < 0 || newfd >= limit {
		t.mu.Unlock()
		return abi.EBADF
	}
	if newfd >= len(t.fds) {
		t.fds = append(t.fds, make([]slot, newfd+1-len(t.fds))...)
	}
	old := t.fds[newfd].of
	of := t.fds[oldfd].of
	of.IncRef()
	t.fds[newfd] = slot{of: of, cloexec: cloexec}
	t.mu.Unlock()
	if old != nil {
		t.closed(old)
	}
	return nil
}

// CloseOnExec reports the FD_CLOEXEC bit of fd.
func (t *Table) CloseOnExec(fd int) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fd < 0 || fd >= len(t.fds) || t.fds[fd].of == nil {
		return false, abi.EBADF
	}
	return t.fds[fd].cloexec, nil
}

// SetCloseOnExec sets or clears FD_CLOEXEC on fd.
func (t *Table) SetCloseOnExec(fd int, on bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fd < 0 || fd >= len(t.fds) || t.fds[fd].of == nil {
		return abi.EBADF
	}
	t.fds[fd].cloexec = on
	return nil
}

// CloseRange closes (or, with cloexecOnly, marks close-on-exec) every
// descriptor in [first, last] (close_range).
func (t *Table) CloseRange(first, last uint, cloexecOnly bool) {
	t.mu.Lock()
	var drop []*OpenFile
	for fd := first; fd <= last && fd < uint(len(t.fds)); fd++ {
		switch s := &t.fds[fd]; {
		case s.of == nil:
		case cloexecOnly:
			s.cloexec = true
		default:
			drop = append(drop, s.of)
			*s = slot{}
		}
	}
	t.mu.Unlock()
	for _, of := range drop {
		t.closed(of)
	}
}

// Fork copies the table for a new process (dup_fd): the descriptors and
// their close-on-exec bits, each sharing its open file description.
func (t *Table) Fork() *Table {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := &Table{fds: append([]slot(nil), t.fds...)}
	n.users.Store(1)
	for _, s := range n.fds {
		if s.of != nil {
			s.of.IncRef()
		}
	}
	return n
}

// CloseExec closes the close-on-exec descriptors (do_close_on_exec);
// the files are released after the lock is let go.
func (t *Table) CloseExec() {
	t.mu.Lock()
	var drop []*OpenFile
	for i, s := range t.fds {
		if s.of != nil && s.cloexec {
			drop = append(drop, s.of)
			t.fds[i] = slot{}
		}
	}
	t.mu.Unlock()
	for _, of := range drop {
		t.closed(of)
	}
}

// CloseAll empties the table (exit_files).
func (t *Table) CloseAll() {
	t.CloseRange(0, ^uint(0), false)
}
