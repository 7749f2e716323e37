package linux

import (
	"encoding/binary"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Process tracing: ptrace(2)'s requests decoded into libstarry's
// tracing (libstarry/ptrace.go), in sys_ptrace's order: TRACEME, then
// the target, then ATTACH/SEIZE, then the check that the caller traces a
// stopped target, then the request.

var ptraceRows = []Syscall{
	{Nr: abi.SYS_PTRACE, Name: "ptrace", Fn: sysPtrace, Support: Partial, Note: "TRACEME, ATTACH, SEIZE, INTERRUPT, CONT, SYSCALL, SINGLESTEP, DETACH, KILL, PEEK/POKE TEXT, DATA and USER, GET/SETREGS, GET/SETFPREGS, GET/SETREGSET (NT_PRSTATUS, NT_PRFPREG), GET/SETSIGINFO, GET/SETSIGMASK, SETOPTIONS (TRACESYSGOOD, TRACEFORK, TRACEVFORK, TRACECLONE, TRACEEXEC, EXITKILL), GETEVENTMSG; LISTEN, debug registers, XSTATE and the other options are EIO/EINVAL; a traced group stop is not reported to the tracer"},
}

var ptracePrototypes = map[string]string{
	"ptrace": "lill", // request, pid, addr, data
}

// Requests of ptrace(2) (include/uapi/linux/ptrace.h).
const (
	ptTraceMe     = 0
	ptPeekText    = 1
	ptPeekData    = 2
	ptPeekUser    = 3
	ptPokeText    = 4
	ptPokeData    = 5
	ptPokeUser    = 6
	ptCont        = 7
	ptKill        = 8
	ptSingleStep  = 9
	ptGetRegs     = 12
	ptSetRegs     = 13
	ptGetFPRegs   = 14
	ptSetFPRegs   = 15
	ptAttach      = 16
	ptDetach      = 17
	ptSyscall     = 24
	ptSetOptions  = 0x4200
	ptGetEventMsg = 0x4201
	ptGetSigInfo  = 0x4202
	ptSetSigInfo  = 0x4203
	ptGetRegSet   = 0x4204
	ptSetRegSet   = 0x4205
	ptSeize       = 0x4206
	ptInterrupt   = 0x4207
	ptGetSigMask  = 0x420a
	ptSetSigMask  = 0x420b

	ntPrStatus = 1 // regsets: struct user_regs_struct
	ntPrFPReg  = 2 // struct user_i387_struct, the FXSAVE image

	userRegsSize = 27 * 8 // struct user_regs_struct
	userDebugReg = 848    // offsetof(struct user, u_debugreg)
	userSize     = 912    // sizeof(struct user)
)

func sysPtrace(t *libstarry.Thread, a Args) (uint64, error) {
	req, pid, addr, data := a[0], int(int32(a[1])), a[2], a[3]
	if req == ptTraceMe {
		return 0, t.PtraceTraceMe()
	}
	if pid <= 0 || t.P.Kernel().Thread(pid) == nil {
		return 0, abi.ESRCH
	}
	switch req {
	case ptAttach:
		return 0, t.PtraceAttach(pid, false, 0)
	case ptSeize:
		if addr != 0 || data&^ptraceOptionMask != 0 {
			return 0, abi.EIO
		}
		return 0, t.PtraceAttach(pid, true, data)
	}
	target, err := t.Tracee(pid, req != ptKill && req != ptInterrupt)
	if err != nil {
		return 0, err
	}
	return ptraceRequest(t, target, req, addr, data)
}

// ptraceOptionMask is PTRACE_O_MASK: every option Linux knows.
const ptraceOptionMask = 0x003000ff

// ptraceRequest serves a request on a tracee (arch_ptrace, then
// ptrace_request); unknown requests are EIO.
func ptraceRequest(t, target *libstarry.Thread, req, addr, data uint64) (uint64, error) {
	switch req {
	case ptPeekText, ptPeekData:
		var b [8]byte
		if target.P.MM.CopyIn(uintptr(addr), b[:]) != nil {
			return 0, abi.EIO
		}
		return 0, putU64(t, data, binary.LittleEndian.Uint64(b[:]))
	case ptPokeText, ptPokeData:
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], data)
		if target.P.MM.ForceCopyOut(uintptr(addr), b[:]) != nil {
			return 0, abi.EIO
		}
		return 0, nil
	case ptPeekUser:
		v, err := peekUser(target, addr)
		if err != nil {
			return 0, err
		}
		return 0, putU64(t, data, v)
	case ptPokeUser:
		if addr&7 != 0 || addr >= userRegsSize {
			return 0, abi.EIO // debug registers are not implemented
		}
		return 0, putReg(target, int(addr/8), data)
	case ptCont, ptSyscall, ptSingleStep, ptDetach:
		return 0, ptraceResume(t, target, req, data)
	case ptKill:
		target.P.Kill(libstarry.SIGKILL)
		return 0, nil
	case ptInterrupt:
		return 0, t.PtraceInterrupt(target)
	case ptGetRegs:
		return 0, t.P.MM.CopyOut(uintptr(data), userRegs(target))
	case ptSetRegs:
		b := make([]byte, userRegsSize)
		if err := t.P.MM.CopyIn(uintptr(data), b); err != nil {
			return 0, err
		}
		return 0, setUserRegs(target, b)
	case ptGetFPRegs:
		return 0, t.P.MM.CopyOut(uintptr(data), target.Regs().FX[:])
	case ptSetFPRegs:
		var fx [512]byte
		if err := t.P.MM.CopyIn(uintptr(data), fx[:]); err != nil {
			return 0, err
		}
		target.SetFPRegs(fx)
		return 0, nil
	case ptGetRegSet, ptSetRegSet:
		return 0, ptraceRegSet(t, target, req == ptSetRegSet, addr, data)
	case ptSetOptions:
		if data&^ptraceOptionMask != 0 {
			return 0, abi.EINVAL
		}
		return 0, t.PtraceSetOptions(target, data)
	case ptGetEventMsg:
		_, msg := t.PtraceStopInfo(target)
		return 0, putU64(t, data, msg)
	case ptGetSigInfo:
		info, _ := t.PtraceStopInfo(target)
		return 0, t.P.MM.CopyOut(uintptr(data), libstarry.SigInfoBytes(info))
	case ptSetSigInfo:
		b := make([]byte, abi.SiginfoSize)
		if err := t.P.MM.CopyIn(uintptr(data), b); err != nil {
			return 0, err
		}
		t.PtraceSetSigInfo(target, parseSigInfo(b))
		return 0, nil
	case ptGetSigMask:
		if addr != sigsetSize {
			return 0, abi.EINVAL
		}
		return 0, putU64(t, data, target.SigMask())
	case ptSetSigMask:
		if addr != sigsetSize {
			return 0, abi.EINVAL
		}
		m, err := getU64(t, data)
		if err != nil {
			return 0, err
		}
		target.SetSigMaskOf(m)
		return 0, nil
	}
	return 0, abi.EIO
}

