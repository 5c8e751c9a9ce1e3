// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The IOAS's IOVA allocator (lib/iova_alloc.c): replacing the usable ranges
 * and alignment under live mappings, the fixed-IOVA check and its errnos in
 * order, first-fit allocation (with alignment, a hint, several ranges, and
 * never at IOVA 0 or reaching UINT64_MAX), and a randomized differential
 * test against a page-bitmap model at the bottom and at the top of the space.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iova_alloc.h"
#include "mapping_table.h"

#define KB(x) ((uint64_t)(x) << 10)
#define MB(x) ((uint64_t)(x) << 20)
#define TOP UINT64_MAX

struct fixture {
	struct iofd_mapping_table mt;
	struct iofd_iova_alloc a;
	struct iofd_mapping m[8];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	iofd_mt_init(&f->mt);
	if (iofd_iova_alloc_init(&f->a) < 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	iofd_iova_alloc_fini(&f->a);
	free(f);
	return 0;
}

static void map(struct fixture *f, int i, uint64_t iova, uint64_t length)
{
	memset(&f->m[i], 0, sizeof(f->m[i]));
	f->m[i].iova = iova;
	f->m[i].length = length;
	f->m[i].vaddr = 0;
	assert_int_equal(iofd_mt_insert(&f->mt, &f->m[i]), 0);
}

static int set(struct fixture *f, const struct iofd_iova_range *r, size_t n, uint64_t align)
{
	return iofd_iova_alloc_set_ranges(&f->a, &f->mt, r, n, align);
}

static void assert_ranges(const struct fixture *f, const struct iofd_iova_range *want,
			  size_t n, uint64_t align)
{
	const struct iofd_iova_range *r;
	size_t i;

	assert_int_equal(iofd_iova_alloc_ranges(&f->a, &r), n);
	for (i = 0; i < n; i++) {
		assert_true(r[i].start == want[i].start);
		assert_true(r[i].last == want[i].last);
	}
	assert_true(iofd_iova_alloc_alignment(&f->a) == align);
}

/* Two usable ranges with a hole for the MSI window, as on x86. */
static const struct iofd_iova_range x86[] = {
	{ 0, 0xfedfffff },
	{ 0xfef00000, 0xffffffffffff },
};

static void starts_with_everything_usable(void **state)
{
	struct fixture *f = *state;
	const struct iofd_iova_range all = { 0, TOP };

	assert_ranges(f, &all, 1, 1);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 0, TOP), 0);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 1, TOP), 0);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, TOP, 1), 0);
	iofd_iova_alloc_fini(NULL);
}

static void bad_ranges_are_einval_and_change_nothing(void **state)
{
	struct fixture *f = *state;
	const struct iofd_iova_range unsorted[] = { { KB(64), KB(128) - 1 }, { 0, KB(4) - 1 } };
	const struct iofd_iova_range overlapping[] = { { 0, KB(8) - 1 }, { KB(4), KB(12) - 1 } };
	const struct iofd_iova_range backwards[] = { { KB(8), KB(4) } };
	const struct iofd_iova_range same_start[] = { { 0, 0 }, { 0, 1 } };

	assert_int_equal(set(f, x86, 2, KB(4)), 0);
	assert_int_equal(set(f, unsorted, 2, KB(4)), -EINVAL);
	assert_int_equal(set(f, overlapping, 2, KB(4)), -EINVAL);
	assert_int_equal(set(f, backwards, 1, KB(4)), -EINVAL);
	assert_int_equal(set(f, same_start, 2, KB(4)), -EINVAL);
	assert_int_equal(set(f, NULL, 1, KB(4)), -EINVAL);
	assert_int_equal(set(f, x86, 2, 0), -EINVAL);
	assert_int_equal(set(f, x86, 2, KB(12)), -EINVAL);
	assert_ranges(f, x86, 2, KB(4));
}

