/*
 * hv/tests/guests/fuzz.c - a hostile guest: random hypercalls with nasty
 * pointers and counts, random iret frames, random code run in guest
 * kernel mode.  Whatever it does, hv must answer with error codes, crash
 * the domain at worst, and never panic, hang, or let the guest reach hv's
 * memory or write a page table.
 *
 * Command line: seed=N (default 1) calls=N (default 3000) irets=N
 * (default 300) programs=N (user-mode code, default 150) kprograms=N
 * (kernel-mode code, default 40).  The same seed gives the same
 * run.  Every fault the guest takes lands in recover(), which puts the
 * guest's own state back (trap table, callbacks, kernel stack, user page
 * table, debug registers) and goes on with the next item.  Random code
 * runs single-stepped (TF), at most STEP_LIMIT instructions a program, so
 * a loop in it cannot hang the run.
 *
 * Half its grant_table_op calls are well-formed: map, unmap and
 * unmap_and_replace of its own grants (refs 8..15 grant its sacrificial
 * pages, its page tables, shared_info, the grant frame, hv memory, with
 * random flags) at its sacrificial addresses or at raw PTE addresses,
 * copies between those grants and frames (written only into its
 * sacrificial pages, its L4 or hv memory: the last two must be refused),
 * set_version and get_status_frames; these draw from a second random
 * stream, so a seed's other calls stay the same.
 *
 * Before the kernel-mode code and at the end the guest walks its page
 * tables: no entry outside hv's own L4 slots may map a frame that is not
 * the guest's (or its shared_info or grant frame), no writable L1 entry may
 * map a page table, nor may an entry map a table above it on the way down
 * (a linear page table) with RW ("fuzz: page tables clean ...").  At the end it prints
 * "fuzz: ok" and powers off; hv then checks its own text (hv_exit).
 * Expected: "hv: text and rodata intact" and either status 0 with
 * "fuzz: ok", or status 5: kernel-mode code may point %rsp anywhere, and
 * a fault then crashes the domain (as on Xen) - after the first walk.
 */
#include "guest.h"
#include <xen/memory.h>
#include <xen/grant_table.h>

#define STR_(x) #x
#define STR(x) STR_(x)

extern char hypercall_page[];

/* Hypercall number nr through the hypercall page (entry nr at nr * 32). */
static long hc_r8(unsigned int nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    long r;
    register uint64_t r10 asm("r10") = a4;
    register uint64_t r8 asm("r8") = a5;
    asm volatile("call *%[entry]"
                 : "=a"(r), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                 : [entry] "r"(hypercall_page + nr * 32)
                 : "memory", "rcx", "r9", "r11");
    return r;
}
#define HC(nr, a1, a2, a3, a4) \
    hc_r8(nr, (uint64_t)(a1), (uint64_t)(a2), (uint64_t)(a3), (uint64_t)(a4), 0)

#define VBASE      0xffffffff80000000ul
#define STEP_LIMIT 200

uint8_t k_stack[4 * PAGE] __attribute__((aligned(PAGE)));  /* stack_switch */
uint8_t r_stack[4 * PAGE] __attribute__((aligned(PAGE)));  /* recover() */
uint8_t x_stack[2 * PAGE] __attribute__((aligned(PAGE)));  /* random code */
/* Sacrificial pages: hypercalls may write here; the page after is unmapped. */
static uint8_t scratch[3 * PAGE] __attribute__((aligned(PAGE)));
#define GUARD (scratch + 2 * PAGE)
static uint8_t code_page[PAGE] __attribute__((aligned(PAGE)));    /* random code */
static uint8_t walk_page[PAGE] __attribute__((aligned(PAGE)));    /* page-table window */

static const start_info_t *si;
static uint64_t seed = 1, rng;
static unsigned long dump_program;      /* dump=N: print program N's bytes */
static unsigned long n_calls = 3000, n_irets = 300, n_programs = 150, n_kprograms = 40;
static unsigned long done_calls, done_irets, done_programs, done_kprograms, faults, accepted, total_steps;
static int walk_due;
static int phase;               /* 0 calls, 1 irets, 2 user code, 3 kernel code, 4 done */
volatile int in_random;
volatile unsigned int steps;

