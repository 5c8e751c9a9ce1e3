/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Our own definitions of the iommufd uAPI (/dev/iommu), mirroring the ABI of
 * Linux 6.12 (Debian's linux-source-6.12) by one naming rule: the kernel's
 * struct X is struct iofd_u_X with the same field names, its macro or enum
 * constant X is IOFD_U_X. Written from the documented ABI, so the library
 * builds without new kernel headers; tests/test_uapi_abi.c checks every
 * size, offset, constant and ioctl number against the kernel's headers.
 *
 * Also here: the ioctl number encoding (IOFD_U_IO...) and the 8-byte
 * aligned u64, shared with "vfio.h" and "iommufd_test.h".
 *
 * Every iommufd ioctl takes a struct whose first field is "u32 size"; the
 * kernel accepts any size from the last mandatory field on, and a larger one
 * whose extra bytes are zero. (6.x) says which kernel release added an item.
 */
#ifndef IOFD_UAPI_IOMMUFD_H
#define IOFD_UAPI_IOMMUFD_H

#include <stdint.h>

/* ------------------------------------------------------------------------
 * ioctl number encoding: the kernel's _IOC, without <linux/ioctl.h>.
 * A number is dir | size | type | nr, from the top bit down; nr and type
 * take 8 bits each everywhere, size and dir differ by architecture.
 */
#if defined(__alpha__) || defined(__mips__) || defined(__powerpc__) || defined(__sparc__)
#define IOFD_U_IOC_SIZEBITS	13
#define IOFD_U_IOC_DIRBITS	3
#define IOFD_U_IOC_NONE		1u
#define IOFD_U_IOC_READ		2u
#define IOFD_U_IOC_WRITE	4u
#elif defined(__hppa__)
#define IOFD_U_IOC_SIZEBITS	14
#define IOFD_U_IOC_DIRBITS	2
#define IOFD_U_IOC_NONE		0u
#define IOFD_U_IOC_READ		1u
#define IOFD_U_IOC_WRITE	2u
#else /* asm-generic: x86, arm, arm64, riscv, s390, loongarch, ... */
#define IOFD_U_IOC_SIZEBITS	14
#define IOFD_U_IOC_DIRBITS	2
#define IOFD_U_IOC_NONE		0u
#define IOFD_U_IOC_READ		2u
#define IOFD_U_IOC_WRITE	1u
#endif
#define IOFD_U_IOC_NRBITS	8
#define IOFD_U_IOC_TYPEBITS	8
#define IOFD_U_IOC_NRSHIFT	0
#define IOFD_U_IOC_TYPESHIFT	(IOFD_U_IOC_NRSHIFT + IOFD_U_IOC_NRBITS)
#define IOFD_U_IOC_SIZESHIFT	(IOFD_U_IOC_TYPESHIFT + IOFD_U_IOC_TYPEBITS)
#define IOFD_U_IOC_DIRSHIFT	(IOFD_U_IOC_SIZESHIFT + IOFD_U_IOC_SIZEBITS)

#define IOFD_U_IOC(dir, type, nr, size)                                     \
	((unsigned int)(((unsigned int)(dir) << IOFD_U_IOC_DIRSHIFT) |     \
			((unsigned int)(type) << IOFD_U_IOC_TYPESHIFT) |   \
			((unsigned int)(nr) << IOFD_U_IOC_NRSHIFT) |       \
			((unsigned int)(size) << IOFD_U_IOC_SIZESHIFT)))
/* No argument struct in the number: every iommufd and VFIO ioctl. */
#define IOFD_U_IO(type, nr)		IOFD_U_IOC(IOFD_U_IOC_NONE, type, nr, 0)
#define IOFD_U_IOR(type, nr, argtype)	IOFD_U_IOC(IOFD_U_IOC_READ, type, nr, sizeof(argtype))
#define IOFD_U_IOW(type, nr, argtype)	IOFD_U_IOC(IOFD_U_IOC_WRITE, type, nr, sizeof(argtype))
#define IOFD_U_IOWR(type, nr, argtype)                                      \
	IOFD_U_IOC(IOFD_U_IOC_READ | IOFD_U_IOC_WRITE, type, nr, sizeof(argtype))

/* Decoding, as _IOC_DIR/_IOC_TYPE/_IOC_NR/_IOC_SIZE. */
#define IOFD_U_IOC_FIELD(n, shift, bits) (((unsigned int)(n) >> (shift)) & ((1u << (bits)) - 1))
#define IOFD_U_IOC_DIR(n)	IOFD_U_IOC_FIELD(n, IOFD_U_IOC_DIRSHIFT, IOFD_U_IOC_DIRBITS)
#define IOFD_U_IOC_TYPE(n)	IOFD_U_IOC_FIELD(n, IOFD_U_IOC_TYPESHIFT, IOFD_U_IOC_TYPEBITS)
#define IOFD_U_IOC_NR(n)	IOFD_U_IOC_FIELD(n, IOFD_U_IOC_NRSHIFT, IOFD_U_IOC_NRBITS)
#define IOFD_U_IOC_SIZE(n)	IOFD_U_IOC_FIELD(n, IOFD_U_IOC_SIZESHIFT, IOFD_U_IOC_SIZEBITS)

/* The kernel's __aligned_u64: 8-byte aligned on every ABI (also i386). */
typedef uint64_t iofd_u_aligned_u64 __attribute__((aligned(8)));

/* ------------------------------------------------------------------------
 * Command numbers. Type ';' is VFIO's; iommufd takes its NRs from 0x80.
 */
#define IOFD_U_IOMMUFD_TYPE (';')

enum {
	IOFD_U_IOMMUFD_CMD_BASE = 0x80,
	IOFD_U_IOMMUFD_CMD_DESTROY = IOFD_U_IOMMUFD_CMD_BASE,
	IOFD_U_IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOFD_U_IOMMUFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IOFD_U_IOMMUFD_CMD_IOAS_COPY = 0x83,
	IOFD_U_IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOFD_U_IOMMUFD_CMD_IOAS_MAP = 0x85,
	IOFD_U_IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	IOFD_U_IOMMUFD_CMD_OPTION = 0x87,
	IOFD_U_IOMMUFD_CMD_VFIO_IOAS = 0x88,
	IOFD_U_IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	IOFD_U_IOMMUFD_CMD_GET_HW_INFO = 0x8a,
	IOFD_U_IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IOFD_U_IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	IOFD_U_IOMMUFD_CMD_HWPT_INVALIDATE = 0x8d,
	IOFD_U_IOMMUFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,
};

/* ------------------------------------------------------------------------
 * IOMMU_DESTROY (6.2): destroy any object (IOAS, HWPT, fault queue) by id.
 * ENOENT for an unknown id, EBUSY while the object is in use.
 */
struct iofd_u_iommu_destroy {
	uint32_t size;
	uint32_t id;
};
#define IOFD_U_IOMMU_DESTROY IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_DESTROY)

/* IOMMU_IOAS_ALLOC (6.2): a new, empty I/O address space; flags must be 0. */
struct iofd_u_iommu_ioas_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};
#define IOFD_U_IOMMU_IOAS_ALLOC IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_IOAS_ALLOC)

