/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The context: owner of every fd and object, and of the options. */
#ifndef IOFD_CTX_H
#define IOFD_CTX_H

#include <pthread.h>
#include <stdbool.h>

#include "libiommufd.h"
#include "sys.h"

struct iofd_ctx {
	enum iofd_backend backend;
	/* Our duplicates of the fds given in the options, or -1. */
	int iommu_fd;
	int container_fd;

	iofd_log_fn log_fn;
	void *log_userdata;
	int log_priority;

	char *sysfs_root;	/* no trailing slash */
	char *dev_root;		/* no trailing slash */

	const struct iofd_kernel_ops *sys;
	void *sys_priv;

	pthread_mutex_t lock;	/* opening iommu_fd on first use */
	unsigned int n_mock;	/* selftest devices opened: their names */
	bool split_by_class;	/* IOFD_CTX_TYPE1_SPLIT */
	enum iofd_backend auto_choice;	/* what AUTO chose; AUTO: not yet */
	bool container_taken;	/* container_fd is some IOAS's container */
	struct iofd_vfio_group *groups;	/* VFIO groups open, each once */
	struct iofd_device *devices;	/* devices open (via iofd_device.next) */
};

/* The context's iommufd: the one given in its options, or DEV/iommu opened
 * on first use and kept. Return: the fd (owned by @ctx), or -errno. */
int iofd_ctx_iommufd(struct iofd_ctx *ctx);

/* iofd_ctx_new() with another kernel behind the seam from the first call on
 * (so even the checks of pre-opened fds go to it): tests, the simulator. */
int iofd_ctx_new_sys(struct iofd_ctx **ret, const struct iofd_ctx_opts *opts,
		     const struct iofd_kernel_ops *sys, void *sys_priv);

/* Does SYSFS/@rel exist, SYSFS being the context's sysfs root? */
bool iofd_ctx_sysfs_has(const struct iofd_ctx *ctx, const char *rel);

#endif
