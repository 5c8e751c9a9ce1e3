// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Opening devices: finding a device's VFIO cdev by PCI address, sysfs path,
 * cdev path or a pre-opened fd, binding it, and its facts.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "backend.h"
#include "ctx.h"
#include "device.h"
#include "host.h"
#include "log.h"
#include "opts.h"
#include "sysfs.h"
#include "vfio_group.h"

#define DEVICE_OPTS_SZ_V1 iofd_offsetofend(struct iofd_device_opts, fd)

static struct iofd_device *device_alloc(struct iofd_ctx *ctx, const struct iofd_device_ops *ops)
{
	struct iofd_device *dev = calloc(1, sizeof(*dev));

	if (!dev)
		return NULL;
	dev->ctx = ctx;
	dev->ops = ops;
	dev->fd = -1;
	return dev;
}

/* The context's list of open devices (for iofd_host_unbind_vfio(): the
 * kernel's unbind would wait for them). */
static void list_device(struct iofd_device *dev)
{
	pthread_mutex_lock(&dev->ctx->lock);
	dev->next = dev->ctx->devices;
	dev->ctx->devices = dev;
	dev->listed = true;
	pthread_mutex_unlock(&dev->ctx->lock);
}

static void unlist_device(struct iofd_device *dev)
{
	pthread_mutex_lock(&dev->ctx->lock);
	for (struct iofd_device **p = &dev->ctx->devices; *p; p = &(*p)->next)
		if (*p == dev) {
			*p = dev->next;
			break;
		}
	pthread_mutex_unlock(&dev->ctx->lock);
}

bool iofd_ctx_has_device(struct iofd_ctx *ctx, const char *name)
{
	bool found = false;

	pthread_mutex_lock(&ctx->lock);
	for (const struct iofd_device *d = ctx->devices; d && !found; d = d->next)
		found = d->name && !strcmp(d->name, name);
	pthread_mutex_unlock(&ctx->lock);
	return found;
}

static void device_free(struct iofd_device *dev)
{
	if (dev->listed)
		unlist_device(dev);
	if (dev->ops && dev->ops->close)
		dev->ops->close(dev);
	if (dev->fd >= 0)
		iofd_sys_close(dev->ctx, dev->fd);
	free(dev->resv);
	free(dev->name);
	free(dev);
}

/* The reserved regions of the device's IOMMU group, from sysfs. */
static int load_reserved(struct iofd_device *dev, const char *syspath)
{
	char path[PATH_MAX], name[32];
	uint64_t id;

	if (!syspath || iofd_path_fmt(path, sizeof(path), "%s/iommu_group", syspath) < 0 ||
	    iofd_sysfs_link_name(path, name, sizeof(name)) < 0 ||
	    iofd_parse_u64(name, 10, INT32_MAX, &id) < 0)
		return 0;	/* no group that sysfs shows: nothing known to avoid */
	return iofd_group_reserved_regions(dev->ctx, (int)id, &dev->resv, &dev->n_resv);
}

/* "vfioN" for the cdev with device number @rdev, from class/vfio-dev. */
static int cdev_name_of_rdev(struct iofd_ctx *ctx, dev_t rdev, char *buf, size_t len)
{
	char path[PATH_MAX], want[32], have[32], **names = NULL;
	size_t n = 0;
	int r;

	snprintf(want, sizeof(want), "%u:%u", major(rdev), minor(rdev));
	r = iofd_path_fmt(path, sizeof(path), "%s/class/vfio-dev", ctx->sysfs_root);
	if (r == 0)
		r = iofd_sysfs_list(path, &names, &n);
	if (r < 0)
		return r;
	r = -ENODEV;
	for (size_t i = 0; i < n && r < 0; i++) {
		if (iofd_path_fmt(path, sizeof(path), "%s/class/vfio-dev/%s/dev",
				  ctx->sysfs_root, names[i]) < 0 ||
		    iofd_sysfs_read(path, have, sizeof(have)) < 0 || strcmp(have, want))
			continue;
		r = snprintf(buf, len, "%s", names[i]) < (int)len ? 0 : -ENAMETOOLONG;
	}
	iofd_strv_free(names, n);
	return r;
}

