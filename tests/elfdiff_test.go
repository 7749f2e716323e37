package tests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The ELF loader's differential test: a seeded corpus of mutated copies
// of four real binaries (static musl, glibc static-PIE, busybox, and a
// program that forks and execs itself with a pipe) runs on
// Linux and in the guest, and the outcomes are compared: the errno when
// exec refuses it, else the exit status and the output.

// elfBase is one binary the corpus mutates.
type elfBase struct {
	name string // the file's name in each variant's directory
	path string
	args []string
}

// elfVariant is one mutated binary.
type elfVariant struct {
	id    int
	base  elfBase
	edits []string
	data  []byte
}

// elfOutcome is what running a variant did.
type elfOutcome struct {
	execErr string // the exec error ("exec format error"), or ""
	status  int    // exit status, or 128+signal
	output  string
	hung    bool
}

func (o elfOutcome) String() string {
	switch {
	case o.hung:
		return "hung"
	case o.execErr != "":
		return "refused: " + o.execErr
	}
	return fmt.Sprintf("ran: status %d, output %q", o.status, o.output)
}

// ranOK reports whether a native run loaded and ran the program
// correctly, printing what the unmutated binary prints.
func (o elfOutcome) ranOK(want string) bool {
	return o.execErr == "" && !o.hung && o.status == 0 && strings.Contains(o.output, want)
}

const elfVariantsPerBase = 140

func elfCorpus(t *testing.T, bases []elfBase) []elfVariant {
	r := rand.New(rand.NewSource(20261201))
	var vs []elfVariant
	for _, b := range bases {
		orig, err := os.ReadFile(b.path)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < elfVariantsPerBase; i++ {
			data, edits := mutateELF(r, orig)
			vs = append(vs, elfVariant{id: len(vs), base: b, edits: edits, data: data})
		}
	}
	return vs
}

// runNative runs a variant on the host as nobody, chrooted into its own
// directory and in new PID, mount, network, IPC and UTS namespaces, so a
// mutated entry point running stray code can harm nothing outside. Not
// being root also keeps Linux from mapping below vm.mmap_min_addr, which
// the guest never does for anyone.
func runNative(dir string, v elfVariant) elfOutcome {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/"+v.base.name, v.base.args...)
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/", "TERM=linux"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: dir, Credential: &syscall.Credential{Uid: 65534, Gid: 65534},
		Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWNS | syscall.CLONE_NEWNET | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var o elfOutcome
	var ee *exec.ExitError
	var errno syscall.Errno
	switch {
	case ctx.Err() != nil:
		o.hung = true
	case errors.As(err, &ee):
		ws := ee.Sys().(syscall.WaitStatus)
		o.status = ws.ExitStatus()
		if ws.Signaled() {
			o.status = 128 + int(ws.Signal())
		}
	case errors.As(err, &errno):
		o.execErr = errno.Error()
	case err != nil:
		o.execErr = err.Error()
	}
	o.output = strings.TrimSpace(out.String())
	return o
}

// guestOutcomes parses one boot's console: each variant's exec error, or
// its output (the lines since the previous command) and exit status.
func guestOutcomes(console string) map[int]elfOutcome {
	got := map[int]elfOutcome{}
	var pending []string
	killed := false
	for _, l := range consoleLines(console) {
		id, rest, ok := variantLine(l)
		switch {
		case strings.Contains(l, "ran past cmdtimeout"):
			killed = true
			continue
		case !ok:
			if !strings.HasPrefix(l, "starry: ") {
				pending = append(pending, l)
			}
			continue
		case strings.HasPrefix(rest, ": "):
			got[id] = elfOutcome{execErr: strings.TrimPrefix(rest, ": ")}
		default:
			n, _ := strconv.Atoi(rest[strings.LastIndex(rest, " status=")+len(" status="):])
			got[id] = elfOutcome{status: n, output: strings.TrimSpace(strings.Join(pending, "\n")), hung: killed}
		}
		pending, killed = nil, false
	}
	return got
}

// variantLine recognises "starry: exec /v/N/NAME ARGS: ERROR" (rest is
// ": ERROR") and "starry: exit /v/N/NAME ARGS status=S" (rest is
// "NAME ARGS status=S").
func variantLine(l string) (id int, rest string, ok bool) {
	for _, p := range []string{"starry: exec /v/", "starry: exit /v/"} {
		s, found := strings.CutPrefix(l, p)
		if !found {
			continue
		}
		num, after, _ := strings.Cut(s, "/")
		n, err := strconv.Atoi(num)
		if err != nil {
			return 0, "", false
		}
		if p == "starry: exec /v/" {
			_, msg, _ := strings.Cut(after, ": ")
			return n, ": " + msg, true
		}
		return n, after, strings.Contains(after, " status=")
	}
	return 0, "", false
}

