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
	uint32_t kernel_id;	/* iommufd: the HWPT id; type1: 0 (the kernel's
				 * domains inside a container have no id) */
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
	uint32_t kernel_id;	/* iommufd: the IOAS id; type1: 0 */
	int kfd;		/* the backend's fd for it: the iommufd, or the
				 * container (owned by the IOAS) */
	/*
	 * The kernel holds the IOAS's mappings. iommufd: always. type1: while
	 * a group is in the container (an IOMMU is set); before that, and
	 * after the last group leaves, mappings live only in the table and are
	 * replayed when the next group arrives.
	 */
	bool live;
	unsigned int groups;	/* type1: groups in the container */
	int64_t dma_avail;	/* type1: DMA_AVAIL (mappings left); -1 unknown */

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

/* The kernel address space has just become live (its first group): read
 * its ranges (-EADDRINUSE when a mapping collides) and replay every mapping,
 * all or nothing. Under the write lock. On failure the kernel holds none of
 * them and the caller undoes the attach. */
int iofd_ioas_go_live(struct iofd_ioas *ioas);

/* It is no longer live (its last group left): the mappings stay in the
 * table, the usable ranges are everything again. */
void iofd_ioas_go_idle(struct iofd_ioas *ioas);

/* Free domains left without devices (whose destruction failed before).
 * Under the write lock. lib/ioas_attach.c. */
int iofd_ioas_reap_domains(struct iofd_ioas *ioas);

#endif
