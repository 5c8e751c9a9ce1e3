/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The IOAS (lib/ioas.c: mappings and translation; lib/ioas_attach.c:
 * devices and domains) and its domains. Policy lives here, once for every
 * backend; the backend (lib/backend.h) only speaks its uAPI, for each of
 * the IOAS's kernel address spaces (lib/kas.h).
 */
#ifndef IOFD_IOAS_H
#define IOFD_IOAS_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "iova_alloc.h"
#include "kas.h"
#include "mapping_table.h"
#include "rwlock.h"

struct iofd_domain {
	struct iofd_ioas *ioas;
	struct iofd_kas *kas;	/* the kernel address space it translates */
	uint32_t kernel_id;	/* iommufd: the HWPT id; 0 where the kernel
				 * makes the domains and names none */
	bool kernel_chosen;	/* for devices whose domain the kernel picks */
	int cc;			/* enforces coherency: 1, 0, -ENODATA */
	bool dirty;		/* made for dirty tracking */
	char iommu[64];		/* the instance of its devices; "" unknown */
	struct iofd_device **devs;	/* in attach order */
	size_t n_devs;
};

/* How a type1 IOAS spreads over containers (the context's option). */
enum iofd_split {
	IOFD_SPLIT_NONE,	/* one kernel address space for every device */
	IOFD_SPLIT_CLASS,	/* one per class */
};

struct iofd_ioas {
	struct iofd_ctx *ctx;
	const struct iofd_backend_ops *be;
	uint32_t flags;		/* IOFD_IOAS_* */
	enum iofd_split split;

	/*
	 * Write side: map, unmap, attach, detach. Read side: translations and
	 * the getters of the table. The domain, device and address-space
	 * lists change only under the write side.
	 */
	struct iofd_rwlock lock;
	struct iofd_mapping_table mt;
	struct iofd_iova_alloc alloc;	/* the intersection of the live spaces' ranges */
	bool ranges_stale;	/* re-reading them failed: retry before use */
	unsigned int page_shift;
	struct iofd_mapping *spare;	/* freed mappings kept for reuse (via cookie) */
	unsigned int n_spare;
	/* type1's limit: the table's count at which a live space has no
	 * mapping left (DMA_AVAIL), SIZE_MAX for none; see entry_cap(). */
	size_t entry_cap;

	/* kas[0] always exists: the first, for devices of any class. */
	struct iofd_kas **kas;
	size_t n_kas;
	struct iofd_domain **domains;	/* in the order made */
	size_t n_domains;
	struct iofd_device **devs;	/* in attach order */
	size_t n_devs;
};

/* Recompute the usable ranges (the intersection over the live address
 * spaces, re-read from the kernel) and the alignment. Under the write
 * lock. On failure nothing changed and the ranges are marked stale, to be
 * recomputed before the next map. -EADDRINUSE: a mapping lies outside. */
int iofd_ioas_reload_ranges(struct iofd_ioas *ioas);

/* @kas has just become live (its first group): read its ranges
 * (-EADDRINUSE when a mapping collides) and replay every mapping into it,
 * all or nothing. Under the write lock. On failure the kernel holds none
 * of them there and the caller undoes the attach. */
int iofd_ioas_kas_live(struct iofd_ioas *ioas, struct iofd_kas *kas);

/* A space that no device uses any more: a class's own is freed, the first
 * stays (its mappings stay in the table); the ranges are recomputed. */
void iofd_ioas_kas_unused(struct iofd_ioas *ioas, struct iofd_kas *kas);

/* Free domains left without devices (whose destruction failed before).
 * Under the write lock. lib/ioas_attach.c. */
int iofd_ioas_reap_domains(struct iofd_ioas *ioas);

#endif
