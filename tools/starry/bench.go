package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// benchMarks are the boot events reported, in boot order.
var benchMarks = []string{markFirstByte, markBoot, markGoMain, markPass, markExit}

// cmdBench implements "starry bench SUITE".
func cmdBench(args []string, stdout, stderr io.Writer) error {
	const usage = "usage: starry bench [flags] (the latency suite), or starry bench boot|exo [flags]"
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return benchLat(args, stdout, stderr)
	}
	switch args[0] {
	case "boot":
		return benchBoot(args[1:], stdout, stderr)
	case "exo":
		return benchExo(args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, usage)
	return fail(exitUsage, "bench: unknown benchmark %q (boot or exo; none for the latency suite)", args[0])
}

// benchBoot boots the self-test repeatedly per accelerator and prints the
// median, minimum and maximum time to each console milestone.
func benchBoot(args []string, stdout, stderr io.Writer) error {
	var vm vmConfig
	fs := flag.NewFlagSet("bench boot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	vm.register(fs, 60*time.Second)
	runs := fs.Int("runs", 5, "boots per accelerator")
	shell := fs.Bool("shell", false, "boot the default image (no command) to its shell prompt instead of the self-test")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fail(exitUsage, "bench boot: unexpected argument %q", fs.Arg(0))
	}
	if *runs < 1 {
		return fail(exitUsage, "--runs must be at least 1, not %d", *runs)
	}
	if err := vm.validate(); err != nil {
		return err
	}
	qemu, err := findQEMU()
	if err != nil {
		return err
	}
	accels, err := benchAccels(vm.accel)
	if err != nil {
		return err
	}
	kernel, err := vm.kernelImage(stderr)
	if err != nil {
		return err
	}
	var img *shellImage
	marks := benchMarks
	if *shell {
		if img, err = newShellImage(stderr); err != nil {
			return err
		}
		defer img.close()
		marks = shellMarks
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	samples := map[string]map[string][]time.Duration{}
	for _, accel := range accels {
		fmt.Fprintf(stderr, "starry: bench boot: %d runs under %s\n", *runs, accel)
		if samples[accel], err = benchRuns(ctx, qemu, &vm, accel, kernel, *runs, stderr, img); err != nil {
			return err
		}
	}
	return printBench(stdout, &vm, kernel, accels, *runs, samples, marks)
}

// benchAccels lists the accelerators to measure: TCG always under auto,
// plus KVM when the machine has hardware virtualization.
func benchAccels(choice string) ([]string, error) {
	switch choice {
	case "tcg":
		return []string{"tcg"}, nil
	case "kvm":
		_, err := resolveAccel("kvm")
		return []string{"kvm"}, err
	}
	if ok, _ := kvmUsable("/dev/kvm", "/proc/cpuinfo"); ok {
		return []string{"tcg", "kvm"}, nil
	}
	return []string{"tcg"}, nil
}

// benchRuns boots n times quietly and collects the marks of each boot;
// a boot that does not pass fails the benchmark with its console. With
// img it boots the default image to its shell prompt instead.
func benchRuns(ctx context.Context, qemu string, vm *vmConfig, accel, kernel string, n int, stderr io.Writer, img *shellImage) (map[string][]time.Duration, error) {
	media, marks, want, wantLine := bootMedia{kernel: kernel, cmdline: "selftest"}, benchMarks, markPass, linePass
	if img != nil {
		media, marks, want, wantLine = bootMedia{kernel: kernel, initrd: img.initrd}, shellMarks, markPrompt, shellPrompt
	}
	args := qemuArgs(vm, accel, media)
	got := map[string][]time.Duration{}
	for i := 0; i < n; i++ {
		var out, errOut bytes.Buffer
		var stdin io.Reader
		var con io.Writer = &out
		var pw *promptWatch
		if img != nil {
			pw = newPromptWatch(&out)
			stdin, con = pw, pw
		}
		res, err := boot(ctx, qemu, args, vm.timeout, stdin, con, &errOut)
		if err == nil {
			err = res.verdict(vm.timeout)
		}
		if pw != nil && res != nil {
			pw.record(res)
		}
		if _, passed := res.marks[want]; err == nil && !passed {
			err = fail(exitFailure, "the boot did not print %q", wantLine)
		}
		if err != nil {
			fmt.Fprintf(stderr, "starry: bench boot: run %d under %s failed; its console:\n%s%s", i+1, accel, out.String(), errOut.String())
			return nil, fail(exitFailure, "bench boot: run %d under %s: %s", i+1, accel, describeErr(err))
		}
		for _, m := range marks {
			if d, ok := res.marks[m]; ok {
				got[m] = append(got[m], d)
			}
		}
	}
	return got, nil
}

// printBench writes the image size and one row per accelerator and event.
func printBench(w io.Writer, vm *vmConfig, kernel string, accels []string, runs int, samples map[string]map[string][]time.Duration, marks []string) error {
	st, err := os.Stat(kernel)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "kernel image: %s, %d bytes (%.1f KiB)\n", kernel, st.Size(), float64(st.Size())/1024)
	fmt.Fprintf(w, "machine %s, %d CPU, %d MiB; %d runs per accelerator; times from QEMU start\n\n", vm.machine, vm.cpus, vm.mem, runs)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "accel\tevent\t%12s\t%12s\t%12s\n", "median", "min", "max")
	for _, accel := range accels {
		label := accel
		if ok, _ := kvmUsable("/dev/kvm", "/proc/cpuinfo"); accel == "kvm" && !ok {
			label = "kvm (PVM)"
		}
		for _, m := range marks {
			d := samples[accel][m]
			if len(d) == 0 {
				fmt.Fprintf(tw, "%s\t%s\t%12s\t%12s\t%12s\n", label, m, "-", "-", "-")
				continue
			}
			med, lo, hi := stats(d)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", label, m, ms(med), ms(lo), ms(hi))
		}
	}
	return tw.Flush()
}

// stats returns the median, minimum and maximum of a non-empty sample.
func stats(d []time.Duration) (med, lo, hi time.Duration) {
	s := slices.Clone(d)
	slices.Sort(s)
	n := len(s)
	med = s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return med, s[0], s[n-1]
}

// ms formats a duration in milliseconds with one decimal.
func ms(d time.Duration) string {
	return fmt.Sprintf("%9.1f ms", float64(d)/float64(time.Millisecond))
}

// describeErr words an error for the benchmark, including a bare guest
// status, which run reports through its exit status alone.
func describeErr(err error) string {
	var ee *exitError
	if errors.As(err, &ee) && ee.msg == "" {
		return fmt.Sprintf("the guest exited with status %d", ee.code)
	}
	return err.Error()
}
