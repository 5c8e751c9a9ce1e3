// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the library reads from an IOMMU's registers: the same bits, read the
 * same way, as Linux 6.12 (drivers/iommu/intel/iommu.h, drivers/iommu/intel/
 * iommu.c paging_domain_alloc(), drivers/iommu/amd/amd_iommu_types.h,
 * drivers/iommu/amd/init.c amd_iommu_show_features()).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "iommu_regs.h"

#define BIT(n) (1ull << (n))
#define SZ_4K BIT(12)
#define SZ_2M BIT(21)
#define SZ_1G BIT(30)

/* QEMU's emulated VT-d (hw/i386/intel_iommu.c, aw-bits=39), snoop control
 * on and off: the values tests/vm reads from a real guest. */
#define QEMU_CAP 0xd2008c22260206ull
#define QEMU_ECAP_SC 0xf00fcaull
#define QEMU_ECAP_NOSC 0xf00f4aull
/* A Tiger Lake client: its GPU's unit, and the unit for the rest. */
#define TGL_GFX_CAP 0x1c0000c40660462ull
#define TGL_GFX_ECAP 0x19e2ff0505eull
#define TGL_CAP 0xd2008c40660462ull
#define TGL_ECAP 0xf050daull
/* A scalable-mode unit with second-stage A/D (fake_sysfs's vtd-mixed dmar1). */
#define SM_ECAP 0x1680000f050daull
/* An AMD Zen 4 EFR and EFR2 as amd-iommu/features prints them. */
#define ZEN4_EFR 0x25bf732fa2295afeull
#define ZEN4_EFR2 0xdull

/* CAP_REG with SAGAW @sagaw and MGAW @mgaw bits (stored as MGAW - 1). */
static uint64_t cap_of(unsigned sagaw, unsigned mgaw)
{
	return ((uint64_t)sagaw << 8) | ((uint64_t)(mgaw - 1) << 16);
}

/* ---- the bit positions, against the 6.12 source ---- */

static void bit_positions_match_linux_6_12(void **state)
{
	/* ecap_sc_support(e) (((e) >> 7) & 0x1) */
	assert_int_equal(IOFD_VTD_ECAP_SC, BIT(7));
	/* ecap_smts(e) (((e) >> 43) & 0x1) */
	assert_int_equal(IOFD_VTD_ECAP_SMTS, BIT(43));
	/* ecap_slads(e) (((e) >> 45) & 0x1) */
	assert_int_equal(IOFD_VTD_ECAP_SLADS, BIT(45));
	/* ecap_smpwc(e) (((e) >> 48) & 0x1) */
	assert_int_equal(IOFD_VTD_ECAP_SMPWC, BIT(48));
	/* cap_sagaw(c) (((c) >> 8) & 0x1f) */
	assert_int_equal(IOFD_VTD_CAP_SAGAW(0x1full << 8), 0x1f);
	assert_int_equal(IOFD_VTD_CAP_SAGAW(~0ull), 0x1f);
	assert_int_equal(IOFD_VTD_CAP_SAGAW(~(0x1full << 8)), 0);
	/* cap_mgaw(c) ((((c) >> 16) & 0x3f) + 1) */
	assert_int_equal(IOFD_VTD_CAP_MGAW(0), 1);
	assert_int_equal(IOFD_VTD_CAP_MGAW(~0ull), 64);
	assert_int_equal(IOFD_VTD_CAP_MGAW(~(0x3full << 16)), 1);
	assert_int_equal(IOFD_VTD_CAP_MGAW(QEMU_CAP), 39);
	/* cap_super_page_val(c) (((c) >> 34) & 0xf) */
	assert_int_equal(IOFD_VTD_CAP_SLLPS(0xfull << 34), 0xf);
	assert_int_equal(IOFD_VTD_CAP_SLLPS(~(0xfull << 34)), 0);
	assert_int_equal(IOFD_VTD_CAP_SLLPS(QEMU_CAP), 3);
	/* FEATURE_HDSUP BIT_ULL(52) */
	assert_int_equal(IOFD_AMD_EFR_HDSUP, BIT(52));
}

/* ---- VT-d snoop control ---- */

