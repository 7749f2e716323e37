package libstarry

import (
	"bytes"
	"encoding/binary"
	"time"

	"github.com/starry-go/starry/exo"
	"github.com/starry-go/starry/libstarry/fd"
	"github.com/starry-go/starry/libstarry/mm"
	"github.com/starry-go/starry/libstarry/vfs"
	"github.com/starry-go/starry/personality/linux/abi"
)

// Core dumps (fs/coredump.c's vfs_coredump and fs/binfmt_elf.c's
// elf_core_dump), with Linux's default settings: kernel.core_pattern
// "core", core_uses_pid 0, suid_dumpable 0 and coredump_filter 0x33. A
// signal whose default action dumps core, delivered with that default,
// writes an ELF core file named "core" in the dying process's working
// directory, with the process's credentials, when RLIMIT_CORE is at
// least a page (binfmt's min_coredump) and the process is dumpable; the
// status then has the core bit (WCOREDUMP, CLD_DUMPED), which Linux sets
// whenever the dump was begun, even if RLIMIT_CORE cut it short.
//
// The file is an ET_CORE ELF64: a PT_NOTE with each thread's
// NT_PRSTATUS (registers, signal) and NT_FPREGSET, the process's
// NT_PRPSINFO, NT_SIGINFO, NT_AUXV and NT_FILE; then one PT_LOAD per
// region, holding what coredump_filter 0x33 keeps of it (vma_dump_size):
// anonymous memory and the regions that hold private pages whole, shared
// memory of unnamed files whole, a file's first page if it starts an
// ELF image or executable file, nothing of other file mappings. Pages
// never touched are holes in the file, as dump_skip leaves them. What is
// absent: the x86 XSAVE state note (the FXSAVE image is there), the
// vsyscall page, and per-thread CPU times (the process's are used).

// coreSignal is sig_kernel_coredump.
func coreSignal(sig int) bool { return sig >= 1 && sig <= NSIG && defaultCore&bit(sig) != 0 }

// dieOf ends the process by info's signal, whose action is the default
// one (get_signal's do_group_exit), dumping core first when that is the
// signal's default (vfs_coredump). The exit is begun before the dump, so
// the other threads stop as coredump_wait makes them; a process already
// exiting another way dumps nothing.
func (t *Thread) dieOf(info SigInfo) {
	p := t.P
	if !coreSignal(info.Signo) {
		p.Exit(ExitStatus{Signal: info.Signo})
		return
	}
	if !p.exitFirst(ExitStatus{Signal: info.Signo}) {
		return
	}
	if t.dumpCore(info) {
		p.setCoreDumped()
	}
}

// Core-file constants (include/uapi/linux/elf.h, elfcore.h).
const (
	coreName       = "core" // core_pattern's default
	coreNoteCore   = "CORE"
	ntPrstatus     = 1
	ntFpregset     = 2
	ntPrpsinfo     = 3
	ntAuxv         = 6
	ntSiginfo      = 0x53494749
	ntFile         = 0x46494c45
	prstatusSize   = 336 // struct elf_prstatus on x86-64
	prpsinfoSize   = 136 // struct elf_prpsinfo
	prRegOff       = 112 // pr_reg in elf_prstatus
	prFpvalidOff   = prRegOff + 27*8
	elfHeaderSize  = 64
	elfPhdrSize    = 56
	ptLoad         = 1
	ptNote         = 4
	pfX, pfW, pfR  = 1, 2, 4
	pfDumpcore     = 0x200 // PF_DUMPCORE and PF_SIGNALED: the dumper's task flags
	pfSignaled     = 0x400
	coreOpenFlags  = abi.O_CREAT | abi.O_WRONLY | abi.O_NOFOLLOW | abi.O_EXCL | abi.O_LARGEFILE
	coreWaitThread = 2 * time.Second // how long the dump waits for the other threads to stop
)

// dumpCore writes the core file; it reports whether a dump was begun
// (the file made and the headers assembled), whatever RLIMIT_CORE then
// let through. The process is exiting already.
func (t *Thread) dumpCore(info SigInfo) bool {
	p := t.P
	limit := p.Rlimit(abi.RLIMIT_CORE).Cur
	if limit < exo.PageSize || !p.Dumpable() || p.cfg.FS == nil {
		return false
	}
	threads := t.stopSiblings()
	of := p.openCore()
	if of == nil {
		return false
	}
	defer of.DecRef()
	wa, ok := of.File.(fd.WriterAt)
	if !ok {
		return false
	}
	img := p.coreImage(threads, info)
	cw := &coreWriter{w: wa, ctx: of.Ctx(nil), limit: limit}
	cw.write(img)
	return true
}

