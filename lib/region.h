/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A device region as VFIO_DEVICE_GET_REGION_INFO describes it, its
 * capability chain read (lib/region.c).
 */
#ifndef IOFD_REGION_H
#define IOFD_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libiommufd.h"

struct iofd_region {
	uint64_t size;
	uint64_t offset;		/* where it lives in the device fd */
	uint32_t kflags;		/* VFIO_REGION_INFO_FLAG_* */
	bool msix_mappable;		/* VFIO_REGION_INFO_CAP_MSIX_MAPPABLE */
	bool sparse;			/* VFIO_REGION_INFO_CAP_SPARSE_MMAP: only @areas */
	struct iofd_region_area *areas;
	size_t nr_areas;
};

/* The region's info and capabilities: 0, -EINVAL, -ENODEV, -ENOMEM, -EIO
 * (a chain that does not hold together), or the kernel's errno. On success
 * iofd_region_release() frees what it holds. */
int iofd_region_info(struct iofd_device *dev, unsigned int index, struct iofd_region *reg);
/* Read the chain of the @len bytes at @buf (a struct vfio_region_info the
 * kernel filled) into @reg (size set already): 0, -EIO, -ENOMEM. */
int iofd_region_parse_caps(struct iofd_region *reg, const void *buf, size_t len);
void iofd_region_release(struct iofd_region *reg);

#endif
