/*
 * core/event.c - decode what the IDT and FRED front ends saw into the
 * neutral struct hv_event (see hv/event.h for the record's conventions).
 *
 * ABI carried: none towards the guest.  The facts it encodes are Xen's
 * IDT layout (every gate DPL0 except #BP, #OF and 0x80, so a refused
 * INT $N arrives as #GP with error code N*8+2), Xen's SYSCALL/SYSENTER
 * entry frames (x86_64/entry.S lstar_enter, cstar_enter, sysenter_entry,
 * and their FRED twins in traps.c entry_from_pv), and the FRED frame
 * layout of the Intel FRED specification.
 */
#include "event.h"
#include <x86/eflags.h>
#include <xen/xen.h>

static void clear(struct hv_event *ev)
{
    *ev = (struct hv_event){ 0 };
}

static uint8_t mode_of(uint16_t cs, bool guest_kernel)
{
    if ((cs & 3) == 0)
        return HV_MODE_HV;
    return guest_kernel ? HV_MODE_KERNEL : HV_MODE_USER;
}

static bool exc_has_ec(uint8_t vector)
{
    return vector < 32 && X86_EXC_HAS_EC(vector);
}

/*
 * SYSCALL loses the interrupted selectors; Xen reports the ones SYSRET
 * would load: 64-bit code -> FLAT_KERNEL_CS64/SS, compat -> FLAT_USER_CS32
 * /SS32.  %rcx/%r11 hold rip/rflags (the builder copies them).
 */
static void syscall_ctx(struct hv_event *ev, bool l64, bool guest_kernel)
{
    ev->type   = HV_ET_OTHER;
    ev->vector = HV_OTHER_SYSCALL;
    ev->l64    = l64;
    ev->cs     = l64 ? FLAT_KERNEL_CS64 : FLAT_USER_CS32;
    ev->ss     = l64 ? FLAT_KERNEL_SS : FLAT_USER_SS32;
    ev->mode   = guest_kernel ? HV_MODE_KERNEL : HV_MODE_USER;
}

/*
 * SYSENTER loses everything: Xen's frame is rip 0, cs 3, rsp 0,
 * ss FLAT_USER_SS.  RFLAGS: what the CPU left, VM/RF clear, IF set
 * (IDT: pushfq after SYSENTER cleared IF, Xen sets it back; FRED: Xen
 * clears IF and VM - the guest never sees IF, the builder recomputes it
 * from the event mask, so both front ends normalise to IF set).
 */
static void sysenter_ctx(struct hv_event *ev, uint64_t rflags, bool l64,
                         bool guest_kernel)
{
    ev->type   = HV_ET_OTHER;
    ev->vector = HV_OTHER_SYSENTER;
    ev->l64    = l64;
    ev->rip    = 0;
    ev->cs     = 3;
    ev->rsp    = 0;
    ev->ss     = FLAT_USER_SS;
    ev->rflags = (rflags & ~(uint64_t)(X86_EFLAGS_VM | X86_EFLAGS_RF)) | X86_EFLAGS_IF;
    ev->mode   = guest_kernel ? HV_MODE_KERNEL : HV_MODE_USER;
}

