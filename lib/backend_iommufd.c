// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The iommufd backend: one kernel IOAS (IOMMU_IOAS_*) per library IOAS, and
 * one HWPT (IOMMU_HWPT_ALLOC) per domain, which the kernel fills with every
 * mapping of the IOAS and keeps filled; pages are pinned once per IOAS
 * however many HWPTs translate them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "ctx.h"
#include "device.h"
#include "ioas.h"
#include "log.h"
#include "uapi/iommufd.h"

static int iommufd_ioas_new(struct iofd_ioas *ioas)
{
	struct iofd_u_iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int fd = iofd_ctx_iommufd(ioas->ctx), r;

	if (fd < 0)
		return fd;
	r = iofd_sys_ioctl(ioas->ctx, fd, IOFD_U_IOMMU_IOAS_ALLOC, &cmd);
	if (r < 0)
		return r;
	ioas->kfd = fd;
	ioas->kernel_id = cmd.out_ioas_id;
	ioas->live = true;
	return 0;
}

static int destroy(struct iofd_ctx *ctx, int fd, uint32_t id)
{
	struct iofd_u_iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return iofd_sys_ioctl(ctx, fd, IOFD_U_IOMMU_DESTROY, &cmd);
}

static int iommufd_ioas_free(struct iofd_ioas *ioas)
{
	int r = destroy(ioas->ctx, ioas->kfd, ioas->kernel_id);

	if (r < 0)
		iofd_warn(ioas->ctx, "IOMMU_DESTROY of IOAS %u: %s", ioas->kernel_id,
			  strerror(-r));
	return r;
}

static int iommufd_map(struct iofd_ioas *ioas, uint64_t iova, uint64_t vaddr,
		       uint64_t length, uint32_t prot)
{
	struct iofd_u_iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOFD_U_IOMMU_IOAS_MAP_FIXED_IOVA |
			 (prot & IOFD_MAP_READ ? IOFD_U_IOMMU_IOAS_MAP_READABLE : 0) |
			 (prot & IOFD_MAP_WRITE ? IOFD_U_IOMMU_IOAS_MAP_WRITEABLE : 0),
		.ioas_id = ioas->kernel_id,
		.user_va = vaddr,
		.length = length,
		.iova = iova,
	};

	return iofd_sys_ioctl(ioas->ctx, ioas->kfd, IOFD_U_IOMMU_IOAS_MAP, &cmd);
}

static int unmap(struct iofd_ioas *ioas, uint64_t iova, uint64_t length)
{
	struct iofd_u_iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas->kernel_id,
		.iova = iova,
		.length = length,
	};

	return iofd_sys_ioctl(ioas->ctx, ioas->kfd, IOFD_U_IOMMU_IOAS_UNMAP, &cmd);
}

static int iommufd_unmap(struct iofd_ioas *ioas, uint64_t iova, uint64_t length)
{
	return unmap(ioas, iova, length);
}

static int iommufd_unmap_all(struct iofd_ioas *ioas)
{
	return unmap(ioas, 0, UINT64_MAX);
}

/* IOMMU_IOAS_IOVA_RANGES, with its EMSGSIZE protocol. */
static int iommufd_iova_ranges(struct iofd_ioas *ioas, struct iofd_iova_range **ret,
			       size_t *n_ret, uint64_t *alignment)
{
	struct iofd_u_iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas->kernel_id,
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
		err = iofd_sys_ioctl(ioas->ctx, ioas->kfd, IOFD_U_IOMMU_IOAS_IOVA_RANGES, &cmd);
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

static int iommufd_domain_new(struct iofd_ioas *ioas, struct iofd_device *dev,
			      struct iofd_domain *d, bool dirty)
{
	struct iofd_u_iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = dirty ? IOFD_U_IOMMU_HWPT_ALLOC_DIRTY_TRACKING : 0,
		.dev_id = dev->dev_id,
		.pt_id = ioas->kernel_id,
	};
	int r = iofd_sys_ioctl(ioas->ctx, ioas->kfd, IOFD_U_IOMMU_HWPT_ALLOC, &cmd);

	if (r < 0)
		return r;
	d->kernel_id = cmd.out_hwpt_id;
	return 0;
}

static int iommufd_domain_free(struct iofd_ioas *ioas, struct iofd_domain *d)
{
	int r = destroy(ioas->ctx, ioas->kfd, d->kernel_id);

	if (r < 0)
		iofd_warn(ioas->ctx, "IOMMU_DESTROY of HWPT %u: %s", d->kernel_id,
			  strerror(-r));
	return r;
}

const struct iofd_backend_ops iofd_backend_iommufd = {
	.name = "iommufd",
	.ioas_new = iommufd_ioas_new,
	.ioas_free = iommufd_ioas_free,
	.map = iommufd_map,
	.unmap = iommufd_unmap,
	.unmap_all = iommufd_unmap_all,
	.iova_ranges = iommufd_iova_ranges,
	.domain_new = iommufd_domain_new,
	.domain_free = iommufd_domain_free,
};

const struct iofd_backend_ops *iofd_backend_of(struct iofd_ctx *ctx, int *err)
{
	switch (ctx->backend) {
	case IOFD_BACKEND_AUTO:
	case IOFD_BACKEND_IOMMUFD:
		return &iofd_backend_iommufd;
	case IOFD_BACKEND_TYPE1:
		return &iofd_backend_type1;
	case IOFD_BACKEND_COMPAT:
		break;
	}
	*err = -EOPNOTSUPP;
	return NULL;
}
