// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What each IOMMU driver of Linux 6.12 decides: the capabilities it reports
 * for a device (device_iommu_capable()), the domains it makes
 * (domain_alloc_user(): geometry, page sizes, the flags it refuses) and
 * which devices may use a domain (attach_dev()). The sources are
 * drivers/iommu/intel/iommu.c, amd/iommu.c, arm/arm-smmu-v3/arm-smmu-v3.c
 * and iommufd/selftest.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "uapi/iommufd.h"
#include "uapi/iommufd_test.h"

/* VT-d registers (the VT-d specification; intel/iommu.h reads them so) */
#define VTD_CAP_SAGAW(c)	(((c) >> 8) & 0x1f)
#define VTD_CAP_MGAW(c)		((unsigned int)(((c) >> 16) & 0x3f) + 1)
#define VTD_CAP_SLLPS(c)	(((c) >> 34) & 0xf)
#define VTD_ECAP_SC		(1ull << 7)
#define VTD_ECAP_NEST		(1ull << 26)
#define VTD_ECAP_SMTS		(1ull << 43)
#define VTD_ECAP_SLADS		(1ull << 45)
#define VTD_ECAP_SMPWC		(1ull << 48)
#define AMD_EFR_HDSUP		(1ull << 52)

/* QEMU 7.2's intel-iommu with snoop-control=on, as the lab's VT-d shows it. */
#define QEMU_VTD_CAP		0xd2008c22260206ull
#define QEMU_VTD_ECAP_SC	0xf00fcaull

#define SZ_4K	0x1000ull
#define SZ_2M	0x200000ull
#define SZ_1G	0x40000000ull

static const struct sim_resv x86_msi = { 0xfee00000, 0xfeefffff, "msi" };
static const struct sim_resv amd_ht = { 0xfd00000000ull, 0xffffffffffull, "reserved" };
static const struct sim_resv arm_sw_msi = { 0x8000000, 0x80fffff, "msi" };

/*
 * The width of a unit's second-stage domains: the widest SAGAW level up to
 * 5 levels (30 + 9n bits), capped at MGAW (iommu_calculate_agaw(), then
 * paging_domain_alloc()). 0 when SAGAW names none.
 */
static unsigned int vtd_width(uint64_t cap)
{
	uint64_t sagaw = VTD_CAP_SAGAW(cap);
	unsigned int w = 0;

	for (int agaw = 3; agaw >= 0; agaw--)
		if (sagaw & (1u << agaw)) {
			w = 30 + 9 * (unsigned int)agaw;
			break;
		}
	if (w && w > VTD_CAP_MGAW(cap))
		w = VTD_CAP_MGAW(cap);
	return w;
}

/* 4K, plus what fls(SLLPS) superpage levels give (domain_super_pgsize_bitmap()). */
static uint64_t vtd_pgsizes(uint64_t cap)
{
	uint64_t sllps = VTD_CAP_SLLPS(cap);

	if (sllps >= 2)
		return SZ_4K | SZ_2M | SZ_1G;
	if (sllps == 1)
		return SZ_4K | SZ_2M;
	return SZ_4K;
}

static int set_resv(struct sim_iommu *u, const struct sim_resv *r, unsigned int n)
{
	u->resv = n ? calloc(n, sizeof(*r)) : NULL;
	if (n && !u->resv)
		return -ENOMEM;
	memcpy(u->resv, r, n * sizeof(*r));
	u->nresv = n;
	return 0;
}

static void set_aperture(struct sim_iommu *u, unsigned int width)
{
	u->aperture_start = 0;
	u->aperture_last = width >= 64 ? UINT64_MAX : (1ull << width) - 1;
	if (u->aperture_last > SIM_ULONG_MAX)
		u->aperture_last = SIM_ULONG_MAX;
}

/* How many instances of @type came before: their names count from 0. */
static unsigned int ordinal(const struct iofd_sim *sim, enum iofd_iommu_type type)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < sim->topo->niommus; i++)
		n += sim->topo->iommus[i]->type == type;
	return n;
}

void sim_iommu_setup_mock(struct iofd_sim *sim, struct sim_iommu *u)
{
	u->type = IOFD_IOMMU_SELFTEST;
	u->dirty = true;		/* unless the device says MOCK_FLAGS_DEVICE_NO_DIRTY */
	u->nest_parent = true;
	u->hw_info = true;
	u->aperture_start = IOFD_U_MOCK_APERTURE_START;
	u->aperture_last = IOFD_U_MOCK_APERTURE_LAST;
	u->pgsize_bitmap = sim->page_size / 2;	/* MOCK_IO_PAGE_SIZE */
	if (!u->name[0])
		snprintf(u->name, sizeof(u->name), "iommufd_selftest_iommu.%u",
			 ordinal(sim, IOFD_IOMMU_SELFTEST));
}

