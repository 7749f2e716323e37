package exo

// Context is one user thread's CPU state in an Env. The library OS runs a
// goroutine per user thread that loops on Run.
type Context struct {
	Env  *Env
	Regs Regs
}

// NewContext makes a user thread context in e with Linux's initial FPU
// state (x87 and SSE exceptions masked).
func (e *Env) NewContext() *Context {
	c := &Context{Env: e}
	c.Regs.FX[0], c.Regs.FX[1] = 0x7F, 0x03   // FCW
	c.Regs.FX[24], c.Regs.FX[25] = 0x80, 0x1F // MXCSR
	c.Regs.RFLAGS = 0x202
	return c
}

// Run enters user mode until the next trap, accounting the time to the
// Env. A slice ends after Exokernel.Slice of user time.
func (c *Context) Run() Trap {
	e := c.Env
	if e.dead.Load() { // lock-free: a library OS destroys an Env only once no thread runs in it
		return Trap{Kind: TrapException, Vector: -1}
	}
	t := e.as.Run(&c.Regs, e.k.slice)
	e.cpu.Add(int64(t.UserTime))
	return t
}
