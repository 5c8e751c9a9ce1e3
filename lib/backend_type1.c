// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The type1 backend: one VFIO container (/dev/vfio/vfio, VFIO_TYPE1v2_IOMMU)
 * per library IOAS. The kernel splits the container into domains by IOMMU
 * and coherency itself, replays mappings into each and pins once. A
 * container maps nothing until a group has set its IOMMU (lib/device_group.c
 * does that); the IOAS layer keeps mappings made before and replays them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "backend_probe.h"
#include "ctx.h"
#include "hot.h"
#include "ioas.h"
#include "kas.h"
#include "log.h"
#include "sys_hot.h"
#include "sysfs.h"
#include "uapi/vfio.h"

/* A container of our own, or the one the context was given (once). */
static int open_container(struct iofd_ctx *ctx)
{
	char path[PATH_MAX];
	int fd;

	pthread_mutex_lock(&ctx->lock);
	if (ctx->container_fd >= 0 && !ctx->container_taken) {
		ctx->container_taken = true;
		fd = iofd_sys_dup(ctx, ctx->container_fd);
	} else {
		fd = iofd_path_fmt(path, sizeof(path), "%s/vfio/vfio", ctx->dev_root);
		if (fd == 0)
			fd = iofd_sys_open(ctx, path, O_RDWR);
		if (fd < 0)
			iofd_err(ctx, "cannot open %s: %s", path, strerror(-fd));
	}
	pthread_mutex_unlock(&ctx->lock);
	return fd;
}

static int type1_kas_new(struct iofd_kas *kas)
{
	struct iofd_ctx *ctx = kas->ioas->ctx;
	int fd = open_container(ctx), r;

	if (fd < 0)
		return fd;
	r = iofd_sys_ioctl(ctx, fd, IOFD_U_VFIO_GET_API_VERSION, NULL);
	if (r >= 0 && r != IOFD_U_VFIO_API_VERSION)
		r = -EPROTO;
	if (r >= 0)
		r = iofd_sys_ioctl(ctx, fd, IOFD_U_VFIO_CHECK_EXTENSION,
				   (void *)(uintptr_t)IOFD_U_VFIO_TYPE1v2_IOMMU);
	if (r == 0) {
		iofd_err(ctx, "the VFIO container offers no VFIO_TYPE1v2_IOMMU; type1 v1 "
			      "(no unmap rules, no huge pages through compat) is not supported");
		r = -EOPNOTSUPP;
	}
	if (r < 0) {
		iofd_sys_close(ctx, fd);
		return r;
	}
	kas->fd = fd;
	kas->id = 0;
	kas->live = false;
	kas->keeps_mappings = iofd_probe_iommufd(ctx, fd) == 0;
	if (kas->keeps_mappings)
		iofd_dbg(ctx, "the VFIO container is iommufd's (compat): its mappings outlive its groups");
	return 0;
}

static int type1_kas_free(struct iofd_kas *kas)
{
	/* Closing the container releases whatever it still maps. */
	iofd_sys_close(kas->ioas->ctx, kas->fd);
	kas->fd = -1;
	return 0;
}

IOFD_HOT
static int type1_map(struct iofd_kas *kas, uint64_t iova, uint64_t vaddr, uint64_t length,
		     uint32_t prot)
{
	struct iofd_u_vfio_iommu_type1_dma_map cmd = {
		.argsz = sizeof(cmd),
		.flags = (prot & IOFD_MAP_READ ? IOFD_U_VFIO_DMA_MAP_FLAG_READ : 0) |
			 (prot & IOFD_MAP_WRITE ? IOFD_U_VFIO_DMA_MAP_FLAG_WRITE : 0),
		.vaddr = vaddr,
		.iova = iova,
		.size = length,
	};

	return iofd_sys_ioctl_hot(kas->ioas->ctx, kas->fd, IOFD_U_VFIO_IOMMU_MAP_DMA, &cmd);
}

IOFD_HOT
static int unmap(struct iofd_kas *kas, uint32_t flags, uint64_t iova, uint64_t length)
{
	struct iofd_u_vfio_iommu_type1_dma_unmap cmd = {
		.argsz = sizeof(cmd),
		.flags = flags,
		.iova = iova,
		.size = length,
	};

	return iofd_sys_ioctl_hot(kas->ioas->ctx, kas->fd, IOFD_U_VFIO_IOMMU_UNMAP_DMA, &cmd);
}

