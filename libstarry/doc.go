// Package libstarry is the library OS: one instance per process, holding
// all of that process's state (no global mutable state) and reaching the
// machine only through exo.
//
// A Process owns an exo.Env and has:
//   - MM: regions (VMAs) with demand paging from the ELF image's bytes or
//     zero frames, brk, mmap/munmap/mprotect, and user-memory copies that
//     page in on demand (CopyIn/CopyOut);
//   - FDs: the descriptor table over the console and RamFS files;
//   - signals: handlers, pending set, per-thread masks, rt_sigframe
//     delivery and rt_sigreturn;
//   - futex wait queues, cwd, exe path.
//
// Exec's fallible work is LoadImage (binary formats tried in turn: ELF
// static and static-PIE, "#!" scripts); Start then maps the image, builds
// the initial stack (create_elf_tables) and runs the first thread: one
// goroutine looping on exo.Context.Run. System calls go to the
// SyscallHandler the personality supplies (personality/linux.Dispatch).
package libstarry
