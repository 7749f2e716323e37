// Package tests holds the integration tests: they drive the starry CLI as
// a user would (a built binary, real QEMU) and read the serial console.
package tests

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	repoRoot  string // the repository root (the parent of tests/)
	workDir   string // scratch space shared by all tests
	starryBin string // the CLI, built once in TestMain
)

// TestMain builds the CLI once; every test then runs that binary, so the
// tests exercise the same code path as "go run ./tools/starry".
func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	var err error
	if repoRoot, err = filepath.Abs(".."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if workDir, err = os.MkdirTemp("", "starry-tests-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(workDir)
	starryBin = filepath.Join(workDir, "starry")
	cmd := exec.Command("go", "build", "-o", starryBin, "./tools/starry")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the starry CLI failed: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

var (
	kernelOnce sync.Once
	kernelPath string
	kernelErr  error
)

// kernelImage builds the kernel once, through the CLI, and returns the
// image path; tests that boot the real kernel fail if the build fails.
func kernelImage(t *testing.T) string {
	t.Helper()
	kernelOnce.Do(func() {
		dir := filepath.Join(workDir, "build")
		r := runCLI(nil, 5*time.Minute, "build", "-o", dir)
		kernelPath = filepath.Join(dir, "starry-kernel.elf")
		if r.code != 0 {
			kernelErr = fmt.Errorf("starry build failed (status %d):\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	if kernelErr != nil {
		t.Fatal(kernelErr)
	}
	return kernelPath
}

// writeScript writes a --script file of one command per line.
func writeScript(t *testing.T, lines []string) string {
	t.Helper()
	script := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(script, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return script
}

// requireTool fails (never skips) when a prerequisite is missing, naming
// the Debian package that provides it; tools/setup.sh installs them all.
func requireTool(t *testing.T, name, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s not found in PATH: install the Debian package %s (tools/setup.sh does)", name, pkg)
	}
}

// requireQEMU is requireTool for the emulator.
func requireQEMU(t *testing.T) {
	t.Helper()
	requireTool(t, "qemu-system-x86_64", "qemu-system-x86")
}

// cliResult is what one CLI invocation produced.
type cliResult struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
}

// String summarises a result for failure messages.
func (r cliResult) String() string {
	return fmt.Sprintf("exit status %d after %v\n--- stdout ---\n%s--- stderr ---\n%s", r.code, r.elapsed.Round(time.Millisecond), r.stdout, r.stderr)
}

// runCLI runs the starry binary from the repository root with extra
// environment variables; limit is a backstop so a CLI bug cannot hang the
// whole test binary.
func runCLI(env []string, limit time.Duration, args ...string) cliResult {
	cmd := exec.Command(starryBin, args...)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// The CLI and its QEMU are one process group, killed whole at the
	// backstop: a QEMU outliving a killed CLI would hold the output pipes
	// open, and Wait would wait for it for ever.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return cliResult{stderr: err.Error(), code: -1}
	}
	timer := time.AfterFunc(limit, func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	err := cmd.Wait()
	timer.Stop()
	r := cliResult{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		r.code = -1
		r.stderr += err.Error()
	}
	return r
}

// starry runs the CLI with a generous backstop for one boot: longer than
// any --timeout a test passes, so the CLI reports its own timeout first.
func starry(t *testing.T, env []string, args ...string) cliResult {
	t.Helper()
	r := runCLI(env, 11*time.Minute, args...) // past the longest --timeout a test gives (600s)
	t.Logf("starry %q: exit status %d after %v", args, r.code, r.elapsed.Round(time.Millisecond))
	if qemuAborted(r.stderr) {
		// QEMU 7.2's TCG asserts in tcg_handle_interrupt now and then on
		// the shared CI hosts (an emulator bug: a vCPU raising an
		// interrupt without the iothread lock). That run says nothing
		// about the kernel, so it is run once more; a second abort fails.
		t.Logf("QEMU itself aborted; running once more:\n%s", r.stderr)
		r = runCLI(env, 11*time.Minute, args...)
		t.Logf("starry %q: exit status %d after %v", args, r.code, r.elapsed.Round(time.Millisecond))
	}
	return r
}

// qemuAborted reports an assertion inside the emulator (GLib's
// "ERROR:file:line:func: assertion failed"), not a guest failure.
func qemuAborted(stderr string) bool {
	return strings.Contains(stderr, "tcg_handle_interrupt: assertion failed")
}