// ptraceResume is ptrace_resume and ptrace_detach: the signal must be
// valid (EIO); single-stepping sets the trap flag, other resumptions
// clear it.
func ptraceResume(t, target *libstarry.Thread, req, sig uint64) error {
	if sig > libstarry.NSIG {
		return abi.EIO
	}
	const tf = 0x100
	r := target.Regs()
	mode := libstarry.ResumeCont
	switch req {
	case ptSingleStep:
		mode = libstarry.ResumeStep
		r.RFLAGS |= tf
	case ptSyscall:
		mode = libstarry.ResumeSyscall
		r.RFLAGS &^= tf
	default:
		r.RFLAGS &^= tf
	}
	return t.PtraceResume(target, mode, int(sig), req == ptDetach)
}

// peekUser reads a word of struct user (PTRACE_PEEKUSR): registers, and
// zero for the rest (debug registers included); EIO when unaligned or
// past its end.
func peekUser(target *libstarry.Thread, addr uint64) (uint64, error) {
	if addr&7 != 0 || addr >= userSize {
		return 0, abi.EIO
	}
	if addr < userRegsSize {
		return userRegWords(target)[addr/8], nil
	}
	return 0, nil
}

// User segment selectors as the x86-64 kernel reports them.
const (
	userCS = 0x33
	userSS = 0x2b
)

