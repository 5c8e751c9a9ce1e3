// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Devices on iommufd (drivers/iommu/iommufd/device.c): binding a device to
 * an iommufd (DMA ownership of its group), the iommufd's view of groups,
 * attaching a group to a HWPT (reserved regions into the IOAS, the driver's
 * compatibility check), replacing and detaching, automatic HWPTs, and
 * IOMMU_GET_HW_INFO. The checks come in the kernel's order; the errnos are
 * the kernel's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "uapi/iommufd.h"

struct sim_idev *sim_idev_get(struct sim_ictx *ictx, uint32_t id)
{
	struct sim_obj *obj = sim_obj_get(ictx, id, SIM_OBJ_DEVICE);

	return obj ? itree_entry(obj, struct sim_idev, obj) : NULL;
}

struct sim_hwpt *sim_hwpt_get(struct sim_ictx *ictx, uint32_t id)
{
	struct sim_obj *obj = sim_obj_get(ictx, id, SIM_OBJ_HWPT_PAGING);

	return obj ? itree_entry(obj, struct sim_hwpt, obj) : NULL;
}

/* ------------------------------------------------------------------------
 * Groups: the iommufd's (iommufd_group) and DMA ownership (iommu core)
 */

static struct sim_igroup *igroup_get(struct sim_ictx *ictx, struct sim_group *group)
{
	struct sim_igroup *ig;

	for (ig = ictx->igroups; ig; ig = ig->next)
		if (ig->group == group) {
			ig->refs++;
			return ig;
		}
	ig = sim_zalloc(ictx->sim, sizeof(*ig));
	if (!ig)
		return NULL;
	ig->ictx = ictx;
	ig->group = group;
	ig->refs = 1;
	ig->next = ictx->igroups;
	ictx->igroups = ig;
	return ig;
}

static void igroup_put(struct sim_igroup *ig)
{
	if (--ig->refs)
		return;
	for (struct sim_igroup **p = &ig->ictx->igroups; *p; p = &(*p)->next)
		if (*p == ig) {
			*p = ig->next;
			break;
		}
	free(ig);
}

/*
 * iommu_device_claim_dma_owner(): a group has one owner (an iommufd) at a
 * time; a kernel driver using the DMA API on a member holds it ownerless.
 */
static int claim_dma_owner(struct iofd_sim *sim, struct sim_dev *dev, const void *owner)
{
	struct sim_group *g = dev->group;

	if (g->owner_cnt) {
		if (g->owner != owner)
			return -EPERM;
		g->owner_cnt++;
		return 0;
	}
	if (!dev->mock && !sim_group_viable(sim, g))
		return -EPERM;
	g->owner = owner;
	g->owner_cnt = 1;
	return 0;
}

static void release_dma_owner(struct sim_dev *dev)
{
	if (--dev->group->owner_cnt == 0)
		dev->group->owner = NULL;
}

/* ------------------------------------------------------------------------
 * Binding
 */

int sim_idev_bind(struct sim_ictx *ictx, struct sim_dev *dev, struct sim_idev **ret)
{
	struct sim_igroup *ig;
	struct sim_idev *idev;
	int r;

	/* iommufd always maps with IOMMU_CACHE */
	if (!sim_dev_cache_coherency(dev))
		return -EINVAL;
	if (!dev->group)
		return -ENODEV;
	ig = igroup_get(ictx, dev->group);
	if (!ig)
		return -ENOMEM;
	/* No allow_unsafe_interrupts: MSIs must be isolated. */
	r = sim_dev_msi_isolated(dev) ? 0 : -EPERM;
	if (r == 0)
		r = claim_dma_owner(ictx->sim, dev, ictx);
	if (r < 0)
		goto out_group;
	idev = sim_zalloc(ictx->sim, sizeof(*idev));
	r = idev ? sim_obj_add(ictx, &idev->obj, SIM_OBJ_DEVICE) : -ENOMEM;
	if (r < 0) {
		free(idev);
		release_dma_owner(dev);
		goto out_group;
	}
	idev->ictx = ictx;
	idev->dev = dev;
	idev->igroup = ig;
	idev->enforce_cc = sim_dev_enforce_cc(dev);
	/* A real device holds its iommufd open; the selftest's mock does not. */
	if (!dev->mock)
		sim_file_get(ictx->file);
	/* The driver's reference, until unbind. */
	idev->obj.users++;
	dev->idev = idev;
	*ret = idev;
	return 0;
out_group:
	igroup_put(ig);
	return r;
}

