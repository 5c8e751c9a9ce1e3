/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An opened device (lib/device.c) and the kinds of device behind one small
 * ops table: a VFIO cdev bound to iommufd (lib/device_cdev.c) and the
 * kernel selftest's mock device (lib/device_selftest.c).
 */
#ifndef IOFD_DEVICE_H
#define IOFD_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "libiommufd.h"

struct iofd_ioas;
struct iofd_domain;

/* What the library knows of the IOMMU translating a device. */
struct iofd_devinfo {
	enum iofd_iommu_type type;
	int cc;			/* can enforce coherency: 1, 0, -ENODATA */
	bool dirty;		/* can track dirty pages */
	char iommu[64];		/* its instance's sysfs name; "" unknown */
	uint64_t vtd_cap, vtd_ecap;
	char cc_why[96];	/* where @cc comes from, for the placement reason */
};

struct iofd_device;

struct iofd_device_ops {
	const char *kind;
	/* The kernel chooses the device's domain inside an address space
	 * (VFIO groups): the library places it by address space and records
	 * its class; else it allocates and chooses HWPTs. */
	bool kernel_domains;
	/*
	 * Make the kernel's device ready for placement in @ioas and fill
	 * dev->info and dev->dev_id. A cdev did this when it was bound: NULL.
	 * A mock device comes into being here, attached to the IOAS itself.
	 * On failure nothing is left behind.
	 */
	int (*prepare)(struct iofd_device *dev, struct iofd_ioas *ioas);
	/* Undo prepare() after a placement that failed. */
	void (*unprepare)(struct iofd_device *dev);
	/* Attach (or move, hitlessly) the device to domain @d (in address
	 * space d->kas) of @ioas. -EINVAL: the domain does not take this
	 * device. A group device on type1 puts its group in the container,
	 * setting the IOMMU (kas->live) when it is the first; on iommufd it
	 * joins its group to the iommufd and its device to d->kas's IOAS. */
	int (*attach)(struct iofd_device *dev, struct iofd_ioas *ioas,
		      struct iofd_domain *d);
	/* Block its DMA: the device leaves its domain (a group device's
	 * group leaves the container with its last attached device, and the
	 * container's IOMMU goes with its last group: kas->live false). */
	int (*detach)(struct iofd_device *dev, struct iofd_ioas *ioas);
	/* What KVM is told of the attached device's coherency; NULL: its
	 * own ability (dev->info.cc). */
	int (*kvm_coherent)(const struct iofd_device *dev, const struct iofd_domain *d);
	/* Free what the kind holds (the fd is closed by device.c). */
	void (*close)(struct iofd_device *dev);
};

struct iofd_device {
	struct iofd_ctx *ctx;
	const struct iofd_device_ops *ops;
	char *name;
	int fd;			/* the cdev, or -1 */
	uint32_t dev_id;	/* the kernel's device id; 0: none (yet) */
	struct iofd_devinfo info;
	bool attached;		/* in the kernel, to some pt */

	/* Set by the IOAS while attached. */
	struct iofd_ioas *ioas;
	struct iofd_domain *domain;
	char placement[512];

	/* The selftest mock. */
	uint32_t mock_flags;
	uint32_t stdev_id;

	/* A group device (type1): its VFIO group, shared by its members. */
	struct iofd_vfio_group *group;
	bool claimed;		/* its name is recorded in group */
	/* Reserved IOVA regions of its IOMMU group (sysfs), which no
	 * mapping may overlap when it attaches. */
	struct iofd_iova_range *resv;
	size_t n_resv;

	struct iofd_device *next;	/* in ctx->devices, once open */
	bool listed;
};

struct iofd_vfio_group;
struct iofd_iova_range;

extern const struct iofd_device_ops iofd_device_cdev_ops;
extern const struct iofd_device_ops iofd_device_selftest_ops;
extern const struct iofd_device_ops iofd_device_group_ops;

/* Detach a device being closed: out of its IOAS even if the kernel
 * refuses (closing the fd then detaches it). lib/ioas_attach.c. */
void iofd_device_detach_for_close(struct iofd_device *dev);

/* Is a device named @name (a PCI address) open in @ctx? */
bool iofd_ctx_has_device(struct iofd_ctx *ctx, const char *name);

/* Bind an opened cdev to the context's iommufd and read its hw info.
 * lib/device_cdev.c. */
int iofd_device_cdev_bind(struct iofd_device *dev, const char *syspath);

/* Decide @info->cc and cc_why from its type and registers. */
void iofd_devinfo_decide(struct iofd_devinfo *info);

/* Fill @info from sysfs alone (type1, where the kernel has no hw info):
 * the host snapshot's IOMMU instance of the device, or NULL. */
struct iofd_iommu;
void iofd_devinfo_from_host(const struct iofd_iommu *iommu, struct iofd_devinfo *info);

/* Fill @info from IOMMU_GET_HW_INFO on @dev_id, completed from sysfs
 * (@syspath: the device's directory, or NULL). lib/hw_info.c. */
int iofd_hw_info_read(struct iofd_ctx *ctx, int iommufd, uint32_t dev_id,
		      const char *syspath, struct iofd_devinfo *info);

#endif
