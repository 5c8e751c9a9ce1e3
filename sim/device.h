/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The iommufd side of devices (drivers/iommu/iommufd/device.c and
 * hw_pagetable.c): a device bound to an iommufd (IOMMUFD_OBJ_DEVICE), the
 * iommufd's view of its group, paging HWPTs (a translation domain made for
 * a device, mirroring one IOAS), and attaching, replacing and detaching.
 *
 * References, as the kernel keeps them (sim_obj.users):
 *  - a device object: the id table's, its driver's (VFIO or the selftest)
 *    until unbind, and one while it is attached, so IOMMU_DESTROY of a
 *    device id is always EBUSY;
 *  - a HWPT: the table's, and one per attached device; it holds its IOAS.
 *    An automatic HWPT (made by attaching to an IOAS) is destroyed when its
 *    last device leaves.
 */
#ifndef IOFD_SIM_DEVICE_H
#define IOFD_SIM_DEVICE_H

#include "iopt.h"
#include "topology.h"

struct sim_hwpt {
	struct sim_obj obj;
	struct sim_domain dom;
	struct sim_ioas *ioas;
	struct sim_hwpt *ioas_next;	/* in ioas->hwpts, in the order made */
	const struct sim_iommu *iommu;	/* the driver and instance that made it */
	bool on_ioas;			/* a domain of the IOAS (iopt_table_add_domain done) */
	bool auto_domain;
	bool nest_parent;
	bool enforce_cc;		/* blocks no-snoop: only coherent devices attach */
	bool dirty_ops;			/* made with IOMMU_HWPT_ALLOC_DIRTY_TRACKING */
	bool dirty_tracking;		/* tracking now */
};

struct sim_igroup {
	struct sim_ictx *ictx;
	struct sim_group *group;
	unsigned int refs;		/* bound devices of the group */
	struct sim_hwpt *hwpt;		/* what the group is attached to */
	struct sim_idev *devices;	/* attached devices, in order */
	struct sim_igroup *next;	/* in ictx->igroups */
};

struct sim_idev {
	struct sim_obj obj;
	struct sim_ictx *ictx;
	struct sim_dev *dev;
	struct sim_igroup *igroup;
	struct sim_idev *group_next;	/* in igroup->devices */
	bool attached;
	bool enforce_cc;		/* the device can enforce cache coherency */
};

/* iommufd_device_bind(): -EINVAL (no cache coherency), -ENODEV (no group),
 * -EPERM (MSIs not isolated; the group's DMA is owned elsewhere or used by
 * a kernel driver), -ENOMEM. The driver holds the reference it returns. */
int sim_idev_bind(struct sim_ictx *ictx, struct sim_dev *dev, struct sim_idev **ret);
/* iommufd_device_unbind(): detach first if attached. May release the
 * iommufd (the device held it). */
void sim_idev_unbind(struct sim_idev *idev);
/* iommufd_device_attach()/_replace(): @pt_id an IOAS (an automatic HWPT is
 * found or made; *@pt_id becomes its id) or a HWPT. */
int sim_idev_attach(struct sim_idev *idev, uint32_t *pt_id);
int sim_idev_replace(struct sim_idev *idev, uint32_t *pt_id);
void sim_idev_detach(struct sim_idev *idev);

struct sim_idev *sim_idev_get(struct sim_ictx *ictx, uint32_t id);
struct sim_hwpt *sim_hwpt_get(struct sim_ictx *ictx, uint32_t id);

/* iommufd_hwpt_paging_alloc(): a HWPT on @ioas for @idev; with
 * @immediate_attach, @idev is attached to it first. */
int sim_hwpt_paging_alloc(struct sim_ictx *ictx, struct sim_ioas *ioas, struct sim_idev *idev,
			  uint32_t flags, bool user_data, bool immediate_attach,
			  struct sim_hwpt **ret);
/* Take a new HWPT out again (iommufd_object_abort_and_destroy()). */
void sim_hwpt_abort(struct sim_hwpt *hwpt);
/* A device's reference dropped: an automatic HWPT goes with its last. */
void sim_hwpt_put(struct sim_hwpt *hwpt);

/* hw_pagetable_attach() / _detach(): the device joins/leaves @hwpt. */
int sim_hwpt_attach(struct sim_hwpt *hwpt, struct sim_idev *idev);
struct sim_hwpt *sim_hwpt_detach(struct sim_idev *idev);

/* Object destructors (iommufd.c's table). */
void sim_idev_destroy(struct sim_obj *obj);
void sim_hwpt_destroy(struct sim_obj *obj);

/* The domain's driver rules (iommu_drivers.c). */
/* domain_alloc_user(): fill @hwpt's domain for @dev, or -EOPNOTSUPP. */
int sim_driver_domain_alloc(const struct sim_dev *dev, uint32_t flags, bool user_data,
			    struct sim_hwpt *hwpt);
/* attach_dev(): may @dev's group use @hwpt's domain? 0 or -EINVAL. */
int sim_driver_attach_check(const struct sim_hwpt *hwpt, const struct sim_dev *dev);

/* The device a DMA goes through: its group's current domain, or NULL. */
struct sim_hwpt *sim_dev_domain(struct iofd_sim *sim, const struct sim_dev *dev);

/* ioctl handlers (device.c, hwpt.c) */
int sim_get_hw_info(struct sim_ucmd *ucmd);
int sim_hwpt_alloc_ioctl(struct sim_ucmd *ucmd);
int sim_hwpt_set_dirty_tracking(struct sim_ucmd *ucmd);
int sim_hwpt_get_dirty_bitmap(struct sim_ucmd *ucmd);

/* Dirty pages (hwpt.c): mark [iova, last] of @hwpt's domain dirty, at its
 * smallest page; -ENOMEM. Clear what [iova, last] holds. */
int sim_hwpt_mark_dirty(struct sim_hwpt *hwpt, uint64_t iova, uint64_t last);

#endif