static void coherency_is_ecap_sc(void **state)
{
	assert_int_equal(iofd_vtd_enforces_coherency(QEMU_ECAP_SC), 1);
	assert_int_equal(iofd_vtd_enforces_coherency(QEMU_ECAP_NOSC), 0);
	assert_int_equal(iofd_vtd_enforces_coherency(TGL_ECAP), 1);
	assert_int_equal(iofd_vtd_enforces_coherency(TGL_GFX_ECAP), 0);
	assert_int_equal(iofd_vtd_enforces_coherency(0), 0);
	assert_int_equal(iofd_vtd_enforces_coherency(BIT(7)), 1);
	assert_int_equal(iofd_vtd_enforces_coherency(~BIT(7)), 0);
	assert_int_equal(iofd_vtd_enforces_coherency(~0ull), 1);
	/* The neighbours of bit 7 say nothing. */
	assert_int_equal(iofd_vtd_enforces_coherency(BIT(6) | BIT(8)), 0);
}

/* ---- VT-d dirty tracking: ssads_supported() ---- */

static void dirty_tracking_needs_smts_slads_smpwc(void **state)
{
	const uint64_t all = BIT(43) | BIT(45) | BIT(48);

	assert_int_equal(iofd_vtd_dirty_tracking(all), 1);
	assert_int_equal(iofd_vtd_dirty_tracking(~0ull), 1);
	assert_int_equal(iofd_vtd_dirty_tracking(SM_ECAP), 1);
	/* Each one missing is enough to lose it. */
	assert_int_equal(iofd_vtd_dirty_tracking(all & ~BIT(43)), 0);
	assert_int_equal(iofd_vtd_dirty_tracking(all & ~BIT(45)), 0);
	assert_int_equal(iofd_vtd_dirty_tracking(all & ~BIT(48)), 0);
	assert_int_equal(iofd_vtd_dirty_tracking(~0ull & ~BIT(43)), 0);
	assert_int_equal(iofd_vtd_dirty_tracking(~0ull & ~BIT(45)), 0);
	assert_int_equal(iofd_vtd_dirty_tracking(~0ull & ~BIT(48)), 0);
	assert_int_equal(iofd_vtd_dirty_tracking(0), 0);
	/* Legacy-mode units (QEMU's default, older clients) never have it. */
	assert_int_equal(iofd_vtd_dirty_tracking(QEMU_ECAP_SC), 0);
	assert_int_equal(iofd_vtd_dirty_tracking(TGL_ECAP), 0);
	assert_int_equal(iofd_vtd_dirty_tracking(TGL_GFX_ECAP), 0);
	/* Snoop control has nothing to do with it. */
	assert_int_equal(iofd_vtd_dirty_tracking(all | BIT(7)), 1);
	assert_int_equal(iofd_vtd_dirty_tracking(all & ~BIT(7)), 1);
}

/* ---- VT-d address width: the agaw and gaw of paging_domain_alloc() ---- */

static void addr_width_of_real_units(void **state)
{
	/* QEMU: SAGAW 39-bit only, MGAW 39. */
	assert_int_equal(iofd_vtd_addr_width(QEMU_CAP), 39);
	/* Tiger Lake: SAGAW 48-bit, MGAW 39: capped at 39. */
	assert_int_equal(iofd_vtd_addr_width(TGL_GFX_CAP), 39);
	assert_int_equal(iofd_vtd_addr_width(TGL_CAP), 39);
	/* QEMU with aw-bits=48: SAGAW 39|48, MGAW 48. */
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(1) | BIT(2), 48)), 48);
}

static void addr_width_is_widest_sagaw_up_to_57(void **state)
{
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(0), 64)), 30);
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(1), 64)), 39);
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(2), 64)), 48);
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(3), 64)), 57);
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(2) | BIT(3), 57)), 57);
	assert_int_equal(iofd_vtd_addr_width(cap_of(0xf, 64)), 57);
	/* SAGAW bit 4 (66 bits, 6 levels) is reserved: the kernel starts its
	 * search at 57 bits and ignores it. */
	assert_int_equal(iofd_vtd_addr_width(cap_of(0x1f, 64)), 57);
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(4) | BIT(2), 64)), 48);
	/* Lower levels do not matter once a wider one is there. */
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(0) | BIT(2), 64)), 48);
}

static void addr_width_is_capped_by_mgaw(void **state)
{
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(3), 48)), 48);
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(3), 52)), 52);
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(2), 46)), 46);
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(2), 39)), 39);
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(1), 36)), 36);
	/* MGAW above the table width does not widen it. */
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(1), 64)), 39);
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(2), 57)), 48);
	/* Exactly equal. */
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(2), 48)), 48);
}

