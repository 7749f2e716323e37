package libstarry

import "github.com/starry-go/starry/personality/linux/abi"

// unshareKnown are the flags unshare(2) knows (check_unshare_flags).
const unshareKnown = abi.CLONE_THREAD | abi.CLONE_FS | abi.CLONE_NEWNS | abi.CLONE_SIGHAND | abi.CLONE_VM |
	abi.CLONE_FILES | abi.CLONE_SYSVSEM | abi.CLONE_NEWUTS | abi.CLONE_NEWIPC | abi.CLONE_NEWNET |
	abi.CLONE_NEWUSER | abi.CLONE_NEWPID | abi.CLONE_NEWCGROUP | cloneNewTime

// cloneNewTime is CLONE_NEWTIME (0x80, which clone itself cannot take).
const cloneNewTime = 0x80

// cloneNewAll are the namespace flags.
const cloneNewAll = abi.CLONE_NEWNS | abi.CLONE_NEWUTS | abi.CLONE_NEWIPC | abi.CLONE_NEWNET |
	abi.CLONE_NEWUSER | abi.CLONE_NEWPID | abi.CLONE_NEWCGROUP | cloneNewTime

// Unshare is unshare(2) (ksys_unshare): the implied flags, then
// check_unshare_flags (unknown flags; CLONE_THREAD, CLONE_SIGHAND and
// CLONE_VM only for a lone thread whose handlers and memory nobody
// shares, which leaves nothing to do). CLONE_FILES gives the process a
// descriptor table of its own, CLONE_FS its own root, working directory
// and umask, CLONE_SYSVSEM runs its semaphore undos as exit would.
// CLONE_NEWNS gives it a copy of its mount namespace (mountns.go). The
// other namespaces are not implemented: without CAP_SYS_ADMIN they are
// EPERM, as on Linux; with it EINVAL.
func (t *Thread) Unshare(flags uint64) error {
	p := t.P
	if flags&abi.CLONE_NEWUSER != 0 {
		flags |= abi.CLONE_THREAD | abi.CLONE_FS
	}
	if flags&abi.CLONE_VM != 0 {
		flags |= abi.CLONE_SIGHAND
	}
	if flags&abi.CLONE_SIGHAND != 0 {
		flags |= abi.CLONE_THREAD
	}
	if flags&abi.CLONE_NEWNS != 0 {
		flags |= abi.CLONE_FS
	}
	if flags&^unshareKnown != 0 {
		return abi.EINVAL
	}
	if flags&(abi.CLONE_THREAD|abi.CLONE_SIGHAND|abi.CLONE_VM) != 0 {
		p.mu.Lock()
		n, shared := len(p.threads), p.as.users.Load() > 1
		p.mu.Unlock()
		// Handlers are shared only by CLONE_SIGHAND, which needs CLONE_VM:
		// a shared address space stands for both.
		if n > 1 || flags&(abi.CLONE_SIGHAND|abi.CLONE_VM) != 0 && shared {
			return abi.EINVAL
		}
	}
	if flags&cloneNewAll != 0 {
		if !p.Cred().Capable(CapSysAdmin) {
			return abi.EPERM
		}
		if flags&(cloneNewAll&^abi.CLONE_NEWNS) != 0 {
			return abi.EINVAL // no namespaces but the mount one
		}
	}
	if flags&abi.CLONE_FS != 0 {
		p.fs = p.fs.copy()
	}
	if flags&abi.CLONE_NEWNS != 0 {
		p.fs.copyMountNS()
	}
	if flags&abi.CLONE_FILES != 0 {
		p.UnshareFiles()
	}
	if flags&abi.CLONE_SYSVSEM != 0 {
		p.exitSem()
	}
	return nil
}