static void adjacent_ranges_are_merged(void **state)
{
	struct fixture *f = *state;
	const struct iofd_iova_range in[] = {
		{ 0, KB(4) - 1 }, { KB(4), KB(8) - 1 }, { KB(8), KB(8) },
		{ KB(16), KB(32) - 1 }, { KB(32), TOP },
	};
	const struct iofd_iova_range out[] = { { 0, KB(8) }, { KB(16), TOP } };

	assert_int_equal(set(f, in, 5, 1), 0);
	assert_ranges(f, out, 2, 1);
	/* A window over the seam is inside one usable range. */
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, KB(28), KB(8)), 0);
}

static void ranges_that_strand_a_mapping_are_eaddrinuse(void **state)
{
	struct fixture *f = *state;
	const struct iofd_iova_range above[] = { { MB(1), TOP } };
	const struct iofd_iova_range below[] = { { 0, MB(4) - 1 } };
	const struct iofd_iova_range split[] = { { 0, MB(2) + KB(4) - 1 }, { MB(2) + KB(8), TOP } };
	const struct iofd_iova_range fine[] = { { MB(2), MB(2) + KB(16) - 1 }, { MB(8), MB(8) + KB(4) - 1 } };

	assert_int_equal(set(f, x86, 2, KB(4)), 0);
	map(f, 0, MB(2), KB(16));	/* [2M, 2M + 16K) */
	assert_int_equal(set(f, above, 1, KB(4)), 0);
	map(f, 1, MB(8), KB(4));
	/* the first range starts above a mapping */
	assert_int_equal(set(f, &above[0], 1, KB(4)), 0);
	{
		const struct iofd_iova_range r[] = { { MB(2) + KB(4), TOP } };

		assert_int_equal(set(f, r, 1, KB(4)), -EADDRINUSE);
	}
	assert_int_equal(set(f, below, 1, KB(4)), -EADDRINUSE);	/* ends below one */
	assert_int_equal(set(f, split, 2, KB(4)), -EADDRINUSE);	/* a hole inside one */
	assert_int_equal(set(f, NULL, 0, KB(4)), -EADDRINUSE);	/* nothing usable */
	assert_ranges(f, above, 1, KB(4));			/* unchanged */
	/* Exactly around the mappings is fine. */
	assert_int_equal(set(f, fine, 2, KB(4)), 0);
	assert_ranges(f, fine, 2, KB(4));
	/* With no mappings, no ranges at all is fine too. */
	iofd_mt_remove(&f->mt, &f->m[0]);
	iofd_mt_remove(&f->mt, &f->m[1]);
	assert_int_equal(set(f, NULL, 0, KB(4)), 0);
	assert_ranges(f, NULL, 0, KB(4));
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, KB(4), KB(4)), -ERANGE);
	{
		uint64_t x;

		assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), 0, 0, &x), -ENOSPC);
	}
}

static void growing_alignment_refuses_misaligned_mappings(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(set(f, x86, 2, KB(4)), 0);
	map(f, 0, MB(2), KB(64));
	map(f, 1, MB(4) + KB(4), KB(4));
	assert_int_equal(set(f, x86, 2, KB(8)), -EADDRINUSE);
	assert_ranges(f, x86, 2, KB(4));
	iofd_mt_remove(&f->mt, &f->m[1]);
	assert_int_equal(set(f, x86, 2, KB(64)), 0);
	assert_int_equal(set(f, x86, 2, MB(2)), -EADDRINUSE);	/* length 64K */
	assert_ranges(f, x86, 2, KB(64));
	/* Shrinking never collides. */
	assert_int_equal(set(f, x86, 2, KB(4)), 0);
	assert_ranges(f, x86, 2, KB(4));
}

