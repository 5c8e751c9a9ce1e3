// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VFIO's type1 IOMMU (drivers/vfio/vfio_iommu_type1.c), v1 and v2, behind
 * a VFIO container (vfio_group.c).
 *
 * Domains: one per IOMMU driver (an SMMUv3 domain per instance) and
 * coherency, as vfio_iommu_type1_attach_group() matches them; a new one is
 * filled from every mapping (pinning once); each group's reserved regions,
 * and what lies beyond its IOMMU's aperture, leave the IOVA space.
 *
 * Mappings: MAP_DMA and UNMAP_DMA with the kernel's checks in its order.
 * v2 refuses to cut a mapping (EINVAL); v1 never cuts one either, it takes
 * whole every mapping that starts inside the range, and does nothing at all
 * (success, 0 bytes) when the range starts inside a mapping. UPDATE_VADDR:
 * UNMAP_DMA with FLAG_VADDR invalidates the vaddr of the mappings in the
 * range (all or none), MAP_DMA with FLAG_VADDR gives an invalidated
 * mapping, exactly, a new one; meanwhile no group may join (EBUSY).
 * Dirty tracking is type1_dirty.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kversion.h"
#include "type1.h"
#include "uapi/vfio.h"

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

#define DMA_ENTRY_LIMIT 65535u		/* vfio_iommu_type1's dma_entry_limit */

#define area_of(n) itree_entry(n, struct sim_area, node)

static uint64_t area_len(const struct sim_area *a)
{
	return a->node.last - a->node.start + 1;
}

/* ------------------------------------------------------------------------
 * Domains
 */

static struct sim_dev *first_member(struct iofd_sim *sim, const struct sim_group *g)
{
	for (struct sim_dev *d = sim->topo->devs; d; d = d->next)
		if (d->group == g && d->iommu)
			return d;
	return NULL;
}

/* vfio_update_pgsize_bitmap(): what every domain does, at least PAGE_SIZE. */
static uint64_t pgsize_bitmap(const struct sim_t1 *t1)
{
	uint64_t ps = t1->sim->page_size, bitmap = SIM_ULONG_MAX;

	for (unsigned int i = 0; i < t1->ndoms; i++)
		bitmap &= t1->doms[i]->dom.pgsize_bitmap;
	if (bitmap & (ps - 1)) {
		bitmap &= ~(ps - 1);
		bitmap |= ps;
	}
	return bitmap;
}

uint64_t sim_t1_pgsize(const struct sim_t1 *t1)
{
	uint64_t bitmap = pgsize_bitmap(t1);

	return bitmap & -bitmap;
}

static void group_unreserve(struct sim_t1 *t1, struct t1_group *tg)
{
	sim_iopt_remove_reserved_iova(&t1->iopt, tg);
}

/*
 * The group's reserved regions, and what lies outside its IOMMU's aperture,
 * become holes of the IOVA space (vfio_iommu_aper_resize(),
 * vfio_iommu_resv_exclude()); a mapping there is a conflict: -EINVAL.
 */
static int group_reserve(struct sim_t1 *t1, struct t1_group *tg)
{
	int r = 0;

	for (struct sim_dev *d = t1->sim->topo->devs; d && r == 0; d = d->next) {
		const struct sim_iommu *u = d->iommu;

		if (d->group != tg->g || !u)
			continue;
		for (unsigned int i = 0; i < u->nresv && r == 0; i++)
			r = sim_iopt_reserve_iova(&t1->iopt, u->resv[i].start, u->resv[i].last, tg);
		if (r == 0 && u->aperture_start)
			r = sim_iopt_reserve_iova(&t1->iopt, 0, u->aperture_start - 1, tg);
		if (r == 0 && u->aperture_last < SIM_ULONG_MAX)
			r = sim_iopt_reserve_iova(&t1->iopt, u->aperture_last + 1, SIM_ULONG_MAX, tg);
	}
	if (r < 0)
		group_unreserve(t1, tg);
	return r == -EADDRINUSE ? -EINVAL : r;
}

/* vfio_remove_dma(): one mapping, with its dirty bitmap. */
static void remove_area(struct sim_t1 *t1, struct sim_area *a)
{
	if (a->vaddr_invalid)
		t1->vaddr_invalid--;
	sim_t1_dirty_free(a);
	sim_iopt_unmap_iova(&t1->iopt, a->node.start, a->node.last - a->node.start + 1, NULL);
	t1->dma_avail++;
}

