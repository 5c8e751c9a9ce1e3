// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A device reached through its VFIO group (type1): the group joins the
 * IOAS's container with the group's first attached device, the first group
 * sets the container's IOMMU (VFIO_TYPE1v2_IOMMU), and the device fd comes
 * from the group (VFIO_GROUP_GET_DEVICE_FD). Detaching closes the device
 * fd; the group leaves with its last attached device, and the container's
 * IOMMU, with every mapping, goes with its last group.
 */
#include <errno.h>
#include <string.h>

#include "ctx.h"
#include "device.h"
#include "ioas.h"
#include "log.h"
#include "uapi/vfio.h"
#include "vfio_group.h"

static int group_join(struct iofd_device *dev, struct iofd_ioas *ioas)
{
	struct iofd_vfio_group *g = dev->group;
	struct iofd_ctx *ctx = dev->ctx;
	int r;

	if (g->ioas)
		return g->ioas == ioas ? 0 : -EBUSY;
	r = iofd_sys_ioctl(ctx, g->fd, IOFD_U_VFIO_GROUP_SET_CONTAINER, &ioas->kfd);
	if (r < 0) {
		iofd_err(ctx, "%s: VFIO_GROUP_SET_CONTAINER (group %d): %s", dev->name, g->id,
			 strerror(-r));
		return r;
	}
	if (!ioas->live) {
		r = iofd_sys_ioctl(ctx, ioas->kfd, IOFD_U_VFIO_SET_IOMMU,
				   (void *)(uintptr_t)IOFD_U_VFIO_TYPE1v2_IOMMU);
		if (r < 0) {
			iofd_err(ctx, "%s: VFIO_SET_IOMMU(TYPE1v2): %s", dev->name, strerror(-r));
			iofd_sys_ioctl(ctx, g->fd, IOFD_U_VFIO_GROUP_UNSET_CONTAINER, NULL);
			return r;
		}
		ioas->live = true;
	}
	ioas->groups++;
	g->ioas = ioas;
	return 0;
}

static void group_leave(struct iofd_device *dev)
{
	struct iofd_vfio_group *g = dev->group;
	struct iofd_ioas *ioas = g->ioas;
	int r;

	if (g->attached)
		return;
	r = iofd_sys_ioctl(dev->ctx, g->fd, IOFD_U_VFIO_GROUP_UNSET_CONTAINER, NULL);
	if (r < 0)	/* only EBUSY with device fds open, which we closed */
		iofd_warn(dev->ctx, "group %d: VFIO_GROUP_UNSET_CONTAINER: %s", g->id,
			  strerror(-r));
	g->ioas = NULL;
	if (--ioas->groups == 0)
		ioas->live = false;	/* the kernel released the IOMMU */
}

static int group_attach(struct iofd_device *dev, struct iofd_ioas *ioas, struct iofd_domain *d)
{
	int r;

	if (dev->attached)	/* a move between classes of one container: nothing to do */
		return 0;
	r = group_join(dev, ioas);
	if (r < 0)
		return r;
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

const struct iofd_device_ops iofd_device_group_ops = {
	.kind = "group",
	.attach = group_attach,
	.detach = group_detach,
	.close = group_close,
};
