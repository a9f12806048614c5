/*
 * selftests/user/crashme.c - random and hostile inputs, run one by one;
 * the kernel must survive every one.  Built 64-bit and compat.
 *
 * The kernel hands out the plan (CTL_CRASHME_PLAN: seed, first and end
 * iteration) and is told each input before it runs (CTL_CRASHME), so
 * that a panic can print it and an input that ends this program (an
 * exit, a kill, an endless loop stopped by the timer) is skipped when
 * the kernel starts us again.  Input i depends only on the seed and i.
 *
 * An input is code at cm_code (then INT3 filler), every general register,
 * %rsp and %rflags (TF, NT, AC, DF, RF, ID and the arithmetic flags at
 * random), entered by cm_run() (crashme_asm.S); whatever it ends with is
 * delivered to cm_fault.  Kinds: random bytes; every way into the kernel
 * (SYSCALL, SYSENTER, INT $0x80, INT $N for every N, INT3, INT1, INTO);
 * MOV SS / POP SS from a word under a data breakpoint, then a way in;
 * far calls, jumps and returns through the GDT's selectors;
 * non-canonical FS/GS bases and random data selectors; XRSTOR, FXRSTOR
 * and LDMXCSR of garbage; every test control with random arguments; and
 * (64-bit) IRETQ of a random frame.  Two instructions QEMU 10.0.2 TCG
 * gets wrong in ways that break the hypervisor, not the kernel, never
 * run: no input holds the byte 0xCF (a 32-bit IRET: QEMU enters vm86
 * mode on one whose popped flags have VM, even at CPL 3 in long mode),
 * nor a MOV to CS (8E /1: QEMU loads CS, 0 say, and runs on, where every
 * CPU raises #UD; the next fault's frame then has CS 0, which Xen and hv
 * take for their own), nor one to segment register 6 or 7 (8E /6, /7:
 * QEMU clears the task register and dies at the next event, "invalid
 * tss").  Random bytes have them replaced (and counted).
 */
#include "ulib.h"

struct cm_regs {
	uint64_t r[16];		/* rax rcx rdx rbx rsp rbp rsi rdi r8..r15 */
	uint64_t rflags, rip, cs;
};
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };

struct cm_regs cm_in;
struct fault_info cm_fault_info;
static uint8_t cm_fault_stack[4096] __attribute__((aligned(16)));
uint8_t cm_code[4096] __attribute__((aligned(4096)));
/* What inputs point at: data, far pointers, frames; its top half is their stack. */
static uint8_t scratch[8192] __attribute__((aligned(4096)));
int cm_run(void);
void cm_fault(void);

enum kind { K_RANDOM, K_ENTRY, K_MOVSS, K_FAR, K_SEGBASE, K_XRSTOR, K_CONTROL, K_IRETQ, NR_KINDS };
static const char *const kind_names[NR_KINDS] = {
	"random bytes", "a way in", "MOV SS/POP SS + breakpoint", "far transfer",
	"segment bases", "XRSTOR garbage", "test control", "IRETQ",
};

#ifdef __x86_64__
#define BITS "64"
#else
#define BITS "32"
#endif

static uint64_t rng;

static uint64_t rnd(void)	/* splitmix64 */
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static const uint64_t interesting[] = {
	0, 1, ~0ull, 0x7fffffffffffffffull, 0x8000000000000000ull, 0x00007ffffffff000ull,
	0x0000800000000000ull, 0xffff800000000000ull, 0xffff830000000000ull,
	0xffffffff80000000ull, 0xfffffffffffff000ull, 0xffffffffull, 0x80000000ull,
	USER_IMAGE_BASE, USER_RO_PAGE, USER_UNMAPPED, USER_STACK_TOP,
	FLAT_USER_CS64, FLAT_USER_CS32, FLAT_USER_SS, 0xe008, 0xe010, 0xe040, 3,
};

/* Selectors a far transfer or a segment load may name. */
static const uint16_t selectors[] = {
	0, 3, 0xe008, 0xe00b, 0xe010, 0xe013, 0xe018, 0xe01b, 0xe023, 0xe02b, 0xe033,
	0xe038, 0xe03b, 0xe040, 0xe043, 0xe048, 0xfffb, 0x0004, 0x0007,
};

static uint64_t scratch_ptr(void)
{
	return (uint64_t)(uintptr_t)scratch + rnd() % 4096;
}