/* The PCI device behind cdev "vfioN": its sysfs directory and name. */
static int cdev_device(struct iofd_ctx *ctx, const char *cdev, char *syspath, size_t len,
		       char **name)
{
	char path[PATH_MAX], real[PATH_MAX];
	const char *base;

	if (iofd_path_fmt(path, sizeof(path), "%s/class/vfio-dev/%s/device", ctx->sysfs_root,
			  cdev) < 0 || !realpath(path, real))
		return -ENODEV;
	if (snprintf(syspath, len, "%s", real) >= (int)len)
		return -ENAMETOOLONG;
	base = strrchr(real, '/');
	*name = strdup(base ? base + 1 : real);
	return *name ? 0 : -ENOMEM;
}

/* @name is a cdev path: DEV/vfio/devices/vfioN (or /dev/... itself). */
static const char *cdev_basename(struct iofd_ctx *ctx, const char *name)
{
	static const char dir[] = "/vfio/devices/";
	size_t n = strlen(ctx->dev_root);

	if (!strncmp(name, ctx->dev_root, n) && !strncmp(name + n, dir, sizeof(dir) - 1))
		return name + n + sizeof(dir) - 1;
	if (!strncmp(name, "/dev", 4) && !strncmp(name + 4, dir, sizeof(dir) - 1))
		return name + 4 + sizeof(dir) - 1;
	return NULL;
}

/* Say why a device VFIO does not have cannot be opened. */
static void not_on_vfio(struct iofd_ctx *ctx, const struct iofd_hostdev *hd)
{
	iofd_err(ctx, "%s is %s%s, not vfio-pci: iofd_host_bind_vfio() (iofdctl bind) hands it over",
		 hd->name, hd->driver ? "bound to " : "bound to no driver",
		 hd->driver ? hd->driver : "");
}

/* A PCI address or sysfs path, through a host scan: the cdev to open. */
static int lookup_host(struct iofd_device *dev, const char *name, char *cdev, size_t cdev_len,
		       char *syspath, size_t sys_len)
{
	const struct iofd_hostdev *hd;
	struct iofd_host *host;
	int r = iofd_host_scan(&host, dev->ctx);

	if (r < 0)
		return r;
	r = iofd_host_find_dev(host, name, &hd);
	if (r == 0 && !hd->cdev) {
		if (!hd->driver || strcmp(hd->driver, "vfio-pci"))
			not_on_vfio(dev->ctx, hd);
		else
			iofd_err(dev->ctx, "%s has no VFIO cdev (a kernel without "
				 "CONFIG_VFIO_DEVICE_CDEV?)", hd->name);
		r = -ENODEV;
	}
	if (r == 0 && (snprintf(cdev, cdev_len, "%s", hd->cdev) >= (int)cdev_len ||
		       snprintf(syspath, sys_len, "%s", hd->syspath) >= (int)sys_len))
		r = -ENAMETOOLONG;
	if (r == 0) {
		dev->name = strdup(hd->name);
		r = dev->name ? 0 : -ENOMEM;
	}
	iofd_host_free(host);
	return r;
}

/* Find and open (or adopt) the cdev; fill dev->fd, dev->name, @syspath. */
static int open_cdev(struct iofd_device *dev, const char *name,
		     const struct iofd_device_opts *o, char *syspath, size_t len)
{
	struct iofd_ctx *ctx = dev->ctx;
	char cdev[PATH_MAX], vfio[64];
	const char *base = NULL;
	struct stat st;
	int r;

	if (o->flags & IOFD_DEVICE_FD) {
		r = iofd_sys_fstat(ctx, o->fd, &st);
		if (r < 0)
			return r;
		if (!S_ISCHR(st.st_mode) || cdev_name_of_rdev(ctx, st.st_rdev, vfio, sizeof(vfio)))
			return -ENOTTY;
		r = iofd_sys_dup(ctx, o->fd);
		if (r < 0)
			return r;
		dev->fd = r;
		base = vfio;
	} else if ((base = cdev_basename(ctx, name))) {
		if (snprintf(cdev, sizeof(cdev), "%s/vfio/devices/%s", ctx->dev_root, base) >=
		    (int)sizeof(cdev))
			return -ENAMETOOLONG;
	} else {
		r = lookup_host(dev, name, cdev, sizeof(cdev), syspath, len);
		if (r < 0)
			return r;
	}
	if (base) {
		r = cdev_device(ctx, base, syspath, len, &dev->name);
		if (r == -ENODEV && !(o->flags & IOFD_DEVICE_FD))
			r = -ENOENT;
		if (r == -ENODEV) {	/* an fd whose PCI device sysfs does not show */
			syspath[0] = '\0';
			dev->name = strdup(name ? name : base);
			r = dev->name ? 0 : -ENOMEM;
		}
		if (r < 0)
			return r;
	}
	if (dev->fd < 0) {
		r = iofd_sys_open(ctx, cdev, O_RDWR);
		if (r < 0) {
			iofd_err(ctx, "cannot open %s: %s", cdev, strerror(-r));
			return r;
		}
		dev->fd = r;
	}
	return 0;
}

