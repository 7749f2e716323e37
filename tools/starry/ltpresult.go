package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
)

// Verdicts. LTP's tests exit with a bit set per kind of result seen
// (TFAIL 1, TBROK 2, TWARN 4, TCONF 32; 0 when everything passed); the
// rest are what the harness saw itself.
const (
	vPass    = "pass"
	vFail    = "fail"
	vBroken  = "broken"
	vWarn    = "warn"
	vConf    = "conf"    // TCONF only: the test found something missing
	vTimeout = "timeout" // killed at the per-case limit
	vSignal  = "signal"  // killed by a signal (not LTP's own verdict)
	vMissing = "missing" // not built on this host
	vNoExec  = "noexec"  // could not be executed
	vCrash   = "crash"   // the guest died during the case
)

// ltpResult is one case's outcome in one place (guest or host).
type ltpResult struct {
	Verdict string   `json:"verdict"`
	Status  int      `json:"status"`          // shell-style exit status
	First   string   `json:"first,omitempty"` // first failure (or TCONF) line
	Seconds float64  `json:"seconds,omitempty"`
	ENOSYS  []string `json:"enosys,omitempty"` // system calls the kernel said it lacks
}

// ltpRow is one case of the report.
type ltpRow struct {
	Name   string     `json:"name"`
	Argv   []string   `json:"argv,omitempty"`
	Starry ltpResult  `json:"starry"`
	Native *ltpResult `json:"native,omitempty"`
}

// ltpReport is what --json writes.
type ltpReport struct {
	Version string            `json:"ltp_version"`
	Date    string            `json:"date"`
	Summary map[string]int    `json:"summary"`
	Peers   map[string][2]int `json:"peers,omitempty"` // peer -> {passing, listed}
	Cases   []ltpRow          `json:"cases"`
}

// ansi matches colour escapes, which LTP prints when it thinks it may.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// cleanLines splits console output into lines without CRs or colours.
func cleanLines(out string) []string {
	out = ansi.ReplaceAllString(strings.ReplaceAll(out, "\r", ""), "")
	return strings.Split(out, "\n")
}

// enosysLine is the kernel's once-per-command note of a missing call.
var enosysLine = regexp.MustCompile(`^starry: linux: (\w+) \(\d+\) is not implemented: ENOSYS`)

// missingCalls lists the system calls the kernel reported missing in a
// case's output.
func missingCalls(lines []string) []string {
	var out []string
	for _, l := range lines {
		if m := enosysLine.FindStringSubmatch(l); m != nil && !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// judge turns a case's exit status and output into a verdict and the
// line that best says why.
func judge(status int, timedOut bool, lines []string) ltpResult {
	r := ltpResult{Status: status}
	switch {
	case timedOut:
		r.Verdict, r.First = vTimeout, lastLine(lines)
	case status == 0:
		r.Verdict = vPass
	case status > 128:
		r.Verdict = vSignal
		r.First = fmt.Sprintf("killed by signal %d; last line: %s", status-128, lastLine(lines))
	case status&2 != 0:
		r.Verdict, r.First = vBroken, firstWith(lines, "TBROK", "TFAIL", "TWARN")
	case status&1 != 0:
		r.Verdict, r.First = vFail, firstWith(lines, "TFAIL", "TBROK", "TWARN")
	case status&4 != 0:
		r.Verdict, r.First = vWarn, firstWith(lines, "TWARN")
	case status == 32:
		r.Verdict, r.First = vConf, firstWith(lines, "TCONF")
	default:
		r.Verdict, r.First = vFail, fmt.Sprintf("exit status %d; last line: %s", status, lastLine(lines))
	}
	if r.Verdict != vPass && r.First == "" {
		r.First = lastLine(lines)
	}
	r.First = clip(r.First, 200)
	r.ENOSYS = missingCalls(lines)
	return r
}

// firstWith is the first line holding any of the words.
func firstWith(lines []string, words ...string) string {
	for _, l := range lines {
		for _, w := range words {
			if strings.Contains(l, w) {
				return strings.TrimSpace(l)
			}
		}
	}
	return ""
}

// lastLine is the last non-blank line.
func lastLine(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if s := strings.TrimSpace(lines[i]); s != "" {
			return s
		}
	}
	return ""
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// summarize counts the guest verdicts.
func summarize(rows []ltpRow) map[string]int {
	m := map[string]int{}
	for _, r := range rows {
		m[r.Starry.Verdict]++
	}
	return m
}

// peerCounts is, for each peer list, how many of its cases passed here
// and how many it lists.
func peerCounts(rows []ltpRow, peers map[string][]string) map[string][2]int {
	pass := map[string]bool{}
	for _, r := range rows {
		if r.Starry.Verdict == vPass {
			pass[r.Name] = true
		}
	}
	out := map[string][2]int{}
	for peer, names := range peers {
		n := 0
		for _, name := range names {
			if pass[name] {
				n++
			}
		}
		out[peer] = [2]int{n, len(names)}
	}
	return out
}

// printLTPTable writes one line per case and the totals.
func printLTPTable(w io.Writer, rep *ltpReport) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tstarry\tnative\tfirst failure line (starry)")
	for _, r := range rep.Cases {
		native := "-"
		if r.Native != nil {
			native = r.Native.Verdict
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.Starry.Verdict, native, r.Starry.First)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var kinds []string
	for k := range rep.Summary {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, rep.Summary[k]))
	}
	fmt.Fprintf(w, "\nLTP %s, %s: %d cases: %s\n", rep.Version, rep.Date, len(rep.Cases), strings.Join(parts, ", "))
	var peers []string
	for p := range rep.Peers {
		peers = append(peers, p)
	}
	sort.Strings(peers)
	for _, p := range peers {
		c := rep.Peers[p]
		fmt.Fprintf(w, "%s list: %d of %d pass in Starry-Go\n", p, c[0], c[1])
	}
	if n := nativeMismatch(rep.Cases); n > 0 {
		fmt.Fprintf(w, "%d cases pass natively but not in Starry-Go\n", n)
	}
	return nil
}

// nativeMismatch counts cases that pass on the host and not in the guest.
func nativeMismatch(rows []ltpRow) int {
	n := 0
	for _, r := range rows {
		if r.Native != nil && r.Native.Verdict == vPass && r.Starry.Verdict != vPass {
			n++
		}
	}
	return n
}

// writeJSON writes the report to path.
func writeJSON(path string, rep *ltpReport) error {
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
