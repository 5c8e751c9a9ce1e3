/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated host: IOMMU instances, IOMMU groups and devices (PCI
 * devices the test described, and the selftest's mock devices), what each
 * IOMMU driver decides for them (iommu_drivers.c), and their sysfs view
 * (sysfs_view.c). The iommufd side of a device (bound, attached) is in
 * device.h; the VFIO side (its cdev) in vfio_cdev.c.
 */
#ifndef IOFD_SIM_TOPOLOGY_H
#define IOFD_SIM_TOPOLOGY_H

#include "sim.h"
#include "sysfs_tree.h"

/* A reserved region every device behind an IOMMU has. */
struct sim_resv {
	uint64_t start, last;
	const char *kind;	/* as reserved_regions names it: "msi", "reserved" */
};

struct sim_iommu {
	enum iofd_iommu_type type;
	unsigned int index;		/* iofd_sim_add_iommu()'s number */
	char name[64];
	uint32_t flags;			/* IOFD_SIM_IOMMU_* */
	uint64_t cap, ecap, efr;	/* VT-d registers; AMD EFR */
	/* What the driver says (device_iommu_capable() and domain_alloc_user()) */
	bool enforce_cc;		/* ENFORCE_CACHE_COHERENCY (SMMUv3: per device) */
	bool dirty;			/* DIRTY_TRACKING (mock: per device) */
	bool nest_parent;		/* NEST_PARENT domains */
	bool hw_info;			/* has a hw_info op (VT-d, mock) */
	/* Its domains */
	uint64_t aperture_start, aperture_last;
	uint64_t pgsize_bitmap;
	struct sim_resv *resv;
	unsigned int nresv;
};

/* An IOMMU group: who owns its DMA (iommu_device_claim_dma_owner()). */
struct sim_group {
	int id;
	unsigned int owner_cnt;
	const void *owner;
	/* VFIO (vfio_group.c): its open /dev/vfio/N, members open through cdevs */
	void *vfio_file;
	unsigned int cdev_open_cnt;
	struct sim_group *next;
};

struct sim_idev;

struct sim_dev {
	char name[64];			/* PCI address, or iommufd_mockN */
	struct sim_iommu *iommu;	/* NULL: no IOMMU probed it */
	struct sim_group *group;	/* NULL: none */
	char driver[64];		/* "" when unbound */
	char parent[128];		/* the bridge's sysfs path, "" for the root bus */
	uint16_t vendor, device;
	uint32_t class_code;
	uint32_t flags;			/* IOFD_SIM_PCI_* */
	char host_driver[64];		/* claims it by its ids; "" none */
	char override[256];		/* driver_override; "" none */
	int host_index;			/* K of nvmeK / ethK while on its host driver, or -1 */
	uint32_t uses;			/* IOFD_SIM_USE_*, while on its host driver */
	bool vfio;			/* a VFIO device: on vfio-pci, behind an IOMMU */
	int cdev;			/* N of /dev/vfio/devices/vfioN, or -1 */
	bool mock;
	uint32_t mock_flags;		/* MOCK_FLAGS_DEVICE_* */
	unsigned int mock_id;
	struct sim_group mock_group;	/* a mock device's own group */
	/* VFIO (vfio_device) */
	unsigned int open_count;	/* opened (bound) through a cdev fd */
	bool attached;			/* vfio's iommufd_attached */
	/* iommufd */
	struct sim_idev *idev;		/* bound */
	struct sim_dev *next;
};

struct sim_topo {
	struct sim_sysfs fs;
	bool fs_made;
	struct sim_iommu **iommus;
	unsigned int niommus;
	struct sim_dev *devs, **devs_tail;	/* PCI devices, in the order added */
	struct sim_dev *mocks;			/* live mock devices */
	struct sim_group *groups;
	unsigned int ncdevs;
	struct sim_iommu *mock_iommu;	/* iommufd_selftest_iommu.0 (IOMMUFD_TEST) */
};

/* At iofd_sim_new() and iofd_sim_free(). */
int sim_topo_new(struct iofd_sim *sim);
void sim_topo_free(struct iofd_sim *sim);

/* A device by name (PCI devices, then live mock devices), or NULL. */
struct sim_dev *sim_topo_find_dev(struct iofd_sim *sim, const char *name);
/* The PCI device with cdev vfio@n, or NULL. */
struct sim_dev *sim_topo_find_cdev(struct iofd_sim *sim, unsigned int n);

/* A mock device (IOMMU_TEST_OP_MOCK_DOMAIN): its own group, the mock IOMMU
 * unless a VT-d or AMD instance claims it (then none). -EINVAL for unknown
 * @flags, -ENOMEM. */
int sim_mock_dev_new(struct iofd_sim *sim, uint32_t flags, struct sim_dev **ret);
void sim_mock_dev_free(struct iofd_sim *sim, struct sim_dev *dev);

/* The lowest cdev number no device has. */
int sim_topo_free_cdev(struct iofd_sim *sim);
/* Is @driver loaded (some device names it, or vfio-pci unless
 * IOFD_SIM_NO_VFIO_PCI)? Is it vfio-pci or a variant? */
bool sim_driver_loaded(struct iofd_sim *sim, const char *driver);
bool sim_vfio_driver(const char *driver);
/* Move @dev to @driver ("": unbound): topology and sysfs (pci_bus.c). */
int sim_pci_set_driver(struct iofd_sim *sim, struct sim_dev *dev, const char *driver);
/* What a host driver shows of @dev (pci_bus.c): its namespace or interface. */
int sim_view_host_children(struct iofd_sim *sim, struct sim_dev *dev);

/* Would VFIO take @g: no member bound to a driver that uses the DMA API? */
bool sim_group_viable(struct iofd_sim *sim, const struct sim_group *g);

/* A device file for @dev through its group's open file @group (which it
 * holds), as VFIO_GROUP_GET_DEVICE_FD makes it (vfio_cdev.c); with @ictx
 * (the group's container is an iommufd) its first open binds the device
 * there and attaches it to the compat IOAS. And its close (vfio_group.c). */
int sim_vfio_group_device_open(struct iofd_sim *sim, struct sim_dev *dev, struct sim_file *group,
			       struct sim_ictx *ictx);
void sim_vfio_group_device_closed(struct sim_file *group);

/* The type1 domain @g is attached to through a VFIO container, or NULL. */
struct sim_domain *sim_vfio_group_domain(const struct sim_group *g);

/* The sysfs view (sysfs_view.c): write an addition into the tree (made
 * first if need be); 0 or -errno. */
int sim_view_ready(struct iofd_sim *sim);
int sim_view_add_iommu(struct iofd_sim *sim, const struct sim_iommu *u);
int sim_view_add_dev(struct iofd_sim *sim, const struct sim_dev *dev);

/* ------------------------------------------------------------------------
 * The IOMMU drivers' rules (iommu_drivers.c)
 */

/* Fill @u from the options: registers decoded, defaults applied. */
int sim_iommu_setup(struct iofd_sim *sim, struct sim_iommu *u,
		    const struct iofd_sim_iommu_opts *o);
/* The mock IOMMU of IOFD_SIM_IOMMUFD_TEST. */
void sim_iommu_setup_mock(struct iofd_sim *sim, struct sim_iommu *u);

/* device_iommu_capable() */
bool sim_dev_cache_coherency(const struct sim_dev *dev);	/* IOMMU_CAP_CACHE_COHERENCY */
bool sim_dev_enforce_cc(const struct sim_dev *dev);		/* ..._ENFORCE_CACHE_COHERENCY */
bool sim_dev_dirty(const struct sim_dev *dev);			/* ..._DIRTY_TRACKING */
/* MSIs of its group cannot reach outside (interrupt remapping). */
bool sim_dev_msi_isolated(const struct sim_dev *dev);

/* hw_info: the type and up to @cap bytes of data into @buf; the data's length. */
unsigned int sim_dev_hw_info(const struct sim_dev *dev, uint32_t *type, void *buf, size_t cap);

#endif