/* Type1: the device by PCI address, sysfs path or cdev path, through its
 * VFIO group (opened once per context); its IOMMU facts from sysfs. */
static int open_group_device(struct iofd_device *dev, const char *name, int given,
			     char *syspath, size_t len)
{
	struct iofd_ctx *ctx = dev->ctx;
	const struct iofd_hostdev *hd;
	struct iofd_host *host;
	const char *base = cdev_basename(ctx, name);
	char *pci = NULL;
	int r;

	if (base) {	/* a cdev path: the PCI device behind it */
		r = cdev_device(ctx, base, syspath, len, &pci);
		free(pci);
		if (r < 0)
			return r == -ENODEV ? -ENOENT : r;
		name = syspath;
	}
	r = iofd_host_scan(&host, ctx);
	if (r < 0)
		return r;
	r = iofd_host_find_dev(host, name, &hd);
	if (r == 0 && !hd->group) {
		iofd_err(ctx, "%s is in no IOMMU group", hd->name);
		r = -ENODEV;
	}
	if (r == 0 && (!hd->driver || strcmp(hd->driver, "vfio-pci"))) {
		not_on_vfio(ctx, hd);
		r = -ENODEV;
	}
	if (r == 0 && snprintf(syspath, len, "%s", hd->syspath) >= (int)len)
		r = -ENAMETOOLONG;
	if (r == 0)
		r = iofd_vfio_group_get(ctx, hd->group, given, &dev->group);
	if (r == 0) {
		dev->name = strdup(hd->name);
		r = dev->name ? iofd_vfio_group_claim(ctx, dev->group, dev->name) : -ENOMEM;
		if (r == -EBUSY)
			iofd_err(ctx, "%s is open already", dev->name);
		dev->claimed = r == 0;
		iofd_devinfo_from_host(hd->iommu, &dev->info);
	}
	iofd_host_free(host);
	return r;
}

int iofd_device_open(struct iofd_device **ret, struct iofd_ctx *ctx, const char *name,
		     const struct iofd_device_opts *opts)
{
	IOFD_OPTS(iofd_device_opts, o);
	const struct iofd_backend_ops *be;
	char syspath[PATH_MAX] = "";
	struct iofd_device *dev;
	bool by_group;
	int r;

	if (!ret || !ctx)
		return -EINVAL;
	r = iofd_opts_check(opts, DEVICE_OPTS_SZ_V1, sizeof(o));
	if (r < 0)
		return r;
	iofd_opts_copy(&o, sizeof(o), opts);
	if ((o.flags & ~(IOFD_DEVICE_FD | IOFD_DEVICE_CDEV)) || (!name && !(o.flags & IOFD_DEVICE_FD)) ||
	    ((o.flags & IOFD_DEVICE_FD) && o.fd < 0) || (name && !*name))
		return -EINVAL;
	be = iofd_backend_of(ctx, &r);
	if (!be)
		return r;
	/* Through the group on type1 and compat, unless asked for the cdev. */
	by_group = be == &iofd_backend_type1 ||
		   (iofd_ctx_effective_backend(ctx) == IOFD_BACKEND_COMPAT &&
		    !(o.flags & IOFD_DEVICE_CDEV));
	if (by_group && (o.flags & IOFD_DEVICE_FD) && !name)
		return -EINVAL;	/* a group fd: which of its devices? */
	if (be == &iofd_backend_type1 && (o.flags & IOFD_DEVICE_CDEV))
		return -EINVAL;

	dev = device_alloc(ctx, by_group ? &iofd_device_group_ops : &iofd_device_cdev_ops);
	if (!dev)
		return -ENOMEM;
	if (by_group) {
		r = open_group_device(dev, name, o.flags & IOFD_DEVICE_FD ? o.fd : -1, syspath,
				      sizeof(syspath));
	} else {
		r = open_cdev(dev, name, &o, syspath, sizeof(syspath));
		if (r == 0)
			r = iofd_device_cdev_bind(dev, syspath[0] ? syspath : NULL);
		/* AUTO: a device without a cdev (a kernel without
		 * CONFIG_VFIO_DEVICE_CDEV) joins through its group instead,
		 * as compat does: the same IOAS, the same iommufd. */
		if (r == -ENODEV && ctx->backend == IOFD_BACKEND_AUTO &&
		    !(o.flags & (IOFD_DEVICE_FD | IOFD_DEVICE_CDEV))) {
			device_free(dev);
			dev = device_alloc(ctx, &iofd_device_group_ops);
			if (!dev)
				return -ENOMEM;
			syspath[0] = '\0';
			r = open_group_device(dev, name, -1, syspath, sizeof(syspath));
			if (r == 0)
				iofd_info(ctx, "%s: no VFIO cdev: through its VFIO group", dev->name);
		}
	}
	if (r == 0)
		r = load_reserved(dev, syspath[0] ? syspath : NULL);
	if (r < 0) {
		device_free(dev);
		return r;
	}
	iofd_dbg(ctx, "%s: bound as device %u; IOMMU %s (%s), %s, %s dirty tracking", dev->name,
		 dev->dev_id, dev->info.iommu[0] ? dev->info.iommu : "unknown",
		 iofd_iommu_type_name(dev->info.type), dev->info.cc_why,
		 dev->info.dirty ? "with" : "without");
	list_device(dev);
	*ret = dev;
	return 0;
}