void sim_idev_destroy(struct sim_obj *obj)
{
	struct sim_idev *idev = itree_entry(obj, struct sim_idev, obj);
	struct sim_file *ictx_file = idev->dev->mock ? NULL : idev->ictx->file;

	release_dma_owner(idev->dev);
	igroup_put(idev->igroup);
	idev->dev->idev = NULL;
	free(idev);
	/* Last: this may release the iommufd. */
	if (ictx_file)
		sim_file_put(ictx_file);
}

void sim_idev_unbind(struct sim_idev *idev)
{
	if (idev->attached)
		sim_idev_detach(idev);
	idev->obj.users--;	/* the driver's */
	sim_obj_abort(idev->ictx, &idev->obj);
	sim_idev_destroy(&idev->obj);
}

/* ------------------------------------------------------------------------
 * Attaching a group to a HWPT
 */

/* The device's reserved regions into the IOAS (iopt_table_enforce_dev_resv_regions()). */
static int enforce_resv(struct sim_ioas *ioas, struct sim_idev *idev)
{
	const struct sim_iommu *u = idev->dev->iommu;

	if (sim_should_fail(ioas->iopt.sim))
		return -EINVAL;
	for (unsigned int i = 0; i < u->nresv; i++) {
		int r = sim_iopt_reserve_iova(&ioas->iopt, u->resv[i].start, u->resv[i].last, idev);

		if (r < 0) {
			sim_iopt_remove_reserved_iova(&ioas->iopt, idev);
			return r;
		}
	}
	return 0;
}

static void group_remove_resv(struct sim_igroup *ig, struct sim_ioas *ioas)
{
	for (struct sim_idev *cur = ig->devices; cur; cur = cur->group_next)
		sim_iopt_remove_reserved_iova(&ioas->iopt, cur);
}

/*
 * The IOMMU core sets the group's domain: the attach handle, then the
 * driver's attach_dev() for every device in the group.
 */
static int group_set_domain(struct sim_igroup *ig, struct sim_hwpt *hwpt)
{
	struct iofd_sim *sim = ig->ictx->sim;

	if (sim_should_fail(sim))
		return -ENOMEM;
	if (ig->group->id < 0)	/* a mock device's own group */
		return sim_driver_attach_check(hwpt, itree_entry(ig->group, struct sim_dev,
								 mock_group));
	for (struct sim_dev *d = sim->topo->devs; d; d = d->next) {
		int r = d->group == ig->group ? sim_driver_attach_check(hwpt, d) : 0;

		if (r < 0)
			return r;
	}
	return 0;
}

static void group_list_add(struct sim_igroup *ig, struct sim_idev *idev)
{
	struct sim_idev **p = &ig->devices;

	while (*p)
		p = &(*p)->group_next;
	idev->group_next = NULL;
	*p = idev;
	idev->attached = true;
}

static unsigned int group_list_count(const struct sim_igroup *ig)
{
	unsigned int n = 0;

	for (const struct sim_idev *cur = ig->devices; cur; cur = cur->group_next)
		n++;
	return n;
}

