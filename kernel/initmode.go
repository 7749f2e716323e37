package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	hw "github.com/starry-go/starry/hw/x86_64"
	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux"
)

// The other way to run the machine: instead of the runner playing init
// for a command list, one program is the real PID 1, as on Linux. It is
// chosen by init=PATH on the kernel command line, or is /sbin/init when
// the initramfs has no command list; the words after "--" on the
// command line are its arguments (Linux passes them to init so too).

// defaultInit is the init the runner looks for without init=.
const defaultInit = "/sbin/init"

// initProgram is the program to run as PID 1, or "" for the command
// runner.
func initProgram(args []string, fs *libstarry.Files, haveList bool) string {
	for _, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "init="); ok && v != "" {
			return v
		}
	}
	if haveList {
		return ""
	}
	if _, err := fs.Stat(defaultInit, false); err != nil {
		return ""
	}
	return defaultInit
}

// initArgs are the command-line words after "--".
func initArgs(args []string) []string {
	if i := slices.Index(args, "--"); i >= 0 {
		return args[i+1:]
	}
	return nil
}

// runInit starts path as PID 1 and returns the status to power off
// with when it exits (Linux panics then; here the machine ends with
// init's status, as it does after a command list's last command).
// Init normally ends the machine itself with reboot(2).
func runInit(cfg libstarry.Config, path string, args []string) int {
	argv := append([]string{path}, initArgs(args)...)
	cfg.FS.PrepareProc(cfg.Kernel, procConfig(cfg))
	p, err := linux.StartInit(cfg, path, argv, defaultEnv)
	if err != nil {
		fmt.Printf("starry: exec init %s: %v\n", path, err)
		return execStatus(err)
	}
	status := p.Wait().ShellStatus()
	fmt.Printf("starry: init exited status=%d\n", status)
	if found, left := cfg.Kernel.KillAll(5 * time.Second); left > 0 {
		fmt.Printf("starry: %d of %d processes left running would not die\n", left, found)
	}
	return status
}

// rebootMachine is reboot(2)'s end of the machine. A restart powers
// off too: QEMU runs with -no-reboot, and the host wants the status.
func rebootMachine(cmd libstarry.RebootCmd, status int) {
	switch cmd {
	case libstarry.RebootRestart:
		fmt.Println("starry: reboot: restarting system (powering off)")
	case libstarry.RebootHalt:
		fmt.Println("starry: reboot: system halted (powering off)")
	default:
		fmt.Println("starry: reboot: power down")
	}
	hw.PowerOff(status)
}
