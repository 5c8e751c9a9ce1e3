// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fault-injection sweeps over devices (the kernel's iommufd_fail_nth, on the
 * simulator): a bind/attach/map/HWPT-alloc/replace/unmap/detach/close
 * sequence on a VFIO cdev, and a mock-domain sequence, run again and again,
 * failing the Nth kernel call (iofd_sim_fail_nth), then the Nth failure
 * point inside the simulator (allocations, pins, charges, the kernel's
 * iommufd_should_fail() sites), for every N until the sequence runs clean.
 * Each time:
 *  - a call that failed changed nothing, except where the kernel's own
 *    failure leaves a change (unmap: areas before the failure are gone;
 *    close: always closes; a failed replace within one IOAS drops the
 *    group's reserved regions, as 6.12 does);
 *  - after every call, every domain translates every mapping and the pins
 *    match (iofd_sim_check_domains());
 *  - at the end no fd, object, pin, charge, bound device, group owner or
 *    (under ASan) memory is left.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include "device.h"
#include "simtest.h"
#include "uapi/vfio.h"

#define PS page_size()

struct seq {
	struct iofd_sim *sim;
	int fd, dev;
	uint32_t ioas, devid, pt, m, stdev, mhwpt;
	char *buf;
	int calls_failed;
};

static uint64_t hash_tree(uint64_t h, const struct itree *t)
{
	struct itree_node *n;

	itree_for_each(n, t, 0, UINT64_MAX)
		h = sim_mix(sim_mix(h, n->start), n->last);
	return h;
}

/* Everything a failed call must not have changed. */
static uint64_t snapshot(struct seq *s)
{
	uint64_t h = sim_snapshot_base(s->sim);

	for (struct sim_dev *d = s->sim->topo->devs; d; d = d->next) {
		h = sim_mix(sim_mix(h, d->idev != NULL), d->attached);
		h = sim_mix(h, d->open_count);
		if (d->group)
			h = sim_mix(h, d->group->owner_cnt);
	}
	for (struct sim_dev *d = s->sim->topo->mocks; d; d = d->next)
		h = sim_mix(h, d->mock_id + 1);
	for (struct sim_ictx *ictx = s->sim->ictxs; ictx; ictx = ictx->next) {
		h = sim_mix(h, ictx->nobjs);
		for (struct sim_igroup *ig = ictx->igroups; ig; ig = ig->next)
			h = sim_mix(sim_mix(h, ig->refs), ig->hwpt ? ig->hwpt->obj.id : 0);
		for (uint32_t id = 1; id < ictx->nslots; id++) {
			struct sim_obj *obj = ictx->objs[id];

			if (!obj)
				continue;
			h = sim_mix(sim_mix(sim_mix(h, id), obj->type), obj->users);
			if (obj->type == SIM_OBJ_IOAS) {
				struct sim_ioas *ioas = itree_entry(obj, struct sim_ioas, obj);

				h = sim_mix(h, ioas->iopt.iova_alignment);
				h = sim_mix(h, ioas->iopt.ndomains);
				h = hash_tree(h, &ioas->iopt.reserved);
				h = hash_tree(h, &ioas->iopt.areas);
			} else if (obj->type == SIM_OBJ_HWPT_PAGING) {
				struct sim_hwpt *hw = itree_entry(obj, struct sim_hwpt, obj);

				h = sim_mix(sim_mix(h, hw->auto_domain), hw->dom.map.count);
			}
		}
	}
	return h;
}


static const struct iofd_kernel_ops *ops(void)
{
	return iofd_sim_kernel_ops();
}

static int bind(struct seq *s)
{
	struct iofd_u_vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = s->fd };
	int r = sim_ioctl(s->sim, s->dev, IOFD_U_VFIO_DEVICE_BIND_IOMMUFD, &b);

	if (r == 0)
		s->devid = b.out_devid;
	return r;
}

static int attach(struct seq *s, uint32_t pt)
{
	struct iofd_u_vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a), .pt_id = pt };
	int r = sim_ioctl(s->sim, s->dev, IOFD_U_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);

	if (r == 0)
		s->pt = a.pt_id;
	return r;
}

