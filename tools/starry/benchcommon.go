package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
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
