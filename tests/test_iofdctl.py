#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""iofdctl's behaviour as a user sees it, on fake sysfs trees and on this host.

Usage: test_iofdctl.py IOFDCTL MKFAKESYSFS

For each preset MKFAKESYSFS builds (DIR/sys, DIR/dev), runs the tool in text
and JSON mode and checks the facts a person or a script relies on: which
IOMMU enforces coherency, which groups VFIO can take and who blocks the
others, each device's driver, group, IOMMU and cdev. Also: usage errors exit
2, a missing sysfs root is a clear error, JSON strings are escaped, and the
real host (which has no IOMMU here) is described plainly.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import tooltest
from tooltest import check, section, skip

IOFDCTL = None
MKFAKE = None
# Drivers that leave a group viable (the library's documented rule).
VIABLE_DRIVERS = ("vfio-pci", "pci-stub", "pcieport", "vfio-platform", "vfio-amba",
                  "vfio-fsl-mc", "vfio-cdx")


def run(args, tool=None, timeout=60):
    return tooltest.run([tool or IOFDCTL] + list(args), timeout=timeout)


def table_blocks(lines):
    """Group table rows: a row starting in the first column (after the two-space
    indent) opens a block; indented rows continue it. Returns {first token: [lines]}."""
    blocks = {}
    cur = None
    for l in lines:
        if not l.startswith("  "):
            continue
        if l[2] != " ":
            cur = l.split()[0]
            blocks.setdefault(cur, []).append(l)
        elif cur is not None:
            blocks[cur].append(l)
    return blocks


