// SPDX-License-Identifier: LGPL-2.1-or-later
/* Placement rules: a device's class, and which domains it may join. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "device.h"
#include "ioas.h"
#include "placement.h"

void iofd_placement_class(const struct iofd_ioas *ioas, const struct iofd_device *dev,
			  struct iofd_class *c)
{
	c->cc = dev->info.cc;
	c->dirty = (ioas->flags & IOFD_IOAS_DIRTY_TRACKING) && dev->info.dirty;
	c->iommu = dev->info.iommu;
}

bool iofd_placement_may_join(const struct iofd_class *c, const struct iofd_domain *d)
{
	if (c->dirty != d->dirty || strcmp(c->iommu, d->iommu))
		return false;
	switch (c->cc) {
	case 1:
		return d->cc == 1;
	case 0:
		return d->cc == 0;
	default:
		/* Unknown: only where acceptance proves it can enforce. */
		return d->cc == 1;
	}
}

void iofd_class_describe(const struct iofd_class *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s, %s, IOMMU %s",
		 c->cc == 1 ? "enforces coherency" :
		 c->cc == 0 ? "does not enforce coherency" : "coherency unknown",
		 c->dirty ? "tracks dirty pages" : "no dirty tracking",
		 c->iommu[0] ? c->iommu : "unknown");
}
