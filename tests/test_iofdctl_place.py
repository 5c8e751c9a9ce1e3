#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""iofdctl place, bind and unbind, as a user sees them, on the simulated kernel.

Usage: test_iofdctl_place.py [--sanitized] IOFDCTL IOFDCTL_SIM MKFAKESYSFS

IOFDCTL_SIM is the same tool built on libiommufd-sim (tools/sim_host.c, never
installed): each run makes a simulated host, chosen by $IOFDCTL_SIM_TOPOLOGY
(mixed, dirty, host, lab-sc, lab-nosc), can make one ioctl fail ($IOFDCTL_SIM_FAIL),
and exits 3 when the command left anything open in the simulated kernel.
Checks what a person or a script relies on: the domains the library made and
who is in them, coherency (what KVM is told) and its reason (ECAP.SC), dirty
tracking with --dirty, the same facts in text and JSON, and precise errors
naming the device, with nothing left attached. bind and unbind on the "host"
topology (devices on their host drivers, one NVMe mounted, eth0 up): what was
done and the driver now, a device in use refused with the reason and nothing
changed, --force, the same facts in JSON, exit statuses. IOFDCTL itself (on
this host, which has no iommufd) is checked for usage and for a plain error.
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
IOFDCTL_SIM = None
MKFAKE = None
SANITIZED = False

# iofdctl-sim's exit status when the simulated kernel still holds something.
EXIT_LEFT_BEHIND = 3


def run(args, tool=None, env=None, timeout=120):
    e = {"IOFDCTL_SIM_FAIL": None}
    e.update(env or {})
    return tooltest.run([tool or IOFDCTL] + list(args), env=e, timeout=timeout)


def sim(topology, args, fail=None):
    """Run iofdctl-sim on a simulated host, optionally with one ioctl made to fail."""
    env = {"IOFDCTL_SIM_TOPOLOGY": topology}
    if fail:
        env["IOFDCTL_SIM_FAIL"] = fail
    return run(args, tool=IOFDCTL_SIM, env=env)


def parse_text(text):
    """The placement from the text form, in the JSON form's shape (the facts only)."""
    tri = {"yes": True, "no": False, "unknown": None}
    domains, devices, why = [], [], {}
    for l in (section(text, "Domains") or [])[1:]:
        if not l.startswith("  ") or l.startswith("  COHERENCY:"):
            continue
        t = l.split()
        if l[2] != " ":
            domains.append({"hwpt": None if t[0] == "-" else int(t[0]),
                            "enforces_coherency": tri[t[1]],
                            "dirty_tracking": tri[t[2]],
                            "iommu": None if t[3] == "unknown" else t[3],
                            "devices": [] if t[4] == "-" else [t[4]]})
        else:
            domains[-1]["devices"].append(t[0])
    for l in (section(text, "Devices") or [])[1:]:
        if not l.startswith("  ") or l[2] == " " or l.startswith("  COHERENT:") \
           or l.startswith("  coherency ("):
            continue
        t = l.split()
        devices.append({"name": t[0], "iommu_type": t[1],
                        "iommu": None if t[2] == "unknown" else t[2],
                        "enforces_coherency": tri[t[3]], "dirty_capable": tri[t[4]],
                        "hwpt": None if t[5] == "-" else int(t[5])})
    for l in section(text, "Why") or []:
        name, _, reason = l.strip().partition(": ")
        why[name.split()[0]] = reason
    return domains, devices, why


def place(topology, devs, extra=(), name=None):
    """Run text and JSON modes; check both exit 0 and agree. Returns the JSON document."""
    name = name or "%s: place %s%s" % (topology, " ".join(extra) + " " if extra else "",
                                       " ".join(devs))
    rc, out, err = sim(topology, list(extra) + ["place"] + list(devs))
    check("%s: text exits 0" % name, rc == 0, "rc=%d %s" % (rc, err))
    rc2, jout, jerr = sim(topology, list(extra) + ["place", "--json"] + list(devs))
    check("%s: json exits 0" % name, rc2 == 0, "rc=%d %s" % (rc2, jerr))
    try:
        doc = json.loads(jout)
    except ValueError as e:
        check("%s: json parses" % name, False, "%s\n%s" % (e, jout[:1500]))
        return None
    check("%s: json is pretty-printed" % name, jout.startswith('{\n  "'), jout[:100])
    if rc != 0:
        return doc
    try:
        domains, devices, why = parse_text(out)
    except (KeyError, IndexError, ValueError) as e:
        check("%s: text has the expected shape" % name, False, "%r\n%s" % (e, out))
        return doc
    check("%s: text and json show the same domains" % name,
          domains == [{k: d[k] for k in ("hwpt", "enforces_coherency", "dirty_tracking",
                                         "iommu", "devices")} for d in doc["domains"]],
          "text %r\njson %r" % (domains, doc["domains"]))
    check("%s: text and json show the same devices" % name,
          devices == [{k: d[k] for k in ("name", "iommu_type", "iommu", "enforces_coherency",
                                         "dirty_capable", "hwpt")} for d in doc["devices"]],
          "text %r\njson %r" % (devices, doc["devices"]))
    check("%s: text and json give the same reasons" % name,
          why == {d["name"]: d["placement"] for d in doc["devices"]},
          "text %r" % why)
    check("%s: text says how many devices and domains" % name,
          ("%d device" % len(devs)) in out and ("in %d domain" % len(doc["domains"])) in out,
          out[:300])
    consistent(name, doc, devs)
    return doc


