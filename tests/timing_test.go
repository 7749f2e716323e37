package tests

import (
	"testing"
	"time"
)

// TestSleepPrecision: poll, select, pselect6 and nanosleep timeouts end
// on time in the guest as on Linux (tests/progs/sleeplat.c), which LTP's
// timer tests (poll02, select02, pselect01, nanosleep01) measure.
func TestSleepPrecision(t *testing.T) {
	differential(t, "sleeplat ok", 60*time.Second, []string{"sleeplat"})
}
