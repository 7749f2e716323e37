package tests

import (
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The test programs in progs/ are C, built once per test binary into
// workDir/progs/bin, which the tests add to the initramfs as /bin. Broken
// executables for the loader's error paths go to workDir/progs/bad (/bad).

// progBuild says how to build one program: the source, the compiler
// and extra flags; "musl-gcc -static -O2" unless noted. With a compiler
// named and no -static among the flags, the program is dynamic.
type progBuild struct {
	name, src string
	cc        string
	flags     []string
}

var progBuilds = []progBuild{
	{name: "hello", src: "hello.c"},
	{name: "hello_glibc", src: "hello.c", cc: "gcc", flags: []string{"-static", `-DHELLO_FROM="glibc"`}},
	{name: "exit", src: "exit.c"},
	{name: "fault", src: "fault.c"},
	{name: "kmem_read", src: "kmem_read.c"},
	{name: "kmem_write", src: "kmem_write.c"},
	{name: "priv", src: "priv.c"},
	{name: "efault", src: "efault.c"},
	{name: "spin", src: "spin.c"},
	{name: "dirty", src: "dirty.c"},
	{name: "zero", src: "zero.c"},
	{name: "oom", src: "oom.c"},
	{name: "sysfuzz", src: "sysfuzz.c"},
	{name: "threads", src: "threads.c", cc: "musl-gcc", flags: []string{"-static", "-pthread"}},
	{name: "threads_glibc", src: "threads.c", cc: "gcc", flags: []string{"-static", "-pthread"}},
	{name: "manythreads", src: "manythreads.c", cc: "musl-gcc", flags: []string{"-static", "-pthread"}},
	{name: "memmodel", src: "memmodel.c"},
	{name: "block", src: "block.c", cc: "musl-gcc", flags: []string{"-static", "-pthread"}},
	{name: "ids", src: "ids.c", cc: "musl-gcc", flags: []string{"-static", "-pthread"}},
	{name: "futex", src: "futex.c", cc: "musl-gcc", flags: []string{"-static", "-pthread"}},
	{name: "futex_glibc", src: "futex.c", cc: "gcc", flags: []string{"-static", "-pthread"}},
	{name: "pthread_stress", src: "pthread_stress.c", cc: "musl-gcc", flags: []string{"-static", "-pthread"}},
	{name: "pthread_stress_glibc", src: "pthread_stress.c", cc: "gcc", flags: []string{"-static", "-pthread"}},
	{name: "proc", src: "proc.c"},
	{name: "proc_glibc", src: "proc.c", cc: "gcc", flags: []string{"-static"}},
	{name: "ptrace", src: "ptrace.c"},
	{name: "ptrace_glibc", src: "ptrace.c", cc: "gcc", flags: []string{"-static"}},
	{name: "tty", src: "tty.c"},
	{name: "tty_glibc", src: "tty.c", cc: "gcc", flags: []string{"-static"}},
	{name: "signals", src: "signals.c", cc: "musl-gcc", flags: []string{"-static", "-pthread"}},
	{name: "signals_glibc", src: "signals.c", cc: "gcc", flags: []string{"-static", "-pthread"}},
	{name: "timers", src: "timers.c", cc: "musl-gcc", flags: []string{"-static", "-pthread"}},
	{name: "timers_glibc", src: "timers.c", cc: "gcc", flags: []string{"-static", "-pthread"}},
	{name: "exec", src: "exec.c", cc: "musl-gcc", flags: []string{"-static", "-pthread"}},
	{name: "exec_glibc", src: "exec.c", cc: "gcc", flags: []string{"-static", "-pthread"}},
	{name: "pipes", src: "pipes.c"},
	{name: "sleeplat", src: "sleeplat.c"},
	{name: "vdso", src: "vdso.c"},
	{name: "vdso_glibc", src: "vdso.c", cc: "gcc", flags: []string{"-static"}},
	{name: "pipes_glibc", src: "pipes.c", cc: "gcc", flags: []string{"-static"}},
	{name: "forkexec", src: "forkexec.c"},
	{name: "rlimit", src: "rlimit.c"},
	{name: "rlimit_glibc", src: "rlimit.c", cc: "gcc", flags: []string{"-static"}},
	{name: "files", src: "files.c"},
	{name: "fsmount", src: "fsmount.c"},
	{name: "files_glibc", src: "files.c", cc: "gcc", flags: []string{"-static"}},
	{name: "fmap", src: "fmap.c"},
	{name: "fmap_glibc", src: "fmap.c", cc: "gcc", flags: []string{"-static"}},
	{name: "fstress", src: "fstress.c"},
	{name: "iflags", src: "iflags.c"},
	{name: "setid", src: "setid.c"},
	{name: "fifo", src: "fifo.c"},
	{name: "fill", src: "fill.c"},
	{name: "unix", src: "unix.c"},
	{name: "unix_glibc", src: "unix.c", cc: "gcc", flags: []string{"-static"}},
	{name: "sysv", src: "sysv.c"},
	{name: "posixipc", src: "posixipc.c"},
	{name: "posixipc_glibc", src: "posixipc.c", cc: "gcc", flags: []string{"-static", "-pthread"}},
	{name: "sysv_glibc", src: "sysv.c", cc: "gcc", flags: []string{"-static"}},
	// Dynamically linked (no -static): they need ld.so and libc in the image.
	{name: "hello_dyn", src: "hello.c", cc: "gcc", flags: []string{`-DHELLO_FROM="dynamic glibc"`}},
	{name: "hello_musl_dyn", src: "hello.c", cc: "musl-gcc", flags: []string{`-DHELLO_FROM="dynamic musl"`}},
	{name: "proc_dyn", src: "proc.c", cc: "gcc"},
	{name: "pipes_musl_dyn", src: "pipes.c", cc: "musl-gcc"},
	{name: "forkoom", src: "forkoom.c"},
	{name: "forkbomb", src: "forkbomb.c"},
}

var (
	progsOnce sync.Once
	progsDir  string // holds bin/ and bad/
	progsErr  error
)

// testProgs builds the test programs once and returns the directory to
// add as /bin. A missing compiler fails the test naming its package.
func testProgs(t *testing.T) string {
	t.Helper()
	requireTool(t, "musl-gcc", "musl-tools")
	requireTool(t, "gcc", "gcc")
	progsOnce.Do(func() { progsErr = buildProgs(filepath.Join(workDir, "progs")) })
	if progsErr != nil {
		t.Fatal(progsErr)
	}
	return filepath.Join(progsDir, "bin")
}

// badProgs returns the directory of broken executables (added as /bad).
func badProgs(t *testing.T) string {
	testProgs(t)
	return filepath.Join(progsDir, "bad")
}

func buildProgs(dir string) error {
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	for _, p := range progBuilds {
		cc, flags := p.cc, p.flags
		if cc == "" {
			cc, flags = "musl-gcc", []string{"-static"}
		}
		if err := compile(cc, flags, p.src, filepath.Join(bin, p.name)); err != nil {
			return err
		}
	}
	if err := buildStaticPIE(filepath.Join(bin, "hello_pie")); err != nil {
		return err
	}
	for _, prog := range []string{"gohello", "gcstress", "gostress", "goexec", "gofiles", "gosignal", "govdso"} {
		if err := buildGo(filepath.Join(bin, prog), "./tests/progs/"+prog); err != nil {
			return err
		}
	}
	if err := makeBadProgs(filepath.Join(bin, "hello"), filepath.Join(dir, "bad")); err != nil {
		return err
	}
	progsDir = dir
	return nil
}

// compile runs one compiler with -O2 on a source file in progs/.
func compile(cc string, flags []string, src, out string) error {
	args := append([]string{"-O2", "-Wall"}, flags...)
	args = append(args, "-o", out, filepath.Join(repoRoot, "tests", "progs", src))
	msg, err := exec.Command(cc, args...).CombinedOutput()
	if err != nil {
		hint := ""
		if cc == "gcc" && strings.Contains(string(msg), "-lc") {
			hint = " (static glibc needs the Debian package libc6-dev)"
		}
		return fmt.Errorf("%s %s: %v%s\n%s", cc, strings.Join(args, " "), err, hint, msg)
	}
	return nil
}

// buildStaticPIE builds hello as a static PIE. Debian's musl-gcc accepts
// -static-pie but links a dynamic PIE with an interpreter, so the result
// is checked, and gcc (glibc) is used when musl's is not static.
func buildStaticPIE(out string) error {
	flags := []string{"-static-pie", `-DHELLO_FROM="static-pie"`}
	if compile("musl-gcc", flags, "hello.c", out) == nil && isStaticPIE(out) == nil {
		return nil
	}
	if err := compile("gcc", flags, "hello.c", out); err != nil {
		return err
	}
	return isStaticPIE(out)
}

// isStaticPIE checks for ET_DYN with no PT_INTERP.
func isStaticPIE(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if f.Type != elf.ET_DYN {
		return fmt.Errorf("%s is %v, not a PIE (ET_DYN)", path, f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s has an interpreter, so it is not a static PIE", path)
		}
	}
	return nil
}

// makeBadProgs writes executables the loader must refuse without harm:
// ELF headers cut short, an ELF whose segments run past the end of the
// file, an AArch64 ELF, and a text file with no #! line.
func makeBadProgs(hello, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := os.ReadFile(hello)
	if err != nil {
		return err
	}
	machine := append([]byte(nil), data...)
	machine[18], machine[19] = byte(elf.EM_AARCH64), 0 // e_machine, little-endian
	files := map[string][]byte{
		"trunc_headers": data[:100], // the ELF header, then half a program header
		"trunc_body":    data[:len(data)/2],
		"wrong_machine": machine,
		"text":          []byte("this is a text file, not a program\n"),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o755); err != nil {
			return err
		}
	}
	return nil
}

// hostBusybox returns /bin/busybox after checking it is the static build.
func hostBusybox(t *testing.T) string {
	t.Helper()
	const path = "/bin/busybox"
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s: %v: install the Debian package busybox-static (tools/setup.sh does)", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatalf("%s is dynamically linked: install the Debian package busybox-static (tools/setup.sh does)", path)
		}
	}
	return path
}

// buildGo builds a Go program as a static Linux binary, as any Go user
// would: the kernel runs it unmodified.
func buildGo(out, pkg string) error {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, msg)
	}
	return nil
}
