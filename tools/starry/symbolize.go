package main

import (
	"debug/elf"
	"debug/gosym"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// The kernel's crash report prints raw addresses (it cannot allocate, so
// it cannot read its own symbol table); the host has the ELF and turns
// them into functions and lines.

var (
	ripField  = regexp.MustCompile(`\brip=(0x[0-9a-f]+)`)
	stackLine = regexp.MustCompile(`^\s+(0x[0-9a-f]{16})\s*$`)
)

// crashTrace collects the faulting RIP and the return addresses of a
// KERNEL CRASH report, line by line.
type crashTrace struct {
	active, inStack bool
	rip             uint64
	returns         []uint64
}

func (c *crashTrace) see(line string) {
	switch {
	case strings.Contains(line, lineCrash):
		*c = crashTrace{active: true}
	case !c.active:
	case strings.HasPrefix(strings.TrimSpace(line), "stack:"):
		c.inStack = true
	case c.inStack && stackLine.MatchString(line):
		v, _ := strconv.ParseUint(stackLine.FindStringSubmatch(line)[1], 0, 64)
		c.returns = append(c.returns, v)
	default:
		c.inStack = false
		if m := ripField.FindStringSubmatch(line); m != nil {
			c.rip, _ = strconv.ParseUint(m[1], 0, 64)
		}
	}
}

// print symbolizes the trace with the kernel ELF's Go line table.
func (c *crashTrace) print(w io.Writer, kernel string) error {
	if !c.active || c.rip == 0 {
		return nil
	}
	tab, err := lineTable(kernel)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "starry: crash trace (symbolized from %s):\n", kernel)
	describe := func(pc uint64) string {
		file, line, fn := tab.PCToLine(pc)
		if fn == nil {
			return "?"
		}
		return fmt.Sprintf("%s (%s:%d)", fn.Name, file, line)
	}
	fmt.Fprintf(w, "  %#x %s  <- faulting instruction\n", c.rip, describe(c.rip))
	for _, ret := range c.returns {
		fmt.Fprintf(w, "  %#x %s\n", ret, describe(ret-1)) // the call, not the return point
	}
	return nil
}

func lineTable(kernel string) (*gosym.Table, error) {
	f, err := elf.Open(kernel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pcln, text := f.Section(".gopclntab"), f.Section(".text")
	if pcln == nil || text == nil {
		return nil, fmt.Errorf("%s has no Go line table", kernel)
	}
	data, err := pcln.Data()
	if err != nil {
		return nil, err
	}
	return gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
}
