// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iofd_sim_opts.kernel_version: an older kernel answers as that kernel
 * would. Which versions are accepted; each iommufd ioctl from the release
 * that brought it (ENOTTY before, both past the end of iommufd's table and
 * in a hole of it); GET_HW_INFO's and HWPT_ALLOC's structs as they were;
 * no cdevs before 6.6, no iommufd before 6.2 (and what libiommufd's
 * discovery makes of it); type1's UNMAP_ALL, UPDATE_VADDR, dirty pages and
 * GET_INFO capabilities by release.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include "device.h"
#include "kversion.h"
#include "simtest.h"
#include "uapi/vfio.h"

#define PS page_size()
#define KV(a, b) IOFD_SIM_KERNEL_VERSION(a, b, 0)
#define DMA_RW (IOFD_U_VFIO_DMA_MAP_FLAG_READ | IOFD_U_VFIO_DMA_MAP_FLAG_WRITE)
/* QEMU's VT-d with snoop control, plus scalable mode and second-stage A/D: dirty tracking */
#define VTD_CAP 0xd2008c22260206ull
#define VTD_ECAP_DIRTY (0xf00fcaull | (1ull << 43) | (1ull << 45) | (1ull << 48))

static int new_sim(uint32_t version, uint32_t flags, struct iofd_sim **sim)
{
	IOFD_OPTS(iofd_sim_opts, o, .flags = flags, .kernel_version = version);

	*sim = NULL;
	return iofd_sim_new(sim, &o);
}

static struct iofd_sim *kernel(uint32_t version, uint32_t flags)
{
	struct iofd_sim *sim;

	assert_int_equal(new_sim(version, flags, &sim), 0);
	return sim;
}

/* A VT-d host (dirty-capable) with vfio-pci devices 0000:00:0N.0, N = 1..ndevs, groups N. */
static struct iofd_sim *host(uint32_t version, uint32_t flags, int ndevs)
{
	struct iofd_sim *sim = kernel(version, flags);
	IOFD_OPTS(iofd_sim_iommu_opts, vtd, .type = IOFD_IOMMU_INTEL_VTD, .vtd_cap = VTD_CAP,
		  .vtd_ecap = VTD_ECAP_DIRTY);
	int iommu = iofd_sim_add_iommu(sim, &vtd);

	assert_true(iommu >= 0);
	for (int i = 1; i <= ndevs; i++) {
		char bdf[16];
		IOFD_OPTS(iofd_sim_pci_opts, p, .bdf = bdf, .iommu = iommu, .driver = "vfio-pci",
			  .flags = IOFD_SIM_PCI_GROUP, .group = i);

		snprintf(bdf, sizeof(bdf), "0000:00:%02x.0", i);
		assert_int_equal(iofd_sim_add_pci(sim, &p), 0);
	}
	return sim;
}

static int open_node(struct iofd_sim *sim, const char *path)
{
	return iofd_sim_kernel_ops()->open(sim, path, O_RDWR);
}

static bool in_tree(struct iofd_sim *sim, bool dev, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dev ? iofd_sim_dev_root(sim) : iofd_sim_sysfs_root(sim),
		 rel);
	return access(path, F_OK) == 0;
}

static void done(struct iofd_sim *sim)
{
	assert_sim_empty(sim);
	iofd_sim_free(sim);
}

/* ------------------------------------------------------------------------ */

