package linux

import (
	"os"
	"strings"
	"testing"
)

// TestLTPMissingSyscalls: a call tests/ltp/known-failures.txt gives as
// missing is one the table lacks (so the list goes stale, and this fails,
// once it is implemented), and one the table has is never given as
// missing.
func TestLTPMissingSyscalls(t *testing.T) {
	data, err := os.ReadFile("../../tests/ltp/known-failures.txt")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, s := range Table() {
		have[s.Name] = true
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		_, rest, ok := strings.Cut(line, "\tmissing syscall ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		names, _, _ := strings.Cut(rest, " ")
		for _, name := range strings.Split(names, ",") {
			n++
			if have[name] {
				t.Errorf("known-failures.txt says %s is missing, but the table has it: %s", name, line)
			}
		}
	}
	if n == 0 {
		t.Log("no case fails for a missing system call")
	}
}
