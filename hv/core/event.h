/*
 * hv/core/event.h - the neutral event record.
 *
 * ABI carried: none directly.  This is hv's internal meeting point between
 * its two front ends and the one bounce-frame builder (bounce.h):
 *
 *   IDT/SYSCALL/SYSENTER stubs --hv_decode_idt()--\
 *                                                   >-- struct hv_event --> hv_handle_event()
 *   FRED entry (ring 3 events) --hv_decode_fred()-/
 *
 * The event types mirror the FRED "event type" field (Intel FRED spec,
 * SS slot bits 51:48), so a FRED frame decodes with no translation and the
 * IDT decoder reconstructs the same record from what an IDT stub knows.
 *
 * Conventions for the record (both front ends produce exactly these):
 *  - rip is the return address hardware reports for the event: for faults
 *    the faulting instruction, for traps, software interrupts (INT n, INT3,
 *    INTO, INT1) and SYSCALL the address after the instruction.  The IDT
 *    decoder turns the #GP of a refused `INT $N` into an SW_INT record with
 *    rip = #GP rip + 2 (IDT mode does not know prefixes, exactly like Xen).
 *  - insn_len is the full instruction length (FRED, software events only);
 *    0 means unknown (IDT delivery); the builder then assumes 2.
 *  - SYSCALL and SYSENTER are type HV_ET_OTHER with vector HV_OTHER_SYSCALL
 *    / HV_OTHER_SYSENTER (as FRED reports them).
 *
 * Freestanding: only <stdint.h>, <stdbool.h>, <stddef.h>.
 */
#ifndef HV_EVENT_H
#define HV_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Event types: the FRED encoding (same numbers as Xen's X86_ET_*). */
#define HV_ET_EXT_INTR    0 /* external interrupt                          */
#define HV_ET_NMI         2 /* NMI                                         */
#define HV_ET_HW_EXC      3 /* hardware exception (#PF, #GP, #UD, ...)     */
#define HV_ET_SW_INT      4 /* software interrupt: INT $N                  */
#define HV_ET_PRIV_SW_EXC 5 /* privileged software exception: INT1/ICEBP  */
#define HV_ET_SW_EXC      6 /* software exception: INT3, INTO             */
#define HV_ET_OTHER       7 /* vector 1 = SYSCALL, vector 2 = SYSENTER     */

#define HV_OTHER_SYSCALL  1
#define HV_OTHER_SYSENTER 2

/* How the event reached hv (changes the INT $0x80 rule and %rip rewinds). */
#define HV_DELIVERY_IDT   0
#define HV_DELIVERY_FRED  1

/* Who was interrupted. */
#define HV_MODE_HV        0 /* hv itself (ring 0): not for the builder      */
#define HV_MODE_KERNEL    1 /* guest kernel mode (ring 3, hv's kernel flag) */
#define HV_MODE_USER      2 /* guest user mode                              */

/* Architectural vectors, and which push an error code: <x86/exceptions.h>. */
#include <x86/exceptions.h>

/* Selector error-code bits (#GP/#NP/#TS/#SS). */
#define HV_XEC_EXT 1u /* event external to the program       */
#define HV_XEC_IDT 2u /* selector index refers to the IDT    */

/* %dr6 reads as this when nothing is pending; FRED reports DR6 ^ this. */
#define HV_DR6_DEFAULT 0xffff0ff0ull

struct hv_event {
    uint8_t  vector;         /* 0-255; for HV_ET_OTHER: HV_OTHER_*         */
    uint8_t  type;           /* HV_ET_*                                    */
    uint8_t  insn_len;       /* full length, 0 = unknown (IDT)             */
    uint8_t  delivery;       /* HV_DELIVERY_*                              */
    bool     has_error_code; /* error_code is meaningful                   */
    bool     nested;         /* FRED: exception during event delivery      */
    uint32_t error_code;
    uint64_t data;           /* #PF: CR2.  #DB: pending DR6 bits, positive
                                polarity (DR6 ^ HV_DR6_DEFAULT).  else 0.  */

    /* The interrupted context (as hardware saved it, see rip rule above). */
    uint8_t  mode;           /* HV_MODE_*                                  */
    bool     l64;            /* interrupted code was 64-bit (else compat)  */
    uint16_t cs, ss;         /* selectors only (no FRED metadata)          */
    uint64_t rip, rflags, rsp;
};

/*
 * ---- IDT front end ----
 *
 * What an IDT-side stub knows.  For gates, the hardware frame (with the
 * error-code slot filled with 0 by the stub when hardware pushed none):
 *
 *        +40  SS
 *        +32  RSP
 *        +24  RFLAGS
 *        +16  CS
 *        +8   RIP
 *   f -> +0   error code (or 0)
 *
 * For SYSCALL (LSTAR: 64-bit code, CSTAR: compat code) the stub fills the
 * same layout by hand: rip = %rcx, rflags = %r11, rsp = the guest %rsp
 * (cs/ss/error code ignored: the decoder sets them as Xen does).
 * For SYSENTER the stub fills rflags with the flags at entry (pushfq);
 * everything else is ignored: SYSENTER loses the guest's rip and rsp.
 */
