// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The IOAS's mapping table (lib/mapping_table.c): insertion rules and
 * errnos, lookups by IOVA and by user address, translation, range checks
 * with the library's unmap semantics, the free-window search, a randomized
 * differential test against an O(n) model with the trees' invariants checked
 * after every operation, and concurrent readers.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mapping_table.h"

#define KB(x) ((uint64_t)(x) << 10)
#define TOP UINT64_MAX

static void set(struct iofd_mapping *m, uint64_t iova, uint64_t length, uint64_t vaddr)
{
	memset(m, 0, sizeof(*m));
	m->iova = iova;
	m->length = length;
	m->vaddr = vaddr;
	m->flags = IOFD_MT_READ | IOFD_MT_WRITE;
}

static int add(struct iofd_mapping_table *mt, struct iofd_mapping *m,
	       uint64_t iova, uint64_t length, uint64_t vaddr)
{
	set(m, iova, length, vaddr);
	return iofd_mt_insert(mt, m);
}

/* ---- the trees' invariants, checked from outside ---- */

struct inv {
	uint64_t first, last, gap, vlast;
	int height;
};

static struct inv check_iova_tree(const struct iofd_avl_node *n,
				  const struct iofd_avl_node *parent, size_t *count)
{
	struct inv me = { 0 }, l, r;
	const struct iofd_mapping *m;

	if (!n)
		return me;
	m = (const struct iofd_mapping *)(const void *)((const char *)n -
		offsetof(struct iofd_mapping, iova_node));
	assert_ptr_equal(n->parent, parent);
	l = check_iova_tree(n->left, n, count);
	r = check_iova_tree(n->right, n, count);
	(*count)++;
	me.first = n->left ? l.first : m->iova;
	me.last = n->right ? r.last : iofd_mapping_last(m);
	me.gap = 0;
	if (n->left) {
		assert_true(l.last < m->iova);	/* ordered, disjoint */
		me.gap = l.gap > m->iova - l.last - 1 ? l.gap : m->iova - l.last - 1;
	}
	if (n->right) {
		uint64_t g = r.first - iofd_mapping_last(m) - 1;

		assert_true(r.first > iofd_mapping_last(m));
		if (r.gap > me.gap)
			me.gap = r.gap;
		if (g > me.gap)
			me.gap = g;
	}
	me.height = 1 + (l.height > r.height ? l.height : r.height);
	assert_true(abs(l.height - r.height) <= 1);
	assert_int_equal(n->height, me.height);
	assert_true(m->sub_first == me.first);
	assert_true(m->sub_last == me.last);
	assert_true(m->sub_gap == me.gap);
	return me;
}

static const struct iofd_mapping *vm_of(const struct iofd_avl_node *n)
{
	return (const struct iofd_mapping *)(const void *)((const char *)n -
		offsetof(struct iofd_mapping, vaddr_node));
}

static bool vless(const struct iofd_mapping *a, const struct iofd_mapping *b)
{
	return a->vaddr < b->vaddr || (a->vaddr == b->vaddr && a->iova < b->iova);
}

static const struct iofd_mapping *vprev;	/* in-order predecessor */

static struct inv check_vaddr_tree(const struct iofd_avl_node *n,
				   const struct iofd_avl_node *parent, size_t *count)
{
	struct inv me = { 0 }, l, r;
	const struct iofd_mapping *m;

	if (!n)
		return me;
	m = vm_of(n);
	assert_ptr_equal(n->parent, parent);
	l = check_vaddr_tree(n->left, n, count);
	if (vprev)
		assert_true(vless(vprev, m));	/* strictly increasing in order */
	vprev = m;
	r = check_vaddr_tree(n->right, n, count);
	(*count)++;
	me.vlast = iofd_mapping_vlast(m);
	if (n->left && l.vlast > me.vlast)
		me.vlast = l.vlast;
	if (n->right && r.vlast > me.vlast)
		me.vlast = r.vlast;
	me.height = 1 + (l.height > r.height ? l.height : r.height);
	assert_true(abs(l.height - r.height) <= 1);
	assert_int_equal(n->height, me.height);
	assert_true(m->sub_vlast == me.vlast);
	return me;
}

/* Both trees: ordered, parent links, AVL heights and balance, every
 * augmented field equal to its definition; the vaddr tree and the list of
 * mappings not yet in it (linked both ways, height 0) hold every mapping. */
static void check_invariants(const struct iofd_mapping_table *mt)
{
	const struct iofd_avl_node *v, *prev = NULL;
	size_t ni = 0, nv = 0, np = 0;

	vprev = NULL;
	assert_null(mt->iova_root ? mt->iova_root->parent : NULL);
	check_iova_tree(mt->iova_root, NULL, &ni);
	check_vaddr_tree(mt->vaddr_root, NULL, &nv);
	for (v = mt->vaddr_pending; v; prev = v, v = v->right, np++) {
		assert_int_equal(v->height, 0);
		assert_ptr_equal(v->left, prev);
		assert_null(v->parent);
	}
	assert_true(iofd_mt_vaddr_indexed(mt) == !np);
	assert_int_equal(ni, iofd_mt_count(mt));
	assert_int_equal(nv + np, iofd_mt_count(mt));
}

/* The table, with every mapping in its vaddr tree: what a lookup by user
 * address needs first (the IOAS does it under its write side). */
static struct iofd_mapping_table *ix(struct iofd_mapping_table *mt)
{
	iofd_mt_index_vaddr(mt);
	check_invariants(mt);
	assert_true(iofd_mt_vaddr_indexed(mt));
	return mt;
}

/* ---- insertion rules ---- */