int sim_hwpt_attach(struct sim_hwpt *hwpt, struct sim_idev *idev)
{
	struct sim_igroup *ig = idev->igroup;
	int r;

	if (ig->hwpt && ig->hwpt != hwpt)
		return -EINVAL;
	r = enforce_resv(hwpt->ioas, idev);
	if (r < 0)
		return r;
	/* The group attaches once, with its first device; the rest follow. */
	if (!ig->devices) {
		r = group_set_domain(ig, hwpt);
		if (r < 0) {
			sim_iopt_remove_reserved_iova(&hwpt->ioas->iopt, idev);
			return r;
		}
		ig->hwpt = hwpt;
	}
	hwpt->obj.users++;
	group_list_add(ig, idev);
	return 0;
}

struct sim_hwpt *sim_hwpt_detach(struct sim_idev *idev)
{
	struct sim_igroup *ig = idev->igroup;
	struct sim_hwpt *hwpt = ig->hwpt;

	for (struct sim_idev **p = &ig->devices; *p; p = &(*p)->group_next)
		if (*p == idev) {
			*p = idev->group_next;
			break;
		}
	idev->attached = false;
	if (!ig->devices)
		ig->hwpt = NULL;	/* the group blocks DMA again */
	sim_iopt_remove_reserved_iova(&hwpt->ioas->iopt, idev);
	return hwpt;
}

/* iommufd_device_do_replace(): *@old is the HWPT the caller puts, or NULL. */
static int do_replace(struct sim_idev *idev, struct sim_hwpt *hwpt, struct sim_hwpt **old)
{
	struct sim_igroup *ig = idev->igroup;
	struct sim_hwpt *old_hwpt = ig->hwpt;
	unsigned int n;
	int r;

	*old = NULL;
	if (!old_hwpt || !idev->attached)
		return -EINVAL;
	if (hwpt == old_hwpt)
		return 0;
	if (hwpt->ioas != old_hwpt->ioas) {
		for (struct sim_idev *cur = ig->devices; cur; cur = cur->group_next) {
			r = enforce_resv(hwpt->ioas, cur);
			if (r < 0) {
				group_remove_resv(ig, hwpt->ioas);
				return r;
			}
		}
	}
	r = group_set_domain(ig, hwpt);
	if (r < 0) {
		/*
		 * As 6.12 does: the group's reserved regions leave the new
		 * HWPT's IOAS, even when it is the IOAS the group stays on.
		 */
		group_remove_resv(ig, hwpt->ioas);
		return r;
	}
	if (hwpt->ioas != old_hwpt->ioas)
		group_remove_resv(ig, old_hwpt->ioas);
	ig->hwpt = hwpt;
	/* The devices' references move; the caller drops one on the old. */
	n = group_list_count(ig);
	hwpt->obj.users += n;
	old_hwpt->obj.users -= n - 1;
	*old = old_hwpt;
	return 0;
}

static int do_attach_or_replace(struct sim_idev *idev, struct sim_hwpt *hwpt, bool replace,
				struct sim_hwpt **old)
{
	*old = NULL;
	return replace ? do_replace(idev, hwpt, old) : sim_hwpt_attach(hwpt, idev);
}

/*
 * iommufd_device_auto_get_domain(): any automatic HWPT of the IOAS that
 * takes the device (-EINVAL: try the next), else a new one.
 */
static int auto_get_domain(struct sim_idev *idev, struct sim_ioas *ioas, uint32_t *pt_id,
			   bool replace, struct sim_hwpt **old)
{
	struct sim_hwpt *hwpt;
	int r;

	for (hwpt = ioas->hwpts; hwpt; hwpt = hwpt->ioas_next) {
		if (!hwpt->auto_domain)
			continue;
		r = do_attach_or_replace(idev, hwpt, replace, old);
		if (r == -EINVAL)
			continue;
		if (r == 0)
			*pt_id = hwpt->obj.id;
		return r;
	}
	r = sim_hwpt_paging_alloc(idev->ictx, ioas, idev, 0, false, !replace, &hwpt);
	if (r < 0)
		return r;
	if (replace) {
		r = do_replace(idev, hwpt, old);
		if (r < 0) {
			sim_hwpt_abort(hwpt);
			return r;
		}
	}
	hwpt->auto_domain = true;
	*pt_id = hwpt->obj.id;
	return 0;
}

