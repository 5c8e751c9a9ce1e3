/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Our own definitions of iommufd's test-only interface (CONFIG_IOMMUFD_TEST,
 * the kernel's drivers/iommu/iommufd/iommufd_test.h, which is not an
 * installed uAPI header), mirroring Linux 6.12 by the same naming rule as
 * "iommufd.h": struct X is struct iofd_u_X, constant X is IOFD_U_X.
 * tests/test_uapi_abi.c checks them against the kernel's file when
 * scripts/kernel-headers.sh has put a copy next to the installed headers.
 *
 * The ABI of this interface is not stable: it changes with the kernel's
 * selftests. Only tests of this library use it.
 */
#ifndef IOFD_UAPI_IOMMUFD_TEST_H
#define IOFD_UAPI_IOMMUFD_TEST_H

#include <stdint.h>

#include "iommufd.h"

/* iommu_test_cmd.op */
enum {
	/* Reserve [start, start + length) in the IOAS id (as a device would). */
	IOFD_U_IOMMU_TEST_OP_ADD_RESERVED = 1,
	/* A mock device attached to IOAS/HWPT id: returns its ids and its HWPT. */
	IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN,
	/* Check that mock HWPT id maps [iova, iova + length) to the pages at uptr. */
	IOFD_U_IOMMU_TEST_OP_MD_CHECK_MAP,
	/* Check the pin count of every page in [uptr, uptr + length). */
	IOFD_U_IOMMU_TEST_OP_MD_CHECK_REFS,
	/* An in-kernel "access" (an emulated device without an IOMMU) on an IOAS. */
	IOFD_U_IOMMU_TEST_OP_CREATE_ACCESS,
	IOFD_U_IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
	IOFD_U_IOMMU_TEST_OP_ACCESS_PAGES,
	IOFD_U_IOMMU_TEST_OP_ACCESS_RW,
	IOFD_U_IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
	/* Move the mock device (id: its stdev id) to pt_id. */
	IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	IOFD_U_IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
	/* MOCK_DOMAIN with dev_flags (MOCK_FLAGS_DEVICE_*). */
	IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
	/* Mark pages of a dirty-tracking mock HWPT dirty. */
	IOFD_U_IOMMU_TEST_OP_DIRTY,
	IOFD_U_IOMMU_TEST_OP_MD_CHECK_IOTLB,
	IOFD_U_IOMMU_TEST_OP_TRIGGER_IOPF,
};

/* The mock IOMMU's aperture. */
enum {
	IOFD_U_MOCK_APERTURE_START = 1 << 24,
	IOFD_U_MOCK_APERTURE_LAST = 0x7fffffff,
};

/* create_access.flags */
enum {
	IOFD_U_MOCK_FLAGS_ACCESS_WRITE = 1 << 0,
	IOFD_U_MOCK_FLAGS_ACCESS_SYZ = 1 << 16,
};

/* access_rw.flags */
enum {
	IOFD_U_MOCK_ACCESS_RW_WRITE = 1 << 0,
	IOFD_U_MOCK_ACCESS_RW_SLOW_PATH = 1 << 2,
};

/* access_pages.flags */
enum {
	IOFD_U_MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES = 1 << 0,
};

/* mock_domain_flags.dev_flags */
enum {
	IOFD_U_MOCK_FLAGS_DEVICE_NO_DIRTY = 1 << 0,
	IOFD_U_MOCK_FLAGS_DEVICE_HUGE_IOVA = 1 << 1,
};

enum {
	IOFD_U_MOCK_NESTED_DOMAIN_IOTLB_ID_MAX = 3,
	IOFD_U_MOCK_NESTED_DOMAIN_IOTLB_NUM = 4,
};

/*
 * IOMMU_TEST_CMD's argument. The kernel requires size to reach "last", so
 * the union has every member, whichever a caller uses.
 */
