package tests

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// selftestNames reads the check names from the kernel's self-test table
// (kernel/PKG/FILE, var checks), so adding a check there makes these
// tests expect its line.
func selftestNames(t *testing.T, pkg, file string) []string {
	t.Helper()
	path := filepath.Join(repoRoot, "kernel", pkg, file)
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatalf("reading the self-test table: %v", err)
	}
	var names []string
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "checks" || len(vs.Values) != 1 {
			return true
		}
		table, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			return false
		}
		for _, elt := range table.Elts {
			entry, ok := elt.(*ast.CompositeLit)
			if !ok || len(entry.Elts) == 0 {
				continue
			}
			if lit, ok := entry.Elts[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				name, _ := strconv.Unquote(lit.Value)
				names = append(names, name)
			}
		}
		return false
	})
	if len(names) == 0 {
		t.Fatalf("found no checks in %s (var checks = []check{{\"name\", fn}, ...}); update selftestNames", path)
	}
	return names
}

// consoleLines splits console output into lines without trailing CRs.
func consoleLines(out string) []string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, "\r")
	}
	return lines
}

// lineIndex returns the index of the first line containing s, or -1.
func lineIndex(lines []string, s string) int {
	for i, l := range lines {
		if strings.Contains(l, s) {
			return i
		}
	}
	return -1
}

// checkSelftest asserts a passing self-test boot: exit status 0, the boot
// milestones in order, and one "selftest: NAME: ok" line per check. It
// reports every problem at once, with the output once.
func checkSelftest(t *testing.T, r cliResult) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("self-test boot failed\n%v", r)
	}
	lines := consoleLines(r.stdout)
	var problems []string
	first := lineIndex(lines, "starry:")
	if first < 0 || !strings.HasSuffix(lines[first], "starry: boot") {
		problems = append(problems, `the first kernel line is not "starry: boot"`)
	}
	prev := -1
	for _, want := range []string{"starry: boot", "starry: go main", "selftest: PASS", "exo: PASS", "starry: poweroff status=0"} {
		i := lineIndex(lines, want)
		if i < 0 {
			problems = append(problems, fmt.Sprintf("no %q line", want))
		} else if i < prev {
			problems = append(problems, fmt.Sprintf("%q came out of order", want))
		}
		prev = max(prev, i)
	}
	for _, table := range [][3]string{{"selftest", "selftest.go", "selftest: "}, {"exotest", "exotest.go", "exo: "}} {
		for _, name := range selftestNames(t, table[0], table[1]) {
			if lineIndex(lines, table[2]+name+": ok") < 0 {
				problems = append(problems, fmt.Sprintf("no %q line", table[2]+name+": ok"))
			}
		}
	}
	for _, bad := range []string{"selftest: FAIL", "exo: FAIL", "KERNEL CRASH"} {
		if lineIndex(lines, bad) >= 0 {
			problems = append(problems, fmt.Sprintf("a %q line", bad))
		}
	}
	if len(problems) > 0 {
		t.Errorf("self-test console is wrong:\n  %s\n%v", strings.Join(problems, "\n  "), r)
	}
}

// TestSelftestTCG boots the kernel's self-test through PVH under TCG on
// each machine type.
func TestSelftestTCG(t *testing.T) {
	requireQEMU(t)
	kernel := kernelImage(t)
	for _, machine := range []string{"microvm", "q35", "pc"} {
		t.Run(machine, func(t *testing.T) {
			checkSelftest(t, starry(t, nil, "run", "--selftest", "--accel", "tcg",
				"--machine", machine, "--timeout", "120s", "--kernel", kernel))
		})
	}
}

// TestSelftestKVM runs only where KVM has hardware virtualization; this
// workplace's PVM-backed /dev/kvm cannot run a normal kernel (DESIGN §7).
func TestSelftestKVM(t *testing.T) {
	if reason := noHardwareKVM(); reason != "" {
		t.Skip("KVM self-test skipped: " + reason)
	}
	requireQEMU(t)
	checkSelftest(t, starry(t, nil, "run", "--selftest", "--accel", "kvm",
		"--timeout", "120s", "--kernel", kernelImage(t)))
}

