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
            [--vcpus N] [--broken-kernel K] [--show]

With --xl DOM0_DIR the kernel is a domU instead, as a user of Xen runs it:
Xen boots a Linux dom0 (scripts/mkdom0.sh) whose /init creates it with
`xl create` and relays its console log (scripts/dom0-init.sh).  Each
vendor's boot runs the suite, then `xl reboot` and `xl shutdown` of a
kernel that waits, and (with --broken-kernel) the runner's own tests,
each domain in turn.
"""
import argparse
import functools
import gzip
import os
import re
import selectors
import subprocess
import sys
import tempfile
import time

QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
XEN_ARGS = "console=com1 com1=115200,8n1 dom0_mem=64M loglvl=all guest_loglvl=all"
DONE = "pventry: all done"
# Every known deviation the kernel may declare is a row of this file.
FINDINGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Documentation", "findings.md")

TAP_RE = re.compile(r"^(not ok|ok) (\d+)(?: - (.*))?$")
# The kernel's crashme lines (selftests/kernel/crashme.c): a program starts, and ends.
CRASHME_START_RE = re.compile(r"^# (\S+): seed (0x[0-9a-f]+), inputs (\d+)\.\.(\d+) \(crashme_seed=")
CRASHME_END_RE = re.compile(r"^# \S+: \d+ runs: ")

# The runner's own test with a kernel built with CONFIG_TEST_BROKEN_HV: for
# each rule it can break (broken= on its command line), checks that must
# fail.  Each is a check that would pass if it could not tell.  A check
# that runs on one CPU vendor only names it: (text, vendor).
BROKEN_HV = {
    "nomask": [     # entries leave events unmasked
        "INT3 from unmasked, #BP entry with the mask flag: events masked in the handler",
        "NMI from unmasked, nmi callback registered (slot 2 masks): events masked in the handler",
        "event: events masked in the handler",
        "entry64: SYSCALL 64 (syscall callback), with mask flag: events masked in the handler",
        "entry64: INT $0x80 64 (trap table, vDPL 3), with mask flag: events masked in the handler",
        "user32: INT $0x80 compat (trap table, vDPL 3), with mask flag: events masked in the handler",
        "user64: event in user mode: events masked in the handler",
        ("user32: SYSENTER compat (sysenter callback), with mask flag: events masked in the handler",
         "GenuineIntel"),
        ("user32: SYSCALL compat (syscall32 callback, syscall registered alike), with mask flag: "
         "events masked in the handler", "AuthenticAMD"),
    ],
    "mask": [       # every entry masks events
        "INT3 from unmasked, #BP entry without the mask flag: events still unmasked in the handler",
        "NMI from unmasked, slot 2 re-set without the mask flag: events still unmasked in the handler",
        "entry64: SYSCALL 64 (syscall callback), no mask flag: events unmasked in the handler",
        "entry64: INT $0x80 64 (trap table, vDPL 3), no mask flag: events unmasked in the handler",
        "entry64: INT $0x80 at vDPL 0 (IDT), no mask flag: events unmasked in the handler",
        ("user32: SYSENTER compat (sysenter callback), no mask flag: events unmasked in the handler",
         "GenuineIntel"),
        ("user32: SYSCALL compat (syscall32 callback, syscall registered alike), no mask flag: "
         "events unmasked in the handler", "AuthenticAMD"),
    ],
    "r11": [        # a SYSCALL frame's r11 slot is not the user's rflags
        "entry64: SYSCALL 64: frame r11 slot = the user's rflags, read just before",
    ],
    "nosysret": [   # VGCF_in_syscall ignored
        "entry64: VGCF_in_syscall: user rcx = return rip, though the frame's rcx slot was changed",
        "entry64: VGCF_in_syscall: user r11 = rflags, though the frame's r11 slot was changed",
        ("user32: VGCF_in_syscall (compat SYSCALL): user ecx = return eip, though the frame's rcx "
         "slot was changed", "AuthenticAMD"),
    ],
    "sysret": [     # a full iret to 64-bit user mode returns SYSRET-style
        "entry64: full iret (INT $0x80): user rcx = the frame's rcx slot",
        "entry64: full iret (INT $0x80): user r11 = the frame's r11 slot",
    ],
}
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


HV = False          # set by --hv: hv runs every vCPU on one CPU
VCPUS = 1           # set by --vcpus: physical CPUs in the emulator, vCPUs of the guest
BOCHS = None        # set by --bochs: boot in Bochs (FRED) through scripts/run-bochs.sh
RUN_BOCHS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "run-bochs.sh")


def guest_stopped(line):
    """A line after which the run is over (the guest or the hypervisor died)."""
    return (line.startswith("Bail out!") or "crashed" in line or "Panic on CPU" in line
            or line.startswith("hv: exit:"))


def boot(hypervisor, hv_args, kernel, kargs, vendor, timeout, show, extra_qemu=(),
         cmd=None, stopped=guest_stopped):
    """Run one boot; return (lines, status) where status says how it ended.
    cmd replaces the QEMU command line built here; stopped(line) says
    that the run is over once the report has finished printing."""
    env = None
    if cmd is None and BOCHS:
        # GRUB in Bochs: the CPU model is Bochs's (wildcat_lake, Intel, FRED).
        cmd = [RUN_BOCHS, hypervisor, hv_args, kernel, kargs, str(timeout)]
        env = dict(os.environ, BOCHS=BOCHS)
    elif cmd is None:
        if "," in kargs or "," in kernel:
            sys.exit("runner: QEMU module strings cannot contain ','")
        # Xen gets a physical CPU per vCPU; hv runs every vCPU on one.
        cmd = [QEMU, "-M", "pc", "-cpu", cpu_model(vendor), "-m", "512",
               "-smp", str(1 if HV else VCPUS),
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
            if stopped(line):
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
    r = {"passed": 0, "failed": 0, "skipped": 0, "todo": {}, "problems": [], "failures": [],
         "rewind": {}, "hypervisor": None}
    plan, seen, done, expect = None, 0, False, 1
    last_failed = False
    crashme = None      # the crashme program running: (name, seed, first, last input)
    for line in lines:
        body = line[6:] if line.startswith("(XEN) ") else line
        m = CRASHME_START_RE.match(body)
        if m:
            crashme = m.groups()
        elif CRASHME_END_RE.match(body):
            crashme = None
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
        if re.search(r"#\s*SKIP", desc, re.I):
            r["skipped"] += 1       # ran nothing: neither passed nor failed
        elif m.group(1) == "ok":
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
        if crashme:
            name, seed, first, last = crashme
            r["problems"].append(
                f"it stopped inside {name} (seed {seed}, inputs {first}..{last}): replay with "
                f"--args \"crashme_seed={seed} crashme_from={first} crashme={int(last) - int(first) + 1} "
                f"crashme_trace\" to see the bytes of each input before it runs")
    return r


# What an unexpected kernel #PF (`selftest_panic`) must report (Documentation/boot.md).
PANIC_REPORT = [r"Unexpected #PF \(vector 0xe\) in kernel mode, error code 0x0 at run_selftests\+0x",
                r"CR2 \(vcpu_info\.arch\.cr2\): 0x0+2000",
                r"Bail out! PANIC: fatal kernel exception #PF",
                r"RIP: e030:0xffffffff8[0-9a-f]+ run_selftests\+0x[0-9a-f]+/0x[0-9a-f]+",
                r"RAX: 0x[0-9a-f]{16}"]


def report(name, r, lines, show):
    ok = not r["failed"] and not r["problems"]
    kinds = {}
    for (kind, _), n in r["todo"].items():
        kinds[kind] = kinds.get(kind, 0) + n
    todo = ", ".join(f"{n} known {kind} deviations" for kind, n in sorted(kinds.items()))
    print(f"{'PASS' if ok else 'FAIL'}: {name}"
          + (f" [guest saw {r['hypervisor']}]" if r["hypervisor"] else "")
          + f": {r['passed']} passed, {r['failed']} failed"
          + (f", {r['skipped']} skipped (not counted as passed)" if r["skipped"] else "")
          + (f" ({todo})" if todo else ""), flush=True)
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


# ---- --xl: the kernel as a domU, created by xl in a Linux dom0 ----

XL_XEN_ARGS = ("console=com1 com1=115200,8n1 dom0_mem=512M,max:512M dom0_max_vcpus=1 "
               "loglvl=all guest_loglvl=all")
XL_DOM0_ARGS = "console=hvc0 quiet"
XL_CFG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pventry.cfg")
SHUTDOWN_REASONS = ["poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset"]
XL_SHUTDOWN_MS = 5000       # `xl shutdown -w` / `xl reboot -w` must be answered within this


def cpio_newc(files):
    """A cpio archive ("newc", what Linux unpacks into its initramfs) of
    files: (path, mode, bytes) triples."""
    out = bytearray()

    def pad4():
        out.extend(b"\0" * (-len(out) % 4))
    for ino, (path, mode, data) in enumerate(files + [("TRAILER!!!", 0, b"")], 1):
        name = path.encode() + b"\0"
        fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name), 0)
        out += b"070701" + "".join(f"{v:08x}" for v in fields).encode() + name
        pad4()
        out += data
        pad4()
    return bytes(out)


def xl_sections(lines):
    """Split dom0's console at "xl-dom0: begin NAME" / "xl-dom0: end NAME"
    (scripts/dom0-init.sh) into {NAME: dict(guest=console lines,
    xl=xl's output, dom0=dom0's own notes)}."""
    sections, cur = {}, None
    for line in lines:
        m = re.match(r"^xl-dom0: (begin|end) (\S+)$", line)
        if m:
            cur = sections.setdefault(m.group(2), {"guest": [], "xl": [], "dom0": [], "ended": False})
            if m.group(1) == "end":
                cur["ended"], cur = True, None
            continue
        if cur is None:
            continue
        if line.startswith("xl: "):
            cur["xl"].append(line[4:])
        elif line.startswith("xl-dom0: "):
            cur["dom0"].append(line[9:])
        else:
            cur["guest"].append(line)
    for sec in sections.values():
        codes = [int(m.group(1)) for m in
                 (re.search(r"has shut down, reason code (\d+)", l) for l in sec["xl"]) if m]
        # How each boot of the domain ended, in order; "reason" is the first.
        sec["reasons"] = [SHUTDOWN_REASONS[c] if c < len(SHUTDOWN_REASONS) else f"reason code {c}"
                          for c in codes]
        sec["reason"] = sec["reasons"][0] if codes else "no shutdown"
        sec["timed_out"] = any(l.startswith("timed out") for l in sec["dom0"])
    return sections


def xl_run(a, vendor, emu, guests, show):
    """One boot of Xen + dom0; dom0 creates guests = [(name, kernel, extra,
    how)] in order, how "run" or "shutdown" (scripts/dom0-init.sh).
    Returns (console lines, sections, status)."""
    cfg = open(XL_CFG, "rb").read()
    # Files in the archive; pventry.cfg's kernel = "build/pventry" is the kernel.
    kernels = {a.kernel: "guest/build/pventry"}
    plan = []
    for name, kernel, extra, how in guests:
        if "\"" in extra or "'" in extra:
            sys.exit("runner: the kernel command line cannot contain quotes under --xl")
        kernels.setdefault(kernel, f"guest/kernel{len(kernels)}")
        path = "-" if kernel == a.kernel else "/" + kernels[kernel]
        plan.append(f"{how}_guest {name} {path} {a.timeout} \"{extra}\"")
    files = [("guest", 0o040755, b""), ("guest/build", 0o040755, b""),
             ("guest/pventry.cfg", 0o100644, cfg),
             ("plan", 0o100644, ("\n".join(plan) + "\n").encode())]
    files += [(path, 0o100644, open(k, "rb").read()) for k, path in kernels.items()]
    with tempfile.TemporaryDirectory(prefix="pventry-xl-") as tmp:
        initrd = os.path.join(tmp, "initrd.img")
        with open(initrd, "wb") as f:
            f.write(open(os.path.join(a.xl, "initrd.img"), "rb").read())
            f.write(gzip.compress(cpio_newc(files), 1))
        if "," in a.xl:
            sys.exit("runner: QEMU module strings cannot contain ','")
        cmd = [QEMU, "-M", "pc", "-cpu", cpu_model(vendor), "-m", "1024",
               "-nographic", "-no-reboot", "-monitor", "none", "-serial", "stdio",
               "-kernel", a.xen, "-append", a.xen_args,
               "-initrd", f"{os.path.join(a.xl, 'vmlinuz')} {XL_DOM0_ARGS},{initrd}"]
        # dom0 takes 10-20 s to boot under TCG; each guest has its own time-out in dom0.
        timeout = 120 + a.timeout * len(guests)
        lines, status = boot(a.xen, a.xen_args, None, "", vendor, timeout, show, cmd=cmd,
                             stopped=lambda l: "Panic on CPU" in l)
    return lines, xl_sections(lines), status


def xl_judge(sec, status, name, timeout):
    """judge() a guest's console log, and say how the domain ended."""
    if sec is None:
        r = judge([], status)
        r["problems"].insert(0, f"dom0 never created {name} ({status})")
        return r
    r = judge(sec["guest"], "timed out in dom0" if sec["timed_out"] else f"domain ended: {sec['reason']}")
    if sec["timed_out"]:
        r["problems"].append(f"still running after {timeout}s: destroyed by dom0")
    if not sec["ended"]:
        r["problems"].append(f"dom0 did not finish with {name} ({status})")
    return r


