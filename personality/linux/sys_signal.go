package linux

import (
	"encoding/binary"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

var signalRows = []Syscall{
	{Nr: abi.SYS_RT_SIGACTION, Name: "rt_sigaction", Fn: sysRtSigaction, Support: Supported},
	{Nr: abi.SYS_RT_SIGPROCMASK, Name: "rt_sigprocmask", Fn: sysRtSigprocmask, Support: Supported},
	{Nr: abi.SYS_RT_SIGRETURN, Name: "rt_sigreturn", Fn: sysRtSigreturn, Support: Supported},
	{Nr: abi.SYS_SIGALTSTACK, Name: "sigaltstack", Fn: sysSigaltstack, Support: Supported},
	{Nr: abi.SYS_PAUSE, Name: "pause", Fn: sysPause, Support: Supported},
	{Nr: abi.SYS_RT_SIGSUSPEND, Name: "rt_sigsuspend", Fn: sysRtSigsuspend, Support: Supported},
	{Nr: abi.SYS_RT_SIGPENDING, Name: "rt_sigpending", Fn: sysRtSigpending, Support: Supported},
	{Nr: abi.SYS_KILL, Name: "kill", Fn: sysKill, Support: Supported},
	{Nr: abi.SYS_TGKILL, Name: "tgkill", Fn: sysTgkill, Support: Supported},
	{Nr: abi.SYS_TKILL, Name: "tkill", Fn: sysTkill, Support: Supported},
	{Nr: abi.SYS_RT_SIGQUEUEINFO, Name: "rt_sigqueueinfo", Fn: sysRtSigqueueinfo, Support: Supported},
	{Nr: abi.SYS_RT_TGSIGQUEUEINFO, Name: "rt_tgsigqueueinfo", Fn: sysRtTgsigqueueinfo, Support: Supported},
}

// sigsetSize is the kernel's sigset_t: 64 signals.
const sigsetSize = 8

// sysRtSigaction reads and writes struct k_sigaction (handler, flags,
// restorer, mask: 32 bytes).
func sysRtSigaction(t *libstarry.Thread, a Args) (uint64, error) {
	if a[3] != sigsetSize {
		return 0, abi.EINVAL
	}
	var act *libstarry.SigAction
	if a[1] != 0 {
		var b [32]byte
		if err := t.P.MM.CopyIn(uintptr(a[1]), b[:]); err != nil {
			return 0, err
		}
		le := binary.LittleEndian
		act = &libstarry.SigAction{Handler: le.Uint64(b[0:]), Flags: le.Uint64(b[8:]),
			Restorer: le.Uint64(b[16:]), Mask: le.Uint64(b[24:])}
	}
	old, err := t.P.SigAction(int(a[0]), act)
	if err != nil || a[2] == 0 {
		return 0, err
	}
	var b [32]byte
	le := binary.LittleEndian
	le.PutUint64(b[0:], old.Handler)
	le.PutUint64(b[8:], old.Flags)
	le.PutUint64(b[16:], old.Restorer)
	le.PutUint64(b[24:], old.Mask)
	return 0, t.P.MM.CopyOut(uintptr(a[2]), b[:])
}

func sysRtSigprocmask(t *libstarry.Thread, a Args) (uint64, error) {
	if a[3] != sigsetSize {
		return 0, abi.EINVAL
	}
	var set *uint64
	if a[1] != 0 {
		v, err := getU64(t, a[1])
		if err != nil {
			return 0, err
		}
		set = &v
	}
	old, err := t.SigProcMask(int(a[0]), set)
	if err != nil || a[2] == 0 {
		return 0, err
	}
	return 0, putU64(t, a[2], old)
}

func sysRtSigreturn(t *libstarry.Thread, a Args) (uint64, error) {
	if err := t.Sigreturn(); err != nil {
		t.P.Exit(libstarry.ExitStatus{Signal: libstarry.SIGSEGV}) // a bad frame: force SIGSEGV
	}
	return 0, errKeepRegs
}

// sysSigaltstack reads and writes stack_t (sp, flags, size: 24 bytes).
func sysSigaltstack(t *libstarry.Thread, a Args) (uint64, error) {
	le := binary.LittleEndian
	var ss *libstarry.AltStack
	if a[0] != 0 {
		var b [24]byte
		if err := t.P.MM.CopyIn(uintptr(a[0]), b[:]); err != nil {
			return 0, err
		}
		ss = &libstarry.AltStack{SP: le.Uint64(b[0:]), Flags: int32(le.Uint32(b[8:])), Size: le.Uint64(b[16:])}
	}
	old, err := t.SigAltStack(ss)
	if err != nil || a[1] == 0 {
		return 0, err
	}
	var b [24]byte
	le.PutUint64(b[0:], old.SP)
	le.PutUint32(b[8:], uint32(old.Flags))
	le.PutUint64(b[16:], old.Size)
	return 0, t.P.MM.CopyOut(uintptr(a[1]), b[:])
}

func sysKill(t *libstarry.Thread, a Args) (uint64, error) {
	return 0, t.KillPID(int(int32(a[0])), int(int32(a[1])))
}

// sysTgkill: a tgid or tid that is not positive is EINVAL (a tgid of -1
// would otherwise mean tkill's "any process").
func sysTgkill(t *libstarry.Thread, a Args) (uint64, error) {
	if int32(a[0]) <= 0 || int32(a[1]) <= 0 {
		return 0, abi.EINVAL
	}
	return 0, t.KillThread(int(int32(a[0])), int(int32(a[1])), int(int32(a[2])))
}

func sysTkill(t *libstarry.Thread, a Args) (uint64, error) {
	return 0, t.KillThread(-1, int(int32(a[0])), int(int32(a[1])))
}

// sysPause sleeps until a signal arrives (sys_pause): the answer is
// always EINTR, after which the signal is delivered on the way out.
func sysPause(t *libstarry.Thread, a Args) (uint64, error) {
	return 0, t.Pause()
}

// sysRtSigsuspend waits with a temporary signal mask for a signal.
func sysRtSigsuspend(t *libstarry.Thread, a Args) (uint64, error) {
	if a[1] != sigsetSize {
		return 0, abi.EINVAL
	}
	mask, err := getU64(t, a[0])
	if err != nil {
		return 0, err
	}
	return 0, t.SigSuspend(mask)
}

func sysRtSigpending(t *libstarry.Thread, a Args) (uint64, error) {
	if a[1] > sigsetSize {
		return 0, abi.EINVAL
	}
	var b [8]byte
	le.PutUint64(b[:], t.Pending())
	return 0, t.P.MM.CopyOut(uintptr(a[0]), b[:a[1]])
}

// sysRtSigqueueinfo and sysRtTgsigqueueinfo send a siginfo_t the caller
// wrote (copy_siginfo_from_user: EFAULT first).
func sysRtSigqueueinfo(t *libstarry.Thread, a Args) (uint64, error) {
	info, err := userSigInfo(t, a[2])
	if err != nil {
		return 0, err
	}
	return 0, t.SigQueue(int(int32(a[0])), int(int32(a[1])), info)
}

func sysRtTgsigqueueinfo(t *libstarry.Thread, a Args) (uint64, error) {
	info, err := userSigInfo(t, a[3])
	if err != nil {
		return 0, err
	}
	return 0, t.SigQueueThread(int(int32(a[0])), int(int32(a[1])), int(int32(a[2])), info)
}

func userSigInfo(t *libstarry.Thread, va uint64) (libstarry.SigInfo, error) {
	b := make([]byte, abi.SiginfoSize)
	if err := t.P.MM.CopyIn(uintptr(va), b); err != nil {
		return libstarry.SigInfo{}, err
	}
	return parseSigInfo(b), nil
}
