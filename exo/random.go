package exo

import (
	"math/rand/v2"
	"sync/atomic"
)

// Entropy is the machine's random-number source, which a Backend may
// provide (hw/x86_64's is RDRAND). The library OS takes its randomness
// (AT_RANDOM, getrandom, /dev/urandom, UUIDs) from Random rather than
// from crypto/rand: that package links the FIPS 140-3 entropy source,
// whose 32 MiB scratch buffer sits in the image's bss, and this kernel
// loads its image into physical memory (its own bss is not demand
// paged), so those 32 MiB were gone at boot.
type Entropy interface {
	Random(b []byte)
}

var entropySource atomic.Pointer[Entropy]

// Random fills b from the backend's Entropy; without one (the simulated
// machine, host tests) from the runtime's ChaCha8 generator, which the
// host's kernel seeds.
func Random(b []byte) {
	if e := entropySource.Load(); e != nil {
		(*e).Random(b)
		return
	}
	for i := 0; i < len(b); i += 8 {
		v := rand.Uint64()
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
}
