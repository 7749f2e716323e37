package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// qbootPath is QEMU's minimal firmware (Debian package qemu-system-data).
// SeaBIOS costs seconds under nested KVM, qboot about 0.1 s (DESIGN.md §2).
const qbootPath = "/usr/share/qemu/qboot.rom"

// vmConfig holds the flags shared by run and bench: how to get a kernel
// image and which virtual machine to boot it on.
type vmConfig struct {
	accel   string
	machine string
	cpus    int
	mem     int
	timeout time.Duration
	kernel  string // prebuilt image; skips the build
	noBuild bool   // boot the last image in outDir without building
	outDir  string
}

// register adds the shared flags to fs with the given default timeout.
func (c *vmConfig) register(fs *flag.FlagSet, timeout time.Duration) {
	fs.StringVar(&c.accel, "accel", "auto", "accelerator: auto, kvm or tcg (auto: KVM only with hardware virtualization)")
	fs.StringVar(&c.machine, "machine", "microvm", "QEMU machine: microvm, q35 or pc")
	fs.IntVar(&c.cpus, "cpus", 1, "number of virtual CPUs")
	fs.IntVar(&c.mem, "mem", 512, "guest memory in MiB")
	fs.DurationVar(&c.timeout, "timeout", timeout, "kill QEMU and fail after this long")
	fs.StringVar(&c.kernel, "kernel", "", "boot this prebuilt image instead of building one")
	fs.BoolVar(&c.noBuild, "no-build", false, "skip the build; boot the image already in the build directory")
	fs.StringVar(&c.outDir, "o", "", "build directory (default: build/ at the repository root)")
}

// validate checks the shared flags before anything slow happens.
func (c *vmConfig) validate() error {
	switch c.accel {
	case "auto", "kvm", "tcg":
	default:
		return fail(exitUsage, "--accel must be auto, kvm or tcg, not %q", c.accel)
	}
	switch c.machine {
	case "microvm", "q35", "pc":
	default:
		return fail(exitUsage, "--machine must be microvm, q35 or pc, not %q", c.machine)
	}
	if c.cpus < 1 || c.cpus > 255 {
		return fail(exitUsage, "--cpus must be between 1 and 255, not %d", c.cpus)
	}
	if c.mem < 16 {
		return fail(exitUsage, "--mem must be at least 16 (MiB), not %d", c.mem)
	}
	if c.timeout <= 0 {
		return fail(exitUsage, "--timeout must be positive, not %v", c.timeout)
	}
	if c.kernel != "" {
		return checkKernelFile(c.kernel)
	}
	return nil
}

// checkKernelFile rejects missing and empty images with a plain message
// rather than leaving it to QEMU's.
func checkKernelFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fail(exitFailure, "kernel image: %v", err)
	}
	if !st.Mode().IsRegular() {
		return fail(exitFailure, "kernel image %s is not a regular file", path)
	}
	if st.Size() == 0 {
		return fail(exitFailure, "kernel image %s is empty", path)
	}
	return nil
}

// kernelImage returns the image to boot, building it unless told not to.
func (c *vmConfig) kernelImage(stderr io.Writer) (string, error) {
	if c.kernel != "" {
		return c.kernel, nil
	}
	if !c.noBuild {
		return buildKernel(c.outDir, stderr)
	}
	dir := c.outDir
	if dir == "" {
		root, err := moduleRoot()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, "build")
	}
	path := filepath.Join(dir, kernelName)
	if err := checkKernelFile(path); err != nil {
		return "", fail(exitFailure, "--no-build: %v (run \"starry build\" first)", err)
	}
	return path, nil
}

// findQEMU locates the emulator; $STARRY_QEMU overrides PATH so tests can
// point it at a missing or fake binary.
func findQEMU() (string, error) {
	if p := os.Getenv("STARRY_QEMU"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			return "", fail(exitFailure, "QEMU not found: STARRY_QEMU=%s: %v", p, unwrapPathError(err))
		}
		return path, nil
	}
	path, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		return "", fail(exitFailure, "QEMU not found: qemu-system-x86_64 is not in PATH (install the Debian package qemu-system-x86, or run tools/setup.sh)")
	}
	return path, nil
}

