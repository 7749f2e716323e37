package linux

import (
	"runtime"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

var threadRows = []Syscall{
	{Nr: abi.SYS_ARCH_PRCTL, Name: "arch_prctl", Fn: sysArchPrctl, Support: Supported},
	{Nr: abi.SYS_SET_TID_ADDRESS, Name: "set_tid_address", Fn: sysSetTidAddress, Support: Supported},
	{Nr: abi.SYS_SET_ROBUST_LIST, Name: "set_robust_list", Fn: sysSetRobustList, Support: Supported},
	{Nr: abi.SYS_GET_ROBUST_LIST, Name: "get_robust_list", Fn: sysGetRobustList, Support: Supported},
	{Nr: abi.SYS_RSEQ, Name: "rseq", Support: Refused, Errno: abi.ENOSYS, Note: "restartable sequences are optional; glibc falls back"},
	{Nr: abi.SYS_FUTEX, Name: "futex", Fn: sysFutex, Support: Partial, Note: "all but WAIT_REQUEUE_PI and CMP_REQUEUE_PI (ENOSYS; glibc and musl do not use them); PI locks keep the protocol but no priorities exist to inherit"},
	{Nr: abi.SYS_SCHED_YIELD, Name: "sched_yield", Fn: sysSchedYield, Support: Supported},
	{Nr: abi.SYS_GETTID, Name: "gettid", Fn: sysGettid, Support: Supported},
	{Nr: abi.SYS_SCHED_GETAFFINITY, Name: "sched_getaffinity", Fn: sysSchedGetaffinity, Support: Partial, Note: "one CPU: the kernel schedules user threads on CPU 0"},
	{Nr: abi.SYS_CLONE, Name: "clone", Fn: sysClone, Support: Partial, Note: "threads and processes; CLONE_NEWNS copies the mount namespace; other namespaces are EPERM without CAP_SYS_ADMIN, else EINVAL (CLONE_NEWUSER always EINVAL); CLONE_PIDFD is EINVAL"},
	{Nr: abi.SYS_CLONE3, Name: "clone3", Fn: sysClone3, Support: Partial, Note: "as clone; set_tid and CLONE_INTO_CGROUP are EINVAL"},
	{Nr: abi.SYS_FORK, Name: "fork", Fn: sysFork, Support: Supported},
	{Nr: abi.SYS_VFORK, Name: "vfork", Fn: sysVfork, Support: Supported},
}

// arch_prctl codes (arch/x86/include/uapi/asm/prctl.h).
const (
	archSetGS = 0x1001
	archSetFS = 0x1002
	archGetFS = 0x1003
	archGetGS = 0x1004
)

// sysArchPrctl sets and reads the FS and GS bases (TLS); a base outside
// the user half is EPERM, as do_arch_prctl_64 answers.
func sysArchPrctl(t *libstarry.Thread, a Args) (uint64, error) {
	r := t.Regs()
	switch a[0] {
	case archSetFS, archSetGS:
		if a[1] >= exo.UserTop {
			return 0, abi.EPERM
		}
		if a[0] == archSetFS {
			r.FSBase = a[1]
		} else {
			r.GSBase = a[1]
		}
		return 0, nil
	case archGetFS:
		return 0, putU64(t, a[1], r.FSBase)
	case archGetGS:
		return 0, putU64(t, a[1], r.GSBase)
	}
	return 0, abi.EINVAL
}

func sysSetTidAddress(t *libstarry.Thread, a Args) (uint64, error) {
	t.ClearTID = uintptr(a[0])
	return uint64(t.TID()), nil
}

// robustListHeadSize is sizeof(struct robust_list_head).
const robustListHeadSize = 24

// sysSetRobustList records the list the thread's exit walks.
func sysSetRobustList(t *libstarry.Thread, a Args) (uint64, error) {
	if a[1] != robustListHeadSize {
		return 0, abi.EINVAL
	}
	t.Robust = uintptr(a[0])
	return 0, nil
}

// sysGetRobustList reads a thread's list head (pid 0: the caller) into
// *head_ptr and its size into *len_ptr.
func sysGetRobustList(t *libstarry.Thread, a Args) (uint64, error) {
	target := t
	if pid := int(int32(a[0])); pid != 0 {
		if target = t.P.ThreadByTID(pid); target == nil {
			return 0, abi.ESRCH
		}
	}
	if err := putU64(t, a[1], uint64(target.Robust)); err != nil {
		return 0, err
	}
	return 0, putU64(t, a[2], robustListHeadSize)
}

func sysSchedYield(t *libstarry.Thread, a Args) (uint64, error) {
	runtime.Gosched()
	return 0, nil
}

func sysGettid(t *libstarry.Thread, a Args) (uint64, error) { return uint64(t.TID()), nil }

// sysClone is clone(flags, stack, parent_tid, child_tid, tls) in the
// x86-64 argument order; the low byte of flags is the exit signal.
func sysClone(t *libstarry.Thread, a Args) (uint64, error) {
	tid, err := t.Clone(libstarry.CloneArgs{Flags: a[0] &^ 0xff, ExitSignal: int(a[0] & 0xff),
		Stack: a[1], ParentTID: a[2], ChildTID: a[3], TLS: a[4]})
	return uint64(tid), err
}

func sysFork(t *libstarry.Thread, a Args) (uint64, error) {
	return sysClone(t, Args{uint64(abi.SIGCHLD)})
}

func sysVfork(t *libstarry.Thread, a Args) (uint64, error) {
	return sysClone(t, Args{abi.CLONE_VM | abi.CLONE_VFORK | uint64(abi.SIGCHLD)})
}

// cloneArgsSize is sizeof(struct clone_args) as far as this kernel reads
// it (through cgroup: CLONE_ARGS_SIZE_VER2); VER0 is the least accepted.
const (
	cloneArgsSize = 88
	cloneArgsVer0 = 64
)

// sysClone3 is clone3(struct clone_args *, size): flags, pidfd,
// child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
// set_tid_size, cgroup. A larger struct is fine if its tail is zero
// (copy_struct_from_user); the stack is its lowest address and size.
func sysClone3(t *libstarry.Thread, a Args) (uint64, error) {
	size := a[1]
	switch {
	case size < cloneArgsVer0:
		return 0, abi.EINVAL
	case size > 4096:
		return 0, abi.E2BIG
	}
	b := make([]byte, size)
	if err := t.P.MM.CopyIn(uintptr(a[0]), b); err != nil {
		return 0, err
	}
	for _, c := range b[min(size, cloneArgsSize):] {
		if c != 0 {
			return 0, abi.E2BIG
		}
	}
	b = append(b, make([]byte, cloneArgsSize)...)
	f := func(i int) uint64 { return le.Uint64(b[8*i:]) }
	flags, exitSig, stack, stackSize := f(0), f(4), f(5), f(6)
	switch {
	case exitSig > libstarry.NSIG || f(8) != 0 || f(9) != 0 || f(10) != 0:
		return 0, abi.EINVAL
	case stack == 0 && stackSize != 0, stack != 0 && stackSize == 0:
		return 0, abi.EINVAL
	}
	if stack != 0 {
		stack += stackSize
	}
	tid, err := t.Clone(libstarry.CloneArgs{Flags: flags, ExitSignal: int(exitSig), Stack: stack,
		ChildTID: f(2), ParentTID: f(3), TLS: f(7)})
	return uint64(tid), err
}

// sysSchedGetaffinity reports CPU 0 only (the Go runtime sizes
// GOMAXPROCS by it): the mask is one 64-bit word, as Linux writes
// nr_cpu_ids bits rounded up to longs, and the call returns its size.
// sysSchedGetaffinity: the length (a whole number of longs covering
// the CPUs) first, then the thread, which may be any thread's ID.
func sysSchedGetaffinity(t *libstarry.Thread, a Args) (uint64, error) {
	if a[1] < 8 || a[1]%8 != 0 {
		return 0, abi.EINVAL
	}
	if pid := int(a[0]); pid != 0 && t.P.Kernel().Thread(pid) == nil {
		return 0, abi.ESRCH
	}
	var mask [8]byte
	mask[0] = 1
	return 8, t.P.MM.CopyOut(uintptr(a[2]), mask[:])
}