static void empty_table_finds_nothing(void **state)
{
	struct iofd_mapping_table mt;
	uint64_t x = 7;

	iofd_mt_init(&mt);
	assert_int_equal(iofd_mt_count(&mt), 0);
	assert_true(iofd_mt_bytes(&mt) == 0);
	assert_null(iofd_mt_first(&mt));
	assert_null(iofd_mt_find_iova(&mt, 0));
	assert_null(iofd_mt_find_vaddr(ix(&mt), TOP));
	assert_null(iofd_mt_range_first(&mt, 0, TOP));
	assert_int_equal(iofd_mt_vaddr_to_iova(ix(&mt), 0, &x, &x), -ENOENT);
	assert_int_equal(iofd_mt_iova_to_vaddr(&mt, 0, &x, NULL), -ENOENT);
	assert_true(x == 7);
	assert_int_equal(iofd_mt_range_check(&mt, 0, TOP), -ENOENT);
}

static void insert_then_find_by_iova_and_vaddr(void **state)
{
	struct iofd_mapping_table mt;
	struct iofd_mapping a, b;
	uint64_t x, len;

	iofd_mt_init(&mt);
	assert_int_equal(add(&mt, &a, KB(64), KB(8), 0x7f0000001000), 0);
	assert_int_equal(add(&mt, &b, KB(4), KB(4), 0x7f0000100000), 0);
	check_invariants(&mt);
	assert_int_equal(iofd_mt_count(&mt), 2);
	assert_true(iofd_mt_bytes(&mt) == KB(12));

	assert_ptr_equal(iofd_mt_find_iova(&mt, KB(64)), &a);
	assert_ptr_equal(iofd_mt_find_iova(&mt, KB(72) - 1), &a);
	assert_null(iofd_mt_find_iova(&mt, KB(72)));
	assert_null(iofd_mt_find_iova(&mt, KB(64) - 1));
	assert_ptr_equal(iofd_mt_find_iova(&mt, KB(4)), &b);
	assert_ptr_equal(iofd_mt_find_vaddr(ix(&mt), 0x7f0000001000 + 5), &a);
	assert_ptr_equal(iofd_mt_find_vaddr(ix(&mt), 0x7f0000100fff), &b);
	assert_null(iofd_mt_find_vaddr(ix(&mt), 0x7f0000101000));

	assert_int_equal(iofd_mt_vaddr_to_iova(ix(&mt), 0x7f0000001000 + 0x1234, &x, &len), 0);
	assert_true(x == KB(64) + 0x1234);
	assert_true(len == KB(8) - 0x1234);
	assert_int_equal(iofd_mt_iova_to_vaddr(&mt, KB(8) - 1, &x, &len), 0);
	assert_true(x == 0x7f0000100fff);
	assert_true(len == 1);

	/* In IOVA order. */
	assert_ptr_equal(iofd_mt_first(&mt), &b);
	assert_ptr_equal(iofd_mt_next(&b), &a);
	assert_null(iofd_mt_next(&a));
}

/* The vaddr tree takes a mapping at the first lookup by user address after
 * its insertion: one removed before never enters it, from either end or
 * the middle of the pending list; the lookups find exactly the others. */
static void vaddr_index_is_built_when_a_lookup_needs_it(void **state)
{
	struct iofd_mapping_table mt;
	struct iofd_mapping a, b, c, d;
	uint64_t x;

	iofd_mt_init(&mt);
	assert_true(iofd_mt_vaddr_indexed(&mt));
	assert_int_equal(add(&mt, &a, KB(4), KB(4), 0x10000), 0);
	assert_int_equal(add(&mt, &b, KB(8), KB(4), 0x20000), 0);
	assert_int_equal(add(&mt, &c, KB(12), KB(4), 0x30000), 0);
	assert_false(iofd_mt_vaddr_indexed(&mt));
	assert_null(mt.vaddr_root);
	check_invariants(&mt);
	iofd_mt_remove(&mt, &b);	/* the middle of the list */
	check_invariants(&mt);
	iofd_mt_remove(&mt, &c);	/* its head */
	check_invariants(&mt);
	assert_null(mt.vaddr_root);
	assert_int_equal(iofd_mt_vaddr_to_iova(ix(&mt), 0x10000 + 9, &x, NULL), 0);
	assert_true(x == KB(4) + 9);
	assert_null(iofd_mt_find_vaddr(&mt, 0x20000));
	assert_null(iofd_mt_find_vaddr(&mt, 0x30000));
	/* One indexed and one pending, removed in turn. */
	assert_int_equal(add(&mt, &d, KB(16), KB(4), 0x10000), 0);	/* a's buffer again */
	check_invariants(&mt);
	assert_ptr_equal(iofd_mt_find_vaddr(&mt, 0x10000), &a);	/* d not indexed yet */
	assert_ptr_equal(iofd_mt_vaddr_next(iofd_mt_find_vaddr(ix(&mt), 0x10000), 0x10000), &d);
	iofd_mt_remove(&mt, &a);
	assert_ptr_equal(iofd_mt_find_vaddr(ix(&mt), 0x10000), &d);
	iofd_mt_remove(&mt, &d);
	check_invariants(&mt);
	assert_null(mt.vaddr_root);
	assert_null(mt.vaddr_pending);
	assert_int_equal(iofd_mt_count(&mt), 0);
}

static void zero_length_is_einval(void **state)
{
	struct iofd_mapping_table mt;
	struct iofd_mapping a;

	iofd_mt_init(&mt);
	assert_int_equal(add(&mt, &a, KB(4), 0, KB(4)), -EINVAL);
	assert_int_equal(iofd_mt_count(&mt), 0);
	assert_int_equal(iofd_mt_range_check(&mt, KB(4), 0), -EINVAL);
}

