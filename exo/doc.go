// Package exo will hold the exokernel: physical frames with owners,
// protection domains (Env) with their own page tables, secure bindings,
// CPU time slices, trap upcalls and visible revocation. Only exo and hw/...
// may touch the hardware. Not implemented yet (issue 3).
package exo
