package x86_64

import "unsafe"

// setupThreads creates the idle thread and the first thread, which enters
// the Go runtime at _rt0_amd64_linux with a Linux process stack.
func setupThreads() {
	idle := &threads[idleIdx]
	idle.state = stRunnable
	idle.regs = kernelRegs(uint64(idleAddr), addrOf(unsafe.Pointer(&idleStack))+uint64(len(idleStack)))
	idle.regs.FSBase = cpu0.shimFS
	initFX(&idle.regs)

	i, _ := newThread()
	t := &threads[i]
	t.regs = kernelRegs(uint64(rt0Addr), buildInitialStack())
	initFX(&t.regs)
	t.altFlags = ssDisable
	t.state = stRunnable
	switchTo(i)
}

func kernelRegs(rip, rsp uint64) Regs {
	return Regs{RIP: rip, RSP: rsp, CS: kernelCS, SS: kernelSS, RFLAGS: rflagsIF | 2}
}

// stackBuilder writes the Linux initial process stack downward.
type stackBuilder struct{ p uintptr }

func (s *stackBuilder) str(b []byte) uint64 {
	s.p -= uintptr(len(b)) + 1
	copy((*[1 << 20]byte)(ptrAt(s.p))[:len(b)], b)
	*(*byte)(ptrAt(s.p + uintptr(len(b)))) = 0
	return uint64(s.p)
}

// buildInitialStack lays out argc, argv (the command line's words after
// "starry-kernel"), envp, and auxv as Linux's create_elf_tables does.
func buildInitialStack() uint64 {
	s := stackBuilder{uintptr(addrOf(unsafe.Pointer(&mainStack))) + uintptr(len(mainStack))}
	var argv [64]uint64
	argc := 0
	argv[argc] = s.str([]byte("starry-kernel"))
	argc++
	forEachWord(func(w []byte) {
		if argc < len(argv) {
			argv[argc] = s.str(w)
			argc++
		}
	})
	env := s.str([]byte("GODEBUG=asyncpreemptoff=1"))
	s.p -= 16
	rnd := uint64(s.p)
	*u64at(s.p), *u64at(s.p + 8) = random64(), random64()
	const atPagesz, atRandom, atNull = 6, 25, 0
	words := 1 + argc + 1 + 2 + 4 + 2
	sp := (s.p - uintptr(words)*8) &^ 15
	w := sp
	put := func(v uint64) { *u64at(w) = v; w += 8 }
	put(uint64(argc))
	for i := 0; i < argc; i++ {
		put(argv[i])
	}
	put(0)
	put(env)
	put(0)
	put(atPagesz)
	put(pageSize)
	put(atRandom)
	put(rnd)
	put(atNull)
	put(0)
	return uint64(sp)
}
