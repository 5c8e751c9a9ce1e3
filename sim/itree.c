// SPDX-License-Identifier: LGPL-2.1-or-later
/* An augmented AVL interval tree (see itree.h). */
#include "itree.h"

static inline int height(const struct itree_node *n)
{
	return n ? n->height : 0;
}

static inline uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static void update(struct itree_node *n)
{
	uint64_t sl = n->last;
	int hl = height(n->left), hr = height(n->right);

	if (n->left)
		sl = max64(sl, n->left->subtree_last);
	if (n->right)
		sl = max64(sl, n->right->subtree_last);
	n->subtree_last = sl;
	n->height = 1 + (hl > hr ? hl : hr);
}

/* Put @new where @old hangs under @parent (or at the root). */
static void replace_child(struct itree *t, struct itree_node *parent, struct itree_node *old,
			  struct itree_node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new)
		new->parent = parent;
}

static struct itree_node *rotate_left(struct itree *t, struct itree_node *x)
{
	struct itree_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	replace_child(t, x->parent, x, y);
	y->left = x;
	x->parent = y;
	update(x);
	update(y);
	return y;
}

static struct itree_node *rotate_right(struct itree *t, struct itree_node *x)
{
	struct itree_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	replace_child(t, x->parent, x, y);
	y->right = x;
	x->parent = y;
	update(x);
	update(y);
	return y;
}

/* Restore heights, balance and subtree_last from @n up to the root. */
static void rebalance(struct itree *t, struct itree_node *n)
{
	while (n) {
		int bf;

		update(n);
		bf = height(n->left) - height(n->right);
		if (bf > 1) {
			if (height(n->left->left) < height(n->left->right))
				rotate_left(t, n->left);
			n = rotate_right(t, n);
		} else if (bf < -1) {
			if (height(n->right->right) < height(n->right->left))
				rotate_right(t, n->right);
			n = rotate_left(t, n);
		}
		n = n->parent;
	}
}

void itree_insert(struct itree *t, struct itree_node *n)
{
	struct itree_node *parent = NULL, **link = &t->root;

	while (*link) {
		parent = *link;
		link = n->start < parent->start ? &parent->left : &parent->right;
	}
	n->left = n->right = NULL;
	n->parent = parent;
	n->height = 1;
	n->subtree_last = n->last;
	*link = n;
	t->count++;
	rebalance(t, parent);
}

void itree_remove(struct itree *t, struct itree_node *z)
{
	struct itree_node *fix;

	if (z->left && z->right) {
		struct itree_node *y = z->right;

		while (y->left)
			y = y->left;
		if (y->parent != z) {
			fix = y->parent;
			replace_child(t, y->parent, y, y->right);
			y->right = z->right;
			z->right->parent = y;
		} else {
			fix = y;
		}
		replace_child(t, z->parent, z, y);
		y->left = z->left;
		z->left->parent = y;
	} else {
		fix = z->parent;
		replace_child(t, z->parent, z, z->left ? z->left : z->right);
	}
	z->left = z->right = z->parent = NULL;
	t->count--;
	rebalance(t, fix);
}

/* The leftmost node of the subtree at @n meeting [start, last]. */
static struct itree_node *subtree_search(struct itree_node *n, uint64_t start, uint64_t last)
{
	for (;;) {
		if (n->left && start <= n->left->subtree_last) {
			n = n->left;
			continue;
		}
		if (n->start <= last) {
			if (start <= n->last)
				return n;
			if (n->right && start <= n->right->subtree_last) {
				n = n->right;
				continue;
			}
		}
		return NULL;
	}
}

struct itree_node *itree_iter_first(const struct itree *t, uint64_t start, uint64_t last)
{
	if (!t->root || t->root->subtree_last < start)
		return NULL;
	return subtree_search(t->root, start, last);
}

struct itree_node *itree_iter_next(struct itree_node *n, uint64_t start, uint64_t last)
{
	struct itree_node *r = n->right, *prev;

	for (;;) {
		if (r && start <= r->subtree_last)
			return subtree_search(r, start, last);
		/* Up until we come from a left child. */
		do {
			prev = n;
			n = n->parent;
			if (!n)
				return NULL;
			r = n->right;
		} while (prev == r);
		if (last < n->start)
			return NULL;
		if (start <= n->last)
			return n;
	}
}

/* The largest last among intervals starting at or before @x. */
static bool max_last_upto(const struct itree *t, uint64_t x, uint64_t *ret)
{
	const struct itree_node *n = t->root;
	bool found = false;
	uint64_t best = 0;

	while (n) {
		if (n->start <= x) {
			best = max64(best, n->last);
			if (n->left)
				best = max64(best, n->left->subtree_last);
			found = true;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	*ret = best;
	return found;
}

static void span_compute(struct itree_span *s)
{
	uint64_t pos = s->start, min_start = UINT64_MAX, e, m;
	bool covering = false, any = false, grew;

	for (int i = 0; i < s->ntrees; i++) {
		struct itree_node *n = itree_iter_first(s->trees[i], pos, s->end);

		if (!n)
			continue;
		any = true;
		if (n->start <= pos)
			covering = true;
		else if (n->start < min_start)
			min_start = n->start;
	}
	if (!covering) {
		s->used = false;
		s->last = any ? min_start - 1 : s->end;
		return;
	}
	e = pos;
	for (int i = 0; i < s->ntrees; i++)
		if (max_last_upto(s->trees[i], pos, &m) && m > e)
			e = m;
	do {
		grew = false;
		if (e >= s->end)
			break;
		for (int i = 0; i < s->ntrees; i++)
			if (max_last_upto(s->trees[i], e + 1, &m) && m > e) {
				e = m;
				grew = true;
			}
	} while (grew);
	s->used = true;
	s->last = e < s->end ? e : s->end;
}

void itree_span_first(struct itree_span *s, const struct itree *const *trees, int ntrees,
		      uint64_t start, uint64_t last)
{
	s->ntrees = ntrees > ITREE_SPAN_MAX ? ITREE_SPAN_MAX : ntrees;
	for (int i = 0; i < s->ntrees; i++)
		s->trees[i] = trees[i];
	s->start = start;
	s->end = last;
	s->done = start > last;
	if (!s->done)
		span_compute(s);
}

void itree_span_next(struct itree_span *s)
{
	if (s->done || s->last >= s->end) {
		s->done = true;
		return;
	}
	s->start = s->last + 1;
	span_compute(s);
}

uint64_t itree_covered(const struct itree *t, uint64_t start, uint64_t last)
{
	const struct itree *trees[1] = { t };
	struct itree_span s;
	uint64_t n = 0;

	itree_for_each_span(&s, trees, 1, start, last)
		if (s.used)
			n += s.last - s.start + 1;
	return n;
}