// userRegWords is struct user_regs_struct, word by word.
func userRegWords(target *libstarry.Thread) [27]uint64 {
	r := target.Regs()
	return [27]uint64{r.R15, r.R14, r.R13, r.R12, r.RBP, r.RBX, r.R11, r.R10, r.R9, r.R8,
		r.RAX, r.RCX, r.RDX, r.RSI, r.RDI, target.OrigRAX(), r.RIP, userCS, r.RFLAGS, r.RSP, userSS,
		r.FSBase, r.GSBase, 0, 0, 0, 0}
}

func userRegs(target *libstarry.Thread) []byte {
	b := make([]byte, userRegsSize)
	for i, v := range userRegWords(target) {
		binary.LittleEndian.PutUint64(b[i*8:], v)
	}
	return b
}

func setUserRegs(target *libstarry.Thread, b []byte) error {
	for i := 0; i < 27; i++ {
		if err := putReg(target, i, binary.LittleEndian.Uint64(b[i*8:])); err != nil {
			return err
		}
	}
	return nil
}

// taskSizeMax is TASK_SIZE_MAX: FS and GS bases must be user addresses.
const taskSizeMax = 0x7ffffffff000

// putReg writes word i of struct user_regs_struct (putreg): RFLAGS only
// in its user bits, bases below TASK_SIZE_MAX, and segment selectors
// only as they are (other selectors are not implemented: EIO).
func putReg(target *libstarry.Thread, i int, v uint64) error {
	r := target.Regs()
	regs := []*uint64{&r.R15, &r.R14, &r.R13, &r.R12, &r.RBP, &r.RBX, &r.R11, &r.R10, &r.R9, &r.R8,
		&r.RAX, &r.RCX, &r.RDX, &r.RSI, &r.RDI}
	switch {
	case i < len(regs):
		*regs[i] = v
	case i == 15:
		target.SetOrigRAX(v)
	case i == 16:
		r.RIP = v
	case i == 18:
		target.SetUserRFLAGS(v)
	case i == 19:
		r.RSP = v
	case i == 21 || i == 22:
		if v >= taskSizeMax {
			return abi.EIO
		}
		if i == 21 {
			r.FSBase = v
		} else {
			r.GSBase = v
		}
	default:
		if v != userRegWords(target)[i] {
			return abi.EIO
		}
	}
	return nil
}

// ptraceRegSet is PTRACE_GETREGSET and SETREGSET through a struct iovec
// at data: NT_PRSTATUS and NT_PRFPREG; a short buffer reads or writes
// its part and the iovec's length says how much.
func ptraceRegSet(t, target *libstarry.Thread, set bool, nt, data uint64) error {
	var iov [16]byte
	if err := t.P.MM.CopyIn(uintptr(data), iov[:]); err != nil {
		return err
	}
	le := binary.LittleEndian
	base, n := le.Uint64(iov[0:]), le.Uint64(iov[8:])
	var regset []byte
	switch nt {
	case ntPrStatus:
		regset = userRegs(target)
	case ntPrFPReg:
		regset = append([]byte(nil), target.Regs().FX[:]...)
	default:
		return abi.EINVAL
	}
	n = min(n, uint64(len(regset)))
	if set {
		if err := t.P.MM.CopyIn(uintptr(base), regset[:n]); err != nil {
			return err
		}
		if nt == ntPrStatus {
			if err := setUserRegs(target, regset); err != nil {
				return err
			}
		} else {
			target.SetFPRegs([512]byte(regset))
		}
	} else if err := t.P.MM.CopyOut(uintptr(base), regset[:n]); err != nil {
		return err
	}
	le.PutUint64(iov[8:], n)
	return t.P.MM.CopyOut(uintptr(data+8), iov[8:])
}

// parseSigInfo reads the fields of a siginfo_t libstarry keeps.
func parseSigInfo(b []byte) libstarry.SigInfo {
	le := binary.LittleEndian
	info := libstarry.SigInfo{Signo: int(int32(le.Uint32(b[0:]))), Code: int(int32(le.Uint32(b[8:])))}
	switch {
	case info.Code > 0 && info.Signo != libstarry.SIGCHLD:
		info.Addr = le.Uint64(b[16:])
	default:
		info.Pid, info.UID = int(int32(le.Uint32(b[16:]))), int(le.Uint32(b[20:]))
		info.Status = int(int32(le.Uint32(b[24:])))
		info.Value = le.Uint64(b[24:])
	}
	return info
}