def consistent(name, doc, devs):
    """Facts every placement has: each device in exactly the domain that lists it."""
    check("%s: one entry per device, in the order given" % name,
          [d["given"] for d in doc["devices"]] == list(devs),
          [d["given"] for d in doc["devices"]])
    check("%s: dirty_tracking_requested is a bool" % name,
          isinstance(doc.get("dirty_tracking_requested"), bool))
    check("%s: ioas is an id" % name, isinstance(doc.get("ioas"), int))
    by_hwpt = {d["hwpt"]: d for d in doc["domains"]}
    check("%s: HWPT ids are unique" % name, len(by_hwpt) == len(doc["domains"]))
    listed = [n for d in doc["domains"] for n in d["devices"]]
    check("%s: every device is in one domain" % name,
          sorted(listed) == sorted(d["name"] for d in doc["devices"]), repr(listed))
    for dev in doc["devices"]:
        dom = by_hwpt.get(dev["hwpt"])
        if not check("%s: %s's HWPT is listed" % (name, dev["name"]), dom is not None):
            continue
        check("%s: %s's HWPT lists it" % (name, dev["name"]), dev["name"] in dom["devices"])
        check("%s: %s's domain is of its IOMMU instance" % (name, dev["name"]),
              dom["iommu"] == dev["iommu"], "%r %r" % (dom["iommu"], dev["iommu"]))
        if dev["enforces_coherency"] is True:
            check("%s: coherent %s is in a coherency-enforcing domain" % (name, dev["name"]),
                  dom["enforces_coherency"] is True, repr(dom))
        check("%s: %s's reason names its HWPT" % (name, dev["name"]),
              ("HWPT %d" % dev["hwpt"]) in dev["placement"], dev["placement"])


def dev_by_name(doc, n):
    return next((d for d in doc["devices"] if d["name"] == n), None)


def domain_of(doc, n):
    return next((d for d in doc["domains"] if n in d["devices"]), None)


# ------------------------------------------------------------------------
# The tests


def test_usage():
    rc, out, err = run(["place"])
    check("usage: place without DEVICE exits 2", rc == 2, "rc=%d" % rc)
    check("usage: place without DEVICE says so and points to place --help",
          "DEVICE" in err and "place --help" in err and out == "", err)
    for args in (["place", "--help"], ["--help", "place"], ["place", "-h", "00:01.0"]):
        rc, out, err = run(args)
        check("usage: %s prints place's manual" % " ".join(args),
              rc == 0 and "iofdctl place" in out and "--dirty" in out and "DEVICE" in out
              and "EXIT STATUS" in out and err == "", "rc=%d %s" % (rc, out[:200]))
    rc, out, err = run(["--help"])
    check("usage: the tool's manual lists place", rc == 0 and "place [--dirty] DEVICE" in out)
    for args in (["--dirty"], ["probe", "--dirty"]):
        rc, out, err = run(args)
        check("usage: %s exits 2 (--dirty is place's)" % " ".join(args),
              rc == 2 and "--dirty" in err and out == "", "rc=%d %s" % (rc, err))
    rc, out, err = run(["place", "--bogus", "00:01.0"])
    check("usage: place with an unknown option exits 2", rc == 2 and "--bogus" in err)