#define HV_IDT_GATE     0 /* an IDT vector (exception, INT n, interrupt) */
#define HV_IDT_LSTAR    1 /* SYSCALL from 64-bit code                    */
#define HV_IDT_CSTAR    2 /* SYSCALL from compat code                    */
#define HV_IDT_SYSENTER 3 /* SYSENTER                                    */

struct hv_idt_frame {
    uint64_t error_code;
    uint64_t rip;
    uint64_t cs;
    uint64_t rflags;
    uint64_t rsp;
    uint64_t ss;
};

/*
 * Fill *ev from an IDT-path entry.
 *   entry       HV_IDT_*
 *   vector      the gate's vector (ignored unless entry == HV_IDT_GATE)
 *   f           the frame above
 *   aux         vector 14: %cr2; vector 1: raw %dr6 (the decoder flips it
 *               to positive polarity); otherwise ignored
 *   guest_kernel  hv's "guest is in kernel mode" flag (hv_vcpu.kernel_mode)
 * Decoding rules (Xen's IDT layout: all gates DPL0 except 3, 4, 0x80):
 *   - vector 3 / 4                    -> SW_EXC (INT3/INT $3, INTO/INT $4)
 *   - vector 0x80                     -> SW_INT 0x80 (the DPL3 fast gate)
 *   - vector 13, error code with IDT set and EXT clear, from ring 3
 *                                     -> SW_INT vector = ec >> 3, rip += 2
 *   - vector 1                        -> HW_EXC #DB (ICEBP is not
 *                                        distinguishable in IDT mode)
 *   - vector 2                        -> NMI;  other < 32 -> HW_EXC
 *   - vector >= 32                    -> EXT_INTR
 *   - LSTAR/CSTAR                     -> OTHER/SYSCALL, cs/ss = FLAT_KERNEL
 *                                        CS64/SS (LSTAR) or FLAT_USER_CS32/
 *                                        SS32 (CSTAR)
 *   - SYSENTER                        -> OTHER/SYSENTER with the null frame
 *                                        rip 0, cs 3, rsp 0, ss FLAT_USER_SS,
 *                                        rflags | IF
 * Returns 0, or -1 if entry is not an HV_IDT_* value (ev then untouched).
 */
int hv_decode_idt(struct hv_event *ev, unsigned int entry, uint8_t vector,
                  const struct hv_idt_frame *f, uint64_t aux,
                  bool guest_kernel);

/*
 * ---- FRED front end ----
 *
 * The frame FRED event delivery pushes, exactly as the FRED specification
 * defines it (64-byte aligned; %rsp points at the error code on entry):
 *
 *        +56  reserved (0)
 *        +48  event data      #PF: CR2, #DB: pending DR6 (positive), NMI: 0
 *        +40  SS  | bits 15:0 SS, 16 STI-blocking, 17 SWINT (INT n/SYSCALL/
 *                 |  SYSENTER), 18 NMI, 39:32 vector, 51:48 event type,
 *                 |  56 enclave, 57 L (64-bit mode), 58 nested, 63:60 insn len
 *        +32  RSP
 *        +24  RFLAGS
 *        +16  CS  | bits 15:0 CS, 17:16 stack level, 18 WFE
 *        +8   RIP
 *   f -> +0   error code (0 when the event has none)
 */
struct hv_fred_frame {
    uint64_t error_code;
    uint64_t rip;
    uint64_t csx;
    uint64_t rflags;
    uint64_t rsp;
    uint64_t ssx;
    uint64_t edata;
    uint64_t reserved;
};

#define HV_FRED_SS_STI      (1ull << 16)
#define HV_FRED_SS_SWINT    (1ull << 17)
#define HV_FRED_SS_NMI      (1ull << 18)
#define HV_FRED_SS_VECTOR(x)  (((x) >> 32) & 0xff)
#define HV_FRED_SS_TYPE(x)    (((x) >> 48) & 0xf)
#define HV_FRED_SS_ENCLAVE  (1ull << 56)
#define HV_FRED_SS_L        (1ull << 57)
#define HV_FRED_SS_NESTED   (1ull << 58)
#define HV_FRED_SS_INSNLEN(x) (((x) >> 60) & 0xf)
#define HV_FRED_CS_SL(x)      (((x) >> 16) & 3)
#define HV_FRED_CS_WFE      (1ull << 18)

/*
 * Fill *ev from a FRED frame.  guest_kernel as for hv_decode_idt (FRED
 * itself cannot tell guest kernel from guest user: both are ring 3).
 * has_error_code is set for HW_EXC vectors in X86_EXC_HAVE_EC.  data =
 * edata for #PF and #DB, else 0.
 * Returns 0, or -1 for a frame no CPU produces (reserved event type 1 or
 * > 7, OTHER with vector not 1/2, exception vector >= 32); ev untouched then.
 */
int hv_decode_fred(struct hv_event *ev, const struct hv_fred_frame *f,
                   bool guest_kernel);

/* Names for logs: "HW_EXC", "SW_INT", ...; never NULL. */
const char *hv_event_type_name(unsigned int type);

#endif /* HV_EVENT_H */
