package main

import (
	"context"
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
	b, err := newBenchTarget("bench exo", args, stderr, 180*time.Second, nil)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	figs, err := b.bootFigures(ctx, "bench exo", bootMedia{cmdline: "bench=exo"}, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exokernel primitives from ring 3, starry under %s; medians\n\n", b.accel)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "benchmark\tns\tcycles\t\n")
	for _, f := range figs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", f.name, f.ns, f.cycles)
	}
	return tw.Flush()
}
