// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Our uAPI definitions (lib/uapi/) against the kernel's headers.
 *
 * Compile time: with the kernel's <linux/iommufd.h>, <linux/vfio.h> and the
 * selftest's iommufd_test.h included next to ours, _Static_assert that every
 * struct has the same size and alignment, every field the same offset and
 * size, and every constant and ioctl number the same value. Checks come in
 * groups, each guarded by a kernel macro that appeared with what it checks,
 * so an older header (the system's 6.1 vfio.h) checks what it has and skips
 * the rest. Built with -DIOFD_EXPECT_KERNEL_HEADERS=1 (against
 * -Dkernel_headers, Linux 6.12) a missing header is an #error and a skipped
 * group a failure.
 *
 * Run time: every ioctl number decodes to the right type and number, carries
 * no direction or size, and is unique among the ioctls one fd answers; every
 * iommufd struct starts with "u32 size" and every VFIO one with "u32 argsz";
 * and how many static checks were compiled in or skipped, and why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "uapi/iommufd.h"
#include "uapi/iommufd_test.h"
#include "uapi/vfio.h"

#ifndef IOFD_EXPECT_KERNEL_HEADERS
#define IOFD_EXPECT_KERNEL_HEADERS 0
#endif

#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#define HAVE_K_IOMMUFD 1
#elif IOFD_EXPECT_KERNEL_HEADERS
#error "<linux/iommufd.h> is missing from the -Dkernel_headers tree"
#else
#define HAVE_K_IOMMUFD 0
#endif

#if __has_include(<linux/vfio.h>)
#include <linux/vfio.h>
#define HAVE_K_VFIO 1
#elif IOFD_EXPECT_KERNEL_HEADERS
#error "<linux/vfio.h> is missing from the -Dkernel_headers tree"
#else
#define HAVE_K_VFIO 0
#endif

/* Not a uAPI header: scripts/kernel-headers.sh copies it from the source. */
#if HAVE_K_IOMMUFD && __has_include(<iommufd-selftest/iommufd_test.h>)
#include <iommufd-selftest/iommufd_test.h>
#define HAVE_K_IOMMUFD_TEST 1
#elif IOFD_EXPECT_KERNEL_HEADERS
/* scripts/kernel-headers.sh puts it there */
#error "<iommufd-selftest/iommufd_test.h> is missing from the -Dkernel_headers tree"
#else
#define HAVE_K_IOMMUFD_TEST 0
#endif

#if __has_include(<linux/ioctl.h>)
#include <linux/ioctl.h>
#define HAVE_K_IOCTL 1
#elif IOFD_EXPECT_KERNEL_HEADERS
#error "<linux/ioctl.h> is missing from the -Dkernel_headers tree"
#else
#define HAVE_K_IOCTL 0
#endif

/* ------------------------------------------------------------------------
 * The static checks. Each group is a list of
 *   S(s)	struct s: sizeof and _Alignof equal (2 checks)
 *   F(s, f)	field f of struct s: offsetof and sizeof equal (2)
 *   X(s, f)	flexible array f: offsetof and element size equal (2)
 *   K(k)	constant or ioctl number k equals IOFD_U_k (1)
 *   E(a, b)	any two constant expressions equal (1)
 * expanded once into _Static_asserts (when the kernel has the group) and
 * once into a count.
 */
#define KFIELD(s, f) (((struct s *)0)->f)
#define OFIELD(s, f) (((struct iofd_u_##s *)0)->f)

#define SA_S(s)                                                                     \
	_Static_assert(sizeof(struct s) == sizeof(struct iofd_u_##s), "sizeof " #s);  \
	_Static_assert(_Alignof(struct s) == _Alignof(struct iofd_u_##s), "alignof " #s);
#define SA_F(s, f)                                                                  \
	_Static_assert(offsetof(struct s, f) == offsetof(struct iofd_u_##s, f),       \
		       "offsetof " #s "." #f);                                        \
	_Static_assert(sizeof(KFIELD(s, f)) == sizeof(OFIELD(s, f)), "sizeof " #s "." #f);
#define SA_X(s, f)                                                                  \
	_Static_assert(offsetof(struct s, f) == offsetof(struct iofd_u_##s, f),       \
		       "offsetof " #s "." #f);                                        \
	_Static_assert(sizeof(KFIELD(s, f)[0]) == sizeof(OFIELD(s, f)[0]),            \
		       "element size " #s "." #f);
#define SA_E(a, b)                                                                  \
	_Static_assert((unsigned long long)(a) == (unsigned long long)(b), #a " == " #b);
#define SA_K(k)                                                                     \
	_Static_assert((unsigned long long)(k) == (unsigned long long)(IOFD_U_##k),   \
		       #k " == IOFD_U_" #k);

#define N2(...) +2
#define N1(...) +1
#define COUNT(G) (0 G(N2, N2, N2, N1, N1))

/* iommufd as merged in 6.2: the IOAS and the compat ioctls. */
#define G_IOMMUFD_62(S, F, X, K, E)                                                 \
	K(IOMMUFD_TYPE) K(IOMMUFD_CMD_BASE) K(IOMMUFD_CMD_DESTROY)                  \
	K(IOMMUFD_CMD_IOAS_ALLOC) K(IOMMUFD_CMD_IOAS_ALLOW_IOVAS)                   \
	K(IOMMUFD_CMD_IOAS_COPY) K(IOMMUFD_CMD_IOAS_IOVA_RANGES)                    \
	K(IOMMUFD_CMD_IOAS_MAP) K(IOMMUFD_CMD_IOAS_UNMAP) K(IOMMUFD_CMD_OPTION)     \
	K(IOMMUFD_CMD_VFIO_IOAS)                                                    \
	K(IOMMU_DESTROY) K(IOMMU_IOAS_ALLOC) K(IOMMU_IOAS_ALLOW_IOVAS)              \
	K(IOMMU_IOAS_COPY) K(IOMMU_IOAS_IOVA_RANGES) K(IOMMU_IOAS_MAP)              \
	K(IOMMU_IOAS_UNMAP) K(IOMMU_OPTION) K(IOMMU_VFIO_IOAS)                      \
	S(iommu_destroy) F(iommu_destroy, size) F(iommu_destroy, id)                \
	S(iommu_ioas_alloc) F(iommu_ioas_alloc, size) F(iommu_ioas_alloc, flags)    \
	F(iommu_ioas_alloc, out_ioas_id)                                            \
	S(iommu_iova_range) F(iommu_iova_range, start) F(iommu_iova_range, last)    \
	S(iommu_ioas_iova_ranges) F(iommu_ioas_iova_ranges, size)                   \
	F(iommu_ioas_iova_ranges, ioas_id) F(iommu_ioas_iova_ranges, num_iovas)     \
	F(iommu_ioas_iova_ranges, __reserved)                                       \
	F(iommu_ioas_iova_ranges, allowed_iovas)                                    \
	F(iommu_ioas_iova_ranges, out_iova_alignment)                               \
	S(iommu_ioas_allow_iovas) F(iommu_ioas_allow_iovas, size)                   \
	F(iommu_ioas_allow_iovas, ioas_id) F(iommu_ioas_allow_iovas, num_iovas)     \
	F(iommu_ioas_allow_iovas, __reserved)                                       \
	F(iommu_ioas_allow_iovas, allowed_iovas)                                    \
	K(IOMMU_IOAS_MAP_FIXED_IOVA) K(IOMMU_IOAS_MAP_WRITEABLE)                    \
	K(IOMMU_IOAS_MAP_READABLE)                                                  \
	S(iommu_ioas_map) F(iommu_ioas_map, size) F(iommu_ioas_map, flags)          \
	F(iommu_ioas_map, ioas_id) F(iommu_ioas_map, __reserved)                    \
	F(iommu_ioas_map, user_va) F(iommu_ioas_map, length) F(iommu_ioas_map, iova) \
	S(iommu_ioas_copy) F(iommu_ioas_copy, size) F(iommu_ioas_copy, flags)       \
	F(iommu_ioas_copy, dst_ioas_id) F(iommu_ioas_copy, src_ioas_id)             \
	F(iommu_ioas_copy, length) F(iommu_ioas_copy, dst_iova)                     \
	F(iommu_ioas_copy, src_iova)                                                \
	S(iommu_ioas_unmap) F(iommu_ioas_unmap, size) F(iommu_ioas_unmap, ioas_id)  \
	F(iommu_ioas_unmap, iova) F(iommu_ioas_unmap, length)                       \
	K(IOMMU_OPTION_RLIMIT_MODE) K(IOMMU_OPTION_HUGE_PAGES)                      \
	K(IOMMU_OPTION_OP_SET) K(IOMMU_OPTION_OP_GET)                               \
	S(iommu_option) F(iommu_option, size) F(iommu_option, option_id)            \
	F(iommu_option, op) F(iommu_option, __reserved) F(iommu_option, object_id)  \
	F(iommu_option, val64)                                                      \
	K(IOMMU_VFIO_IOAS_GET) K(IOMMU_VFIO_IOAS_SET) K(IOMMU_VFIO_IOAS_CLEAR)      \
	S(iommu_vfio_ioas) F(iommu_vfio_ioas, size) F(iommu_vfio_ioas, ioas_id)     \
	F(iommu_vfio_ioas, op) F(iommu_vfio_ioas, __reserved)

/* 6.6: HWPT_ALLOC and GET_HW_INFO, their first fields. */
#define G_IOMMUFD_66(S, F, X, K, E)                                                 \
	K(IOMMUFD_CMD_HWPT_ALLOC) K(IOMMUFD_CMD_GET_HW_INFO)                        \
	K(IOMMU_HWPT_ALLOC) K(IOMMU_GET_HW_INFO)                                    \
	F(iommu_hwpt_alloc, size) F(iommu_hwpt_alloc, flags)                        \
	F(iommu_hwpt_alloc, dev_id) F(iommu_hwpt_alloc, pt_id)                      \
	F(iommu_hwpt_alloc, out_hwpt_id) F(iommu_hwpt_alloc, __reserved)            \
	F(iommu_hw_info, size) F(iommu_hw_info, flags) F(iommu_hw_info, dev_id)     \
	F(iommu_hw_info, data_len) F(iommu_hw_info, data_uptr)                      \
	F(iommu_hw_info, out_data_type)                                             \
	K(IOMMU_HW_INFO_TYPE_NONE) K(IOMMU_HW_INFO_TYPE_INTEL_VTD)                  \
	S(iommu_hw_info_vtd) F(iommu_hw_info_vtd, flags)                            \
	F(iommu_hw_info_vtd, __reserved) F(iommu_hw_info_vtd, cap_reg)              \
	F(iommu_hw_info_vtd, ecap_reg)

/* 6.7: dirty tracking, capabilities, HWPT_ALLOC flags and user data. */
#define G_IOMMUFD_67(S, F, X, K, E)                                                 \
	K(IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING) K(IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)  \
	K(IOMMU_HWPT_SET_DIRTY_TRACKING) K(IOMMU_HWPT_GET_DIRTY_BITMAP)             \
	K(IOMMU_HWPT_ALLOC_NEST_PARENT) K(IOMMU_HWPT_ALLOC_DIRTY_TRACKING)          \
	K(IOMMU_HWPT_DATA_NONE)                                                     \
	F(iommu_hwpt_alloc, data_type) F(iommu_hwpt_alloc, data_len)                \
	F(iommu_hwpt_alloc, data_uptr)                                              \
	K(IOMMU_HW_CAP_DIRTY_TRACKING)                                              \
	S(iommu_hw_info) F(iommu_hw_info, out_capabilities)                         \
	K(IOMMU_HWPT_DIRTY_TRACKING_ENABLE)                                         \
	S(iommu_hwpt_set_dirty_tracking) F(iommu_hwpt_set_dirty_tracking, size)     \
	F(iommu_hwpt_set_dirty_tracking, flags)                                     \
	F(iommu_hwpt_set_dirty_tracking, hwpt_id)                                   \
	F(iommu_hwpt_set_dirty_tracking, __reserved)                                \
	K(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR)                                     \
	S(iommu_hwpt_get_dirty_bitmap) F(iommu_hwpt_get_dirty_bitmap, size)         \
	F(iommu_hwpt_get_dirty_bitmap, hwpt_id) F(iommu_hwpt_get_dirty_bitmap, flags) \
	F(iommu_hwpt_get_dirty_bitmap, __reserved) F(iommu_hwpt_get_dirty_bitmap, iova) \
	F(iommu_hwpt_get_dirty_bitmap, length)                                      \
	F(iommu_hwpt_get_dirty_bitmap, page_size) F(iommu_hwpt_get_dirty_bitmap, data)

/* 6.8: nested VT-d page tables and HWPT_INVALIDATE. */
#define G_IOMMUFD_68(S, F, X, K, E)                                                 \
	K(IOMMUFD_CMD_HWPT_INVALIDATE) K(IOMMU_HWPT_INVALIDATE)                     \
	K(IOMMU_HWPT_DATA_VTD_S1) K(IOMMU_VTD_S1_SRE) K(IOMMU_VTD_S1_EAFE)          \
	K(IOMMU_VTD_S1_WPE) K(IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17)                \
	S(iommu_hwpt_vtd_s1) F(iommu_hwpt_vtd_s1, flags)                            \
	F(iommu_hwpt_vtd_s1, pgtbl_addr) F(iommu_hwpt_vtd_s1, addr_width)           \
	F(iommu_hwpt_vtd_s1, __reserved)                                            \
	K(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1) K(IOMMU_VTD_INV_FLAGS_LEAF)            \
	S(iommu_hwpt_vtd_s1_invalidate) F(iommu_hwpt_vtd_s1_invalidate, addr)       \
	F(iommu_hwpt_vtd_s1_invalidate, npages)                                     \
	F(iommu_hwpt_vtd_s1_invalidate, flags)                                      \
	F(iommu_hwpt_vtd_s1_invalidate, __reserved)                                 \
	S(iommu_hwpt_invalidate) F(iommu_hwpt_invalidate, size)                     \
	F(iommu_hwpt_invalidate, hwpt_id) F(iommu_hwpt_invalidate, data_uptr)       \
	F(iommu_hwpt_invalidate, data_type) F(iommu_hwpt_invalidate, entry_len)     \
	F(iommu_hwpt_invalidate, entry_num) F(iommu_hwpt_invalidate, __reserved)

/* 6.11: I/O page fault queues. */
#define G_IOMMUFD_611(S, F, X, K, E)                                                \
	K(IOMMUFD_CMD_FAULT_QUEUE_ALLOC) K(IOMMU_FAULT_QUEUE_ALLOC)                 \
	K(IOMMU_HWPT_FAULT_ID_VALID)                                                \
	S(iommu_hwpt_alloc) F(iommu_hwpt_alloc, fault_id)                           \
	F(iommu_hwpt_alloc, __reserved2)                                            \
	K(IOMMU_PGFAULT_FLAGS_PASID_VALID) K(IOMMU_PGFAULT_FLAGS_LAST_PAGE)         \
	K(IOMMU_PGFAULT_PERM_READ) K(IOMMU_PGFAULT_PERM_WRITE)                      \
	K(IOMMU_PGFAULT_PERM_EXEC) K(IOMMU_PGFAULT_PERM_PRIV)                       \
	S(iommu_hwpt_pgfault) F(iommu_hwpt_pgfault, flags)                          \
	F(iommu_hwpt_pgfault, dev_id) F(iommu_hwpt_pgfault, pasid)                  \
	F(iommu_hwpt_pgfault, grpid) F(iommu_hwpt_pgfault, perm)                    \
	F(iommu_hwpt_pgfault, __reserved) F(iommu_hwpt_pgfault, addr)               \
	F(iommu_hwpt_pgfault, length) F(iommu_hwpt_pgfault, cookie)                 \
	K(IOMMUFD_PAGE_RESP_SUCCESS) K(IOMMUFD_PAGE_RESP_INVALID)                   \
	S(iommu_hwpt_page_response) F(iommu_hwpt_page_response, cookie)             \
	F(iommu_hwpt_page_response, code)                                           \
	S(iommu_fault_alloc) F(iommu_fault_alloc, size) F(iommu_fault_alloc, flags) \
	F(iommu_fault_alloc, out_fault_id) F(iommu_fault_alloc, out_fault_fd)

/*
 * GET_HW_INFO's PASID width, carved out of a u32 __reserved: in Debian's
 * 6.12 (a backport) and mainline 6.15. No macro came with it, so it is
 * checked against the -Dkernel_headers tree, or a header with VEVENTQ (6.15).
 */
#define G_IOMMUFD_PASID(S, F, X, K, E)                                              \
	F(iommu_hw_info, out_max_pasid_log2) F(iommu_hw_info, __reserved)           \
	K(IOMMU_HW_CAP_PCI_PASID_EXEC) K(IOMMU_HW_CAP_PCI_PASID_PRIV)

/* VFIO container, group, device and type1, all of it there by 5.12. */
#define G_VFIO_BASE(S, F, X, K, E)                                                  \
	K(VFIO_API_VERSION) K(VFIO_TYPE1_IOMMU) K(VFIO_SPAPR_TCE_IOMMU)             \
	K(VFIO_TYPE1v2_IOMMU) K(VFIO_DMA_CC_IOMMU) K(VFIO_EEH)                      \
	K(VFIO_TYPE1_NESTING_IOMMU) K(VFIO_SPAPR_TCE_v2_IOMMU)                      \
	K(VFIO_NOIOMMU_IOMMU) K(VFIO_UNMAP_ALL) K(VFIO_UPDATE_VADDR)                \
	K(VFIO_TYPE) K(VFIO_BASE)                                                   \
	S(vfio_info_cap_header) F(vfio_info_cap_header, id)                         \
	F(vfio_info_cap_header, version) F(vfio_info_cap_header, next)              \
	K(VFIO_GET_API_VERSION) K(VFIO_CHECK_EXTENSION) K(VFIO_SET_IOMMU)           \
	K(VFIO_GROUP_GET_STATUS) K(VFIO_GROUP_SET_CONTAINER)                        \
	K(VFIO_GROUP_UNSET_CONTAINER) K(VFIO_GROUP_GET_DEVICE_FD)                   \
	K(VFIO_DEVICE_GET_INFO) K(VFIO_DEVICE_GET_REGION_INFO)                      \
	K(VFIO_DEVICE_GET_IRQ_INFO) K(VFIO_DEVICE_SET_IRQS) K(VFIO_DEVICE_RESET)    \
	K(VFIO_IOMMU_GET_INFO) K(VFIO_IOMMU_MAP_DMA) K(VFIO_IOMMU_UNMAP_DMA)        \
	K(VFIO_IOMMU_DIRTY_PAGES)                                                   \
	S(vfio_group_status) F(vfio_group_status, argsz) F(vfio_group_status, flags) \
	K(VFIO_GROUP_FLAGS_VIABLE) K(VFIO_GROUP_FLAGS_CONTAINER_SET)                \
	F(vfio_device_info, argsz) F(vfio_device_info, flags)                       \
	F(vfio_device_info, num_regions) F(vfio_device_info, num_irqs)              \
	F(vfio_device_info, cap_offset)                                             \
	K(VFIO_DEVICE_FLAGS_RESET) K(VFIO_DEVICE_FLAGS_PCI)                         \
	K(VFIO_DEVICE_FLAGS_PLATFORM) K(VFIO_DEVICE_FLAGS_AMBA)                     \
	K(VFIO_DEVICE_FLAGS_CCW) K(VFIO_DEVICE_FLAGS_AP) K(VFIO_DEVICE_FLAGS_FSL_MC) \
	K(VFIO_DEVICE_FLAGS_CAPS)                                                   \
	F(vfio_region_info, argsz) F(vfio_region_info, flags)                       \
	F(vfio_region_info, index) F(vfio_region_info, cap_offset)                  \
	F(vfio_region_info, size) F(vfio_region_info, offset)                       \
	K(VFIO_REGION_INFO_FLAG_READ) K(VFIO_REGION_INFO_FLAG_WRITE)                \
	K(VFIO_REGION_INFO_FLAG_MMAP) K(VFIO_REGION_INFO_FLAG_CAPS)                 \
	K(VFIO_REGION_INFO_CAP_SPARSE_MMAP) K(VFIO_REGION_INFO_CAP_TYPE)            \
	K(VFIO_REGION_INFO_CAP_MSIX_MAPPABLE)                                       \
	F(vfio_region_sparse_mmap_area, offset) F(vfio_region_sparse_mmap_area, size) \
	F(vfio_region_info_cap_sparse_mmap, header)                                 \
	F(vfio_region_info_cap_sparse_mmap, nr_areas)                               \
	F(vfio_region_info_cap_sparse_mmap, reserved)                               \
	X(vfio_region_info_cap_sparse_mmap, areas)                                  \
	S(vfio_region_info_cap_type) F(vfio_region_info_cap_type, header)           \
	F(vfio_region_info_cap_type, type) F(vfio_region_info_cap_type, subtype)    \
	S(vfio_irq_info) F(vfio_irq_info, argsz) F(vfio_irq_info, flags)            \
	F(vfio_irq_info, index) F(vfio_irq_info, count)                             \
	K(VFIO_IRQ_INFO_EVENTFD) K(VFIO_IRQ_INFO_MASKABLE)                          \
	K(VFIO_IRQ_INFO_AUTOMASKED) K(VFIO_IRQ_INFO_NORESIZE)                       \
	S(vfio_irq_set) F(vfio_irq_set, argsz) F(vfio_irq_set, flags)               \
	F(vfio_irq_set, index) F(vfio_irq_set, start) F(vfio_irq_set, count)        \
	X(vfio_irq_set, data)                                                       \
	K(VFIO_IRQ_SET_DATA_NONE) K(VFIO_IRQ_SET_DATA_BOOL)                         \
	K(VFIO_IRQ_SET_DATA_EVENTFD) K(VFIO_IRQ_SET_ACTION_MASK)                    \
	K(VFIO_IRQ_SET_ACTION_UNMASK) K(VFIO_IRQ_SET_ACTION_TRIGGER)                \
	K(VFIO_IRQ_SET_DATA_TYPE_MASK) K(VFIO_IRQ_SET_ACTION_TYPE_MASK)             \
	K(VFIO_PCI_BAR0_REGION_INDEX) K(VFIO_PCI_BAR1_REGION_INDEX)                 \
	K(VFIO_PCI_BAR2_REGION_INDEX) K(VFIO_PCI_BAR3_REGION_INDEX)                 \
	K(VFIO_PCI_BAR4_REGION_INDEX) K(VFIO_PCI_BAR5_REGION_INDEX)                 \
	K(VFIO_PCI_ROM_REGION_INDEX) K(VFIO_PCI_CONFIG_REGION_INDEX)                \
	K(VFIO_PCI_VGA_REGION_INDEX) K(VFIO_PCI_NUM_REGIONS)                        \
	K(VFIO_PCI_INTX_IRQ_INDEX) K(VFIO_PCI_MSI_IRQ_INDEX)                        \
	K(VFIO_PCI_MSIX_IRQ_INDEX) K(VFIO_PCI_ERR_IRQ_INDEX)                        \
	K(VFIO_PCI_REQ_IRQ_INDEX) K(VFIO_PCI_NUM_IRQS)                              \
	F(vfio_iommu_type1_info, argsz) F(vfio_iommu_type1_info, flags)             \
	F(vfio_iommu_type1_info, iova_pgsizes) F(vfio_iommu_type1_info, cap_offset) \
	K(VFIO_IOMMU_INFO_PGSIZES) K(VFIO_IOMMU_INFO_CAPS)                          \
	K(VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)                                     \
	S(vfio_iova_range) F(vfio_iova_range, start) F(vfio_iova_range, end)        \
	S(vfio_iommu_type1_info_cap_iova_range)                                     \
	F(vfio_iommu_type1_info_cap_iova_range, header)                             \
	F(vfio_iommu_type1_info_cap_iova_range, nr_iovas)                           \
	F(vfio_iommu_type1_info_cap_iova_range, reserved)                           \
	X(vfio_iommu_type1_info_cap_iova_range, iova_ranges)                        \
	K(VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION)                                      \
	S(vfio_iommu_type1_info_cap_migration)                                      \
	F(vfio_iommu_type1_info_cap_migration, header)                              \
	F(vfio_iommu_type1_info_cap_migration, flags)                               \
	F(vfio_iommu_type1_info_cap_migration, pgsize_bitmap)                       \
	F(vfio_iommu_type1_info_cap_migration, max_dirty_bitmap_size)               \
	K(VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL)                                          \
	S(vfio_iommu_type1_info_dma_avail) F(vfio_iommu_type1_info_dma_avail, header) \
	F(vfio_iommu_type1_info_dma_avail, avail)                                   \
	S(vfio_iommu_type1_dma_map) F(vfio_iommu_type1_dma_map, argsz)              \
	F(vfio_iommu_type1_dma_map, flags) F(vfio_iommu_type1_dma_map, vaddr)       \
	F(vfio_iommu_type1_dma_map, iova) F(vfio_iommu_type1_dma_map, size)         \
	K(VFIO_DMA_MAP_FLAG_READ) K(VFIO_DMA_MAP_FLAG_WRITE) K(VFIO_DMA_MAP_FLAG_VADDR) \
	S(vfio_bitmap) F(vfio_bitmap, pgsize) F(vfio_bitmap, size) F(vfio_bitmap, data) \
	S(vfio_iommu_type1_dma_unmap) F(vfio_iommu_type1_dma_unmap, argsz)          \
	F(vfio_iommu_type1_dma_unmap, flags) F(vfio_iommu_type1_dma_unmap, iova)    \
	F(vfio_iommu_type1_dma_unmap, size) X(vfio_iommu_type1_dma_unmap, data)     \
	K(VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) K(VFIO_DMA_UNMAP_FLAG_ALL)          \
	K(VFIO_DMA_UNMAP_FLAG_VADDR)                                                \
	S(vfio_iommu_type1_dirty_bitmap) F(vfio_iommu_type1_dirty_bitmap, argsz)    \
	F(vfio_iommu_type1_dirty_bitmap, flags) X(vfio_iommu_type1_dirty_bitmap, data) \
	K(VFIO_IOMMU_DIRTY_PAGES_FLAG_START) K(VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP)     \
	K(VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP)                                   \
	S(vfio_iommu_type1_dirty_bitmap_get) F(vfio_iommu_type1_dirty_bitmap_get, iova) \
	F(vfio_iommu_type1_dirty_bitmap_get, size)                                  \
	F(vfio_iommu_type1_dirty_bitmap_get, bitmap)

/*
 * ~6.5 made the info structs' u64s __aligned_u64 and added explicit tail
 * padding (vfio_device_info grew from 20 to 24 bytes). No macro came with
 * it; BIND_IOMMUFD (6.6) stands in for "new enough".
 */
#define G_VFIO_ALIGNED(S, F, X, K, E)                                               \
	S(vfio_device_info) F(vfio_device_info, pad)                                \
	S(vfio_region_info) S(vfio_region_sparse_mmap_area)                         \
	S(vfio_region_info_cap_sparse_mmap)                                         \
	S(vfio_iommu_type1_info) F(vfio_iommu_type1_info, pad)

#define G_VFIO_CDX(S, F, X, K, E) K(VFIO_DEVICE_FLAGS_CDX)

/* 6.6: device cdevs bound to an iommufd. */
#define G_VFIO_CDEV(S, F, X, K, E)                                                  \
	K(VFIO_DEVICE_BIND_IOMMUFD) K(VFIO_DEVICE_ATTACH_IOMMUFD_PT)                \
	K(VFIO_DEVICE_DETACH_IOMMUFD_PT)                                            \
	S(vfio_device_bind_iommufd) F(vfio_device_bind_iommufd, argsz)              \
	F(vfio_device_bind_iommufd, flags) F(vfio_device_bind_iommufd, iommufd)     \
	F(vfio_device_bind_iommufd, out_devid)                                      \
	S(vfio_device_attach_iommufd_pt) F(vfio_device_attach_iommufd_pt, argsz)    \
	F(vfio_device_attach_iommufd_pt, flags) F(vfio_device_attach_iommufd_pt, pt_id) \
	S(vfio_device_detach_iommufd_pt) F(vfio_device_detach_iommufd_pt, argsz)    \
	F(vfio_device_detach_iommufd_pt, flags)

/* The mock IOMMU's test interface, as of the -Dkernel_headers tree. */
#define G_SELFTEST(S, F, X, K, E)                                                   \
	K(IOMMU_TEST_CMD) E(IOMMU_TEST_CMD, IOFD_U_IO(';', 0xa0))                   \
	K(IOMMU_TEST_OP_ADD_RESERVED) K(IOMMU_TEST_OP_MOCK_DOMAIN)                  \
	K(IOMMU_TEST_OP_MD_CHECK_MAP) K(IOMMU_TEST_OP_MD_CHECK_REFS)                \
	K(IOMMU_TEST_OP_CREATE_ACCESS) K(IOMMU_TEST_OP_DESTROY_ACCESS_PAGES)        \
	K(IOMMU_TEST_OP_ACCESS_PAGES) K(IOMMU_TEST_OP_ACCESS_RW)                    \
	K(IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT) K(IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE) \
	K(IOMMU_TEST_OP_ACCESS_REPLACE_IOAS) K(IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS)     \
	K(IOMMU_TEST_OP_DIRTY) K(IOMMU_TEST_OP_MD_CHECK_IOTLB)                      \
	K(IOMMU_TEST_OP_TRIGGER_IOPF)                                               \
	K(MOCK_APERTURE_START) K(MOCK_APERTURE_LAST)                                \
	K(MOCK_FLAGS_ACCESS_WRITE) K(MOCK_FLAGS_ACCESS_SYZ)                         \
	K(MOCK_ACCESS_RW_WRITE) K(MOCK_ACCESS_RW_SLOW_PATH)                         \
	K(MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES)                                 \
	K(MOCK_FLAGS_DEVICE_NO_DIRTY) K(MOCK_FLAGS_DEVICE_HUGE_IOVA)                \
	K(MOCK_NESTED_DOMAIN_IOTLB_ID_MAX) K(MOCK_NESTED_DOMAIN_IOTLB_NUM)          \
	S(iommu_test_cmd) F(iommu_test_cmd, size) F(iommu_test_cmd, op)             \
	F(iommu_test_cmd, id) F(iommu_test_cmd, __reserved) F(iommu_test_cmd, last) \
	F(iommu_test_cmd, add_reserved) F(iommu_test_cmd, add_reserved.start)       \
	F(iommu_test_cmd, add_reserved.length)                                      \
	F(iommu_test_cmd, mock_domain) F(iommu_test_cmd, mock_domain.out_stdev_id)  \
	F(iommu_test_cmd, mock_domain.out_hwpt_id)                                  \
	F(iommu_test_cmd, mock_domain.out_idev_id)                                  \
	F(iommu_test_cmd, mock_domain_flags)                                        \
	F(iommu_test_cmd, mock_domain_flags.out_stdev_id)                           \
	F(iommu_test_cmd, mock_domain_flags.out_hwpt_id)                            \
	F(iommu_test_cmd, mock_domain_flags.out_idev_id)                            \
	F(iommu_test_cmd, mock_domain_flags.dev_flags)                              \
	F(iommu_test_cmd, mock_domain_replace)                                      \
	F(iommu_test_cmd, mock_domain_replace.pt_id)                                \
	F(iommu_test_cmd, check_map) F(iommu_test_cmd, check_map.iova)              \
	F(iommu_test_cmd, check_map.length) F(iommu_test_cmd, check_map.uptr)       \
	F(iommu_test_cmd, check_refs) F(iommu_test_cmd, check_refs.length)          \
	F(iommu_test_cmd, check_refs.uptr) F(iommu_test_cmd, check_refs.refs)       \
	F(iommu_test_cmd, create_access) F(iommu_test_cmd, create_access.out_access_fd) \
	F(iommu_test_cmd, create_access.flags)                                      \
	F(iommu_test_cmd, destroy_access_pages)                                     \
	F(iommu_test_cmd, destroy_access_pages.access_pages_id)                     \
	F(iommu_test_cmd, access_pages) F(iommu_test_cmd, access_pages.flags)       \
	F(iommu_test_cmd, access_pages.out_access_pages_id)                         \
	F(iommu_test_cmd, access_pages.iova) F(iommu_test_cmd, access_pages.length) \
	F(iommu_test_cmd, access_pages.uptr)                                        \
	F(iommu_test_cmd, access_rw) F(iommu_test_cmd, access_rw.iova)              \
	F(iommu_test_cmd, access_rw.length) F(iommu_test_cmd, access_rw.uptr)       \
	F(iommu_test_cmd, access_rw.flags)                                          \
	F(iommu_test_cmd, memory_limit) F(iommu_test_cmd, memory_limit.limit)       \
	F(iommu_test_cmd, access_replace_ioas)                                      \
	F(iommu_test_cmd, access_replace_ioas.ioas_id)                              \
	F(iommu_test_cmd, dirty) F(iommu_test_cmd, dirty.flags)                     \
	F(iommu_test_cmd, dirty.iova) F(iommu_test_cmd, dirty.length)               \
	F(iommu_test_cmd, dirty.page_size) F(iommu_test_cmd, dirty.uptr)            \
	F(iommu_test_cmd, dirty.out_nr_dirty)                                       \
	F(iommu_test_cmd, check_iotlb) F(iommu_test_cmd, check_iotlb.id)            \
	F(iommu_test_cmd, check_iotlb.iotlb)                                        \
	F(iommu_test_cmd, trigger_iopf) F(iommu_test_cmd, trigger_iopf.dev_id)      \
	F(iommu_test_cmd, trigger_iopf.pasid) F(iommu_test_cmd, trigger_iopf.grpid) \
	F(iommu_test_cmd, trigger_iopf.perm) F(iommu_test_cmd, trigger_iopf.addr)   \
	K(IOMMU_HW_INFO_TYPE_SELFTEST) K(IOMMU_HW_INFO_SELFTEST_REGVAL)             \
	S(iommu_test_hw_info) F(iommu_test_hw_info, flags)                          \
	F(iommu_test_hw_info, test_reg)                                             \
	K(IOMMU_HWPT_DATA_SELFTEST) K(IOMMU_TEST_IOTLB_DEFAULT)                     \
	S(iommu_hwpt_selftest) F(iommu_hwpt_selftest, iotlb)                        \
	K(IOMMU_HWPT_INVALIDATE_DATA_SELFTEST)                                      \
	K(IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID)                              \
	S(iommu_hwpt_invalidate_selftest) F(iommu_hwpt_invalidate_selftest, flags)  \
	F(iommu_hwpt_invalidate_selftest, iotlb_id)                                 \
	K(IOMMU_TEST_INVALIDATE_FLAG_ALL)

/* Our encoding helpers against the kernel's, for each direction. */
#define G_IOC(S, F, X, K, E)                                                        \
	E(IOFD_U_IOC_NONE, _IOC_NONE) E(IOFD_U_IOC_READ, _IOC_READ)                 \
	E(IOFD_U_IOC_WRITE, _IOC_WRITE) E(IOFD_U_IOC_SIZEBITS, _IOC_SIZEBITS)       \
	E(IOFD_U_IOC_DIRBITS, _IOC_DIRBITS) E(IOFD_U_IOC_DIRSHIFT, _IOC_DIRSHIFT)   \
	E(IOFD_U_IO(';', 0x80), _IO(';', 0x80))                                     \
	E(IOFD_U_IOR('V', 7, struct iofd_u_vfio_irq_info),                          \
	  _IOR('V', 7, struct iofd_u_vfio_irq_info))                                \
	E(IOFD_U_IOW('V', 8, uint64_t), _IOW('V', 8, uint64_t))                     \
	E(IOFD_U_IOWR(0xff, 0xff, struct iofd_u_iommu_hwpt_get_dirty_bitmap),       \
	  _IOWR(0xff, 0xff, struct iofd_u_iommu_hwpt_get_dirty_bitmap))

/* The aligned u64 is 8-byte aligned everywhere; the checks that need no kernel. */
_Static_assert(_Alignof(iofd_u_aligned_u64) == 8, "iofd_u_aligned_u64 alignment");
_Static_assert(sizeof(iofd_u_aligned_u64) == 8, "iofd_u_aligned_u64 size");

/* Each group: compiled in when its header has the macro that marks it. */
#if HAVE_K_IOMMUFD && defined(IOMMU_DESTROY)
G_IOMMUFD_62(SA_S, SA_F, SA_X, SA_K, SA_E)
#define ON_IOMMUFD_62 1
#else
#define ON_IOMMUFD_62 0
#endif
#if HAVE_K_IOMMUFD && defined(IOMMU_GET_HW_INFO)
G_IOMMUFD_66(SA_S, SA_F, SA_X, SA_K, SA_E)
#define ON_IOMMUFD_66 1
#else
#define ON_IOMMUFD_66 0
#endif
#if HAVE_K_IOMMUFD && defined(IOMMU_HWPT_GET_DIRTY_BITMAP)
G_IOMMUFD_67(SA_S, SA_F, SA_X, SA_K, SA_E)
#define ON_IOMMUFD_67 1
#else
#define ON_IOMMUFD_67 0
#endif
#if HAVE_K_IOMMUFD && defined(IOMMU_HWPT_INVALIDATE)
G_IOMMUFD_68(SA_S, SA_F, SA_X, SA_K, SA_E)
#define ON_IOMMUFD_68 1
#else
#define ON_IOMMUFD_68 0
#endif
#if HAVE_K_IOMMUFD && defined(IOMMU_FAULT_QUEUE_ALLOC)
G_IOMMUFD_611(SA_S, SA_F, SA_X, SA_K, SA_E)
#define ON_IOMMUFD_611 1
#else
#define ON_IOMMUFD_611 0
#endif
#if HAVE_K_IOMMUFD && (IOFD_EXPECT_KERNEL_HEADERS || defined(IOMMU_VEVENTQ_ALLOC))
G_IOMMUFD_PASID(SA_S, SA_F, SA_X, SA_K, SA_E)
#define ON_IOMMUFD_PASID 1
#else
#define ON_IOMMUFD_PASID 0
#endif
#if HAVE_K_VFIO && defined(VFIO_UPDATE_VADDR)
G_VFIO_BASE(SA_S, SA_F, SA_X, SA_K, SA_E)
#define ON_VFIO_BASE 1
#else
#define ON_VFIO_BASE 0
#endif
#if HAVE_K_VFIO && defined(VFIO_DEVICE_BIND_IOMMUFD)
G_VFIO_ALIGNED(SA_S, SA_F, SA_X, SA_K, SA_E)
#define ON_VFIO_ALIGNED 1
#else
#define ON_VFIO_ALIGNED 0
#endif
#if HAVE_K_VFIO && defined(VFIO_DEVICE_FLAGS_CDX)
G_VFIO_CDX(SA_S, SA_F, SA_X, SA_K, SA_E)
#define ON_VFIO_CDX 1
#else
#define ON_VFIO_CDX 0
#endif
#if HAVE_K_VFIO && defined(VFIO_DEVICE_BIND_IOMMUFD)
G_VFIO_CDEV(SA_S, SA_F, SA_X, SA_K, SA_E)
#define ON_VFIO_CDEV 1
#else
#define ON_VFIO_CDEV 0
#endif
#if HAVE_K_IOMMUFD_TEST && defined(IOMMU_TEST_CMD)
G_SELFTEST(SA_S, SA_F, SA_X, SA_K, SA_E)
#define ON_SELFTEST 1
#else
#define ON_SELFTEST 0
#endif
#if HAVE_K_IOCTL && defined(_IOC_NONE)
G_IOC(SA_S, SA_F, SA_X, SA_K, SA_E)
#define ON_IOC 1
#else
#define ON_IOC 0
#endif

enum header { H_IOMMUFD, H_VFIO, H_SELFTEST, H_IOCTL, H_NR };

static const char *const header_name[H_NR] = {
	[H_IOMMUFD] = "<linux/iommufd.h>",
	[H_VFIO] = "<linux/vfio.h>",
	[H_SELFTEST] = "<iommufd-selftest/iommufd_test.h>",
	[H_IOCTL] = "<linux/ioctl.h>",
};

static const int header_present[H_NR] = {
	[H_IOMMUFD] = HAVE_K_IOMMUFD,
	[H_VFIO] = HAVE_K_VFIO,
	[H_SELFTEST] = HAVE_K_IOMMUFD_TEST,
	[H_IOCTL] = HAVE_K_IOCTL,
};

struct check_group {
	enum header header;
	const char *what;
	const char *marker; /* what the header must have for the group */
	int checks;
	int compiled;
};

#define GROUP(h, G, on, what, marker) { h, what, marker, COUNT(G), on }
static const struct check_group groups[] = {
	GROUP(H_IOMMUFD, G_IOMMUFD_62, ON_IOMMUFD_62, "IOAS and compat ioctls (6.2)",
	      "IOMMU_DESTROY"),
	GROUP(H_IOMMUFD, G_IOMMUFD_66, ON_IOMMUFD_66, "HWPT_ALLOC, GET_HW_INFO (6.6)",
	      "IOMMU_GET_HW_INFO"),
	GROUP(H_IOMMUFD, G_IOMMUFD_67, ON_IOMMUFD_67, "dirty tracking, HWPT data (6.7)",
	      "IOMMU_HWPT_GET_DIRTY_BITMAP"),
	GROUP(H_IOMMUFD, G_IOMMUFD_68, ON_IOMMUFD_68, "nested VT-d, HWPT_INVALIDATE (6.8)",
	      "IOMMU_HWPT_INVALIDATE"),
	GROUP(H_IOMMUFD, G_IOMMUFD_611, ON_IOMMUFD_611, "fault queues (6.11)",
	      "IOMMU_FAULT_QUEUE_ALLOC"),
	GROUP(H_IOMMUFD, G_IOMMUFD_PASID, ON_IOMMUFD_PASID, "hw_info PASID width (6.12 deb, ~6.15)",
	      "IOMMU_VEVENTQ_ALLOC or -DIOFD_EXPECT_KERNEL_HEADERS=1"),
	GROUP(H_VFIO, G_VFIO_BASE, ON_VFIO_BASE, "container, group, device, type1 (5.12)",
	      "VFIO_UPDATE_VADDR"),
	GROUP(H_VFIO, G_VFIO_ALIGNED, ON_VFIO_ALIGNED, "aligned info structs (~6.5)",
	      "VFIO_DEVICE_BIND_IOMMUFD"),
	GROUP(H_VFIO, G_VFIO_CDX, ON_VFIO_CDX, "CDX device flag (~6.5)",
	      "VFIO_DEVICE_FLAGS_CDX"),
	GROUP(H_VFIO, G_VFIO_CDEV, ON_VFIO_CDEV, "device cdev and iommufd (6.6)",
	      "VFIO_DEVICE_BIND_IOMMUFD"),
	GROUP(H_SELFTEST, G_SELFTEST, ON_SELFTEST, "IOMMU_TEST_CMD and the mock",
	      "IOMMU_TEST_CMD"),
	GROUP(H_IOCTL, G_IOC, ON_IOC, "ioctl number encoding", "_IOC_NONE"),
};
#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))

/*
 * Print what was checked for one header; skip when the header is missing.
 * With IOFD_EXPECT_KERNEL_HEADERS every group must have been compiled in.
 */
static void report_header(enum header h)
{
	int compiled = 0, skipped = 0;

	for (size_t i = 0; i < N_GROUPS; i++) {
		const struct check_group *g = &groups[i];

		if (g->header != h)
			continue;
		if (g->compiled) {
			compiled += g->checks;
		} else {
			skipped += g->checks;
			if (header_present[h])
				print_message("%s: %d checks of \"%s\" skipped: no %s\n",
					      header_name[h], g->checks, g->what, g->marker);
		}
	}
	print_message("%s: %d static checks compiled in, %d skipped\n", header_name[h],
		      compiled, skipped);
	if (!header_present[h]) {
		print_message("%s not found: its %d static checks were skipped\n",
			      header_name[h], skipped);
		skip();
	}
	assert_true(compiled > 0);
	if (IOFD_EXPECT_KERNEL_HEADERS)
		assert_int_equal(skipped, 0);
}

static void static_checks_iommufd(void **state)
{
	report_header(H_IOMMUFD);
}

static void static_checks_vfio(void **state)
{
	report_header(H_VFIO);
}

static void static_checks_selftest(void **state)
{
	report_header(H_SELFTEST);
}

static void static_checks_ioctl_encoding(void **state)
{
	report_header(H_IOCTL);
}

/* ------------------------------------------------------------------------
 * Every ioctl number, decoded. Ioctls answered by one kind of fd must not
 * share a number; iommufd serves the container ioctls too (compat), so
 * those two sets are one.
 */
enum fd_kind { FD_IOMMUFD_OR_CONTAINER, FD_GROUP, FD_DEVICE };

struct ioctl_row {
	const char *name;
	unsigned long number;
	unsigned int type;
	unsigned int nr;
	enum fd_kind fd;
};

#define ROW(name, type, nr, fd) { #name, IOFD_U_##name, type, nr, fd }
static const struct ioctl_row ioctls[] = {
	ROW(IOMMU_DESTROY, ';', 0x80, FD_IOMMUFD_OR_CONTAINER),
	ROW(IOMMU_IOAS_ALLOC, ';', 0x81, FD_IOMMUFD_OR_CONTAINER),
	ROW(IOMMU_IOAS_ALLOW_IOVAS, ';', 0x82, FD_IOMMUFD_OR_CONTAINER),
	ROW(IOMMU_IOAS_COPY, ';', 0x83, FD_IOMMUFD_OR_CONTAINER),
	ROW(IOMMU_IOAS_IOVA_RANGES, ';', 0x84, FD_IOMMUFD_OR_CONTAINER),
	ROW(IOMMU_IOAS_MAP, ';', 0x85, FD_IOMMUFD_OR_CONTAINER),
	ROW(IOMMU_IOAS_UNMAP, ';', 0x86, FD_IOMMUFD_OR_CONTAINER),
	ROW(IOMMU_OPTION, ';', 0x87, FD_IOMMUFD_OR_CONTAINER),
	ROW(IOMMU_VFIO_IOAS, ';', 0x88, FD_IOMMUFD_OR_CONTAINER),
	ROW(IOMMU_HWPT_ALLOC, ';', 0x89, FD_IOMMUFD_OR_CONTAINER),
	ROW(IOMMU_GET_HW_INFO, ';', 0x8a, FD_IOMMUFD_OR_CONTAINER),
	ROW(IOMMU_HWPT_SET_DIRTY_TRACKING, ';', 0x8b, FD_IOMMUFD_OR_CONTAINER),
	ROW(IOMMU_HWPT_GET_DIRTY_BITMAP, ';', 0x8c, FD_IOMMUFD_OR_CONTAINER),
	ROW(IOMMU_HWPT_INVALIDATE, ';', 0x8d, FD_IOMMUFD_OR_CONTAINER),
	ROW(IOMMU_FAULT_QUEUE_ALLOC, ';', 0x8e, FD_IOMMUFD_OR_CONTAINER),
	ROW(IOMMU_TEST_CMD, ';', 0xa0, FD_IOMMUFD_OR_CONTAINER),
	ROW(VFIO_GET_API_VERSION, ';', 100, FD_IOMMUFD_OR_CONTAINER),
	ROW(VFIO_CHECK_EXTENSION, ';', 101, FD_IOMMUFD_OR_CONTAINER),
	ROW(VFIO_SET_IOMMU, ';', 102, FD_IOMMUFD_OR_CONTAINER),
	ROW(VFIO_IOMMU_GET_INFO, ';', 112, FD_IOMMUFD_OR_CONTAINER),
	ROW(VFIO_IOMMU_MAP_DMA, ';', 113, FD_IOMMUFD_OR_CONTAINER),
	ROW(VFIO_IOMMU_UNMAP_DMA, ';', 114, FD_IOMMUFD_OR_CONTAINER),
	ROW(VFIO_IOMMU_DIRTY_PAGES, ';', 117, FD_IOMMUFD_OR_CONTAINER),
	ROW(VFIO_GROUP_GET_STATUS, ';', 103, FD_GROUP),
	ROW(VFIO_GROUP_SET_CONTAINER, ';', 104, FD_GROUP),
	ROW(VFIO_GROUP_UNSET_CONTAINER, ';', 105, FD_GROUP),
	ROW(VFIO_GROUP_GET_DEVICE_FD, ';', 106, FD_GROUP),
	ROW(VFIO_DEVICE_GET_INFO, ';', 107, FD_DEVICE),
	ROW(VFIO_DEVICE_GET_REGION_INFO, ';', 108, FD_DEVICE),
	ROW(VFIO_DEVICE_GET_IRQ_INFO, ';', 109, FD_DEVICE),
	ROW(VFIO_DEVICE_SET_IRQS, ';', 110, FD_DEVICE),
	ROW(VFIO_DEVICE_RESET, ';', 111, FD_DEVICE),
	ROW(VFIO_DEVICE_BIND_IOMMUFD, ';', 118, FD_DEVICE),
	ROW(VFIO_DEVICE_ATTACH_IOMMUFD_PT, ';', 119, FD_DEVICE),
	ROW(VFIO_DEVICE_DETACH_IOMMUFD_PT, ';', 120, FD_DEVICE),
};
#define N_IOCTLS (sizeof(ioctls) / sizeof(ioctls[0]))

static void ioctl_numbers_decode_to_type_and_nr(void **state)
{
	for (size_t i = 0; i < N_IOCTLS; i++) {
		const struct ioctl_row *r = &ioctls[i];

		print_message("%-32s 0x%08lx type '%c' nr 0x%02x\n", r->name, r->number,
			      (int)r->type, r->nr);
		assert_int_equal(IOFD_U_IOC_TYPE(r->number), r->type);
		assert_int_equal(IOFD_U_IOC_NR(r->number), r->nr);
		/* _IO: no argument size and no direction in the number. */
		assert_int_equal(IOFD_U_IOC_SIZE(r->number), 0);
		assert_int_equal(IOFD_U_IOC_DIR(r->number), IOFD_U_IOC_NONE);
		assert_int_equal(r->number, IOFD_U_IO(r->type, r->nr));
#if HAVE_K_IOCTL
		/* The same, decoded by the kernel's own macros. */
		assert_int_equal(_IOC_TYPE(r->number), r->type);
		assert_int_equal(_IOC_NR(r->number), r->nr);
		assert_int_equal(_IOC_SIZE(r->number), 0);
		assert_int_equal(_IOC_DIR(r->number), _IOC_NONE);
		assert_int_equal(r->number, _IO(r->type, r->nr));
#endif
	}
}

static void ioctl_numbers_are_unique_per_fd(void **state)
{
	for (size_t i = 0; i < N_IOCTLS; i++)
		for (size_t j = i + 1; j < N_IOCTLS; j++)
			if (ioctls[i].fd == ioctls[j].fd && ioctls[i].number == ioctls[j].number)
				fail_msg("%s and %s share 0x%lx", ioctls[i].name, ioctls[j].name,
					 ioctls[i].number);
}

/* ------------------------------------------------------------------------
 * The extensible-struct convention: a u32 size (iommufd) or argsz (VFIO)
 * at offset 0, as every ioctl's kernel-doc says.
 */
struct size_row {
	const char *name;
	size_t offset;
	size_t field_size;
	size_t struct_size;
};

#define SZ(s, f)                                                                    \
	{ #s, offsetof(struct iofd_u_##s, f), sizeof(OFIELD(s, f)), sizeof(struct iofd_u_##s) }
static const struct size_row size_rows[] = {
	SZ(iommu_destroy, size),
	SZ(iommu_ioas_alloc, size),
	SZ(iommu_ioas_allow_iovas, size),
	SZ(iommu_ioas_copy, size),
	SZ(iommu_ioas_iova_ranges, size),
	SZ(iommu_ioas_map, size),
	SZ(iommu_ioas_unmap, size),
	SZ(iommu_option, size),
	SZ(iommu_vfio_ioas, size),
	SZ(iommu_hwpt_alloc, size),
	SZ(iommu_hw_info, size),
	SZ(iommu_hwpt_set_dirty_tracking, size),
	SZ(iommu_hwpt_get_dirty_bitmap, size),
	SZ(iommu_hwpt_invalidate, size),
	SZ(iommu_fault_alloc, size),
	SZ(iommu_test_cmd, size),
	SZ(vfio_group_status, argsz),
	SZ(vfio_device_info, argsz),
	SZ(vfio_region_info, argsz),
	SZ(vfio_irq_info, argsz),
	SZ(vfio_irq_set, argsz),
	SZ(vfio_device_bind_iommufd, argsz),
	SZ(vfio_device_attach_iommufd_pt, argsz),
	SZ(vfio_device_detach_iommufd_pt, argsz),
	SZ(vfio_iommu_type1_info, argsz),
	SZ(vfio_iommu_type1_dma_map, argsz),
	SZ(vfio_iommu_type1_dma_unmap, argsz),
	SZ(vfio_iommu_type1_dirty_bitmap, argsz),
};

static void ioctl_structs_start_with_u32_size(void **state)
{
	for (size_t i = 0; i < sizeof(size_rows) / sizeof(size_rows[0]); i++) {
		const struct size_row *r = &size_rows[i];

		print_message("%-32s %3zu bytes\n", r->name, r->struct_size);
		assert_int_equal(r->offset, 0);
		assert_int_equal(r->field_size, sizeof(uint32_t));
		/* The size field and at least a flags or id field. */
		assert_true(r->struct_size >= 2 * sizeof(uint32_t));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ioctl_numbers_decode_to_type_and_nr),
		cmocka_unit_test(ioctl_numbers_are_unique_per_fd),
		cmocka_unit_test(ioctl_structs_start_with_u32_size),
		cmocka_unit_test(static_checks_iommufd),
		cmocka_unit_test(static_checks_vfio),
		cmocka_unit_test(static_checks_selftest),
		cmocka_unit_test(static_checks_ioctl_encoding),
	};
	int compiled = 0, skipped = 0;

	for (size_t i = 0; i < N_GROUPS; i++) {
		if (groups[i].compiled)
			compiled += groups[i].checks;
		else
			skipped += groups[i].checks;
	}
	/* +2: the alignment of iofd_u_aligned_u64, checked everywhere. */
	print_message("uapi-abi: %d static checks compiled in, %d skipped%s\n", compiled + 2,
		      skipped, IOFD_EXPECT_KERNEL_HEADERS ? " (kernel headers expected)" : "");
	return cmocka_run_group_tests_name("uapi-abi", tests, NULL, NULL);
}
