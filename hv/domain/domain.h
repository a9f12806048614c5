/*
 * hv/domain/domain.h - the one domain hv runs: its memory, page-table accounting,
 * vCPU, shared_info and event channels.
 *
 * ABI carried: the PV64 memory contract (machine frames, p2m, start_info,
 * the page-table type rules of FEATURES "!writable_page_tables").
 */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H

#include "lib/hv.h"
#include "core/vcpu.h"
#include "core/bounce.h"
#include "core/hypercall_check.h"
#include "core/timer.h"
#include <xen/xen.h>

/* Per guest frame: page-table type and the references that pin it. */
struct frame_info {
    uint8_t  type;      /* HV_PAGE_RAM or HV_PAGE_L1..L4                  */
    uint8_t  pinned;    /* MMUEXT_PIN_*_TABLE holds one type reference    */
    uint32_t tcount;    /* type references: upper-level entries, pins,
                           base pointers                                   */
    uint32_t wcount;    /* writable L1 entries mapping this frame          */
    int16_t  linear;    /* > 0: linear entries it holds to other tables;
                           < 0: linear entries mapping it (hv_check_linear) */
};

#define NR_EVTCHN 64

struct domain {
    struct hv_vcpu vcpu;        /* the running vCPU (vcpu.c swaps them)    */
    unsigned int nr_vcpus;      /* vCPUs the guest has (hv_opts.vcpus)     */
    unsigned int cur;           /* which one is running                    */
    bool resched;               /* pick a vCPU again before returning      */
    struct hv_guest_mem mem;
    struct hv_page_oracle oracle;

    uint64_t base_mfn;          /* guest frames: [base_mfn, base_mfn+nr_pages) */
    uint64_t nr_pages;
    struct frame_info *frames;

    shared_info_t *shared_info; /* hv page, mappable by the guest        */
    uint64_t shared_info_mfn;
    uint64_t grant_mfn;         /* the one grant-table frame             */
    uint64_t grant_status_mfn;  /* its status frame (version 2 only)     */

    bool     m2p_strict;        /* VMASST_TYPE_m2p_strict (m2p.c)         */
    uint64_t kernel_l4;         /* MMUEXT_NEW_BASEPTR (mfn)               */
    uint64_t user_l4;           /* MMUEXT_NEW_USER_BASEPTR (mfn), 0 = none */

    uint64_t dr7;
    bool     vcpu_ts;           /* fpu_taskswitch: virtual CR0.TS         */

    uint8_t  evtchn[NR_EVTCHN]; /* EVTCHN_* state of each port          */
    uint8_t  evtchn_vcpu[NR_EVTCHN]; /* the vCPU an IPI port notifies   */
    domid_t  evtchn_remote[NR_EVTCHN]; /* EVTCHN_UNBOUND: who may bind it */
    uint8_t  evtchn_virq[NR_EVTCHN]; /* EVTCHN_VIRQ: which VIRQ           */
    uint8_t  virq_port[NR_VIRQS];    /* bound port of each VIRQ, 0: none  */
    struct hv_timer timer;      /* the running vCPU's periodic/single-shot timers */
    bool     crashed;

    /* domU mode (hv_opts.domu): the toolstack's special pages, and the
     * ports bound to hv's own xenconsoled/xenstored stand-ins. */
    uint64_t console_mfn, store_mfn;    /* 0 in dom0 mode                 */
    unsigned int console_port, store_port;
    bool     console_bad_logged;
};

/* Event channel port states (Xen's ECS_FREE, ECS_IPI, ECS_INTERDOMAIN,
   ECS_UNBOUND, ECS_VIRQ). */
enum { EVTCHN_FREE, EVTCHN_IPI, EVTCHN_BACKEND, EVTCHN_UNBOUND, EVTCHN_VIRQ };
/* Ports libxl gives a domU: alloc_unbound for xenstore, then console. */
#define DOMU_STORE_PORT   1
#define DOMU_CONSOLE_PORT 2

extern struct domain dom;

/* build.c */
void domain_build(const void *elf, size_t len, uint64_t mod_end_pa, const char *cmdline);