/* vfio_iommu_unmap_unpin_all() */
static void unmap_all(struct sim_t1 *t1)
{
	struct itree_node *n;

	while ((n = itree_iter_first(&t1->iopt.areas, 0, UINT64_MAX)))
		remove_area(t1, area_of(n));
}

static void domain_put(struct sim_t1 *t1, struct t1_domain *td)
{
	if (--td->groups)
		return;
	/* The last domain with an IOMMU takes every mapping with it. */
	if (t1->ndoms == 1)
		unmap_all(t1);
	sim_iopt_remove_domain(&t1->iopt, &td->dom);
	for (unsigned int i = 0; i < t1->ndoms; i++) {
		if (t1->doms[i] == td) {
			t1->doms[i] = t1->doms[--t1->ndoms];
			break;
		}
	}
	free(td);
}

int sim_t1_attach_group(struct sim_t1 *t1, struct t1_group *tg)
{
	struct sim_dev *dev = first_member(t1->sim, tg->g);
	struct t1_domain *td;
	bool cc;
	int r;

	/* Attaching could need pinning: not while a vaddr is invalid. */
	if (t1->vaddr_invalid)
		return -EBUSY;
	if (tg->dom)
		return -EINVAL;
	if (!dev)
		return -ENODEV;
	/*
	 * iommu_enable_nesting(): only the SMMU drivers have it, and 6.12's
	 * SMMUv3 refuses a domain already finalised for a device (all of them).
	 */
	if (t1->nesting)
		return dev->iommu->type == IOFD_IOMMU_ARM_SMMUV3 ? -EPERM : -EINVAL;
	cc = sim_dev_enforce_cc(dev);
	r = group_reserve(t1, tg);
	if (r < 0)
		return r;
	/* allow_unsafe_interrupts is off */
	r = -EPERM;
	if (!sim_dev_msi_isolated(dev))
		goto out_unreserve;
	for (unsigned int i = 0; i < t1->ndoms; i++) {
		td = t1->doms[i];
		if (td->type == dev->iommu->type && td->enforce_cc == cc &&
		    (!td->inst || td->inst == dev->iommu)) {
			td->groups++;
			tg->dom = td;
			return 0;
		}
	}
	r = -ENOMEM;
	if (t1->ndoms == T1_MAX_DOMAINS || !(td = sim_zalloc(t1->sim, sizeof(*td))))
		goto out_unreserve;
	td->type = dev->iommu->type;
	td->inst = dev->iommu->type == IOFD_IOMMU_ARM_SMMUV3 ? dev->iommu : NULL;
	td->enforce_cc = cc;
	td->groups = 1;
	td->dom.aperture_start = dev->iommu->aperture_start;
	td->dom.aperture_last = dev->iommu->aperture_last;
	td->dom.pgsize_bitmap = dev->iommu->pgsize_bitmap;
	/* Replays (and pins, if first) every existing mapping. */
	r = sim_iopt_add_domain(&t1->iopt, &td->dom);
	if (r < 0) {
		free(td);
		goto out_unreserve;
	}
	t1->doms[t1->ndoms++] = td;
	tg->dom = td;
	return 0;
out_unreserve:
	group_unreserve(t1, tg);
	return r;
}

void sim_t1_detach_group(struct sim_t1 *t1, struct t1_group *tg)
{
	if (!tg->dom)
		return;
	domain_put(t1, tg->dom);
	tg->dom = NULL;
	group_unreserve(t1, tg);
	/* A group without dirty tracking left: the scope may widen. */
	if (t1->dirty_tracking)
		sim_t1_dirty_fill(t1);
}

int sim_t1_open(struct iofd_sim *sim, uint64_t type, struct sim_t1 **ret)
{
	struct sim_t1 *t1;

	if (type != IOFD_U_VFIO_TYPE1_IOMMU && type != IOFD_U_VFIO_TYPE1v2_IOMMU &&
	    type != IOFD_U_VFIO_TYPE1_NESTING_IOMMU)
		return -EINVAL;
	t1 = sim_zalloc(sim, sizeof(*t1));
	if (!t1)
		return -ENOMEM;
	t1->sim = sim;
	t1->nesting = type == IOFD_U_VFIO_TYPE1_NESTING_IOMMU;
	t1->v2 = type != IOFD_U_VFIO_TYPE1_IOMMU;
	t1->dma_avail = DMA_ENTRY_LIMIT;
	sim_iopt_init(&t1->iopt, sim);
	t1->iopt.type1 = true;
	*ret = t1;
	return 0;
}