static void last_byte_past_top_is_eoverflow(void **state)
{
	struct iofd_mapping_table mt;
	struct iofd_mapping a, b, c, d;

	iofd_mt_init(&mt);
	/* iova + length - 1 wraps */
	assert_int_equal(add(&mt, &a, TOP - KB(4) + 2, KB(4), 0), -EOVERFLOW);
	assert_int_equal(add(&mt, &a, TOP, 2, 0), -EOVERFLOW);
	assert_int_equal(add(&mt, &a, 2, TOP, 0), -EOVERFLOW);
	assert_int_equal(add(&mt, &a, 0, TOP, 2), -EOVERFLOW);
	/* vaddr + length - 1 wraps */
	assert_int_equal(add(&mt, &a, 0, KB(4), TOP - KB(4) + 2), -EOVERFLOW);
	assert_int_equal(iofd_mt_count(&mt), 0);
	assert_int_equal(iofd_mt_range_check(&mt, TOP, 2), -EOVERFLOW);

	/* Ending exactly at the top is fine, in both spaces. */
	assert_int_equal(add(&mt, &a, TOP - KB(4) + 1, KB(4), TOP - KB(4) + 1), 0);
	assert_int_equal(add(&mt, &b, 0, 1, 0), 0);
	assert_int_equal(add(&mt, &c, 1, TOP - KB(4), 1), 0);	/* [1, top - 4K] */
	/* Everything is mapped now. */
	assert_int_equal(add(&mt, &d, KB(8), 1, 0), -EEXIST);
	check_invariants(&mt);
	assert_ptr_equal(iofd_mt_find_iova(&mt, TOP), &a);
	assert_ptr_equal(iofd_mt_find_iova(&mt, 0), &b);
	assert_ptr_equal(iofd_mt_find_vaddr(ix(&mt), TOP), &a);
	assert_int_equal(iofd_mt_range_check(&mt, TOP, 1), -ENOENT);	/* cuts a */
	assert_int_equal(iofd_mt_range_check(&mt, TOP - KB(4) + 1, KB(4)), 0);
	assert_int_equal(iofd_mt_range_check(&mt, 0, TOP), -ENOENT);	/* cuts a */
	/* The whole 2^64 bytes: the sum saturates. */
	assert_true(iofd_mt_bytes(&mt) == TOP);
	iofd_mt_remove(&mt, &b);
	assert_true(iofd_mt_bytes(&mt) == TOP);	/* 2^64 - 1 exactly */
	iofd_mt_remove(&mt, &a);
	assert_true(iofd_mt_bytes(&mt) == TOP - KB(4));
	check_invariants(&mt);
}

static void overlap_is_eexist_and_changes_nothing(void **state)
{
	static const struct { uint64_t iova, len; } bad[] = {
		{ KB(16), KB(8) },		/* the same */
		{ KB(18), KB(1) },		/* inside */
		{ KB(12), KB(8) },		/* over the start */
		{ KB(20), KB(8) },		/* over the end */
		{ KB(8), KB(32) },		/* around */
		{ KB(24) - 1, 1 },		/* the last byte */
		{ KB(15), KB(1) + 1 },		/* one byte into the start */
	};
	struct iofd_mapping_table mt;
	struct iofd_mapping a, b;
	size_t i;

	iofd_mt_init(&mt);
	assert_int_equal(add(&mt, &a, KB(16), KB(8), 0x1000), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(add(&mt, &b, bad[i].iova, bad[i].len, 0x1000), -EEXIST);
		assert_int_equal(iofd_mt_count(&mt), 1);
		assert_true(iofd_mt_bytes(&mt) == KB(8));
		assert_null(iofd_mt_find_vaddr(ix(&mt), 0x1000 + KB(8)));
		check_invariants(&mt);
	}
	/* Touching on either side is not overlapping. */
	assert_int_equal(add(&mt, &b, KB(24), KB(4), 0x1000), 0);
	iofd_mt_remove(&mt, &b);
	assert_int_equal(add(&mt, &b, KB(12), KB(4), 0x1000), 0);
	check_invariants(&mt);
}

static void remove_exact_needs_the_whole_mapping(void **state)
{
	struct iofd_mapping_table mt;
	struct iofd_mapping a, b, *got = NULL;

	iofd_mt_init(&mt);
	assert_int_equal(add(&mt, &a, KB(16), KB(8), 0), 0);
	assert_int_equal(add(&mt, &b, KB(32), KB(8), 0), 0);
	assert_int_equal(iofd_mt_remove_exact(&mt, KB(16), KB(4), &got), -ENOENT);
	assert_int_equal(iofd_mt_remove_exact(&mt, KB(20), KB(4), &got), -ENOENT);
	assert_int_equal(iofd_mt_remove_exact(&mt, KB(16), KB(16), &got), -ENOENT);
	assert_int_equal(iofd_mt_remove_exact(&mt, KB(24), KB(8), &got), -ENOENT);
	assert_null(got);
	assert_int_equal(iofd_mt_count(&mt), 2);
	assert_null(iofd_mt_find_exact(&mt, KB(16), KB(4)));
	assert_ptr_equal(iofd_mt_find_exact(&mt, KB(16), KB(8)), &a);
	assert_int_equal(iofd_mt_remove_exact(&mt, KB(16), KB(8), &got), 0);
	assert_ptr_equal(got, &a);
	assert_null(iofd_mt_find_iova(&mt, KB(16)));
	assert_ptr_equal(iofd_mt_find_vaddr(ix(&mt), 0), &b);	/* same vaddr as a */
	assert_int_equal(iofd_mt_iova_to_vaddr(&mt, KB(32), NULL, NULL), 0);
	assert_int_equal(iofd_mt_remove_exact(&mt, KB(32), KB(8), NULL), 0);
	assert_int_equal(iofd_mt_count(&mt), 0);
	assert_true(iofd_mt_bytes(&mt) == 0);
	assert_null(mt.iova_root);
	assert_null(mt.vaddr_root);
}