/* iommufd_device_change_pt() */
static int change_pt(struct sim_idev *idev, uint32_t *pt_id, bool replace)
{
	struct sim_obj *pt = sim_obj_get(idev->ictx, *pt_id, SIM_OBJ_ANY);
	struct sim_hwpt *old = NULL;
	int r;

	if (!pt)
		return -ENOENT;
	switch (pt->type) {
	case SIM_OBJ_HWPT_PAGING:
		r = do_attach_or_replace(idev, itree_entry(pt, struct sim_hwpt, obj), replace, &old);
		break;
	case SIM_OBJ_IOAS:
		r = auto_get_domain(idev, itree_entry(pt, struct sim_ioas, obj), pt_id, replace, &old);
		break;
	default:
		return -EINVAL;
	}
	if (r == 0 && old)
		sim_hwpt_put(old);
	return r;
}

int sim_idev_attach(struct sim_idev *idev, uint32_t *pt_id)
{
	int r = change_pt(idev, pt_id, false);

	if (r == 0)
		idev->obj.users++;	/* caught by DESTROY until detach */
	return r;
}

int sim_idev_replace(struct sim_idev *idev, uint32_t *pt_id)
{
	return change_pt(idev, pt_id, true);
}

void sim_idev_detach(struct sim_idev *idev)
{
	sim_hwpt_put(sim_hwpt_detach(idev));
	idev->obj.users--;
}

struct sim_hwpt *sim_dev_domain(struct iofd_sim *sim, const struct sim_dev *dev)
{
	/* The group's domain, whichever member attached it. */
	if (!dev->group)
		return NULL;
	for (struct sim_ictx *ictx = sim->ictxs; ictx; ictx = ictx->next)
		for (struct sim_igroup *ig = ictx->igroups; ig; ig = ig->next)
			if (ig->group == dev->group && ig->hwpt)
				return ig->hwpt;
	return NULL;
}

/* ------------------------------------------------------------------------
 * IOMMU_GET_HW_INFO
 */

int sim_get_hw_info(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_hw_info *cmd = ucmd->cmd;
	struct iofd_sim *sim = ucmd->ictx->sim;
	unsigned char data[64];
	unsigned int len, copy;
	struct sim_idev *idev;
	int r;

	if (cmd->flags || cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2])
		return -EOPNOTSUPP;
	idev = sim_idev_get(ucmd->ictx, cmd->dev_id);
	if (!idev)
		return -ENOENT;
	len = sim_dev_hw_info(idev->dev, &cmd->out_data_type, data, sizeof(data));
	if (len && sim_should_fail(sim))
		return -ENOMEM;
	copy = cmd->data_len < len ? cmd->data_len : len;
	r = sim_copy_to_user(sim, cmd->data_uptr, data, copy);
	if (r < 0)
		return r;
	/* The rest of a bigger buffer is cleared. */
	if (copy < cmd->data_len) {
		unsigned char zero[256] = { 0 };
		uint64_t at = cmd->data_uptr + copy, left = cmd->data_len - copy;

		while (left) {
			size_t n = left < sizeof(zero) ? (size_t)left : sizeof(zero);

			r = sim_copy_to_user(sim, at, zero, n);
			if (r < 0)
				return r;
			at += n;
			left -= n;
		}
	}
	/* The kernel's length, which may exceed the buffer. */
	cmd->data_len = len;
	cmd->out_capabilities = 0;
	if (sim_dev_dirty(idev->dev))
		cmd->out_capabilities |= IOFD_U_IOMMU_HW_CAP_DIRTY_TRACKING;
	cmd->out_max_pasid_log2 = 0;
	return sim_ucmd_respond(ucmd, sizeof(*cmd));
}
