package tests

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// memmodelSeeds are the seeds both runs of the memory model use.
var memmodelSeeds = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}

const memmodelOps = 4000

// TestMemoryModel runs the model-based memory test (tests/progs/memmodel.c)
// natively first, which checks the model against Linux, then in the guest
// with the same seeds, which checks the kernel against the model: every
// call's result and every page's read, write and execute must agree.
func TestMemoryModel(t *testing.T) {
	bin := filepath.Join(testProgs(t), "memmodel")
	var lines []string
	for _, s := range memmodelSeeds {
		args := []string{fmt.Sprint(s), fmt.Sprint(memmodelOps)}
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "memmodel ok") {
			t.Fatalf("natively, memmodel %s disagrees with Linux (the model is wrong): %v\n%s", strings.Join(args, " "), err, out)
		}
		lines = append(lines, "/bin/memmodel "+strings.Join(args, " "))
	}
	script := writeScript(t, lines)
	r := runProgs(t, "--script", script)
	var steps []suiteStep
	for _, l := range lines {
		steps = append(steps, suiteStep{line: l, status: 0, text: "memmodel ok seed=" + strings.Fields(l)[1] + " "})
	}
	if problems := stepProblems(r, steps); len(problems) > 0 {
		t.Errorf("the guest disagrees with the memory model:\n  %s\n%v", strings.Join(problems, "\n  "), r)
	}
}

// TestGoHeap boots gcstress (the program of the correctness issue) 20
// times: plain and seq, GOMAXPROCS 1 and 4, five boots each. Its heap
// reuses scavenged memory, which must read as zeros after MADV_DONTNEED.
func TestGoHeap(t *testing.T) {
	type variant struct{ procs, mode string }
	var runs []variant
	for i := 0; i < 5; i++ {
		for _, v := range []variant{{"1", ""}, {"1", "seq"}, {"4", ""}, {"4", "seq"}} {
			runs = append(runs, v)
		}
	}
	testProgs(t)
	kernelImage(t)
	var mu sync.Mutex
	var failed []string
	sem := make(chan struct{}, 2) // the machines here have two cores
	var wg sync.WaitGroup
	for i, v := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			args := []string{"--", "GOMAXPROCS=" + v.procs, "/bin/gcstress"}
			if v.mode != "" {
				args = append(args, v.mode)
			}
			r := runProgs(t, args...)
			if r.code != 0 || lineIndex(consoleLines(r.stdout), "gcstress ok") < 0 {
				mu.Lock()
				failed = append(failed, fmt.Sprintf("boot %d (GOMAXPROCS=%s %s): %v", i+1, v.procs, v.mode, r))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(failed) > 0 {
		t.Errorf("gcstress failed in %d of %d boots:\n%s", len(failed), len(runs), strings.Join(failed, "\n"))
	}
}

// TestGoStress runs a Go program through maps, channels, timers,
// goroutines, big allocations and runtime.GC for 60 seconds, four Ps.
func TestGoStress(t *testing.T) {
	r := runProgs(t, "--", "GOMAXPROCS=4", "/bin/gostress", "60s")
	checkRun(t, r, 0, []string{"gostress ok"}, "fatal error", "panic:")
}
