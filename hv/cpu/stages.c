/*
 * hv/cpu/stages.c - the per-stage instruction counts of stages.h.
 */
#ifdef HV_STAGES
#include "domain/domain.h"
#include "cpu/stages.h"

#define NR_KINDS 80

static uint64_t mark[NR_STAGES], last_exit;
static unsigned int kind;
static struct {
    uint64_t count, sum[NR_STAGES];     /* sum[0]: exit + guest + entry stub */
} kinds[NR_KINDS];

static uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

void stage_kind(unsigned int k)
{
    kind = k < NR_KINDS ? k : NR_KINDS - 1;
}

void stage_mark(unsigned int stage)
{
    uint64_t now = tsc();

    if (stage == STAGE_ENTER) {
        for (unsigned int i = 0; i < NR_STAGES; i++)
            mark[i] = 0;
        mark[STAGE_ENTER] = now;
        kind = NR_KINDS - 1;
        return;
    }
    mark[stage] = now;
    if (stage != STAGE_EXIT || !mark[STAGE_ENTER])
        return;
    /* One entry done: charge each stage from the previous mark set. */
    uint64_t prev = mark[STAGE_ENTER];
    kinds[kind].count++;
    if (last_exit)
        kinds[kind].sum[0] += mark[STAGE_ENTER] - last_exit;
    for (unsigned int i = STAGE_DECODED; i < NR_STAGES; i++) {
        if (!mark[i])
            continue;
        kinds[kind].sum[i] += mark[i] - prev;
        prev = mark[i];
    }
    last_exit = now;
}

void stages_print(void)
{
    printk("hv: stages: kind count outside decode handle call exit (ticks per entry)\n");
    for (unsigned int k = 0; k < NR_KINDS; k++) {
        uint64_t n = kinds[k].count;
        if (n < 1000)
            continue;
        printk("hv: stages: %u %lu %lu %lu %lu %lu %lu\n", k, n,
               kinds[k].sum[0] / n, kinds[k].sum[1] / n, kinds[k].sum[2] / n,
               kinds[k].sum[3] / n, kinds[k].sum[4] / n);
    }
}
#endif