static uint64_t rand_value(void)
{
	switch (rnd() % 8) {
	case 0: return rnd();
	case 1: return rnd() & 0xff;
	case 2: case 3: return scratch_ptr();
	case 4: return interesting[rnd() % (sizeof(interesting) / sizeof(interesting[0]))];
	case 5: return (uint64_t)(uintptr_t)cm_code + rnd() % 64;
	default: return rnd() >> (rnd() % 64);
	}
}

static uint16_t rand_selector(void)
{
	return rnd() % 4 ? selectors[rnd() % (sizeof(selectors) / sizeof(selectors[0]))] : (uint16_t)rnd();
}

static unsigned long iret_bytes_replaced, mov_cs_replaced;

/*
 * No 0xCF anywhere an input can run, and no MOV to CS or to the segment
 * registers 6 and 7 (8E with ModRM.reg 1, 6, 7): see the top of this
 * file.  Each becomes a MOV to DS; an 8E at the end would take the INT3
 * filler (0xCC, reg 1) as its ModRM, so it becomes an 8B (a MOV from
 * memory).
 */
static void scrub(uint8_t *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (b[i] == 0xcf) {
			b[i] = 0xce;
			iret_bytes_replaced++;
		}
		if (b[i] == 0x8e && i + 1 == n) {
			b[i] = 0x8b;
			mov_cs_replaced++;
		} else if (b[i] == 0x8e && (((b[i + 1] >> 3) & 7) == 1 || ((b[i + 1] >> 3) & 7) >= 6)) {
			b[i + 1] = (b[i + 1] & ~0x38) | (3 << 3);
			mov_cs_replaced++;
		}
	}
}

static void put(uint8_t **p, const uint8_t *b, unsigned int n)
{
	memcpy(*p, b, n);
	*p += n;
}
#define PUT(p, ...) do { static const uint8_t b_[] = { __VA_ARGS__ }; put(&(p), b_, sizeof(b_)); } while (0)

/* SYSCALL, SYSENTER, INT $0x80, INT $n, INT3, INT1, INTO: the j-th. */
static void put_way_in(uint8_t **p, unsigned int j, unsigned int n)
{
	switch (j % 7) {
	case 0: PUT(*p, 0x0f, 0x05); break;
	case 1: PUT(*p, 0x0f, 0x34); break;
	case 2: PUT(*p, 0xcd, 0x80); break;
	case 3: PUT(*p, 0xcd); *(*p)++ = n; break;
	case 4: PUT(*p, 0xcc); break;
	case 5: PUT(*p, 0xf1); break;
	case 6: PUT(*p, 0xce); break;
	}
}

/* The number of a system call an input may make: never exit or set_handler
   on purpose (random inputs still may). */
static uint64_t rand_call(void)
{
	uint64_t nr = rnd() % 2 ? SYS_nop : rand_value();

	return (uint32_t)nr == SYS_exit || (uint32_t)nr == SYS_set_handler ? SYS_nop : nr;
}

static uint64_t dr_watch;	/* nonzero: a data breakpoint on this word */

