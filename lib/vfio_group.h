/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VFIO groups (/dev/vfio/N) a context has open. The kernel lets a group be
 * opened once, and its devices reach a container only through it, so each
 * group is opened once per context and shared by the devices opened in it.
 */
#ifndef IOFD_VFIO_GROUP_H
#define IOFD_VFIO_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "libiommufd.h"

struct iofd_kas;
struct iofd_group;

struct iofd_vfio_group {
	struct iofd_vfio_group *next;	/* the context's list */
	int id;
	int fd;
	unsigned int refs;	/* devices opened through it */
	unsigned int attached;	/* of those, attached: it is joined to kas */
	struct iofd_kas *kas;	/* type1: the container it is in; iommufd: the
				 * IOAS its devices are attached to */
	char **devs;		/* the names of the devices opened through it */
	size_t n_devs;
};

/* The open group of @hg (a host snapshot's group), opened (or, with
 * @given >= 0, a duplicate of that pre-opened fd, checked to be the group's
 * node: -ENOTTY if not; -EBUSY if this context holds the group already)
 * and checked viable (VFIO_GROUP_GET_STATUS) the first time. -ENODEV: no
 * VFIO node (no member on vfio-pci); -EPERM: not viable, the blockers named
 * in the log. Takes a reference. */
int iofd_vfio_group_get(struct iofd_ctx *ctx, const struct iofd_group *hg, int given,
			struct iofd_vfio_group **ret);

/* Drop a reference; the last closes the group. */
void iofd_vfio_group_put(struct iofd_ctx *ctx, struct iofd_vfio_group *g);

/* Record that device @name is open through @g: -EBUSY when it is already
 * (a device is opened once, on every backend), -ENOMEM. */
int iofd_vfio_group_claim(struct iofd_ctx *ctx, struct iofd_vfio_group *g, const char *name);

/* Forget @name (a claimed device being closed). */
void iofd_vfio_group_unclaim(struct iofd_ctx *ctx, struct iofd_vfio_group *g, const char *name);

/* The reserved regions sysfs lists for IOMMU group @id (kernel/iommu_groups/
 * N/reserved_regions), except "direct-relaxable" ones, which VFIO allows
 * mapping over. Return: 0 and a malloc'ed array (maybe empty), or -errno. */
int iofd_group_reserved_regions(struct iofd_ctx *ctx, int id, struct iofd_iova_range **ret,
				size_t *n);

/* The members that keep @hg from being viable, for a log message:
 * "0000:00:1f.2 (ahci), 0000:00:1f.3 (unbound)"; "" when none. */
void iofd_group_name_blockers(const struct iofd_group *hg, char *buf, size_t len);

#endif