static uint64_t xorshift(uint64_t *r)
{
    *r ^= *r >> 12;
    *r ^= *r << 25;
    *r ^= *r >> 27;
    return *r * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd(void)
{
    return xorshift(&rng);
}

/* The well-formed grant calls' own stream. */
static uint64_t rng_gnt;
static uint64_t rnd_gnt(void)
{
    return xorshift(&rng_gnt);
}

static uint64_t pick(const uint64_t *pool, unsigned int n)
{
    return pool[rnd() % n];
}
#define PICK(pool) pick(pool, sizeof(pool) / sizeof(pool[0]))

/* ---- the guest's own state, put back after every item ---- */

extern char recover_stub[], db_stub[], k_landing[], fz_code[], fz_code_end[];
static struct trap_info traps[34];

static void restore_state(void)
{
    struct callback_register cb = { .flags = 0 };
    static const unsigned int types[] = { CALLBACKTYPE_event, CALLBACKTYPE_failsafe,
                                          CALLBACKTYPE_syscall, CALLBACKTYPE_syscall32,
                                          CALLBACKTYPE_sysenter, CALLBACKTYPE_nmi };
    struct mmuext_op op = { .cmd = MMUEXT_NEW_USER_BASEPTR };

    HC(__HYPERVISOR_set_debugreg, 7, 0, 0, 0);
    HC(__HYPERVISOR_fpu_taskswitch, 0, 0, 0, 0);
    HC(__HYPERVISOR_set_trap_table, traps, 0, 0, 0);
    for (unsigned int i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        cb.type = types[i];
        cb.address = (unsigned long)recover_stub;
        HC(__HYPERVISOR_callback_op, CALLBACKOP_register, &cb, 0, 0);
    }
    HC(__HYPERVISOR_stack_switch, FLAT_KERNEL_SS, k_stack + sizeof(k_stack), 0, 0);
    op.arg1.mfn = mfn_of(u_l4);
    HC(__HYPERVISOR_mmuext_op, &op, 1, 0, DOMID_SELF);
}

/* ---- nasty values ---- */

static uint64_t nasty_ptr(void)
{
    const uint64_t pool[] = {
        0, 1, 0xfff, 0x1000, ~0ul, 0x8000000000000000ul, 0x00007ffffffff000ul,
        0xffff800000000000ul, 0xffff830000100000ul, 0xffff82d080000000ul,
        (uint64_t)scratch, (uint64_t)scratch + 8, (uint64_t)GUARD - 3,
        (uint64_t)GUARD, (uint64_t)GUARD - 8, rnd(), rnd() & 0x00007ffffffffffful,
    };
    return PICK(pool);
}

static uint64_t nasty_count(void)
{
    const uint64_t pool[] = {
        0, 1, 2, 3, 255, 256, 257, 511, 4096, 0x7fffffff, 0x80000000, 0xffffffff,
        0x100000001ul, ~0ul, rnd() & 0xffff, rnd(),
    };
    return PICK(pool);
}

static uint64_t nasty_cmd(void)
{
    const uint64_t pool[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 20, 31, 32, 63,
                              0x100000000ul, 0x100000003ul, 0xffffffff, ~0ul, rnd() & 63, rnd() };
    return PICK(pool);
}

/* Machine frames: hv's, beyond RAM, the sacrificial ones, the guest's L4. */
static uint64_t nasty_mfn(void)
{
    const uint64_t pool[] = {
        0, 1, 0x100, 0x101, 0xfee00, 0xfffffffffful, ~0ul,
        mfn_of(scratch), mfn_of(scratch + PAGE), mfn_of((void *)si->pt_base),
        mfn_of(u_l4), si->shared_info >> 12, rnd() & 0xfffff,
    };
    return PICK(pool);
}

static uint64_t nasty_pte(void)
{
    uint64_t flags = rnd() & 0x8000000000000fffull;
    return (nasty_mfn() << 12) | flags | (rnd() & 1);
}

/*
 * An mmu_update target: anything but the guest's own live tables, except
 * their hv slots (256..271 of an L4), which must be refused.
 */
static uint64_t table_ptr(void)
{
    uint64_t mfn = nasty_mfn();

    if (mfn == mfn_of((void *)si->pt_base) || mfn == mfn_of(u_l4))
        return (mfn << 12) | ((256 + rnd() % 16) * 8) | (rnd() & 3);
    return (mfn << 12) | (rnd() & 0xfff);
}

/* Fill the first sacrificial page with requests of a given shape. */
static void fill_scratch(void)
{
    uint64_t *w = (uint64_t *)scratch;
    for (unsigned int i = 0; i < 2 * PAGE / 8; i += 2) {
        switch (rnd() % 4) {
        case 0: w[i] = table_ptr(); w[i + 1] = nasty_pte(); break;
        case 1: w[i] = rnd() & 31; w[i + 1] = nasty_mfn(); break;          /* mmuext_op */
        case 2: w[i] = rnd(); w[i + 1] = rnd(); break;
        default: w[i] = nasty_ptr(); w[i + 1] = nasty_count(); break;
        }
    }
    /* As a multicall list (64-byte entries, op first): no iret (a random
     * frame) and no sched_op (a shutdown): those end the run, which is
     * not what is tested. */
    for (unsigned int i = 0; i < 2 * PAGE / 8; i += 8)
        if (w[i] == __HYPERVISOR_iret || w[i] == __HYPERVISOR_sched_op)
            w[i] = 63;
}

/* ---- well-formed grant-table calls ---- */

static uint8_t gnt_page[PAGE] __attribute__((aligned(PAGE)));   /* the grant frame, mapped */
static uint64_t gnt_mfn;

static void grant_setup(void)
{
    xen_pfn_t frame = 0;
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };

    set_xen_guest_handle(st.frame_list, &frame);
    check(HC(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table, &st, 1, 0) == 0 && st.status == 0 &&
          HC(__HYPERVISOR_update_va_mapping, gnt_page, (frame << 12) | 0x67, UVMF_INVLPG, 0) == 0,
          "grant frame set up and mapped");
    gnt_mfn = frame;
}

/* Refs 8..15 grant these frames to the domain itself (v1 layout; after a
 * switch to v2 the same bytes are whatever v2 makes of them). */
