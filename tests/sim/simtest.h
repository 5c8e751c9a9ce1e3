/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers for the simulator's own unit tests: they link its internal
 * archive, so they can attach a translation domain to an IOAS the way a
 * HWPT will (sim_ioas_add_domain) and look at its insides.
 */
#ifndef IOFD_TESTS_SIMTEST_H
#define IOFD_TESTS_SIMTEST_H

#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "iopt.h"
#include "uapi/iommufd.h"
#include "uapi/iommufd_test.h"

#define RW (IOFD_U_IOMMU_IOAS_MAP_READABLE | IOFD_U_IOMMU_IOAS_MAP_WRITEABLE)
#define FIXED IOFD_U_IOMMU_IOAS_MAP_FIXED_IOVA

/*
 * One step of a fault-injection sweep: run @call, and if it failed, check
 * that it changed nothing, unless @may_change (the kernel's own UNMAP is
 * not atomic). The including file defines snapshot(s), a hash of every
 * piece of kernel state, and @s has a calls_failed counter.
 */
#define STEP(s, may_change, call)                                         \
	({                                                                \
		uint64_t before_ = snapshot(s);                           \
		int r_ = (call);                                          \
		uint64_t after_ = snapshot(s);                            \
		if (r_ < 0) {                                             \
			(s)->calls_failed++;                              \
			if (!(may_change) && before_ != after_)           \
				fail_msg("%s failed (%d) and changed the " \
					 "kernel's state", #call, r_);    \
		}                                                         \
		r_;                                                       \
	})

/* FNV-1a, for the sweeps' snapshots of kernel state. */
#define SIM_HASH_INIT 0xcbf29ce484222325ull

static inline uint64_t sim_mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ull;
}

/* What every sweep's snapshot starts with: fds, objects, pins, charges, and
 * the simulator's own check that every domain maps what it should. */
static inline uint64_t sim_snapshot_base(struct iofd_sim *sim)
{
	uint64_t h = SIM_HASH_INIT;

	h = sim_mix(h, iofd_sim_open_fds(sim));
	h = sim_mix(h, iofd_sim_objects(sim));
	h = sim_mix(h, iofd_sim_pinned_pages(sim));
	h = sim_mix(h, iofd_sim_locked_pages(sim));
	assert_true(iofd_sim_check_domains(sim) >= 0);
	return h;
}

/* A sweep's failure: the @n-th kernel call, or (@points) the @n-th failure
 * point inside the kernel (an allocation, a pin, a charge). */
static inline void sim_arm_failure(struct iofd_sim *sim, bool points, unsigned int n)
{
	if (points)
		sim->fail_point_at = sim->points + n;
	else
		assert_int_equal(iofd_sim_fail_nth(sim, n, ENOMEM), 0);
}

/* Did it fire? When not, the sequence ran out of calls or points: the
 * sweep is over. */
static inline bool sim_failure_fired(const struct iofd_sim *sim, bool points)
{
	return points ? sim->fail_point_at == 0 : sim->fail_at == 0;
}

static inline uint64_t page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

static inline struct iofd_sim *sim_make(uint32_t flags, uint64_t memlock_pages)
{
	IOFD_OPTS(iofd_sim_opts, o, .flags = flags, .memlock_pages = memlock_pages);
	struct iofd_sim *sim = NULL;

	assert_int_equal(iofd_sim_new(&sim, &o), 0);
	return sim;
}

static inline int sim_ioctl(struct iofd_sim *sim, int fd, unsigned long req, void *arg)
{
	return iofd_sim_kernel_ops()->ioctl(sim, fd, req, arg);
}

static inline int sim_open_iommu(struct iofd_sim *sim)
{
	int fd = iofd_sim_kernel_ops()->open(sim, "/dev/iommu", 2 /* O_RDWR */);

	assert_true(fd >= 0);
	return fd;
}

static inline int sim_close(struct iofd_sim *sim, int fd)
{
	return iofd_sim_kernel_ops()->close(sim, fd);
}

static inline int ioas_alloc(struct iofd_sim *sim, int fd, uint32_t *id)
{
	struct iofd_u_iommu_ioas_alloc a = { .size = sizeof(a) };
	int r = sim_ioctl(sim, fd, IOFD_U_IOMMU_IOAS_ALLOC, &a);

	if (r == 0)
		*id = a.out_ioas_id;
	return r;
}

static inline int ioas_map(struct iofd_sim *sim, int fd, uint32_t ioas, uint32_t flags,
			   const void *va, uint64_t len, uint64_t *iova)
{
	struct iofd_u_iommu_ioas_map m = {
		.size = sizeof(m), .flags = flags, .ioas_id = ioas, .user_va = (uintptr_t)va,
		.length = len, .iova = *iova,
	};
	int r = sim_ioctl(sim, fd, IOFD_U_IOMMU_IOAS_MAP, &m);

	if (r == 0)
		*iova = m.iova;
	return r;
}

static inline int ioas_unmap(struct iofd_sim *sim, int fd, uint32_t ioas, uint64_t iova,
			     uint64_t len, uint64_t *unmapped)
{
	struct iofd_u_iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = ioas, .iova = iova, .length = len,
	};
	int r = sim_ioctl(sim, fd, IOFD_U_IOMMU_IOAS_UNMAP, &u);

	if (r == 0 && unmapped)
		*unmapped = u.length;
	return r;
}

static inline int ioas_copy(struct iofd_sim *sim, int fd, uint32_t dst, uint32_t src,
			    uint32_t flags, uint64_t src_iova, uint64_t len, uint64_t *dst_iova)
{
	struct iofd_u_iommu_ioas_copy c = {
		.size = sizeof(c), .flags = flags, .dst_ioas_id = dst, .src_ioas_id = src,
		.length = len, .dst_iova = *dst_iova, .src_iova = src_iova,
	};
	int r = sim_ioctl(sim, fd, IOFD_U_IOMMU_IOAS_COPY, &c);

	if (r == 0)
		*dst_iova = c.dst_iova;
	return r;
}

static inline int obj_destroy(struct iofd_sim *sim, int fd, uint32_t id)
{
	struct iofd_u_iommu_destroy d = { .size = sizeof(d), .id = id };

	return sim_ioctl(sim, fd, IOFD_U_IOMMU_DESTROY, &d);
}

/* The IOAS object behind (fd, id); the test is single-threaded. */
static inline struct sim_ioas *ioas_of(struct iofd_sim *sim, int fd, uint32_t id)
{
	struct sim_ictx *ictx = sim_fd_ictx(sim, fd);
	struct sim_ioas *ioas = ictx ? sim_ioas_get(ictx, id) : NULL;

	assert_non_null(ioas);
	return ioas;
}

/* A domain as the simplest IOMMU makes it: 4 KiB pages, 64-bit aperture. */
static inline void domain_init(struct sim_domain *d, uint64_t pgsize, uint64_t start,
			       uint64_t last)
{
	memset(d, 0, sizeof(*d));
	d->pgsize_bitmap = pgsize;
	d->aperture_start = start;
	d->aperture_last = last;
}

static inline void *mem(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/* Nothing left in the simulator: fds, objects, pins, charges. */
static inline void assert_sim_empty(struct iofd_sim *sim)
{
	assert_int_equal(iofd_sim_open_fds(sim), 0);
	assert_int_equal(iofd_sim_objects(sim), 0);
	assert_int_equal(iofd_sim_pinned_pages(sim), 0);
	assert_int_equal(iofd_sim_locked_pages(sim), 0);
}

#endif
