/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel address spaces of an IOAS (lib/kas.c). Usually one: an
 * iommufd IOAS, whose HWPTs the kernel fills, or a type1 container, which
 * the kernel splits into domains itself. Where devices of different classes
 * must not share one (a type1 IOAS split by coherency; VFIO groups on an
 * iommufd, which the kernel attaches to automatic domains of its choosing),
 * the IOAS has one per class and the library mirrors every mapping into
 * each, all or nothing: on iommufd with IOMMU_IOAS_COPY from the first, so
 * pages are pinned and charged once; on type1 by mapping again (pinned and
 * charged once per container: the price of the split).
 */
#ifndef IOFD_KAS_H
#define IOFD_KAS_H

#include <stdbool.h>
#include <stdint.h>

#include "libiommufd.h"
#include "mapping_table.h"
#include "placement.h"

struct iofd_ioas;

struct iofd_kas {
	struct iofd_ioas *ioas;
	const struct iofd_backend_ops *be;
	int fd;			/* the context's iommufd, or a container of our own */
	uint32_t id;		/* iommufd: the kernel IOAS id; 0 for a container */
	/*
	 * The kernel holds the IOAS's mappings here. iommufd: always. type1:
	 * while a group is in the container (an IOMMU is set); before that,
	 * and after the last group leaves, the mappings are only in the table
	 * and are replayed when the next group arrives.
	 */
	bool live;
	/* A container served by iommufd (CONFIG_IOMMUFD_VFIO_CONTAINER): its
	 * IOAS, with the mappings, outlives its last group; it stays live. */
	bool keeps_mappings;
	unsigned int groups;	/* type1: VFIO groups in the container */
	unsigned int n_devs;	/* devices attached here */
	unsigned int n_grouped;	/* of them, VFIO group devices */
	/* type1: DMA_AVAIL (mappings left) as last read, when the container
	 * held @dma_held of the table's mappings; -1 unknown. What is left
	 * now is dma_avail + dma_held - (the table's count), for a live space
	 * holds every mapping of the table. */
	int64_t dma_avail;
	size_t dma_held;

	/* Its group devices are all of this class (set with the first, cleared
	 * with the last): the kernel chooses their domains, so a space with
	 * group devices takes only their class where classes must not mix. */
	bool for_class;
	int cls_cc;
	bool cls_dirty;
	char cls_iommu[64];

	/* Its usable ranges and alignment as last read (while live). */
	struct iofd_iova_range *ranges;
	size_t n_ranges;
	uint64_t align;
};

/* A new kernel address space for @ioas (the backend's ioas_new). */
int iofd_kas_new(struct iofd_ioas *ioas, const struct iofd_backend_ops *be, struct iofd_kas **ret);

/* Destroy it, with what it maps (-errno from the kernel: nothing freed). */
int iofd_kas_free(struct iofd_kas *kas);

/* Read its usable ranges from the kernel (live only). */
int iofd_kas_read_ranges(struct iofd_kas *kas);

/* The IOFD_MAP_READ / IOFD_MAP_WRITE a backend maps @m with. */
static inline uint32_t iofd_kas_prot(const struct iofd_mapping *m)
{
	return (m->flags & IOFD_MT_READ ? IOFD_MAP_READ : 0) |
	       (m->flags & IOFD_MT_WRITE ? IOFD_MAP_WRITE : 0);
}

/* Map @m into @kas: a copy from the IOAS's first address space where the
 * backend can (iommufd), else a map of the user memory. */
int iofd_kas_map(struct iofd_kas *kas, const struct iofd_mapping *m);

/* Map every mapping of the table into @kas, all or nothing. */
int iofd_kas_fill(struct iofd_kas *kas);

/* Is @kas the one for class @c? */
bool iofd_kas_is_for(const struct iofd_kas *kas, const struct iofd_class *c);

#endif
