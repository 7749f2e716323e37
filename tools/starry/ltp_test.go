package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestJudge(t *testing.T) {
	lines := []string{"tst_test.c:1: TINFO: Timeout per run is 0h 00m 30s",
		"foo.c:12: TPASS: ok", "starry: linux: pidfd_open (434) is not implemented: ENOSYS",
		"foo.c:13: TFAIL: read() returned 3", "foo.c:14: TBROK: bad"}
	for _, c := range []struct {
		status   int
		timedOut bool
		verdict  string
		first    string
	}{
		{0, false, vPass, ""},
		{1, false, vFail, "foo.c:13: TFAIL: read() returned 3"},
		{3, false, vBroken, "foo.c:13: TFAIL: read() returned 3"},
		{2, false, vBroken, "foo.c:13: TFAIL: read() returned 3"},
		{32, false, vConf, "foo.c:14: TBROK: bad"}, // no TCONF line: the last line
		{137, false, vSignal, "killed by signal 9; last line: foo.c:14: TBROK: bad"},
		{137, true, vTimeout, "foo.c:14: TBROK: bad"},
		{7 << 4, false, vFail, "exit status 112; last line: foo.c:14: TBROK: bad"},
	} {
		r := judge(c.status, c.timedOut, lines)
		if r.Verdict != c.verdict || r.First != c.first {
			t.Errorf("judge(%d, %v) = %s %q, want %s %q", c.status, c.timedOut, r.Verdict, r.First, c.verdict, c.first)
		}
		if strings.Join(r.ENOSYS, ",") != "pidfd_open" {
			t.Errorf("judge(%d): missing calls %v, want [pidfd_open]", c.status, r.ENOSYS)
		}
	}
}

// TestCollect splits a console into cases at the runner's exit lines and
// leaves a case the guest died in unfinished.
func TestCollect(t *testing.T) {
	g := &ltpGuest{mul: "1"}
	batch := []ltpCase{{name: "a01", argv: []string{"a01"}}, {name: "pipeio_1", argv: []string{"pipeio", "-T", "pipeio_1"}},
		{name: "b01", argv: []string{"b01"}}, {name: "c01", argv: []string{"c01"}}, {name: "d01", argv: []string{"d01"}}}
	con := "starry: boot\n" +
		"a01.c:5: TPASS: fine\n" +
		"starry: exit /ltp/testcases/bin/a01 status=0\n" +
		"\x1b[1;31mTFAIL\x1b[0m: pipe broke\n" +
		"starry: exit /ltp/testcases/bin/pipeio -T pipeio_1 status=1\n" +
		"b01.c:1: TINFO: waiting\n" +
		"starry: /ltp/testcases/bin/b01 ran past cmdtimeout=5s: killing it\n" +
		"starry: exit /ltp/testcases/bin/b01 status=137\n" +
		"starry: exec /ltp/testcases/bin/c01: exec format error\n" +
		"d01.c:1: TINFO: started\n"
	s := &stampedLines{start: time.Now()}
	s.Write([]byte(con))
	s.flush()
	out := map[string]ltpResult{}
	if n := g.collect(s.lines, batch, out); n != 4 {
		t.Fatalf("collect finished %d cases, want 4", n)
	}
	want := map[string]string{"a01": vPass, "pipeio_1": vFail, "b01": vTimeout, "c01": vNoExec}
	for name, v := range want {
		if out[name].Verdict != v {
			t.Errorf("%s: verdict %q, want %q (%+v)", name, out[name].Verdict, v, out[name])
		}
	}
	if got := out["pipeio_1"].First; got != "TFAIL: pipe broke" {
		t.Errorf("pipeio_1 first line %q: colours not stripped?", got)
	}
	if _, ok := out["d01"]; ok {
		t.Errorf("d01 never ended but has a result")
	}
}

func TestCaseListsAndRuntest(t *testing.T) {
	names, err := parseCaseList(strings.NewReader("# c\n\naccess01\nexecve05 wrong errno (fail): x\n"))
	if err != nil || strings.Join(names, ",") != "access01,execve05" {
		t.Fatalf("parseCaseList = %v, %v", names, err)
	}
	dir := t.TempDir()
	b := &ltpBuild{version: "v", dir: dir, root: filepath.Join(dir, "root")}
	os.MkdirAll(b.bin(), 0o755)
	os.MkdirAll(filepath.Join(b.root, "runtest"), 0o755)
	os.WriteFile(filepath.Join(b.root, "runtest", "syscalls"), []byte("#x\nexecve05 execve05 -i 5 -n 32\npipeio_1 pipeio -T pipeio_1\n"), 0o644)
	for _, f := range []string{"execve05", "pipeio", "execve_child", "access01"} {
		os.WriteFile(filepath.Join(b.bin(), f), []byte("\x7fELF"), 0o755)
	}
	cases, err := resolveCases(b, []string{"execve05", "pipeio_1", "access01", "nosuch01", "execve05"})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, c := range cases {
		got = append(got, c.name+"="+strings.Join(c.argv, " "))
	}
	if w := "execve05=execve05 -i 5 -n 32,pipeio_1=pipeio -T pipeio_1,access01=access01,nosuch01="; strings.Join(got, ",") != w {
		t.Errorf("resolveCases = %v, want %s", got, w)
	}
	sup, err := ltpSupport(b)
	if err != nil || strings.Join(sup, ",") != "access01,execve_child" {
		t.Errorf("ltpSupport = %v, %v (files no tag runs)", sup, err)
	}
}

// TestUpdateLists moves the run's cases between the lists and keeps the
// others.
func TestUpdateLists(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "must-pass.txt"), []byte("# h\nkeep01\nregress01\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "known-failures.txt"), []byte("# h\nfixed01\told reason\nother01\tx\n"), 0o644)
	rep := &ltpReport{Cases: []ltpRow{
		{Name: "fixed01", Starry: ltpResult{Verdict: vPass}},
		{Name: "regress01", Starry: ltpResult{Verdict: vFail, First: "x.c:1: TFAIL: expected EINVAL, got EBADF"}},
		{Name: "dev01", Starry: ltpResult{Verdict: vBroken, First: "tst_device.c:9: TBROK: Failed to acquire device"}},
		{Name: "pidfd01", Starry: ltpResult{Verdict: vConf, First: "x.h:75: TCONF: syscall(434) __NR_pidfd_open not supported on your arch", ENOSYS: []string{"pidfd_open", "pidfd_getfd"}}},
	}}
	if err := updateLists(dir, rep); err != nil {
		t.Fatal(err)
	}
	pass, _ := os.ReadFile(filepath.Join(dir, "must-pass.txt"))
	known, _ := os.ReadFile(filepath.Join(dir, "known-failures.txt"))
	p, _ := parseCaseList(strings.NewReader(string(pass)))
	k, _ := parseCaseList(strings.NewReader(string(known)))
	if strings.Join(p, ",") != "fixed01,keep01" || strings.Join(k, ",") != "dev01,other01,pidfd01,regress01" {
		t.Fatalf("lists after update: pass %v, known %v", p, k)
	}
	for _, want := range []string{"regress01\twrong errno (fail): x.c:1: TFAIL: expected EINVAL, got EBADF", "dev01\tneeds a block device (broken)", "pidfd01\tmissing syscall pidfd_open,pidfd_getfd (conf)"} {
		if !strings.Contains(string(known), want) {
			t.Errorf("known-failures.txt lacks %q:\n%s", want, known)
		}
	}
}
