package tmpfs

import (
	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Frame is a page fault's view of the file (shmem_fault, and mm.Object's
// Frame): the frame holding page pgoff, a zero one taken for a hole,
// granted to env so that it may map it. A page at or past the end of the
// file is ENXIO (the caller's SIGBUS); no frame is ENOSPC at the limit
// (SIGBUS too) or ENOMEM when the machine has none (VM_FAULT_OOM). A
// write fault through a shared mapping (write) updates mtime and ctime,
// as fault_dirty_shared_page does for a file system without
// page_mkwrite.
//
// Truncating or punching the page later drops only the file's hold on
// the frame: an Env that mapped it keeps its grant until it lets go, so
// the caller must unmap the file's pages past a new end itself (Linux's
// unmap_mapping_range) to turn later accesses into SIGBUS.
func (n *Node) Frame(env *exo.Env, pgoff uint64, write bool) (exo.Frame, error) {
	if !n.isReg() {
		return 0, abi.ENODEV
	}
	f, ok, err := n.present(env, pgoff)
	if err == nil && !ok {
		f, err = n.fill(env, pgoff)
	}
	if err == nil && write {
		n.touch(true, true)
	}
	return f, err
}

// present grants a page that has a frame, under the shared lock, so
// threads faulting on the same file do not wait for each other; ok is
// false for a hole.
func (n *Node) present(env *exo.Env, pgoff uint64) (f exo.Frame, ok bool, err error) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if pgoff >= pagesIn(n.size) {
		return 0, false, abi.ENXIO
	}
	if f, ok = n.pages.get(pgoff); !ok {
		return 0, false, nil
	}
	return f, true, n.grant(f, env)
}

// fill takes a frame for a hole, looking again under the exclusive lock
// since another fault may have filled it meanwhile.
func (n *Node) fill(env *exo.Env, pgoff uint64) (exo.Frame, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if pgoff >= pagesIn(n.size) {
		return 0, abi.ENXIO
	}
	f, ok := n.pages.get(pgoff)
	if !ok {
		var err error
		if f, err = n.fs.allocFrame(); err != nil {
			return 0, err
		}
		n.pages.set(pgoff, f)
	}
	return f, n.grant(f, env)
}

// grant shares f with env; a dying env is ENOMEM, what mm makes of a
// failed fault.
func (n *Node) grant(f exo.Frame, env *exo.Env) error {
	if n.fs.pager.Share(f, env) != nil {
		return abi.ENOMEM
	}
	return nil
}
