package mm

import (
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/exo/sim"
)

// newMachine makes a sim machine and an exokernel over it.
func newMachine() (*sim.Machine, *exo.Exokernel) {
	m := sim.New(1 << 16)
	return m, exo.New(m, time.Millisecond)
}

func newMM(env *exo.Env) *MM { return New(env, 0) }
