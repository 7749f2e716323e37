package x86_64

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// TestAssemblyOffsets checks layout_amd64.h against the Go structs the
// assembly reads and writes.
func TestAssemblyOffsets(t *testing.T) {
	defs := readDefines(t, "layout_amd64.h")
	var r Regs
	var c cpuLocal
	want := map[string]uintptr{
		"R_RAX": unsafe.Offsetof(r.RAX), "R_RBX": unsafe.Offsetof(r.RBX), "R_RCX": unsafe.Offsetof(r.RCX),
		"R_RDX": unsafe.Offsetof(r.RDX), "R_RSI": unsafe.Offsetof(r.RSI), "R_RDI": unsafe.Offsetof(r.RDI),
		"R_RBP": unsafe.Offsetof(r.RBP), "R_R8": unsafe.Offsetof(r.R8), "R_R9": unsafe.Offsetof(r.R9),
		"R_R10": unsafe.Offsetof(r.R10), "R_R11": unsafe.Offsetof(r.R11), "R_R12": unsafe.Offsetof(r.R12),
		"R_R13": unsafe.Offsetof(r.R13), "R_R14": unsafe.Offsetof(r.R14), "R_R15": unsafe.Offsetof(r.R15),
		"R_VEC": unsafe.Offsetof(r.Vector), "R_ERR": unsafe.Offsetof(r.ErrCode), "R_RIP": unsafe.Offsetof(r.RIP),
		"R_CS": unsafe.Offsetof(r.CS), "R_RFLAGS": unsafe.Offsetof(r.RFLAGS), "R_RSP": unsafe.Offsetof(r.RSP),
		"R_SS": unsafe.Offsetof(r.SS), "R_FSBASE": unsafe.Offsetof(r.FSBase), "R_CR2": unsafe.Offsetof(r.CR2), "R_FPUVALID": unsafe.Offsetof(r.fpuValid),
		"R_FX": unsafe.Offsetof(r.fx), "C_CUR": unsafe.Offsetof(c.cur), "C_SCHEDTOP": unsafe.Offsetof(c.schedTop),
		"C_SCRATCH": unsafe.Offsetof(c.scratch), "C_SHIMFS": unsafe.Offsetof(c.shimFS), "C_DEPTH": unsafe.Offsetof(c.depth), "C_XSAVE": unsafe.Offsetof(c.xsave),
		"VEC_SYSCALL": vecSyscall, "KCODE": kernelCS, "KDATA": kernelSS,
		"UDATA": userSS, "UCODE": userCS,
	}
	for name, off := range want {
		got, ok := defs[name]
		if !ok {
			t.Errorf("%s missing from layout_amd64.h", name)
		} else if got != uint64(off) {
			t.Errorf("%s = %d in layout_amd64.h, %d in Go", name, got, off)
		}
	}
	// IRETQ pops RIP, CS, RFLAGS, RSP, SS from consecutive words.
	if unsafe.Offsetof(r.SS)-unsafe.Offsetof(r.RIP) != 32 {
		t.Error("Regs.RIP..SS is not an IRETQ frame")
	}
	if unsafe.Offsetof(thread{}.regs) != 0 {
		t.Error("thread.regs must come first: cpuLocal.cur points at it")
	}
	if len(shimTLS) < 2 || uintptr(len(schedStack))%16 != 0 {
		t.Error("shim TLS or stack malformed")
	}
}

func readDefines(t *testing.T, name string) map[string]uint64 {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	defs := map[string]uint64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 3 && fields[0] == "#define" {
			if v, err := strconv.ParseUint(fields[2], 0, 64); err == nil {
				defs[fields[1]] = v
			}
		}
	}
	return defs
}

func TestFXAreaAligned(t *testing.T) {
	for i := range threads[:4] {
		fx := fxArea(&threads[i].regs)
		if uintptr(unsafe.Pointer(&fx[0]))%16 != 0 || len(fx) != 512 {
			t.Fatalf("thread %d: FXSAVE area not 16-aligned", i)
		}
	}
}

func TestDaysSinceEpoch(t *testing.T) {
	for _, d := range []time.Time{time.Unix(0, 0).UTC(), time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)} {
		got := daysSinceEpoch(int64(d.Year()), int64(d.Month()), int64(d.Day()))
		if want := d.Unix() / 86400; got != want {
			t.Errorf("%s: %d days, want %d", d.Format(time.DateOnly), got, want)
		}
	}
}

func TestFaultSignals(t *testing.T) {
	cases := []struct {
		vec, err, cr2 uint64
		sig, code     int
		addr          uint64
	}{
		{14, 0, 0x10, sigSEGV, 1, 0x10},     // not present: SEGV_MAPERR, nil-ish address
		{14, 3, 0x5000, sigSEGV, 2, 0x5000}, // protection: SEGV_ACCERR
		{13, 0, 0, sigSEGV, siKernel, 0},    // #GP: SI_KERNEL, as Linux
		{0, 0, 0, sigFPE, 1, 0x1234},        // divide error at RIP
		{6, 0, 0, sigILL, 2, 0x1234},
		{8, 0, 0, 0, 0, 0}, // double fault: no signal, a crash report
	}
	for _, c := range cases {
		r := Regs{Vector: c.vec, ErrCode: c.err, CR2: c.cr2, RIP: 0x1234}
		sig, code, addr := faultSignal(&r)
		if sig != c.sig || code != c.code || addr != c.addr {
			t.Errorf("vector %d: got (%d,%d,%#x), want (%d,%d,%#x)", c.vec, sig, code, addr, c.sig, c.code, c.addr)
		}
	}
}
