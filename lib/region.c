// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A device's regions as VFIO_DEVICE_GET_REGION_INFO describes them, with
 * their capability chain: the areas that may be mmap'ed (SPARSE_MMAP, or
 * the whole region when the MMAP flag stands alone) and whether the MSI-X
 * table may be (MSIX_MAPPABLE); and mmap that refuses a window the kernel
 * does not offer, before asking it.
 *
 * The chain is the kernel's answer, read as untrusted input: every header
 * and every area must lie inside the bytes the kernel wrote, each next
 * offset must go forward (so a loop cannot happen), and ids this library
 * does not know are skipped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ctx.h"
#include "device.h"
#include "region.h"
#include "uapi/vfio.h"

/* More than any real chain needs; a bigger argsz is not believed. */
#define REGION_INFO_MAX 65536

int iofd_region_info(struct iofd_device *dev, unsigned int index, struct iofd_region *reg)
{
	struct iofd_u_vfio_region_info *info;
	uint32_t argsz = sizeof(*info);
	int r;

	if (!dev || !reg)
		return -EINVAL;
	if (dev->fd < 0)
		return -ENODEV;
	memset(reg, 0, sizeof(*reg));
	/* argsz grows to what the chain needs; it may grow between calls. */
	for (int tries = 0; tries < 4; tries++) {
		info = calloc(1, argsz);
		if (!info)
			return -ENOMEM;
		info->argsz = argsz;
		info->index = index;
		r = iofd_sys_ioctl(dev->ctx, dev->fd, IOFD_U_VFIO_DEVICE_GET_REGION_INFO, info);
		if (r < 0) {
			free(info);
			return r;
		}
		if (!(info->flags & IOFD_U_VFIO_REGION_INFO_FLAG_CAPS) || info->argsz <= argsz)
			break;
		if (info->argsz > REGION_INFO_MAX) {
			free(info);
			return -EIO;
		}
		argsz = info->argsz;
		free(info);
		info = NULL;
	}
	if (!info)
		return -EIO;	/* argsz kept growing */
	reg->size = info->size;
	reg->offset = info->offset;
	reg->kflags = info->flags;
	r = 0;
	if ((info->flags & IOFD_U_VFIO_REGION_INFO_FLAG_CAPS) && info->cap_offset)
		r = iofd_region_parse_caps(reg, info, argsz);
	free(info);
	if (r < 0)
		iofd_region_release(reg);
	return r;
}

int iofd_region_parse_caps(struct iofd_region *reg, const void *buf, size_t len)
{
	const struct iofd_u_vfio_region_info *info = buf;
	const unsigned char *p = buf;
	uint32_t at = info->cap_offset;

	while (at) {
		struct iofd_u_vfio_info_cap_header h;

		/* Inside what the kernel wrote, after the fixed part. */
		if (at < sizeof(*info) || at > len || len - at < sizeof(h))
			return -EIO;
		memcpy(&h, p + at, sizeof(h));
		if (h.id == IOFD_U_VFIO_REGION_INFO_CAP_MSIX_MAPPABLE) {
			reg->msix_mappable = true;
		} else if (h.id == IOFD_U_VFIO_REGION_INFO_CAP_SPARSE_MMAP && !reg->sparse) {
			struct iofd_u_vfio_region_info_cap_sparse_mmap cap;
			const size_t asz = sizeof(struct iofd_u_vfio_region_sparse_mmap_area);

			if (len - at < sizeof(cap))
				return -EIO;
			memcpy(&cap, p + at, sizeof(cap));
			if (cap.nr_areas > (len - at - sizeof(cap)) / asz)
				return -EIO;
			reg->sparse = true;
			reg->nr_areas = cap.nr_areas;
			reg->areas = cap.nr_areas ? calloc(cap.nr_areas, sizeof(*reg->areas)) : NULL;
			if (cap.nr_areas && !reg->areas)
				return -ENOMEM;
			for (uint32_t i = 0; i < cap.nr_areas; i++) {
				struct iofd_u_vfio_region_sparse_mmap_area a;

				memcpy(&a, p + at + sizeof(cap) + i * asz, asz);
				/* An area outside the region is not one. */
				if (a.offset > reg->size || a.size > reg->size - a.offset)
					return -EIO;
				reg->areas[i].offset = a.offset;
				reg->areas[i].size = a.size;
			}
		}	/* other ids: not ours to read */
		if (h.next && h.next <= at)
			return -EIO;	/* backwards or to itself: a loop */
		at = h.next;
	}
	return 0;
}

void iofd_region_release(struct iofd_region *reg)
{
	free(reg->areas);
	reg->areas = NULL;
	reg->nr_areas = 0;
}

/* The mmap-able areas: the sparse cap's, else the whole region if MMAP. */
static size_t region_areas(const struct iofd_region *reg, const struct iofd_region_area **areas,
			   struct iofd_region_area *whole)
{
	if (!(reg->kflags & IOFD_U_VFIO_REGION_INFO_FLAG_MMAP)) {
		*areas = NULL;
		return 0;
	}
	if (reg->sparse) {
		*areas = reg->areas;
		return reg->nr_areas;
	}
	whole->offset = 0;
	whole->size = reg->size;
	*areas = whole;
	return reg->size ? 1 : 0;
}

int iofd_device_region_mmap_areas(struct iofd_device *dev, unsigned int index,
				  struct iofd_region_area *areas, size_t n)
{
	const struct iofd_region_area *a;
	struct iofd_region_area whole;
	struct iofd_region reg;
	size_t count;
	int r;

	if (n && !areas)
		return -EINVAL;
	r = iofd_region_info(dev, index, &reg);
	if (r < 0)
		return r;
	count = region_areas(&reg, &a, &whole);
	if (count > INT32_MAX) {
		iofd_region_release(&reg);
		return -EIO;
	}
	for (size_t i = 0; i < count && i < n; i++)
		areas[i] = a[i];
	iofd_region_release(&reg);
	return (int)count;
}

/*
 * Is [offset, offset + len) inside one area? A mapping is whole pages, so
 * an area that ends the region (a BAR smaller than a page) reaches the end
 * of its last page, as vfio-pci maps it.
 */
static bool window_in_area(const struct iofd_region *reg, const struct iofd_region_area *a,
			   uint64_t offset, uint64_t len, uint64_t page)
{
	uint64_t end = a->offset + a->size;

	if (end == reg->size && end % page)
		end += page - end % page;
	return offset >= a->offset && offset < end && len <= end - offset;
}

int iofd_device_region_mmap(struct iofd_device *dev, unsigned int index, uint64_t offset,
			    size_t len, int prot, void **ret)
{
	const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	const struct iofd_region_area *a;
	struct iofd_region_area whole;
	struct iofd_region reg;
	size_t count;
	bool ok = false;
	int r;

	if (!ret || !len || (offset & (page - 1)))
		return -EINVAL;
	r = iofd_region_info(dev, index, &reg);
	if (r < 0)
		return r;
	count = region_areas(&reg, &a, &whole);
	for (size_t i = 0; i < count && !ok; i++)
		ok = window_in_area(&reg, &a[i], offset, len, page);
	iofd_region_release(&reg);
	if (!ok)
		return -EINVAL;
	return iofd_sys_mmap(dev->ctx, ret, len, prot, MAP_SHARED, dev->fd,
			     (off_t)(reg.offset + offset));
}