int hv_decode_idt(struct hv_event *ev, unsigned int entry, uint8_t vector,
                  const struct hv_idt_frame *f, uint64_t aux,
                  bool guest_kernel)
{
    if (entry > HV_IDT_SYSENTER)
        return -1;

    clear(ev);
    ev->delivery = HV_DELIVERY_IDT;
    ev->insn_len = 0;                   /* IDT never tells */

    switch (entry) {
    case HV_IDT_LSTAR:
    case HV_IDT_CSTAR:
        ev->rip    = f->rip;            /* the stub's %rcx */
        ev->rflags = f->rflags;         /* the stub's %r11 */
        ev->rsp    = f->rsp;
        syscall_ctx(ev, entry == HV_IDT_LSTAR, guest_kernel);
        return 0;
    case HV_IDT_SYSENTER:
        sysenter_ctx(ev, f->rflags, false, guest_kernel);
        return 0;
    }

    /* An IDT gate: the hardware frame. */
    ev->rip    = f->rip;
    ev->cs     = (uint16_t)f->cs;
    ev->rflags = f->rflags;
    ev->rsp    = f->rsp;
    ev->ss     = (uint16_t)f->ss;
    ev->mode   = mode_of(ev->cs, guest_kernel);
    ev->l64    = ev->mode == HV_MODE_HV || ev->cs != FLAT_USER_CS32;
    ev->vector = vector;

    if (vector >= 32) {
        /* 0x80 is the only DPL3 gate above 31: INT $0x80 (a trap). */
        ev->type = (vector == 0x80) ? HV_ET_SW_INT : HV_ET_EXT_INTR;
        return 0;
    }

    switch (vector) {
    case X86_EXC_BP:                     /* INT3 / INT $3: DPL3 gate, trap */
    case X86_EXC_OF:                     /* INTO / INT $4: DPL3 gate, trap */
        ev->type = HV_ET_SW_EXC;
        return 0;
    case X86_EXC_NMI:
        ev->type = HV_ET_NMI;
        return 0;
    case X86_EXC_DB:                     /* ICEBP looks the same in IDT mode */
        ev->type = HV_ET_HW_EXC;
        ev->data = aux ^ HV_DR6_DEFAULT;
        return 0;
    case X86_EXC_GP:
        /*
         * #GP with IDT set and EXT clear, from the guest: an INT $N that hit
         * a DPL0 gate.  The instruction was not executed; report it as the
         * software interrupt it was, rip after an (assumed) 2-byte INT.
         */
        if (ev->mode != HV_MODE_HV &&
            (f->error_code & (HV_XEC_IDT | HV_XEC_EXT)) == HV_XEC_IDT) {
            ev->type   = HV_ET_SW_INT;
            ev->vector = (uint8_t)(f->error_code >> 3);
            ev->rip    = f->rip + 2;
            return 0;
        }
        break;
    }

    ev->type = HV_ET_HW_EXC;
    if (exc_has_ec(vector)) {
        ev->has_error_code = true;
        ev->error_code = (uint32_t)f->error_code;
    }
    if (vector == X86_EXC_PF)
        ev->data = aux;                 /* %cr2 */
    return 0;
}

int hv_decode_fred(struct hv_event *ev, const struct hv_fred_frame *f,
                   bool guest_kernel)
{
    uint64_t ssx = f->ssx;
    unsigned int type = HV_FRED_SS_TYPE(ssx);
    unsigned int vector = HV_FRED_SS_VECTOR(ssx);
    bool l64 = (ssx & HV_FRED_SS_L) != 0;

    /* Reject frames no CPU produces. */
    switch (type) {
    case HV_ET_EXT_INTR:
    case HV_ET_SW_INT:
        break;
    case HV_ET_NMI:
        if (vector != X86_EXC_NMI)
            return -1;
        break;
    case HV_ET_HW_EXC:
    case HV_ET_PRIV_SW_EXC:
    case HV_ET_SW_EXC:
        if (vector >= 32)
            return -1;
        break;
    case HV_ET_OTHER:
        if (vector != HV_OTHER_SYSCALL && vector != HV_OTHER_SYSENTER)
            return -1;
        break;
    default:
        return -1;
    }

    clear(ev);
    ev->delivery = HV_DELIVERY_FRED;
    ev->type     = (uint8_t)type;
    ev->vector   = (uint8_t)vector;
    ev->insn_len = (uint8_t)HV_FRED_SS_INSNLEN(ssx);
    ev->nested   = (ssx & HV_FRED_SS_NESTED) != 0;
    ev->rip      = f->rip;
    ev->cs       = (uint16_t)f->csx;
    ev->rflags   = f->rflags;
    ev->rsp      = f->rsp;
    ev->ss       = (uint16_t)ssx;
    ev->l64      = l64;
    ev->mode     = mode_of(ev->cs, guest_kernel);

    if (type == HV_ET_HW_EXC && exc_has_ec((uint8_t)vector)) {
        ev->has_error_code = true;
        ev->error_code = (uint32_t)f->error_code;
    }
    if ((type == HV_ET_HW_EXC && vector == X86_EXC_PF) ||
        vector == X86_EXC_DB)
        ev->data = f->edata;            /* CR2 / pending DR6 bits */

    if (type == HV_ET_OTHER && ev->mode != HV_MODE_HV) {
        if (vector == HV_OTHER_SYSCALL)
            syscall_ctx(ev, l64, guest_kernel);
        else
            sysenter_ctx(ev, f->rflags, l64, guest_kernel);
    }
    return 0;
}

const char *hv_event_type_name(unsigned int type)
{
    static const char *const names[8] = {
        [HV_ET_EXT_INTR] = "EXT_INTR", [1] = "RESERVED",
        [HV_ET_NMI] = "NMI",           [HV_ET_HW_EXC] = "HW_EXC",
        [HV_ET_SW_INT] = "SW_INT",     [HV_ET_PRIV_SW_EXC] = "PRIV_SW_EXC",
        [HV_ET_SW_EXC] = "SW_EXC",     [HV_ET_OTHER] = "OTHER",
    };
    return type < 8 ? names[type] : "BAD";
}
