// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulated host: the IOMMU instances and PCI devices a test adds
 * (iofd_sim_add_iommu(), iofd_sim_add_pci()), their IOMMU groups, and the
 * mock devices IOMMU_TEST_OP_MOCK_DOMAIN makes. Each addition is also
 * written to the simulated sysfs (sysfs_view.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topology.h"
#include "uapi/iommufd_test.h"

/* The options-struct rules: @v1 bytes at least; a longer tail must be zero. */
static int opts_copy(void *dst, size_t size, const void *src, size_t sz, size_t v1)
{
	const unsigned char *p = src;

	memset(dst, 0, size);
	if (!src || sz < v1)
		return -EINVAL;
	if (sz > 4096)
		return -E2BIG;
	for (size_t i = size; i < sz; i++)
		if (p[i])
			return -E2BIG;
	memcpy(dst, src, sz < size ? sz : size);
	return 0;
}

#define OPTS_V1(type, last) (offsetof(type, last) + sizeof(((type *)0)->last))

int sim_topo_new(struct iofd_sim *sim)
{
	struct sim_topo *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->devs_tail = &t->devs;
	sim->topo = t;
	if (sim_has(sim, IOFD_SIM_IOMMUFD_TEST)) {
		t->mock_iommu = calloc(1, sizeof(*t->mock_iommu));
		if (!t->mock_iommu) {
			free(t);
			sim->topo = NULL;
			return -ENOMEM;
		}
		sim_iommu_setup_mock(sim, t->mock_iommu);
	}
	return 0;
}

static void iommu_free(struct sim_iommu *u)
{
	if (!u)
		return;
	free(u->resv);
	free(u);
}

void sim_topo_free(struct iofd_sim *sim)
{
	struct sim_topo *t = sim->topo;

	if (!t)
		return;
	for (unsigned int i = 0; i < t->niommus; i++)
		iommu_free(t->iommus[i]);
	free(t->iommus);
	iommu_free(t->mock_iommu);
	while (t->devs) {
		struct sim_dev *d = t->devs;

		t->devs = d->next;
		free(d);
	}
	while (t->mocks) {
		struct sim_dev *d = t->mocks;

		t->mocks = d->next;
		free(d);
	}
	while (t->groups) {
		struct sim_group *g = t->groups;

		t->groups = g->next;
		free(g);
	}
	if (t->fs_made)
		sim_sysfs_destroy(&t->fs);
	free(t);
	sim->topo = NULL;
}

/* ------------------------------------------------------------------------
 * IOMMU instances
 */

static bool name_taken(const struct sim_topo *t, const char *name)
{
	for (unsigned int i = 0; i < t->niommus; i++)
		if (!strcmp(t->iommus[i]->name, name))
			return true;
	return t->mock_iommu && !strcmp(t->mock_iommu->name, name);
}

int iofd_sim_add_iommu(struct iofd_sim *sim, const struct iofd_sim_iommu_opts *opts)
{
	const uint32_t known = IOFD_SIM_IOMMU_DIRTY | IOFD_SIM_IOMMU_RESERVED |
			       IOFD_SIM_IOMMU_NO_IRQ_REMAP;
	struct iofd_sim_iommu_opts o;
	struct sim_iommu *u = NULL, **t;
	int r;

	if (!sim || !opts)
		return -EINVAL;
	r = opts_copy(&o, sizeof(o), opts, opts->sz, OPTS_V1(struct iofd_sim_iommu_opts,
							     nr_reserved));
	if (r < 0)
		return r;
	if ((o.flags & ~known) || (o.name && !sim_sysfs_name_ok(o.name)) ||
	    (o.name && strlen(o.name) >= sizeof(u->name)))
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	u = calloc(1, sizeof(*u));
	r = u ? 0 : -ENOMEM;
	if (r == 0)
		r = sim_iommu_setup(sim, u, &o);
	if (r == 0 && name_taken(sim->topo, u->name))
		r = -EINVAL;
	if (r == 0) {
		t = realloc(sim->topo->iommus, (sim->topo->niommus + 1) * sizeof(*t));
		r = t ? 0 : -ENOMEM;
		if (t)
			sim->topo->iommus = t;
	}
	if (r == 0) {
		u->index = sim->topo->niommus;
		r = sim_view_add_iommu(sim, u);
	}
	if (r == 0) {
		sim->topo->iommus[sim->topo->niommus++] = u;
		r = (int)u->index;
	} else {
		iommu_free(u);
	}
	pthread_mutex_unlock(&sim->lock);
	return r;
}

/* ------------------------------------------------------------------------
 * Groups and devices
 */

static struct sim_group *group_find(struct sim_topo *t, int id)
{
	for (struct sim_group *g = t->groups; g; g = g->next)
		if (g->id == id)
			return g;
	return NULL;
}

/* The lowest group number no group has. */
static int group_free_id(struct sim_topo *t)
{
	int id = 0;

	while (group_find(t, id))
		id++;
	return id;
}

/* VFIO makes a device of anything bound to vfio-pci or a variant of it. */
bool sim_vfio_driver(const char *driver)
{
	size_t n = strlen(driver);

	return n >= 8 && (!strcmp(driver + n - 8, "vfio-pci") || !strcmp(driver + n - 8, "vfio_pci"));
}

/* Drivers that leave a group's DMA to its user (driver_managed_dma). */
static bool dma_managed_driver(const char *driver)
{
	return !*driver || sim_vfio_driver(driver) || !strcmp(driver, "pci-stub") ||
	       !strcmp(driver, "pcieport");
}

bool sim_group_viable(struct iofd_sim *sim, const struct sim_group *g)
{
	for (struct sim_dev *d = sim->topo->devs; d; d = d->next)
		if (d->group == g && !dma_managed_driver(d->driver))
			return false;
	return true;
}

struct sim_dev *sim_topo_find_dev(struct iofd_sim *sim, const char *name)
{
	for (struct sim_dev *d = sim->topo->devs; d; d = d->next)
		if (!strcmp(d->name, name))
			return d;
	for (struct sim_dev *d = sim->topo->mocks; d; d = d->next)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

int sim_topo_free_cdev(struct iofd_sim *sim)
{
	int n = 0;

	while (sim_topo_find_cdev(sim, (unsigned int)n))
		n++;
	return n;
}

bool sim_driver_loaded(struct iofd_sim *sim, const char *driver)
{
	if (!*driver)
		return false;
	if (!strcmp(driver, "vfio-pci"))
		return !sim_has(sim, IOFD_SIM_NO_VFIO_PCI);
	for (struct sim_dev *d = sim->topo->devs; d; d = d->next)
		if (!strcmp(d->driver, driver) || !strcmp(d->host_driver, driver))
			return true;
	return false;
}

struct sim_dev *sim_topo_find_cdev(struct iofd_sim *sim, unsigned int n)
{
	for (struct sim_dev *d = sim->topo->devs; d; d = d->next)
		if (d->cdev >= 0 && (unsigned int)d->cdev == n)
			return d;
	return NULL;
}

static int pci_check(struct iofd_sim *sim, const struct iofd_sim_pci_opts *o)
{
	const uint32_t known = IOFD_SIM_PCI_GROUP | IOFD_SIM_PCI_NO_CDEV | IOFD_SIM_PCI_COHERENT |
			       IOFD_SIM_PCI_BOOT_VGA;

	if ((o->flags & ~known) || !o->bdf || !sim_sysfs_bdf_ok(o->bdf) ||
	    strlen(o->bdf) >= sizeof(((struct sim_dev *)0)->name) ||
	    (o->driver && (!sim_sysfs_name_ok(o->driver) ||
			   strlen(o->driver) >= sizeof(((struct sim_dev *)0)->driver))) ||
	    (o->parent && (!sim_sysfs_rel_ok(o->parent) ||
			   strlen(o->parent) >= sizeof(((struct sim_dev *)0)->parent))) ||
	    (o->host_driver && (!sim_sysfs_name_ok(o->host_driver) ||
				strlen(o->host_driver) >= sizeof(((struct sim_dev *)0)->host_driver) ||
				sim_vfio_driver(o->host_driver))) ||
	    (o->driver && sim_has(sim, IOFD_SIM_NO_VFIO_PCI) && !strcmp(o->driver, "vfio-pci")) ||
	    ((o->flags & IOFD_SIM_PCI_GROUP) && o->group < 0) || o->iommu < -1 ||
	    o->class_code > 0xffffff)
		return -EINVAL;
	if (o->iommu >= 0 && (unsigned int)o->iommu >= sim->topo->niommus)
		return -ENOENT;
	if (sim_topo_find_dev(sim, o->bdf))
		return -EEXIST;
	return 0;
}

int iofd_sim_add_pci(struct iofd_sim *sim, const struct iofd_sim_pci_opts *opts)
{
	struct iofd_sim_pci_opts o;
	struct sim_group *g = NULL, *new_group = NULL;
	struct sim_dev *d;
	int r;

	if (!sim || !opts)
		return -EINVAL;
	r = opts_copy(&o, sizeof(o), opts, opts->sz, OPTS_V1(struct iofd_sim_pci_opts, parent));
	if (r < 0)
		return r;
	pthread_mutex_lock(&sim->lock);
	r = pci_check(sim, &o);
	if (r < 0)
		goto out;
	d = calloc(1, sizeof(*d));
	if (!d) {
		r = -ENOMEM;
		goto out;
	}
	snprintf(d->name, sizeof(d->name), "%s", o.bdf);
	snprintf(d->driver, sizeof(d->driver), "%s", o.driver ? o.driver : "");
	snprintf(d->parent, sizeof(d->parent), "%s", o.parent ? o.parent : "");
	if (o.host_driver)
		snprintf(d->host_driver, sizeof(d->host_driver), "%s", o.host_driver);
	else if (!sim_vfio_driver(d->driver))
		snprintf(d->host_driver, sizeof(d->host_driver), "%s", d->driver);
	d->host_index = -1;
	d->iommu = o.iommu >= 0 ? sim->topo->iommus[o.iommu] : NULL;
	d->flags = o.flags;
	d->vendor = o.vendor;
	d->device = o.device;
	d->class_code = o.class_code;
	if (!d->vendor && !d->device && !d->class_code) {
		d->vendor = 0x1b36;	/* QEMU's NVMe controller */
		d->device = 0x0010;
		d->class_code = 0x010802;
	}
	d->cdev = -1;
	if (d->iommu) {
		/* A group of its own, or the one asked for (one IOMMU per group). */
		int id = o.flags & IOFD_SIM_PCI_GROUP ? o.group : group_free_id(sim->topo);

		g = group_find(sim->topo, id);
		for (struct sim_dev *m = sim->topo->devs; g && m; m = m->next)
			if (m->group == g && m->iommu != d->iommu)
				r = -EINVAL;
		if (!g && r == 0) {
			g = new_group = calloc(1, sizeof(*g));
			if (!g)
				r = -ENOMEM;
			else
				g->id = id;
		}
		d->group = g;
		d->vfio = sim_vfio_driver(d->driver);
		if (d->vfio && !(o.flags & IOFD_SIM_PCI_NO_CDEV))
			d->cdev = sim_topo_free_cdev(sim);
	}
	if (r == 0)
		r = sim_view_add_dev(sim, d);
	if (r < 0) {
		free(new_group);
		free(d);
		goto out;
	}
	if (new_group) {
		new_group->next = sim->topo->groups;
		sim->topo->groups = new_group;
	}
	if (d->cdev >= 0)
		sim->topo->ncdevs++;
	*sim->topo->devs_tail = d;
	sim->topo->devs_tail = &d->next;
out:
	pthread_mutex_unlock(&sim->lock);
	return r;
}

/* ------------------------------------------------------------------------
 * Mock devices (selftest.c's mock_dev_create())
 */

int sim_mock_dev_new(struct iofd_sim *sim, uint32_t flags, struct sim_dev **ret)
{
	struct sim_topo *t = sim->topo;
	unsigned int id = 0;
	struct sim_dev *d;

	if (flags & ~(uint32_t)(IOFD_U_MOCK_FLAGS_DEVICE_NO_DIRTY |
				IOFD_U_MOCK_FLAGS_DEVICE_HUGE_IOVA))
		return -EINVAL;
	d = sim_zalloc(sim, sizeof(*d));
	if (!d)
		return -ENOMEM;
	/* The lowest free number (an ida). */
	for (struct sim_dev *m = t->mocks; m;) {
		if (m->mock_id == id) {
			id++;
			m = t->mocks;	/* taken: look again */
		} else {
			m = m->next;
		}
	}
	d->mock = true;
	d->mock_id = id;
	d->mock_flags = flags;
	d->cdev = -1;
	snprintf(d->name, sizeof(d->name), "iommufd_mock%u", id);
	/*
	 * The mock bus's devices go to the first IOMMU registered without a
	 * firmware node: VT-d's or AMD's when they are active, whose probe
	 * then fails, so the device has no IOMMU (and bind says EINVAL).
	 */
	d->iommu = t->mock_iommu;
	for (unsigned int i = 0; i < t->niommus; i++)
		if (t->iommus[i]->type == IOFD_IOMMU_INTEL_VTD || t->iommus[i]->type == IOFD_IOMMU_AMD)
			d->iommu = NULL;
	d->mock_group.id = -1 - (int)id;	/* generic_device_group(): a group each */
	d->group = d->iommu ? &d->mock_group : NULL;
	d->next = t->mocks;
	t->mocks = d;
	*ret = d;
	return 0;
}

void sim_mock_dev_free(struct iofd_sim *sim, struct sim_dev *dev)
{
	for (struct sim_dev **p = &sim->topo->mocks; *p; p = &(*p)->next)
		if (*p == dev) {
			*p = dev->next;
			break;
		}
	free(dev);
}
