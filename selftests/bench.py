#!/usr/bin/env python3
"""selftests/bench.py - make bench: every entry path, counted on Xen and on
hv with IDT and FRED delivery, through pventry's handlers and through the
floor (selftests/kernel/bench_floor.S), in one table.

  bench.py --kernel KERNEL --xen XEN --hv HV [--bochs BOCHS [--hv-stages HV]]
           [--baseline FILE] [--record]

With --bochs every column is booted in that Bochs, whose RDTSC counts
executed instructions (clock: sync=none, the default): the numbers are
instructions.  Without it hv runs under QEMU -icount shift=0 (one tick per
instruction, no FRED column) and Xen under plain QEMU, whose TSC is wall
clock (QEMU 10 aborts with -icount under Xen): those are labelled so.

The guest times BENCH_BATCHES batches of BENCH_ROUNDS round trips per path
(selftests/include/selftests/bench.h); the table shows the cheapest batch
per round trip, which no timer interrupt landed in and which repeats
exactly, and the mean over all batches below it.

--hv-stages names an hv built with HV_STAGES=1 (hv/cpu/stages.h): it is
booted in Bochs with each delivery, and what it prints at shutdown is a
second table, where hv's instructions go per kind of entry (stage marks
cost a few instructions each, so its totals run a little above the
first table's).

The baseline (selftests/bench-baseline.txt) holds earlier instruction
counts; a path now slower than it by more than 5% is named and the run
fails.  --record writes this run's counts there instead.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import runner  # noqa: E402

PATHS = [       # key, as printed in the table
    ("hypercall", "hypercall (xen_version)"),
    ("int3_kernel", "int3 in kernel mode"),
    ("event", "event send + upcall"),
    ("syscall64", "syscall 64 (SYSRET return)"),
    ("int80_64", "int $0x80 64"),
    ("int3_user64", "int3 64 to a user handler"),
    ("int80_compat", "int $0x80 compat"),
    ("sysenter_compat", "sysenter compat"),
    ("syscall_compat", "syscall compat"),
]
SLOWER = 1.05   # a path this much slower than the baseline is a regression
SHAPE = [0, 0]  # batches, round trips per batch: as the guest reported them
DEFAULT_BASELINE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-baseline.txt")


STAGE_COLS = ["outside", "decode", "handle", "call", "exit"]


def run_stages(hypervisor, kernel, delivery, extra_qemu):
    """Boot an HV_STAGES hv with `bench`; return {kind: [count, per-stage...]}."""
    lines, _status = runner.boot(hypervisor, f"delivery={delivery} console=com1", kernel,
                                 f"emu={runner.emulator_tag()} delivery={delivery} bench",
                                 "GenuineIntel", 900, False, extra_qemu)
    out = {}
    for line in lines:
        f = line.split()
        if line.startswith("hv: stages: ") and len(f) == 4 + len(STAGE_COLS) and f[3].isdigit():
            out[f[2]] = [int(x) for x in f[3:]]
    return out


def print_stages(stages):
    print("hv, where the instructions of one entry go (HV_STAGES=1 build; per entry):")
    print("  outside = exit to the guest + the guest's code up to its next entry + the entry stub;")
    print("  decode = registers saved, frame decoded; handle = the core's decision (bounce frame")
    print("  built); call = the hypercall; exit = pending events delivered, exit image made")
    print(f"  {'entry':<18} {'delivery':<8}" + "".join(f" {c:>8}" for c in STAGE_COLS) + f" {'in hv':>8}")
    for delivery, kinds in stages.items():
        for kind, v in kinds.items():
            _count, st = v[0], v[1:]
            print(f"  {kind:<18} {delivery:<8}" + "".join(f" {x:>8}" for x in st) + f" {sum(st[1:]):>8}")


def run_one(hypervisor, hv_args, kernel, delivery, extra_qemu):
    """Boot once with `bench`; return {(handler, path): (min, mean)} per round trip."""
    lines, status = runner.boot(hypervisor, hv_args, kernel,
                                f"emu={runner.emulator_tag()} delivery={delivery} bench",
                                "GenuineIntel", 900 if runner.BOCHS else 300, False, extra_qemu)
    r = runner.judge(lines, status)
    out = {}
    for line in lines:
        if not line.startswith("bench: "):
            continue
        f = line.split()
        if len(f) != 7:
            continue
        handler, path, lo, total, batches, rounds = f[1], f[2], int(f[3]), int(f[4]), int(f[5]), int(f[6])
        out[(handler, path)] = (lo / rounds, total / (batches * rounds))
        SHAPE[:] = [batches, rounds]
    problems = r["problems"] + r["failures"][:3]
    if r["failed"] or problems or not out:
        print(f"bench: {os.path.basename(hypervisor)} delivery={delivery} failed: "
              f"{'; '.join(problems) or 'no results'}", file=sys.stderr)
        for line in lines[-15:]:
            print(f"    | {line}", file=sys.stderr)
        return None
    return out


def fmt(x):
    return "-" if x is None else f"{x:.1f}" if x < 100 else f"{x:.0f}"


def ratio(a, b):
    return "-" if a is None or b is None or not b else f"{a / b:.2f}x"


def print_table(cols, results, which, title):
    print(title)
    head = f"{'path':<28}"
    sub = f"{'':<28}"
    for name, _unit in cols:
        head += f" | {name:^22}"
        sub += f" | {'floor':>7} {'pventry':>7} {'p/f':>6}"
    hv_cols = [c for c, _ in cols if c.startswith("hv")]
    for c in hv_cols:
        head += f" | {c + ' / Xen':>12}"
        sub += f" | {'(pventry)':>12}"
    print(head)
    print(sub)
    for key, label in PATHS:
        vals = {}
        for name, _ in cols:
            res = results.get(name) or {}
            fl = res.get(("floor", key))
            pv = res.get(("pventry", key))
            vals[name] = (fl[which] if fl else None, pv[which] if pv else None)
        if all(v == (None, None) for v in vals.values()):
            continue
        row = f"{label:<28}"
        for name, _ in cols:
            fl, pv = vals[name]
            row += f" | {fmt(fl):>7} {fmt(pv):>7} {ratio(pv, fl):>6}"
        # hv / Xen only where both count instructions.
        xen = next((vals[c][1] for c, u in cols if c.startswith("Xen") and u.startswith("instr")), None)
        for c in hv_cols:
            row += f" | {ratio(vals[c][1], xen):>12}"
        print(row)


def read_baseline(path):
    base = {}
    if not os.path.exists(path):
        return base
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if len(line) == 5:
                measure, column, handler, key, value = line
                base[(measure, column.replace("_", " "), handler, key)] = float(value)
    return base


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--xen", required=True, help="Xen 4.17 (multiboot)")
    ap.add_argument("--hv", required=True, help="hv/'s pventry-hv")
    ap.add_argument("--bochs", help="a Bochs built with FRED: count instructions in it")
    ap.add_argument("--hv-stages", help="an hv built with HV_STAGES=1: print where its instructions go")
    ap.add_argument("--baseline", default=DEFAULT_BASELINE)
    ap.add_argument("--record", action="store_true", help="write this run's counts as the baseline")
    a = ap.parse_args()
    for f in (a.kernel, a.xen, a.hv):
        if not os.path.exists(f):
            sys.exit(f"bench: {f} does not exist")
    if a.bochs:
        if not (os.path.isfile(a.bochs) and os.access(a.bochs, os.X_OK)):
            sys.exit(f"bench: --bochs {a.bochs} is not an executable file")
        runner.BOCHS = a.bochs
    xen_args = runner.XEN_ARGS + (" serial_tx_buffer=256k" if a.bochs else "")
    debug_exit = ("-device", "isa-debug-exit,iobase=0xf4,iosize=0x04")
    xen_name = "Xen " + os.path.basename(a.xen).replace("xen-", "").replace(".elf", "")
    if a.bochs:
        measure = "bochs"
        unit = "instructions (Bochs: RDTSC counts instructions)"
        runs = [(xen_name, unit, a.xen, xen_args, "idt", ()),
                ("hv IDT", unit, a.hv, "delivery=idt console=com1", "idt", debug_exit),
                ("hv FRED", unit, a.hv, "delivery=fred console=com1", "fred", debug_exit)]
    else:
        measure = "qemu-icount"
        runs = [(xen_name, "TSC ticks of QEMU's wall clock (noisy; not instructions)",
                 a.xen, xen_args, "idt", ()),
                ("hv IDT", "instructions (QEMU -icount shift=0)", a.hv,
                 "delivery=idt console=com1", "idt", debug_exit + ("-icount", "shift=0"))]
    results, failed = {}, False
    for name, _unit, hyp, args, delivery, extra in runs:
        results[name] = run_one(hyp, args, a.kernel, delivery, extra)
        failed |= results[name] is None
    cols = [(name, unit) for name, unit, *_ in runs]

    print()
    print(f"make bench: per round trip, {SHAPE[0]} batches of {SHAPE[1]}; "
          f"p/f = pventry / floor (the least the PV ABI allows)")
    for name, unit in cols:
        print(f"  {name}: {unit}")
    print_table(cols, results, 0, "cheapest batch:")
    print_table(cols, results, 1, "mean of all batches:")
    if a.hv_stages and a.bochs:
        print()
        print_stages({d: run_stages(a.hv_stages, a.kernel, d, debug_exit) for d in ("idt", "fred")})

    # Only instruction counts are compared with (or recorded in) the baseline.
    counted = [name for name, unit in cols if unit.startswith("instructions")]
    if a.record:
        old = read_baseline(a.baseline)
        new = {k: v for k, v in old.items() if k[0] != measure}
        for name in counted:
            for (handler, key), (lo, _mean) in (results[name] or {}).items():
                new[(measure, name, handler, key)] = lo
        with open(a.baseline, "w") as f:
            f.write("# make bench's baseline: instructions per round trip (cheapest batch).\n"
                    "# measure column handler path count; `make bench BENCH_RECORD=1` rewrites it.\n")
            for k in sorted(new):
                f.write(f"{k[0]} {k[1].replace(' ', '_')} {k[2]} {k[3]} {new[k]:.1f}\n")
        print(f"bench: baseline for {measure} written to {os.path.basename(a.baseline)}")
    else:
        base = read_baseline(a.baseline)
        slower, compared = [], 0
        for name in counted:
            for (handler, key), (lo, _mean) in (results[name] or {}).items():
                b = base.get((measure, name, handler, key))
                if b is None:
                    continue
                compared += 1
                if lo > b * SLOWER:
                    slower.append(f"  {name} {handler} {key}: {b:.1f} -> {lo:.1f} (+{(lo / b - 1) * 100:.0f}%)")
        if slower:
            print(f"bench: slower than the baseline by more than {(SLOWER - 1) * 100:.0f}%:")
            print("\n".join(slower))
            failed = True
        else:
            print(f"bench: {compared} counts compared with the baseline ({measure}): "
                  f"none slower by more than {(SLOWER - 1) * 100:.0f}%")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