static void make_input(uint64_t seed, uint64_t i, struct crashme_input *in)
{
	uint8_t *code = cm_code, *p = code;
	uint64_t sel_word, *q;
	unsigned int r, j = (unsigned int)(i / NR_KINDS);
	enum kind kind = (enum kind)(i % NR_KINDS);
	bool compat = USER_CS == FLAT_USER_CS32;

	rng = seed ^ (i * 0xd1342543de82ef95ull);
	rnd();
	if (kind == K_IRETQ && compat)
		kind = K_RANDOM;
	memset(cm_code, 0xcc, sizeof(cm_code));
	for (r = 0; r < 512; r += 8) {
		uint64_t v = rnd();

		memcpy(scratch + r, &v, 8);
	}
	scrub(scratch, 512);
	for (r = 0; r < 16; r++)
		cm_in.r[r] = rand_value();
	cm_in.r[RSP] = rnd() % 2 ? (uint64_t)(uintptr_t)scratch + 4096 + (rnd() % 2048 & ~7ull) : rand_value();
	cm_in.rflags = (rnd() & (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF |
				 X86_EFLAGS_SF | X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_NT |
				 X86_EFLAGS_AC | X86_EFLAGS_RF | X86_EFLAGS_ID)) |
		       (rnd() % 4 == 0 ? X86_EFLAGS_TF : 0) | X86_EFLAGS_IF | X86_EFLAGS_MBS;
	cm_in.rip = (uint64_t)(uintptr_t)code;
	cm_in.cs = USER_CS;
	dr_watch = 0;

	switch (kind) {
	case K_RANDOM:
		r = 1 + rnd() % 32;
		for (; p < code + r; p++)
			*p = (uint8_t)rnd();
		scrub(code, r);
		break;
	case K_ENTRY:
		cm_in.r[RAX] = rand_call();
		if (rnd() % 2) {	/* SYSENTER's return and stack, as our ABI wants */
			cm_in.r[RDX] = (uint64_t)(uintptr_t)code + 2;
			cm_in.r[RCX] = cm_in.r[RSP];
		}
		put_way_in(&p, j, j / 7);
		PUT(p, 0x0f, 0x0b);
		break;
	case K_MOVSS:
		sel_word = (uint64_t)(uintptr_t)scratch + 8 * (rnd() % 16);
		*(uint16_t *)(uintptr_t)sel_word = rnd() % 2 ? FLAT_USER_SS : rand_selector();
		cm_in.r[RAX] = rand_call();
		if (compat && rnd() % 2) {
			cm_in.r[RSP] = sel_word;
			PUT(p, 0x17);			/* pop %ss */
		} else {
			cm_in.r[RBX] = sel_word;
			PUT(p, 0x8e, 0x13);		/* mov (%rbx), %ss */
		}
		put_way_in(&p, rnd() % 7, (uint8_t)rnd());
		PUT(p, 0x0f, 0x0b);
		dr_watch = sel_word;
		break;
	case K_FAR:
		q = (uint64_t *)(uintptr_t)(scratch + 64);
		q[0] = rnd() % 2 ? (uint64_t)(uintptr_t)code + 0x100 : rand_value();
		q[1] = rand_selector();
		/* m16:32 far pointer too, at +96 */
		*(uint32_t *)(uintptr_t)(scratch + 96) = (uint32_t)q[0];
		*(uint16_t *)(uintptr_t)(scratch + 100) = (uint16_t)q[1];
		cm_in.r[RBX] = (uint64_t)(uintptr_t)(scratch + (j % 2 ? 64 : 96));
		switch (j % 8) {
		case 0: PUT(p, 0x48, 0xff, 0x1b); break;	/* lcall *(%rbx), m16:64 */
		case 1: PUT(p, 0xff, 0x1b); break;		/* lcall *(%rbx), m16:32 */
		case 2: PUT(p, 0x48, 0xff, 0x2b); break;	/* ljmp *(%rbx), m16:64 */
		case 3: PUT(p, 0xff, 0x2b); break;		/* ljmp *(%rbx), m16:32 */
		case 4: cm_in.r[RSP] = (uint64_t)(uintptr_t)q;	/* lretq from q */
			PUT(p, 0x48, 0xcb); break;
		case 5: cm_in.r[RSP] = (uint64_t)(uintptr_t)(scratch + 96);	/* lret (32) */
			PUT(p, 0xcb); break;
		default:
			if (compat) {				/* lcall/ljmp $sel, $off */
				*p++ = j % 8 == 6 ? 0x9a : 0xea;
				put(&p, (const uint8_t *)&q[0], 4);
				put(&p, (const uint8_t *)&q[1], 2);
			} else {
				PUT(p, 0x48, 0xff, 0x1b);
			}
		}
		code[0x100] = 0x0f;
		code[0x101] = 0x0b;
		break;
	case K_SEGBASE:
		cm_in.r[RAX] = rnd() % 2 ? (0x0000800000000000ull | rnd()) & ~0xffff000000000000ull : rand_value();
		cm_in.r[RCX] = rand_selector();
		switch (j % 8) {
		case 0: PUT(p, 0xf3, 0x48, 0x0f, 0xae, 0xd0, 0x64, 0x48, 0x8b, 0x13); break; /* wrfsbase; mov %fs:(%rbx) */
		case 1: PUT(p, 0xf3, 0x48, 0x0f, 0xae, 0xd8, 0x65, 0x48, 0x8b, 0x13); break; /* wrgsbase; mov %gs:(%rbx) */
		case 2: PUT(p, 0x8e, 0xe1, 0x64, 0x8b, 0x13); break;	/* mov %ecx, %fs; mov %fs:(%rbx) */
		case 3: PUT(p, 0x8e, 0xe9, 0x65, 0x8b, 0x13); break;	/* mov %ecx, %gs; mov %gs:(%rbx) */
		case 4: PUT(p, 0x8e, 0xd9, 0x8b, 0x13); break;		/* mov %ecx, %ds; mov (%rbx) */
		case 5: PUT(p, 0x8e, 0xc1, 0x0f, 0x05); break;		/* mov %ecx, %es; syscall */
		case 6: PUT(p, 0x0f, 0x01, 0xf8); break;		/* swapgs */
		default: PUT(p, 0xf3, 0x48, 0x0f, 0xae, 0xc0); break;	/* rdfsbase */
		}
		PUT(p, 0x0f, 0x0b);
		break;
	case K_XRSTOR:
		cm_in.r[RBX] = (uint64_t)(uintptr_t)scratch;
		if (rnd() % 2) {	/* a plausible header: XSTATE_BV, XCOMP_BV */
			q = (uint64_t *)(uintptr_t)(scratch + 512);
			q[0] = rnd() & 7;
			q[1] = rnd() % 2 ? 0 : rnd();
		}
		switch (j % 6) {
		case 0: PUT(p, 0x48, 0x0f, 0xae, 0x2b); break;	/* xrstor64 (%rbx) */
		case 1: PUT(p, 0x0f, 0xae, 0x2b); break;	/* xrstor (%rbx) */
		case 2: PUT(p, 0x0f, 0xae, 0x0b); break;	/* fxrstor (%rbx) */
		case 3: PUT(p, 0x0f, 0xae, 0x13); break;	/* ldmxcsr (%rbx) */
		case 4: PUT(p, 0x0f, 0x01, 0xd1); break;	/* xsetbv */
		default: PUT(p, 0x0f, 0xae, 0x23); break;	/* xsave (%rbx) */
		}
		PUT(p, 0x0f, 0x0b);
		break;
	case K_CONTROL:
		cm_in.r[RAX] = SYS_ctl;
#ifdef __x86_64__
		cm_in.r[RDI] = j % CTL_CRASHME_PLAN;
#else
		cm_in.r[RBX] = j % CTL_CRASHME_PLAN;
#endif
		if (rnd() % 2) {
			PUT(p, 0xcd, 0x80);
		} else if (compat && cpu_is_intel()) {
			cm_in.r[RDX] = (uint64_t)(uintptr_t)code + 2;
			cm_in.r[RCX] = cm_in.r[RSP];
			PUT(p, 0x0f, 0x34);
		} else {
			PUT(p, 0x0f, 0x05);
		}
		PUT(p, 0x0f, 0x0b);
		break;
	case K_IRETQ:
		q = (uint64_t *)(uintptr_t)(scratch + 4096);
		q[0] = rnd() % 2 ? (uint64_t)(uintptr_t)code + 0x100 : rand_value();
		q[1] = rand_selector();
		q[2] = rnd() & ~(uint64_t)X86_EFLAGS_VM;
		q[3] = rand_value();
		q[4] = rand_selector();
		cm_in.r[RSP] = (uint64_t)(uintptr_t)q;
		PUT(p, 0x48, 0xcf);
		code[0x100] = 0x0f;
		code[0x101] = 0x0b;
		break;
	case NR_KINDS:
		break;
	}

	memset(in, 0, sizeof(*in));
	in->iteration = i;
	in->kind = kind;
	in->len = p - code;
	in->rflags = cm_in.rflags;
	in->rsp = cm_in.r[RSP];
	memcpy(in->bytes, code, in->len < sizeof(in->bytes) ? in->len : sizeof(in->bytes));
}

