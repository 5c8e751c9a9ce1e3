// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <sys/stat.h>

#include "backend_probe.h"
#include "ctx.h"
#include "sys.h"
#include "uapi/iommufd.h"
#include "uapi/vfio.h"

/* Every kernel object this library talks to is a character device. */
static int check_chr(struct iofd_ctx *ctx, int fd)
{
	struct stat st;
	int r;

	if (fd < 0)
		return -EBADF;
	r = iofd_sys_fstat(ctx, fd, &st);
	if (r < 0)
		return r;
	return S_ISCHR(st.st_mode) ? 0 : -ENOTTY;
}

int iofd_probe_iommufd(struct iofd_ctx *ctx, int fd)
{
	struct iofd_u_iommu_destroy cmd = { .size = sizeof(cmd), .id = 0 };
	int r = check_chr(ctx, fd);

	if (r < 0)
		return r;
	r = iofd_sys_ioctl(ctx, fd, IOFD_U_IOMMU_DESTROY, &cmd);
	if (r == -ENOENT)
		return 0;	/* iommufd: no object has id 0 */
	/* VFIO's container: EINVAL before SET_IOMMU, ENOTTY from type1 after;
	 * anything else is a failure to ask, not an answer. */
	return r == -EINVAL || r == -ENOTTY || r >= 0 ? -ENOTTY : r;
}

int iofd_probe_container(struct iofd_ctx *ctx, int fd)
{
	int r = check_chr(ctx, fd);

	if (r < 0)
		return r;
	r = iofd_sys_ioctl(ctx, fd, IOFD_U_VFIO_GET_API_VERSION, NULL);
	if (r < 0 && r != -ENOTTY && r != -EINVAL)
		return r;
	if (r != IOFD_U_VFIO_API_VERSION)
		return -ENOTTY;
	r = iofd_probe_iommufd(ctx, fd);
	if (r == 0)
		return IOFD_CONTAINER_IOMMUFD;
	return r == -ENOTTY ? IOFD_CONTAINER_VFIO : r;
}

int iofd_probe_type1v2(struct iofd_ctx *ctx, int fd)
{
	int r = iofd_sys_ioctl(ctx, fd, IOFD_U_VFIO_CHECK_EXTENSION,
			       (void *)(unsigned long)IOFD_U_VFIO_TYPE1v2_IOMMU);

	return r < 0 ? r : r > 0;
}
