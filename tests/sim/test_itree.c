// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulator's interval tree against a brute-force model: random
 * inserts and removes of (overlapping) intervals, checking after each that
 * lookups, ordered walks, spans and coverage agree with a plain array, and
 * that the tree stays balanced with correct subtree maxima.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "itree.h"

#define N 400

struct ival {
	struct itree_node node;
	bool in;
	int seq;	/* insertion order, for equal starts */
};

/* xorshift: a reproducible sequence. */
static uint64_t rnd_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static int check_node(const struct itree_node *n, const struct itree_node *parent,
		      uint64_t *sl)
{
	uint64_t l = 0, r = 0, m;
	int hl, hr;

	if (!n) {
		*sl = 0;
		return 0;
	}
	assert_ptr_equal(n->parent, parent);
	hl = check_node(n->left, n, &l);
	hr = check_node(n->right, n, &r);
	assert_true(hl - hr <= 1 && hr - hl <= 1);
	assert_int_equal(n->height, 1 + (hl > hr ? hl : hr));
	if (n->left)
		assert_true(n->left->start <= n->start);
	if (n->right)
		assert_true(n->right->start >= n->start);
	m = n->last;
	if (n->left && l > m)
		m = l;
	if (n->right && r > m)
		m = r;
	assert_int_equal(n->subtree_last, m);
	*sl = m;
	return n->height;
}

static bool meets(const struct itree_node *n, uint64_t s, uint64_t l)
{
	return n->start <= l && n->last >= s;
}

/* The model's answer: the in-tree intervals meeting [s, l], by start then seq. */
static int model_hits(struct ival *iv, uint64_t s, uint64_t l, struct ival **out)
{
	int n = 0;

	for (int i = 0; i < N; i++)
		if (iv[i].in && meets(&iv[i].node, s, l))
			out[n++] = &iv[i];
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0; j--) {
			struct ival *a = out[j - 1], *b = out[j];

			if (a->node.start < b->node.start ||
			    (a->node.start == b->node.start && a->seq < b->seq))
				break;
			out[j - 1] = b;
			out[j] = a;
		}
	return n;
}

static bool model_covered(struct ival *iv, uint64_t x)
{
	for (int i = 0; i < N; i++)
		if (iv[i].in && iv[i].node.start <= x && iv[i].node.last >= x)
			return true;
	return false;
}

static void check_query(struct itree *t, struct ival *iv, uint64_t s, uint64_t l)
{
	static struct ival *hits[N];
	int n = model_hits(iv, s, l, hits), i = 0;
	struct itree_node *x;

	itree_for_each(x, t, s, l) {
		assert_true(i < n);
		assert_ptr_equal(x, &hits[i]->node);
		i++;
	}
	assert_int_equal(i, n);
}

static void check_spans(struct itree *t, struct ival *iv, uint64_t s, uint64_t l)
{
	const struct itree *trees[1] = { t };
	struct itree_span sp;
	uint64_t next = s, covered = 0;
	bool prev_used = false, first = true;

	itree_for_each_span(&sp, trees, 1, s, l) {
		assert_int_equal(sp.start, next);
		assert_true(sp.last >= sp.start && sp.last <= l);
		/* Maximal: used and holes alternate. */
		if (!first)
			assert_true(sp.used != prev_used);
		/* Spot checks of the ends against the model. */
		assert_int_equal(model_covered(iv, sp.start), sp.used);
		assert_int_equal(model_covered(iv, sp.last), sp.used);
		if (sp.used)
			covered += sp.last - sp.start + 1;
		prev_used = sp.used;
		first = false;
		next = sp.last + 1;
	}
	assert_int_equal(next - 1, l);
	assert_int_equal(itree_covered(t, s, l), covered);
}

static void random_against_model(void **state)
{
	static struct ival iv[N];
	struct itree t = { 0 };
	uint64_t sl;
	int seq = 0;

	memset(iv, 0, sizeof(iv));
	for (int round = 0; round < 6000; round++) {
		int i = (int)(rnd() % N);

		if (iv[i].in) {
			itree_remove(&t, &iv[i].node);
			iv[i].in = false;
		} else {
			uint64_t s = rnd() % 10000, len = 1 + rnd() % 60;

			/* Some at the very ends of the u64 range. */
			if (rnd() % 50 == 0)
				s = UINT64_MAX - rnd() % 100;
			iv[i].node.start = s;
			iv[i].node.last = s + len - 1 < s ? UINT64_MAX : s + len - 1;
			iv[i].seq = seq++;
			itree_insert(&t, &iv[i].node);
			iv[i].in = true;
		}
		check_node(t.root, NULL, &sl);
		if (round % 7 == 0) {
			uint64_t s = rnd() % 10100, l = s + rnd() % 300;

			check_query(&t, iv, s, l);
			check_spans(&t, iv, s, l);
			check_query(&t, iv, UINT64_MAX - 200, UINT64_MAX);
			check_spans(&t, iv, UINT64_MAX - 200, UINT64_MAX);
		}
	}
	check_query(&t, iv, 0, UINT64_MAX);
	for (int i = 0; i < N; i++)
		if (iv[i].in)
			itree_remove(&t, &iv[i].node);
	assert_null(t.root);
	assert_int_equal(t.count, 0);
}

static void spans_over_two_trees(void **state)
{
	struct itree a = { 0 }, b = { 0 };
	struct itree_node na[2] = { { .start = 10, .last = 19 }, { .start = 40, .last = 49 } };
	struct itree_node nb[2] = { { .start = 20, .last = 29 }, { .start = 45, .last = 60 } };
	const struct itree *trees[2] = { &a, &b };
	const uint64_t want[][3] = {
		{ 0, 9, 0 }, { 10, 29, 1 }, { 30, 39, 0 }, { 40, 60, 1 }, { 61, 100, 0 },
	};
	struct itree_span sp;
	int i = 0;

	itree_insert(&a, &na[0]);
	itree_insert(&a, &na[1]);
	itree_insert(&b, &nb[0]);
	itree_insert(&b, &nb[1]);
	/* Touching intervals of either tree make one used span. */
	itree_for_each_span(&sp, trees, 2, 0, 100) {
		assert_true(i < 5);
		assert_int_equal(sp.start, want[i][0]);
		assert_int_equal(sp.last, want[i][1]);
		assert_int_equal(sp.used, want[i][2]);
		i++;
	}
	assert_int_equal(i, 5);
}

static void empty_tree_is_one_hole(void **state)
{
	const struct itree t = { 0 }, *trees[1] = { &t };
	struct itree_span sp;
	int n = 0;

	itree_for_each_span(&sp, trees, 1, 0, UINT64_MAX) {
		assert_false(sp.used);
		assert_int_equal(sp.start, 0);
		assert_int_equal(sp.last, UINT64_MAX);
		n++;
	}
	assert_int_equal(n, 1);
	assert_null(itree_iter_first(&t, 0, UINT64_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_against_model),
		cmocka_unit_test(spans_over_two_trees),
		cmocka_unit_test(empty_tree_is_one_hole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
