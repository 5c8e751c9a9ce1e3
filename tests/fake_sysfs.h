/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fake sysfs and /dev trees shaped like the kernel's (6.12), for tests that
 * read /sys through a root prefix. The builder is the simulator's
 * (sim/sysfs_tree.h: every call returns 0 or -errno, "rel" paths start with
 * "sys/" or "dev/"); the tests know it by the names below. Device nodes are
 * empty regular files: they are only ever opened through a fake seam
 * (tests/fake_sys.h).
 */
#ifndef IOFD_TEST_FAKE_SYSFS_H
#define IOFD_TEST_FAKE_SYSFS_H

#include "sysfs_tree.h"

/* struct fake_sysfs: root, sys (an iofd_ctx_opts.sysfs_root), dev
 * (a dev_root), temp. */
#define fake_sysfs sim_sysfs

/* An empty tree in @dir (created if missing), or in a new mkdtemp
 * directory under $TMPDIR or /tmp when @dir is NULL. */
static inline int fake_sysfs_init(struct fake_sysfs *fs, const char *dir)
{
	return sim_sysfs_init(fs, dir, "fake-sysfs-");
}

#define fake_sysfs_destroy sim_sysfs_destroy
#define fake_sysfs_write sim_sysfs_write
#define fake_sysfs_mkdir sim_sysfs_mkdir
#define fake_sysfs_link sim_sysfs_link
#define fake_sysfs_pci sim_sysfs_pci
#define fake_sysfs_platform sim_sysfs_platform
#define fake_sysfs_vtd sim_sysfs_vtd
#define fake_sysfs_amd sim_sysfs_amd
#define fake_sysfs_iommu sim_sysfs_iommu
#define fake_sysfs_iommu_add sim_sysfs_iommu_add
#define fake_sysfs_group_add sim_sysfs_group_add
#define fake_sysfs_group_type sim_sysfs_group_type
#define fake_sysfs_vfio sim_sysfs_vfio
#define fake_sysfs_vfio_cdev sim_sysfs_vfio_cdev
#define fake_sysfs_vfio_group sim_sysfs_vfio_group

/* Build a named preset (the table at the top of tests/fake_sysfs.c): none,
 * vtd-sc, vtd-nosc, vtd-mixed, amd. -EINVAL for an unknown name. */
int fake_sysfs_preset(struct fake_sysfs *fs, const char *name);
/* The preset names, NULL-terminated. */
extern const char *const fake_sysfs_presets[];

#endif
