package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// statusOf maps an error to the exit status main would use.
func statusOf(err error) int { return exitCode(err, io.Discard) }

func TestGuestStatusDecoding(t *testing.T) {
	cases := []struct {
		name     string
		res      bootResult
		want     int
		wantText string
	}{
		{"status 0 via port", bootResult{qemuCode: 1, poweroff: true}, 0, ""},
		{"status 5 via port", bootResult{qemuCode: 11, poweroff: true, status: 5}, 5, ""},
		{"status 132 via line", bootResult{qemuCode: (132<<1 | 1) & 0xff, poweroff: true, status: 132}, 132, ""},
		{"line disagrees", bootResult{qemuCode: 11, poweroff: true, status: 7}, 5, ""},
		{"port without line", bootResult{qemuCode: 7}, 3, ""},
		{"QEMU error", bootResult{qemuCode: 1}, exitFailure, "QEMU failed"},
		{"exit 0 with line", bootResult{qemuCode: 0, poweroff: true, status: 4}, 4, ""},
		{"triple fault", bootResult{qemuCode: 0}, exitFailure, "without the guest powering off"},
		{"even code", bootResult{qemuCode: 2}, exitFailure, "exit status 2"},
		{"killed", bootResult{qemuCode: -1}, exitFailure, "signal"},
		{"timeout", bootResult{qemuCode: -1, timedOut: true}, exitTimeout, "timed out after 1s"},
		{"crash with 0", bootResult{qemuCode: 1, poweroff: true, crashed: true}, exitFailure, "kernel crashed"},
		{"crash with 6", bootResult{qemuCode: 13, poweroff: true, crashed: true, status: 6}, 6, "kernel crashed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.res.marks = map[string]time.Duration{}
			err := c.res.verdict(time.Second)
			if got := statusOf(err); got != c.want {
				t.Errorf("status %d, want %d (err %v)", got, c.want, err)
			}
			if c.wantText != "" && (err == nil || !strings.Contains(err.Error(), c.wantText)) {
				t.Errorf("error %v, want it to say %q", err, c.wantText)
			}
		})
	}
}

func TestConsoleParsing(t *testing.T) {
	res := &bootResult{marks: map[string]time.Duration{}}
	var out strings.Builder
	con := &console{out: &out, start: time.Now(), res: res}
	text := "\x1b[2Jstarry: boot\r\nstarry: go main\nselftest: gc: ok (x)\nselftest: FAIL (1 of 6 checks failed)\nstarry: KERNEL CRASH\nstarry: poweroff status=12"
	for i := 0; i < len(text); i += 5 { // split writes mid-line
		con.Write([]byte(text[i:min(i+5, len(text))]))
	}
	con.flush()
	if out.String() != text {
		t.Errorf("console copy differs: %q", out.String())
	}
	for _, m := range []string{markFirstByte, markBoot, markGoMain} {
		if _, ok := res.marks[m]; !ok {
			t.Errorf("mark %q not recorded", m)
		}
	}
	if _, ok := res.marks[markPass]; ok {
		t.Error("PASS recorded without its line")
	}
	if !res.crashed || !res.poweroff || res.status != 12 {
		t.Errorf("crashed=%v poweroff=%v status=%d", res.crashed, res.poweroff, res.status)
	}
	if res.failLine != "selftest: FAIL (1 of 6 checks failed)" {
		t.Errorf("failLine %q", res.failLine)
	}
}