// stopSiblings is coredump_wait: the other threads, which the exit
// already told to go, are waited for (a while at most, so that no thread
// stuck in the kernel can hold the dump up), so that their registers are
// the ones they left user mode with. The dumping thread comes first.
func (t *Thread) stopSiblings() []*Thread {
	p := t.P
	deadline := time.After(coreWaitThread)
	p.mu.Lock()
	all := []*Thread{t}
	for s := range p.threads {
		if s != t {
			all = append(all, s)
		}
	}
	for len(p.threads) > 1 {
		ch := p.childWait.Wait()
		p.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			return all
		}
		p.mu.Lock()
	}
	p.mu.Unlock()
	return all
}

// openCore makes the core file as vfs_coredump does for a plain
// core_pattern: an old "core" is unlinked, a new one made exclusively,
// mode 0600 less the umask, and refused unless it is a regular file with
// one link, owned by the dumper's fsuid, with exactly mode 0600 (the
// umask took nothing of it).
func (p *Process) openCore() *fd.OpenFile {
	w := p.At(vfs.Path{})
	_ = p.Unlink(w, coreName) // a missing one is fine; anything else fails the open
	of, err := p.Open(w, coreName, coreOpenFlags, 0o600)
	if err != nil {
		return nil
	}
	st := of.Stat()
	if st.Mode&abi.S_IFMT != abi.S_IFREG || st.Nlink > 1 || st.UID != p.Creds().UID || st.Mode&0o677 != 0o600 {
		of.DecRef()
		return nil
	}
	return of
}

// coreSegment is one region's PT_LOAD.
type coreSegment struct {
	r    mm.VMA
	dump uintptr // bytes of it the file holds (vma_dump_size)
}

// coreImage is a dump's contents before it is written: the headers and
// notes, and the segments whose memory follows them.
type coreImage struct {
	head     [][]byte // ELF header, program headers, notes: written one by one, as dump_emit is called
	dataOff  uint64   // where the first segment's bytes go (page-aligned)
	segments []coreSegment
	mm       *mm.MM
}

// coreImage assembles the dump (fill_note_info, then elf_core_dump's
// layout): the notes, and the program headers that place them and the
// segments. threads[0] is the dumping thread.
func (p *Process) coreImage(threads []*Thread, info SigInfo) coreImage {
	regions := p.MM.Regions()
	segs := make([]coreSegment, len(regions))
	for i, r := range regions {
		segs[i] = coreSegment{r: r, dump: dumpSize(r)}
	}
	var notes [][]byte
	noteSize := 0
	note := func(typ uint32, desc []byte) {
		n := putNote(coreNoteCore, typ, desc)
		notes = append(notes, n)
		noteSize += len(n)
	}
	for i, th := range threads {
		note(ntPrstatus, p.prstatus(th, info.Signo))
		if i == 0 {
			note(ntPrpsinfo, p.prpsinfo(th))
			si := make([]byte, abi.SiginfoSize)
			putSigInfo(si, info)
			note(ntSiginfo, si)
			if _, _, auxv := startupStrings(p.MM); len(auxv) > 0 {
				note(ntAuxv, auxv)
			}
			if files := fileNote(regions); files != nil {
				note(ntFile, files)
			}
		}
		note(ntFpregset, th.ctx.Regs.FX[:])
	}
	phnum := 1 + len(segs)
	noteOff := uint64(elfHeaderSize + phnum*elfPhdrSize)
	dataOff := (noteOff + uint64(noteSize) + exo.PageSize - 1) &^ (exo.PageSize - 1)
	le := binary.LittleEndian
	head := make([]byte, noteOff)
	copy(head, "\x7fELF\x02\x01\x01") // ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE
	le.PutUint16(head[16:], 4)        // ET_CORE
	le.PutUint16(head[18:], 62)       // EM_X86_64
	le.PutUint32(head[20:], 1)        // EV_CURRENT
	le.PutUint64(head[32:], elfHeaderSize)
	le.PutUint16(head[52:], elfHeaderSize)
	le.PutUint16(head[54:], elfPhdrSize)
	le.PutUint16(head[56:], uint16(min(phnum, 0xffff)))
	ph := head[elfHeaderSize:]
	putPhdr(ph, ptNote, 0, noteOff, 0, uint64(noteSize), 0, 4)
	off := dataOff
	for i, s := range segs {
		var flags uint32
		if s.r.Prot&exo.PermRead != 0 {
			flags |= pfR
		}
		if s.r.Prot&exo.PermWrite != 0 {
			flags |= pfW
		}
		if s.r.Prot&exo.PermExec != 0 {
			flags |= pfX
		}
		putPhdr(ph[(i+1)*elfPhdrSize:], ptLoad, flags, off, uint64(s.r.Start), uint64(s.dump), uint64(s.r.End-s.r.Start), exo.PageSize)
		off += uint64(s.dump)
	}
	chunks := [][]byte{head[:elfHeaderSize]}
	for i := range phnum {
		chunks = append(chunks, ph[i*elfPhdrSize:(i+1)*elfPhdrSize])
	}
	return coreImage{head: append(chunks, notes...), dataOff: dataOff, segments: segs, mm: p.MM}
}

