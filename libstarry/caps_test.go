package libstarry

import (
	"testing"

	"github.com/starry-go/starry/personality/linux/abi"
)

// TestAmbientCaps follows cap_task_prctl's PR_CAP_AMBIENT rules and the
// invariant that the ambient set stays within the permitted and
// inheritable ones, and exec's use of it for a program that is not
// set-ID.
func TestAmbientCaps(t *testing.T) {
	const netBind, netRaw = 10, 13
	p := &Process{cred: rootCred}
	all := uint64(capValidMask)
	if err := p.Capset(all, all, 1<<netBind); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CapAmbient(AmbientRaise, netRaw, 0, 0); err != abi.EPERM {
		t.Errorf("raise of a non-inheritable cap: %v, want EPERM", err)
	}
	if err := p.SetSecurebits(1 << secureNoAmbientRaise); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CapAmbient(AmbientRaise, netBind, 0, 0); err != abi.EPERM {
		t.Errorf("raise under SECBIT_NO_CAP_AMBIENT_RAISE: %v, want EPERM", err)
	}
	if err := p.SetSecurebits(0); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // raising twice is fine
		if _, err := p.CapAmbient(AmbientRaise, netBind, 0, 0); err != nil {
			t.Fatalf("raise: %v", err)
		}
	}
	if v, err := p.CapAmbient(AmbientIsSet, netBind, 0, 0); v != 1 || err != nil {
		t.Errorf("IS_SET = %d, %v; want 1", v, err)
	}
	if _, err := p.CapAmbient(AmbientIsSet, CapLastCap+1, 0, 0); err != abi.EINVAL {
		t.Errorf("IS_SET of an invalid cap: %v, want EINVAL", err)
	}
	if _, err := p.CapAmbient(AmbientClearAll, 1, 0, 0); err != abi.EINVAL {
		t.Errorf("CLEAR_ALL with arg3: %v, want EINVAL", err)
	}
	if _, err := p.CapAmbient(9, netBind, 0, 0); err != abi.EINVAL {
		t.Errorf("unknown op: %v, want EINVAL", err)
	}
	// Exec as a non-root user keeps exactly the ambient set; a set-ID
	// exec loses it.
	c := p.Cred().Caps
	if got := execCaps(c, 1000, 1000, false); got.Permitted != 1<<netBind || got.Effective != 1<<netBind {
		t.Errorf("exec as a user: permitted %#x effective %#x, want the ambient %#x", got.Permitted, got.Effective, 1<<netBind)
	}
	if got := execCaps(c, 1000, 1001, true); got.Permitted != 0 || got.Ambient != 0 {
		t.Errorf("set-ID exec: permitted %#x ambient %#x, want none", got.Permitted, got.Ambient)
	}
	// Dropping the cap from the inheritable set drops it from the ambient.
	if err := p.Capset(all, all, 0); err != nil {
		t.Fatal(err)
	}
	if p.Cred().Caps.Ambient != 0 {
		t.Errorf("ambient %#x after the inheritable set dropped it", p.Cred().Caps.Ambient)
	}
}