static void fixed_iova_errnos_in_order(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(set(f, x86, 2, KB(4)), 0);
	map(f, 0, MB(2), KB(16));
	/* -EINVAL length 0, before anything else */
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 1, 0), -EINVAL);
	/* -EOVERFLOW, before alignment and ranges */
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, TOP - KB(4) + 1, KB(8)), -EOVERFLOW);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 2, TOP), -EOVERFLOW);
	/* -EINVAL misaligned iova or length, before ranges */
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, KB(4) + 1, KB(4)), -EINVAL);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, KB(4), KB(4) + 1), -EINVAL);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 0xfee00000 + 1, KB(4)), -EINVAL);
	/* -ERANGE outside, straddling the hole, past the end; before -EEXIST */
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 0xfee00000, KB(4)), -ERANGE);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 0xfed00000, MB(2)), -ERANGE);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 0xfeeff000, KB(8)), -ERANGE);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 0xfffffffff000, KB(8)), -ERANGE);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, (uint64_t)1 << 48, KB(4)), -ERANGE);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, TOP - KB(4) + 1, KB(4)), -ERANGE);
	/* -EEXIST overlapping a mapping */
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, MB(2), KB(4)), -EEXIST);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, MB(2) - KB(4), KB(8)), -EEXIST);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, MB(2) + KB(12), KB(8)), -EEXIST);
	/* fine: beside it, at the edges of both ranges */
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, MB(2) + KB(16), KB(4)), 0);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, MB(2) - KB(4), KB(4)), 0);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 0xfedff000, KB(4)), 0);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 0xfef00000, KB(4)), 0);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 0xfffffffff000, KB(4)), 0);
}

static void fixed_iova_may_use_zero_and_the_top(void **state)
{
	struct fixture *f = *state;
	const struct iofd_iova_range all[] = { { 0, TOP } };

	assert_int_equal(set(f, all, 1, KB(4)), 0);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 0, KB(4)), 0);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, TOP - KB(4) + 1, KB(4)), 0);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 0, TOP - KB(4) + 1), 0);
	map(f, 0, 0, KB(4));
	map(f, 1, TOP - KB(4) + 1, KB(4));
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 0, KB(4)), -EEXIST);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, TOP - KB(4) + 1, KB(4)), -EEXIST);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, KB(4), TOP - KB(8) + 1), 0);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, KB(4), TOP - KB(4) + 1), -EEXIST);
}

static void find_is_first_fit_but_never_at_zero(void **state)
{
	struct fixture *f = *state;
	uint64_t x;

	assert_int_equal(set(f, x86, 2, KB(4)), 0);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), 0, 0, &x), 0);
	assert_true(x == KB(4));
	map(f, 0, KB(4), KB(8));	/* [4K, 12K) */
	map(f, 1, KB(16), KB(4));	/* [16K, 20K) */
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), 0, 0, &x), 0);
	assert_true(x == KB(12));
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(8), 0, 0, &x), 0);
	assert_true(x == KB(20));
	/* alignment above the IOAS's */
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), KB(16), 0, &x), 0);
	assert_true(x == KB(32));
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(8), MB(2), 0, &x), 0);
	assert_true(x == MB(2));
	/* below it: raised to it */
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), 1, 0, &x), 0);
	assert_true(x == KB(12));
	/* A range starting at 0 with the first page free still skips 0. */
	iofd_mt_remove(&f->mt, &f->m[0]);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), 0, 0, &x), 0);
	assert_true(x == KB(4));
}

static void find_bad_arguments_are_einval(void **state)
{
	struct fixture *f = *state;
	uint64_t x = 42;

	assert_int_equal(set(f, x86, 2, KB(4)), 0);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, 0, 0, 0, &x), -EINVAL);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4) + 1, 0, 0, &x), -EINVAL);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(2), 0, 0, &x), -EINVAL);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), KB(12), 0, &x), -EINVAL);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), 3, 0, &x), -EINVAL);
	assert_true(x == 42);
}

