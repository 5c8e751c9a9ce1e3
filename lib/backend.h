/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The backends behind one ops table. A backend speaks one kernel uAPI for
 * one kernel address space (an iommufd IOAS; later a type1 container) and
 * decides nothing: the IOAS layer above checks every argument, keeps the
 * mapping table, allocates IOVAs and places devices, once for all backends.
 * Every op returns the kernel's -errno unchanged.
 */
#ifndef IOFD_BACKEND_H
#define IOFD_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "libiommufd.h"

struct iofd_ioas;
struct iofd_domain;
struct iofd_device;

struct iofd_backend_ops {
	const char *name;
	/* Make the kernel address space of @ioas (sets kernel_id, kfd). */
	int (*ioas_new)(struct iofd_ioas *ioas);
	/* Destroy it, with whatever it still maps. */
	int (*ioas_free)(struct iofd_ioas *ioas);
	/* Map [vaddr, +length) at the fixed @iova with IOFD_MAP_READ/WRITE. */
	int (*map)(struct iofd_ioas *ioas, uint64_t iova, uint64_t vaddr,
		   uint64_t length, uint32_t prot);
	/* Unmap exactly [iova, +length), which covers whole mappings. */
	int (*unmap)(struct iofd_ioas *ioas, uint64_t iova, uint64_t length);
	/* Unmap everything. */
	int (*unmap_all)(struct iofd_ioas *ioas);
	/* The usable ranges (malloc'ed, sorted) and the alignment, now. */
	int (*iova_ranges)(struct iofd_ioas *ioas, struct iofd_iova_range **ret,
			   size_t *n, uint64_t *alignment);
	/* A new domain for @dev in @ioas, filled with every mapping
	 * (sets d->kernel_id); @dirty: allocated for dirty tracking. NULL
	 * where the kernel makes domains itself (type1): the library's
	 * domain is then a class of devices in the container. */
	int (*domain_new)(struct iofd_ioas *ioas, struct iofd_device *dev,
			  struct iofd_domain *d, bool dirty);
	/* Free a domain without devices. */
	int (*domain_free)(struct iofd_ioas *ioas, struct iofd_domain *d);
};

extern const struct iofd_backend_ops iofd_backend_iommufd;
extern const struct iofd_backend_ops iofd_backend_type1;

/* The backend a context's IOASes and devices use, or NULL with
 * -EOPNOTSUPP in *@err (compat: not in this release). */
const struct iofd_backend_ops *iofd_backend_of(struct iofd_ctx *ctx, int *err);

#endif
