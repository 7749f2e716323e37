package tests

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// wantFailure checks a non-zero status and that stderr says each of msgs.
func wantFailure(t *testing.T, r cliResult, msgs ...string) {
	t.Helper()
	if r.code == 0 {
		t.Fatalf("want a non-zero exit status, got 0\n%v", r)
	}
	for _, m := range msgs {
		if !strings.Contains(r.stderr, m) {
			t.Errorf("stderr does not say %q\n%v", m, r)
		}
	}
}

// fastGuest is a fake guest that prints the boot line and exits 0; the
// error-path tests pass it with --kernel so they never build the kernel.
func fastGuest(t *testing.T) string {
	return writeFakeGuest(t, "ok.elf", fakeGuestExit("starry: boot\nstarry: poweroff status=0\n", 0))
}

func TestUnknownCommand(t *testing.T) {
	r := starry(t, nil, "frobnicate")
	wantFailure(t, r, `unknown command "frobnicate"`)
}

func TestUnknownFlag(t *testing.T) {
	r := starry(t, nil, "run", "--no-such-flag")
	wantFailure(t, r, "flag provided but not defined: -no-such-flag")
	if r.code != 2 {
		t.Errorf("exit status %d, want 2 for bad usage", r.code)
	}
}

func TestMissingQEMU(t *testing.T) {
	r := starry(t, []string{"STARRY_QEMU=/nonexistent"}, "run", "--kernel", fastGuest(t))
	wantFailure(t, r, "QEMU not found", "/nonexistent")
}

func TestBadAddPath(t *testing.T) {
	r := starry(t, nil, "run", "--add", "/nonexistent/hello:/bin/hello")
	wantFailure(t, r, "/nonexistent/hello", "no such file or directory")
}

func TestAddGuestNotAbsolute(t *testing.T) {
	r := starry(t, nil, "run", "--add", "go.mod:go.mod", "--", "/bin/true")
	wantFailure(t, r, `the guest path "go.mod" must be absolute`)
	if r.code != 2 {
		t.Errorf("exit status %d, want 2 for bad usage", r.code)
	}
}

func TestAddWithoutColon(t *testing.T) {
	wantFailure(t, starry(t, nil, "run", "--add", "go.mod"), "want HOST:GUEST")
}

// TestAddCollision: two --add files at one guest path are an error, not
// a silent pick. It fails while writing the archive, before QEMU starts.
func TestAddCollision(t *testing.T) {
	r := starry(t, nil, "run", "--kernel", fastGuest(t), "--add", "go.mod:/x", "--add", "go.sum:/x", "--", "/x")
	wantFailure(t, r, "/x is in the archive twice")
}

func TestBadInitramfsPath(t *testing.T) {
	r := starry(t, nil, "run", "--initramfs", "/nonexistent/initrd.cpio")
	wantFailure(t, r, "--initramfs", "no such file or directory")
}

func TestScriptAndCommand(t *testing.T) {
	script := filepath.Join(t.TempDir(), "s")
	os.WriteFile(script, []byte("/bin/true\n"), 0o644)
	r := starry(t, nil, "run", "--script", script, "--", "/bin/true")
	wantFailure(t, r, "either --script FILE or -- COMMAND ARGS, not both")
}

func TestBadScript(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"quote": "/bin/echo \"unterminated\n",
		"bg":    "& /bin/spin\n",
		"empty": "# nothing\n\n",
	}
	wantMsg := map[string]string{
		"quote": "line 1: unterminated double quote",
		"bg":    "no foreground command",
		"empty": "no commands in the script",
	}
	for name, text := range cases {
		script := filepath.Join(dir, name)
		os.WriteFile(script, []byte(text), 0o644)
		wantFailure(t, starry(t, nil, "run", "--script", script), wantMsg[name])
	}
	wantFailure(t, starry(t, nil, "run", "--script", "/nonexistent/script"), "--script", "no such file or directory")
}

func TestEmptyKernel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.elf")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	wantFailure(t, starry(t, nil, "run", "--kernel", path), "is empty")
}

