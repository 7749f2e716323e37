package main

import (
	"bytes"
	"context"
	"debug/elf"
	"flag"
	"fmt"
	"io"
	"regexp"
	"time"
)

// benchTarget is what a single-boot benchmark needs: the VM settings,
// QEMU, the accelerator and the kernel image.
type benchTarget struct {
	vm     vmConfig
	qemu   string
	accel  string
	kernel string
}

// newBenchTarget parses a bench subcommand's flags (the shared VM flags
// plus any that flags adds) and resolves QEMU, the accelerator and the
// kernel image. It rejects positional arguments.
func newBenchTarget(name string, args []string, stderr io.Writer, timeout time.Duration, flags func(*flag.FlagSet)) (*benchTarget, error) {
	var b benchTarget
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	b.vm.register(fs, timeout)
	if flags != nil {
		flags(fs)
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fail(exitUsage, "%s: unexpected argument %q", name, fs.Arg(0))
	}
	if err := b.vm.validate(); err != nil {
		return nil, err
	}
	var err error
	if b.qemu, err = findQEMU(); err != nil {
		return nil, err
	}
	if b.accel, err = resolveAccel(b.vm.accel); err != nil {
		return nil, err
	}
	if b.kernel, err = b.vm.kernelImage(stderr); err != nil {
		return nil, err
	}
	return &b, nil
}

// bootFigures boots once and returns the "bench:" figures the guest
// printed; on failure it shows the guest's console on stderr.
func (b *benchTarget) bootFigures(ctx context.Context, name string, m bootMedia, stderr io.Writer) ([]benchFigure, error) {
	out, errOut, err := b.bootConsole(ctx, m)
	figs := parseBenchLines(out)
	if err == nil && len(figs) == 0 {
		err = fail(exitFailure, "the guest printed no \"bench: NAME median N ns M cycles\" lines")
	}
	if err != nil {
		fmt.Fprintf(stderr, "starry: %s: the guest run failed; its console:\n%s%s", name, out, errOut)
		return nil, fail(exitFailure, "%s: %s", name, describeErr(err))
	}
	return figs, nil
}

// bootConsole boots once, quietly, and returns the guest's console (QEMU's
// stdout), QEMU's stderr and the run's verdict.
func (b *benchTarget) bootConsole(ctx context.Context, m bootMedia) (out, errOut string, err error) {
	m.kernel = b.kernel
	var o, e bytes.Buffer
	res, err := boot(ctx, b.qemu, qemuArgs(&b.vm, b.accel, m), b.vm.timeout, nil, &o, &e)
	if err == nil {
		err = res.verdict(b.vm.timeout)
	}
	return o.String(), e.String(), err
}

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