/* Run the call `nr(a1, a2)' as an input, so that a missing entry point is
   just a fault; true if it came back (the UD2 after it). */
static bool guarded_call(unsigned int way, long nr, long a1, long a2)
{
	uint8_t *p = cm_code;

	memset(&cm_in, 0, sizeof(cm_in));
	cm_in.r[RSP] = (uint64_t)(uintptr_t)scratch + 6144;
	cm_in.rflags = X86_EFLAGS_IF | X86_EFLAGS_MBS;
	cm_in.rip = (uint64_t)(uintptr_t)cm_code;
	cm_in.cs = USER_CS;
	cm_in.r[RAX] = nr;
#ifdef __x86_64__
	cm_in.r[RDI] = a1;
	cm_in.r[RSI] = a2;
#else
	cm_in.r[RBX] = a1;
	cm_in.r[RSI] = a2;
	cm_in.r[RDX] = (uint64_t)(uintptr_t)cm_code + 2;	/* SYSENTER */
	cm_in.r[RCX] = cm_in.r[RSP];
#endif
	memset(cm_code, 0xcc, 64);
	if (way == 0)
		PUT(p, 0xcd, 0x80);
	else if (USER_CS == FLAT_USER_CS32 && cpu_is_intel())
		PUT(p, 0x0f, 0x34);
	else
		PUT(p, 0x0f, 0x05);
	PUT(p, 0x0f, 0x0b);
	cm_run();
	return cm_fault_info.vector == X86_EXC_UD && cm_fault_info.rip == (uintptr_t)cm_code + 2;
}