/* ---- the same user memory mapped more than once ---- */

static void one_buffer_mapped_twice_translates_to_the_lower_iova(void **state)
{
	struct iofd_mapping_table mt;
	struct iofd_mapping hi, lo, *m;
	uint64_t iova = 0;

	/* Inserted high IOVA first: the answer must not depend on the order. */
	iofd_mt_init(&mt);
	assert_int_equal(add(&mt, &hi, KB(1024), KB(64), 0x500000), 0);
	assert_int_equal(add(&mt, &lo, KB(64), KB(64), 0x500000), 0);
	check_invariants(&mt);
	assert_ptr_equal(iofd_mt_find_vaddr(ix(&mt), 0x500000 + 100), &lo);
	assert_int_equal(iofd_mt_vaddr_to_iova(ix(&mt), 0x500000 + 100, &iova, NULL), 0);
	assert_true(iova == KB(64) + 100);
	/* The iterator gives both, lower IOVA first. */
	m = iofd_mt_find_vaddr(ix(&mt), 0x50ffff);
	assert_ptr_equal(m, &lo);
	m = iofd_mt_vaddr_next(m, 0x50ffff);
	assert_ptr_equal(m, &hi);
	assert_null(iofd_mt_vaddr_next(m, 0x50ffff));
	/* Remove the lower one: the other takes over. */
	iofd_mt_remove(&mt, &lo);
	assert_int_equal(iofd_mt_vaddr_to_iova(ix(&mt), 0x500000, &iova, NULL), 0);
	assert_true(iova == KB(1024));
}

static void overlapping_buffers_pick_the_lowest_vaddr(void **state)
{
	struct iofd_mapping_table mt;
	struct iofd_mapping whole, part, other, *m;
	uint64_t iova, len;
	int n = 0;

	iofd_mt_init(&mt);
	/* part: [0x3000, 0x4000) at IOVA 0; whole: [0x1000, 0x9000) at 1 MiB;
	 * other: [0x3800, 0x20000) at 2 MiB. */
	assert_int_equal(add(&mt, &part, 0, KB(4), 0x3000), 0);
	assert_int_equal(add(&mt, &whole, KB(1024), KB(32), 0x1000), 0);
	assert_int_equal(add(&mt, &other, KB(2048), 0x20000 - 0x3800, 0x3800), 0);
	check_invariants(&mt);
	assert_ptr_equal(iofd_mt_find_vaddr(ix(&mt), 0x3000), &whole);
	assert_int_equal(iofd_mt_vaddr_to_iova(ix(&mt), 0x3900, &iova, &len), 0);
	assert_true(iova == KB(1024) + 0x2900);
	assert_true(len == KB(32) - 0x2900);
	iofd_mt_foreach_vaddr(ix(&mt), m, 0x3900) {
		const struct iofd_mapping *order[3] = { &whole, &part, &other };

		assert_true(n < 3);
		assert_ptr_equal(m, order[n]);
		n++;
	}
	assert_int_equal(n, 3);
	assert_ptr_equal(iofd_mt_find_vaddr(ix(&mt), 0x9000), &other);
	assert_null(iofd_mt_find_vaddr(ix(&mt), 0xfff));
	assert_null(iofd_mt_find_vaddr(ix(&mt), 0x20000));
}

/* ---- ranges ---- */

static void range_check_follows_uniform_unmap_semantics(void **state)
{
	struct iofd_mapping_table mt;
	struct iofd_mapping a, b, c;

	iofd_mt_init(&mt);
	assert_int_equal(add(&mt, &a, KB(16), KB(8), 0), 0);	/* [16K, 24K) */
	assert_int_equal(add(&mt, &b, KB(24), KB(8), 0), 0);	/* [24K, 32K) */
	assert_int_equal(add(&mt, &c, KB(64), KB(8), 0), 0);	/* [64K, 72K) */

	/* whole mappings, alone or together, with holes around or between */
	assert_int_equal(iofd_mt_range_check(&mt, KB(16), KB(8)), 0);
	assert_int_equal(iofd_mt_range_check(&mt, KB(16), KB(16)), 0);
	assert_int_equal(iofd_mt_range_check(&mt, 0, KB(128)), 0);
	assert_int_equal(iofd_mt_range_check(&mt, KB(20), KB(100)), -ENOENT);
	assert_int_equal(iofd_mt_range_check(&mt, KB(24), KB(48)), 0);
	assert_int_equal(iofd_mt_range_check(&mt, 0, TOP), 0);
	/* splits one at its start or its end */
	assert_int_equal(iofd_mt_range_check(&mt, KB(20), KB(12)), -ENOENT);
	assert_int_equal(iofd_mt_range_check(&mt, KB(16), KB(12)), -ENOENT);
	assert_int_equal(iofd_mt_range_check(&mt, KB(16), KB(8) - 1), -ENOENT);
	assert_int_equal(iofd_mt_range_check(&mt, KB(16) + 1, KB(8) - 1), -ENOENT);
	assert_int_equal(iofd_mt_range_check(&mt, KB(0), KB(68)), -ENOENT);
	/* nothing mapped there */
	assert_int_equal(iofd_mt_range_check(&mt, KB(32), KB(32)), -ENOENT);
	assert_int_equal(iofd_mt_range_check(&mt, 0, KB(16)), -ENOENT);
	assert_int_equal(iofd_mt_range_check(&mt, KB(72), TOP - KB(72) + 1), -ENOENT);
	/* arguments */
	assert_int_equal(iofd_mt_range_check(&mt, KB(16), 0), -EINVAL);
	assert_int_equal(iofd_mt_range_check(&mt, KB(16), TOP), -EOVERFLOW);
}

