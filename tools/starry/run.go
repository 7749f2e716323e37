package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// addList collects repeated --add HOST:GUEST flags.
type addList []string

func (a *addList) String() string     { return strings.Join(*a, ",") }
func (a *addList) Set(v string) error { *a = append(*a, v); return nil }

// runOptions are the flags of "starry run".
type runOptions struct {
	vm        vmConfig
	appendArg string
	adds      addList
	initramfs string
	selftest  bool
	cdrom     string
	verbose   bool
	command   []string
}

// parseRun parses and validates the run flags without touching QEMU.
func parseRun(args []string, stderr io.Writer) (*runOptions, error) {
	o := &runOptions{}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: starry run [flags] [-- COMMAND ARGS...]")
		fs.PrintDefaults()
	}
	o.vm.register(fs, 60*time.Second)
	fs.StringVar(&o.appendArg, "append", "", "extra kernel command-line words")
	fs.Var(&o.adds, "add", "put HOST file or directory at GUEST in the initramfs (repeatable)")
	fs.StringVar(&o.initramfs, "initramfs", "", "pass this file to the kernel as its initramfs (-initrd)")
	fs.BoolVar(&o.selftest, "selftest", false, "run the kernel self-test (adds \"selftest\" to the command line)")
	fs.StringVar(&o.cdrom, "cdrom", "", "boot this ISO (e.g. GRUB) through the BIOS instead of -kernel; q35 or pc only")
	fs.BoolVar(&o.verbose, "v", false, "print the QEMU command line")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	o.command = fs.Args()
	return o, o.validate()
}

// validate rejects bad input with a plain message before any build.
func (o *runOptions) validate() error {
	if err := o.vm.validate(); err != nil {
		return err
	}
	for _, a := range o.adds {
		if err := checkAdd(a); err != nil {
			return err
		}
	}
	if len(o.adds) > 0 {
		return fail(exitFailure, "--add is not supported yet (packing files into an initramfs comes later); use --initramfs FILE")
	}
	if len(o.command) > 0 {
		return fail(exitFailure, "running commands is not supported yet (user programs come later); got %q", strings.Join(o.command, " "))
	}
	if o.initramfs != "" {
		if err := checkRegular("--initramfs", o.initramfs); err != nil {
			return err
		}
	}
	if o.cdrom != "" {
		if o.vm.machine == "microvm" {
			return fail(exitUsage, "--cdrom needs --machine q35 or pc (microvm has no BIOS disk boot)")
		}
		if o.initramfs != "" || o.appendArg != "" || o.selftest {
			return fail(exitUsage, "--cdrom boots what the ISO's boot loader says; --append, --selftest and --initramfs do not apply")
		}
		return checkRegular("--cdrom", o.cdrom)
	}
	return nil
}

// checkAdd validates one HOST:GUEST pair.
func checkAdd(spec string) error {
	host, guest, ok := strings.Cut(spec, ":")
	if !ok || host == "" || guest == "" {
		return fail(exitUsage, "--add %q: want HOST:GUEST, e.g. --add ./hello:/bin/hello", spec)
	}
	if !strings.HasPrefix(guest, "/") {
		return fail(exitUsage, "--add %q: the guest path %q must be absolute", spec, guest)
	}
	if _, err := os.Stat(host); err != nil {
		return fail(exitFailure, "--add %q: host path: %v", spec, err)
	}
	return nil
}

// checkRegular requires an existing regular file for a flag.
func checkRegular(flagName, path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fail(exitFailure, "%s: %v", flagName, err)
	}
	if !st.Mode().IsRegular() {
		return fail(exitFailure, "%s: %s is not a regular file", flagName, path)
	}
	return nil
}

// cmdRun implements "starry run": build, boot, stream the console, and
// exit with the guest's status.
func cmdRun(args []string, stdout, stderr io.Writer) error {
	o, err := parseRun(args, stderr)
	if err != nil {
		return err
	}
	qemu, err := findQEMU()
	if err != nil {
		return err
	}
	accel, err := resolveAccel(o.vm.accel)
	if err != nil {
		return err
	}
	media := bootMedia{cdrom: o.cdrom, initrd: o.initramfs, cmdline: o.cmdline()}
	if o.cdrom == "" {
		if media.kernel, err = o.vm.kernelImage(stderr); err != nil {
			return err
		}
	}
	qargs := qemuArgs(&o.vm, accel, media)
	if o.verbose {
		fmt.Fprintln(stderr, "starry:", describe(qemu, qargs))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := boot(ctx, qemu, qargs, o.vm.timeout, stdinForRun(), stdout, stderr)
	if err != nil {
		return err
	}
	return res.verdict(o.vm.timeout)
}

// cmdline is the kernel command line: "selftest" first when asked, then
// the --append words untouched.
func (o *runOptions) cmdline() string {
	words := []string{}
	if o.selftest {
		words = append(words, "selftest")
	}
	if s := strings.TrimSpace(o.appendArg); s != "" {
		words = append(words, s)
	}
	return strings.Join(words, " ")
}
