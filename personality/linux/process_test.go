package linux

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

func TestPrctlNameAndGetgroups(t *testing.T) {
	const name, buf = scratch, scratch + 0x100
	_, st := run(t, script(
		cstr(name, "a-rather-long-thread-name"),
		sys(abi.SYS_PRCTL, abi.PR_SET_NAME, name),
		expect(t, "PR_SET_NAME", 0),
		sys(abi.SYS_PRCTL, abi.PR_GET_NAME, buf),
		check(buf, 16, func(b []byte, rax uint64) {
			if rax != 0 || string(b) != "a-rather-long-t\x00" {
				t.Errorf("PR_GET_NAME = %d %q", rax, b)
			}
		}),
		sys(abi.SYS_PRCTL, abi.PR_SET_VMA, 0),
		expect(t, "PR_SET_VMA", errno(abi.EINVAL)),
		sys(abi.SYS_PRCTL, abi.PR_GET_NAME, 0x10),
		expect(t, "PR_GET_NAME to a bad pointer", errno(abi.EFAULT)),
		sys(abi.SYS_GETGROUPS, 0, 0),
		expect(t, "getgroups size", 0),
		sys(abi.SYS_GETGROUPS, uint64(1<<32-1), buf),
		expect(t, "getgroups(-1)", errno(abi.EINVAL)),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %d", st.ShellStatus())
	}
}
