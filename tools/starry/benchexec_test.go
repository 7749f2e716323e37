package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExecFigures(t *testing.T) {
	guest := parseExecOutput("starry: boot\r\n" +
		"bench: fork+exit+wait median 700000 ns 1800000 cycles runs 2000\r\n" +
		"bench: posix_spawn+wait failed: posix_spawn: Function not implemented (errno 38)\r\n" +
		"bench: pipe-roundtrip median 135000 ns 350000 cycles runs 10000\r\n" +
		"starry: exit /bin/bench_exec status=1\r\n")
	host := parseExecOutput("bench: fork+exit+wait median 80000 ns 210000 cycles runs 2000\n" +
		"bench: posix_spawn+wait median 130000 ns 350000 cycles runs 200\n")
	if len(guest.rows) != 3 || guest.rows[1] != (benchFigure{"posix_spawn+wait", "failed", "-"}) {
		t.Fatalf("guest rows %+v", guest.rows)
	}
	if len(guest.failed) != 1 || guest.failed[0] != "posix_spawn+wait: posix_spawn: Function not implemented (errno 38)" {
		t.Fatalf("guest failures %q", guest.failed)
	}
	if !partialFailure(&exitError{code: 1}, guest) || partialFailure(&exitError{code: 1}, host) ||
		partialFailure(&exitError{code: 139}, guest) || partialFailure(fail(1, "kernel crashed"), guest) {
		t.Error("partialFailure accepts the wrong outcomes")
	}
	var out strings.Builder
	printExecFigures(&out, "prog", "/bin/busybox", "tcg", "0.1 0.2 0.3", guest, host)
	var rows []string
	for _, l := range strings.Split(out.String(), "\n") {
		switch f := strings.Fields(l); {
		case len(f) == 5 && (f[0] == "fork+exit+wait" || f[0] == "posix_spawn+wait" || f[0] == "pipe-roundtrip"):
			rows = append(rows, strings.Join(f, " "))
		}
	}
	want := "fork+exit+wait 700000 1800000 80000 210000;posix_spawn+wait failed - 130000 350000;pipe-roundtrip 135000 350000 - -"
	if strings.Join(rows, ";") != want {
		t.Errorf("rows %q, want %q; table:\n%s", strings.Join(rows, ";"), want, out.String())
	}
	for _, s := range []string{
		"runs: fork+exit+wait 2000, posix_spawn+wait 200, pipe-roundtrip 10000",
		"FAILED under starry: posix_spawn+wait: posix_spawn: Function not implemented (errno 38)",
		"load average before the host run: 0.1 0.2 0.3",
	} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, out.String())
		}
	}
}

// TestBenchExecMissingTools: without busybox or musl-gcc the benchmark
// stops before booting, with a message naming the package and status 1.
func TestBenchExecMissingTools(t *testing.T) {
	dir := t.TempDir()
	kernel := filepath.Join(dir, "kernel.elf")
	if err := os.WriteFile(kernel, []byte("not booted"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("STARRY_QEMU", "/bin/true") // found, never run
	args := []string{"exec", "--kernel", kernel}
	var stderr strings.Builder
	err := cmdBench(append(args, "--busybox", filepath.Join(dir, "none")), &stderr, &stderr)
	if statusOf(err) != exitFailure || !strings.Contains(err.Error(), "busybox-static") {
		t.Errorf("missing busybox: %v", err)
	}
	err = cmdBench(append(args, "--busybox", kernel), &stderr, &stderr)
	if statusOf(err) != exitFailure || !strings.Contains(err.Error(), "not an ELF executable") {
		t.Errorf("busybox not ELF: %v", err)
	}
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skip("no /bin/busybox for the musl-gcc check")
	}
	t.Setenv("PATH", dir)
	err = cmdBench(args, &stderr, &stderr)
	if statusOf(err) != exitFailure || !strings.Contains(err.Error(), "musl-gcc not found") || !strings.Contains(err.Error(), "musl-tools") {
		t.Errorf("missing musl-gcc: %v", err)
	}
}