static void find_never_reaches_the_top(void **state)
{
	struct fixture *f = *state;
	const struct iofd_iova_range top[] = { { TOP - KB(8) + 1, TOP } };
	const struct iofd_iova_range all[] = { { 0, TOP } };
	uint64_t x = 0;

	assert_int_equal(set(f, top, 1, KB(4)), 0);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(8), 0, 0, &x), -ENOSPC);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), 0, 0, &x), 0);
	assert_true(x == TOP - KB(8) + 1);
	/* And at alignment 1, byte-sized: the last byte stays out. */
	assert_int_equal(set(f, all, 1, 1), 0);
	map(f, 0, 1, TOP - 1);	/* [1, TOP - 1]: only 0 and TOP are free */
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, 1, 0, 0, &x), -ENOSPC);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, TOP, 1), 0);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, 0, 1), 0);
	iofd_mt_remove(&f->mt, &f->m[0]);
	map(f, 0, 1, TOP - 3);	/* [1, TOP - 3] */
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, 1, 0, 0, &x), 0);
	assert_true(x == TOP - 2);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, 2, 0, 0, &x), 0);
	assert_true(x == TOP - 2);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, 3, 0, 0, &x), -ENOSPC);
	/* Huge requests do not wrap. */
	iofd_mt_remove(&f->mt, &f->m[0]);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, TOP - 1, 0, 0, &x), 0);
	assert_true(x == 1);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, TOP, 0, 0, &x), -ENOSPC);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, TOP - 1, 2, 0, &x), -ENOSPC);
}

static void find_with_a_hint_looks_above_it_first(void **state)
{
	struct fixture *f = *state;
	uint64_t x;

	assert_int_equal(set(f, x86, 2, KB(4)), 0);
	map(f, 0, MB(1), MB(1));	/* [1M, 2M) */
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), 0, MB(1) + 5, &x), 0);
	assert_true(x == MB(2));
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), 0, MB(3) + 1, &x), 0);
	assert_true(x == MB(3) + KB(4));
	/* into the second range */
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), 0, 0xfee00000, &x), 0);
	assert_true(x == 0xfef00000);
	/* nothing above: from the bottom */
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), 0, 0xffffffffffff, &x), 0);
	assert_true(x == KB(4));
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), 0, TOP, &x), 0);
	assert_true(x == KB(4));
	/* the window below the hint may reach above it */
	map(f, 1, KB(4), MB(1) - KB(8));	/* [4K, 1M - 4K) */
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(8), 0, 0xffffffffff000, &x), 0);
	assert_true(x == MB(2));
	map(f, 2, MB(2), 0xfedfffff - MB(2) + 1);		/* to the hole */
	map(f, 3, 0xfef00000, 0xffffffffffff - 0xfef00000 + 1 - KB(4));
	/* left: [1M - 4K, 1M) and [0xfffffffff000, 2^48) */
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), 0, 0xfffffffff001, &x), 0);
	assert_true(x == MB(1) - KB(4));
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(4), 0, 0xfffffffff000, &x), 0);
	assert_true(x == 0xfffffffff000);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(8), 0, 0, &x), -ENOSPC);
}

static void windows_never_straddle_a_hole(void **state)
{
	struct fixture *f = *state;
	const struct iofd_iova_range r[] = {
		{ KB(4), KB(16) - 1 }, { KB(20), KB(32) - 1 }, { KB(36), KB(64) - 1 },
	};
	uint64_t x;

	assert_int_equal(set(f, r, 3, KB(4)), 0);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(16), 0, 0, &x), 0);
	assert_true(x == KB(36));
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(12), 0, 0, &x), 0);
	assert_true(x == KB(4));
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(32), 0, 0, &x), -ENOSPC);
	assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, KB(12), KB(12)), -ERANGE);
}

static void allocating_until_full_fills_every_range(void **state)
{
	struct fixture *f = *state;
	const struct iofd_iova_range r[] = { { KB(64), MB(1) - 1 }, { MB(2), MB(3) - 1 } };
	static struct iofd_mapping m[200];
	uint64_t x, prev = 0;
	size_t n = 0;

	assert_int_equal(set(f, r, 2, KB(4)), 0);
	while (iofd_iova_alloc_find(&f->a, &f->mt, KB(16), 0, 0, &x) == 0) {
		assert_true(n < 200);
		assert_true(x > prev || n == 0);	/* first fit: ascending */
		assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, x, KB(16)), 0);
		m[n].iova = x;
		m[n].length = KB(16);
		m[n].vaddr = 0;
		assert_int_equal(iofd_mt_insert(&f->mt, &m[n]), 0);
		assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, x, KB(16)), -EEXIST);
		prev = x;
		n++;
	}
	assert_int_equal(n, (MB(1) - KB(64)) / KB(16) + MB(1) / KB(16));
	assert_true(iofd_mt_bytes(&f->mt) == n * KB(16));
	/* Free one in the middle: the next allocation reuses it. */
	iofd_mt_remove(&f->mt, &m[70]);
	assert_int_equal(iofd_iova_alloc_find(&f->a, &f->mt, KB(16), 0, 0, &x), 0);
	assert_true(x == m[70].iova);
	iofd_mt_clear(&f->mt, NULL, NULL);
}

