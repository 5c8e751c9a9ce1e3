/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library's own table of an IOAS's mappings, shared by every backend.
 *
 * A mapping is [iova, iova + length) in the IOAS, backed by the caller's
 * memory at [vaddr, vaddr + length). Mappings never overlap in IOVA; they may
 * overlap in vaddr (one buffer mapped at two IOVAs, or a buffer and a part of
 * it). Ranges are kept as inclusive [first, last], so a mapping may end at
 * the top of the address space (last == UINT64_MAX) but its last byte may not
 * wrap: iova + length - 1 (or vaddr + length - 1) past UINT64_MAX is
 * -EOVERFLOW, the kernel's own rule (check_add_overflow(iova, length - 1) in
 * iommufd; "iova + size - 1 < iova" in type1).
 *
 * Two balanced (AVL) trees thread through every mapping, intrusively, so the
 * table never allocates and insertion cannot fail for want of memory:
 *  - by IOVA, augmented with each subtree's span and the largest free gap
 *    between two of its mappings (for the IOVA allocator);
 *  - by (vaddr, iova), augmented with each subtree's highest last vaddr (an
 *    interval tree), so a stabbing query by user address is O(log n) even
 *    with overlapping vaddr ranges. A mapping joins this one lazily, at the
 *    first lookup by user address after its insertion (iofd_mt_index_vaddr()).
 * The caller allocates each struct iofd_mapping, fills the public fields,
 * inserts it, and frees it after removing it.
 *
 * Threads: the table has no lock of its own. The IOAS holds its rwlock
 * (lib/rwlock.h) around it: insert, remove, clear and index_vaddr under the
 * write side; every other call here only reads (no splaying, no caching, no
 * hidden writes), so any number of threads may look up and translate
 * concurrently under the read side.
 *
 * Complexity (n mappings, k results): insert O(log n) (the IOVA tree; the
 * vaddr tree's O(log n) when indexed), remove, every find and translate
 * O(log n); iteration O(log n) per step (O(1) amortised for iofd_mt_next
 * over the whole table); iofd_mt_range_check O(log n); iofd_mt_find_free
 * O((1 + g) log n), see there; iofd_mt_clear O(n).
 */
#ifndef IOFD_MAPPING_TABLE_H
#define IOFD_MAPPING_TABLE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "avl.h"

/* Mapping permissions, as the IOAS records them (the table only stores them). */
#define IOFD_MT_READ	(1u << 0)
#define IOFD_MT_WRITE	(1u << 1)

struct iofd_mapping {
	/* Set by the caller before iofd_mt_insert(); constant while inserted. */
	uint64_t iova;
	uint64_t length;
	uint64_t vaddr;		/* the user address behind iova */
	uint32_t flags;		/* IOFD_MT_READ | IOFD_MT_WRITE; not interpreted here */
	void *cookie;		/* the backend's, never touched by the table */

	/* Private to mapping_table.c. */
	struct iofd_avl_node iova_node;
	struct iofd_avl_node vaddr_node;
	uint64_t sub_first;	/* IOVA tree: the subtree's lowest IOVA */
	uint64_t sub_last;	/* IOVA tree: the subtree's highest last IOVA */
	uint64_t sub_gap;	/* IOVA tree: largest free gap between two of its mappings */
	uint64_t sub_vlast;	/* vaddr tree: the subtree's highest last vaddr */
};

struct iofd_mapping_table {
	struct iofd_avl_node *iova_root;
	struct iofd_avl_node *vaddr_root;
	/* Mappings inserted since the vaddr tree was last indexed: a list
	 * through their vaddr_node (left: previous, right: next; height 0
	 * marks one), see iofd_mt_index_vaddr(). */
	struct iofd_avl_node *vaddr_pending;
	size_t count;
	uint64_t bytes;		/* sum of lengths, modulo 2^64 */
};

/* The mapping a node of the IOVA tree / of the vaddr tree is in. */
static inline struct iofd_mapping *iofd_mt_iova_m(const struct iofd_avl_node *n)
{
	return (struct iofd_mapping *)(void *)((char *)n - offsetof(struct iofd_mapping, iova_node));
}

static inline struct iofd_mapping *iofd_mt_vaddr_m(const struct iofd_avl_node *n)
{
	return (struct iofd_mapping *)(void *)((char *)n - offsetof(struct iofd_mapping, vaddr_node));
}

/* An empty table (equivalently: zero-initialise it). */
void iofd_mt_init(struct iofd_mapping_table *mt);

/* The last IOVA / vaddr byte of @m. */
static inline uint64_t iofd_mapping_last(const struct iofd_mapping *m)
{
	return m->iova + m->length - 1;
}

static inline uint64_t iofd_mapping_vlast(const struct iofd_mapping *m)
{
	return m->vaddr + m->length - 1;
}

/*
 * Insert @m (its iova, length, vaddr set; not in any table).
 * Return: 0; -EINVAL length 0; -EOVERFLOW iova or vaddr + length - 1 wraps;
 * -EEXIST @m overlaps a mapping's IOVA range. On failure nothing changed.
 * Inline, as iofd_mt_remove(), at the end of this file.
 */
static inline int iofd_mt_insert(struct iofd_mapping_table *mt, struct iofd_mapping *m);

/* Remove @m, which must be in @mt. The caller then owns (frees) it. */
static inline void iofd_mt_remove(struct iofd_mapping_table *mt, struct iofd_mapping *m);

/*
 * Remove the mapping that is exactly [iova, iova + length) and return it in
 * @ret (optional). -ENOENT (nothing changed) when no mapping is exactly that.
 */
int iofd_mt_remove_exact(struct iofd_mapping_table *mt, uint64_t iova,
			 uint64_t length, struct iofd_mapping **ret);

/*
 * Remove every mapping, calling @fn (may be NULL) on each after it left the
 * table (so @fn may free it). O(n), no rebalancing. Do not touch @mt in @fn.
 */
void iofd_mt_clear(struct iofd_mapping_table *mt,
		   void (*fn)(struct iofd_mapping *m, void *arg), void *arg);

/* The number of mappings. */
static inline size_t iofd_mt_count(const struct iofd_mapping_table *mt)
{
	return mt->count;
}

/* The bytes mapped (sum of lengths). Saturates at UINT64_MAX: only the whole
 * 2^64-byte space, covered by two or more mappings, would not fit. */
uint64_t iofd_mt_bytes(const struct iofd_mapping_table *mt);

/*
 * The vaddr tree is indexed lazily: a mapping joins it at the first lookup
 * by user address after its insertion, not at insertion. A driver that maps
 * and unmaps a buffer per I/O, and never asks for an IOVA by user address,
 * never pays for it; a table translated between maps indexes each mapping
 * once, as before.
 *
 * iofd_mt_index_vaddr() adds every pending mapping to the vaddr tree
 * (writes: the IOAS's write side). O(k log n) for k pending.
 * iofd_mt_vaddr_indexed(): is there none pending? The lookups by user
 * address below (iofd_mt_find_vaddr(), iofd_mt_vaddr_next(),
 * iofd_mt_vaddr_to_iova()) see only indexed mappings: ask this first.
 */
void iofd_mt_index_vaddr(struct iofd_mapping_table *mt);

static inline bool iofd_mt_vaddr_indexed(const struct iofd_mapping_table *mt)
{
	return !mt->vaddr_pending;
}

/* ---- lookups (read only) ---- */

/* The mapping containing @iova, or NULL. */
struct iofd_mapping *iofd_mt_find_iova(const struct iofd_mapping_table *mt,
				       uint64_t iova);

/* The mapping that is exactly [iova, iova + length), or NULL. Inline: the
 * unmap path's one lookup. Mappings never share an IOVA, so a plain search
 * for @iova finds the only candidate. */
static inline struct iofd_mapping *iofd_mt_find_exact(const struct iofd_mapping_table *mt,
						      uint64_t iova, uint64_t length)
{
	const struct iofd_avl_node *n = mt->iova_root;

	while (n) {
		struct iofd_mapping *m = iofd_mt_iova_m(n);

		if (iova < m->iova)
			n = n->left;
		else if (iova > m->iova)
			n = n->right;
		else
			return m->length == length ? m : NULL;
	}
	return NULL;
}

/*
 * A mapping containing user address @vaddr, or NULL. When several do, the one
 * that starts lowest in vaddr, and among those the lowest IOVA: so for one
 * buffer mapped twice, the lower IOVA. The answer depends only on the set of
 * mappings, never on insertion order. iofd_mt_vaddr_next() visits the others.
 */
struct iofd_mapping *iofd_mt_find_vaddr(const struct iofd_mapping_table *mt,
					uint64_t vaddr);

/* After @m (which contains @vaddr), the next mapping containing @vaddr in
 * the same (vaddr, iova) order, or NULL. O(log n) per step. */
struct iofd_mapping *iofd_mt_vaddr_next(const struct iofd_mapping *m,
					uint64_t vaddr);

#define iofd_mt_foreach_vaddr(mt, m, va) \
	for ((m) = iofd_mt_find_vaddr((mt), (va)); (m); \
	     (m) = iofd_mt_vaddr_next((m), (va)))

/*
 * Translate an address anywhere inside a mapping. @len_ret (optional): the
 * bytes from that address to the mapping's end, at least 1. vaddr→IOVA picks
 * the mapping iofd_mt_find_vaddr() does. -ENOENT when nothing maps it; the
 * out-parameters are then untouched.
 */
int iofd_mt_vaddr_to_iova(const struct iofd_mapping_table *mt, uint64_t vaddr,
			  uint64_t *iova_ret, uint64_t *len_ret);
int iofd_mt_iova_to_vaddr(const struct iofd_mapping_table *mt, uint64_t iova,
			  uint64_t *vaddr_ret, uint64_t *len_ret);

/* ---- IOVA order ---- */

/* The lowest / next mapping by IOVA, or NULL. To remove while iterating,
 * take the next one first. */
struct iofd_mapping *iofd_mt_first(const struct iofd_mapping_table *mt);
struct iofd_mapping *iofd_mt_next(const struct iofd_mapping *m);

/*
 * Mappings that intersect the inclusive range [first, last], by IOVA: the
 * first one, then the next after @m, or NULL. Partial overlaps at either end
 * are included (iofd_mt_range_check() tells whether there are any). Inclusive
 * bounds, so [0, UINT64_MAX] visits everything.
 */
struct iofd_mapping *iofd_mt_range_first(const struct iofd_mapping_table *mt,
					 uint64_t first, uint64_t last);
struct iofd_mapping *iofd_mt_range_next(const struct iofd_mapping *m,
					uint64_t last);

#define iofd_mt_foreach_range(mt, m, first, last) \
	for ((m) = iofd_mt_range_first((mt), (first), (last)); (m); \
	     (m) = iofd_mt_range_next((m), (last)))

/*
 * May [iova, iova + length) be unmapped as a whole, under the library's
 * uniform semantics? It may when it contains at least one mapping and cuts
 * none. Return: 0 yes; -EINVAL length 0; -EOVERFLOW iova + length - 1 wraps;
 * -ENOENT the range cuts a mapping (at either end) or contains none.
 */
int iofd_mt_range_check(const struct iofd_mapping_table *mt, uint64_t iova,
			uint64_t length);

/*
 * The lowest @align-aligned IOVA x in [lo, hi] such that [x, x + length - 1]
 * lies in [lo, hi] and overlaps no mapping.
 * Return: 0 and *@iova_ret; -EINVAL length 0, @align not a power of two, or
 * lo > hi; -ENOSPC no such window.
 * Cost: O((1 + g) log n), where g is the number of free gaps inside [lo, hi]
 * at least @length long that still cannot hold an aligned window. g is 0
 * when every mapping's iova and length and @lo are multiples of @align (an
 * IOAS whose mappings all honour its alignment, asked for that alignment).
 */
int iofd_mt_find_free(const struct iofd_mapping_table *mt, uint64_t lo,
		      uint64_t hi, uint64_t length, uint64_t align,
		      uint64_t *iova_ret);

/*
 * ---- insert and remove, inline: the map path's ----
 *
 * Everything below is the table's own (mapping_table.c uses it too); a
 * caller uses only iofd_mt_insert() and iofd_mt_remove(). Inline, a map or
 * an unmap through the IOAS makes no call into the table (bench/README.md:
 * under emulation every return is a lookup).
 */

static inline uint64_t iofd_mt_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* The IOVA tree's augment: span and largest inner gap. */
static inline void iofd_mt_iova_update(struct iofd_avl_node *n)
{
	struct iofd_mapping *m = iofd_mt_iova_m(n);
	uint64_t last = iofd_mapping_last(m);

	m->sub_first = m->iova;
	m->sub_last = last;
	m->sub_gap = 0;
	if (n->left) {
		const struct iofd_mapping *l = iofd_mt_iova_m(n->left);

		m->sub_first = l->sub_first;
		m->sub_gap = iofd_mt_max(l->sub_gap, m->iova - l->sub_last - 1);
	}
	if (n->right) {
		const struct iofd_mapping *r = iofd_mt_iova_m(n->right);

		m->sub_last = r->sub_last;
		m->sub_gap = iofd_mt_max(m->sub_gap,
					 iofd_mt_max(r->sub_gap, r->sub_first - last - 1));
	}
}

/* The vaddr tree's augment: the highest last vaddr in the subtree. */
static inline void iofd_mt_vaddr_update(struct iofd_avl_node *n)
{
	struct iofd_mapping *m = iofd_mt_vaddr_m(n);
	uint64_t v = iofd_mapping_vlast(m);

	if (n->left)
		v = iofd_mt_max(v, iofd_mt_vaddr_m(n->left)->sub_vlast);
	if (n->right)
		v = iofd_mt_max(v, iofd_mt_vaddr_m(n->right)->sub_vlast);
	m->sub_vlast = v;
}

/* [start, start + length) is a range: not empty, and its last byte does not wrap. */
static inline int iofd_mt_check_range(uint64_t start, uint64_t length)
{
	if (!length)
		return -EINVAL;
	if (length - 1 > UINT64_MAX - start)
		return -EOVERFLOW;
	return 0;
}

static inline int iofd_mt_insert(struct iofd_mapping_table *mt, struct iofd_mapping *m)
{
	struct iofd_avl_node *n, *parent = NULL;
	const struct iofd_mapping *below = NULL, *above = NULL;
	bool left = false;
	int r;

	r = iofd_mt_check_range(m->iova, m->length);
	if (r == 0)
		r = iofd_mt_check_range(m->vaddr, m->length);
	if (r < 0)
		return r;
	/*
	 * One descent finds where it goes and its neighbours: the mapping
	 * starting last at or below its IOVA, the one starting first above.
	 * Mappings are disjoint, so it overlaps one exactly when it overlaps
	 * either of those.
	 */
	for (n = mt->iova_root; n; n = left ? n->left : n->right) {
		const struct iofd_mapping *x = iofd_mt_iova_m(n);

		parent = n;
		left = m->iova < x->iova;
		if (left)
			above = x;
		else
			below = x;
	}
	if ((below && iofd_mapping_last(below) >= m->iova) ||
	    (above && above->iova <= iofd_mapping_last(m)))
		return -EEXIST;
	iofd_avl_link(&mt->iova_root, parent, left, &m->iova_node, iofd_mt_iova_update);

	/* The vaddr tree takes it when a lookup by user address needs it. */
	m->vaddr_node = (struct iofd_avl_node){ .right = mt->vaddr_pending };
	if (mt->vaddr_pending)
		mt->vaddr_pending->left = &m->vaddr_node;
	mt->vaddr_pending = &m->vaddr_node;

	mt->count++;
	mt->bytes += m->length;
	return 0;
}

static inline void iofd_mt_remove(struct iofd_mapping_table *mt, struct iofd_mapping *m)
{
	struct iofd_avl_node *v = &m->vaddr_node;

	iofd_avl_erase(&mt->iova_root, &m->iova_node, iofd_mt_iova_update);
	if (v->height) {
		iofd_avl_erase(&mt->vaddr_root, v, iofd_mt_vaddr_update);
	} else {
		/* still on the pending list: one unlink */
		if (v->left)
			v->left->right = v->right;
		else
			mt->vaddr_pending = v->right;
		if (v->right)
			v->right->left = v->left;
		v->left = v->right = NULL;
	}
	mt->count--;
	mt->bytes -= m->length;
}

#endif
