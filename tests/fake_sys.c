// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ctx.h"
#include "fake_sys.h"
#include "uapi/iommufd.h"
#include "uapi/vfio.h"

void fake_sys_add(struct fake_sys *fs, const char *path, int open_errno,
		  fake_ioctl_fn ioctl, void *priv)
{
	int i = fs->n_nodes++;

	snprintf(fs->nodes[i].path, sizeof(fs->nodes[i].path), "%s", path);
	fs->nodes[i].open_errno = open_errno;
	fs->nodes[i].ioctl = ioctl;
	fs->nodes[i].priv = priv;
}

void fake_sys_install(struct fake_sys *fs, struct iofd_ctx *ctx)
{
	iofd_ctx_set_sys(ctx, &fake_sys_ops, fs);
}

static int inject(struct fake_sys *fs)
{
	fs->calls++;
	if (fs->fail_call && fs->calls == fs->fail_call)
		return -(fs->fail_errno ? fs->fail_errno : EIO);
	return 0;
}

static int new_fd(struct fake_sys *fs, int node)
{
	for (int i = 0; i < FAKE_SYS_MAX_FDS; i++) {
		if (!fs->fds[i]) {
			fs->fds[i] = node + 1;
			fs->open_fds++;
			return FAKE_SYS_FD_BASE + i;
		}
	}
	return -EMFILE;
}

/* The node behind a fake fd, or -1. */
static int node_of(struct fake_sys *fs, int fd)
{
	int i = fd - FAKE_SYS_FD_BASE;

	if (i < 0 || i >= FAKE_SYS_MAX_FDS || !fs->fds[i])
		return -1;
	return fs->fds[i] - 1;
}

int fake_sys_open(struct fake_sys *fs, const char *path)
{
	for (int n = 0; n < fs->n_nodes; n++) {
		if (strcmp(fs->nodes[n].path, path))
			continue;
		if (fs->nodes[n].open_errno)
			return -fs->nodes[n].open_errno;
		return new_fd(fs, n);
	}
	return -ENOENT;
}

static int f_open(void *priv, const char *path, int flags)
{
	struct fake_sys *fs = priv;
	int r = inject(fs);

	if (r)
		return r;
	fs->opens++;
	return fake_sys_open(fs, path);
}

static int f_close(void *priv, int fd)
{
	struct fake_sys *fs = priv;
	int n = node_of(fs, fd);

	inject(fs);	/* close always releases the fd, as Linux does */
	if (n < 0)
		return iofd_sys_kernel.close(NULL, fd);
	fs->fds[fd - FAKE_SYS_FD_BASE] = 0;
	fs->open_fds--;
	return 0;
}

static int f_ioctl(void *priv, int fd, unsigned long req, void *arg)
{
	struct fake_sys *fs = priv;
	int n = node_of(fs, fd), r = inject(fs);

	if (r)
		return r;
	fs->ioctls++;
	if (n < 0)
		return iofd_sys_kernel.ioctl(NULL, fd, req, arg);
	if (!fs->nodes[n].ioctl)
		return -ENOTTY;
	return fs->nodes[n].ioctl(fs->nodes[n].priv, fs->nodes[n].path, req, arg);
}

static int f_fstat(void *priv, int fd, struct stat *st)
{
	struct fake_sys *fs = priv;
	int n = node_of(fs, fd), r = inject(fs);

	if (r)
		return r;
	if (n < 0)
		return iofd_sys_kernel.fstat(NULL, fd, st);
	memset(st, 0, sizeof(*st));
	st->st_mode = fs->nodes[n].not_chr ? S_IFREG | 0600 : S_IFCHR | 0600;
	return 0;
}

static int f_dup(void *priv, int fd)
{
	struct fake_sys *fs = priv;
	int n = node_of(fs, fd), r = inject(fs);

	if (r)
		return r;
	if (n < 0)
		return iofd_sys_kernel.dup(NULL, fd);
	return new_fd(fs, n);
}

static int f_mmap(void *priv, void **ret, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	return -ENODEV;
}

static int f_munmap(void *priv, void *addr, size_t len)
{
	return -EINVAL;
}

static ssize_t f_pread(void *priv, int fd, void *buf, size_t len, off_t off)
{
	return -EINVAL;
}

static ssize_t f_pwrite(void *priv, int fd, const void *buf, size_t len, off_t off)
{
	return -EINVAL;
}

static ssize_t f_read(void *priv, int fd, void *buf, size_t len)
{
	return -EINVAL;
}

static ssize_t f_write(void *priv, int fd, const void *buf, size_t len)
{
	return -EINVAL;
}

const struct iofd_kernel_ops fake_sys_ops = {
	.sz = sizeof(struct iofd_kernel_ops),
	.open = f_open,
	.close = f_close,
	.ioctl = f_ioctl,
	.mmap = f_mmap,
	.munmap = f_munmap,
	.pread = f_pread,
	.pwrite = f_pwrite,
	.read = f_read,
	.write = f_write,
	.fstat = f_fstat,
	.dup = f_dup,
};

int fake_iommufd_ioctl(void *priv, const char *path, unsigned long req, void *arg)
{
	if (req == IOFD_U_IOMMU_DESTROY) {
		struct iofd_u_iommu_destroy *d = arg;

		if (d->size < sizeof(*d))
			return -EINVAL;
		return -ENOENT;	/* no object has id 0, nor any other yet */
	}
	/* iommufd hands every ioctl outside its own range to its VFIO compat. */
	if (req == IOFD_U_VFIO_GET_API_VERSION)
		return IOFD_U_VFIO_API_VERSION;
	if (req == IOFD_U_VFIO_CHECK_EXTENSION) {
		unsigned long ext = (unsigned long)arg;

		return ext == IOFD_U_VFIO_TYPE1_IOMMU || ext == IOFD_U_VFIO_TYPE1v2_IOMMU ||
		       ext == IOFD_U_VFIO_UNMAP_ALL;
	}
	return -ENOTTY;
}

int fake_vfio_container_ioctl(void *priv, const char *path, unsigned long req, void *arg)
{
	if (req == IOFD_U_VFIO_GET_API_VERSION)
		return IOFD_U_VFIO_API_VERSION;
	if (req == IOFD_U_VFIO_CHECK_EXTENSION) {
		unsigned long ext = (unsigned long)arg;

		return ext == IOFD_U_VFIO_TYPE1_IOMMU || ext == IOFD_U_VFIO_TYPE1v2_IOMMU ||
		       ext == IOFD_U_VFIO_UNMAP_ALL || ext == IOFD_U_VFIO_UPDATE_VADDR;
	}
	/* No IOMMU driver set yet: everything else is EINVAL. */
	return -EINVAL;
}
