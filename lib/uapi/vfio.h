/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Our own definitions of the VFIO uAPI that libiommufd uses (the type1
 * container, groups, devices and their iommufd binding), mirroring the ABI
 * of Linux 6.12 by one naming rule: the kernel's struct X is struct
 * iofd_u_X with the same field names, its macro or enum constant X is
 * IOFD_U_X. tests/test_uapi_abi.c checks them against the kernel's headers.
 *
 * Every VFIO ioctl struct starts with "u32 argsz" (the caller's buffer
 * size) and "u32 flags". The ioctl encoding and iofd_u_aligned_u64 come from
 * "iommufd.h" (iommufd shares VFIO's ioctl type ';').
 * (x.y) says which kernel release added an item; ~ marks an estimate.
 */
#ifndef IOFD_UAPI_VFIO_H
#define IOFD_UAPI_VFIO_H

#include <stdint.h>

#include "iommufd.h"

#define IOFD_U_VFIO_API_VERSION 0

/* Extensions (VFIO_CHECK_EXTENSION argument) and IOMMU models (VFIO_SET_IOMMU). */
#define IOFD_U_VFIO_TYPE1_IOMMU		1
#define IOFD_U_VFIO_SPAPR_TCE_IOMMU	2
#define IOFD_U_VFIO_TYPE1v2_IOMMU	3
/* On a container: 1 when every domain in it enforces DMA cache coherency. */
#define IOFD_U_VFIO_DMA_CC_IOMMU	4
#define IOFD_U_VFIO_EEH			5
#define IOFD_U_VFIO_TYPE1_NESTING_IOMMU	6
#define IOFD_U_VFIO_SPAPR_TCE_v2_IOMMU	7
/* No IOMMU at all: unsafe, for CONFIG_VFIO_NOIOMMU (4.5). */
#define IOFD_U_VFIO_NOIOMMU_IOMMU	8
/* VFIO_DMA_UNMAP_FLAG_ALL (5.12). */
#define IOFD_U_VFIO_UNMAP_ALL		9
/* VFIO_DMA_MAP_FLAG_VADDR / VFIO_DMA_UNMAP_FLAG_VADDR (5.12). */
#define IOFD_U_VFIO_UPDATE_VADDR	10

#define IOFD_U_VFIO_TYPE	(';')
#define IOFD_U_VFIO_BASE	100

/*
 * A capability chain entry. Info structs with a CAPS flag have a cap_offset
 * (from the start of the struct) to the first; next is the offset of the
 * following one, 0 at the end. argsz too small to hold the chain: the
 * kernel returns the size it needs in argsz.
 */
struct iofd_u_vfio_info_cap_header {
	uint16_t id;
	uint16_t version;
	uint32_t next;
};

/* ------------------------------------------------------------------------
 * Container (/dev/vfio/vfio) ioctls (3.6)
 */

/* VFIO_GET_API_VERSION: returns VFIO_API_VERSION. */
#define IOFD_U_VFIO_GET_API_VERSION	IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 0)
/* VFIO_CHECK_EXTENSION(ext): > 0 when supported. */
#define IOFD_U_VFIO_CHECK_EXTENSION	IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 1)
/* VFIO_SET_IOMMU(model): pick the IOMMU model once a group is attached. */
#define IOFD_U_VFIO_SET_IOMMU		IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 2)

/* ------------------------------------------------------------------------
 * Group (/dev/vfio/<group>) ioctls (3.6)
 */

/* VFIO_GROUP_GET_STATUS: viable once every device is bound to vfio or to no driver. */
struct iofd_u_vfio_group_status {
	uint32_t argsz;
	uint32_t flags;
};
#define IOFD_U_VFIO_GROUP_FLAGS_VIABLE		(1 << 0)
#define IOFD_U_VFIO_GROUP_FLAGS_CONTAINER_SET	(1 << 1)
#define IOFD_U_VFIO_GROUP_GET_STATUS	IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 3)
/* VFIO_GROUP_SET_CONTAINER(int32_t *fd): a container or a /dev/iommu fd. */
#define IOFD_U_VFIO_GROUP_SET_CONTAINER	IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 4)
#define IOFD_U_VFIO_GROUP_UNSET_CONTAINER IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 5)
/* VFIO_GROUP_GET_DEVICE_FD(char *name): returns a device fd. */
#define IOFD_U_VFIO_GROUP_GET_DEVICE_FD	IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 6)

/* ------------------------------------------------------------------------
 * Device (group-obtained fd or /dev/vfio/devices/vfioN) ioctls
 */

/*
 * VFIO_DEVICE_GET_INFO (3.6): the device's bus type and how many region and
 * IRQ indexes it has. pad since ~6.5 (before, the struct was 20 bytes).
 */
struct iofd_u_vfio_device_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t num_regions;
	uint32_t num_irqs;
	uint32_t cap_offset;
	uint32_t pad;
};
#define IOFD_U_VFIO_DEVICE_FLAGS_RESET		(1 << 0)
#define IOFD_U_VFIO_DEVICE_FLAGS_PCI		(1 << 1)
#define IOFD_U_VFIO_DEVICE_FLAGS_PLATFORM	(1 << 2)
#define IOFD_U_VFIO_DEVICE_FLAGS_AMBA		(1 << 3)
#define IOFD_U_VFIO_DEVICE_FLAGS_CCW		(1 << 4)
#define IOFD_U_VFIO_DEVICE_FLAGS_AP		(1 << 5)
#define IOFD_U_VFIO_DEVICE_FLAGS_FSL_MC		(1 << 6)
#define IOFD_U_VFIO_DEVICE_FLAGS_CAPS		(1 << 7)
#define IOFD_U_VFIO_DEVICE_FLAGS_CDX		(1 << 8)
#define IOFD_U_VFIO_DEVICE_GET_INFO	IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 7)

