package procfs

import (
	"bytes"
	"fmt"
	"runtime"
	"time"
)

// The machine's small files: stat (fs/proc/stat.c), uptime (uptime.c),
// loadavg (loadavg.c), version (version.c), filesystems
// (fs/filesystems.c) and cmdline (cmdline.c).

// showStat is show_stat: the CPU times in ticks (user time is what user
// code ran, the rest of each CPU's time since boot idle; no system time
// is accounted apart), then intr, ctxt, btime, processes, procs_running,
// procs_blocked and softirq.
func showStat(c *ctx) ([]byte, error) {
	sys := c.src.System()
	n := max(sys.CPUs, 1)
	up := time.Since(sys.Boot)
	user := ticks(sys.UserTime)
	idle := ticks(up) * uint64(n)
	idle -= min(idle, user)
	var b bytes.Buffer
	fmt.Fprintf(&b, "cpu  %d 0 0 %d 0 0 0 0 0 0\n", user, idle)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "cpu%d %d 0 0 %d 0 0 0 0 0 0\n", i, user/uint64(n), idle/uint64(n))
	}
	fmt.Fprintf(&b, "intr 0\nctxt 0\nbtime %d\nprocesses %d\nprocs_running %d\nprocs_blocked 0\n",
		sys.Boot.Unix(), sys.Forks, max(sys.Running, 1))
	b.WriteString("softirq 0 0 0 0 0 0 0 0 0 0 0\n")
	return b.Bytes(), nil
}

// showUptime is uptime_proc_show: seconds since boot, and the CPUs'
// idle seconds summed, to hundredths.
func showUptime(c *ctx) ([]byte, error) {
	sys := c.src.System()
	up := time.Since(sys.Boot)
	idle := up*time.Duration(max(sys.CPUs, 1)) - sys.UserTime
	idle = max(idle, 0)
	cs := func(d time.Duration) string {
		h := uint64(d / (10 * time.Millisecond))
		return fmt.Sprintf("%d.%02d", h/100, h%100)
	}
	return []byte(cs(up) + " " + cs(idle) + "\n"), nil
}

// showLoadavg is loadavg_proc_show: no load is averaged here (0.00),
// then running/total threads and the last PID handed out.
func showLoadavg(c *ctx) ([]byte, error) {
	sys := c.src.System()
	return fmt.Appendf(nil, "0.00 0.00 0.00 %d/%d %d\n", max(sys.Running, 1), max(sys.Threads, 1), sys.LastPID), nil
}

// showVersion is version_proc_show with linux_proc_banner.
func showVersion(c *ctx) ([]byte, error) {
	sys := c.src.System()
	return fmt.Appendf(nil, "Linux version %s (starry@%s) (%s) %s\n", sys.OSRelease, sys.Hostname, runtime.Version(), sys.Version), nil
}

// showFilesystems is filesystems_proc_show: every type here is nodev
// but ext2, which needs a block device.
func showFilesystems(c *ctx) ([]byte, error) {
	var b bytes.Buffer
	for _, t := range c.src.System().FSTypes {
		nodev := "nodev"
		if t == "ext2" {
			nodev = ""
		}
		fmt.Fprintf(&b, "%s\t%s\n", nodev, t)
	}
	return b.Bytes(), nil
}

// showKernelCmdline is cmdline_proc_show: the boot command line.
func showKernelCmdline(c *ctx) ([]byte, error) {
	return []byte(c.src.System().KernelCmdline + "\n"), nil
}