void sim_t1_release(struct sim_t1 *t1)
{
	if (!t1)
		return;
	/* (Groups detach first: their reserved ranges are gone.) */
	unmap_all(t1);
	for (unsigned int i = 0; i < t1->ndoms; i++) {
		sim_iopt_remove_domain(&t1->iopt, &t1->doms[i]->dom);
		free(t1->doms[i]);
	}
	sim_iopt_destroy(&t1->iopt);
	free(t1);
}

/* ------------------------------------------------------------------------
 * The ioctls
 */

int sim_t1_check_extension(struct iofd_sim *sim, const struct sim_t1 *t1, uint64_t arg)
{
	switch (arg) {
	case IOFD_U_VFIO_TYPE1_IOMMU:
	case IOFD_U_VFIO_TYPE1v2_IOMMU:
	case IOFD_U_VFIO_TYPE1_NESTING_IOMMU:
		return 1;
	case IOFD_U_VFIO_UNMAP_ALL:
		return sim_kernel_has(sim, SIM_KF_T1_UNMAP_ALL);
	case IOFD_U_VFIO_UPDATE_VADDR:
		/* (and no emulated IOMMU groups: mdevs are not simulated) */
		return t1 && sim_kernel_has(sim, SIM_KF_T1_UPDATE_VADDR);
	case IOFD_U_VFIO_DMA_CC_IOMMU:
		if (!t1)
			return 0;
		for (unsigned int i = 0; i < t1->ndoms; i++)
			if (!t1->doms[i]->enforce_cc)
				return 0;
		return 1;
	default:
		return 0;
	}
}

/* Is [start, last] inside the IOVA space (vfio_iommu_iova_dma_valid)? */
static bool iova_valid(struct sim_t1 *t1, uint64_t start, uint64_t last)
{
	return !itree_iter_first(&t1->iopt.reserved, start, last);
}

/* MAP_DMA with FLAG_VADDR: the invalidated mapping at exactly [iova, +size) gets @vaddr. */
static int update_vaddr(struct sim_t1 *t1, uint64_t iova, uint64_t size, uint64_t vaddr)
{
	struct itree_node *n = itree_iter_first(&t1->iopt.areas, iova, iova + size - 1);
	struct sim_area *a;

	if (!n)
		return -ENOENT;
	a = area_of(n);
	if (!a->vaddr_invalid || a->node.start != iova || area_len(a) != size)
		return -EINVAL;
	/*
	 * vfio_change_dma_owner(): one process, nothing to move. The pages
	 * stay pinned; the simulator, which keeps user addresses, follows the
	 * new one (the kernel keeps the pages: the same memory when the new
	 * vaddr maps what the old one did, as UPDATE_VADDR's users do).
	 */
	a->pages->uptr = vaddr - a->start_byte;
	a->vaddr_invalid = false;
	t1->vaddr_invalid--;
	return 0;
}