IOFD_HOT
static int type1_unmap(struct iofd_kas *kas, uint64_t iova, uint64_t length)
{
	return unmap(kas, 0, iova, length);
}

static int type1_unmap_all(struct iofd_kas *kas)
{
	/* 5.12+; before, EINVAL, and the IOAS layer unmaps one by one. */
	return unmap(kas, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0);
}

/* VFIO_IOMMU_GET_INFO with its capability chain, grown until it fits. */
static int get_info(struct iofd_kas *kas, struct iofd_u_vfio_iommu_type1_info **ret)
{
	struct iofd_u_vfio_iommu_type1_info *info = NULL, *tmp;
	uint32_t sz = 256;
	int r;

	for (int tries = 0; tries < 8; tries++) {
		tmp = realloc(info, sz);
		if (!tmp) {
			free(info);
			return -ENOMEM;
		}
		info = tmp;
		memset(info, 0, sz);
		info->argsz = sz;
		r = iofd_sys_ioctl(kas->ioas->ctx, kas->fd, IOFD_U_VFIO_IOMMU_GET_INFO, info);
		if (r < 0) {
			free(info);
			return r;
		}
		if (info->argsz <= sz) {
			*ret = info;
			return 0;
		}
		sz = info->argsz;
		if (sz > 1u << 20)
			break;
	}
	free(info);
	return -EPROTO;
}

/* The capability @id in the chain of @info (@sz bytes), or NULL. Offsets
 * must move forward and stay inside the buffer, so a corrupt chain ends. */
static const void *find_cap(const struct iofd_u_vfio_iommu_type1_info *info, uint32_t sz,
			    uint16_t id, size_t min)
{
	uint32_t off;

	if (!(info->flags & IOFD_U_VFIO_IOMMU_INFO_CAPS))
		return NULL;
	for (off = info->cap_offset; off >= sizeof(*info) && off <= sz - sizeof(struct iofd_u_vfio_info_cap_header);) {
		const struct iofd_u_vfio_info_cap_header *h = (const void *)((const char *)info + off);

		if (h->id == id)
			return off + min <= sz ? h : NULL;
		if (h->next <= off)
			break;
		off = h->next;
	}
	return NULL;
}

static int type1_iova_ranges(struct iofd_kas *kas, struct iofd_iova_range **ret, size_t *n_ret,
			     uint64_t *alignment)
{
	const struct iofd_u_vfio_iommu_type1_info_cap_iova_range *cap;
	const struct iofd_u_vfio_iommu_type1_info_dma_avail *avail;
	struct iofd_u_vfio_iommu_type1_info *info;
	struct iofd_iova_range *r;
	uint32_t n = 1, sz;
	int err = get_info(kas, &info);

	if (err < 0)
		return err;
	sz = info->argsz;
	cap = find_cap(info, sz, IOFD_U_VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, sizeof(*cap));
	if (cap) {
		n = cap->nr_iovas;
		if ((const char *)&cap->iova_ranges[n] > (const char *)info + sz) {
			free(info);
			return -EPROTO;
		}
	}
	r = calloc(n ? n : 1, sizeof(*r));
	if (!r) {
		free(info);
		return -ENOMEM;
	}
	if (cap) {
		for (uint32_t i = 0; i < n; i++) {
			r[i].start = cap->iova_ranges[i].start;
			r[i].last = cap->iova_ranges[i].end;
		}
	} else {	/* a kernel before the capability: everything */
		r[0] = (struct iofd_iova_range){ 0, UINT64_MAX };
	}
	avail = find_cap(info, sz, IOFD_U_VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, sizeof(*avail));
	kas->dma_avail = avail ? (int64_t)avail->avail : -1;
	/* The smallest page size the container maps is its alignment. */
	*alignment = info->flags & IOFD_U_VFIO_IOMMU_INFO_PGSIZES && info->iova_pgsizes ?
			     info->iova_pgsizes & -info->iova_pgsizes : 0;
	free(info);
	*ret = r;
	*n_ret = n;
	return 0;
}

const struct iofd_backend_ops iofd_backend_type1 = {
	.name = "type1",
	.kas_new = type1_kas_new,
	.kas_free = type1_kas_free,
	.map = type1_map,
	.unmap = type1_unmap,
	.unmap_all = type1_unmap_all,
	.iova_ranges = type1_iova_ranges,
};
