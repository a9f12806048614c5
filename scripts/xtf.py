#!/usr/bin/env python3
"""scripts/xtf.py - boot every PV64 test kernel of XTF, the Xen Test
Framework, on Xen 4.17 and on hv, and compare the table with the expected
one.

    scripts/xtf.py --xen XEN.elf --hv pventry-hv [--bochs BOCHS]
                   [--xtf DIR] [--expected FILE] [--update] [--only NAME...]

XTF (github.com/andyhhp/xtf) is a suite of small PV/HVM test kernels
written by Xen's maintainers.  Each ends with one line, "Test result:
SUCCESS | SKIP | FAILURE | ERROR ...".  Its images are not part of this
tree: DIR defaults to $XTF, else ../shared/tools/xtf beside the project.
Without it the run prints one SKIP line and succeeds.

Each image boots as the hardware domain (dom0) under QEMU on Xen (Intel
CPU model), on hv with IDT delivery, and - with --bochs - on hv with FRED
delivery in Bochs (the slow emulator: only the rows in FRED_ROWS).  A
row's result is XTF's verdict, or what stopped the run before it:

    crash: WHY      the hypervisor crashed the domain (hv's reason, or
                    Xen's "domain_crash" for a guest that died)
    panic           the test kernel panicked (XTF's own panic())
    refused: WHY    hv would not build the domain (a missing feature)
    HV PANIC, HANG  hv itself failed: never expected, always a failure

The table is printed as test | Xen 4.17 | hv IDT [| hv FRED], then every
row is compared with FILE (selftests/xtf-expected.txt); any change is a
failure (--update rewrites FILE instead).  Independently of FILE, the rows
in MUST_PASS must be SUCCESS on every hypervisor, and no row may be HV
PANIC or HANG.  The closing line is "xtf: N passed, M failed".
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "selftests"))
import runner  # noqa: E402  (boot() and the QEMU/Bochs command lines)

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
EXPECTED = os.path.join(TOP, "selftests", "xtf-expected.txt")
XEN_ARGS = "console=com1 dom0_mem=128M dom0_max_vcpus=1"
HV_ARGS = "console=com1 delivery={}"
# pv-iopl reads its variant from the start_info command line (XTF's
# ~hypercall and ~vmassist configurations).
VARIANTS = {"pv-iopl": ["hypercall", "vmassist"]}
MUST_PASS = ["selftest", "example", "xsa-7", "xsa-259", "xsa-339",
             "pv-iopl~hypercall", "pv-iopl~vmassist"]
FRED_ROWS = MUST_PASS
RESULT_RE = re.compile(r"Test result: (\w+)")


def rows(xtf, only):
    out = []
    for f in sorted(os.listdir(xtf)):
        if not f.startswith("test-pv64-"):
            continue
        name = f[len("test-pv64-"):]
        for v in VARIANTS.get(name, [None]):
            row = name + ("~" + v if v else "")
            if not only or row in only or name in only:
                out.append((row, os.path.join(xtf, f), v or ""))
    return out


def stopped(line):
    """The run is over: XTF's verdict is out, or a hypervisor gave up."""
    return (RESULT_RE.search(line) is not None or line.startswith("hv: exit:")
            or line.startswith("hv: cannot boot") or "Panic on CPU" in line
            or "crashed" in line or "halting machine" in line)


def verdict(lines, status, hv):
    """One cell of the table from a boot's console."""
    text = "\n".join(lines)
    if hv:
        m = re.search(r"^hv: PANIC[: ]*(.*)$", text, re.M)
        if m:
            return "HV PANIC"
        m = re.search(r"^hv: cannot boot: (.*)$", text, re.M)
        if m:
            return "refused: " + m.group(1).strip()
    m = RESULT_RE.search(text)
    if m:
        return m.group(1)
    if re.search(r"^PANIC:", text, re.M):     # XTF's panic()
        return "panic"
    if hv:
        m = re.search(r"^hv: domain crashed: (.*)$", text, re.M)
        if m:
            return "crash: " + m.group(1).strip()
        if status and status.startswith("timed out"):
            return "HANG"
        if not re.search(r"^hv: exit:", text, re.M):
            return "HANG"   # no orderly end: a triple fault or worse
        return "no result"
    if "Panic on CPU" in text:
        return "Xen panic"
    if re.search(r"domain_crash|crashed", text):
        return "crash"
    return "HANG" if status and status.startswith("timed out") else "no result"


def run(hyp, hv_args, image, cmdline, vendor, timeout, qemu_extra):
    lines, status = runner.boot(hyp, hv_args, image, cmdline, vendor, timeout, False,
                                qemu_extra, stopped=stopped)
    return lines, status


