// SPDX-License-Identifier: LGPL-2.1-or-later
/* The context: options, logging, the kernel behind the seam, owned fds. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_probe.h"
#include "ctx.h"
#include "log.h"
#include "opts.h"
#include "sysfs.h"

#define CTX_OPTS_SZ_V1 iofd_offsetofend(struct iofd_ctx_opts, dev_root)
#define CTX_KNOWN_FLAGS (IOFD_CTX_IOMMU_FD | IOFD_CTX_CONTAINER_FD | IOFD_CTX_TYPE1_SPLIT)

const char *iofd_version(void)
{
	return IOFD_VERSION;
}

const char *iofd_backend_name(enum iofd_backend backend)
{
	switch (backend) {
	case IOFD_BACKEND_AUTO:
		return "auto";
	case IOFD_BACKEND_IOMMUFD:
		return "iommufd";
	case IOFD_BACKEND_TYPE1:
		return "type1";
	case IOFD_BACKEND_COMPAT:
		return "compat";
	}
	return NULL;
}

/* LIBIOMMUFD_LOG=<priority>: the opt-in logger for programs with no callback. */
static void log_stderr(void *userdata, int priority, const char *msg)
{
	char line[600];

	snprintf(line, sizeof(line), "libiommufd: %s\n", msg);
	fputs(line, stderr);
}

/* Every op this library knows of is set. */
static bool kernel_ops_complete(const struct iofd_kernel_ops *k)
{
	if (k->sz < iofd_offsetofend(struct iofd_kernel_ops, dup))
		return false;
	return k->open && k->close && k->ioctl && k->mmap && k->munmap && k->pread &&
	       k->pwrite && k->read && k->write && k->fstat && k->dup;
}

static int check_opts(const struct iofd_ctx_opts *o)
{
	if (o->backend < IOFD_BACKEND_AUTO || o->backend > IOFD_BACKEND_COMPAT)
		return -EINVAL;
	if (o->flags & ~CTX_KNOWN_FLAGS)
		return -EINVAL;
	if ((o->flags & IOFD_CTX_IOMMU_FD) && o->iommu_fd < 0)
		return -EINVAL;
	if ((o->flags & IOFD_CTX_CONTAINER_FD) && o->container_fd < 0)
		return -EINVAL;
	if (o->log_priority < 0 || o->log_priority > LOG_DEBUG)
		return -EINVAL;
	if ((o->sysfs_root && !*o->sysfs_root) || (o->dev_root && !*o->dev_root))
		return -EINVAL;
	if (o->kernel && !kernel_ops_complete(o->kernel))
		return -EINVAL;
	return 0;
}

/* A root path without trailing slashes ("/" becomes ""). */
static char *root_dup(const char *path, const char *dflt)
{
	char *s = strdup(path ? path : dflt);
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* Check that @fd is what the caller says, and keep our own duplicate. */
static int adopt_fd(struct iofd_ctx *ctx, int fd, bool container, int *slot)
{
	int r = container ? iofd_probe_container(ctx, fd) : iofd_probe_iommufd(ctx, fd);

	if (r < 0) {
		iofd_err(ctx, "fd %d given as %s is not one (%s)", fd,
			 container ? "a VFIO container" : "an iommufd", strerror(-r));
		return r;
	}
	r = iofd_sys_dup(ctx, fd);
	if (r < 0)
		return r;
	*slot = r;
	return 0;
}

int iofd_ctx_new_sys(struct iofd_ctx **ret, const struct iofd_ctx_opts *user_opts,
		     const struct iofd_kernel_ops *sys, void *sys_priv)
{
	struct iofd_ctx_opts o;
	struct iofd_ctx *ctx;
	const char *env;
	int r;

	if (!ret)
		return -EINVAL;
	r = iofd_opts_check(user_opts, CTX_OPTS_SZ_V1, sizeof(o));
	if (r < 0)
		return r;
	iofd_opts_copy(&o, sizeof(o), user_opts);
	r = check_opts(&o);
	if (r < 0)
		return r;
	if (o.kernel) {
		sys = o.kernel;
		sys_priv = o.kernel_priv;
	}

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->backend = o.backend;
	ctx->split_by_class = o.flags & IOFD_CTX_TYPE1_SPLIT;
	ctx->iommu_fd = -1;
	ctx->container_fd = -1;
	ctx->log_fn = o.log_fn;
	ctx->log_userdata = o.log_userdata;
	ctx->log_priority = o.log_priority ? o.log_priority : LOG_INFO;
	if (!ctx->log_fn) {
		env = secure_getenv("LIBIOMMUFD_LOG");
		r = iofd_log_parse_priority(env);
		if (r >= 0) {
			ctx->log_fn = log_stderr;
			ctx->log_priority = r;
		}
	}
	iofd_ctx_set_sys(ctx, sys, sys_priv);

	ctx->sysfs_root = root_dup(o.sysfs_root, "/sys");
	ctx->dev_root = root_dup(o.dev_root, "/dev");
	if (!ctx->sysfs_root || !ctx->dev_root) {
		r = -ENOMEM;
		goto fail;
	}
	if (o.flags & IOFD_CTX_IOMMU_FD) {
		r = adopt_fd(ctx, o.iommu_fd, false, &ctx->iommu_fd);
		if (r < 0)
			goto fail;
	}
	if (o.flags & IOFD_CTX_CONTAINER_FD) {
		r = adopt_fd(ctx, o.container_fd, true, &ctx->container_fd);
		if (r < 0)
			goto fail;
	}
	iofd_dbg(ctx, "context: backend %s, sysfs %s, dev %s",
		 iofd_backend_name(ctx->backend),
		 *ctx->sysfs_root ? ctx->sysfs_root : "/",
		 *ctx->dev_root ? ctx->dev_root : "/");
	*ret = ctx;
	return 0;
fail:
	iofd_ctx_free(ctx);
	return r;
}

int iofd_ctx_new(struct iofd_ctx **ret, const struct iofd_ctx_opts *opts)
{
	return iofd_ctx_new_sys(ret, opts, &iofd_sys_kernel, NULL);
}

void iofd_ctx_free(struct iofd_ctx *ctx)
{
	if (!ctx)
		return;
	iofd_sys_close(ctx, ctx->iommu_fd);
	iofd_sys_close(ctx, ctx->container_fd);
	free(ctx->sysfs_root);
	free(ctx->dev_root);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

int iofd_ctx_iommufd(struct iofd_ctx *ctx)
{
	char path[PATH_MAX];
	int fd;

	pthread_mutex_lock(&ctx->lock);
	fd = ctx->iommu_fd;
	if (fd < 0) {
		fd = iofd_path_fmt(path, sizeof(path), "%s/iommu", ctx->dev_root);
		if (fd == 0)
			fd = iofd_sys_open(ctx, path, O_RDWR);
		if (fd >= 0) {
			ctx->iommu_fd = fd;
			iofd_dbg(ctx, "opened %s", path);
		} else {
			iofd_err(ctx, "cannot open %s: %s", path, strerror(-fd));
		}
	}
	pthread_mutex_unlock(&ctx->lock);
	return fd;
}

int iofd_ctx_backend(const struct iofd_ctx *ctx)
{
	return ctx ? (int)ctx->backend : -EINVAL;
}

bool iofd_ctx_sysfs_has(const struct iofd_ctx *ctx, const char *rel)
{
	char path[PATH_MAX];

	return iofd_path_fmt(path, sizeof(path), "%s/%s", ctx->sysfs_root, rel) == 0 &&
	       iofd_sysfs_exists(path);
}