/* One IOVA range, both ends inclusive. */
struct iofd_u_iommu_iova_range {
	iofd_u_aligned_u64 start;
	iofd_u_aligned_u64 last;
};

/*
 * IOMMU_IOAS_IOVA_RANGES (6.2): the ranges the IOAS can map now. With
 * num_iovas too small the kernel writes what fits, sets num_iovas to the
 * total and fails with EMSGSIZE: call again with a larger array.
 * allowed_iovas points to struct iofd_u_iommu_iova_range[num_iovas].
 */
struct iofd_u_iommu_ioas_iova_ranges {
	uint32_t size;
	uint32_t ioas_id;
	uint32_t num_iovas;
	uint32_t __reserved;
	iofd_u_aligned_u64 allowed_iovas;
	iofd_u_aligned_u64 out_iova_alignment;
};
#define IOFD_U_IOMMU_IOAS_IOVA_RANGES \
	IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_IOAS_IOVA_RANGES)

/*
 * IOMMU_IOAS_ALLOW_IOVAS (6.2): restrict the IOVAs the kernel may pick (and
 * that attached devices must accept) to these ranges; 0 ranges: no limit.
 */
struct iofd_u_iommu_ioas_allow_iovas {
	uint32_t size;
	uint32_t ioas_id;
	uint32_t num_iovas;
	uint32_t __reserved;
	iofd_u_aligned_u64 allowed_iovas;
};
#define IOFD_U_IOMMU_IOAS_ALLOW_IOVAS \
	IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_IOAS_ALLOW_IOVAS)

