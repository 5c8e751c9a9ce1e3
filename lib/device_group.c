// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A device reached through its VFIO group. On type1 the group joins the
 * container with the group's first attached device, the first group sets
 * the container's IOMMU (VFIO_TYPE1v2_IOMMU), and the device fd comes from
 * the group (VFIO_GROUP_GET_DEVICE_FD). On iommufd (compat) the group joins
 * the iommufd itself, and VFIO binds each device when its fd is made and
 * attaches it to an automatic HWPT of the iommufd's compat IOAS, which the
 * library first sets (IOMMU_VFIO_IOAS) to the kernel IOAS it chose for the
 * device's class. Detaching closes the device fd; the group leaves with
 * its last attached device, and a container's IOMMU, with every mapping,
 * goes with its last group.
 */
#include <errno.h>
#include <string.h>

#include "ctx.h"
#include "device.h"
#include "ioas.h"
#include "kas.h"
#include "log.h"
#include "uapi/iommufd.h"
#include "uapi/vfio.h"
#include "vfio_group.h"

/* Type1: the group joins the container; the first sets its IOMMU. */
static int join_container(struct iofd_device *dev, struct iofd_kas *kas)
{
	struct iofd_vfio_group *g = dev->group;
	struct iofd_ctx *ctx = dev->ctx;
	int r = iofd_sys_ioctl(ctx, g->fd, IOFD_U_VFIO_GROUP_SET_CONTAINER, &kas->fd);

	if (r < 0) {
		iofd_err(ctx, "%s: VFIO_GROUP_SET_CONTAINER (group %d): %s", dev->name, g->id,
			 strerror(-r));
		return r;
	}
	if (!kas->live) {
		r = iofd_sys_ioctl(ctx, kas->fd, IOFD_U_VFIO_SET_IOMMU,
				   (void *)(uintptr_t)IOFD_U_VFIO_TYPE1v2_IOMMU);
		if (r < 0) {
			iofd_err(ctx, "%s: VFIO_SET_IOMMU(TYPE1v2): %s", dev->name, strerror(-r));
			iofd_sys_ioctl(ctx, g->fd, IOFD_U_VFIO_GROUP_UNSET_CONTAINER, NULL);
			return r;
		}
		kas->live = true;
	}
	kas->groups++;
	return 0;
}

/* On iommufd: the group joins the iommufd itself (VFIO's compat path). */
static int join_iommufd(struct iofd_device *dev, struct iofd_kas *kas)
{
	struct iofd_vfio_group *g = dev->group;
	int r = iofd_sys_ioctl(dev->ctx, g->fd, IOFD_U_VFIO_GROUP_SET_CONTAINER, &kas->fd);

	if (r < 0)
		iofd_err(dev->ctx, "%s: VFIO_GROUP_SET_CONTAINER (group %d, an iommufd): %s",
			 dev->name, g->id, strerror(-r));
	return r;
}

static int group_join(struct iofd_device *dev, struct iofd_kas *kas)
{
	struct iofd_vfio_group *g = dev->group;
	int r;

	if (g->kas)
		return g->kas == kas ? 0 : -EBUSY;
	r = kas->id ? join_iommufd(dev, kas) : join_container(dev, kas);
	if (r == 0)
		g->kas = kas;
	return r;
}

static void group_leave(struct iofd_device *dev)
{
	struct iofd_vfio_group *g = dev->group;
	struct iofd_kas *kas = g->kas;
	int r;

	if (g->attached)
		return;
	r = iofd_sys_ioctl(dev->ctx, g->fd, IOFD_U_VFIO_GROUP_UNSET_CONTAINER, NULL);
	if (r < 0)	/* only EBUSY with device fds open, which we closed */
		iofd_warn(dev->ctx, "group %d: VFIO_GROUP_UNSET_CONTAINER: %s", g->id,
			  strerror(-r));
	g->kas = NULL;
	if (!kas->id && --kas->groups == 0 && !kas->keeps_mappings)
		kas->live = false;	/* the kernel released the container's IOMMU */
}

/* On iommufd, VFIO attaches a group's device, when its fd is made, to the
 * iommufd's compat IOAS: make that the space chosen for it. */
static int aim_compat_ioas(struct iofd_device *dev, struct iofd_kas *kas)
{
	struct iofd_u_iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.ioas_id = kas->id,
		.op = IOFD_U_IOMMU_VFIO_IOAS_SET,
	};

	return iofd_sys_ioctl(dev->ctx, kas->fd, IOFD_U_IOMMU_VFIO_IOAS, &cmd);
}

static int group_attach(struct iofd_device *dev, struct iofd_ioas *ioas, struct iofd_domain *d)
{
	int r;

	/* On iommufd, aim first: a group joining an iommufd without a compat
	 * IOAS makes one (iommufd_vfio_compat_ioas_create()), which would
	 * then outlive us in the iommufd. */
	r = d->kas->id ? aim_compat_ioas(dev, d->kas) : 0;
	if (r == 0)
		r = group_join(dev, d->kas);
	if (r < 0) {
		if (!dev->group->attached && dev->group->kas)
			group_leave(dev);
		return r;
	}
	r = iofd_sys_ioctl(dev->ctx, dev->group->fd, IOFD_U_VFIO_GROUP_GET_DEVICE_FD, dev->name);
	if (r < 0) {
		iofd_err(dev->ctx, "%s: VFIO_GROUP_GET_DEVICE_FD: %s", dev->name, strerror(-r));
		group_leave(dev);
		return r;
	}
	dev->fd = r;
	dev->group->attached++;
	dev->attached = true;
	return 0;
}

static int group_detach(struct iofd_device *dev, struct iofd_ioas *ioas)
{
	iofd_sys_close(dev->ctx, dev->fd);
	dev->fd = -1;
	dev->attached = false;
	dev->group->attached--;
	group_leave(dev);
	return 0;
}

static void group_close(struct iofd_device *dev)
{
	if (!dev->group)
		return;
	if (dev->claimed)
		iofd_vfio_group_unclaim(dev->ctx, dev->group, dev->name);
	iofd_vfio_group_put(dev->ctx, dev->group);
	dev->group = NULL;
}

/* KVM asks VFIO about the group file: a native container answers for all
 * its domains; a group on an iommufd answers per device. */
static int group_kvm_coherent(const struct iofd_device *dev, const struct iofd_domain *d)
{
	if (d->kas->id || d->kas->keeps_mappings)
		return dev->info.cc;
	return iofd_sys_ioctl(dev->ctx, d->kas->fd, IOFD_U_VFIO_CHECK_EXTENSION,
			      (void *)(uintptr_t)IOFD_U_VFIO_DMA_CC_IOMMU);
}

const struct iofd_device_ops iofd_device_group_ops = {
	.kvm_coherent = group_kvm_coherent,
	.kind = "group",
	.kernel_domains = true,
	.attach = group_attach,
	.detach = group_detach,
	.close = group_close,
};
