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
// each that does not pass, with LTP's first failure line.
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
	out := filepath.Join(t.TempDir(), "ltp.json")
	r := runCLI(nil, 50*time.Minute, "ltp", "--kernel", kernelImage(t), "--src", tarball,
		"--list", list, "--native=false", "--json", out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("starry ltp wrote no report (status %d): %v\n%s", r.code, err, tail(r.stderr, 40))
	}
	var rep struct {
		Cases []struct {
			Name   string
			Starry struct{ Verdict, First string }
		}
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range rep.Cases {
		got[c.Name] = c.Starry.Verdict
		if c.Starry.Verdict != "pass" {
			t.Errorf("LTP %s regressed: %s: %s", c.Name, c.Starry.Verdict, c.Starry.First)
		}
	}
	for _, n := range want {
		if _, ok := got[n]; !ok {
			t.Errorf("LTP %s: no result in the report", n)
		}
	}
	t.Logf("%d LTP cases run in %v", len(rep.Cases), r.elapsed.Round(time.Second))
	if r.code != 0 && !t.Failed() {
		t.Errorf("starry ltp exited %d with every case passing:\n%s", r.code, tail(r.stderr, 40))
	}
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