static void only_versions_the_table_knows_are_taken(void **state)
{
	struct iofd_sim *sim;
	struct {
		size_t sz;
		uint32_t flags;
		uint64_t memlock_pages;
	} v1 = { .sz = sizeof(v1) };

	assert_int_equal(new_sim(KV(5, 3), 0, &sim), -EINVAL);
	assert_null(sim);
	assert_int_equal(new_sim(KV(4, 19), 0, &sim), -EINVAL);
	assert_int_equal(new_sim(KV(6, 13), 0, &sim), -EINVAL);
	assert_int_equal(new_sim(KV(7, 0), 0, &sim), -EINVAL);
	assert_int_equal(new_sim(1, 0, &sim), -EINVAL);
	/* iommufd as /dev/vfio/vfio came with iommufd. */
	assert_int_equal(new_sim(KV(6, 1), IOFD_SIM_VFIO_CONTAINER_IOMMUFD, &sim), -EINVAL);
	assert_int_equal(new_sim(KV(6, 2), IOFD_SIM_VFIO_CONTAINER_IOMMUFD, &sim), 0);
	done(sim);
	/* The patch level does not matter; 0 and the first release's struct are 6.12. */
	assert_int_equal(new_sim(IOFD_SIM_KERNEL_VERSION(5, 4, 284), 0, &sim), 0);
	assert_int_equal(sim->kversion, KV(5, 4));
	done(sim);
	assert_int_equal(new_sim(IOFD_SIM_KERNEL_VERSION(6, 12, 117), 0, &sim), 0);
	assert_int_equal(sim->kversion, KV(6, 12));
	done(sim);
	assert_int_equal(new_sim(0, 0, &sim), 0);
	assert_int_equal(sim->kversion, KV(6, 12));
	done(sim);
	assert_int_equal(iofd_sim_new(&sim, (const struct iofd_sim_opts *)&v1), 0);
	assert_int_equal(sim->kversion, KV(6, 12));
	done(sim);
	assert_int_equal(iofd_sim_new(&sim, NULL), 0);
	assert_int_equal(sim->kversion, KV(6, 12));
	done(sim);
}

/* ENOTTY when the kernel lacks @req; its size rule (size 0: EINVAL) when it has it. */
static bool has_ioctl(struct iofd_sim *sim, int fd, unsigned long req)
{
	uint64_t buf[16] = { 0 };
	int r = sim_ioctl(sim, fd, req, buf);

	assert_true(r == -ENOTTY || r == -EINVAL);
	return r == -EINVAL;
}

static void iommufd_ioctls_come_with_their_release(void **state)
{
	static const struct {
		unsigned long req;
		uint32_t since;
	} ioctls[] = {
		{ IOFD_U_IOMMU_DESTROY, KV(6, 2) },
		{ IOFD_U_IOMMU_IOAS_ALLOC, KV(6, 2) },
		{ IOFD_U_IOMMU_VFIO_IOAS, KV(6, 2) },
		{ IOFD_U_IOMMU_HWPT_ALLOC, KV(6, 6) },
		{ IOFD_U_IOMMU_GET_HW_INFO, KV(6, 6) },
		{ IOFD_U_IOMMU_HWPT_SET_DIRTY_TRACKING, KV(6, 7) },
		{ IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP, KV(6, 7) },
		{ IOFD_U_IOMMU_HWPT_INVALIDATE, KV(6, 8) },
		{ IOFD_U_IOMMU_FAULT_QUEUE_ALLOC, KV(6, 11) },
		{ IOFD_U_IOMMU_TEST_CMD, KV(6, 2) },
	};
	static const uint32_t versions[] = {
		KV(6, 2), KV(6, 5), KV(6, 6), KV(6, 7), KV(6, 8), KV(6, 10), KV(6, 11), KV(6, 12),
	};

	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
		struct iofd_sim *sim = kernel(versions[v], IOFD_SIM_IOMMUFD_TEST);
		int fd = sim_open_iommu(sim);

		for (size_t i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
			assert_int_equal(has_ioctl(sim, fd, ioctls[i].req),
					 versions[v] >= ioctls[i].since);
		assert_int_equal(sim_close(sim, fd), 0);
		done(sim);
	}
}

static void a_missing_ioctl_reads_its_size_only_inside_the_table(void **state)
{
	struct iofd_sim *sim;
	int fd;

	/*
	 * 6.6 without CONFIG_IOMMUFD_TEST: the table ends at GET_HW_INFO, so
	 * SET_DIRTY_TRACKING goes to the type1 ioctls: ENOTTY, the argument
	 * unread. With it, the table runs to IOMMU_TEST_CMD: a hole, whose
	 * size is read first (EFAULT for a bad pointer).
	 */
	sim = kernel(KV(6, 6), 0);
	fd = sim_open_iommu(sim);
	assert_int_equal(sim_ioctl(sim, fd, IOFD_U_IOMMU_HWPT_SET_DIRTY_TRACKING, NULL), -ENOTTY);
	assert_int_equal(sim_ioctl(sim, fd, IOFD_U_IOMMU_GET_HW_INFO, NULL), -EFAULT);
	assert_int_equal(sim_close(sim, fd), 0);
	done(sim);
	sim = kernel(KV(6, 6), IOFD_SIM_IOMMUFD_TEST);
	fd = sim_open_iommu(sim);
	assert_int_equal(sim_ioctl(sim, fd, IOFD_U_IOMMU_HWPT_SET_DIRTY_TRACKING, NULL), -EFAULT);
	assert_int_equal(sim_close(sim, fd), 0);
	done(sim);
}

