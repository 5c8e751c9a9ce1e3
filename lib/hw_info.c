// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What IOMMU translates a bound device, and what that means for placement:
 * IOMMU_GET_HW_INFO's type, registers and capabilities, completed from sysfs
 * where the kernel's answer is silent (6.12 reports AMD and SMMUv3 as type
 * NONE, with only out_capabilities).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "device.h"
#include "iommu_regs.h"
#include "sysfs.h"
#include "uapi/iommufd.h"
#include "uapi/iommufd_test.h"

/* The selftest mock's hw info type (IOMMU_HW_INFO_TYPE_SELFTEST). */
#define HW_INFO_TYPE_SELFTEST 0xfeedbeef

/* The instance behind the device's "iommu" link, and its family from the
 * attributes sysfs shows for it. */
static void from_sysfs(struct iofd_ctx *ctx, const char *syspath, struct iofd_devinfo *info)
{
	char path[PATH_MAX];

	if (!syspath || iofd_path_fmt(path, sizeof(path), "%s/iommu", syspath) < 0 ||
	    iofd_sysfs_link_name(path, info->iommu, sizeof(info->iommu)) < 0) {
		info->iommu[0] = '\0';
		return;
	}
	if (info->type != IOFD_IOMMU_UNKNOWN)
		return;
	if (iofd_path_fmt(path, sizeof(path), "%s/class/iommu/%s/amd-iommu", ctx->sysfs_root,
			  info->iommu) == 0 && iofd_sysfs_exists(path))
		info->type = IOFD_IOMMU_AMD;
	else if (!strncmp(info->iommu, "smmu3.", 6))
		info->type = IOFD_IOMMU_ARM_SMMUV3;
}

void iofd_devinfo_decide(struct iofd_devinfo *info)
{
	switch (info->type) {
	case IOFD_IOMMU_INTEL_VTD:
		info->cc = iofd_vtd_enforces_coherency(info->vtd_ecap);
		snprintf(info->cc_why, sizeof(info->cc_why), "VT-d ECAP.SC=%d (ecap %#llx)",
			 info->cc, (unsigned long long)info->vtd_ecap);
		break;
	case IOFD_IOMMU_AMD:
		info->cc = 1;
		snprintf(info->cc_why, sizeof(info->cc_why), "AMD-Vi always enforces coherency");
		break;
	case IOFD_IOMMU_SELFTEST:
		info->cc = 0;
		snprintf(info->cc_why, sizeof(info->cc_why),
			 "the selftest mock never enforces coherency");
		break;
	default:
		info->cc = -ENODATA;
		snprintf(info->cc_why, sizeof(info->cc_why),
			 "%s does not say whether it enforces coherency",
			 info->type == IOFD_IOMMU_ARM_SMMUV3 ? "ARM SMMUv3" : "the IOMMU");
		break;
	}
}

void iofd_devinfo_from_host(const struct iofd_iommu *iommu, struct iofd_devinfo *info)
{
	memset(info, 0, sizeof(*info));
	if (iommu) {
		info->type = iofd_iommu_type(iommu);
		snprintf(info->iommu, sizeof(info->iommu), "%s", iofd_iommu_name(iommu));
		iofd_iommu_vtd_regs(iommu, &info->vtd_cap, &info->vtd_ecap);
		info->dirty = iofd_iommu_dirty_tracking(iommu) == 1;
	}
	iofd_devinfo_decide(info);
}

int iofd_hw_info_read(struct iofd_ctx *ctx, int iommufd, uint32_t dev_id,
		      const char *syspath, struct iofd_devinfo *info)
{
	struct iofd_u_iommu_hw_info_vtd vtd = { 0 };
	struct iofd_u_iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.data_len = sizeof(vtd),
		.data_uptr = (uintptr_t)&vtd,
	};
	int r = iofd_sys_ioctl(ctx, iommufd, IOFD_U_IOMMU_GET_HW_INFO, &cmd);

	if (r < 0)
		return r;
	memset(info, 0, sizeof(*info));
	switch (cmd.out_data_type) {
	case IOFD_U_IOMMU_HW_INFO_TYPE_INTEL_VTD:
		info->type = IOFD_IOMMU_INTEL_VTD;
		info->vtd_cap = vtd.cap_reg;
		info->vtd_ecap = vtd.ecap_reg;
		break;
	case HW_INFO_TYPE_SELFTEST:
		info->type = IOFD_IOMMU_SELFTEST;
		break;
	default:
		info->type = IOFD_IOMMU_UNKNOWN;
		break;
	}
	info->dirty = cmd.out_capabilities & IOFD_U_IOMMU_HW_CAP_DIRTY_TRACKING;
	from_sysfs(ctx, syspath, info);
	iofd_devinfo_decide(info);
	return 0;
}
