// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated host: describing IOMMUs and PCI devices (the options rules
 * and errnos), the sysfs and /dev tree the simulator writes for them, what
 * libiommufd's discovery (iofd_host_scan) sees through iofd_sim_ctx_opts(),
 * and the device rules a uAPI test cannot reach on the lab's one-IOMMU
 * guest: groups of several devices, DMA ownership, interrupt isolation.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "device.h"
#include "simtest.h"
#include "uapi/vfio.h"

#define PS page_size()

static int add_iommu(struct iofd_sim *sim, enum iofd_iommu_type type, uint64_t ecap)
{
	IOFD_OPTS(iofd_sim_iommu_opts, o, .type = type, .vtd_cap = ecap ? 0xd2008c22260206ull : 0,
		  .vtd_ecap = ecap);

	return iofd_sim_add_iommu(sim, &o);
}

static int add_pci(struct iofd_sim *sim, const char *bdf, int iommu, const char *driver,
		   uint32_t flags, int group)
{
	IOFD_OPTS(iofd_sim_pci_opts, o, .bdf = bdf, .iommu = iommu, .driver = driver,
		  .flags = flags, .group = group);

	return iofd_sim_add_pci(sim, &o);
}

/* The text of ROOT/@rel, without its newline. */
static const char *text(struct iofd_sim *sim, const char *rel)
{
	static char buf[512];
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", iofd_sim_sysfs_root(sim), rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

static const char *link_target(struct iofd_sim *sim, const char *rel)
{
	static char buf[PATH_MAX];
	char path[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", iofd_sim_sysfs_root(sim), rel);
	n = readlink(path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void options_follow_the_size_rules(void **state)
{
	struct iofd_sim *sim = sim_make(0, 0);
	struct {
		struct iofd_sim_iommu_opts o;
		uint64_t tail;
	} big = { .o = { .sz = sizeof(big), .type = IOFD_IOMMU_AMD } };
	struct iofd_sim_iommu_opts small = { .sz = 8, .type = IOFD_IOMMU_AMD };
	struct iofd_sim_iova_range bad = { .start = 2, .last = 1 };
	IOFD_OPTS(iofd_sim_iommu_opts, o, .type = IOFD_IOMMU_INTEL_VTD);

	assert_int_equal(iofd_sim_add_iommu(NULL, &o), -EINVAL);
	assert_int_equal(iofd_sim_add_iommu(sim, NULL), -EINVAL);
	assert_int_equal(iofd_sim_add_iommu(sim, &small), -EINVAL);
	big.tail = 1;
	assert_int_equal(iofd_sim_add_iommu(sim, &big.o), -E2BIG);
	big.tail = 0;
	assert_int_equal(iofd_sim_add_iommu(sim, &big.o), 0);	/* ivhd0 */
	/* Types, flags, names, registers, widths, page sizes, ranges. */
	o.type = IOFD_IOMMU_UNKNOWN;
	assert_int_equal(iofd_sim_add_iommu(sim, &o), -EINVAL);
	o.type = IOFD_IOMMU_INTEL_VTD;
	o.flags = 1u << 31;
	assert_int_equal(iofd_sim_add_iommu(sim, &o), -EINVAL);
	o.flags = 0;
	o.name = "a/b";
	assert_int_equal(iofd_sim_add_iommu(sim, &o), -EINVAL);
	o.name = "ivhd0";
	assert_int_equal(iofd_sim_add_iommu(sim, &o), -EINVAL);
	o.name = NULL;
	o.vtd_cap = 1;	/* no SAGAW */
	assert_int_equal(iofd_sim_add_iommu(sim, &o), -EINVAL);
	o.vtd_cap = 0;
	o.addr_width = 20;
	assert_int_equal(iofd_sim_add_iommu(sim, &o), -EINVAL);
	o.addr_width = 0;
	o.pgsize_bitmap = 1ull << 30;
	assert_int_equal(iofd_sim_add_iommu(sim, &o), -EINVAL);
	o.pgsize_bitmap = 0;
	o.flags = IOFD_SIM_IOMMU_RESERVED;
	o.reserved = &bad;
	o.nr_reserved = 1;
	assert_int_equal(iofd_sim_add_iommu(sim, &o), -EINVAL);
	o.flags = 0;
	assert_int_equal(iofd_sim_add_iommu(sim, &o), 1);	/* dmar0, the next number */

	/* PCI devices */
	assert_int_equal(add_pci(sim, "0000:00:01.0", 1, "vfio-pci", 0, 0), 0);
	assert_int_equal(add_pci(sim, "0000:00:01.0", 1, NULL, 0, 0), -EEXIST);
	assert_int_equal(add_pci(sim, "00:01.0", 1, NULL, 0, 0), -EINVAL);
	assert_int_equal(add_pci(sim, "0000:00:01.8", 1, NULL, 0, 0), -EINVAL);
	assert_int_equal(add_pci(sim, "0000:00:02.0", 2, NULL, 0, 0), -ENOENT);
	assert_int_equal(add_pci(sim, "0000:00:02.0", 1, "a/b", 0, 0), -EINVAL);
	assert_int_equal(add_pci(sim, "0000:00:02.0", 1, NULL, 1u << 31, 0), -EINVAL);
	assert_int_equal(add_pci(sim, "0000:00:02.0", 1, NULL, IOFD_SIM_PCI_GROUP, -1), -EINVAL);
	/* A group is behind one IOMMU. */
	assert_int_equal(add_pci(sim, "0000:00:02.0", 0, NULL, IOFD_SIM_PCI_GROUP, 0), -EINVAL);
	assert_int_equal(add_pci(sim, "0000:00:02.0", 1, NULL, IOFD_SIM_PCI_GROUP, 0), 0);
	iofd_sim_free(sim);
}

static void the_tree_shows_iommus_devices_groups_and_cdevs(void **state)
{
	struct iofd_sim *sim = sim_make(IOFD_SIM_IOMMUFD_TEST, 0);
	struct iofd_sim_iova_range resv = { 0x1000, 0x1fff };
	IOFD_OPTS(iofd_sim_iommu_opts, amd, .type = IOFD_IOMMU_AMD, .amd_efr = 1ull << 52);
	IOFD_OPTS(iofd_sim_iommu_opts, smmu, .type = IOFD_IOMMU_ARM_SMMUV3,
		  .flags = IOFD_SIM_IOMMU_RESERVED, .reserved = &resv, .nr_reserved = 1);
	char root[PATH_MAX];
	struct stat st;
	int vtd, a, s;

	/* Added before the tree exists: it shows them all once made. */
	vtd = add_iommu(sim, IOFD_IOMMU_INTEL_VTD, 0xf00f4a);
	assert_int_equal(add_pci(sim, "0000:00:03.0", vtd, "vfio-pci", 0, 0), 0);
	snprintf(root, sizeof(root), "%s", iofd_sim_sysfs_root(sim));
	assert_int_equal(strcmp(root + strlen(root) - 4, "/sys"), 0);
	a = iofd_sim_add_iommu(sim, &amd);
	s = iofd_sim_add_iommu(sim, &smmu);
	assert_true(vtd == 0 && a == 1 && s == 2);
	assert_int_equal(add_pci(sim, "0000:00:04.0", vtd, "nvme", IOFD_SIM_PCI_GROUP, 7), 0);
	assert_int_equal(add_pci(sim, "0000:00:05.0", vtd, "vfio-pci", IOFD_SIM_PCI_NO_CDEV, 0), 0);
	assert_int_equal(add_pci(sim, "0000:40:00.0", a, "vfio-pci", 0, 0), 0);
	assert_int_equal(add_pci(sim, "0000:80:00.0", s, "vfio-pci", 0, 0), 0);
	assert_int_equal(add_pci(sim, "0000:00:06.0", -1, "vfio-pci", 0, 0), 0);

	assert_string_equal(text(sim, "class/iommu/dmar0/intel-iommu/cap"), "d2008c22260206");
	assert_string_equal(text(sim, "class/iommu/dmar0/intel-iommu/ecap"), "f00f4a");
	assert_string_equal(text(sim, "class/iommu/ivhd0/amd-iommu/features"), "10000000000000:0");
	assert_non_null(text(sim, "class/iommu/smmu3.0x0000000009050000/uevent"));
	assert_non_null(text(sim, "class/iommu/iommufd_selftest_iommu.0/uevent"));
	/* Another mock IOMMU is numbered after the kernel's own. */
	{
		IOFD_OPTS(iofd_sim_iommu_opts, mock, .type = IOFD_IOMMU_SELFTEST);

		assert_int_equal(iofd_sim_add_iommu(sim, &mock), 3);
		assert_non_null(text(sim, "class/iommu/iommufd_selftest_iommu.1/uevent"));
	}
	/* Devices: ids, driver, IOMMU, group (the lowest free number), cdev. */
	assert_string_equal(text(sim, "bus/pci/devices/0000:00:03.0/vendor"), "0x1b36");
	assert_string_equal(text(sim, "bus/pci/devices/0000:00:03.0/class"), "0x010802");
	assert_string_equal(link_target(sim, "bus/pci/devices/0000:00:03.0/driver"),
			    "../../../bus/pci/drivers/vfio-pci");
	assert_string_equal(link_target(sim, "bus/pci/devices/0000:00:03.0/iommu"),
			    "../../virtual/iommu/dmar0");
	assert_string_equal(link_target(sim, "bus/pci/devices/0000:00:03.0/iommu_group"),
			    "../../../kernel/iommu_groups/0");
	assert_string_equal(link_target(sim, "bus/pci/devices/0000:00:04.0/iommu_group"),
			    "../../../kernel/iommu_groups/7");
	assert_string_equal(link_target(sim, "bus/pci/devices/0000:00:05.0/iommu_group"),
			    "../../../kernel/iommu_groups/1");
	assert_string_equal(text(sim, "kernel/iommu_groups/0/reserved_regions"),
			    "0x00000000fee00000 0x00000000feefffff msi");
	assert_string_equal(text(sim, "kernel/iommu_groups/2/reserved_regions"),
			    "0x00000000fee00000 0x00000000feefffff msi\n"
			    "0x000000fd00000000 0x000000ffffffffff reserved");
	assert_string_equal(text(sim, "kernel/iommu_groups/3/reserved_regions"),
			    "0x0000000000001000 0x0000000000001fff reserved");
	assert_string_equal(text(sim, "bus/pci/devices/0000:00:03.0/vfio-dev/vfio0/dev"), "511:0");
	assert_null(text(sim, "bus/pci/devices/0000:00:05.0/vfio-dev/vfio1/dev"));
	assert_string_equal(text(sim, "bus/pci/devices/0000:40:00.0/vfio-dev/vfio1/dev"), "511:1");
	assert_string_equal(text(sim, "bus/pci/devices/0000:80:00.0/vfio-dev/vfio2/dev"), "511:2");
	/* No IOMMU: no group, no cdev. */
	assert_null(text(sim, "bus/pci/devices/0000:00:06.0/iommu_group/type"));
	assert_null(text(sim, "bus/pci/devices/0000:00:06.0/vfio-dev/vfio3/dev"));
	/* /dev: iommu, the cdevs, VFIO's container and the groups of VFIO devices. */
	snprintf(root, sizeof(root), "%s/iommu", iofd_sim_dev_root(sim));
	assert_int_equal(stat(root, &st), 0);
	snprintf(root, sizeof(root), "%s/vfio/devices/vfio2", iofd_sim_dev_root(sim));
	assert_int_equal(stat(root, &st), 0);
	snprintf(root, sizeof(root), "%s/vfio/vfio", iofd_sim_dev_root(sim));
	assert_int_equal(stat(root, &st), 0);
	{
		char link[PATH_MAX], rel[64];
		ssize_t n;

		snprintf(root, sizeof(root), "%s/bus/pci/devices/0000:80:00.0/iommu_group",
			 iofd_sim_sysfs_root(sim));
		n = readlink(root, link, sizeof(link) - 1);
		assert_true(n > 0);
		link[n] = '\0';
		snprintf(root, sizeof(root), "%s/vfio/%s", iofd_sim_dev_root(sim),
			 strrchr(link, '/') + 1);
		assert_int_equal(stat(root, &st), 0);
		snprintf(rel, sizeof(rel), "class/vfio/%s/dev", strrchr(link, '/') + 1);
		assert_non_null(text(sim, rel));
	}
	/* Gone with the simulator. */
	snprintf(root, sizeof(root), "%s", iofd_sim_sysfs_root(sim));
	iofd_sim_free(sim);
	assert_int_equal(stat(root, &st), -1);
}

static void discovery_sees_the_simulated_host(void **state)
{
	struct iofd_sim *sim = sim_make(0, 0);
	const struct iofd_hostdev *dev;
	const struct iofd_iommu *iommu;
	struct iofd_host *host;
	struct iofd_ctx *ctx;
	uint64_t cap, ecap;
	char want[PATH_MAX];
	IOFD_OPTS(iofd_ctx_opts, copts);
	int vtd = add_iommu(sim, IOFD_IOMMU_INTEL_VTD, 0xf00fca);

	assert_int_equal(add_pci(sim, "0000:00:01.0", vtd, "vfio-pci", 0, 0), 0);
	assert_int_equal(add_pci(sim, "0000:00:1f.0", vtd, NULL, IOFD_SIM_PCI_GROUP, 6), 0);
	assert_int_equal(add_pci(sim, "0000:00:1f.2", vtd, "ahci", IOFD_SIM_PCI_GROUP, 6), 0);
	assert_int_equal(iofd_sim_ctx_opts(sim, &copts), 0);
	assert_string_equal(copts.sysfs_root, iofd_sim_sysfs_root(sim));
	assert_string_equal(copts.dev_root, iofd_sim_dev_root(sim));
	assert_int_equal(iofd_ctx_new(&ctx, &copts), 0);
	assert_int_equal(iofd_host_scan(&host, ctx), 0);
	assert_int_equal(iofd_host_iommu_count(host), 1);
	iommu = iofd_host_iommu(host, 0);
	assert_string_equal(iofd_iommu_name(iommu), "dmar0");
	assert_int_equal(iofd_iommu_type(iommu), IOFD_IOMMU_INTEL_VTD);
	assert_int_equal(iofd_iommu_enforces_coherency(iommu), 1);
	assert_int_equal(iofd_iommu_dirty_tracking(iommu), 0);
	assert_int_equal(iofd_iommu_addr_width(iommu), 39);
	assert_int_equal(iofd_iommu_vtd_regs(iommu, &cap, &ecap), 0);
	assert_int_equal(ecap, 0xf00fca);
	assert_int_equal(iofd_host_find_dev(host, "0000:00:01.0", &dev), 0);
	assert_string_equal(iofd_hostdev_driver(dev), "vfio-pci");
	assert_ptr_equal(iofd_hostdev_iommu(dev), iommu);
	assert_int_equal(iofd_group_viable(iofd_hostdev_group(dev)), 1);
	snprintf(want, sizeof(want), "%s/vfio/devices/vfio0", iofd_sim_dev_root(sim));
	assert_string_equal(iofd_hostdev_cdev(dev), want);
	assert_int_equal(iofd_host_find_dev(host, "0000:00:1f.0", &dev), 0);
	assert_int_equal(iofd_group_viable(iofd_hostdev_group(dev)), 0);
	assert_int_equal(iofd_group_dev_count(iofd_hostdev_group(dev)), 2);
	/* The backends the simulated kernel offers: iommufd with cdevs, and VFIO's
	 * own type1 container (/dev/vfio/vfio answers TYPE1v2). */
	assert_int_equal(iofd_host_backend_available(host, IOFD_BACKEND_IOMMUFD), 1);
	assert_int_equal(iofd_host_backend_available(host, IOFD_BACKEND_TYPE1), 1);
	assert_int_equal(iofd_host_container_kind(host), IOFD_CONTAINER_VFIO);
	/* The VFIO group node of the group with a vfio-pci device, only. */
	assert_int_equal(iofd_host_find_dev(host, "0000:00:01.0", &dev), 0);
	snprintf(want, sizeof(want), "%s/vfio/%d", iofd_sim_dev_root(sim),
		 iofd_group_id(iofd_hostdev_group(dev)));
	assert_string_equal(iofd_group_path(iofd_hostdev_group(dev)), want);
	assert_int_equal(iofd_host_find_dev(host, "0000:00:1f.0", &dev), 0);
	assert_null(iofd_group_path(iofd_hostdev_group(dev)));
	assert_int_equal(iofd_host_auto_backend(host), IOFD_BACKEND_IOMMUFD);
	iofd_host_free(host);
	iofd_ctx_free(ctx);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
}

static void nodes_open_by_either_path(void **state)
{
	const struct iofd_kernel_ops *ops = iofd_sim_kernel_ops();
	struct iofd_sim *sim = sim_make(0, 0);
	char path[PATH_MAX];
	struct stat st;
	int vtd = add_iommu(sim, IOFD_IOMMU_INTEL_VTD, 0xf00fca), fd;

	assert_int_equal(add_pci(sim, "0000:00:01.0", vtd, "vfio-pci", 0, 0), 0);
	fd = ops->open(sim, "/dev/vfio/devices/vfio0", O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(ops->fstat(sim, fd, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(major(st.st_rdev), 511);
	assert_int_equal(minor(st.st_rdev), 0);
	assert_int_equal(sim_close(sim, fd), 0);
	snprintf(path, sizeof(path), "%s/vfio/devices/vfio0", iofd_sim_dev_root(sim));
	fd = ops->open(sim, path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(sim_close(sim, fd), 0);
	snprintf(path, sizeof(path), "%s/iommu", iofd_sim_dev_root(sim));
	fd = ops->open(sim, path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(sim_close(sim, fd), 0);
	assert_int_equal(ops->open(sim, "/dev/vfio/devices/vfio1", O_RDWR), -ENOENT);
	assert_int_equal(ops->open(sim, "/dev/vfio/devices/vfio00", O_RDWR), -ENOENT);
	assert_int_equal(ops->open(sim, "/dev/vfio/devices/vfio", O_RDWR), -ENOENT);
	assert_int_equal(ops->open(sim, "/dev/vfio/00", O_RDWR), -ENOENT);
	assert_int_equal(ops->open(sim, "/dev/vfio/9", O_RDWR), -ENOENT);
	assert_int_equal(ops->open(sim, "/sys/iommu", O_RDWR), -ENOENT);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
}

/* Open cdev vfio@n and bind it to @ifd, which must give @want: the device fd. */
static int bind_cdev(struct iofd_sim *sim, unsigned int n, int ifd, int want, uint32_t *devid)
{
	struct iofd_u_vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = ifd };
	char path[64];
	int dev;

	snprintf(path, sizeof(path), "/dev/vfio/devices/vfio%u", n);
	dev = iofd_sim_kernel_ops()->open(sim, path, O_RDWR);
	assert_true(dev >= 0);
	assert_int_equal(sim_ioctl(sim, dev, IOFD_U_VFIO_DEVICE_BIND_IOMMUFD, &b), want);
	if (devid)
		*devid = b.out_devid;
	return dev;
}

static int attach(struct iofd_sim *sim, int dev, uint32_t *pt)
{
	struct iofd_u_vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a), .pt_id = *pt };
	int r = sim_ioctl(sim, dev, IOFD_U_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);

	*pt = a.pt_id;
	return r;
}

static void a_group_is_owned_by_one_iommufd_and_attached_as_one(void **state)
{
	struct iofd_sim *sim = sim_make(0, 0);
	int vtd = add_iommu(sim, IOFD_IOMMU_INTEL_VTD, 0xf00fca), ifd1, ifd2, a, b, c;
	uint32_t ioas = 0, p1, p2, devid = 0;
	uint64_t iova = 0x100000;
	char *buf = mem(PS), got;
	struct iofd_u_iommu_hwpt_alloc h = { .size = sizeof(h) };

	/* vfio0 and vfio1 share group 5; vfio2 shares group 6 with an ahci function. */
	assert_int_equal(add_pci(sim, "0000:00:01.0", vtd, "vfio-pci", IOFD_SIM_PCI_GROUP, 5), 0);
	assert_int_equal(add_pci(sim, "0000:00:01.1", vtd, "vfio-pci", IOFD_SIM_PCI_GROUP, 5), 0);
	assert_int_equal(add_pci(sim, "0000:00:02.0", vtd, "vfio-pci", IOFD_SIM_PCI_GROUP, 6), 0);
	assert_int_equal(add_pci(sim, "0000:00:02.1", vtd, "ahci", IOFD_SIM_PCI_GROUP, 6), 0);
	ifd1 = sim_open_iommu(sim);
	ifd2 = sim_open_iommu(sim);
	/* A kernel driver uses the group's DMA: no bind. */
	c = bind_cdev(sim, 2, ifd1, -EPERM, NULL);
	/* One owner per group. */
	a = bind_cdev(sim, 0, ifd1, 0, &devid);
	b = bind_cdev(sim, 1, ifd2, -EPERM, NULL);
	sim_close(sim, b);
	b = bind_cdev(sim, 1, ifd1, 0, NULL);
	/* The group attaches as one: the second device follows, or is refused. */
	assert_int_equal(ioas_alloc(sim, ifd1, &ioas), 0);
	p1 = ioas;
	assert_int_equal(attach(sim, a, &p1), 0);
	h.dev_id = devid;
	h.pt_id = ioas;
	assert_int_equal(sim_ioctl(sim, ifd1, IOFD_U_IOMMU_HWPT_ALLOC, &h), 0);
	p2 = h.out_hwpt_id;
	assert_int_equal(attach(sim, b, &p2), -EINVAL);
	p2 = ioas;
	assert_int_equal(attach(sim, b, &p2), 0);
	assert_int_equal(p2, p1);
	/* The group's DMA goes through it, whichever member does it. */
	buf[0] = 'g';
	assert_int_equal(ioas_map(sim, ifd1, ioas, FIXED | RW, buf, PS, &iova), 0);
	assert_int_equal(iofd_sim_dma_read(sim, "0000:00:01.1", 0x100000, &got, 1), 0);
	assert_int_equal(got, 'g');
	munmap(buf, PS);
	sim_close(sim, a);
	sim_close(sim, b);
	sim_close(sim, c);
	/* Ownership went with the last device: the other iommufd may bind now. */
	b = bind_cdev(sim, 1, ifd2, 0, NULL);
	sim_close(sim, b);
	sim_close(sim, ifd1);
	sim_close(sim, ifd2);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
}

static void no_interrupt_remapping_means_no_bind(void **state)
{
	struct iofd_sim *sim = sim_make(0, 0);
	IOFD_OPTS(iofd_sim_iommu_opts, o, .type = IOFD_IOMMU_INTEL_VTD,
		  .flags = IOFD_SIM_IOMMU_NO_IRQ_REMAP);
	int u = iofd_sim_add_iommu(sim, &o), ifd, dev;

	assert_int_equal(add_pci(sim, "0000:00:01.0", u, "vfio-pci", 0, 0), 0);
	ifd = sim_open_iommu(sim);
	dev = bind_cdev(sim, 0, ifd, -EPERM, NULL);
	sim_close(sim, dev);
	sim_close(sim, ifd);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
}

static void mock_devices_do_dma_by_name(void **state)
{
	struct iofd_sim *sim = sim_make(IOFD_SIM_IOMMUFD_TEST, 0);
	struct iofd_u_iommu_test_cmd c = { .size = sizeof(c), .op = IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN };
	char *buf = mem(PS), got[4];
	int fd = sim_open_iommu(sim);
	uint64_t iova = 0x1000000;
	uint32_t ioas = 0;

	assert_int_equal(ioas_alloc(sim, fd, &ioas), 0);
	c.id = ioas;
	assert_int_equal(sim_ioctl(sim, fd, IOFD_U_IOMMU_TEST_CMD, &c), 0);
	assert_int_equal(ioas_map(sim, fd, ioas, FIXED | RW, buf, PS, &iova), 0);
	assert_int_equal(iofd_sim_dma_write(sim, "iommufd_mock0", 0x1000000, "mock", 4), 0);
	assert_memory_equal(buf, "mock", 4);
	assert_int_equal(iofd_sim_dma_read(sim, "iommufd_mock0", 0x1000000, got, 4), 0);
	assert_int_equal(iofd_sim_dma_read(sim, "iommufd_mock1", 0x1000000, got, 4), -ENODEV);
	assert_int_equal(iofd_sim_check_domains(sim), 1);
	assert_int_equal(obj_destroy(sim, fd, c.mock_domain.out_stdev_id), 0);
	assert_int_equal(iofd_sim_dma_read(sim, "iommufd_mock0", 0x1000000, got, 4), -ENODEV);
	sim_close(sim, fd);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
	munmap(buf, PS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_follow_the_size_rules),
		cmocka_unit_test(the_tree_shows_iommus_devices_groups_and_cdevs),
		cmocka_unit_test(discovery_sees_the_simulated_host),
		cmocka_unit_test(nodes_open_by_either_path),
		cmocka_unit_test(a_group_is_owned_by_one_iommufd_and_attached_as_one),
		cmocka_unit_test(no_interrupt_remapping_means_no_bind),
		cmocka_unit_test(mock_devices_do_dma_by_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
