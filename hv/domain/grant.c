/*
 * hv/domain/grant.c - HYPERVISOR_grant_table_op, as far as a domain alone
 * needs it: its own grant table (one frame, version 1) to map and fill.
 * hv has no second domain, so nothing is ever mapped or copied through a
 * grant: those commands are -ENOSYS.
 *
 * ABI carried: <xen/grant_table.h> GNTTABOP_setup_table, query_size,
 * set_version, get_version with Xen 4.17's answers (common/grant_table.c):
 * setup_table and set_version take exactly one op (count != 1: -EINVAL);
 * per-op problems go in the op's status field, not the return value.
 */
#include "domain/domain.h"
#include "lib/x86.h"
#include <xen/grant_table.h>

#define GRANT_FRAMES 1          /* hv's max_grant_frames */

static uint8_t grant_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

void grant_init(void)
{
    memset(grant_page, 0, sizeof(grant_page));
    dom.grant_mfn = __pa(grant_page) >> PAGE_SHIFT;
}

static bool self(domid_t d)
{
    return d == DOMID_SELF || d == 0;
}

static long setup_table(uint64_t uop)
{
    struct gnttab_setup_table op;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (!self(op.dom))
        op.status = GNTST_bad_domain;
    else if (op.nr_frames > GRANT_FRAMES)
        op.status = GNTST_general_error;    /* Xen: more than max_grant_frames */
    else {
        op.status = GNTST_okay;
        for (unsigned int i = 0; i < op.nr_frames; i++) {
            xen_pfn_t f = dom.grant_mfn;
            if (copy_to_guest((uint64_t)op.frame_list.p + i * sizeof(f), &f, sizeof(f))) {
                op.status = GNTST_bad_virt_addr;
                break;
            }
        }
    }
    return copy_to_guest(uop, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

static long query_size(uint64_t uop, unsigned int count)
{
    struct gnttab_query_size op;

    for (unsigned int i = 0; i < count; i++, uop += sizeof(op)) {
        if (copy_from_guest(&op, uop, sizeof(op)))
            return -XEN_EFAULT;
        if (!self(op.dom)) {
            op.status = GNTST_bad_domain;
        } else {
            op.nr_frames = GRANT_FRAMES;
            op.max_nr_frames = GRANT_FRAMES;
            op.status = GNTST_okay;
        }
        if (copy_to_guest(uop, &op, sizeof(op)))
            return -XEN_EFAULT;
    }
    return 0;
}

long do_grant_table_op(unsigned int cmd, uint64_t uop, unsigned int count)
{
    switch (cmd) {
    case GNTTABOP_setup_table:
        return count != 1 ? -XEN_EINVAL : setup_table(uop);
    case GNTTABOP_query_size:
        return query_size(uop, count);
    case GNTTABOP_set_version: {
        struct gnttab_set_version v;

        if (count != 1)
            return -XEN_EINVAL;
        if (copy_from_guest(&v, uop, sizeof(v)))
            return -XEN_EFAULT;
        if (v.version != 1 && v.version != 2)
            return -XEN_EINVAL;
        /* hv has version 1 only: what Xen answers when its grant-table
         * max version is 1 (gnttab=max-ver:1), "as before set_version". */
        if (v.version == 2)
            return -XEN_ENOSYS;
        return 0;
    }
    case GNTTABOP_get_version: {
        struct gnttab_get_version v;

        if (count != 1)
            return -XEN_EINVAL;
        if (copy_from_guest(&v, uop, sizeof(v)))
            return -XEN_EFAULT;
        if (!self(v.dom))
            return -XEN_ESRCH;
        v.version = 1;
        return copy_to_guest(uop, &v, sizeof(v)) ? -XEN_EFAULT : 0;
    }
    default:
        return -XEN_ENOSYS;             /* nothing to map or copy: no other domain */
    }
}
