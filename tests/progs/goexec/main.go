// Command goexec runs programs the way Go programs do, through os/exec:
// the runtime forks with clone(CLONE_VFORK|CLONE_VM), reports exec
// failures through a close-on-exec pipe, and waits with waitid and wait4
// (falling back from pidfds when the kernel has none). Each check prints
// one line, the same on Linux and in the guest; "goexec ok N" at the end.
// It needs busybox at /bin (sh, cat, sleep) and /data/noexec.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
)

var failures, checks int

func check(what string, ok bool) {
	checks++
	res := "ok"
	if !ok {
		res = "FAIL"
		failures++
	}
	fmt.Printf("%s: %s\n", what, res)
}

// exitCode returns the status of a finished command, or -1.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

func outputs() {
	out, err := exec.Command("/bin/sh", "-c", "echo one | cat; echo two").Output()
	check("Output of a pipeline", err == nil && string(out) == "one\ntwo\n")
	cmd := exec.Command("/bin/cat")
	cmd.Stdin = strings.NewReader("fed through stdin")
	out, err = cmd.Output()
	check("Stdin from a reader", err == nil && string(out) == "fed through stdin")
	cmd = exec.Command("/bin/sh", "-c", "echo to stderr >&2")
	out, err = cmd.CombinedOutput()
	check("CombinedOutput takes stderr", err == nil && string(out) == "to stderr\n")
	cmd = exec.Command("/bin/sh", "-c", "pwd; echo $FOO")
	cmd.Dir, cmd.Env = "/data", []string{"FOO=bar"}
	out, err = cmd.Output()
	check("Dir and Env reach the child", err == nil && string(out) == "/data\nbar\n")
}

func statuses() {
	err := exec.Command("/bin/sh", "-c", "exit 3").Run()
	check("an exit status", exitCode(err) == 3)
	err = exec.Command("/no/such/program").Run()
	check("a missing program: ENOENT", errors.Is(err, syscall.ENOENT))
	err = exec.Command("/data/noexec").Run()
	check("a file without execute permission: EACCES", errors.Is(err, syscall.EACCES))
	cmd := exec.Command("/bin/sh", "-c", "kill -9 $$")
	err = cmd.Run()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	check("a child killed by a signal", err != nil && ws.Signaled() && ws.Signal() == syscall.SIGKILL)
	cmd = exec.Command("/bin/sleep", "30")
	if err := cmd.Start(); err != nil {
		check("Start of sleep", false)
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	err = cmd.Wait()
	ws, _ = cmd.ProcessState.Sys().(syscall.WaitStatus)
	check("Process.Signal stops a sleeping child", err != nil && ws.Signaled() && ws.Signal() == syscall.SIGTERM)
}

func files() {
	r, w, _ := os.Pipe()
	cmd := exec.Command("/bin/sh", "-c", "echo through fd 3 >&3")
	cmd.ExtraFiles = []*os.File{w}
	err := cmd.Run()
	w.Close()
	got, _ := io.ReadAll(r)
	check("ExtraFiles passes a pipe as fd 3", err == nil && string(got) == "through fd 3\n")
	cmd = exec.Command("/bin/cat")
	in, _ := cmd.StdinPipe()
	outp, _ := cmd.StdoutPipe()
	cmd.Start()
	io.WriteString(in, "streamed")
	in.Close()
	got, _ = io.ReadAll(outp)
	check("StdinPipe and StdoutPipe stream", cmd.Wait() == nil && string(got) == "streamed")
}

// concurrent runs commands from many goroutines at once: forks from
// threads that race one another and the garbage collector.
func concurrent() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	bad := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				want := fmt.Sprintf("%d.%d", g, i)
				out, err := exec.Command("/bin/sh", "-c", "echo "+want).Output()
				if err != nil || strings.TrimSpace(string(out)) != want {
					mu.Lock()
					bad++
					mu.Unlock()
				}
				_ = make([]byte, 1<<16) // give the collector work
			}
		}(g)
	}
	wg.Wait()
	check("40 commands from 8 goroutines at once", bad == 0)
}

func main() {
	outputs()
	statuses()
	files()
	concurrent()
	if failures > 0 {
		fmt.Printf("goexec: %d of %d checks failed\n", failures, checks)
		os.Exit(1)
	}
	fmt.Printf("goexec ok %d\n", checks)
}