/* IOMMU_IOAS_MAP and IOMMU_IOAS_COPY flags. */
enum iofd_u_iommufd_ioas_map_flags {
	IOFD_U_IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
	IOFD_U_IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
	IOFD_U_IOMMU_IOAS_MAP_READABLE = 1 << 2,
};

/*
 * IOMMU_IOAS_MAP (6.2): map user memory. Without FIXED_IOVA the kernel picks
 * the IOVA and returns it in iova. EEXIST when the range is already mapped.
 */
struct iofd_u_iommu_ioas_map {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	uint32_t __reserved;
	iofd_u_aligned_u64 user_va;
	iofd_u_aligned_u64 length;
	iofd_u_aligned_u64 iova;
};
#define IOFD_U_IOMMU_IOAS_MAP IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_IOAS_MAP)

/*
 * IOMMU_IOAS_COPY (6.2): map in dst what is mapped in src at src_iova,
 * sharing the pinned pages (no second pin or accounting).
 */
struct iofd_u_iommu_ioas_copy {
	uint32_t size;
	uint32_t flags;
	uint32_t dst_ioas_id;
	uint32_t src_ioas_id;
	iofd_u_aligned_u64 length;
	iofd_u_aligned_u64 dst_iova;
	iofd_u_aligned_u64 src_iova;
};
#define IOFD_U_IOMMU_IOAS_COPY IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_IOAS_COPY)

/*
 * IOMMU_IOAS_UNMAP (6.2): unmap whole areas inside [iova, iova + length);
 * iova 0 with length UINT64_MAX unmaps everything. length returns what was
 * unmapped. ENOENT when an area is cut or nothing is mapped.
 */
struct iofd_u_iommu_ioas_unmap {
	uint32_t size;
	uint32_t ioas_id;
	iofd_u_aligned_u64 iova;
	iofd_u_aligned_u64 length;
};
#define IOFD_U_IOMMU_IOAS_UNMAP IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_IOAS_UNMAP)

/*
 * IOMMU_OPTION (6.2): get or set an option. RLIMIT_MODE (object_id 0, global
 * to the fd, needs CAP_SYS_RESOURCE to set): 0 charges RLIMIT_MEMLOCK per
 * user, 1 per process. HUGE_PAGES (object_id: an IOAS): 1 allows huge IOPTEs.
 */
enum iofd_u_iommufd_option {
	IOFD_U_IOMMU_OPTION_RLIMIT_MODE = 0,
	IOFD_U_IOMMU_OPTION_HUGE_PAGES = 1,
};

enum iofd_u_iommufd_option_ops {
	IOFD_U_IOMMU_OPTION_OP_SET = 0,
	IOFD_U_IOMMU_OPTION_OP_GET = 1,
};

struct iofd_u_iommu_option {
	uint32_t size;
	uint32_t option_id;
	uint16_t op;
	uint16_t __reserved;
	uint32_t object_id;
	iofd_u_aligned_u64 val64;
};
#define IOFD_U_IOMMU_OPTION IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_OPTION)

/*
 * IOMMU_VFIO_IOAS (6.2): get, set or clear the IOAS that the VFIO type1
 * compatibility ioctls (a VFIO container that is this iommufd) use.
 */
enum iofd_u_iommufd_vfio_ioas_op {
	IOFD_U_IOMMU_VFIO_IOAS_GET = 0,
	IOFD_U_IOMMU_VFIO_IOAS_SET = 1,
	IOFD_U_IOMMU_VFIO_IOAS_CLEAR = 2,
};

struct iofd_u_iommu_vfio_ioas {
	uint32_t size;
	uint32_t ioas_id;
	uint16_t op;
	uint16_t __reserved;
};
#define IOFD_U_IOMMU_VFIO_IOAS IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_VFIO_IOAS)

/* ------------------------------------------------------------------------
 * Hardware page tables (HWPT)
 */

/*
 * IOMMU_HWPT_ALLOC flags: NEST_PARENT and DIRTY_TRACKING since 6.7,
 * FAULT_ID_VALID (fault_id names a fault queue) since 6.11.
 */
