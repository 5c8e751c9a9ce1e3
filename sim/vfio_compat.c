// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The VFIO type1 container ioctls that iommufd answers itself
 * (drivers/iommu/iommufd/vfio_compat.c), on the IOAS chosen with
 * IOMMU_VFIO_IOAS: a /dev/iommu fd works as a type1 container once it has
 * one. Without it, the ioctls that need an IOAS give ENODEV.
 *
 * VFIO groups set to an iommufd create the compat IOAS (vfio_group.c).
 * With IOFD_SIM_VFIO_CONTAINER_IOMMUFD, /dev/vfio/vfio is such an iommufd
 * (iommufd.c), charging the process as VFIO does. What differs from VFIO's
 * own type1 (type1.c): CHECK_EXTENSION says 0 to UPDATE_VADDR and NESTING,
 * and DMA_CC_IOMMU is ENODEV without a compat IOAS; SET_IOMMU is ENODEV
 * without one and may come again; type1 v1 only disables huge IOPTEs
 * (EINVAL once a domain holds a mapping), after which an unmap cuts
 * mappings at both ends; no VADDR or GET_DIRTY_BITMAP flags (EINVAL), no
 * VFIO_IOMMU_DIRTY_PAGES (ENOTTY). Not modelled: VFIO_NOIOMMU (the
 * simulated kernel is built without CONFIG_VFIO_NOIOMMU).
 */
#include <errno.h>
#include <string.h>

#include "device.h"
#include "iopt.h"
#include "uapi/vfio.h"

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

static uint64_t align8(uint64_t x)
{
	return (x + 7) & ~7ull;
}

/* Every domain's page sizes, at least the page size (iommufd_get_pagesizes). */
static uint64_t get_pagesizes(struct sim_ioas *ioas)
{
	uint64_t ps = ioas->iopt.sim->page_size, bitmap = SIM_ULONG_MAX;

	for (unsigned int i = 0; i < ioas->iopt.ndomains; i++)
		bitmap &= ioas->iopt.domains[i]->pgsize_bitmap;
	if (bitmap & (ps - 1)) {
		bitmap &= ~(ps - 1);
		bitmap |= ps;
	}
	return bitmap > ioas->iopt.iova_alignment ? bitmap : ioas->iopt.iova_alignment;
}

/* A type1 capability writer: its size, writing it only when it fits @avail. */
typedef int (*fill_cap_fn)(struct iofd_sim *sim, struct sim_ioas *ioas, uint64_t cur,
			   uint64_t avail);

static int fill_cap_dma_avail(struct iofd_sim *sim, struct sim_ioas *ioas, uint64_t cur,
			      uint64_t avail)
{
	struct iofd_u_vfio_iommu_type1_info_dma_avail cap = {
		.header = { .id = IOFD_U_VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, .version = 1 },
		/* iommufd has no mapping limit; it says UINT32_MAX (s390 needs > 65535). */
		.avail = UINT32_MAX,
	};

	if (avail >= sizeof(cap) && sim_copy_to_user(sim, cur, &cap, sizeof(cap)))
		return -EFAULT;
	return sizeof(cap);
}

static int fill_cap_iova(struct iofd_sim *sim, struct sim_ioas *ioas, uint64_t cur,
			 uint64_t avail)
{
	struct iofd_u_vfio_iommu_type1_info_cap_iova_range cap = {
		.header = { .id = IOFD_U_VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, .version = 1 },
	};
	const struct itree *trees[1] = { &ioas->iopt.reserved };
	const uint64_t elm = sizeof(struct iofd_u_vfio_iova_range);
	struct itree_span s;

	itree_for_each_span(&s, trees, 1, 0, SIM_ULONG_MAX) {
		struct iofd_u_vfio_iova_range range = { .start = s.start, .end = s.last };

		if (s.used)
			continue;
		if (avail >= sizeof(cap) + elm * (cap.nr_iovas + 1) &&
		    sim_copy_to_user(sim, cur + sizeof(cap) + elm * cap.nr_iovas, &range,
				     sizeof(range)))
			return -EFAULT;
		cap.nr_iovas++;
	}
	if (avail >= sizeof(cap) + elm * cap.nr_iovas &&
	    sim_copy_to_user(sim, cur, &cap, sizeof(cap)))
		return -EFAULT;
	return (int)(sizeof(cap) + elm * cap.nr_iovas);
}