static void addr_width_without_sagaw_is_enodata(void **state)
{
	assert_int_equal(iofd_vtd_addr_width(0), -ENODATA);
	assert_int_equal(iofd_vtd_addr_width(cap_of(0, 48)), -ENODATA);
	/* Only the reserved 66-bit level: the kernel finds no agaw either. */
	assert_int_equal(iofd_vtd_addr_width(cap_of(BIT(4), 64)), -ENODATA);
	/* Every other bit set, SAGAW clear. */
	assert_int_equal(iofd_vtd_addr_width(~(0x1full << 8)), -ENODATA);
}

/* ---- VT-d page sizes: domain_super_pgsize_bitmap() ---- */

static void pgsizes_follow_sllps(void **state)
{
	assert_int_equal(iofd_vtd_pgsizes(0), SZ_4K);
	assert_int_equal(iofd_vtd_pgsizes(1ull << 34), SZ_4K | SZ_2M);
	assert_int_equal(iofd_vtd_pgsizes(3ull << 34), SZ_4K | SZ_2M | SZ_1G);
	assert_int_equal(iofd_vtd_pgsizes(QEMU_CAP), SZ_4K | SZ_2M | SZ_1G);
	assert_int_equal(iofd_vtd_pgsizes(TGL_CAP), SZ_4K | SZ_2M | SZ_1G);
	/* Other fields do not leak in. */
	assert_int_equal(iofd_vtd_pgsizes(~(0xfull << 34)), SZ_4K);
}

static void pgsizes_read_sllps_as_the_kernel_does(void **state)
{
	/* fls(SLLPS) levels: 1G alone still means two levels, 2M and 1G. */
	assert_int_equal(iofd_vtd_pgsizes(2ull << 34), SZ_4K | SZ_2M | SZ_1G);
	/* A reserved bit (512G, 1T) makes 3 or 4 levels, which 6.12's
	 * domain_super_pgsize_bitmap() maps to no superpage at all. */
	assert_int_equal(iofd_vtd_pgsizes(4ull << 34), SZ_4K);
	assert_int_equal(iofd_vtd_pgsizes(7ull << 34), SZ_4K);
	assert_int_equal(iofd_vtd_pgsizes(0xfull << 34), SZ_4K);
}

/* ---- AMD: amd-iommu/features and HDSup ---- */

static void amd_features_efr_and_efr2(void **state)
{
	uint64_t efr = 1, efr2 = 1;

	/* 6.12: "%llx:%llx\n" (the trailing newline is gone by now) */
	assert_int_equal(iofd_amd_parse_features("25bf732fa2295afe:d", &efr, &efr2), 0);
	assert_int_equal(efr, ZEN4_EFR);
	assert_int_equal(efr2, ZEN4_EFR2);
	assert_int_equal(iofd_amd_parse_features("0:0", &efr, &efr2), 0);
	assert_int_equal(efr, 0);
	assert_int_equal(efr2, 0);
	assert_int_equal(iofd_amd_parse_features("ffffffffffffffff:ffffffffffffffff", &efr,
						  &efr2), 0);
	assert_int_equal(efr, UINT64_MAX);
	assert_int_equal(efr2, UINT64_MAX);
	assert_int_equal(iofd_amd_parse_features("ABCDEF:12", &efr, &efr2), 0);
	assert_int_equal(efr, 0xabcdef);
	assert_int_equal(efr2, 0x12);
	/* Leading zeros are only zeros, however many. */
	assert_int_equal(iofd_amd_parse_features(
		"00000000000000000000000000000000000000000000000000000000000000000000000010:"
		"0000000000000000000000000000000000000000000000000000000000000000000000000002",
		&efr, &efr2), 0);
	assert_int_equal(efr, 0x10);
	assert_int_equal(efr2, 2);
	/* @efr2 may be NULL. */
	efr = 0;
	assert_int_equal(iofd_amd_parse_features("10:20", &efr, NULL), 0);
	assert_int_equal(efr, 0x10);
}