struct iofd_u_iommu_test_cmd {
	uint32_t size;
	uint32_t op;
	uint32_t id;
	uint32_t __reserved;
	union {
		struct {
			iofd_u_aligned_u64 start;
			iofd_u_aligned_u64 length;
		} add_reserved;
		struct {
			uint32_t out_stdev_id;
			uint32_t out_hwpt_id;
			uint32_t out_idev_id; /* the device id, as from VFIO bind */
		} mock_domain;
		struct {
			uint32_t out_stdev_id;
			uint32_t out_hwpt_id;
			uint32_t out_idev_id;
			uint32_t dev_flags;
		} mock_domain_flags;
		struct {
			uint32_t pt_id;
		} mock_domain_replace;
		struct {
			iofd_u_aligned_u64 iova;
			iofd_u_aligned_u64 length;
			iofd_u_aligned_u64 uptr;
		} check_map;
		struct {
			iofd_u_aligned_u64 length;
			iofd_u_aligned_u64 uptr;
			uint32_t refs;
		} check_refs;
		struct {
			uint32_t out_access_fd;
			uint32_t flags;
		} create_access;
		struct {
			uint32_t access_pages_id;
		} destroy_access_pages;
		struct {
			uint32_t flags;
			uint32_t out_access_pages_id;
			iofd_u_aligned_u64 iova;
			iofd_u_aligned_u64 length;
			iofd_u_aligned_u64 uptr;
		} access_pages;
		struct {
			iofd_u_aligned_u64 iova;
			iofd_u_aligned_u64 length;
			iofd_u_aligned_u64 uptr;
			uint32_t flags;
		} access_rw;
		struct {
			uint32_t limit;
		} memory_limit;
		struct {
			uint32_t ioas_id;
		} access_replace_ioas;
		struct {
			uint32_t flags;
			iofd_u_aligned_u64 iova;
			iofd_u_aligned_u64 length;
			iofd_u_aligned_u64 page_size;
			iofd_u_aligned_u64 uptr;
			iofd_u_aligned_u64 out_nr_dirty;
		} dirty;
		struct {
			uint32_t id;
			uint32_t iotlb;
		} check_iotlb;
		struct {
			uint32_t dev_id;
			uint32_t pasid;
			uint32_t grpid;
			uint32_t perm;
			uint64_t addr;
		} trigger_iopf;
	};
	uint32_t last;
};

/* IOMMU_TEST_CMD (6.2): _IO(';', 0x80 + 32), on /dev/iommu. */
#define IOFD_U_IOMMU_TEST_CMD IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_BASE + 32)

/* IOMMU_GET_HW_INFO on a mock device: this type, with test_reg = SELFTEST_REGVAL. */
#define IOFD_U_IOMMU_HW_INFO_TYPE_SELFTEST	0xfeedbeef
#define IOFD_U_IOMMU_HW_INFO_SELFTEST_REGVAL	0xdeadbeef

struct iofd_u_iommu_test_hw_info {
	uint32_t flags;
	uint32_t test_reg;
};

/* IOMMU_HWPT_ALLOC data_type for a nested mock HWPT, with struct iommu_hwpt_selftest. */
#define IOFD_U_IOMMU_HWPT_DATA_SELFTEST		0xdead
#define IOFD_U_IOMMU_TEST_IOTLB_DEFAULT		0xbadbeef

struct iofd_u_iommu_hwpt_selftest {
	uint32_t iotlb;
};

/* IOMMU_HWPT_INVALIDATE data_type for a nested mock HWPT. */
#define IOFD_U_IOMMU_HWPT_INVALIDATE_DATA_SELFTEST		0xdeadbeef
#define IOFD_U_IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID	0xdadbeef

struct iofd_u_iommu_hwpt_invalidate_selftest {
	uint32_t flags;
	uint32_t iotlb_id;
};
#define IOFD_U_IOMMU_TEST_INVALIDATE_FLAG_ALL (1 << 0)

#endif /* IOFD_UAPI_IOMMUFD_TEST_H */
