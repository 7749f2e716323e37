package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// The latency suite's targets, in the table's order.
const (
	tgtStarry = "starry"
	tgtLinux  = "linux"
	tgtHost   = "host"
)

// latFigure is one benchmark of one run: lat's summary (median, p10,
// p90, p99 in ns and TSC cycles per operation) and every sample in ns.
type latFigure struct {
	Name    string     `json:"name"`
	N       int        `json:"n"`
	Batch   int        `json:"batch"`
	NS      [4]float64 `json:"ns"`     // median, p10, p90, p99
	Cycles  [4]float64 `json:"cycles"` // the same, in TSC cycles
	Samples []float64  `json:"samples_ns"`
}

// latRun is one boot (or host run) of lat.
type latRun struct {
	Target      string            `json:"target"`
	Run         int               `json:"run"`
	Figures     []latFigure       `json:"figures"`
	Failed      map[string]string `json:"failed,omitempty"`
	Clocksource string            `json:"clocksource,omitempty"`
}

var (
	latSummary = regexp.MustCompile(`(?m)^lat: (\S+) n (\d+) batch (\d+) ns (\S+) (\S+) (\S+) (\S+) cycles (\S+) (\S+) (\S+) (\S+)\r?$`)
	latSamples = regexp.MustCompile(`(?m)^lat-samples: (\S+)((?: \S+)*)\r?$`)
	latFailed  = regexp.MustCompile(`(?m)^lat: (\S+) failed: (.*?)\r?$`)
	latClock   = regexp.MustCompile(`(?m)^lat: clocksource (\S+)\r?$`)
	latStatus  = regexp.MustCompile(`(?m)^lat: status (\d+)\r?$`)
	latDone    = regexp.MustCompile(`(?m)^lat: done\r?$`)
)

// parseLat reads lat's output. It fails when lat did not finish (no
// "lat: done"), so a crashed or truncated run is never a figure.
func parseLat(out, target string, run int) (latRun, error) {
	r := latRun{Target: target, Run: run, Failed: map[string]string{}}
	samples := map[string][]float64{}
	for _, m := range latSamples.FindAllStringSubmatch(out, -1) {
		for _, f := range strings.Fields(m[2]) {
			v, _ := strconv.ParseFloat(f, 64)
			samples[m[1]] = append(samples[m[1]], v)
		}
	}
	for _, m := range latSummary.FindAllStringSubmatch(out, -1) {
		f := latFigure{Name: m[1], Samples: samples[m[1]]}
		f.N, _ = strconv.Atoi(m[2])
		f.Batch, _ = strconv.Atoi(m[3])
		for i := range 4 {
			f.NS[i], _ = strconv.ParseFloat(m[4+i], 64)
			f.Cycles[i], _ = strconv.ParseFloat(m[8+i], 64)
		}
		r.Figures = append(r.Figures, f)
	}
	for _, m := range latFailed.FindAllStringSubmatch(out, -1) {
		r.Failed[m[1]] = m[2]
	}
	if m := latClock.FindStringSubmatch(out); m != nil {
		r.Clocksource = m[1]
	}
	if !latDone.MatchString(out) {
		return r, fmt.Errorf("lat did not finish (no \"lat: done\" line)")
	}
	if m := latStatus.FindStringSubmatch(out); m != nil && m[1] != "0" && len(r.Failed) == 0 {
		return r, fmt.Errorf("lat exited with status %s", m[1])
	}
	return r, nil
}

// latRow is one benchmark's line of the table for one target: the median
// of the runs' medians, the pooled p10 and p90, and how far apart the
// runs' medians are ((max-min)/median).
type latRow struct {
	Median, P10, P90, Spread float64
	Runs                     int
}

