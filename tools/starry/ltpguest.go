package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The guest side of "starry ltp": the cases go into the initramfs in
// batches, one boot each, with busybox as /bin and a small /etc. The
// kernel's runner is init: it runs each case as a command with LTPROOT,
// TMPDIR and LTP_TIMEOUT_MUL set and kills it (and whatever it forked)
// at cmdtimeout=, so a hung case is recorded and the batch goes on.

// ltpGuestRoot is LTPROOT in the guest.
const ltpGuestRoot = "/ltp"

// ltpEtc is the guest's /etc: LTP's library and tests look up root,
// nobody, bin and daemon, and the groups of the same names.
var ltpEtc = map[string]string{
	"passwd": "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\n" +
		"bin:x:2:2:bin:/bin:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
	"group": "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nusers:x:100:\nnogroup:x:65534:\n",
}

// ltpGuest runs cases in the guest.
type ltpGuest struct {
	target   *benchTarget
	build    *ltpBuild
	support  []string // helper files every batch carries
	busybox  string
	batch    int
	limit    time.Duration // per case (cmdtimeout=)
	mul      string        // LTP_TIMEOUT_MUL
	verbose  bool
	progress io.Writer
}

// guestArgv is the command line of a case in the guest, with its
// environment words first (the runner sets them, as a shell would).
func (g *ltpGuest) guestArgv(c ltpCase) []string {
	bin := ltpGuestRoot + "/testcases/bin"
	argv := []string{
		"LTPROOT=" + ltpGuestRoot, "TMPDIR=/tmp", "LTP_TIMEOUT_MUL=" + g.mul, "LTP_COLORIZE_OUTPUT=0",
		"PATH=" + bin + ":/bin:/sbin:/usr/bin:/usr/sbin",
		bin + "/" + c.argv[0],
	}
	return append(argv, c.argv[1:]...)
}

// exitName is how the runner names a command in its exit line: the
// argv without the environment words.
func (g *ltpGuest) exitName(c ltpCase) string {
	argv := g.guestArgv(c)
	for len(argv) > 0 && strings.Contains(argv[0], "=") {
		argv = argv[1:]
	}
	return strings.Join(argv, " ")
}

// run runs the cases, boot after boot, and returns a result for each. A
// case during which the guest died is recorded as a crash and the next
// boot starts after it.
func (g *ltpGuest) run(ctx context.Context, cases []ltpCase) (map[string]ltpResult, error) {
	out := map[string]ltpResult{}
	tmp, err := os.MkdirTemp("", "starry-ltp-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := g.stage(tmp); err != nil {
		return nil, err
	}
	for boots := 1; len(cases) > 0; boots++ {
		n := min(g.batch, len(cases))
		fmt.Fprintf(g.progress, "starry: ltp boot %d: %d cases from %s (%d left)\n", boots, n, cases[0].name, len(cases))
		start := time.Now()
		done, err := g.boot(ctx, tmp, cases[:n], out)
		if err != nil {
			return nil, err
		}
		if done < n {
			done++ // the case that took the guest down was recorded
		}
		g.report(cases[:done], out, time.Since(start))
		cases = cases[done:]
	}
	return out, nil
}

// report prints how a boot went: its time and the cases not passing.
func (g *ltpGuest) report(cases []ltpCase, out map[string]ltpResult, took time.Duration) {
	var bad []string
	for _, c := range cases {
		if v := out[c.name].Verdict; v != vPass {
			bad = append(bad, c.name+" "+v)
		}
	}
	fmt.Fprintf(g.progress, "starry: ltp boot took %v: %d of %d pass", took.Round(time.Second), len(cases)-len(bad), len(cases))
	if len(bad) > 0 {
		fmt.Fprintf(g.progress, "; not passing: %s", strings.Join(bad, ", "))
	}
	fmt.Fprintln(g.progress)
}

