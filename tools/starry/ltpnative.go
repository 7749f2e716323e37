package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// The host side: each case run natively, the same binary with the same
// environment, as the reference the guest's verdict is read against.
// Results are cached per LTP build and host kernel, since a native run
// of every case takes minutes and does not change with Starry-Go.

// nativeCache is build/ltp/VERSION/native-RELEASE.json.
func nativeCache(b *ltpBuild) string {
	var u syscall.Utsname
	rel := "unknown"
	if syscall.Uname(&u) == nil {
		var s []byte
		for _, c := range u.Release {
			if c == 0 {
				break
			}
			s = append(s, byte(c))
		}
		rel = string(s)
	}
	return filepath.Join(b.dir, "native-"+rel+".json")
}

// nativeEntry is a cached native result with the argv it ran.
type nativeEntry struct {
	Argv   []string  `json:"argv"`
	Result ltpResult `json:"result"`
}

// runNative runs the cases on the host that the cache lacks, one at a
// time (they share the machine's global state), and returns every case's
// result.
func runNative(ctx context.Context, b *ltpBuild, cases []ltpCase, limit time.Duration, refresh bool, progress io.Writer) (map[string]ltpResult, error) {
	cache := map[string]nativeEntry{}
	path := nativeCache(b)
	if data, err := os.ReadFile(path); err == nil && !refresh {
		json.Unmarshal(data, &cache)
	}
	out := map[string]ltpResult{}
	var todo []ltpCase
	for _, c := range cases {
		if c.argv == nil {
			out[c.name] = ltpResult{Verdict: vMissing}
		} else if e, ok := cache[c.name]; ok && strings.Join(e.Argv, " ") == strings.Join(c.argv, " ") {
			out[c.name] = e.Result
		} else {
			todo = append(todo, c)
		}
	}
	if len(todo) > 0 {
		fmt.Fprintf(progress, "starry: running %d cases natively (cached in %s)\n", len(todo), path)
	}
	for _, c := range todo {
		if ctx.Err() != nil {
			return nil, fail(exitInterrupted, "interrupted")
		}
		r, err := runNativeCase(ctx, b, c, limit)
		if err != nil {
			return nil, err
		}
		out[c.name] = r
		cache[c.name] = nativeEntry{Argv: c.argv, Result: r}
		// Saved after each case, so an interrupted run keeps its work.
		data, _ := json.MarshalIndent(cache, "", " ")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// runNativeCase runs one case in its own process group and temporary
// directory, killing the group at the limit.
func runNativeCase(ctx context.Context, b *ltpBuild, c ltpCase, limit time.Duration) (ltpResult, error) {
	tmp, err := os.MkdirTemp("", "starry-ltp-native-")
	if err != nil {
		return ltpResult{}, err
	}
	defer os.RemoveAll(tmp)
	// Like /tmp: tests that drop to nobody make their directories here.
	if err := os.Chmod(tmp, 0o1777); err != nil {
		return ltpResult{}, err
	}
	cmd := exec.Command(filepath.Join(b.bin(), c.argv[0]), c.argv[1:]...)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "LTPROOT="+b.root, "TMPDIR="+tmp, "LTP_TIMEOUT_MUL=1", "LTP_COLORIZE_OUTPUT=0",
		"PATH="+b.bin()+":"+os.Getenv("PATH"))
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return ltpResult{Verdict: vNoExec, Status: 126, First: err.Error()}, nil
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timedOut := false
	select {
	case err = <-done:
	case <-time.After(limit):
		timedOut = true
	case <-ctx.Done():
	}
	if timedOut || ctx.Err() != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		err = <-done
	}
	// Whatever the case left in its group goes too.
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	status := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		ws := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			status = 128 + int(ws.Signal())
		} else {
			status = ws.ExitStatus()
		}
	}
	r := judge(status, timedOut, cleanLines(buf.String()))
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}