int sim_iommu_setup(struct iofd_sim *sim, struct sim_iommu *u,
		    const struct iofd_sim_iommu_opts *o)
{
	unsigned int width = o->addr_width, nth = ordinal(sim, o->type);
	int r = 0;

	if (width && (width < 32 || width > 64))
		return -EINVAL;
	u->type = o->type;
	u->flags = o->flags;
	if (o->name)
		snprintf(u->name, sizeof(u->name), "%s", o->name);
	switch (o->type) {
	case IOFD_IOMMU_INTEL_VTD:
		u->cap = o->vtd_cap;
		u->ecap = o->vtd_ecap;
		if (!u->cap && !u->ecap) {
			u->cap = QEMU_VTD_CAP;
			u->ecap = QEMU_VTD_ECAP_SC;
		}
		if (!vtd_width(u->cap))
			return -EINVAL;
		if (!width)
			width = vtd_width(u->cap);
		u->enforce_cc = u->ecap & VTD_ECAP_SC;
		/* ssads_supported(), nested_supported(): scalable mode needed */
		u->dirty = (u->ecap & VTD_ECAP_SMTS) && (u->ecap & VTD_ECAP_SLADS) &&
			   (u->ecap & VTD_ECAP_SMPWC);
		u->nest_parent = (u->ecap & VTD_ECAP_SMTS) && (u->ecap & VTD_ECAP_NEST);
		u->hw_info = true;
		u->pgsize_bitmap = vtd_pgsizes(u->cap);
		r = set_resv(u, &x86_msi, 1);
		if (!o->name)
			snprintf(u->name, sizeof(u->name), "dmar%u", nth);
		break;
	case IOFD_IOMMU_AMD: {
		const struct sim_resv amd[] = { x86_msi, amd_ht };

		u->efr = o->amd_efr;
		u->enforce_cc = true;
		u->dirty = u->efr & AMD_EFR_HDSUP;
		u->pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G;
		r = set_resv(u, amd, 2);
		if (!o->name)
			snprintf(u->name, sizeof(u->name), "ivhd%u", nth);
		break;
	}
	case IOFD_IOMMU_ARM_SMMUV3:
		u->dirty = o->flags & IOFD_SIM_IOMMU_DIRTY;
		u->pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G;
		r = set_resv(u, &arm_sw_msi, 1);
		if (!o->name)
			snprintf(u->name, sizeof(u->name), "smmu3.0x%016llx",
				 0x9050000ull + 0x20000ull * nth);
		break;
	case IOFD_IOMMU_SELFTEST:
		/* After the kernel's own (iommufd_selftest_iommu.0) when it is there. */
		if (!o->name)
			snprintf(u->name, sizeof(u->name), "iommufd_selftest_iommu.%u",
				 nth + (sim->topo->mock_iommu != NULL));
		sim_iommu_setup_mock(sim, u);
		break;
	default:
		return -EINVAL;
	}
	if (r < 0)
		return r;
	if (o->type != IOFD_IOMMU_SELFTEST)
		set_aperture(u, width ? width : 48);
	if (o->pgsize_bitmap) {
		uint64_t min = o->pgsize_bitmap & -o->pgsize_bitmap;

		if (min > sim->page_size)
			return -EINVAL;
		u->pgsize_bitmap = o->pgsize_bitmap;
	}
	if (o->flags & IOFD_SIM_IOMMU_RESERVED) {
		free(u->resv);
		u->resv = NULL;
		u->nresv = 0;
		if (o->nr_reserved && !o->reserved)
			return -EINVAL;
		for (unsigned int i = 0; i < o->nr_reserved; i++)
			if (o->reserved[i].start > o->reserved[i].last)
				return -EINVAL;
		u->resv = o->nr_reserved ? calloc(o->nr_reserved, sizeof(*u->resv)) : NULL;
		if (o->nr_reserved && !u->resv)
			return -ENOMEM;
		for (unsigned int i = 0; i < o->nr_reserved; i++)
			u->resv[i] = (struct sim_resv){ o->reserved[i].start, o->reserved[i].last,
							"reserved" };
		u->nresv = o->nr_reserved;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * device_iommu_capable()
 */

bool sim_dev_cache_coherency(const struct sim_dev *dev)
{
	/* Every driver here says yes; a device no IOMMU probed has no ops. */
	return dev->iommu != NULL;
}

bool sim_dev_enforce_cc(const struct sim_dev *dev)
{
	if (!dev->iommu)
		return false;
	switch (dev->iommu->type) {
	case IOFD_IOMMU_INTEL_VTD:	/* ecap_sc_support() */
	case IOFD_IOMMU_AMD:		/* always */
		return dev->iommu->enforce_cc;
	case IOFD_IOMMU_ARM_SMMUV3:	/* the firmware's word per device (later kernels) */
		return dev->flags & IOFD_SIM_PCI_COHERENT;
	default:			/* the mock: never */
		return false;
	}
}

bool sim_dev_dirty(const struct sim_dev *dev)
{
	if (!dev->iommu)
		return false;
	if (dev->iommu->type == IOFD_IOMMU_SELFTEST)
		return !(dev->mock_flags & IOFD_U_MOCK_FLAGS_DEVICE_NO_DIRTY);
	return dev->iommu->dirty;
}

bool sim_dev_msi_isolated(const struct sim_dev *dev)
{
	return dev->mock || !dev->iommu || !(dev->iommu->flags & IOFD_SIM_IOMMU_NO_IRQ_REMAP);
}

unsigned int sim_dev_hw_info(const struct sim_dev *dev, uint32_t *type, void *buf, size_t cap)
{
	union {
		struct iofd_u_iommu_hw_info_vtd vtd;
		struct {
			uint32_t flags;
			uint32_t test_reg;
		} mock;			/* struct iommu_test_hw_info */
	} d;
	unsigned int len = 0;

	memset(&d, 0, sizeof(d));
	*type = IOFD_U_IOMMU_HW_INFO_TYPE_NONE;
	if (!dev->iommu || !dev->iommu->hw_info)
		return 0;
	if (dev->iommu->type == IOFD_IOMMU_INTEL_VTD) {
		/* Linux 6.12 sets the SPR17 erratum flag on every unit. */
		d.vtd.flags = IOFD_U_IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17;
		d.vtd.cap_reg = dev->iommu->cap;
		d.vtd.ecap_reg = dev->iommu->ecap;
		*type = IOFD_U_IOMMU_HW_INFO_TYPE_INTEL_VTD;
		len = sizeof(d.vtd);
	} else {
		d.mock.test_reg = IOFD_U_IOMMU_HW_INFO_SELFTEST_REGVAL;
		*type = IOFD_U_IOMMU_HW_INFO_TYPE_SELFTEST;
		len = sizeof(d.mock);
	}
	memcpy(buf, &d, len < cap ? len : cap);
	return len;
}

/* ------------------------------------------------------------------------
 * Domains
 */

int sim_driver_domain_alloc(const struct sim_dev *dev, uint32_t flags, bool user_data,
			    struct sim_hwpt *hwpt)
{
	const struct sim_iommu *u = dev->iommu;
	bool dirty = flags & IOFD_U_IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	bool nest = flags & IOFD_U_IOMMU_HWPT_ALLOC_NEST_PARENT;

	switch (u->type) {
	case IOFD_IOMMU_INTEL_VTD:
		if (nest && !u->nest_parent)
			return -EOPNOTSUPP;
		if (user_data || (dirty && !u->dirty))
			return -EOPNOTSUPP;
		break;
	case IOFD_IOMMU_AMD:
	case IOFD_IOMMU_ARM_SMMUV3:
		if (nest || user_data)
			return -EOPNOTSUPP;
		break;
	default:
		if (user_data || (dirty && !sim_dev_dirty(dev)))
			return -EOPNOTSUPP;
		break;
	}
	hwpt->iommu = u;
	hwpt->nest_parent = nest;
	hwpt->dirty_ops = dirty;
	hwpt->dom.aperture_start = u->aperture_start;
	hwpt->dom.aperture_last = u->aperture_last;
	hwpt->dom.pgsize_bitmap = u->pgsize_bitmap;
	if (dev->mock && (dev->mock_flags & IOFD_U_MOCK_FLAGS_DEVICE_HUGE_IOVA))
		hwpt->dom.pgsize_bitmap |= 512 * u->pgsize_bitmap;	/* MOCK_HUGE_PAGE_SIZE */
	return 0;
}

/* The highest IOVA + 1 the domain maps (VT-d's max_addr). */
static uint64_t domain_max_addr(const struct sim_domain *dom)
{
	uint64_t max = 0;
	struct itree_node *n;

	itree_for_each(n, &dom->map, 0, UINT64_MAX)
		if (n->last + 1 > max)
			max = n->last + 1;
	return max;
}

int sim_driver_attach_check(const struct sim_hwpt *hwpt, const struct sim_dev *dev)
{
	const struct sim_iommu *u = dev->iommu;

	/* __iommu_attach_group(): another driver's domain */
	if (!u || u->type != hwpt->iommu->type)
		return -EINVAL;
	if (hwpt->enforce_cc && !sim_dev_enforce_cc(dev))
		return -EINVAL;
	switch (u->type) {
	case IOFD_IOMMU_INTEL_VTD: {
		/* prepare_domain_attach_device(): a domain may span units */
		uint64_t width = vtd_width(u->cap);

		if (hwpt->dirty_ops && !u->dirty)
			return -EINVAL;
		if (width < 64 && domain_max_addr(&hwpt->dom) > (1ull << width))
			return -EINVAL;
		return 0;
	}
	case IOFD_IOMMU_AMD:
		return hwpt->dirty_ops && !u->dirty ? -EINVAL : 0;
	case IOFD_IOMMU_ARM_SMMUV3:
		/* a domain belongs to the SMMU it was finalised on */
		return hwpt->iommu != u ? -EINVAL : 0;
	default:
		/* mock_domain_nop_attach() */
		return hwpt->dirty_ops && !sim_dev_dirty(dev) ? -EINVAL : 0;
	}
}
