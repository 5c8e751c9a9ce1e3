/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libiommufd-sim: a simulated Linux kernel (iommufd, VFIO device cdevs, VFIO
 * groups and the type1 container on a simulated host of IOMMUs and PCI
 * devices) that runs
 * inside the calling process, behind libiommufd's syscall seam
 * (struct iofd_kernel_ops). Tests of libiommufd, and tests of programs built
 * on it, run on it without an IOMMU, without root and in milliseconds, can
 * make any kernel call fail, and can make devices do DMA.
 *
 * The specification is the Linux 6.12 kernel: every ioctl the simulator
 * answers follows the kernel's argument checks, errnos and side effects, and
 * tests/conformance runs the same checks against the simulator and against
 * a real kernel. sim/README.md lists what is modelled and what is not.
 *
 * Conventions are libiommufd's: iofd_sim_ prefix, int returns (>= 0 or
 * -errno; nothing changed on failure), options structs with "size_t sz"
 * first, declared with IOFD_OPTS(), destructors that accept NULL.
 *
 * Threads: every call, and every kernel op of a simulator, may be made from
 * any thread; a simulator serialises them with one lock. iofd_sim_free()
 * must not race with anything else on the same simulator.
 *
 * File descriptors: the simulator hands out real, unique file descriptors
 * of this process (memfds named "iofd-sim:<path>", O_CLOEXEC), so they never
 * collide with the program's other fds. They are kernel objects only
 * through the simulator's ops: close them with the ops' close (or with
 * iofd_sim_free()), never with close(2).
 */
#ifndef LIBIOMMUFD_SIM_H
#define LIBIOMMUFD_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <libiommufd.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef IOFD_SIM_API
#define IOFD_SIM_API __attribute__((visibility("default")))
#endif

struct iofd_sim;

/* iofd_sim_opts.flags */
/* The simulated process has CAP_IPC_LOCK: pinned pages are not charged to
 * RLIMIT_MEMLOCK (the kernel's IOPT_PAGES_ACCOUNT_NONE). */
#define IOFD_SIM_CAP_IPC_LOCK		(1u << 0)
/* The simulated process has CAP_SYS_RESOURCE: it may set
 * IOMMU_OPTION_RLIMIT_MODE (else EPERM). */
#define IOFD_SIM_CAP_SYS_RESOURCE	(1u << 1)
/* The simulated kernel was built with CONFIG_IOMMUFD_TEST: /dev/iommu
 * answers IOMMU_TEST_CMD (ADD_RESERVED and SET_TEMP_MEMORY_LIMIT are
 * modelled; the mock device ops give EOPNOTSUPP until devices are).
 * Without it, IOMMU_TEST_CMD is ENOTTY. */
#define IOFD_SIM_IOMMUFD_TEST		(1u << 2)
/* The simulated kernel was built without CONFIG_TRANSPARENT_HUGEPAGE: an
 * IOVA the kernel picks is aligned to at most one page (else to at most a
 * PMD-sized huge page, 2 MiB with 4 KiB pages). */
#define IOFD_SIM_NO_THP			(1u << 3)
/* The simulated kernel was built with CONFIG_IOMMUFD_VFIO_CONTAINER (so
 * without VFIO's own container, CONFIG_VFIO_CONTAINER): /dev/vfio/vfio is
 * iommufd. Opening it gives an iommufd (fstat: misc 10:196, mode 0666) that
 * answers every iommufd ioctl and the type1 ioctls iommufd answers on
 * /dev/iommu, charges pinned memory to the process (RLIMIT_MEMLOCK as VFIO
 * does, mm->locked_vm; IOMMU_OPTION_RLIMIT_MODE reads 1), and that VFIO
 * groups join with VFIO_GROUP_SET_CONTAINER as they join a /dev/iommu fd
 * (its compat IOAS). The sysfs and /dev tree look the same either way
 * (class/misc/vfio, /dev/vfio/vfio): ask an iommufd ioctl to tell them
 * apart, as iofd_host_container_kind() does. Needs a kernel_version of
 * 6.2 or later. */
#define IOFD_SIM_VFIO_CONTAINER_IOMMUFD	(1u << 4)
/* vfio-pci is not loaded: no bus/pci/drivers/vfio-pci, and no device can
 * be added on vfio-pci (-EINVAL). */
#define IOFD_SIM_NO_VFIO_PCI		(1u << 5)

/* A kernel version for iofd_sim_opts.kernel_version, as the kernel's
 * KERNEL_VERSION() makes it (a patch level above 255 counts as 255):
 * IOFD_SIM_KERNEL_VERSION(6, 6, 0). */
