// SPDX-License-Identifier: LGPL-2.1-or-later
/* The syscall seam: the only caller of the kernel-object syscalls. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ctx.h"
#include "sys.h"
#include "sys_hot.h"

static int k_open(void *priv, const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int k_close(void *priv, int fd)
{
	/* Linux releases the fd even when close() fails: never retry. */
	return close(fd) < 0 && errno != EINTR ? -errno : 0;
}

static int k_ioctl(void *priv, int fd, unsigned long request, void *arg)
{
	return iofd_sys_real_ioctl(fd, request, arg);
}

static int k_mmap(void *priv, void **ret, size_t len, int prot, int flags, int fd,
		  off_t offset)
{
	void *p = mmap(NULL, len, prot, flags, fd, offset);

	if (p == MAP_FAILED)
		return -errno;
	*ret = p;
	return 0;
}

static int k_munmap(void *priv, void *addr, size_t len)
{
	return munmap(addr, len) < 0 ? -errno : 0;
}

static ssize_t k_pread(void *priv, int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	return n < 0 ? -errno : n;
}

static ssize_t k_pwrite(void *priv, int fd, const void *buf, size_t len, off_t off)
{
	ssize_t n = pwrite(fd, buf, len, off);

	return n < 0 ? -errno : n;
}

static ssize_t k_read(void *priv, int fd, void *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	return n < 0 ? -errno : n;
}

static ssize_t k_write(void *priv, int fd, const void *buf, size_t len)
{
	ssize_t n = write(fd, buf, len);

	return n < 0 ? -errno : n;
}

static int k_fstat(void *priv, int fd, struct stat *st)
{
	return fstat(fd, st) < 0 ? -errno : 0;
}

static int k_dup(void *priv, int fd)
{
	int r = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	return r < 0 ? -errno : r;
}

const struct iofd_kernel_ops iofd_sys_kernel = {
	.sz = sizeof(struct iofd_kernel_ops),
	.open = k_open,
	.close = k_close,
	.ioctl = k_ioctl,
	.mmap = k_mmap,
	.munmap = k_munmap,
	.pread = k_pread,
	.pwrite = k_pwrite,
	.read = k_read,
	.write = k_write,
	.fstat = k_fstat,
	.dup = k_dup,
};

void iofd_ctx_set_sys(struct iofd_ctx *ctx, const struct iofd_kernel_ops *ops, void *priv)
{
	ctx->sys = ops ? ops : &iofd_sys_kernel;
	ctx->sys_priv = priv;
}

int iofd_sys_open(struct iofd_ctx *ctx, const char *path, int flags)
{
	return ctx->sys->open(ctx->sys_priv, path, flags | O_CLOEXEC);
}

int iofd_sys_close(struct iofd_ctx *ctx, int fd)
{
	if (fd < 0)
		return 0;
	return ctx->sys->close(ctx->sys_priv, fd);
}

int iofd_sys_ioctl(struct iofd_ctx *ctx, int fd, unsigned long request, void *arg)
{
	return ctx->sys->ioctl(ctx->sys_priv, fd, request, arg);
}

int iofd_sys_mmap(struct iofd_ctx *ctx, void **ret, size_t len, int prot, int flags,
		  int fd, off_t offset)
{
	return ctx->sys->mmap(ctx->sys_priv, ret, len, prot, flags, fd, offset);
}

int iofd_sys_munmap(struct iofd_ctx *ctx, void *addr, size_t len)
{
	return ctx->sys->munmap(ctx->sys_priv, addr, len);
}

ssize_t iofd_sys_pread(struct iofd_ctx *ctx, int fd, void *buf, size_t len, off_t off)
{
	return ctx->sys->pread(ctx->sys_priv, fd, buf, len, off);
}

ssize_t iofd_sys_pwrite(struct iofd_ctx *ctx, int fd, const void *buf, size_t len,
			off_t off)
{
	return ctx->sys->pwrite(ctx->sys_priv, fd, buf, len, off);
}

ssize_t iofd_sys_read(struct iofd_ctx *ctx, int fd, void *buf, size_t len)
{
	return ctx->sys->read(ctx->sys_priv, fd, buf, len);
}

ssize_t iofd_sys_write(struct iofd_ctx *ctx, int fd, const void *buf, size_t len)
{
	return ctx->sys->write(ctx->sys_priv, fd, buf, len);
}

int iofd_sys_fstat(struct iofd_ctx *ctx, int fd, struct stat *st)
{
	return ctx->sys->fstat(ctx->sys_priv, fd, st);
}

int iofd_sys_dup(struct iofd_ctx *ctx, int fd)
{
	return ctx->sys->dup(ctx->sys_priv, fd);
}

const struct iofd_kernel_ops *iofd_kernel_real(void)
{
	return &iofd_sys_kernel;
}