static void grant_fill(void)
{
    const uint64_t frames[] = {
        mfn_of(scratch), mfn_of(scratch + PAGE), mfn_of((void *)si->pt_base), mfn_of(u_l4),
        si->shared_info >> 12, gnt_mfn, 0x100, rnd_gnt() & 0xfffff,
    };
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    grant_entry_v1_t *e1 = (grant_entry_v1_t *)gnt_page;
    grant_entry_v2_t *e2 = (grant_entry_v2_t *)gnt_page;

    HC(__HYPERVISOR_grant_table_op, GNTTABOP_get_version, &gv, 1, 0);
    for (unsigned int i = 8; i < 16; i++) {
        uint64_t frame = frames[(i + rnd_gnt()) % 8];
        domid_t to = rnd_gnt() % 8 ? 0 : DOMID_SELF;
        uint16_t flags = (uint16_t)(rnd_gnt() % 4 ? GTF_permit_access | (rnd_gnt() & GTF_readonly) : rnd_gnt());
        if (gv.version == 2) {
            e2[i].full_page.frame = frame;
            e2[i].hdr.domid = to;
            e2[i].hdr.flags = flags;
        } else {
            e1[i] = (grant_entry_v1_t){ .flags = flags, .domid = to, .frame = (uint32_t)frame };
        }
    }
}

static uint64_t grant_addr(int pte)
{
    const uint64_t va[] = { (uint64_t)scratch, (uint64_t)scratch + PAGE, (uint64_t)GUARD,
                            (uint64_t)scratch, (uint64_t)scratch + PAGE, (uint64_t)GUARD, 0,
                            0xffff800000000000ul, 0x8000000000000000ul, rnd_gnt() };
    const uint64_t ma[] = { mfn_of(scratch) << 12, (mfn_of(scratch) << 12) + 8 * (rnd_gnt() % 512),
                            (mfn_of(scratch + PAGE) << 12) + 4, mfn_of((void *)si->pt_base) << 12,
                            mfn_of(u_l4) << 12, rnd_gnt() };
    return pte ? ma[rnd_gnt() % (sizeof(ma) / sizeof(ma[0]))] : va[rnd_gnt() % (sizeof(va) / sizeof(va[0]))];
}

/* A copy may write only into the sacrificial pages (or be refused). */
static int copy_target_ok(uint64_t frame)
{
    return frame == mfn_of(scratch) || frame == mfn_of(scratch + PAGE) ||
           frame == mfn_of((void *)si->pt_base) || frame == 0x100;
}

/* One copy op between the grants of grant_fill() and the same frames. */
static struct gnttab_copy grant_copy(void)
{
    const uint64_t from[] = {
        mfn_of(scratch), mfn_of(scratch + PAGE), mfn_of((void *)si->pt_base), mfn_of(u_l4),
        si->shared_info >> 12, gnt_mfn, 0x100, rnd_gnt() & 0xfffff,
    };
    const uint64_t to[] = { mfn_of(scratch), mfn_of(scratch + PAGE), mfn_of((void *)si->pt_base), 0x100 };
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    const grant_entry_v1_t *e1 = (const grant_entry_v1_t *)gnt_page;
    const grant_entry_v2_t *e2 = (const grant_entry_v2_t *)gnt_page;
    uint16_t flags = (uint16_t)(rnd_gnt() % 4) | (uint16_t)(rnd_gnt() % 8 ? 0 : rnd_gnt());
    struct gnttab_copy c = {
        .len = (uint16_t)(rnd_gnt() % 4 ? rnd_gnt() % 64 : rnd_gnt() % 8192),
        .flags = flags,
    };

    HC(__HYPERVISOR_grant_table_op, GNTTABOP_get_version, &gv, 1, 0);
    c.source.offset = (uint16_t)(rnd_gnt() % 4 ? rnd_gnt() % PAGE : rnd_gnt());
    c.dest.offset = (uint16_t)(rnd_gnt() % 4 ? rnd_gnt() % PAGE : rnd_gnt());
    c.source.domid = rnd_gnt() % 8 ? DOMID_SELF : rnd_gnt() % 2 ? 0 : (domid_t)rnd_gnt();
    c.dest.domid = rnd_gnt() % 8 ? DOMID_SELF : rnd_gnt() % 2 ? 0 : (domid_t)rnd_gnt();
    if (flags & GNTCOPY_source_gref)
        c.source.u.ref = 8 + (uint32_t)(rnd_gnt() % (rnd_gnt() % 8 ? 8 : 600));
    else
        c.source.u.gmfn = from[rnd_gnt() % (sizeof(from) / sizeof(from[0]))];
    if (flags & GNTCOPY_dest_gref) {
        grant_ref_t ref = 8 + (uint32_t)(rnd_gnt() % 8);
        uint64_t frame = gv.version == 2 ? e2[ref].full_page.frame : e1[ref].frame;
        c.dest.u.ref = copy_target_ok(frame) ? ref : 600;
    } else {
        c.dest.u.gmfn = to[rnd_gnt() % (sizeof(to) / sizeof(to[0]))];
    }
    return c;
}

