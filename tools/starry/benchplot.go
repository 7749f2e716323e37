package main

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
)

// latColors are the targets' colours in the plot.
var latColors = map[string]string{tgtStarry: "#e6550d", tgtLinux: "#3182bd", tgtHost: "#636363"}

// Plot geometry, in SVG user units.
const (
	plotWidth  = 960
	plotLeft   = 190 // the benchmark names' column
	plotRight  = 30
	plotRowH   = 18 // one target's distribution
	plotGap    = 34 // between benchmarks, for the axis labels
	plotTop    = 50
	plotSample = 100 // samples drawn per target and benchmark, at most
)

// latPlot draws each benchmark's distributions, one row per target, on
// a log time axis of its own: a dot per sample (all runs pooled), a box
// from p10 to p90, a whisker from p1 to p99 and a bar at the median.
func latPlot(rep *latReport) []byte {
	names := latNames(rep.Runs)
	panelH := plotRowH*len(rep.Targets) + plotGap
	height := plotTop + panelH*len(names) + 10
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", plotWidth, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="14" font-weight="bold">%s</text>`+"\n",
		html.EscapeString(fmt.Sprintf("starry bench, %s, %s, %s, %d MiB, %d CPU; host %s", rep.Date, rep.Accel, rep.Machine, rep.MemMiB, rep.CPUs, rep.HostCPU)))
	x := 10
	for _, t := range rep.Targets {
		fmt.Fprintf(&b, `<rect x="%d" y="30" width="12" height="12" fill="%s"/><text x="%d" y="40">%s</text>`+"\n", x, latColors[t], x+16, t)
		x += 90
	}
	fmt.Fprintf(&b, `<text x="%d" y="40" fill="#555">box p10-p90, whiskers p1-p99, bar median, dots samples; log time axis per benchmark</text>`+"\n", x+10)
	for i, name := range names {
		plotPanel(&b, rep, name, plotTop+i*panelH)
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// plotPanel draws one benchmark with its top edge at y.
func plotPanel(b *bytes.Buffer, rep *latReport, name string, y int) {
	pools := map[string][]float64{}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, t := range rep.Targets {
		var pool []float64
		for _, r := range rep.Runs {
			for _, f := range r.Figures {
				if r.Target == t && f.Name == name {
					pool = append(pool, f.Samples...)
				}
			}
		}
		pool = slices.DeleteFunc(pool, func(v float64) bool { return v <= 0 })
		slices.Sort(pool)
		pools[t] = pool
		if len(pool) > 0 {
			lo, hi = min(lo, nearestRank(pool, 1)), max(hi, nearestRank(pool, 99))
		}
	}
	rows := float64(plotRowH * len(rep.Targets))
	fmt.Fprintf(b, `<text x="10" y="%.0f">%s</text>`+"\n", float64(y)+rows/2+4, html.EscapeString(name))
	if math.IsInf(lo, 1) {
		fmt.Fprintf(b, `<text x="%d" y="%.0f" fill="#a00">no samples</text>`+"\n", plotLeft, float64(y)+rows/2+4)
		return
	}
	lo, hi = lo/1.15, hi*1.15
	scale := func(v float64) float64 {
		v = min(max(v, lo), hi)
		return plotLeft + (math.Log(v)-math.Log(lo))/(math.Log(hi)-math.Log(lo))*(plotWidth-plotLeft-plotRight)
	}
	plotAxis(b, lo, hi, scale, float64(y), float64(y)+rows)
	for j, t := range rep.Targets {
		pool := pools[t]
		cy := float64(y + j*plotRowH + plotRowH/2)
		if len(pool) == 0 {
			fmt.Fprintf(b, `<text x="%d" y="%.0f" fill="%s">%s: %s</text>`+"\n", plotLeft+4, cy+4, latColors[t], t,
				map[string]string{"-": "not measured", "failed": "failed"}[notMeasured(rep.Runs, t, name)])
			continue
		}
		c := latColors[t]
		step := max(1, len(pool)/plotSample)
		for k := 0; k < len(pool); k += step {
			jit := float64((k*7919)%9) - 4
			fmt.Fprintf(b, `<circle cx="%.0f" cy="%.0f" r="1.6" fill="%s" fill-opacity="0.25"/>`+"\n", scale(pool[k]), cy+jit, c)
		}
		p1, p10, p50, p90, p99 := nearestRank(pool, 1), nearestRank(pool, 10), nearestRank(pool, 50), nearestRank(pool, 90), nearestRank(pool, 99)
		fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s"/>`+"\n", scale(p1), scale(p99), cy, cy, c)
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s" fill-opacity="0.35" stroke="%s"/>`+"\n",
			scale(p10), cy-5, max(scale(p90)-scale(p10), 1), 10, c, c)
		fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="black" stroke-width="2"/>`+"\n", scale(p50), scale(p50), cy-7, cy+7)
	}
}

// plotAxis draws grid lines and labels at 1, 2 and 5 times the powers of
// ten between lo and hi, under the rows from top to bottom.
func plotAxis(b *bytes.Buffer, lo, hi float64, scale func(float64) float64, top, bottom float64) {
	fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%.0f" y2="%.0f" stroke="#999"/>`+"\n", plotLeft, plotWidth-plotRight, bottom+2, bottom+2)
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v < lo || v > hi {
				continue
			}
			x := scale(v)
			fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%.0f" y2="%.0f" stroke="#ddd"/>`+"\n", x, x, top-2, bottom+2)
			fmt.Fprintf(b, `<text x="%.1f" y="%.0f" text-anchor="middle" fill="#555" font-size="10">%s</text>`+"\n", x, bottom+14, axisLabel(v))
		}
	}
}

// axisLabel is fmtNs without zero decimals ("500 us", "1 ms", "2.5 ms").
func axisLabel(ns float64) string {
	s := fmtNs(ns)
	num, unit, _ := strings.Cut(s, " ")
	if strings.Contains(num, ".") {
		num = strings.TrimRight(strings.TrimRight(num, "0"), ".")
	}
	return num + " " + unit
}