/* ---- randomized differential test against a page-bitmap model ---- */

#define PAGES 1024
#define U KB(4)
#define SLOTS 256
#define OPS 10000

static uint64_t rng;

static uint64_t rnd(void)	/* splitmix64 */
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct model {
	uint64_t base;			/* the space: [base, base + PAGES * U) */
	bool usable[PAGES];
	int used[PAGES];		/* slot, or -1 */
	uint64_t align;			/* the IOAS's alignment, bytes */
	struct iofd_mapping m[SLOTS];
	bool in[SLOTS];
};

static uint64_t page_addr(const struct model *md, uint64_t p)
{
	return md->base + p * U;
}

/* May the model allocate page @p (not IOVA 0, not UINT64_MAX)? */
static bool allocatable(const struct model *md, uint64_t p)
{
	return md->usable[p] && md->used[p] < 0 && page_addr(md, p) != 0 &&
	       page_addr(md, p) + (U - 1) != UINT64_MAX;
}

static int model_check(const struct model *md, uint64_t iova, uint64_t len)
{
	uint64_t p, first, np;

	if (!len)
		return -EINVAL;
	if (len - 1 > UINT64_MAX - iova)
		return -EOVERFLOW;
	if ((iova | len) & (md->align - 1))
		return -EINVAL;
	if (iova < md->base)
		return -ERANGE;
	first = (iova - md->base) / U;
	np = len / U;	/* iova and len are multiples of U here */
	if (first + np > PAGES)
		return -ERANGE;
	for (p = first; p < first + np; p++)
		if (!md->usable[p])
			return -ERANGE;
	for (p = first; p < first + np; p++)
		if (md->used[p] >= 0)
			return -EEXIST;
	return 0;
}

static int model_find(const struct model *md, uint64_t len, uint64_t align,
		      uint64_t hint, uint64_t *ret)
{
	uint64_t np, step, p, k;
	int pass;

	if (!len || (align & (align - 1)) || (len & (md->align - 1)))
		return -EINVAL;
	if (align < md->align)
		align = md->align;
	np = len / U;
	step = align / U;
	for (pass = hint > 1 ? 0 : 1; pass < 2; pass++) {
		for (p = 0; p + np <= PAGES; p += step) {
			if (pass == 0 && page_addr(md, p) < hint)
				continue;
			for (k = 0; k < np && allocatable(md, p + k); k++)
				;
			if (k == np) {
				*ret = page_addr(md, p);
				return 0;
			}
		}
	}
	return -ENOSPC;
}

static void model_map(struct model *md, struct iofd_mapping_table *mt, int slot,
		      uint64_t iova, uint64_t len)
{
	uint64_t p;

	memset(&md->m[slot], 0, sizeof(md->m[slot]));
	md->m[slot].iova = iova;
	md->m[slot].length = len;
	md->m[slot].vaddr = 0x7f0000000000 + rnd() % MB(1);
	assert_int_equal(iofd_mt_insert(mt, &md->m[slot]), 0);
	md->in[slot] = true;
	for (p = (iova - md->base) / U; p < (iova - md->base + len) / U; p++)
		md->used[p] = slot;
}

static void model_unmap(struct model *md, struct iofd_mapping_table *mt, int slot)
{
	uint64_t p, iova = md->m[slot].iova, len = md->m[slot].length;

	iofd_mt_remove(mt, &md->m[slot]);
	md->in[slot] = false;
	for (p = (iova - md->base) / U; p < (iova - md->base + len) / U; p++)
		md->used[p] = -1;
}