// stage writes the pieces every batch shares: /bin (busybox and its
// applet links) and /etc.
func (g *ltpGuest) stage(tmp string) error {
	bin := filepath.Join(tmp, "bin")
	etc := filepath.Join(tmp, "etc")
	for _, d := range []string{bin, etc} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	for name, text := range ltpEtc {
		if err := os.WriteFile(filepath.Join(etc, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	if err := copyFile(g.busybox, filepath.Join(bin, "busybox")); err != nil {
		return err
	}
	if err := os.Chmod(filepath.Join(bin, "busybox"), 0o755); err != nil {
		return err
	}
	list, err := exec.Command(g.busybox, "--list").Output()
	if err != nil {
		return fail(exitFailure, "%s --list: %v", g.busybox, err)
	}
	for _, applet := range strings.Fields(string(list)) {
		if applet != "busybox" && !strings.Contains(applet, "/") {
			if err := os.Symlink("busybox", filepath.Join(bin, applet)); err != nil {
				return err
			}
		}
	}
	return stageMkfs(bin, strings.Fields(string(list)))
}

// stageMkfs gives LTP its mkfs.ext2: busybox has the mke2fs applet but
// answers to no mkfs.ext2 name, so a wrapper runs it.
func stageMkfs(bin string, applets []string) error {
	if !slices.Contains(applets, "mke2fs") {
		return nil
	}
	script := "#!/bin/sh\nexec /bin/busybox mke2fs \"$@\"\n"
	return os.WriteFile(filepath.Join(bin, "mkfs.ext2"), []byte(script), 0o755)
}

// boot runs one batch and records each case it finished in out; it
// returns how many finished. If the guest died first, the case it was
// in is recorded as a crash.
func (g *ltpGuest) boot(ctx context.Context, tmp string, batch []ltpCase, out map[string]ltpResult) (int, error) {
	adds := []addSpec{{host: filepath.Join(tmp, "bin"), guest: "/bin"}, {host: filepath.Join(tmp, "etc"), guest: "/etc"}}
	binDir := ltpGuestRoot + "/testcases/bin/"
	seen := map[string]bool{}
	for _, f := range g.support {
		seen[f] = true
		adds = append(adds, addSpec{host: filepath.Join(g.build.bin(), f), guest: binDir + f})
	}
	var cmds []command
	for _, c := range batch {
		for _, f := range caseFiles(g.build.bin(), c.argv[0]) {
			if !seen[f] {
				seen[f] = true
				adds = append(adds, addSpec{host: filepath.Join(g.build.bin(), f), guest: binDir + f})
			}
		}
		cmds = append(cmds, command{argv: g.guestArgv(c)})
	}
	enc, err := encodeCommands(cmds)
	if err != nil {
		return 0, err
	}
	initrd, err := makeInitramfs(tmp, "", adds, enc)
	if err != nil {
		return 0, err
	}
	vm := g.target.vm
	vm.timeout = time.Duration(len(batch))*(g.limit+10*time.Second) + time.Minute
	m := bootMedia{kernel: g.target.kernel, initrd: initrd, cmdline: "cmdtimeout=" + g.limit.String()}
	con := &stampedLines{start: time.Now()}
	if g.verbose {
		con.tee = g.progress
	}
	res, err := boot(ctx, g.target.qemu, qemuArgs(&vm, g.target.accel, m), vm.timeout, nil, con, io.Discard)
	if err != nil {
		return 0, err
	}
	con.flush()
	if res.cancelled {
		return 0, fail(exitInterrupted, "interrupted; QEMU stopped")
	}
	done := g.collect(con.lines, batch, out)
	if done < len(batch) {
		why := describeErr(res.verdict(vm.timeout))
		if why == "" {
			why = "the guest stopped"
		}
		out[batch[done].name] = ltpResult{Verdict: vCrash, Status: -1, First: clip(why, 200)}
	}
	return done, nil
}

// collect walks the console, case by case: a case's output is what came
// after the previous case's end, and it ends at the runner's exit line
// (or its exec-failure line). It returns how many cases ended.
func (g *ltpGuest) collect(lines []stampedLine, batch []ltpCase, out map[string]ltpResult) int {
	i, start := 0, time.Duration(0)
	var block []string
	timedOut := false
	for _, l := range lines {
		if i == len(batch) {
			break
		}
		name := g.exitName(batch[i])
		text := ansi.ReplaceAllString(strings.TrimRight(l.text, "\r"), "")
		switch {
		case strings.HasPrefix(text, "starry: exit "+name+" status="):
			st, _ := strconv.Atoi(strings.TrimPrefix(text, "starry: exit "+name+" status="))
			r := judge(st, timedOut, block)
			r.Seconds = (l.at - start).Seconds()
			out[batch[i].name] = r
		case strings.HasPrefix(text, "starry: exec "+name+": "):
			out[batch[i].name] = ltpResult{Verdict: vNoExec, Status: 126, First: strings.TrimPrefix(text, "starry: ")}
		case strings.HasPrefix(text, "starry: "+name+" ran past cmdtimeout="):
			timedOut = true
			continue
		default:
			if start == 0 {
				start = l.at
			}
			block = append(block, text)
			continue
		}
		i, start, block, timedOut = i+1, l.at, nil, false
	}
	return i
}

// stampedLine is a console line and when it came, since QEMU started.
type stampedLine struct {
	text string
	at   time.Duration
}

// stampedLines keeps the console as timed lines (and copies it to tee).
type stampedLines struct {
	start time.Time
	tee   io.Writer
	lines []stampedLine
	cur   []byte
}

func (s *stampedLines) Write(p []byte) (int, error) {
	if s.tee != nil {
		s.tee.Write(p)
	}
	now := time.Since(s.start)
	for _, b := range p {
		if b == '\n' {
			s.lines = append(s.lines, stampedLine{string(s.cur), now})
			s.cur = s.cur[:0]
			continue
		}
		s.cur = append(s.cur, b)
	}
	return len(p), nil
}

func (s *stampedLines) flush() {
	if len(s.cur) > 0 {
		s.lines = append(s.lines, stampedLine{string(s.cur), time.Since(s.start)})
		s.cur = nil
	}
}

// caseFiles are the binaries a case needs in the guest: its own, and
// for an X_64 variant also X, which it re-executes by its TCID (fcntl07_64
// runs "fcntl07" from PATH).
func caseFiles(bin, name string) []string {
	files := []string{name}
	if base, ok := strings.CutSuffix(name, "_64"); ok {
		if _, err := os.Stat(filepath.Join(bin, base)); err == nil {
			files = append(files, base)
		}
	}
	return files
}
