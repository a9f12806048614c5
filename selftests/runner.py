#!/usr/bin/env python3
"""selftests/runner.py - boot pventry under a hypervisor in QEMU and judge it.

Each run boots a multiboot hypervisor (Xen, or hv/'s pventry-hv) in
qemu-system-x86_64 (TCG) with the kernel as its first module, reads the
serial console, and parses the TAP 13 stream the kernel prints.  A run
passes when the plan is there and complete, every check is "ok", nothing
bailed out, and the kernel said it was done.  A "not ok ... # TODO known
emulator|Xen deviation: <why>" is reported but not a failure, provided
Documentation/findings.md lists that <why>.

The closing line is "N passed, N failed" over all checks of all runs.

  runner.py --xen XEN --kernel KERNEL [--vendor V ...] [--args "..."]
            [--broken-kernel K] [--show]
"""
import argparse
import functools
import os
import re
import selectors
import subprocess
import sys
import time

QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
XEN_ARGS = "console=com1 com1=115200,8n1 dom0_mem=64M dom0_max_vcpus=1 loglvl=all guest_loglvl=all"
DONE = "pventry: all done"
# Every known deviation the kernel may declare is a row of this file.
FINDINGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Documentation", "findings.md")

TAP_RE = re.compile(r"^(not ok|ok) (\d+)(?: - (.*))?$")
PLAN_RE = re.compile(r"^1\.\.(\d+)$")


def qemu_version():
    try:
        out = subprocess.run([QEMU, "--version"], capture_output=True, text=True).stdout
    except FileNotFoundError:
        sys.exit(f"runner: {QEMU} not found (run scripts/deps.sh)")
    m = re.search(r"version (\d+)\.(\d+)\.(\d+)", out)
    return m.group(0).split()[1] if m else "unknown"


def emulator_tag():
    """What the guest is told it runs on, so it can mark known deviations."""
    return "bochs" if BOCHS else "qemu-" + qemu_version()


def cpu_model(vendor):
    """QEMU's "max" CPU with the vendor's name.  Take away the other vendor's
    virtualisation extension: no real Intel CPU has SVM, and Xen 4.17 on an
    "Intel" CPU that has it (SVM set up over the BSP's boot stack) sends a
    later SYSENTER to a stale stack and double-faults."""
    return f"max,vendor={vendor}" + (",-svm" if vendor == "GenuineIntel" else ",-vmx")


BOCHS = None        # set by --bochs: boot in Bochs (FRED) through scripts/run-bochs.sh
RUN_BOCHS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "run-bochs.sh")