static void range_iteration_includes_partial_overlaps(void **state)
{
	struct iofd_mapping_table mt;
	struct iofd_mapping a, b, c, *m;
	const struct iofd_mapping *want[3];
	int n;

	iofd_mt_init(&mt);
	assert_int_equal(add(&mt, &a, KB(16), KB(8), 0), 0);
	assert_int_equal(add(&mt, &b, KB(24), KB(8), 0), 0);
	assert_int_equal(add(&mt, &c, TOP - KB(8) + 1, KB(8), 0), 0);

	n = 0;
	want[0] = &a;
	want[1] = &b;
	iofd_mt_foreach_range(&mt, m, KB(20), KB(24)) {
		assert_true(n < 2);
		assert_ptr_equal(m, want[n++]);
	}
	assert_int_equal(n, 2);

	n = 0;
	want[2] = &c;
	iofd_mt_foreach_range(&mt, m, 0, TOP)
		assert_ptr_equal(m, want[n++]);
	assert_int_equal(n, 3);

	n = 0;
	iofd_mt_foreach_range(&mt, m, TOP, TOP)
		assert_ptr_equal(m, &c), n++;
	assert_int_equal(n, 1);
	assert_null(iofd_mt_range_first(&mt, KB(32), KB(100)));
	assert_null(iofd_mt_range_first(&mt, KB(20), KB(16)));	/* first > last */
	assert_ptr_equal(iofd_mt_range_first(&mt, KB(24) - 1, KB(24) - 1), &a);
}

static void clear_empties_the_table(void **state)
{
	struct iofd_mapping_table mt;
	struct iofd_mapping *m[100];
	size_t i;

	iofd_mt_init(&mt);
	for (i = 0; i < 100; i++) {
		m[i] = malloc(sizeof(*m[i]));
		assert_non_null(m[i]);
		assert_int_equal(add(&mt, m[i], i * KB(4), KB(4), 0x10000 + (i % 7) * KB(4)), 0);
	}
	check_invariants(&mt);
	iofd_mt_clear(&mt, NULL, NULL);
	assert_int_equal(iofd_mt_count(&mt), 0);
	assert_null(iofd_mt_find_iova(&mt, 0));
	/* The mappings are free to be inserted again, into this table. */
	for (i = 0; i < 100; i++)
		assert_int_equal(add(&mt, m[i], i * KB(4), KB(4), 0), 0);
	check_invariants(&mt);
	/* Removing while iterating: take the first each time. */
	while (iofd_mt_count(&mt)) {
		struct iofd_mapping *f = iofd_mt_first(&mt);

		iofd_mt_remove(&mt, f);
		free(f);
	}
	assert_null(mt.iova_root);
}

static void count_free(struct iofd_mapping *m, void *arg)
{
	(*(size_t *)arg)++;
	free(m);
}

static void clear_may_free_in_the_callback(void **state)
{
	struct iofd_mapping_table mt;
	size_t i, n = 0;

	iofd_mt_init(&mt);
	for (i = 0; i < 1000; i++) {
		struct iofd_mapping *m = malloc(sizeof(*m));

		assert_non_null(m);
		assert_int_equal(add(&mt, m, (i * 7919 % 1000) * KB(4), KB(4), 0x7000), 0);
	}
	check_invariants(&mt);
	iofd_mt_clear(&mt, count_free, &n);
	assert_int_equal(n, 1000);
	assert_int_equal(iofd_mt_count(&mt), 0);
	assert_true(iofd_mt_bytes(&mt) == 0);
	assert_null(iofd_mt_first(&mt));
	assert_null(iofd_mt_find_vaddr(ix(&mt), 0x7000));
}

/* ---- free windows ---- */

static void find_free_is_first_fit_and_aligned(void **state)
{
	struct iofd_mapping_table mt;
	struct iofd_mapping a, b;
	uint64_t x = 0;

	iofd_mt_init(&mt);
	assert_int_equal(iofd_mt_find_free(&mt, 0, TOP, TOP, 1, &x), 0);
	assert_true(x == 0);
	assert_int_equal(iofd_mt_find_free(&mt, 5, TOP, KB(4), KB(4), &x), 0);
	assert_true(x == KB(4));
	assert_int_equal(iofd_mt_find_free(&mt, 5, TOP, TOP, 1, &x), -ENOSPC);

	assert_int_equal(add(&mt, &a, KB(4), KB(8), 0), 0);	/* [4K, 12K) */
	assert_int_equal(add(&mt, &b, KB(16), KB(16), 0), 0);	/* [16K, 32K) */
	assert_int_equal(iofd_mt_find_free(&mt, 0, TOP, KB(4), KB(4), &x), 0);
	assert_true(x == 0);
	assert_int_equal(iofd_mt_find_free(&mt, 1, TOP, KB(4), KB(4), &x), 0);
	assert_true(x == KB(12));
	assert_int_equal(iofd_mt_find_free(&mt, 1, TOP, KB(8), KB(4), &x), 0);
	assert_true(x == KB(32));
	assert_int_equal(iofd_mt_find_free(&mt, 1, TOP, KB(4), KB(64), &x), 0);
	assert_true(x == KB(64));
	assert_int_equal(iofd_mt_find_free(&mt, 1, KB(64), KB(4), KB(64), &x), -ENOSPC);
	assert_int_equal(iofd_mt_find_free(&mt, 1, KB(68) - 1, KB(4), KB(64), &x), 0);
	assert_int_equal(iofd_mt_find_free(&mt, KB(12), KB(15), KB(4), 1, &x), -ENOSPC);
	assert_int_equal(iofd_mt_find_free(&mt, KB(12), KB(16) - 1, KB(4), 1, &x), 0);
	assert_true(x == KB(12));
	/* the top of the space */
	assert_int_equal(iofd_mt_find_free(&mt, TOP - 10, TOP, 11, 1, &x), 0);
	assert_true(x == TOP - 10);
	assert_int_equal(iofd_mt_find_free(&mt, TOP - 10, TOP, 11, 2, &x), -ENOSPC);
	assert_int_equal(iofd_mt_find_free(&mt, 0, TOP, 1, (uint64_t)1 << 63, &x), 0);
	assert_true(x == 0);
	assert_int_equal(iofd_mt_find_free(&mt, 1, TOP, 1, (uint64_t)1 << 63, &x), 0);
	assert_true(x == (uint64_t)1 << 63);
	/* arguments */
	x = 3;
	assert_int_equal(iofd_mt_find_free(&mt, 0, TOP, 0, 1, &x), -EINVAL);
	assert_int_equal(iofd_mt_find_free(&mt, 0, TOP, 1, 0, &x), -EINVAL);
	assert_int_equal(iofd_mt_find_free(&mt, 0, TOP, 1, 3, &x), -EINVAL);
	assert_int_equal(iofd_mt_find_free(&mt, 2, 1, 1, 1, &x), -EINVAL);
	assert_true(x == 3);
}