/* A grant_table_op call with well-formed ops in scratch: cmd, op, count. */
static void grant_call(uint64_t *cmd, uint64_t *uop, uint64_t *count)
{
    /* Each map flag and its chance of being set, in quarters. */
    static const struct { uint32_t bit; unsigned int quarters; } fl[] = {
        { GNTMAP_host_map, 3 }, { GNTMAP_device_map, 2 }, { GNTMAP_readonly, 2 },
        { GNTMAP_application_map, 1 }, { GNTMAP_contains_pte, 1 },
    };
    unsigned int n = 1 + (unsigned int)(rnd_gnt() % 3);

    grant_fill();
    *uop = (uint64_t)scratch;
    *count = n;
    switch (rnd_gnt() % 9) {
    case 0: case 1: case 2: {
        struct gnttab_map_grant_ref *m = (void *)scratch;
        *cmd = GNTTABOP_map_grant_ref;
        for (unsigned int i = 0; i < n; i++) {
            uint32_t f = 0;
            for (unsigned int b = 0; b < sizeof(fl) / sizeof(fl[0]); b++)
                if (rnd_gnt() % 4 < fl[b].quarters)
                    f |= fl[b].bit;
            f |= rnd_gnt() % 8 ? 0 : (uint32_t)rnd_gnt();
            m[i] = (struct gnttab_map_grant_ref){
                .host_addr = grant_addr(f & GNTMAP_contains_pte), .flags = f,
                .ref = 8 + (uint32_t)(rnd_gnt() % (rnd_gnt() % 8 ? 8 : 600)),
                .dom = rnd_gnt() % 8 ? 0 : (domid_t)rnd_gnt(),
            };
        }
        break;
    }
    case 3: case 4: {
        struct gnttab_unmap_grant_ref *u = (void *)scratch;
        *cmd = GNTTABOP_unmap_grant_ref;
        for (unsigned int i = 0; i < n; i++)
            u[i] = (struct gnttab_unmap_grant_ref){
                .host_addr = grant_addr(rnd_gnt() % 4 == 0),
                .dev_bus_addr = rnd_gnt() % 2 ? 0 : grant_addr(1) & ~0xffful,
                .handle = (grant_handle_t)(rnd_gnt() % 8 ? rnd_gnt() % 16 : rnd_gnt()),
            };
        break;
    }
    case 5: {
        struct gnttab_unmap_and_replace *u = (void *)scratch;
        *cmd = GNTTABOP_unmap_and_replace;
        for (unsigned int i = 0; i < n; i++)
            u[i] = (struct gnttab_unmap_and_replace){
                .host_addr = grant_addr(rnd_gnt() % 4 == 0), .new_addr = grant_addr(0),
                .handle = (grant_handle_t)(rnd_gnt() % 16),
            };
        break;
    }
    case 7: {
        struct gnttab_copy *c = (void *)scratch;
        *cmd = GNTTABOP_copy;
        for (unsigned int i = 0; i < n; i++)
            c[i] = grant_copy();
        break;
    }
    case 6: {
        struct gnttab_set_version *v = (void *)scratch;
        *cmd = GNTTABOP_set_version;
        v->version = 1 + (uint32_t)(rnd_gnt() % 2);
        break;
    }
    default: {
        struct gnttab_get_status_frames *g = (void *)scratch;
        *cmd = GNTTABOP_get_status_frames;
        *g = (struct gnttab_get_status_frames){ .nr_frames = (uint32_t)(rnd_gnt() % 3), .dom = DOMID_SELF };
        set_xen_guest_handle(g->frame_list, (uint64_t *)(scratch + PAGE));
        break;
    }
    }
}

/* ---- phase 0: random hypercalls ---- */

static const unsigned int calls[] = {
    __HYPERVISOR_set_trap_table, __HYPERVISOR_mmu_update, __HYPERVISOR_set_gdt,
    __HYPERVISOR_stack_switch, __HYPERVISOR_fpu_taskswitch, __HYPERVISOR_set_debugreg,
    __HYPERVISOR_get_debugreg, __HYPERVISOR_update_descriptor, __HYPERVISOR_memory_op,
    __HYPERVISOR_multicall, __HYPERVISOR_update_va_mapping, __HYPERVISOR_set_timer_op,
    __HYPERVISOR_xen_version, __HYPERVISOR_console_io, __HYPERVISOR_grant_table_op,
    __HYPERVISOR_vm_assist, __HYPERVISOR_mmuext_op, __HYPERVISOR_set_segment_base,
    __HYPERVISOR_sched_op, __HYPERVISOR_callback_op, __HYPERVISOR_nmi_op,
    __HYPERVISOR_event_channel_op, __HYPERVISOR_physdev_op, __HYPERVISOR_vcpu_op,
    __HYPERVISOR_hvm_op, __HYPERVISOR_sysctl, __HYPERVISOR_domctl, 47, 63,
};

/* A random call: a random fifth argument too. */
static long call(unsigned int nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    return hc_r8(nr, a1, a2, a3, a4, rnd());
}

static unsigned long maps_done;         /* grant mappings made */
static unsigned long copies_done;       /* grant copies made */

static void walk_all(const char *when);
static void remap_scratch(void);

