package linux

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestPrctlNameAndGetgroups(t *testing.T) {
	const name, buf = scratch, scratch + 0x100
	_, st := run(t, script(
		cstr(name, "a-rather-long-thread-name"),
		sys(unix.SYS_PRCTL, unix.PR_SET_NAME, name),
		expect(t, "PR_SET_NAME", 0),
		sys(unix.SYS_PRCTL, unix.PR_GET_NAME, buf),
		check(buf, 16, func(b []byte, rax uint64) {
			if rax != 0 || string(b) != "a-rather-long-t\x00" {
				t.Errorf("PR_GET_NAME = %d %q", rax, b)
			}
		}),
		sys(unix.SYS_PRCTL, unix.PR_SET_VMA, 0),
		expect(t, "PR_SET_VMA", errno(unix.EINVAL)),
		sys(unix.SYS_PRCTL, unix.PR_GET_NAME, 0x10),
		expect(t, "PR_GET_NAME to a bad pointer", errno(unix.EFAULT)),
		sys(unix.SYS_GETGROUPS, 0, 0),
		expect(t, "getgroups size", 0),
		sys(unix.SYS_GETGROUPS, uint64(1<<32-1), buf),
		expect(t, "getgroups(-1)", errno(unix.EINVAL)),
		sys(unix.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %d", st.ShellStatus())
	}
}
