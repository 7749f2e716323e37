package linux

import (
	"encoding/binary"

	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux/abi"
)

// The identity calls (kernel/sys.c, kernel/groups.c): each process has
// real, effective, saved and file-system IDs and supplementary groups;
// privilege is an effective UID of 0 (there are no capability sets).

var credRows = []Syscall{
	{Nr: abi.SYS_GETUID, Name: "getuid", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return uint64(t.P.Cred().UID), nil }, Support: Supported},
	{Nr: abi.SYS_GETEUID, Name: "geteuid", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return uint64(t.P.Cred().EUID), nil }, Support: Supported},
	{Nr: abi.SYS_GETGID, Name: "getgid", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return uint64(t.P.Cred().GID), nil }, Support: Supported},
	{Nr: abi.SYS_GETEGID, Name: "getegid", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return uint64(t.P.Cred().EGID), nil }, Support: Supported},
	{Nr: abi.SYS_GETRESUID, Name: "getresuid", Fn: sysGetresuid, Support: Supported},
	{Nr: abi.SYS_GETRESGID, Name: "getresgid", Fn: sysGetresgid, Support: Supported},
	{Nr: abi.SYS_SETUID, Name: "setuid", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return 0, t.P.SetUID(uint32(a[0])) }, Support: Supported},
	{Nr: abi.SYS_SETGID, Name: "setgid", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return 0, t.P.SetGID(uint32(a[0])) }, Support: Supported},
	{Nr: abi.SYS_SETREUID, Name: "setreuid", Fn: func(t *libstarry.Thread, a Args) (uint64, error) {
		return 0, t.P.SetREUID(uint32(a[0]), uint32(a[1]))
	}, Support: Supported},
	{Nr: abi.SYS_SETREGID, Name: "setregid", Fn: func(t *libstarry.Thread, a Args) (uint64, error) {
		return 0, t.P.SetREGID(uint32(a[0]), uint32(a[1]))
	}, Support: Supported},
	{Nr: abi.SYS_SETRESUID, Name: "setresuid", Fn: func(t *libstarry.Thread, a Args) (uint64, error) {
		return 0, t.P.SetRESUID(uint32(a[0]), uint32(a[1]), uint32(a[2]))
	}, Support: Supported},
	{Nr: abi.SYS_SETRESGID, Name: "setresgid", Fn: func(t *libstarry.Thread, a Args) (uint64, error) {
		return 0, t.P.SetRESGID(uint32(a[0]), uint32(a[1]), uint32(a[2]))
	}, Support: Supported},
	{Nr: abi.SYS_SETFSUID, Name: "setfsuid", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return uint64(t.P.SetFSUID(uint32(a[0]))), nil }, Support: Supported},
	{Nr: abi.SYS_SETFSGID, Name: "setfsgid", Fn: func(t *libstarry.Thread, a Args) (uint64, error) { return uint64(t.P.SetFSGID(uint32(a[0]))), nil }, Support: Supported},
	{Nr: abi.SYS_GETGROUPS, Name: "getgroups", Fn: sysGetgroups, Support: Supported},
	{Nr: abi.SYS_SETGROUPS, Name: "setgroups", Fn: sysSetgroups, Support: Supported},
}

// putIDs writes three IDs, each to its own user pointer, as getresuid.
func putIDs(t *libstarry.Thread, a Args, ids ...uint32) error {
	for i, id := range ids {
		if err := putU32(t, a[i], id); err != nil {
			return err
		}
	}
	return nil
}

func sysGetresuid(t *libstarry.Thread, a Args) (uint64, error) {
	c := t.P.Cred()
	return 0, putIDs(t, a, c.UID, c.EUID, c.SUID)
}

func sysGetresgid(t *libstarry.Thread, a Args) (uint64, error) {
	c := t.P.Cred()
	return 0, putIDs(t, a, c.GID, c.EGID, c.SGID)
}

// sysGetgroups: a size of 0 asks for the count; a smaller buffer than the
// list is EINVAL.
func sysGetgroups(t *libstarry.Thread, a Args) (uint64, error) {
	size := int32(a[0])
	if size < 0 {
		return 0, abi.EINVAL
	}
	g := t.P.Cred().Groups
	if size == 0 {
		return uint64(len(g)), nil
	}
	if int(size) < len(g) {
		return 0, abi.EINVAL
	}
	b := make([]byte, 4*len(g))
	for i, id := range g {
		binary.LittleEndian.PutUint32(b[4*i:], id)
	}
	return uint64(len(g)), t.P.MM.CopyOut(uintptr(a[1]), b)
}

// sysSetgroups: more than NGROUPS_MAX is EINVAL before the list is read;
// without privilege EPERM comes first (may_setgroups).
func sysSetgroups(t *libstarry.Thread, a Args) (uint64, error) {
	n := int32(a[0])
	if t.P.Cred().EUID != 0 {
		return 0, abi.EPERM
	}
	if n < 0 || n > libstarry.NGroupsMax {
		return 0, abi.EINVAL
	}
	b := make([]byte, 4*int(n))
	if err := t.P.MM.CopyIn(uintptr(a[1]), b); err != nil {
		return 0, err
	}
	g := make([]uint32, n)
	for i := range g {
		g[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return 0, t.P.SetGroups(g)
}