// TestGarbageKernel boots an ELF magic followed by junk: QEMU refuses it,
// and the CLI must say the guest never powered off rather than report
// success. The junk is fixed: random bytes sometimes pass QEMU's checks
// for an ancient zImage and then boot into garbage.
func TestGarbageKernel(t *testing.T) {
	requireQEMU(t)
	data := append([]byte("\x7fELF"), bytes.Repeat([]byte{0x5a}, 4092)...)
	path := filepath.Join(t.TempDir(), "garbage.elf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := starry(t, nil, "run", "--accel", "tcg", "--timeout", "20s", "--kernel", path)
	wantFailure(t, r, "never powered off", "printed nothing")
}

// TestSilentKernelTimesOut boots a guest that halts without printing.
func TestSilentKernelTimesOut(t *testing.T) {
	requireQEMU(t)
	path := writeFakeGuest(t, "silent.elf", insHaltLoop)
	r := starry(t, nil, "run", "--accel", "tcg", "--timeout", "3s", "--kernel", path)
	wantFailure(t, r, "timed out after 3s", "printed nothing")
	if r.code != 124 {
		t.Errorf("exit status %d, want 124 for a timeout", r.code)
	}
	if r.elapsed > 20*time.Second {
		t.Errorf("a 3s timeout took %v", r.elapsed)
	}
}

// TestTripleFault: QEMU exits 0 under -no-reboot, which must not pass.
func TestTripleFault(t *testing.T) {
	requireQEMU(t)
	code := append(fakeCodePrint("starry: boot\n"), insTripleFlt...)
	path := writeFakeGuest(t, "fault.elf", code)
	r := starry(t, nil, "run", "--accel", "tcg", "--timeout", "20s", "--kernel", path)
	wantFailure(t, r, "without the guest powering off", `"starry: boot"`)
}

// TestKernelCrashReport: a crash report gives a message and its status.
func TestKernelCrashReport(t *testing.T) {
	requireQEMU(t)
	text := "starry: boot\nstarry: KERNEL CRASH\nrip=0xdead\nstarry: poweroff status=3\n"
	path := writeFakeGuest(t, "crash.elf", fakeGuestExit(text, 3))
	r := starry(t, nil, "run", "--accel", "tcg", "--timeout", "20s", "--kernel", path)
	wantFailure(t, r, "kernel crashed")
	if r.code != 3 {
		t.Errorf("exit status %d, want the guest's 3", r.code)
	}
}

// TestGuestStatusEachMachine: the guest's status becomes the CLI's on
// every machine type, and the console reaches stdout.
func TestGuestStatusEachMachine(t *testing.T) {
	requireQEMU(t)
	text := "starry: boot\nhello from the fake guest\nstarry: poweroff status=42\n"
	path := writeFakeGuest(t, "status.elf", fakeGuestExit(text, 42))
	for _, machine := range []string{"microvm", "q35", "pc"} {
		t.Run(machine, func(t *testing.T) {
			r := starry(t, nil, "run", "--accel", "tcg", "--machine", machine, "--timeout", "30s", "--kernel", path)
			if r.code != 42 {
				t.Fatalf("exit status %d, want 42\n%v", r.code, r)
			}
			if !strings.Contains(r.stdout, "hello from the fake guest") {
				t.Errorf("console not on stdout\n%v", r)
			}
		})
	}
}

// TestGuestStatusZero: status 0 with its poweroff line is success.
func TestGuestStatusZero(t *testing.T) {
	requireQEMU(t)
	r := starry(t, nil, "run", "--accel", "tcg", "--timeout", "20s", "--kernel", fastGuest(t))
	if r.code != 0 {
		t.Fatalf("want exit status 0\n%v", r)
	}
}

// TestBenchBootFakeGuest runs the boot benchmark on a fake guest that
// prints every milestone, and checks the table has a row for each.
func TestBenchBootFakeGuest(t *testing.T) {
	requireQEMU(t)
	text := "starry: boot\nstarry: go main\nselftest: PASS\nstarry: poweroff status=0\n"
	path := writeFakeGuest(t, "bench.elf", fakeGuestExit(text, 0))
	r := starry(t, nil, "bench", "boot", "--accel", "tcg", "--runs", "2", "--timeout", "20s", "--kernel", path)
	if r.code != 0 {
		t.Fatalf("bench failed\n%v", r)
	}
	for _, want := range []string{"bytes (", "first serial byte", "starry: boot", "starry: go main", "selftest: PASS", "QEMU exit", " ms"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("bench output lacks %q\n%v", want, r)
		}
	}
}