def read_expected(path):
    exp = {}
    if not os.path.exists(path):
        return exp
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cells = [c.strip() for c in line.rstrip("\n").split("|")]
            exp[cells[0]] = cells[1:]
    return exp


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xen", required=True)
    ap.add_argument("--hv", required=True)
    ap.add_argument("--bochs", help="also hv with FRED delivery in this Bochs")
    ap.add_argument("--xtf", default=os.environ.get("XTF") or os.path.join(TOP, "..", "shared", "tools", "xtf"))
    ap.add_argument("--expected", default=EXPECTED)
    ap.add_argument("--update", action="store_true", help="rewrite the expected table")
    ap.add_argument("--only", nargs="*", default=[])
    ap.add_argument("--timeout", type=int, default=30)
    ap.add_argument("--show", action="store_true", help="print each hv console")
    a = ap.parse_args()
    if not os.path.isdir(a.xtf):
        print(f"SKIP: XTF: no test kernels at {os.path.relpath(a.xtf, TOP)} (set XTF=DIR)")
        return 0
    hv_extra = ("-device", "isa-debug-exit,iobase=0xf4,iosize=0x04")
    table = []
    for row, image, cmdline in rows(a.xtf, a.only):
        lines, status = run(a.xen, XEN_ARGS, image, cmdline, "GenuineIntel", a.timeout, ())
        xen = verdict(lines, status, False)
        lines, status = run(a.hv, HV_ARGS.format("idt"), image, cmdline, "GenuineIntel", a.timeout, hv_extra)
        idt = verdict(lines, status, True)
        if a.show:
            print("\n".join("  | " + l for l in lines))
        cells = [xen, idt]
        if a.bochs:
            fred = "-"
            if row in FRED_ROWS:
                runner.BOCHS = a.bochs
                lines, status = run(a.hv, HV_ARGS.format("fred"), image, cmdline, None, 600, ())
                runner.BOCHS = None
                fred = verdict(lines, status, True)
            cells.append(fred)
        table.append((row, cells))
        print(f"# {row}: {' | '.join(cells)}", flush=True)

    heads = ["test", "Xen 4.17", "hv IDT"] + (["hv FRED (Bochs)"] if a.bochs else [])
    widths = [max(len(heads[i]), *(len(([r] + c)[i]) for r, c in table)) for i in range(len(heads))]
    fmt = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    print(fmt(heads))
    print("-+-".join("-" * w for w in widths))
    for r, c in table:
        print(fmt([r] + c))

    if a.update:
        with open(a.expected, "w", encoding="utf-8") as f:
            f.write("# XTF PV64 images: test | Xen 4.17 | hv IDT | hv FRED (Bochs; '-': not run there)\n"
                    "# scripts/xtf.py compares its table with this one; --update rewrites it.\n")
            for r, c in table:
                fred = c[2] if len(c) > 2 else read_expected(a.expected).get(r, ["", "", "-"])[2:3] or ["-"]
                fred = fred if isinstance(fred, str) else fred[0]
                f.write(" | ".join([r, c[0], c[1], fred]) + "\n")
        print(f"xtf: wrote {os.path.relpath(a.expected, TOP)}")

    exp = read_expected(a.expected)
    passed = failed = 0
    n = 0
    for r, c in table:
        n += 1
        why = []
        want = exp.get(r)
        if want is None:
            why.append("not in the expected table")
        else:
            for i, (got, w) in enumerate(zip(c, want)):
                if got != w and not (i == 2 and w == "-"):   # FRED: MUST_PASS below
                    why.append(f"{heads[i + 1]}: {got!r}, expected {w!r}")
        for h, got in zip(heads[2:], c[1:]):
            if got in ("HV PANIC", "HANG") or got.startswith("HV PANIC"):
                why.append(f"{h}: {got}")
            if r in MUST_PASS and got not in ("SUCCESS", "-"):
                why.append(f"{h}: {got}, must be SUCCESS")
        if r in MUST_PASS and c[0] != "SUCCESS":
            why.append(f"Xen 4.17: {c[0]}, must be SUCCESS")
        if why:
            failed += 1
            print(f"not ok {n} - {r}: " + "; ".join(dict.fromkeys(why)))
        else:
            passed += 1
            print(f"ok {n} - {r}")
    if not a.only:
        for r in exp:
            if r not in dict(table):
                n += 1
                failed += 1
                print(f"not ok {n} - {r}: in the expected table but no image")
    print(f"1..{n}")
    print(f"xtf: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