/* Random page-granular ranges inside the space, with holes between. */
static size_t random_ranges(const struct model *md, struct iofd_iova_range *r, bool *usable)
{
	uint64_t cut[8];
	size_t n, i, j;

	memset(usable, 0, PAGES * sizeof(*usable));
	switch (rnd() % 8) {
	case 0:
		return 0;
	case 1:
		r[0].start = md->base;
		r[0].last = md->base + PAGES * U - 1;
		for (i = 0; i < PAGES; i++)
			usable[i] = true;
		return 1;
	}
	n = 1 + rnd() % 4;
	/* 2n distinct page boundaries in [0, PAGES], sorted */
	for (i = 0; i < 2 * n; i++) {
		uint64_t c;
		bool dup;

		do {
			c = rnd() % (PAGES + 1);
			if (i == 0 && rnd() % 3 == 0)
				c = 0;
			if (i == 2 * n - 1 && rnd() % 3 == 0)
				c = PAGES;
			dup = false;
			for (j = 0; j < i; j++)
				dup |= cut[j] == c;
		} while (dup);
		for (j = i; j > 0 && cut[j - 1] > c; j--)
			cut[j] = cut[j - 1];
		cut[j] = c;
	}
	for (i = 0; i < n; i++) {
		r[i].start = page_addr(md, cut[2 * i]);
		r[i].last = page_addr(md, cut[2 * i + 1]) - 1;
		for (j = cut[2 * i]; j < cut[2 * i + 1]; j++)
			usable[j] = true;
	}
	return n;
}

static uint64_t random_align(void)
{
	static const uint64_t a[] = { 0, 1, KB(4), KB(8), KB(16), KB(64), MB(1) };

	return a[rnd() % (sizeof(a) / sizeof(a[0]))];
}

static void check_finds(const struct fixture *f, const struct model *md)
{
	int k;

	for (k = 0; k < 3; k++) {
		uint64_t len = U * (1 + rnd() % (k == 2 ? 64 : 8)), align = random_align();
		uint64_t hint = rnd() % 2 ? 0 : md->base + rnd() % (PAGES * U);
		uint64_t w1 = 1, w2 = 2;
		int r1, r2;

		if (rnd() % 16 == 0)
			len += 512;
		r1 = iofd_iova_alloc_find(&f->a, &f->mt, len, align, hint, &w1);
		r2 = model_find(md, len, align, hint, &w2);
		assert_int_equal(r1, r2);
		if (!r1) {
			assert_true(w1 == w2);
			assert_int_equal(iofd_iova_alloc_check(&f->a, &f->mt, w1, len), 0);
		}
	}
}

