/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Placement: which domain of an IOAS a device belongs in. The rules, for
 * every backend:
 *  - a domain holds devices of one class: coherency enforcement x dirty
 *    tracking (when the IOAS asks for it) x IOMMU instance;
 *  - a device that can enforce coherency never joins a domain that does not
 *    (KVM asks VFIO about the device, and would treat its DMA as coherent);
 *  - a device whose ability is unknown joins only a domain that enforces
 *    coherency (if the kernel takes it there, it can), else gets its own;
 *  - the kernel has the last word: it may refuse a domain (EINVAL), and the
 *    next candidate, or a new domain, is tried.
 */
#ifndef IOFD_PLACEMENT_H
#define IOFD_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>

struct iofd_ioas;
struct iofd_device;
struct iofd_domain;

/* The class a device needs in @ioas. */
struct iofd_class {
	int cc;			/* 1, 0, -ENODATA */
	bool dirty;		/* its domain is made for dirty tracking */
	const char *iommu;	/* instance; "" unknown */
};

void iofd_placement_class(const struct iofd_ioas *ioas, const struct iofd_device *dev,
			  struct iofd_class *c);

/* May a device of class @c join domain @d (before the kernel is asked)? */
bool iofd_placement_may_join(const struct iofd_class *c, const struct iofd_domain *d);

/* "enforces coherency, dirty tracking, IOMMU dmar0" into @buf. */
void iofd_class_describe(const struct iofd_class *c, char *buf, size_t len);

#endif
