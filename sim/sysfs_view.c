// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated host as sysfs and /dev show it, written with the sysfs
 * builder (sysfs_tree.c) into a private temporary directory the first time
 * anyone needs it, then kept in step with the topology. What it holds is
 * what the simulated kernel offers: /dev/iommu, class/vfio-dev and the
 * device cdevs, IOMMU instances and groups, and VFIO's: class/vfio with
 * /dev/vfio/N for each group with a VFIO device, and /dev/vfio/vfio.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kversion.h"
#include "topology.h"

/* The selftest IOMMU, a platform device's class iommu child (selftest.c). */
static int add_platform_iommu(struct sim_sysfs *fs, const char *pdev, const char *name)
{
	char parent[PATH_MAX];

	SIM_TRY(sim_sysfs_platform(fs, pdev, NULL));
	if ((size_t)snprintf(parent, sizeof(parent), "platform/%s", pdev) >= sizeof(parent))
		return -ENAMETOOLONG;
	return sim_sysfs_iommu(fs, name, parent);
}

static int skeleton(struct iofd_sim *sim, struct sim_sysfs *fs)
{
	static const char *const dirs[] = {
		"sys/class/iommu", "sys/kernel/iommu_groups", "sys/bus/pci/devices",
		"sys/bus/pci/drivers", "sys/bus/platform/devices", "sys/bus/platform/drivers",
		"sys/devices/virtual", "sys/class/misc",
	};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		SIM_TRY(sim_sysfs_mkdir(fs, dirs[i]));
	/* cdevs (6.6), VFIO groups, /dev/vfio/vfio (VFIO's own container or
	 * iommufd: the same misc device) and /dev/iommu (6.2) */
	SIM_TRY(sim_sysfs_vfio(fs, sim_kernel_has(sim, SIM_KF_VFIO_CDEV), true,
			       sim_kernel_has(sim, SIM_KF_IOMMUFD)));
	/* The driver core's bus files, and vfio-pci unless it is not loaded. */
	SIM_TRY(sim_sysfs_write(fs, "sys/bus/pci/drivers_probe", "%s", ""));
	SIM_TRY(sim_sysfs_write(fs, "sys/bus/pci/drivers_autoprobe", "1\n"));
	if (!sim_has(sim, IOFD_SIM_NO_VFIO_PCI))
		SIM_TRY(sim_sysfs_driver(fs, "pci", "vfio-pci"));
	if (sim->topo->mock_iommu)
		SIM_TRY(add_platform_iommu(fs, sim->topo->mock_iommu->name, sim->topo->mock_iommu->name));
	return 0;
}

int sim_view_ready(struct iofd_sim *sim)
{
	struct sim_topo *t = sim->topo;
	int r;

	if (t->fs_made)
		return 0;
	r = sim_sysfs_init(&t->fs, NULL, "iofd-sim-");
	if (r < 0)
		return r;
	r = skeleton(sim, &t->fs);
	if (r < 0) {
		sim_sysfs_destroy(&t->fs);
		return r;
	}
	t->fs_made = true;
	/* Whatever was added before anyone looked. */
	for (unsigned int i = 0; i < t->niommus && r == 0; i++)
		r = sim_view_add_iommu(sim, t->iommus[i]);
	for (struct sim_dev *d = t->devs; d && r == 0; d = d->next)
		r = sim_view_add_dev(sim, d);
	if (r < 0) {
		sim_sysfs_destroy(&t->fs);
		t->fs_made = false;
	}
	return r;
}

int sim_view_add_iommu(struct iofd_sim *sim, const struct sim_iommu *u)
{
	struct sim_sysfs *fs = &sim->topo->fs;
	char pdev[80];
	int r = sim_view_ready(sim);

	/* (A tree made just now already holds @u if it was in the table.) */
	if (r < 0)
		return r;
	switch (u->type) {
	case IOFD_IOMMU_INTEL_VTD:
		return sim_sysfs_vtd(fs, u->name, u->cap, u->ecap);
	case IOFD_IOMMU_AMD: {
		/* Under its own PCI function (class 0x0806), one root complex each. */
		unsigned int nth = 0;

		for (unsigned int i = 0; i < sim->topo->niommus; i++)
			nth += sim->topo->iommus[i]->type == IOFD_IOMMU_AMD &&
			       sim->topo->iommus[i]->index < u->index;
		snprintf(pdev, sizeof(pdev), "0000:%02x:00.2", (nth * 0x40) & 0xff);
		return sim_sysfs_amd(fs, u->name, pdev, 0x190b640f, u->efr, 0);
	}
	case IOFD_IOMMU_ARM_SMMUV3:
		snprintf(pdev, sizeof(pdev), "arm-smmu-v3.%u.auto", u->index);
		return add_platform_iommu(fs, pdev, u->name);
	default:
		return add_platform_iommu(fs, u->name, u->name);
	}
}