def test_no_kernel(top):
    """The installed tool on a host without iommufd: a plain error, exit 1."""
    d = os.path.join(top, "vtd-sc")
    p = subprocess.run([MKFAKE, "vtd-sc", d], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check("no kernel: mkfakesysfs builds", p.returncode == 0):
        roots = ["--sysfs-root", os.path.join(d, "sys"), "--dev-root", os.path.join(d, "dev")]
        for mode in ([], ["--json"]):
            rc, out, err = run(roots + ["place"] + mode + ["0000:00:03.0"])
            check("no kernel: fake /dev/iommu is not iommufd, exit 1%s" % (" (json)" if mode else ""),
                  rc == 1 and out == "" and "cannot make an IOAS" in err
                  and os.path.join(d, "dev", "iommu") in err and "is not iommufd" in err,
                  "rc=%d %r" % (rc, err))
    if os.path.exists("/dev/iommu"):
        skip("no kernel: this host", "/dev/iommu exists here")
        return
    rc, out, err = run(["place", "0000:00:01.0"])
    check("no kernel: this host has no /dev/iommu, exit 1 and says so",
          rc == 1 and out == "" and "/dev/iommu" in err and "No such file or directory" in err,
          "rc=%d %r" % (rc, err))


def test_mixed():
    t = "mixed"
    doc = place(t, ["0000:00:01.0", "0000:00:02.0"])
    if doc is None:
        return
    check("mixed: two devices on two VT-d units get two domains", len(doc["domains"]) == 2,
          repr(doc["domains"]))
    sc, nosc = dev_by_name(doc, "0000:00:01.0"), dev_by_name(doc, "0000:00:02.0")
    if sc and nosc:
        check("mixed: the device behind dmar0 (ECAP.SC=1) enforces coherency",
              sc["enforces_coherency"] is True and sc["iommu"] == "dmar0"
              and sc["iommu_type"] == "intel-vtd", repr(sc))
        check("mixed: the device behind dmar1 (ECAP.SC=0) does not",
              nosc["enforces_coherency"] is False and nosc["iommu"] == "dmar1", repr(nosc))
        dsc, dnosc = domain_of(doc, sc["name"]), domain_of(doc, nosc["name"])
        check("mixed: the coherent device is alone in the coherency-enforcing domain",
              dsc is not None and dsc["enforces_coherency"] is True
              and dsc["devices"] == [sc["name"]], repr(dsc))
        check("mixed: the other is in a domain that does not enforce coherency",
              dnosc is not None and dnosc["enforces_coherency"] is False
              and dnosc["devices"] == [nosc["name"]] and dnosc is not dsc, repr(dnosc))
        check("mixed: the reasons mention ECAP.SC",
              "ECAP.SC=1" in sc["placement"] and "ECAP.SC=0" in nosc["placement"],
              "%r / %r" % (sc["placement"], nosc["placement"]))
        check("mixed: the reasons say enforces / does not enforce coherency",
              "enforces coherency" in sc["placement"]
              and "does not enforce coherency" in nosc["placement"])
        check("mixed: no dirty tracking without --dirty",
              all(d["dirty_tracking"] is False for d in doc["domains"])
              and doc["dirty_tracking_requested"] is False)
        check("mixed: domains in the order made: the first device's first",
              doc["domains"][0]["devices"] == [sc["name"]])
    rev = place(t, ["0000:00:02.0", "0000:00:01.0"])
    if rev:
        check("mixed: in the other order, the other domain comes first",
              rev["domains"][0]["devices"] == ["0000:00:02.0"]
              and rev["domains"][0]["enforces_coherency"] is False, repr(rev["domains"]))

    # With the SMMUv3 device: its coherency is unknown, and it gets a domain of its own.
    doc = place(t, ["0000:00:01.0", "0000:00:02.0", "0000:00:03.0"])
    if doc:
        check("mixed+smmu: three domains", len(doc["domains"]) == 3, repr(doc["domains"]))
        smmu = dev_by_name(doc, "0000:00:03.0")
        if check("mixed+smmu: the SMMUv3 device is listed", smmu is not None):
            dom = domain_of(doc, smmu["name"])
            check("mixed+smmu: arm-smmuv3, coherency unknown (null)",
                  smmu["iommu_type"] == "arm-smmuv3" and smmu["enforces_coherency"] is None
                  and (smmu["iommu"] or "").startswith("smmu3."), repr(smmu))
            check("mixed+smmu: it is alone in its domain, whose coherency is unknown",
                  dom is not None and dom["devices"] == [smmu["name"]]
                  and dom["enforces_coherency"] is None, repr(dom))
            check("mixed+smmu: its reason says SMMUv3 does not tell",
                  "SMMUv3" in smmu["placement"] and "coherency unknown" in smmu["placement"],
                  smmu["placement"])
        rc, out, err = sim(t, ["place", "0000:00:01.0", "0000:00:02.0", "0000:00:03.0"])
        check("mixed+smmu: text shows unknown coherency", rc == 0 and "unknown" in out, out)

    # The three ways to name a device give the same placement.
    doc = place(t, ["/dev/vfio/devices/vfio0", "00:02.0"])
    if doc:
        check("names: a cdev path and a short PCI address name the devices",
              [d["name"] for d in doc["devices"]] == ["0000:00:01.0", "0000:00:02.0"]
              and [d["given"] for d in doc["devices"]] == ["/dev/vfio/devices/vfio0", "00:02.0"],
              repr(doc["devices"]))
        rc, out, err = sim(t, ["place", "/dev/vfio/devices/vfio0"])
        check("names: text shows what was given when it is not the name",
              rc == 0 and "0000:00:01.0 (/dev/vfio/devices/vfio0): " in out, out)


def test_dirty():
    t = "dirty"
    devs = ["0000:00:01.0", "0000:00:03.0", "0000:00:02.0"]
    plain = place(t, devs)
    if plain:
        check("dirty: without --dirty, no domain tracks dirty pages",
              all(d["dirty_tracking"] is False for d in plain["domains"]))
        check("dirty: the devices' dirty capability is shown either way",
              [dev_by_name(plain, n)["dirty_capable"] for n in devs] == [True, False, True],
              repr(plain["devices"]))
    doc = place(t, devs, extra=["--dirty"])
    if doc is None:
        return
    check("dirty: --dirty is reported", doc["dirty_tracking_requested"] is True)
    d1, d3 = domain_of(doc, "0000:00:01.0"), domain_of(doc, "0000:00:03.0")
    check("dirty: the dirty-capable devices share a dirty-tracking domain",
          d1 is not None and d1["dirty_tracking"] is True
          and d1["devices"] == ["0000:00:01.0", "0000:00:02.0"], repr(d1))
    check("dirty: the device that cannot track is in a domain of its own, not tracking",
          d3 is not None and d3 is not d1 and d3["dirty_tracking"] is False
          and d3["devices"] == ["0000:00:03.0"], repr(d3))
    check("dirty: the reasons say it",
          "tracks dirty pages" in dev_by_name(doc, "0000:00:01.0")["placement"]
          and "no dirty tracking" in dev_by_name(doc, "0000:00:03.0")["placement"]
          and "joined HWPT" in dev_by_name(doc, "0000:00:02.0")["placement"])
    rc, out, err = sim(t, ["place", "--dirty"] + devs)
    check("dirty: text says the IOAS is for dirty tracking",
          rc == 0 and "for dirty tracking" in out.splitlines()[1], out[:300])


def test_lab():
    for t, sc in (("lab-sc", True), ("lab-nosc", False)):
        doc = place(t, ["0000:00:01.0", "0000:00:02.0"])
        if doc is None:
            continue
        check("%s: both NVMe controllers in one domain" % t,
              len(doc["domains"]) == 1
              and doc["domains"][0]["devices"] == ["0000:00:01.0", "0000:00:02.0"],
              repr(doc["domains"]))
        check("%s: coherency is %s for both and their domain" % (t, sc),
              all(d["enforces_coherency"] is sc for d in doc["devices"])
              and doc["domains"][0]["enforces_coherency"] is sc, repr(doc))
        check("%s: the second joined the first's domain" % t,
              doc["devices"][1]["placement"].startswith("joined HWPT %d" % doc["domains"][0]["hwpt"]),
              doc["devices"][1]["placement"])


def expect_error(name, topology, devs, want, fail=None, json_mode=False):
    args = ["place"] + (["--json"] if json_mode else []) + list(devs)
    rc, out, err = sim(topology, args, fail=fail)
    check("%s: exit 1" % name, rc == 1,
          "rc=%d%s %s" % (rc, " (left something in the kernel)" if rc == EXIT_LEFT_BEHIND else "",
                          err))
    check("%s: nothing on stdout" % name, out == "", out[:300])
    missing = [w for w in want if w not in err]
    check("%s: the message says %r" % (name, want), not missing and err.count("\n") == 1,
          "missing %r in %r" % (missing, err))


def test_errors():
    t = "mixed"
    expect_error("error: nonexistent device", t, ["0000:00:09.0"],
                 ["cannot open device 0000:00:09.0", "No such file or directory",
                  "no such device"])
    expect_error("error: nonexistent device after a good one", t, ["0000:00:01.0", "0000:00:09.0"],
                 ["cannot open device 0000:00:09.0", "No such file or directory"])
    expect_error("error: nonexistent device (json)", t, ["0000:00:09.0"],
                 ["0000:00:09.0", "No such file or directory"], json_mode=True)
    expect_error("error: nonexistent cdev", t, ["/dev/vfio/devices/vfio9"],
                 ["/dev/vfio/devices/vfio9", "No such file or directory"])
    expect_error("error: not a device name", t, ["0000:00:01.0", "bogus"],
                 ["cannot open device bogus", "Invalid argument",
                  "not a PCI address, a sysfs path or a VFIO cdev path"])
    expect_error("error: device on a kernel driver", t, ["0000:00:04.0"],
                 ["0000:00:04.0", "No such device", "no VFIO cdev", "bound to e1000e"])
    expect_error("error: group not viable", t, ["0000:00:01.0", "0000:00:05.0"],
                 ["0000:00:05.0", "Operation not permitted", "group 10 is not viable",
                  "0000:00:05.1 on ahci"])
    expect_error("error: the same device twice", t, ["0000:00:01.0", "/dev/vfio/devices/vfio0"],
                 ["/dev/vfio/devices/vfio0", "Device or resource busy", "given twice"])
    # A kernel failure at the second attach: the first device, attached, is
    # detached again (iofdctl-sim exits 3 when the kernel still holds anything).
    expect_error("error: attach fails", t, ["0000:00:01.0", "/dev/vfio/devices/vfio1"],
                 ["cannot attach device 0000:00:02.0", "/dev/vfio/devices/vfio1",
                  "Cannot allocate memory", "IOMMU dmar1"], fail="attach:2:ENOMEM")
    expect_error("error: domain allocation fails", t, ["0000:00:01.0", "0000:00:02.0"],
                 ["cannot attach device 0000:00:02.0", "No space left on device"],
                 fail="hwpt-alloc:2:ENOSPC")
    expect_error("error: bind fails", t, ["0000:00:01.0", "0000:00:02.0"],
                 ["cannot open device 0000:00:02.0", "Input/output error"], fail="bind:2:EIO")
    expect_error("error: IOAS allocation fails", t, ["0000:00:01.0"],
                 ["cannot make an IOAS", "Cannot allocate memory"], fail="ioas-alloc:1:ENOMEM")
    rc, out, err = sim(t, ["place", "0000:00:01.0", "0000:00:02.0"], fail="detach:1:EIO")
    check("error: a failed detach is reported, exit 1, nothing left behind",
          rc == 1 and "cannot detach device 0000:00:02.0: Input/output error" in err
          and "Domains (2)" in out, "rc=%d %r" % (rc, err))


def test_other_backends():
    """On a backend that cannot place (yet), a plain error; on one that can, the
    same placement without HWPT ids."""
    for backend in ("type1", "compat"):
        rc, out, err = sim("lab-sc", ["--backend", backend, "place", "--json",
                                      "0000:00:01.0", "0000:00:02.0"])
        if rc == 1:
            check("%s: place says the backend cannot place devices" % backend,
                  out == "" and "Operation not supported" in err
                  and ("the %s backend cannot place devices" % backend) in err, err)
            continue
        try:
            doc = json.loads(out)
        except ValueError:
            doc = None
        if not check("%s: place exits 0 with JSON" % backend, rc == 0 and doc is not None,
                     "rc=%d %s" % (rc, err)):
            continue
        check("%s: one coherent domain with both NVMe" % backend,
              [(d["devices"], d["enforces_coherency"]) for d in doc["domains"]]
              == [(["0000:00:01.0", "0000:00:02.0"], True)], repr(doc["domains"]))
        check("%s: requested_backend is shown" % backend, doc["requested_backend"] == backend)
        rc, out, err = sim("lab-sc", ["--backend", backend, "place", "0000:00:01.0"])
        check("%s: text says the backend" % backend,
              rc == 0 and (" on %s:" % backend) in out, out[:300])


def bind_json(topology, args):
    """iofdctl-sim --json ARGS on a fresh simulated host: (exit status, document, stderr)."""
    rc, out, err = sim(topology, ["--json"] + list(args))
    try:
        doc = json.loads(out)
    except ValueError:
        doc = None
    return rc, doc, err


def test_bind():
    """bind and unbind on the "host" topology (tools/sim_host.c): each run is a
    fresh simulated host, so each case starts from the devices' host drivers."""
    cdev_re = "/dev/vfio/devices/vfio"
    keys = {"device", "command", "changed", "driver", "group", "viable", "cdev", "error",
            "errno", "messages"}

    # An unused NVMe on nvme: taken; text says so, with its group and cdev.
    rc, out, err = sim("host", ["bind", "0000:00:02.0"])
    check("bind: an unused NVMe is taken, exit 0", rc == 0 and err == "", "rc=%d %s" % (rc, err))
    check("bind: text says bound, its group, viable, and its cdev",
          out.startswith("0000:00:02.0: bound to vfio-pci; IOMMU group 1, viable; cdev ")
          and cdev_re in out and out.count("\n") == 1, out)
    rc, doc, err = bind_json("host", ["bind", "0000:00:02.0"])
    check("bind --json: exit 0 with every field", rc == 0 and doc is not None
          and set(doc) == keys, "rc=%d %r %s" % (rc, doc, err))
    if doc:
        check("bind --json: changed, on vfio-pci, group, viable, cdev, no error",
              doc["device"] == "0000:00:02.0" and doc["command"] == "bind"
              and doc["changed"] is True and doc["driver"] == "vfio-pci" and doc["group"] == 1
              and doc["viable"] is True and cdev_re in (doc["cdev"] or "")
              and doc["error"] is None and doc["errno"] is None and doc["messages"] == [], doc)

    # The NVMe whose namespace is mounted: refused, the reason on stderr, exit 1.
    rc, out, err = sim("host", ["bind", "0000:00:01.0"])
    check("bind: a mounted NVMe is refused, exit 1, nothing on stdout", rc == 1 and out == "",
          "rc=%d %s" % (rc, out))
    check("bind: the refusal names the mounted namespace and where",
          "0000:00:01.0 is in use by the host" in err and "nvme0n1" in err
          and "is mounted on /mnt/nvme0n1" in err and "Device or resource busy" in err, err)
    rc, doc, err = bind_json("host", ["bind", "0000:00:01.0"])
    check("bind --json: refused, exit 1, JSON on stdout", rc == 1 and doc is not None,
          "rc=%d %s" % (rc, err))
    if doc:
        check("bind --json: refused: not changed, still on nvme, no cdev, EBUSY",
              doc["changed"] is False and doc["driver"] == "nvme" and doc["cdev"] is None
              and doc["errno"] == "EBUSY" and doc["error"] == "Device or resource busy", doc)
        check("bind --json: the reason is in messages",
              any("is mounted on /mnt/nvme0n1" in m for m in doc["messages"]), doc["messages"])
    # --force takes it, with a warning.
    rc, out, err = sim("host", ["bind", "--force", "0000:00:01.0"])
    check("bind --force: a mounted NVMe is taken, exit 0",
          rc == 0 and out.startswith("0000:00:01.0: bound to vfio-pci;"), "rc=%d %s %s" % (rc, out, err))
    check("bind --force: the warning says it was in use and taken anyway",
          "taken anyway" in err and "is mounted on /mnt/nvme0n1" in err, err)
    rc, doc, err = bind_json("host", ["bind", "--force", "0000:00:01.0"])
    check("bind --force --json: changed, on vfio-pci, the warning in messages",
          rc == 0 and doc is not None and doc["changed"] is True and doc["driver"] == "vfio-pci"
          and doc["error"] is None and any("taken anyway" in m for m in doc["messages"]),
          "rc=%d %r %s" % (rc, doc, err))

    # The e1000e with eth0 up: refused; forced by its short address: taken.
    rc, out, err = sim("host", ["bind", "0000:00:03.0"])
    check("bind: a NIC whose interface is up is refused, exit 1",
          rc == 1 and out == "" and "network interface eth0 is up" in err, "rc=%d %s" % (rc, err))
    rc, doc, err = bind_json("host", ["bind", "--force", "00:03.0"])
    check("bind --force --json 00:03.0: taken, named by its full address",
          rc == 0 and doc is not None and doc["device"] == "0000:00:03.0"
          and doc["driver"] == "vfio-pci" and doc["changed"] is True, "rc=%d %r %s" % (rc, doc, err))

    # On vfio-pci already: nothing to do, exit 0; not viable: named who blocks it.
    rc, out, err = sim("host", ["bind", "0000:00:04.0"])
    check("bind: a device on vfio-pci already: exit 0, nothing done",
          rc == 0 and out.startswith("0000:00:04.0: on vfio-pci already; IOMMU group 3, viable")
          and err == "", "rc=%d %s %s" % (rc, out, err))
    rc, doc, err = bind_json("host", ["bind", "0000:00:04.0"])
    check("bind --json: on vfio-pci already: not changed, no error",
          rc == 0 and doc is not None and doc["changed"] is False and doc["error"] is None
          and doc["driver"] == "vfio-pci", "rc=%d %r" % (rc, doc))
    rc, out, err = sim("host", ["bind", "0000:00:05.0"])
    check("bind: a group not viable yet: exit 0, says so and names the device on ahci",
          rc == 0 and "IOMMU group 10, not viable" in out
          and "0000:00:05.1 (ahci)" in err, "rc=%d %s %s" % (rc, out, err))
    rc, doc, err = bind_json("host", ["bind", "0000:00:05.0"])
    check("bind --json: a group not viable yet: viable false, the blocker in messages",
          rc == 0 and doc is not None and doc["viable"] is False
          and any("0000:00:05.1 (ahci)" in m for m in doc["messages"]), "rc=%d %r" % (rc, doc))

    # unbind: back to the host driver, or to none; nothing to do when not on vfio-pci.
    rc, out, err = sim("host", ["unbind", "0000:00:04.0"])
    check("unbind: given back to nvme, exit 0",
          rc == 0 and out == "0000:00:04.0: given back; driver nvme\n" and err == "",
          "rc=%d %r %s" % (rc, out, err))
    rc, doc, err = bind_json("host", ["unbind", "0000:00:04.0"])
    check("unbind --json: changed, driver nvme, no cdev",
          rc == 0 and doc is not None and set(doc) == keys and doc["command"] == "unbind"
          and doc["changed"] is True and doc["driver"] == "nvme" and doc["cdev"] is None
          and doc["error"] is None, "rc=%d %r" % (rc, doc))
    rc, out, err = sim("host", ["unbind", "0000:00:02.0"])
    check("unbind: a device not on vfio-pci: exit 0, nothing to do, its driver",
          rc == 0 and out == "0000:00:02.0: not on vfio-pci, nothing to do; driver nvme\n",
          "rc=%d %r" % (rc, out))
    rc, doc, err = bind_json("host", ["unbind", "0000:00:02.0"])
    check("unbind --json: not on vfio-pci: not changed",
          rc == 0 and doc is not None and doc["changed"] is False and doc["driver"] == "nvme",
          "rc=%d %r" % (rc, doc))
    rc, out, err = sim("lab-sc", ["unbind", "0000:00:03.0"])
    check("unbind: with no host driver for it, the device is left unbound",
          rc == 0 and out == "0000:00:03.0: given back; driver none (unbound)\n",
          "rc=%d %r %s" % (rc, out, err))
    rc, doc, err = bind_json("lab-sc", ["unbind", "0000:00:03.0"])
    check("unbind --json: unbound: driver null",
          rc == 0 and doc is not None and doc["changed"] is True and doc["driver"] is None,
          "rc=%d %r" % (rc, doc))

    # Bad devices: exit 1 with the reason, in text and JSON.
    for args, why, errno_name in ((["bind", "0000:00:09.0"], "no such PCI device", "ENOENT"),
                                  (["unbind", "0000:00:09.0"], "no such PCI device", "ENOENT"),
                                  (["bind", "nvme0"], "neither a PCI address nor a sysfs path",
                                   "EINVAL")):
        rc, out, err = sim("host", args)
        check("%s: exit 1, says %s" % (" ".join(args), why),
              rc == 1 and out == "" and why in err, "rc=%d %s" % (rc, err))
        rc, doc, err = bind_json("host", args)
        check("%s --json: exit 1, errno %s, the reason in messages" % (" ".join(args), errno_name),
              rc == 1 and doc is not None and doc["errno"] == errno_name
              and doc["changed"] is False and doc["driver"] is None
              and any(why in m for m in doc["messages"]), "rc=%d %r %s" % (rc, doc, err))

    # Usage: exit 2, nothing done.
    for args, what in ((["bind"], "DEVICE"), (["unbind"], "DEVICE"),
                       (["bind", "0000:00:02.0", "0000:00:04.0"], "0000:00:04.0"),
                       (["unbind", "--force", "0000:00:04.0"], "--force")):
        rc, out, err = sim("host", args)
        check("usage: %s exits 2" % " ".join(args), rc == 2 and out == "" and what in err,
              "rc=%d %s" % (rc, err))
    rc, out, err = run(["bind", "--help"])
    check("usage: bind --help prints the manual of bind and unbind",
          rc == 0 and "iofdctl unbind" in out and "--force" in out and "EXIT STATUS" in out, out[:200])
    rc, out, err = run(["--help"])
    check("usage: the tool's manual lists bind and unbind",
          rc == 0 and "bind [--force] DEVICE" in out and "unbind DEVICE" in out, out[:2000])


def test_sim_tool():
    rc, out, err = sim("mixed", ["--json"])
    try:
        names = sorted(i["name"] for i in json.loads(out)["iommus"])
    except (ValueError, KeyError):
        names = None
    check("iofdctl-sim: probe sees the simulated host", rc == 0 and names is not None
          and "dmar0" in names and "dmar1" in names, "rc=%d %r %s" % (rc, names, err))
    rc, out, err = sim("mixed", ["--sysfs-root", "/sys", "place", "0000:00:01.0"])
    check("iofdctl-sim: --sysfs-root is refused", rc == 1 and "--sysfs-root" in err, err)
    rc, out, err = sim("nonesuch", ["place", "0000:00:01.0"])
    check("iofdctl-sim: an unknown topology is refused", rc == 1 and "nonesuch" in err, err)


def test_valgrind():
    if SANITIZED:
        return
    vg = shutil.which("valgrind")
    if not vg:
        skip("valgrind", "valgrind is not installed")
        return
    base = [vg, "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
            "--error-exitcode=99", "-q"]
    # The installed tool, on its error path (no iommufd here).
    rc, out, err = run(base[1:] + [IOFDCTL, "place", "0000:00:01.0"], tool=vg)
    check("valgrind: iofdctl place on a host without iommufd is clean", rc in (0, 1),
          "rc=%d %s" % (rc, err[-1500:]))
    # The simulator writes ioctl results with process_vm_writev, which
    # memcheck does not count as defining memory: without --undef-value-errors=no
    # every result the kernel wrote would look uninitialised.
    for topology, args, want in (
            ("mixed", ["place", "0000:00:01.0", "0000:00:02.0", "0000:00:03.0"], 0),
            ("dirty", ["place", "--dirty", "--json", "0000:00:01.0", "0000:00:02.0",
                       "0000:00:03.0"], 0),
            ("mixed", ["place", "0000:00:01.0", "0000:00:05.0"], 1),
            ("mixed", ["place", "0000:00:01.0", "0000:00:09.0"], 1),
            ("host", ["bind", "0000:00:01.0"], 1),
            ("host", ["--json", "bind", "--force", "0000:00:01.0"], 0),
            ("host", ["unbind", "0000:00:04.0"], 0)):
        rc, out, err = run(base[1:] + ["--undef-value-errors=no", IOFDCTL_SIM] + args, tool=vg,
                           env={"IOFDCTL_SIM_TOPOLOGY": topology}, timeout=300)
        check("valgrind: iofdctl-sim %s (%s) is clean" % (" ".join(args), topology),
              rc == want, "rc=%d %s" % (rc, err[-1500:]))
    rc, out, err = run(base[1:] + ["--undef-value-errors=no", IOFDCTL_SIM, "place",
                                   "0000:00:01.0", "0000:00:02.0"], tool=vg,
                       env={"IOFDCTL_SIM_TOPOLOGY": "mixed", "IOFDCTL_SIM_FAIL": "attach:2:ENOMEM"},
                       timeout=300)
    check("valgrind: a failed attach is clean", rc == 1, "rc=%d %s" % (rc, err[-1500:]))


def main():
    global IOFDCTL, IOFDCTL_SIM, MKFAKE, SANITIZED
    args = sys.argv[1:]
    if args and args[0] == "--sanitized":
        # ASan and LeakSanitizer watch every run; valgrind cannot run a sanitized binary.
        SANITIZED = True
        args = args[1:]
    if len(args) != 3:
        print("usage: %s [--sanitized] IOFDCTL IOFDCTL_SIM MKFAKESYSFS" % sys.argv[0],
              file=sys.stderr)
        return 2
    IOFDCTL, IOFDCTL_SIM, MKFAKE = args
    top = tempfile.mkdtemp(prefix="iofdctl-place-test-")
    try:
        for fn in (test_usage, lambda: test_no_kernel(top), test_mixed, test_dirty, test_lab,
                   test_errors, test_other_backends, test_bind, test_sim_tool, test_valgrind):
            try:
                fn()
            except (KeyError, TypeError, IndexError, AttributeError) as e:
                check("%s: output has the expected shape" % getattr(fn, "__name__", "test"),
                      False, "%s: %r" % (type(e).__name__, e))
    finally:
        shutil.rmtree(top, ignore_errors=True)
    return tooltest.summary("iofdctl place, bind, unbind")


if __name__ == "__main__":
    sys.exit(main())
