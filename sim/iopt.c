// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The I/O page table of an IOAS: areas keyed by IOVA, the IOVA allocator,
 * reserved and allowed ranges, and the domains that mirror the areas.
 * The rules (order of checks, errnos, what a failure leaves behind) are
 * those of Linux 6.12's drivers/iommu/iommufd/io_pagetable.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iopt.h"

static inline uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* iova + length - 1 in the kernel's unsigned long, or false on overflow. */
static bool last_of(uint64_t iova, uint64_t length, uint64_t *last)
{
	uint64_t l = iova + (length - 1);

	if (iova > SIM_ULONG_MAX || length - 1 > SIM_ULONG_MAX - iova)
		return false;
	*last = l;
	return true;
}

static uint64_t lowest_bit(uint64_t x)
{
	return x & -x;
}

static uint64_t roundup_pow_of_two(uint64_t x)
{
	uint64_t r = 1;

	while (r < x)
		r <<= 1;
	return r;
}

#define area_of(n) itree_entry(n, struct sim_area, node)
#define reserved_of(n) itree_entry(n, struct sim_reserved, node)
#define allowed_of(n) itree_entry(n, struct sim_allowed, node)
#define dmap_of(n) itree_entry(n, struct sim_dmap, node)

static struct sim_area *area_first(const struct sim_iopt *iopt, uint64_t start, uint64_t last)
{
	struct itree_node *n = itree_iter_first(&iopt->areas, start, last);

	return n ? area_of(n) : NULL;
}

static struct sim_area *area_next(struct sim_area *a, uint64_t start, uint64_t last)
{
	struct itree_node *n = itree_iter_next(&a->node, start, last);

	return n ? area_of(n) : NULL;
}

#define for_each_area(a, iopt) \
	for ((a) = area_first(iopt, 0, UINT64_MAX); (a); (a) = area_next(a, 0, UINT64_MAX))

static uint64_t area_length(const struct sim_area *a)
{
	return a->node.last - a->node.start + 1;
}

static uint64_t area_page_offset(const struct sim_area *a)
{
	return a->start_byte % a->iopt->sim->page_size;
}

/* Bytes from the start of the area's pages to @iova. */
static uint64_t area_start_byte(const struct sim_area *a, uint64_t iova)
{
	return iova - a->node.start + a->start_byte;
}

void sim_iopt_init(struct sim_iopt *iopt, struct iofd_sim *sim)
{
	memset(iopt, 0, sizeof(*iopt));
	iopt->sim = sim;
	/* No domain yet: any byte alignment goes. */
	iopt->iova_alignment = 1;
}

/* ------------------------------------------------------------------------
 * Domains: filling areas into them, and taking them out
 */

int sim_domain_translate(const struct sim_domain *dom, uint64_t iova, uint64_t *uva, int *prot)
{
	struct itree_node *n = itree_iter_first(&dom->map, iova, iova);
	struct sim_dmap *m;

	if (!n)
		return -ENOENT;
	m = dmap_of(n);
	*uva = m->pages->uptr + m->start_byte + (iova - m->node.start);
	*prot = m->prot;
	return 0;
}

static void dmap_set(struct sim_dmap *m, struct sim_domain *dom, const struct sim_area *a,
		     struct sim_pages *pages)
{
	m->node.start = a->node.start;
	m->node.last = a->node.last;
	m->pages = pages;
	m->start_byte = a->start_byte;
	m->prot = a->prot;
	itree_insert(&dom->map, &m->node);
}

static void set_pages_node(struct sim_area *a)
{
	uint64_t ps = a->iopt->sim->page_size;

	a->pages_node.start = a->start_byte / ps;
	a->pages_node.last = (a->start_byte + area_length(a) - 1) / ps;
}

/* Map @a into @dom. */
static int domain_map_area(struct sim_domain *dom, struct sim_area *a, struct sim_pages *pages)
{
	struct sim_dmap *m = sim_zalloc(a->iopt->sim, sizeof(*m));

	if (!m)
		return -ENOMEM;
	dmap_set(m, dom, a, pages);
	return 0;
}