// TestBenchVsLinux runs two of the latency suite's benchmarks and the
// boot time under starry, under Debian's Linux on the same QEMU machine
// (fetched into build/linux on first use) and on the host, and checks
// the table has the medians and the ratio, that the JSON carries each
// run's samples (one boot time per guest run, none on the host), and
// that the plot is drawn.
func TestBenchVsLinux(t *testing.T) {
	requireQEMU(t)
	dir := t.TempDir()
	js, svg := filepath.Join(dir, "bench.json"), filepath.Join(dir, "bench.svg")
	r := starry(t, nil, "bench", "--accel", "tcg", "--vs", "linux", "--runs", "1", "--timeout", "240s",
		"--kernel", kernelImage(t), "--bench", "boot,getppid,fork_exec_wait", "--json", js, "--plot", svg)
	if r.code != 0 {
		t.Fatalf("bench --vs linux failed\n%v", r)
	}
	lines := consoleLines(r.stdout)
	for _, row := range []string{"boot", "getppid", "fork_exec_wait"} {
		i := lineIndex(lines, row)
		if i < 0 {
			t.Errorf("no %q row\n%v", row, r)
			continue
		}
		// name, then median and p10-p90 for starry, linux and the host
		// (not for boot: the host does not boot), then the ratio
		if f := strings.Fields(lines[i]); len(f) < 6 || !strings.HasSuffix(f[len(f)-1], "x") || strings.Contains(lines[i], "failed") {
			t.Errorf("the %q row lacks a figure or the ratio: %q", row, lines[i])
		}
	}
	data, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Runs []struct {
			Target  string
			Figures []struct {
				Name    string
				Samples []float64 `json:"samples_ns"`
			}
		}
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, run := range rep.Runs {
		for _, f := range run.Figures {
			switch {
			case f.Name == "boot" && (run.Target == "host" || len(f.Samples) != 1 || f.Samples[0] <= 0):
				t.Errorf("boot on %s: samples %v, want one time from reset to init, in the guests only", run.Target, f.Samples)
			case f.Name != "boot" && len(f.Samples) < 100:
				t.Errorf("%s on %s: %d samples in the JSON", f.Name, run.Target, len(f.Samples))
			}
			seen[run.Target]++
		}
	}
	if seen["starry"] != 3 || seen["linux"] != 3 || seen["host"] != 2 {
		t.Errorf("figures per target in the JSON: %v, want 3 for each guest and 2 for the host", seen)
	}
	if plot, err := os.ReadFile(svg); err != nil || !strings.Contains(string(plot), ">fork_exec_wait<") {
		t.Errorf("the plot lacks the benchmark (err %v)", err)
	}
}

// TestBenchIcount: under --icount the figures are instruction counts,
// so two runs of the null system call agree to within 3% however busy
// the host is (not exactly: address-space randomisation moves pages and
// crossings), and the JSON says the unit.
func TestBenchIcount(t *testing.T) {
	requireQEMU(t)
	js := filepath.Join(t.TempDir(), "bench.json")
	r := starry(t, nil, "bench", "--accel", "tcg", "--icount", "--runs", "2", "--timeout", "120s",
		"--kernel", kernelImage(t), "--bench", "getppid", "--json", js)
	if r.code != 0 {
		t.Fatalf("bench --icount failed\n%v", r)
	}
	data, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Accel string
		Runs  []struct {
			Target  string
			Figures []struct{ NS [4]float64 }
		}
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Accel, "icount") || len(rep.Runs) != 2 {
		t.Fatalf("report: accel %q, %d runs (want icount, 2 starry runs)", rep.Accel, len(rep.Runs))
	}
	a, b := rep.Runs[0].Figures[0].NS[0], rep.Runs[1].Figures[0].NS[0]
	if a < 100 || b < 100 || a/b > 1.03 || b/a > 1.03 {
		t.Errorf("getppid medians %v and %v instructions: not a deterministic count", a, b)
	}
}

func TestBenchExo(t *testing.T) {
	requireQEMU(t)
	r := starry(t, nil, "bench", "exo", "--accel", "tcg", "--timeout", "240s", "--kernel", kernelImage(t))
	if r.code != 0 {
		t.Fatalf("bench exo failed\n%v", r)
	}
	for _, row := range []string{"exo-null-trap", "exo-null-trap-2envs", "exo-pagefault-map"} {
		if lineIndex(consoleLines(r.stdout), row) < 0 {
			t.Errorf("no %q row\n%v", row, r)
		}
	}
}