/* One well-formed grant call (the caller walks the page tables after it). */
static void one_grant_call(void)
{
    uint64_t cmd, uop, count;

    grant_call(&cmd, &uop, &count);
    if (HC(__HYPERVISOR_grant_table_op, cmd, uop, count, 0) < 0)
        return;
    for (unsigned int i = 0; i < count; i++) {
        if (cmd == GNTTABOP_map_grant_ref)
            maps_done += ((struct gnttab_map_grant_ref *)scratch)[i].status == GNTST_okay;
        if (cmd == GNTTABOP_copy)
            copies_done += ((struct gnttab_copy *)scratch)[i].status == GNTST_okay;
    }
}

static void one_call(void)
{
    unsigned int grant_maps = 0;

    if (rnd_gnt() % 6 == 0) {           /* a grant call first, checked at once */
        one_grant_call();
        walk_all(0);
        remap_scratch();
    }

    unsigned int nr = calls[rnd() % (sizeof(calls) / sizeof(calls[0]))];
    uint64_t a1 = nasty_cmd(), a2 = nasty_ptr(), a3 = nasty_count(), a4 = rnd() & 1 ? DOMID_SELF : rnd();

    fill_scratch();
    switch (nr) {
    case __HYPERVISOR_set_trap_table:
    case __HYPERVISOR_set_gdt:
    case __HYPERVISOR_mmu_update:
    case __HYPERVISOR_mmuext_op:
    case __HYPERVISOR_multicall:
        a1 = nasty_ptr();
        a2 = nasty_count();
        a3 = rnd() & 1 ? nasty_ptr() : 0;
        break;
    case __HYPERVISOR_update_va_mapping: {
        /* Only addresses the guest can lose: the sacrificial pages, or none. */
        const uint64_t va[] = { (uint64_t)scratch, (uint64_t)scratch + PAGE, (uint64_t)GUARD,
                                0, 0x8000000000000000ul, 0xffff800000000000ul, 0xffff83000010f000ul };
        a1 = PICK(va);
        a2 = nasty_pte();
        a3 = rnd() & 7;
        break;
    }
    case __HYPERVISOR_update_descriptor:
        a1 = rnd() & 1 ? (mfn_of(scratch) << 12) + (rnd() & 0xfff) : (nasty_mfn() << 12) | (rnd() & 0xfff);
        a2 = rnd();
        if (a1 >> 12 == mfn_of((void *)si->pt_base) || a1 >> 12 == mfn_of(u_l4))
            a1 = 0;
        break;
    case __HYPERVISOR_set_debugreg:
        a1 = rnd() & 15;
        a2 = rnd() & 1 ? rnd() : nasty_ptr();
        if ((a1 & 0xffffffff) == 7 || (a1 & 0xffffffff) == 5)
            a2 &= ~0xfful;          /* no breakpoint enabled: recover() must run */
        break;
    case __HYPERVISOR_sched_op:
        if ((int)a1 == SCHEDOP_shutdown || (int)a1 == SCHEDOP_block || (int)a1 == SCHEDOP_shutdown_code)
            a1 = SCHEDOP_yield;     /* would end the run: not what is tested */
        break;
    case __HYPERVISOR_console_io:
        a1 = rnd() & 3;
        a3 = a2;
        a2 = rnd() & 63;            /* keep the console readable */
        if (rnd() % 8 == 0)
            a2 = nasty_count(), a3 = nasty_ptr();
        if (a3 >= (uint64_t)scratch && a3 < (uint64_t)GUARD)
            ;                       /* a bounded dump of the sacrificial pages */
        else if ((a3 >> 47) == 0x1ffff && (a2 & 0xffffffff) > 64)
            a3 = (uint64_t)GUARD;   /* no megabytes of the guest image */
        break;
    case __HYPERVISOR_grant_table_op:
        if (rnd_gnt() % 2) {
            grant_call(&a1, &a2, &a3);
            grant_maps = a1 == GNTTABOP_map_grant_ref ? (unsigned int)a3 : 0;
        }
        break;
    case __HYPERVISOR_xen_version:
    case __HYPERVISOR_callback_op:
    case __HYPERVISOR_nmi_op:
    case __HYPERVISOR_event_channel_op:
    case __HYPERVISOR_physdev_op:
    case __HYPERVISOR_memory_op:
    case __HYPERVISOR_vcpu_op:
        break;
    case __HYPERVISOR_set_segment_base:
        a1 = rnd() % 6;
        a2 = rnd() & 1 ? rnd() : nasty_ptr();
        break;
    default:
        break;
    }
    if (call(nr, a1, a2, a3, a4) >= 0) {
        accepted++;
        for (unsigned int i = 0; i < grant_maps; i++)
            maps_done += ((struct gnttab_map_grant_ref *)scratch)[i].status == GNTST_okay;
        if (nr == __HYPERVISOR_update_va_mapping || nr == __HYPERVISOR_mmu_update ||
            nr == __HYPERVISOR_mmuext_op || nr == __HYPERVISOR_update_descriptor ||
            nr == __HYPERVISOR_grant_table_op)
            walk_due = 1;           /* look before the mapping is put back */
    }
}

/* ---- phase 1: random iret frames ---- */

