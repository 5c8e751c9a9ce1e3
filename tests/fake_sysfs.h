/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A builder of fake sysfs and /dev trees shaped like the kernel's (6.12):
 * real directories, attribute files and relative symlinks, so code that
 * reads /sys through a root prefix cannot tell the difference. Every call
 * returns 0 or -errno. Paths called "rel" are relative to fs->root and
 * start with "sys/" or "dev/". Device nodes are empty regular files: they
 * are only ever opened through a fake seam (tests/fake_sys.h).
 */
#ifndef IOFD_TEST_FAKE_SYSFS_H
#define IOFD_TEST_FAKE_SYSFS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

struct fake_sysfs {
	char root[PATH_MAX];	/* the tree's directory */
	char sys[PATH_MAX];	/* root/sys: use as iofd_ctx_opts.sysfs_root */
	char dev[PATH_MAX];	/* root/dev: use as iofd_ctx_opts.dev_root */
	bool temp;		/* root was made by mkdtemp */
};

/* An empty tree (sys/ and dev/) in @dir (created if missing), or in a new
 * mkdtemp directory under $TMPDIR or /tmp when @dir is NULL. */
int fake_sysfs_init(struct fake_sysfs *fs, const char *dir);
/* Remove everything under root (and root itself when it was a temp dir). */
void fake_sysfs_destroy(struct fake_sysfs *fs);

/* Files, directories and symlinks, parents made as needed. */
__attribute__((format(printf, 3, 4)))
int fake_sysfs_write(struct fake_sysfs *fs, const char *rel, const char *fmt, ...);
int fake_sysfs_mkdir(struct fake_sysfs *fs, const char *rel);
/* A symlink at @rel pointing at @target_rel by a relative path, as sysfs
 * makes them ("../../../devices/pci0000:00/0000:00:03.0"). */
int fake_sysfs_link(struct fake_sysfs *fs, const char *rel, const char *target_rel);

/* A PCI device @bdf under sys/devices/@parent (NULL: "pci0000:00"; a
 * bridge's device path such as "pci0000:00/0000:00:1c.0" nests it), bound
 * to @driver (NULL: unbound). */
int fake_sysfs_pci(struct fake_sysfs *fs, const char *bdf, const char *parent,
		   uint16_t vendor, uint16_t device, uint32_t class_code, const char *driver);
/* A platform device (sys/devices/platform/@name). */
int fake_sysfs_platform(struct fake_sysfs *fs, const char *name, const char *driver);

/* IOMMU instances in class iommu. */
int fake_sysfs_vtd(struct fake_sysfs *fs, const char *name, uint64_t cap, uint64_t ecap);
int fake_sysfs_amd(struct fake_sysfs *fs, const char *name, const char *pci_bdf,
		   uint32_t cap, uint64_t efr, uint64_t efr2);
/* Any other IOMMU (no attribute group), under sys/devices/@parent_rel or
 * sys/devices/virtual/iommu when NULL. */
int fake_sysfs_iommu(struct fake_sysfs *fs, const char *name, const char *parent_rel);

/* Device @devname (a PCI address or platform device name) is translated
 * by IOMMU @iommu: its "iommu" link and the IOMMU's devices/ entry. */
int fake_sysfs_iommu_add(struct fake_sysfs *fs, const char *iommu, const char *devname);
/* Device @devname joins IOMMU group @id (made with type "DMA" if new). */
int fake_sysfs_group_add(struct fake_sysfs *fs, int id, const char *devname);
/* Set group @id's type attribute (making the group if new). */
int fake_sysfs_group_type(struct fake_sysfs *fs, int id, const char *type);

/* VFIO as the kernel shows it: class/vfio-dev (cdevs) and class/vfio
 * (groups), /dev/vfio/vfio and /dev/iommu nodes, as asked. */
int fake_sysfs_vfio(struct fake_sysfs *fs, bool cdevs, bool groups, bool iommu_node);
/* @devname's cdev vfio@n (vfio-dev/vfioN, class/vfio-dev/vfioN, /dev node). */
int fake_sysfs_vfio_cdev(struct fake_sysfs *fs, const char *devname, int n);
/* VFIO group @id (class/vfio/N and /dev/vfio/N). */
int fake_sysfs_vfio_group(struct fake_sysfs *fs, int id);

/* Build a named preset: none, vtd-sc, vtd-nosc, vtd-mixed, amd. -EINVAL
 * for an unknown name. */
int fake_sysfs_preset(struct fake_sysfs *fs, const char *name);
/* The preset names, NULL-terminated. */
extern const char *const fake_sysfs_presets[];

#endif