/* Forget @dom's entry for @a (a split replaces it). */
static void domain_drop_dmap(struct sim_domain *dom, struct sim_area *a)
{
	struct itree_node *n = itree_iter_first(&dom->map, a->node.start, a->node.start);

	if (!n)
		return;
	itree_remove(&dom->map, n);
	free(dmap_of(n));
}

static void domain_unmap_area(struct sim_domain *dom, struct sim_area *a)
{
	struct itree_node *n;

	domain_drop_dmap(dom, a);
	/* Dirty bits live in the IOPTEs: they go with them. */
	while ((n = itree_iter_first(&dom->dirty, a->node.start, a->node.last))) {
		itree_remove(&dom->dirty, n);
		free(itree_entry(n, struct sim_dirty, node));
	}
}

/* Fill one area into every domain, pinning it (iopt_area_fill_domains). */
static int area_fill_domains(struct sim_area *a, struct sim_pages *pages)
{
	struct sim_iopt *iopt = a->iopt;
	unsigned int i;
	int r;

	if (!iopt->ndomains)
		return 0;
	set_pages_node(a);
	r = sim_pages_hold(pages, &a->pages_node);
	if (r < 0)
		return r;
	for (i = 0; i < iopt->ndomains; i++) {
		r = domain_map_area(iopt->domains[i], a, pages);
		if (r < 0)
			goto undo;
	}
	a->filled = true;
	return 0;
undo:
	while (i--)
		domain_unmap_area(iopt->domains[i], a);
	sim_pages_release(pages, &a->pages_node);
	return r;
}

/* Take one area out of every domain and unpin it (iopt_area_unfill_domains). */
static void area_unfill_domains(struct sim_area *a, struct sim_pages *pages)
{
	struct sim_iopt *iopt = a->iopt;

	if (!a->filled)
		return;
	for (unsigned int i = 0; i < iopt->ndomains; i++)
		domain_unmap_area(iopt->domains[i], a);
	sim_pages_release(pages, &a->pages_node);
	a->filled = false;
}

/* ------------------------------------------------------------------------
 * Areas
 */

static struct sim_area *area_alloc(struct sim_iopt *iopt)
{
	return sim_zalloc(iopt->sim, sizeof(struct sim_area));
}

/* Remove a not-yet-complete area again (iopt_abort_area). */
static void area_abort(struct sim_area *a)
{
	if (a->inserted)
		itree_remove(&a->iopt->areas, &a->node);
	free(a);
}

/* The kernel-chosen IOVA's alignment and placement (iopt_alloc_iova). */
static bool alloc_check_range(uint64_t *start, uint64_t last, uint64_t length, uint64_t align,
			      uint64_t page_offset)
{
	uint64_t aligned;

	if (*start > SIM_ULONG_MAX - (align - 1))
		return false;
	aligned = (*start + align - 1) & ~(align - 1);
	aligned |= page_offset;
	if (aligned >= last || last - aligned < length - 1)
		return false;
	*start = aligned;
	return true;
}

static int alloc_iova(struct sim_iopt *iopt, uint64_t *iova, uint64_t uptr, uint64_t length)
{
	const struct itree *used[2] = { &iopt->reserved, &iopt->areas };
	const struct itree *allowed[1] = { &iopt->allowed };
	uint64_t ps = iopt->sim->page_size, page_offset = uptr % ps, align;
	struct itree_span as, hs;

	if (length == 0 || length >= SIM_ULONG_MAX / 2)
		return -EOVERFLOW;
	/* Keep the alignment the user address has: a better chance of huge IOPTEs. */
	align = roundup_pow_of_two(length);
	if (uptr)
		align = min64(align, lowest_bit(uptr));
	if (align >= iopt->sim->hpage_size)
		align = iopt->sim->hpage_size;
	if (align < iopt->iova_alignment)
		return -EINVAL;

	itree_for_each_span(&as, allowed, 1, ps, SIM_ULONG_MAX - ps) {
		uint64_t start;

		/* No allowed list: everything is allowed. */
		if (itree_empty(&iopt->allowed))
			as.used = true;
		if (!as.used)
			continue;
		start = as.start;
		if (!alloc_check_range(&start, as.last, length, align, page_offset))
			continue;
		itree_for_each_span(&hs, used, 2, start, as.last) {
			uint64_t hole = hs.start;

			if (hs.used ||
			    !alloc_check_range(&hole, hs.last, length, align, page_offset))
				continue;
			*iova = hole;
			return 0;
		}
	}
	return -ENOSPC;
}