static void one_iret(void)
{
    static struct iret_context ic;
    const uint64_t rips[] = { (uint64_t)k_landing, USER_VA, 0x8000000000000000ul, 0xffff830000100000ul,
                              0, rnd() };
    const uint64_t css[] = { FLAT_KERNEL_CS, FLAT_USER_CS64, FLAT_USER_CS32, FLAT_KERNEL_CS & ~3ul,
                             0xe008, 0xe010, 0xe02b, 0, 0x13, rnd() & 0xffff, rnd() };
    const uint64_t sss[] = { FLAT_KERNEL_SS, FLAT_USER_SS, FLAT_USER_SS32, 0, 0xe010, 0xe033,
                             rnd() & 0xffff, rnd() };
    const uint64_t rsps[] = { (uint64_t)(x_stack + PAGE), USER_VA + 2 * PAGE, 0x8000000000000000ul,
                              0xffff830000200000ul, 0, rnd() };

    ic.rip = PICK(rips);
    ic.cs = PICK(css);
    ic.ss = PICK(sss);
    ic.rsp = PICK(rsps);
    /* A return to guest kernel mode (RPL 0) that faults puts the frame on
     * that very stack: a bad one is a (correct) domain crash, which would
     * end the run.  Kernel returns get a good stack. */
    if ((ic.cs & 3) != 3)
        ic.rsp = (uint64_t)(x_stack + PAGE);
    ic.rflags = rnd() & 1 ? 0x202 : rnd() & ~0x100ul;   /* never TF here */
    ic.flags = rnd() & 1 ? 0 : (rnd() & 1 ? VGCF_in_syscall : rnd());
    asm volatile("mov %0, %%rsp\n\t"
                 "jmp hypercall_page + 23 * 32"
                 :: "r"(&ic.flags), "a"(rnd()), "c"(rnd()) : "memory");
    __builtin_unreachable();
}

/* ---- phase 2: random code in guest kernel mode, single-stepped ---- */

/*
 * user: the bytes go to the user code page (USER_VA), the program runs in
 * guest user mode on the user stack; else in guest kernel mode on x_stack.
 */
static void one_program(int user)
{
    static struct iret_context ic;
    uint8_t *code_page_ = user ? u_code : code_page;
    uint64_t *w = (uint64_t *)code_page_;
#define code_page code_page_

    for (unsigned int i = 0; i < 64; i++)
        w[i] = rnd();
    for (unsigned int i = 512; i < PAGE; i++)
        code_page[i] = 0xcc;                    /* int3 after the random bytes */
    /* No SYSCALL or SYSENTER: a hypercall with what random code left in
     * %rax (set_trap_table(0) clears every handler) would end the run in
     * a domain crash; the hypercalls had their turn above. */
    for (unsigned int i = 0; i + 1 < 512; i++)
        if (code_page[i] == 0x0f && (code_page[i + 1] == 0x05 || code_page[i + 1] == 0x34))
            code_page[i] = code_page[i + 1] = 0x90;
    /* MOV to segment register 6 or 7 (8e /6, 8e /7) is #UD on a CPU;
     * QEMU 10.0 TCG instead clears the task register, and the next
     * event from ring 3 kills QEMU ("invalid tss").  Not hv's doing:
     * left out. */
    for (unsigned int i = 0; i + 1 < 512; i++)
        if (code_page[i] == 0x8e && ((code_page[i + 1] >> 3) & 7) >= 6)
            code_page[i] = code_page[i + 1] = 0x90;
#undef code_page
    if (done_programs + done_kprograms == dump_program) {
        printf("fuzz: program bytes:");
        for (unsigned int i = 0; i < 32; i++)
            printf(" %02x", code_page_[i]);
        printf("\n");
    }
    ic.rip = user ? USER_VA : (uint64_t)code_page;
    ic.cs = user ? FLAT_USER_CS64 : FLAT_KERNEL_CS & ~3ul;  /* RPL 0: guest kernel mode */
    ic.ss = user ? FLAT_USER_SS : FLAT_KERNEL_SS;
    ic.rsp = user ? USER_VA + 2 * PAGE : (uint64_t)(x_stack + PAGE);
    ic.rflags = 0x302;                          /* IF, TF */
    ic.flags = 0;
    steps = 0;
    in_random = 1;
    asm volatile("mov %0, %%rsp\n\t"
                 "xor %%ebx, %%ebx; xor %%edx, %%edx; xor %%esi, %%esi; xor %%edi, %%edi\n\t"
                 "xor %%ebp, %%ebp; xor %%r8d, %%r8d; xor %%r9d, %%r9d; xor %%r10d, %%r10d\n\t"
                 "xor %%r12d, %%r12d; xor %%r13d, %%r13d; xor %%r14d, %%r14d; xor %%r15d, %%r15d\n\t"
                 "jmp hypercall_page + 23 * 32"
                 /* %rax after the iret: an unused hypercall number */
                 :: "r"(&ic.flags), "a"(0x7ffful), "c"(0ul) : "memory");
    __builtin_unreachable();
}

/*
 * Entry stubs.  recover_stub: every trap-table entry and callback; it
 * drops whatever frame it got and continues on r_stack.  db_stub (#DB):
 * while random code runs and has steps left, iret straight back to it
 * (the bounce frame RCX R11 RIP CS RFLAGS RSP SS becomes the iret frame
 * FLAGS RIP CS RFLAGS RSP SS, below which the hypercall page's iret entry
 * pushes RCX R11 RAX).  k_landing: where kernel-mode irets land.
 */
