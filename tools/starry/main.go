// Command starry builds the Starry-Go kernel image, boots it under QEMU and
// measures it. Tests and benchmarks drive the kernel only through this
// command, so its flags and exit statuses are a contract (DESIGN.md §6).
//
//	go run ./tools/starry build [-o DIR]
//	go run ./tools/starry run [flags] [--add HOST:GUEST]... [--script FILE | -- COMMAND ARGS...]
//	go run ./tools/starry bench boot|syscall|exec|exo [flags]
//
// Exit statuses: the guest's status for run; 1 for host-side failures
// (QEMU missing, build failed, guest died without powering off); 2 for bad
// usage; 124 when a run timed out; 130 when interrupted.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Exit statuses used for host-side outcomes, kept apart from guest statuses
// where possible so scripts can tell them apart.
const (
	exitFailure     = 1
	exitUsage       = 2
	exitTimeout     = 124
	exitInterrupted = 130
)

// exitError carries an exit status up to main, so helpers return errors
// instead of calling os.Exit and stay testable.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// fail builds an exitError with a formatted message.
func fail(code int, format string, args ...any) error {
	return &exitError{code: code, msg: fmt.Sprintf(format, args...)}
}

const usageText = `usage: starry <command> [flags]

commands:
  build   build the kernel image (build/starry-kernel.elf)
  run     build, then boot the kernel under QEMU with the serial console here;
          "run --add ./prog:/bin/prog -- /bin/prog args" runs a program
  bench   "bench" runs bench/progs/lat.c's latencies (null syscall, page
          fault, mmap, fork, exec, spawn, sh -c true, pipes, files) under
          starry, with --vs linux also under Debian's cloud kernel on the
          same QEMU machine, and on the host, and prints medians, spreads
          and the ratio (--runs, --json, --plot); "bench boot" times the
          self-test boot, "bench exo" the exokernel's primitives from ring 3
  ltp     build the Linux Test Project's syscall tests (cached under build/ltp),
          run the cases in the guest in batches and natively on the host, and
          print each case's verdict in both; --update tests/ltp keeps the
          must-pass and known-failures lists

Run "starry <command> -h" for the flags of a command.
`

func main() {
	os.Exit(exitCode(dispatch(os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// exitCode prints the message an error carries and maps it to a status.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "starry:", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "starry:", err)
	return exitFailure
}

// dispatch selects the subcommand.
func dispatch(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return &exitError{code: exitUsage}
	}
	switch args[0] {
	case "build":
		return cmdBuild(args[1:], stdout, stderr)
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "bench":
		return cmdBench(args[1:], stdout, stderr)
	case "ltp":
		return cmdLTP(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usageText)
		return nil
	}
	fmt.Fprint(stderr, usageText)
	return fail(exitUsage, "unknown command %q", args[0])
}