enum iofd_u_iommufd_hwpt_alloc_flags {
	IOFD_U_IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,
	IOFD_U_IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1,
	IOFD_U_IOMMU_HWPT_FAULT_ID_VALID = 1 << 2,
};

/* Intel VT-d stage-1 (guest) page table for a nested HWPT (6.8). */
enum iofd_u_iommu_hwpt_vtd_s1_flags {
	IOFD_U_IOMMU_VTD_S1_SRE = 1 << 0,
	IOFD_U_IOMMU_VTD_S1_EAFE = 1 << 1,
	IOFD_U_IOMMU_VTD_S1_WPE = 1 << 2,
};

struct iofd_u_iommu_hwpt_vtd_s1 {
	iofd_u_aligned_u64 flags;
	iofd_u_aligned_u64 pgtbl_addr;
	uint32_t addr_width;
	uint32_t __reserved;
};

/* iommu_hwpt_alloc.data_type: NONE allocates a paging (IOAS-backed) HWPT. */
enum iofd_u_iommu_hwpt_data_type {
	IOFD_U_IOMMU_HWPT_DATA_NONE = 0,
	IOFD_U_IOMMU_HWPT_DATA_VTD_S1 = 1,
};

/*
 * IOMMU_HWPT_ALLOC (6.6): a HWPT for device dev_id (a bound device), on
 * pt_id (an IOAS: a paging HWPT that mirrors the IOAS; or a NEST_PARENT
 * HWPT with data_type/data: a nested one). data_* since 6.7, fault_id 6.11.
 */
struct iofd_u_iommu_hwpt_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t dev_id;
	uint32_t pt_id;
	uint32_t out_hwpt_id;
	uint32_t __reserved;
	uint32_t data_type;
	uint32_t data_len;
	iofd_u_aligned_u64 data_uptr;
	uint32_t fault_id;
	uint32_t __reserved2;
};
#define IOFD_U_IOMMU_HWPT_ALLOC IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_HWPT_ALLOC)

/*
 * Intel VT-d hardware info (IOMMU_HW_INFO_TYPE_INTEL_VTD): the raw
 * capability registers. ecap_reg bit 7 (SC, snoop control) means the
 * IOMMU can enforce cache coherency.
 */
enum iofd_u_iommu_hw_info_vtd_flags {
	IOFD_U_IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0,
};

struct iofd_u_iommu_hw_info_vtd {
	uint32_t flags;
	uint32_t __reserved;
	iofd_u_aligned_u64 cap_reg;
	iofd_u_aligned_u64 ecap_reg;
};

/* iommu_hw_info.out_data_type. 6.12 has none for ARM SMMUv3 or AMD. */
enum iofd_u_iommu_hw_info_type {
	IOFD_U_IOMMU_HW_INFO_TYPE_NONE = 0,
	IOFD_U_IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
};

/* iommu_hw_info.out_capabilities (6.7; the PASID bits came with the field below). */
enum iofd_u_iommufd_hw_capabilities {
	IOFD_U_IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
	IOFD_U_IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
	IOFD_U_IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
};

/*
 * IOMMU_GET_HW_INFO (6.6): what the IOMMU behind a bound device is: its
 * type-specific data copied to data_uptr (data_len in: buffer size, out:
 * the kernel's size) and, since 6.7, out_capabilities.
 * out_max_pasid_log2 took the first byte of a u32 __reserved: it is in
 * Debian's 6.12 (a backport) but not in mainline 6.12.0.
 */
struct iofd_u_iommu_hw_info {
	uint32_t size;
	uint32_t flags;
	uint32_t dev_id;
	uint32_t data_len;
	iofd_u_aligned_u64 data_uptr;
	uint32_t out_data_type;
	uint8_t out_max_pasid_log2;
	uint8_t __reserved[3];
	iofd_u_aligned_u64 out_capabilities;
};
#define IOFD_U_IOMMU_GET_HW_INFO IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_GET_HW_INFO)

/*
 * IOMMU_HWPT_SET_DIRTY_TRACKING (6.7): start (flags ENABLE) or stop dirty
 * tracking on a HWPT allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING.
 */
enum iofd_u_iommufd_hwpt_set_dirty_tracking_flags {
	IOFD_U_IOMMU_HWPT_DIRTY_TRACKING_ENABLE = 1,
};

