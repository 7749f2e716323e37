package main

import (
	hw "github.com/starry-go/starry/hw/x86_64"
	"github.com/starry-go/starry/libstarry"
	"github.com/starry-go/starry/libstarry/procfs"
)

// procConfig is what /proc shows of the machine: the CPU as CPUID
// describes it (cpuinfo), the hwcap the auxv carries, and the boot
// command line (/proc/cmdline; it was empty).
func procConfig(cfg libstarry.Config) libstarry.ProcConfig {
	c := hw.CPUInfo()
	return libstarry.ProcConfig{
		HWCap:   cfg.HWCap,
		Cmdline: hw.Cmdline(),
		CPU: procfs.CPUInfo{Vendor: c.Vendor, ModelName: c.ModelName, Family: c.Family, Model: c.Model,
			Stepping: c.Stepping, MHz: c.MHz, CacheKB: c.CacheKB, Flags: c.Flags},
	}
}