static void run_differential(struct fixture *f, uint64_t seed, uint64_t base)
{
	struct model *md = calloc(1, sizeof(*md));
	struct iofd_iova_range r[4];
	size_t op, i, fixed = 0, allocated = 0, refused = 0, replaced = 0, errs[5] = { 0 };

	assert_non_null(md);
	rng = seed;
	md->base = base;
	md->align = U;
	for (i = 0; i < PAGES; i++) {
		md->usable[i] = true;
		md->used[i] = -1;
	}
	r[0].start = base;
	r[0].last = base + PAGES * U - 1;
	assert_int_equal(set(f, r, 1, U), 0);

	for (op = 0; op < OPS; op++) {
		int slot = rnd() % SLOTS;
		unsigned int what = rnd() % 16;

		if (md->in[slot] && what < 6) {
			model_unmap(md, &f->mt, slot);
		} else if (!md->in[slot] && what < 10) {
			/* at a fixed IOVA: mostly sensible, sometimes not */
			uint64_t iova = base + (rnd() % PAGES) * U, len = U * (1 + rnd() % 16);
			int want, got;

			switch (rnd() % 16) {
			case 0: iova += 512; break;
			case 1: len += 512; break;
			case 2: len = 0; break;
			case 3: len = U * PAGES; break;		/* wraps at the top */
			case 4: iova = base - U * (1 + rnd() % 4); break;
			case 5: len = UINT64_MAX - rnd() % U; break;	/* wraps */
			}
			want = model_check(md, iova, len);
			got = iofd_iova_alloc_check(&f->a, &f->mt, iova, len);
			assert_int_equal(got, want);
			switch (got) {
			case 0: errs[0]++; break;
			case -EINVAL: errs[1]++; break;
			case -EOVERFLOW: errs[2]++; break;
			case -ERANGE: errs[3]++; break;
			case -EEXIST: errs[4]++; break;
			}
			if (!got) {
				model_map(md, &f->mt, slot, iova, len);
				fixed++;
			}
		} else if (!md->in[slot] && what < 15) {
			/* at an allocated IOVA */
			uint64_t len = U * (1 + rnd() % 16), align = random_align(), x1 = 0, x2 = 0;
			uint64_t hint = rnd() % 2 ? 0 : base + rnd() % (PAGES * U);
			int r1 = iofd_iova_alloc_find(&f->a, &f->mt, len, align, hint, &x1);
			int r2 = model_find(md, len, align, hint, &x2);

			assert_int_equal(r1, r2);
			if (!r1) {
				assert_true(x1 == x2);
				model_map(md, &f->mt, slot, x1, len);
				allocated++;
			}
		} else {
			/* new usable ranges and alignment, as after an attach */
			bool usable[PAGES];
			size_t n = random_ranges(md, r, usable);
			uint64_t align = rnd() % 4 ? md->align : (md->align == U ? 2 * U : U);
			int want = 0, got;

			for (i = 0; i < PAGES; i++)
				if (md->used[i] >= 0 && !usable[i])
					want = -EADDRINUSE;
			for (i = 0; i < SLOTS && align > md->align; i++)
				if (md->in[i] && ((md->m[i].iova | md->m[i].length) & (align - 1)))
					want = -EADDRINUSE;
			got = set(f, r, n, align);
			assert_int_equal(got, want);
			if (!got) {
				memcpy(md->usable, usable, sizeof(usable));
				md->align = align;
				replaced++;
			} else {
				refused++;
			}
		}
		check_finds(f, md);
	}
	/* Every path was taken. */
	assert_true(fixed > 100 && allocated > 100 && replaced > 50 && refused > 50);
	for (i = 0; i < 5; i++)
		assert_true(errs[i] > 10);
	print_message("  %zu fixed, %zu allocated, ranges replaced %zu / refused %zu; "
		      "check: %zu ok, %zu EINVAL, %zu EOVERFLOW, %zu ERANGE, %zu EEXIST\n",
		      fixed, allocated, replaced, refused, errs[0], errs[1], errs[2],
		      errs[3], errs[4]);
	iofd_mt_clear(&f->mt, NULL, NULL);
	free(md);
}

static void random_ops_match_the_model_at_zero(void **state)
{
	run_differential(*state, 0x5eed, 0);
}

static void random_ops_match_the_model_at_the_top(void **state)
{
	run_differential(*state, 0xc0ffee, UINT64_MAX - PAGES * U + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(starts_with_everything_usable, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_ranges_are_einval_and_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(adjacent_ranges_are_merged, setup, teardown),
		cmocka_unit_test_setup_teardown(ranges_that_strand_a_mapping_are_eaddrinuse, setup, teardown),
		cmocka_unit_test_setup_teardown(growing_alignment_refuses_misaligned_mappings, setup, teardown),
		cmocka_unit_test_setup_teardown(fixed_iova_errnos_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(fixed_iova_may_use_zero_and_the_top, setup, teardown),
		cmocka_unit_test_setup_teardown(find_is_first_fit_but_never_at_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(find_bad_arguments_are_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(find_never_reaches_the_top, setup, teardown),
		cmocka_unit_test_setup_teardown(find_with_a_hint_looks_above_it_first, setup, teardown),
		cmocka_unit_test_setup_teardown(windows_never_straddle_a_hole, setup, teardown),
		cmocka_unit_test_setup_teardown(allocating_until_full_fills_every_range, setup, teardown),
		cmocka_unit_test_setup_teardown(random_ops_match_the_model_at_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(random_ops_match_the_model_at_the_top, setup, teardown),
	};

	return cmocka_run_group_tests_name("iova_alloc", tests, NULL, NULL);
}
