package main

import (
	"context"
	"debug/elf"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"time"
)

// benchExecSource is the default program of "bench exec", compiled with
// musl-gcc when --prog is not given.
const benchExecSource = "tests/progs/bench_exec.c"

// Where bench exec puts its program and the shell in the guest. Busybox
// goes in as a plain file at /bin/sh: it picks the applet from argv[0],
// which the program sets to "sh".
const (
	benchExecGuestProg = "/bin/bench_exec"
	benchExecGuestSh   = "/bin/sh"
)

// benchExecLine matches one line of bench_exec's output: a figure with its
// run count, or a measurement that could not be made and why.
var benchExecLine = regexp.MustCompile(`bench: (\S+) (?:median \d+ ns \d+ cycles runs (\d+)|failed: ([^\r\n]*))`)

// execResults is what one run of the program reported, in its order.
type execResults struct {
	rows   []benchFigure     // figures; a failed measurement has ns "failed"
	runs   map[string]string // name -> run count
	failed []string          // "NAME: WHY" for each failed measurement
}

// parseExecOutput collects bench_exec's figures, run counts and failures.
func parseExecOutput(out string) execResults {
	r := execResults{runs: map[string]string{}}
	figs := map[string]benchFigure{}
	for _, f := range parseBenchLines(out) {
		figs[f.name] = f
	}
	for _, m := range benchExecLine.FindAllStringSubmatch(out, -1) {
		name := m[1]
		if m[2] == "" {
			r.rows = append(r.rows, benchFigure{name: name, ns: "failed", cycles: "-"})
			r.failed = append(r.failed, name+": "+strings.TrimSpace(m[3]))
			continue
		}
		r.rows = append(r.rows, figs[name])
		r.runs[name] = m[2]
	}
	return r
}

// partialFailure reports whether err is only the program's own status 1,
// which it exits with when some measurement failed and said so.
func partialFailure(err error, r execResults) bool {
	var ee *exitError
	return errors.As(err, &ee) && ee.msg == "" && ee.code == 1 && len(r.failed) > 0
}

// benchExec boots bench_exec as the only command (process creation and a
// pipe round trip), runs the same binary on the host, and prints both
// sets of figures side by side, with the run count of each.
func benchExec(args []string, stdout, stderr io.Writer) error {
	var prog, busybox *string
	b, err := newBenchTarget("bench exec", args, stderr, 180*time.Second, func(fs *flag.FlagSet) {
		prog = fs.String("prog", "", "static benchmark program (default: compile "+benchExecSource+" with musl-gcc)")
		busybox = fs.String("busybox", "/bin/busybox", "static busybox, run as \"sh -c true\" in the guest and on the host")
	})
	if err != nil {
		return err
	}
	if err := checkStatic("--busybox", *busybox, "install the Debian package busybox-static (tools/setup.sh does)"); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "starry-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := benchProgram(tmp, prog, benchExecSource); err != nil {
		return err
	}
	cmds, _ := encodeCommands([]command{{argv: []string{benchExecGuestProg, benchExecGuestProg, benchExecGuestSh}}})
	adds := []addSpec{{host: *prog, guest: benchExecGuestProg}, {host: *busybox, guest: benchExecGuestSh}}
	initrd, err := makeInitramfs(tmp, "", adds, cmds)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	fmt.Fprintf(stderr, "starry: bench exec: booting %s under %s\n", benchExecGuestProg, b.accel)
	out, errOut, err := b.bootConsole(ctx, bootMedia{initrd: initrd})
	guest := parseExecOutput(out)
	if err == nil && len(guest.rows) == 0 {
		err = fail(exitFailure, "the guest printed no \"bench: NAME median N ns M cycles\" lines")
	}
	if err != nil && !partialFailure(err, guest) {
		fmt.Fprintf(stderr, "starry: bench exec: the guest run failed; its console:\n%s%s", out, errOut)
		return fail(exitFailure, "bench exec: %s", describeErr(err))
	}

	load := hostLoad()
	fmt.Fprintf(stderr, "starry: bench exec: running %s on the host\n", *prog)
	cmd := exec.CommandContext(ctx, *prog, *prog, *busybox)
	cmd.Stderr = stderr
	hostOut, err := cmd.Output()
	host := parseExecOutput(string(hostOut))
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1 && len(host.failed) > 0) {
		return fail(exitFailure, "bench exec: running %s on the host: %v\n%s", *prog, err, hostOut)
	}

	if err := printExecFigures(stdout, *prog, *busybox, b.accel, load, guest, host); err != nil {
		return err
	}
	if n := len(guest.failed) + len(host.failed); n > 0 {
		return fail(exitFailure, "bench exec: %d measurement(s) failed (listed above)", n)
	}
	return nil
}

// printExecFigures prints the side-by-side table, the run counts and any
// measurement that failed.
func printExecFigures(w io.Writer, prog, busybox, accel, load string, guest, host execResults) error {
	if err := printBenchFigures(w, prog, accel, guest.rows, host.rows); err != nil {
		return err
	}
	var runs []string
	for _, r := range guest.rows {
		n := guest.runs[r.name]
		if n == "" {
			n = host.runs[r.name]
		}
		if n == "" {
			n = "-"
		}
		runs = append(runs, r.name+" "+n)
	}
	fmt.Fprintf(w, "\nruns: %s\n", strings.Join(runs, ", "))
	fmt.Fprintf(w, "each process run is timed alone and includes the wait; the pipe round trip is timed in batches of 100\n")
	fmt.Fprintf(w, "hello: the program itself, run with --exit0; sh: %s (in the guest at %s), run as \"sh -c true\"\n",
		busybox, benchExecGuestSh)
	if load != "" {
		fmt.Fprintf(w, "host load average before the host run: %s (the host's figures are noisy when it is busy)\n", load)
	}
	for _, f := range guest.failed {
		fmt.Fprintf(w, "FAILED under starry: %s\n", f)
	}
	for _, f := range host.failed {
		fmt.Fprintf(w, "FAILED on the host: %s\n", f)
	}
	return nil
}

// checkStatic requires a regular file that is an ELF executable without
// a program interpreter: the guest's initramfs holds no dynamic loader.
func checkStatic(flagName, path, hint string) error {
	if err := checkRegular(flagName, path); err != nil {
		return fail(exitFailure, "%v; %s", err, hint)
	}
	f, err := elf.Open(path)
	if err != nil {
		return fail(exitFailure, "%s: %s is not an ELF executable: %v", flagName, path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fail(exitFailure, "%s: %s is dynamically linked; the guest needs a static executable (%s)", flagName, path, hint)
		}
	}
	return nil
}

// hostLoad returns the host's 1-, 5- and 15-minute load averages, or ""
// where /proc/loadavg cannot be read.
func hostLoad() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