/* VFIO_DEVICE_GET_REGION_INFO (3.6): where region index lives in the device fd. */
struct iofd_u_vfio_region_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t cap_offset;
	iofd_u_aligned_u64 size;
	iofd_u_aligned_u64 offset;
};
#define IOFD_U_VFIO_REGION_INFO_FLAG_READ	(1 << 0)
#define IOFD_U_VFIO_REGION_INFO_FLAG_WRITE	(1 << 1)
#define IOFD_U_VFIO_REGION_INFO_FLAG_MMAP	(1 << 2)
#define IOFD_U_VFIO_REGION_INFO_FLAG_CAPS	(1 << 3)
#define IOFD_U_VFIO_DEVICE_GET_REGION_INFO IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 8)

/* Region capability: only these parts of a MMAP region may be mmapped (~4.8). */
#define IOFD_U_VFIO_REGION_INFO_CAP_SPARSE_MMAP 1

struct iofd_u_vfio_region_sparse_mmap_area {
	iofd_u_aligned_u64 offset;
	iofd_u_aligned_u64 size;
};

struct iofd_u_vfio_region_info_cap_sparse_mmap {
	struct iofd_u_vfio_info_cap_header header;
	uint32_t nr_areas;
	uint32_t reserved;
	struct iofd_u_vfio_region_sparse_mmap_area areas[];
};

/* Region capability: a device-specific region's type and subtype (~4.8). */
#define IOFD_U_VFIO_REGION_INFO_CAP_TYPE 2

struct iofd_u_vfio_region_info_cap_type {
	struct iofd_u_vfio_info_cap_header header;
	uint32_t type;
	uint32_t subtype;
};

/* Region capability: the MSI-X table may be mmapped (~4.16). */
#define IOFD_U_VFIO_REGION_INFO_CAP_MSIX_MAPPABLE 3

/* VFIO_DEVICE_GET_IRQ_INFO (3.6): how many IRQs index has and how they behave. */
struct iofd_u_vfio_irq_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t count;
};
#define IOFD_U_VFIO_IRQ_INFO_EVENTFD	(1 << 0)
#define IOFD_U_VFIO_IRQ_INFO_MASKABLE	(1 << 1)
#define IOFD_U_VFIO_IRQ_INFO_AUTOMASKED	(1 << 2)
#define IOFD_U_VFIO_IRQ_INFO_NORESIZE	(1 << 3)
#define IOFD_U_VFIO_DEVICE_GET_IRQ_INFO	IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 9)

/*
 * VFIO_DEVICE_SET_IRQS (3.6): mask, unmask or trigger (or attach eventfds
 * to) IRQs start..start+count-1 of index. One DATA_ and one ACTION_ flag;
 * data holds count bools (u8) or eventfds (int32_t, -1 detaches).
 */
struct iofd_u_vfio_irq_set {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t start;
	uint32_t count;
	uint8_t data[];
};
#define IOFD_U_VFIO_IRQ_SET_DATA_NONE		(1 << 0)
#define IOFD_U_VFIO_IRQ_SET_DATA_BOOL		(1 << 1)
#define IOFD_U_VFIO_IRQ_SET_DATA_EVENTFD	(1 << 2)
#define IOFD_U_VFIO_IRQ_SET_ACTION_MASK		(1 << 3)
#define IOFD_U_VFIO_IRQ_SET_ACTION_UNMASK	(1 << 4)
#define IOFD_U_VFIO_IRQ_SET_ACTION_TRIGGER	(1 << 5)
#define IOFD_U_VFIO_IRQ_SET_DATA_TYPE_MASK                                    \
	(IOFD_U_VFIO_IRQ_SET_DATA_NONE | IOFD_U_VFIO_IRQ_SET_DATA_BOOL |      \
	 IOFD_U_VFIO_IRQ_SET_DATA_EVENTFD)