asm(".text\n"
    "recover_stub:\n"
    "  lea r_stack + 4 * 4096(%rip), %rsp\n"
    "  call fuzz_resume\n"
    "  ud2\n"
    "db_stub:\n"
    "  cmpl $0, in_random(%rip)\n"
    "  je recover_stub\n"
    "  incl steps(%rip)\n"
    "  cmpl $" STR(STEP_LIMIT) ", steps(%rip)\n"
    "  jae recover_stub\n"
    "  mov (%rsp), %rcx\n"
    "  mov 8(%rsp), %r11\n"
    "  add $16, %rsp\n"
    "  pushq $0\n"                    /* flags; the iret entry pushes rcx r11 rax */
    "  jmp hypercall_page + 23 * 32\n"
    "k_landing:\n"
    "  int3\n"
    "  ud2\n"
    ".pushsection .rodata\n"
    "fz_code:\n"
    "  int3\n"
    "  ud2\n"
    "fz_code_end:\n"
    ".popsection\n");

/* ---- the page-table walk ---- */

static unsigned long nr_tables;
static uint64_t tables[1024];

static int is_table(uint64_t mfn)
{
    for (unsigned long i = 0; i < nr_tables; i++)
        if (tables[i] == mfn)
            return 1;
    return 0;
}

static int p2m_contiguous = -1;

static int guest_frame(uint64_t mfn)
{
    const unsigned long *p2m = (const unsigned long *)si->mfn_list;

    if (p2m_contiguous < 0) {
        p2m_contiguous = 1;
        for (unsigned long i = 0; i < si->nr_pages; i++)
            if (p2m[i] != p2m[0] + i)
                p2m_contiguous = 0;
    }
    if (p2m_contiguous)
        return mfn >= p2m[0] && mfn < p2m[0] + si->nr_pages;
    for (unsigned long i = 0; i < si->nr_pages; i++)
        if (p2m[i] == mfn)
            return 1;
    return 0;
}

/* Read a page-table frame through a read-only window. */
static const uint64_t *window(uint64_t mfn)
{
    if (HC(__HYPERVISOR_update_va_mapping, walk_page, (mfn << 12) | 0x25, UVMF_INVLPG, 0) != 0)
        return 0;
    return (const uint64_t *)walk_page;
}

static unsigned long bad_maps, bad_writable, unreadable, walks;

static uint64_t level_copy[5][512];     /* one copy per level: no big stack */
static uint64_t path[5];                /* the tables walked through, by level */

static void walk(uint64_t mfn, int level, int pass)
{
    uint64_t *e = level_copy[level];
    const uint64_t *t = window(mfn);

    if (!t) {
        unreadable++;
        return;
    }
    for (int i = 0; i < 512; i++)
        e[i] = t[i];
    if (pass == 0 && nr_tables < sizeof(tables) / sizeof(tables[0]))
        tables[nr_tables++] = mfn;
    path[level] = mfn;
    for (int i = 0; i < 512; i++) {
        if (!(e[i] & 1) || (level == 4 && i >= 256 && i <= 271))
            continue;                           /* hv's own L4 slots */
        uint64_t m = (e[i] & 0x000ffffffffff000ull) >> 12;
        if (level > 1) {
            int linear = 0;
            for (int k = level; k <= 4; k++)
                linear |= path[k] == m;
            /* A linear entry (to a table on the way down): everything
             * below it is these tables again, read-only if it is. */
            if (linear) {
                if (pass == 1 && (e[i] & 2))
                    bad_writable++;
                continue;
            }
            walk(m, level - 1, pass);
            continue;
        }
        if (pass == 1) {
            if (!guest_frame(m) && m != si->shared_info >> 12 && m != gnt_mfn)
                bad_maps++;
            if ((e[i] & 2) && is_table(m))
                bad_writable++;
        }
    }
}

/* Map the sacrificial pages back (hypercalls may have unmapped them). */
static void remap_scratch(void)
{
    for (int i = 0; i < 2; i++)
        HC(__HYPERVISOR_update_va_mapping, scratch + i * PAGE,
                  (mfn_of(scratch + i * PAGE) << 12) | 0x67, UVMF_INVLPG, 0);
    HC(__HYPERVISOR_update_va_mapping, GUARD, 0, UVMF_INVLPG, 0);
}

static void walk_all(const char *when)
{
    uint64_t l4 = mfn_of((void *)si->pt_base);

    in_random = 0;
    restore_state();
    nr_tables = 0;
    bad_maps = bad_writable = unreadable = 0;
    walk(l4, 4, 0);
    walk(mfn_of(u_l4), 4, 0);
    walk(l4, 4, 1);
    walk(mfn_of(u_l4), 4, 1);
    if (when)
        say("page tables walked: %lu, entries mapping a frame not the guest's: %lu, "
            "writable mappings of a page table: %lu", nr_tables, bad_maps, bad_writable);
    walks++;
    if (!when) {                /* after one accepted call: quiet unless bad */
        if (bad_maps || bad_writable || unreadable) {
            check(0, "page-table walk after call %lu: the mappings just changed are allowed ones",
                  done_calls);
        }
        return;
    }
    check(bad_maps == 0, "no mapping of hv memory");
    check(bad_writable == 0, "no writable mapping of a page table");
    check(unreadable == 0, "every page table readable through a read-only mapping");
    say("page-table walks: %lu", walks);
    if (!guest_fails)
        printf("fuzz: page tables clean %s\n", when);
}

