package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/starry-go/starry/exo"
	hw "github.com/starry-go/starry/hw/x86_64"
	"github.com/starry-go/starry/kernel/initramfs"
	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/personality/linux"
)

// commandsPath is where `starry run` puts what to run: one command per
// line, arguments separated by NUL bytes, a first argument "&" for a
// program that runs in the background.
const commandsPath = "/.starry/commands"

// defaultEnv is the environment every program starts with.
var defaultEnv = []string{"PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/", "TERM=linux"}

type command struct {
	argv       []string
	env        []string
	background bool
}

// assignment reports whether w is NAME=value, as a shell sees it.
func assignment(w string) bool {
	name, _, ok := strings.Cut(w, "=")
	if !ok || name == "" || name[0] >= '0' && name[0] <= '9' {
		return false
	}
	for _, c := range name {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func parseCommands(b []byte) []command {
	var cmds []command
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" {
			continue
		}
		argv := strings.Split(line, "\x00")
		c := command{argv: argv}
		if argv[0] == "&" {
			c = command{argv: argv[1:], background: true}
		}
		// Leading NAME=value words add to the environment, as in sh.
		for len(c.argv) > 0 && assignment(c.argv[0]) {
			c.env, c.argv = append(c.env, c.argv[0]), c.argv[1:]
		}
		if len(c.argv) > 0 && c.argv[0] != "" {
			cmds = append(cmds, c)
		}
	}
	return cmds
}

// withEnv is base with each NAME=value of add replacing or joining it.
func withEnv(base, add []string) []string {
	env := append([]string(nil), base...)
	for _, a := range add {
		name, _, _ := strings.Cut(a, "=")
		env = slices.DeleteFunc(env, func(e string) bool { return strings.HasPrefix(e, name+"=") })
		env = append(env, a)
	}
	return env
}

// console is the serial console as the processes' fds 0, 1 and 2.
// console is COM1 for the library OS's console terminal: input from its
// receive interrupt, output raw (the line discipline maps NL itself).
type console struct{}

func (console) Read(p []byte) (int, error)  { return hw.ConsoleRead(p) }
func (console) Write(p []byte) (int, error) { return os.Stdout.Write(p) }
func (console) WriteRaw(p []byte)           { hw.ConsoleWriteRaw(p) }

// runCommands runs the initramfs's commands, each in a new process in its
// own Env, and returns the shell-style status of the last foreground one.
func runCommands(archive []byte) int {
	ex := exo.New(hw.Backend(), 10*time.Millisecond)
	var fs *libstarry.Files
	entries, err := initramfs.Read(archive)
	if err == nil {
		fs, err = libstarry.NewFiles(ex, entries)
	}
	entries, archive = nil, nil
	hw.ReleaseInitrd() // the files are copied out: entries pointed into it
	if err != nil {
		fmt.Println("starry: initramfs:", err)
		return 1
	}
	list, err := fs.ReadFile(commandsPath)
	initPath := initProgram(os.Args[1:], fs, err == nil)
	if err != nil && initPath == "" {
		fmt.Printf("starry: no %s in the initramfs: nothing to run\n", commandsPath)
		return 0
	}
	cfg := libstarry.Config{
		Kernel:    libstarry.NewKernel(),
		Exo:       ex,
		FS:        fs,
		Console:   console{},
		HWCap:     hw.HWCap(),
		XFeatures: hw.XFeatures(),
		Log:       func(s string) { fmt.Println("starry:", s) },
		Trace:     syscallTrace(os.Args[1:]),
		Clock:     vdsoClock(os.Args[1:]),
		// "syscount": each process's system call count at its exit
		CountSyscalls: slices.Contains(os.Args[1:], "syscount"),
	}
	cfg.Kernel.SetThreadsMax(libstarry.ThreadsMaxFor(cfg.Exo.UserFrames()))
	cfg.Kernel.SetReboot(rebootMachine)
	if initPath != "" {
		return runInit(cfg, initPath, os.Args[1:]) // init mounts /proc itself
	}
	if _, err := fs.MountProc(cfg.Kernel, procConfig(cfg)); err != nil {
		fmt.Println("starry: /proc:", err)
		return 1
	}
	limit := commandLimit(os.Args[1:])
	var bg []*libstarry.Process
	var ticks atomic.Int64
	stop := make(chan struct{})
	status := 0
	for _, c := range parseCommands(list) {
		name := strings.Join(c.argv, " ")
		cfg.Kernel.ForgetLogged()
		p, err := linux.Start(cfg, c.argv[0], c.argv, withEnv(defaultEnv, c.env))
		if err != nil {
			status = execStatus(err)
			fmt.Printf("starry: exec %s: %v\n", name, err)
			continue
		}
		if c.background {
			if len(bg) == 0 {
				go countTicks(&ticks, stop)
			}
			bg = append(bg, p)
			continue
		}
		status = waitCommand(cfg.Kernel, p, bg, name, limit).ShellStatus()
		fmt.Printf("starry: exit %s status=%d\n", name, status)
	}
	if len(bg) > 0 {
		// Give the background programs the CPU for a while: the kernel's
		// own ticker must keep firing all the same.
		time.Sleep(200 * time.Millisecond)
	}
	close(stop)
	for _, p := range bg {
		p.Kill(int(unix.SIGKILL))
		p.Wait()
	}
	if found, left := cfg.Kernel.KillAll(5 * time.Second); left > 0 {
		fmt.Printf("starry: %d of %d processes left running would not die\n", left, found)
	} else if found > 0 {
		fmt.Printf("starry: killed %d processes left running\n", found)
	}
	fmt.Printf("starry: frames in use after the last program: %d\n", fs.FramesOutside())
	fmt.Printf("starry: file contents hold %d frames\n", fs.FramesHeld())
	if len(bg) > 0 {
		fmt.Printf("starry: kernel timer ticked %d times while background programs ran\n", ticks.Load())
		fmt.Printf("starry: background programs used %v of CPU time\n", bgCPU(bg).Round(time.Millisecond))
	}
	return status
}

