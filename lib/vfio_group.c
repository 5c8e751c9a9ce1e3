// SPDX-License-Identifier: LGPL-2.1-or-later
/* VFIO groups: opened once per context, checked viable, shared. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "ctx.h"
#include "host.h"
#include "log.h"
#include "sysfs.h"
#include "uapi/vfio.h"
#include "vfio_group.h"

void iofd_group_name_blockers(const struct iofd_group *hg, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < iofd_group_blocker_count(hg) && used < len; i++) {
		const struct iofd_hostdev *b = iofd_group_blocker(hg, i);

		used += snprintf(buf + used, len - used, "%s%s (%s)", i ? ", " : "", b->name,
				 b->driver ? b->driver : "unbound");
	}
}

/* Is @fd the VFIO group node of @hg (its device number, as sysfs says)? */
static int is_group_node(struct iofd_ctx *ctx, const struct iofd_group *hg, int fd)
{
	char path[PATH_MAX], want[32], have[32];
	struct stat st;
	int r = iofd_sys_fstat(ctx, fd, &st);

	if (r < 0)
		return r;
	if (!S_ISCHR(st.st_mode))
		return -ENOTTY;
	snprintf(have, sizeof(have), "%u:%u", major(st.st_rdev), minor(st.st_rdev));
	r = iofd_path_fmt(path, sizeof(path), "%s/class/vfio/%d/dev", ctx->sysfs_root, hg->id);
	if (r == 0)
		r = iofd_sysfs_read(path, want, sizeof(want));
	if (r < 0)
		return r == -ENOENT ? -ENODEV : r;
	return strcmp(want, have) ? -ENOTTY : 0;
}

/* Open the group's node, or take a duplicate of @given (a pre-opened fd
 * checked to be that node), and check it is viable. */
static int open_group(struct iofd_ctx *ctx, const struct iofd_group *hg, int given, int *fd_ret)
{
	struct iofd_u_vfio_group_status st = { .argsz = sizeof(st) };
	char who[512];
	int fd, r;

	if (!hg->path && given < 0) {
		iofd_err(ctx, "IOMMU group %d has no VFIO node: no member is bound to vfio-pci",
			 hg->id);
		return -ENODEV;
	}
	if (given >= 0) {
		r = is_group_node(ctx, hg, given);
		if (r < 0) {
			iofd_err(ctx, "the fd given is not VFIO group %d: %s", hg->id, strerror(-r));
			return r;
		}
		fd = iofd_sys_dup(ctx, given);
	} else {
		fd = iofd_sys_open(ctx, hg->path, O_RDWR);
	}
	if (fd < 0) {
		iofd_err(ctx, "cannot open VFIO group %d: %s", hg->id, strerror(-fd));
		return fd;
	}
	r = iofd_sys_ioctl(ctx, fd, IOFD_U_VFIO_GROUP_GET_STATUS, &st);
	if (r == 0 && !(st.flags & IOFD_U_VFIO_GROUP_FLAGS_VIABLE)) {
		iofd_group_name_blockers(hg, who, sizeof(who));
		iofd_err(ctx, "IOMMU group %d is not viable: %s", hg->id,
			 who[0] ? who : "a member is bound to a driver that uses the DMA API");
		r = -EPERM;
	}
	if (r < 0) {
		iofd_sys_close(ctx, fd);
		return r;
	}
	*fd_ret = fd;
	return 0;
}

int iofd_vfio_group_get(struct iofd_ctx *ctx, const struct iofd_group *hg, int given,
			struct iofd_vfio_group **ret)
{
	struct iofd_vfio_group *g;
	int r = 0;

	pthread_mutex_lock(&ctx->lock);
	for (g = ctx->groups; g && g->id != hg->id; g = g->next)
		;
	if (g && given >= 0) {
		/* We hold it already: the kernel lets a group be opened once,
		 * so the fd given cannot be a second one we could use. */
		r = -EBUSY;
	} else if (!g) {
		g = calloc(1, sizeof(*g));
		r = g ? open_group(ctx, hg, given, &g->fd) : -ENOMEM;
		if (r == 0) {
			g->id = hg->id;
			g->next = ctx->groups;
			ctx->groups = g;
		} else {
			free(g);
		}
	}
	if (r == 0) {
		g->refs++;
		*ret = g;
	}
	pthread_mutex_unlock(&ctx->lock);
	return r;
}

void iofd_vfio_group_put(struct iofd_ctx *ctx, struct iofd_vfio_group *g)
{
	struct iofd_vfio_group **pp;

	if (!g)
		return;
	pthread_mutex_lock(&ctx->lock);
	if (--g->refs == 0) {
		for (pp = &ctx->groups; *pp != g; pp = &(*pp)->next)
			;
		*pp = g->next;
		iofd_sys_close(ctx, g->fd);
		free(g->devs);
		free(g);
	}
	pthread_mutex_unlock(&ctx->lock);
}

int iofd_vfio_group_claim(struct iofd_ctx *ctx, struct iofd_vfio_group *g, const char *name)
{
	char **tmp, *copy;
	int r = 0;

	pthread_mutex_lock(&ctx->lock);
	for (size_t i = 0; i < g->n_devs && !r; i++)
		if (!strcmp(g->devs[i], name))
			r = -EBUSY;
	if (!r) {
		copy = strdup(name);
		tmp = copy ? realloc(g->devs, (g->n_devs + 1) * sizeof(*tmp)) : NULL;
		if (tmp) {
			g->devs = tmp;
			g->devs[g->n_devs++] = copy;
		} else {
			free(copy);
			r = -ENOMEM;
		}
	}
	pthread_mutex_unlock(&ctx->lock);
	return r;
}

void iofd_vfio_group_unclaim(struct iofd_ctx *ctx, struct iofd_vfio_group *g, const char *name)
{
	pthread_mutex_lock(&ctx->lock);
	for (size_t i = 0; i < g->n_devs; i++) {
		if (!strcmp(g->devs[i], name)) {
			free(g->devs[i]);
			g->devs[i] = g->devs[--g->n_devs];
			break;
		}
	}
	pthread_mutex_unlock(&ctx->lock);
}

int iofd_group_reserved_regions(struct iofd_ctx *ctx, int id, struct iofd_iova_range **ret,
				size_t *n_ret)
{
	char path[PATH_MAX], text[4096], type[32];
	struct iofd_iova_range *r = NULL, *tmp;
	size_t n = 0;
	int err = iofd_path_fmt(path, sizeof(path), "%s/kernel/iommu_groups/%d/reserved_regions",
				ctx->sysfs_root, id);

	if (err == 0)
		err = iofd_sysfs_read(path, text, sizeof(text));
	if (err == -ENOENT) {	/* no such attribute: nothing reserved that we know */
		*ret = NULL;
		*n_ret = 0;
		return 0;
	}
	if (err < 0)
		return err;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		uint64_t start, last;

		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %31s", &start, &last, type) != 3 ||
		    start > last)
			continue;
		if (!strcmp(type, "direct-relaxable"))
			continue;
		tmp = realloc(r, (n + 1) * sizeof(*r));
		if (!tmp) {
			free(r);
			return -ENOMEM;
		}
		r = tmp;
		r[n++] = (struct iofd_iova_range){ start, last };
	}
	*ret = r;
	*n_ret = n;
	return 0;
}