#define IOFD_SIM_KERNEL_VERSION(a, b, c)                                    \
	(((uint32_t)(a) << 16) + ((uint32_t)(b) << 8) + ((c) > 255 ? 255u : (uint32_t)(c)))

/**
 * struct iofd_sim_opts - how to make a simulator.
 * @sz: sizeof(struct iofd_sim_opts), set by IOFD_OPTS()
 * @flags: IOFD_SIM_* bits: the simulated process's capabilities and the
 *	simulated kernel's configuration; 0 is an unprivileged process on a
 *	distribution kernel
 * @memlock_pages: the simulated process's RLIMIT_MEMLOCK, in pages of the
 *	host's page size; 0 means unlimited (RLIM_INFINITY)
 * @kernel_version: the simulated kernel's version,
 *	IOFD_SIM_KERNEL_VERSION(major, minor, patch) (the patch level is
 *	ignored); 0 is 6.12. From 5.4 to 6.12; what a version lacks answers
 *	as that kernel would (sim/README.md has the table):
 *	 - below 6.11: no IOMMU_FAULT_QUEUE_ALLOC (ENOTTY), and
 *	   IOMMU_HWPT_ALLOC's struct ends before fault_id (40 bytes: a larger
 *	   size needs a zero tail, else E2BIG);
 *	 - below 6.8: no IOMMU_HWPT_INVALIDATE (ENOTTY);
 *	 - below 6.7: no IOMMU_HWPT_SET_DIRTY_TRACKING or _GET_DIRTY_BITMAP
 *	   (ENOTTY); IOMMU_HWPT_ALLOC takes no flags (DIRTY_TRACKING,
 *	   NEST_PARENT: EOPNOTSUPP) and its struct ends at __reserved (24
 *	   bytes); IOMMU_GET_HW_INFO's ends at __reserved (32 bytes): a caller's
 *	   longer struct is accepted when its tail (out_capabilities) is zero,
 *	   and the kernel writes back 32 bytes, so out_capabilities stays 0;
 *	 - below 6.6: no IOMMU_HWPT_ALLOC, IOMMU_GET_HW_INFO (ENOTTY), no VFIO
 *	   device cdevs (no class/vfio-dev, no /dev/vfio/devices; open ENOENT;
 *	   a group's device file answers VFIO_DEVICE_BIND_IOMMUFD with
 *	   vfio-pci's ENOTTY); groups still join a /dev/iommu fd;
 *	 - below 6.2: no iommufd at all (no /dev/iommu, open ENOENT; a group's
 *	   SET_CONTAINER takes only a VFIO container);
 *	 - below 5.12: no VFIO_UPDATE_VADDR and VFIO_UNMAP_ALL (CHECK_EXTENSION
 *	   0, their flags EINVAL); below 5.10 no DMA_AVAIL capability; below
 *	   5.8 no VFIO_IOMMU_DIRTY_PAGES (ENOTTY), no GET_DIRTY_BITMAP unmap
 *	   flag (EINVAL), no MIGRATION capability.
 *	Everything else answers as 6.12's.
 */
struct iofd_sim_opts {
	size_t sz;
	uint32_t flags;
	uint64_t memlock_pages;
	uint32_t kernel_version;
};

/**
 * iofd_sim_new() - make a simulated kernel.
 * @ret: where the new simulator is stored
 * @opts: options, or NULL for defaults
 *
 * The simulator starts with nothing open. It offers the device nodes
 * /dev/iommu and /dev/vfio/vfio (opened through its ops, see
 * iofd_sim_kernel_ops()), and those of the host it is given. Each
 * simulator is an independent kernel: objects, fds, pins and accounting are
 * its own.
 *
 * Return: 0, or
 *  -EINVAL: @ret is NULL, @opts->sz is smaller than the first release of
 *	the struct, an unknown flag, a @kernel_version outside 5.4 .. 6.12,
 *	or IOFD_SIM_VFIO_CONTAINER_IOMMUFD with a kernel older than 6.2
 *  -E2BIG: @opts is larger than this library knows and the extra bytes are
 *	not zero
 *  -ENOMEM: out of memory
 */
IOFD_SIM_API int iofd_sim_new(struct iofd_sim **ret, const struct iofd_sim_opts *opts);

/**
 * iofd_sim_free() - close everything the simulator handed out and free it.
 * @sim: a simulator, or NULL
 *
 * Every fd still open on the simulator is closed (as a process exit would:
 * every iommufd object is destroyed and every pin released), so its number
 * may be reused by the process afterwards. Contexts using the simulator
 * must be freed first.
 */
IOFD_SIM_API void iofd_sim_free(struct iofd_sim *sim);

