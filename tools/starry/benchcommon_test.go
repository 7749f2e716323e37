package main

import "testing"

func TestBenchFigures(t *testing.T) {
	figs := parseBenchLines("noise\nbench: exo-null-trap median 1200 ns 3100 cycles\r\nbench: exo-pagefault-map median 9000 ns 23000 cycles\n")
	if len(figs) != 2 || figs[1] != (benchFigure{"exo-pagefault-map", "9000", "23000"}) {
		t.Fatalf("figures %+v", figs)
	}
}
