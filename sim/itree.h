/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An interval tree: closed intervals [start, last] of uint64_t, ordered by
 * start (equal starts by insertion), in a height-balanced (AVL) tree whose
 * nodes also know the largest "last" below them. Insert, remove, lookup of
 * the first interval meeting a range, and stepping to the next one are all
 * O(log n). Intervals may overlap (reserved IOVA ranges do); the users that
 * need disjoint intervals (IOAS areas) check before inserting.
 *
 * A node is embedded in its owner's struct; itree_entry() gets the owner.
 * The tree allocates nothing, so inserting cannot fail.
 */
#ifndef IOFD_SIM_ITREE_H
#define IOFD_SIM_ITREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct itree_node {
	struct itree_node *left, *right, *parent;
	uint64_t start, last;
	uint64_t subtree_last;	/* max last in this subtree */
	int height;
};

struct itree {
	struct itree_node *root;
	size_t count;
};

#define itree_entry(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

static inline bool itree_empty(const struct itree *t)
{
	return !t->root;
}

void itree_insert(struct itree *t, struct itree_node *n);
void itree_remove(struct itree *t, struct itree_node *n);

/* The first interval (lowest start) that meets [start, last], or NULL. */
struct itree_node *itree_iter_first(const struct itree *t, uint64_t start, uint64_t last);
/* The next interval after @n, in order, that meets [start, last], or NULL. */
struct itree_node *itree_iter_next(struct itree_node *n, uint64_t start, uint64_t last);

#define itree_for_each(n, t, s, l) \
	for ((n) = itree_iter_first(t, s, l); (n); (n) = itree_iter_next(n, s, l))

/*
 * Spans: [start, last] cut into maximal pieces that the union of up to
 * ITREE_SPAN_MAX trees covers (used) or does not (holes), in order.
 * Touching intervals make one used span.
 */
#define ITREE_SPAN_MAX 2

struct itree_span {
	uint64_t start, last;	/* this span */
	bool used;
	bool done;
	/* private */
	const struct itree *trees[ITREE_SPAN_MAX];
	int ntrees;
	uint64_t end;
};

void itree_span_first(struct itree_span *s, const struct itree *const *trees, int ntrees,
		      uint64_t start, uint64_t last);
void itree_span_next(struct itree_span *s);

#define itree_for_each_span(s, trees, ntrees, first, lastv)             \
	for (itree_span_first(s, trees, ntrees, first, lastv); !(s)->done; \
	     itree_span_next(s))

/* How many of the values in [start, last] the tree's intervals cover. */
uint64_t itree_covered(const struct itree *t, uint64_t start, uint64_t last);

#endif
