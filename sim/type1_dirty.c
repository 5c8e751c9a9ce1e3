// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Dirty page tracking of VFIO's type1 IOMMU (vfio_iommu_type1.c, v2 only):
 * VFIO_IOMMU_DIRTY_PAGES (START, STOP, GET_BITMAP) and the bitmap that
 * UNMAP_DMA with GET_DIRTY_BITMAP fills (type1.c).
 *
 * What the kernel reports: type1 cannot see a device's writes. Only pages
 * pinned through vfio_pin_pages() (mdev-style emulated devices) are
 * tracked; a group of real, IOMMU-backed devices (a vfio-pci device) makes
 * the container's scope "not pinned" (num_non_pinned_groups), and then
 * every page of every mapping is reported dirty at every read. The
 * simulator has only such groups: whatever the simulated DMA did, every
 * mapped page reads dirty.
 *
 * How it is reported, exactly as 6.12 does it (the lab checks it), with
 * each mapping's own bitmap (one bit per smallest page, plus a spare word),
 * kept from START (or from its MAP while tracking) to STOP or its unmap:
 * a read sets the mapping's bits; when its first page falls inside a u64
 * word of the user's bitmap (bit i is the page at the range's base + i
 * pages), the mapping's bitmap is shifted there in place and its first
 * word ORed with the whole word the user's buffer holds; then whole words
 * are copied out, from that word to the one holding the last bit, so the
 * rest of the last word reads 0, whatever the buffer held. A read then
 * clears the mapping's own bits [0, pages) only: what the shift pushed
 * past them, and what the OR brought in, stays, and comes back shifted
 * again at the next read. So, after the first read, bits past a mapping
 * that starts inside a word read dirty although nothing is mapped there.
 * Words of the user's bitmap that no mapping touches are not written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kversion.h"
#include "type1.h"
#include "uapi/vfio.h"

/* Bitmaps of up to 2^31 bits (DIRTY_BITMAP_PAGES_MAX); bytes as u64 words. */
#define DIRTY_BITMAP_PAGES_MAX ((uint64_t)INT32_MAX)
#define DIRTY_BITMAP_BYTES(n) ((((n) + 63) & ~63ull) / 8)
#define DIRTY_BITMAP_SIZE_MAX DIRTY_BITMAP_BYTES(DIRTY_BITMAP_PAGES_MAX)

/* x86-64 with 4-level page tables: USER_PTR_MAX is TASK_SIZE_MAX. */
#define USER_PTR_MAX 0x7ffffffff000ull

bool sim_t1_access_ok(uint64_t ptr, uint64_t size)
{
	uint64_t sum = ptr + size;

	return sum <= USER_PTR_MAX && sum >= ptr;
}

int sim_t1_verify_bitmap_size(uint64_t npages, uint64_t bitmap_size)
{
	if (!npages || !bitmap_size || bitmap_size > DIRTY_BITMAP_SIZE_MAX ||
	    bitmap_size < DIRTY_BITMAP_BYTES(npages))
		return -EINVAL;
	return 0;
}

/* The mapping's pages at the smallest page size. */
static uint64_t area_pages(const struct sim_t1 *t1, const struct sim_area *a)
{
	return (a->node.last - a->node.start + 1) >> __builtin_ctzll(sim_t1_pgsize(t1));
}

/* bitmap_set()/bitmap_clear() of bits [0, n), within the allocation. */
static void bits_first(struct sim_area *a, uint64_t n, bool set)
{
	for (uint64_t w = 0; w < a->dirty_words && w * 64 < n; w++) {
		uint64_t mask = n - w * 64 >= 64 ? ~0ull : (1ull << (n - w * 64)) - 1;

		a->dirty[w] = set ? a->dirty[w] | mask : a->dirty[w] & ~mask;
	}
}

int sim_t1_dirty_alloc(struct sim_t1 *t1, struct sim_area *a)
{
	uint64_t npages = area_pages(t1, a);

	if (npages > DIRTY_BITMAP_PAGES_MAX)
		return -EINVAL;
	/* A spare word for the shift (vfio_dma_bitmap_alloc()). */
	a->dirty = sim_zalloc(t1->sim, (DIRTY_BITMAP_BYTES(npages) / 8 + 1) * 8);
	if (!a->dirty)
		return -ENOMEM;
	a->dirty_words = DIRTY_BITMAP_BYTES(npages) / 8 + 1;
	return 0;
}

void sim_t1_dirty_free(struct sim_area *a)
{
	free(a->dirty);
	a->dirty = NULL;
	a->dirty_words = 0;
}

void sim_t1_dirty_fill(struct sim_t1 *t1)
{
	struct itree_node *n;

	itree_for_each(n, &t1->iopt.areas, 0, UINT64_MAX) {
		struct sim_area *a = itree_entry(n, struct sim_area, node);

		if (a->dirty)
			bits_first(a, area_pages(t1, a), true);
	}
}

