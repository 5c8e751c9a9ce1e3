// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Conformance of VFIO groups and the native type1 container
 * (/dev/vfio/N, /dev/vfio/vfio; drivers/vfio/group.c, container.c,
 * vfio_iommu_type1.c: v2 and v1, SET_IOMMU's types, UPDATE_VADDR, dirty
 * pages) and of iommufd serving /dev/vfio/vfio (iommufd/main.c,
 * vfio_compat.c): the same checks on libiommufd-sim (the lab's guest
 * rebuilt as a topology, VT-d snoop control on and off; with
 * IOFD_SIM_VFIO_CONTAINER_IOMMUFD for the compat boots) and, with
 * IOFD_KERNEL=real, on the lab's kernels: the main one (variants sc and
 * nosc, where /dev/vfio/vfio is VFIO's own container) and the compat one
 * (compat-sc, compat-nosc: iommufd's), on the first devices on vfio-pci and
 * their groups. Each test skips where /dev/vfio/vfio is not the container
 * it is about. DMA_CC_IOMMU follows IOFD_VM_SNOOP_CONTROL in the lab.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "harness.h"

#define PS (KERN(state)->page_size)
#define ECAP_SC (1ull << 7)
#define MSI_START 0xfee00000ull
#define MSI_LAST 0xfeefffffull

static int raw_open(struct kern *k, const char *path)
{
	return k->ops->open(k->priv, path, O_RDWR);
}

static int group_open(struct kern *k, const struct k_vdev *v)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", v->group);
	return raw_open(k, path);
}

static uint32_t group_flags(struct kern *k, int g)
{
	struct iofd_u_vfio_group_status st = { .argsz = sizeof(st) };

	assert_int_equal(k_ioctl(k, g, IOFD_U_VFIO_GROUP_GET_STATUS, &st), 0);
	return st.flags;
}

static int set_container(struct kern *k, int g, int fd)
{
	int32_t f = fd;

	return k_ioctl(k, g, IOFD_U_VFIO_GROUP_SET_CONTAINER, &f);
}

/* Does this boot's VT-d enforce coherency (snoop control)? */
static bool snoop_control(struct kern *k, const struct k_vdev *v)
{
	const char *env = getenv("IOFD_VM_SNOOP_CONTROL");
	bool sc = v->ecap & ECAP_SC;

	if (k->sim)
		assert_int_equal(sc, kern_sim_snoop_control);
	else if (env && *env)
		assert_int_equal(sc, !strcmp(env, "1"));
	return sc;
}

/*
 * Is /dev/vfio/vfio iommufd (CONFIG_IOMMUFD_VFIO_CONTAINER, the lab's
 * compat boots)? It answers iommufd's DESTROY; VFIO's container says EINVAL.
 */
static bool container_is_iommufd(struct kern *k)
{
	struct iofd_u_iommu_destroy d = { .size = sizeof(d) };
	int c = k_open_path(k, "/dev/vfio/vfio"), r = k_ioctl(k, c, IOFD_U_IOMMU_DESTROY, &d);

	k_close(k, c);
	assert_true(r == -ENOENT || r == -EINVAL);
	return r == -ENOENT;
}

/* Tests of VFIO's own container skip where iommufd serves /dev/vfio/vfio, and
 * the other way round. */
static void need_container(struct kern *k, bool iommufd)
{
	if (container_is_iommufd(k) == iommufd)
		return;
	print_message("skip: /dev/vfio/vfio is %s here\n",
		      iommufd ? "VFIO's own container" : "iommufd (CONFIG_IOMMUFD_VFIO_CONTAINER)");
	skip();
}

/* A container with the first vfio-pci device's group in it, an IOMMU type set. */
struct t1 {
	struct k_vdev v;
	int c, g;
};

static void t1_open_type(struct kern *k, struct t1 *t, unsigned long type)
{
	need_container(k, false);
	k_vfio_dev(k, 0, &t->v);
	t->c = k_open_path(k, "/dev/vfio/vfio");
	t->g = group_open(k, &t->v);
	assert_true(t->g >= 0);
	assert_int_equal(set_container(k, t->g, t->c), 0);
	assert_int_equal(k_ioctl(k, t->c, IOFD_U_VFIO_SET_IOMMU, (void *)(uintptr_t)type), 0);
}

static void t1_open(struct kern *k, struct t1 *t)
{
	t1_open_type(k, t, IOFD_U_VFIO_TYPE1v2_IOMMU);
}

static void t1_close(struct kern *k, struct t1 *t)
{
	k_close(k, t->g);
	k_close(k, t->c);
}

static int map_dma(struct kern *k, int c, uint32_t flags, const void *va, uint64_t size,
		   uint64_t iova)
{
	struct iofd_u_vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags, .vaddr = (uintptr_t)va, .iova = iova,
		.size = size,
	};

	return k_ioctl(k, c, IOFD_U_VFIO_IOMMU_MAP_DMA, &m);
}

#define DMA_RW (IOFD_U_VFIO_DMA_MAP_FLAG_READ | IOFD_U_VFIO_DMA_MAP_FLAG_WRITE)

static int unmap_dma(struct kern *k, int c, uint32_t flags, uint64_t iova, uint64_t size,
		     uint64_t *unmapped)
{
	struct iofd_u_vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .flags = flags, .iova = iova, .size = size,
	};
	int r = k_ioctl(k, c, IOFD_U_VFIO_IOMMU_UNMAP_DMA, &u);

	if (unmapped)
		*unmapped = r == 0 ? u.size : ~0ull;
	return r;
}

/* GET_INFO into @buf (@len bytes); 0 or -errno. */
static int get_info(struct kern *k, int c, void *buf, uint32_t len)
{
	struct iofd_u_vfio_iommu_type1_info *info = buf;

	memset(buf, 0, len);
	info->argsz = len;
	return k_ioctl(k, c, IOFD_U_VFIO_IOMMU_GET_INFO, buf);
}

/* The capability @id in a GET_INFO reply, or NULL. */
static const struct iofd_u_vfio_info_cap_header *find_cap(const void *buf, uint32_t len,
							  uint16_t id)
{
	const struct iofd_u_vfio_iommu_type1_info *info = buf;

	for (uint32_t off = info->cap_offset; off; ) {
		const struct iofd_u_vfio_info_cap_header *h = (const void *)((const char *)buf + off);

		assert_true(off + sizeof(*h) <= len);
		if (h->id == id)
			return h;
		off = h->next;
	}
	return NULL;
}

