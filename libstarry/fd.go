package libstarry

import (
	"sync"

	"github.com/starry-go/starry/personality/linux/abi"
)

// maxFDs is RLIMIT_NOFILE's usual soft limit.
const maxFDs = 1024

// OpenFile is an open file description: shared by dup'd descriptors, it
// carries the status flags (O_APPEND, O_NONBLOCK...), as struct file does.
type OpenFile struct {
	File
	mu    sync.Mutex
	flags int
}

// Flags returns the status flags (F_GETFL).
func (o *OpenFile) Flags() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.flags
}

type fdSlot struct {
	of      *OpenFile
	cloexec bool
}

// FDTable maps descriptors to open files (Linux's files_struct).
type FDTable struct {
	mu  sync.Mutex
	fds []fdSlot
}

// newConsoleFDs makes a table with 0, 1, 2 on the console.
func newConsoleFDs(c consoleFile) *FDTable {
	t := &FDTable{}
	t.fds = []fdSlot{
		{of: &OpenFile{File: c, flags: abi.O_RDWR}},
		{of: &OpenFile{File: c, flags: abi.O_RDWR}},
		{of: &OpenFile{File: c, flags: abi.O_RDWR}},
	}
	return t
}

// Get returns the open file for fd, or EBADF.
func (t *FDTable) Get(fd int) (*OpenFile, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fd < 0 || fd >= len(t.fds) || t.fds[fd].of == nil {
		return nil, abi.EBADF
	}
	return t.fds[fd].of, nil
}

// Install puts of at the lowest free descriptor >= min (alloc_fd).
func (t *FDTable) Install(of *OpenFile, min int, cloexec bool) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if min < 0 || min >= maxFDs {
		return 0, abi.EINVAL
	}
	for fd := min; fd < maxFDs; fd++ {
		if fd >= len(t.fds) {
			t.fds = append(t.fds, make([]fdSlot, fd+1-len(t.fds))...)
		}
		if t.fds[fd].of == nil {
			t.fds[fd] = fdSlot{of: of, cloexec: cloexec}
			return fd, nil
		}
	}
	return 0, abi.EMFILE
}

// Close frees a descriptor.
func (t *FDTable) Close(fd int) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fd < 0 || fd >= len(t.fds) || t.fds[fd].of == nil {
		return abi.EBADF
	}
	t.fds[fd] = fdSlot{}
	return nil
}

// Dup3 makes newfd refer to oldfd's file (dup2/dup3: do_dup2), closing
// what newfd held. dup3 refuses oldfd == newfd; dup2 does not (the
// personality checks that).
func (t *FDTable) Dup3(oldfd, newfd int, cloexec bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if oldfd < 0 || oldfd >= len(t.fds) || t.fds[oldfd].of == nil {
		return abi.EBADF
	}
	if newfd < 0 || newfd >= maxFDs {
		return abi.EBADF
	}
	if newfd >= len(t.fds) {
		t.fds = append(t.fds, make([]fdSlot, newfd+1-len(t.fds))...)
	}
	t.fds[newfd] = fdSlot{of: t.fds[oldfd].of, cloexec: cloexec}
	return nil
}

// CloseOnExec reports the FD_CLOEXEC bit of fd.
func (t *FDTable) CloseOnExec(fd int) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fd < 0 || fd >= len(t.fds) || t.fds[fd].of == nil {
		return false, abi.EBADF
	}
	return t.fds[fd].cloexec, nil
}

// SetCloseOnExec sets or clears FD_CLOEXEC on fd.
func (t *FDTable) SetCloseOnExec(fd int, on bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fd < 0 || fd >= len(t.fds) || t.fds[fd].of == nil {
		return abi.EBADF
	}
	t.fds[fd].cloexec = on
	return nil
}

// SetFlags changes the settable status flags (F_SETFL: O_APPEND,
// O_NONBLOCK and friends; the access mode stays).
func (o *OpenFile) SetFlags(fl int) {
	const settable = abi.O_APPEND | abi.O_NONBLOCK | abi.O_ASYNC | abi.O_DIRECT | abi.O_NOATIME
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flags = o.flags&^settable | fl&settable
}

// closeAll empties the table (exit_files).
func (t *FDTable) closeAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fds = nil
}

// Open opens a RamFS path (do_sys_openat2). The file system is read-only:
// any write access, O_CREAT of a missing file or O_TRUNC is EROFS.
func (p *Process) Open(dir *Inode, path string, flags int) (*OpenFile, error) {
	n, err := p.Lookup(dir, path, flags&abi.O_NOFOLLOW == 0)
	if err == abi.ENOENT && flags&abi.O_CREAT != 0 {
		return nil, abi.EROFS
	}
	if err != nil {
		return nil, err
	}
	switch {
	case flags&abi.O_CREAT != 0 && flags&abi.O_EXCL != 0:
		return nil, abi.EEXIST
	case n.IsSymlink():
		return nil, abi.ELOOP // O_NOFOLLOW on a link
	case flags&abi.O_DIRECTORY != 0 && !n.IsDir():
		return nil, abi.ENOTDIR
	case flags&abi.O_ACCMODE != abi.O_RDONLY || flags&abi.O_TRUNC != 0:
		if n.IsDir() {
			return nil, abi.EISDIR
		}
		return nil, abi.EROFS
	}
	return &OpenFile{File: &ramFile{n: n}, flags: flags &^ (abi.O_CLOEXEC | abi.O_CREAT | abi.O_EXCL | abi.O_NOCTTY | abi.O_TRUNC)}, nil
}
