/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The IOVA allocator of an IOAS: its usable IOVA ranges and alignment, as the
 * kernel reports them (IOMMU_IOAS_IOVA_RANGES and out_iova_alignment on
 * iommufd; the IOVA_RANGE capability and the smallest page size in
 * iova_pgsizes on type1), checked against the IOAS's mapping table.
 *
 * The usable ranges narrow (and the alignment, the largest minimum page size
 * of the attached domains, grows) as devices attach, and widen again as they
 * detach: the IOAS re-reads them after every attach and detach and replaces
 * them here. Every call takes the mapping table it checks against; the IOAS
 * calls them under its lock (the write side for set_ranges, either side for
 * the others, which only read).
 *
 * Errnos, the library's uniform semantics for every backend:
 *  -EINVAL       bad arguments: length 0, an alignment that is not a power
 *                of two, an IOVA or length that is not a multiple of the
 *                IOAS's alignment, unsorted or overlapping ranges
 *  -EOVERFLOW    iova + length - 1 wraps past UINT64_MAX
 *  -ERANGE       a fixed IOVA window not inside one usable range
 *  -EEXIST       a fixed IOVA window overlaps a mapping
 *  -ENOSPC       no free window for an allocation
 *  -EADDRINUSE   new ranges or alignment that an existing mapping would
 *                violate (the kernel's own answer to an attach that collides,
 *                iopt_reserve_iova() / iopt_check_iova_alignment())
 */
#ifndef IOFD_IOVA_ALLOC_H
#define IOFD_IOVA_ALLOC_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "libiommufd.h"
#include "mapping_table.h"

/* struct iofd_iova_range, an inclusive range [start, last], is public. */

struct iofd_iova_alloc {
	struct iofd_iova_range *ranges;	/* sorted, disjoint, not adjacent */
	size_t n_ranges;
	uint64_t alignment;		/* a power of two */
};

/* Usable: all of [0, UINT64_MAX]; alignment 1. Return 0 or -ENOMEM. */
int iofd_iova_alloc_init(struct iofd_iova_alloc *a);

/* Free the ranges; @a may then be init'ed again. NULL is fine. */
void iofd_iova_alloc_fini(struct iofd_iova_alloc *a);

/*
 * Replace the usable ranges and the alignment. @ranges (@n of them, n may be
 * 0: nothing usable) must be sorted by start, each start <= last, disjoint;
 * adjacent ranges are merged. Every mapping of @mt must lie inside one new
 * range. When @alignment grows, every mapping's iova and length must be a
 * multiple of it (mappings are taken to honour the current alignment, which
 * iofd_iova_alloc_check() enforces; so the O(n) walk happens only when it
 * grows).
 * Return: 0; -EINVAL; -EADDRINUSE a mapping collides; -ENOMEM. On failure
 * nothing changed.
 * Cost: O(r log n) for r ranges, plus O(n) when the alignment grows.
 */
int iofd_iova_alloc_set_ranges(struct iofd_iova_alloc *a,
			       const struct iofd_mapping_table *mt,
			       const struct iofd_iova_range *ranges, size_t n,
			       uint64_t alignment);

/* The usable ranges (sorted, merged) in *@ret; returns how many. */
size_t iofd_iova_alloc_ranges(const struct iofd_iova_alloc *a,
			      const struct iofd_iova_range **ret);

static inline uint64_t iofd_iova_alloc_alignment(const struct iofd_iova_alloc *a)
{
	return a->alignment;
}

/*
 * iofd_iova_alloc_check() without the overlap check, for a caller whose
 * insertion into the table checks that anyway: -EINVAL, -EOVERFLOW,
 * -EINVAL, -ERANGE, in that order. Inline: the map path's. O(r), a scan:
 * the ranges are the few pieces reserved regions leave (2 on VT-d, the MSI
 * window out; a few more with RMRRs or host bridge windows), and a scan
 * that usually stops at the first costs less than a binary search.
 */
static inline int iofd_iova_alloc_check_range(const struct iofd_iova_alloc *a, uint64_t iova,
					      uint64_t length)
{
	const struct iofd_iova_range *r = a->ranges, *end = a->ranges + a->n_ranges;
	int err = iofd_mt_check_range(iova, length);

	if (err < 0)
		return err;
	if ((iova | length) & (a->alignment - 1))
		return -EINVAL;
	while (r < end && r->last < iova)
		r++;
	/* The first range not wholly below iova must hold the window. */
	if (r == end || r->start > iova || r->last < iova + (length - 1))
		return -ERANGE;
	return 0;
}

/*
 * May [iova, iova + length) be mapped at that fixed IOVA? Checked in this
 * order: -EINVAL length 0; -EOVERFLOW iova + length - 1 wraps; -EINVAL iova
 * or length not a multiple of the alignment; -ERANGE the window is not
 * inside one usable range; -EEXIST it overlaps a mapping. 0: yes.
 * Cost: O(r + log n).
 */
int iofd_iova_alloc_check(const struct iofd_iova_alloc *a,
			  const struct iofd_mapping_table *mt,
			  uint64_t iova, uint64_t length);

/*
 * Find a free window of @length bytes whose start is a multiple of @align
 * (0: the IOAS's alignment; smaller than the IOAS's alignment: raised to
 * it), inside one usable range, overlapping no mapping: the lowest such
 * window at or above @hint, else the lowest at all (0: simply the lowest).
 * Like the kernel's own allocator, it never returns a window containing IOVA
 * 0 (a driver may take 0 for "no address") or UINT64_MAX (so iova + length
 * never wraps); a fixed IOVA may use both.
 * Return: 0 and *@iova_ret; -EINVAL length 0, @align not a power of two, or
 * @length not a multiple of the alignment; -ENOSPC no window.
 * Cost: O(r (1 + g) log n), twice that with a hint; g as in
 * iofd_mt_find_free(), 0 when every mapping honours @align.
 */
int iofd_iova_alloc_find(const struct iofd_iova_alloc *a,
			 const struct iofd_mapping_table *mt, uint64_t length,
			 uint64_t align, uint64_t hint, uint64_t *iova_ret);

#endif
