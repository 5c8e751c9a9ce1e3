/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A programmable stand-in for the kernel behind the syscall seam, for unit
 * tests: open() of a registered path gives a fake fd whose ioctls are
 * answered by a callback; everything else goes to the real kernel. It
 * counts open fake fds so tests can assert nothing leaked.
 */
#ifndef IOFD_TEST_FAKE_SYS_H
#define IOFD_TEST_FAKE_SYS_H

#include <stdbool.h>

#include "sys.h"

struct iofd_ctx;

/* Answers an ioctl on a fake node: returns >= 0 or -errno. */
typedef int (*fake_ioctl_fn)(void *arg_priv, const char *path,
			     unsigned long request, void *arg);

#define FAKE_SYS_MAX_NODES 8
#define FAKE_SYS_MAX_FDS 64

struct fake_sys {
	struct {
		char path[256];
		int open_errno;		/* non-zero: open fails with -open_errno */
		bool not_chr;		/* fstat says a regular file */
		fake_ioctl_fn ioctl;
		void *priv;
	} nodes[FAKE_SYS_MAX_NODES];
	int n_nodes;

	/* fds handed out: index = fd - FAKE_SYS_FD_BASE, value = node + 1 */
	int fds[FAKE_SYS_MAX_FDS];
	int open_fds;		/* currently open fake fds */
	int opens, ioctls;	/* calls seen */
	int fail_call;		/* fail the Nth seam call (1-based), 0: never */
	int fail_errno;
	int calls;
};

#define FAKE_SYS_FD_BASE 1000

/* Register a node: later opens of @path succeed (or fail with @open_errno). */
void fake_sys_add(struct fake_sys *fs, const char *path, int open_errno,
		  fake_ioctl_fn ioctl, void *priv);
/* Install @fs as @ctx's kernel. */
void fake_sys_install(struct fake_sys *fs, struct iofd_ctx *ctx);
/* Open a fake fd directly (as a VMM's manager would have). */
int fake_sys_open(struct fake_sys *fs, const char *path);

extern const struct iofd_kernel_ops fake_sys_ops;

/* Ready-made ioctl answerers, as the 6.12 kernel answers before any setup:
 * iommufd (/dev/iommu, or a /dev/vfio/vfio that iommufd serves: it answers
 * both its own ioctls and the VFIO container's), and VFIO's own container
 * with the type1 driver registered. */
int fake_iommufd_ioctl(void *priv, const char *path, unsigned long req, void *arg);
int fake_vfio_container_ioctl(void *priv, const char *path, unsigned long req, void *arg);

#endif