def mkfake(preset, top):
    d = os.path.join(top, preset)
    p = subprocess.run([MKFAKE, preset, d], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    ok = check("mkfakesysfs %s builds" % preset, p.returncode == 0,
               p.stderr.decode(errors="replace"))
    return d if ok else None


def roots(d):
    return ["--sysfs-root", os.path.join(d, "sys"), "--dev-root", os.path.join(d, "dev")]


def probe(d, preset, extra=()):
    """Run text and JSON modes; return (text, doc) or (None, None)."""
    rc, out, err = run(roots(d) + list(extra))
    check("%s: text mode exits 0" % preset, rc == 0, "rc=%d stderr=%s" % (rc, err))
    rc2, jout, jerr = run(roots(d) + ["--json"] + list(extra))
    check("%s: json mode exits 0" % preset, rc2 == 0, "rc=%d stderr=%s" % (rc2, jerr))
    doc = None
    try:
        doc = json.loads(jout)
    except ValueError as e:
        check("%s: json parses" % preset, False, "%s\n%s" % (e, jout[:2000]))
    else:
        check("%s: json parses" % preset, True)
        check("%s: json is pretty-printed with a 2-space indent" % preset,
              jout.startswith('{\n  "') and '\n    {\n      "' in jout, jout[:200])
    return (out if rc == 0 else None), doc


def common_checks(preset, d, text, doc):
    """Facts true of every tree: schema, consistency, cdev/group paths, sysfs listing."""
    sysd, devd = os.path.join(d, "sys"), os.path.join(d, "dev")
    if doc is None:
        return
    for k in ("version", "sysfs_root", "backends", "iommus", "groups", "devices", "has_iommu"):
        check("%s: json has %s" % (preset, k), k in doc)
    check("%s: json sysfs_root is the one given" % preset, doc.get("sysfs_root") == sysd,
          repr(doc.get("sysfs_root")))
    check("%s: has_iommu matches the iommu list" % preset,
          doc.get("has_iommu") == bool(doc.get("iommus")))
    be = doc.get("backends", {})
    for b in ("iommufd", "type1", "compat"):
        e = be.get(b, {})
        check("%s: backend %s has available+reason" % (preset, b),
              isinstance(e.get("available"), bool) and isinstance(e.get("reason"), str)
              and e.get("reason") != "", repr(e))
    auto = be.get("auto", {})
    check("%s: auto backend is null or an available one" % preset,
          auto.get("backend") is None or be.get(auto["backend"], {}).get("available") is True,
          repr(auto))
    check("%s: auto has a reason" % preset, isinstance(auto.get("reason"), str) and auto["reason"])
    check("%s: vfio_container is none|vfio|iommufd" % preset,
          be.get("vfio_container") in ("none", "vfio", "iommufd"))

    # Every PCI device sysfs lists is shown, and nothing else claims to be PCI.
    pcidir = os.path.join(sysd, "bus", "pci", "devices")
    listed = set(os.listdir(pcidir)) if os.path.isdir(pcidir) else set()
    shown = {x["name"] for x in doc["devices"] if x.get("pci")}
    check("%s: every PCI device in sysfs is listed" % preset, shown == listed,
          "sysfs %s, shown %s" % (sorted(listed), sorted(shown)))

    groups = {g["id"]: g for g in doc["groups"]}
    iommus = {i["name"]: i for i in doc["iommus"]}
    for x in doc["devices"]:
        n = x["name"]
        if x["cdev"] is not None:
            check("%s: %s cdev is DEV/vfio/devices/vfioN" % (preset, n),
                  os.path.dirname(x["cdev"]) == os.path.join(devd, "vfio", "devices")
                  and os.path.basename(x["cdev"]).startswith("vfio"), x["cdev"])
        if x["group"] is not None:
            g = groups.get(x["group"])
            check("%s: %s's group %s is listed and holds it" % (preset, n, x["group"]),
                  g is not None and n in [m["name"] for m in g["devices"]])
        if x["iommu"] is not None:
            check("%s: %s's iommu is listed and lists it" % (preset, n),
                  x["iommu"] in iommus and n in iommus[x["iommu"]]["devices"])
        if x.get("pci"):
            check("%s: %s ids are hex strings" % (preset, n),
                  all(isinstance(x[k], str) and x[k].startswith("0x") for k in ("vendor", "device", "class")))
    for gid, g in groups.items():
        node = os.path.join(devd, "vfio", str(gid))
        check("%s: group %d path is DEV/vfio/N exactly when that node exists" % (preset, gid),
              g["path"] == (node if os.path.exists(node) else None), repr(g["path"]))
        drivers = [m["driver"] for m in g["devices"]]
        predicted = all(dr is None or dr in VIABLE_DRIVERS or dr.endswith("vfio-pci")
                        or dr.endswith("vfio_pci") for dr in drivers)
        check("%s: group %d viable agrees with its members' drivers" % (preset, gid),
              g["viable"] == predicted, "viable=%r drivers=%r" % (g["viable"], drivers))

    if text is None:
        return
    # Every device appears in the Devices table with its driver and cdev.
    devs = section(text, "Devices")
    check("%s: text has a Devices section" % preset, devs is not None)
    rows = table_blocks(devs or [])
    for x in doc["devices"]:
        row = " ".join(rows.get(x["name"], []))
        check("%s: text lists device %s" % (preset, x["name"]), row != "")
        if not row:
            continue
        toks = row.split()
        check("%s: text shows %s's driver" % (preset, x["name"]),
              (x["driver"] or "(none)") in toks, row)
        check("%s: text shows %s's cdev" % (preset, x["name"]),
              (x["cdev"] or "-") in toks, row)
        if x["group"] is not None:
            check("%s: text shows %s's group" % (preset, x["name"]), str(x["group"]) in toks, row)
    for sec in ("Backends", "IOMMUs", "IOMMU groups"):
        check("%s: text has a %s section" % (preset, sec), section(text, sec) is not None)


def iommu_rows(text):
    return table_blocks(section(text, "IOMMUs") or [])


def group_rows(text):
    return table_blocks(section(text, "IOMMU groups") or [])


def text_coherency(text, name):
    rows = iommu_rows(text).get(name)
    return rows[0].split()[2] if rows else None


def dev_by(doc, **kw):
    return [x for x in doc["devices"] if all(x.get(k) == v for k, v in kw.items())]


def test_vtd_sc(d, text, doc):
    p = "vtd-sc"
    devd = os.path.join(d, "dev")
    dmar = [i for i in doc["iommus"] if i["type"] == "intel-vtd"]
    check("%s: a VT-d unit is listed" % p, len(dmar) >= 1, repr(doc["iommus"]))
    for u in dmar:
        check("%s: %s enforces coherency" % (p, u["name"]), u["enforces_coherency"] is True)
        check("%s: %s ecap" % (p, u["name"]), u["vtd_ecap"] == "0xf00fca", u["vtd_ecap"])
        check("%s: %s cap" % (p, u["name"]), u["vtd_cap"] == "0xd2008c22260206", u["vtd_cap"])
        check("%s: %s has an address width" % (p, u["name"]), isinstance(u["address_width"], int))
        if text:
            check("%s: text says %s enforces coherency" % (p, u["name"]),
                  text_coherency(text, u["name"]) == "yes")
            check("%s: text shows %s's ecap" % (p, u["name"]),
                  "0xf00fca" in " ".join(iommu_rows(text).get(u["name"], [])))
    nvme = dev_by(doc, vendor="0x1b36", device="0x0010")
    check("%s: two NVMe devices" % p, len(nvme) == 2, repr(nvme))
    for x in nvme:
        check("%s: %s is NVMe class" % (p, x["name"]), x["class"] == "0x010802")
        check("%s: %s on vfio-pci" % (p, x["name"]), x["driver"] == "vfio-pci")
    check("%s: NVMe cdevs are vfio0 and vfio1" % p,
          sorted(x["cdev"] or "" for x in nvme)
          == [os.path.join(devd, "vfio", "devices", "vfio%d" % i) for i in (0, 1)],
          repr([x["cdev"] for x in nvme]))
    check("%s: NVMe groups are 3 and 4" % p, sorted(x["group"] or -1 for x in nvme) == [3, 4])
    groups = {g["id"]: g for g in doc["groups"]}
    for gid in (3, 4):
        check("%s: group %d viable" % (p, gid), groups.get(gid, {}).get("viable") is True)
    nic = dev_by(doc, vendor="0x8086", device="0x10d3")
    check("%s: one e1000e" % p, len(nic) == 1)
    if nic:
        check("%s: e1000e bound to e1000e in group 5 without cdev" % p,
              nic[0]["driver"] == "e1000e" and nic[0]["group"] == 5 and nic[0]["cdev"] is None,
              repr(nic[0]))
    check("%s: group 5 (e1000e) not viable" % p, groups.get(5, {}).get("viable") is False)
    g0 = groups.get(0)
    check("%s: group 0 exists with unbound members" % p,
          g0 is not None and all(m["driver"] is None for m in g0["devices"]), repr(g0))
    check("%s: group 0 viable" % p, g0 is not None and g0["viable"] is True)
    if text:
        g5 = " ".join(group_rows(text).get("5", []))
        check("%s: text says group 5 is not viable with e1000e" % p,
              "not viable" in g5 and "e1000e" in g5, g5)
        g3 = " ".join(group_rows(text).get("3", []))
        check("%s: text says group 3 is viable" % p,
              " viable " in g3 and "not viable" not in g3, g3)


def test_vtd_nosc(d, text, doc):
    p = "vtd-nosc"
    dmar = [i for i in doc["iommus"] if i["type"] == "intel-vtd"]
    check("%s: a VT-d unit is listed" % p, len(dmar) >= 1)
    for u in dmar:
        check("%s: %s does not enforce coherency" % (p, u["name"]),
              u["enforces_coherency"] is False)
        check("%s: %s ecap" % (p, u["name"]), u["vtd_ecap"] == "0xf00f4a", u["vtd_ecap"])
        if text:
            check("%s: text says %s does not enforce coherency" % (p, u["name"]),
                  text_coherency(text, u["name"]) == "no")


def test_vtd_mixed(d, text, doc):
    p = "vtd-mixed"
    iommus = {i["name"]: i for i in doc["iommus"]}
    check("%s: dmar0 and dmar1 listed" % p, "dmar0" in iommus and "dmar1" in iommus,
          repr(sorted(iommus)))
    if "dmar0" in iommus and "dmar1" in iommus:
        check("%s: dmar0 does not enforce coherency" % p,
              iommus["dmar0"]["enforces_coherency"] is False)
        check("%s: dmar1 enforces coherency" % p, iommus["dmar1"]["enforces_coherency"] is True)
        if text:
            check("%s: text dmar0 coherency no" % p, text_coherency(text, "dmar0") == "no")
            check("%s: text dmar1 coherency yes" % p, text_coherency(text, "dmar1") == "yes")
    gpu = dev_by(doc, vendor="0x8086", device="0x46a6")
    check("%s: the GPU is listed" % p, len(gpu) == 1)
    if gpu:
        check("%s: GPU on i915 behind dmar0" % p,
              gpu[0]["driver"] == "i915" and gpu[0]["iommu"] == "dmar0", repr(gpu[0]))
    nvme = [x for x in doc["devices"] if x.get("class") == "0x010802"]
    check("%s: an NVMe on vfio-pci behind dmar1 with a cdev" % p,
          any(x["driver"] == "vfio-pci" and x["iommu"] == "dmar1" and x["cdev"] for x in nvme),
          repr(nvme))
    bad = [g for g in doc["groups"] if not g["viable"] and len(g["devices"]) == 2]
    check("%s: a two-member group is not viable" % p, len(bad) >= 1,
          repr(doc["groups"]))
    for g in bad:
        blockers = [m for m in g["devices"]
                    if m["driver"] is not None and m["driver"] not in VIABLE_DRIVERS
                    and not m["driver"].endswith("vfio-pci")]
        check("%s: group %d names a blocking member and its driver" % (p, g["id"]),
              len(blockers) >= 1, repr(g))
        if text:
            block = group_rows(text).get(str(g["id"]), [])
            joined = " ".join(block)
            check("%s: text says group %d is not viable" % (p, g["id"]),
                  "not viable" in joined, joined)
            for m in blockers:
                check("%s: text shows blocker %s (%s) in group %d" % (p, m["name"], m["driver"], g["id"]),
                      any(m["name"] in l and m["driver"] in l.split() for l in block), joined)


def test_amd(d, text, doc):
    p = "amd"
    amd = [i for i in doc["iommus"] if i["type"] == "amd"]
    check("%s: an AMD IOMMU is listed" % p, len(amd) >= 1, repr(doc["iommus"]))
    for u in amd:
        check("%s: %s enforces coherency" % (p, u["name"]), u["enforces_coherency"] is True)
        check("%s: %s has no VT-d registers" % (p, u["name"]),
              u["vtd_cap"] is None and u["vtd_ecap"] is None)
        if text:
            check("%s: text says %s enforces coherency" % (p, u["name"]),
                  text_coherency(text, u["name"]) == "yes")
    check("%s: has_iommu" % p, doc["has_iommu"] is True)


def test_none(d, text, doc):
    p = "none"
    sysd = os.path.join(d, "sys")
    check("%s: has_iommu false" % p, doc["has_iommu"] is False)
    check("%s: no iommus" % p, doc["iommus"] == [])
    be = doc["backends"]
    check("%s: auto picks nothing" % p, be["auto"]["backend"] is None, repr(be["auto"]))
    if text:
        flat = " ".join(text.split())
        check("%s: says there is no IOMMU, plainly" % p,
              "No IOMMU on this host" in flat
              and ("%s/class/iommu" % sysd) in flat
              and "VFIO and iommufd cannot be used" in flat, text[:800])


def test_usage():
    cases = [
        (["--bogus"], "unknown long option"),
        (["-x"], "unknown short option"),
        (["--backend", "nope"], "bad backend name"),
        (["--backend"], "option missing its argument"),
        (["--sysfs-root"], "--sysfs-root without DIR"),
        (["--sysfs-root", ""], "empty --sysfs-root"),
        (["frobnicate"], "unknown command"),
        (["probe", "extra"], "probe with an argument"),
        (["--json=yes"], "argument to a flag"),
    ]
    for args, what in cases:
        rc, out, err = run(args)
        check("usage: %s exits 2" % what, rc == 2, "rc=%d" % rc)
        check("usage: %s says why on stderr" % what,
              err.startswith("iofdctl: ") and out == "", "stderr=%r stdout=%r" % (err, out[:200]))
    rc, out, err = run(["--help"])
    check("--help exits 0 with a manual", rc == 0 and "SYNOPSIS" in out and "--json" in out
          and "EXIT STATUS" in out and "--sysfs-root" in out)
    rc, out, err = run(["--version"])
    check("--version names tool and library", rc == 0 and out.startswith("iofdctl ")
          and "libiommufd" in out, out)


def test_missing_root(top):
    missing = os.path.join(top, "does-not-exist")
    for mode in ([], ["--json"]):
        rc, out, err = run(["--sysfs-root", missing] + mode)
        check("missing sysfs root%s exits 1" % (" (json)" if mode else ""), rc == 1, "rc=%d" % rc)
        check("missing sysfs root: clear message naming it",
              missing in err and "No such file or directory" in err and out == "", err)
    f = os.path.join(top, "a-file")
    open(f, "w").close()
    rc, out, err = run(["--sysfs-root", f])
    check("sysfs root that is a file exits 1 with a message",
          rc == 1 and "Not a directory" in err, "rc=%d %s" % (rc, err))


def test_escaping(top):
    """A sysfs root whose path needs escaping comes back intact from json.loads."""
    weird = os.path.join(top, 'we"ird\\ro\not\t\x01 \u00e9\u4e2d')
    p = subprocess.run([MKFAKE, "vtd-mixed", weird], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    if not check("escaping: mkfakesysfs builds in an odd directory", p.returncode == 0,
                 p.stderr.decode(errors="replace")):
        return
    sysd = os.path.join(weird, "sys")
    rc, out, err = run(roots(weird) + ["--json"])
    check("escaping: json mode exits 0", rc == 0, err)
    try:
        doc = json.loads(out)
    except ValueError as e:
        check("escaping: json parses", False, str(e))
        return
    check("escaping: sysfs_root round-trips", doc["sysfs_root"] == sysd, repr(doc["sysfs_root"]))
    check("escaping: syspaths round-trip",
          bool(doc["devices"]) and all(x["syspath"].startswith(sysd) for x in doc["devices"]),
          repr([x["syspath"] for x in doc["devices"]][:2]))
    check("escaping: control characters are escaped in the raw output",
          "\x01" not in out and "\t" not in out and '\\"' in out and "\\\\" in out
          and "\\n" in out and "\\u0001" in out)
    check("escaping: non-ASCII passes through as UTF-8", "\u00e9\u4e2d" in out)
    rc, out, err = run(roots(weird))
    check("escaping: text mode prints no raw control characters",
          rc == 0 and "\x01" not in out, err)
    # Bytes that are not UTF-8 become U+FFFD, so the document still parses.
    bad = os.path.join(os.fsencode(top), b"bad\xffname")
    p = subprocess.run([MKFAKE, "vtd-sc", bad], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    if not check("escaping: mkfakesysfs builds in a non-UTF-8 directory", p.returncode == 0):
        return
    p = subprocess.run([IOFDCTL, "--json", "--sysfs-root", os.path.join(bad, b"sys"),
                        "--dev-root", os.path.join(bad, b"dev")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    try:
        doc = json.loads(p.stdout.decode("utf-8"))
        ok = p.returncode == 0 and doc["sysfs_root"].endswith("bad\ufffdname/sys")
    except (ValueError, UnicodeDecodeError):
        ok = False
    check("escaping: invalid UTF-8 becomes U+FFFD, still valid JSON", ok, repr(p.stdout[:300]))


def test_options(d):
    rc, out, err = run(roots(d) + ["--backend", "type1"])
    check("--backend type1 is shown as requested", rc == 0 and "requested: type1" in out, err)
    rc, out, err = run(roots(d) + ["--backend", "compat", "--json"])
    try:
        ok = rc == 0 and json.loads(out)["requested_backend"] == "compat"
    except ValueError:
        ok = False
    check("--backend compat in json", ok)
    rc, out, err = run(roots(d) + ["-v"])
    lines = [l for l in err.splitlines() if l]
    check("-v exits 0 and prefixes library messages", rc == 0 and lines
          and all(l.startswith("iofdctl: ") for l in lines), err[:500])
    rc, out, err = run(["probe"] + roots(d))
    check("explicit probe command works, options after it too", rc == 0 and "Devices" in out)


def test_valgrind(d):
    if SANITIZED:
        return
    vg = shutil.which("valgrind")
    if not vg:
        skip("valgrind", "valgrind is not installed")
        return
    for mode in ([], ["--json"], ["-v"]):
        rc, out, err = run(["--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                            "--error-exitcode=99", "-q", IOFDCTL] + roots(d) + mode,
                           tool=vg, timeout=120)
        check("valgrind: no errors or leaks (%s)" % (" ".join(mode) or "text"),
              rc == 0, "rc=%d %s" % (rc, err[-1500:]))
    rc, out, err = run(["--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                        "--error-exitcode=99", "-q", IOFDCTL, "--bogus"], tool=vg)
    check("valgrind: usage error is clean", rc == 2, err[-800:])


def test_real_host():
    rc, out, err = run([])
    check("real host: exits 0", rc == 0, "rc=%d %s" % (rc, err))
    rc2, jout, jerr = run(["--json"])
    try:
        doc = json.loads(jout)
    except ValueError:
        doc = None
    check("real host: json exits 0 and parses", rc2 == 0 and doc is not None, jerr)
    d = "/sys/class/iommu"
    if os.path.isdir(d) and os.listdir(d):
        skip("real host: no-IOMMU message", "%s is not empty: this host has an IOMMU" % d)
        return
    check("real host: says there is no IOMMU",
          "No IOMMU on this host" in out and "/sys/class/iommu" in out, out[:500])
    if doc is not None:
        check("real host: json has_iommu false", doc["has_iommu"] is False)
        shown = {x["name"] for x in doc["devices"] if x["pci"]}
        pcidir = "/sys/bus/pci/devices"
        listed = set(os.listdir(pcidir)) if os.path.isdir(pcidir) else set()
        check("real host: PCI devices still listed", shown == listed,
              "sysfs %d, shown %d" % (len(listed), len(shown)))


PRESETS = {
    "vtd-sc": test_vtd_sc,
    "vtd-nosc": test_vtd_nosc,
    "vtd-mixed": test_vtd_mixed,
    "amd": test_amd,
    "none": test_none,
}


SANITIZED = False


def main():
    global IOFDCTL, MKFAKE
    global SANITIZED
    args = sys.argv[1:]
    if args and args[0] == "--sanitized":
        # ASan and LeakSanitizer already watch every run; valgrind cannot
        # run a sanitized binary.
        SANITIZED = True
        args = args[1:]
    if len(args) != 2:
        print("usage: %s [--sanitized] IOFDCTL MKFAKESYSFS" % sys.argv[0], file=sys.stderr)
        return 2
    IOFDCTL, MKFAKE = args
    top = tempfile.mkdtemp(prefix="iofdctl-test-")
    try:
        test_usage()
        test_missing_root(top)
        for preset, fn in PRESETS.items():
            d = mkfake(preset, top)
            if d is None:
                continue
            text, doc = probe(d, preset)
            if doc is None:
                continue
            common_checks(preset, d, text, doc)
            try:
                fn(d, text, doc)
            except (KeyError, TypeError, IndexError) as e:
                check("%s: output has the expected shape" % preset, False,
                      "%s: %r" % (type(e).__name__, e))
        d = os.path.join(top, "vtd-mixed")
        if os.path.isdir(d):
            test_options(d)
            test_valgrind(d)
            test_escaping(top)
        d = os.path.join(top, "none")
        if os.path.isdir(d):
            test_valgrind(d)
        test_real_host()
    finally:
        shutil.rmtree(top, ignore_errors=True)
    return tooltest.summary("iofdctl")


if __name__ == "__main__":
    sys.exit(main())