#define IOFD_U_VFIO_IRQ_SET_ACTION_TYPE_MASK                                  \
	(IOFD_U_VFIO_IRQ_SET_ACTION_MASK | IOFD_U_VFIO_IRQ_SET_ACTION_UNMASK | \
	 IOFD_U_VFIO_IRQ_SET_ACTION_TRIGGER)
#define IOFD_U_VFIO_DEVICE_SET_IRQS	IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 10)

/* VFIO_DEVICE_RESET (3.6): a function-level reset, when FLAGS_RESET says so. */
#define IOFD_U_VFIO_DEVICE_RESET	IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 11)

/* vfio-pci's fixed region indexes; indexes from VFIO_PCI_NUM_REGIONS on are device-specific. */
enum {
	IOFD_U_VFIO_PCI_BAR0_REGION_INDEX,
	IOFD_U_VFIO_PCI_BAR1_REGION_INDEX,
	IOFD_U_VFIO_PCI_BAR2_REGION_INDEX,
	IOFD_U_VFIO_PCI_BAR3_REGION_INDEX,
	IOFD_U_VFIO_PCI_BAR4_REGION_INDEX,
	IOFD_U_VFIO_PCI_BAR5_REGION_INDEX,
	IOFD_U_VFIO_PCI_ROM_REGION_INDEX,
	IOFD_U_VFIO_PCI_CONFIG_REGION_INDEX,
	IOFD_U_VFIO_PCI_VGA_REGION_INDEX,
	IOFD_U_VFIO_PCI_NUM_REGIONS = 9
};

/* vfio-pci's IRQ indexes. */
enum {
	IOFD_U_VFIO_PCI_INTX_IRQ_INDEX,
	IOFD_U_VFIO_PCI_MSI_IRQ_INDEX,
	IOFD_U_VFIO_PCI_MSIX_IRQ_INDEX,
	IOFD_U_VFIO_PCI_ERR_IRQ_INDEX,
	IOFD_U_VFIO_PCI_REQ_IRQ_INDEX,
	IOFD_U_VFIO_PCI_NUM_IRQS
};

/*
 * VFIO_DEVICE_BIND_IOMMUFD (6.6): bind a device cdev to an iommufd; returns
 * the device's iommufd id in out_devid. Once per open device fd.
 */
struct iofd_u_vfio_device_bind_iommufd {
	uint32_t argsz;
	uint32_t flags;
	int32_t iommufd;
	uint32_t out_devid;
};
#define IOFD_U_VFIO_DEVICE_BIND_IOMMUFD	IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 18)

/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT (6.6): attach a bound device to an IOAS or
 * a HWPT; attached already, it replaces the old one without a DMA gap.
 * pt_id returns the HWPT actually used (an automatic one for an IOAS).
 */
struct iofd_u_vfio_device_attach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pt_id;
};
#define IOFD_U_VFIO_DEVICE_ATTACH_IOMMUFD_PT IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 19)

/* VFIO_DEVICE_DETACH_IOMMUFD_PT (6.6): detach; the device then does no DMA. */
struct iofd_u_vfio_device_detach_iommufd_pt {
	uint32_t argsz;
	uint32_t flags;
};
#define IOFD_U_VFIO_DEVICE_DETACH_IOMMUFD_PT IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 20)

/* ------------------------------------------------------------------------
 * Type1 IOMMU (container fd, after VFIO_SET_IOMMU)
 */

/*
 * VFIO_IOMMU_GET_INFO (3.6): supported IOVA page sizes and, with
 * VFIO_IOMMU_INFO_CAPS (~5.4), a capability chain. pad since ~6.5.
 */
struct iofd_u_vfio_iommu_type1_info {
	uint32_t argsz;
	uint32_t flags;
	iofd_u_aligned_u64 iova_pgsizes;
	uint32_t cap_offset;
	uint32_t pad;
};
#define IOFD_U_VFIO_IOMMU_INFO_PGSIZES	(1 << 0)
#define IOFD_U_VFIO_IOMMU_INFO_CAPS	(1 << 1)
#define IOFD_U_VFIO_IOMMU_GET_INFO	IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 12)

/* Info capability: the usable IOVA ranges, inclusive (~5.4). */
#define IOFD_U_VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE 1

struct iofd_u_vfio_iova_range {
	uint64_t start;
	uint64_t end;
};

struct iofd_u_vfio_iommu_type1_info_cap_iova_range {
	struct iofd_u_vfio_info_cap_header header;
	uint32_t nr_iovas;
	uint32_t reserved;
	struct iofd_u_vfio_iova_range iova_ranges[];
};