// noHardwareKVM says why KVM cannot be used, or "" if it can.
func noHardwareKVM() string {
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return err.Error()
	}
	f.Close()
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return err.Error()
	}
	for _, flag := range strings.Fields(string(data)) {
		if flag == "vmx" || flag == "svm" {
			return ""
		}
	}
	return "no vmx or svm flag in /proc/cpuinfo (no hardware virtualization)"
}

// makeISO builds a GRUB (BIOS) ISO that loads kernel with GRUB's
// multiboot command and the given kernel command line.
func makeISO(t *testing.T, kernel, cmdline string) string {
	t.Helper()
	requireTool(t, "grub-mkrescue", "grub-common")
	requireTool(t, "xorriso", "xorriso")
	requireTool(t, "mformat", "mtools")
	if _, err := os.Stat("/usr/lib/grub/i386-pc/multiboot.mod"); err != nil {
		t.Fatalf("GRUB's BIOS modules are missing: install the Debian package grub-pc-bin (tools/setup.sh does): %v", err)
	}
	dir := t.TempDir()
	tree := filepath.Join(dir, "iso")
	if err := os.MkdirAll(filepath.Join(tree, "boot", "grub"), 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(kernel)
	if err != nil {
		t.Fatal(err)
	}
	cfg := "set timeout=0\nmultiboot /boot/starry-kernel.elf " + cmdline + "\nboot\n"
	write := map[string][]byte{"boot/starry-kernel.elf": data, "boot/grub/grub.cfg": []byte(cfg)}
	for name, b := range write {
		if err := os.WriteFile(filepath.Join(tree, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	iso := filepath.Join(dir, "starry.iso")
	cmd := exec.Command("grub-mkrescue", "-o", iso, tree)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("grub-mkrescue: %v\n%s", err, out)
	}
	return iso
}

// TestGRUBFakeGuest checks the ISO and SeaBIOS path with a fake guest, so
// a failure there is told apart from a kernel Multiboot bug.
func TestGRUBFakeGuest(t *testing.T) {
	requireQEMU(t)
	text := "starry: boot\nstarry: poweroff status=9\n"
	iso := makeISO(t, writeFakeGuest(t, "mb.elf", fakeGuestExit(text, 9)), "")
	r := starry(t, nil, "run", "--accel", "tcg", "--machine", "q35", "--timeout", "120s", "--cdrom", iso)
	if r.code != 9 {
		t.Fatalf("exit status %d, want the fake guest's 9\n%v", r.code, r)
	}
}

// TestSelftestGRUBMultiboot boots the kernel from a GRUB ISO through
// SeaBIOS (the Multiboot v1 path) and runs the self-test.
func TestSelftestGRUBMultiboot(t *testing.T) {
	requireQEMU(t)
	iso := makeISO(t, kernelImage(t), "selftest")
	checkSelftest(t, starry(t, nil, "run", "--accel", "tcg", "--machine", "q35",
		"--timeout", "180s", "--cdrom", iso))
}

// TestRealKernelCrash makes the real kernel fault inside its own trap
// shim ("crashtest") and checks the report: vector, CR2, registers, the
// faulting instruction disassembled, a stack, status 3, and the host's
// symbolized trace naming the faulting function.
func TestRealKernelCrash(t *testing.T) {
	requireQEMU(t)
	r := starry(t, nil, "run", "--accel", "tcg", "--kernel", kernelImage(t), "--append", "crashtest", "--timeout", "60s")
	if r.code != 3 {
		t.Fatalf("want status 3 from the crash\n%v", r)
	}
	for _, want := range []string{"starry: KERNEL CRASH", "vector 14 (#PF page fault)", "cr2 0x0000000000001000",
		"rip=0x", "instruction: ", "mov ", "stack:", "starry: poweroff status=3"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("no %q in the report", want)
		}
	}
	if !strings.Contains(r.stderr, "x86_64.shimSyscall") || !strings.Contains(r.stderr, "<- faulting instruction") {
		t.Errorf("the host did not symbolize the trace\n%v", r)
	}
}
