// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iofdctl-sim: iofdctl on libiommufd-sim, for tests. Never installed; the
 * installed iofdctl (real_host.c) does not link the simulator.
 *
 * Every context the tool makes runs on a simulated kernel whose host is
 * the one $IOFDCTL_SIM_TOPOLOGY names:
 *
 *   mixed     dmar0, a VT-d unit with snoop control (ECAP.SC=1), and dmar1,
 *             one without; an ARM SMMUv3. NVMe 0000:00:01.0 (vfio0) behind
 *             dmar0, 0000:00:02.0 (vfio1) behind dmar1, 0000:00:03.0 (vfio2)
 *             behind the SMMU; 0000:00:04.0, an e1000e bound to e1000e (no
 *             cdev); 0000:00:05.0 (vfio3) on vfio-pci in a group with
 *             0000:00:05.1 on ahci (not viable), both behind dmar0.
 *   dirty     dmar0, VT-d with snoop control and dirty tracking (scalable
 *             mode, second-stage A/D), with NVMe 0000:00:01.0 and
 *             0000:00:02.0; dmar1, snoop control without dirty tracking,
 *             with NVMe 0000:00:03.0.
 *   host      devices on their host drivers, for bind and unbind: dmar0 (VT-d
 *             with snoop control); NVMe 0000:00:01.0 on nvme with its
 *             namespace nvme0n1 mounted, NVMe 0000:00:02.0 on nvme (unused),
 *             e1000e 0000:00:03.0 on e1000e with eth0 up, NVMe 0000:00:04.0
 *             on vfio-pci (host driver nvme), NVMe 0000:00:05.0 on vfio-pci
 *             (host driver nvme) in a group with 0000:00:05.1 on ahci.
 *   lab-sc    the lab's guest (tests/vm): QEMU q35 with one VT-d unit with
 *   lab-nosc  snoop control (lab-sc) or without (lab-nosc), NVMe
 *             0000:00:01.0 and 0000:00:02.0 and e1000e 0000:00:03.0 on
 *             vfio-pci (vfio0..2), virtio and chipset devices.
 *
 * $IOFDCTL_SIM_FAIL=REQUEST:N:ERRNO makes the Nth call of REQUEST fail with
 * ERRNO (a number or a name such as ENOMEM); REQUEST is bind
 * (VFIO_DEVICE_BIND_IOMMUFD), attach (VFIO_DEVICE_ATTACH_IOMMUFD_PT),
 * detach (VFIO_DEVICE_DETACH_IOMMUFD_PT), hwpt-alloc (IOMMU_HWPT_ALLOC) or
 * ioas-alloc (IOMMU_IOAS_ALLOC).
 *
 * The command must leave the simulated kernel as it found it, by itself:
 * on the iommufd backend (auto or iommufd), where the library makes every
 * iommufd object itself, when it closes its last /dev/iommu fd that
 * iommufd must hold no object (no device bound, no HWPT, no IOAS: it
 * detached and freed everything before freeing its context); on any
 * backend, no fd may be open at the end. Else iofdctl-sim says what was
 * left and exits 3. (On compat, the kernel makes the compat IOAS itself,
 * and it lives until its iommufd is closed.)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libiommufd-sim.h>

#include "iofdctl.h"
#include "uapi/iommufd.h"
#include "uapi/vfio.h"

#define EXIT_LEFT_BEHIND 3

#define QEMU_VTD_CAP	0xd2008c22260206ull
#define QEMU_VTD_ECAP_SC	0xf00fcaull
#define QEMU_VTD_ECAP_NOSC	0xf00f4aull
/* Scalable mode, second-stage A/D, page-walk coherency in scalable mode. */
#define VTD_ECAP_DIRTY	((1ull << 43) | (1ull << 45) | (1ull << 48))

struct sim_iommu {
	enum iofd_iommu_type type;
	const char *name;	/* NULL: the simulator's default */
	uint64_t vtd_ecap;
};

struct sim_pci {
	const char *bdf;
	int iommu;		/* index into the topology's iommus */
	const char *driver;
	int group;		/* < 0: a group of its own */
	uint16_t vendor, device;
	uint32_t class_code;	/* all three 0: QEMU's NVMe */
	const char *host_driver;	/* NULL: the simulator's default */
	uint32_t uses;		/* IOFD_SIM_USE_* */
};

