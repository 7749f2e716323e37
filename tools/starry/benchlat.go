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
	"strings"
	"time"
)

// latOptions are "starry bench"'s own flags (the VM ones are vmConfig's).
type latOptions struct {
	vs, jsonPath, plotPath, linuxKernel, names, busybox string
	runs                                                int
	native, icount                                      bool
}

const latUsage = `usage: starry bench [--accel tcg|kvm] [--vs linux] [--runs N] [--json FILE] [--plot FILE.svg] [flags]

Builds one initramfs with bench/progs (lat, the programs it starts) and
busybox, boots Starry-Go and, with --vs linux, Debian's cloud kernel on the
same QEMU machine, memory and CPU count, in alternating runs, runs the same
binaries on the host as a third reference, and prints each benchmark's
median per target, the pooled p10-p90, and the ratio Starry/Linux.
Other suites: starry bench boot|exo.
`

// benchLat implements "starry bench" without a suite name.
func benchLat(args []string, stdout, stderr io.Writer) error {
	var o latOptions
	b, err := newBenchTarget("bench", args, stderr, 10*time.Minute, func(fs *flag.FlagSet) {
		fs.Usage = func() { fmt.Fprint(fs.Output(), latUsage); fs.PrintDefaults() }
		fs.StringVar(&o.vs, "vs", "", "also boot this kernel: linux (Debian's "+linuxImagePackage+")")
		fs.IntVar(&o.runs, "runs", 3, "boots per kernel, alternating")
		fs.StringVar(&o.jsonPath, "json", "", "write every run and sample as JSON to FILE")
		fs.StringVar(&o.plotPath, "plot", "", "draw the distributions side by side into FILE.svg")
		fs.StringVar(&o.linuxKernel, "linux-kernel", "", "boot this Linux bzImage instead of Debian's (with --vs linux)")
		fs.StringVar(&o.names, "bench", "", "comma-separated benchmarks to run (default: all of bench/progs/lat.c)")
		fs.StringVar(&o.busybox, "busybox", "/bin/busybox", "static busybox: the guests' /bin and sh -c true")
		fs.BoolVar(&o.native, "native", true, "also run the binaries on the host")
		fs.BoolVar(&o.icount, "icount", false, "TCG only: QEMU's -icount shift=0, so a guest nanosecond is one instruction (deterministic counts)")
	})
	if err != nil {
		return err
	}
	if o.vs != "" && o.vs != "linux" {
		return fail(exitUsage, "--vs must be linux, not %q", o.vs)
	}
	if o.runs < 1 {
		return fail(exitUsage, "--runs must be at least 1, not %d", o.runs)
	}
	if o.icount && b.accel != "tcg" {
		return fail(exitUsage, "--icount needs --accel tcg (QEMU counts instructions only when it emulates them)")
	}
	if o.icount {
		o.native = false // the host's figures would be times, not counts
	}
	if o.plotPath != "" && filepath.Ext(o.plotPath) != ".svg" {
		return fail(exitUsage, "--plot draws SVG: name a .svg file, not %q", o.plotPath)
	}
	if err := checkStatic("--busybox", o.busybox, "install the Debian package busybox-static (tools/setup.sh does)"); err != nil {
		return err
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	vmlinuz := o.linuxKernel
	if o.vs == "linux" && vmlinuz == "" {
		if vmlinuz, err = debianLinux(filepath.Join(root, "build", "linux"), stderr); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "starry-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	img, err := buildLatImage(tmp, o.busybox)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep := &latReport{Date: time.Now().UTC().Format("2006-01-02"), Accel: b.accel, Machine: b.vm.machine,
		MemMiB: b.vm.mem, CPUs: b.vm.cpus, HostCPU: hostCPUName(), LinuxKernel: vmlinuz, Targets: []string{tgtStarry}}
	if vmlinuz != "" {
		rep.Targets = append(rep.Targets, tgtLinux)
	}
	if o.native {
		rep.Targets = append(rep.Targets, tgtHost)
	}
	if o.icount {
		rep.Accel = "tcg -icount shift=0 (figures are guest instructions, not ns)"
	}
	s := latSession{b: b, img: img, names: o.names, vmlinuz: vmlinuz, icount: o.icount, stderr: stderr}
	for run := 1; run <= o.runs; run++ {
		for _, t := range runOrder(rep.Targets, run) {
			r, err := s.runOnce(ctx, t, run)
			if err != nil {
				return err
			}
			rep.Runs = append(rep.Runs, r)
		}
	}
	return finishLat(stdout, rep, o)
}

// runOrder alternates which kernel boots first, so that a host getting
// busier or quieter during the session weighs on both alike.
func runOrder(targets []string, run int) []string {
	order := append([]string(nil), targets...)
	if run%2 == 0 && len(order) > 1 && order[1] == tgtLinux {
		order[0], order[1] = order[1], order[0]
	}
	return order
}

// latSession is what each run needs.
type latSession struct {
	b       *benchTarget
	img     *latImage
	names   string
	vmlinuz string
	icount  bool
	stderr  io.Writer
}

// runOnce runs lat once on target and parses its figures.
func (s *latSession) runOnce(ctx context.Context, target string, run int) (latRun, error) {
	fmt.Fprintf(s.stderr, "starry: bench: run %d on %s\n", run, target)
	var out string
	var err error
	switch target {
	case tgtHost:
		args := append([]string{s.img.dir}, strings.Split(s.names, ",")...)
		if s.names == "" {
			args = args[:1]
		}
		var b []byte
		b, err = exec.CommandContext(ctx, filepath.Join(s.img.dir, "lat"), args...).Output()
		out = string(b)
	case tgtStarry:
		cmdline := "init=" + latGuestInit
		if s.names != "" {
			cmdline += " lat=" + s.names
		}
		out, err = s.boot(ctx, bootMedia{kernel: s.b.kernel, cmdline: cmdline, initrd: s.img.initrd})
	case tgtLinux:
		khz := hostTSCkHz()
		if s.icount {
			khz = 1_000_000 // under -icount the TSC counts instructions: 1 GHz
		}
		out, err = s.boot(ctx, bootMedia{kernel: s.vmlinuz, cmdline: linuxCmdline(khz, s.names), initrd: s.img.initrd})
	}
	r, perr := parseLat(out, target, run)
	if err == nil {
		err = perr
	}
	// tsc-early is the TSC too, at the rate given on the command line
	// (microvm has no HPET or PM timer to refine it with); anything else
	// is jiffies or another coarse clock.
	if err == nil && target == tgtLinux && r.Clocksource != "tsc" && r.Clocksource != "tsc-early" {
		err = fmt.Errorf("the Linux guest's clock is %q, not the TSC (its calibration failed): every figure would be off", r.Clocksource)
	}
	if err != nil {
		return r, fail(exitFailure, "bench: run %d on %s: %v\n%s", run, target, err, tail(out, 30))
	}
	return r, nil
}

// boot boots m once; reboot -f in /init ends QEMU (-no-reboot), so only
// a timeout, a signal or an interruption is a failure here (parseLat
// judges the output).
func (s *latSession) boot(ctx context.Context, m bootMedia) (string, error) {
	var o, e strings.Builder
	args := qemuArgs(&s.b.vm, s.b.accel, m)
	if s.icount {
		args = icountArgs(args)
	}
	res, err := boot(ctx, s.b.qemu, args, s.b.vm.timeout, nil, &o, &e)
	switch {
	case err != nil:
		return o.String(), err
	case res.cancelled:
		return o.String(), fail(exitInterrupted, "interrupted; QEMU stopped")
	case res.timedOut:
		return o.String(), fmt.Errorf("timed out after %v", s.b.vm.timeout)
	case res.qemuCode < 0:
		return o.String(), fmt.Errorf("QEMU was killed by signal %s: %s", res.signal, e.String())
	}
	return o.String(), nil
}

// finishLat prints the table, warnings and failures, and writes the
// JSON and the plot.
func finishLat(w io.Writer, rep *latReport, o latOptions) error {
	fmt.Fprintf(w, "%s; %s, %s, %d MiB, %d CPU; host CPU %s; %d run(s) per target\n", rep.Date, rep.Accel,
		rep.Machine, rep.MemMiB, rep.CPUs, rep.HostCPU, o.runs)
	if rep.LinuxKernel != "" {
		fmt.Fprintf(w, "linux: %s\n", filepath.Base(rep.LinuxKernel))
	}
	fmt.Fprintln(w)
	warns, err := printLatTable(w, rep.Runs, rep.Targets)
	if err != nil {
		return err
	}
	for _, m := range warns {
		fmt.Fprintf(w, "warning: %s\n", m)
	}
	failed := 0
	for _, r := range rep.Runs {
		for name, why := range r.Failed {
			fmt.Fprintf(w, "FAILED on %s (run %d): %s: %s\n", r.Target, r.Run, name, why)
			failed++
		}
	}
	if o.jsonPath != "" {
		if err := writeLatJSON(o.jsonPath, rep); err != nil {
			return err
		}
	}
	if o.plotPath != "" {
		if err := os.WriteFile(o.plotPath, latPlot(rep), 0o644); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fail(exitFailure, "bench: %d measurement(s) failed (listed above)", failed)
	}
	return nil
}

// icountArgs makes a TCG command line count instructions: one guest
// nanosecond per instruction, the guest's clocks (the TSC too) driven by
// that count, never by the host's time, so the figures are the same on a
// busy host as on a quiet one. Instruction counting needs one TCG thread.
func icountArgs(args []string) []string {
	out := append([]string(nil), args...)
	for i := range out {
		if out[i] == "tcg" && i > 0 && out[i-1] == "-accel" {
			out[i] = "tcg,thread=single"
		}
	}
	return append(out, "-icount", "shift=0,sleep=off")
}
