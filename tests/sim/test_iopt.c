// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulator's I/O page table with translation domains attached (as HWPTs
 * will attach them): pinning, RLIMIT_MEMLOCK, the mirror between an IOAS
 * and its domains, and the narrowing of the IOVA space by a domain. The
 * uAPI without domains is covered by tests/conformance against real kernels.
 */
#include <stdlib.h>

#include "simtest.h"

#define PS page_size()

struct fixture {
	struct iofd_sim *sim;
	int fd;
	uint32_t a, b;
	struct sim_domain da, db;
	bool da_on, db_on;
};

static struct fixture *fx_new(uint32_t flags, uint64_t memlock)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->sim = sim_make(flags, memlock);
	f->fd = sim_open_iommu(f->sim);
	assert_int_equal(ioas_alloc(f->sim, f->fd, &f->a), 0);
	assert_int_equal(ioas_alloc(f->sim, f->fd, &f->b), 0);
	domain_init(&f->da, PS, 0, SIM_ULONG_MAX);
	domain_init(&f->db, PS, 0, SIM_ULONG_MAX);
	return f;
}

static int attach(struct fixture *f, uint32_t ioas, struct sim_domain *d)
{
	int r = sim_ioas_add_domain(ioas_of(f->sim, f->fd, ioas), d);

	if (r == 0)
		*(d == &f->da ? &f->da_on : &f->db_on) = true;
	return r;
}

static void detach(struct fixture *f, uint32_t ioas, struct sim_domain *d)
{
	sim_ioas_remove_domain(ioas_of(f->sim, f->fd, ioas), d);
	*(d == &f->da ? &f->da_on : &f->db_on) = false;
}

static void check(struct fixture *f)
{
	assert_int_equal(sim_iopt_check(&ioas_of(f->sim, f->fd, f->a)->iopt), 0);
	assert_int_equal(sim_iopt_check(&ioas_of(f->sim, f->fd, f->b)->iopt), 0);
}

static void fx_free(struct fixture *f)
{
	check(f);
	if (f->da_on)
		detach(f, f->a, &f->da);
	if (f->db_on)
		detach(f, f->b, &f->db);
	assert_int_equal(sim_close(f->sim, f->fd), 0);
	assert_sim_empty(f->sim);
	iofd_sim_free(f->sim);
	free(f);
}

static void attaching_a_domain_pins_and_mirrors(void **state)
{
	struct fixture *f = fx_new(0, 0);
	char *buf = mem(8 * PS);
	uint64_t iova = 0x100000, uva;
	int prot;

	assert_int_equal(ioas_map(f->sim, f->fd, f->a, FIXED | RW, buf, 4 * PS, &iova), 0);
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 0);
	assert_int_equal(attach(f, f->a, &f->da), 0);
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 4);
	assert_int_equal(iofd_sim_locked_pages(f->sim), 4);
	check(f);
	/* The domain translates every IOVA of the mapping to its memory. */
	for (uint64_t off = 0; off < 4 * PS; off += PS / 2) {
		assert_int_equal(sim_domain_translate(&f->da, 0x100000 + off, &uva, &prot), 0);
		assert_int_equal(uva, (uintptr_t)buf + off);
		assert_true(prot & SIM_PROT_WRITE);
	}
	assert_int_equal(sim_domain_translate(&f->da, 0x100000 + 4 * PS, &uva, &prot), -ENOENT);
	/* New maps go in at once; a second domain pins nothing more. */
	iova = 0x200000;
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, FIXED | RW, buf + 4 * PS, 4 * PS, &iova),
			 0);
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 8);
	assert_int_equal(attach(f, f->a, &f->db), 0);
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 8);
	check(f);
	assert_int_equal(sim_domain_translate(&f->db, 0x200000 + 5, &uva, &prot), 0);
	assert_int_equal(uva, (uintptr_t)buf + 4 * PS + 5);
	/* The IOAS is in use while a domain is attached. */
	assert_int_equal(obj_destroy(f->sim, f->fd, f->a), -EBUSY);
	detach(f, f->a, &f->da);
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 8);
	detach(f, f->a, &f->db);
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 0);
	assert_int_equal(iofd_sim_locked_pages(f->sim), 0);
	check(f);
	fx_free(f);
	munmap(buf, 8 * PS);
}