/* After a test control: every entry point back, no breakpoint, FPU usable. */
static void restore(void)
{
	if (!guarded_call(0, SYS_ctl, CTL_RESTORE, 0))
		guarded_call(1, SYS_ctl, CTL_RESTORE, 0);
	sys_ctl(CTL_SET_DR, 7, 0);
	sys_ctl(CTL_FPU_TS, 0, 0);
}

int main(void)
{
	static struct crashme_plan plan;
	static struct crashme_input in;
	static unsigned long by_vector[257], by_kind[NR_KINDS], bad_frames;
	unsigned long n = 0;
	uint64_t i;
	long rc;
	unsigned int v;

	/* Checked, but said only when wrong: the program starts again after
	   every input that ended it, and a TAP line per start would make the
	   count of checks depend on how many inputs ran past their time. */
	rc = sys_ctl(CTL_CRASHME_PLAN, (long)&plan, 0);
	if (rc) {
		tap_eq(rc, 0, "CTL_CRASHME_PLAN");
		return 1;
	}
	sys3(SYS_set_handler, (long)cm_fault, (long)&cm_fault_info, (long)(cm_fault_stack + sizeof(cm_fault_stack)));
	cpu_is_intel();		/* CPUID now, not from inside an input */
	for (i = plan.first; i < plan.end; i++) {
		make_input(plan.seed, i, &in);
		/* Refused: an input wrote over us.  Let the kernel start us again. */
		rc = sys_ctl(CTL_CRASHME, (long)&in, 0);
		if (rc) {
			diag("input %llu refused (%ld): starting again", (unsigned long long)i, rc);
			return 2;
		}
		if (dr_watch && (sys_ctl(CTL_SET_DR, 0, (long)dr_watch) || sys_ctl(CTL_SET_DR, 7, 0x70001))) {
			tap(false, "data breakpoint on %#llx", (unsigned long long)dr_watch);
			return 1;
		}
		memset(&cm_fault_info, 0, sizeof(cm_fault_info));
		cm_fault_info.vector = 256;
		cm_run();
		if (dr_watch)
			sys_ctl(CTL_SET_DR, 7, 0);
		if (in.kind == K_CONTROL)
			restore();
		v = cm_fault_info.vector < 256 ? cm_fault_info.vector : 256;
		by_vector[v]++;
		by_kind[in.kind]++;
		n++;
		/* The kernel hands us user frames only. */
		if ((cm_fault_info.cs & 3) != 3 || (cm_fault_info.ss & 3) != 3 || v == 256) {
			if (bad_frames++ < 5)
				diag("crashme" BITS ": input %llu (%s): delivered vector %u, cs %#llx, ss %#llx",
				     (unsigned long long)i, kind_names[in.kind], v,
				     (unsigned long long)cm_fault_info.cs, (unsigned long long)cm_fault_info.ss);
		}
	}
	diag("crashme" BITS ": %lu inputs, %llu..%llu (this run), ended by:", n,
	     (unsigned long long)plan.first, (unsigned long long)plan.end - 1);
	for (v = 0; v < 256; v++)
		if (by_vector[v])
			diag("  vector %3u: %lu", v, by_vector[v]);
	for (v = 0; v < NR_KINDS; v++)
		diag("  kind %-28s %lu", kind_names[v], by_kind[v]);
	diag("  0xCF bytes replaced (no 32-bit IRET: the QEMU vm86 artifact): %lu", iret_bytes_replaced);
	diag("  MOV to CS or to segment register 6/7 replaced by MOV to DS (QEMU executes them): %lu",
	     mov_cs_replaced);
	tap(bad_frames == 0, "every delivery to the handler had a user frame (cs, ss RPL 3, a vector)");
	return 0;
}
