package linux

import (
	"encoding/binary"
	"time"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/libstarry/sysv"
	"github.com/starry-go/starry/personality/linux/abi"
)

// System V IPC (ipc/shm.c, ipc/sem.c, ipc/msg.c): x86-64 has a system
// call for each operation, and the *ctl calls take the IPC_64 layouts
// without the IPC_64 flag (a command with it is EINVAL).
var ipcRows = []Syscall{
	{Nr: abi.SYS_SHMGET, Name: "shmget", Fn: sysShmget, Support: Partial, Note: "a segment is an unlinked file on the internal tmpfs, charged against the machine's memory unless SHM_NORESERVE; SHM_HUGETLB is ENOMEM (no huge pages are reserved)"},
	{Nr: abi.SYS_SHMAT, Name: "shmat", Fn: sysShmat, Support: Supported},
	{Nr: abi.SYS_SHMDT, Name: "shmdt", Fn: sysShmdt, Support: Supported},
	{Nr: abi.SYS_SHMCTL, Name: "shmctl", Fn: sysShmctl, Support: Partial, Note: "shm_nattch counts each address space that maps an attach once, where Linux counts regions (an mprotect splitting an attach adds one there); when a forked copy of an attach is unmapped other than by shmdt, or goes at exit, shm_lpid names the attacher; SHM_LOCK only sets SHM_LOCKED (nothing is swapped)"},
	{Nr: abi.SYS_SEMGET, Name: "semget", Fn: sysSemget, Support: Supported},
	{Nr: abi.SYS_SEMOP, Name: "semop", Fn: sysSemop, Support: Supported},
	{Nr: abi.SYS_SEMTIMEDOP, Name: "semtimedop", Fn: sysSemtimedop, Support: Supported},
	{Nr: abi.SYS_SEMCTL, Name: "semctl", Fn: sysSemctl, Support: Supported},
	{Nr: abi.SYS_MSGGET, Name: "msgget", Fn: sysMsgget, Support: Supported},
	{Nr: abi.SYS_MSGSND, Name: "msgsnd", Fn: sysMsgsnd, Support: Supported},
	{Nr: abi.SYS_MSGRCV, Name: "msgrcv", Fn: sysMsgrcv, Support: Supported}, // MSG_COPY as with CONFIG_CHECKPOINT_RESTORE
	{Nr: abi.SYS_MSGCTL, Name: "msgctl", Fn: sysMsgctl, Support: Supported},
}

// Sizes of the x86-64 IPC_64 structures.
const (
	sizeofShmidDS = 112 // struct shmid64_ds
	sizeofShminfo = 72  // struct shminfo64
	sizeofShmInfo = 48  // struct shm_info
	sizeofSemidDS = 104 // struct semid64_ds
	sizeofSeminfo = 40  // struct seminfo
	sizeofMsqidDS = 120 // struct msqid64_ds
	sizeofMsginfo = 32  // struct msginfo
	sizeofSembuf  = 6   // struct sembuf
)

var ipcLE = binary.LittleEndian

// putIPCPerm writes struct ipc64_perm (kernel_to_ipc64_perm) at b.
func putIPCPerm(b []byte, p sysv.Perm) {
	ipcLE.PutUint32(b[0:], uint32(p.Key))
	ipcLE.PutUint32(b[4:], p.UID)
	ipcLE.PutUint32(b[8:], p.GID)
	ipcLE.PutUint32(b[12:], p.CUID)
	ipcLE.PutUint32(b[16:], p.CGID)
	ipcLE.PutUint32(b[20:], p.Mode)
	ipcLE.PutUint16(b[24:], p.Seq)
}

// getPermSet reads what IPC_SET takes of an ipc64_perm.
func getPermSet(b []byte) sysv.PermSet {
	return sysv.PermSet{UID: ipcLE.Uint32(b[4:]), GID: ipcLE.Uint32(b[8:]), Mode: ipcLE.Uint32(b[20:])}
}

// copyInStruct reads n bytes at va (copy_from_user: EFAULT).
func copyInStruct(t *libstarry.Thread, va uint64, n int) ([]byte, error) {
	b := make([]byte, n)
	if err := t.P.MM.CopyIn(uintptr(va), b); err != nil {
		return nil, abi.EFAULT
	}
	return b, nil
}

// copyOutStruct writes b at va and answers ret (copy_to_user: EFAULT).
func copyOutStruct(t *libstarry.Thread, va uint64, b []byte, ret int) (uint64, error) {
	if err := t.P.MM.CopyOut(uintptr(va), b); err != nil {
		return 0, abi.EFAULT
	}
	return uint64(ret), nil
}