static void report(void)
{
    printf("fuzz: seed %lu calls %lu (accepted %lu, grant mappings %lu, copies %lu) irets %lu programs %lu user, "
           "%lu kernel (%lu instructions) faults recovered %lu\n", (unsigned long)seed, done_calls, accepted,
           maps_done, copies_done, done_irets, done_programs, done_kprograms, total_steps, faults);
}

/* The loop: each item may end in recover_stub, which comes back here. */
static void __attribute__((noreturn)) fuzz_loop(void)
{
    for (;;) {
        restore_state();
        if (walk_due) {
            walk_due = 0;
            walk_all(0);
        }
        remap_scratch();
        if (phase == 0 && done_calls < n_calls) {
            done_calls++;
            one_call();
            continue;
        }
        if (phase == 0)
            phase = 1;
        if (phase == 1 && done_irets < n_irets) {
            done_irets++;
            one_iret();                 /* lands in recover_stub */
        }
        if (phase == 1) {
            phase = 2;
            printf("fuzz: hypercalls and irets done\n");
        }
        if (phase == 2 && done_programs < n_programs) {
            done_programs++;
            one_program(1);             /* ends in recover_stub */
        }
        if (phase == 2) {
            phase = 3;
            /* Kernel-mode code may wreck its own stack pointer: the
             * domain crash that follows is Xen's answer too.  So check
             * and report first. */
            walk_all("after the hypercalls, irets and user-mode code");
            report();
            if (guest_fails) {
                done_testing();
                shutdown(SHUTDOWN_crash);
            }
            printf("fuzz: kernel-mode code\n");
        }
        if (phase == 3 && done_kprograms < n_kprograms) {
            done_kprograms++;
            one_program(0);
        }
        phase = 4;
        walk_all("at the end");
        report();
        done_testing();
        if (!guest_fails)
            printf("fuzz: ok\n");
        shutdown(guest_fails ? SHUTDOWN_crash : SHUTDOWN_poweroff);
    }
}

void fuzz_resume(void) __attribute__((noreturn));
void fuzz_resume(void)
{
    if (in_random)
        total_steps += steps;
    in_random = 0;
    faults++;
    fuzz_loop();
}

static unsigned long arg(const char *cl, const char *key, unsigned long def)
{
    for (const char *p = cl; *p; p++) {
        const char *k = key, *q = p;
        while (*k && *q == *k)
            k++, q++;
        if (*k == 0 && (p == cl || p[-1] == ' ')) {
            unsigned long v = 0;
            while (*q >= '0' && *q <= '9')
                v = v * 10 + (unsigned long)(*q++ - '0');
            return v;
        }
    }
    return def;
}

void guest_main(start_info_t *start)
{
    const char *cl = (const char *)start->cmd_line;

    si = start;
    guest_setup(start, "fuzz");
    seed = arg(cl, "seed=", 1);
    n_calls = arg(cl, "calls=", n_calls);
    n_irets = arg(cl, "irets=", n_irets);
    n_programs = arg(cl, "programs=", n_programs);
    n_kprograms = arg(cl, "kprograms=", n_kprograms);
    dump_program = arg(cl, "dump=", 0);
    rng = seed * 0x9e3779b97f4a7c15ull + 1;
    rng_gnt = rng ^ 0x5851f42d4c957f2dull;
    say("seed %lu", (unsigned long)seed);

    for (unsigned int v = 0; v < 32; v++)
        traps[v] = (struct trap_info){ v, 3, FLAT_KERNEL_CS,
                                       v == 1 ? (unsigned long)db_stub : (unsigned long)recover_stub };
    traps[32] = (struct trap_info){ 0x80, 3, FLAT_KERNEL_CS, (unsigned long)recover_stub };

    /* A user address space (the iret cases that go to user mode). */
    user_space_fill((const uint8_t *)fz_code, (unsigned long)(fz_code_end - fz_code));
    uint8_t *pts[] = { u_l4, u_l3, u_l2, u_l1 };
    for (int i = 0; i < 4; i++)
        HC(__HYPERVISOR_update_va_mapping, pts[i], (mfn_of(pts[i]) << 12) | 0x25, UVMF_INVLPG, 0);
    struct mmuext_op op = { .cmd = MMUEXT_PIN_L4_TABLE };
    op.arg1.mfn = mfn_of(u_l4);
    check(HC(__HYPERVISOR_mmuext_op, &op, 1, 0, DOMID_SELF) == 0, "pin user L4");

    /* A linear page table for the whole run: the live L4 in its slot 1,
     * read-only (with RW it is refused), seen by every walk. */
    mmu_update_t mu = { (mfn_of((void *)si->pt_base) << 12) + 8, (mfn_of((void *)si->pt_base) << 12) | 0x27 };
    check(HC(__HYPERVISOR_mmu_update, &mu, 1, 0, DOMID_SELF) == -XEN_EINVAL,
          "the live L4 mapped into itself writable: refused");
    mu.val &= ~2ull;
    check(HC(__HYPERVISOR_mmu_update, &mu, 1, 0, DOMID_SELF) == 0, "the live L4 mapped into itself read-only");
    grant_setup();
    fuzz_loop();
}