/**
 * iofd_sim_ctx_opts() - point a libiommufd context's options at the simulator.
 * @sim: a simulator
 * @opts: options for iofd_ctx_new(), declared with IOFD_OPTS()
 *
 * Sets @opts->kernel and @opts->kernel_priv, and @opts->sysfs_root and
 * @opts->dev_root to the simulated host's trees (iofd_sim_sysfs_root()),
 * so that iofd_ctx_new() runs on the simulator and iofd_host_scan() sees
 * the simulated host. Other fields are left alone. The strings stay valid
 * until iofd_sim_free().
 *
 *	IOFD_OPTS(iofd_ctx_opts, o);
 *	iofd_sim_ctx_opts(sim, &o);
 *	iofd_ctx_new(&ctx, &o);
 *
 * Return: 0, or -EINVAL for a NULL argument or an @opts->sz too small to
 * hold the fields set, or the errno of making the simulated host's tree
 * (see iofd_sim_sysfs_root()).
 */
IOFD_SIM_API int iofd_sim_ctx_opts(struct iofd_sim *sim, struct iofd_ctx_opts *opts);

/**
 * iofd_sim_kernel_ops() - the simulator's kernel ops, for direct use.
 *
 * The ops take the struct iofd_sim * as their priv. Every op returns
 * -errno on failure, as struct iofd_kernel_ops says. On an fd the simulator
 * did not hand out, every op fails with -EBADF (the simulator is a closed
 * world; it never touches the process's other fds). open() knows the
 * simulated nodes only: "/dev/iommu", the VFIO device cdevs
 * "/dev/vfio/devices/vfioN" of the simulated host, VFIO's container
 * "/dev/vfio/vfio" (an iommufd with IOFD_SIM_VFIO_CONTAINER_IOMMUFD) and
 * the VFIO groups "/dev/vfio/N" (groups with a VFIO device; -EBUSY when
 * open already, or while a member's cdev is bound), by those paths or
 * under iofd_sim_dev_root() (-ENOENT for other paths, and for what
 * iofd_sim_opts.kernel_version lacks; the flags are not checked). On the
 * container: VFIO's container ioctls and vfio_iommu_type1's, v1 and v2
 * (VFIO_TYPE1_NESTING_IOMMU: EINVAL, EPERM on SMMUv3, as no 6.12 domain
 * enables nesting), UPDATE_VADDR, and dirty page tracking, in which every
 * mapped page reads dirty whatever the DMA (type1 cannot see a device's
 * writes), with 6.12's bitmap quirks (sim/README.md); on a group:
 * GET_STATUS, SET/UNSET_CONTAINER (a container or an iommufd),
 * GET_DEVICE_FD, whose device file answers as a bound cdev does (but BIND
 * and ATTACH/DETACH_IOMMUFD_PT: EINVAL, ENOTTY); fstat() describes
 * character devices (misc 10:196; 510:N) and an anon inode. The group path
 * charges pinned memory to RLIMIT_MEMLOCK as VFIO does (mm->locked_vm, even
 * with CAP_IPC_LOCK, which only lifts the limit) and, like the kernel, not
 * to VmPin (iofd_sim_pinned_pages()). On a device cdev: the VFIO cdev ioctls (BIND_IOMMUFD,
 * ATTACH/DETACH_IOMMUFD_PT) and vfio-pci's GET_INFO, GET_REGION_INFO,
 * GET_IRQ_INFO, SET_IRQS and RESET; every other ioctl is -EINVAL before the
 * bind (as the kernel's) and -ENOTTY after (not modelled: FEATURE, hot
 * reset); pread/pwrite reach the device's regions and mmap its memory BARs
 * (see "vfio-pci's side of a device" below; before the bind -EINVAL), plain
 * read/write -EINVAL (only positioned access is modelled); closing the last
 * fd of a device turns its interrupts off, and of a bound cdev unbinds the
 * device; fstat() describes a
 * character device (S_IFCHR | 0600, major 511, minor N). On /dev/iommu:
 * ioctl() is the kernel's iommufd ioctl, with the VFIO type1 ioctls it
 * answers itself; read/write/pread/pwrite give -EINVAL, mmap -ENODEV
 * (iommufd has neither); fstat() describes a
 * character device (st_mode S_IFCHR | 0660, misc major 10). On a fault
 * queue's fd (IOMMU_FAULT_QUEUE_ALLOC): read/write take whole records as
 * the kernel's do (no fault is ever queued yet), pread/pwrite give -ESPIPE,
 * fstat() an anonymous inode (st_mode 0600). dup() shares the open file,
 * which lives until its last fd is closed. munmap() gives -EINVAL.
 *
 * Return: a static ops table.
 */