// inoder is an object that is a file's inode (a tmpfs node).
type inoder interface{ Inode() *vfs.Inode }

// dumpSize is vma_dump_size under coredump_filter 0x33 (anonymous
// private and shared memory, ELF headers, private huge pages).
func dumpSize(r mm.VMA) uintptr {
	whole := r.End - r.Start
	if r.Shared {
		// Shared memory of an unnamed file (shared anonymous memory,
		// SysV shm, an unlinked memfd) is ANON_SHARED; a named file's is
		// MAPPED_SHARED, not dumped.
		if n, ok := r.Obj.(inoder); ok && !r.Anon && n.Inode().Attr().Nlink > 0 {
			return 0
		}
		return whole
	}
	switch {
	case r.Dirty: // it has an anon_vma: ANON_PRIVATE
		return whole
	case r.Obj == nil: // anonymous memory never touched
		return 0
	}
	// A private file mapping never written: its first page, if it starts
	// an executable file or an ELF image (the ELF_HEADERS filter).
	if r.FileOff != 0 || r.Prot&exo.PermRead == 0 {
		return 0
	}
	if n, ok := r.Obj.(inoder); ok && n.Inode().Attr().Mode&0o111 != 0 {
		return exo.PageSize
	}
	if bytes.Equal(mm.ReadFull(r.Obj, 0, 4), []byte("\x7fELF")) {
		return exo.PageSize
	}
	return 0
}

// putPhdr writes an Elf64_Phdr.
func putPhdr(b []byte, typ, flags uint32, off, vaddr, filesz, memsz, align uint64) {
	le := binary.LittleEndian
	le.PutUint32(b[0:], typ)
	le.PutUint32(b[4:], flags)
	le.PutUint64(b[8:], off)
	le.PutUint64(b[16:], vaddr)
	le.PutUint64(b[24:], 0) // p_paddr
	le.PutUint64(b[32:], filesz)
	le.PutUint64(b[40:], memsz)
	le.PutUint64(b[48:], align)
}

// putNote is an ELF note: namesz, descsz, type, the name with its NUL,
// the description, each padded to 4 bytes.
func putNote(name string, typ uint32, desc []byte) []byte {
	var w bytes.Buffer
	var h [12]byte
	le := binary.LittleEndian
	le.PutUint32(h[0:], uint32(len(name)+1))
	le.PutUint32(h[4:], uint32(len(desc)))
	le.PutUint32(h[8:], typ)
	w.Write(h[:])
	w.WriteString(name)
	w.Write(make([]byte, 4-len(name)%4)) // the NUL, then padding
	w.Write(desc)
	w.Write(make([]byte, (4-len(desc)%4)%4))
	return w.Bytes()
}

// prstatus is struct elf_prstatus for thread th (fill_prstatus and the
// regset's user_regs_struct).
func (p *Process) prstatus(th *Thread, sig int) []byte {
	b := make([]byte, prstatusSize)
	le := binary.LittleEndian
	le.PutUint32(b[0:], uint32(sig)) // pr_info.si_signo
	le.PutUint16(b[12:], uint16(sig))
	p.mu.Lock()
	le.PutUint64(b[16:], th.pending.set|p.shared.set)
	le.PutUint64(b[24:], th.sigmask)
	p.mu.Unlock()
	ppid, pgrp, sid := p.treeIDs()
	le.PutUint32(b[32:], uint32(th.tid))
	le.PutUint32(b[36:], uint32(ppid))
	le.PutUint32(b[40:], uint32(pgrp))
	le.PutUint32(b[44:], uint32(sid))
	if self, err := p.Getrusage(RusageSelf); err == nil {
		putTimeval(b[48:], self.UTime)
		putTimeval(b[64:], self.STime)
	}
	if kids, err := p.Getrusage(RusageChildren); err == nil {
		putTimeval(b[80:], kids.UTime)
		putTimeval(b[96:], kids.STime)
	}
	r := &th.ctx.Regs
	regs := []uint64{r.R15, r.R14, r.R13, r.R12, r.RBP, r.RBX, r.R11, r.R10, r.R9, r.R8,
		r.RAX, r.RCX, r.RDX, r.RSI, r.RDI, ^uint64(0), r.RIP, userCS, r.RFLAGS, r.RSP, userDS,
		r.FSBase, r.GSBase, 0, 0, 0, 0} // orig_rax -1: no system call to restart; ds, es, fs, gs 0
	for i, v := range regs {
		le.PutUint64(b[prRegOff+8*i:], v)
	}
	le.PutUint32(b[prFpvalidOff:], 1) // NT_FPREGSET follows
	return b
}

