package disasm

import (
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// testPC is where the test instructions pretend to live.
const testPC = 0xffffffff80001000

var lineTests = []struct {
	code []byte
	want string
}{
	// From the package documentation: an absolute address.
	{[]byte{0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0}, "mov 0x0,%rax"},
	{[]byte{0x48, 0x89, 0xc8}, "mov %rcx,%rax"},
	{[]byte{0x89, 0xd8}, "mov %ebx,%eax"},
	{[]byte{0x48, 0x8b, 0x44, 0x24, 0x08}, "mov 0x8(%rsp),%rax"},
	{[]byte{0x48, 0x89, 0x45, 0xf8}, "mov %rax,-0x8(%rbp)"},
	{[]byte{0x4c, 0x8b, 0x04, 0xc8}, "mov (%rax,%rcx,8),%r8"},
	{[]byte{0x42, 0x8b, 0x04, 0xa0}, "mov (%rax,%r12,4),%eax"},
	{[]byte{0x41, 0x8b, 0x04, 0x24}, "mov (%r12),%eax"},
	{[]byte{0x41, 0x8b, 0x45, 0x00}, "mov 0x0(%r13),%eax"},
	{[]byte{0x8a, 0x07}, "mov (%rdi),%al"},
	{[]byte{0x40, 0x88, 0x37}, "mov %sil,(%rdi)"},
	{[]byte{0x66, 0x89, 0x07}, "mov %ax,(%rdi)"},
	{[]byte{0x64, 0x48, 0x8b, 0x0c, 0x25, 0xf8, 0xff, 0xff, 0xff}, "mov %fs:0xfffffffffffffff8,%rcx"},
	{[]byte{0x65, 0x48, 0x8b, 0x04, 0x25, 0x10, 0, 0, 0}, "mov %gs:0x10,%rax"},
	{[]byte{0x48, 0xc7, 0x07, 0x01, 0, 0, 0}, "movq $0x1,(%rdi)"},
	{[]byte{0xc7, 0x47, 0x04, 0xff, 0xff, 0xff, 0xff}, "movl $0xffffffff,0x4(%rdi)"},
	{[]byte{0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff}, "mov $0xffffffffffffffff,%rax"},
	{[]byte{0xc6, 0x00, 0x80}, "movb $0x80,(%rax)"},
	{[]byte{0xb8, 0x78, 0x56, 0x34, 0x12}, "mov $0x12345678,%eax"},
	{[]byte{0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, "mov $0x1122334455667788,%rax"},
	{[]byte{0x48, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, "movabs 0x1122334455667788,%rax"},
	{[]byte{0xa2, 0x10, 0, 0, 0, 0, 0, 0, 0}, "movabs %al,0x10"},
	{[]byte{0x48, 0x8d, 0x05, 0x10, 0, 0, 0}, "lea 0x10(%rip),%rax  # 0xffffffff80001017"},
	{[]byte{0x48, 0x8d, 0x0d, 0xf0, 0xff, 0xff, 0xff}, "lea -0x10(%rip),%rcx  # 0xffffffff80000ff7"},
	{[]byte{0x48, 0x8d, 0x04, 0xc5, 0, 0, 0, 0}, "lea 0x0(,%rax,8),%rax"},
	{[]byte{0x8d, 0x44, 0x08, 0x01}, "lea 0x1(%rax,%rcx,1),%eax"},
	{[]byte{0xe8, 0xfb, 0xff, 0xff, 0xff}, "call 0xffffffff80001000"},
	{[]byte{0xe8, 0x00, 0x01, 0x00, 0x00}, "call 0xffffffff80001105"},
	{[]byte{0xff, 0xd0}, "call *%rax"},
	{[]byte{0xff, 0x50, 0x18}, "call *0x18(%rax)"},
	{[]byte{0xeb, 0xfe}, "jmp 0xffffffff80001000"},
	{[]byte{0xe9, 0x00, 0x00, 0x00, 0x00}, "jmp 0xffffffff80001005"},
	{[]byte{0xff, 0xe1}, "jmp *%rcx"},
	{[]byte{0x41, 0xff, 0x24, 0xc4}, "jmp *(%r12,%rax,8)"},
	{[]byte{0x74, 0x10}, "je 0xffffffff80001012"},
	{[]byte{0x0f, 0x85, 0x00, 0x01, 0x00, 0x00}, "jne 0xffffffff80001106"},
	{[]byte{0x0f, 0x86, 0xf0, 0xff, 0xff, 0xff}, "jbe 0xffffffff80000ff6"},
	{[]byte{0x48, 0x39, 0xc8}, "cmp %rcx,%rax"},
	{[]byte{0x48, 0x3b, 0x66, 0x10}, "cmp 0x10(%rsi),%rsp"},
	{[]byte{0x48, 0x83, 0xf8, 0xff}, "cmp $0xffffffffffffffff,%rax"},
	{[]byte{0x80, 0x38, 0x00}, "cmpb $0x0,(%rax)"},
	{[]byte{0x66, 0x83, 0x38, 0xf0}, "cmpw $0xfff0,(%rax)"},
	{[]byte{0x48, 0x81, 0x7f, 0x08, 0x00, 0x10, 0x00, 0x00}, "cmpq $0x1000,0x8(%rdi)"},
	{[]byte{0x3d, 0x00, 0x00, 0x01, 0x00}, "cmp $0x10000,%eax"},
	{[]byte{0x84, 0x00}, "test %al,(%rax)"},
	{[]byte{0x48, 0x83, 0xec, 0x18}, "sub $0x18,%rsp"},
	{[]byte{0x48, 0x83, 0xe4, 0xf0}, "and $0xfffffffffffffff0,%rsp"},
	{[]byte{0x6b, 0xc1, 0xf8}, "imul $0xfffffff8,%ecx,%eax"},
	{[]byte{0x48, 0xc1, 0xe0, 0x03}, "shl $0x3,%rax"},
	{[]byte{0xd1, 0xe8}, "shr $0x1,%eax"},
	{[]byte{0x48, 0xff, 0x00}, "incq (%rax)"},
	{[]byte{0x55}, "push %rbp"},
	{[]byte{0x41, 0x57}, "push %r15"},
	{[]byte{0x5d}, "pop %rbp"},
	{[]byte{0x6a, 0xff}, "push $0xffffffffffffffff"},
	{[]byte{0x68, 0x00, 0x10, 0x00, 0x00}, "push $0x1000"},
	{[]byte{0xff, 0x30}, "pushq (%rax)"},
	{[]byte{0x0f, 0xb6, 0x07}, "movzbl (%rdi),%eax"},
	{[]byte{0x48, 0x0f, 0xb7, 0xc1}, "movzwq %cx,%rax"},
	{[]byte{0x48, 0x63, 0xc8}, "movslq %eax,%rcx"},
	{[]byte{0x48, 0x98}, "cltq"},
	{[]byte{0x48, 0x99}, "cqto"},
	{[]byte{0x0f, 0x10, 0x06}, "movups (%rsi),%xmm0"},
	{[]byte{0x44, 0x0f, 0x11, 0x7f, 0x10}, "movups %xmm15,0x10(%rdi)"},
	{[]byte{0x0f, 0x10, 0xc1}, "movups %xmm1,%xmm0"},
	{[]byte{0xf2, 0x0f, 0x10, 0x45, 0xf0}, "movsd -0x10(%rbp),%xmm0"},
	{[]byte{0x66, 0x0f, 0xef, 0xc0}, "pxor %xmm0,%xmm0"},
	{[]byte{0x66, 0x0f, 0xe7, 0x07}, "movntdq %xmm0,(%rdi)"},
	{[]byte{0x0f, 0x12, 0x06}, "movlps (%rsi),%xmm0"},
	{[]byte{0xc5, 0xfe, 0x6f, 0x06}, "vmovdqu (%rsi),%ymm0"},
	{[]byte{0xc5, 0xf8, 0x77}, "vzeroupper"},
	{[]byte{0xc4, 0xe1, 0x7c, 0x77}, "vzeroall"},
	{[]byte{0xf4}, "hlt"},
	{[]byte{0x0f, 0x0b}, "ud2"},
	{[]byte{0xcc}, "int3"},
	{[]byte{0xcd, 0x80}, "int $0x80"},
	{[]byte{0x90}, "nop"},
	{[]byte{0x0f, 0x1f, 0x44, 0x00, 0x00}, "nopl 0x0(%rax,%rax,1)"},
	{[]byte{0xc3}, "ret"},
	{[]byte{0xc2, 0x08, 0x00}, "ret $0x8"},
	{[]byte{0x0f, 0x30}, "wrmsr"},
	{[]byte{0x0f, 0x32}, "rdmsr"},
	{[]byte{0x0f, 0x05}, "syscall"},
	{[]byte{0x48, 0xcf}, "iretq"},
	{[]byte{0xfa}, "cli"},
	{[]byte{0xe4, 0x60}, "in $0x60,%al"},
	{[]byte{0xec}, "in (%dx),%al"},
	{[]byte{0xe6, 0x80}, "out %al,$0x80"},
	{[]byte{0xef}, "out %eax,(%dx)"},
	{[]byte{0x0f, 0x01, 0x17}, "lgdt (%rdi)"},
	{[]byte{0x0f, 0x01, 0x38}, "invlpg (%rax)"},
	{[]byte{0x0f, 0x01, 0xf8}, "swapgs"},
	{[]byte{0x0f, 0xae, 0x38}, "clflush (%rax)"},
	{[]byte{0x0f, 0xae, 0xf0}, "mfence"},
	{[]byte{0x0f, 0x18, 0x08}, "prefetcht0 (%rax)"},
	{[]byte{0x48, 0x0f, 0xc7, 0x0f}, "cmpxchg16b (%rdi)"},
	{[]byte{0xf0, 0x0f, 0xb1, 0x0a}, "lock cmpxchg %ecx,(%rdx)"},
	{[]byte{0xf0, 0x48, 0x0f, 0xc1, 0x07}, "lock xadd %rax,(%rdi)"},
	{[]byte{0x0f, 0x22, 0xd8}, "mov %rax,%cr3"},
	{[]byte{0x0f, 0x20, 0xd0}, "mov %cr2,%rax"},
	{[]byte{0x0f, 0x94, 0xc0}, "sete %al"},
	{[]byte{0x0f, 0x94, 0x00}, "sete (%rax)"},
	{[]byte{0x48, 0x0f, 0x44, 0xc1}, "cmove %rcx,%rax"},
	{[]byte{0xf3, 0x48, 0xab}, "rep stos %rax,%es:(%rdi)"},
	{[]byte{0xf3, 0x48, 0xa5}, "rep movsq %ds:(%rsi),%es:(%rdi)"},
	{[]byte{0xf3, 0xa4}, "rep movsb %ds:(%rsi),%es:(%rdi)"},
	{[]byte{0xac}, "lods %ds:(%rsi),%al"},
	{[]byte{0xf3, 0xa6}, "repz cmpsb %es:(%rdi),%ds:(%rsi)"},
	{[]byte{0xf2, 0xae}, "repnz scas %es:(%rdi),%al"},
	{[]byte{0xc8, 0x10, 0x00, 0x01}, "enter $0x10,$0x1"},
	{[]byte{0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08}, "palignr $0x8,%xmm1,%xmm0"},
	{[]byte{0x66, 0x0f, 0x70, 0x04, 0x24, 0x1b}, "pshufd $0x1b,(%rsp),%xmm0"},
	{[]byte{0x0f, 0xba, 0x68, 0x08, 0x3f}, "btsl $0x3f,0x8(%rax)"},
	{[]byte{0x67, 0x8b, 0x03}, "mov (%ebx),%eax"},
}

// text returns what Line wrote after the raw-bytes column.
func text(t *testing.T, code []byte) (string, int) {
	t.Helper()
	var buf [128]byte
	n, l := Line(buf[:], code, testPC)
	s := string(buf[:n])
	raw := 3*max(rawColumn, min(l, len(code), maxInst)) - 1
	if l == 0 {
		raw = 3*max(rawColumn, min(len(code), maxInst)) - 1
	}
	if len(s) < raw+3 || s[raw:raw+3] != "   " {
		t.Fatalf("% x: raw column malformed in %q", code, s)
	}
	return s[raw+3:], l
}

func TestLine(t *testing.T) {
	for _, tt := range lineTests {
		got, l := text(t, tt.code)
		if got != tt.want {
			t.Errorf("% x: got %q, want %q", tt.code, got, tt.want)
		}
		if l != len(tt.code) {
			t.Errorf("% x: length %d, want %d", tt.code, l, len(tt.code))
		}
	}
}

// TestLineFull checks one complete line, raw bytes included, and that the
// instruction is taken from the front of a longer buffer.
func TestLineFull(t *testing.T) {
	var buf [96]byte
	code := []byte{0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0, 0xc3, 0x90}
	n, l := Line(buf[:], code, 0)
	want := "48 8b 04 25 00 00 00 00   mov 0x0,%rax"
	if got := string(buf[:n]); got != want || l != 8 {
		t.Errorf("got %q (len %d), want %q (len 8)", got, l, want)
	}
	n, _ = Line(buf[:], []byte{0x90}, 0)
	if got, want := string(buf[:n]), "90"+strings.Repeat(" ", 24)+"nop"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestBad(t *testing.T) {
	bad := [][]byte{
		{},
		{0x0f},                               // truncated escape
		{0x48},                               // lone REX
		{0x48, 0x8b},                         // missing ModRM
		{0x48, 0x8b, 0x04},                   // missing SIB
		{0x48, 0x8b, 0x44, 0x24},             // missing disp8
		{0xe8, 0x00, 0x00},                   // truncated rel32
		{0xb8, 0x01},                         // truncated imm32
		{0x8d, 0xc0},                         // lea with a register operand
		{0x0f, 0x04},                         // undefined two-byte opcode
		{0xd6},                               // salc: invalid in 64-bit mode
		{0x62, 0xf1, 0x7c, 0x48, 0x10, 0x00}, // EVEX: unsupported
		{0x06},                               // push %es: invalid in 64-bit mode
	}
	for _, code := range bad {
		var buf [128]byte
		n, l := Line(buf[:], code, testPC)
		s := string(buf[:n])
		if l != 0 || !strings.HasSuffix(s, "(bad)") {
			t.Errorf("% x: got %q length %d, want (bad) length 0", code, s, l)
		}
		if len(code) > 0 && !strings.HasPrefix(s, hexString(code)) {
			t.Errorf("% x: %q does not start with the raw bytes", code, s)
		}
	}
}

func hexString(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteByte(hexDigits[c>>4])
		sb.WriteByte(hexDigits[c&15])
	}
	return sb.String()
}

// TestSmallBuffer checks that output is truncated, never overrun.
func TestSmallBuffer(t *testing.T) {
	code := []byte{0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0}
	for size := 0; size < 40; size++ {
		buf := make([]byte, size+8)
		n, l := Line(buf[:size], code, 0)
		if n > size || l != 8 {
			t.Fatalf("size %d: n=%d l=%d", size, n, l)
		}
		for _, c := range buf[size:] {
			if c != 0 {
				t.Fatalf("size %d: wrote past the end", size)
			}
		}
	}
}

// TestDecodeAllocates documents why Line does not hand raw instructions to
// x86asm.Decode: a memory operand costs an allocation.
func TestDecodeAllocates(t *testing.T) {
	code := []byte{0x48, 0x8b, 0x04, 0x25, 0, 0, 0, 0}
	if a := testing.AllocsPerRun(100, func() { _, _ = x86asm.Decode(code, 64) }); a == 0 {
		t.Logf("x86asm.Decode no longer allocates for memory operands")
	} else {
		t.Logf("x86asm.Decode allocates %v times for %x", a, code)
	}
	if a := testing.AllocsPerRun(100, func() { _ = x86asm.MOVUPS.String(); _ = x86asm.R15.String() }); a != 0 {
		t.Errorf("Op/Reg String allocate %v times", a)
	}
}

func TestNoAllocs(t *testing.T) {
	var buf [128]byte
	for _, tt := range lineTests {
		code := tt.code
		if a := testing.AllocsPerRun(20, func() { Line(buf[:], code, testPC) }); a != 0 {
			t.Errorf("% x: Line allocates %v times", code, a)
		}
	}
}