static void amd_features_efr_alone(void **state)
{
	uint64_t efr = 0, efr2 = 7;

	/* Kernels before EFR2 was shown print "%llx" only: EFR2 is then 0. */
	assert_int_equal(iofd_amd_parse_features("25bf732fa2295afe", &efr, &efr2), 0);
	assert_int_equal(efr, ZEN4_EFR);
	assert_int_equal(efr2, 0);
	assert_int_equal(iofd_amd_parse_features("0", &efr, &efr2), 0);
	assert_int_equal(efr, 0);
}

static void amd_features_garbage_is_einval(void **state)
{
	static const char *const bad[] = {
		"", ":", "1:", ":1", "1:2:3", "xyz", "12g4", "1 :2", " 1:2", "1: 2",
		"-1", "+1", "1.0", "1:2 ", "0x", "1:0x", "\t", "1;2",
	};
	uint64_t efr = 0x5a, efr2 = 0xa5;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (iofd_amd_parse_features(bad[i], &efr, &efr2) != -EINVAL)
			fail_msg("\"%s\" was not rejected with -EINVAL", bad[i]);
		/* Out-parameters are untouched on failure. */
		assert_int_equal(efr, 0x5a);
		assert_int_equal(efr2, 0xa5);
	}
	assert_int_equal(iofd_amd_parse_features(NULL, &efr, &efr2), -EINVAL);
	assert_int_equal(iofd_amd_parse_features("1:2", NULL, &efr2), -EINVAL);
	assert_int_equal(efr2, 0xa5);
}

static void amd_features_overflow_is_erange(void **state)
{
	uint64_t efr = 0x5a, efr2 = 0xa5;

	assert_int_equal(iofd_amd_parse_features("10000000000000000", &efr, &efr2), -ERANGE);
	assert_int_equal(iofd_amd_parse_features("10000000000000000:0", &efr, &efr2), -ERANGE);
	assert_int_equal(iofd_amd_parse_features("0:10000000000000000", &efr, &efr2), -ERANGE);
	assert_int_equal(iofd_amd_parse_features("ffffffffffffffff0:1", &efr, &efr2), -ERANGE);
	/* However long the field: overflow, not a malformed string. */
	assert_int_equal(iofd_amd_parse_features(
		"1000000000000000000000000000000000000000000000000000000000000000000000:0",
		&efr, &efr2), -ERANGE);
	assert_int_equal(iofd_amd_parse_features(
		"0:1000000000000000000000000000000000000000000000000000000000000000000000",
		&efr, &efr2), -ERANGE);
	assert_int_equal(efr, 0x5a);
	assert_int_equal(efr2, 0xa5);
}

static void amd_dirty_tracking_is_hdsup(void **state)
{
	assert_int_equal(iofd_amd_dirty_tracking(ZEN4_EFR), 1);
	assert_int_equal(iofd_amd_dirty_tracking(BIT(52)), 1);
	assert_int_equal(iofd_amd_dirty_tracking(~0ull), 1);
	assert_int_equal(iofd_amd_dirty_tracking(0), 0);
	assert_int_equal(iofd_amd_dirty_tracking(~BIT(52)), 0);
	/* HASup (bit 49, access bits) alone is not dirty tracking. */
	assert_int_equal(iofd_amd_dirty_tracking(BIT(49)), 0);
	assert_int_equal(iofd_amd_dirty_tracking(ZEN4_EFR & ~BIT(52)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bit_positions_match_linux_6_12),
		cmocka_unit_test(coherency_is_ecap_sc),
		cmocka_unit_test(dirty_tracking_needs_smts_slads_smpwc),
		cmocka_unit_test(addr_width_of_real_units),
		cmocka_unit_test(addr_width_is_widest_sagaw_up_to_57),
		cmocka_unit_test(addr_width_is_capped_by_mgaw),
		cmocka_unit_test(addr_width_without_sagaw_is_enodata),
		cmocka_unit_test(pgsizes_follow_sllps),
		cmocka_unit_test(pgsizes_read_sllps_as_the_kernel_does),
		cmocka_unit_test(amd_features_efr_and_efr2),
		cmocka_unit_test(amd_features_efr_alone),
		cmocka_unit_test(amd_features_garbage_is_einval),
		cmocka_unit_test(amd_features_overflow_is_erange),
		cmocka_unit_test(amd_dirty_tracking_is_hdsup),
	};

	return cmocka_run_group_tests_name("iommu-regs", tests, NULL, NULL);
}
