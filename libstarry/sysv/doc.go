// Package sysv is System V IPC as Linux keeps it (ipc/util.c, ipc/shm.c,
// ipc/sem.c, ipc/msg.c): one namespace of identifiers and keys with their
// ipc_perm, semaphore sets with their wait queues and SEM_UNDO
// adjustments, message queues, and the bookkeeping of shared-memory
// segments. It is pure logic: callers say who asks (a Caller), the memory
// behind a segment is an opaque Backing the caller makes, and a blocking
// call sleeps on an fd.Waiter, so the package runs on the host in tests.
//
// Locking: each kind (shm, sem, msg) has one mutex for its identifiers
// and every object of that kind, as Linux's ids rwsem and object locks
// together. Nothing here calls out while holding one, except a
// segment's Backing.Close at its destruction (it must not call back).
package sysv