static uint32_t dma_avail(struct kern *k, int c)
{
	static uint64_t buf[512];
	const struct iofd_u_vfio_iommu_type1_info_dma_avail *a;

	assert_int_equal(get_info(k, c, buf, sizeof(buf)), 0);
	a = (const void *)find_cap(buf, sizeof(buf), IOFD_U_VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	assert_non_null(a);
	return a->avail;
}

/* ------------------------------------------------------------------------ */

static void a_group_joins_a_container(void **state)
{
	struct kern *k = KERN(state);
	int c, c2, g, r, ifd, dev;
	struct k_vdev v;

	need_container(k, false);
	k_vfio_dev(k, 0, &v);
	c = k_open_path(k, "/dev/vfio/vfio");
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_GET_API_VERSION, NULL), IOFD_U_VFIO_API_VERSION);
	/* Before SET_IOMMU, type1 answers for itself with no container data. */
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_CHECK_EXTENSION,
				 (void *)(uintptr_t)IOFD_U_VFIO_TYPE1v2_IOMMU), 1);
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_CHECK_EXTENSION,
				 (void *)(uintptr_t)IOFD_U_VFIO_UNMAP_ALL), 1);
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_CHECK_EXTENSION,
				 (void *)(uintptr_t)IOFD_U_VFIO_DMA_CC_IOMMU), 0);
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_CHECK_EXTENSION, (void *)(uintptr_t)999), 0);
	/* No group: no IOMMU, and nothing else works. */
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_SET_IOMMU,
				 (void *)(uintptr_t)IOFD_U_VFIO_TYPE1v2_IOMMU), -EINVAL);
	assert_int_equal(map_dma(k, c, DMA_RW, k_mem(k, PS), PS, 0x100000), -EINVAL);

	/* The group: viable, opened once; its device's cdev opens but cannot bind. */
	g = group_open(k, &v);
	assert_true(g >= 0);
	assert_int_equal(group_open(k, &v), -EBUSY);
	ifd = k_open(k);
	dev = k_open_path(k, v.cdev);
	assert_int_equal(k_bind(k, dev, ifd, NULL), -EBUSY);
	k_close(k, dev);
	assert_int_equal(group_flags(k, g), IOFD_U_VFIO_GROUP_FLAGS_VIABLE);
	assert_int_equal(k_ioctl(k, g, IOFD_U_VFIO_GROUP_UNSET_CONTAINER, NULL), -EINVAL);
	assert_int_equal(set_container(k, g, -1), -EBADF);
	assert_int_equal(set_container(k, g, g), -EBADFD);
	assert_int_equal(set_container(k, g, c), 0);
	assert_int_equal(group_flags(k, g),
			 IOFD_U_VFIO_GROUP_FLAGS_VIABLE | IOFD_U_VFIO_GROUP_FLAGS_CONTAINER_SET);
	c2 = k_open_path(k, "/dev/vfio/vfio");
	assert_int_equal(set_container(k, g, c2), -EINVAL);
	/* No driver takes an unknown type; TYPE1v2 once. */
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_SET_IOMMU, (void *)(uintptr_t)999), -ENODEV);
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_SET_IOMMU,
				 (void *)(uintptr_t)IOFD_U_VFIO_TYPE1v2_IOMMU), 0);
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_SET_IOMMU,
				 (void *)(uintptr_t)IOFD_U_VFIO_TYPE1v2_IOMMU), -EINVAL);
	r = k_ioctl(k, c, IOFD_U_VFIO_CHECK_EXTENSION, (void *)(uintptr_t)IOFD_U_VFIO_DMA_CC_IOMMU);
	assert_int_equal(r, snoop_control(k, &v) ? 1 : 0);
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_CHECK_EXTENSION,
				 (void *)(uintptr_t)IOFD_U_VFIO_UPDATE_VADDR), 1);
	/* Leaving takes the IOMMU with the last group. */
	assert_int_equal(k_ioctl(k, g, IOFD_U_VFIO_GROUP_UNSET_CONTAINER, NULL), 0);
	assert_int_equal(group_flags(k, g), IOFD_U_VFIO_GROUP_FLAGS_VIABLE);
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_CHECK_EXTENSION,
				 (void *)(uintptr_t)IOFD_U_VFIO_DMA_CC_IOMMU), 0);
	assert_int_equal(map_dma(k, c, DMA_RW, k_mem(k, PS), PS, 0x100000), -EINVAL);
	assert_int_equal(set_container(k, g, c2), 0);
	k_close(k, c2);		/* the group keeps it */
	k_close(k, g);
	k_close(k, c);
	/* Closed: the cdev binds; then the group does not open. */
	dev = k_open_path(k, v.cdev);
	assert_int_equal(k_bind(k, dev, ifd, NULL), 0);
	assert_int_equal(group_open(k, &v), -EBUSY);
	k_close(k, dev);
	g = group_open(k, &v);
	assert_true(g >= 0);
	k_close(k, g);
	k_close(k, ifd);
}