static void a_copy_shares_the_pins(void **state)
{
	struct fixture *f = fx_new(0, 0);
	char *buf = mem(8 * PS);
	uint64_t iova = 0x100000, dst = 0x400000, unmapped;

	assert_int_equal(attach(f, f->a, &f->da), 0);
	assert_int_equal(attach(f, f->b, &f->db), 0);
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, FIXED | RW, buf, 8 * PS, &iova), 0);
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 8);
	assert_int_equal(ioas_copy(f->sim, f->fd, f->b, f->a, FIXED | RW, 0x100000 + 2 * PS,
				   4 * PS, &dst), 0);
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 8);
	check(f);
	/* The source goes: the copy still holds its four pages. */
	assert_int_equal(ioas_unmap(f->sim, f->fd, f->a, 0, UINT64_MAX, &unmapped), 0);
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 4);
	assert_int_equal(iofd_sim_locked_pages(f->sim), 4);
	check(f);
	assert_int_equal(ioas_unmap(f->sim, f->fd, f->b, 0x400000, 4 * PS, &unmapped), 0);
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 0);
	fx_free(f);
	munmap(buf, 8 * PS);
}

static void two_maps_of_the_same_memory_pin_twice(void **state)
{
	struct fixture *f = fx_new(0, 0);
	char *buf = mem(4 * PS);
	uint64_t iova = 0;

	assert_int_equal(attach(f, f->a, &f->da), 0);
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, RW, buf, 4 * PS, &iova), 0);
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, RW, buf, 4 * PS, &iova), 0);
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 8);
	assert_int_equal(iofd_sim_locked_pages(f->sim), 8);
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, RW, buf + 2 * PS, 2 * PS, &iova), 0);
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 10);
	/* With a domain of 4 KiB pages, only whole pages map. */
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, RW, buf + 100, 10, &iova), -EINVAL);
	fx_free(f);
	munmap(buf, 4 * PS);
}

static void pinning_needs_real_writable_memory(void **state)
{
	struct fixture *f = fx_new(0, 0);
	char *buf = mem(4 * PS), *ro = mem(2 * PS);
	uint64_t hole = (uintptr_t)mem(2 * PS), iova;

	munmap((void *)(uintptr_t)hole, 2 * PS);
	assert_int_equal(mprotect(ro, 2 * PS, PROT_READ), 0);
	assert_int_equal(attach(f, f->a, &f->da), 0);
	iova = 0x100000;
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, FIXED | RW, (void *)(uintptr_t)hole, PS,
				  &iova), -EFAULT);
	/* Partly there: still EFAULT, and nothing stays pinned. */
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, FIXED | RW, buf + 2 * PS, 2 * PS, &iova),
			 0);
	assert_int_equal(ioas_unmap(f->sim, f->fd, f->a, iova, 2 * PS, NULL), 0);
	assert_int_equal(munmap(buf + 3 * PS, PS), 0);
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, FIXED | RW, buf, 4 * PS, &iova), -EFAULT);
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 0);
	/* Read-only memory maps read-only, not writeable. */
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, FIXED | RW, ro, 2 * PS, &iova), -EFAULT);
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, FIXED | IOFD_U_IOMMU_IOAS_MAP_READABLE, ro,
				  2 * PS, &iova), 0);
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 2);
	check(f);
	fx_free(f);
	munmap(buf, 3 * PS);
	munmap(ro, 2 * PS);
}

static void attach_fails_when_a_lazy_mapping_is_bad(void **state)
{
	struct fixture *f = fx_new(0, 0);
	char *buf = mem(2 * PS);
	uint64_t iova = 0x100000, hole = (uintptr_t)mem(PS);

	munmap((void *)(uintptr_t)hole, PS);
	/* Without a domain the bad address maps; the first domain finds it. */
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, FIXED | RW, buf, 2 * PS, &iova), 0);
	iova = 0x200000;
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, FIXED | RW, (void *)(uintptr_t)hole, PS,
				  &iova), 0);
	domain_init(&f->da, PS, 0x10000, 0xffffffff);
	assert_int_equal(attach(f, f->a, &f->da), -EFAULT);
	/* Nothing changed: no pins, no reserved ranges, the same alignment. */
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 0);
	assert_true(itree_empty(&ioas_of(f->sim, f->fd, f->a)->iopt.reserved));
	assert_int_equal(ioas_of(f->sim, f->fd, f->a)->iopt.iova_alignment, 1);
	check(f);
	fx_free(f);
	munmap(buf, 2 * PS);
}

static void memlock_limits_what_is_pinned(void **state)
{
	struct fixture *f = fx_new(0, 8);
	char *buf = mem(16 * PS);
	uint64_t iova = 0, first, dst = 0;

	assert_int_equal(attach(f, f->a, &f->da), 0);
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, RW, buf, 6 * PS, &iova), 0);
	first = iova;
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, RW, buf + 6 * PS, 3 * PS, &iova), -ENOMEM);
	assert_int_equal(iofd_sim_locked_pages(f->sim), 6);
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, RW, buf + 6 * PS, 2 * PS, &iova), 0);
	assert_int_equal(iofd_sim_locked_pages(f->sim), 8);
	/* A copy into another domain charges nothing new. */
	assert_int_equal(attach(f, f->b, &f->db), 0);
	assert_int_equal(ioas_copy(f->sim, f->fd, f->b, f->a, RW, first, 6 * PS, &dst), 0);
	assert_int_equal(iofd_sim_locked_pages(f->sim), 8);
	fx_free(f);

	/* With CAP_IPC_LOCK nothing is charged, though pages are pinned. */
	f = fx_new(IOFD_SIM_CAP_IPC_LOCK, 8);
	assert_int_equal(attach(f, f->a, &f->da), 0);
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, RW, buf, 16 * PS, &iova), 0);
	assert_int_equal(iofd_sim_pinned_pages(f->sim), 16);
	assert_int_equal(iofd_sim_locked_pages(f->sim), 0);
	fx_free(f);
	munmap(buf, 16 * PS);
}