int iofd_device_open_selftest(struct iofd_device **ret, struct iofd_ctx *ctx, uint32_t flags)
{
	struct iofd_device *dev;
	char name[32];
	int r;

	if (!ret || !ctx || (flags & ~IOFD_SELFTEST_NO_DIRTY))
		return -EINVAL;
	if (!iofd_backend_of(ctx, &r))
		return r;
	r = iofd_ctx_iommufd(ctx);
	if (r < 0)
		return r;
	dev = device_alloc(ctx, &iofd_device_selftest_ops);
	if (!dev)
		return -ENOMEM;
	snprintf(name, sizeof(name), "mock%u",
		 __atomic_fetch_add(&ctx->n_mock, 1, __ATOMIC_RELAXED));
	dev->name = strdup(name);
	if (!dev->name) {
		free(dev);
		return -ENOMEM;
	}
	dev->mock_flags = flags;
	/* What the selftest's mock IOMMU is; its hw info confirms it at attach. */
	dev->info.type = IOFD_IOMMU_SELFTEST;
	dev->info.cc = 0;
	dev->info.dirty = !(flags & IOFD_SELFTEST_NO_DIRTY);
	*ret = dev;
	return 0;
}

void iofd_device_close(struct iofd_device *dev)
{
	if (!dev)
		return;
	if (dev->ioas)
		iofd_device_detach_for_close(dev);
	device_free(dev);
}

const char *iofd_device_name(const struct iofd_device *dev)
{
	return dev ? dev->name : NULL;
}

int iofd_device_fd(const struct iofd_device *dev)
{
	if (!dev)
		return -EINVAL;
	return dev->fd >= 0 ? dev->fd : -ENODEV;
}

int iofd_device_iommu_type(const struct iofd_device *dev)
{
	return dev ? (int)dev->info.type : -EINVAL;
}

const char *iofd_device_iommu_name(const struct iofd_device *dev)
{
	return dev && dev->info.iommu[0] ? dev->info.iommu : NULL;
}

int iofd_device_enforces_coherency(const struct iofd_device *dev)
{
	return dev ? dev->info.cc : -EINVAL;
}

int iofd_device_dirty_tracking(const struct iofd_device *dev)
{
	return dev ? dev->info.dirty : -EINVAL;
}

int iofd_device_kvm_coherent(const struct iofd_device *dev)
{
	if (!dev || !dev->domain)
		return -EINVAL;
	return dev->ops->kvm_coherent ? dev->ops->kvm_coherent(dev, dev->domain) : dev->info.cc;
}

struct iofd_ioas *iofd_device_ioas(const struct iofd_device *dev)
{
	return dev ? dev->ioas : NULL;
}

const struct iofd_domain *iofd_device_domain(const struct iofd_device *dev)
{
	return dev ? dev->domain : NULL;
}

const char *iofd_device_placement(const struct iofd_device *dev)
{
	return dev ? dev->placement : NULL;
}