// summarizeLat pools a target's runs of one benchmark.
func summarizeLat(runs []latRun, target, name string) (latRow, bool) {
	var meds, pool []float64
	for _, r := range runs {
		if r.Target != target {
			continue
		}
		for _, f := range r.Figures {
			if f.Name == name {
				meds = append(meds, f.NS[0])
				pool = append(pool, f.Samples...)
			}
		}
	}
	if len(meds) == 0 {
		return latRow{}, false
	}
	slices.Sort(meds)
	slices.Sort(pool)
	row := latRow{Median: medianOf(meds), Runs: len(meds)}
	if row.Median > 0 {
		row.Spread = (meds[len(meds)-1] - meds[0]) / row.Median
	}
	if len(pool) > 0 {
		row.P10, row.P90 = nearestRank(pool, 10), nearestRank(pool, 90)
	}
	return row, true
}

// medianOf is the median of sorted v.
func medianOf(v []float64) float64 {
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// nearestRank is percentile p of sorted v, as lat computes it.
func nearestRank(v []float64, p int) float64 {
	i := (p*len(v)+99)/100 - 1
	return v[max(i, 0)]
}

// notMeasured is the cell for a benchmark without figures on target t:
// "failed" if a run said so, else "-" (the host has no boot time).
func notMeasured(runs []latRun, t, name string) string {
	for _, r := range runs {
		if _, bad := r.Failed[name]; bad && r.Target == t {
			return "failed"
		}
	}
	return "-"
}

// latNames is every benchmark any run reported, in lat's order.
func latNames(runs []latRun) []string {
	var names []string
	for _, r := range runs {
		for _, f := range r.Figures {
			if !slices.Contains(names, f.Name) {
				names = append(names, f.Name)
			}
		}
		for n := range r.Failed {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// spreadLimit is how far apart repeated runs' medians may be before the
// table warns that the figure is not steady.
const spreadLimit = 0.10

// printLatTable prints the side-by-side table and returns its warnings.
func printLatTable(w io.Writer, runs []latRun, targets []string) ([]string, error) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"benchmark"}
	for _, t := range targets {
		head = append(head, t+" median", t+" p10-p90")
	}
	if slices.Contains(targets, tgtLinux) {
		head = append(head, "starry/linux")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	var warns []string
	for _, name := range latNames(runs) {
		cells := []string{name}
		rows := map[string]latRow{}
		for _, t := range targets {
			row, ok := summarizeLat(runs, t, name)
			if !ok {
				cells = append(cells, notMeasured(runs, t, name), "-")
				continue
			}
			rows[t] = row
			cells = append(cells, fmtNs(row.Median), fmtNs(row.P10)+"-"+fmtNs(row.P90))
			if row.Runs > 1 && row.Spread > spreadLimit {
				warns = append(warns, fmt.Sprintf("%s on %s: the %d runs' medians are %.0f%% apart", name, t, row.Runs, 100*row.Spread))
			}
		}
		if slices.Contains(targets, tgtLinux) {
			s, okS := rows[tgtStarry]
			l, okL := rows[tgtLinux]
			ratio := "-"
			if okS && okL && l.Median > 0 {
				ratio = fmt.Sprintf("%.2fx", s.Median/l.Median)
			}
			cells = append(cells, ratio)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	return warns, tw.Flush()
}

// fmtNs renders a duration in ns with a unit that keeps three digits.
func fmtNs(ns float64) string {
	switch a := math.Abs(ns); {
	case a >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case a >= 1e3:
		return fmt.Sprintf("%.2f us", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

// latReport is the JSON file: the setting, and every run with every
// sample.
type latReport struct {
	Date        string   `json:"date"`
	Accel       string   `json:"accel"`
	Machine     string   `json:"machine"`
	MemMiB      int      `json:"mem_mib"`
	CPUs        int      `json:"cpus"`
	HostCPU     string   `json:"host_cpu"`
	LinuxKernel string   `json:"linux_kernel,omitempty"`
	Targets     []string `json:"targets"`
	Runs        []latRun `json:"runs"`
}

func writeLatJSON(path string, rep *latReport) error {
	data, err := json.MarshalIndent(rep, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
