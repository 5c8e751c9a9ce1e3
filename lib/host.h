/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host snapshot's insides (lib/host.c, lib/host_backends.c). */
#ifndef IOFD_HOST_H
#define IOFD_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libiommufd.h"

struct iofd_iommu {
	char *name;		/* "dmar0" */
	char *syspath;		/* canonical directory */
	enum iofd_iommu_type type;
	bool has_vtd_regs;	/* cap and ecap were read */
	uint64_t cap, ecap;
	bool has_efr;		/* AMD features were read */
	uint64_t efr, efr2;
};

struct iofd_group {
	int id;
	char *type;		/* default domain type, or NULL */
	char *path;		/* DEV/vfio/N when it exists, or NULL */
	struct iofd_hostdev **devs;	/* by name */
	size_t n_devs;
	/* Members whose driver uses the DMA API: the group is viable iff none. */
	struct iofd_hostdev **blockers;
	size_t n_blockers;
};

struct iofd_hostdev {
	char *name;		/* PCI address, or the kernel's device name */
	char *syspath;		/* canonical directory */
	bool is_pci;
	uint16_t vendor, device;
	uint32_t class_code;
	char *driver;		/* NULL: unbound */
	char *cdev;		/* DEV/vfio/devices/vfioN, or NULL */
	struct iofd_group *group;
	struct iofd_iommu *iommu;
};

#define IOFD_REASON_MAX 1024

struct iofd_host {
	struct iofd_iommu **iommus;	/* by name */
	size_t n_iommus;
	struct iofd_group **groups;	/* by number */
	size_t n_groups;
	struct iofd_hostdev **devs;	/* PCI by address, then the others */
	size_t n_devs, n_pci;

	/* Indexed by enum iofd_backend; [AUTO] is why auto picks what it picks. */
	bool available[4];
	char reason[4][IOFD_REASON_MAX];
	int auto_backend;		/* a backend, or -ENODEV */
	enum iofd_container_kind container_kind;
};

/* Fill the backend fields of @host (whose IOMMUs are already scanned) by
 * asking /dev/iommu and /dev/vfio/vfio through @ctx's seam. Opens nothing
 * that stays open. Return: 0; the probing itself never fails the scan. */
int iofd_host_probe_backends(struct iofd_ctx *ctx, struct iofd_host *host);

/* Does a device bound to @driver (NULL: unbound) leave the group usable by
 * VFIO? True for the drivers that set driver_managed_dma in 6.12: vfio-pci
 * and its variants (names ending in vfio-pci or vfio_pci), the other VFIO
 * bus drivers (vfio-platform, vfio-amba, vfio-fsl-mc, vfio-cdx), pci-stub
 * and pcieport. */
bool iofd_driver_manages_dma(const char *driver);

/* The members that make a group non-viable (public later, perhaps, as
 * iofd_group_blocker()): 0 of them for a viable group. */
size_t iofd_group_blocker_count(const struct iofd_group *group);
const struct iofd_hostdev *iofd_group_blocker(const struct iofd_group *group, size_t idx);

/* The page sizes a VT-d unit's domains can map (4K|2M|1G bits); 0 unknown. */
uint64_t iofd_iommu_pgsizes(const struct iofd_iommu *iommu);

/* Parse a PCI address "DDDD:BB:DD.F" or "BB:DD.F" into its canonical
 * form "dddd:bb:dd.f" (@buf of at least 16 bytes). -EINVAL if malformed. */
int iofd_pci_addr_canon(const char *s, char *buf, size_t len);

#endif