IOFD_SIM_API const struct iofd_kernel_ops *iofd_sim_kernel_ops(void);

/**
 * iofd_sim_fail_nth() - make the Nth kernel call from now fail.
 * @sim: a simulator
 * @n: 1 fails the next call, 2 the one after, ...; 0 cancels
 * @err: the positive errno that call returns (e.g. ENOMEM)
 *
 * Every op counts as a call: open, close, ioctl, mmap, munmap, read, write,
 * pread, pwrite, fstat, dup. The failing call does nothing and returns
 * -@err, except close, which (like Linux's) still closes the fd. One-shot:
 * after firing, the setting is cleared. See iofd_sim_calls() to size a
 * sweep over a sequence.
 *
 * Return: 0, or -EINVAL for a NULL @sim or an @err outside 1..4095.
 */
IOFD_SIM_API int iofd_sim_fail_nth(struct iofd_sim *sim, unsigned int n, int err);

/**
 * iofd_sim_fail_ioctl() - make an ioctl fail.
 * @sim: a simulator
 * @request: the ioctl number (e.g. IOMMU_IOAS_MAP), on any fd
 * @err: the positive errno it returns
 * @count: how many of the next calls of @request fail; 0 removes the rule
 *	for @request
 *
 * A failing ioctl does nothing. Up to 16 requests can have rules at once.
 *
 * Return: 0, or -EINVAL (NULL @sim, @err outside 1..4095), -ENOSPC (16
 * rules already).
 */
IOFD_SIM_API int iofd_sim_fail_ioctl(struct iofd_sim *sim, unsigned long request, int err,
				     unsigned int count);

/**
 * iofd_sim_calls() - how many kernel calls the simulator has answered.
 * @sim: a simulator (NULL counts as 0)
 *
 * Every op counts, including calls that failed or were made to fail.
 */
IOFD_SIM_API uint64_t iofd_sim_calls(struct iofd_sim *sim);

/**
 * iofd_sim_pinned_pages() - user pages currently pinned (/proc's VmPin, in pages).
 * @sim: a simulator (NULL counts as 0)
 *
 * As in the kernel, iommufd pins the pages under a mapping only while the
 * IOAS has a translation domain (a device or HWPT attached); a page shared
 * by several areas made from one mapping (IOAS_COPY) is pinned once, while
 * two separate maps of the same memory pin it twice.
 */
IOFD_SIM_API uint64_t iofd_sim_pinned_pages(struct iofd_sim *sim);

/**
 * iofd_sim_locked_pages() - pages charged to RLIMIT_MEMLOCK.
 * @sim: a simulator (NULL counts as 0)
 *
 * The sum of what iommufd charged to the user (IOMMU_OPTION_RLIMIT_MODE 0)
 * and to the process (mode 1, and iommufd serving /dev/vfio/vfio), and
 * what VFIO's type1 charged to the process. With IOFD_SIM_CAP_IPC_LOCK
 * iommufd charges nothing, while type1 still charges (without a limit).
 */
IOFD_SIM_API uint64_t iofd_sim_locked_pages(struct iofd_sim *sim);

/** iofd_sim_open_fds() - how many fds the simulator has handed out and not seen closed. */
IOFD_SIM_API unsigned int iofd_sim_open_fds(struct iofd_sim *sim);

/** iofd_sim_objects() - how many iommufd objects (IOAS, ...) live in all open iommufds. */
IOFD_SIM_API unsigned int iofd_sim_objects(struct iofd_sim *sim);