static int detach(struct seq *s)
{
	struct iofd_u_vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };

	return sim_ioctl(s->sim, s->dev, IOFD_U_VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

static int hwpt_alloc(struct seq *s, uint32_t dev, uint32_t *out)
{
	struct iofd_u_iommu_hwpt_alloc h = { .size = sizeof(h), .dev_id = dev, .pt_id = s->ioas };
	int r = sim_ioctl(s->sim, s->fd, IOFD_U_IOMMU_HWPT_ALLOC, &h);

	if (r == 0)
		*out = h.out_hwpt_id;
	return r;
}

static int hw_info(struct seq *s)
{
	struct iofd_u_iommu_hw_info_vtd vtd;
	struct iofd_u_iommu_hw_info hw = {
		.size = sizeof(hw), .dev_id = s->devid, .data_len = sizeof(vtd),
		.data_uptr = (uintptr_t)&vtd,
	};

	return sim_ioctl(s->sim, s->fd, IOFD_U_IOMMU_GET_HW_INFO, &hw);
}

static int close_fd(struct seq *s, int *fd)
{
	int r = sim_close(s->sim, *fd);

	*fd = -1;	/* closed, whatever close said */
	return r;
}

static void cdev_sequence(struct seq *s)
{
	uint64_t iova;

	s->fd = ops()->open(s->sim, "/dev/iommu", O_RDWR);
	if (s->fd < 0)
		return;
	if (STEP(s, false, ioas_alloc(s->sim, s->fd, &s->ioas)) < 0)
		return;
	s->dev = STEP(s, false, ops()->open(s->sim, "/dev/vfio/devices/vfio0", O_RDWR));
	if (s->dev < 0)
		return;
	if (STEP(s, false, bind(s)) < 0)
		return;
	iova = 0x100000;
	STEP(s, false, ioas_map(s->sim, s->fd, s->ioas, FIXED | RW, s->buf, 8 * PS, &iova));
	STEP(s, false, attach(s, s->ioas));
	iova = 0;
	STEP(s, false, ioas_map(s->sim, s->fd, s->ioas, RW, s->buf + 8 * PS, 4 * PS, &iova));
	if (STEP(s, false, hwpt_alloc(s, s->devid, &s->m)) == 0)
		STEP(s, true, attach(s, s->m));
	STEP(s, false, hw_info(s));
	iofd_sim_dma_write(s->sim, "0000:00:01.0", 0x100000, "x", 1);
	STEP(s, true, ioas_unmap(s->sim, s->fd, s->ioas, 0x100000, 8 * PS, NULL));
	STEP(s, true, attach(s, s->ioas));
	STEP(s, false, detach(s));
	if (s->m)
		STEP(s, false, obj_destroy(s->sim, s->fd, s->m));
	STEP(s, true, close_fd(s, &s->dev));
	STEP(s, false, obj_destroy(s->sim, s->fd, s->ioas));
	STEP(s, true, close_fd(s, &s->fd));
}

static int mock_domain(struct seq *s, uint32_t pt)
{
	struct iofd_u_iommu_test_cmd c = {
		.size = sizeof(c), .op = IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN, .id = pt,
	};
	int r = sim_ioctl(s->sim, s->fd, IOFD_U_IOMMU_TEST_CMD, &c);

	if (r == 0) {
		s->stdev = c.mock_domain.out_stdev_id;
		s->mhwpt = c.mock_domain.out_hwpt_id;
		s->devid = c.mock_domain.out_idev_id;
	}
	return r;
}

static int check_map(struct seq *s, uint32_t hwpt, uint64_t iova, uint64_t len)
{
	struct iofd_u_iommu_test_cmd c = {
		.size = sizeof(c), .op = IOFD_U_IOMMU_TEST_OP_MD_CHECK_MAP, .id = hwpt,
		.check_map = { .iova = iova, .length = len, .uptr = (uintptr_t)s->buf },
	};

	return sim_ioctl(s->sim, s->fd, IOFD_U_IOMMU_TEST_CMD, &c);
}

static void mock_sequence(struct seq *s)
{
	uint64_t iova = 0x1000000;
	uint32_t m2 = 0;

	s->fd = ops()->open(s->sim, "/dev/iommu", O_RDWR);
	if (s->fd < 0)
		return;
	if (STEP(s, false, ioas_alloc(s->sim, s->fd, &s->ioas)) < 0)
		return;
	STEP(s, false, ioas_map(s->sim, s->fd, s->ioas, FIXED | RW, s->buf, 8 * PS, &iova));
	if (STEP(s, false, mock_domain(s, s->ioas)) < 0)
		return;
	if (STEP(s, false, hwpt_alloc(s, s->devid, &m2)) == 0) {
		STEP(s, false, check_map(s, m2, 0x1000000, 8 * PS));
		STEP(s, false, obj_destroy(s->sim, s->fd, m2));
	}
	STEP(s, false, check_map(s, s->mhwpt, 0x1000000, 8 * PS));
	STEP(s, true, ioas_unmap(s->sim, s->fd, s->ioas, 0, UINT64_MAX, NULL));
	STEP(s, false, obj_destroy(s->sim, s->fd, s->stdev));
	STEP(s, true, close_fd(s, &s->fd));
}

/* Close what the failures left open, then nothing may remain. */
static void finish(struct seq *s)
{
	if (s->dev >= 0)
		sim_close(s->sim, s->dev);
	if (s->fd >= 0)
		sim_close(s->sim, s->fd);
	assert_sim_empty(s->sim);
	assert_null(s->sim->ictxs);
	assert_null(s->sim->topo->mocks);
	for (struct sim_dev *d = s->sim->topo->devs; d; d = d->next) {
		assert_null(d->idev);
		assert_false(d->attached);
		assert_int_equal(d->open_count, 0);
		if (d->group)
			assert_int_equal(d->group->owner_cnt, 0);
	}
}

static struct iofd_sim *lab(void)
{
	struct iofd_sim *sim = sim_make(IOFD_SIM_IOMMUFD_TEST, 0);
	IOFD_OPTS(iofd_sim_iommu_opts, vtd, .type = IOFD_IOMMU_INTEL_VTD);
	IOFD_OPTS(iofd_sim_pci_opts, dev, .bdf = "0000:00:01.0", .driver = "vfio-pci");

	dev.iommu = iofd_sim_add_iommu(sim, &vtd);
	assert_int_equal(iofd_sim_add_pci(sim, &dev), 0);
	return sim;
}

/* Sweep N = 1, 2, ... until the sequence runs without the failure firing. */
static void sweep(bool points, bool mock)
{
	char *buf = mem(16 * PS);
	unsigned int n;
	int failed_calls = 0;

	for (n = 1;; n++) {
		struct seq s = { .fd = -1, .dev = -1, .buf = buf };
		bool fired;

		s.sim = mock ? sim_make(IOFD_SIM_IOMMUFD_TEST, 0) : lab();
		sim_arm_failure(s.sim, points, n);
		if (mock)
			mock_sequence(&s);
		else
			cdev_sequence(&s);
		fired = sim_failure_fired(s.sim, points);
		finish(&s);
		failed_calls += s.calls_failed;
		iofd_sim_free(s.sim);
		if (!fired)
			break;
		assert_true(n < 10000);
	}
	print_message("sweep over %s, %s: %u runs, %d failed calls, no leak\n",
		      points ? "failure points" : "kernel calls",
		      mock ? "mock domains" : "a VFIO cdev", n, failed_calls);
	assert_true(n > 10);
	munmap(buf, 16 * PS);
}

static void every_kernel_call_fails_in_turn(void **state)
{
	sweep(false, false);
	sweep(false, true);
}

static void every_failure_point_fails_in_turn(void **state)
{
	sweep(true, false);
	sweep(true, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_kernel_call_fails_in_turn),
		cmocka_unit_test(every_failure_point_fails_in_turn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
