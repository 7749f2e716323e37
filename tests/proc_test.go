package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestProcTools runs busybox's ps, top, free, df, mount and uptime in
// the guest and checks they show true figures from /proc and sysinfo:
// the processes that run (init and the shell), the machine's memory, the
// mounts, and a process's own /proc entries. (Their figures are the
// guest's, so they are checked for what they must be, not compared with
// the host's.)
func TestProcTools(t *testing.T) {
	bb := hostBusybox(t)
	root := t.TempDir()
	bin := filepath.Join(root, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"sh", "ps", "top", "free", "df", "mount", "uptime", "cat", "head", "readlink", "echo", "ls", "cut"} {
		if err := os.Symlink("busybox", filepath.Join(bin, a)); err != nil {
			t.Fatal(err)
		}
	}
	script := strings.Join([]string{
		"echo ps; ps -o pid,ppid,comm",
		"echo free; free",
		"echo df; df /tmp /dev/shm",
		"echo mount; mount",
		"echo uptime; uptime",
		"echo top; top -b -n 1 | head -5",
		`echo self $$ $(cut -d" " -f1,4 /proc/$$/stat 2>/dev/null || head -c 20 /proc/$$/stat)`,
		"echo exe $(readlink /proc/self/exe)",
		"echo stdin $(echo through | cat /dev/stdin)",
		"head -20 /proc/cpuinfo",
	}, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(root, "tools.sh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	requireQEMU(t)
	r := starry(t, nil, "run", "--accel", "tcg", "--timeout", "120s", "--kernel", kernelImage(t), "--mem", "256",
		"--add", bin+":/bin", "--add", filepath.Join(root, "tools.sh")+":/tools.sh", "--", "/bin/sh", "/tools.sh")
	out := strings.ReplaceAll(r.stdout, "\r", "")
	var problems []string
	need := func(what string, re string) {
		if !regexp.MustCompile(re).MatchString(out) {
			problems = append(problems, what+" (no match for "+re+")")
		}
	}
	need("ps lists init", `(?m)^\s+1\s+0\s+init$`)
	need("ps lists the shell, a child of init", `(?m)^\s+2\s+1\s+sh$`)
	need("ps lists itself", `(?m)^\s+\d+\s+2\s+ps$`)
	need("free's header", `(?m)^\s+total\s+used\s+free\s+shared`)
	need("df shows /tmp's tmpfs", `(?m)^tmpfs\s+\d+\s+\d+\s+\d+\s+\d+% /tmp$`)
	need("mount shows /proc", `(?m)^proc on /proc type proc \(rw,nosuid,nodev,noexec,relatime\)$`)
	need("mount shows the root", `(?m)^rootfs on / type rootfs`)
	need("uptime's load average", `load average: 0\.00, 0\.00, 0\.00`)
	need("top's process header", `(?m)^\s+PID\s+PPID\s+USER\s+STAT`)
	need("readlink /proc/self/exe", `(?m)^exe /bin/busybox$`)
	need("/dev/stdin through /proc/self/fd/0", `(?m)^stdin through$`)
	// cpuinfo is what CPUID says: QEMU's TCG "max" CPU names itself and
	// sets the hypervisor bit; AVX is there because QEMU emulates it.
	need("cpuinfo's model name from CPUID", `(?m)^model name\s+: QEMU TCG CPU version`)
	need("cpuinfo's flags from CPUID", `(?m)^flags\s+: fpu .*\bsse2\b.*\blm\b.*\bavx\b.*\bhypervisor\b`)
	need("cpuinfo's MHz from the TSC", `(?m)^cpu MHz\s+: [1-9]\d{2,4}\.\d{3}$`)
	// free's total is the guest's memory for programs, in KiB: within
	// the 256 MiB the machine has, and most of it.
	if m := regexp.MustCompile(`(?m)^Mem:\s+(\d+)\s+(\d+)\s+(\d+)`).FindStringSubmatch(out); m == nil {
		problems = append(problems, "no Mem: line from free")
	} else if total, _ := strconv.Atoi(m[1]); total < 128<<10 || total > 256<<10 {
		problems = append(problems, "free's total "+m[1]+" KiB is not this machine's memory")
	}
	if m := regexp.MustCompile(`(?m)^self (\d+) (\d+) (\d+)$`).FindStringSubmatch(out); m == nil || m[1] != m[2] || m[3] != "1" {
		problems = append(problems, "/proc/$$/stat does not name the shell with init as its parent")
	}
	if r.code != 0 {
		problems = append(problems, "exit status "+strconv.Itoa(r.code))
	}
	if len(problems) > 0 {
		t.Errorf("the /proc tools show wrong figures:\n  %s\n%v", strings.Join(problems, "\n  "), r)
	}
}