/* ------------------------------------------------------------------------
 * The simulated host: IOMMU instances and PCI devices
 *
 * A simulator starts as a host without IOMMUs or devices (with
 * IOFD_SIM_IOMMUFD_TEST: the selftest IOMMU only). Tests describe the
 * machine they need: IOMMU instances, then the PCI devices behind them.
 * The simulated kernel shows them in a sysfs and /dev tree shaped like
 * Linux 6.12's (in a private temporary directory, removed by
 * iofd_sim_free()), which iofd_sim_ctx_opts() gives to libiommufd, and
 * serves each device bound to vfio-pci as a VFIO cdev. What each IOMMU type
 * decides (sim/README.md has the table):
 *
 *  - VT-d: cache coherency enforcement from ECAP.SC (bit 7); dirty tracking
 *    with scalable mode and second-stage A/D (ECAP bits 43, 45, 48);
 *    NEST_PARENT with scalable mode and nesting (ECAP bits 43, 26); the
 *    address width from CAP.SAGAW capped by CAP.MGAW; 4K pages plus CAP.SLLPS
 *    superpages; reserved: x86's MSI window 0xfee00000-0xfeefffff.
 *    GET_HW_INFO: type 1 (INTEL_VTD) and struct iommu_hw_info_vtd.
 *  - AMD: always enforces coherency; dirty tracking from EFR.HDSup (bit 52);
 *    48-bit; 4K|2M|1G; reserved: the MSI window and the HyperTransport hole
 *    0xfd00000000-0xffffffffff. GET_HW_INFO: type NONE.
 *  - ARM SMMUv3: coherency enforcement per device (IOFD_SIM_PCI_COHERENT;
 *    Linux 6.12 never enforces it, later kernels ask the firmware per
 *    device); dirty tracking with IOFD_SIM_IOMMU_DIRTY; 48-bit; 4K|2M|1G;
 *    reserved: the software MSI window 0x8000000-0x80fffff; a domain only
 *    takes devices of its own instance. GET_HW_INFO: type NONE.
 *  - the selftest mock (IOFD_IOMMU_SELFTEST): never enforces coherency;
 *    dirty tracking; NEST_PARENT; aperture 0x1000000-0x7fffffff; half-page
 *    IO pages; no reserved ranges. GET_HW_INFO: 0xfeedbeef.
 *
 * Domains of one driver can be shared across its instances where the
 * driver allows it (VT-d, AMD, mock: checked per attach); domains of
 * different drivers never (attach: -EINVAL).
 */

/** struct iofd_sim_iova_range - an inclusive IOVA range. */
struct iofd_sim_iova_range {
	uint64_t start;
	uint64_t last;
};

/* iofd_sim_iommu_opts.flags */
/* ARM SMMUv3: the SMMU tracks dirty pages (HTTU, FEAT_HD). */
#define IOFD_SIM_IOMMU_DIRTY		(1u << 0)
/* @reserved and @nr_reserved (possibly none) replace the type's default
 * reserved ranges. */
#define IOFD_SIM_IOMMU_RESERVED		(1u << 1)
/* No interrupt remapping: MSIs are not isolated, so binding a device to
 * iommufd is -EPERM (the kernel's allow_unsafe_interrupts is off). */
#define IOFD_SIM_IOMMU_NO_IRQ_REMAP	(1u << 2)

/**
 * struct iofd_sim_iommu_opts - an IOMMU instance.
 * @sz: sizeof(struct iofd_sim_iommu_opts), set by IOFD_OPTS()
 * @type: IOFD_IOMMU_INTEL_VTD, _AMD, _ARM_SMMUV3 or _SELFTEST
 * @flags: IOFD_SIM_IOMMU_* bits
 * @name: its sysfs name; NULL: dmarN (VT-d), ivhdN (AMD),
 *	smmu3.0x<address> (SMMUv3), iommufd_selftest_iommu.N (mock)
 * @vtd_cap, @vtd_ecap: VT-d's CAP_REG and ECAP_REG; both 0: QEMU 7.2's
 *	intel-iommu with snoop-control=on (cap 0xd2008c22260206, ecap
 *	0xf00fca; ecap 0xf00f4a is the same unit without snoop control)
 * @amd_efr: AMD's Extended Feature Register (bit 52, HDSup: dirty tracking)
 * @addr_width: the input address width of its domains in bits (aperture
 *	0 .. 2^width - 1); 0: VT-d from the registers, 48 for AMD and SMMUv3;
 *	the mock's aperture is fixed
 * @pgsize_bitmap: its domains' page sizes; 0: the type's (see above)
 * @reserved: with IOFD_SIM_IOMMU_RESERVED, the reserved IOVA ranges of
 *	every device behind it (iommu_get_resv_regions())
 * @nr_reserved: how many
 */
struct iofd_sim_iommu_opts {
	size_t sz;
	enum iofd_iommu_type type;
	uint32_t flags;
	const char *name;
	uint64_t vtd_cap;
	uint64_t vtd_ecap;
	uint64_t amd_efr;
	unsigned int addr_width;
	uint64_t pgsize_bitmap;
	const struct iofd_sim_iova_range *reserved;
	unsigned int nr_reserved;
};

/**
 * iofd_sim_add_iommu() - add an IOMMU instance to the simulated host.
 * @sim: a simulator
 * @opts: the instance
 *
 * Return: the instance's number (0, 1, ... in the order added), for
 * iofd_sim_pci_opts.iommu; or
 *  -EINVAL: NULL argument, @opts->sz too small, an unknown type or flag,
 *	an empty or duplicate name, VT-d registers that name no address
 *	width, @addr_width outside 32..64, a @pgsize_bitmap without a page
 *	of at most the host's page size, a reserved range with start > last
 *  -E2BIG: @opts larger than this library knows, with a non-zero tail
 *  -ENOMEM, or the errno of writing the simulated sysfs tree
 */
