#!/usr/bin/env python3
"""The lab's smoke probe, run inside the guest (tests/vm/run -- tests/vm/guest/smoke.py).

Checks that the guest is the machine the variant promises:
  - /dev/iommu is there; with VT-d, ECAP.SC (bit 7) matches the snoop-control variant,
    both NVMe controllers and the e1000e are bound to vfio-pci with a group node and
    a cdev; under mock (intel_iommu=off) there is no VT-d, the devices stay unbound,
    the selftest mock domain works and fault injection is in debugfs;
  - per mode ($IOFD_VM_MODE; all the kernel offers when unset):
      cdev          /dev/iommu allocates an IOAS; the cdevs are in /dev/vfio/devices
      type1         /dev/vfio/vfio is VFIO's own container (type1v2, not iommufd)
      compat-iommu  /dev/iommu answers the type1 ioctls
      compat-vfio   /dev/vfio/vfio is iommufd (allocates an IOAS) and offers type1v2
      mock          the mock domain (above)
Prints "ok - ..." / "not ok - ..." lines; exit 0 when all pass, 1 otherwise, 77 when
not in the lab's guest.
"""
import fcntl
import os
import stat
import struct
import sys

VFIO_GET_API_VERSION = 0x3B64        # _IO(';', 100)
VFIO_CHECK_EXTENSION = 0x3B65        # _IO(';', 101)
VFIO_TYPE1v2_IOMMU = 3
IOMMU_IOAS_ALLOC = 0x3B81            # _IO(';', 0x81)
IOMMU_TEST_CMD = 0x3BA0              # _IO(';', 0x80 + 32)
IOMMU_TEST_OP_MOCK_DOMAIN = 2
TEST_CMD_SIZE = 72                   # sizeof(struct iommu_test_cmd) in 6.12

failures = 0


def check(ok, what, detail=""):
    global failures
    if ok:
        print(f"ok - {what}")
    else:
        failures += 1
        print(f"not ok - {what}{': ' + detail if detail else ''}")
    return ok


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def is_chr(path):
    try:
        return stat.S_ISCHR(os.stat(path).st_mode)
    except OSError:
        return False


def ioctl_int(fd, req, arg=0):
    try:
        return fcntl.ioctl(fd, req, arg)
    except OSError as e:
        return -e.errno


def ioas_alloc(fd):
    buf = bytearray(struct.pack("=III", 12, 0, 0))
    try:
        fcntl.ioctl(fd, IOMMU_IOAS_ALLOC, buf, True)
    except OSError as e:
        return -e.errno
    return struct.unpack("=III", buf)[2]


def mock_domain(fd, ioas):
    buf = bytearray(TEST_CMD_SIZE)
    struct.pack_into("=IIII", buf, 0, TEST_CMD_SIZE, IOMMU_TEST_OP_MOCK_DOMAIN, ioas, 0)
    try:
        fcntl.ioctl(fd, IOMMU_TEST_CMD, buf, True)
    except OSError as e:
        return -e.errno
    return struct.unpack_from("=III", buf, 16)  # stdev, hwpt, idev


def open_node(path):
    try:
        return os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        check(False, f"open {path}", os.strerror(e.errno))
        return None


def pci_devices():
    base = "/sys/bus/pci/devices"
    for bdf in sorted(os.listdir(base)):
        d = os.path.join(base, bdf)
        yield bdf, d, read(d + "/class"), f"{read(d + '/vendor')}:{read(d + '/device')}"


def lab_devices():
    nvme = [(b, d) for b, d, cls, _ in pci_devices() if cls == "0x010802"]
    nic = [(b, d) for b, d, _, ids in pci_devices() if ids == "0x8086:0x10d3"]
    return nvme, nic


def check_vtd(snoop):
    dmars = sorted(x for x in os.listdir("/sys/class/iommu") if x.startswith("dmar"))
    if not check(len(dmars) >= 1, "an emulated VT-d unit is in /sys/class/iommu", str(dmars)):
        return
    ecap = read(f"/sys/class/iommu/{dmars[0]}/intel-iommu/ecap")
    sc = (int(ecap, 16) >> 7) & 1 if ecap else None
    check(sc == snoop, f"{dmars[0]} ECAP {ecap}: SC={sc}, the variant says {snoop}")
    nvme, nic = lab_devices()
    check(len(nvme) == 2, "two NVMe controllers", str([b for b, _ in nvme]))
    check(len(nic) == 1, "one e1000e", str([b for b, _ in nic]))
    for bdf, d in nvme + nic:
        drv = os.path.basename(os.readlink(d + "/driver")) if os.path.exists(d + "/driver") else None
        check(drv == "vfio-pci", f"{bdf} is bound to vfio-pci", f"driver {drv}")
        grp = os.path.basename(os.readlink(d + "/iommu_group")) if os.path.exists(d + "/iommu_group") else None
        check(grp is not None and is_chr(f"/dev/vfio/{grp}"), f"{bdf} has its group node /dev/vfio/{grp}")
        cdevs = os.listdir(d + "/vfio-dev") if os.path.isdir(d + "/vfio-dev") else []
        check(len(cdevs) == 1 and is_chr(f"/dev/vfio/devices/{cdevs[0]}"),
              f"{bdf} has its cdev /dev/vfio/devices/{cdevs[0] if cdevs else '?'}")


