#!/usr/bin/env python3
"""iofdctl's view of the lab's guest, run inside it:  iofdctl.py BUILD_DIR

Runs BUILD_DIR/tools/iofdctl --json and checks it against what the variant and mode
($IOFD_VM_VARIANT, $IOFD_VM_KERNEL, $IOFD_VM_SNOOP_CONTROL, $IOFD_VM_MODE) promise:
  - the VT-d IOMMU, its coherency (enforces_coherency) and ECAP.SC matching the
    snoop-control variant; under mock (intel_iommu=off), only the selftest IOMMU, not
    coherent, and the devices unbound;
  - the NVMe controllers and the e1000e with driver vfio-pci, a cdev, and a viable group;
  - the backends the kernel offers: main kernel iommufd, type1 and compat with
    /dev/vfio/vfio served by VFIO; compat kernel iommufd and compat (not type1) with
    /dev/vfio/vfio served by iommufd;
  - iofdctl place on the two NVMe controllers (modes cdev and compat-vfio, or no mode):
    one domain holding both, its coherency and theirs (what KVM is told) matching the
    snoop-control variant, the reason naming ECAP.SC, the same for every way to name a
    device, and a nonexistent device a clear error (exit 1); in modes type1 and
    compat-iommu, place on that backend: the same domain, or a clear error where the
    library cannot place devices there.
Exit 0 pass, 1 fail, 77 skip (not in the guest, or iofdctl not built).
"""
import json
import os
import subprocess
import sys

failures = 0


def check(ok, what, detail=""):
    global failures
    if ok:
        print(f"ok - {what}")
    else:
        failures += 1
        print(f"not ok - {what}{': ' + str(detail) if detail != '' else ''}")
    return ok


def main():
    if not os.environ.get("IOFD_VM"):
        print("skip: not inside the lab's guest (tests/vm/run)")
        return 77
    build = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("IOFD_BUILD_DIR", "build")
    tool = os.path.join(build, "tools", "iofdctl")
    if not os.access(tool, os.X_OK):
        print(f"skip: {tool} is not built")
        return 77
    variant = os.environ["IOFD_VM_VARIANT"]
    kernel = os.environ.get("IOFD_VM_KERNEL", "main")
    snoop = os.environ.get("IOFD_VM_SNOOP_CONTROL", "")
    mode = os.environ.get("IOFD_VM_MODE", "")

    p = subprocess.run([tool, "--json"], capture_output=True, text=True)
    if not check(p.returncode == 0, "iofdctl --json exits 0", f"{p.returncode}: {p.stderr.strip()}"):
        return 1
    try:
        j = json.loads(p.stdout)
    except ValueError as e:
        check(False, "iofdctl --json prints JSON", e)
        return 1
    be = j.get("backends", {})

    def available(name):
        return be.get(name, {}).get("available")

    print(f"# variant {variant}, kernel {kernel}, mode {mode or 'all'}; auto: "
          f"{be.get('auto', {}).get('backend')}; /dev/vfio/vfio: {be.get('vfio_container')}")

    iommus = j.get("iommus", [])
    devs = j.get("devices", [])
    nvme = [d for d in devs if d.get("class") == "0x010802"]
    nic = [d for d in devs if (d.get("vendor"), d.get("device")) == ("0x8086", "0x10d3")]
    check(len(nvme) == 2, "two NVMe controllers listed", [d.get("name") for d in nvme])
    check(len(nic) == 1, "the e1000e listed", [d.get("name") for d in nic])

    if variant == "mock":
        # intel_iommu=off: the only IOMMU is the selftest's (IOMMUFD_TEST registers it),
        # which never enforces coherency and has no PCI device behind it.
        types = [i.get("type") for i in iommus]
        check(types == ["selftest"], "mock: the selftest IOMMU is the only one", types)
        check(all(i.get("enforces_coherency") is False for i in iommus),
              "mock: the selftest IOMMU does not enforce coherency")
        for d in nvme + nic:
            check(d.get("group") is None and d.get("cdev") is None and d.get("driver") is None,
                  f"{d.get('name')}: unbound, no group, no cdev", d)
        for b in ("iommufd", "type1", "compat"):
            check(available(b) is True, f"mock: backend {b} available", be.get(b, {}).get("reason"))
        check(be.get("vfio_container") == "vfio", "/dev/vfio/vfio is served by vfio",
              be.get("vfio_container"))
        print(f"# {failures} failed")
        return 1 if failures else 0

    vtd = [i for i in iommus if i.get("type") == "intel-vtd"]
    if check(len(vtd) >= 1, "the VT-d IOMMU is listed", [i.get("type") for i in iommus]):
        v = vtd[0]
        want = snoop == "1"
        check(v.get("enforces_coherency") is want,
              f"{v.get('name')}: enforces_coherency is {want} (snoop control {'on' if want else 'off'})",
              v.get("enforces_coherency"))
        ecap = v.get("vtd_ecap")
        sc = (int(ecap, 16) >> 7) & 1 if ecap else None
        check(sc == int(want), f"{v.get('name')}: vtd_ecap {ecap} has SC={int(want)}", sc)

    groups = {g.get("id"): g for g in j.get("groups", [])}
    for d in nvme + nic:
        n = d.get("name")
        check(d.get("driver") == "vfio-pci", f"{n}: driver vfio-pci", d.get("driver"))
        cdev = d.get("cdev")
        check(bool(cdev) and os.path.exists(cdev), f"{n}: cdev {cdev}")
        check(d.get("iommu") == (vtd[0].get("name") if vtd else None), f"{n}: behind {d.get('iommu')}")
        g = groups.get(d.get("group"))
        check(g is not None and g.get("viable") is True, f"{n}: group {d.get('group')} is viable",
              g)

    want = {"iommufd": True, "compat": True, "type1": kernel == "main"}
    container = "vfio" if kernel == "main" else "iommufd"
    modes = {"cdev": ["iommufd"], "type1": ["type1"], "compat-iommu": ["compat"],
             "compat-vfio": ["compat", "type1"]}.get(mode, ["iommufd", "type1", "compat"])
    for b in modes:
        check(available(b) is want[b], f"backend {b} {'available' if want[b] else 'unavailable'}",
              be.get(b, {}).get("reason"))
    check(be.get("vfio_container") == container, f"/dev/vfio/vfio is served by {container}",
          be.get("vfio_container"))
    vfio = [d for d in devs if d.get("driver") == "vfio-pci" and d.get("cdev")][:2]
    if mode in ("", "cdev", "compat-vfio"):
        check_place(tool, vfio, snoop == "1")
    elif mode in ("type1", "compat-iommu"):
        check_place_backend(tool, vfio, snoop == "1", "type1" if mode == "type1" else "compat")
    print(f"# {failures} failed")
    return 1 if failures else 0


