/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The IOAS (lib/ioas.c: mappings and translation; lib/ioas_attach.c:
 * devices and domains) and its domains. Policy lives here, once for every
 * backend; the backend (lib/backend.h) only speaks its uAPI.
 */
#ifndef IOFD_IOAS_H
#define IOFD_IOAS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "iova_alloc.h"
#include "mapping_table.h"

struct iofd_domain {
	struct iofd_ioas *ioas;
	uint32_t kernel_id;	/* iommufd: the HWPT id */
	int cc;			/* enforces coherency: 1, 0, -ENODATA */
	bool dirty;		/* made for dirty tracking */
	char iommu[64];		/* the instance of its devices; "" unknown */
	struct iofd_device **devs;	/* in attach order */
	size_t n_devs;
};

struct iofd_ioas {
	struct iofd_ctx *ctx;
	const struct iofd_backend_ops *be;
	uint32_t flags;		/* IOFD_IOAS_* */
	uint32_t kernel_id;	/* iommufd: the IOAS id */
	int kfd;		/* the backend's fd for it (the iommufd) */

	/*
	 * Write side: map, unmap, attach, detach. Read side: translations and
	 * the getters of the table. The domain and device lists change only
	 * under the write side.
	 */
	pthread_rwlock_t lock;
	struct iofd_mapping_table mt;
	struct iofd_iova_alloc alloc;
	bool ranges_stale;	/* re-reading them failed: retry before use */

	struct iofd_domain **domains;	/* in the order made */
	size_t n_domains;
	struct iofd_device **devs;	/* in attach order */
	size_t n_devs;
};

/* Re-read the usable ranges and alignment from the kernel into the
 * allocator. Under the write lock. On failure nothing changed and the
 * ranges are marked stale, to be re-read before the next map. */
int iofd_ioas_reload_ranges(struct iofd_ioas *ioas);

/* Free domains left without devices (whose destruction failed before).
 * Under the write lock. lib/ioas_attach.c. */
int iofd_ioas_reap_domains(struct iofd_ioas *ioas);

#endif