static int get_info(struct sim_ictx *ictx, uint64_t arg)
{
	static const fill_cap_fn fill_fns[] = { fill_cap_dma_avail, fill_cap_iova };
	struct iofd_u_vfio_iommu_type1_info info = { 0 };
	size_t minsz = offsetofend(struct iofd_u_vfio_iommu_type1_info, iova_pgsizes);
	uint64_t total, last_cap = 0;
	struct sim_ioas *ioas;
	int r;

	if (sim_copy_from_user(ictx->sim, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	if (info.argsz < sizeof(info))
		minsz = info.argsz;
	else
		minsz = sizeof(info);
	ioas = ictx->vfio_ioas;
	if (!ioas)
		return -ENODEV;
	info.flags = IOFD_U_VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = get_pagesizes(ioas);
	info.cap_offset = 0;

	total = sizeof(info);
	for (size_t i = 0; i < sizeof(fill_fns) / sizeof(fill_fns[0]); i++) {
		uint32_t next = (uint32_t)total;
		int cap_size;

		if (info.argsz > total)
			cap_size = fill_fns[i](ictx->sim, ioas, arg + total, info.argsz - total);
		else
			cap_size = fill_fns[i](ictx->sim, ioas, 0, 0);
		if (cap_size < 0)
			return cap_size;
		/* Chain the previous capability to this one. */
		if (last_cap && info.argsz >= total &&
		    sim_copy_to_user(ictx->sim,
				     last_cap + offsetof(struct iofd_u_vfio_info_cap_header, next),
				     &next, sizeof(next)))
			return -EFAULT;
		last_cap = arg + total;
		total += align8((uint64_t)cap_size);
	}
	/* Too small a buffer gets some capabilities and the size for all. */
	if (info.argsz >= total)
		info.cap_offset = sizeof(info);
	info.argsz = (uint32_t)total;
	info.flags |= IOFD_U_VFIO_IOMMU_INFO_CAPS;
	r = sim_copy_to_user(ictx->sim, arg, &info, minsz);
	return r ? -EFAULT : 0;
}

static int map_dma(struct sim_ictx *ictx, uint64_t arg)
{
	const uint32_t supported = IOFD_U_VFIO_DMA_MAP_FLAG_READ | IOFD_U_VFIO_DMA_MAP_FLAG_WRITE;
	size_t minsz = offsetofend(struct iofd_u_vfio_iommu_type1_dma_map, size);
	struct iofd_u_vfio_iommu_type1_dma_map map;
	int prot = SIM_PROT_CACHE;
	uint64_t iova;

	if (sim_copy_from_user(ictx->sim, &map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz || (map.flags & ~supported))
		return -EINVAL;
	if (map.flags & IOFD_U_VFIO_DMA_MAP_FLAG_READ)
		prot |= SIM_PROT_READ;
	if (map.flags & IOFD_U_VFIO_DMA_MAP_FLAG_WRITE)
		prot |= SIM_PROT_WRITE;
	if (!ictx->vfio_ioas)
		return -ENODEV;
	iova = map.iova;
	return sim_iopt_map_user_pages(&ictx->vfio_ioas->iopt, ictx->account_mode, &iova,
				       map.vaddr, map.size, prot, 0);
}

static int unmap_dma(struct sim_ictx *ictx, uint64_t arg)
{
	size_t minsz = offsetofend(struct iofd_u_vfio_iommu_type1_dma_unmap, size);
	struct iofd_u_vfio_iommu_type1_dma_unmap unmap;
	struct sim_ioas *ioas;
	uint64_t unmapped = 0;
	int r;

	if (sim_copy_from_user(ictx->sim, &unmap, arg, minsz))
		return -EFAULT;
	/* GET_DIRTY_BITMAP is obsolete here: only ALL is known. */
	if (unmap.argsz < minsz || (unmap.flags & ~IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL))
		return -EINVAL;
	ioas = ictx->vfio_ioas;
	if (!ioas)
		return -ENODEV;
	if (unmap.flags & IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL) {
		if (unmap.iova != 0 || unmap.size != 0)
			return -EINVAL;
		r = sim_iopt_unmap_all(&ioas->iopt, &unmapped);
	} else {
		if (ioas->iopt.disable_large_pages) {
			/* Type1 v1 may unmap part of a mapping: cut at both ends. */
			uint64_t iovas[] = { (unmap.iova + unmap.size - 1) & SIM_ULONG_MAX,
					     (unmap.iova - 1) & SIM_ULONG_MAX };

			r = sim_iopt_cut_iova(&ioas->iopt, iovas, unmap.iova ? 2 : 1);
			if (r < 0)
				return r;
		}
		/* Nothing mapped is no error here, unlike IOMMU_IOAS_UNMAP. */
		r = sim_iopt_unmap_iova(&ioas->iopt, unmap.iova, unmap.size, &unmapped);
	}
	unmap.size = unmapped;
	if (sim_copy_to_user(ictx->sim, arg, &unmap, minsz))
		r = -EFAULT;
	return r;
}

static int check_extension(struct sim_ictx *ictx, uint64_t type)
{
	switch (type) {
	case IOFD_U_VFIO_TYPE1_IOMMU:
	case IOFD_U_VFIO_TYPE1v2_IOMMU:
	case IOFD_U_VFIO_UNMAP_ALL:
		return 1;
	case IOFD_U_VFIO_DMA_CC_IOMMU:
		/* Every paging HWPT of the compat IOAS enforces coherency (vacuously with none). */
		if (!ictx->vfio_ioas)
			return -ENODEV;
		for (struct sim_hwpt *h = ictx->vfio_ioas->hwpts; h; h = h->ioas_next)
			if (!h->enforce_cc)
				return 0;
		return 1;
	case IOFD_U_VFIO_NOIOMMU_IOMMU:	/* CONFIG_VFIO_NOIOMMU off */
	case IOFD_U_VFIO_TYPE1_NESTING_IOMMU:
	case IOFD_U_VFIO_UPDATE_VADDR:
	default:
		return 0;
	}
}

static int set_iommu(struct sim_ictx *ictx, uint64_t type)
{
	if (type != IOFD_U_VFIO_TYPE1_IOMMU && type != IOFD_U_VFIO_TYPE1v2_IOMMU)
		return -EINVAL;
	if (!ictx->vfio_ioas)
		return -ENODEV;
	/* Type1 v1 may unmap inside a mapping: no huge IOPTEs then. */
	if (type == IOFD_U_VFIO_TYPE1_IOMMU)
		return sim_iopt_disable_large_pages(&ictx->vfio_ioas->iopt);
	return 0;
}

int sim_vfio_compat_ioctl(struct sim_ictx *ictx, unsigned int cmd, uint64_t arg)
{
	switch (cmd) {
	case IOFD_U_VFIO_GET_API_VERSION:
		return IOFD_U_VFIO_API_VERSION;
	case IOFD_U_VFIO_SET_IOMMU:
		return set_iommu(ictx, arg);
	case IOFD_U_VFIO_CHECK_EXTENSION:
		return check_extension(ictx, arg);
	case IOFD_U_VFIO_IOMMU_GET_INFO:
		return get_info(ictx, arg);
	case IOFD_U_VFIO_IOMMU_MAP_DMA:
		return map_dma(ictx, arg);
	case IOFD_U_VFIO_IOMMU_UNMAP_DMA:
		return unmap_dma(ictx, arg);
	default:
		return -ENOTTY;
	}
}