func argInt(v uint64) int { return int(int32(v)) }

func sysShmget(t *libstarry.Thread, a Args) (uint64, error) {
	id, err := t.P.ShmGet(int32(a[0]), a[1], argInt(a[2]))
	return uint64(id), err
}

func sysShmat(t *libstarry.Thread, a Args) (uint64, error) {
	va, err := t.P.ShmAt(argInt(a[0]), uintptr(a[1]), argInt(a[2]))
	return uint64(va), err
}

func sysShmdt(t *libstarry.Thread, a Args) (uint64, error) {
	return 0, t.P.ShmDt(uintptr(a[0]))
}

// sysShmctl is ksys_shmctl: EINVAL for a negative ID or command first;
// the result is written after the command succeeded (EFAULT), IPC_SET's
// argument read before it runs.
func sysShmctl(t *libstarry.Thread, a Args) (uint64, error) {
	id, cmd, buf := argInt(a[0]), argInt(a[1]), a[2]
	if id < 0 || cmd < 0 {
		return 0, abi.EINVAL
	}
	ns, c := t.P.Kernel().SysV(), t.P.IPCCaller()
	switch cmd {
	case sysv.IPCInfo:
		l, idx := ns.ShmIPCInfo()
		b := make([]byte, sizeofShminfo)
		for i, v := range []uint64{l.ShmMax, l.ShmMin, l.ShmMNI, l.ShmSeg, l.ShmAll} {
			ipcLE.PutUint64(b[8*i:], v)
		}
		return copyOutStruct(t, buf, b, idx)
	case sysv.ShmInfo:
		u, idx := ns.ShmInfo()
		b := make([]byte, sizeofShmInfo)
		ipcLE.PutUint32(b, uint32(u.UsedIDs))
		for i, v := range []uint64{u.Tot, u.RSS, u.Swp, u.SwapAttempts, u.SwapOK} {
			ipcLE.PutUint64(b[8+8*i:], v)
		}
		return copyOutStruct(t, buf, b, idx)
	case abi.IPC_STAT, sysv.ShmStat, sysv.ShmStatAny:
		ds, ret, err := ns.ShmStat(c, id, cmd)
		if err != nil {
			return 0, err
		}
		b := make([]byte, sizeofShmidDS)
		putIPCPerm(b, ds.Perm)
		ipcLE.PutUint64(b[48:], ds.Size)
		ipcLE.PutUint64(b[56:], uint64(ds.Atime))
		ipcLE.PutUint64(b[64:], uint64(ds.Dtime))
		ipcLE.PutUint64(b[72:], uint64(ds.Ctime))
		ipcLE.PutUint32(b[80:], uint32(ds.CPID))
		ipcLE.PutUint32(b[84:], uint32(ds.LPID))
		ipcLE.PutUint64(b[88:], ds.Nattch)
		return copyOutStruct(t, buf, b, ret)
	case abi.IPC_SET:
		b, err := copyInStruct(t, buf, sizeofShmidDS)
		if err != nil {
			return 0, err
		}
		return 0, ns.ShmSet(c, id, getPermSet(b))
	case abi.IPC_RMID:
		return 0, ns.ShmRemove(c, id)
	case sysv.ShmLock, sysv.ShmUnlock:
		return 0, t.P.ShmLock(id, cmd)
	}
	return 0, abi.EINVAL
}

func sysSemget(t *libstarry.Thread, a Args) (uint64, error) {
	id, err := t.P.Kernel().SysV().SemGet(t.P.IPCCaller(), int32(a[0]), argInt(a[1]), argInt(a[2]))
	return uint64(id), err
}

func sysSemop(t *libstarry.Thread, a Args) (uint64, error) {
	return semtimedop(t, a, false)
}

func sysSemtimedop(t *libstarry.Thread, a Args) (uint64, error) {
	return semtimedop(t, a, true)
}