/* A device cdev bound to a new iommufd; *ifd and *dev_id. */
static int bind_cdev(struct iofd_sim *sim, int *ifd, uint32_t *dev_id)
{
	int d = open_node(sim, "/dev/vfio/devices/vfio0");
	struct iofd_u_vfio_device_bind_iommufd b = { .argsz = sizeof(b) };

	assert_true(d >= 0);
	*ifd = sim_open_iommu(sim);
	b.iommufd = *ifd;
	assert_int_equal(sim_ioctl(sim, d, IOFD_U_VFIO_DEVICE_BIND_IOMMUFD, &b), 0);
	*dev_id = b.out_devid;
	return d;
}

static int hw_info(struct iofd_sim *sim, int fd, uint32_t size, uint32_t dev_id, uint64_t caps,
		   uint64_t *out_caps)
{
	struct {
		struct iofd_u_iommu_hw_info h;
		uint64_t more;
	} i = { .h = { .size = size, .dev_id = dev_id, .out_capabilities = caps } };
	int r = sim_ioctl(sim, fd, IOFD_U_IOMMU_GET_HW_INFO, &i);

	*out_caps = i.h.out_capabilities;
	return r;
}

static void hw_info_is_as_old_as_its_kernel(void **state)
{
	struct iofd_sim *sim;
	uint32_t dev_id;
	uint64_t caps;
	int ifd, d;

	/* 6.12: the device's dirty tracking in out_capabilities. */
	sim = host(0, 0, 1);
	d = bind_cdev(sim, &ifd, &dev_id);
	assert_int_equal(hw_info(sim, ifd, 40, dev_id, 0, &caps), 0);
	assert_int_equal(caps, IOFD_U_IOMMU_HW_CAP_DIRTY_TRACKING);
	assert_int_equal(hw_info(sim, ifd, 32, dev_id, 0, &caps), 0);
	assert_int_equal(hw_info(sim, ifd, 28, dev_id, 0, &caps), -EINVAL);
	assert_int_equal(sim_close(sim, d), 0);
	assert_int_equal(sim_close(sim, ifd), 0);
	done(sim);

	/*
	 * 6.6: the struct ends at a u32 __reserved (32 bytes). A caller's
	 * 40-byte struct is taken when out_capabilities is 0 (the size rule:
	 * a zero tail), and only 32 bytes come back: out_capabilities stays
	 * the 0 it gave. Non-zero, it is E2BIG.
	 */
	sim = host(KV(6, 6), 0, 1);
	d = bind_cdev(sim, &ifd, &dev_id);
	assert_int_equal(hw_info(sim, ifd, 40, dev_id, 0, &caps), 0);
	assert_int_equal(caps, 0);
	assert_int_equal(hw_info(sim, ifd, 48, dev_id, 0, &caps), 0);
	assert_int_equal(hw_info(sim, ifd, 40, dev_id, IOFD_U_IOMMU_HW_CAP_DIRTY_TRACKING, &caps),
			 -E2BIG);
	assert_int_equal(hw_info(sim, ifd, 32, dev_id, 0, &caps), 0);
	assert_int_equal(hw_info(sim, ifd, 28, dev_id, 0, &caps), -EINVAL);
	assert_int_equal(sim_close(sim, d), 0);
	assert_int_equal(sim_close(sim, ifd), 0);
	done(sim);
}

static int hwpt_alloc(struct iofd_sim *sim, int fd, uint32_t size, uint32_t flags, uint32_t dev,
		      uint32_t pt, uint32_t data_type, uint32_t fault_id, uint32_t *hwpt)
{
	struct iofd_u_iommu_hwpt_alloc a = {
		.size = size, .flags = flags, .dev_id = dev, .pt_id = pt, .data_type = data_type,
		.fault_id = fault_id,
	};
	int r = sim_ioctl(sim, fd, IOFD_U_IOMMU_HWPT_ALLOC, &a);

	if (r == 0)
		*hwpt = a.out_hwpt_id;
	return r;
}

