// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Which backends the host offers, and why, in a sentence a person can act
 * on. The nodes are opened through the seam, asked what they are
 * (lib/backend_probe.c) and closed again.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backend_probe.h"
#include "ctx.h"
#include "host.h"
#include "log.h"
#include "sys.h"
#include "sysfs.h"

/* snprintf that may truncate: a reason is a sentence, not data. */
__attribute__((format(printf, 3, 4)))
static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

struct probe {
	bool iommufd;			/* /dev/iommu (or the ctx's fd) is iommufd */
	char iommufd_why[256];
	enum iofd_container_kind kind;	/* what /dev/vfio/vfio is */
	bool type1v2;			/* VFIO's container offers TYPE1v2 */
	char container_why[256];
	bool cdevs, groups;		/* /sys/class/vfio-dev, /sys/class/vfio */
};

static void open_error(char *buf, size_t len, const char *path, int err,
		       const char *missing)
{
	switch (err) {
	case ENOENT:
		say(buf, len, "%s: no such node (%s)", path, missing);
		break;
	case EACCES:
	case EPERM:
		say(buf, len, "%s: permission denied (needs root or access to the node)",
			 path);
		break;
	case ENODEV:
	case ENXIO:
		say(buf, len, "%s: no driver behind the node (%s)", path, missing);
		break;
	default:
		say(buf, len, "%s: cannot open: %s", path, strerror(err));
		break;
	}
}

static void probe_iommufd(struct iofd_ctx *ctx, struct probe *p)
{
	char path[PATH_MAX];
	int fd = ctx->iommu_fd, r;

	if (fd >= 0) {
		r = iofd_probe_iommufd(ctx, fd);
		p->iommufd = r == 0;
		say(p->iommufd_why, sizeof(p->iommufd_why), "the iommu fd given to the context %s",
			 r == 0 ? "answers as iommufd" : "does not answer as iommufd");
		return;
	}
	if (iofd_path_fmt(path, sizeof(path), "%s/iommu", ctx->dev_root) < 0) {
		say(p->iommufd_why, sizeof(p->iommufd_why), "dev_root is too long");
		return;
	}
	fd = iofd_sys_open(ctx, path, O_RDWR);
	if (fd < 0) {
		open_error(p->iommufd_why, sizeof(p->iommufd_why), path, -fd,
			   "the kernel has no iommufd: CONFIG_IOMMUFD off or the module not loaded");
		return;
	}
	r = iofd_probe_iommufd(ctx, fd);
	iofd_sys_close(ctx, fd);
	p->iommufd = r == 0;
	if (r == 0)
		say(p->iommufd_why, sizeof(p->iommufd_why), "%s answers as iommufd", path);
	else
		say(p->iommufd_why, sizeof(p->iommufd_why),
			 "%s opens but does not answer iommufd's ioctls (%s)", path, strerror(-r));
}

static void probe_container(struct iofd_ctx *ctx, struct probe *p)
{
	char path[PATH_MAX];
	const char *what = "the container fd given to the context";
	int fd = ctx->container_fd, r;
	bool ours = fd < 0;

	if (ours) {
		if (iofd_path_fmt(path, sizeof(path), "%s/vfio/vfio", ctx->dev_root) < 0) {
			say(p->container_why, sizeof(p->container_why), "dev_root is too long");
			return;
		}
		what = path;
		fd = iofd_sys_open(ctx, path, O_RDWR);
		if (fd < 0) {
			open_error(p->container_why, sizeof(p->container_why), path, -fd,
				   "no VFIO container: CONFIG_VFIO_CONTAINER and "
				   "CONFIG_IOMMUFD_VFIO_CONTAINER off, or vfio not loaded");
			return;
		}
	}
	r = iofd_probe_container(ctx, fd);
	if (r == IOFD_CONTAINER_VFIO) {
		int t = iofd_probe_type1v2(ctx, fd);

		p->kind = IOFD_CONTAINER_VFIO;
		p->type1v2 = t == 1;
		say(p->container_why, sizeof(p->container_why), "%s is %s", what,
			 p->type1v2 ? "VFIO's own container with the type1v2 IOMMU driver"
				    : "VFIO's own container but offers no TYPE1v2 IOMMU "
				      "(vfio_iommu_type1 not loaded)");
	} else if (r == IOFD_CONTAINER_IOMMUFD) {
		p->kind = IOFD_CONTAINER_IOMMUFD;
		say(p->container_why, sizeof(p->container_why),
			 "%s is served by iommufd (CONFIG_IOMMUFD_VFIO_CONTAINER), "
			 "not by VFIO's own type1 container", what);
	} else {
		say(p->container_why, sizeof(p->container_why),
			 "%s does not answer as a VFIO container (%s)", what, strerror(-r));
	}
	if (ours)
		iofd_sys_close(ctx, fd);
}

#define SAY(host, b, ...) say((host)->reason[b], IOFD_REASON_MAX, __VA_ARGS__)

