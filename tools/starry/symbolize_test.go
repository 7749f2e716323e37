package main

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestCrashTraceSymbolized(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	pc := uint64(reflect.ValueOf(lineTable).Pointer())
	var c crashTrace
	for _, l := range []string{
		"starry: boot",
		"starry: KERNEL CRASH: trap inside the kernel's trap/syscall shim",
		"vector 14 (#PF page fault) error 0x0 cr2 0x1000",
		fmt.Sprintf("r13=0x9 r14=0x1 r15=0x4b rip=%#x", pc),
		"stack:",
		fmt.Sprintf("  %#016x", pc+1),
		"starry: poweroff status=3",
		"  0x0000000000000001", // after the stack: not an address of it
	} {
		c.see(l)
	}
	if c.rip != pc || len(c.returns) != 1 {
		t.Fatalf("parsed rip %#x returns %x", c.rip, c.returns)
	}
	var out bytes.Buffer
	if err := c.print(&out, exe); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "starry.lineTable ("); n != 2 {
		t.Errorf("want the function named twice:\n%s", out.String())
	}
}

func TestNoCrashNoTrace(t *testing.T) {
	var c crashTrace
	c.see("starry: poweroff status=0")
	var out bytes.Buffer
	if err := c.print(&out, "/nonexistent"); err != nil || out.Len() != 0 {
		t.Errorf("printed %q, %v", out.String(), err)
	}
}