/* domain.c */
_Noreturn void domain_crash(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void domain_shutdown(unsigned int reason);
void load_guest_cr3(void);      /* CR3 := kernel or user table per mode */
void gs_base_swap(void);        /* guest kernel <-> user GS base */
void guest_mode_switched(bool was_kernel); /* GS base + CR3 after a mode change */
extern const struct hv_guest_mem guest_mem_ops;

/* console.c */
void console_backend_drain(bool notify);   /* domU console ring -> serial */

/* m2p.c */
void m2p_init(void);
void m2p_set(uint64_t mfn, uint64_t pfn);
void m2p_l4_slot(uint64_t l4_mfn, enum hv_m2p_event ev);
uint64_t m2p_get(uint64_t mfn);
long do_memory_op(uint64_t cmd, uint64_t arg);

/* mm.c */
void mm_init_domain(uint64_t base_mfn, uint64_t nr_pages);
bool hv_shared_page(uint64_t mfn);         /* shared_info, grant frames */
uint64_t mm_guest_cr3_mfn(void);
int mm_get_type(uint64_t mfn, unsigned int level);
void mm_put_type(uint64_t mfn);
long do_mmu_update(uint64_t ureqs, unsigned int count, uint64_t pdone, unsigned int domid);
long do_mmuext_op(uint64_t uops, unsigned int count, uint64_t pdone, unsigned int domid);
long do_update_va_mapping(uint64_t va, uint64_t val, uint64_t flags);
long do_set_gdt(uint64_t frame_list, unsigned int entries);
long do_update_descriptor(uint64_t maddr, uint64_t desc);
long vcpu_set_gdt(unsigned int id, const uint64_t *frames, uint64_t entries);
bool mm_l1_slot(uint64_t addr, bool machine, uint64_t *l1_mfn, unsigned int *slot);
uint64_t mm_l1_read(uint64_t l1_mfn, unsigned int slot);
int mm_l1_write(uint64_t l1_mfn, unsigned int slot, uint64_t val);
uint64_t mm_l1_take(uint64_t l1_mfn, unsigned int slot);
void mm_l1_place(uint64_t l1_mfn, unsigned int slot, uint64_t taken);
void mm_l1_ref(uint64_t val);
void mm_l1_drop(uint64_t val);
unsigned int mm_l1_maps(uint64_t mfn);
int copy_from_guest(void *dst, uint64_t gva, size_t len);
int copy_to_guest(uint64_t gva, const void *src, size_t len);

/* hypercall.c */
/* "hv: <what> <n> not implemented" once per n below nseen, 16 lines in all. */
void log_not_implemented(const char *what, unsigned long n, uint8_t *seen, unsigned long nseen);
void do_hypercall(struct hv_vcpu *v);
/* Work items (mmu_update requests, trap-table entries) one hypercall
 * does before it continues itself (hypercall_continue). */
#define HYPERCALL_BATCH 256
void hypercall_continue(struct hv_vcpu *v, unsigned int nr, uint64_t a1, uint64_t a2,
                        uint64_t a3, uint64_t a4);
#define HV_CONTINUED 1  /* do_mmu_update/do_mmuext_op/do_grant_table_op: continuation set up */
long do_set_segment_base(uint64_t which, uint64_t base);
long do_fpu_taskswitch(uint64_t set);
long do_set_debugreg(uint64_t reg, uint64_t val);
long do_get_debugreg(uint64_t reg);

/* emulate.c: a #UD or #GP(0) the guest's instruction needs hv to finish
 * (core/emulate.h).  EMUL_DONE: resume the guest; EMUL_DONE_STEP: the
 * guest single-steps, deliver *step (#DB) instead. */
struct hv_event;
enum { EMUL_NOT, EMUL_DONE, EMUL_DONE_STEP };
int emulate_guest_fault(struct hv_vcpu *v, const struct hv_event *ev, struct hv_event *step);

/* grant.c */
void grant_init(void);
bool grant_shared_frame(uint64_t mfn);     /* a grant frame the guest may map now */
long do_grant_table_op(unsigned int cmd, uint64_t uop, unsigned int count);

/* timer.c: hv's clock (ns since boot) and the vCPU's timers. */
extern uint64_t hv_now_ns;
/* The platform timer: `ns' have passed.  True if VIRQ_TIMER became pending. */
bool domain_timer_advance(uint64_t ns);
long do_vcpu_timer_op(struct hv_timer *t, int cmd, uint64_t arg);
long do_set_timer_op(uint64_t timeout);
bool domain_timer_may_wake(void);          /* all blocked: can a timer wake one? */
/* vcpu.c: several vCPUs on the one physical CPU */
void vcpus_init(void);
struct hv_vcpu *vcpu_of(unsigned int id);  /* running: &dom.vcpu */
struct vcpu_info *vcpu_info_of(unsigned int id);
void vcpu_kick(unsigned int id);           /* wake it if blocked */
bool vcpu_blocked(unsigned int id);        /* in SCHEDOP_block */
long vcpu_block(void);                     /* SCHEDOP_block */
void vcpu_yield(void);                     /* SCHEDOP_yield */
#define HV_SLICE_TICKS 10                  /* platform timer periods per slice */
bool vcpu_slice_tick(void);                /* a platform tick: true if the slice ended */
struct hv_timer *vcpu_timer(unsigned int id);
void schedule(void);                       /* dom.resched: pick the next vCPU */
long do_vcpu_op(struct hv_vcpu *v, uint64_t cmd, uint64_t vcpuid, uint64_t arg);
long vcpu_set_ldt(uint64_t base, unsigned int ents);   /* MMUEXT_SET_LDT */

/* evtchn.c */
void evtchn_set_pending(unsigned int port);
long do_event_channel_op(uint64_t cmd, uint64_t arg);

#endif /* HV_DOMAIN_H */
