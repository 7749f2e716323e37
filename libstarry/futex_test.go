package libstarry

import "testing"

// TestDecodeFutexOp checks FUTEX_OP's encoding (include/uapi/linux/futex.h):
// op, shift flag, cmp, and two sign-extended 12-bit arguments.
func TestDecodeFutexOp(t *testing.T) {
	enc := func(op, oparg, cmp, cmparg uint32) uint32 { return op<<28 | cmp<<24 | (oparg&0xfff)<<12 | cmparg&0xfff }
	cases := []struct {
		v        uint32
		old      uint32
		new      uint32
		pass, ok bool
	}{
		{enc(1, 3, 0, 5), 5, 8, true, true},                  // ADD 3, old == 5
		{enc(0, 7, 1, 7), 7, 7, false, true},                 // SET 7, old != 7 is false
		{enc(8|0, 4, 4, 10), 8, 16, false, true},             // SET 1<<4, old > 10 is false
		{enc(3, 1, 2, 0xfff), 3, 2, false, true},             // ANDN 1, old < -1 is false
		{enc(4, 0xfff, 5, 0xffe), 0xffffffff, 0, true, true}, // XOR -1, old(-1) >= -2
		{enc(2, 0x10, 3, 0), 1, 0x11, false, true},           // OR 16, old <= 0 is false
		{enc(0, 0, 9, 0), 0, 0, false, false},                // unknown comparison
	}
	for i, c := range cases {
		op := DecodeFutexOp(c.v)
		got, ok := op.apply(c.old)
		if !ok || got != c.new {
			t.Errorf("case %d: apply(%#x) = %#x %v, want %#x", i, c.old, got, ok, c.new)
		}
		pass, ok := op.compare(c.old)
		if pass != c.pass || ok != c.ok {
			t.Errorf("case %d: compare(%#x) = %v %v, want %v %v", i, c.old, pass, ok, c.pass, c.ok)
		}
	}
	if _, ok := DecodeFutexOp(enc(7, 0, 0, 0)).apply(0); ok {
		t.Error("op 7 is not a FUTEX_OP")
	}
}