static void get_info_reports_the_capability_chain(void **state)
{
	struct kern *k = KERN(state);
	static uint64_t buf[512];
	struct iofd_u_vfio_iommu_type1_info *info = (void *)buf;
	const struct iofd_u_vfio_iommu_type1_info_cap_migration *mig;
	const struct iofd_u_vfio_iommu_type1_info_dma_avail *avail;
	const struct iofd_u_vfio_iommu_type1_info_cap_iova_range *iovas;
	const uint32_t minsz = 16;
	uint32_t full;
	struct t1 t;

	t1_open(k, &t);
	/* Too short: EINVAL. Just the fixed part: the size for everything. */
	assert_int_equal(get_info(k, t.c, buf, minsz - 1), -EINVAL);
	assert_int_equal(get_info(k, t.c, buf, minsz), 0);
	assert_int_equal(info->flags, IOFD_U_VFIO_IOMMU_INFO_PGSIZES | IOFD_U_VFIO_IOMMU_INFO_CAPS);
	full = info->argsz;
	assert_true(full > sizeof(*info));
	/* Only argsz bytes come back: cap_offset is not written. */
	info->argsz = minsz;
	info->cap_offset = 0x5a5a5a5a;
	assert_int_equal(k_ioctl(k, t.c, IOFD_U_VFIO_IOMMU_GET_INFO, buf), 0);
	assert_int_equal(info->argsz, full);
	assert_int_equal(info->cap_offset, 0x5a5a5a5a);
	assert_int_equal(get_info(k, t.c, buf, full - 1), 0);
	assert_int_equal(info->argsz, full);
	assert_int_equal(info->cap_offset, 0);
	/* Enough: the chain from sizeof(info). */
	assert_int_equal(get_info(k, t.c, buf, sizeof(buf)), 0);
	assert_int_equal(info->argsz, sizeof(buf));
	assert_int_equal(info->cap_offset, sizeof(*info));
	assert_int_equal(info->iova_pgsizes & -info->iova_pgsizes, PS);
	mig = (const void *)find_cap(buf, sizeof(buf), IOFD_U_VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION);
	avail = (const void *)find_cap(buf, sizeof(buf), IOFD_U_VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	iovas = (const void *)find_cap(buf, sizeof(buf), IOFD_U_VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	assert_non_null(mig);
	assert_non_null(avail);
	assert_non_null(iovas);
	/* In the kernel's order: migration, DMA_AVAIL, IOVA ranges. */
	assert_int_equal((const char *)mig - (const char *)buf, sizeof(*info));
	assert_true((const void *)avail > (const void *)mig);
	assert_true((const void *)iovas > (const void *)avail);
	assert_int_equal(iovas->header.next, 0);
	assert_int_equal(mig->header.version, 1);
	assert_int_equal(mig->flags, 0);
	assert_int_equal(mig->pgsize_bitmap, PS);
	assert_int_equal(mig->max_dirty_bitmap_size, 0x10000000ull);
	assert_int_equal(avail->avail, 65535);
	/* The IOVA space: from 0, around the MSI window, up to the domain's width. */
	assert_true(iovas->nr_iovas >= 2);
	assert_int_equal(iovas->iova_ranges[0].start, 0);
	assert_int_equal(iovas->iova_ranges[0].end, MSI_START - 1);
	assert_int_equal(iovas->iova_ranges[1].start, MSI_LAST + 1);
	for (uint32_t i = 1; i < iovas->nr_iovas; i++)
		assert_true(iovas->iova_ranges[i].start > iovas->iova_ranges[i - 1].end + 1);
	assert_int_equal(full, sizeof(*info) + (char *)&iovas->iova_ranges[iovas->nr_iovas] -
				       (char *)mig);
	t1_close(k, &t);
}

static void map_and_unmap_follow_the_v2_rules(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 8 * PS), got[8];
	uint64_t un;
	struct t1 t;

	t1_open(k, &t);
	/* Argument errors */
	assert_int_equal(map_dma(k, t.c, 0, buf, PS, 0x100000), -EINVAL);
	assert_int_equal(map_dma(k, t.c, DMA_RW | (1u << 7), buf, PS, 0x100000), -EINVAL);
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf, 0, 0x100000), -EINVAL);
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf, PS, 0x100000 + 1), -EINVAL);
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf + 1, PS, 0x100000), -EINVAL);
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf, PS - 1, 0x100000), -EINVAL);
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf, 2 * PS, (uint64_t)-PS), -EINVAL);
	/* Outside the IOVA space: the MSI window. */
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf, PS, MSI_START), -EINVAL);
	/* Mappings, and EEXIST on any overlap. */
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf, 4 * PS, 0x100000), 0);
	assert_int_equal(map_dma(k, t.c, IOFD_U_VFIO_DMA_MAP_FLAG_READ, buf + 4 * PS, 2 * PS,
			     0x200000), 0);
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf, 4 * PS, 0x100000), -EEXIST);
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf, PS, 0x100000 + 3 * PS), -EEXIST);
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf, 2 * PS, 0x100000 - PS), -EEXIST);
	assert_int_equal(dma_avail(k, t.c), 65533);
	if (k->sim) {
		/* One type1 domain maps every page of both mappings. */
		assert_int_equal(iofd_sim_check_domains(k->sim), 6);
		/* The group's device DMAs through its type1 domain. */
		assert_int_equal(iofd_sim_dma_write(k->sim, t.v.bdf, 0x100000 + PS - 2, "abcd", 4),
				 0);
		assert_memory_equal(buf + PS - 2, "abcd", 4);
		memcpy(buf + 5 * PS, "memory", 6);
		assert_int_equal(iofd_sim_dma_read(k->sim, t.v.bdf, 0x200000 + PS, got, 6), 0);
		assert_memory_equal(got, "memory", 6);
		assert_int_equal(iofd_sim_dma_write(k->sim, t.v.bdf, 0x200000, "x", 1), -EFAULT);
		assert_int_equal(iofd_sim_dma_read(k->sim, t.v.bdf, 0x300000, got, 1), -EFAULT);
	}
	/* v2: a mapping is never cut. */
	assert_int_equal(unmap_dma(k, t.c, 0, 0x100000 + PS, PS, &un), -EINVAL);
	assert_int_equal(unmap_dma(k, t.c, 0, 0x100000, 2 * PS, &un), -EINVAL);
	assert_int_equal(unmap_dma(k, t.c, 0, 0x100000 - PS, 2 * PS, &un), -EINVAL);
	/* Argument errors */
	assert_int_equal(unmap_dma(k, t.c, 0, 0x100000, 0, &un), -EINVAL);
	assert_int_equal(unmap_dma(k, t.c, 0, 0x100000 + 1, PS, &un), -EINVAL);
	assert_int_equal(unmap_dma(k, t.c, 0, 0x100000, PS + 1, &un), -EINVAL);
	assert_int_equal(unmap_dma(k, t.c, 1u << 7, 0x100000, PS, &un), -EINVAL);
	assert_int_equal(unmap_dma(k, t.c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0x100000, 0, &un),
			 -EINVAL);
	assert_int_equal(unmap_dma(k, t.c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, PS, &un), -EINVAL);
	/* Nothing there: success, nothing unmapped. */
	assert_int_equal(unmap_dma(k, t.c, 0, 0x400000, 4 * PS, &un), 0);
	assert_int_equal(un, 0);
	/* A superset of whole mappings. */
	assert_int_equal(unmap_dma(k, t.c, 0, 0, 0x200000, &un), 0);
	assert_int_equal(un, 4 * PS);
	assert_int_equal(dma_avail(k, t.c), 65534);
	if (k->sim)
		assert_int_equal(iofd_sim_dma_read(k->sim, t.v.bdf, 0x100000, got, 1), -EFAULT);
	/* UNMAP_ALL */
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf, 4 * PS, 0x100000), 0);
	assert_int_equal(unmap_dma(k, t.c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(un, 6 * PS);
	assert_int_equal(unmap_dma(k, t.c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(un, 0);
	assert_int_equal(dma_avail(k, t.c), 65535);
	t1_close(k, &t);
}

static void bad_memory_is_efault_at_map(void **state)
{
	struct kern *k = KERN(state);
	uint64_t hole = k_hole(k, 2 * PS), un;
	struct t1 t;

	t1_open(k, &t);
	/* With a domain, type1 pins at once. */
	assert_int_equal(map_dma(k, t.c, DMA_RW, (void *)(uintptr_t)hole, 2 * PS, 0x100000),
			 -EFAULT);
	assert_int_equal(unmap_dma(k, t.c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(un, 0);
	assert_int_equal(dma_avail(k, t.c), 65535);
	t1_close(k, &t);
}

static void a_container_holds_65535_mappings(void **state)
{
	struct kern *k = KERN(state);
	char *page = k_mem(k, PS);
	uint64_t un;
	struct t1 t;
	int r = 0;

	t1_open(k, &t);
	for (uint32_t i = 0; i < 65535 && r == 0; i++)
		r = map_dma(k, t.c, IOFD_U_VFIO_DMA_MAP_FLAG_READ, page, PS, 0x100000 + i * PS);
	if (r == -ENOMEM) {
		/* RLIMIT_MEMLOCK below 65535 pages and no CAP_IPC_LOCK */
		assert_int_equal(unmap_dma(k, t.c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
		t1_close(k, &t);
		print_message("skip: RLIMIT_MEMLOCK too low for 65535 mappings\n");
		skip();
	}
	assert_int_equal(r, 0);
	assert_int_equal(dma_avail(k, t.c), 0);
	assert_int_equal(map_dma(k, t.c, IOFD_U_VFIO_DMA_MAP_FLAG_READ, page, PS, 0x80000000),
			 -ENOSPC);
	/* Overlap is checked first. */
	assert_int_equal(map_dma(k, t.c, IOFD_U_VFIO_DMA_MAP_FLAG_READ, page, PS, 0x100000),
			 -EEXIST);
	assert_int_equal(unmap_dma(k, t.c, 0, 0x100000, PS, &un), 0);
	assert_int_equal(dma_avail(k, t.c), 1);
	assert_int_equal(map_dma(k, t.c, IOFD_U_VFIO_DMA_MAP_FLAG_READ, page, PS, 0x80000000), 0);
	assert_int_equal(unmap_dma(k, t.c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(un, 65535 * PS);
	t1_close(k, &t);
}

static int get_device_fd(struct kern *k, int g, const char *name)
{
	return k_ioctl(k, g, IOFD_U_VFIO_GROUP_GET_DEVICE_FD, (void *)name);
}

static void devices_open_through_their_group(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_vfio_device_info info = { .argsz = sizeof(info) };
	char *buf = k_mem(k, 2 * PS), got[4];
	int c, g, d1, d2, ifd;
	struct k_vdev v;
	uint64_t un;

	need_container(k, false);
	k_vfio_dev(k, 0, &v);
	c = k_open_path(k, "/dev/vfio/vfio");
	g = group_open(k, &v);
	assert_true(g >= 0);
	/* By name; then only with a container that has an IOMMU. */
	assert_int_equal(get_device_fd(k, g, "0000:09:00.0"), -ENODEV);
	assert_int_equal(get_device_fd(k, g, v.bdf), -EINVAL);
	assert_int_equal(set_container(k, g, c), 0);
	assert_int_equal(get_device_fd(k, g, v.bdf), -EINVAL);
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_SET_IOMMU,
				 (void *)(uintptr_t)IOFD_U_VFIO_TYPE1v2_IOMMU), 0);
	assert_int_equal(get_device_fd(k, g, "0000:09:00.0"), -ENODEV);
	d1 = get_device_fd(k, g, v.bdf);
	assert_true(d1 >= 0);
	/* Opened at once: vfio-pci answers; it is no cdev (BIND EINVAL). */
	assert_int_equal(k_ioctl(k, d1, IOFD_U_VFIO_DEVICE_GET_INFO, &info), 0);
	assert_true(info.flags & IOFD_U_VFIO_DEVICE_FLAGS_PCI);
	assert_int_equal(info.num_regions, IOFD_U_VFIO_PCI_NUM_REGIONS);
	ifd = k_open(k);
	assert_int_equal(k_bind(k, d1, ifd, NULL), -EINVAL);
	k_close(k, ifd);
	/* The group path opens a device more than once. */
	d2 = get_device_fd(k, g, v.bdf);
	assert_true(d2 >= 0);
	k_close(k, d2);
	/* A device keeps the container in use, and the group file open. */
	assert_int_equal(k_ioctl(k, g, IOFD_U_VFIO_GROUP_UNSET_CONTAINER, NULL), -EBUSY);
	assert_int_equal(map_dma(k, c, DMA_RW, buf, 2 * PS, 0x100000), 0);
	if (k->sim) {
		assert_int_equal(iofd_sim_dma_write(k->sim, v.bdf, 0x100000 + PS, "dma", 3), 0);
		assert_memory_equal(buf + PS, "dma", 3);
		assert_int_equal(iofd_sim_dma_read(k->sim, v.bdf, 0x100000 + PS, got, 3), 0);
	}
	k_close(k, g);
	assert_int_equal(group_open(k, &v), -EBUSY);
	assert_int_equal(unmap_dma(k, c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(un, 2 * PS);
	k_close(k, d1);
	/* The last device closed the group: it opens again, in no container. */
	g = group_open(k, &v);
	assert_true(g >= 0);
	assert_int_equal(group_flags(k, g), IOFD_U_VFIO_GROUP_FLAGS_VIABLE);
	k_close(k, g);
	k_close(k, c);
}

/* Groups in a /dev/iommu fd (the lab's compat-iommu mode): iommufd's compat IOAS. */
static void groups_join_an_iommufd(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_vfio_ioas vi = { .size = sizeof(vi), .op = IOFD_U_IOMMU_VFIO_IOAS_GET };
	struct iofd_u_iommu_iova_range r[8];
	char *buf = k_mem(k, 2 * PS), got[4];
	int ifd, g, d, d2, dev, n;
	struct k_vdev v;
	uint64_t un;

	k_vfio_dev(k, 0, &v);
	ifd = k_open(k);
	g = group_open(k, &v);
	assert_true(g >= 0);
	assert_int_equal(k_ioctl(k, ifd, IOFD_U_IOMMU_VFIO_IOAS, &vi), -ENODEV);
	assert_int_equal(get_device_fd(k, g, v.bdf), -EINVAL);
	assert_int_equal(set_container(k, g, ifd), 0);
	assert_int_equal(group_flags(k, g),
			 IOFD_U_VFIO_GROUP_FLAGS_VIABLE | IOFD_U_VFIO_GROUP_FLAGS_CONTAINER_SET);
	assert_int_equal(set_container(k, g, ifd), -EINVAL);
	/* SET_CONTAINER made the compat IOAS. */
	assert_int_equal(k_ioctl(k, ifd, IOFD_U_IOMMU_VFIO_IOAS, &vi), 0);
	assert_int_equal(vi.ioas_id, 1);
	/* Nothing attached yet: coherency is vacuous. */
	assert_int_equal(k_ioctl(k, ifd, IOFD_U_VFIO_CHECK_EXTENSION,
				 (void *)(uintptr_t)IOFD_U_VFIO_DMA_CC_IOMMU), 1);
	/* The device: bound to the iommufd and attached to the compat IOAS. */
	d = get_device_fd(k, g, v.bdf);
	assert_true(d >= 0);
	n = k_ranges(k, ifd, vi.ioas_id, r, 8, NULL);
	assert_true(n >= 2);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, MSI_START - 1);
	assert_int_equal(r[1].start, MSI_LAST + 1);
	assert_int_equal(k_ioctl(k, ifd, IOFD_U_VFIO_CHECK_EXTENSION,
				 (void *)(uintptr_t)IOFD_U_VFIO_DMA_CC_IOMMU),
			 snoop_control(k, &v) ? 1 : 0);
	/* A second device file shares the binding; the cdev cannot bind. */
	d2 = get_device_fd(k, g, v.bdf);
	assert_true(d2 >= 0);
	k_close(k, d2);
	dev = k_open_path(k, v.cdev);
	assert_int_equal(k_bind(k, dev, ifd, NULL), -EBUSY);
	k_close(k, dev);
	/* Type1 through iommufd reaches the device. */
	assert_int_equal(k_ioctl(k, ifd, IOFD_U_VFIO_SET_IOMMU,
				 (void *)(uintptr_t)IOFD_U_VFIO_TYPE1v2_IOMMU), 0);
	assert_int_equal(map_dma(k, ifd, DMA_RW, buf, 2 * PS, 0x100000), 0);
	if (k->sim) {
		assert_int_equal(iofd_sim_dma_write(k->sim, v.bdf, 0x100000 + PS, "iofd", 4), 0);
		assert_memory_equal(buf + PS, "iofd", 4);
		assert_int_equal(iofd_sim_dma_read(k->sim, v.bdf, 0x100000, got, 1), 0);
	}
	assert_int_equal(unmap_dma(k, ifd, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(un, 2 * PS);
	k_close(k, d);
	/* Unbound with its last file: the IOAS is wide again. */
	n = k_ranges(k, ifd, vi.ioas_id, r, 8, NULL);
	assert_int_equal(n, 1);
	assert_int_equal(group_flags(k, g),
			 IOFD_U_VFIO_GROUP_FLAGS_VIABLE | IOFD_U_VFIO_GROUP_FLAGS_CONTAINER_SET);
	assert_int_equal(k_ioctl(k, g, IOFD_U_VFIO_GROUP_UNSET_CONTAINER, NULL), 0);
	assert_int_equal(group_flags(k, g), IOFD_U_VFIO_GROUP_FLAGS_VIABLE);
	k_close(k, g);
	k_close(k, ifd);
}

static int check_ext(struct kern *k, int c, unsigned long ext)
{
	return k_ioctl(k, c, IOFD_U_VFIO_CHECK_EXTENSION, (void *)(uintptr_t)ext);
}

static int set_iommu(struct kern *k, int c, unsigned long type)
{
	return k_ioctl(k, c, IOFD_U_VFIO_SET_IOMMU, (void *)(uintptr_t)type);
}

static void set_iommu_asks_type1_then_opens_it(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, PS);
	struct k_vdev v;
	uint64_t un;
	int c, g;

	need_container(k, false);
	k_vfio_dev(k, 0, &v);
	c = k_open_path(k, "/dev/vfio/vfio");
	g = group_open(k, &v);
	assert_true(g >= 0);
	assert_int_equal(set_container(k, g, c), 0);
	/* What type1 does not claim (asked without a container): ENODEV. */
	assert_int_equal(set_iommu(k, c, IOFD_U_VFIO_DMA_CC_IOMMU), -ENODEV);
	assert_int_equal(set_iommu(k, c, IOFD_U_VFIO_UPDATE_VADDR), -ENODEV);
	/* What it claims but is no IOMMU type: its open refuses. */
	assert_int_equal(set_iommu(k, c, IOFD_U_VFIO_UNMAP_ALL), -EINVAL);
	/* NESTING: no VT-d domain can enable nesting. */
	assert_int_equal(set_iommu(k, c, IOFD_U_VFIO_TYPE1_NESTING_IOMMU), -EINVAL);
	assert_int_equal(map_dma(k, c, DMA_RW, buf, PS, 0x100000), -EINVAL);
	/* Nothing stuck: type1 v1 opens. */
	assert_int_equal(set_iommu(k, c, IOFD_U_VFIO_TYPE1_IOMMU), 0);
	assert_int_equal(set_iommu(k, c, IOFD_U_VFIO_TYPE1v2_IOMMU), -EINVAL);
	assert_int_equal(map_dma(k, c, DMA_RW, buf, PS, 0x100000), 0);
	assert_int_equal(unmap_dma(k, c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(un, PS);
	k_close(k, g);
	k_close(k, c);
}

static int dirty_pages(struct kern *k, int c, uint32_t flags)
{
	struct iofd_u_vfio_iommu_type1_dirty_bitmap d = { .argsz = sizeof(d), .flags = flags };

	return k_ioctl(k, c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES, &d);
}

/* VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP of [iova, iova + size) into @bm. */
static int get_bitmap(struct kern *k, int c, uint64_t iova, uint64_t size, uint64_t pgsize,
		      uint64_t *bm, uint64_t bm_size)
{
	struct iofd_u_vfio_dirty_pages_get req = {
		.argsz = sizeof(req), .flags = IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP,
		.range = { .iova = iova, .size = size,
			   .bitmap = { .pgsize = pgsize, .size = bm_size, .data = bm } },
	};

	return k_ioctl(k, c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES, &req);
}

/* UNMAP_DMA with GET_DIRTY_BITMAP. */
static int unmap_dirty(struct kern *k, int c, uint32_t flags, uint64_t iova, uint64_t size,
		       uint64_t *bm, uint64_t bm_size, uint64_t *unmapped)
{
	struct iofd_u_vfio_dma_unmap_with_bitmap req = {
		.argsz = sizeof(req), .flags = IOFD_U_VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP | flags,
		.iova = iova, .size = size,
		.bitmap = { .pgsize = k->page_size, .size = bm_size, .data = bm },
	};
	int r = k_ioctl(k, c, IOFD_U_VFIO_IOMMU_UNMAP_DMA, &req);

	if (unmapped)
		*unmapped = r == 0 ? req.size : ~0ull;
	return r;
}

static void type1_v1_takes_whole_mappings(void **state)
{
	struct kern *k = KERN(state);
	const uint64_t a = 0x100000, b = a + 4 * PS;
	char *buf = k_mem(k, 6 * PS);
	uint64_t un, bm = 0;
	struct t1 t;

	t1_open_type(k, &t, IOFD_U_VFIO_TYPE1_IOMMU);
	/* A v1 container answers CHECK_EXTENSION as a v2 one. */
	assert_int_equal(check_ext(k, t.c, IOFD_U_VFIO_TYPE1v2_IOMMU), 1);
	assert_int_equal(check_ext(k, t.c, IOFD_U_VFIO_UPDATE_VADDR), 1);
	/* Two mappings, one after the other. */
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf, 4 * PS, a), 0);
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf + 4 * PS, 2 * PS, b), 0);
	/* A range starting inside a mapping: success, nothing unmapped, not
	 * even the whole mapping after it. */
	assert_int_equal(unmap_dma(k, t.c, 0, a + PS, PS, &un), 0);
	assert_int_equal(un, 0);
	assert_int_equal(unmap_dma(k, t.c, 0, a + PS, 5 * PS, &un), 0);
	assert_int_equal(un, 0);
	assert_int_equal(dma_avail(k, t.c), 65533);
	if (k->sim)
		assert_int_equal(iofd_sim_check_domains(k->sim), 6);
	/* A range holding a mapping's first page takes the whole mapping. */
	assert_int_equal(unmap_dma(k, t.c, 0, a, PS, &un), 0);
	assert_int_equal(un, 4 * PS);
	/* From a hole into a mapping: the whole mapping too. */
	assert_int_equal(unmap_dma(k, t.c, 0, a + 2 * PS, 3 * PS, &un), 0);
	assert_int_equal(un, 2 * PS);
	assert_int_equal(dma_avail(k, t.c), 65535);
	/* Dirty page tracking is v2's. */
	assert_int_equal(dirty_pages(k, t.c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_START), -EACCES);
	assert_int_equal(dirty_pages(k, t.c, 1u << 7), -EACCES);
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf, 4 * PS, a), 0);
	assert_int_equal(unmap_dirty(k, t.c, 0, a, 4 * PS, &bm, sizeof(bm), &un), -EINVAL);
	assert_int_equal(unmap_dma(k, t.c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(un, 4 * PS);
	t1_close(k, &t);
}

static void update_vaddr_gives_a_mapping_new_memory(void **state)
{
	struct kern *k = KERN(state);
	const uint64_t a = 0x100000, b = a + 2 * PS;
	char *old = k_mem(k, 4 * PS), *new = k_mem(k, 4 * PS), got[4];
	const uint32_t VADDR = IOFD_U_VFIO_DMA_MAP_FLAG_VADDR;
	const uint32_t UVADDR = IOFD_U_VFIO_DMA_UNMAP_FLAG_VADDR;
	struct k_vdev v2;
	uint64_t un;
	struct t1 t;
	int g2;

	t1_open(k, &t);
	k_vfio_dev(k, 1, &v2);
	g2 = group_open(k, &v2);
	assert_true(g2 >= 0);
	assert_int_equal(check_ext(k, t.c, IOFD_U_VFIO_UPDATE_VADDR), 1);
	assert_int_equal(map_dma(k, t.c, DMA_RW, old, 2 * PS, a), 0);
	assert_int_equal(map_dma(k, t.c, DMA_RW, old + 2 * PS, 2 * PS, b), 0);
	/* FLAG_VADDR goes alone, and only to an invalidated mapping. */
	assert_int_equal(map_dma(k, t.c, VADDR | IOFD_U_VFIO_DMA_MAP_FLAG_READ, new, 2 * PS, a),
			 -EINVAL);
	assert_int_equal(map_dma(k, t.c, VADDR, new, 2 * PS, a), -EINVAL);
	assert_int_equal(map_dma(k, t.c, VADDR, new, 2 * PS, 0x300000), -ENOENT);
	/* Invalidating cuts nothing (v2), and takes both. */
	assert_int_equal(unmap_dma(k, t.c, UVADDR, a + PS, 2 * PS, &un), -EINVAL);
	assert_int_equal(unmap_dma(k, t.c, UVADDR, a, 4 * PS, &un), 0);
	assert_int_equal(un, 4 * PS);
	/* Meanwhile no group joins: attaching would have to pin. */
	assert_int_equal(set_container(k, g2, t.c), -EBUSY);
	assert_int_equal(group_flags(k, g2), IOFD_U_VFIO_GROUP_FLAGS_VIABLE);
	/* Invalid already: EINVAL. */
	assert_int_equal(unmap_dma(k, t.c, UVADDR, a, 2 * PS, &un), -EINVAL);
	/* A new vaddr for exactly one mapping. */
	assert_int_equal(map_dma(k, t.c, VADDR, new, 4 * PS, a), -EINVAL);
	assert_int_equal(map_dma(k, t.c, VADDR, new, PS, a), -EINVAL);
	assert_int_equal(map_dma(k, t.c, VADDR, new + PS, PS, a + PS), -EINVAL);
	assert_int_equal(map_dma(k, t.c, VADDR, new, 2 * PS, a), 0);
	assert_int_equal(map_dma(k, t.c, VADDR, new, 2 * PS, a), -EINVAL);
	if (k->sim) {
		/* (The kernel keeps the pinned pages; the simulator the address.) */
		assert_int_equal(iofd_sim_dma_write(k->sim, t.v.bdf, a + PS, "new", 3), 0);
		assert_memory_equal(new + PS, "new", 3);
		assert_int_equal(iofd_sim_check_domains(k->sim), 4);
	}
	/* All or nothing: the first is valid, the second not: the first stays valid. */
	assert_int_equal(unmap_dma(k, t.c, UVADDR, a, 4 * PS, &un), -EINVAL);
	assert_int_equal(map_dma(k, t.c, VADDR, new, 2 * PS, a), -EINVAL);
	/* The new vaddr is not checked: nothing is pinned again. */
	assert_int_equal(map_dma(k, t.c, VADDR, (void *)(uintptr_t)k_hole(k, 2 * PS), 2 * PS, b),
			 0);
	/* All valid again: the group joins. */
	assert_int_equal(set_container(k, g2, t.c), 0);
	assert_int_equal(k_ioctl(k, g2, IOFD_U_VFIO_GROUP_UNSET_CONTAINER, NULL), 0);
	/* UNMAP_ALL with FLAG_VADDR; unmapping invalidated mappings. */
	assert_int_equal(unmap_dma(k, t.c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL | UVADDR, 0, 0, &un), 0);
	assert_int_equal(un, 4 * PS);
	assert_int_equal(unmap_dma(k, t.c, 0, a, 2 * PS, &un), 0);
	assert_int_equal(un, 2 * PS);
	assert_int_equal(set_container(k, g2, t.c), -EBUSY);
	assert_int_equal(unmap_dma(k, t.c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(un, 2 * PS);
	assert_int_equal(dma_avail(k, t.c), 65535);
	assert_int_equal(set_container(k, g2, t.c), 0);
	k_close(k, g2);
	(void)got;
	t1_close(k, &t);
}

/*
 * Type1 cannot see a device's writes: with a group of IOMMU-backed devices
 * (vfio-pci) every mapped page reads dirty, at every read. How 6.12 writes
 * the bitmap: per mapping, whole u64 words from the one holding its first
 * bit; a mapping starting inside a word is shifted there in its own bitmap
 * and ORed with the whole word the buffer holds; the rest of its last word
 * reads 0. A read clears only the mapping's own bits in its bitmap: what
 * the shift pushed past them and what the OR brought in stay, and come
 * back (shifted again) at the next read, as dirty pages where nothing is
 * mapped. STOP drops the bitmaps.
 */
static void dirty_pages_report_every_mapped_page(void **state)
{
	struct kern *k = KERN(state);
	const uint64_t base = 0x1000000;
	char *buf = k_mem(k, 8 * PS);
	uint64_t bm[4], un;
	struct t1 t;

	t1_open(k, &t);
	assert_int_equal(get_bitmap(k, t.c, base, 256 * PS, PS, bm, sizeof(bm)), -EINVAL);
	assert_int_equal(dirty_pages(k, t.c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_START), 0);
	assert_int_equal(dirty_pages(k, t.c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_START), 0);
	/* Pages 0-3, 6-7 and 130-131 of a 256-page range; mapped while tracking. */
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf, 4 * PS, base), 0);
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf + 4 * PS, 2 * PS, base + 6 * PS), 0);
	assert_int_equal(map_dma(k, t.c, DMA_RW, buf + 6 * PS, 2 * PS, base + 130 * PS), 0);
	if (k->sim)	/* whatever the devices write */
		assert_int_equal(iofd_sim_dma_write(k->sim, t.v.bdf, base, "x", 1), 0);
	/* Word 0: pages 0-3 (the rest 0), ORed into 6-7; word 2 ORed with ~0. */
	memset(bm, 0xff, sizeof(bm));
	assert_int_equal(get_bitmap(k, t.c, base, 256 * PS, PS, bm, sizeof(bm)), 0);
	assert_int_equal(bm[0], 0xcf);
	assert_int_equal(bm[1], ~0ull);
	assert_int_equal(bm[2], ~0ull);
	assert_int_equal(bm[3], ~0ull);
	/* Again, into zeros: every mapped page, and what the first read left. */
	memset(bm, 0, sizeof(bm));
	assert_int_equal(get_bitmap(k, t.c, base, 256 * PS, PS, bm, sizeof(bm)), 0);
	assert_int_equal(bm[0], 0x33cf);
	assert_int_equal(bm[1], 0);
	assert_int_equal(bm[2], ~3ull);
	assert_int_equal(bm[3], 0);
	/* From the second mapping: bit 0 is its first page; no shift, its bitmap as it is. */
	memset(bm, 0, sizeof(bm));
	assert_int_equal(get_bitmap(k, t.c, base + 6 * PS, 64 * PS, PS, bm, 8), 0);
	assert_int_equal(bm[0], 0x33cf);
	/* Argument errors */
	assert_int_equal(get_bitmap(k, t.c, base, 256 * PS, 2 * PS, bm, sizeof(bm)), -EINVAL);
	assert_int_equal(get_bitmap(k, t.c, base + PS, 64 * PS, PS, bm, sizeof(bm)), -EINVAL);
	assert_int_equal(get_bitmap(k, t.c, base, 2 * PS, PS, bm, sizeof(bm)), -EINVAL);
	assert_int_equal(get_bitmap(k, t.c, base, 256 * PS, PS, bm, 8), -EINVAL);
	assert_int_equal(get_bitmap(k, t.c, base, 256 * PS, PS, bm, 0), -EINVAL);
	assert_int_equal(get_bitmap(k, t.c, base, 0, PS, bm, sizeof(bm)), -EINVAL);
	assert_int_equal(get_bitmap(k, t.c, base + 1, 256 * PS, PS, bm, sizeof(bm)), -EINVAL);
	assert_int_equal(get_bitmap(k, t.c, base, 256 * PS, PS,
				    (uint64_t *)(uintptr_t)k_hole(k, PS), sizeof(bm)),
			 -EFAULT);
	assert_int_equal(dirty_pages(k, t.c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP),
			 -EINVAL);
	assert_int_equal(dirty_pages(k, t.c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
						  IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP),
			 -EINVAL);
	assert_int_equal(dirty_pages(k, t.c, 1u << 3), -EINVAL);
	/* Unmapping with the bitmap: the second mapping, at bit 0 of its word. */
	memset(bm, 0xff, sizeof(bm));
	assert_int_equal(unmap_dirty(k, t.c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, bm, 8, &un),
			 -EINVAL);
	assert_int_equal(unmap_dirty(k, t.c, 0, base + 6 * PS, 2 * PS, bm, 8, &un), 0);
	assert_int_equal(un, 2 * PS);
	assert_int_equal(bm[0], 0x33cf);
	assert_int_equal(bm[1], ~0ull);
	assert_int_equal(dma_avail(k, t.c), 65533);
	/* Stopped: no bitmap any more; started again: fresh ones. */
	assert_int_equal(dirty_pages(k, t.c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP), 0);
	assert_int_equal(dirty_pages(k, t.c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP), 0);
	assert_int_equal(get_bitmap(k, t.c, base, 256 * PS, PS, bm, sizeof(bm)), -EINVAL);
	assert_int_equal(unmap_dirty(k, t.c, 0, base, 4 * PS, bm, 8, &un), -EINVAL);
	assert_int_equal(dirty_pages(k, t.c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_START), 0);
	memset(bm, 0, sizeof(bm));
	assert_int_equal(get_bitmap(k, t.c, base, 256 * PS, PS, bm, sizeof(bm)), 0);
	assert_int_equal(bm[0], 0xf);
	assert_int_equal(bm[1], 0);
	assert_int_equal(bm[2], 0xc);
	assert_int_equal(bm[3], 0);
	assert_int_equal(unmap_dma(k, t.c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(un, 6 * PS);
	t1_close(k, &t);
}

static int option_get(struct kern *k, int fd, uint32_t option, uint64_t *val)
{
	return k_option(k, fd, option, IOFD_U_IOMMU_OPTION_OP_GET, 0, val);
}

/* The lab's compat boots: iommufd serves /dev/vfio/vfio. */
static void iommufd_serves_the_vfio_container(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_vfio_ioas vi = { .size = sizeof(vi), .op = IOFD_U_IOMMU_VFIO_IOAS_GET };
	struct iofd_u_iommu_destroy destroy = { .size = sizeof(destroy) };
	char *buf = k_mem(k, 4 * PS);
	uint64_t un, val, bm = 0;
	int c, ifd, g, d;
	struct k_vdev v;
	struct stat st;

	need_container(k, true);
	k_vfio_dev(k, 0, &v);
	c = k_open_path(k, "/dev/vfio/vfio");
	assert_int_equal(k->ops->fstat(k->priv, c, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(major(st.st_rdev), 10);
	assert_int_equal(minor(st.st_rdev), 196);
	/* An iommufd: no object 0; charging the process, as VFIO does. */
	assert_int_equal(k_ioctl(k, c, IOFD_U_IOMMU_DESTROY, &destroy), -ENOENT);
	assert_int_equal(option_get(k, c, IOFD_U_IOMMU_OPTION_RLIMIT_MODE, &val), 0);
	assert_int_equal(val, 1);
	ifd = k_open(k);
	assert_int_equal(option_get(k, ifd, IOFD_U_IOMMU_OPTION_RLIMIT_MODE, &val), 0);
	assert_int_equal(val, 0);
	k_close(k, ifd);
	/* Type1 as iommufd answers it: no UPDATE_VADDR, no nesting, no dirty pages. */
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_GET_API_VERSION, NULL), IOFD_U_VFIO_API_VERSION);
	assert_int_equal(check_ext(k, c, IOFD_U_VFIO_TYPE1_IOMMU), 1);
	assert_int_equal(check_ext(k, c, IOFD_U_VFIO_TYPE1v2_IOMMU), 1);
	assert_int_equal(check_ext(k, c, IOFD_U_VFIO_UNMAP_ALL), 1);
	assert_int_equal(check_ext(k, c, IOFD_U_VFIO_UPDATE_VADDR), 0);
	assert_int_equal(check_ext(k, c, IOFD_U_VFIO_TYPE1_NESTING_IOMMU), 0);
	assert_int_equal(check_ext(k, c, IOFD_U_VFIO_DMA_CC_IOMMU), -ENODEV);
	assert_int_equal(check_ext(k, c, 999), 0);
	/* No group yet: no compat IOAS. */
	assert_int_equal(set_iommu(k, c, IOFD_U_VFIO_TYPE1v2_IOMMU), -ENODEV);
	assert_int_equal(set_iommu(k, c, IOFD_U_VFIO_TYPE1_NESTING_IOMMU), -EINVAL);
	assert_int_equal(map_dma(k, c, DMA_RW, buf, PS, 0x100000), -ENODEV);
	assert_int_equal(k_ioctl(k, c, IOFD_U_IOMMU_VFIO_IOAS, &vi), -ENODEV);
	assert_int_equal(dirty_pages(k, c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_START), -ENOTTY);
	/* A group joins: the compat IOAS; its device is bound and attached. */
	g = group_open(k, &v);
	assert_true(g >= 0);
	assert_int_equal(set_container(k, g, c), 0);
	assert_int_equal(group_flags(k, g),
			 IOFD_U_VFIO_GROUP_FLAGS_VIABLE | IOFD_U_VFIO_GROUP_FLAGS_CONTAINER_SET);
	assert_int_equal(k_ioctl(k, c, IOFD_U_IOMMU_VFIO_IOAS, &vi), 0);
	assert_int_equal(vi.ioas_id, 1);
	assert_int_equal(check_ext(k, c, IOFD_U_VFIO_DMA_CC_IOMMU), 1);
	d = get_device_fd(k, g, v.bdf);
	assert_true(d >= 0);
	assert_int_equal(check_ext(k, c, IOFD_U_VFIO_DMA_CC_IOMMU), snoop_control(k, &v) ? 1 : 0);
	/* v1: no huge IOPTEs, so unmapping may cut a mapping. Not once the
	 * domain holds a mapping. */
	assert_int_equal(set_iommu(k, c, 999), -EINVAL);
	assert_int_equal(map_dma(k, c, DMA_RW, buf, 4 * PS, 0x100000), 0);
	assert_int_equal(set_iommu(k, c, IOFD_U_VFIO_TYPE1_IOMMU), -EINVAL);
	assert_int_equal(set_iommu(k, c, IOFD_U_VFIO_TYPE1v2_IOMMU), 0);
	assert_int_equal(unmap_dma(k, c, 0, 0x100000 + PS, PS, &un), -ENOENT);
	assert_int_equal(unmap_dma(k, c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(un, 4 * PS);
	assert_int_equal(set_iommu(k, c, IOFD_U_VFIO_TYPE1_IOMMU), 0);
	assert_int_equal(map_dma(k, c, DMA_RW, buf, 4 * PS, 0x100000), 0);
	assert_int_equal(unmap_dma(k, c, 0, 0x100000 + PS, PS, &un), 0);
	assert_int_equal(un, PS);
	if (k->sim) {
		assert_int_equal(iofd_sim_check_domains(k->sim), 3);
		assert_int_equal(iofd_sim_dma_write(k->sim, v.bdf, 0x100000 + 2 * PS, "cut", 3), 0);
		assert_memory_equal(buf + 2 * PS, "cut", 3);
		assert_int_equal(iofd_sim_dma_write(k->sim, v.bdf, 0x100000 + PS, "x", 1), -EFAULT);
	}
	/* No VADDR, no dirty bitmap. */
	assert_int_equal(map_dma(k, c, IOFD_U_VFIO_DMA_MAP_FLAG_VADDR, buf, PS, 0x100000), -EINVAL);
	assert_int_equal(unmap_dma(k, c, IOFD_U_VFIO_DMA_UNMAP_FLAG_VADDR, 0x100000, PS, &un),
			 -EINVAL);
	assert_int_equal(unmap_dirty(k, c, 0, 0x100000, PS, &bm, sizeof(bm), &un), -EINVAL);
	assert_int_equal(unmap_dma(k, c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(un, 3 * PS);
	k_close(k, d);
	k_close(k, g);
	k_close(k, c);
}

/* ------------------------------------------------------------------------
 * Simulator only: the lab has one VT-d unit, one coherency, one device a group.
 */

static void add_dev(struct iofd_sim *sim, const char *bdf, int iommu, int group,
		    const char *driver)
{
	IOFD_OPTS(iofd_sim_pci_opts, o, .bdf = bdf, .iommu = iommu, .group = group,
		  .flags = IOFD_SIM_PCI_GROUP, .driver = driver);

	assert_int_equal(iofd_sim_add_pci(sim, &o), 0);
}

static void domains_split_by_coherency_and_replay(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 4 * PS), got[4];
	int sc = k_sim_add_vtd(k->sim, 0xf00fca), nosc = k_sim_add_vtd(k->sim, 0xf00f4a);
	uint64_t locked0 = iofd_sim_locked_pages(k->sim), un;
	int c, g1, g2, g3;

	add_dev(k->sim, "0000:00:01.0", sc, 11, "vfio-pci");
	add_dev(k->sim, "0000:00:02.0", nosc, 12, "vfio-pci");
	add_dev(k->sim, "0000:00:03.0", sc, 13, "vfio-pci");
	c = k_open_path(k, "/dev/vfio/vfio");
	g1 = k_open_path(k, "/dev/vfio/11");
	g2 = k_open_path(k, "/dev/vfio/12");
	g3 = k_open_path(k, "/dev/vfio/13");
	/* A coherent group first: its domain enforces coherency. */
	assert_int_equal(set_container(k, g1, c), 0);
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_SET_IOMMU,
				 (void *)(uintptr_t)IOFD_U_VFIO_TYPE1v2_IOMMU), 0);
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_CHECK_EXTENSION,
				 (void *)(uintptr_t)IOFD_U_VFIO_DMA_CC_IOMMU), 1);
	assert_int_equal(map_dma(k, c, DMA_RW, buf, 4 * PS, 0x100000), 0);
	/* Charged once, whatever the number of domains (unless CAP_IPC_LOCK). */
	if (iofd_sim_locked_pages(k->sim) != locked0)
		assert_int_equal(iofd_sim_locked_pages(k->sim), locked0 + 4);
	locked0 = iofd_sim_locked_pages(k->sim);
	/* A non-coherent group: a second domain, filled from the mappings. */
	assert_int_equal(set_container(k, g2, c), 0);
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_CHECK_EXTENSION,
				 (void *)(uintptr_t)IOFD_U_VFIO_DMA_CC_IOMMU), 0);
	memcpy(buf + PS, "both", 4);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:02.0", 0x100000 + PS, got, 4), 0);
	assert_memory_equal(got, "both", 4);
	assert_int_equal(iofd_sim_dma_write(k->sim, "0000:00:01.0", 0x100000, "snp!", 4), 0);
	assert_memory_equal(buf, "snp!", 4);
	assert_int_equal(iofd_sim_check_domains(k->sim), 2 * 4);
	/* A coherent group shares the first domain. */
	assert_int_equal(set_container(k, g3, c), 0);
	assert_int_equal(iofd_sim_check_domains(k->sim), 2 * 4);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:03.0", 0x100000, got, 4), 0);
	assert_memory_equal(got, "snp!", 4);
	assert_int_equal(iofd_sim_locked_pages(k->sim), locked0);
	/* The non-coherent group leaves: coherent again. */
	assert_int_equal(k_ioctl(k, g2, IOFD_U_VFIO_GROUP_UNSET_CONTAINER, NULL), 0);
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_CHECK_EXTENSION,
				 (void *)(uintptr_t)IOFD_U_VFIO_DMA_CC_IOMMU), 1);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:02.0", 0x100000, got, 1), -EFAULT);
	assert_int_equal(unmap_dma(k, c, 0, 0x100000, 4 * PS, &un), 0);
	assert_int_equal(un, 4 * PS);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:01.0", 0x100000, got, 1), -EFAULT);
	k_close(k, g1);
	k_close(k, g2);
	k_close(k, g3);
	k_close(k, c);
}

static void a_group_cannot_join_over_mappings_it_cannot_reach(void **state)
{
	struct kern *k = KERN(state);
	/* VT-d with 48-bit domains, and QEMU's with 39-bit ones */
	IOFD_OPTS(iofd_sim_iommu_opts, wide, .type = IOFD_IOMMU_INTEL_VTD,
		  .vtd_cap = 0xd2008c222f0406ull, .vtd_ecap = 0xf00fcaull);
	int w = iofd_sim_add_iommu(k->sim, &wide), n = k_sim_add_vtd(k->sim, 0xf00fca), c, g1, g2;
	char *buf = k_mem(k, PS);
	uint64_t un;

	add_dev(k->sim, "0000:00:01.0", w, 1, "vfio-pci");
	add_dev(k->sim, "0000:00:02.0", n, 2, "vfio-pci");
	c = k_open_path(k, "/dev/vfio/vfio");
	g1 = k_open_path(k, "/dev/vfio/1");
	g2 = k_open_path(k, "/dev/vfio/2");
	assert_int_equal(set_container(k, g1, c), 0);
	assert_int_equal(k_ioctl(k, c, IOFD_U_VFIO_SET_IOMMU,
				 (void *)(uintptr_t)IOFD_U_VFIO_TYPE1v2_IOMMU), 0);
	assert_int_equal(map_dma(k, c, DMA_RW, buf, PS, 1ull << 40), 0);
	assert_int_equal(map_dma(k, c, DMA_RW, buf, PS, MSI_START), -EINVAL);
	assert_int_equal(map_dma(k, c, DMA_RW, buf, PS, 1ull << 48), -EINVAL);
	/* A mapping beyond the 39-bit aperture: the group cannot join. */
	assert_int_equal(set_container(k, g2, c), -EINVAL);
	assert_int_equal(group_flags(k, g2), IOFD_U_VFIO_GROUP_FLAGS_VIABLE);
	assert_int_equal(unmap_dma(k, c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(set_container(k, g2, c), 0);
	/* Joined: the IOVA space narrows to 39 bits. */
	assert_int_equal(map_dma(k, c, DMA_RW, buf, PS, 1ull << 40), -EINVAL);
	assert_int_equal(map_dma(k, c, DMA_RW, buf, PS, (1ull << 39) - PS), 0);
	assert_int_equal(unmap_dma(k, c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	k_close(k, g2);
	k_close(k, g1);
	k_close(k, c);
}

static void a_group_with_a_dma_api_driver_is_not_viable(void **state)
{
	struct kern *k = KERN(state);
	int u = k_sim_add_vtd(k->sim, 0xf00fca), c, g;

	add_dev(k->sim, "0000:00:01.0", u, 7, "vfio-pci");
	add_dev(k->sim, "0000:00:01.1", u, 7, "e1000e");
	c = k_open_path(k, "/dev/vfio/vfio");
	g = k_open_path(k, "/dev/vfio/7");
	assert_int_equal(group_flags(k, g), 0);
	assert_int_equal(set_container(k, g, c), -EPERM);
	assert_int_equal(group_flags(k, g), 0);
	/* A group with no member on vfio-pci has no node. */
	add_dev(k->sim, "0000:00:02.0", u, 8, "e1000e");
	assert_int_equal(raw_open(k, "/dev/vfio/8"), -ENOENT);
	k_close(k, g);
	k_close(k, c);
}

#define T_SIM(f) cmocka_unit_test_setup_teardown(f, kern_setup, kern_teardown)
#define T_LAB(f) cmocka_unit_test_setup_teardown(f, kern_setup_lab, kern_teardown)
#define T_COMPAT(f) \
	cmocka_unit_test_setup_teardown(f, kern_setup_lab_iommufd_container, kern_teardown)

int main(void)
{
	const struct CMUnitTest lab[] = {
		T_LAB(a_group_joins_a_container),
		T_LAB(get_info_reports_the_capability_chain),
		T_LAB(map_and_unmap_follow_the_v2_rules),
		T_LAB(bad_memory_is_efault_at_map),
		T_LAB(a_container_holds_65535_mappings),
		T_LAB(devices_open_through_their_group),
		T_LAB(groups_join_an_iommufd),
		T_LAB(set_iommu_asks_type1_then_opens_it),
		T_LAB(type1_v1_takes_whole_mappings),
		T_LAB(update_vaddr_gives_a_mapping_new_memory),
		T_LAB(dirty_pages_report_every_mapped_page),
		T_LAB(iommufd_serves_the_vfio_container),
	};
	/* The same where iommufd is /dev/vfio/vfio: VFIO's container tests skip. */
	const struct CMUnitTest compat[] = {
		T_COMPAT(groups_join_an_iommufd),
		T_COMPAT(iommufd_serves_the_vfio_container),
	};
	const char *kernel = getenv("IOFD_KERNEL");
	int r = kern_main_check("conformance-type1"), failed = 0;

	if (r)
		return r;
	const struct CMUnitTest sim[] = {
		T_SIM(domains_split_by_coherency_and_replay),
		T_SIM(a_group_cannot_join_over_mappings_it_cannot_reach),
		T_SIM(a_group_with_a_dma_api_driver_is_not_viable),
	};
	if (kernel && !strcmp(kernel, "real")) {
		failed = cmocka_run_group_tests_name("type1", lab, NULL, NULL);
		printf("conformance-type1: %zu simulator-only tests not run on a real kernel\n",
		       sizeof(sim) / sizeof(sim[0]));
		return failed ? 1 : 0;
	}
	kern_sim_snoop_control = true;
	failed += cmocka_run_group_tests_name("type1 (VT-d with snoop control)", lab, NULL, NULL);
	kern_sim_snoop_control = false;
	failed += cmocka_run_group_tests_name("type1 (VT-d without snoop control)", lab, NULL,
					      NULL);
	kern_sim_snoop_control = true;
	failed += cmocka_run_group_tests_name("type1 (sim)", sim, NULL, NULL);
	failed += cmocka_run_group_tests_name("type1 (iommufd as /dev/vfio/vfio, snoop control)",
					      compat, NULL, NULL);
	kern_sim_snoop_control = false;
	failed += cmocka_run_group_tests_name("type1 (iommufd as /dev/vfio/vfio, no snoop control)",
					      compat, NULL, NULL);
	return failed ? 1 : 0;
}
