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
    /dev/vfio/vfio served by iommufd.
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
    print(f"# {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