int sim_t1_report_dirty(struct sim_t1 *t1, uint64_t ubitmap, uint64_t base, struct sim_area *a)
{
	unsigned int pgshift = (unsigned int)__builtin_ctzll(sim_t1_pgsize(t1));
	uint64_t nbits = area_pages(t1, a), bit = (a->node.start - base) >> pgshift;
	uint64_t shift = bit % 64, at = ubitmap + bit / 64 * 8;
	uint64_t nwords = DIRTY_BITMAP_BYTES(nbits + shift) / 8, leftover;

	if (!a->dirty || nwords > a->dirty_words)
		return -EFAULT;	/* (cannot happen: tracking gives every mapping one) */
	/* Every page: a group the IOMMU backs dirties memory unseen. */
	bits_first(a, nbits, true);
	if (shift) {
		/* __bitmap_shift_left(), in place, over the words nbits + shift need */
		for (uint64_t k = nwords; k--;)
			a->dirty[k] = (a->dirty[k] << shift) |
				      (k ? a->dirty[k - 1] >> (64 - shift) : 0);
		if (sim_copy_from_user(t1->sim, &leftover, at, sizeof(leftover)))
			return -EFAULT;
		a->dirty[0] |= leftover;
	}
	return sim_copy_to_user(t1->sim, at, a->dirty, nwords * 8) ? -EFAULT : 0;
}

/* DIRTY_PAGES_FLAG_GET_BITMAP: the range covers whole mappings. */
static int get_bitmap(struct sim_t1 *t1, const struct iofd_u_vfio_iommu_type1_dirty_bitmap_get *g)
{
	uint64_t last = g->iova + g->size - 1;
	struct itree_node *n;

	n = itree_iter_first(&t1->iopt.areas, g->iova, g->iova);
	if (n && n->start != g->iova)
		return -EINVAL;
	n = itree_iter_first(&t1->iopt.areas, last, last);
	if (n && n->last != last)
		return -EINVAL;
	itree_for_each(n, &t1->iopt.areas, g->iova, last) {
		struct sim_area *a = itree_entry(n, struct sim_area, node);
		int r = sim_t1_report_dirty(t1, (uint64_t)(uintptr_t)g->bitmap.data, g->iova, a);

		if (r < 0)
			return r;
		/* Only the mapping's own bits are cleared (no pinned page to put back). */
		bits_first(a, area_pages(t1, a), false);
	}
	return 0;
}

static void free_all(struct sim_t1 *t1)
{
	struct itree_node *n;

	itree_for_each(n, &t1->iopt.areas, 0, UINT64_MAX)
		sim_t1_dirty_free(itree_entry(n, struct sim_area, node));
}

/* vfio_dma_bitmap_alloc_all(): all or none. */
static int alloc_all(struct sim_t1 *t1)
{
	struct itree_node *n;

	itree_for_each(n, &t1->iopt.areas, 0, UINT64_MAX) {
		int r = sim_t1_dirty_alloc(t1, itree_entry(n, struct sim_area, node));

		if (r < 0) {
			free_all(t1);
			return r;
		}
	}
	return 0;
}

int sim_t1_dirty_pages(struct sim_t1 *t1, uint64_t arg)
{
	const uint32_t mask = IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
			      IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP |
			      IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	const size_t minsz = offsetof(struct iofd_u_vfio_iommu_type1_dirty_bitmap, data);
	struct iofd_u_vfio_iommu_type1_dirty_bitmap_get range;
	struct iofd_u_vfio_iommu_type1_dirty_bitmap dirty;
	struct iofd_sim *sim = t1->sim;
	uint64_t pgsize, bpgsize;
	int r;

	if (!t1->v2)
		return -EACCES;
	if (sim_copy_from_user(sim, &dirty, arg, minsz))
		return -EFAULT;
	if (dirty.argsz < minsz || (dirty.flags & ~mask))
		return -EINVAL;
	/* Exactly one flag (none falls through to EINVAL as well). */
	if (!dirty.flags || (dirty.flags & (dirty.flags - 1)))
		return -EINVAL;
	if (dirty.flags & IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_START) {
		if (t1->dirty_tracking)
			return 0;
		r = alloc_all(t1);
		if (r == 0)
			t1->dirty_tracking = true;
		return r;
	}
	if (dirty.flags & IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP) {
		if (t1->dirty_tracking) {
			t1->dirty_tracking = false;
			free_all(t1);
		}
		return 0;
	}
	/* GET_BITMAP */
	if (dirty.argsz - minsz < sizeof(range))
		return -EINVAL;
	if (sim_copy_from_user(sim, &range, arg + minsz, sizeof(range)))
		return -EFAULT;
	if (range.iova + range.size < range.iova)
		return -EINVAL;
	if (!sim_t1_access_ok((uint64_t)(uintptr_t)range.bitmap.data, range.bitmap.size))
		return -EINVAL;
	bpgsize = range.bitmap.pgsize & -range.bitmap.pgsize;
	if (sim_t1_verify_bitmap_size(bpgsize ? range.size / bpgsize : range.size,
				      range.bitmap.size))
		return -EINVAL;
	pgsize = sim_t1_pgsize(t1);
	if (range.bitmap.pgsize != pgsize || (range.iova & (pgsize - 1)) || !range.size ||
	    (range.size & (pgsize - 1)))
		return -EINVAL;
	if (!t1->dirty_tracking)
		return -EINVAL;
	return get_bitmap(t1, &range);
}