struct topology {
	const char *name;
	struct sim_iommu iommus[3];
	size_t n_iommus;
	struct sim_pci pcis[12];
	size_t n_pcis;
};

static const struct topology topologies[] = {
	{ "mixed",
	  { { IOFD_IOMMU_INTEL_VTD, "dmar0", QEMU_VTD_ECAP_SC },
	    { IOFD_IOMMU_INTEL_VTD, "dmar1", QEMU_VTD_ECAP_NOSC },
	    { IOFD_IOMMU_ARM_SMMUV3, NULL, 0 } }, 3,
	  { { "0000:00:01.0", 0, "vfio-pci", -1, 0, 0, 0, NULL, 0 },
	    { "0000:00:02.0", 1, "vfio-pci", -1, 0, 0, 0, NULL, 0 },
	    { "0000:00:03.0", 2, "vfio-pci", -1, 0, 0, 0, NULL, 0 },
	    { "0000:00:04.0", 0, "e1000e", -1, 0x8086, 0x10d3, 0x020000, NULL, 0 },
	    { "0000:00:05.0", 0, "vfio-pci", 10, 0, 0, 0, NULL, 0 },
	    { "0000:00:05.1", 0, "ahci", 10, 0x8086, 0x2922, 0x010601, NULL, 0 } }, 6 },
	{ "dirty",
	  { { IOFD_IOMMU_INTEL_VTD, "dmar0", QEMU_VTD_ECAP_SC | VTD_ECAP_DIRTY },
	    { IOFD_IOMMU_INTEL_VTD, "dmar1", QEMU_VTD_ECAP_SC } }, 2,
	  { { "0000:00:01.0", 0, "vfio-pci", -1, 0, 0, 0, NULL, 0 },
	    { "0000:00:02.0", 0, "vfio-pci", -1, 0, 0, 0, NULL, 0 },
	    { "0000:00:03.0", 1, "vfio-pci", -1, 0, 0, 0, NULL, 0 } }, 3 },
	{ "host",
	  { { IOFD_IOMMU_INTEL_VTD, "dmar0", QEMU_VTD_ECAP_SC } }, 1,
	  { { "0000:00:01.0", 0, "nvme", -1, 0x1b36, 0x0010, 0x010802, NULL,
	      IOFD_SIM_USE_MOUNTED },
	    { "0000:00:02.0", 0, "nvme", -1, 0x1b36, 0x0010, 0x010802, NULL, 0 },
	    { "0000:00:03.0", 0, "e1000e", -1, 0x8086, 0x10d3, 0x020000, NULL, IOFD_SIM_USE_UP },
	    { "0000:00:04.0", 0, "vfio-pci", -1, 0x1b36, 0x0010, 0x010802, "nvme", 0 },
	    { "0000:00:05.0", 0, "vfio-pci", 10, 0x1b36, 0x0010, 0x010802, "nvme", 0 },
	    { "0000:00:05.1", 0, "ahci", 10, 0x8086, 0x2922, 0x010601, NULL, 0 } }, 6 },
#define LAB_DEVICES							\
	  { { "0000:00:00.0", 0, NULL, 0, 0x8086, 0x29c0, 0x060000, NULL, 0 },	\
	    { "0000:00:01.0", 0, "vfio-pci", 1, 0x1b36, 0x0010, 0x010802, NULL, 0 }, \
	    { "0000:00:02.0", 0, "vfio-pci", 2, 0x1b36, 0x0010, 0x010802, NULL, 0 }, \
	    { "0000:00:03.0", 0, "vfio-pci", 3, 0x8086, 0x10d3, 0x020000, NULL, 0 }, \
	    { "0000:00:04.0", 0, "virtio-pci", 4, 0x1af4, 0x1009, 0x000200, NULL, 0 }, \
	    { "0000:00:05.0", 0, "virtio-pci", 5, 0x1af4, 0x1009, 0x000200, NULL, 0 }, \
	    { "0000:00:1f.0", 0, NULL, 6, 0x8086, 0x2918, 0x060100, NULL, 0 },	\
	    { "0000:00:1f.2", 0, NULL, 6, 0x8086, 0x2922, 0x010601, NULL, 0 },	\
	    { "0000:00:1f.3", 0, NULL, 6, 0x8086, 0x2930, 0x0c0500, NULL, 0 } }, 9
	{ "lab-sc", { { IOFD_IOMMU_INTEL_VTD, "dmar0", QEMU_VTD_ECAP_SC } }, 1, LAB_DEVICES },
	{ "lab-nosc", { { IOFD_IOMMU_INTEL_VTD, "dmar0", QEMU_VTD_ECAP_NOSC } }, 1, LAB_DEVICES },
#undef LAB_DEVICES
};

