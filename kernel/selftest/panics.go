package selftest

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"
)

// panicValue is what checkPanic throws; a distinct type makes sure the
// recovered value is the one thrown and not something the runtime made up.
type panicValue struct{ code int }

// checkPanic panics through a function with deferred calls and requires
// recover to return the thrown value after the defers ran in LIFO order.
func checkPanic(Clock) (string, error) {
	var order []int
	v := catch(func() {
		defer func() { order = append(order, 1) }()
		defer func() { order = append(order, 2) }()
		panic(panicValue{code: 7})
	})
	pv, ok := v.(panicValue)
	if !ok || pv.code != 7 {
		return "", fmt.Errorf("recovered %#v, want panicValue{7}", v)
	}
	if len(order) != 2 || order[0] != 2 || order[1] != 1 {
		return "", fmt.Errorf("deferred calls ran in order %v, want [2 1]", order)
	}
	return fmt.Sprintf("recovered %+v after defers %v", pv, order), nil
}

// catch runs f and returns the value it panicked with, or nil.
func catch(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// nilPtr is a package-level pointer that is always nil at run time; being
// a mutable global, the compiler cannot prove it nil and must emit a real
// load, which faults and goes through the kernel's trap-to-signal path.
var nilPtr *int

// nilSink receives the loaded value so the load is not dead code.
var nilSink int

// checkNilDeref dereferences nilPtr on a fresh goroutine and requires the
// fault to come back as a recoverable runtime.Error about a nil pointer.
func checkNilDeref(Clock) (string, error) {
	res := make(chan any, 1)
	go func() {
		defer func() { res <- recover() }()
		nilSink = *nilPtr
	}()
	var v any
	select {
	case v = <-res:
	case <-time.After(5 * time.Second):
		return "", errors.New("goroutine neither faulted nor returned")
	}
	if v == nil {
		return "", errors.New("nil dereference did not panic")
	}
	re, ok := v.(runtime.Error)
	if !ok {
		return "", fmt.Errorf("recovered %T (%v), want runtime.Error", v, v)
	}
	msg := re.Error()
	if !strings.Contains(msg, "nil pointer dereference") {
		return "", fmt.Errorf("runtime error %q does not mention nil pointer dereference", msg)
	}
	return "recovered: " + msg, nil
}
