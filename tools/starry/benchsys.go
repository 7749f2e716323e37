package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"
)

// benchSyscallSource is the default program, compiled with musl-gcc when
// --prog is not given.
const benchSyscallSource = "tests/progs/bench_syscall.c"

// benchLine matches the figures a benchmark program prints:
// "bench: NAME median N ns M cycles".
var benchLine = regexp.MustCompile(`bench: (\S+) median (\d+) ns (\d+) cycles`)

// benchFigure is one parsed benchmark line.
type benchFigure struct {
	name       string
	ns, cycles string
}

// parseBenchLines collects the figures in a program's output, in order.
func parseBenchLines(out string) []benchFigure {
	var figs []benchFigure
	for _, m := range benchLine.FindAllStringSubmatch(out, -1) {
		figs = append(figs, benchFigure{m[1], m[2], m[3]})
	}
	return figs
}

// benchSyscall boots a static benchmark program as the only command,
// runs the same binary on the host, and prints both sets of figures: a
// static binary runs unchanged on either, so the gap is the kernel's.
func benchSyscall(args []string, stdout, stderr io.Writer) error {
	var prog *string
	b, err := newBenchTarget("bench syscall", args, stderr, 120*time.Second, func(fs *flag.FlagSet) {
		prog = fs.String("prog", "", "static benchmark program (default: compile "+benchSyscallSource+" with musl-gcc)")
	})
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "starry-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := benchProgram(tmp, prog, benchSyscallSource); err != nil {
		return err
	}
	guestPath := "/bin/" + filepath.Base(*prog)
	cmds, _ := encodeCommands([]command{{argv: []string{guestPath}}})
	initrd, err := makeInitramfs(tmp, "", []addSpec{{host: *prog, guest: guestPath}}, cmds)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	guest, err := b.bootFigures(ctx, "bench syscall", bootMedia{initrd: initrd}, stderr)
	if err != nil {
		return err
	}
	hostOut, err := exec.CommandContext(ctx, *prog).Output()
	if err != nil {
		return fail(exitFailure, "bench syscall: running %s on the host: %v", *prog, err)
	}
	return printBenchFigures(stdout, *prog, b.accel, guest, parseBenchLines(string(hostOut)))
}

// benchProgram settles a bench command's --prog: empty means compile the
// default source into dir; a given program must be static.
func benchProgram(dir string, prog *string, source string) error {
	if *prog != "" {
		return checkStatic("--prog", *prog, "build it with musl-gcc -static")
	}
	var err error
	*prog, err = compileStaticProgram(dir, source)
	return err
}

// compileStaticProgram builds source (a C file relative to the module
// root) with musl-gcc -static -O2 into dir, named after source without
// its ".c", and returns the binary's path.
func compileStaticProgram(dir, source string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	if _, err := exec.LookPath("musl-gcc"); err != nil {
		return "", fail(exitFailure, "musl-gcc not found: install the Debian package musl-tools (tools/setup.sh does), or pass --prog")
	}
	out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(source), ".c"))
	cmd := exec.Command("musl-gcc", "-static", "-O2", "-o", out, filepath.Join(root, source))
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fail(exitFailure, "compiling %s: %v\n%s", source, err, msg)
	}
	return out, nil
}

// printBenchFigures prints one row per figure the guest reported, with the
// host's figure of the same name beside it.
func printBenchFigures(w io.Writer, prog, accel string, guest, host []benchFigure) error {
	fmt.Fprintf(w, "program: %s; starry under %s vs. the host kernel; medians\n\n", prog, accel)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "benchmark\tstarry ns\tstarry cycles\thost ns\thost cycles\t\n")
	for _, g := range guest {
		hns, hcyc := "-", "-"
		for _, h := range host {
			if h.name == g.name {
				hns, hcyc = h.ns, h.cycles
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", strings.TrimSpace(g.name), g.ns, g.cycles, hns, hcyc)
	}
	return tw.Flush()
}