// semtimedop is ksys_semtimedop and do_semtimedop: the timeout read
// first (EFAULT), then E2BIG for more than semopm operations, EINVAL for
// none, the operations read (EFAULT), then EINVAL for a negative ID and
// then for a timeout that is not a valid timespec. The timeout is
// relative.
func semtimedop(t *libstarry.Thread, a Args, timed bool) (uint64, error) {
	id, va, nsops := argInt(a[0]), a[1], uint32(a[2])
	timeout, badTimeout := time.Duration(-1), false
	if timed && a[3] != 0 {
		b, err := copyInStruct(t, a[3], 16)
		if err != nil {
			return 0, err
		}
		sec, nsec := int64(ipcLE.Uint64(b)), int64(ipcLE.Uint64(b[8:]))
		switch {
		case sec < 0 || uint64(nsec) >= 1e9:
			badTimeout = true
		case sec > int64(1<<62)/1e9:
			timeout = 1 << 62 // ktime_add_safe saturates: as good as forever
		default:
			timeout = time.Duration(sec)*time.Second + time.Duration(nsec)
		}
	}
	if nsops > uint32(t.P.Kernel().SysV().Limits().SemOPM) {
		return 0, abi.E2BIG
	}
	if nsops < 1 {
		return 0, abi.EINVAL
	}
	b, err := copyInStruct(t, va, int(nsops)*sizeofSembuf)
	if err != nil {
		return 0, err
	}
	if id < 0 || badTimeout {
		return 0, abi.EINVAL
	}
	sops := make([]sysv.SemBuf, nsops)
	for i := range sops {
		o := b[i*sizeofSembuf:]
		sops[i] = sysv.SemBuf{Num: ipcLE.Uint16(o), Op: int16(ipcLE.Uint16(o[2:])), Flg: int16(ipcLE.Uint16(o[4:]))}
	}
	return 0, t.SemOp(id, sops, timeout)
}

// sysSemctl is ksys_semctl: EINVAL for a negative ID first; the fourth
// argument is union semun, passed by value (SETVAL's int in its low
// half, a pointer otherwise).
func sysSemctl(t *libstarry.Thread, a Args) (uint64, error) {
	id, num, cmd, arg := argInt(a[0]), argInt(a[1]), argInt(a[2]), a[3]
	if id < 0 {
		return 0, abi.EINVAL
	}
	ns, c := t.P.Kernel().SysV(), t.P.IPCCaller()
	switch cmd {
	case sysv.IPCInfo, sysv.SemInfo:
		l, idx := ns.SemIPCInfo(cmd)
		b := make([]byte, sizeofSeminfo)
		for i, v := range []int32{l.Map, l.MNI, l.MNS, l.MNU, l.MSL, l.OPM, l.UME, l.USZ, l.VMX, l.AEM} {
			ipcLE.PutUint32(b[4*i:], uint32(v))
		}
		return copyOutStruct(t, arg, b, idx)
	case abi.IPC_STAT, sysv.SemStat, sysv.SemStatAny:
		ds, ret, err := ns.SemStat(c, id, cmd)
		if err != nil {
			return 0, err
		}
		b := make([]byte, sizeofSemidDS)
		putIPCPerm(b, ds.Perm)
		ipcLE.PutUint64(b[48:], uint64(ds.Otime))
		ipcLE.PutUint64(b[64:], uint64(ds.Ctime))
		ipcLE.PutUint64(b[80:], uint64(ds.NSems))
		return copyOutStruct(t, arg, b, ret)
	case sysv.GetAll:
		vals, err := ns.SemGetAll(c, id)
		if err != nil {
			return 0, err
		}
		b := make([]byte, 2*len(vals))
		for i, v := range vals {
			ipcLE.PutUint16(b[2*i:], v)
		}
		return copyOutStruct(t, arg, b, 0)
	case sysv.GetVal, sysv.GetPID, sysv.GetNCnt, sysv.GetZCnt:
		v, err := ns.SemCtlNum(c, id, num, cmd)
		return uint64(v), err
	case sysv.SetAll:
		return 0, ns.SemSetAll(c, id, func(n int) ([]uint16, error) {
			b, err := copyInStruct(t, arg, 2*n)
			if err != nil {
				return nil, err
			}
			vals := make([]uint16, n)
			for i := range vals {
				vals[i] = ipcLE.Uint16(b[2*i:])
			}
			return vals, nil
		})
	case sysv.SetVal:
		return 0, ns.SemSetVal(c, id, num, argInt(arg))
	case abi.IPC_SET:
		b, err := copyInStruct(t, arg, sizeofSemidDS)
		if err != nil {
			return 0, err
		}
		return 0, ns.SemSet(c, id, getPermSet(b))
	case abi.IPC_RMID:
		return 0, ns.SemRemove(c, id)
	}
	return 0, abi.EINVAL
}

