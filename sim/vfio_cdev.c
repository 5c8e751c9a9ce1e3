// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VFIO device cdevs, /dev/vfio/devices/vfioN (drivers/vfio/device_cdev.c,
 * vfio_main.c, vfio/iommufd.c) of the simulated host's vfio-pci devices:
 * VFIO_DEVICE_BIND_IOMMUFD (once per device: a second fd's bind is EINVAL),
 * ATTACH_IOMMUFD_PT (attached already: a replace), DETACH_IOMMUFD_PT; the
 * rest (vfio-pci's ioctls, region access, mmap) goes to vfio_pci.c. Closing
 * the fd closes the device (its interrupts off) and unbinds it.
 * Nothing but BIND works before the bind (EINVAL).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "device.h"
#include "kversion.h"
#include "vfio_pci.h"
#include "uapi/vfio.h"

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* The dynamic major a 6.12 boot gives "vfio-dev" (as the sysfs view says). */
#define VFIO_DEV_MAJOR 511

/* An open cdev (vfio_device_file). */
struct vfio_df {
	struct sim_dev *dev;
	struct sim_ictx *ictx;	/* bound to: a reference on its file */
	struct sim_file *group;	/* opened through its group: a reference on the group's file */
	bool access_granted;
};

/* ------------------------------------------------------------------------
 * Bind, attach, detach
 */

/* iommufd_ctx_from_fd(): EBADF when not open, EBADFD when not iommufd. */
static int ictx_from_fd(struct iofd_sim *sim, int fd, struct sim_ictx **ret)
{
	struct sim_ictx *ictx = sim_fd_ictx(sim, fd);

	if (ictx) {
		*ret = ictx;
		return 0;
	}
	if (sim_fd_file(sim, fd))
		return -EBADFD;
	/* Another fd of the process: ask only whether it is open. */
	return fcntl(fd, F_GETFD) < 0 ? -EBADF : -EBADFD;
}

static int df_bind(struct sim_file *f, uint64_t arg)
{
	struct vfio_df *df = f->priv;
	struct iofd_sim *sim = f->sim;
	struct iofd_u_vfio_device_bind_iommufd bind;
	const size_t minsz = offsetofend(struct iofd_u_vfio_device_bind_iommufd, out_devid);
	struct sim_ictx *ictx;
	struct sim_idev *idev;
	uint32_t devid;
	int r;

	if (sim_copy_from_user(sim, &bind, arg, minsz))
		return -EFAULT;
	if (bind.argsz < minsz || bind.flags || bind.iommufd < 0)
		return -EINVAL;
	if (df->group)
		return -EINVAL;
	/* vfio_device_block_group(): not while the group is open */
	if (df->dev->group && df->dev->group->vfio_file)
		return -EBUSY;
	/* One bind per open device fd. */
	if (df->access_granted)
		return -EINVAL;
	r = ictx_from_fd(sim, bind.iommufd, &ictx);
	if (r < 0)
		return r;
	sim_file_get(ictx->file);
	/* vfio_df_open(): the cdev path opens a device once. */
	if (df->dev->open_count) {
		r = -EINVAL;
		goto out_put;
	}
	r = sim_idev_bind(ictx, df->dev, &idev);
	if (r < 0)
		goto out_put;
	df->dev->open_count = 1;
	devid = idev->obj.id;
	if (sim_copy_to_user(sim, arg + offsetof(struct iofd_u_vfio_device_bind_iommufd, out_devid),
			     &devid, sizeof(devid))) {
		df->dev->open_count = 0;
		sim_idev_unbind(idev);
		r = -EFAULT;
		goto out_put;
	}
	df->ictx = ictx;
	df->access_granted = true;
	if (df->dev->group)
		df->dev->group->cdev_open_cnt++;	/* the group stays blocked */
	return 0;
out_put:
	sim_file_put(ictx->file);
	return r;
}

static void df_detach(struct vfio_df *df)
{
	if (!df->dev->attached)
		return;
	sim_idev_detach(df->dev->idev);
	df->dev->attached = false;
}

static int df_attach(struct sim_file *f, uint64_t arg)
{
	struct vfio_df *df = f->priv;
	struct sim_dev *dev = df->dev;
	struct iofd_u_vfio_device_attach_iommufd_pt at;
	const size_t minsz = offsetofend(struct iofd_u_vfio_device_attach_iommufd_pt, pt_id);
	int r;

	if (sim_copy_from_user(f->sim, &at, arg, minsz))
		return -EFAULT;
	if (at.argsz < minsz || at.flags)
		return -EINVAL;
	/* vfio_iommufd_physical_attach_ioas() */
	r = dev->attached ? sim_idev_replace(dev->idev, &at.pt_id)
			  : sim_idev_attach(dev->idev, &at.pt_id);
	if (r < 0)
		return r;
	dev->attached = true;
	if (sim_copy_to_user(f->sim, arg + offsetof(struct iofd_u_vfio_device_attach_iommufd_pt,
						    pt_id), &at.pt_id, sizeof(at.pt_id))) {
		/* The kernel detaches, even when this was a replace. */
		df_detach(df);
		return -EFAULT;
	}
	return 0;
}

static int df_detach_ioctl(struct sim_file *f, uint64_t arg)
{
	struct iofd_u_vfio_device_detach_iommufd_pt d;
	const size_t minsz = offsetofend(struct iofd_u_vfio_device_detach_iommufd_pt, flags);

	if (sim_copy_from_user(f->sim, &d, arg, minsz))
		return -EFAULT;
	if (d.argsz < minsz || d.flags)
		return -EINVAL;
	df_detach(f->priv);
	return 0;
}

/* ------------------------------------------------------------------------
 * The file
 */

static int df_ioctl(struct sim_file *f, unsigned int cmd, uint64_t arg)
{
	struct vfio_df *df = f->priv;

	/* (Before 6.6 there is no such ioctl: vfio-pci's ENOTTY.) */
	if (cmd == IOFD_U_VFIO_DEVICE_BIND_IOMMUFD && sim_kernel_has(f->sim, cmd))
		return df_bind(f, arg);
	if (!df->access_granted)
		return -EINVAL;
	switch (cmd) {
	case IOFD_U_VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		/* the group path's device: vfio-pci does not know it */
		return df->group ? -ENOTTY : df_attach(f, arg);
	case IOFD_U_VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return df->group ? -ENOTTY : df_detach_ioctl(f, arg);
	default:
		return sim_vpci_ioctl(f->sim, df->dev, cmd, arg);
	}
}

/* read/write at the file position: only positioned access is modelled. */
static ssize_t df_rw(struct sim_file *f, uint64_t buf, size_t len)
{
	return -EINVAL;
}

/* Region access; before the bind the kernel says EINVAL. */
static ssize_t df_pread(struct sim_file *f, uint64_t buf, size_t len, uint64_t pos)
{
	struct vfio_df *df = f->priv;

	return df->access_granted ? sim_vpci_rw(f->sim, df->dev, buf, len, pos, false) : -EINVAL;
}

static ssize_t df_pwrite(struct sim_file *f, uint64_t buf, size_t len, uint64_t pos)
{
	struct vfio_df *df = f->priv;

	return df->access_granted ? sim_vpci_rw(f->sim, df->dev, buf, len, pos, true) : -EINVAL;
}

static int df_mmap(struct sim_file *f, void **ret, size_t len, int prot, int flags, uint64_t pos)
{
	struct vfio_df *df = f->priv;

	if (!df->access_granted)
		return -EINVAL;
	return sim_vpci_mmap(f->sim, df->dev, ret, len, prot, flags, pos);
}

static void group_df_unbind(struct sim_dev *dev);

static void df_release(struct sim_file *f)
{
	struct vfio_df *df = f->priv;

	if (df->group) {
		/* vfio_df_group_close(): the last close unbinds from iommufd */
		if (--df->dev->open_count == 0) {
			sim_vpci_close(f->sim, df->dev);
			if (df->dev->idev)
				group_df_unbind(df->dev);
		}
		sim_vfio_group_device_closed(df->group);
	} else if (df->access_granted) {
		/* vfio_df_unbind_iommufd(): the device closed, detach, unbind,
		 * drop the iommufd */
		sim_vpci_close(f->sim, df->dev);
		df_detach(df);
		df->dev->open_count = 0;
		sim_idev_unbind(df->dev->idev);
		sim_file_put(df->ictx->file);
		if (df->dev->group)
			df->dev->group->cdev_open_cnt--;
	}
	free(df);
}

static const struct sim_file_ops vfio_cdev_fops = {
	.name = "/dev/vfio/devices/vfio",
	.mode = S_IFCHR | 0600,
	.major = VFIO_DEV_MAJOR,
	.ioctl = df_ioctl,
	.read = df_rw,
	.write = df_rw,
	.pread = df_pread,
	.pwrite = df_pwrite,
	.mmap = df_mmap,
	.release = df_release,
};

/* The group path's device file ("[vfio-device]"): open at once. */
static const struct sim_file_ops vfio_group_device_fops = {
	.name = "[vfio-device]",
	.mode = 0600,		/* an anon inode: no file type bits */
	.ioctl = df_ioctl,
	.read = df_rw,
	.write = df_rw,
	.pread = df_pread,
	.pwrite = df_pwrite,
	.mmap = df_mmap,
	.release = df_release,
};

/* vfio_df_iommufd_bind() and vfio_iommufd_compat_attach_ioas() */
static int group_df_bind(struct sim_ictx *ictx, struct sim_dev *dev)
{
	struct sim_idev *idev;
	uint32_t pt;
	int r;

	r = sim_idev_bind(ictx, dev, &idev);
	if (r < 0)
		return r;
	if (!ictx->vfio_ioas) {
		r = -ENODEV;
		goto out_unbind;
	}
	pt = ictx->vfio_ioas->obj.id;
	r = sim_idev_attach(idev, &pt);
	if (r < 0)
		goto out_unbind;
	dev->attached = true;
	sim_file_get(ictx->file);
	return 0;
out_unbind:
	sim_idev_unbind(idev);
	return r;
}

static void group_df_unbind(struct sim_dev *dev)
{
	struct sim_ictx *ictx = dev->idev->ictx;

	if (dev->attached) {
		sim_idev_detach(dev->idev);
		dev->attached = false;
	}
	sim_idev_unbind(dev->idev);
	sim_file_put(ictx->file);
}

int sim_vfio_group_device_open(struct iofd_sim *sim, struct sim_dev *dev, struct sim_file *group,
			       struct sim_ictx *ictx)
{
	struct vfio_df *df = sim_zalloc(sim, sizeof(*df));
	int fd, r;

	if (!df)
		return -ENOMEM;
	df->dev = dev;
	df->group = group;
	df->access_granted = true;
	if (ictx && !dev->open_count) {
		r = group_df_bind(ictx, dev);
		if (r < 0) {
			free(df);
			return r;
		}
	}
	fd = sim_file_install(sim, &vfio_group_device_fops, df, 0, NULL);
	if (fd < 0) {
		if (ictx && !dev->open_count)
			group_df_unbind(dev);
		free(df);
		return fd;
	}
	dev->open_count++;
	sim_file_get(group);
	return fd;
}

int sim_vfio_cdev_open(struct iofd_sim *sim, unsigned int n)
{
	struct sim_dev *dev = sim_topo_find_cdev(sim, n);
	struct vfio_df *df;
	int fd;

	if (!dev || !sim_kernel_has(sim, SIM_KF_VFIO_CDEV))
		return -ENOENT;
	df = sim_zalloc(sim, sizeof(*df));
	if (!df)
		return -ENOMEM;
	df->dev = dev;
	fd = sim_file_install(sim, &vfio_cdev_fops, df, n, NULL);
	if (fd < 0)
		free(df);
	return fd;
}