// commandLimit reads cmdtimeout=DUR from the kernel command line: how
// long one foreground command may run before it is killed (0: no limit).
func commandLimit(args []string) time.Duration {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "cmdtimeout="); ok {
			if d, err := time.ParseDuration(v); err == nil && d > 0 {
				return d
			}
			fmt.Printf("starry: ignoring %q: not a positive duration\n", a)
		}
	}
	return 0
}

// waitCommand waits for a foreground command, killing it with SIGKILL
// once limit (if any) has passed, as a test harness's timeout would:
// with it goes every process but the background commands, since what a
// hung command forked (often in process groups of its own) would
// otherwise run on into the next command.
func waitCommand(k *libstarry.Kernel, p *libstarry.Process, bg []*libstarry.Process, name string, limit time.Duration) libstarry.ExitStatus {
	if limit == 0 {
		return p.Wait()
	}
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-p.Done():
	case <-t.C:
		fmt.Printf("starry: %s ran past cmdtimeout=%v: killing it\n", name, limit)
		p.Kill(int(unix.SIGKILL))
		st := p.Wait()
		if _, left := k.KillAllBut(bg, 5*time.Second); left > 0 {
			fmt.Printf("starry: %d processes %s left would not die\n", left, name)
		}
		return st
	}
	return p.Wait()
}

// countTicks is a kernel goroutine on a 10 ms ticker: if user programs
// could starve the kernel, it would stop counting.
func countTicks(n *atomic.Int64, stop chan struct{}) {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			n.Add(1)
		case <-stop:
			return
		}
	}
}

// execStatus mirrors a shell: 127 when the program is not there, 126
// when it cannot be executed.
func execStatus(err error) int {
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return 127
	}
	return 126
}

// bgCPU sums the user time of the background programs' Envs.
func bgCPU(ps []*libstarry.Process) time.Duration {
	var d time.Duration
	for _, p := range ps {
		d += p.Env().CPUTime()
	}
	return d
}

// syscallTrace reads trace (every call) or trace=NAME,NAME from the
// kernel command line: a line per system call on the console.
func syscallTrace(args []string) *libstarry.SyscallTrace {
	for _, a := range args {
		if a != "trace" && !strings.HasPrefix(a, "trace=") {
			continue
		}
		tr := &libstarry.SyscallTrace{Out: func(s string) { fmt.Println(s) }}
		if v, ok := strings.CutPrefix(a, "trace="); ok && v != "" {
			tr.Names = map[string]bool{}
			for _, n := range strings.Split(v, ",") {
				tr.Names[n] = true
			}
		}
		return tr
	}
	return nil
}
