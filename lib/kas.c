// SPDX-License-Identifier: LGPL-2.1-or-later
/* The kernel address spaces of an IOAS (lib/kas.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "ioas.h"
#include "kas.h"
#include "log.h"

int iofd_kas_new(struct iofd_ioas *ioas, const struct iofd_backend_ops *be, struct iofd_kas **ret)
{
	struct iofd_kas *kas = calloc(1, sizeof(*kas));
	int r;

	if (!kas)
		return -ENOMEM;
	kas->ioas = ioas;
	kas->be = be;
	kas->fd = -1;
	kas->dma_avail = -1;
	r = be->kas_new(kas);
	if (r < 0) {
		free(kas);
		return r;
	}
	*ret = kas;
	return 0;
}

int iofd_kas_free(struct iofd_kas *kas)
{
	int r = kas->be->kas_free(kas);

	if (r < 0)
		return r;
	free(kas->ranges);
	free(kas);
	return 0;
}

int iofd_kas_read_ranges(struct iofd_kas *kas)
{
	struct iofd_iova_range *r = NULL;
	uint64_t align = 0;
	size_t n = 0;
	int err = kas->be->iova_ranges(kas, &r, &n, &align);

	if (err < 0)
		return err;
	free(kas->ranges);
	kas->ranges = r;
	kas->n_ranges = n;
	kas->align = align;
	return 0;
}

int iofd_kas_map(struct iofd_kas *kas, const struct iofd_mapping *m)
{
	struct iofd_kas *first = kas->ioas->kas[0];

	if (kas != first && first->live && kas->be->copy && kas->be == first->be)
		return kas->be->copy(kas, first, m->iova, m->length, iofd_kas_prot(m));
	return kas->be->map(kas, m->iova, m->vaddr, m->length, iofd_kas_prot(m));
}

int iofd_kas_fill(struct iofd_kas *kas)
{
	struct iofd_ioas *ioas = kas->ioas;
	struct iofd_mapping *m, *undo;
	int r = 0;

	for (m = iofd_mt_first(&ioas->mt); m; m = iofd_mt_next(m)) {
		r = iofd_kas_map(kas, m);
		if (r < 0)
			break;
	}
	if (r == 0)
		return 0;
	iofd_err(ioas->ctx, "replaying mapping %#llx+%#llx: %s", (unsigned long long)m->iova,
		 (unsigned long long)m->length, strerror(-r));
	for (undo = iofd_mt_first(&ioas->mt); undo != m; undo = iofd_mt_next(undo))
		kas->be->unmap(kas, undo->iova, undo->length);
	return r;
}

bool iofd_kas_is_for(const struct iofd_kas *kas, const struct iofd_class *c)
{
	return kas->for_class && kas->cls_cc == c->cc && kas->cls_dirty == c->dirty &&
	       !strcmp(kas->cls_iommu, c->iommu);
}

/*
 * What @kas pins for the IOAS's mappings. A type1 container pins every
 * mapping for itself while it holds a group. iommufd pins a mapping's pages
 * once for every IOAS that shares them through IOMMU_IOAS_COPY, and only
 * while some domain needs them: they are counted at the first space (in the
 * IOAS's order) that has a domain.
 */
static bool has_domain(const struct iofd_kas *kas)
{
	const struct iofd_ioas *ioas = kas->ioas;

	if (!kas->live)
		return false;
	if (kas->n_devs)
		return true;
	/* A HWPT whose destruction failed keeps its domain, and its pins,
	 * after its last device left. */
	for (size_t i = 0; i < ioas->n_domains; i++)
		if (ioas->domains[i]->kas == kas && ioas->domains[i]->kernel_id)
			return true;
	return false;
}

/* The user pages the table's mappings cover, each mapping's own (a page
 * under two mappings is pinned for each). O(n): a report, not the map path. */
static uint64_t mapped_pages(const struct iofd_ioas *ioas)
{
	const struct iofd_mapping *m;
	uint64_t pages = 0;

	for (m = iofd_mt_first(&ioas->mt); m; m = iofd_mt_next(m))
		pages += ((m->vaddr + (m->length - 1)) >> ioas->page_shift) -
			 (m->vaddr >> ioas->page_shift) + 1;
	return pages;
}

static uint64_t pinned_pages(const struct iofd_kas *kas)
{
	const struct iofd_ioas *ioas = kas->ioas;

	if (!has_domain(kas))
		return 0;
	if (kas->be->copy)
		for (size_t i = 0; ioas->kas[i] != kas; i++)
			if (ioas->kas[i]->be == kas->be && has_domain(ioas->kas[i]))
				return 0;
	return mapped_pages(ioas);
}

size_t iofd_ioas_space_count(struct iofd_ioas *ioas)
{
	size_t n;

	if (!ioas)
		return 0;
	iofd_rwlock_rdlock(&ioas->lock);
	n = ioas->n_kas;
	iofd_rwlock_rdunlock(&ioas->lock);
	return n;
}

int64_t iofd_ioas_space_pinned_pages(struct iofd_ioas *ioas, size_t idx)
{
	int64_t r = -EINVAL;

	if (!ioas)
		return -EINVAL;
	iofd_rwlock_rdlock(&ioas->lock);
	if (idx < ioas->n_kas)
		r = (int64_t)pinned_pages(ioas->kas[idx]);
	iofd_rwlock_rdunlock(&ioas->lock);
	return r;
}

int iofd_domain_space(const struct iofd_domain *domain)
{
	if (!domain)
		return -EINVAL;
	for (size_t i = 0; i < domain->ioas->n_kas; i++)
		if (domain->ioas->kas[i] == domain->kas)
			return (int)i;
	return -ENODATA;
}
