// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What came in which kernel release: the one table behind
 * iofd_sim_opts.kernel_version. The iommufd rows are its uAPI header's
 * history (include/uapi/linux/iommufd.h), the type1 rows
 * vfio_iommu_type1.c's; everything not named here answers as 6.12 does
 * in every version.
 */
#include "kversion.h"
#include "uapi/iommufd.h"
#include "uapi/iommufd_test.h"
#include "uapi/vfio.h"

static const struct {
	uint32_t key;		/* an ioctl number, or an enum sim_kfeat */
	uint32_t since;
} table[] = {
	/* VFIO's type1 IOMMU */
	{ IOFD_U_VFIO_IOMMU_DIRTY_PAGES, SIM_KV(5, 8) },
	{ SIM_KF_T1_DIRTY_BITMAP, SIM_KV(5, 8) },
	{ SIM_KF_T1_MIGRATION_CAP, SIM_KV(5, 8) },
	{ SIM_KF_T1_DMA_AVAIL_CAP, SIM_KV(5, 10) },
	{ SIM_KF_T1_UNMAP_ALL, SIM_KV(5, 12) },
	{ SIM_KF_T1_UPDATE_VADDR, SIM_KV(5, 12) },
	/* iommufd */
	{ SIM_KF_IOMMUFD, SIM_KV(6, 2) },
	{ IOFD_U_IOMMU_DESTROY, SIM_KV(6, 2) },
	{ IOFD_U_IOMMU_IOAS_ALLOC, SIM_KV(6, 2) },
	{ IOFD_U_IOMMU_IOAS_ALLOW_IOVAS, SIM_KV(6, 2) },
	{ IOFD_U_IOMMU_IOAS_COPY, SIM_KV(6, 2) },
	{ IOFD_U_IOMMU_IOAS_IOVA_RANGES, SIM_KV(6, 2) },
	{ IOFD_U_IOMMU_IOAS_MAP, SIM_KV(6, 2) },
	{ IOFD_U_IOMMU_IOAS_UNMAP, SIM_KV(6, 2) },
	{ IOFD_U_IOMMU_OPTION, SIM_KV(6, 2) },
	{ IOFD_U_IOMMU_VFIO_IOAS, SIM_KV(6, 2) },
	{ IOFD_U_IOMMU_TEST_CMD, SIM_KV(6, 2) },
	{ SIM_KF_VFIO_CDEV, SIM_KV(6, 6) },
	{ IOFD_U_VFIO_DEVICE_BIND_IOMMUFD, SIM_KV(6, 6) },
	{ IOFD_U_IOMMU_HWPT_ALLOC, SIM_KV(6, 6) },
	{ IOFD_U_IOMMU_GET_HW_INFO, SIM_KV(6, 6) },
	{ SIM_KF_HWPT_ALLOC_USER, SIM_KV(6, 7) },
	{ SIM_KF_HW_INFO_CAPS, SIM_KV(6, 7) },
	{ IOFD_U_IOMMU_HWPT_SET_DIRTY_TRACKING, SIM_KV(6, 7) },
	{ IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP, SIM_KV(6, 7) },
	{ IOFD_U_IOMMU_HWPT_INVALIDATE, SIM_KV(6, 8) },
	{ IOFD_U_IOMMU_FAULT_QUEUE_ALLOC, SIM_KV(6, 11) },
	{ SIM_KF_HWPT_FAULT_ID, SIM_KV(6, 11) },
};

bool sim_kversion_has(uint32_t version, uint32_t what)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].key == what)
			return version >= table[i].since;
	return true;
}

bool sim_kernel_has(const struct iofd_sim *sim, uint32_t what)
{
	return sim_kversion_has(sim->kversion, what);
}

uint32_t sim_kversion(uint32_t v)
{
	if (!v)
		return SIM_KV_DEFAULT;
	/* The patch level does not matter. */
	v &= ~0xffu;
	return v >= SIM_KV_OLDEST && v <= SIM_KV_DEFAULT ? v : 0;
}