static struct iofd_sim *sim;

/* ------------------------------------------------------------------------
 * The simulator's ops, watched: the open /dev/iommu fds, and what their
 * last close leaves behind; with $IOFDCTL_SIM_FAIL, one ioctl made to fail
 */

static struct {
	unsigned long request;
	unsigned int nth, seen;
	int err;
} fail;

static bool check_iommufd;		/* the iommufd backend: check its last close */
static int iommufds[16];
static size_t n_iommufds;
static unsigned int left_in_iommufd;	/* objects at the last iommufd's close */

static bool is_iommufd_path(const char *path)
{
	size_t n = strlen(path);

	return n >= 6 && !strcmp(path + n - 6, "/iommu");
}

static void track_iommufd(int fd)
{
	if (n_iommufds < sizeof(iommufds) / sizeof(iommufds[0]))
		iommufds[n_iommufds++] = fd;
}

static bool untrack_iommufd(int fd)
{
	for (size_t i = 0; i < n_iommufds; i++) {
		if (iommufds[i] == fd) {
			iommufds[i] = iommufds[--n_iommufds];
			return true;
		}
	}
	return false;
}

static int watch_open(void *priv, const char *path, int flags)
{
	int fd = iofd_sim_kernel_ops()->open(priv, path, flags);

	if (fd >= 0 && is_iommufd_path(path))
		track_iommufd(fd);
	return fd;
}

static int watch_dup(void *priv, int fd)
{
	int r = iofd_sim_kernel_ops()->dup(priv, fd);

	if (r >= 0 && untrack_iommufd(fd)) {
		track_iommufd(fd);
		track_iommufd(r);
	}
	return r;
}

static int watch_close(void *priv, int fd)
{
	if (untrack_iommufd(fd) && n_iommufds == 0 && check_iommufd) {
		unsigned int objs = iofd_sim_objects(sim);

		if (objs > left_in_iommufd)
			left_in_iommufd = objs;
	}
	return iofd_sim_kernel_ops()->close(priv, fd);
}

static int watch_ioctl(void *priv, int fd, unsigned long request, void *arg)
{
	if (fail.nth && request == fail.request && ++fail.seen == fail.nth)
		return -fail.err;
	return iofd_sim_kernel_ops()->ioctl(priv, fd, request, arg);
}

static struct iofd_kernel_ops watched_ops;

static int parse_errno(const char *s)
{
	static const struct { const char *name; int err; } names[] = {
		{ "ENOMEM", ENOMEM }, { "EIO", EIO }, { "EINVAL", EINVAL },
		{ "EBUSY", EBUSY }, { "EPERM", EPERM }, { "ENOSPC", ENOSPC },
		{ "EFAULT", EFAULT }, { "ENODEV", ENODEV },
	};
	char *end;
	long v;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name))
			return names[i].err;
	v = strtol(s, &end, 10);
	return *s && !*end && v > 0 && v < 4096 ? (int)v : -1;
}

static int setup_fail(const char *spec)
{
	static const struct { const char *name; unsigned long request; } requests[] = {
		{ "bind", IOFD_U_VFIO_DEVICE_BIND_IOMMUFD },
		{ "attach", IOFD_U_VFIO_DEVICE_ATTACH_IOMMUFD_PT },
		{ "detach", IOFD_U_VFIO_DEVICE_DETACH_IOMMUFD_PT },
		{ "hwpt-alloc", IOFD_U_IOMMU_HWPT_ALLOC },
		{ "ioas-alloc", IOFD_U_IOMMU_IOAS_ALLOC },
	};
	char req[32], nth[16], err[16];
	int e;

	if (sscanf(spec, "%31[^:]:%15[^:]:%15s", req, nth, err) != 3)
		goto bad;
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
		if (!strcmp(req, requests[i].name))
			fail.request = requests[i].request;
	fail.nth = (unsigned int)strtoul(nth, NULL, 10);
	e = parse_errno(err);
	if (!fail.request || !fail.nth || e < 0)
		goto bad;
	fail.err = e;
	return 0;
bad:
	err_msg("IOFDCTL_SIM_FAIL=%s: not REQUEST:N:ERRNO (REQUEST: bind, attach, detach, "
		"hwpt-alloc or ioas-alloc; N from 1)", spec);
	return -1;
}

