package linux

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// TestAmbientAndMountNS replays a program measured natively (Linux 6.x,
// as root; /tmp/hns/c/amb.c of the change that added this): the
// PR_CAP_AMBIENT rules, the inheritable set's drop taking the ambient
// cap with it, then unshare(CLONE_NEWNS) and do_change_type's checks.
// Afterwards a mount made in the new namespace shows in its mountinfo.
func TestAmbientAndMountNS(t *testing.T) {
	const hdr, data, path, root, etc, buf = scratch, scratch + 0x10, scratch + 0x100, scratch + 0x200, scratch + 0x210, scratch + 0x400
	const prCapAmbient, raise, isSet, lower, clearAll = 47, 2, 1, 3, 4
	le := binary.LittleEndian
	capData := func(inh uint32) []byte {
		b := make([]byte, 24) // two __user_cap_data_struct: effective, permitted, inheritable
		for _, off := range []int{0, 4, 12, 16} {
			le.PutUint32(b[off:], 0xffffffff)
		}
		le.PutUint32(b[16:], 0x1ff)
		le.PutUint32(b[12:], 0x1ff)
		le.PutUint32(b[8:], inh)
		return b
	}
	header := le.AppendUint32(le.AppendUint32(nil, 0x20080522), 0)
	_, st := run(t, script(
		poke(hdr, header),
		poke(data, capData(1<<10)),
		sys(abi.SYS_CAPSET, hdr, data),
		expect(t, "capset inheritable NET_BIND_SERVICE", 0),
		sys(abi.SYS_PRCTL, prCapAmbient, raise, 13, 0, 0),
		expect(t, "raise a non-inheritable cap", errno(abi.EPERM)),
		sys(abi.SYS_PRCTL, prCapAmbient, raise, 10, 0, 0),
		expect(t, "raise", 0),
		sys(abi.SYS_PRCTL, prCapAmbient, isSet, 10, 0, 0),
		expect(t, "is_set", 1),
		sys(abi.SYS_PRCTL, prCapAmbient, isSet, 41, 0, 0),
		expect(t, "is_set of an invalid cap", errno(abi.EINVAL)),
		sys(abi.SYS_PRCTL, prCapAmbient, isSet, 10, 1, 0),
		expect(t, "is_set with arg4", errno(abi.EINVAL)),
		sys(abi.SYS_PRCTL, prCapAmbient, 9, 10, 0, 0),
		expect(t, "unknown op", errno(abi.EINVAL)),
		sys(abi.SYS_PRCTL, prCapAmbient, clearAll, 1, 0, 0),
		expect(t, "clear_all with arg3", errno(abi.EINVAL)),
		sys(abi.SYS_PRCTL, prCapAmbient, lower, 13, 0, 0),
		expect(t, "lower an unset cap", 0),
		poke(data, capData(0)),
		sys(abi.SYS_CAPSET, hdr, data),
		expect(t, "capset without inheritable", 0),
		sys(abi.SYS_PRCTL, prCapAmbient, isSet, 10, 0, 0),
		expect(t, "is_set after the inheritable drop", 0),
		sys(abi.SYS_UNSHARE, abi.CLONE_NEWNS),
		expect(t, "unshare(CLONE_NEWNS)", 0),
		cstr(path, "none"),
		cstr(root, "/"),
		cstr(etc, "/etc"),
		sys(abi.SYS_MOUNT, path, root, 0, 0x4000|0x40000, 0),
		expect(t, "MS_REC|MS_PRIVATE /", 0),
		sys(abi.SYS_MOUNT, path, root, 0, 0x100000|0x40000, 0),
		expect(t, "MS_SHARED|MS_PRIVATE", errno(abi.EINVAL)),
		sys(abi.SYS_MOUNT, path, root, 0, 0x40000|0x2, 0),
		expect(t, "MS_PRIVATE|MS_NOSUID", errno(abi.EINVAL)),
		sys(abi.SYS_MOUNT, path, root, 0, 0x40000|0x8000, 0),
		expect(t, "MS_PRIVATE|MS_SILENT", 0),
		sys(abi.SYS_MOUNT, path, etc, 0, 0x40000, 0),
		expect(t, "MS_PRIVATE on a directory that is no mount's root", errno(abi.EINVAL)),
		sys(abi.SYS_MOUNT, root, root, 0, 0x100000, 0),
		expect(t, "MS_SHARED /", 0),
		cstr(path, "tmpfs"),
		sys(abi.SYS_MOUNT, path, etc, path, 0, 0),
		expect(t, "mount tmpfs on /etc", 0),
		cstr(path, "/proc/self/mountinfo"),
		sys(abi.SYS_OPENAT, uint64(0xffffffffffffff9c), path, abi.O_RDONLY, 0),
		expect(t, "open mountinfo", 3),
		sys(abi.SYS_READ, 3, buf, 2048),
		check(buf, 2048, func(b []byte, n uint64) {
			s := string(b[:min(n, 2048)])
			if !strings.Contains(s, " /etc rw,relatime shared:") || !strings.Contains(s, " / rw shared:") {
				t.Errorf("mountinfo:\n%s", s)
			}
		}),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("exit %+v", st)
	}
}

// TestCloneNewNS: clone with CLONE_NEWNS|CLONE_FS is EINVAL; the other
// namespaces, not implemented, are EINVAL with CAP_SYS_ADMIN.
func TestCloneNewNS(t *testing.T) {
	_, st := run(t, script(
		sys(abi.SYS_CLONE, abi.CLONE_NEWNS|abi.CLONE_FS|17, 0, 0, 0, 0),
		expect(t, "clone(CLONE_NEWNS|CLONE_FS)", errno(abi.EINVAL)),
		sys(abi.SYS_CLONE, abi.CLONE_NEWUTS|17, 0, 0, 0, 0),
		expect(t, "clone(CLONE_NEWUTS)", errno(abi.EINVAL)),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("exit %+v", st)
	}
}
