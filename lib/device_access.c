// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Device access through the device fd: vfio-pci's regions (BARs, config
 * space), bus mastering, reset and interrupts. The same uAPI on every
 * backend (a cdev, or a device fd from a group).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctx.h"
#include "device.h"
#include "region.h"
#include "uapi/vfio.h"

#define PCI_COMMAND		0x04
#define PCI_COMMAND_MASTER	0x4

static int region_info(struct iofd_device *dev, unsigned int index,
		       struct iofd_u_vfio_region_info *info)
{
	if (!dev)
		return -EINVAL;
	if (dev->fd < 0)
		return -ENODEV;
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return iofd_sys_ioctl(dev->ctx, dev->fd, IOFD_U_VFIO_DEVICE_GET_REGION_INFO, info);
}

int iofd_device_region(struct iofd_device *dev, unsigned int index, uint64_t *size,
		       uint32_t *flags)
{
	struct iofd_region reg;
	int r = iofd_region_info(dev, index, &reg);

	if (r < 0)
		return r;
	if (size)
		*size = reg.size;
	if (flags)
		*flags = (reg.kflags & IOFD_U_VFIO_REGION_INFO_FLAG_READ ? IOFD_REGION_READ : 0) |
			 (reg.kflags & IOFD_U_VFIO_REGION_INFO_FLAG_WRITE ? IOFD_REGION_WRITE : 0) |
			 (reg.kflags & IOFD_U_VFIO_REGION_INFO_FLAG_MMAP ? IOFD_REGION_MMAP : 0) |
			 (reg.sparse ? IOFD_REGION_SPARSE_MMAP : 0) |
			 (reg.msix_mappable ? IOFD_REGION_MSIX_MAPPABLE : 0);
	iofd_region_release(&reg);
	return 0;
}

/* Where [offset, +len) of region @index lives in the device fd. */
static int region_span(struct iofd_device *dev, unsigned int index, uint64_t offset, size_t len,
		       uint32_t need, uint64_t *at)
{
	struct iofd_u_vfio_region_info info;
	int r = region_info(dev, index, &info);

	if (r < 0)
		return r;
	if (!(info.flags & need) || offset > info.size || len > info.size - offset)
		return -EINVAL;
	*at = info.offset + offset;
	return 0;
}

/* One transfer at @offset of region @index, whole or -EIO. @len is
 * returned as an int: larger transfers are refused. */
static int region_rw(struct iofd_device *dev, unsigned int index, uint64_t offset, void *buf,
		     size_t len, bool write)
{
	uint64_t at;
	ssize_t n;
	int r;

	if (!buf || len > INT_MAX)
		return -EINVAL;
	r = region_span(dev, index, offset, len,
			write ? IOFD_U_VFIO_REGION_INFO_FLAG_WRITE : IOFD_U_VFIO_REGION_INFO_FLAG_READ,
			&at);
	if (r < 0)
		return r;
	n = write ? iofd_sys_pwrite(dev->ctx, dev->fd, buf, len, (off_t)at)
		  : iofd_sys_pread(dev->ctx, dev->fd, buf, len, (off_t)at);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? (int)len : -EIO;
}

int iofd_device_region_read(struct iofd_device *dev, unsigned int index, uint64_t offset,
			    void *buf, size_t len)
{
	return region_rw(dev, index, offset, buf, len, false);
}

int iofd_device_region_write(struct iofd_device *dev, unsigned int index, uint64_t offset,
			     const void *buf, size_t len)
{
	return region_rw(dev, index, offset, (void *)buf, len, true);
}

int iofd_device_bus_master(struct iofd_device *dev, bool on)
{
	uint16_t cmd;
	int r = iofd_device_region_read(dev, IOFD_PCI_CONFIG, PCI_COMMAND, &cmd, sizeof(cmd));

	if (r < 0)
		return r;
	cmd = on ? cmd | PCI_COMMAND_MASTER : cmd & ~PCI_COMMAND_MASTER;
	r = iofd_device_region_write(dev, IOFD_PCI_CONFIG, PCI_COMMAND, &cmd, sizeof(cmd));
	return r < 0 ? r : 0;
}

int iofd_device_reset(struct iofd_device *dev)
{
	if (!dev)
		return -EINVAL;
	if (dev->fd < 0)
		return -ENODEV;
	return iofd_sys_ioctl(dev->ctx, dev->fd, IOFD_U_VFIO_DEVICE_RESET, NULL);
}

int iofd_device_irq_count(struct iofd_device *dev, unsigned int index)
{
	struct iofd_u_vfio_irq_info info = { .argsz = sizeof(info), .index = index };
	int r;

	if (!dev)
		return -EINVAL;
	if (dev->fd < 0)
		return -ENODEV;
	r = iofd_sys_ioctl(dev->ctx, dev->fd, IOFD_U_VFIO_DEVICE_GET_IRQ_INFO, &info);
	return r < 0 ? r : (int)info.count;
}

int iofd_device_irq_set(struct iofd_device *dev, unsigned int index, unsigned int start,
			unsigned int count, const int *eventfds)
{
	struct iofd_u_vfio_irq_set *set;
	size_t sz = sizeof(*set) + (eventfds ? count * sizeof(int32_t) : 0);
	int r;

	if (!dev || (eventfds && !count) || count > 4096)
		return -EINVAL;
	if (dev->fd < 0)
		return -ENODEV;
	set = calloc(1, sz);
	if (!set)
		return -ENOMEM;
	set->argsz = (uint32_t)sz;
	set->index = index;
	if (eventfds) {
		set->flags = IOFD_U_VFIO_IRQ_SET_DATA_EVENTFD | IOFD_U_VFIO_IRQ_SET_ACTION_TRIGGER;
		set->start = start;
		set->count = count;
		for (unsigned int i = 0; i < count; i++)
			((int32_t *)set->data)[i] = eventfds[i];
	} else {	/* DATA_NONE, count 0: disable the whole index */
		set->flags = IOFD_U_VFIO_IRQ_SET_DATA_NONE | IOFD_U_VFIO_IRQ_SET_ACTION_TRIGGER;
	}
	r = iofd_sys_ioctl(dev->ctx, dev->fd, IOFD_U_VFIO_DEVICE_SET_IRQS, set);
	free(set);
	return r;
}

/* ACTION_MASK or _UNMASK of one vector, DATA_NONE. */
static int irq_mask_action(struct iofd_device *dev, unsigned int index, unsigned int vector,
			   uint32_t action)
{
	struct iofd_u_vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = IOFD_U_VFIO_IRQ_SET_DATA_NONE | action,
		.index = index,
		.start = vector,
		.count = 1,
	};

	if (!dev)
		return -EINVAL;
	if (dev->fd < 0)
		return -ENODEV;
	return iofd_sys_ioctl(dev->ctx, dev->fd, IOFD_U_VFIO_DEVICE_SET_IRQS, &set);
}

int iofd_device_irq_unmask(struct iofd_device *dev, unsigned int index, unsigned int vector)
{
	return irq_mask_action(dev, index, vector, IOFD_U_VFIO_IRQ_SET_ACTION_UNMASK);
}

int iofd_device_irq_mask(struct iofd_device *dev, unsigned int index, unsigned int vector)
{
	return irq_mask_action(dev, index, vector, IOFD_U_VFIO_IRQ_SET_ACTION_MASK);
}