static void decide(struct iofd_host *host, const struct probe *p)
{
	static const char no_iommu[] =
		"this host has no IOMMU (/sys/class/iommu lists none), so VFIO cannot "
		"isolate devices: enable VT-d or AMD-Vi in the firmware and the kernel "
		"(intel_iommu=on), or give the VM a virtual IOMMU";

	if (!p->iommufd)
		SAY(host, IOFD_BACKEND_IOMMUFD, "%s", p->iommufd_why);
	else if (!p->cdevs)
		SAY(host, IOFD_BACKEND_IOMMUFD, "%s, but the kernel offers no VFIO device cdevs "
		    "(no /sys/class/vfio-dev: CONFIG_VFIO_DEVICE_CDEV off or vfio not loaded)",
		    p->iommufd_why);
	else
		SAY(host, IOFD_BACKEND_IOMMUFD, "%s and the kernel offers VFIO device cdevs",
		    p->iommufd_why);
	host->available[IOFD_BACKEND_IOMMUFD] = p->iommufd && p->cdevs;

	SAY(host, IOFD_BACKEND_TYPE1, "%s", p->container_why);
	host->available[IOFD_BACKEND_TYPE1] = p->kind == IOFD_CONTAINER_VFIO && p->type1v2;

	if (p->iommufd && p->groups)
		SAY(host, IOFD_BACKEND_COMPAT, "%s and the kernel offers VFIO groups",
		    p->iommufd_why);
	else if (p->kind == IOFD_CONTAINER_IOMMUFD)
		SAY(host, IOFD_BACKEND_COMPAT, "%s", p->container_why);
	else if (p->iommufd)
		SAY(host, IOFD_BACKEND_COMPAT, "%s, but the kernel offers no VFIO groups "
		    "(no /sys/class/vfio: CONFIG_VFIO_GROUP off or vfio not loaded)",
		    p->iommufd_why);
	else
		SAY(host, IOFD_BACKEND_COMPAT, "no iommufd to serve VFIO groups: %s; %s",
		    p->iommufd_why, p->container_why);
	host->available[IOFD_BACKEND_COMPAT] = (p->iommufd && p->groups) ||
					       p->kind == IOFD_CONTAINER_IOMMUFD;

	if (host->n_iommus == 0) {
		for (int b = IOFD_BACKEND_IOMMUFD; b <= IOFD_BACKEND_COMPAT; b++) {
			host->available[b] = false;
			SAY(host, b, "no IOMMU on this host");
		}
	}

	host->auto_backend = -ENODEV;
	static const enum iofd_backend order[] = {
		IOFD_BACKEND_IOMMUFD, IOFD_BACKEND_TYPE1, IOFD_BACKEND_COMPAT,
	};
	for (size_t i = 0; i < 3; i++) {
		if (host->available[order[i]]) {
			host->auto_backend = order[i];
			SAY(host, IOFD_BACKEND_AUTO, "auto uses %s: %s",
			    iofd_backend_name(order[i]), host->reason[order[i]]);
			return;
		}
	}
	if (host->n_iommus == 0)
		SAY(host, IOFD_BACKEND_AUTO, "no IOMMU backend: %s", no_iommu);
	else
		SAY(host, IOFD_BACKEND_AUTO, "no IOMMU backend: iommufd: %s; type1: %s; compat: %s",
		    host->reason[IOFD_BACKEND_IOMMUFD], host->reason[IOFD_BACKEND_TYPE1],
		    host->reason[IOFD_BACKEND_COMPAT]);
}

int iofd_host_probe_backends(struct iofd_ctx *ctx, struct iofd_host *host)
{
	struct probe p = { .kind = IOFD_CONTAINER_NONE };

	probe_iommufd(ctx, &p);
	probe_container(ctx, &p);
	p.cdevs = iofd_ctx_sysfs_has(ctx, "class/vfio-dev");
	p.groups = iofd_ctx_sysfs_has(ctx, "class/vfio");
	host->container_kind = p.kind;
	decide(host, &p);
	for (int b = IOFD_BACKEND_AUTO; b <= IOFD_BACKEND_COMPAT; b++)
		iofd_dbg(ctx, "backend %s: %s: %s", iofd_backend_name(b),
			 b == IOFD_BACKEND_AUTO ? (host->auto_backend >= 0 ? "yes" : "no")
						: (host->available[b] ? "yes" : "no"),
			 host->reason[b]);
	return 0;
}

static bool is_backend(int b)
{
	return b >= IOFD_BACKEND_AUTO && b <= IOFD_BACKEND_COMPAT;
}

int iofd_host_backend_available(const struct iofd_host *host, enum iofd_backend backend)
{
	if (!host || !is_backend(backend) || backend == IOFD_BACKEND_AUTO)
		return -EINVAL;
	return host->available[backend];
}

int iofd_host_auto_backend(const struct iofd_host *host)
{
	return host ? host->auto_backend : -EINVAL;
}

const char *iofd_host_backend_reason(const struct iofd_host *host, enum iofd_backend backend)
{
	if (!host || !is_backend(backend))
		return NULL;
	return host->reason[backend];
}

int iofd_host_container_kind(const struct iofd_host *host)
{
	return host ? (int)host->container_kind : -EINVAL;
}