static void rlimit_mode_charges_the_process(void **state)
{
	struct iofd_sim *sim = sim_make(IOFD_SIM_CAP_SYS_RESOURCE, 4);
	struct iofd_u_iommu_option o = {
		.size = sizeof(o), .option_id = IOFD_U_IOMMU_OPTION_RLIMIT_MODE,
		.op = IOFD_U_IOMMU_OPTION_OP_SET, .val64 = 1,
	};
	int fd = sim_open_iommu(sim);
	char *buf = mem(8 * PS);
	struct sim_domain d;
	uint64_t iova = 0;
	uint32_t a = 0;

	assert_int_equal(sim_ioctl(sim, fd, IOFD_U_IOMMU_OPTION, &o), 0);
	assert_int_equal(ioas_alloc(sim, fd, &a), 0);
	domain_init(&d, PS, 0, SIM_ULONG_MAX);
	assert_int_equal(sim_ioas_add_domain(ioas_of(sim, fd, a), &d), 0);
	assert_int_equal(ioas_map(sim, fd, a, RW, buf, 4 * PS, &iova), 0);
	assert_int_equal(sim->locked_mm, 4);
	assert_int_equal(sim->locked_user, 0);
	assert_int_equal(ioas_map(sim, fd, a, RW, buf, PS, &iova), -ENOMEM);
	sim_ioas_remove_domain(ioas_of(sim, fd, a), &d);
	assert_int_equal(sim_close(sim, fd), 0);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
	munmap(buf, 8 * PS);
}

static void a_domain_narrows_the_iova_space(void **state)
{
	struct fixture *f = fx_new(0, 0);
	struct iofd_u_iommu_iova_range r[3];
	struct iofd_u_iommu_ioas_iova_ranges q = {
		.size = sizeof(q), .ioas_id = f->a, .num_iovas = 3, .allowed_iovas = (uintptr_t)r,
	};
	char *buf = mem(2 * PS);
	uint64_t iova = 0x1000000;

	/* The selftest mock's shape: 2 KiB pages, [16 MiB, 2 GiB). */
	domain_init(&f->da, PS / 2, IOFD_U_MOCK_APERTURE_START, IOFD_U_MOCK_APERTURE_LAST);
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, FIXED | RW, buf, PS, &iova), 0);
	iova = 0x100000;
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, FIXED | RW, buf, PS, &iova), 0);
	/* A mapping outside the aperture: EADDRINUSE. */
	assert_int_equal(attach(f, f->a, &f->da), -EADDRINUSE);
	assert_int_equal(ioas_unmap(f->sim, f->fd, f->a, iova, PS, NULL), 0);
	/* A mapping on an odd byte: EADDRINUSE too. */
	iova = 0x1000000 + PS + 1;
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, FIXED | RW, buf + 1, 8, &iova), 0);
	assert_int_equal(attach(f, f->a, &f->da), -EADDRINUSE);
	assert_int_equal(ioas_unmap(f->sim, f->fd, f->a, iova, 8, NULL), 0);
	assert_int_equal(attach(f, f->a, &f->da), 0);
	assert_int_equal(sim_ioctl(f->sim, f->fd, IOFD_U_IOMMU_IOAS_IOVA_RANGES, &q), 0);
	assert_int_equal(q.num_iovas, 1);
	assert_int_equal(r[0].start, IOFD_U_MOCK_APERTURE_START);
	assert_int_equal(r[0].last, IOFD_U_MOCK_APERTURE_LAST);
	assert_int_equal(q.out_iova_alignment, PS / 2);
	iova = 0x100000;
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, FIXED | RW, buf, PS, &iova), -EINVAL);
	iova = 0;
	assert_int_equal(ioas_map(f->sim, f->fd, f->a, RW, buf, PS, &iova), 0);
	assert_true(iova >= IOFD_U_MOCK_APERTURE_START && iova < IOFD_U_MOCK_APERTURE_LAST);
	/* Huge pages cannot be turned off under mappings in a domain. */
	assert_int_equal(sim_iopt_disable_large_pages(&ioas_of(f->sim, f->fd, f->a)->iopt),
			 -EINVAL);
	/* A page size larger than the CPU's is refused outright. */
	domain_init(&f->db, 2 * PS, 0, SIM_ULONG_MAX);
	assert_int_equal(attach(f, f->a, &f->db), -EINVAL);
	/* Gone with the domain: the IOVA space is whole again. */
	detach(f, f->a, &f->da);
	q.num_iovas = 3;
	assert_int_equal(sim_ioctl(f->sim, f->fd, IOFD_U_IOMMU_IOAS_IOVA_RANGES, &q), 0);
	assert_int_equal(q.num_iovas, 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(q.out_iova_alignment, 1);
	fx_free(f);
	munmap(buf, 2 * PS);
}

