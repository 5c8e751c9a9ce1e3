// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fault-injection sweeps over VFIO groups and the type1 container: two
 * groups (one coherent, one not: two type1 domains, the second filled from
 * the mappings) in /dev/vfio/vfio, SET_IOMMU, maps, GET_INFO, dirty page
 * tracking (START, a map while tracking, GET_BITMAP, an unmap with the
 * bitmap, STOP), UPDATE_VADDR (invalidate, new vaddr), a device file,
 * unmaps, UNSET, and a group in an iommufd (compat); then type1 v1 (whole
 * mappings unmapped); then iommufd serving /dev/vfio/vfio
 * (IOFD_SIM_VFIO_CONTAINER_IOMMUFD: a group in it, v1's cut). Each runs
 * again and again failing the Nth kernel call, then the Nth failure point
 * inside the simulator, until it runs clean. A failed call changes nothing
 * (fds, charges, DMA ownership, open counts, what each device's DMA
 * reaches, each container's mappings, vaddrs and dirty bitmaps); at the end
 * nothing is left.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include "device.h"
#include "simtest.h"
#include "type1.h"
#include "uapi/vfio.h"

#define PS page_size()

static const char *const devs[] = { "0000:00:01.0", "0000:00:02.0" };

struct seq {
	struct iofd_sim *sim;
	int c, g1, g2, d, ifd;
	char *buf;
	int calls_failed;
};

static uint64_t snapshot(struct seq *s)
{
	uint64_t h = sim_snapshot_base(s->sim);

	h = sim_mix(h, sim_vfio_containers_hash(s->sim));
	for (struct sim_dev *d = s->sim->topo->devs; d; d = d->next) {
		h = sim_mix(sim_mix(h, d->idev != NULL), d->attached);
		h = sim_mix(h, d->open_count);
		if (d->group)
			h = sim_mix(sim_mix(sim_mix(h, d->group->owner_cnt), d->group->cdev_open_cnt),
				d->group->vfio_file != NULL);
	}
	/* What each device's DMA reaches. */
	for (size_t i = 0; i < 2; i++) {
		for (uint64_t iova = 0x100000; iova < 0x100000 + 16 * PS; iova += PS) {
			char b;

			h = sim_mix(h, (uint64_t)iofd_sim_dma_read(s->sim, devs[i], iova, &b, 1));
		}
	}
	return h;
}


static const struct iofd_kernel_ops *ops(void)
{
	return iofd_sim_kernel_ops();
}

static int open_node(struct seq *s, const char *path)
{
	return ops()->open(s->sim, path, O_RDWR);
}

static int set_container(struct seq *s, int g, int c)
{
	int32_t fd = c;

	return sim_ioctl(s->sim, g, IOFD_U_VFIO_GROUP_SET_CONTAINER, &fd);
}

static int map(struct seq *s, int c, uint64_t off, uint64_t len, uint64_t iova)
{
	struct iofd_u_vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = IOFD_U_VFIO_DMA_MAP_FLAG_READ | IOFD_U_VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)s->buf + off, .iova = iova, .size = len,
	};

	return sim_ioctl(s->sim, c, IOFD_U_VFIO_IOMMU_MAP_DMA, &m);
}

static int unmap(struct seq *s, int c, uint32_t flags, uint64_t iova, uint64_t len)
{
	struct iofd_u_vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .flags = flags, .iova = iova, .size = len,
	};

	return sim_ioctl(s->sim, c, IOFD_U_VFIO_IOMMU_UNMAP_DMA, &u);
}

static int map_vaddr(struct seq *s, uint64_t off, uint64_t len, uint64_t iova)
{
	struct iofd_u_vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = IOFD_U_VFIO_DMA_MAP_FLAG_VADDR,
		.vaddr = (uintptr_t)s->buf + off, .iova = iova, .size = len,
	};

	return sim_ioctl(s->sim, s->c, IOFD_U_VFIO_IOMMU_MAP_DMA, &m);
}

