package linux

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite README.md from the syscall table")

// compatDoc renders the table as the compatibility list.
func compatDoc() string {
	var b strings.Builder
	b.WriteString("# x86-64 Linux system calls in Starry-Go\n\n")
	b.WriteString("Generated from the table in table.go by `go test ./personality/linux -run TestCompatDoc -update`.\n")
	b.WriteString("Numbers not listed answer ENOSYS (logged once per number).\n\n")
	b.WriteString("| nr | name | support | note |\n|---:|---|---|---|\n")
	for _, s := range Table() {
		note := s.Note
		if s.Support == Refused {
			note = fmt.Sprintf("%s: %s", s.Errno.Error(), note)
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", s.Nr, s.Name, s.Support, note)
	}
	return b.String()
}

func TestCompatDoc(t *testing.T) {
	want := compatDoc()
	if *update {
		if err := os.WriteFile("README.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("README.md")
	if err != nil || string(got) != want {
		t.Errorf("README.md is out of date with the table: run with -update (%v)", err)
	}
}