IOFD_SIM_API int iofd_sim_add_iommu(struct iofd_sim *sim,
				    const struct iofd_sim_iommu_opts *opts);

/* iofd_sim_pci_opts.flags */
/* Join IOMMU group @group (made if new) instead of a group of its own. */
#define IOFD_SIM_PCI_GROUP		(1u << 0)
/* No VFIO cdev even when bound to vfio-pci (a kernel without
 * CONFIG_VFIO_DEVICE_CDEV); its VFIO group works as ever. */
#define IOFD_SIM_PCI_NO_CDEV		(1u << 1)
/* ARM SMMUv3: the firmware says the device's DMA is coherent, so domains
 * made for it enforce cache coherency (a later kernel's SMMUv3; 6.12 never
 * enforces it on SMMUv3). No effect on other IOMMU types. */
#define IOFD_SIM_PCI_COHERENT		(1u << 2)
/* The firmware's boot VGA device: boot_vga reads 1 (VGA-class devices
 * without it read 0; others have no boot_vga). */
#define IOFD_SIM_PCI_BOOT_VGA		(1u << 3)

/**
 * struct iofd_sim_pci_opts - a PCI device.
 * @sz: sizeof(struct iofd_sim_pci_opts), set by IOFD_OPTS()
 * @bdf: its address, "DDDD:BB:DD.F" in lower case
 * @iommu: the IOMMU instance translating its DMA (iofd_sim_add_iommu()'s
 *	number), or -1 for none (then it has no group and no cdev)
 * @flags: IOFD_SIM_PCI_* bits
 * @group: with IOFD_SIM_PCI_GROUP, its IOMMU group's number; shared groups
 *	are allowed (all members behind one IOMMU). Without it, a new group
 *	with the lowest unused number.
 * @driver: the bound driver's name; NULL: unbound. A device on vfio-pci
 *	(or a driver whose name ends in "vfio-pci"/"vfio_pci") is a VFIO
 *	device with the cdev /dev/vfio/devices/vfioN, N counting such devices
 *	from 0 in the order added. Binding it to iommufd needs its group to be
 *	viable: every member unbound or on vfio-pci, pci-stub or pcieport
 *	(else -EPERM, as the kernel's DMA ownership claim answers).
 * @vendor, @device, @class_code: its ids; all 0: QEMU's NVMe controller
 *	(1b36:0010, class 0x010802)
 * @parent: the sysfs path of the bridge it sits behind
 *	("pci0000:00/0000:00:1c.0"); NULL: the root bus
 * @host_driver: the driver that claims it by its ids ("nvme", "e1000e")
 *	when the bus probes it without a driver_override; NULL: @driver
 *	unless that is vfio-pci, else none (the lab's guest has no nvme or
 *	e1000e driver). Every driver named here or in @driver is loaded.
 *	While on its host driver the device shows what that driver makes,
 *	by its class: an NVMe controller (class 0x0108xx) nvme/nvmeK with
 *	namespace block device nvmeKn1 (259:K), an Ethernet controller
 *	(0x0200xx) the interface net/ethK, down (K the lowest free number).
 *
 * The device answers VFIO_DEVICE_GET_INFO and friends as QEMU's NVMe does
 * under vfio-pci (a PCIe function with a 16 KiB BAR0 holding MSI-X, 4 KiB
 * of config space, INTx, 65 MSI-X vectors, ERR and REQ interrupts), or
 * with ids 8086:10d3 as QEMU's e1000e (see iofd_sim_pci_irq()'s section).
 */
struct iofd_sim_pci_opts {
	size_t sz;
	const char *bdf;
	int iommu;
	uint32_t flags;
	int group;
	const char *driver;
	uint16_t vendor;
	uint16_t device;
	uint32_t class_code;
	const char *parent;
	const char *host_driver;
};

/**
 * iofd_sim_add_pci() - add a PCI device to the simulated host.
 * @sim: a simulator
 * @opts: the device
 *
 * Return: 0, or
 *  -EINVAL: NULL argument, @opts->sz too small, an unknown flag, a @bdf
 *	that is not a PCI address, a bad @driver or @parent name, a negative
 *	@group, or a group whose members are behind another IOMMU
 *  -E2BIG: @opts larger than this library knows, with a non-zero tail
 *  -ENOENT: no IOMMU instance @iommu
 *  -EEXIST: a device with that address exists
 *  -ENOMEM, or the errno of writing the simulated sysfs tree
 */
IOFD_SIM_API int iofd_sim_add_pci(struct iofd_sim *sim, const struct iofd_sim_pci_opts *opts);

