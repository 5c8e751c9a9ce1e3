// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The iommufd backend: one kernel IOAS (IOMMU_IOAS_*) per library IOAS, and
 * one HWPT (IOMMU_HWPT_ALLOC) per domain, which the kernel fills with every
 * mapping of the IOAS and keeps filled; pages are pinned once per IOAS
 * however many HWPTs translate them.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "ctx.h"
#include "device.h"
#include "hot.h"
#include "ioas.h"
#include "log.h"
#include "sys_hot.h"
#include "sysfs.h"
#include "uapi/iommufd.h"

static int iommufd_kas_new(struct iofd_kas *kas)
{
	struct iofd_u_iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int fd = iofd_ctx_iommufd(kas->ioas->ctx), r;

	if (fd < 0)
		return fd;
	r = iofd_sys_ioctl(kas->ioas->ctx, fd, IOFD_U_IOMMU_IOAS_ALLOC, &cmd);
	if (r < 0)
		return r;
	kas->fd = fd;	/* the context's */
	kas->id = cmd.out_ioas_id;
	kas->live = true;
	return 0;
}

static int destroy(struct iofd_ctx *ctx, int fd, uint32_t id)
{
	struct iofd_u_iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return iofd_sys_ioctl(ctx, fd, IOFD_U_IOMMU_DESTROY, &cmd);
}

static int iommufd_kas_free(struct iofd_kas *kas)
{
	int r = destroy(kas->ioas->ctx, kas->fd, kas->id);

	if (r < 0)
		iofd_warn(kas->ioas->ctx, "IOMMU_DESTROY of IOAS %u: %s", kas->id, strerror(-r));
	return r;
}

static uint32_t map_flags(uint32_t prot)
{
	return IOFD_U_IOMMU_IOAS_MAP_FIXED_IOVA |
	       (prot & IOFD_MAP_READ ? IOFD_U_IOMMU_IOAS_MAP_READABLE : 0) |
	       (prot & IOFD_MAP_WRITE ? IOFD_U_IOMMU_IOAS_MAP_WRITEABLE : 0);
}

static int iommufd_copy(struct iofd_kas *dst, struct iofd_kas *src, uint64_t iova,
			uint64_t length, uint32_t prot)
{
	struct iofd_u_iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = map_flags(prot),
		.dst_ioas_id = dst->id,
		.src_ioas_id = src->id,
		.length = length,
		.dst_iova = iova,
		.src_iova = iova,
	};

	return iofd_sys_ioctl_hot(dst->ioas->ctx, dst->fd, IOFD_U_IOMMU_IOAS_COPY, &cmd);
}

IOFD_HOT
static int iommufd_map(struct iofd_kas *kas, uint64_t iova, uint64_t vaddr, uint64_t length,
		       uint32_t prot)
{
	struct iofd_u_iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = map_flags(prot),
		.ioas_id = kas->id,
		.user_va = vaddr,
		.length = length,
		.iova = iova,
	};

	return iofd_sys_ioctl_hot(kas->ioas->ctx, kas->fd, IOFD_U_IOMMU_IOAS_MAP, &cmd);
}

IOFD_HOT
static int unmap(struct iofd_kas *kas, uint64_t iova, uint64_t length)
{
	struct iofd_u_iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = kas->id,
		.iova = iova,
		.length = length,
	};

	return iofd_sys_ioctl_hot(kas->ioas->ctx, kas->fd, IOFD_U_IOMMU_IOAS_UNMAP, &cmd);
}

IOFD_HOT
static int iommufd_unmap(struct iofd_kas *kas, uint64_t iova, uint64_t length)
{
	return unmap(kas, iova, length);
}

static int iommufd_unmap_all(struct iofd_kas *kas)
{
	return unmap(kas, 0, UINT64_MAX);
}