/* A caller-chosen IOVA (iopt_check_iova). */
static int check_iova(struct sim_iopt *iopt, uint64_t iova, uint64_t length)
{
	uint64_t last;

	if (iova & (iopt->iova_alignment - 1))
		return -EINVAL;
	if (!last_of(iova, length, &last))
		return -EOVERFLOW;
	if (itree_iter_first(&iopt->reserved, iova, last))
		return -EINVAL;
	if (area_first(iopt, iova, last))
		return -EEXIST;
	return 0;
}

/* Place @a over [iova, iova + length) as a slice of @pages (iopt_insert_area). */
static int insert_area(struct sim_iopt *iopt, struct sim_area *a, struct sim_pages *pages,
		       uint64_t iova, uint64_t start_byte, uint64_t length, int prot)
{
	uint64_t ps = iopt->sim->page_size, last_byte;

	if ((prot & SIM_PROT_WRITE) && !pages->writable)
		return -EPERM;
	a->prot = prot;
	a->iopt = iopt;
	a->start_byte = start_byte;
	if (area_page_offset(a) & (iopt->iova_alignment - 1))
		return -EINVAL;
	a->node.start = iova;
	if (!last_of(iova, length, &a->node.last))
		return -EOVERFLOW;
	if (!last_of(start_byte, length, &last_byte) || last_byte / ps >= pages->npages)
		return -EOVERFLOW;
	itree_insert(&iopt->areas, &a->node);
	a->inserted = true;
	return 0;
}

static int list_add(struct iofd_sim *sim, struct sim_pages_list *list, struct sim_pages *pages,
		    uint64_t start_byte, uint64_t length)
{
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 4;
		struct sim_pages_elm *e = sim_realloc(sim, list->elms, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		list->elms = e;
		list->cap = cap;
	}
	list->elms[list->n++] = (struct sim_pages_elm){
		.pages = pages, .start_byte = start_byte, .length = length,
	};
	return 0;
}

void sim_pages_list_free(struct sim_pages_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		if (list->elms[i].area)
			area_abort(list->elms[i].area);
		sim_pages_put(list->elms[i].pages);
	}
	free(list->elms);
	memset(list, 0, sizeof(*list));
}

/* Make and place one area per element (iopt_alloc_area_pages). */
static int alloc_area_pages(struct sim_iopt *iopt, struct sim_pages_list *list,
			    uint64_t length, uint64_t *dst_iova, int prot, unsigned int flags)
{
	uint64_t iova;
	int r;

	for (size_t i = 0; i < list->n; i++) {
		list->elms[i].area = area_alloc(iopt);
		if (!list->elms[i].area)
			return -ENOMEM;
	}
	if ((length & (iopt->iova_alignment - 1)) || !length)
		return -EINVAL;
	if (flags & SIM_IOPT_ALLOC_IOVA) {
		/* The first piece's user address guides the alignment. */
		r = alloc_iova(iopt, dst_iova, list->elms[0].pages->uptr + list->elms[0].start_byte,
			       length);
	} else {
		r = check_iova(iopt, *dst_iova, length);
	}
	if (r < 0)
		return r;
	iova = *dst_iova;
	for (size_t i = 0; i < list->n; i++) {
		struct sim_pages_elm *e = &list->elms[i];

		r = insert_area(iopt, e->area, e->pages, iova, e->start_byte, e->length, prot);
		if (r < 0)
			return r;
		iova += e->length;
	}
	return 0;
}