/* iofd_sim_pci_use() uses */
#define IOFD_SIM_USE_MOUNTED	(1u << 0) /* namespace nvmeKn1 mounted on /mnt/nvmeKn1 */
#define IOFD_SIM_USE_SWAP	(1u << 1) /* nvmeKn1 a swap area (/proc/swaps) */
#define IOFD_SIM_USE_HELD	(1u << 2) /* nvmeKn1 held by dm-0 (its holders/) */
#define IOFD_SIM_USE_UP		(1u << 3) /* interface ethK up (IFF_UP, operstate up) */

/**
 * iofd_sim_pci_use() - say how the host uses a device on its host driver.
 * @sim: a simulator
 * @bdf: the device's address
 * @uses: IOFD_SIM_USE_* bits (0: unused), replacing what was set
 *
 * The uses show where Linux shows them: /proc/self/mountinfo and
 * /proc/swaps (which the simulator serves through its open op, so open
 * them through the ops) and sysfs. They last while the device stays on
 * its host driver: a driver unbound takes its block devices and
 * interfaces, and their uses, with it (Linux would keep a dead mount).
 *
 * Return: 0, or -EINVAL (NULL argument, unknown bit, a block use on a
 * device that is not an NVMe controller, UP on one that is not Ethernet),
 * -ENOENT (no such device), -ENODEV (not on its host driver now), or the
 * errno of writing the simulated sysfs tree.
 */
IOFD_SIM_API int iofd_sim_pci_use(struct iofd_sim *sim, const char *bdf, uint32_t uses);

/**
 * iofd_sim_sysfs_root() - the simulated host's sysfs ("/sys").
 * @sim: a simulator
 *
 * The tree is made in a new directory under $TMPDIR (or /tmp) the first
 * time it is needed, and removed by iofd_sim_free(). It shows, as Linux
 * 6.12 would: class/iommu with each instance (VT-d: intel-iommu/cap and
 * ecap; AMD: amd-iommu/cap and features), every PCI device with its ids,
 * driver, iommu link, IOMMU group (kernel/iommu_groups/N with type and
 * reserved_regions) and VFIO cdev (vfio-dev/vfioN, class/vfio-dev), the
 * VFIO group of each group with a VFIO device (class/vfio/N, /dev/vfio/N),
 * /dev/vfio/vfio and /dev/iommu.
 *
 * Return: the path, or NULL when @sim is NULL or the tree could not be
 * made (errno is set).
 */
IOFD_SIM_API const char *iofd_sim_sysfs_root(struct iofd_sim *sim);

/** iofd_sim_dev_root() - the simulated host's /dev, or NULL (see iofd_sim_sysfs_root()). */
IOFD_SIM_API const char *iofd_sim_dev_root(struct iofd_sim *sim);

/* ------------------------------------------------------------------------
 * Simulated DMA, and the translation check
 */

/**
 * iofd_sim_dma_read() - a device reads memory by DMA.
 * @sim: a simulator
 * @dev: the device: a PCI address ("0000:00:03.0"), or a mock device's
 *	name ("iommufd_mock0": IOMMU_TEST_OP_MOCK_DOMAIN's devices, counted
 *	from 0)
 * @iova: the bus address the device reads
 * @buf: where the bytes go
 * @len: how many
 *
 * The read goes through the translation of the domain the device's group
 * is attached to now (the HWPT it was attached to through iommufd, or the
 * type1 domain of the VFIO container its group is in), page
 * by page, to the user memory behind each mapping. All or nothing: the
 * whole range is translated before a byte moves.
 *
 * Return: 0, or
 *  -EINVAL: a NULL argument, @len 0 or @iova + @len overflowing
 *  -ENODEV: no such device, or one without an IOMMU (untranslated DMA is
 *	not simulated)
 *  -EFAULT: an IOMMU fault: the device is not attached to a domain (DMA is
 *	blocked), an IOVA is not mapped, or a mapping is not readable; or the
 *	user memory behind the mapping is gone
 */
IOFD_SIM_API int iofd_sim_dma_read(struct iofd_sim *sim, const char *dev, uint64_t iova,
				   void *buf, size_t len);

/**
 * iofd_sim_dma_write() - a device writes memory by DMA.
 * @sim, @dev, @iova, @len: as iofd_sim_dma_read()
 * @buf: the bytes written
 *
 * As iofd_sim_dma_read(), needing writable mappings (-EFAULT for a
 * read-only one). When the domain tracks dirty pages
 * (IOMMU_HWPT_SET_DIRTY_TRACKING), the pages written become dirty, at the
 * domain's smallest page size, for IOMMU_HWPT_GET_DIRTY_BITMAP. A VFIO
 * type1 container's tracking (VFIO_IOMMU_DIRTY_PAGES) does not see DMA,
 * as the kernel's does not: it reports every mapped page dirty.
 *
 * Return: iofd_sim_dma_read()'s, or -ENOMEM (recording dirty pages).
 */