/*
 * Random maps, copies, unmaps, attaches and detaches over two IOASes; after
 * each, the domains mirror the areas and the pin count is what a brute-force
 * count of the held page ranges says.
 */
static uint64_t brute_pinned(struct fixture *f)
{
	struct sim_iopt *iopts[2] = { &ioas_of(f->sim, f->fd, f->a)->iopt,
				      &ioas_of(f->sim, f->fd, f->b)->iopt };
	struct sim_pages *seen[256];
	uint64_t total = 0;
	int nseen = 0;

	for (int i = 0; i < 2; i++) {
		struct itree_node *n;

		itree_for_each(n, &iopts[i]->areas, 0, UINT64_MAX) {
			struct sim_area *ar = itree_entry(n, struct sim_area, node);
			bool dup = false;

			for (int j = 0; j < nseen; j++)
				dup |= seen[j] == ar->pages;
			if (!dup && nseen < 256)
				seen[nseen++] = ar->pages;
		}
	}
	for (int s = 0; s < nseen; s++) {
		struct sim_pages *p = seen[s];

		for (uint64_t idx = 0; idx < p->npages; idx++) {
			bool held = false;

			for (int i = 0; i < 2 && !held; i++) {
				struct itree_node *n;

				itree_for_each(n, &iopts[i]->areas, 0, UINT64_MAX) {
					struct sim_area *ar = itree_entry(n, struct sim_area, node);

					if (ar->pages == p && ar->filled &&
					    ar->pages_node.start <= idx && ar->pages_node.last >= idx)
						held = true;
				}
			}
			total += held;
		}
	}
	return total;
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void random_operations_keep_the_invariants(void **state)
{
	struct fixture *f = fx_new(0, 0);
	char *buf = mem(64 * PS);
	uint32_t ids[2] = { f->a, f->b };

	for (int round = 0; round < 3000; round++) {
		uint32_t ioas = ids[rnd() % 2], other = ids[rnd() % 2];
		uint64_t off = (rnd() % 48) * PS + (rnd() % 4 == 0 ? rnd() % PS : 0);
		uint64_t len = 1 + rnd() % (16 * PS), iova = (rnd() % 64) * PS, r;

		switch (rnd() % 8) {
		case 0:
		case 1:
			ioas_map(f->sim, f->fd, ioas, FIXED | RW, buf + off, len, &iova);
			break;
		case 2:
			ioas_map(f->sim, f->fd, ioas, RW, buf + off, len, &iova);
			break;
		case 3:
			r = iova;
			ioas_copy(f->sim, f->fd, other, ioas, (rnd() % 2 ? FIXED : 0) | RW,
				  (rnd() % 64) * PS, len, &r);
			break;
		case 4:
			ioas_unmap(f->sim, f->fd, ioas, iova, len * 4, NULL);
			break;
		case 5:
			if (rnd() % 8 == 0)
				ioas_unmap(f->sim, f->fd, ioas, 0, UINT64_MAX, NULL);
			break;
		case 6:
			if (f->da_on)
				detach(f, f->a, &f->da);
			else
				attach(f, f->a, &f->da);
			break;
		case 7:
			if (f->db_on)
				detach(f, f->b, &f->db);
			else
				attach(f, f->b, &f->db);
			break;
		}
		check(f);
		assert_int_equal(iofd_sim_pinned_pages(f->sim), brute_pinned(f));
		assert_int_equal(iofd_sim_locked_pages(f->sim), brute_pinned(f));
	}
	fx_free(f);
	munmap(buf, 64 * PS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attaching_a_domain_pins_and_mirrors),
		cmocka_unit_test(a_copy_shares_the_pins),
		cmocka_unit_test(two_maps_of_the_same_memory_pin_twice),
		cmocka_unit_test(pinning_needs_real_writable_memory),
		cmocka_unit_test(attach_fails_when_a_lazy_mapping_is_bad),
		cmocka_unit_test(memlock_limits_what_is_pinned),
		cmocka_unit_test(rlimit_mode_charges_the_process),
		cmocka_unit_test(a_domain_narrows_the_iova_space),
		cmocka_unit_test(random_operations_keep_the_invariants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