def place(tool, args):
    p = subprocess.run([tool, "place"] + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def check_place(tool, vfio, want):
    """iofdctl place on the first two vfio-pci devices with a cdev: the two NVMe."""
    names = [d.get("name") for d in vfio]
    if not check(len(vfio) == 2 and all(d.get("class") == "0x010802" for d in vfio),
                 "place: the first two vfio-pci devices with a cdev are the NVMe controllers",
                 names):
        return
    rc, out, err = place(tool, names)
    check(rc == 0, f"place {' '.join(names)} exits 0", f"{rc}: {err.strip()}")
    for line in out.splitlines():
        print(f"#   {line}".rstrip())
    check("in 1 domain" in out and f"ECAP.SC={int(want)}" in out,
          "place: text says one domain, and why (ECAP.SC)")
    # Every way to name a device: PCI address, sysfs path, cdev path.
    forms = {"address": names,
             "sysfs path": [f"/sys/bus/pci/devices/{n}" for n in names],
             "cdev path": [d.get("cdev") for d in vfio],
             "short address, cdev": [names[0][5:], vfio[1].get("cdev")]}
    for form, args in forms.items():
        rc, out, err = place(tool, ["--json"] + args)
        if not check(rc == 0, f"place --json by {form} exits 0", f"{rc}: {err.strip()}"):
            continue
        try:
            j = json.loads(out)
        except ValueError as e:
            check(False, f"place --json by {form} prints JSON", e)
            continue
        doms, pdevs = j.get("domains", []), j.get("devices", [])
        check([d.get("name") for d in pdevs] == names and [d.get("given") for d in pdevs] == args,
              f"place by {form}: the devices, in the order given", pdevs)
        check(len(doms) == 1 and doms[0].get("devices") == names,
              f"place by {form}: one domain holding both", doms)
        if not doms:
            continue
        check(doms[0].get("enforces_coherency") is want,
              f"place by {form}: the domain's coherency is {want}", doms[0])
        check(all(d.get("enforces_coherency") is want for d in pdevs),
              f"place by {form}: each device's coherency (what KVM is told) is {want}",
              [d.get("enforces_coherency") for d in pdevs])
        check(all(d.get("iommu_type") == "intel-vtd" and d.get("iommu") == doms[0].get("iommu")
                  and d.get("hwpt") == doms[0].get("hwpt") for d in pdevs),
              f"place by {form}: VT-d, its instance and HWPT", pdevs)
        check(all(f"ECAP.SC={int(want)}" in d.get("placement", "") for d in pdevs)
              and pdevs[1].get("placement", "").startswith("joined HWPT"),
              f"place by {form}: the reasons name ECAP.SC={int(want)}; the second joined",
              [d.get("placement") for d in pdevs])
    missing = "0000:00:1e.7"
    rc, out, err = place(tool, [names[0], missing])
    check(rc == 1 and out == "" and f"cannot open device {missing}" in err
          and "No such file or directory" in err,
          "place with a nonexistent device: exit 1, a message naming it", f"{rc}: {err.strip()}")
    rc, out, err = place(tool, names)
    check(rc == 0, "place again afterwards: nothing was left attached or bound",
          f"{rc}: {err.strip()}")


def check_place_backend(tool, vfio, want, backend):
    """place on the mode's backend: a plain error where it cannot place devices (yet),
    else the same placement as on iommufd (without HWPT ids)."""
    names = [d.get("name") for d in vfio]
    rc, out, err = place(tool, ["--backend", backend, "--json"] + names)
    if rc == 1 and "Operation not supported" in err:
        check(out == "" and f"the {backend} backend cannot place devices" in err,
              f"place on the {backend} backend: exit 1, says it cannot place", err.strip())
        return
    try:
        j = json.loads(out) if rc == 0 else {}
    except ValueError:
        j = {}
    if not check(rc == 0 and j, f"place on the {backend} backend exits 0 with JSON",
                 f"{rc}: {err.strip()}"):
        return
    doms = j.get("domains", [])
    check([(d.get("devices"), d.get("enforces_coherency")) for d in doms] == [(names, want)],
          f"place on the {backend} backend: one domain with both, coherency {want}", doms)


if __name__ == "__main__":
    sys.exit(main())