IOFD_SIM_API int iofd_sim_dma_write(struct iofd_sim *sim, const char *dev, uint64_t iova,
				    const void *buf, size_t len);

/* ------------------------------------------------------------------------
 * vfio-pci's side of a device: regions and interrupts
 *
 * A PCI device on vfio-pci answers as vfio-pci does for the QEMU device it
 * stands for: QEMU's NVMe controller (BAR0 of 16 KiB with the MSI-X table
 * at 0x2000 and the PBA at 0x3000, 65 MSI-X vectors, INTx, no MSI), or,
 * for ids 8086:10d3, QEMU's e1000e (BAR0 and BAR1 of 128 KiB, 32 bytes of
 * I/O ports in BAR2, BAR3 of 16 KiB holding 5 MSI-X vectors, a 256 KiB
 * ROM, one MSI vector). Config space shows the ids, the class, INTA# and
 * the capability list, and takes writes to the command register only; BARs
 * are memory (pread/pwrite, and mmap of memory BARs, MAP_SHARED); the
 * MSI-X table reads ~0 and drops writes through pread/pwrite, as vfio-pci
 * keeps it; the MSI-X BAR carries VFIO_REGION_INFO_CAP_MSIX_MAPPABLE.
 * VFIO_DEVICE_SET_IRQS follows vfio_pci_intrs.c (sim/README.md).
 */

/**
 * iofd_sim_pci_sparse_msix() - make vfio-pci keep a device's MSI-X table
 * out of mmap, as kernels before 4.16 (and some vfio-pci variant drivers) do.
 * @sim: a simulator
 * @bdf: the device's PCI address
 * @on: true: the MSI-X BAR carries a VFIO_REGION_INFO_CAP_SPARSE_MMAP
 *	capability whose areas leave out the table's pages (NVMe: 0-0x2000
 *	and 0x3000-0x4000), no MSIX_MAPPABLE, and an mmap that reaches into
 *	those pages is EINVAL; false: as 6.12 (the default)
 *
 * Return: 0, -EINVAL (NULL argument), -ENODEV (no such PCI device), -ENOMEM.
 */
IOFD_SIM_API int iofd_sim_pci_sparse_msix(struct iofd_sim *sim, const char *bdf, bool on);

/**
 * iofd_sim_pci_irq() - a device raises (or lowers) an interrupt.
 * @sim: a simulator
 * @bdf: the device's PCI address
 * @index: VFIO's IRQ index: 0 INTx, 1 MSI, 2 MSI-X
 * @vector: the vector (0 for INTx); below the device's count of @index
 * @level: INTx: 1 asserts the pin, 0 lowers it (INTx is level-triggered);
 *	MSI and MSI-X: 1 (a message)
 *
 * INTx: while INTx is routed (VFIO_DEVICE_SET_IRQS) and not masked, an
 * asserted pin signals its eventfd and vfio-pci masks it; it stays masked
 * until ACTION_UNMASK, which signals again at once if the pin is still
 * asserted (and stays masked). MSI and MSI-X: the vector's eventfd is
 * signalled when that kind is routed, the vector has an eventfd, and bus
 * mastering is on in the command register (a message is a memory write).
 *
 * Return: 1 when an eventfd was signalled, 0 when nothing was delivered
 * (masked, not routed, no eventfd, no bus mastering, or a lowered pin);
 * -EINVAL (NULL argument, an index other than 0..2, a vector the device
 * does not have, a bad @level), -ENODEV (no such PCI device), -ENOMEM.
 */
IOFD_SIM_API int iofd_sim_pci_irq(struct iofd_sim *sim, const char *bdf, unsigned int index,
				  unsigned int vector, int level);

/**
 * iofd_sim_check_domains() - the kernel selftests' MD_CHECK_MAP, on every domain.
 * @sim: a simulator
 *
 * For every domain (HWPT) of every IOAS in every iommufd, and every type1
 * domain of every VFIO container: every IOVA page of every mapping
 * resolves to the user page behind it, the domain maps nothing else, and
 * the pins match the mappings (pinned while there is a domain, once per
 * page however many domains).
 *
 * Return: how many (domain, page) pairs were checked, or -EUCLEAN on the
 * first that is wrong (a bug in the simulator), -EINVAL for NULL.
 */
IOFD_SIM_API int iofd_sim_check_domains(struct iofd_sim *sim);

#ifdef __cplusplus
}
#endif

#endif /* LIBIOMMUFD_SIM_H */
