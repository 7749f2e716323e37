// Package exo is the exokernel: it securely multiplexes physical memory
// and CPU time among protection domains (Envs) and leaves every policy —
// address-space layout, paging, files, signals, scheduling of a process's
// threads — to the library OS above it (libstarry). The machine itself is
// reached through a Backend: hw/x86_64 on real (or QEMU) hardware, sim on
// the host for tests.
//
// The primitives, each with the check that makes it safe:
//
//   - Env.AllocFrame: a fresh physical frame owned by the Env. The backend
//     zeroes it before exo hands it out, so no Env ever sees another's
//     data.
//   - Env.FreeFrame: drops the Env's reference. Refused unless the Env owns
//     the frame or holds a grant to it, and unless the Env no longer maps
//     it. The frame returns to the machine when its last reference goes.
//   - Env.Share(frame, other), Env.ShareFrames: a grant. Only the owner
//     (or a holder of a grant) can share, checked under both Envs' locks
//     with the reference count's rise, so copy-on-write can be built on it
//     by the library OS.
//   - Env.CopyFrame(frame): a new frame for the Env holding a copy of one
//     it holds (the copy of copy-on-write).
//   - Env.Map(va, frame, perm): the secure binding. Succeeds only for a
//     frame the Env owns or was granted, only at a page-aligned address in
//     the user half, and only with user permissions (read, write, execute);
//     the backend sets the user bit itself and never maps a kernel page.
//   - Env.Unmap, Env.Protect: change only the Env's own page table; the
//     backend invalidates the TLB entry.
//   - Env.Read, Env.Write: copy to or from the Env's memory through its
//     own mappings (how a library OS reads syscall arguments); a missing
//     mapping is ErrFault, never a kernel fault.
//   - Env.Load32, Env.CompareAndSwap32: atomic access to one aligned
//     word of the Env's memory through its own mappings, so a library OS
//     can compare a futex or hand a lock word over while the Env's own
//     threads use it; same check as Read and Write.
//   - Env.WriteFrame: fill a frame the Env holds before mapping it, so a
//     demand-paged page appears whole to every thread.
//   - Context.Run: enter user mode (ring 3) in the Env's address space with
//     the given registers, and return the trap that ended it: a system
//     call, a page fault (address, access, present), another exception by
//     vector, an interrupt, or the end of the time slice. The registers,
//     FS/GS base and FPU/SSE state in the Context are exactly what user
//     code had at the trap.
//   - Time slices: CPU time in user mode is accounted per Env
//     (Env.CPUTime), and Run returns TrapTimeSlice when a slice ends, so a
//     spinning program never starves other Envs or the kernel.
//   - Exokernel.Revoke: visible revocation. exo asks an Env to give back n
//     frames (a message on Env.Revocations); frames freed before the
//     deadline count; at the deadline exo takes the rest itself (the abort
//     protocol), unmapping them, and tells the Env which frames and
//     addresses it lost.
//   - Timer (NewTimer, AfterFunc, Soon/Settle): timers as precise as the
//     machine's timer interrupt, on the backend's Alarm (alarm.go), set
//     early by the wakeup latency learnt so far; not a protection
//     primitive, but the Go runtime's own timers round to milliseconds.
package exo
