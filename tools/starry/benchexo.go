package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"text/tabwriter"
	"time"
)

// benchExo boots the kernel with "bench=exo": the kernel runs the
// exokernel microbenchmarks of package bench (null trap, Env switch,
// page-fault upcall) from ring 3 and prints their medians.
func benchExo(args []string, stdout, stderr io.Writer) error {
	var vm vmConfig
	fs := flag.NewFlagSet("bench exo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	vm.register(fs, 180*time.Second)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fail(exitUsage, "bench exo: unexpected argument %q", fs.Arg(0))
	}
	if err := vm.validate(); err != nil {
		return err
	}
	qemu, err := findQEMU()
	if err != nil {
		return err
	}
	accel, err := resolveAccel(vm.accel)
	if err != nil {
		return err
	}
	kernel, err := vm.kernelImage(stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var out, errOut bytes.Buffer
	res, err := boot(ctx, qemu, qemuArgs(&vm, accel, bootMedia{kernel: kernel, cmdline: "bench=exo"}), vm.timeout, nil, &out, &errOut)
	if err == nil {
		err = res.verdict(vm.timeout)
	}
	figs := parseBenchLines(out.String())
	if err == nil && len(figs) == 0 {
		err = fail(exitFailure, "the kernel printed no bench lines")
	}
	if err != nil {
		fmt.Fprintf(stderr, "starry: bench exo: the guest run failed; its console:\n%s%s", out.String(), errOut.String())
		return fail(exitFailure, "bench exo: %s", describeErr(err))
	}
	fmt.Fprintf(stdout, "exokernel primitives from ring 3, starry under %s; medians\n\n", accel)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "benchmark\tns\tcycles\t\n")
	for _, f := range figs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", f.name, f.ns, f.cycles)
	}
	return tw.Flush()
}
