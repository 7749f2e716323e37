package procfs

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// The host's own /proc, where there is one, is the reference: its
// values parsed back and printed here must give its bytes again.

func hostFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil || len(b) == 0 {
		t.Skipf("no host %s: %v", name, err)
	}
	return string(b)
}

// TestHostLimits: the host's limits table, reprinted.
func TestHostLimits(t *testing.T) {
	host := hostFile(t, "/proc/self/limits")
	var p ProcInfo
	for i, l := range lines(host)[1:] {
		if i >= len(p.Limits) || len(l) < 67 {
			t.Fatalf("unexpected line %q", l)
		}
		val := func(s string) uint64 {
			s = strings.TrimSpace(s)
			if s == "unlimited" {
				return inf
			}
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				t.Fatalf("limit %q: %v", s, err)
			}
			return v
		}
		p.Limits[i] = Rlimit{val(l[26:46]), val(l[47:67])}
	}
	src := sample()
	p.PID, p.Threads = 42, []ThreadInfo{{TID: 42}}
	src.procs[42] = p
	got, err := showLimits(&ctx{src: src, pid: 42})
	if err != nil || string(got) != host {
		t.Errorf("limits:\n%s\nhost:\n%s", got, host)
	}
}

// TestHostMaps: the host's maps, reprinted line for line.
func TestHostMaps(t *testing.T) {
	host := hostFile(t, "/proc/self/maps")
	var b bytes.Buffer
	for _, l := range lines(host) {
		var r Region
		var perms string
		var major, minor uint32
		if _, err := fmt.Sscanf(l, "%x-%x %s %x %x:%x %d", &r.Start, &r.End, &perms, &r.Offset, &major, &minor, &r.Ino); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		r.Read, r.Write, r.Exec, r.Shared = perms[0] == 'r', perms[1] == 'w', perms[2] == 'x', perms[3] == 's'
		r.Dev, r.File = abi.Mkdev(major, minor), r.Offset != 0 || r.Ino != 0
		if len(l) > 73 {
			r.Name = l[73:]
		}
		mapLine(&b, r)
	}
	if b.String() != host {
		t.Errorf("maps:\n%s\nhost:\n%s", b.String(), host)
	}
}

// TestHostMounts: the host's mounts and mountinfo, reprinted from what
// both tell of each mount, for the mounts whose options this
// namespace's one options string can tell (no propagation fields, one
// ro/rw for the mount and its super block, no super-block flags).
func TestHostMounts(t *testing.T) {
	mounts, info := lines(hostFile(t, "/proc/self/mounts")), lines(hostFile(t, "/proc/self/mountinfo"))
	if len(mounts) != len(info) {
		t.Skip("the mount table changed between the reads")
	}
	unmangle := strings.NewReplacer("\\040", " ", "\\011", "\t", "\\012", "\n", "\\134", "\\").Replace
	checked := 0
	for i := range info {
		mf, inf := strings.Fields(mounts[i]), strings.Fields(info[i])
		superFlags := strings.Contains(mf[3], "sync") || strings.Contains(mf[3], "lazytime") || strings.Contains(mf[3], "mand")
		if len(inf) != 10 || inf[6] != "-" || inf[5][:2] != inf[9][:2] || superFlags {
			continue
		}
		var m MountInfo
		var major, minor uint32
		fmt.Sscanf(inf[0]+" "+inf[1]+" "+inf[2], "%d %d %d:%d", &m.ID, &m.ParentID, &major, &minor)
		m.Dev, m.Root, m.Point = abi.Mkdev(major, minor), unmangle(inf[3]), unmangle(inf[4])
		m.FSType, m.Source, m.Options = inf[7], unmangle(inf[8]), mf[3]
		src := sample()
		src.mounts = []MountInfo{m}
		c := &ctx{src: src, pid: 42}
		gotMounts, _ := showMounts(c)
		gotInfo, _ := showMountinfo(c)
		if string(gotMounts) != mounts[i]+"\n" {
			t.Errorf("mounts line:\n%s\nhost:\n%s", gotMounts, mounts[i])
		}
		if string(gotInfo) != info[i]+"\n" {
			t.Errorf("mountinfo line:\n%s\nhost:\n%s", gotInfo, info[i])
		}
		checked++
	}
	t.Logf("%d of %d mounts compared", checked, len(info))
}