/* reserved_regions: "0x%016llx 0x%016llx %s\n" per region, by address. */
static int group_reserved(struct sim_sysfs *fs, const struct sim_dev *dev)
{
	const struct sim_iommu *u = dev->iommu;
	char text[1024] = "";
	size_t used = 0;
	uint64_t from = 0;

	for (unsigned int done = 0; done < u->nresv; done++) {
		const struct sim_resv *next = NULL;

		for (unsigned int i = 0; i < u->nresv; i++)
			if (u->resv[i].start >= from && (!next || u->resv[i].start < next->start))
				next = &u->resv[i];
		if (!next)
			break;
		used += (size_t)snprintf(text + used, sizeof(text) - used, "0x%016llx 0x%016llx %s\n",
					 (unsigned long long)next->start,
					 (unsigned long long)next->last, next->kind);
		if (used >= sizeof(text) || next->start == UINT64_MAX)
			break;
		from = next->start + 1;
	}
	return sim_sysfs_group_reserved(fs, dev->group->id, text);
}

int sim_view_add_dev(struct iofd_sim *sim, const struct sim_dev *dev)
{
	struct sim_sysfs *fs = &sim->topo->fs;
	int r = sim_view_ready(sim);

	if (r < 0)
		return r;
	SIM_TRY(sim_sysfs_pci(fs, dev->name, dev->parent[0] ? dev->parent : NULL, dev->vendor,
			  dev->device, dev->class_code, dev->driver[0] ? dev->driver : NULL));
	if (dev->host_driver[0])
		SIM_TRY(sim_sysfs_driver(fs, "pci", dev->host_driver));
	if ((dev->class_code >> 8) == 0x0300 || (dev->flags & IOFD_SIM_PCI_BOOT_VGA)) {
		char rel[PATH_MAX];

		SIM_TRY(sim_sysfs_device_rel(fs, dev->name, rel, sizeof(rel)));
		SIM_TRY(sim_sysfs_write(fs, strcat(rel, "/boot_vga"), "%d\n",
					!!(dev->flags & IOFD_SIM_PCI_BOOT_VGA)));
	}
	if (dev->host_driver[0] && !strcmp(dev->driver, dev->host_driver))
		SIM_TRY(sim_view_host_children(sim, (struct sim_dev *)dev));
	if (!dev->iommu)
		return 0;
	SIM_TRY(sim_sysfs_iommu_add(fs, dev->iommu->name, dev->name));
	SIM_TRY(sim_sysfs_group_add(fs, dev->group->id, dev->name));
	SIM_TRY(group_reserved(fs, dev));
	if (!dev->vfio)
		return 0;
	if (dev->cdev >= 0 && sim_kernel_has(sim, SIM_KF_VFIO_CDEV))
		SIM_TRY(sim_sysfs_vfio_cdev(fs, dev->name, dev->cdev));
	/* The group's node comes with its first VFIO device. */
	for (const struct sim_dev *d = sim->topo->devs; d && d != dev; d = d->next)
		if (d->group == dev->group && d->vfio)
			return 0;
	return sim_sysfs_vfio_group(fs, dev->group->id);
}

const char *iofd_sim_sysfs_root(struct iofd_sim *sim)
{
	const char *p = NULL;
	int r;

	if (!sim) {
		errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&sim->lock);
	r = sim_view_ready(sim);
	if (r == 0)
		p = sim->topo->fs.sys;
	pthread_mutex_unlock(&sim->lock);
	if (r < 0)
		errno = -r;
	return p;
}

const char *iofd_sim_dev_root(struct iofd_sim *sim)
{
	const char *p = iofd_sim_sysfs_root(sim);

	return p ? sim->topo->fs.dev : NULL;
}