func TestELFLoaderDifferential(t *testing.T) {
	bin := testProgs(t)
	bases := []elfBase{
		{"hello", filepath.Join(bin, "hello"), nil},
		{"hello_pie", filepath.Join(bin, "hello_pie"), nil},
		{"busybox", hostBusybox(t), []string{"echo", "elfdiff"}},
		{"forkexec", filepath.Join(bin, "forkexec"), nil}, // loads itself again in a child
	}
	want := map[string]string{"hello": "hello from musl", "hello_pie": "hello from static-pie", "busybox": "elfdiff",
		"forkexec": "forkexec ok"}
	vs := elfCorpus(t, bases)
	pinMmapMinAddr(t)
	root := t.TempDir()
	native := make([]elfOutcome, len(vs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	// Every file is written before any runs: a file still open for
	// writing in this process when another goroutine forks would make
	// that child's exec fail with ETXTBSY.
	for _, v := range vs {
		dir := filepath.Join(root, "v", strconv.Itoa(v.id))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, v.base.name), v.data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i, v := range vs {
		dir := filepath.Join(root, "v", strconv.Itoa(v.id))
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			native[i] = runNative(dir, v)
			<-sem
		}()
	}
	wg.Wait()
	guest := map[int]elfOutcome{}
	for _, b := range bases {
		var lines []string
		for _, v := range vs {
			if v.base.name == b.name && !native[v.id].hung {
				lines = append(lines, strings.Join(append([]string{fmt.Sprintf("/v/%d/%s", v.id, v.base.name)}, v.base.args...), " "))
			}
		}
		script := writeScript(t, append(lines, "/bin/hello"))
		var adds []string
		for _, v := range vs {
			if v.base.name == b.name {
				adds = append(adds, "--add", filepath.Join(root, "v", strconv.Itoa(v.id))+":/v/"+strconv.Itoa(v.id))
			}
		}
		args := append([]string{"--mem", "1536", "--timeout", "600s", "--append", "cmdtimeout=5s"}, adds...)
		r := runProgs(t, append(args, "--script", script)...)
		if strings.Contains(r.stdout, "KERNEL CRASH") || lineIndex(consoleLines(r.stdout), "hello from musl") < 0 {
			t.Fatalf("the %s boot did not finish: the kernel must survive every variant\n%v", b.name, r)
		}
		for id, o := range guestOutcomes(r.stdout) {
			guest[id] = o
		}
	}
	reportELFDiff(t, vs, native, guest, want)
}

// reportELFDiff compares the runs. Every variant Linux runs correctly must
// run the same in the guest, every load decision (refuse, or run) must
// agree, and refusals must give the same errno. Programs that load but
// then go wrong may go wrong differently (what a corrupted program reads
// depends on the layout: Linux randomizes it and maps a vDSO): those are
// listed, not failed.
func reportELFDiff(t *testing.T, vs []elfVariant, native []elfOutcome, guest map[int]elfOutcome, want map[string]string) {
	counts := map[string]int{}
	var bad, other []string
	for _, v := range vs {
		n, g := native[v.id], guest[v.id]
		okKey := "same"
		switch {
		case n.hung:
			okKey = "hung natively (not run in the guest)"
		case n == g:
		case n.ranOK(want[v.base.name]):
			okKey = "Linux runs it correctly, the guest does not"
		case (n.execErr == "") != (g.execErr == ""):
			okKey = "the load decision differs"
		case n.execErr != "":
			okKey = "both refuse, with different errors"
		default:
			okKey = "both run it, differently"
		}
		counts[okKey]++
		line := fmt.Sprintf("variant %d (%s; %s): Linux %v; guest %v", v.id, v.base.name, strings.Join(v.edits, ", "), n, g)
		switch okKey {
		case "same", "hung natively (not run in the guest)":
		case "Linux runs it correctly, the guest does not", "the load decision differs", "both refuse, with different errors":
			bad = append(bad, line)
		default:
			other = append(other, line)
		}
	}
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%4d %s", counts[k], k)
	}
	for _, l := range other {
		t.Log(l)
	}
	if len(bad) > 0 {
		t.Errorf("%d of %d variants disagree with Linux on whether or how they run:\n%s", len(bad), len(vs), strings.Join(bad, "\n"))
	}
}

// pinMmapMinAddr makes the host's vm.mmap_min_addr the guest's 4096 (the
// kernel's default; some distributions raise it) for the test's length.
func pinMmapMinAddr(t *testing.T) {
	const path, want = "/proc/sys/vm/mmap_min_addr", "4096"
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(old)) == want {
		return
	}
	if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
		t.Fatalf("vm.mmap_min_addr is %s here and cannot be set to the guest's %s: %v", bytes.TrimSpace(old), want, err)
	}
	t.Cleanup(func() { os.WriteFile(path, old, 0o644) })
}
