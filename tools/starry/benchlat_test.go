package main

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

// latOutput is lat's output for one benchmark with its samples.
func latOutput(name, samples string) string {
	return "lat-samples: " + name + " " + samples + "\r\n" +
		"lat: " + name + " n 3 batch 1 ns " + strings.Fields(samples)[1] + " 1 2 3 cycles 4 5 6 7\r\n"
}

func TestParseLat(t *testing.T) {
	out := "noise\nlat: clocksource tsc\n" + latOutput("getppid", "300 500 400") +
		"lat: stat failed: stat /bench/file4k: No such file\r\nlat: done\nlat: status 1\n"
	r, err := parseLat(out, tgtLinux, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Figures) != 1 || r.Figures[0].Name != "getppid" || r.Figures[0].NS[0] != 500 || r.Figures[0].Cycles[3] != 7 {
		t.Errorf("figures = %+v", r.Figures)
	}
	if got := r.Figures[0].Samples; len(got) != 3 || got[0] != 300 || got[2] != 400 {
		t.Errorf("samples = %v, want 300 500 400", got)
	}
	if r.Failed["stat"] != "stat /bench/file4k: No such file" || r.Clocksource != "tsc" || r.Run != 2 {
		t.Errorf("run = %+v", r)
	}
	if _, err := parseLat(latOutput("getppid", "1 2 3"), tgtStarry, 1); err == nil {
		t.Error("output without \"lat: done\" parsed as a finished run")
	}
	if _, err := parseLat("lat: done\nlat: status 2\n", tgtStarry, 1); err == nil {
		t.Error("status 2 with no failed benchmark parsed as success")
	}
}

// latRuns are two runs per target of one benchmark.
func latRuns() []latRun {
	fig := func(med float64, s ...float64) []latFigure {
		return []latFigure{{Name: "getppid", N: len(s), Batch: 1, NS: [4]float64{med}, Samples: s}}
	}
	return []latRun{
		{Target: tgtStarry, Run: 1, Figures: fig(100, 90, 100, 110)},
		{Target: tgtLinux, Run: 1, Figures: fig(400, 400, 400, 400)},
		{Target: tgtStarry, Run: 2, Figures: fig(200, 190, 200, 210)},
		{Target: tgtLinux, Run: 2, Figures: fig(400, 380, 400, 420)},
	}
}

func TestSummarizeLat(t *testing.T) {
	row, ok := summarizeLat(latRuns(), tgtStarry, "getppid")
	if !ok || row.Median != 150 || row.Runs != 2 || row.P10 != 90 || row.P90 != 210 {
		t.Errorf("starry row = %+v, want median 150 of 2 runs, p10 90, p90 210", row)
	}
	if row.Spread < 0.66 || row.Spread > 0.67 {
		t.Errorf("spread = %v, want (200-100)/150", row.Spread)
	}
	if _, ok := summarizeLat(latRuns(), tgtHost, "getppid"); ok {
		t.Error("a target without runs has a row")
	}
}

func TestPrintLatTable(t *testing.T) {
	var b bytes.Buffer
	warns, err := printLatTable(&b, latRuns(), []string{tgtStarry, tgtLinux})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "0.38x") || !strings.Contains(b.String(), "150 ns") {
		t.Errorf("table lacks the ratio 150/400 or starry's median:\n%s", b.String())
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "getppid on starry") {
		t.Errorf("warnings = %q, want one for starry's 67%% spread", warns)
	}
}

func TestLatPlot(t *testing.T) {
	svg := latPlot(&latReport{Targets: []string{tgtStarry, tgtLinux}, Runs: latRuns()})
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Fatalf("the plot is not well-formed XML: %v", err)
	}
	if !bytes.Contains(svg, []byte(">getppid<")) || bytes.Count(svg, []byte("<circle")) != 12 {
		t.Errorf("the plot lacks the benchmark's name or its 12 samples")
	}
}

func TestFmtNs(t *testing.T) {
	for _, c := range []struct {
		ns   float64
		want string
	}{{446, "446 ns"}, {6000, "6.00 us"}, {1.12e6, "1.12 ms"}} {
		if got := fmtNs(c.ns); got != c.want {
			t.Errorf("fmtNs(%v) = %q, want %q", c.ns, got, c.want)
		}
	}
	if got := axisLabel(500e3); got != "500 us" {
		t.Errorf("axisLabel(500 us) = %q", got)
	}
}

func TestIcountArgs(t *testing.T) {
	got := strings.Join(icountArgs([]string{"-M", "microvm", "-accel", "tcg", "-cpu", "max"}), " ")
	if got != "-M microvm -accel tcg,thread=single -cpu max -icount shift=0,sleep=off" {
		t.Errorf("icountArgs = %q", got)
	}
}

func TestRunOrderAlternates(t *testing.T) {
	all := []string{tgtStarry, tgtLinux, tgtHost}
	if a, b := strings.Join(runOrder(all, 1), ","), strings.Join(runOrder(all, 2), ","); a != "starry,linux,host" || b != "linux,starry,host" {
		t.Errorf("run orders %q, %q", a, b)
	}
}
