package procfs

import (
	"compress/gzip"
	"io"
	"regexp"
	"strings"
	"testing"
)

// TestStatFormats: stat and statm of the group and of a thread, field
// by field as do_task_stat and proc_pid_statm print them.
func TestStatFormats(t *testing.T) {
	f := newFixture(t)
	c := as(42, 42)
	for path, want := range map[string]string{
		"/42/stat": "42 (sh) S 1 42 1 0 -1 4194304 0 0 0 0 250 0 0 0 20 0 2 0 150 8421376 9 18446744073709551615 " +
			"4194304 4198400 0 0 0 0 0 4 65538 1 0 0 17 0 0 0 0 0 0 0 0 4206592 0 0 0 0 0\n",
		"/42/task/43/stat": "43 (worker) R 1 42 1 0 -1 4194304 0 0 0 0 250 0 0 0 20 0 2 0 150 8421376 9 18446744073709551615 " +
			"4194304 4198400 0 0 0 512 8192 4 65538 0 0 0 17 0 0 0 0 0 0 0 0 4206592 0 0 0 0 0\n",
		"/1/stat": "1 (init) S 0 0 0 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 0 0 0 18446744073709551615 " +
			"0 0 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		"/42/statm": "2056 9 3 1 0 2052 0\n",
		"/1/statm":  "0 0 0 0 0 0 0\n",
	} {
		got := f.read(c, path)
		if got != want {
			t.Errorf("%s:\n got %q\nwant %q", path, got, want)
		}
		if strings.HasSuffix(path, "/stat") {
			if n := len(strings.Fields(got)); n != 52 {
				t.Errorf("%s has %d fields, want 52", path, n)
			}
		}
	}
}

// TestStatusFormat: status line by line as proc_pid_status prints it.
func TestStatusFormat(t *testing.T) {
	f := newFixture(t)
	want := "Name:\tsh\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t42\nNgid:\t0\nPid:\t42\nPPid:\t1\nTracerPid:\t0\n" +
		"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t0 10 \nNStgid:\t42\nNSpid:\t42\nNSpgid:\t42\nNSsid:\t1\nKthread:\t0\n" +
		"VmPeak:\t    8224 kB\nVmSize:\t    8224 kB\nVmLck:\t       0 kB\nVmPin:\t       0 kB\nVmHWM:\t      36 kB\nVmRSS:\t      36 kB\n" +
		"RssAnon:\t      24 kB\nRssFile:\t       4 kB\nRssShmem:\t       8 kB\nVmData:\t      16 kB\nVmStk:\t    8192 kB\n" +
		"VmExe:\t       4 kB\nVmLib:\t       0 kB\nVmPTE:\t      32 kB\nVmSwap:\t       0 kB\nHugetlbPages:\t       0 kB\n" +
		"CoreDumping:\t0\nTHP_enabled:\t1\nuntag_mask:\t0xffffffffffffffff\nThreads:\t2\nSigQ:\t0/1024\n" +
		"SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000004\nSigCgt:\t0000000000010002\n" +
		"CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n" +
		"NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\nSpeculation_Store_Bypass:\tnot vulnerable\nSpeculationIndirectBranch:\tnot affected\n" +
		"Cpus_allowed:\t1\nCpus_allowed_list:\t0\nMems_allowed:\t00000000,00000001\nMems_allowed_list:\t0\n" +
		"voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n"
	got := f.read(as(42, 42), "/42/status")
	gl, wl := lines(got), lines(want)
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("status line %d: got %q, want %q", i+1, g, w)
		}
	}
	task := f.read(as(42, 42), "/42/task/43/status")
	for _, l := range []string{"Name:\tworker\n", "State:\tR (running)\n", "Tgid:\t42\n", "Pid:\t43\n", "NSpid:\t43\n",
		"SigPnd:\t0000000000000200\n", "SigBlk:\t0000000000002000\n", "Threads:\t2\n"} {
		if !strings.Contains(task, l) {
			t.Errorf("task status lacks %q:\n%s", l, task)
		}
	}
	if initStatus := f.read(nil, "/1/status"); strings.Contains(initStatus, "VmSize") {
		t.Errorf("a process with no address space shows its memory:\n%s", initStatus)
	}
}

