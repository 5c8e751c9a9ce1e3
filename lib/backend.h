/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The backends behind one ops table. A backend speaks one kernel uAPI for
 * one kernel address space (lib/kas.h: an iommufd IOAS, or a type1
 * container) and decides nothing: the IOAS layer above checks every
 * argument, keeps the mapping table, allocates IOVAs, places devices and
 * mirrors mappings across address spaces, once for all backends. Every op
 * returns the kernel's -errno unchanged.
 */
#ifndef IOFD_BACKEND_H
#define IOFD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libiommufd.h"

struct iofd_ctx;
struct iofd_kas;
struct iofd_domain;
struct iofd_device;

struct iofd_backend_ops {
	const char *name;
	/* Make the kernel object of @kas (sets fd, id, live). */
	int (*kas_new)(struct iofd_kas *kas);
	/* Destroy it, with whatever it still maps. */
	int (*kas_free)(struct iofd_kas *kas);
	/* Map [vaddr, +length) at the fixed @iova with IOFD_MAP_READ/WRITE. */
	int (*map)(struct iofd_kas *kas, uint64_t iova, uint64_t vaddr, uint64_t length,
		   uint32_t prot);
	/* Map in @dst what @src maps at [iova, +length), at the same IOVA,
	 * sharing its pinned pages (IOMMU_IOAS_COPY). NULL: not possible. */
	int (*copy)(struct iofd_kas *dst, struct iofd_kas *src, uint64_t iova, uint64_t length,
		    uint32_t prot);
	/* Unmap exactly [iova, +length), which covers whole mappings. */
	int (*unmap)(struct iofd_kas *kas, uint64_t iova, uint64_t length);
	/* Unmap everything. */
	int (*unmap_all)(struct iofd_kas *kas);
	/* The usable ranges (malloc'ed, sorted) and the alignment, now. */
	int (*iova_ranges)(struct iofd_kas *kas, struct iofd_iova_range **ret, size_t *n,
			   uint64_t *alignment);
	/* A new domain for @dev in @kas, filled with every mapping (sets
	 * d->kernel_id); @dirty: allocated for dirty tracking. NULL where the
	 * kernel makes domains itself (type1; VFIO groups on iommufd): the
	 * library's domain is then a class of devices in that space. */
	int (*domain_new)(struct iofd_kas *kas, struct iofd_device *dev, struct iofd_domain *d,
			  bool dirty);
	/* Free a domain without devices. */
	int (*domain_free)(struct iofd_kas *kas, struct iofd_domain *d);
};

extern const struct iofd_backend_ops iofd_backend_iommufd;
extern const struct iofd_backend_ops iofd_backend_type1;

/* The backend the context uses: its option, or for IOFD_BACKEND_AUTO the
 * choice made (once) for it. */
enum iofd_backend iofd_ctx_effective_backend(struct iofd_ctx *ctx);

/* The backend ops a context's IOASes use (compat: iommufd's), or NULL with
 * -EINVAL in *@err. */
const struct iofd_backend_ops *iofd_backend_of(struct iofd_ctx *ctx, int *err);

#endif