static void hwpt_alloc_is_as_old_as_its_kernel(void **state)
{
	const uint32_t full = sizeof(struct iofd_u_iommu_hwpt_alloc);
	const uint32_t dirty = IOFD_U_IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	struct iofd_sim *sim;
	uint32_t dev_id, ioas = 0, hwpt = 0;
	int ifd, d;

	/* 6.6: no flags, no driver data (24 bytes). */
	sim = host(KV(6, 6), 0, 1);
	d = bind_cdev(sim, &ifd, &dev_id);
	assert_int_equal(ioas_alloc(sim, ifd, &ioas), 0);
	assert_int_equal(hwpt_alloc(sim, ifd, full, dirty, dev_id, ioas, 0, 0, &hwpt), -EOPNOTSUPP);
	assert_int_equal(hwpt_alloc(sim, ifd, full, IOFD_U_IOMMU_HWPT_ALLOC_NEST_PARENT, dev_id,
				    ioas, 0, 0, &hwpt),
			 -EOPNOTSUPP);
	assert_int_equal(hwpt_alloc(sim, ifd, full, 0, dev_id, ioas, 1, 0, &hwpt), -E2BIG);
	assert_int_equal(hwpt_alloc(sim, ifd, 24, 0, dev_id, ioas, 0, 0, &hwpt), 0);
	assert_int_equal(obj_destroy(sim, ifd, hwpt), 0);
	assert_int_equal(sim_close(sim, d), 0);
	assert_int_equal(sim_close(sim, ifd), 0);
	done(sim);

	/* 6.7 to 6.10: flags and data, no fault_id (40 bytes). */
	sim = host(KV(6, 10), 0, 1);
	d = bind_cdev(sim, &ifd, &dev_id);
	assert_int_equal(ioas_alloc(sim, ifd, &ioas), 0);
	assert_int_equal(hwpt_alloc(sim, ifd, full, 0, dev_id, ioas, 0, 1, &hwpt), -E2BIG);
	assert_int_equal(hwpt_alloc(sim, ifd, full, dirty, dev_id, ioas, 0, 0, &hwpt), 0);
	assert_int_equal(obj_destroy(sim, ifd, hwpt), 0);
	assert_int_equal(sim_close(sim, d), 0);
	assert_int_equal(sim_close(sim, ifd), 0);
	done(sim);
}

static void no_cdevs_before_6_6(void **state)
{
	struct iofd_u_iommu_vfio_ioas vi = { .size = sizeof(vi), .op = IOFD_U_IOMMU_VFIO_IOAS_GET };
	struct iofd_u_vfio_device_bind_iommufd b = { .argsz = sizeof(b) };
	struct iofd_sim *sim;
	int ifd, g, d;

	sim = host(KV(6, 5), 0, 1);
	assert_false(in_tree(sim, false, "class/vfio-dev"));
	assert_false(in_tree(sim, true, "vfio/devices"));
	assert_false(in_tree(sim, false, "bus/pci/devices/0000:00:01.0/vfio-dev"));
	assert_true(in_tree(sim, false, "class/vfio/1"));
	assert_true(in_tree(sim, true, "iommu"));
	assert_int_equal(open_node(sim, "/dev/vfio/devices/vfio0"), -ENOENT);
	/* The group path into iommufd works: bound and attached to the compat IOAS. */
	ifd = sim_open_iommu(sim);
	g = open_node(sim, "/dev/vfio/1");
	assert_true(g >= 0);
	assert_int_equal(sim_ioctl(sim, g, IOFD_U_VFIO_GROUP_SET_CONTAINER, &ifd), 0);
	d = sim_ioctl(sim, g, IOFD_U_VFIO_GROUP_GET_DEVICE_FD, (void *)"0000:00:01.0");
	assert_true(d >= 0);
	assert_int_equal(sim_ioctl(sim, ifd, IOFD_U_IOMMU_VFIO_IOAS, &vi), 0);
	assert_int_equal(iofd_sim_objects(sim), 3);	/* the IOAS, the device, its HWPT */
	/* BIND is no ioctl yet: vfio-pci's ENOTTY (6.12: EINVAL on a group's device). */
	b.iommufd = ifd;
	assert_int_equal(sim_ioctl(sim, d, IOFD_U_VFIO_DEVICE_BIND_IOMMUFD, &b), -ENOTTY);
	assert_int_equal(sim_close(sim, d), 0);
	assert_int_equal(sim_close(sim, g), 0);
	assert_int_equal(sim_close(sim, ifd), 0);
	done(sim);

	sim = host(KV(6, 6), 0, 1);
	assert_true(in_tree(sim, false, "class/vfio-dev/vfio0"));
	assert_true(in_tree(sim, true, "vfio/devices/vfio0"));
	done(sim);
}