def xl_main(a, vendors, emu):
    base = f"emu={emu} delivery={a.delivery} {a.args}".strip()
    total_pass = total_fail = 0
    for i, vendor in enumerate(vendors):
        guests = [("suite", a.kernel, base, "run"), ("stop", a.kernel, base + " wait", "shutdown")]
        selftest = bool(a.broken_kernel) and i == 0
        if selftest:
            guests += [("broken", a.broken_kernel, f"emu={emu} delivery={a.delivery}", "run"),
                       ("panic", a.kernel, f"emu={emu} delivery={a.delivery} selftest_panic", "run")]
        t0 = time.monotonic()
        lines, sections, status = xl_run(a, vendor, emu, guests, a.show)
        took = time.monotonic() - t0

        # The suite, as a domU: judged like any run, and it must power off.
        sec = sections.get("suite")
        r = xl_judge(sec, status, "suite", a.timeout)
        if sec and sec["reason"] != "poweroff":
            r["problems"].append(f"domain ended with {sec['reason']}, not poweroff")
        ok = report(f"Xen {os.path.basename(a.xen)} domU via xl create, {vendor}",
                    r, sec["guest"] if sec else lines, a.show)
        total_pass += r["passed"]
        total_fail += r["failed"] + (0 if ok or r["failed"] else 1)

        # A guest waiting after its suite: `xl reboot` makes it boot again
        # (on_reboot = "restart"), then `xl shutdown` powers it off.
        sec = sections.get("stop")
        boots, banner = [[]], "pventry: PV64 guest kernel on Xen"
        for line in (sec["guest"] if sec else []):
            if line.startswith(banner) and any(l.startswith(banner) for l in boots[-1]):
                boots.append([])
            boots[-1].append(line)
        for n, (req, reason) in enumerate([("reboot", "reboot"), ("shutdown", "poweroff")]):
            boot_lines = boots[n] if n < len(boots) else []
            r = judge(boot_lines, f"boot {n + 1} of stop")
            problems = r["problems"] + [f"suite: {f}" for f in r["failures"][:3]]
            answered = [m for m in (re.match(rf"xl {req} -w stop: exit (\d+) after (\d+) ms", l)
                                    for l in (sec["dom0"] if sec else [])) if m]
            if not sec or not sec["ended"]:
                problems.append(f"dom0 did not finish with stop ({status})")
            elif sec["timed_out"]:
                problems.append(f"still running after {a.timeout}s: destroyed by dom0")
            if not answered:
                problems.append(f"dom0 did not run xl {req}")
            elif answered[0].group(1) != "0" or int(answered[0].group(2)) > XL_SHUTDOWN_MS:
                problems.append(f"xl {req} -w: exit {answered[0].group(1)} after "
                                f"{answered[0].group(2)} ms (limit {XL_SHUTDOWN_MS} ms)")
            if not any(f'control/shutdown "{reason}"' in l for l in boot_lines):
                problems.append(f"the guest did not report the {reason} request")
            ended = sec["reasons"][n] if sec and n < len(sec["reasons"]) else "no shutdown"
            if ended != reason:
                problems.append(f"boot {n + 1} ended with {ended}, not {reason}")
            ok = not problems
            print(f"{'PASS' if ok else 'FAIL'}: xl {req} of a waiting domU, {vendor}: "
                  + (f"{reason} after {answered[0].group(2)} ms" if answered else "not answered"))
            for p in problems:
                print(f"    problem: {p}")
            total_pass += ok
            total_fail += not ok

        if selftest:
            # The runner's own tests hold for a domU too: broken stubs fail...
            sec = sections.get("broken")
            r = xl_judge(sec, status, "broken", a.timeout)
            caught = bool(r["failed"] or r["problems"]) and bool(sec and sec["ended"])
            print(f"{'PASS' if caught else 'FAIL'}: runner self-test (domU): broken entry stubs "
                  f"{'detected' if caught else 'NOT detected'} ({r['failed']} checks failed"
                  f"{', ' + '; '.join(r['problems']) if r['problems'] else ''})")
            total_pass += caught
            total_fail += not caught
            # ...and an unexpected #PF panics with the report and crashes the domain.
            sec = sections.get("panic")
            r = xl_judge(sec, status, "panic", a.timeout)
            text = "\n".join(sec["guest"] if sec else [])
            missing = [w for w in PANIC_REPORT if not re.search(w, text)]
            ok = not missing and bool(r["problems"]) and bool(sec) and sec["reason"] == "crash"
            print(f"{'PASS' if ok else 'FAIL'}: runner self-test (domU): an unexpected kernel #PF "
                  f"panics with the report, fails the run and crashes the domain "
                  f"(ended: {sec['reason'] if sec else None})")
            for w in missing:
                print(f"    missing: /{w}/")
            total_pass += ok
            total_fail += not ok
        print(f"    (Xen + dom0 + {len(guests)} domUs, {vendor}: {took:.1f}s)")
        if any(not sections.get(g[0], {}).get("ended") for g in guests) and not a.show:
            print("    --- last lines of the serial console ---")
            for line in lines[-25:]:
                print(f"    | {line}")
    print(f"{total_pass} passed, {total_fail} failed")
    return 1 if total_fail else 0