def check_mock():
    dmars = [x for x in os.listdir("/sys/class/iommu") if x.startswith("dmar")]
    check(not dmars, "no VT-d unit with intel_iommu=off", str(dmars))
    nvme, nic = lab_devices()
    check(len(nvme) == 2 and len(nic) == 1, "the emulated devices are there")
    check(all(not os.path.exists(d + "/iommu_group") for _, d in nvme + nic),
          "they have no IOMMU group")
    check(os.path.isdir("/sys/kernel/debug/fail_iommufd"),
          "fault injection: /sys/kernel/debug/fail_iommufd")
    fd = open_node("/dev/iommu")
    if fd is None:
        return
    ioas = ioas_alloc(fd)
    if check(ioas > 0, "IOMMU_IOAS_ALLOC", os.strerror(-ioas) if ioas < 0 else ""):
        r = mock_domain(fd, ioas)
        check(not isinstance(r, int) and all(x > 0 for x in r),
              "IOMMU_TEST_OP_MOCK_DOMAIN creates a mock device and domain",
              os.strerror(-r) if isinstance(r, int) else str(r))
    os.close(fd)


def check_mode(mode):
    if mode == "cdev":
        fd = open_node("/dev/iommu")
        if fd is not None:
            ioas = ioas_alloc(fd)
            check(ioas > 0, "cdev: /dev/iommu allocates an IOAS", os.strerror(-ioas) if ioas < 0 else "")
            os.close(fd)
        n = len(os.listdir("/dev/vfio/devices")) if os.path.isdir("/dev/vfio/devices") else 0
        check(n >= 3, f"cdev: {n} cdevs in /dev/vfio/devices")
    elif mode in ("type1", "compat-vfio"):
        fd = open_node("/dev/vfio/vfio")
        if fd is None:
            return
        check(ioctl_int(fd, VFIO_GET_API_VERSION) == 0, f"{mode}: VFIO_GET_API_VERSION is 0")
        check(ioctl_int(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1,
              f"{mode}: /dev/vfio/vfio offers VFIO_TYPE1v2_IOMMU")
        ioas = ioas_alloc(fd)
        if mode == "type1":
            # VFIO's container answers an ioctl it does not know with EINVAL
            check(ioas < 0, "type1: /dev/vfio/vfio is VFIO's container, not iommufd",
                  f"IOMMU_IOAS_ALLOC gave IOAS {ioas}")
        else:
            check(ioas > 0, "compat-vfio: /dev/vfio/vfio is iommufd (allocates an IOAS)",
                  os.strerror(-ioas) if ioas < 0 else "")
        os.close(fd)
    elif mode == "compat-iommu":
        fd = open_node("/dev/iommu")
        if fd is None:
            return
        check(ioctl_int(fd, VFIO_GET_API_VERSION) == 0, "compat-iommu: /dev/iommu answers VFIO_GET_API_VERSION")
        check(ioctl_int(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1,
              "compat-iommu: /dev/iommu offers VFIO_TYPE1v2_IOMMU")
        os.close(fd)
        check(len([g for g in os.listdir("/dev/vfio") if g.isdigit()]) >= 3, "compat-iommu: group nodes in /dev/vfio")
    elif mode != "mock":
        check(False, f"unknown mode {mode}")


def main():
    variant = os.environ.get("IOFD_VM_VARIANT")
    if not os.environ.get("IOFD_VM") or not variant:
        print("skip: not inside the lab's guest (tests/vm/run)")
        return 77
    kernel = os.environ.get("IOFD_VM_KERNEL", "main")
    offered = {"mock": ["mock"]}.get(variant, ["cdev", "compat-iommu"] +
                                      (["type1"] if kernel == "main" else ["compat-vfio"]))
    mode = os.environ.get("IOFD_VM_MODE")
    modes = [mode] if mode else offered
    print(f"# variant {variant}, kernel {kernel}, modes {' '.join(modes)}")
    check(is_chr("/dev/iommu"), "/dev/iommu is there")
    if variant == "mock":
        check_mock()
    else:
        check_vtd(int(os.environ.get("IOFD_VM_SNOOP_CONTROL", "-1") or -1))
    for m in modes:
        if m not in offered:
            check(False, f"mode {m} is not offered by variant {variant}")
            continue
        check_mode(m)
    print(f"# {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
