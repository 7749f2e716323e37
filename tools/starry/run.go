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
	script    string
	selftest  bool
	cdrom     string
	verbose   bool
	stdin     bool
	trace     traceFlag
	deadline  bool // --timeout was given (an interactive shell has none by default)
	command   []string

	// Filled in by validate.
	addSpecs []addSpec
	commands []byte // the commands file, nil when nothing is to run
}

// parseRun parses and validates the run flags without touching QEMU.
func parseRun(args []string, stderr io.Writer) (*runOptions, error) {
	o := &runOptions{}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: starry run [flags] [--add HOST:GUEST]... [--script FILE | -- COMMAND ARGS...]")
		fs.PrintDefaults()
	}
	o.vm.register(fs, 60*time.Second)
	fs.StringVar(&o.appendArg, "append", "", "extra kernel command-line words")
	fs.Var(&o.adds, "add", "put HOST file or directory at GUEST in the initramfs (repeatable)")
	fs.StringVar(&o.initramfs, "initramfs", "", "newc archive to pass to the kernel (-initrd); --add files and commands are appended to it")
	fs.StringVar(&o.script, "script", "", "run the commands in FILE, one per line, in one boot (\"& cmd\" runs in the background)")
	fs.BoolVar(&o.selftest, "selftest", false, "run the kernel self-test (adds \"selftest\" to the command line)")
	fs.StringVar(&o.cdrom, "cdrom", "", "boot this ISO (e.g. GRUB) through the BIOS instead of -kernel; q35 or pc only")
	fs.BoolVar(&o.verbose, "v", false, "print the QEMU command line")
	fs.BoolVar(&o.stdin, "stdin", false, "feed standard input to the guest console even when it is a pipe or a file (a terminal always is)")
	fs.Var(&o.trace, "trace", "print a line per system call (strace-like); --trace=execve,openat shows only those")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	o.command = fs.Args()
	fs.Visit(func(f *flag.Flag) { o.deadline = o.deadline || f.Name == "timeout" })
	return o, o.validate()
}

// validate rejects bad input with a plain message before any build, and
// prepares the commands file.
func (o *runOptions) validate() error {
	if err := o.vm.validate(); err != nil {
		return err
	}
	for _, a := range o.adds {
		spec, err := parseAdd(a)
		if err != nil {
			return err
		}
		o.addSpecs = append(o.addSpecs, spec)
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
		if o.initramfs != "" || o.appendArg != "" || o.selftest || len(o.adds) > 0 || o.script != "" || len(o.command) > 0 {
			return fail(exitUsage, "--cdrom boots what the ISO's boot loader says; --append, --selftest, --initramfs, --add, --script and commands do not apply")
		}
		return checkRegular("--cdrom", o.cdrom)
	}
	return o.prepareCommands()
}

// prepareCommands turns "-- COMMAND ARGS" or --script into the commands
// file.
func (o *runOptions) prepareCommands() error {
	var cmds []command
	switch {
	case o.script != "" && len(o.command) > 0:
		return fail(exitUsage, "give either --script FILE or -- COMMAND ARGS, not both")
	case o.script != "":
		f, err := os.Open(o.script)
		if err != nil {
			return fail(exitFailure, "--script: %v", err)
		}
		defer f.Close()
		if cmds, err = parseScript(f); err != nil {
			return fail(exitUsage, "--script %s: %v", o.script, err)
		}
	case len(o.command) > 0:
		cmds = []command{commandFromArgs(o.command)}
	default:
		return nil
	}
	var err error
	if o.commands, err = encodeCommands(cmds); err != nil {
		return fail(exitUsage, "%v", err)
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
	initrd := o.initramfs
	shell := o.interactiveShell()
	// The archive is made first so that its errors come before a build.
	if len(o.addSpecs) > 0 || o.commands != nil || shell {
		tmp, err := os.MkdirTemp("", "starry-run-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		adds := o.addSpecs
		if shell {
			if adds, err = withUserland(tmp, adds, stderr); err != nil {
				return err
			}
			if !o.deadline {
				o.vm.timeout = interactiveTimeout
			}
		}
		if initrd, err = makeInitramfs(tmp, o.initramfs, adds, o.commands); err != nil {
			return err
		}
		if o.verbose {
			describeInitramfs(stderr, initrd)
		}
	}
	qemu, err := findQEMU()
	if err != nil {
		return err
	}
	accel, err := resolveAccel(o.vm.accel)
	if err != nil {
		return err
	}
	media := bootMedia{cdrom: o.cdrom, initrd: initrd, cmdline: o.cmdline()}
	if o.cdrom == "" {
		if media.kernel, err = o.vm.kernelImage(stderr); err != nil {
			return err
		}
	}
	qargs := qemuArgs(&o.vm, accel, media)
	if stdinIsTerminal() {
		qargs = terminalConsole(qargs)
	}
	if o.verbose {
		fmt.Fprintln(stderr, "starry:", describe(qemu, qargs))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := boot(ctx, qemu, qargs, o.vm.timeout, stdinForRun(o.stdin), stdout, stderr)
	if err != nil {
		return err
	}
	if media.kernel != "" {
		if err := res.trace.print(stderr, media.kernel); err != nil {
			fmt.Fprintln(stderr, "starry: cannot symbolize the crash:", err)
		}
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
	if o.trace.on {
		words = append(words, o.trace.word())
	}
	if s := strings.TrimSpace(o.appendArg); s != "" {
		words = append(words, s)
	}
	return strings.Join(words, " ")
}

// describeInitramfs lists the generated archive for -v.
func describeInitramfs(w io.Writer, p string) {
	f, err := os.Open(p)
	if err != nil {
		return
	}
	defer f.Close()
	names, err := listArchive(f)
	if err != nil {
		fmt.Fprintf(w, "starry: initramfs %s: %v\n", p, err)
		return
	}
	fmt.Fprintf(w, "starry: initramfs %s:\n  %s\n", p, strings.Join(names, "\n  "))
}

// traceFlag is --trace (every call) or --trace=NAME,NAME: a bool flag
// that also takes a value, as strace's -e trace= does.
type traceFlag struct {
	on    bool
	names string
}

func (f *traceFlag) String() string {
	if f == nil || !f.on {
		return ""
	}
	return f.word()
}

// Set takes "true" for a bare --trace, else the call names.
func (f *traceFlag) Set(v string) error {
	f.on = true
	if v != "true" {
		if strings.ContainsAny(v, " \t") || strings.Trim(v, ",") == "" {
			return fmt.Errorf("--trace wants system call names separated by commas, not %q", v)
		}
		f.names = v
	}
	return nil
}

func (f *traceFlag) IsBoolFlag() bool { return true }

// word is the kernel command-line switch.
func (f *traceFlag) word() string {
	if f.names == "" {
		return "trace"
	}
	return "trace=" + f.names
}
