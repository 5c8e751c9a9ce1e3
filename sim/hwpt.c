// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Paging HWPTs (drivers/iommu/iommufd/hw_pagetable.c): a translation domain
 * made by a device's IOMMU driver for one IOAS, holding that IOAS and
 * mirroring every mapping in it; IOMMU_HWPT_ALLOC; dirty tracking
 * (IOMMU_HWPT_SET_DIRTY_TRACKING, IOMMU_HWPT_GET_DIRTY_BITMAP) over the
 * pages simulated DMA (or the selftest's DIRTY op) wrote.
 *
 * Nested HWPTs (a stage-1 on a NEST_PARENT) are not modelled: where the
 * kernel's driver would make one, the simulator answers EOPNOTSUPP.
 */
#include <errno.h>
#include <stdlib.h>

#include "device.h"
#include "kversion.h"
#include "uapi/iommufd.h"

static void dirty_clear(struct sim_domain *dom, uint64_t start, uint64_t last)
{
	struct itree_node *n;

	while ((n = itree_iter_first(&dom->dirty, start, last))) {
		itree_remove(&dom->dirty, n);
		free(itree_entry(n, struct sim_dirty, node));
	}
}

void sim_hwpt_destroy(struct sim_obj *obj)
{
	struct sim_hwpt *hwpt = itree_entry(obj, struct sim_hwpt, obj);
	struct sim_ioas *ioas = hwpt->ioas;

	if (hwpt->on_ioas) {
		for (struct sim_hwpt **p = &ioas->hwpts; *p; p = &(*p)->ioas_next)
			if (*p == hwpt) {
				*p = hwpt->ioas_next;
				break;
			}
		sim_iopt_remove_domain(&ioas->iopt, &hwpt->dom);
	}
	dirty_clear(&hwpt->dom, 0, UINT64_MAX);
	ioas->obj.users--;
	free(hwpt);
}

void sim_hwpt_abort(struct sim_hwpt *hwpt)
{
	sim_obj_abort(hwpt->obj.ictx, &hwpt->obj);
	sim_hwpt_destroy(&hwpt->obj);
}

void sim_hwpt_put(struct sim_hwpt *hwpt)
{
	hwpt->obj.users--;
	/* An automatic HWPT goes with its last device. */
	if (hwpt->auto_domain && hwpt->obj.users == 1)
		sim_hwpt_abort(hwpt);
}

int sim_hwpt_paging_alloc(struct sim_ictx *ictx, struct sim_ioas *ioas, struct sim_idev *idev,
			  uint32_t flags, bool user_data, bool immediate_attach,
			  struct sim_hwpt **ret)
{
	const uint32_t valid = IOFD_U_IOMMU_HWPT_ALLOC_NEST_PARENT |
			       IOFD_U_IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	struct sim_hwpt *hwpt, **tail;
	int r;

	if (flags & ~valid)
		return -EOPNOTSUPP;
	if ((flags & IOFD_U_IOMMU_HWPT_ALLOC_DIRTY_TRACKING) && !sim_dev_dirty(idev->dev))
		return -EOPNOTSUPP;
	hwpt = sim_zalloc(ictx->sim, sizeof(*hwpt));
	if (!hwpt)
		return -ENOMEM;
	r = sim_obj_add(ictx, &hwpt->obj, SIM_OBJ_HWPT_PAGING);
	if (r < 0) {
		free(hwpt);
		return r;
	}
	ioas->obj.users++;
	hwpt->ioas = ioas;
	r = sim_driver_domain_alloc(idev->dev, flags, user_data, hwpt);
	if (r == 0 && sim_should_fail(ictx->sim))
		r = -ENOMEM;
	if (r < 0)
		goto out_abort;
	/* Coherency is decided now, before any mapping, and never changes. */
	hwpt->enforce_cc = idev->enforce_cc;
	if (immediate_attach) {
		r = sim_hwpt_attach(hwpt, idev);
		if (r < 0)
			goto out_abort;
	}
	/* Every mapping of the IOAS goes in (and is pinned if first). */
	r = sim_iopt_add_domain(&ioas->iopt, &hwpt->dom);
	if (r < 0) {
		if (immediate_attach)
			sim_hwpt_detach(idev);
		goto out_abort;
	}
	hwpt->on_ioas = true;
	for (tail = &ioas->hwpts; *tail; tail = &(*tail)->ioas_next)
		;
	*tail = hwpt;
	*ret = hwpt;
	return 0;
out_abort:
	sim_hwpt_abort(hwpt);
	return r;
}

/* iommufd_hwpt_nested_alloc(), up to where a driver would make one. */
static int nested_alloc(struct sim_hwpt *parent, struct sim_idev *idev, uint32_t flags,
			uint32_t data_len)
{
	if ((flags & ~(uint32_t)IOFD_U_IOMMU_HWPT_FAULT_ID_VALID) || !data_len)
		return -EOPNOTSUPP;
	if (parent->auto_domain || !parent->nest_parent ||
	    !idev->dev->iommu || parent->iommu->type != idev->dev->iommu->type)
		return -EINVAL;
	return -EOPNOTSUPP;	/* not modelled */
}

int sim_hwpt_alloc_ioctl(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct sim_hwpt *hwpt;
	struct sim_idev *idev;
	struct sim_obj *pt;
	int r;

	/* Before 6.7 it took no flags at all (and had no driver data). */
	if (cmd->__reserved ||
	    (cmd->flags && !sim_kernel_has(ucmd->ictx->sim, SIM_KF_HWPT_ALLOC_USER)))
		return -EOPNOTSUPP;
	if ((cmd->data_type == IOFD_U_IOMMU_HWPT_DATA_NONE && cmd->data_len) ||
	    (cmd->data_type != IOFD_U_IOMMU_HWPT_DATA_NONE && !cmd->data_len))
		return -EINVAL;
	idev = sim_idev_get(ucmd->ictx, cmd->dev_id);
	if (!idev)
		return -ENOENT;
	pt = sim_obj_get(ucmd->ictx, cmd->pt_id, SIM_OBJ_ANY);
	if (!pt)
		return -EINVAL;
	if (pt->type == SIM_OBJ_IOAS)
		r = sim_hwpt_paging_alloc(ucmd->ictx, itree_entry(pt, struct sim_ioas, obj), idev,
					  cmd->flags, cmd->data_len != 0, false, &hwpt);
	else if (pt->type == SIM_OBJ_HWPT_PAGING)
		r = nested_alloc(itree_entry(pt, struct sim_hwpt, obj), idev, cmd->flags,
				 cmd->data_len);
	else
		r = -EINVAL;
	if (r < 0)
		return r;
	cmd->out_hwpt_id = hwpt->obj.id;
	r = sim_ucmd_respond(ucmd, sizeof(*cmd));
	if (r < 0)
		sim_hwpt_abort(hwpt);
	return r;
}

/* ------------------------------------------------------------------------
 * Dirty tracking
 */

static uint64_t io_page(const struct sim_domain *dom)
{
	return dom->pgsize_bitmap & -dom->pgsize_bitmap;
}

int sim_hwpt_mark_dirty(struct sim_hwpt *hwpt, uint64_t iova, uint64_t last)
{
	uint64_t pg = io_page(&hwpt->dom);

	for (uint64_t p = iova & ~(pg - 1); p <= last; p += pg) {
		struct sim_dirty *d;

		if (!itree_iter_first(&hwpt->dom.dirty, p, p)) {
			d = calloc(1, sizeof(*d));
			if (!d)
				return -ENOMEM;
			d->node.start = p;
			d->node.last = p + pg - 1;
			itree_insert(&hwpt->dom.dirty, &d->node);
		}
		if (p + pg - 1 >= last)
			break;
	}
	return 0;
}

int sim_hwpt_set_dirty_tracking(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	bool enable = cmd->flags & IOFD_U_IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	struct sim_hwpt *hwpt;

	if (cmd->flags & ~(uint32_t)IOFD_U_IOMMU_HWPT_DIRTY_TRACKING_ENABLE)
		return -EOPNOTSUPP;
	hwpt = sim_hwpt_get(ucmd->ictx, cmd->hwpt_id);
	if (!hwpt)
		return -ENOENT;
	if (!hwpt->dirty_ops)
		return -EOPNOTSUPP;
	/* A clean snapshot to start from. */
	if (enable)
		dirty_clear(&hwpt->dom, 0, UINT64_MAX);
	hwpt->dirty_tracking = enable;
	return 0;
}

/* iommufd_check_iova_range() */
static int check_iova_range(const struct sim_iopt *iopt,
			    const struct iofd_u_iommu_hwpt_get_dirty_bitmap *b)
{
	uint64_t align = iopt->iova_alignment, last;

	if (!b->length)
		return -EINVAL;
	if (b->iova > UINT64_MAX - (b->length - 1))
		return -EOVERFLOW;
	last = b->iova + b->length - 1;
	if (b->iova > SIM_ULONG_MAX || last > SIM_ULONG_MAX)
		return -EOVERFLOW;
	if ((b->iova & (align - 1)) || ((last + 1) & (align - 1)))
		return -EINVAL;
	if (!b->page_size)
		return -EINVAL;
	if ((b->iova & (b->page_size - 1)) || ((last + 1) & (b->page_size - 1)))
		return -EINVAL;
	return 0;
}

/* Set the bits for [start, last] in the user's bitmap (iova_bitmap_set()).
 * Like the kernel's, a bitmap it cannot reach is silently not written. */
static void bitmap_set(struct iofd_sim *sim, const struct iofd_u_iommu_hwpt_get_dirty_bitmap *b,
		       unsigned int shift, uint64_t start, uint64_t last)
{
	for (uint64_t bit = (start - b->iova) >> shift; bit <= (last - b->iova) >> shift; bit++) {
		unsigned char byte;

		if (sim_copy_from_user(sim, &byte, b->data + bit / 8, 1) < 0)
			return;
		byte |= (unsigned char)(1u << (bit % 8));
		if (sim_copy_to_user(sim, b->data + bit / 8, &byte, 1) < 0)
			return;
	}
}

int sim_hwpt_get_dirty_bitmap(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct iofd_sim *sim = ucmd->ictx->sim;
	const struct sim_iopt *iopt;
	struct sim_hwpt *hwpt;
	unsigned int shift = 0;
	uint64_t cur, last;
	int r;

	if ((cmd->flags & ~(uint64_t)IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) ||
	    cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt = sim_hwpt_get(ucmd->ictx, cmd->hwpt_id);
	if (!hwpt)
		return -ENOENT;
	iopt = &hwpt->ioas->iopt;
	r = check_iova_range(iopt, cmd);
	if (r < 0)
		return r;
	if (!hwpt->dirty_ops)
		return -EOPNOTSUPP;
	if (sim_should_fail(sim))
		return -ENOMEM;
	while (!((cmd->page_size >> shift) & 1))
		shift++;
	/*
	 * Contiguous mappings from cmd->iova on. In 6.12 whatever stops the
	 * walk (a gap, tracking off) is not reported: the call succeeds with
	 * what was recorded so far.
	 */
	last = cmd->iova + cmd->length - 1;
	for (cur = cmd->iova; hwpt->dirty_tracking;) {
		struct itree_node *a = itree_iter_first(&iopt->areas, cur, cur), *n;
		uint64_t end;

		if (!a || !itree_entry(a, struct sim_area, node)->pages)
			break;
		end = a->last < last ? a->last : last;
		for (n = itree_iter_first(&hwpt->dom.dirty, cur, end); n;) {
			struct itree_node *next = itree_iter_next(n, cur, end);

			bitmap_set(sim, cmd, shift, n->start > cur ? n->start : cur,
				   n->last < end ? n->last : end);
			if (!(cmd->flags & IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR)) {
				itree_remove(&hwpt->dom.dirty, n);
				free(itree_entry(n, struct sim_dirty, node));
			}
			n = next;
		}
		if (end == last)
			break;
		cur = end + 1;
	}
	return 0;
}
