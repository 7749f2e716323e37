package tests

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// LTP as the conformance suite: tests/ltp/must-pass.txt are the cases
// that pass today, and every one must go on passing. "starry ltp" builds
// LTP from ../shared/ltp's tarball (cached under build/ltp) and runs them
// in the guest.

// ltpList reads the case names of a list (first word of each line).
func ltpList(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("LTP case list: %v", err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && line[0] != '#' {
			names = append(names, strings.Fields(line)[0])
		}
	}
	return names
}

// TestLTPMustPass runs every must-pass case in the guest and fails on
// each that does not pass, with LTP's first failure line. A case whose
// only failure is LTP's oversleep check (tst_timer_test.c: "slept for too
// long") is run once more on its own: that check measures the shared
// host's scheduling as much as the kernel (LTP turns it off when it sees a
// hypervisor, and TCG is not one it recognises), so a busy CI machine
// fails it now and then. A kernel that really oversleeps fails it twice;
// TestSleepPrecision holds the medians to a tighter bound.
func TestLTPMustPass(t *testing.T) {
	tarball := filepath.Join(repoRoot, "..", "shared", "ltp", "ltp-20260529.tar.xz")
	if _, err := os.Stat(tarball); err != nil {
		t.Fatalf("the LTP source the suite is built from is missing: %v", err)
	}
	list := filepath.Join(repoRoot, "tests", "ltp", "must-pass.txt")
	want := ltpList(t, list)
	if len(want) == 0 {
		t.Fatal("tests/ltp/must-pass.txt lists no cases")
	}
	got, elapsed := runLTP(t, 50*time.Minute, "--list", list)
	var retry []string
	for name, v := range got {
		if v.Verdict == "pass" {
			continue
		}
		if strings.Contains(v.First, "slept for too long") {
			retry = append(retry, name)
			continue
		}
		t.Errorf("LTP %s regressed: %s: %s", name, v.Verdict, v.First)
	}
	if len(retry) > 0 {
		again, _ := runLTP(t, 10*time.Minute, "--cases", strings.Join(retry, ","))
		for _, name := range retry {
			if v := again[name]; v.Verdict != "pass" {
				t.Errorf("LTP %s regressed (oversleeping twice): %s: %s", name, v.Verdict, v.First)
			} else {
				t.Logf("LTP %s overslept (%s) and passed when run again", name, got[name].First)
			}
		}
	}
	for _, n := range want {
		if _, ok := got[n]; !ok {
			t.Errorf("LTP %s: no result in the report", n)
		}
	}
	t.Logf("%d LTP cases run in %v", len(got), elapsed.Round(time.Second))
}

// ltpVerdict is a case's result in the guest, from starry ltp's report.
type ltpVerdict struct{ Verdict, First string }

// runLTP runs "starry ltp" in the guest on the cases args select and
// returns each case's verdict. It fails the test when no report comes,
// or when the CLI exits non-zero with every case passing.
func runLTP(t *testing.T, limit time.Duration, args ...string) (map[string]ltpVerdict, time.Duration) {
	t.Helper()
	tarball := filepath.Join(repoRoot, "..", "shared", "ltp", "ltp-20260529.tar.xz")
	out := filepath.Join(t.TempDir(), "ltp.json")
	r := runCLI(nil, limit, append([]string{"ltp", "--kernel", kernelImage(t), "--src", tarball,
		"--native=false", "--json", out}, args...)...)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("starry ltp wrote no report (status %d): %v\n%s", r.code, err, tail(r.stderr, 40))
	}
	var rep struct {
		Cases []struct {
			Name   string
			Starry ltpVerdict
		}
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]ltpVerdict{}
	allPass := true
	for _, c := range rep.Cases {
		got[c.Name] = c.Starry
		allPass = allPass && c.Starry.Verdict == "pass"
	}
	if r.code != 0 && allPass {
		t.Errorf("starry ltp exited %d with every case passing:\n%s", r.code, tail(r.stderr, 40))
	}
	return got, r.elapsed
}

// TestLTPListsCoverPeers: every case of the peers' lists is either in
// must-pass.txt or, with a reason, in known-failures.txt, never both.
func TestLTPListsCoverPeers(t *testing.T) {
	pass := map[string]bool{}
	for _, n := range ltpList(t, filepath.Join(repoRoot, "tests", "ltp", "must-pass.txt")) {
		pass[n] = true
	}
	known := map[string]bool{}
	knownPath := filepath.Join(repoRoot, "tests", "ltp", "known-failures.txt")
	text, err := os.ReadFile(knownPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(text), "\n") {
		if f := strings.Fields(line); len(f) == 1 && f[0][0] != '#' {
			t.Errorf("known-failures.txt: %s has no reason", f[0])
		}
	}
	for _, n := range ltpList(t, knownPath) {
		if pass[n] {
			t.Errorf("LTP %s is in both must-pass.txt and known-failures.txt", n)
		}
		known[n] = true
	}
	for _, peer := range []string{"tgoskits", "asterinas"} {
		for _, n := range ltpList(t, filepath.Join(repoRoot, "..", "shared", "ltp", "cases-"+peer+".txt")) {
			if !pass[n] && !known[n] {
				t.Errorf("LTP %s (%s's list) is in neither must-pass.txt nor known-failures.txt", n, peer)
			}
		}
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
