package tests

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The differential syscall fuzzer: sysfuzz in trace mode makes the same
// seeded stream of hostile calls (bad pointers, odd flags, garbage upper
// halves, descriptors it opened itself) natively and in the guest, and
// prints one line per call: its number and result (a value, an errno,
// or "-" where the answer is the machine's, such as a PID). Linux is the
// reference, so every result must be the same, errno for errno: that
// pins down not only what each call does but the order in which it
// checks its arguments.

// syscallDiffSeeds and syscallDiffCalls size the run: 320,000 calls, about a minute.
var syscallDiffSeeds = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}

const syscallDiffCalls = 20000

func TestSyscallDifferential(t *testing.T) {
	root := procRoot(t)
	cases := make([]procCase, len(syscallDiffSeeds))
	native := make([]procResult, len(cases))
	var lines []string
	for i, seed := range syscallDiffSeeds {
		cases[i] = procCase{"/bin/sysfuzz", fmt.Sprint(seed), fmt.Sprint(syscallDiffCalls), "trace"}
		r, err := runChrooted(root, cases[i], time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if r.status != 0 || len(r.lines) < syscallDiffCalls/2 {
			t.Fatalf("natively, %s exited %d after %d lines", strings.Join(cases[i], " "), r.status, len(r.lines))
		}
		native[i] = r
		lines = append(lines, strings.Join(cases[i], " "))
	}
	script := writeScript(t, lines)
	r := runInRoot(t, root, "--script", script)
	guest := guestResults(r.stdout)
	var bad []string
	for i := range cases {
		if i >= len(guest) {
			bad = append(bad, fmt.Sprintf("%s: no exit line (the guest ran %d of %d)", lines[i], len(guest), len(cases)))
			break
		}
		if d := compareTraces(native[i], guest[i]); d != "" {
			bad = append(bad, fmt.Sprintf("%s:\n    %s", lines[i], d))
		}
	}
	if strings.Contains(r.stdout, "KERNEL CRASH") {
		bad = append(bad, "the kernel crashed")
	}
	if len(bad) > 0 {
		t.Errorf("the guest's system calls differ from Linux's (lines are \"call NR: RESULT # arguments\"):\n  %s",
			strings.Join(bad, "\n  "))
	}
}

// compareTraces compares two sysfuzz traces call by call, up to the '#'
// after which each line shows addresses that differ between machines.
func compareTraces(native, guest procResult) string {
	var diffs []string
	if native.status != guest.status {
		diffs = append(diffs, fmt.Sprintf("status %d, Linux %d", guest.status, native.status))
	}
	if len(native.lines) != len(guest.lines) {
		diffs = append(diffs, fmt.Sprintf("%d lines, Linux %d", len(guest.lines), len(native.lines)))
	}
	for i := 0; i < len(native.lines) && i < len(guest.lines); i++ {
		n, g := native.lines[i], guest.lines[i]
		if nr, _, _ := strings.Cut(n, "#"); !strings.HasPrefix(g, nr) {
			diffs = append(diffs, fmt.Sprintf("guest %q\n      Linux %q", g, n))
		}
	}
	if len(diffs) > 8 {
		diffs = append(diffs[:8], fmt.Sprintf("and %d more", len(diffs)-8))
	}
	return strings.Join(diffs, "\n    ")
}
