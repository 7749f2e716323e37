package main

import (
	"strings"
	"testing"
)

func TestBenchFigures(t *testing.T) {
	guest := parseBenchLines("noise\nbench: getppid median 1200 ns 3100 cycles\r\nbench: pagefault median 9000 ns 23000 cycles\n")
	host := parseBenchLines("bench: getppid median 80 ns 210 cycles\n")
	if len(guest) != 2 || guest[1] != (benchFigure{"pagefault", "9000", "23000"}) {
		t.Fatalf("guest figures %+v", guest)
	}
	var out strings.Builder
	printBenchFigures(&out, "prog", "tcg", guest, host)
	lines := strings.Split(out.String(), "\n")
	var rows []string
	for _, l := range lines {
		if f := strings.Fields(l); len(f) == 5 && (f[0] == "getppid" || f[0] == "pagefault") {
			rows = append(rows, strings.Join(f, " "))
		}
	}
	if strings.Join(rows, ";") != "getppid 1200 3100 80 210;pagefault 9000 23000 - -" {
		t.Errorf("table:\n%s", out.String())
	}
}