func TestQEMUArgs(t *testing.T) {
	vm := &vmConfig{machine: "microvm", cpus: 2, mem: 256}
	args := qemuArgs(vm, "tcg", bootMedia{kernel: "k.elf", cmdline: "selftest x=1", initrd: "i.cpio"})
	want := "-M microvm -accel tcg -cpu max -smp 2 -m 256 -nodefaults -display none -monitor none " +
		"-no-reboot -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 " +
		"-kernel k.elf -append selftest x=1 -initrd i.cpio"
	if got := strings.Join(args, " "); got != want {
		t.Errorf("microvm args\n got %s\nwant %s", got, want)
	}
	vm.machine = "q35"
	args = qemuArgs(vm, "kvm", bootMedia{kernel: "k.elf"})
	if !slices.Contains(args, "host") || slices.Contains(args, "-append") {
		t.Errorf("q35 kvm args: %q", args)
	}
	if _, err := os.Stat(qbootPath); err == nil && !slices.Contains(args, qbootPath) {
		t.Errorf("q35 without qboot: %q", args)
	}
	args = qemuArgs(vm, "tcg", bootMedia{cdrom: "x.iso"})
	if slices.Contains(args, "-kernel") || slices.Contains(args, "-bios") || !slices.Contains(args, "x.iso") {
		t.Errorf("cdrom args: %q", args)
	}
}

func TestKVMUsable(t *testing.T) {
	dir := t.TempDir()
	dev := filepath.Join(dir, "kvm")
	withVMX := filepath.Join(dir, "vmx")
	without := filepath.Join(dir, "plain")
	os.WriteFile(dev, nil, 0o600)
	os.WriteFile(withVMX, []byte("processor\t: 0\nflags\t\t: fpu vmx sse\n"), 0o600)
	os.WriteFile(without, []byte("processor\t: 0\nflags\t\t: fpu sse\nvmx flags\t: ept\n"), 0o600)
	if ok, why := kvmUsable(dev, withVMX); !ok {
		t.Errorf("vmx present but not usable: %s", why)
	}
	if ok, _ := kvmUsable(dev, without); ok {
		t.Error("usable without vmx/svm in the flags line")
	}
	if ok, _ := kvmUsable(filepath.Join(dir, "missing"), withVMX); ok {
		t.Error("usable without the device")
	}
}

func TestParseRun(t *testing.T) {
	o, err := parseRun([]string{"--selftest", "--append", "a b"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := o.cmdline(); got != "selftest a b" {
		t.Errorf("cmdline %q", got)
	}
	o, err = parseRun([]string{"--add", "/etc/hostname:/etc/hostname", "--", "/bin/prog", "a b", ""}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if string(o.commands) != "/bin/prog\x00a b\x00\n" || len(o.addSpecs) != 1 {
		t.Errorf("commands %q, adds %v", o.commands, o.addSpecs)
	}
	bad := map[string][]string{
		"unknown flag":  {"--nope"},
		"bad accel":     {"--accel", "hvf"},
		"bad machine":   {"--machine", "virt"},
		"zero cpus":     {"--cpus", "0"},
		"bad add":       {"--add", "nocolon"},
		"missing add":   {"--add", "/nonexistent:/x"},
		"relative add":  {"--add", "/etc/hostname:etc/hostname"},
		"add at root":   {"--add", "/etc:/"},
		"script+cmd":    {"--script", "/etc/hostname", "--", "/bin/true"},
		"only bg":       {"--", "&", "/bin/spin"},
		"cdrom microvm": {"--cdrom", "/etc/hostname"},
		"cdrom command": {"--machine", "q35", "--cdrom", "/etc/hostname", "--", "/bin/true"},
	}
	for name, args := range bad {
		if _, err := parseRun(args, io.Discard); err == nil {
			t.Errorf("%s: %q accepted", name, args)
		}
	}
}

func TestStats(t *testing.T) {
	ms := time.Millisecond
	med, lo, hi := stats([]time.Duration{5 * ms, 1 * ms, 3 * ms, 9 * ms})
	if med != 4*ms || lo != ms || hi != 9*ms {
		t.Errorf("stats = %v %v %v", med, lo, hi)
	}
}

func TestDispatchUsage(t *testing.T) {
	var ee *exitError
	if err := dispatch(nil, io.Discard, io.Discard); !errors.As(err, &ee) || ee.code != exitUsage {
		t.Errorf("no command: %v", err)
	}
	if err := dispatch([]string{"bench", "nothing"}, io.Discard, io.Discard); statusOf(err) != exitUsage {
		t.Errorf("unknown benchmark: %v", err)
	}
}
