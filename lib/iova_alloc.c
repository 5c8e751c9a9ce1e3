// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The IOVA allocator: usable ranges and alignment of an IOAS, and the
 * fixed-IOVA check, over the mapping table's free-window search. See
 * iova_alloc.h for the rules and errnos.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "iova_alloc.h"

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

int iofd_iova_alloc_init(struct iofd_iova_alloc *a)
{
	struct iofd_iova_range *r = malloc(sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->start = 0;
	r->last = UINT64_MAX;
	a->ranges = r;
	a->n_ranges = 1;
	a->alignment = 1;
	return 0;
}

void iofd_iova_alloc_fini(struct iofd_iova_alloc *a)
{
	if (!a)
		return;
	free(a->ranges);
	a->ranges = NULL;
	a->n_ranges = 0;
}

size_t iofd_iova_alloc_ranges(const struct iofd_iova_alloc *a,
			      const struct iofd_iova_range **ret)
{
	*ret = a->ranges;
	return a->n_ranges;
}

/* Does any mapping intersect [first, last]? */
static bool used(const struct iofd_mapping_table *mt, uint64_t first, uint64_t last)
{
	return iofd_mt_range_first(mt, first, last) != NULL;
}

int iofd_iova_alloc_set_ranges(struct iofd_iova_alloc *a,
			       const struct iofd_mapping_table *mt,
			       const struct iofd_iova_range *ranges, size_t n,
			       uint64_t alignment)
{
	struct iofd_iova_range *nr = NULL;
	const struct iofd_mapping *m;
	size_t i, k = 0;

	if (!is_pow2(alignment) || (n && !ranges))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (ranges[i].start > ranges[i].last)
			return -EINVAL;
		if (i && ranges[i].start <= ranges[i - 1].last)
			return -EINVAL;
	}

	/* The holes between the new ranges must be free of mappings. */
	if (n == 0) {
		if (iofd_mt_count(mt))
			return -EADDRINUSE;
	} else {
		if (ranges[0].start > 0 && used(mt, 0, ranges[0].start - 1))
			return -EADDRINUSE;
		for (i = 1; i < n; i++)
			if (ranges[i].start > ranges[i - 1].last + 1 &&
			    used(mt, ranges[i - 1].last + 1, ranges[i].start - 1))
				return -EADDRINUSE;
		if (ranges[n - 1].last < UINT64_MAX &&
		    used(mt, ranges[n - 1].last + 1, UINT64_MAX))
			return -EADDRINUSE;
	}
	if (alignment > a->alignment)
		for (m = iofd_mt_first(mt); m; m = iofd_mt_next(m))
			if ((m->iova | m->length) & (alignment - 1))
				return -EADDRINUSE;

	if (n) {
		nr = malloc(n * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		for (i = 0; i < n; i++) {
			if (k && ranges[i].start == nr[k - 1].last + 1)
				nr[k - 1].last = ranges[i].last;	/* adjacent: merge */
			else
				nr[k++] = ranges[i];
		}
	}
	free(a->ranges);
	a->ranges = nr;
	a->n_ranges = k;
	a->alignment = alignment;
	return 0;
}

int iofd_iova_alloc_check(const struct iofd_iova_alloc *a,
			  const struct iofd_mapping_table *mt,
			  uint64_t iova, uint64_t length)
{
	int r = iofd_iova_alloc_check_range(a, iova, length);

	if (r == 0 && used(mt, iova, iova + (length - 1)))
		r = -EEXIST;
	return r;
}

/* The lowest window in the usable ranges intersected with [floor, ceiling]. */
static int find_in(const struct iofd_iova_alloc *a,
		   const struct iofd_mapping_table *mt, uint64_t floor,
		   uint64_t ceiling, uint64_t length, uint64_t align,
		   uint64_t *iova_ret)
{
	size_t i;

	for (i = 0; i < a->n_ranges; i++) {
		uint64_t lo = a->ranges[i].start, hi = a->ranges[i].last;

		if (hi < floor)
			continue;
		if (lo > ceiling)
			break;
		if (lo < floor)
			lo = floor;
		if (hi > ceiling)
			hi = ceiling;
		if (hi - lo < length - 1)
			continue;
		if (iofd_mt_find_free(mt, lo, hi, length, align, iova_ret) == 0)
			return 0;
	}
	return -ENOSPC;
}

int iofd_iova_alloc_find(const struct iofd_iova_alloc *a,
			 const struct iofd_mapping_table *mt, uint64_t length,
			 uint64_t align, uint64_t hint, uint64_t *iova_ret)
{
	uint64_t floor = 1, ceiling = UINT64_MAX - 1;

	if (!length || (align && !is_pow2(align)) || (length & (a->alignment - 1)))
		return -EINVAL;
	if (align < a->alignment)
		align = a->alignment;
	if (hint > floor) {
		if (find_in(a, mt, hint, ceiling, length, align, iova_ret) == 0)
			return 0;
		/* Then only windows starting below the hint. */
		if (hint - 1 <= ceiling - (length - 1))
			ceiling = hint - 1 + (length - 1);
	}
	return find_in(a, mt, floor, ceiling, length, align, iova_ret);
}