static int dirty(struct seq *s, uint32_t flags)
{
	struct iofd_u_vfio_iommu_type1_dirty_bitmap d = { .argsz = sizeof(d), .flags = flags };

	return sim_ioctl(s->sim, s->c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES, &d);
}

static uint64_t bitmap[4];

static int get_bitmap(struct seq *s, uint64_t iova, uint64_t len)
{
	struct iofd_u_vfio_dirty_pages_get req = {
		.argsz = sizeof(req), .flags = IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP,
		.range = { .iova = iova, .size = len,
			   .bitmap = { .pgsize = PS, .size = sizeof(bitmap), .data = bitmap } },
	};

	return sim_ioctl(s->sim, s->c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES, &req);
}

static int unmap_dirty(struct seq *s, uint64_t iova, uint64_t len)
{
	struct iofd_u_vfio_dma_unmap_with_bitmap req = {
		.argsz = sizeof(req), .flags = IOFD_U_VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
		.iova = iova, .size = len,
		.bitmap = { .pgsize = PS, .size = sizeof(bitmap), .data = bitmap },
	};

	return sim_ioctl(s->sim, s->c, IOFD_U_VFIO_IOMMU_UNMAP_DMA, &req);
}

static int get_info(struct seq *s)
{
	static uint64_t buf[128];

	buf[0] = sizeof(buf);
	return sim_ioctl(s->sim, s->c, IOFD_U_VFIO_IOMMU_GET_INFO, buf);
}

static int close_fd(struct seq *s, int *fd)
{
	int r = *fd >= 0 ? sim_close(s->sim, *fd) : 0;

	*fd = -1;	/* closed, whatever close said */
	return r;
}

static void sequence(struct seq *s)
{
	s->c = open_node(s, "/dev/vfio/vfio");
	if (s->c < 0)
		return;
	s->g1 = STEP(s, false, open_node(s, "/dev/vfio/1"));
	s->g2 = STEP(s, false, open_node(s, "/dev/vfio/2"));
	if (s->g1 < 0 || s->g2 < 0)
		return;
	if (STEP(s, false, set_container(s, s->g1, s->c)) < 0)
		return;
	if (STEP(s, false, sim_ioctl(s->sim, s->c, IOFD_U_VFIO_SET_IOMMU,
				     (void *)(uintptr_t)IOFD_U_VFIO_TYPE1v2_IOMMU)) < 0)
		return;
	STEP(s, false, map(s, s->c, 0, 8 * PS, 0x100000));
	STEP(s, false, map(s, s->c, 8 * PS, 4 * PS, 0x100000 + 8 * PS));
	/* Dirty pages, from the middle of a word; a map while tracking. */
	STEP(s, false, dirty(s, IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_START));
	STEP(s, false, map(s, s->c, 12 * PS, 2 * PS, 0x100000 + 16 * PS));
	STEP(s, false, get_bitmap(s, 0x100000 - 2 * PS, 32 * PS));
	/* UPDATE_VADDR: invalidate two, give them back. */
	STEP(s, false, unmap(s, s->c, IOFD_U_VFIO_DMA_UNMAP_FLAG_VADDR, 0x100000, 12 * PS));
	STEP(s, false, map_vaddr(s, 0, 8 * PS, 0x100000));
	STEP(s, false, map_vaddr(s, 8 * PS, 4 * PS, 0x100000 + 8 * PS));
	STEP(s, false, set_container(s, s->g2, s->c));
	STEP(s, false, get_info(s));
	STEP(s, false, unmap_dirty(s, 0x100000 + 16 * PS, 2 * PS));
	STEP(s, false, dirty(s, IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP));
	s->d = STEP(s, false, sim_ioctl(s->sim, s->g2, IOFD_U_VFIO_GROUP_GET_DEVICE_FD,
					(void *)devs[1]));
	STEP(s, false, unmap(s, s->c, 0, 0x100000, 8 * PS));
	STEP(s, true, close_fd(s, &s->d));
	STEP(s, false, sim_ioctl(s->sim, s->g2, IOFD_U_VFIO_GROUP_UNSET_CONTAINER, NULL));
	STEP(s, false, unmap(s, s->c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0));
	/* The second group in an iommufd instead. */
	s->ifd = STEP(s, false, open_node(s, "/dev/iommu"));
	if (s->ifd < 0)
		return;
	if (STEP(s, true, set_container(s, s->g2, s->ifd)) < 0)
		return;	/* the compat IOAS may be made */
	s->d = STEP(s, false, sim_ioctl(s->sim, s->g2, IOFD_U_VFIO_GROUP_GET_DEVICE_FD,
					(void *)devs[1]));
	STEP(s, false, map(s, s->ifd, 0, 4 * PS, 0x100000));
	STEP(s, true, close_fd(s, &s->d));
	STEP(s, true, close_fd(s, &s->g2));
	STEP(s, true, close_fd(s, &s->g1));
	STEP(s, true, close_fd(s, &s->c));
	STEP(s, true, close_fd(s, &s->ifd));
}

