// Command init is Starry-Go's PID 1 (/sbin/init in the image that
// "starry run" boots with no command). It mounts the pseudo file
// systems, runs one program (its arguments, which the kernel takes from
// the words after "--" on its command line, or an interactive shell) in
// a session of its own with the console as its controlling terminal,
// reaps every orphan meanwhile, and powers the machine off with the
// program's status through reboot(2).
//
// It is an ordinary static Linux program: built with the stock
// toolchain (CGO_ENABLED=0 GOOS=linux GOARCH=amd64), it runs on Linux
// too (as PID 1 of a container, say).
package main

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// shells are tried in order when no command is given.
var shells = [][]string{{"/bin/sh", "-i"}, {"/ubin/gosh"}}

// basePath is PATH for the command: busybox's directories, then
// u-root's.
const basePath = "/bin:/sbin:/usr/bin:/usr/sbin:/ubin"

func main() {
	if os.Getpid() != 1 {
		warn("not PID 1 (PID %d): orphans will not come here", os.Getpid())
	}
	mountAll()
	// Init leads session 1, as Linux inits do; the console stays free
	// for the command's session (O_NOCTTY below).
	if _, err := unix.Setsid(); err != nil {
		warn("setsid: %v", err)
	}
	argv := os.Args[1:]
	if len(argv) == 0 {
		argv = shell()
	}
	if argv == nil {
		warn("no command and no shell (%v): nothing to run", shells)
		powerOff(unix.LINUX_REBOOT_CMD_POWER_OFF, 127)
	}
	go shutdownOnSignal()
	status := run(argv)
	stopAll()
	powerOff(unix.LINUX_REBOOT_CMD_POWER_OFF, status)
}

// warn prints a message from init on the console.
func warn(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "init: "+format+"\n", args...)
}

// shell is the first shell of shells that exists.
func shell() []string {
	for _, s := range shells {
		if st, err := os.Stat(s[0]); err == nil && st.Mode()&0o111 != 0 {
			return s
		}
	}
	return nil
}

// shutdownOnSignal answers busybox's init signals, which its poweroff,
// reboot and halt send: SIGUSR2 powers off, SIGTERM reboots, SIGUSR1
// halts, each with status 0.
func shutdownOnSignal() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGTERM)
	cmd := unix.LINUX_REBOOT_CMD_POWER_OFF
	switch <-c {
	case syscall.SIGTERM:
		cmd = unix.LINUX_REBOOT_CMD_RESTART
	case syscall.SIGUSR1:
		cmd = unix.LINUX_REBOOT_CMD_HALT
	}
	stopAll()
	powerOff(cmd, 0)
}

// env is the command's environment: init's own (the kernel's PATH, HOME
// and TERM) with u-root's directory on PATH and a prompt that shows the
// directory.
func env() []string {
	out := []string{"PATH=" + basePath, "PS1=starry:\\w\\$ "}
	for _, e := range os.Environ() {
		name, _, _ := strings.Cut(e, "=")
		if name != "PATH" && name != "PS1" {
			out = append(out, e)
		}
	}
	return out
}

// run starts argv as a session leader on the console and reaps every
// child until it has exited; the result is its shell-style status.
func run(argv []string) int {
	con, err := os.OpenFile("/dev/console", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		warn("open /dev/console: %v; using init's descriptors", err)
		con = os.Stdin
	}
	files := []*os.File{con, con, con}
	if con == os.Stdin {
		files = []*os.File{os.Stdin, os.Stdout, os.Stderr}
	}
	p, err := os.StartProcess(lookPath(argv[0]), argv, &os.ProcAttr{
		Dir: "/", Env: env(), Files: files,
		Sys: &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0},
	})
	if con != os.Stdin {
		con.Close()
	}
	if err != nil {
		warn("%v", err)
		return 127
	}
	return reap(p.Pid)
}

// lookPath finds a command name on PATH, as a shell would.
func lookPath(name string) string {
	if strings.Contains(name, "/") {
		return name
	}
	for _, dir := range strings.Split(basePath, ":") {
		if st, err := os.Stat(dir + "/" + name); err == nil && !st.IsDir() {
			return dir + "/" + name
		}
	}
	return name
}

// reap waits for any child until pid has exited: init is every
// orphan's parent, so they are reaped here too.
func reap(pid int) int {
	for {
		var ws unix.WaitStatus
		got, err := unix.Wait4(-1, &ws, 0, nil)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			warn("wait: %v", err)
			return 1
		case got != pid:
			continue // an orphan
		case ws.Exited():
			return ws.ExitStatus()
		case ws.Signaled():
			return 128 + int(ws.Signal())
		}
	}
}

// stopAll ends every other process as a shutdown does: SIGTERM, a
// moment to go, then SIGKILL, reaping all the while.
func stopAll() {
	_ = unix.Kill(-1, unix.SIGTERM)
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		var ws unix.WaitStatus
		got, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.ECHILD {
			return
		}
		if got <= 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	_ = unix.Kill(-1, unix.SIGKILL)
	for {
		var ws unix.WaitStatus
		if _, err := unix.Wait4(-1, &ws, 0, nil); err != nil && err != unix.EINTR {
			return
		}
	}
}

// powerOff ends the machine through reboot(2). Starry-Go takes the
// status from the argument Linux ignores for these commands; should
// reboot fail, init exits with it, which ends the machine there too.
func powerOff(cmd, status int) {
	unix.Sync()
	_, _, e := unix.Syscall6(unix.SYS_REBOOT, unix.LINUX_REBOOT_MAGIC1, unix.LINUX_REBOOT_MAGIC2,
		uintptr(cmd), uintptr(status), 0, 0)
	warn("reboot: %v", e)
	os.Exit(status)
}
