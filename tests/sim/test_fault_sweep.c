// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fault-injection sweeps (the kernel's iommufd_fail_nth, on the simulator):
 * a sequence of map/copy/allow/unmap/destroy/close calls runs again and
 * again, failing the Nth kernel call (iofd_sim_fail_nth), then the Nth
 * failure point inside the simulator (allocations, pins, charges), for every
 * N until the sequence runs clean. Each time:
 *  - a call that failed changed nothing (except UNMAP, which the kernel
 *    also leaves half done, and close, which always closes);
 *  - the IOAS invariants hold after every call (domains mirror the areas,
 *    pins match what is held);
 *  - at the end no fd, object, pin, charge (or, under ASan, memory) is left.
 * Each sweep runs with and without a translation domain on the IOAS, so
 * pinning and its unwinding are swept too.
 */
#include <stdio.h>
#include <stdlib.h>

#include "simtest.h"

#define PS page_size()

struct seq {
	struct iofd_sim *sim;
	int fd, fd2, ffd;
	uint32_t a, b;
	struct sim_domain dom;
	bool dom_on;
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
	struct sim_ictx *ictx = s->fd >= 0 ? sim_fd_ictx(s->sim, s->fd) : NULL;
	uint64_t h = sim_snapshot_base(s->sim);

	if (!ictx)
		return h;
	h = sim_mix(h, ictx->nobjs);
	for (uint32_t id = 1; id < ictx->nslots; id++) {
		struct sim_ioas *ioas = sim_ioas_get(ictx, id);
		struct itree_node *n;

		if (!ioas)
			continue;
		h = sim_mix(sim_mix(h, id), ioas->obj.users);
		h = sim_mix(h, ioas->iopt.iova_alignment);
		h = sim_mix(h, ioas->iopt.disable_large_pages);
		h = sim_mix(h, ioas->iopt.ndomains);
		h = hash_tree(h, &ioas->iopt.reserved);
		h = hash_tree(h, &ioas->iopt.allowed);
		itree_for_each(n, &ioas->iopt.areas, 0, UINT64_MAX) {
			struct sim_area *ar = itree_entry(n, struct sim_area, node);

			h = sim_mix(sim_mix(sim_mix(h, n->start), n->last), ar->start_byte);
			h = sim_mix(sim_mix(h, (uintptr_t)ar->pages), ar->filled);
		}
		assert_int_equal(sim_iopt_check(&ioas->iopt), 0);
	}
	return h;
}


static int attach_dom(struct seq *s)
{
	struct sim_ictx *ictx = sim_fd_ictx(s->sim, s->fd);
	struct sim_ioas *ioas = ictx ? sim_ioas_get(ictx, s->a) : NULL;
	int r;

	if (!ioas)
		return -ENOENT;
	r = sim_ioas_add_domain(ioas, &s->dom);
	s->dom_on = r == 0;
	return r;
}

static void detach_dom(struct seq *s)
{
	if (!s->dom_on)
		return;
	sim_ioas_remove_domain(ioas_of(s->sim, s->fd, s->a), &s->dom);
	s->dom_on = false;
}

static int fault_alloc(struct seq *s)
{
	struct iofd_u_iommu_fault_alloc f = { .size = sizeof(f) };
	int r = sim_ioctl(s->sim, s->fd, IOFD_U_IOMMU_FAULT_QUEUE_ALLOC, &f);

	if (r == 0)
		s->ffd = (int)f.out_fault_fd;
	return r;
}

static int allow(struct seq *s)
{
	struct iofd_u_iommu_iova_range r[2] = {
		{ .start = 0x10000000, .last = 0x1fffffff },
		{ .start = 0x40000000, .last = 0x4fffffff },
	};
	struct iofd_u_iommu_ioas_allow_iovas a = {
		.size = sizeof(a), .ioas_id = s->b, .num_iovas = 2, .allowed_iovas = (uintptr_t)r,
	};

	return sim_ioctl(s->sim, s->fd, IOFD_U_IOMMU_IOAS_ALLOW_IOVAS, &a);
}

