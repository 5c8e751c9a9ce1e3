// SPDX-License-Identifier: LGPL-2.1-or-later
/* A VFIO device cdev bound to the context's iommufd (VFIO_DEVICE_*_IOMMUFD*). */
#include <errno.h>
#include <string.h>

#include "ctx.h"
#include "device.h"
#include "ioas.h"
#include "log.h"
#include "uapi/vfio.h"

int iofd_device_cdev_bind(struct iofd_device *dev, const char *syspath)
{
	struct iofd_u_vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	int fd = iofd_ctx_iommufd(dev->ctx), r;

	if (fd < 0)
		return fd;
	bind.iommufd = fd;
	r = iofd_sys_ioctl(dev->ctx, dev->fd, IOFD_U_VFIO_DEVICE_BIND_IOMMUFD, &bind);
	/* Our argument is well formed: EINVAL is VFIO refusing a second
	 * open of the device through a cdev (vfio_df_open()). Its group
	 * being open gives EBUSY already. One answer: in use. */
	if (r == -EINVAL)
		r = -EBUSY;
	if (r < 0) {
		iofd_err(dev->ctx, "%s: VFIO_DEVICE_BIND_IOMMUFD: %s", dev->name, strerror(-r));
		return r;
	}
	dev->dev_id = bind.out_devid;
	/* From here, closing the fd unbinds: device_free() does that on failure. */
	return iofd_hw_info_read(dev->ctx, fd, dev->dev_id, syspath, &dev->info);
}

static int cdev_attach(struct iofd_device *dev, struct iofd_ioas *ioas, struct iofd_domain *d)
{
	struct iofd_u_vfio_device_attach_iommufd_pt cmd = {
		.argsz = sizeof(cmd),
		.pt_id = d->kernel_id,
	};
	int r = iofd_sys_ioctl(dev->ctx, dev->fd, IOFD_U_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd);

	if (r == 0)
		dev->attached = true;
	return r;
}

static int cdev_detach(struct iofd_device *dev, struct iofd_ioas *ioas)
{
	struct iofd_u_vfio_device_detach_iommufd_pt cmd = { .argsz = sizeof(cmd) };
	int r = iofd_sys_ioctl(dev->ctx, dev->fd, IOFD_U_VFIO_DEVICE_DETACH_IOMMUFD_PT, &cmd);

	if (r == 0)
		dev->attached = false;
	return r;
}

const struct iofd_device_ops iofd_device_cdev_ops = {
	.kind = "cdev",
	.attach = cdev_attach,
	.detach = cdev_detach,
};