/* ------------------------------------------------------------------------
 * The simulated host
 */

static int build(const struct topology *t)
{
	int iommu[3];
	int r;

	for (size_t i = 0; i < t->n_iommus; i++) {
		const struct sim_iommu *s = &t->iommus[i];
		IOFD_OPTS(iofd_sim_iommu_opts, io, .type = s->type, .name = s->name);

		if (s->type == IOFD_IOMMU_INTEL_VTD) {
			io.vtd_cap = QEMU_VTD_CAP;
			io.vtd_ecap = s->vtd_ecap;
		}
		iommu[i] = iofd_sim_add_iommu(sim, &io);
		if (iommu[i] < 0)
			return iommu[i];
	}
	for (size_t i = 0; i < t->n_pcis; i++) {
		const struct sim_pci *s = &t->pcis[i];
		IOFD_OPTS(iofd_sim_pci_opts, po, .bdf = s->bdf, .iommu = iommu[s->iommu],
			  .driver = s->driver, .vendor = s->vendor, .device = s->device,
			  .class_code = s->class_code, .host_driver = s->host_driver);

		if (s->group >= 0) {
			po.flags |= IOFD_SIM_PCI_GROUP;
			po.group = s->group;
		}
		r = iofd_sim_add_pci(sim, &po);
		if (r == 0 && s->uses)
			r = iofd_sim_pci_use(sim, s->bdf, s->uses);
		if (r < 0)
			return r;
	}
	return 0;
}

int tool_host_setup(struct iofd_ctx_opts *opts, const struct options *o)
{
	const char *name = getenv("IOFDCTL_SIM_TOPOLOGY");
	const char *spec = getenv("IOFDCTL_SIM_FAIL");
	const struct topology *t = NULL;
	int r;

	prog = "iofdctl-sim";
	if (o->sysfs_root || o->dev_root) {
		err_msg("--sysfs-root and --dev-root do not apply to a simulated host");
		return -1;
	}
	for (size_t i = 0; name && i < sizeof(topologies) / sizeof(topologies[0]); i++)
		if (!strcmp(name, topologies[i].name))
			t = &topologies[i];
	if (!t) {
		err_msg("IOFDCTL_SIM_TOPOLOGY=%s: not mixed, dirty, host, lab-sc or lab-nosc",
			name ? name : "");
		return -1;
	}
	if (spec && *spec && setup_fail(spec) < 0)
		return -1;
	r = iofd_sim_new(&sim, NULL);
	if (r == 0)
		r = build(t);
	if (r == 0)
		r = iofd_sim_ctx_opts(sim, opts);
	if (r < 0) {
		err_msg("cannot make the simulated host %s: %s", t->name, strerror(-r));
		return -1;
	}
	check_iommufd = o->backend == IOFD_BACKEND_AUTO || o->backend == IOFD_BACKEND_IOMMUFD;
	watched_ops = *opts->kernel;
	watched_ops.open = watch_open;
	watched_ops.dup = watch_dup;
	watched_ops.close = watch_close;
	watched_ops.ioctl = watch_ioctl;
	opts->kernel = &watched_ops;
	return 0;
}

int tool_host_finish(int status)
{
	unsigned int fds, objs;

	if (!sim)
		return status;
	fds = iofd_sim_open_fds(sim);
	objs = iofd_sim_objects(sim);
	if (left_in_iommufd) {
		err_msg("/dev/iommu was closed with %u objects in it: devices, HWPTs or the "
			"IOAS were not detached and freed", left_in_iommufd);
		status = EXIT_LEFT_BEHIND;
	}
	if (fds || objs) {
		err_msg("the simulated kernel still holds %u fds and %u iommufd objects", fds,
			objs);
		status = EXIT_LEFT_BEHIND;
	}
	iofd_sim_free(sim);
	sim = NULL;
	return status;
}