/* ---- randomized differential test against an O(n) model ---- */

#define SLOTS 512
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
	struct iofd_mapping m[SLOTS];
	bool in[SLOTS];
	size_t n;
	uint64_t ibase, ispace, vbase, vspace;
};

static bool wraps(uint64_t s, uint64_t len)
{
	return len - 1 > UINT64_MAX - s;
}

static int model_insert(const struct model *md, uint64_t iova, uint64_t len, uint64_t va)
{
	size_t i;

	if (!len)
		return -EINVAL;
	if (wraps(iova, len) || wraps(va, len))
		return -EOVERFLOW;
	for (i = 0; i < SLOTS; i++)
		if (md->in[i] && md->m[i].iova <= iova + len - 1 &&
		    iova <= iofd_mapping_last(&md->m[i]))
			return -EEXIST;
	return 0;
}

static const struct iofd_mapping *model_by_iova(const struct model *md, uint64_t x)
{
	size_t i;

	for (i = 0; i < SLOTS; i++)
		if (md->in[i] && md->m[i].iova <= x && x <= iofd_mapping_last(&md->m[i]))
			return &md->m[i];
	return NULL;
}

/* Every mapping containing user address @v, in (vaddr, iova) order. */
static size_t model_by_vaddr(const struct model *md, uint64_t v,
			     const struct iofd_mapping **out)
{
	size_t i, j, n = 0;

	for (i = 0; i < SLOTS; i++) {
		const struct iofd_mapping *m = &md->m[i];

		if (!md->in[i] || m->vaddr > v || iofd_mapping_vlast(m) < v)
			continue;
		for (j = n; j > 0 && vless(m, out[j - 1]); j--)
			out[j] = out[j - 1];
		out[j] = m;
		n++;
	}
	return n;
}

/* Sorted by IOVA. */
static size_t model_sorted(const struct model *md, const struct iofd_mapping **out)
{
	size_t i, j, n = 0;

	for (i = 0; i < SLOTS; i++) {
		const struct iofd_mapping *m = &md->m[i];

		if (!md->in[i])
			continue;
		for (j = n; j > 0 && m->iova < out[j - 1]->iova; j--)
			out[j] = out[j - 1];
		out[j] = m;
		n++;
	}
	return n;
}

static int model_range_check(const struct model *md, uint64_t iova, uint64_t len)
{
	uint64_t last = iova + len - 1;
	bool any = false;
	size_t i;

	if (!len)
		return -EINVAL;
	if (wraps(iova, len))
		return -EOVERFLOW;
	for (i = 0; i < SLOTS; i++) {
		const struct iofd_mapping *m = &md->m[i];

		if (!md->in[i] || m->iova > last || iofd_mapping_last(m) < iova)
			continue;
		if (m->iova < iova || iofd_mapping_last(m) > last)
			return -ENOENT;
		any = true;
	}
	return any ? 0 : -ENOENT;
}

static int model_find_free(const struct iofd_mapping **s, size_t n, uint64_t lo,
			   uint64_t hi, uint64_t len, uint64_t align, uint64_t *ret)
{
	uint64_t start = 0;	/* the next free byte */
	bool more = true;
	size_t i;

	/* Walk the free intervals [start, next mapping - 1] in order. */
	for (i = 0; i <= n && more; i++) {
		uint64_t end = i < n ? s[i]->iova : 0, e, x;
		bool top = i == n;

		if (!top && end == start)
			goto next;
		e = top ? UINT64_MAX : end - 1;
		{
			uint64_t a = start > lo ? start : lo, b = e < hi ? e : hi;

			if (a <= b && a <= UINT64_MAX - (align - 1)) {
				x = (a + align - 1) & ~(align - 1);
				if (x <= b && b - x >= len - 1) {
					*ret = x;
					return 0;
				}
			}
		}
next:
		if (!top) {
			if (iofd_mapping_last(s[i]) == UINT64_MAX)
				more = false;
			else
				start = iofd_mapping_last(s[i]) + 1;
		}
	}
	return -ENOSPC;
}

static uint64_t rnd_iova(const struct model *md)
{
	return md->ibase + rnd() % md->ispace;
}

static uint64_t rnd_len(void)
{
	switch (rnd() % 8) {
	case 0:
		return 1 + rnd() % 16;
	case 1:
		return KB(4) * (1 + rnd() % 16);
	default:
		return 1 + rnd() % KB(4);
	}
}

/* Every lookup against the model. The vaddr index is brought up to date
 * one time in three, as lookups by user address would: so mappings are
 * removed both from the pending list and from the vaddr tree; the lookups
 * by user address run when it is. */
