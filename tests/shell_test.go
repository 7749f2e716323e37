package tests

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// prompt is the shell prompt init gives busybox ash (PS1).
const prompt = "starry:/# "

// TestInteractiveShell boots the default image with no command through
// a host pty, as a person at a terminal would: starry run then boots
// init, which runs busybox's shell on the console as a session leader
// with job control. Keystrokes go in through the pty master and the
// screen comes back through it; ^C and ^Z are bytes the guest's line
// discipline turns into signals (QEMU's stdio chardev has signal=off).
func TestInteractiveShell(t *testing.T) {
	requireQEMU(t)
	kernel := kernelImage(t)
	master, slave, err := openPty()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	cmd := exec.Command(starryBin, "run", "--accel", "tcg", "--timeout", "4m", "--kernel", kernel)
	cmd.Dir = repoRoot
	var stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	backstop := time.AfterFunc(5*time.Minute, func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	defer backstop.Stop()
	scr := &screen{more: make(chan struct{}, 1)}
	go scr.readFrom(master)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		if t.Failed() {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			t.Logf("terminal:\n%q\nstderr:\n%s", scr.all(), stderr.String())
		}
	}()
	typeIn := func(s string) {
		t.Helper()
		if _, err := master.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	// The first boot may build u-root's commands (cached in build/uroot).
	scr.expect(t, prompt, 4*time.Minute)
	t.Logf("prompt after %v", time.Since(start).Round(time.Millisecond))

	typeIn("echo hello\r")
	scr.expect(t, "\nhello\n", 20*time.Second)
	scr.expect(t, prompt, 20*time.Second)

	typeIn("echo a b c | wc -w\r")
	scr.expect(t, "\n3\n", 20*time.Second)
	scr.expect(t, prompt, 20*time.Second)

	// ^C ends a foreground job; the shell carries on.
	typeIn("sleep 100\r")
	scr.expect(t, "sleep 100\n", 20*time.Second)
	time.Sleep(time.Second)
	typeIn("\x03")
	scr.expect(t, prompt, 20*time.Second)
	typeIn("echo int $?\r")
	scr.expect(t, "int 130\n", 20*time.Second)
	scr.expect(t, prompt, 20*time.Second)

	// ^Z stops it, fg brings it back, ^C ends it.
	typeIn("sleep 100\r")
	scr.expect(t, "sleep 100\n", 20*time.Second)
	time.Sleep(time.Second)
	typeIn("\x1a")
	scr.expect(t, "Stopped", 20*time.Second)
	scr.expect(t, prompt, 20*time.Second)
	typeIn("fg\r")
	scr.expect(t, "sleep 100", 20*time.Second)
	time.Sleep(time.Second)
	typeIn("\x03")
	scr.expect(t, prompt, 20*time.Second)
	typeIn("echo fg $?\r")
	scr.expect(t, "fg 130\n", 20*time.Second)
	scr.expect(t, prompt, 20*time.Second)

	// A background job writes to the terminal while the shell waits.
	typeIn("(sleep 1; echo from-$((6*7))) &\r")
	scr.expect(t, prompt, 20*time.Second)
	scr.expect(t, "from-42\n", 20*time.Second)

	// exit powers off with the shell's status, the CLI's status.
	typeIn("exit 3\r")
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 3 {
			t.Fatalf("starry run ended with %v, want exit status 3", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("starry run did not end after exit 3")
	}
	t.Logf("whole session %v", time.Since(start).Round(time.Millisecond))
}

// TestInitCommand boots the repository's init as PID 1 with a command
// after "--" on the kernel command line: init is PID 1 with the kernel
// as its parent (PPID 0), the command leads its own session, an orphan
// is given to init and reaped, and the command's status ends the
// machine through reboot(2).
func TestInitCommand(t *testing.T) {
	requireQEMU(t)
	kernel := kernelImage(t)
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", dir+"/sbin/init", "./cmd/init")
	build.Dir = repoRoot
	build.Env = append(build.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building init: %v\n%s", err, out)
	}
	script := `field() { cut -d' ' -f$2 /proc/$1/stat; }
echo "init-ppid $(field 1 4)"
sh -c 'sleep 1 & echo $!' > /tmp/orphan
read pid < /tmp/orphan
echo "orphan-ppid $(field $pid 4)"
sleep 2
if [ -e /proc/$pid ]; then echo orphan-left; else echo orphan-reaped; fi
[ "$(field $$ 6)" = $$ ] && echo session-leader
exit 4
`
	if err := os.WriteFile(dir+"/t.sh", []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	r := starry(t, nil, "run", "--accel", "tcg", "--timeout", "60s", "--kernel", kernel,
		"--add", dir+"/sbin:/sbin", "--add", "/bin/busybox:/bin/busybox", "--add", "/bin/busybox:/bin/sh",
		"--add", dir+"/t.sh:/t.sh", "--append", "init=/sbin/init -- /bin/sh /t.sh")
	checkRun(t, r, 4, []string{"init-ppid 0", "orphan-ppid 1", "orphan-reaped", "session-leader", "starry: reboot: power down"}, "orphan-left")
}
