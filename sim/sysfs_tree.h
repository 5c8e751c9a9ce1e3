/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A builder of sysfs and /dev trees shaped like the kernel's (6.12): real
 * directories, attribute files and relative symlinks, so code that reads
 * /sys through a root prefix cannot tell the difference. The simulator
 * writes its host's view with it (sysfs_view.c); the tests' fake trees
 * (tests/fake_sysfs.h) are made with it too. Internal: libc only, no lock.
 *
 * Every call returns 0 or -errno. Paths called "rel" are relative to
 * fs->root and start with "sys/" or "dev/". Device nodes are empty regular
 * files: they are only ever opened through a kernel seam (the simulator's
 * ops, or tests/fake_sys.h), never for real.
 */
#ifndef IOFD_SIM_SYSFS_TREE_H
#define IOFD_SIM_SYSFS_TREE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

/* Return from the calling function when @expr fails (-errno): the builders
 * are long runs of steps that each either work or end the build. */
#define SIM_TRY(expr)                    \
	do {                             \
		int r_ = (expr);         \
		if (r_ < 0)              \
			return r_;       \
	} while (0)

struct sim_sysfs {
	char root[PATH_MAX];	/* the tree's directory */
	char sys[PATH_MAX];	/* root/sys: an iofd_ctx_opts.sysfs_root */
	char dev[PATH_MAX];	/* root/dev: an iofd_ctx_opts.dev_root */
	bool temp;		/* root was made by mkdtemp */
};

/* Is @bdf a PCI address "DDDD:BB:DD.F" (lower-case hex, a domain of 4 or
 * more digits)? A name that can be one path component? A relative path of
 * clean components ("a/b/c")? */
bool sim_sysfs_bdf_ok(const char *bdf);
bool sim_sysfs_name_ok(const char *name);
bool sim_sysfs_rel_ok(const char *rel);

/* An empty tree (sys/ and dev/) in @dir (created if missing), or in a new
 * mkdtemp directory "@prefixXXXXXX" under $TMPDIR or /tmp when @dir is NULL. */
int sim_sysfs_init(struct sim_sysfs *fs, const char *dir, const char *prefix);
/* Remove everything under root (and root itself when it was a temp dir). */
void sim_sysfs_destroy(struct sim_sysfs *fs);

/* Files, directories and symlinks, parents made as needed. */
__attribute__((format(printf, 3, 4)))
int sim_sysfs_write(struct sim_sysfs *fs, const char *rel, const char *fmt, ...);
int sim_sysfs_mkdir(struct sim_sysfs *fs, const char *rel);
/* A symlink at @rel pointing at @target_rel by a relative path, as sysfs
 * makes them ("../../../devices/pci0000:00/0000:00:03.0"). */
int sim_sysfs_link(struct sim_sysfs *fs, const char *rel, const char *target_rel);

/* A PCI device @bdf under sys/devices/@parent (NULL: "pci0000:00"; a
 * bridge's device path such as "pci0000:00/0000:00:1c.0" nests it), bound
 * to @driver (NULL: unbound). */
int sim_sysfs_pci(struct sim_sysfs *fs, const char *bdf, const char *parent,
		  uint16_t vendor, uint16_t device, uint32_t class_code, const char *driver);
/* A driver's directory on @bus (bind, unbind, uevent; new_id and
 * remove_id on pci). */
int sim_sysfs_driver(struct sim_sysfs *fs, const char *bus, const char *driver);
/* Device @devname (by its bus link) bound to / unbound from @driver: its
 * "driver" link and the driver's link to it. */
int sim_sysfs_bind(struct sim_sysfs *fs, const char *bus, const char *devname,
		   const char *driver);
int sim_sysfs_unbind(struct sim_sysfs *fs, const char *bus, const char *devname,
		     const char *driver);
/* A device's directory relative to the root, by its kernel name. */
int sim_sysfs_device_rel(struct sim_sysfs *fs, const char *devname, char *buf, size_t len);
/* Remove the file, link or directory (with everything in it) at @rel;
 * nothing there is fine. */
int sim_sysfs_remove(struct sim_sysfs *fs, const char *rel);

/* A platform device (sys/devices/platform/@name). */
int sim_sysfs_platform(struct sim_sysfs *fs, const char *name, const char *driver);

/* IOMMU instances in class iommu. */
int sim_sysfs_vtd(struct sim_sysfs *fs, const char *name, uint64_t cap, uint64_t ecap);
int sim_sysfs_amd(struct sim_sysfs *fs, const char *name, const char *pci_bdf,
		  uint32_t cap, uint64_t efr, uint64_t efr2);
/* Any other IOMMU (no attribute group), under sys/devices/@parent_rel/iommu
 * or sys/devices/virtual/iommu when NULL. */
int sim_sysfs_iommu(struct sim_sysfs *fs, const char *name, const char *parent_rel);

/* Device @devname (a PCI address or platform device name) is translated
 * by IOMMU @iommu: its "iommu" link and the IOMMU's devices/ entry. */
int sim_sysfs_iommu_add(struct sim_sysfs *fs, const char *iommu, const char *devname);
/* Device @devname joins IOMMU group @id (made with type "DMA" and x86's
 * MSI window as its reserved_regions if new). */
int sim_sysfs_group_add(struct sim_sysfs *fs, int id, const char *devname);
/* Set group @id's type attribute (making the group if new). */
int sim_sysfs_group_type(struct sim_sysfs *fs, int id, const char *type);
/* Set group @id's reserved_regions attribute to @text (lines of
 * "0x%016llx 0x%016llx TYPE\n"), making the group if new. */
int sim_sysfs_group_reserved(struct sim_sysfs *fs, int id, const char *text);

/* VFIO as the kernel shows it: class/vfio-dev (cdevs) and class/vfio
 * (groups), /dev/vfio/vfio and /dev/iommu nodes, as asked. */
int sim_sysfs_vfio(struct sim_sysfs *fs, bool cdevs, bool groups, bool iommu_node);
/* @devname's cdev vfio@n (vfio-dev/vfioN, class/vfio-dev/vfioN, /dev node). */
int sim_sysfs_vfio_cdev(struct sim_sysfs *fs, const char *devname, int n);
/* VFIO group @id (class/vfio/N and /dev/vfio/N). */
int sim_sysfs_vfio_group(struct sim_sysfs *fs, int id);

#endif
