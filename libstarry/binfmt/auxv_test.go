package binfmt

import "testing"

// TestAuxvVDSO: a process with a vDSO gets AT_SYSINFO_EHDR first, as
// Linux's ARCH_DLINFO puts it; one without gets none.
func TestAuxvVDSO(t *testing.T) {
	img := &Image{}
	for _, a := range auxvFor(img, 0, [4]uint64{}, 0, 0, 0) {
		if a[0] == AT_SYSINFO_EHDR {
			t.Errorf("AT_SYSINFO_EHDR %#x without a vDSO", a[1])
		}
	}
	img.VDSO = 0x7fffbf7dd000
	aux := auxvFor(img, 0, [4]uint64{}, 0, 0, 0)
	if aux[0] != [2]uint64{AT_SYSINFO_EHDR, img.VDSO} || aux[1][0] != AT_HWCAP || aux[len(aux)-1][0] != AT_NULL {
		t.Errorf("auxv %v", aux)
	}
}
