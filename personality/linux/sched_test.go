package linux

import (
	"encoding/binary"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// TestPriorityAndScheduler: the raw getpriority's 20-nice, clamping,
// lowering the nice value without CAP_SYS_NICE (after setuid) is
// EACCES, and the scheduler calls' ranges and errors.
func TestPriorityAndScheduler(t *testing.T) {
	const param = scratch
	_, st := run(t, script(
		sys(abi.SYS_GETPRIORITY, 0, 0),
		expect(t, "getpriority default", 20),
		sys(abi.SYS_SETPRIORITY, 0, 0, 50),
		expect(t, "setpriority 50 (clamped)", 0),
		sys(abi.SYS_GETPRIORITY, 0, 0),
		expect(t, "getpriority after 19", 1),
		sys(abi.SYS_GETPRIORITY, 3, 0),
		expect(t, "getpriority which 3", errno(abi.EINVAL)),
		sys(abi.SYS_GETPRIORITY, 0, 31000),
		expect(t, "getpriority no such pid", errno(abi.ESRCH)),
		sys(abi.SYS_SCHED_GET_PRIORITY_MAX, 1),
		expect(t, "max FIFO", 99),
		sys(abi.SYS_SCHED_GET_PRIORITY_MIN, 2),
		expect(t, "min RR", 1),
		sys(abi.SYS_SCHED_GET_PRIORITY_MAX, 4),
		expect(t, "max policy 4", errno(abi.EINVAL)),
		poke(param, []byte{50, 0, 0, 0}),
		sys(abi.SYS_SCHED_SETSCHEDULER, 0, 1, param),
		expect(t, "setscheduler FIFO 50", 0),
		sys(abi.SYS_SCHED_GETSCHEDULER, 0),
		expect(t, "getscheduler", 1),
		sys(abi.SYS_SCHED_SETSCHEDULER, 0, 0, param),
		expect(t, "NORMAL with priority 50", errno(abi.EINVAL)),
		sys(abi.SYS_SCHED_GETPARAM, 0, 0),
		expect(t, "getparam NULL", errno(abi.EINVAL)),
		sys(abi.SYS_SCHED_SETAFFINITY, 0, 8, param+8),
		expect(t, "setaffinity empty mask", errno(abi.EINVAL)),
		sys(abi.SYS_SCHED_SETAFFINITY, 0, 8, 0x10),
		expect(t, "setaffinity bad mask", errno(abi.EFAULT)),
		sys(abi.SYS_SETUID, 65534),
		expect(t, "setuid nobody", 0),
		sys(abi.SYS_SETPRIORITY, 0, 0, 5),
		expect(t, "lower nice without privilege", errno(abi.EACCES)),
		sys(abi.SYS_SCHED_SETSCHEDULER, 0, 2, param),
		expect(t, "RR without privilege", errno(abi.EPERM)),
		sys(abi.SYS_SETHOSTNAME, param, 4),
		expect(t, "sethostname unprivileged", errno(abi.EPERM)),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %d", st.ShellStatus())
	}
}

// TestCapabilities: root's full sets, the version probe writing v3, the
// capset rules, and setuid to non-root clearing the sets.
func TestCapabilities(t *testing.T) {
	const hdr, data = scratch, scratch + 0x40
	word := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	capData := func(eff, prm, inh uint32) []byte {
		b := append(append(word(eff), word(prm)...), word(inh)...)
		return append(b, make([]byte, 12)...)
	}
	_, st := run(t, script(
		poke(hdr, append(word(0), word(0)...)),
		sys(abi.SYS_CAPGET, hdr, 0),
		expect(t, "capget probe", 0),
		check(hdr, 4, func(b []byte, _ uint64) {
			if v := binary.LittleEndian.Uint32(b); v != capV3 {
				t.Errorf("probe wrote version %#x", v)
			}
		}),
		sys(abi.SYS_CAPGET, hdr, data),
		expect(t, "capget v3", 0),
		check(data, 24, func(b []byte, _ uint64) {
			if binary.LittleEndian.Uint32(b) != ^uint32(0) || binary.LittleEndian.Uint32(b[12:]) != 0x1ff {
				t.Errorf("root's sets % x", b)
			}
		}),
		poke(data, capData(1, 1, 0)),
		sys(abi.SYS_CAPSET, hdr, data),
		expect(t, "capset down to CAP_CHOWN", 0),
		poke(data, capData(3, 3, 0)),
		sys(abi.SYS_CAPSET, hdr, data),
		expect(t, "capset raising permitted", errno(abi.EPERM)),
		poke(data, capData(0, 1, 2)),
		sys(abi.SYS_CAPSET, hdr, data),
		expect(t, "capset inheritable outside permitted", errno(abi.EPERM)),
		sys(abi.SYS_PRCTL, prCapbsetDrop, 1),
		expect(t, "bounding drop without CAP_SETPCAP", errno(abi.EPERM)),
		sys(abi.SYS_SETUID, 1000),
		expect(t, "setuid 1000 (CAP_SETUID is gone, but euid 0 rules)", 0),
		sys(abi.SYS_CAPGET, hdr, data),
		check(data, 12, func(b []byte, _ uint64) {
			if binary.LittleEndian.Uint32(b) != 0 || binary.LittleEndian.Uint32(b[4:]) != 0 {
				t.Errorf("sets after setuid % x", b)
			}
		}),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %d", st.ShellStatus())
	}
}

// TestPrctlAttrsRusageUTS: PDEATHSIG, DUMPABLE, NO_NEW_PRIVS and their
// errors, getrusage's who, and the host name uname reports.
func TestPrctlAttrsRusageUTS(t *testing.T) {
	const buf, name, ru = scratch, scratch + 0x100, scratch + 0x200
	_, st := run(t, script(
		sys(abi.SYS_PRCTL, prSetPdeathsig, 12),
		expect(t, "PR_SET_PDEATHSIG", 0),
		sys(abi.SYS_PRCTL, prGetPdeathsig, buf),
		check(buf, 4, func(b []byte, rax uint64) {
			if rax != 0 || binary.LittleEndian.Uint32(b) != 12 {
				t.Errorf("PR_GET_PDEATHSIG = %d % x", rax, b)
			}
		}),
		sys(abi.SYS_PRCTL, prSetPdeathsig, 1<<40),
		expect(t, "PR_SET_PDEATHSIG bad", errno(abi.EINVAL)),
		sys(abi.SYS_PRCTL, prSetDumpable, 2),
		expect(t, "PR_SET_DUMPABLE 2", errno(abi.EINVAL)),
		sys(abi.SYS_PRCTL, prGetDumpable),
		expect(t, "PR_GET_DUMPABLE", 1),
		sys(abi.SYS_PRCTL, prSetNoNewPrivs, 1, 1),
		expect(t, "PR_SET_NO_NEW_PRIVS junk", errno(abi.EINVAL)),
		sys(abi.SYS_PRCTL, prSetNoNewPrivs, 1),
		expect(t, "PR_SET_NO_NEW_PRIVS", 0),
		sys(abi.SYS_PRCTL, prGetNoNewPrivs),
		expect(t, "PR_GET_NO_NEW_PRIVS", 1),
		sys(abi.SYS_GETRUSAGE, uint64(1<<32-2), ru),
		expect(t, "getrusage(-2)", errno(abi.EINVAL)),
		sys(abi.SYS_GETRUSAGE, 0, ru),
		expect(t, "getrusage self", 0),
		check(ru+32, 8, func(b []byte, _ uint64) {
			if binary.LittleEndian.Uint64(b) == 0 {
				t.Errorf("maxrss 0")
			}
		}),
		cstr(name, "box"),
		sys(abi.SYS_SETHOSTNAME, name, 65),
		expect(t, "sethostname 65", errno(abi.EINVAL)),
		sys(abi.SYS_SETHOSTNAME, name, 3),
		expect(t, "sethostname", 0),
		sys(abi.SYS_PERSONALITY, 0x0020000),
		expect(t, "personality UNAME26", 0),
		sys(abi.SYS_UNAME, buf),
		check(buf, 390, func(b []byte, _ uint64) {
			if string(b[65:69]) != "box\x00" || string(b[130:137]) != "2.6.78-" {
				t.Errorf("uname nodename %q release %q", b[65:75], b[130:150])
			}
		}),
		sys(abi.SYS_UNSHARE, uint64(1<<63)),
		expect(t, "unshare unknown", errno(abi.EINVAL)),
		sys(abi.SYS_UNSHARE, abi.CLONE_FILES|abi.CLONE_FS),
		expect(t, "unshare files fs", 0),
		sys(abi.SYS_PIDFD_OPEN, 0, 0),
		expect(t, "pidfd_open 0", errno(abi.EINVAL)),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %d", st.ShellStatus())
	}
}