/* Type1 v1: whole mappings go, from their first page. */
static void sequence_v1(struct seq *s)
{
	s->c = open_node(s, "/dev/vfio/vfio");
	if (s->c < 0)
		return;
	s->g1 = STEP(s, false, open_node(s, "/dev/vfio/1"));
	if (s->g1 < 0 || STEP(s, false, set_container(s, s->g1, s->c)) < 0)
		return;
	if (STEP(s, false, sim_ioctl(s->sim, s->c, IOFD_U_VFIO_SET_IOMMU,
				     (void *)(uintptr_t)IOFD_U_VFIO_TYPE1_IOMMU)) < 0)
		return;
	STEP(s, false, map(s, s->c, 0, 8 * PS, 0x100000));
	STEP(s, false, map(s, s->c, 8 * PS, 4 * PS, 0x100000 + 8 * PS));
	STEP(s, false, unmap(s, s->c, 0, 0x100000 + PS, PS));
	STEP(s, false, unmap(s, s->c, 0, 0x100000, PS));
	s->g2 = STEP(s, false, open_node(s, "/dev/vfio/2"));
	if (s->g2 >= 0)
		STEP(s, false, set_container(s, s->g2, s->c));
	STEP(s, false, unmap(s, s->c, 0, 0x100000 + 4 * PS, 8 * PS));
	STEP(s, true, close_fd(s, &s->g2));
	STEP(s, true, close_fd(s, &s->g1));
	STEP(s, true, close_fd(s, &s->c));
}

/* iommufd as /dev/vfio/vfio: a group in it, v1, a cut. */
static void sequence_iommufd_container(struct seq *s)
{
	s->c = open_node(s, "/dev/vfio/vfio");
	if (s->c < 0)
		return;
	s->g1 = STEP(s, false, open_node(s, "/dev/vfio/1"));
	if (s->g1 < 0 || STEP(s, true, set_container(s, s->g1, s->c)) < 0)
		return;	/* the compat IOAS may be made */
	s->d = STEP(s, false, sim_ioctl(s->sim, s->g1, IOFD_U_VFIO_GROUP_GET_DEVICE_FD,
					(void *)devs[0]));
	STEP(s, false, sim_ioctl(s->sim, s->c, IOFD_U_VFIO_SET_IOMMU,
				 (void *)(uintptr_t)IOFD_U_VFIO_TYPE1_IOMMU));
	STEP(s, false, map(s, s->c, 0, 8 * PS, 0x100000));
	STEP(s, false, get_info(s));
	/* A cut splits an area: the kernel's unmap is not atomic either. */
	STEP(s, true, unmap(s, s->c, 0, 0x100000 + PS, PS));
	STEP(s, true, close_fd(s, &s->d));
	STEP(s, true, close_fd(s, &s->g1));
	STEP(s, true, close_fd(s, &s->c));
}

