/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An intrusive AVL tree with augmentation: the mapping table's two trees
 * (lib/mapping_table.h). A node sits inside the caller's struct; the caller
 * searches its own way (only it knows the order) and links a new leaf where
 * the search ended, or erases a node; both rebalance and call the caller's
 * update function on every node from there to the root, bottom up, so that
 * augmented fields (a subtree's span, largest gap, highest end...) are exact
 * after every change. No allocation; nothing here can fail.
 *
 * All inline, so that each tree's update function is known where it is
 * called and the code is specialised per tree, and so that the table's
 * insert and remove, inline on the map path, make no call of their own;
 * rotation, the uncommon case, is out of line (see avl_rotate_at()).
 * iofd_avl_*() are for the tree's user; avl_*() are this file's own.
 */
#ifndef IOFD_AVL_H
#define IOFD_AVL_H

#include <stdbool.h>
#include <stddef.h>

struct iofd_avl_node {
	struct iofd_avl_node *parent, *left, *right;
	int height;		/* of its subtree; a leaf: 1 */
};

/* Recompute @n's augmented fields from its own and its children's. */
typedef void (*iofd_avl_update_fn)(struct iofd_avl_node *n);

static inline int iofd_avl_height(const struct iofd_avl_node *n)
{
	return n ? n->height : 0;
}

static inline void avl_update(struct iofd_avl_node *n, iofd_avl_update_fn fn)
{
	int hl = iofd_avl_height(n->left), hr = iofd_avl_height(n->right);

	n->height = 1 + (hl > hr ? hl : hr);
	fn(n);
}

static inline void avl_replace_child(struct iofd_avl_node **root, struct iofd_avl_node *parent,
				     struct iofd_avl_node *old, struct iofd_avl_node *new)
{
	if (!parent)
		*root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

static inline struct iofd_avl_node *avl_rotate_left(struct iofd_avl_node **root,
						    struct iofd_avl_node *x, iofd_avl_update_fn fn)
{
	struct iofd_avl_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->parent = x->parent;
	avl_replace_child(root, x->parent, x, y);
	y->left = x;
	x->parent = y;
	avl_update(x, fn);
	avl_update(y, fn);
	return y;
}

static inline struct iofd_avl_node *avl_rotate_right(struct iofd_avl_node **root,
						     struct iofd_avl_node *x, iofd_avl_update_fn fn)
{
	struct iofd_avl_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->parent = x->parent;
	avl_replace_child(root, x->parent, x, y);
	y->right = x;
	x->parent = y;
	avl_update(x, fn);
	avl_update(y, fn);
	return y;
}

/*
 * @n leans by two (@bf, left height minus right): one or two rotations
 * restore it. Out of line, as the uncommon case: inlined into both trees'
 * insert and erase it made each of them 6 KiB, and the common path, no
 * rotation, then spread over pages (a cost of its own under emulation).
 */
static __attribute__((noinline, unused)) struct iofd_avl_node *
avl_rotate_at(struct iofd_avl_node **root, struct iofd_avl_node *n, int bf,
	      iofd_avl_update_fn fn)
{
	if (bf > 1) {
		if (iofd_avl_height(n->left->left) < iofd_avl_height(n->left->right))
			avl_rotate_left(root, n->left, fn);
		return avl_rotate_right(root, n, fn);
	}
	if (iofd_avl_height(n->right->right) < iofd_avl_height(n->right->left))
		avl_rotate_right(root, n->right, fn);
	return avl_rotate_left(root, n, fn);
}

/* Restore the AVL property at @n (its subtrees are balanced and their
 * augments current); returns the subtree's new root, updated. */
static inline struct iofd_avl_node *avl_rebalance(struct iofd_avl_node **root,
						  struct iofd_avl_node *n, iofd_avl_update_fn fn)
{
	int bf = iofd_avl_height(n->left) - iofd_avl_height(n->right);

	if (bf > 1 || bf < -1)
		return avl_rotate_at(root, n, bf, fn);
	avl_update(n, fn);
	return n;
}

static inline void avl_fixup(struct iofd_avl_node **root, struct iofd_avl_node *n,
			     iofd_avl_update_fn fn)
{
	while (n)
		n = avl_rebalance(root, n, fn)->parent;
}

/* Link leaf @n under @parent (NULL: as the root) on side @left. */
static inline void iofd_avl_link(struct iofd_avl_node **root, struct iofd_avl_node *parent,
				 bool left, struct iofd_avl_node *n, iofd_avl_update_fn fn)
{
	n->parent = parent;
	n->left = n->right = NULL;
	n->height = 1;
	fn(n);
	if (!parent)
		*root = n;
	else if (left)
		parent->left = n;
	else
		parent->right = n;
	avl_fixup(root, parent, fn);
}

/* The first node in order of @n's subtree (NULL: NULL). */
static inline struct iofd_avl_node *iofd_avl_leftmost(struct iofd_avl_node *n)
{
	while (n && n->left)
		n = n->left;
	return n;
}

/* The next node in order, or NULL. */
static inline struct iofd_avl_node *iofd_avl_next(const struct iofd_avl_node *n)
{
	const struct iofd_avl_node *p;

	if (n->right)
		return iofd_avl_leftmost(n->right);
	for (p = n->parent; p && n == p->right; n = p, p = p->parent)
		;
	return (struct iofd_avl_node *)p;
}

/* Erase @n from the tree (it may then be linked again). */
static inline void iofd_avl_erase(struct iofd_avl_node **root, struct iofd_avl_node *n,
				  iofd_avl_update_fn fn)
{
	struct iofd_avl_node *from;

	if (n->left && n->right) {
		/* The successor (no left child) takes n's place. */
		struct iofd_avl_node *s = iofd_avl_leftmost(n->right);

		if (s->parent == n) {
			from = s;
		} else {
			from = s->parent;
			from->left = s->right;
			if (s->right)
				s->right->parent = from;
			s->right = n->right;
			n->right->parent = s;
		}
		s->left = n->left;
		n->left->parent = s;
		s->parent = n->parent;
		avl_replace_child(root, n->parent, n, s);
	} else {
		struct iofd_avl_node *child = n->left ? n->left : n->right;

		from = n->parent;
		if (child)
			child->parent = from;
		avl_replace_child(root, from, n, child);
	}
	n->parent = n->left = n->right = NULL;
	avl_fixup(root, from, fn);
}

#endif
