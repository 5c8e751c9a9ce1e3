/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The syscall seam's one inline door (lib/sys.h has the rest): ioctl for
 * the map and unmap paths, which a driver mapping a buffer per I/O runs
 * twice per I/O. Inline, the real kernel is one call to libc's ioctl away
 * from the backend, with no call and return of the seam's own between:
 * under QEMU's TCG, where every return is a lookup, that is measurable
 * (bench/README.md). Any other kernel (simulated, fault injector) is
 * reached through the context's ops, as everywhere else.
 */
#ifndef IOFD_SYS_HOT_H
#define IOFD_SYS_HOT_H

#include <errno.h>
#include <sys/ioctl.h>

#include "ctx.h"
#include "sys.h"

/* ioctl(2) on the real kernel: its return, or -errno. (The real kernel's
 * ops, lib/sys.c, answer with this too.) */
static inline int iofd_sys_real_ioctl(int fd, unsigned long request, void *arg)
{
	int r = ioctl(fd, request, arg);

	return r < 0 ? -errno : r;
}

static inline int iofd_sys_ioctl_hot(struct iofd_ctx *ctx, int fd, unsigned long request,
				     void *arg)
{
	if (ctx->sys == &iofd_sys_kernel)
		return iofd_sys_real_ioctl(fd, request, arg);
	return ctx->sys->ioctl(ctx->sys_priv, fd, request, arg);
}

#endif