static void check_against_model(struct iofd_mapping_table *mt, struct model *md)
{
	static const struct iofd_mapping *s[SLOTS], *want[SLOTS];
	const struct iofd_mapping *m;
	uint64_t bytes = 0;
	size_t n, i, k;

	if (rnd() % 3 == 0)
		iofd_mt_index_vaddr(mt);
	check_invariants(mt);
	n = model_sorted(md, s);
	assert_int_equal(iofd_mt_count(mt), n);
	for (i = 0; i < n; i++)
		bytes += s[i]->length;
	assert_true(iofd_mt_bytes(mt) == bytes);
	for (m = iofd_mt_first(mt), i = 0; m; m = iofd_mt_next(m), i++)
		assert_ptr_equal(m, s[i]);
	assert_int_equal(i, n);

	for (k = 0; k < 12; k++) {
		uint64_t x, v, got, glen, len, lo, hi;
		const struct iofd_mapping *e;
		size_t nv;
		int r;

		/* by IOVA: random points, and the edges of a random mapping */
		x = rnd_iova(md);
		if (n && k % 3 == 0) {
			const struct iofd_mapping *p = s[rnd() % n];

			switch (rnd() % 4) {
			case 0: x = p->iova; break;
			case 1: x = iofd_mapping_last(p); break;
			case 2: x = p->iova - 1; break;
			default: x = iofd_mapping_last(p) + 1; break;
			}
		}
		e = model_by_iova(md, x);
		assert_ptr_equal(iofd_mt_find_iova(mt, x), e);
		r = iofd_mt_iova_to_vaddr(mt, x, &got, &glen);
		assert_int_equal(r, e ? 0 : -ENOENT);
		if (e) {
			assert_true(got == e->vaddr + (x - e->iova));
			assert_true(glen == iofd_mapping_last(e) - x + 1);
		}

		/* by vaddr: the first, the translation, and all of them */
		v = md->vbase + rnd() % md->vspace;
		if (n && k % 3 == 1) {
			const struct iofd_mapping *p = s[rnd() % n];

			switch (rnd() % 4) {
			case 0: v = p->vaddr; break;
			case 1: v = iofd_mapping_vlast(p); break;
			case 2: v = p->vaddr - 1; break;
			default: v = iofd_mapping_vlast(p) + 1; break;
			}
		}
		if (!iofd_mt_vaddr_indexed(mt))
			goto ranges;
		nv = model_by_vaddr(md, v, want);
		assert_ptr_equal(iofd_mt_find_vaddr(mt, v), nv ? want[0] : NULL);
		r = iofd_mt_vaddr_to_iova(mt, v, &got, &glen);
		assert_int_equal(r, nv ? 0 : -ENOENT);
		if (nv) {
			assert_true(got == want[0]->iova + (v - want[0]->vaddr));
			assert_true(glen == iofd_mapping_vlast(want[0]) - v + 1);
		}
		i = 0;
		iofd_mt_foreach_vaddr(mt, m, v) {
			assert_true(i < nv);
			assert_ptr_equal(m, want[i]);
			i++;
		}
		assert_int_equal(i, nv);

ranges:
		/* ranges */
		x = rnd_iova(md);
		len = rnd() % 4 ? rnd_len() * (1 + rnd() % 8) : rnd() % (md->ispace / 4);
		if (n && k % 3 == 2) {
			const struct iofd_mapping *p = s[rnd() % n];

			x = p->iova - (rnd() % 2);
			len = p->length + (rnd() % 3) - 1 + (p->iova - x);
		}
		assert_int_equal(iofd_mt_range_check(mt, x, len), model_range_check(md, x, len));
		if (len && !wraps(x, len)) {
			uint64_t last = x + len - 1;

			i = 0;
			while (i < n && iofd_mapping_last(s[i]) < x)
				i++;
			iofd_mt_foreach_range(mt, m, x, last) {
				assert_true(i < n);
				assert_ptr_equal(m, s[i]);
				i++;
			}
			assert_true(i == n || s[i]->iova > last);
		}

		/* free windows */
		lo = rnd() % 4 ? rnd_iova(md) : 0;
		hi = rnd() % 4 ? lo + rnd() % md->ispace : UINT64_MAX;
		if (hi < lo)
			hi = UINT64_MAX;
		len = rnd() % 2 ? rnd_len() : KB(4) * (1 + rnd() % 4);
		{
			uint64_t align = (uint64_t)1 << (rnd() % 17), w1 = 1, w2 = 2;
			int r1 = iofd_mt_find_free(mt, lo, hi, len, align, &w1);
			int r2 = model_find_free(s, n, lo, hi, len, align, &w2);

			assert_int_equal(r1, r2);
			if (!r1)
				assert_true(w1 == w2);
		}
	}
}