def boot(hypervisor, hv_args, kernel, kargs, vendor, timeout, show, extra_qemu=()):
    """Run one boot; return (lines, status) where status says how it ended."""
    env = None
    if BOCHS:
        # GRUB in Bochs: the CPU model is Bochs's (wildcat_lake, Intel, FRED).
        cmd = [RUN_BOCHS, hypervisor, hv_args, kernel, kargs, str(timeout)]
        env = dict(os.environ, BOCHS=BOCHS)
    else:
        if "," in kargs or "," in kernel:
            sys.exit("runner: QEMU module strings cannot contain ','")
        cmd = [QEMU, "-M", "pc", "-cpu", cpu_model(vendor), "-m", "512",
               "-nographic", "-no-reboot", "-monitor", "none", "-serial", "stdio",
               "-kernel", hypervisor, "-append", hv_args,
               "-initrd", f"{kernel} {kargs}".strip(), *extra_qemu]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    lines, buf, status = [], b"", None
    deadline = time.monotonic() + timeout
    stopping = None
    while status is None:
        left = deadline - time.monotonic()
        if left <= 0:
            status = stopping or f"timed out after {timeout}s"
            break
        if not sel.select(min(left, 1.0)):
            if proc.poll() is not None:
                status = "exited"
            continue
        chunk = proc.stdout.read1(65536)
        if not chunk:
            status = "exited"
            break
        buf += chunk
        *complete, buf = buf.split(b"\n")
        for raw in complete:
            line = raw.decode("utf-8", "replace").rstrip("\r")
            lines.append(line)
            if show:
                print(line, flush=True)
            if (line.startswith("Bail out!") or "crashed" in line or "Panic on CPU" in line
                    or line.startswith("hv: exit:")):
                # Let the report finish printing, then stop: Xen would sit
                # out its reboot delay otherwise.
                deadline = min(deadline, time.monotonic() + 1.0)
                stopping = "stopped after: " + line.strip()[:80]
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, 15)     # run-bochs.sh and its Bochs
            proc.wait(5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            proc.kill()
    proc.wait()
    if buf:
        lines.append(buf.decode("utf-8", "replace"))
    return lines, status


@functools.lru_cache(maxsize=None)
def findings():
    with open(FINDINGS, encoding="utf-8") as f:
        return f.read()


def judge(lines, status):
    """Parse TAP; return dict with passed, failed, todo, problems."""
    r = {"passed": 0, "failed": 0, "todo": {}, "problems": [], "failures": [], "rewind": {},
         "hypervisor": None}
    plan, seen, done, expect = None, 0, False, 1
    last_failed = False
    for line in lines:
        body = line[6:] if line.startswith("(XEN) ") else line
        if last_failed and body.startswith("#   "):
            r["failures"].append(body)      # the diagnostics of a failure
            continue
        last_failed = False
        if body.startswith("Bail out!"):
            r["problems"].append(body)
        if DONE in body:
            done = True
        m = re.match(r"^pventry: PV64 guest kernel on (Xen [^,\s]+)", body)
        if m:   # the hypervisor's own version, as the guest read it
            r["hypervisor"] = m.group(1)
        m = re.match(r"^# rewind: (\w+) ", body)
        if m:   # how the hypervisor rewound %rip over a prefixed instruction
            r["rewind"][m.group(1)] = r["rewind"].get(m.group(1), 0) + 1
        m = PLAN_RE.match(body)
        if m:
            plan = int(m.group(1))
            continue
        m = TAP_RE.match(body)
        if not m:
            continue
        seen += 1
        if int(m.group(2)) != expect:
            r["problems"].append(f"test number {m.group(2)} out of sequence (expected {expect})")
        expect = int(m.group(2)) + 1
        desc = m.group(3) or ""
        if m.group(1) == "ok":
            r["passed"] += 1
        elif "# TODO" in desc:
            m = re.search(r"# TODO known (\w+) deviation: (.*)$", desc)
            if not m or m.group(2) not in findings():
                r["failed"] += 1
                r["failures"].append(body + "   <- a TODO that Documentation/findings.md does not list")
                continue
            key = (m.group(1), m.group(2))
            r["todo"][key] = r["todo"].get(key, 0) + 1
            r["passed"] += 1
        else:
            r["failed"] += 1
            r["failures"].append(body)
            last_failed = True
    if plan is None:
        r["problems"].append("no TAP plan")
    elif plan != seen:
        r["problems"].append(f"plan says {plan} checks, {seen} ran")
    if not done:
        r["problems"].append(f"kernel did not finish ({status})")
    return r


def report(name, r, lines, show):
    ok = not r["failed"] and not r["problems"]
    kinds = {}
    for (kind, _), n in r["todo"].items():
        kinds[kind] = kinds.get(kind, 0) + n
    todo = ", ".join(f"{n} known {kind} deviations" for kind, n in sorted(kinds.items()))
    print(f"{'PASS' if ok else 'FAIL'}: {name}"
          + (f" [guest saw {r['hypervisor']}]" if r["hypervisor"] else "")
          + f": {r['passed']} passed, {r['failed']} failed" + (f" ({todo})" if todo else ""), flush=True)
    for (kind, why), n in sorted(r["todo"].items()):
        print(f"    known {kind} deviation x{n}: {why}")
    if r["rewind"]:
        print("    %rip rewind over prefixed instructions: "
              + ", ".join(f"{k}-style x{v}" for k, v in sorted(r["rewind"].items())))
    for f in r["failures"][:50]:
        print(f"    {f}")
    for p in r["problems"]:
        print(f"    problem: {p}")
    if not ok and not show:
        print("    --- last lines of the console ---")
        for line in lines[-25:]:
            print(f"    | {line}")
    return ok


def bench(a, vendors, emu, extra_qemu):
    """Boot with `bench`; collect the kernel's "bench: what N ticks/op" lines.

    Under hv, QEMU's -icount shift=0 makes one TSC tick one instruction, so
    the numbers are instruction counts and repeatable.  QEMU 10 aborts
    ("Bad icount read") with -icount under Xen, so there they are TSC ticks
    of TCG's wall clock: indicative only."""
    icount = bool(a.hv) and not BOCHS
    unit = "instructions" if icount else "TSC ticks (wall clock, noisy)"
    qemu = extra_qemu + (("-icount", "shift=0") if icount else ())
    failed = 0
    for vendor in vendors:
        lines, status = boot(a.xen, a.xen_args, a.kernel, f"emu={emu} delivery={a.delivery} bench",
                             vendor, a.timeout, a.show, qemu)
        r = judge(lines, status)
        rows = [l.split("bench:", 1)[1].strip() for l in lines if l.startswith("bench:")]
        print(f"{'hv ' + a.delivery if a.hv else 'Xen ' + os.path.basename(a.xen)}, {vendor}: "
              f"per round trip, in {unit}")
        for row in rows:
            print(f"    {row}")
        if r["failed"] or r["problems"] or not rows:
            print(f"    FAIL: {'; '.join(r['problems'] + r['failures'][:3]) or 'no results'}")
            failed += 1
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xen", help="multiboot Xen binary")
    ap.add_argument("--hv", help="hv/'s pventry-hv instead of Xen (isa-debug-exit ends the run)")
    ap.add_argument("--domu", action="store_true",
                    help="with --hv: boot the kernel as a domU (console ring, no console_io)")
    ap.add_argument("--delivery", default="idt", choices=["idt", "fred"],
                    help="how the hypervisor delivers events: the rewind the guest must see")
    ap.add_argument("--xen-args", default=XEN_ARGS)
    ap.add_argument("--xen-args-extra", default="", help="appended to the hypervisor command line")
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--vendor", action="append", default=[])
    ap.add_argument("--args", default="", help="extra kernel command line")
    ap.add_argument("--broken-kernel", help="a kernel built with CONFIG_TEST_BROKEN_ENTRY: must fail")
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--show", action="store_true", help="print the whole console")
    ap.add_argument("--bochs", help="boot in this Bochs (built with FRED) instead of QEMU")
    ap.add_argument("--bench", action="store_true",
                    help="run the benchmarks instead (`bench` on the command line) and print them")
    a = ap.parse_args()
    global BOCHS
    if a.bochs:
        if not (os.path.isfile(a.bochs) and os.access(a.bochs, os.X_OK)):
            sys.exit(f"runner: --bochs {a.bochs} is not an executable file")
        BOCHS = a.bochs
        a.vendor = a.vendor or ["GenuineIntel"]
        a.timeout = max(a.timeout, 900)
        # Bochs's UART runs at its baud rate in guest time: let Xen buffer.
        a.xen_args += " serial_tx_buffer=256k"
    if a.xen_args_extra:
        a.xen_args += " " + a.xen_args_extra
    vendors = a.vendor or ["GenuineIntel"]
    extra_qemu = ()
    if a.hv:
        a.xen, a.xen_args = a.hv, f"delivery={a.delivery} console=com1" + (" domu" if a.domu else "")
        extra_qemu = ("-device", "isa-debug-exit,iobase=0xf4,iosize=0x04")
    for f in (a.xen, a.kernel):
        if not f or not os.path.exists(f):
            sys.exit(f"runner: {f} does not exist")
    emu = emulator_tag()
    total_pass = total_fail = 0
    if a.bench:
        return bench(a, vendors, emu, extra_qemu)
    for vendor in vendors:
        kargs = f"emu={emu} delivery={a.delivery} {a.args}".strip()
        t0 = time.monotonic()
        lines, status = boot(a.xen, a.xen_args, a.kernel, kargs, vendor, a.timeout, a.show,
                             extra_qemu)
        r = judge(lines, status)
        name = (f"{'hv' if a.hv else 'Xen'} {os.path.basename(a.xen)}"
                f"{' delivery=' + a.delivery if a.hv else ''}{' domU' if a.domu else ''}, "
                f"{vendor} ({time.monotonic() - t0:.1f}s)")
        ok = report(name, r, lines, a.show)
        total_pass += r["passed"]
        total_fail += r["failed"] + (0 if ok or r["failed"] else 1)
    if a.broken_kernel:
        # The runner's own test: a kernel whose entry stubs lose RCX/R11
        # must not pass.
        lines, status = boot(a.xen, a.xen_args, a.broken_kernel, f"emu={emu} delivery={a.delivery}",
                             vendors[0], a.timeout, False, extra_qemu)
        r = judge(lines, status)
        caught = bool(r["failed"] or r["problems"])
        print(f"{'PASS' if caught else 'FAIL'}: runner self-test: broken entry stubs "
              f"{'detected' if caught else 'NOT detected'} ({r['failed']} checks failed"
              f"{', ' + '; '.join(r['problems']) if r['problems'] else ''})")
        for f in r["failures"][:5]:
            print(f"    {f}")
        total_pass += caught
        total_fail += not caught
        # And a kernel that faults unexpectedly must panic with the report
        # Documentation/boot.md promises, and the runner must see a failure.
        lines, status = boot(a.xen, a.xen_args, a.kernel, f"emu={emu} delivery={a.delivery} selftest_panic",
                             vendors[0], a.timeout, False, extra_qemu)
        r = judge(lines, status)
        text = "\n".join(lines)
        want = [r"Unexpected #PF \(vector 0xe\) in kernel mode, error code 0x0 at run_selftests\+0x",
                r"CR2 \(vcpu_info\.arch\.cr2\): 0x0+2000",
                r"Bail out! PANIC: fatal kernel exception #PF",
                r"RIP: e030:0xffffffff8[0-9a-f]+ run_selftests\+0x[0-9a-f]+/0x[0-9a-f]+",
                r"RAX: 0x[0-9a-f]{16}"]
        missing = [w for w in want if not re.search(w, text)]
        ok = not missing and bool(r["problems"])
        print(f"{'PASS' if ok else 'FAIL'}: runner self-test: an unexpected kernel #PF panics with "
              f"vector, error code, CR2, symbolised RIP and registers, and fails the run")
        for w in missing:
            print(f"    missing: /{w}/")
        total_pass += ok
        total_fail += not ok
    print(f"{total_pass} passed, {total_fail} failed")
    return 1 if total_fail else 0


if __name__ == "__main__":
    sys.exit(main())