static void finish(struct seq *s)
{
	close_fd(s, &s->d);
	close_fd(s, &s->g1);
	close_fd(s, &s->g2);
	close_fd(s, &s->c);
	close_fd(s, &s->ifd);
	assert_sim_empty(s->sim);
	assert_null(s->sim->ictxs);
	for (struct sim_dev *d = s->sim->topo->devs; d; d = d->next) {
		assert_null(d->idev);
		assert_false(d->attached);
		assert_int_equal(d->open_count, 0);
		if (d->group) {
			assert_int_equal(d->group->owner_cnt, 0);
			assert_null(d->group->vfio_file);
			assert_int_equal(d->group->cdev_open_cnt, 0);
		}
	}
}

static struct iofd_sim *lab(uint32_t flags)
{
	struct iofd_sim *sim = sim_make(flags, 4096);
	IOFD_OPTS(iofd_sim_iommu_opts, sc, .type = IOFD_IOMMU_INTEL_VTD, .vtd_cap = 0xd2008c22260206ull,
		  .vtd_ecap = 0xf00fcaull);
	IOFD_OPTS(iofd_sim_iommu_opts, nosc, .type = IOFD_IOMMU_INTEL_VTD,
		  .vtd_cap = 0xd2008c22260206ull, .vtd_ecap = 0xf00f4aull);
	IOFD_OPTS(iofd_sim_pci_opts, d1, .bdf = devs[0], .driver = "vfio-pci",
		  .flags = IOFD_SIM_PCI_GROUP, .group = 1);
	IOFD_OPTS(iofd_sim_pci_opts, d2, .bdf = devs[1], .driver = "vfio-pci",
		  .flags = IOFD_SIM_PCI_GROUP, .group = 2);

	d1.iommu = iofd_sim_add_iommu(sim, &sc);
	d2.iommu = iofd_sim_add_iommu(sim, &nosc);
	assert_int_equal(iofd_sim_add_pci(sim, &d1), 0);
	assert_int_equal(iofd_sim_add_pci(sim, &d2), 0);
	return sim;
}

static void sweep(bool points, void (*seq)(struct seq *), uint32_t flags)
{
	char *buf = mem(16 * PS);
	unsigned int n;
	int failed_calls = 0;

	for (n = 1;; n++) {
		struct seq s = { .c = -1, .g1 = -1, .g2 = -1, .d = -1, .ifd = -1, .buf = buf };
		bool fired;

		s.sim = lab(flags);
		sim_arm_failure(s.sim, points, n);
		seq(&s);
		fired = sim_failure_fired(s.sim, points);
		if (!fired)
			assert_int_equal(s.calls_failed, 0);	/* the clean run goes all the way */
		finish(&s);
		failed_calls += s.calls_failed;
		iofd_sim_free(s.sim);
		if (!fired)
			break;
		assert_true(n < 10000);
	}
	print_message("sweep over %s: %u runs, %d failed calls, no leak\n",
		      points ? "failure points" : "kernel calls", n, failed_calls);
	assert_true(n > 10);
	munmap(buf, 16 * PS);
}

static void every_kernel_call_fails_in_turn(void **state)
{
	sweep(false, sequence, 0);
}

static void every_failure_point_fails_in_turn(void **state)
{
	sweep(true, sequence, 0);
}

static void type1_v1_sweeps_clean(void **state)
{
	sweep(false, sequence_v1, 0);
	sweep(true, sequence_v1, 0);
}

static void iommufd_as_the_container_sweeps_clean(void **state)
{
	sweep(false, sequence_iommufd_container, IOFD_SIM_VFIO_CONTAINER_IOMMUFD);
	sweep(true, sequence_iommufd_container, IOFD_SIM_VFIO_CONTAINER_IOMMUFD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_kernel_call_fails_in_turn),
		cmocka_unit_test(every_failure_point_fails_in_turn),
		cmocka_unit_test(type1_v1_sweeps_clean),
		cmocka_unit_test(iommufd_as_the_container_sweeps_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
