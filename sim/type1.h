/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VFIO's type1 IOMMU driver (drivers/vfio/vfio_iommu_type1.c), what
 * VFIO_SET_IOMMU opens behind a VFIO container (vfio_group.c): its domains,
 * its mappings with the v1 and v2 rules and UPDATE_VADDR (type1.c), and
 * dirty page tracking (type1_dirty.c).
 *
 * Mappings (the kernel's vfio_dma) are areas of an I/O page table
 * (iopt.h), one area each: type1 never splits a mapping (v2 refuses to cut
 * one, v1 takes it whole), so an area is always one MAP_DMA.
 */
#ifndef IOFD_SIM_TYPE1_H
#define IOFD_SIM_TYPE1_H

#include "iopt.h"
#include "topology.h"

#define T1_MAX_DOMAINS 16

/* A vfio_domain: one IOMMU domain and the groups attached to it. */
struct t1_domain {
	struct sim_domain dom;
	enum iofd_iommu_type type;
	const struct sim_iommu *inst;	/* SMMUv3: its instance only */
	bool enforce_cc;
	unsigned int groups;
};

/* A group as the type1 IOMMU sees it (vfio_iommu_group). */
struct t1_group {
	struct sim_group *g;
	struct t1_domain *dom;		/* while attached */
};

/* A vfio_iommu. */
struct sim_t1 {
	struct iofd_sim *sim;
	bool v2;			/* VFIO_TYPE1v2_IOMMU (or NESTING) */
	bool nesting;			/* VFIO_TYPE1_NESTING_IOMMU */
	bool dirty_tracking;		/* VFIO_IOMMU_DIRTY_PAGES_FLAG_START */
	struct sim_iopt iopt;		/* the mappings (vfio_dma), one area each */
	struct t1_domain *doms[T1_MAX_DOMAINS];
	unsigned int ndoms;
	uint32_t dma_avail;
	unsigned int vaddr_invalid;	/* mappings whose vaddr is invalidated */
};

/* vfio_iommu_type1_open(): -EINVAL for what is no type1 type, -ENOMEM. */
int sim_t1_open(struct iofd_sim *sim, uint64_t type, struct sim_t1 **ret);
/* vfio_iommu_type1_release(): every mapping and domain goes (no group may be left). */
void sim_t1_release(struct sim_t1 *t1);
/* vfio_iommu_type1_attach_group()/_detach_group(). */
int sim_t1_attach_group(struct sim_t1 *t1, struct t1_group *tg);
void sim_t1_detach_group(struct sim_t1 *t1, struct t1_group *tg);

/* VFIO_CHECK_EXTENSION; @t1 NULL: asked before SET_IOMMU, of no container. */
int sim_t1_check_extension(struct iofd_sim *sim, const struct sim_t1 *t1, uint64_t arg);
/* Every other ioctl the container passes on (ENOTTY for what type1 lacks). */
int sim_t1_ioctl(struct sim_t1 *t1, unsigned int cmd, uint64_t arg);

/* The smallest page size of every domain, at least PAGE_SIZE (1 << __ffs(pgsize_bitmap)). */
uint64_t sim_t1_pgsize(const struct sim_t1 *t1);

/* For the unit tests' sweeps: @h mixed with everything @t1 holds (mappings,
 * their vaddrs and dirty bitmaps, the counters); and the same over every
 * open container (vfio_group.c). */
uint64_t sim_t1_hash(const struct sim_t1 *t1, uint64_t h);
uint64_t sim_vfio_containers_hash(struct iofd_sim *sim);

/* ------------------------------------------------------------------------
 * Dirty pages (type1_dirty.c)
 */

/* VFIO_IOMMU_DIRTY_PAGES (v2 only: EACCES). */
int sim_t1_dirty_pages(struct sim_t1 *t1, uint64_t arg);
/* verify_bitmap_size(): 0 or -EINVAL. */
int sim_t1_verify_bitmap_size(uint64_t npages, uint64_t bitmap_size);
/* x86-64's access_ok() for [ptr, ptr + size). */
bool sim_t1_access_ok(uint64_t ptr, uint64_t size);
/*
 * update_user_bitmap(): report mapping @a into the user's bitmap at
 * @ubitmap, whose bit 0 is the page at @base: 0 or -EFAULT.
 */
int sim_t1_report_dirty(struct sim_t1 *t1, uint64_t ubitmap, uint64_t base, struct sim_area *a);
/* vfio_dma_bitmap_alloc() for a mapping (made while tracking): 0, -EINVAL, -ENOMEM. */
int sim_t1_dirty_alloc(struct sim_t1 *t1, struct sim_area *a);
/* ... and its free, before the mapping goes. */
void sim_t1_dirty_free(struct sim_area *a);
/* A group left while tracking: every mapping's bitmap is set (vfio_iommu_populate_bitmap_full()). */
void sim_t1_dirty_fill(struct sim_t1 *t1);

#endif