// treeIDs are the parent's PID, the process group and the session.
func (p *Process) treeIDs() (ppid, pgrp, sid int) {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	if p.parent != nil {
		ppid = p.parent.pid
	}
	return ppid, p.pgid, p.sid
}

// putTimeval writes a struct __kernel_old_timeval.
func putTimeval(b []byte, d time.Duration) {
	binary.LittleEndian.PutUint64(b[0:], uint64(d/time.Second))
	binary.LittleEndian.PutUint64(b[8:], uint64(d%time.Second/time.Microsecond))
}

// prpsinfo is struct elf_prpsinfo (fill_psinfo): state R, the real
// IDs, the dumping thread's name and the command line, its NULs spaces.
func (p *Process) prpsinfo(t *Thread) []byte {
	b := make([]byte, prpsinfoSize)
	le := binary.LittleEndian
	b[1] = 'R'
	b[3] = byte(int8(p.attr().nice))
	le.PutUint64(b[8:], pfDumpcore|pfSignaled)
	c := p.Cred()
	le.PutUint32(b[16:], c.UID)
	le.PutUint32(b[20:], c.GID)
	ppid, pgrp, sid := p.treeIDs()
	le.PutUint32(b[24:], uint32(p.pid))
	le.PutUint32(b[28:], uint32(ppid))
	le.PutUint32(b[32:], uint32(pgrp))
	le.PutUint32(b[36:], uint32(sid))
	copy(b[40:55], t.Name())
	cmdline, _, _ := startupStrings(p.MM)
	args := b[56:136]
	n := copy(args[:len(args)-1], cmdline)
	for i := range args[:n] {
		if args[i] == 0 {
			args[i] = ' '
		}
	}
	return b
}

// fileNote is NT_FILE (fill_files_note): the regions mapping named
// files, as start, end and offset in pages, then their names; nil when
// there are none.
func fileNote(regions []mm.VMA) []byte {
	var files []mm.VMA
	for _, r := range regions {
		if r.Obj != nil && len(r.Name) > 0 && r.Name[0] == '/' {
			files = append(files, r)
		}
	}
	if len(files) == 0 {
		return nil
	}
	le := binary.LittleEndian
	b := make([]byte, 16+24*len(files))
	le.PutUint64(b[0:], uint64(len(files)))
	le.PutUint64(b[8:], exo.PageSize)
	for i, r := range files {
		e := b[16+24*i:]
		le.PutUint64(e[0:], uint64(r.Start))
		le.PutUint64(e[8:], uint64(r.End))
		le.PutUint64(e[16:], r.FileOff/exo.PageSize)
	}
	for _, r := range files {
		b = append(b, r.Name...)
		b = append(b, 0)
	}
	return b
}

// coreWriter writes a dump as dump_emit and dump_skip do: every byte
// written counts against the limit (RLIMIT_CORE), and the first write
// that would pass it ends the dump there; skipped holes cost nothing.
type coreWriter struct {
	w       fd.WriterAt
	ctx     fd.Ctx
	limit   uint64
	pos     uint64 // where the next byte goes
	end     uint64 // the file's size so far
	written uint64
	failed  bool
}

func (c *coreWriter) emit(b []byte) bool {
	if c.failed || c.written+uint64(len(b)) > c.limit {
		c.failed = true
		return false
	}
	n, err := c.w.WriteAt(c.ctx, b, int64(c.pos))
	c.pos += uint64(n)
	c.written += uint64(n)
	c.end = max(c.end, c.pos)
	if err != nil || n != len(b) {
		c.failed = true
	}
	return !c.failed
}

func (c *coreWriter) skip(n uint64) { c.pos += n }

// write writes the headers and notes, then each segment's pages, a page
// not present a hole; a hole at the very end gets its last byte written,
// so that the file's size covers every segment, as vfs_coredump ensures.
func (c *coreWriter) write(img coreImage) {
	for _, b := range img.head {
		if !c.emit(b) {
			return
		}
	}
	c.skip(img.dataOff - c.pos)
	page := make([]byte, exo.PageSize)
	for _, s := range img.segments {
		for va := s.r.Start; va < s.r.Start+s.dump; va += exo.PageSize {
			if !img.mm.DumpPage(va, page) {
				c.skip(exo.PageSize)
				continue
			}
			if !c.emit(page) {
				return
			}
		}
	}
	if c.pos > c.end {
		c.pos--
		c.emit([]byte{0})
	}
}
