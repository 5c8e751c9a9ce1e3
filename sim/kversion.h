/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which kernel the simulator is (iofd_sim_opts.kernel_version). One table
 * (kversion.c) says in which release each ioctl, and each feature that is
 * not an ioctl of its own, came; the code that differs asks it by key
 * (sim_kernel_has), so a version is a row, never an if on a number.
 */
#ifndef IOFD_SIM_KVERSION_H
#define IOFD_SIM_KVERSION_H

#include "sim.h"

#define SIM_KV(a, b) IOFD_SIM_KERNEL_VERSION(a, b, 0)
#define SIM_KV_DEFAULT SIM_KV(6, 12)	/* the specification */
#define SIM_KV_OLDEST SIM_KV(5, 4)

/* Keys for what is not an ioctl number (iommufd's and VFIO's ioctls are
 * type ';': every number is at least 0x3b00). */
enum sim_kfeat {
	SIM_KF_T1_MIGRATION_CAP = 1,	/* type1 GET_INFO: MIGRATION capability */
	SIM_KF_T1_DMA_AVAIL_CAP,	/* type1 GET_INFO: DMA_AVAIL capability */
	SIM_KF_T1_UNMAP_ALL,		/* VFIO_UNMAP_ALL: UNMAP_DMA's FLAG_ALL */
	SIM_KF_T1_UPDATE_VADDR,		/* VFIO_UPDATE_VADDR: the VADDR flags */
	SIM_KF_T1_DIRTY_BITMAP,		/* UNMAP_DMA's GET_DIRTY_BITMAP flag */
	SIM_KF_IOMMUFD,			/* /dev/iommu; groups in an iommufd;
					 * CONFIG_IOMMUFD_VFIO_CONTAINER */
	SIM_KF_VFIO_CDEV,		/* VFIO device cdevs */
	SIM_KF_HWPT_ALLOC_USER,		/* HWPT_ALLOC's flags and driver data */
	SIM_KF_HW_INFO_CAPS,		/* GET_HW_INFO's out_capabilities */
	SIM_KF_HWPT_FAULT_ID,		/* HWPT_ALLOC's fault_id, FAULT_ID_VALID */
};

/* Does the simulated kernel have @what: an ioctl number or a SIM_KF_*?
 * Anything the table does not name is there in every version. */
bool sim_kernel_has(const struct iofd_sim *sim, uint32_t what);
/* The same for kernel @version (a sim_kversion() answer). */
bool sim_kversion_has(uint32_t version, uint32_t what);

/* The version @v (0: the default) stands for, or 0 when the table does not
 * cover it (below SIM_KV_OLDEST, above SIM_KV_DEFAULT). */
uint32_t sim_kversion(uint32_t v);

#endif