// TestMapsFormat: show_map_vma's columns, names from column 73.
func TestMapsFormat(t *testing.T) {
	f := newFixture(t)
	want := []struct{ head, name string }{
		{"00400000-00401000 r-xp 00000000 00:01 5", "/bin/busybox"},
		{"00401000-00403000 rw-p 00001000 00:01 5", "/bin/busybox"},
		{"00403000-00405000 rw-p 00000000 00:00 0", "[heap]"},
		{"7ffff0000000-7ffff0001000 ---p 00000000 00:00 0 ", ""},
		{"7ffff7ff0000-7ffff7ff2000 rw-s 00000000 00:04 7", "/dev/zero (deleted)"},
		{"7fffff7de000-7ffffffde000 rw-p 00000000 00:00 0", "[stack]"},
	}
	got := lines(f.read(as(42, 42), "/42/maps"))
	if len(got) != len(want) {
		t.Fatalf("maps has %d lines, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		l := got[i]
		if w.name == "" {
			if l != w.head {
				t.Errorf("line %d = %q, want %q", i, l, w.head)
			}
			continue
		}
		if len(l) < 73 || l[73:] != w.name || strings.TrimRight(l[:73], " ") != w.head {
			t.Errorf("line %d = %q, want %q then %q from column 73", i, l, w.head, w.name)
		}
	}
	smaps := f.read(as(42, 42), "/42/smaps")
	first := strings.Join(lines(smaps)[:27], "\n") + "\n"
	wantSmaps := got[0] + "\n" +
		"Size:                  4 kB\nKernelPageSize:        4 kB\nMMUPageSize:           4 kB\nRss:                   4 kB\n" +
		"Pss:                   4 kB\nPss_Dirty:             0 kB\nShared_Clean:          0 kB\nShared_Dirty:          0 kB\n" +
		"Private_Clean:         4 kB\nPrivate_Dirty:         0 kB\nReferenced:            4 kB\nAnonymous:             0 kB\n" +
		"KSM:                   0 kB\nLazyFree:              0 kB\nAnonHugePages:         0 kB\nShmemPmdMapped:        0 kB\n" +
		"FilePmdMapped:         0 kB\nShared_Hugetlb:        0 kB\nPrivate_Hugetlb:       0 kB\nSwap:                  0 kB\n" +
		"SwapPss:               0 kB\nLocked:                0 kB\nTHPeligible:           0\nVmFlags: rd ex mr mw me \n" +
		got[1] + "\nSize:                  8 kB\n"
	if first != wantSmaps {
		t.Errorf("smaps:\n%s\nwant:\n%s", first, wantSmaps)
	}
	if !strings.Contains(smaps, "Rss:                   8 kB\nPss:                   4 kB\nPss_Dirty:             4 kB\nShared_Clean:          0 kB\nShared_Dirty:          8 kB\n") {
		t.Errorf("the shared region's counts are wrong:\n%s", smaps)
	}
}

// TestLimitsFormat: proc_pid_limits's table, widths and units.
func TestLimitsFormat(t *testing.T) {
	f := newFixture(t)
	want := "Limit                     Soft Limit           Hard Limit           Units     \n" +
		"Max cpu time              unlimited            unlimited            seconds   \n" +
		"Max file size             unlimited            unlimited            bytes     \n" +
		"Max data size             unlimited            unlimited            bytes     \n" +
		"Max stack size            8388608              unlimited            bytes     \n" +
		"Max core file size        0                    unlimited            bytes     \n" +
		"Max resident set          unlimited            unlimited            bytes     \n" +
		"Max processes             1024                 1024                 processes \n" +
		"Max open files            1024                 4096                 files     \n" +
		"Max locked memory         8388608              8388608              bytes     \n" +
		"Max address space         unlimited            unlimited            bytes     \n" +
		"Max file locks            unlimited            unlimited            locks     \n" +
		"Max pending signals       1024                 1024                 signals   \n" +
		"Max msgqueue size         819200               819200               bytes     \n" +
		"Max nice priority         0                    0                    \n" +
		"Max realtime priority     0                    0                    \n" +
		"Max realtime timeout      unlimited            unlimited            us        \n"
	if got := f.read(nil, "/42/limits"); got != want {
		t.Errorf("limits:\n%q\nwant\n%q", got, want)
	}
}

// TestMountsFormat: show_vfsmnt and show_mountinfo, with mangled
// names and the options split between the mount and its super block.
func TestMountsFormat(t *testing.T) {
	f := newFixture(t)
	mounts := "rootfs / rootfs rw 0 0\ntmpfs /tmp tmpfs rw,relatime 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n" +
		"none /tmp/my\\040dir tmpfs ro,relatime,size=1024k,mode=755 0 0\n"
	info := "1 1 0:1 / / rw - rootfs rootfs rw\n2 1 0:2 / /tmp rw,relatime - tmpfs tmpfs rw\n" +
		"3 1 0:3 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n" +
		"4 2 0:4 / /tmp/my\\040dir ro,relatime - tmpfs none ro,size=1024k,mode=755\n"
	c := as(42, 42)
	if got := f.read(c, "/42/mounts"); got != mounts {
		t.Errorf("mounts:\n%s\nwant\n%s", got, mounts)
	}
	if got := f.read(c, "/mounts"); got != mounts {
		t.Errorf("/proc/mounts through self:\n%s", got)
	}
	if got := f.read(c, "/self/mountinfo"); got != info {
		t.Errorf("mountinfo:\n%s\nwant\n%s", got, info)
	}
}

// TestMachineFiles: meminfo, stat, uptime, loadavg, version,
// filesystems, cpuinfo and the sysctls.
func TestMachineFiles(t *testing.T) {
	f := newFixture(t)
	meminfo := f.read(nil, "/meminfo")
	for _, l := range []string{"MemTotal:          65536 kB\n", "MemFree:           49152 kB\n", "MemAvailable:      49152 kB\n",
		"Cached:             4096 kB\n", "Shmem:              4096 kB\n", "AnonPages:         12288 kB\n", "SwapTotal:             0 kB\n",
		"CommitLimit:       32768 kB\n", "Committed_AS:       8192 kB\n", "VmallocTotal:   34359738367 kB\n",
		"HugePages_Total:       0\n", "HugePages_Free:        0\n", "Hugepagesize:       2048 kB\n", "Hugetlb:               0 kB\n"} {
		if !strings.Contains(meminfo, l) {
			t.Errorf("meminfo lacks %q", l)
		}
	}
	kb := regexp.MustCompile(`^[A-Za-z0-9_()]+: +[0-9]+( kB)?$`)
	for _, l := range lines(meminfo) {
		if !kb.MatchString(l) || strings.HasSuffix(l, " kB") && len(l) != 16+8+3 && !strings.HasPrefix(l, "VmallocTotal") {
			t.Errorf("meminfo line %q is not label, padding, value", l)
		}
	}
	stat := f.read(nil, "/stat")
	for _, re := range []string{`^cpu  300 0 0 [0-9]+ 0 0 0 0 0 0\n`, `\ncpu0 300 0 0 [0-9]+ 0 0 0 0 0 0\n`, `\nintr 0\nctxt 0\nbtime [0-9]+\n`,
		`\nprocesses 44\nprocs_running 1\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n$`} {
		if !regexp.MustCompile(re).MatchString(stat) {
			t.Errorf("stat does not match %s:\n%s", re, stat)
		}
	}
	if up := f.read(nil, "/uptime"); !regexp.MustCompile(`^(9[0-9])\.[0-9]{2} (8[0-9])\.[0-9]{2}\n$`).MatchString(up) {
		t.Errorf("uptime = %q", up)
	}
	for path, want := range map[string]string{
		"/loadavg":                         "0.00 0.00 0.00 1/3 43\n",
		"/filesystems":                     "nodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\n",
		"/sys/kernel/ostype":               "Linux\n",
		"/sys/kernel/osrelease":            "6.18.0-starry\n",
		"/sys/kernel/hostname":             "starry\n",
		"/sys/kernel/pid_max":              "32768\n",
		"/sys/kernel/threads-max":          "512\n",
		"/sys/vm/overcommit_memory":        "0\n",
		"/sys/fs/nr_open":                  "1048576\n",
		"/42/comm":                         "sh\n",
		"/42/task/43/comm":                 "worker\n",
		"/42/cmdline":                      "sh\x00-c\x00echo hi\x00",
		"/42/environ":                      "HOME=/\x00",
		"/42/fdinfo/10":                    "pos:\t12\nflags:\t02100001\nmnt_id:\t2\nino:\t9\n",
		"/42/fdinfo/3":                     "pos:\t0\nflags:\t00\nmnt_id:\t0\nino:\t77\n",
		"/sys/kernel/random/entropy_avail": "256\n",
	} {
		if got := f.read(nil, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if v := f.read(nil, "/version"); !strings.HasPrefix(v, "Linux version 6.18.0-starry (starry@starry) (go") || !strings.HasSuffix(v, ") #1 SMP Starry-Go\n") {
		t.Errorf("version = %q", v)
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n$`)
	boot, again := f.read(nil, "/sys/kernel/random/boot_id"), f.read(nil, "/sys/kernel/random/boot_id")
	u1, u2 := f.read(nil, "/sys/kernel/random/uuid"), f.read(nil, "/sys/kernel/random/uuid")
	if !uuid.MatchString(boot) || boot != again || !uuid.MatchString(u1) || u1 == u2 {
		t.Errorf("boot_id %q then %q, uuid %q then %q", boot, again, u1, u2)
	}
	cpu := f.read(nil, "/cpuinfo")
	for _, l := range []string{"processor\t: 0\n", "vendor_id\t: GenuineIntel\n", "cpu family\t: 6\n", "model\t\t: 0\n",
		"cpu MHz\t\t: 2000.000\n", "cache size\t: 16384 KB\n", "siblings\t: 1\n", "cpu cores\t: 1\n",
		"flags\t\t: fpu tsc sse syscall nx lm\n", "bogomips\t: 4000.00\n", "power management:\n\n"} {
		if !strings.Contains(cpu, l) {
			t.Errorf("cpuinfo lacks %q:\n%s", l, cpu)
		}
	}
}

// TestCPUMask: %*pb and %*pbl of the first n CPUs.
func TestCPUMask(t *testing.T) {
	for n, want := range map[int]string{1: "1", 2: "3", 4: "f", 6: "3f", 8: "ff", 32: "ffffffff", 33: "1,ffffffff", 64: "ffffffff,ffffffff"} {
		if got := cpuMask(n); got != want {
			t.Errorf("cpuMask(%d) = %q, want %q", n, got, want)
		}
	}
	if cpuList(1) != "0" || cpuList(4) != "0-3" {
		t.Errorf("cpuList: %q %q", cpuList(1), cpuList(4))
	}
}

// TestConfigGz: /proc/config.gz is the System's config, gzipped.
func TestConfigGz(t *testing.T) {
	f := newFixture(t)
	z, err := gzip.NewReader(strings.NewReader(f.read(nil, "/config.gz")))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(z)
	if err != nil || string(b) != f.src.sys.Config {
		t.Errorf("config.gz = %q, %v; want %q", b, err, f.src.sys.Config)
	}
}