int sim_iopt_map_pages(struct sim_iopt *iopt, struct sim_pages_list *list, uint64_t length,
		       uint64_t *dst_iova, int prot, unsigned int flags)
{
	size_t i;
	int r;

	r = alloc_area_pages(iopt, list, length, dst_iova, prot, flags);
	if (r < 0)
		return r;
	for (i = 0; i < list->n; i++) {
		r = area_fill_domains(list->elms[i].area, list->elms[i].pages);
		if (r < 0)
			goto undo;
	}
	/* Complete: each area takes its element's pages reference. */
	for (i = 0; i < list->n; i++) {
		list->elms[i].area->pages = list->elms[i].pages;
		list->elms[i].pages = NULL;
		list->elms[i].area = NULL;
	}
	return 0;
undo:
	while (i--)
		area_unfill_domains(list->elms[i].area, list->elms[i].pages);
	return r;
}

int sim_iopt_map_user_pages(struct sim_iopt *iopt, enum sim_account ctx_mode, uint64_t *iova,
			    uint64_t uptr, uint64_t length, int prot, unsigned int flags)
{
	struct sim_pages_list list = { 0 };
	struct sim_pages *pages;
	int r;

	r = sim_pages_new(iopt->sim, uptr, length, prot & SIM_PROT_WRITE, &pages);
	if (r < 0)
		return r;
	if (ctx_mode == SIM_ACCOUNT_MM && pages->account_mode == SIM_ACCOUNT_USER)
		pages->account_mode = SIM_ACCOUNT_MM;
	if (iopt->type1) {
		/* VFIO charges mm->locked_vm even with CAP_IPC_LOCK, which only
		 * lifts the limit (__account_locked_vm()); VmPin never sees it. */
		pages->lock_cap = pages->account_mode == SIM_ACCOUNT_NONE;
		pages->account_mode = SIM_ACCOUNT_MM;
		pages->no_pinned_vm = true;
	}
	r = list_add(iopt->sim, &list, pages, uptr - pages->uptr, length);
	if (r < 0) {
		sim_pages_put(pages);
		return r;
	}
	r = sim_iopt_map_pages(iopt, &list, length, iova, prot, flags);
	sim_pages_list_free(&list);
	return r;
}

int sim_iopt_get_pages(struct sim_iopt *iopt, uint64_t iova, uint64_t length,
		       struct sim_pages_list *list)
{
	uint64_t last, cur = iova;
	struct sim_area *a;
	int r;

	if (!length)
		return -EINVAL;
	if (!last_of(iova, length, &last))
		return -EOVERFLOW;
	/* Areas that follow each other without a gap, from @iova to @last. */
	a = area_first(iopt, iova, iova);
	while (a && a->pages) {
		uint64_t end = min64(last, a->node.last);

		r = list_add(iopt->sim, list, a->pages, area_start_byte(a, cur), end - cur + 1);
		if (r < 0)
			goto fail;
		sim_pages_get(a->pages);
		if (last <= a->node.last)
			return 0;
		cur = a->node.last + 1;
		a = area_next(a, cur, last);
		if (a && a->node.start != cur)
			a = NULL;
	}
	r = -ENOENT;
fail:
	sim_pages_list_free(list);
	return r;
}

/* Unmap the areas inside [start, last] (iopt_unmap_iova_range). */
static int unmap_range(struct sim_iopt *iopt, uint64_t start, uint64_t last, uint64_t *unmapped)
{
	uint64_t bytes = 0;
	struct sim_area *a;
	int r = 0;

	while ((a = area_first(iopt, start, last))) {
		uint64_t a_first = a->node.start, a_last = a->node.last;
		struct sim_pages *pages = a->pages;

		if (!pages) {
			r = -EBUSY;
			break;
		}
		/* Areas cannot be split: a range that cuts one ends the unmap. */
		if (a_first < start || a_last > last) {
			r = -ENOENT;
			break;
		}
		a->pages = NULL;
		area_unfill_domains(a, pages);
		area_abort(a);
		sim_pages_put(pages);
		bytes += a_last - a_first + 1;
		if (a_last >= last)
			break;
		start = a_last + 1;
	}
	if (unmapped)
		*unmapped = bytes;
	return r;
}

int sim_iopt_unmap_iova(struct sim_iopt *iopt, uint64_t iova, uint64_t length,
			uint64_t *unmapped)
{
	uint64_t last;

	if (!length)
		return -EINVAL;
	if (!last_of(iova, length, &last))
		return -EOVERFLOW;
	return unmap_range(iopt, iova, last, unmapped);
}

