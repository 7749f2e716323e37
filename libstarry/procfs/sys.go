package procfs

import "strconv"

// /proc/sys (fs/proc/proc_sysctl.c): the sysctls programs read, each a
// line. They are read-only here: a write is EINVAL whatever the mode
// Linux gives the file says.

// sysctl is one value, from the machine's figures.
func sysctl(name string, perm uint32, value func(c *ctx, s System) string) *entry {
	return file(name, perm, func(c *ctx) ([]byte, error) {
		return []byte(value(c, c.src.System()) + "\n"), nil
	})
}

func fixed(name, value string) *entry {
	return sysctl(name, 0o444, func(*ctx, System) string { return value })
}

func itoa(n int) string { return strconv.Itoa(n) }

var sysEntry = dir("sys",
	dir("kernel",
		sysctl("hostname", 0o644, func(_ *ctx, s System) string { return s.Hostname }),
		sysctl("domainname", 0o644, func(*ctx, System) string { return "(none)" }),
		fixed("ostype", "Linux"),
		sysctl("osrelease", 0o444, func(_ *ctx, s System) string { return s.OSRelease }),
		sysctl("version", 0o444, func(_ *ctx, s System) string { return s.Version }),
		sysctl("pid_max", 0o644, func(_ *ctx, s System) string { return itoa(s.PIDMax) }),
		sysctl("threads-max", 0o644, func(_ *ctx, s System) string { return itoa(s.ThreadsMax) }),
		fixed("ngroups_max", "65536"),
		fixed("cap_last_cap", "40"),
		// Core dumps go to "core" in the dying process's directory, with
		// no PID in the name, and never for set-ID programs.
		fixed("core_pattern", "core"),
		fixed("core_uses_pid", "0"),
		fixed("tainted", "0"),
		dir("random",
			sysctl("boot_id", 0o444, func(c *ctx, _ System) string { return c.fs.bootID }),
			sysctl("uuid", 0o444, func(*ctx, System) string { return newUUID() }),
			fixed("entropy_avail", "256"),
			fixed("poolsize", "256"),
		),
	),
	dir("vm",
		sysctl("overcommit_memory", 0o644, func(_ *ctx, s System) string { return itoa(s.Overcommit) }),
		sysctl("max_map_count", 0o644, func(_ *ctx, s System) string { return itoa(s.MaxMapCount) }),
	),
	dir("fs",
		sysctl("nr_open", 0o644, func(_ *ctx, s System) string { return itoa(s.NrOpen) }),
		fixed("file-max", "9223372036854775807"),
		fixed("suid_dumpable", "0"),
	),
)