struct iofd_u_iommu_hwpt_set_dirty_tracking {
	uint32_t size;
	uint32_t flags;
	uint32_t hwpt_id;
	uint32_t __reserved;
};
#define IOFD_U_IOMMU_HWPT_SET_DIRTY_TRACKING \
	IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING)

/*
 * IOMMU_HWPT_GET_DIRTY_BITMAP (6.7): read (and, without NO_CLEAR, clear)
 * the dirty bits of [iova, iova + length) into the bitmap at data, one bit
 * per page_size; iova and page_size-aligned.
 */
enum iofd_u_iommufd_hwpt_get_dirty_bitmap_flags {
	IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1,
};

struct iofd_u_iommu_hwpt_get_dirty_bitmap {
	uint32_t size;
	uint32_t hwpt_id;
	uint32_t flags;
	uint32_t __reserved;
	iofd_u_aligned_u64 iova;
	iofd_u_aligned_u64 length;
	iofd_u_aligned_u64 page_size;
	iofd_u_aligned_u64 data;
};
#define IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP \
	IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)

/*
 * IOMMU_HWPT_INVALIDATE (6.8): flush a nested HWPT's caches with an array
 * of entry_num driver-specific entries of entry_len bytes each; entry_num
 * returns how many were handled.
 */
enum iofd_u_iommu_hwpt_invalidate_data_type {
	IOFD_U_IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0,
};

enum iofd_u_iommu_hwpt_vtd_s1_invalidate_flags {
	IOFD_U_IOMMU_VTD_INV_FLAGS_LEAF = 1 << 0,
};

struct iofd_u_iommu_hwpt_vtd_s1_invalidate {
	iofd_u_aligned_u64 addr;
	iofd_u_aligned_u64 npages;
	uint32_t flags;
	uint32_t __reserved;
};

struct iofd_u_iommu_hwpt_invalidate {
	uint32_t size;
	uint32_t hwpt_id;
	iofd_u_aligned_u64 data_uptr;
	uint32_t data_type;
	uint32_t entry_len;
	uint32_t entry_num;
	uint32_t __reserved;
};
#define IOFD_U_IOMMU_HWPT_INVALIDATE \
	IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_HWPT_INVALIDATE)

/* ------------------------------------------------------------------------
 * IOMMU_FAULT_QUEUE_ALLOC (6.11): a queue of I/O page faults, read from
 * out_fault_fd as struct iofd_u_iommu_hwpt_pgfault and answered by writing
 * struct iofd_u_iommu_hwpt_page_response. A HWPT allocated with
 * IOMMU_HWPT_FAULT_ID_VALID and fault_id reports its faults there.
 */
enum iofd_u_iommu_hwpt_pgfault_flags {
	IOFD_U_IOMMU_PGFAULT_FLAGS_PASID_VALID = 1 << 0,
	IOFD_U_IOMMU_PGFAULT_FLAGS_LAST_PAGE = 1 << 1,
};

enum iofd_u_iommu_hwpt_pgfault_perm {
	IOFD_U_IOMMU_PGFAULT_PERM_READ = 1 << 0,
	IOFD_U_IOMMU_PGFAULT_PERM_WRITE = 1 << 1,
	IOFD_U_IOMMU_PGFAULT_PERM_EXEC = 1 << 2,
	IOFD_U_IOMMU_PGFAULT_PERM_PRIV = 1 << 3,
};

struct iofd_u_iommu_hwpt_pgfault {
	uint32_t flags;
	uint32_t dev_id;
	uint32_t pasid;
	uint32_t grpid;
	uint32_t perm;
	uint32_t __reserved;
	iofd_u_aligned_u64 addr;
	uint32_t length;
	uint32_t cookie;
};

enum iofd_u_iommufd_page_response_code {
	IOFD_U_IOMMUFD_PAGE_RESP_SUCCESS = 0,
	IOFD_U_IOMMUFD_PAGE_RESP_INVALID = 1,
};

struct iofd_u_iommu_hwpt_page_response {
	uint32_t cookie;
	uint32_t code;
};

struct iofd_u_iommu_fault_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_fault_id;
	uint32_t out_fault_fd;
};
#define IOFD_U_IOMMU_FAULT_QUEUE_ALLOC \
	IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, IOFD_U_IOMMUFD_CMD_FAULT_QUEUE_ALLOC)

#endif /* IOFD_UAPI_IOMMUFD_H */
