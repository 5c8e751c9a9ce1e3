/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ask an open fd which kernel interface it is, by the answers it gives. */
#ifndef IOFD_BACKEND_PROBE_H
#define IOFD_BACKEND_PROBE_H

struct iofd_ctx;

/*
 * Is @fd an iommufd? IOMMU_DESTROY of object 0 answers ENOENT on an iommufd
 * (no object has id 0) and is not understood by anything else.
 * Return: 0 yes, -ENOTTY no, -EBADF not open, or the -errno of a call
 * that failed (the question was not answered).
 */
int iofd_probe_iommufd(struct iofd_ctx *ctx, int fd);

/*
 * Is @fd a VFIO container, and whose? VFIO_GET_API_VERSION answers 0 on
 * both VFIO's own container and iommufd's; only iommufd also answers
 * IOMMU_DESTROY.
 * Return: IOFD_CONTAINER_VFIO, IOFD_CONTAINER_IOMMUFD, -ENOTTY neither,
 * -EBADF not open, or the -errno of a call that failed.
 */
int iofd_probe_container(struct iofd_ctx *ctx, int fd);

/* Does the container at @fd offer VFIO_TYPE1v2_IOMMU? 1, 0, or -errno. */
int iofd_probe_type1v2(struct iofd_ctx *ctx, int fd);

#endif
