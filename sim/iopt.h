/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The I/O page table behind an IOAS (the kernel's io_pagetable), the user
 * memory its mappings refer to (iopt_pages), and the translation domains
 * that mirror it (iommu_domain, filled by the HWPTs attached to the IOAS).
 *
 * An IOAS holds areas: disjoint IOVA ranges, each a slice of one pages
 * object (a MAP makes a pages object; a COPY makes areas sharing the source's
 * pages objects). Pages are pinned, validated and charged to RLIMIT_MEMLOCK
 * only while the IOAS has at least one domain: then every area is "filled",
 * mapped into every domain, and its page range is held in its pages object,
 * so a page under several areas of one pages object is pinned once.
 */
#ifndef IOFD_SIM_IOPT_H
#define IOFD_SIM_IOPT_H

#include <limits.h>

#include "iommufd.h"
#include "itree.h"

/* The kernel's IOMMU_READ/WRITE/CACHE protection bits. */
#define SIM_PROT_READ	(1 << 0)
#define SIM_PROT_WRITE	(1 << 1)
#define SIM_PROT_CACHE	(1 << 2)

/* The kernel's unsigned long: IOVAs and lengths beyond it are EOVERFLOW. */
#define SIM_ULONG_MAX ((uint64_t)ULONG_MAX)

struct sim_pages {
	struct iofd_sim *sim;
	uint64_t uptr;			/* page-aligned start of the user memory */
	uint64_t npages;
	bool writable;			/* pinned for write (FOLL_WRITE) */
	enum sim_account account_mode;
	bool no_pinned_vm;		/* VFIO type1's: charged, but not in mm->pinned_vm */
	bool lock_cap;			/* VFIO type1's with CAP_IPC_LOCK: charged, no limit */
	unsigned int refs;		/* areas and in-flight copies */
	struct itree holders;		/* page index ranges of filled areas */
	uint64_t npinned;		/* indexes under some holder */
};

/* A slice of user memory, ref 1: -EINVAL (0 or huge length), -EOVERFLOW, -ENOMEM. */
int sim_pages_new(struct iofd_sim *sim, uint64_t uptr, uint64_t length, bool writable,
		  struct sim_pages **ret);
static inline void sim_pages_get(struct sim_pages *p)
{
	p->refs++;
}
void sim_pages_put(struct sim_pages *p);
/*
 * Hold the page indexes [holder->start, holder->last]: pin (fault in) and
 * charge those no other holder has, then add @holder. -EFAULT, -ENOMEM
 * (RLIMIT_MEMLOCK); nothing changes on failure.
 */
int sim_pages_hold(struct sim_pages *p, struct itree_node *holder);
/* Remove @holder; unpin and uncharge what no other holder has. */
void sim_pages_release(struct sim_pages *p, struct itree_node *holder);

/*
 * A translation domain (what a paging HWPT owns): the IOVAs it can map
 * (aperture), its page sizes, and what it maps now (one entry per filled
 * area of the IOAS it is attached to).
 */
struct sim_domain {
	uint64_t pgsize_bitmap;
	uint64_t aperture_start, aperture_last;
	struct itree map;		/* struct sim_dmap */
	struct itree dirty;		/* struct sim_dirty: IO pages written while tracking */
};

/* One dirty IO page (the domain's smallest page size) of a domain. */
struct sim_dirty {
	struct itree_node node;
};

struct sim_dmap {
	struct itree_node node;		/* the IOVA range */
	struct sim_pages *pages;
	uint64_t start_byte;		/* of node.start in pages */
	int prot;
};

/* What @dom translates @iova to: 0 with the user address and prot, or -ENOENT. */
int sim_domain_translate(const struct sim_domain *dom, uint64_t iova, uint64_t *uva,
			 int *prot);

struct sim_iopt;

struct sim_area {
	struct itree_node node;		/* IOVA range, in iopt->areas */
	struct itree_node pages_node;	/* page index range, a holder when filled */
	struct sim_iopt *iopt;
	struct sim_pages *pages;	/* NULL until complete */
	uint64_t start_byte;		/* where node.start lands in pages */
	int prot;
	bool inserted;
	bool filled;
	bool vaddr_invalid;		/* VFIO type1's UPDATE_VADDR (type1.c) */
	uint64_t *dirty;		/* VFIO type1's dirty bitmap while tracking (type1_dirty.c) */
	uint64_t dirty_words;
};

struct sim_reserved {
	struct itree_node node;
	const void *owner;		/* a domain, or NULL (IOMMU_TEST_OP_ADD_RESERVED) */
};

struct sim_allowed {
	struct itree_node node;
};

struct sim_iopt {
	struct iofd_sim *sim;
	struct itree areas;		/* struct sim_area, disjoint */
	struct itree allowed;		/* struct sim_allowed, disjoint */
	struct itree reserved;		/* struct sim_reserved, may overlap */
	uint64_t iova_alignment;
	bool disable_large_pages;
	bool type1;			/* a VFIO type1 container's (vfio_group.c) */
	struct sim_domain **domains;
	unsigned int ndomains, domains_cap;
};

/* iopt_alloc flags */
#define SIM_IOPT_ALLOC_IOVA (1u << 0)

/* One piece of a mapping in flight: a slice of a pages object. */
struct sim_pages_elm {
	struct sim_pages *pages;	/* a reference, or NULL once moved */
	struct sim_area *area;
	uint64_t start_byte;
	uint64_t length;
};

struct sim_pages_list {
	struct sim_pages_elm *elms;
	size_t n, cap;
};

void sim_iopt_init(struct sim_iopt *iopt, struct iofd_sim *sim);
/* Unmap everything and free the table (no domain may be left). */
void sim_iopt_destroy(struct sim_iopt *iopt);

int sim_iopt_map_user_pages(struct sim_iopt *iopt, enum sim_account ctx_mode, uint64_t *iova,
			    uint64_t uptr, uint64_t length, int prot, unsigned int flags);
int sim_iopt_get_pages(struct sim_iopt *iopt, uint64_t iova, uint64_t length,
		       struct sim_pages_list *list);
int sim_iopt_map_pages(struct sim_iopt *iopt, struct sim_pages_list *list, uint64_t length,
		       uint64_t *dst_iova, int prot, unsigned int flags);
void sim_pages_list_free(struct sim_pages_list *list);
int sim_iopt_unmap_iova(struct sim_iopt *iopt, uint64_t iova, uint64_t length,
			uint64_t *unmapped);
int sim_iopt_unmap_all(struct sim_iopt *iopt, uint64_t *unmapped);
/* Swap in @allowed (on failure it gets the old one back); the caller frees what @allowed holds. */
int sim_iopt_set_allow_iova(struct sim_iopt *iopt, struct itree *allowed);
void sim_iopt_free_allowed(struct itree *allowed);
int sim_iopt_reserve_iova(struct sim_iopt *iopt, uint64_t start, uint64_t last,
			  const void *owner);
void sim_iopt_remove_reserved_iova(struct sim_iopt *iopt, const void *owner);
void sim_iopt_enable_large_pages(struct sim_iopt *iopt);
int sim_iopt_disable_large_pages(struct sim_iopt *iopt);
/* Split areas so that none crosses iovas[i] | iovas[i] + 1 (VFIO type1 v1 unmaps). */
int sim_iopt_cut_iova(struct sim_iopt *iopt, const uint64_t *iovas, size_t n);

/*
 * Attach a domain: narrow the IOVA space to its aperture and alignment,
 * then fill it with every area (pinning them if it is the first domain).
 * -EINVAL (page size above PAGE_SIZE), -EADDRINUSE (a mapping outside the
 * aperture or misaligned), -EFAULT/-ENOMEM from pinning. Nothing changes
 * on failure.
 */
int sim_iopt_add_domain(struct sim_iopt *iopt, struct sim_domain *dom);
void sim_iopt_remove_domain(struct sim_iopt *iopt, struct sim_domain *dom);
/*
 * The invariants, for tests: every domain maps exactly the filled areas,
 * each to its pages; areas are filled iff there is a domain; each pages
 * object's npinned equals what its holders cover. 0 or -EUCLEAN.
 */
int sim_iopt_check(const struct sim_iopt *iopt);
/* sim_iopt_check(), then every page of every area through every domain
 * (dma.c): 0 with *@checked counting (domain, page) pairs, or -EUCLEAN. */
int sim_iopt_check_domains(struct iofd_sim *sim, struct sim_iopt *iopt, uint64_t *checked);
/* The same for every VFIO type1 container (vfio_group.c). */
int sim_vfio_check_containers(struct iofd_sim *sim, uint64_t *checked);

struct sim_hwpt;

/* An IOAS object. */
struct sim_ioas {
	struct sim_obj obj;
	struct sim_iopt iopt;
	struct sim_hwpt *hwpts;		/* its paging HWPTs, oldest first */
};

struct sim_ioas *sim_ioas_get(struct sim_ictx *ictx, uint32_t id);
/* iommufd_vfio_compat_ioas_create(): 0 (made, or there already), -ENOMEM. */
int sim_vfio_compat_ioas_create(struct sim_ictx *ictx);
/*
 * A domain joins (leaves) the IOAS the way a paging HWPT does: it mirrors
 * every mapping, and holds the IOAS (IOMMU_DESTROY of it is EBUSY) until
 * it leaves. sim_iopt_add_domain()'s errnos.
 */
int sim_ioas_add_domain(struct sim_ioas *ioas, struct sim_domain *dom);
void sim_ioas_remove_domain(struct sim_ioas *ioas, struct sim_domain *dom);

#endif
