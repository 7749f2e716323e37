package libstarry

import (
	"github.com/starry-go/starry/personality/linux/abi"
)

// FUTEX_WAKE_OP (futex_wake_op and arch_futex_atomic_op_inuser): change
// a second word atomically, wake waiters on the first, and on the second
// too if its old value passes a comparison. glibc's old condition
// variables signal this way.

// FutexOp is the decoded operation word (FUTEX_OP in linux/futex.h).
type FutexOp struct {
	Op, Cmp       int // FUTEX_OP_SET..XOR, FUTEX_OP_CMP_EQ..GE
	Oparg, Cmparg int32
	OpargIsShift  bool // FUTEX_OP_OPARG_SHIFT: the operand is 1<<oparg
}

// DecodeFutexOp splits val3 as the kernel does: op in bits 28-31 (with
// the shift flag in bit 31), cmp in 24-27, 12-bit signed oparg and
// cmparg below.
func DecodeFutexOp(v uint32) FutexOp {
	sext := func(x uint32) int32 { return int32(x<<20) >> 20 }
	return FutexOp{Op: int(v>>28) & 7, OpargIsShift: v&(8<<28) != 0, Cmp: int(v>>24) & 15,
		Oparg: sext(v >> 12 & 0xfff), Cmparg: sext(v & 0xfff)}
}

// apply computes the new value from old; false for an unknown op.
func (o FutexOp) apply(old uint32) (uint32, bool) {
	arg := uint32(o.Oparg)
	if o.OpargIsShift {
		arg = 1 << (uint32(o.Oparg) & 31) // Linux warns and masks out-of-range shifts
	}
	switch o.Op {
	case 0: // FUTEX_OP_SET
		return arg, true
	case 1: // FUTEX_OP_ADD
		return old + arg, true
	case 2: // FUTEX_OP_OR
		return old | arg, true
	case 3: // FUTEX_OP_ANDN
		return old &^ arg, true
	case 4: // FUTEX_OP_XOR
		return old ^ arg, true
	}
	return 0, false
}

// compare tests the old value (signed, as in Linux); false, false for an
// unknown comparison.
func (o FutexOp) compare(old uint32) (result, ok bool) {
	a, b := int32(old), o.Cmparg
	switch o.Cmp {
	case 0:
		return a == b, true
	case 1:
		return a != b, true
	case 2:
		return a < b, true
	case 3:
		return a <= b, true
	case 4:
		return a > b, true
	case 5:
		return a >= b, true
	}
	return false, false
}

// FutexWakeOp applies op to the word at va2 (key2), wakes up to nwake on
// key1, and up to nwake2 on key2 if the old value passed op's comparison;
// it answers how many it woke. An unknown op is ENOSYS before anything
// changes; an unknown comparison is ENOSYS after the word changed, as in
// Linux.
func (p *Process) FutexWakeOp(key1, key2 FutexKey, va2 uintptr, nwake, nwake2 int, op FutexOp) (int, error) {
	if _, ok := op.apply(0); !ok {
		return 0, abi.ENOSYS
	}
	f := p.futexes()
	f.mu.Lock()
	defer f.mu.Unlock()
	var old uint32
	for {
		cur, err := p.MM.Load32(va2)
		if err != nil {
			return 0, err
		}
		next, _ := op.apply(cur)
		if got, err := p.MM.CompareAndSwap32(va2, cur, next); err != nil {
			return 0, err
		} else if got == cur {
			old = cur
			break
		}
	}
	pass, ok := op.compare(old)
	if !ok {
		return 0, abi.ENOSYS
	}
	woken, err := f.wake(key1, nwake, FutexBitsetAll)
	if err != nil {
		return 0, err
	}
	if pass {
		n, err := f.wake(key2, nwake2, FutexBitsetAll)
		if err != nil {
			return 0, err
		}
		woken += n
	}
	return woken, nil
}