// unwrapPathError drops exec's repetition of the file name.
func unwrapPathError(err error) error {
	if ee, ok := err.(*exec.Error); ok {
		return ee.Err
	}
	return err
}

// resolveAccel turns the --accel choice into "kvm" or "tcg".
func resolveAccel(choice string) (string, error) {
	switch choice {
	case "tcg":
		return "tcg", nil
	case "kvm":
		if err := openKVM("/dev/kvm"); err != nil {
			return "", fail(exitFailure, "--accel kvm: %v", err)
		}
		return "kvm", nil
	}
	if ok, _ := kvmUsable("/dev/kvm", "/proc/cpuinfo"); ok {
		return "kvm", nil
	}
	return "tcg", nil
}

// openKVM checks that the KVM device can be opened for reading and writing.
func openKVM(dev string) error {
	f, err := os.OpenFile(dev, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

// kvmUsable reports whether KVM should be used and, if not, why. A
// /dev/kvm without vmx/svm in the CPU flags is a paravirtual one (PVM)
// that cannot run a normal ring-0 kernel well (DESIGN.md §7).
func kvmUsable(dev, cpuinfo string) (bool, string) {
	if err := openKVM(dev); err != nil {
		return false, err.Error()
	}
	f, err := os.Open(cpuinfo)
	if err != nil {
		return false, err.Error()
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || strings.TrimSpace(key) != "flags" {
			continue
		}
		for _, flag := range strings.Fields(val) {
			if flag == "vmx" || flag == "svm" {
				return true, ""
			}
		}
	}
	return false, "the CPU flags in " + cpuinfo + " show no vmx or svm (no hardware virtualization)"
}

// bootMedia says what QEMU boots: a kernel image via -kernel (PVH or
// Multiboot), or a bootable ISO through the machine's BIOS.
type bootMedia struct {
	kernel  string
	cmdline string
	initrd  string
	cdrom   string
}

// qemuArgs builds the QEMU command line. The console is COM1 on stdio and
// the guest powers off through isa-debug-exit, so QEMU's exit status
// carries the guest's status as (N<<1)|1.
func qemuArgs(c *vmConfig, accel string, m bootMedia) []string {
	args := []string{"-M", c.machine}
	if c.machine != "microvm" && m.cdrom == "" {
		if _, err := os.Stat(qbootPath); err == nil {
			args = append(args, "-bios", qbootPath)
		}
	}
	if accel == "kvm" {
		args = append(args, "-accel", "kvm", "-cpu", "host")
	} else {
		args = append(args, "-accel", "tcg", "-cpu", "max")
	}
	args = append(args,
		"-smp", strconv.Itoa(c.cpus),
		"-m", strconv.Itoa(c.mem),
		"-nodefaults", "-display", "none", "-monitor", "none",
		"-no-reboot", "-serial", "stdio",
		"-device", "isa-debug-exit,iobase=0xf4,iosize=0x04")
	if m.cdrom != "" {
		return append(args, "-cdrom", m.cdrom, "-boot", "d")
	}
	args = append(args, "-kernel", m.kernel)
	if m.cmdline != "" {
		args = append(args, "-append", m.cmdline)
	}
	if m.initrd != "" {
		args = append(args, "-initrd", m.initrd)
	}
	return args
}

// describe renders a command line for messages; it is not shell-exact.
func describe(name string, args []string) string {
	parts := []string{name}
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\"'") {
			a = fmt.Sprintf("%q", a)
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// terminalConsole puts COM1 on a stdio chardev with signal=off in
// place of "-serial stdio": QEMU then leaves ^C, ^Z and ^\ to the
// guest's line discipline instead of dying of them. For a terminal on
// stdin only (QEMU sets it raw); the run then ends when the guest
// powers off, or at --timeout.
func terminalConsole(args []string) []string {
	out := make([]string, 0, len(args)+2)
	for i := 0; i < len(args); i++ {
		if args[i] == "-serial" && i+1 < len(args) && args[i+1] == "stdio" {
			out = append(out, "-chardev", "stdio,id=con0,signal=off", "-serial", "chardev:con0")
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}