/* IOMMU_IOAS_IOVA_RANGES, with its EMSGSIZE protocol. */
static int iommufd_iova_ranges(struct iofd_kas *kas, struct iofd_iova_range **ret,
			       size_t *n_ret, uint64_t *alignment)
{
	struct iofd_u_iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = kas->id,
	};
	struct iofd_u_iommu_iova_range *kr = NULL, *tmp;
	struct iofd_iova_range *r;
	uint32_t room = 4;
	int err;

	for (;;) {
		tmp = realloc(kr, room * sizeof(*kr));
		if (!tmp) {
			free(kr);
			return -ENOMEM;
		}
		kr = tmp;
		cmd.num_iovas = room;
		cmd.allowed_iovas = (uintptr_t)kr;
		err = iofd_sys_ioctl(kas->ioas->ctx, kas->fd, IOFD_U_IOMMU_IOAS_IOVA_RANGES, &cmd);
		if (err != -EMSGSIZE)
			break;
		if (cmd.num_iovas <= room) {	/* a kernel that changes its mind */
			err = -EPROTO;
			break;
		}
		room = cmd.num_iovas;
	}
	if (err < 0) {
		free(kr);
		return err;
	}
	r = calloc(cmd.num_iovas ? cmd.num_iovas : 1, sizeof(*r));
	if (!r) {
		free(kr);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < cmd.num_iovas; i++) {
		r[i].start = kr[i].start;
		r[i].last = kr[i].last;
	}
	free(kr);
	*ret = r;
	*n_ret = cmd.num_iovas;
	*alignment = cmd.out_iova_alignment;
	return 0;
}

static int iommufd_domain_new(struct iofd_kas *kas, struct iofd_device *dev,
			      struct iofd_domain *d, bool dirty)
{
	struct iofd_u_iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = dirty ? IOFD_U_IOMMU_HWPT_ALLOC_DIRTY_TRACKING : 0,
		.dev_id = dev->dev_id,
		.pt_id = kas->id,
	};
	int r = iofd_sys_ioctl(kas->ioas->ctx, kas->fd, IOFD_U_IOMMU_HWPT_ALLOC, &cmd);

	if (r < 0)
		return r;
	d->kernel_id = cmd.out_hwpt_id;
	return 0;
}

static int iommufd_domain_free(struct iofd_kas *kas, struct iofd_domain *d)
{
	int r = destroy(kas->ioas->ctx, kas->fd, d->kernel_id);

	if (r < 0)
		iofd_warn(kas->ioas->ctx, "IOMMU_DESTROY of HWPT %u: %s", d->kernel_id,
			  strerror(-r));
	return r;
}

const struct iofd_backend_ops iofd_backend_iommufd = {
	.name = "iommufd",
	.kas_new = iommufd_kas_new,
	.kas_free = iommufd_kas_free,
	.map = iommufd_map,
	.copy = iommufd_copy,
	.unmap = iommufd_unmap,
	.unmap_all = iommufd_unmap_all,
	.iova_ranges = iommufd_iova_ranges,
	.domain_new = iommufd_domain_new,
	.domain_free = iommufd_domain_free,
};

/* IOFD_BACKEND_AUTO, decided once per context: iommufd when /dev/iommu
 * opens and the kernel offers device cdevs, else type1. */
static enum iofd_backend auto_backend(struct iofd_ctx *ctx)
{
	char path[PATH_MAX];
	enum iofd_backend b;

	pthread_mutex_lock(&ctx->lock);
	b = ctx->auto_choice;
	pthread_mutex_unlock(&ctx->lock);
	if (b != IOFD_BACKEND_AUTO)
		return b;
	b = IOFD_BACKEND_TYPE1;
	if (iofd_path_fmt(path, sizeof(path), "%s/class/vfio-dev", ctx->sysfs_root) == 0 &&
	    iofd_sysfs_exists(path) && iofd_ctx_iommufd(ctx) >= 0)
		b = IOFD_BACKEND_IOMMUFD;
	iofd_info(ctx, "backend auto: %s (%s)", iofd_backend_name(b),
		  b == IOFD_BACKEND_IOMMUFD ? "/dev/iommu opens and the kernel offers VFIO device cdevs"
					    : "no iommufd with VFIO device cdevs here");
	pthread_mutex_lock(&ctx->lock);
	ctx->auto_choice = b;
	pthread_mutex_unlock(&ctx->lock);
	return b;
}

enum iofd_backend iofd_ctx_effective_backend(struct iofd_ctx *ctx)
{
	return ctx->backend == IOFD_BACKEND_AUTO ? auto_backend(ctx) : ctx->backend;
}

const struct iofd_backend_ops *iofd_backend_of(struct iofd_ctx *ctx, int *err)
{
	switch (iofd_ctx_effective_backend(ctx)) {
	case IOFD_BACKEND_AUTO:
	case IOFD_BACKEND_IOMMUFD:
		return &iofd_backend_iommufd;
	case IOFD_BACKEND_TYPE1:
		return &iofd_backend_type1;
	case IOFD_BACKEND_COMPAT:
		/* iommufd's IOASes, with the devices reached through their groups */
		return &iofd_backend_iommufd;
	}
	*err = -EINVAL;
	return NULL;
}