static int t1_map(struct sim_t1 *t1, uint64_t arg)
{
	struct iofd_sim *sim = t1->sim;
	const uint32_t mask =
		IOFD_U_VFIO_DMA_MAP_FLAG_READ | IOFD_U_VFIO_DMA_MAP_FLAG_WRITE |
		(sim_kernel_has(sim, SIM_KF_T1_UPDATE_VADDR) ? IOFD_U_VFIO_DMA_MAP_FLAG_VADDR : 0);
	size_t minsz = offsetofend(struct iofd_u_vfio_iommu_type1_dma_map, size);
	struct iofd_u_vfio_iommu_type1_dma_map map;
	bool set_vaddr;
	uint64_t pgsize, iova, last;
	int prot = 0, r;

	if (sim_copy_from_user(sim, &map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz || (map.flags & ~mask))
		return -EINVAL;
	if (map.size > SIM_ULONG_MAX || map.vaddr > SIM_ULONG_MAX || map.iova > SIM_ULONG_MAX)
		return -EINVAL;
	if (map.flags & IOFD_U_VFIO_DMA_MAP_FLAG_WRITE)
		prot |= SIM_PROT_WRITE;
	if (map.flags & IOFD_U_VFIO_DMA_MAP_FLAG_READ)
		prot |= SIM_PROT_READ;
	set_vaddr = map.flags & IOFD_U_VFIO_DMA_MAP_FLAG_VADDR;
	if (!!prot == set_vaddr)
		return -EINVAL;
	pgsize = sim_t1_pgsize(t1);
	if (!map.size || ((map.size | map.iova | map.vaddr) & (pgsize - 1)))
		return -EINVAL;
	last = map.iova + map.size - 1;
	if (last < map.iova || map.vaddr + map.size - 1 < map.vaddr)
		return -EINVAL;
	if (set_vaddr)
		return update_vaddr(t1, map.iova, map.size, map.vaddr);
	if (itree_iter_first(&t1->iopt.areas, map.iova, last))
		return -EEXIST;
	if (!t1->dma_avail)
		return -ENOSPC;
	if (!iova_valid(t1, map.iova, last))
		return -EINVAL;
	iova = map.iova;
	r = sim_iopt_map_user_pages(&t1->iopt, SIM_ACCOUNT_MM, &iova, map.vaddr, map.size,
				    prot | SIM_PROT_CACHE, 0);
	if (r < 0)
		return r;
	t1->dma_avail--;
	if (t1->dirty_tracking) {
		struct sim_area *a = area_of(itree_iter_first(&t1->iopt.areas, iova, iova));

		r = sim_t1_dirty_alloc(t1, a);
		if (r < 0)
			remove_area(t1, a);
	}
	return r;
}


/* UNMAP_DMA with FLAG_VADDR, over the areas from @first: all or none. */
static int invalidate_vaddr(struct sim_t1 *t1, struct itree_node *first, uint64_t iova,
			    uint64_t last, uint64_t *done)
{
	struct itree_node *n;

	for (n = first; n; n = itree_iter_next(n, iova, last)) {
		struct sim_area *a = area_of(n);

		if (!t1->v2 && iova > a->node.start)
			break;
		if (a->vaddr_invalid) {
			/* One is invalid already: undo the others. */
			for (struct itree_node *u = first; u != n; u = itree_iter_next(u, iova, last)) {
				area_of(u)->vaddr_invalid = false;
				t1->vaddr_invalid--;
			}
			*done = 0;
			return -EINVAL;
		}
		a->vaddr_invalid = true;
		t1->vaddr_invalid++;
		*done += area_len(a);
	}
	return 0;
}

/* vfio_dma_do_unmap(), with @bitmap for GET_DIRTY_BITMAP: u->size becomes
 * what was unmapped, whatever happens. */
static int do_unmap(struct sim_t1 *t1, struct iofd_u_vfio_iommu_type1_dma_unmap *u,
		    const struct iofd_u_vfio_bitmap *bitmap)
{
	bool all = u->flags & IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL;
	bool dirty = u->flags & IOFD_U_VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
	uint64_t pgsize = sim_t1_pgsize(t1), iova = u->iova, size = u->size, last, done = 0;
	struct itree_node *n, *next;
	int r = 0;

	u->size = 0;
	if (iova & (pgsize - 1))
		return -EINVAL;
	if (all) {
		if (iova || size)
			return -EINVAL;
		last = SIM_ULONG_MAX;
	} else {
		if (!size || (size & (pgsize - 1)) || iova + size - 1 < iova ||
		    size > SIM_ULONG_MAX)
			return -EINVAL;
		last = iova + size - 1;
	}
	/* While tracking, the bitmap's pages are the smallest page size. */
	if (dirty && (!t1->dirty_tracking || bitmap->pgsize != pgsize))
		return -EINVAL;
	/* v2: no mapping may be cut. */
	if (t1->v2 && !all) {
		n = itree_iter_first(&t1->iopt.areas, iova, iova);
		if (n && n->start != iova)
			return -EINVAL;
		n = itree_iter_first(&t1->iopt.areas, last, last);
		if (n && n->last != last)
			return -EINVAL;
	}
	n = itree_iter_first(&t1->iopt.areas, iova, last);
	if (u->flags & IOFD_U_VFIO_DMA_UNMAP_FLAG_VADDR) {
		r = invalidate_vaddr(t1, n, iova, last, &done);
		u->size = done;
		return r;
	}
	for (; n; n = next) {
		struct sim_area *a = area_of(n);
		uint64_t len = area_len(a);

		/* v1: a range starting inside a mapping unmaps nothing more. */
		if (!t1->v2 && iova > a->node.start)
			break;
		if (dirty) {
			r = sim_t1_report_dirty(t1, (uint64_t)(uintptr_t)bitmap->data, iova, a);
			if (r < 0)
				break;
		}
		next = itree_iter_next(n, iova, last);
		remove_area(t1, a);
		done += len;
	}
	u->size = done;
	return r;
}

static int t1_unmap(struct sim_t1 *t1, uint64_t arg)
{
	struct iofd_sim *sim = t1->sim;
	const uint32_t mask =
		(sim_kernel_has(sim, SIM_KF_T1_DIRTY_BITMAP) ?
			 IOFD_U_VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP : 0) |
		(sim_kernel_has(sim, SIM_KF_T1_UNMAP_ALL) ? IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL : 0) |
		(sim_kernel_has(sim, SIM_KF_T1_UPDATE_VADDR) ? IOFD_U_VFIO_DMA_UNMAP_FLAG_VADDR : 0);
	const size_t minsz = offsetofend(struct iofd_u_vfio_iommu_type1_dma_unmap, size);
	struct iofd_u_vfio_iommu_type1_dma_unmap unmap;
	struct iofd_u_vfio_bitmap bitmap = { 0 };
	int r;

	if (sim_copy_from_user(sim, &unmap, arg, minsz))
		return -EFAULT;
	if (unmap.argsz < minsz || (unmap.flags & ~mask))
		return -EINVAL;
	if ((unmap.flags & IOFD_U_VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) &&
	    (unmap.flags & (IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL | IOFD_U_VFIO_DMA_UNMAP_FLAG_VADDR)))
		return -EINVAL;
	if (unmap.flags & IOFD_U_VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) {
		uint64_t pgsize;

		if (unmap.argsz < minsz + sizeof(bitmap))
			return -EINVAL;
		if (sim_copy_from_user(sim, &bitmap, arg + minsz, sizeof(bitmap)))
			return -EFAULT;
		if (!sim_t1_access_ok((uint64_t)(uintptr_t)bitmap.data, bitmap.size))
			return -EINVAL;
		pgsize = bitmap.pgsize & -bitmap.pgsize;
		r = sim_t1_verify_bitmap_size(pgsize ? unmap.size / pgsize : unmap.size,
					      bitmap.size);
		if (r < 0)
			return r;
	}
	r = do_unmap(t1, &unmap, &bitmap);
	if (r < 0)
		return r;
	return sim_copy_to_user(sim, arg, &unmap, minsz) ? -EFAULT : 0;
}

/* vfio_info_add_capability(): one capability appended to @buf, 8-aligned. */
static int cap_add(struct iofd_sim *sim, uint8_t **buf, size_t *size, void *cap, size_t len,
		   size_t *last)
{
	size_t at = *size, alen = (len + 7) & ~(size_t)7;
	uint8_t *nb = sim_realloc(sim, *buf, at + alen);

	if (!nb)
		return -ENOMEM;
	memset(nb + at, 0, alen);
	memcpy(nb + at, cap, len);
	if (at)
		((struct iofd_u_vfio_info_cap_header *)(nb + *last))->next = (uint32_t)at;
	*last = at;
	*buf = nb;
	*size = at + alen;
	return 0;
}

/* vfio_iommu_iova_build_caps(): the holes of the reserved ranges. */
static int cap_add_iovas(struct sim_t1 *t1, uint8_t **buf, size_t *size, size_t *last)
{
	struct iofd_u_vfio_iommu_type1_info_cap_iova_range *iovas;
	const struct itree *trees[1] = { &t1->iopt.reserved };
	struct itree_span s;
	uint32_t nr = 0;
	size_t isz;
	int r;

	itree_for_each_span(&s, trees, 1, 0, SIM_ULONG_MAX)
		nr += !s.used;
	if (!nr)
		return 0;
	isz = sizeof(*iovas) + nr * sizeof(struct iofd_u_vfio_iova_range);
	iovas = sim_zalloc(t1->sim, isz);
	if (!iovas)
		return -ENOMEM;
	iovas->header.id = IOFD_U_VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	iovas->header.version = 1;
	itree_for_each_span(&s, trees, 1, 0, SIM_ULONG_MAX) {
		if (s.used)
			continue;
		iovas->iova_ranges[iovas->nr_iovas].start = s.start;
		iovas->iova_ranges[iovas->nr_iovas].end = s.last;
		iovas->nr_iovas++;
	}
	r = cap_add(t1->sim, buf, size, iovas, isz, last);
	free(iovas);
	return r;
}

/* Dirty bitmaps up to 2^31 bits (DIRTY_BITMAP_SIZE_MAX). */
#define DIRTY_BITMAP_SIZE_MAX ((((uint64_t)INT32_MAX + 63) & ~63ull) / 8)

static int t1_get_info(struct sim_t1 *t1, uint64_t arg)
{
	struct iofd_sim *sim = t1->sim;
	struct iofd_u_vfio_iommu_type1_info info = { 0 };
	size_t minsz = offsetofend(struct iofd_u_vfio_iommu_type1_info, iova_pgsizes);
	struct iofd_u_vfio_iommu_type1_info_cap_migration mig = {
		.header = { .id = IOFD_U_VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, .version = 1 },
		.pgsize_bitmap = sim_t1_pgsize(t1),
		.max_dirty_bitmap_size = DIRTY_BITMAP_SIZE_MAX,
	};
	struct iofd_u_vfio_iommu_type1_info_dma_avail avail = {
		.header = { .id = IOFD_U_VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, .version = 1 },
		.avail = t1->dma_avail,
	};
	uint8_t *buf = NULL;
	size_t size = 0, last = 0;
	int r = 0;

	if (sim_copy_from_user(sim, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	minsz = info.argsz < sizeof(info) ? info.argsz : sizeof(info);
	info.flags = IOFD_U_VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = pgsize_bitmap(t1);
	/* MIGRATION, DMA_AVAIL, IOVA_RANGE: as old as this kernel has them. */
	if (sim_kernel_has(sim, SIM_KF_T1_MIGRATION_CAP))
		r = cap_add(sim, &buf, &size, &mig, sizeof(mig), &last);
	if (!r && sim_kernel_has(sim, SIM_KF_T1_DMA_AVAIL_CAP))
		r = cap_add(sim, &buf, &size, &avail, sizeof(avail), &last);
	if (!r)
		r = cap_add_iovas(t1, &buf, &size, &last);
	if (r < 0) {
		free(buf);
		return r;
	}
	if (size) {
		info.flags |= IOFD_U_VFIO_IOMMU_INFO_CAPS;
		if (info.argsz < sizeof(info) + size) {
			info.argsz = (uint32_t)(sizeof(info) + size);
		} else {
			/* vfio_info_cap_shift(): offsets from the start of info */
			for (size_t at = 0;;) {
				struct iofd_u_vfio_info_cap_header *h = (void *)(buf + at);

				if (!h->next)
					break;
				at = h->next;
				h->next += sizeof(info);
			}
			if (sim_copy_to_user(sim, arg + sizeof(info), buf, size)) {
				free(buf);
				return -EFAULT;
			}
			info.cap_offset = sizeof(info);
		}
	}
	free(buf);
	return sim_copy_to_user(sim, arg, &info, minsz) ? -EFAULT : 0;
}

int sim_t1_ioctl(struct sim_t1 *t1, unsigned int cmd, uint64_t arg)
{
	switch (cmd) {
	case IOFD_U_VFIO_CHECK_EXTENSION:
		return sim_t1_check_extension(t1->sim, t1, arg);
	case IOFD_U_VFIO_IOMMU_GET_INFO:
		return t1_get_info(t1, arg);
	case IOFD_U_VFIO_IOMMU_MAP_DMA:
		return t1_map(t1, arg);
	case IOFD_U_VFIO_IOMMU_UNMAP_DMA:
		return t1_unmap(t1, arg);
	case IOFD_U_VFIO_IOMMU_DIRTY_PAGES:
		if (sim_kernel_has(t1->sim, cmd))
			return sim_t1_dirty_pages(t1, arg);
		return -ENOTTY;
	default:
		return -ENOTTY;
	}
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ull;
}

uint64_t sim_t1_hash(const struct sim_t1 *t1, uint64_t h)
{
	struct itree_node *n;

	h = mix(mix(mix(h, t1->v2), t1->dirty_tracking), t1->ndoms);
	h = mix(mix(h, t1->dma_avail), t1->vaddr_invalid);
	itree_for_each(n, &t1->iopt.areas, 0, UINT64_MAX) {
		const struct sim_area *a = area_of(n);

		h = mix(mix(mix(h, n->start), n->last), a->vaddr_invalid);
		h = mix(mix(h, a->pages->uptr), a->dirty_words);
		for (uint64_t w = 0; w < a->dirty_words; w++)
			h = mix(h, a->dirty[w]);
	}
	return h;
}