/* Info capability: dirty page tracking's page sizes and bitmap limit (~5.8). */
#define IOFD_U_VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION 2

struct iofd_u_vfio_iommu_type1_info_cap_migration {
	struct iofd_u_vfio_info_cap_header header;
	uint32_t flags;
	uint64_t pgsize_bitmap;
	uint64_t max_dirty_bitmap_size;
};

/* Info capability: how many more DMA mappings the container allows (~5.10). */
#define IOFD_U_VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL 3

struct iofd_u_vfio_iommu_type1_info_dma_avail {
	struct iofd_u_vfio_info_cap_header header;
	uint32_t avail;
};

/*
 * VFIO_IOMMU_MAP_DMA (3.6): map [vaddr, vaddr + size) at iova. With
 * FLAG_VADDR (5.12) only give a mapping whose vaddr was invalidated a new one.
 */
struct iofd_u_vfio_iommu_type1_dma_map {
	uint32_t argsz;
	uint32_t flags;
	uint64_t vaddr;
	uint64_t iova;
	uint64_t size;
};
#define IOFD_U_VFIO_DMA_MAP_FLAG_READ	(1 << 0)
#define IOFD_U_VFIO_DMA_MAP_FLAG_WRITE	(1 << 1)
#define IOFD_U_VFIO_DMA_MAP_FLAG_VADDR	(1 << 2)
#define IOFD_U_VFIO_IOMMU_MAP_DMA	IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 13)

/* A dirty bitmap: one bit per pgsize bytes, size bytes long, at data. */
struct iofd_u_vfio_bitmap {
	uint64_t pgsize;
	uint64_t size;
	uint64_t *data;
};

/*
 * VFIO_IOMMU_UNMAP_DMA (3.6): unmap [iova, iova + size); size returns what
 * was unmapped. FLAG_ALL (5.12): everything (iova and size 0). FLAG_VADDR
 * (5.12): only invalidate the vaddr. FLAG_GET_DIRTY_BITMAP (~5.8): data
 * holds a struct iofd_u_vfio_bitmap to fill first.
 */
struct iofd_u_vfio_iommu_type1_dma_unmap {
	uint32_t argsz;
	uint32_t flags;
	uint64_t iova;
	uint64_t size;
	uint8_t data[];
};
#define IOFD_U_VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP	(1 << 0)
#define IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL			(1 << 1)
#define IOFD_U_VFIO_DMA_UNMAP_FLAG_VADDR		(1 << 2)
#define IOFD_U_VFIO_IOMMU_UNMAP_DMA	IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 14)

/*
 * VFIO_IOMMU_DIRTY_PAGES (~5.8, TYPE1v2 only): START or STOP tracking, or
 * GET_BITMAP with a struct iofd_u_vfio_iommu_type1_dirty_bitmap_get in data.
 */
struct iofd_u_vfio_iommu_type1_dirty_bitmap {
	uint32_t argsz;
	uint32_t flags;
	uint8_t data[];
};
#define IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_START	(1 << 0)
#define IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP		(1 << 1)
#define IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP	(1 << 2)

struct iofd_u_vfio_iommu_type1_dirty_bitmap_get {
	uint64_t iova;
	uint64_t size;
	struct iofd_u_vfio_bitmap bitmap;
};
#define IOFD_U_VFIO_IOMMU_DIRTY_PAGES	IOFD_U_IO(IOFD_U_VFIO_TYPE, IOFD_U_VFIO_BASE + 17)

/* The whole argument of UNMAP_DMA with FLAG_GET_DIRTY_BITMAP: the struct,
 * then in its data[] the bitmap to fill. */
struct iofd_u_vfio_dma_unmap_with_bitmap {
	uint32_t argsz;
	uint32_t flags;
	uint64_t iova;
	uint64_t size;
	struct iofd_u_vfio_bitmap bitmap;
};

/* The whole argument of DIRTY_PAGES with FLAG_GET_BITMAP: the struct, then
 * in its data[] the range and its bitmap. */
struct iofd_u_vfio_dirty_pages_get {
	uint32_t argsz;
	uint32_t flags;
	struct iofd_u_vfio_iommu_type1_dirty_bitmap_get range;
};
_Static_assert(__builtin_offsetof(struct iofd_u_vfio_dma_unmap_with_bitmap, bitmap) ==
	       __builtin_offsetof(struct iofd_u_vfio_iommu_type1_dma_unmap, data),
	       "the bitmap is UNMAP_DMA's data");
_Static_assert(__builtin_offsetof(struct iofd_u_vfio_dirty_pages_get, range) ==
	       __builtin_offsetof(struct iofd_u_vfio_iommu_type1_dirty_bitmap, data),
	       "the range is DIRTY_PAGES's data");

#endif /* IOFD_UAPI_VFIO_H */
