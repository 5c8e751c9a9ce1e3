/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The syscall seam. lib/sys.c is the only file that calls open, close,
 * ioctl, mmap, munmap, read, write, pread, pwrite, fstat or fcntl on a
 * kernel object (/dev/iommu, /dev/vfio/..., device fds), with one inline
 * exception, the map path's ioctl in lib/sys_hot.h. Everything else
 * calls iofd_sys_*() with its context, and the context's ops decide whether
 * the real kernel, a simulated one or a fault injector answers.
 *
 * The ops are the public struct iofd_kernel_ops (include/libiommufd.h).
 * Every op returns -errno on failure (never -1 with errno).
 */
#ifndef IOFD_SYS_H
#define IOFD_SYS_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "libiommufd.h"

struct iofd_ctx;


/* The real kernel. */
extern const struct iofd_kernel_ops iofd_sys_kernel;

/* Install another kernel behind @ctx (tests, the simulated kernel). */
void iofd_ctx_set_sys(struct iofd_ctx *ctx, const struct iofd_kernel_ops *ops, void *priv);

int iofd_sys_open(struct iofd_ctx *ctx, const char *path, int flags);
int iofd_sys_close(struct iofd_ctx *ctx, int fd);
int iofd_sys_ioctl(struct iofd_ctx *ctx, int fd, unsigned long request, void *arg);
int iofd_sys_mmap(struct iofd_ctx *ctx, void **ret, size_t len, int prot, int flags,
		  int fd, off_t offset);
int iofd_sys_munmap(struct iofd_ctx *ctx, void *addr, size_t len);
ssize_t iofd_sys_pread(struct iofd_ctx *ctx, int fd, void *buf, size_t len, off_t off);
ssize_t iofd_sys_pwrite(struct iofd_ctx *ctx, int fd, const void *buf, size_t len,
			off_t off);
ssize_t iofd_sys_read(struct iofd_ctx *ctx, int fd, void *buf, size_t len);
ssize_t iofd_sys_write(struct iofd_ctx *ctx, int fd, const void *buf, size_t len);
int iofd_sys_fstat(struct iofd_ctx *ctx, int fd, struct stat *st);
int iofd_sys_dup(struct iofd_ctx *ctx, int fd);

#endif