int sim_iopt_unmap_all(struct sim_iopt *iopt, uint64_t *unmapped)
{
	return unmap_range(iopt, 0, SIM_ULONG_MAX, unmapped);
}

/* ------------------------------------------------------------------------
 * Allowed and reserved ranges
 */

void sim_iopt_free_allowed(struct itree *allowed)
{
	struct itree_node *n;

	while ((n = itree_iter_first(allowed, 0, UINT64_MAX))) {
		itree_remove(allowed, n);
		free(allowed_of(n));
	}
}

int sim_iopt_set_allow_iova(struct sim_iopt *iopt, struct itree *allowed)
{
	struct itree tmp = iopt->allowed;
	struct itree_node *n;

	iopt->allowed = *allowed;
	*allowed = tmp;
	itree_for_each(n, &iopt->allowed, 0, UINT64_MAX) {
		if (itree_iter_first(&iopt->reserved, n->start, n->last)) {
			tmp = iopt->allowed;
			iopt->allowed = *allowed;
			*allowed = tmp;
			return -EADDRINUSE;
		}
	}
	return 0;
}

int sim_iopt_reserve_iova(struct sim_iopt *iopt, uint64_t start, uint64_t last,
			  const void *owner)
{
	struct sim_reserved *r;

	if (area_first(iopt, start, last) || itree_iter_first(&iopt->allowed, start, last))
		return -EADDRINUSE;
	r = sim_zalloc(iopt->sim, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->node.start = start;
	r->node.last = last;
	r->owner = owner;
	itree_insert(&iopt->reserved, &r->node);
	return 0;
}

void sim_iopt_remove_reserved_iova(struct sim_iopt *iopt, const void *owner)
{
	struct itree_node *n, *next;

	for (n = itree_iter_first(&iopt->reserved, 0, UINT64_MAX); n; n = next) {
		next = itree_iter_next(n, 0, UINT64_MAX);
		if (reserved_of(n)->owner == owner) {
			itree_remove(&iopt->reserved, n);
			free(reserved_of(n));
		}
	}
}

/* ------------------------------------------------------------------------
 * Alignment and huge pages
 */

static uint64_t domain_min_pgsize(const struct sim_domain *dom)
{
	return lowest_bit(dom->pgsize_bitmap);
}

/* Every area fits a larger alignment (iopt_check_iova_alignment). */
static int check_iova_alignment(struct sim_iopt *iopt, uint64_t align)
{
	uint64_t mask = align - 1;
	struct sim_area *a;

	for_each_area(a, iopt)
		if ((a->node.start & mask) || (area_length(a) & mask) ||
		    (area_page_offset(a) & mask))
			return -EADDRINUSE;
	return 0;
}

static int calculate_iova_alignment(struct sim_iopt *iopt)
{
	uint64_t align = iopt->disable_large_pages ? iopt->sim->page_size : 1;
	int r;

	for (unsigned int i = 0; i < iopt->ndomains; i++)
		align = max64(align, domain_min_pgsize(iopt->domains[i]));
	if (align > iopt->iova_alignment) {
		r = check_iova_alignment(iopt, align);
		if (r < 0)
			return r;
	}
	iopt->iova_alignment = align;
	return 0;
}

void sim_iopt_enable_large_pages(struct sim_iopt *iopt)
{
	iopt->disable_large_pages = false;
	calculate_iova_alignment(iopt);
}

int sim_iopt_disable_large_pages(struct sim_iopt *iopt)
{
	int r;

	if (iopt->disable_large_pages)
		return 0;
	/* Not once domains may hold huge IOPTEs. */
	if (iopt->ndomains && !itree_empty(&iopt->areas))
		return -EINVAL;
	iopt->disable_large_pages = true;
	r = calculate_iova_alignment(iopt);
	if (r < 0)
		iopt->disable_large_pages = false;
	return r;
}

/* Split @a at @iova, which becomes the last IOVA of the left part (iopt_area_split). */
static int area_split(struct sim_area *a, uint64_t iova)
{
	struct sim_iopt *iopt = a->iopt;
	uint64_t align = iopt->iova_alignment, new_start = iova + 1;
	uint64_t first = a->node.start, last = a->node.last;
	struct sim_pages *pages = a->pages;
	struct sim_area *lhs = NULL, *rhs = NULL;
	struct sim_dmap **m = NULL;
	unsigned int nm = 0;
	int r = -ENOMEM;

	if (iova == first || iova == last)
		return 0;
	if (!pages)
		return -EBUSY;
	if ((new_start & (align - 1)) || (area_start_byte(a, new_start) & (align - 1)))
		return -EINVAL;
	lhs = area_alloc(iopt);
	rhs = area_alloc(iopt);
	if (!lhs || !rhs)
		goto out_free;
	/* Not if a domain could have mapped it with huge IOPTEs. */
	if (a->filled && !iopt->disable_large_pages) {
		r = -EINVAL;
		goto out_free;
	}
	/* Each domain's entry becomes two: allocate them before changing anything. */
	if (a->filled) {
		m = sim_zalloc(iopt->sim, 2 * iopt->ndomains * sizeof(*m));
		if (!m)
			goto out_free;
		for (nm = 0; nm < 2 * iopt->ndomains; nm++) {
			m[nm] = sim_zalloc(iopt->sim, sizeof(**m));
			if (!m[nm])
				goto out_free;
		}
	}
	itree_remove(&iopt->areas, &a->node);
	/* Both halves fit where the whole did: these cannot fail. */
	insert_area(iopt, lhs, pages, first, a->start_byte, new_start - first, a->prot);
	insert_area(iopt, rhs, pages, new_start, area_start_byte(a, new_start),
		    last - new_start + 1, a->prot);
	if (a->filled) {
		set_pages_node(lhs);
		set_pages_node(rhs);
		itree_remove(&pages->holders, &a->pages_node);
		itree_insert(&pages->holders, &lhs->pages_node);
		itree_insert(&pages->holders, &rhs->pages_node);
		for (unsigned int i = 0; i < iopt->ndomains; i++) {
			domain_drop_dmap(iopt->domains[i], a);
			dmap_set(m[2 * i], iopt->domains[i], lhs, pages);
			dmap_set(m[2 * i + 1], iopt->domains[i], rhs, pages);
		}
		lhs->filled = rhs->filled = true;
	}
	lhs->pages = pages;
	rhs->pages = pages;
	sim_pages_get(pages);
	free(m);
	free(a);
	return 0;
out_free:
	while (nm--)
		free(m[nm]);
	free(m);
	free(lhs);
	free(rhs);
	return r;
}

int sim_iopt_cut_iova(struct sim_iopt *iopt, const uint64_t *iovas, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sim_area *a = area_first(iopt, iovas[i], iovas[i]);
		int r;

		if (!a)
			continue;
		r = area_split(a, iovas[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Attaching and detaching domains
 */

/* Fill every area into @dom (iopt_fill_domain); undo everything on failure. */
static int fill_domain(struct sim_iopt *iopt, struct sim_domain *dom)
{
	bool first = iopt->ndomains == 0;
	struct sim_area *a, *end;
	int r = 0;

	for_each_area(a, iopt) {
		if (!a->pages)
			continue;
		if (first) {
			set_pages_node(a);
			r = sim_pages_hold(a->pages, &a->pages_node);
			if (r < 0)
				break;
		}
		r = domain_map_area(dom, a, a->pages);
		if (r < 0) {
			if (first)
				sim_pages_release(a->pages, &a->pages_node);
			break;
		}
		if (first)
			a->filled = true;
	}
	if (!r)
		return 0;
	end = a;
	for_each_area(a, iopt) {
		if (a == end)
			break;
		if (!a->pages)
			continue;
		domain_unmap_area(dom, a);
		if (first) {
			sim_pages_release(a->pages, &a->pages_node);
			a->filled = false;
		}
	}
	return r;
}

int sim_iopt_add_domain(struct sim_iopt *iopt, struct sim_domain *dom)
{
	uint64_t align;
	int r;

	for (unsigned int i = 0; i < iopt->ndomains; i++)
		if (iopt->domains[i] == dom)
			return -EEXIST;
	/* The IOVA alignment becomes the domain's smallest page size. */
	align = max64(domain_min_pgsize(dom), iopt->iova_alignment);
	if (align > iopt->sim->page_size)
		return -EINVAL;
	if (align != iopt->iova_alignment) {
		r = check_iova_alignment(iopt, align);
		if (r < 0)
			return r;
	}
	/* What the domain cannot translate becomes reserved. */
	if (dom->aperture_start != 0) {
		r = sim_iopt_reserve_iova(iopt, 0, dom->aperture_start - 1, dom);
		if (r < 0)
			goto out_reserved;
	}
	if (dom->aperture_last != SIM_ULONG_MAX) {
		r = sim_iopt_reserve_iova(iopt, dom->aperture_last + 1, SIM_ULONG_MAX, dom);
		if (r < 0)
			goto out_reserved;
	}
	if (iopt->ndomains == iopt->domains_cap) {
		unsigned int cap = iopt->domains_cap ? iopt->domains_cap * 2 : 4;
		struct sim_domain **d = sim_realloc(iopt->sim, iopt->domains, cap * sizeof(*d));

		if (!d) {
			r = -ENOMEM;
			goto out_reserved;
		}
		iopt->domains = d;
		iopt->domains_cap = cap;
	}
	r = fill_domain(iopt, dom);
	if (r < 0)
		goto out_reserved;
	iopt->iova_alignment = align;
	iopt->domains[iopt->ndomains++] = dom;
	return 0;
out_reserved:
	sim_iopt_remove_reserved_iova(iopt, dom);
	return r;
}

void sim_iopt_remove_domain(struct sim_iopt *iopt, struct sim_domain *dom)
{
	struct sim_area *a;
	unsigned int i;

	for (i = 0; i < iopt->ndomains; i++)
		if (iopt->domains[i] == dom)
			break;
	if (i == iopt->ndomains)
		return;
	iopt->domains[i] = iopt->domains[--iopt->ndomains];
	for_each_area(a, iopt) {
		if (!a->pages)
			continue;
		domain_unmap_area(dom, a);
		/* The last domain gone: nothing needs the pins any more. */
		if (!iopt->ndomains && a->filled) {
			sim_pages_release(a->pages, &a->pages_node);
			a->filled = false;
		}
	}
	sim_iopt_remove_reserved_iova(iopt, dom);
	calculate_iova_alignment(iopt);
}

/* ------------------------------------------------------------------------
 * Teardown and invariants
 */

void sim_iopt_destroy(struct sim_iopt *iopt)
{
	sim_iopt_unmap_all(iopt, NULL);
	/* Reserved ranges the test interface added (owner NULL). */
	sim_iopt_remove_reserved_iova(iopt, NULL);
	sim_iopt_free_allowed(&iopt->allowed);
	free(iopt->domains);
	iopt->domains = NULL;
	iopt->ndomains = iopt->domains_cap = 0;
}

int sim_iopt_check(const struct sim_iopt *iopt)
{
	struct sim_area *a;
	size_t filled = 0;

	for_each_area(a, (struct sim_iopt *)iopt) {
		struct sim_pages *p = a->pages;

		if (!p || a->filled != (iopt->ndomains > 0))
			return -EUCLEAN;
		if (p->npinned != itree_covered(&p->holders, 0, p->npages ? p->npages - 1 : 0))
			return -EUCLEAN;
		filled += a->filled;
		for (unsigned int i = 0; i < iopt->ndomains; i++) {
			struct itree_node *n = itree_iter_first(&iopt->domains[i]->map,
								a->node.start, a->node.last);
			struct sim_dmap *m;

			if (!n)
				return -EUCLEAN;
			m = dmap_of(n);
			if (m->node.start != a->node.start || m->node.last != a->node.last ||
			    m->pages != p || m->start_byte != a->start_byte || m->prot != a->prot)
				return -EUCLEAN;
		}
	}
	for (unsigned int i = 0; i < iopt->ndomains; i++)
		if (iopt->domains[i]->map.count != filled)
			return -EUCLEAN;
	return 0;
}