static void no_iommufd_before_6_2(void **state)
{
	struct iofd_sim *sim = host(KV(6, 1), 0, 1);
	char *buf = mem(PS);
	int c, g;

	assert_false(in_tree(sim, true, "iommu"));
	assert_false(in_tree(sim, false, "class/misc/iommu"));
	assert_true(in_tree(sim, false, "class/misc/vfio"));
	assert_int_equal(open_node(sim, "/dev/iommu"), -ENOENT);
	/* VFIO's own container works as ever. */
	c = open_node(sim, "/dev/vfio/vfio");
	g = open_node(sim, "/dev/vfio/1");
	assert_int_equal(sim_ioctl(sim, g, IOFD_U_VFIO_GROUP_SET_CONTAINER, &c), 0);
	assert_int_equal(sim_ioctl(sim, c, IOFD_U_VFIO_SET_IOMMU,
				   (void *)(uintptr_t)IOFD_U_VFIO_TYPE1v2_IOMMU), 0);
	{
		struct iofd_u_vfio_iommu_type1_dma_map m = {
			.argsz = sizeof(m), .flags = DMA_RW, .vaddr = (uintptr_t)buf,
			.iova = 0x100000, .size = PS,
		};

		assert_int_equal(sim_ioctl(sim, c, IOFD_U_VFIO_IOMMU_MAP_DMA, &m), 0);
	}
	assert_int_equal(sim_close(sim, g), 0);
	assert_int_equal(sim_close(sim, c), 0);
	done(sim);
	munmap(buf, PS);
}

/* What libiommufd's discovery offers on kernel @version. */
static void backends(uint32_t version, int *iommufd, int *type1, int *compat)
{
	struct iofd_sim *sim = host(version, 0, 1);
	IOFD_OPTS(iofd_ctx_opts, o, .backend = IOFD_BACKEND_AUTO);
	struct iofd_host *h;
	struct iofd_ctx *ctx;

	assert_int_equal(iofd_sim_ctx_opts(sim, &o), 0);
	assert_int_equal(iofd_ctx_new(&ctx, &o), 0);
	assert_int_equal(iofd_host_scan(&h, ctx), 0);
	*iommufd = iofd_host_backend_available(h, IOFD_BACKEND_IOMMUFD);
	*type1 = iofd_host_backend_available(h, IOFD_BACKEND_TYPE1);
	*compat = iofd_host_backend_available(h, IOFD_BACKEND_COMPAT);
	iofd_host_free(h);
	iofd_ctx_free(ctx);
	done(sim);
}

static void discovery_sees_an_old_kernel(void **state)
{
	int iommufd, type1, compat;

	backends(KV(6, 12), &iommufd, &type1, &compat);
	assert_true(iommufd == 1 && type1 == 1 && compat == 1);
	backends(KV(6, 5), &iommufd, &type1, &compat);
	assert_true(iommufd == 0 && type1 == 1 && compat == 1);
	backends(KV(6, 1), &iommufd, &type1, &compat);
	assert_true(iommufd == 0 && type1 == 1 && compat == 0);
}

/* ------------------------------------------------------------------------
 * Type1 by release
 */

static int container(struct iofd_sim *sim, int *g)
{
	int c = open_node(sim, "/dev/vfio/vfio");

	*g = open_node(sim, "/dev/vfio/1");
	assert_int_equal(sim_ioctl(sim, *g, IOFD_U_VFIO_GROUP_SET_CONTAINER, &c), 0);
	assert_int_equal(sim_ioctl(sim, c, IOFD_U_VFIO_SET_IOMMU,
				   (void *)(uintptr_t)IOFD_U_VFIO_TYPE1v2_IOMMU), 0);
	return c;
}

static int ext(struct iofd_sim *sim, int c, unsigned long e)
{
	return sim_ioctl(sim, c, IOFD_U_VFIO_CHECK_EXTENSION, (void *)(uintptr_t)e);
}

