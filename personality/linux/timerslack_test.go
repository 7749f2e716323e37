package linux

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// TestPrctlTimerslack: a thread starts with Linux's 50 us of timer slack
// (what LTP's timer tests read), keeps what it sets, and setting 0
// restores its default (prctl08).
func TestPrctlTimerslack(t *testing.T) {
	const set, get = 29, 30 // PR_SET_TIMERSLACK, PR_GET_TIMERSLACK
	_, st := run(t, script(
		sys(abi.SYS_PRCTL, get),
		expect(t, "the initial timer slack", 50000),
		sys(abi.SYS_PRCTL, set, 70000),
		expect(t, "PR_SET_TIMERSLACK 70000", 0),
		sys(abi.SYS_PRCTL, get),
		expect(t, "the slack set", 70000),
		sys(abi.SYS_PRCTL, set, 1),
		sys(abi.SYS_PRCTL, get),
		expect(t, "the smallest slack", 1),
		sys(abi.SYS_PRCTL, set, 0),
		sys(abi.SYS_PRCTL, get),
		expect(t, "the slack after a reset", 50000),
		sys(abi.SYS_EXIT_GROUP, 0),
	))
	if st.ShellStatus() != 0 {
		t.Errorf("status %d", st.ShellStatus())
	}
}