def broken_hv_selftest(a, emu, vendors, extra_qemu):
    """The runner's own test with a CONFIG_TEST_BROKEN_HV kernel: for each
    rule it breaks and each vendor, the checks of that rule must fail.
    Returns (passed, failed)."""
    passed = failed = 0
    runs = [(vendor, rule, checks) for vendor in vendors for rule, checks in BROKEN_HV.items()]
    for vendor, rule, checks in runs:
        must_fail = [c if isinstance(c, str) else c[0] for c in checks
                     if isinstance(c, str) or c[1] == vendor]
        lines, status = boot(a.xen, a.xen_args, a.broken_hv_kernel,
                             f"emu={emu} delivery={a.delivery} broken={rule}",
                             vendor, a.timeout, False, extra_qemu)
        r = judge(lines, status)
        seen = {f.split(" - ", 1)[1] for f in r["failures"] if f.startswith("not ok ")}
        missed = [t for t in must_fail if t not in seen]
        print(f"{'FAIL' if missed else 'PASS'}: runner self-test: a hypervisor breaking rule "
              f"'{rule}' fails its {len(must_fail)} checks, {vendor} ({r['failed']} failed in all)")
        for t in missed:
            print(f"    passed anyway: {t}")
        passed += not missed
        failed += bool(missed)
    # And a skipped check is not a passed one.
    r = judge(["ok 1 - something # SKIP no reason", "1..1", DONE], "exited")
    ok = r["passed"] == 0 and r["skipped"] == 1
    print(f"{'PASS' if ok else 'FAIL'}: runner self-test: an 'ok ... # SKIP' line is not counted as passed")
    return passed + ok, failed + (not ok)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xen", help="multiboot Xen binary")
    ap.add_argument("--hv", help="hv/'s pventry-hv instead of Xen (isa-debug-exit ends the run)")
    ap.add_argument("--domu", action="store_true",
                    help="with --hv: boot the kernel as a domU (console ring, no console_io)")
    ap.add_argument("--xl", metavar="DOM0_DIR",
                    help="with --xen: boot DOM0_DIR/vmlinuz with DOM0_DIR/initrd.img as dom0 "
                         "(scripts/mkdom0.sh) and create the kernel as a domU with xl")
    ap.add_argument("--delivery", default="idt", choices=["idt", "fred"],
                    help="how the hypervisor delivers events: the rewind the guest must see")
    ap.add_argument("--xen-args", default=XEN_ARGS)
    ap.add_argument("--xen-args-extra", default="", help="appended to the hypervisor command line")
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--vendor", action="append", default=[])
    ap.add_argument("--args", default="", help="extra kernel command line")
    ap.add_argument("--broken-kernel", help="a kernel built with CONFIG_TEST_BROKEN_ENTRY: must fail")
    ap.add_argument("--broken-hv-kernel",
                    help="a kernel built with CONFIG_TEST_BROKEN_HV: each rule's checks must fail")
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--show", action="store_true", help="print the whole console")
    ap.add_argument("--bochs", help="boot in this Bochs (built with FRED) instead of QEMU")
    ap.add_argument("--vcpus", type=int, default=1,
                    help="vCPUs of the guest: dom0_max_vcpus=N on Xen, N CPUs in QEMU")
    a = ap.parse_args()
    global BOCHS, VCPUS, HV
    VCPUS = a.vcpus
    HV = bool(a.hv)
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
        a.xen, a.xen_args = a.hv, (f"delivery={a.delivery} console=com1 vcpus={a.vcpus}"
                                   + (" domu" if a.domu else ""))
        extra_qemu = ("-device", "isa-debug-exit,iobase=0xf4,iosize=0x04")
    for f in (a.xen, a.kernel):
        if not f or not os.path.exists(f):
            sys.exit(f"runner: {f} does not exist")
    emu = emulator_tag()
    total_pass = total_fail = 0
    if a.xl:
        for f in ("vmlinuz", "initrd.img"):
            if not os.path.exists(os.path.join(a.xl, f)):
                sys.exit(f"runner: {os.path.join(a.xl, f)} does not exist (scripts/mkdom0.sh)")
        if a.xen_args == XEN_ARGS:
            a.xen_args = XL_XEN_ARGS
        return xl_main(a, vendors, emu)
    if not a.hv:
        # Exactly N vCPUs for dom0 (min-max): the guest brings up each.
        a.xen_args += f" dom0_max_vcpus={a.vcpus}-{a.vcpus}"
    for vendor in vendors:
        kargs = f"emu={emu} delivery={a.delivery} {a.args}".strip()
        t0 = time.monotonic()
        lines, status = boot(a.xen, a.xen_args, a.kernel, kargs, vendor, a.timeout, a.show,
                             extra_qemu)
        r = judge(lines, status)
        name = (f"{'hv' if a.hv else 'Xen'} {os.path.basename(a.xen)}"
                f"{' delivery=' + a.delivery if a.hv else ''}{' domU' if a.domu else ''}, "
                f"{a.vcpus} vCPU{'s' if a.vcpus > 1 else ''}, "
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
        missing = [w for w in PANIC_REPORT if not re.search(w, text)]
        ok = not missing and bool(r["problems"])
        print(f"{'PASS' if ok else 'FAIL'}: runner self-test: an unexpected kernel #PF panics with "
              f"vector, error code, CR2, symbolised RIP and registers, and fails the run")
        for w in missing:
            print(f"    missing: /{w}/")
        total_pass += ok
        total_fail += not ok
    if a.broken_hv_kernel:
        p, f = broken_hv_selftest(a, emu, vendors, extra_qemu)
        total_pass += p
        total_fail += f
    print(f"{total_pass} passed, {total_fail} failed")
    return 1 if total_fail else 0


if __name__ == "__main__":
    sys.exit(main())