/* The capability ids of GET_INFO's chain, in order, as a number (0x213: 2, 1, 3). */
static uint32_t cap_ids(struct iofd_sim *sim, int c)
{
	static uint64_t buf[128];
	struct iofd_u_vfio_iommu_type1_info *info = (void *)buf;
	uint32_t ids = 0;

	memset(buf, 0, sizeof(buf));
	info->argsz = sizeof(buf);
	assert_int_equal(sim_ioctl(sim, c, IOFD_U_VFIO_IOMMU_GET_INFO, buf), 0);
	for (uint32_t off = info->cap_offset; off;) {
		const struct iofd_u_vfio_info_cap_header *h = (const void *)((char *)buf + off);

		ids = ids << 4 | h->id;
		off = h->next;
	}
	return ids;
}

static int unmap_flags(struct iofd_sim *sim, int c, uint32_t flags, uint64_t iova, uint64_t size)
{
	struct iofd_u_vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .flags = flags, .iova = iova, .size = size,
	};

	return sim_ioctl(sim, c, IOFD_U_VFIO_IOMMU_UNMAP_DMA, &u);
}

static void type1_features_come_with_their_release(void **state)
{
	struct iofd_u_vfio_iommu_type1_dirty_bitmap dp = {
		.argsz = sizeof(dp), .flags = IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_START,
	};
	const uint32_t all = IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL;
	struct iofd_sim *sim;
	int c, g;

	/* 6.12: MIGRATION, DMA_AVAIL, IOVA_RANGE; everything. */
	sim = host(0, 0, 1);
	c = container(sim, &g);
	assert_int_equal(cap_ids(sim, c), 0x231);
	assert_int_equal(ext(sim, c, IOFD_U_VFIO_UPDATE_VADDR), 1);
	assert_int_equal(ext(sim, c, IOFD_U_VFIO_UNMAP_ALL), 1);
	assert_int_equal(unmap_flags(sim, c, all, 0, 0), 0);
	assert_int_equal(sim_close(sim, g), 0);
	assert_int_equal(sim_close(sim, c), 0);
	done(sim);
	/* 5.11: no UNMAP_ALL, no UPDATE_VADDR. */
	sim = host(KV(5, 11), 0, 1);
	c = container(sim, &g);
	assert_int_equal(ext(sim, c, IOFD_U_VFIO_UPDATE_VADDR), 0);
	assert_int_equal(ext(sim, c, IOFD_U_VFIO_UNMAP_ALL), 0);
	assert_int_equal(unmap_flags(sim, c, all, 0, 0), -EINVAL);
	assert_int_equal(unmap_flags(sim, c, IOFD_U_VFIO_DMA_UNMAP_FLAG_VADDR, 0x100000, PS),
			 -EINVAL);
	assert_int_equal(cap_ids(sim, c), 0x231);
	assert_int_equal(sim_ioctl(sim, c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES, &dp), 0);
	assert_int_equal(sim_close(sim, g), 0);
	assert_int_equal(sim_close(sim, c), 0);
	done(sim);
	/* 5.9: no DMA_AVAIL. */
	sim = host(KV(5, 9), 0, 1);
	c = container(sim, &g);
	assert_int_equal(cap_ids(sim, c), 0x21);
	assert_int_equal(sim_close(sim, g), 0);
	assert_int_equal(sim_close(sim, c), 0);
	done(sim);
	/* 5.7: no dirty pages at all. */
	sim = host(KV(5, 7), 0, 1);
	c = container(sim, &g);
	assert_int_equal(cap_ids(sim, c), 0x1);
	assert_int_equal(sim_ioctl(sim, c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES, &dp), -ENOTTY);
	assert_int_equal(unmap_flags(sim, c, IOFD_U_VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, 0x100000,
				     PS),
			 -EINVAL);
	assert_int_equal(unmap_flags(sim, c, 0, 0x100000, PS), 0);
	assert_int_equal(sim_close(sim, g), 0);
	assert_int_equal(sim_close(sim, c), 0);
	done(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_versions_the_table_knows_are_taken),
		cmocka_unit_test(iommufd_ioctls_come_with_their_release),
		cmocka_unit_test(a_missing_ioctl_reads_its_size_only_inside_the_table),
		cmocka_unit_test(hw_info_is_as_old_as_its_kernel),
		cmocka_unit_test(hwpt_alloc_is_as_old_as_its_kernel),
		cmocka_unit_test(no_cdevs_before_6_6),
		cmocka_unit_test(no_iommufd_before_6_2),
		cmocka_unit_test(discovery_sees_an_old_kernel),
		cmocka_unit_test(type1_features_come_with_their_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
