/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What an IOMMU's capability registers, as sysfs prints them, say about
 * the domains the kernel can build on it. Bit positions are those of the
 * VT-d specification and the AMD IOMMU specification, as Linux 6.12 reads
 * them (drivers/iommu/intel/iommu.h, drivers/iommu/amd/amd_iommu_types.h).
 */
#ifndef IOFD_IOMMU_REGS_H
#define IOFD_IOMMU_REGS_H

#include <stdint.h>

/* VT-d CAP_REG */
#define IOFD_VTD_CAP_SAGAW(c)	(((c) >> 8) & 0x1f)	/* bit n: 30 + 9n bits */
#define IOFD_VTD_CAP_MGAW(c)	((int)(((c) >> 16) & 0x3f) + 1)
#define IOFD_VTD_CAP_SLLPS(c)	(((c) >> 34) & 0xf)	/* bit 0: 2M, bit 1: 1G */
/* VT-d ECAP_REG */
#define IOFD_VTD_ECAP_SC	(1ull << 7)	/* snoop control */
#define IOFD_VTD_ECAP_SMTS	(1ull << 43)	/* scalable mode translation */
#define IOFD_VTD_ECAP_SLADS	(1ull << 45)	/* second-stage access/dirty */
#define IOFD_VTD_ECAP_SMPWC	(1ull << 48)	/* scalable-mode page-walk coherency */
/* AMD Extended Feature Register */
#define IOFD_AMD_EFR_HDSUP	(1ull << 52)	/* host dirty support */

/* 1 when ECAP.SC lets a domain block no-snoop DMA, else 0. */
int iofd_vtd_enforces_coherency(uint64_t ecap);

/* 1 when the kernel can offer dirty tracking on this unit (its
 * ssads_supported(): SMTS, SLADS and SMPWC), else 0. Scalable mode can
 * still be turned off on the kernel command line (intel_iommu=sm_off). */
int iofd_vtd_dirty_tracking(uint64_t ecap);

/* The input address width of the unit's second-stage domains: the widest
 * SAGAW level count up to 5 levels (39, 48 or 57 bits; 30 for 2 levels),
 * capped at MGAW. -ENODATA when SAGAW names no usable width. */
int iofd_vtd_addr_width(uint64_t cap);

/* The page sizes of the second-stage domains 6.12 builds on the unit: 4K,
 * plus 2M and 1G as SLLPS says, read the kernel's way (fls(SLLPS) superpage
 * levels: 1 gives 2M, 2 gives 2M and 1G, more gives none). Superpages can
 * still be turned off on the kernel command line (intel_iommu=sp_off). */
uint64_t iofd_vtd_pgsizes(uint64_t cap);

/* Parse the amd-iommu/features attribute: "EFR:EFR2" in hex (6.12), or
 * just "EFR" (older kernels). @efr2 may be NULL. */
int iofd_amd_parse_features(const char *s, uint64_t *efr, uint64_t *efr2);

/* 1 when EFR.HDSup says the unit tracks dirty pages, else 0. */
int iofd_amd_dirty_tracking(uint64_t efr);

#endif
