#!/usr/bin/env python3
"""examples/nvme-identify in the lab's guest (tests/vm/run -- tests/vm/guest/nvme_identify.py BUILD).

The strongest proof that a mapping is real: QEMU's emulated NVMe controllers write their
Identify data by DMA through the guest kernel's VT-d page tables into memory the library
mapped. In the boot's mode ($IOFD_VM_MODE: cdev -> iommufd, type1, compat-iommu -> compat,
compat-vfio -> type1 on iommufd's container) it checks:
  - both controllers (one IOAS) answer Identify, polled and by MSI-X, with the serial
    numbers tests/vm/run gave QEMU (IOFDNVME0, IOFDNVME1) and QEMU's model name;
  - the two share one domain, and what KVM would be told matches ECAP.SC
    ($IOFD_VM_SNOOP_CONTROL);
  - the same by INTx (--irq intx): QEMU's NVMe asserts its pin while MSI-X is off, vfio-pci
    masks INTx as it signals the eventfd, and a second command interrupts only because the
    program unmasks (iofd_device_irq_unmask) after each completion;
  - a command pointed at an IOVA the IOAS does not map does not reach memory: the kernel
    logs a DMAR fault for that device.
Prints "ok - ..." / "not ok - ..."; exit 0 when all pass, 1 otherwise, 77 outside the lab.
"""
import os
import re
import subprocess
import sys

failures = 0


def check(ok, what, detail=""):
    global failures
    print(("ok - " if ok else "not ok - ") + what)
    if not ok:
        failures += 1
        for line in detail.splitlines()[-15:]:
            print("#   " + line)


def main():
    if os.environ.get("IOFD_VM") != "1" or len(sys.argv) != 2:
        print("skip: not in the lab's guest (tests/vm/run), or no build dir given")
        return 77
    prog = os.path.join(sys.argv[1], "examples", "nvme-identify")
    mode = os.environ.get("IOFD_VM_MODE", "cdev")
    backend = {"cdev": "iommufd", "type1": "type1", "compat-iommu": "compat",
               "compat-vfio": "type1"}.get(mode)
    if backend is None:
        print(f"skip: no VFIO devices to drive in mode {mode}")
        return 77
    sc = os.environ.get("IOFD_VM_SNOOP_CONTROL", "")
    devs = ["0000:00:01.0", "0000:00:02.0"]

    p = subprocess.run([prog, "-b", backend] + devs, capture_output=True, text=True, timeout=120)
    out = p.stdout + p.stderr
    check(p.returncode == 0, f"nvme-identify -b {backend}: exit 0", out)
    for dev, serial in zip(devs, ["IOFDNVME0", "IOFDNVME1"]):
        lines = [l for l in out.splitlines() if l.startswith(dev + ": model")]
        check(len(lines) == 2 and all(f"serial '{serial}'" in l and "QEMU NVMe Ctrl" in l
                                      for l in lines),
              f"{dev} answers Identify (polled, then by MSI-X) with serial {serial}", out)
        check(f"{dev}: the same by MSI-X interrupt: ok" in out,
              f"{dev}: completion by MSI-X eventfd", out)
    check("2 device(s) in 1 domain(s)" in out, "both controllers share one domain", out)
    if sc in ("0", "1"):
        want = "yes" if sc == "1" else "no"
        told = re.findall(r"KVM would be told coherent: (\w+)", out)
        check(told == [want, want], f"KVM would be told coherent: {want} (ECAP.SC={sc})", out)

    p = subprocess.run([prog, "-b", backend, "--irq", "intx"] + devs, capture_output=True,
                       text=True, timeout=120)
    out = p.stdout + p.stderr
    check(p.returncode == 0, f"nvme-identify -b {backend} --irq intx: exit 0", out)
    for dev, serial in zip(devs, ["IOFDNVME0", "IOFDNVME1"]):
        lines = [l for l in out.splitlines() if l.startswith(dev + ": model")]
        check(len(lines) == 3 and all(f"serial '{serial}'" in l for l in lines),
              f"{dev} answers Identify polled, then twice by INTx, with serial {serial}", out)
        check(f"{dev}: the same by INTx interrupt: ok" in out,
              f"{dev}: completion by INTx eventfd", out)
        check(f"{dev}: a second command by INTx interrupt, after unmasking: ok" in out,
              f"{dev}: a second INTx arrives after the library unmasked", out)

    subprocess.run(["dmesg", "-C"], capture_output=True)
    p = subprocess.run([prog, "-b", backend, "--bad-dma", devs[1]], capture_output=True,
                       text=True, timeout=120)
    out = p.stdout + p.stderr
    log = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
    check("Identify into an unmapped IOVA" in out, "a command into an unmapped IOVA was sent",
          out)
    fault = [l for l in log.splitlines() if "DMAR" in l and "00:02.0" in l and "fault" in l]
    check(len(fault) > 0, "the IOMMU refused it: the kernel logs a DMAR fault for 00:02.0",
          log)
    print(f"# {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