static void run_differential(uint64_t seed, uint64_t ibase, uint64_t vbase)
{
	struct iofd_mapping_table mt;
	struct model *md = calloc(1, sizeof(*md));
	size_t op, inserted = 0, eexist = 0, removed = 0, peak = 0;

	assert_non_null(md);
	rng = seed;
	md->ibase = ibase;
	md->ispace = (uint64_t)1 << 22;
	md->vbase = vbase;
	md->vspace = (uint64_t)1 << 20;
	iofd_mt_init(&mt);

	for (op = 0; op < OPS; op++) {
		size_t i = rnd() % SLOTS;
		struct iofd_mapping *m = &md->m[i];
		unsigned int what = rnd() % 10;

		if (!md->in[i] && what < 6) {
			uint64_t iova = rnd_iova(md), len = rnd_len(), va;
			int want, r;

			if (rnd() % 16 == 0)
				len = 0;
			if (md->n && rnd() % 4 == 0) {
				/* the same buffer as an existing mapping */
				size_t j = rnd() % SLOTS;

				while (!md->in[j])
					j = (j + 1) % SLOTS;
				va = md->m[j].vaddr;
				len = rnd() % 2 ? md->m[j].length : len;
			} else {
				va = md->vbase + rnd() % md->vspace;
			}
			want = model_insert(md, iova, len, va);
			set(m, iova, len, va);
			m->cookie = m;
			r = iofd_mt_insert(&mt, m);
			assert_int_equal(r, want);
			if (!r) {
				md->in[i] = true;
				md->n++;
				inserted++;
			} else if (r == -EEXIST) {
				eexist++;
			}
		} else if (md->in[i] && what < 8) {
			iofd_mt_remove(&mt, m);
			md->in[i] = false;
			md->n--;
			removed++;
		} else if (md->in[i]) {
			struct iofd_mapping *got = NULL;
			uint64_t len = m->length - (rnd() % 2);

			assert_int_equal(iofd_mt_remove_exact(&mt, m->iova, len, &got),
					 len == m->length ? 0 : -ENOENT);
			if (got) {
				assert_ptr_equal(got, m);
				md->in[i] = false;
				md->n--;
				removed++;
			}
		}
		if (md->n > peak)
			peak = md->n;
		check_against_model(&mt, md);
	}
	/* The run did exercise the interesting paths. */
	assert_true(inserted > OPS / 10);
	assert_true(eexist > OPS / 100);
	assert_true(removed > OPS / 20);
	assert_true(peak > 150);
	print_message("  %zu inserts, %zu overlaps refused, %zu removals, peak %zu mappings\n",
		      inserted, eexist, removed, peak);
	iofd_mt_clear(&mt, NULL, NULL);
	free(md);
}

static void random_ops_match_the_model(void **state)
{
	run_differential(0x10f2d, 0, 0x7f0000000000);
}

static void random_ops_at_the_top_match_the_model(void **state)
{
	/* Mappings near UINT64_MAX in both spaces: many wrap (-EOVERFLOW). */
	run_differential(0xfeedbeef, UINT64_MAX - ((uint64_t)1 << 22) + 1,
			 UINT64_MAX - ((uint64_t)1 << 20) + 1);
}

/* ---- concurrent readers ---- */

#define READERS 8
#define RMAPS 4096
#define LOOKUPS 200000

struct reader {
	const struct iofd_mapping_table *mt;
	uint64_t seed;
	unsigned long errors;
};

/* Mapping i: IOVA i * 64K, 16K long, at user address 1G + (i / 2) * 64K
 * (pairs share a buffer: the even one has the lower IOVA). */
static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	uint64_t s = rd->seed;
	long k;

	for (k = 0; k < LOOKUPS; k++) {
		uint64_t i, off, got = 0, len = 0;

		s = s * 6364136223846793005ull + 1442695040888963407ull;
		i = (s >> 33) % RMAPS;
		off = (s >> 7) % KB(16);
		if (iofd_mt_iova_to_vaddr(rd->mt, i * KB(64) + off, &got, &len) ||
		    got != KB(1024) * 1024 + (i / 2) * KB(64) + off || len != KB(16) - off)
			rd->errors++;
		if (iofd_mt_vaddr_to_iova(rd->mt, KB(1024) * 1024 + (i / 2) * KB(64) + off,
					  &got, NULL) ||
		    got != (i & ~(uint64_t)1) * KB(64) + off)
			rd->errors++;
		if (iofd_mt_find_iova(rd->mt, i * KB(64) + KB(16) + off))
			rd->errors++;	/* in a hole */
	}
	return NULL;
}

static void concurrent_readers_translate_consistently(void **state)
{
	static struct iofd_mapping m[RMAPS];
	struct iofd_mapping_table mt;
	struct reader rd[READERS];
	pthread_t t[READERS];
	size_t i;

	iofd_mt_init(&mt);
	for (i = 0; i < RMAPS; i++)
		assert_int_equal(add(&mt, &m[(i * 2654435761u) % RMAPS],
				     ((i * 2654435761u) % RMAPS) * KB(64), KB(16),
				     KB(1024) * 1024 + (((i * 2654435761u) % RMAPS) / 2) * KB(64)), 0);
	ix(&mt);	/* the readers only read: the IOAS indexes under its write side */
	for (i = 0; i < READERS; i++) {
		rd[i].mt = &mt;
		rd[i].seed = i + 1;
		rd[i].errors = 0;
		assert_int_equal(pthread_create(&t[i], NULL, reader_main, &rd[i]), 0);
	}
	for (i = 0; i < READERS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(rd[i].errors, 0);
	}
	/* Readers changed nothing. */
	check_invariants(&mt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_table_finds_nothing),
		cmocka_unit_test(insert_then_find_by_iova_and_vaddr),
		cmocka_unit_test(vaddr_index_is_built_when_a_lookup_needs_it),
		cmocka_unit_test(zero_length_is_einval),
		cmocka_unit_test(last_byte_past_top_is_eoverflow),
		cmocka_unit_test(overlap_is_eexist_and_changes_nothing),
		cmocka_unit_test(remove_exact_needs_the_whole_mapping),
		cmocka_unit_test(one_buffer_mapped_twice_translates_to_the_lower_iova),
		cmocka_unit_test(overlapping_buffers_pick_the_lowest_vaddr),
		cmocka_unit_test(range_check_follows_uniform_unmap_semantics),
		cmocka_unit_test(range_iteration_includes_partial_overlaps),
		cmocka_unit_test(clear_empties_the_table),
		cmocka_unit_test(clear_may_free_in_the_callback),
		cmocka_unit_test(find_free_is_first_fit_and_aligned),
		cmocka_unit_test(random_ops_match_the_model),
		cmocka_unit_test(random_ops_at_the_top_match_the_model),
		cmocka_unit_test(concurrent_readers_translate_consistently),
	};

	return cmocka_run_group_tests_name("mapping_table", tests, NULL, NULL);
}