static int ranges(struct seq *s)
{
	struct iofd_u_iommu_iova_range r[4];
	struct iofd_u_iommu_ioas_iova_ranges q = {
		.size = sizeof(q), .ioas_id = s->b, .num_iovas = 4, .allowed_iovas = (uintptr_t)r,
	};

	return sim_ioctl(s->sim, s->fd, IOFD_U_IOMMU_IOAS_IOVA_RANGES, &q);
}

static int close_fd(struct seq *s, int *fd)
{
	int r = sim_close(s->sim, *fd);

	*fd = -1;	/* closed, whatever close said */
	return r;
}

static void run_sequence(struct seq *s, bool with_domain)
{
	uint64_t iova;

	s->fd = iofd_sim_kernel_ops()->open(s->sim, "/dev/iommu", 2);
	if (s->fd < 0)
		return;
	STEP(s, false, ioas_alloc(s->sim, s->fd, &s->a));
	STEP(s, false, ioas_alloc(s->sim, s->fd, &s->b));
	if (with_domain)
		STEP(s, false, attach_dom(s));
	iova = 0x100000;
	STEP(s, false, ioas_map(s->sim, s->fd, s->a, FIXED | RW, s->buf, 8 * PS, &iova));
	iova = 0;
	STEP(s, false, ioas_map(s->sim, s->fd, s->a, RW, s->buf + PS, 4 * PS, &iova));
	iova = 0x800000;
	STEP(s, false, ioas_copy(s->sim, s->fd, s->b, s->a, FIXED | RW, 0x100000, 8 * PS, &iova));
	STEP(s, false, allow(s));
	iova = 0;
	STEP(s, false, ioas_copy(s->sim, s->fd, s->b, s->a, RW, 0x100000 + 2 * PS, 2 * PS, &iova));
	STEP(s, false, ranges(s));
	STEP(s, true, ioas_unmap(s->sim, s->fd, s->a, 0x100000, 8 * PS, NULL));
	STEP(s, true, ioas_unmap(s->sim, s->fd, s->b, 0, UINT64_MAX, NULL));
	if (STEP(s, false, fault_alloc(s)) == 0)
		STEP(s, true, close_fd(s, &s->ffd));
	s->fd2 = STEP(s, false, iofd_sim_kernel_ops()->dup(s->sim, s->fd));
	if (s->fd2 >= 0)
		STEP(s, true, close_fd(s, &s->fd2));
	STEP(s, false, obj_destroy(s->sim, s->fd, s->b));
	detach_dom(s);
	STEP(s, true, close_fd(s, &s->fd));
}

/* Close what the failures left open, then nothing may remain. */
static void finish(struct seq *s)
{
	if (s->ffd >= 0)
		sim_close(s->sim, s->ffd);
	if (s->fd2 >= 0)
		sim_close(s->sim, s->fd2);
	if (s->fd >= 0) {
		detach_dom(s);
		sim_close(s->sim, s->fd);
	}
	assert_sim_empty(s->sim);
}

/* Sweep N = 1, 2, ... until the sequence runs without the failure firing. */
static void sweep(bool points, bool with_domain)
{
	char *buf = mem(16 * PS);
	unsigned int n;
	int failed_calls = 0;

	for (n = 1;; n++) {
		struct seq s = { .fd = -1, .fd2 = -1, .ffd = -1, .buf = buf };
		bool fired;

		s.sim = sim_make(0, 0);
		domain_init(&s.dom, PS, 0, SIM_ULONG_MAX);
		sim_arm_failure(s.sim, points, n);
		run_sequence(&s, with_domain);
		fired = sim_failure_fired(s.sim, points);
		finish(&s);
		failed_calls += s.calls_failed;
		iofd_sim_free(s.sim);
		if (!fired)
			break;
		assert_true(n < 10000);
	}
	print_message("sweep over %s%s: %u runs, %d failed calls, no leak\n",
		      points ? "failure points" : "kernel calls",
		      with_domain ? " with a domain" : "", n, failed_calls);
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
