// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The mapping table: two intrusive AVL trees (lib/avl.h) over the same
 * mappings, one by IOVA (augmented with span and largest inner gap), one by
 * (vaddr, iova) (augmented with the highest last vaddr: an interval tree).
 * See mapping_table.h for the rules; insert and remove are there, inline.
 * Every insert and erase walks from the changed node to the root
 * recomputing heights and augments, so the augments are exact everywhere
 * after every change: O(log n), no early exit to get wrong. Lookups only
 * read.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hot.h"
#include "mapping_table.h"

#define IOVA_M(n) iofd_mt_iova_m(n)
#define VADDR_M(n) iofd_mt_vaddr_m(n)

/* ---- the IOVA tree's searches ---- */

/* The mapping with the highest iova <= @x, or NULL. */
static struct iofd_mapping *iova_floor(const struct iofd_mapping_table *mt, uint64_t x)
{
	const struct iofd_avl_node *n = mt->iova_root;
	struct iofd_mapping *best = NULL;

	while (n) {
		struct iofd_mapping *m = IOVA_M(n);

		if (m->iova <= x) {
			best = m;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

/* The mapping with the lowest iova >= @x, or NULL. */
static struct iofd_mapping *iova_ceil(const struct iofd_mapping_table *mt,
				      uint64_t x)
{
	const struct iofd_avl_node *n = mt->iova_root;
	struct iofd_mapping *best = NULL;

	while (n) {
		struct iofd_mapping *m = IOVA_M(n);

		if (m->iova >= x) {
			best = m;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

/* ---- the vaddr interval tree's searches (Linux's interval_tree_generic.h
 * stabbing query, with start == last == v) ---- */

/* The vaddr tree's order: (vaddr, iova); IOVAs are unique. */
static bool vaddr_before(const struct iofd_mapping *a, const struct iofd_mapping *b)
{
	return a->vaddr != b->vaddr ? a->vaddr < b->vaddr : a->iova < b->iova;
}

/* The first mapping in (vaddr, iova) order in @n's subtree containing @v;
 * the subtree's sub_vlast must be >= @v. */
static struct iofd_mapping *vaddr_subtree_search(const struct iofd_avl_node *n,
						 uint64_t v)
{
	for (;;) {
		const struct iofd_mapping *m;

		if (n->left && VADDR_M(n->left)->sub_vlast >= v) {
			n = n->left;
			continue;
		}
		m = VADDR_M(n);
		if (m->vaddr > v)
			return NULL;	/* this and all after start above v */
		if (iofd_mapping_vlast(m) >= v)
			return (struct iofd_mapping *)m;
		n = n->right;
		if (!n || VADDR_M(n)->sub_vlast < v)
			return NULL;
	}
}

/* ---- public ---- */

void iofd_mt_init(struct iofd_mapping_table *mt)
{
	mt->iova_root = NULL;
	mt->vaddr_root = NULL;
	mt->vaddr_pending = NULL;
	mt->count = 0;
	mt->bytes = 0;
}

uint64_t iofd_mt_bytes(const struct iofd_mapping_table *mt)
{
	/* Non-overlapping mappings total at most 2^64 bytes; the sum modulo
	 * 2^64 is 0 with mappings present only when they cover everything. */
	if (mt->count && !mt->bytes)
		return UINT64_MAX;
	return mt->bytes;
}

int iofd_mt_remove_exact(struct iofd_mapping_table *mt, uint64_t iova,
			 uint64_t length, struct iofd_mapping **ret)
{
	struct iofd_mapping *m = iofd_mt_find_exact(mt, iova, length);

	if (!m)
		return -ENOENT;
	iofd_mt_remove(mt, m);
	if (ret)
		*ret = m;
	return 0;
}

void iofd_mt_index_vaddr(struct iofd_mapping_table *mt)
{
	while (mt->vaddr_pending) {
		struct iofd_avl_node *v = mt->vaddr_pending, *n, *parent = NULL;
		struct iofd_mapping *m = VADDR_M(v);
		bool left = false;

		mt->vaddr_pending = v->right;
		if (v->right)
			v->right->left = NULL;
		for (n = mt->vaddr_root; n; n = left ? n->left : n->right) {
			parent = n;
			left = vaddr_before(m, VADDR_M(n));
		}
		iofd_avl_link(&mt->vaddr_root, parent, left, v, iofd_mt_vaddr_update);
	}
}

void iofd_mt_clear(struct iofd_mapping_table *mt,
		   void (*fn)(struct iofd_mapping *m, void *arg), void *arg)
{
	struct iofd_avl_node *n = mt->iova_root;

	/* Post-order over the IOVA tree, unlinking each leaf before @fn. */
	while (n) {
		struct iofd_avl_node *p;
		struct iofd_mapping *m;

		if (n->left) {
			n = n->left;
			continue;
		}
		if (n->right) {
			n = n->right;
			continue;
		}
		p = n->parent;
		if (p) {
			if (p->left == n)
				p->left = NULL;
			else
				p->right = NULL;
		}
		m = IOVA_M(n);
		m->iova_node.parent = NULL;
		m->vaddr_node.parent = m->vaddr_node.left = m->vaddr_node.right = NULL;
		if (fn)
			fn(m, arg);
		n = p;
	}
	iofd_mt_init(mt);
}

struct iofd_mapping *iofd_mt_find_iova(const struct iofd_mapping_table *mt,
				       uint64_t iova)
{
	struct iofd_mapping *m = iova_floor(mt, iova);

	return m && iofd_mapping_last(m) >= iova ? m : NULL;
}

struct iofd_mapping *iofd_mt_find_vaddr(const struct iofd_mapping_table *mt,
					uint64_t vaddr)
{
	const struct iofd_avl_node *n = mt->vaddr_root;

	if (!n || VADDR_M(n)->sub_vlast < vaddr)
		return NULL;
	return vaddr_subtree_search(n, vaddr);
}

struct iofd_mapping *iofd_mt_vaddr_next(const struct iofd_mapping *m,
					uint64_t vaddr)
{
	const struct iofd_avl_node *n = &m->vaddr_node, *r = n->right, *prev;

	for (;;) {
		const struct iofd_mapping *pm;

		/* Below n on the right? (r is n's right child.) */
		if (r && VADDR_M(r)->sub_vlast >= vaddr)
			return vaddr_subtree_search(r, vaddr);
		/* Climb until we arrive from a left child. */
		do {
			prev = n;
			n = n->parent;
			if (!n)
				return NULL;
			r = n->right;
		} while (prev == r);
		pm = VADDR_M(n);
		if (pm->vaddr > vaddr)
			return NULL;
		if (iofd_mapping_vlast(pm) >= vaddr)
			return (struct iofd_mapping *)pm;
	}
}

IOFD_HOT
int iofd_mt_vaddr_to_iova(const struct iofd_mapping_table *mt, uint64_t vaddr,
			  uint64_t *iova_ret, uint64_t *len_ret)
{
	const struct iofd_mapping *m = iofd_mt_find_vaddr(mt, vaddr);

	if (!m)
		return -ENOENT;
	if (iova_ret)
		*iova_ret = m->iova + (vaddr - m->vaddr);
	if (len_ret)
		*len_ret = m->length - (vaddr - m->vaddr);
	return 0;
}

IOFD_HOT
int iofd_mt_iova_to_vaddr(const struct iofd_mapping_table *mt, uint64_t iova,
			  uint64_t *vaddr_ret, uint64_t *len_ret)
{
	const struct iofd_mapping *m = iofd_mt_find_iova(mt, iova);

	if (!m)
		return -ENOENT;
	if (vaddr_ret)
		*vaddr_ret = m->vaddr + (iova - m->iova);
	if (len_ret)
		*len_ret = m->length - (iova - m->iova);
	return 0;
}

struct iofd_mapping *iofd_mt_first(const struct iofd_mapping_table *mt)
{
	struct iofd_avl_node *n = iofd_avl_leftmost(mt->iova_root);

	return n ? IOVA_M(n) : NULL;
}

struct iofd_mapping *iofd_mt_next(const struct iofd_mapping *m)
{
	struct iofd_avl_node *n = iofd_avl_next(&m->iova_node);

	return n ? IOVA_M(n) : NULL;
}

struct iofd_mapping *iofd_mt_range_first(const struct iofd_mapping_table *mt,
					 uint64_t first, uint64_t last)
{
	struct iofd_mapping *m;

	if (first > last)
		return NULL;
	m = iova_floor(mt, first);
	if (m && iofd_mapping_last(m) >= first)
		return m;
	m = iova_ceil(mt, first);
	return m && m->iova <= last ? m : NULL;
}

struct iofd_mapping *iofd_mt_range_next(const struct iofd_mapping *m,
					uint64_t last)
{
	struct iofd_mapping *next;

	/* Past the range's end, or at the top of the space (no next). */
	if (iofd_mapping_last(m) >= last)
		return NULL;
	next = iofd_mt_next(m);
	return next && next->iova <= last ? next : NULL;
}

int iofd_mt_range_check(const struct iofd_mapping_table *mt, uint64_t iova,
			uint64_t length)
{
	const struct iofd_mapping *m;
	uint64_t last;
	int r;

	r = iofd_mt_check_range(iova, length);
	if (r < 0)
		return r;
	last = iova + (length - 1);
	/* A mapping starting before the range and reaching into it. */
	m = iova_floor(mt, iova);
	if (m && m->iova < iova && iofd_mapping_last(m) >= iova)
		return -ENOENT;
	/* The mapping starting last within (or before) the range: it must
	 * reach into the range, and end in it. */
	m = iova_floor(mt, last);
	if (!m || iofd_mapping_last(m) < iova || iofd_mapping_last(m) > last)
		return -ENOENT;
	return 0;
}

/* ---- free-window search ---- */

struct free_query {
	uint64_t lo, hi, length, mask;	/* mask = align - 1 */
	uint64_t found;
};

/* Does the free range [s, e] hold an aligned window inside [lo, hi]? */
static bool fit(struct free_query *q, uint64_t s, uint64_t e)
{
	uint64_t x;

	if (s < q->lo)
		s = q->lo;
	if (e > q->hi)
		e = q->hi;
	if (s > e || s > UINT64_MAX - q->mask)
		return false;
	x = (s + q->mask) & ~q->mask;
	if (x > e || e - x < q->length - 1)
		return false;
	q->found = x;
	return true;
}

/* The gaps strictly between the mappings of @n's subtree, in order; a
 * subtree is skipped when its largest gap is too small or its span misses
 * [lo, hi]. Recursion depth is the tree's height (< 1.45 log2(n + 2)). */
static bool find_gap(struct free_query *q, const struct iofd_avl_node *n)
{
	const struct iofd_mapping *m;

	if (!n)
		return false;
	m = IOVA_M(n);
	if (m->sub_gap < q->length || m->sub_last < q->lo || m->sub_first > q->hi)
		return false;
	if (find_gap(q, n->left))
		return true;
	if (n->left) {
		uint64_t s = IOVA_M(n->left)->sub_last + 1;

		if (s < m->iova && fit(q, s, m->iova - 1))
			return true;
	}
	if (n->right) {
		uint64_t s = iofd_mapping_last(m) + 1;
		uint64_t f = IOVA_M(n->right)->sub_first;

		if (s < f && fit(q, s, f - 1))
			return true;
	}
	return find_gap(q, n->right);
}

int iofd_mt_find_free(const struct iofd_mapping_table *mt, uint64_t lo,
		      uint64_t hi, uint64_t length, uint64_t align,
		      uint64_t *iova_ret)
{
	struct free_query q = {
		.lo = lo, .hi = hi, .length = length, .mask = align - 1,
	};
	const struct iofd_avl_node *root = mt->iova_root;
	bool ok;

	if (!length || !align || (align & (align - 1)) || lo > hi)
		return -EINVAL;
	if (!root) {
		ok = fit(&q, 0, UINT64_MAX);
	} else {
		const struct iofd_mapping *r = IOVA_M(root);

		ok = (r->sub_first > 0 && fit(&q, 0, r->sub_first - 1)) ||
		     find_gap(&q, root) ||
		     (r->sub_last < UINT64_MAX && fit(&q, r->sub_last + 1, UINT64_MAX));
	}
	if (!ok)
		return -ENOSPC;
	*iova_ret = q.found;
	return 0;
}