func sysMsgget(t *libstarry.Thread, a Args) (uint64, error) {
	id, err := t.P.Kernel().SysV().MsgGet(t.P.IPCCaller(), int32(a[0]), argInt(a[1]))
	return uint64(id), err
}

// sysMsgsnd is ksys_msgsnd: the message's type is read first (EFAULT),
// then do_msgsnd's EINVAL checks, then its text (EFAULT).
func sysMsgsnd(t *libstarry.Thread, a Args) (uint64, error) {
	id, msgp, size, flg := argInt(a[0]), a[1], a[2], argInt(a[3])
	typ, err := getU64(t, msgp)
	if err != nil {
		return 0, abi.EFAULT
	}
	if err := t.P.Kernel().SysV().MsgSndCheck(id, int64(typ), int64(size)); err != nil {
		return 0, err
	}
	text, err := copyInStruct(t, msgp+8, int(size))
	if err != nil {
		return 0, err
	}
	return 0, t.MsgSnd(id, int64(typ), text, flg)
}

// sysMsgrcv is ksys_msgrcv: do_msgrcv's EINVAL checks; MSG_COPY reads
// the caller's buffer first, as prepare_copy's load_msg does (EFAULT);
// the type and the text, cut to size, are written after the message was
// taken (EFAULT then loses it, as on Linux).
func sysMsgrcv(t *libstarry.Thread, a Args) (uint64, error) {
	id, msgp, size, typ, flg := argInt(a[0]), a[1], a[2], int64(a[3]), argInt(a[4])
	if err := sysv.MsgRcvCheck(id, int64(size), flg); err != nil {
		return 0, err
	}
	if flg&sysv.MsgCopy != 0 {
		if _, err := copyInStruct(t, msgp, int(min(size, uint64(t.P.Kernel().SysV().Limits().MsgMax)))); err != nil {
			return 0, err
		}
	}
	mt, text, err := t.MsgRcv(id, int64(size), typ, flg)
	if err != nil {
		return 0, err
	}
	if putU64(t, msgp, uint64(mt)) != nil {
		return 0, abi.EFAULT
	}
	text = text[:min(uint64(len(text)), size)]
	return copyOutStruct(t, msgp+8, text, len(text))
}

// sysMsgctl is ksys_msgctl: EINVAL for a negative ID or command first.
func sysMsgctl(t *libstarry.Thread, a Args) (uint64, error) {
	id, cmd, buf := argInt(a[0]), argInt(a[1]), a[2]
	if id < 0 || cmd < 0 {
		return 0, abi.EINVAL
	}
	ns, c := t.P.Kernel().SysV(), t.P.IPCCaller()
	switch cmd {
	case sysv.IPCInfo, sysv.MsgInfo:
		l, idx := ns.MsgIPCInfo(cmd)
		b := make([]byte, sizeofMsginfo)
		for i, v := range []int32{l.Pool, l.Map, l.Max, l.MNB, l.MNI, l.SSZ, l.TQL} {
			ipcLE.PutUint32(b[4*i:], uint32(v))
		}
		ipcLE.PutUint16(b[28:], l.Seg)
		return copyOutStruct(t, buf, b, idx)
	case abi.IPC_STAT, sysv.MsgStat, sysv.MsgStatAny:
		ds, ret, err := ns.MsgStat(c, id, cmd)
		if err != nil {
			return 0, err
		}
		b := make([]byte, sizeofMsqidDS)
		putIPCPerm(b, ds.Perm)
		ipcLE.PutUint64(b[48:], uint64(ds.Stime))
		ipcLE.PutUint64(b[56:], uint64(ds.Rtime))
		ipcLE.PutUint64(b[64:], uint64(ds.Ctime))
		ipcLE.PutUint64(b[72:], ds.CBytes)
		ipcLE.PutUint64(b[80:], ds.QNum)
		ipcLE.PutUint64(b[88:], ds.QBytes)
		ipcLE.PutUint32(b[96:], uint32(ds.LSPID))
		ipcLE.PutUint32(b[100:], uint32(ds.LRPID))
		return copyOutStruct(t, buf, b, ret)
	case abi.IPC_SET:
		b, err := copyInStruct(t, buf, sizeofMsqidDS)
		if err != nil {
			return 0, err
		}
		return 0, ns.MsgSet(c, id, getPermSet(b), int32(ipcLE.Uint64(b[88:])))
	case abi.IPC_RMID:
		return 0, ns.MsgRemove(c, id)
	}
	return 0, abi.EINVAL
}
