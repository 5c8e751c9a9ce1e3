// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOAS objects and their ioctls: IOMMU_IOAS_ALLOC, _IOVA_RANGES,
 * _ALLOW_IOVAS, _MAP, _COPY, _UNMAP and IOMMU_OPTION (HUGE_PAGES per IOAS,
 * RLIMIT_MODE per iommufd). Argument checks come in the kernel's order, so
 * a command with several faults fails with the errno the kernel picks.
 */
#include <errno.h>
#include <stdlib.h>

#include "iopt.h"
#include "uapi/iommufd.h"

struct sim_ioas *sim_ioas_get(struct sim_ictx *ictx, uint32_t id)
{
	struct sim_obj *obj = sim_obj_get(ictx, id, SIM_OBJ_IOAS);

	return obj ? itree_entry(obj, struct sim_ioas, obj) : NULL;
}

int sim_ioas_add_domain(struct sim_ioas *ioas, struct sim_domain *dom)
{
	int r = sim_iopt_add_domain(&ioas->iopt, dom);

	if (r == 0)
		ioas->obj.users++;
	return r;
}

void sim_ioas_remove_domain(struct sim_ioas *ioas, struct sim_domain *dom)
{
	sim_iopt_remove_domain(&ioas->iopt, dom);
	ioas->obj.users--;
}

void sim_ioas_destroy(struct sim_obj *obj)
{
	struct sim_ioas *ioas = itree_entry(obj, struct sim_ioas, obj);

	sim_iopt_destroy(&ioas->iopt);
	free(ioas);
}

/* iommufd_vfio_compat_ioas_create(): the compat IOAS, made if there is none. */
int sim_vfio_compat_ioas_create(struct sim_ictx *ictx)
{
	struct sim_ioas *ioas;
	int r;

	ioas = sim_zalloc(ictx->sim, sizeof(*ioas));
	if (!ioas)
		return -ENOMEM;
	sim_iopt_init(&ioas->iopt, ictx->sim);
	r = sim_obj_add(ictx, &ioas->obj, SIM_OBJ_IOAS);
	if (r < 0) {
		free(ioas);
		return r;
	}
	if (ictx->vfio_ioas) {
		sim_obj_abort(ictx, &ioas->obj);
		sim_ioas_destroy(&ioas->obj);
		return 0;
	}
	ictx->vfio_ioas = ioas;
	return 0;
}

int sim_ioas_alloc_ioctl(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_ioas_alloc *cmd = ucmd->cmd;
	struct sim_ioas *ioas;
	int r;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ioas = sim_zalloc(ucmd->ictx->sim, sizeof(*ioas));
	if (!ioas)
		return -ENOMEM;
	sim_iopt_init(&ioas->iopt, ucmd->ictx->sim);
	r = sim_obj_add(ucmd->ictx, &ioas->obj, SIM_OBJ_IOAS);
	if (r < 0) {
		free(ioas);
		return r;
	}
	cmd->out_ioas_id = ioas->obj.id;
	r = sim_ucmd_respond(ucmd, sizeof(*cmd));
	if (r < 0) {
		sim_obj_abort(ucmd->ictx, &ioas->obj);
		sim_ioas_destroy(&ioas->obj);
	}
	return r;
}

int sim_ioas_iova_ranges(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	const struct itree *trees[1];
	struct sim_ioas *ioas;
	struct itree_span s;
	uint32_t max_iovas;
	int r;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = sim_ioas_get(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	trees[0] = &ioas->iopt.reserved;
	max_iovas = cmd->num_iovas;
	cmd->num_iovas = 0;
	cmd->out_iova_alignment = ioas->iopt.iova_alignment;
	/* The usable ranges are the holes between reserved ranges. */
	itree_for_each_span(&s, trees, 1, 0, SIM_ULONG_MAX) {
		if (s.used)
			continue;
		if (cmd->num_iovas < max_iovas) {
			struct iofd_u_iommu_iova_range elm = { .start = s.start, .last = s.last };

			r = sim_copy_to_user(ucmd->ictx->sim,
					     cmd->allowed_iovas + (uint64_t)cmd->num_iovas * sizeof(elm),
					     &elm, sizeof(elm));
			if (r < 0)
				return r;
		}
		cmd->num_iovas++;
	}
	r = sim_ucmd_respond(ucmd, sizeof(*cmd));
	if (r < 0)
		return r;
	return cmd->num_iovas > max_iovas ? -EMSGSIZE : 0;
}

/* Read the user's ranges into a new allowed tree (iommufd_ioas_load_iovas). */
static int load_iovas(struct iofd_sim *sim, struct itree *tree, uint64_t uptr, uint32_t num)
{
	for (uint32_t i = 0; i != num; i++) {
		struct iofd_u_iommu_iova_range range;
		struct sim_allowed *a;
		int r;

		r = sim_copy_from_user(sim, &range, uptr + (uint64_t)i * sizeof(range),
				       sizeof(range));
		if (r < 0)
			return r;
		if (range.start >= range.last)
			return -EINVAL;
		if (itree_iter_first(tree, range.start, range.last))
			return -EINVAL;
		a = sim_zalloc(sim, sizeof(*a));
		if (!a)
			return -ENOMEM;
		a->node.start = range.start;
		a->node.last = range.last;
		itree_insert(tree, &a->node);
	}
	return 0;
}

int sim_ioas_allow_iovas(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_ioas_allow_iovas *cmd = ucmd->cmd;
	struct itree allowed = { 0 };
	struct sim_ioas *ioas;
	int r;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = sim_ioas_get(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	r = load_iovas(ucmd->ictx->sim, &allowed, cmd->allowed_iovas, cmd->num_iovas);
	if (r == 0)
		r = sim_iopt_set_allow_iova(&ioas->iopt, &allowed);
	/* Frees the new list on failure, the old one on success. */
	sim_iopt_free_allowed(&allowed);
	return r;
}

/* Every mapping is cache coherent from the CPU's side (conv_iommu_prot). */
static int map_prot(uint32_t flags)
{
	int prot = SIM_PROT_CACHE;

	if (flags & IOFD_U_IOMMU_IOAS_MAP_WRITEABLE)
		prot |= SIM_PROT_WRITE;
	if (flags & IOFD_U_IOMMU_IOAS_MAP_READABLE)
		prot |= SIM_PROT_READ;
	return prot;
}

#define MAP_FLAGS                                                              \
	(IOFD_U_IOMMU_IOAS_MAP_FIXED_IOVA | IOFD_U_IOMMU_IOAS_MAP_WRITEABLE | \
	 IOFD_U_IOMMU_IOAS_MAP_READABLE)
#define MAP_RW (IOFD_U_IOMMU_IOAS_MAP_WRITEABLE | IOFD_U_IOMMU_IOAS_MAP_READABLE)

int sim_ioas_map(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_ioas_map *cmd = ucmd->cmd;
	uint64_t iova = cmd->iova;
	struct sim_ioas *ioas;
	int r;

	if ((cmd->flags & ~MAP_FLAGS) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->iova >= SIM_ULONG_MAX || cmd->length >= SIM_ULONG_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags & MAP_RW))
		return -EINVAL;
	ioas = sim_ioas_get(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	r = sim_iopt_map_user_pages(&ioas->iopt, ucmd->ictx->account_mode, &iova, cmd->user_va,
				    cmd->length, map_prot(cmd->flags),
				    cmd->flags & IOFD_U_IOMMU_IOAS_MAP_FIXED_IOVA
					    ? 0
					    : SIM_IOPT_ALLOC_IOVA);
	if (r < 0)
		return r;
	cmd->iova = iova;
	/* Like the kernel, a failed reply leaves the mapping in place. */
	return sim_ucmd_respond(ucmd, sizeof(*cmd));
}

int sim_ioas_copy(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_ioas_copy *cmd = ucmd->cmd;
	struct sim_pages_list list = { 0 };
	struct sim_ioas *src, *dst;
	uint64_t iova;
	int r;

	if (cmd->flags & ~MAP_FLAGS)
		return -EOPNOTSUPP;
	if (cmd->length >= SIM_ULONG_MAX || cmd->src_iova >= SIM_ULONG_MAX ||
	    cmd->dst_iova >= SIM_ULONG_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags & MAP_RW))
		return -EINVAL;
	src = sim_ioas_get(ucmd->ictx, cmd->src_ioas_id);
	if (!src)
		return -ENOENT;
	r = sim_iopt_get_pages(&src->iopt, cmd->src_iova, cmd->length, &list);
	if (r < 0)
		return r;
	dst = sim_ioas_get(ucmd->ictx, cmd->dst_ioas_id);
	if (!dst) {
		r = -ENOENT;
		goto out;
	}
	iova = cmd->dst_iova;
	r = sim_iopt_map_pages(&dst->iopt, &list, cmd->length, &iova, map_prot(cmd->flags),
			       cmd->flags & IOFD_U_IOMMU_IOAS_MAP_FIXED_IOVA ? 0
									: SIM_IOPT_ALLOC_IOVA);
	if (r < 0)
		goto out;
	cmd->dst_iova = iova;
	r = sim_ucmd_respond(ucmd, sizeof(*cmd));
out:
	sim_pages_list_free(&list);
	return r;
}

int sim_ioas_unmap(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_ioas_unmap *cmd = ucmd->cmd;
	uint64_t unmapped = 0;
	struct sim_ioas *ioas;
	int r;

	ioas = sim_ioas_get(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	if (cmd->iova == 0 && cmd->length == UINT64_MAX) {
		r = sim_iopt_unmap_all(&ioas->iopt, &unmapped);
		if (r < 0)
			return r;
	} else {
		if (cmd->iova >= SIM_ULONG_MAX || cmd->length >= SIM_ULONG_MAX)
			return -EOVERFLOW;
		/* Areas before one the range cuts are unmapped even then. */
		r = sim_iopt_unmap_iova(&ioas->iopt, cmd->iova, cmd->length, &unmapped);
		if (r < 0)
			return r;
		if (!unmapped)
			return -ENOENT;
	}
	cmd->length = unmapped;
	return sim_ucmd_respond(ucmd, sizeof(*cmd));
}

int sim_option_rlimit_mode(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_option *cmd = ucmd->cmd;
	struct sim_ictx *ictx = ucmd->ictx;

	if (cmd->object_id)
		return -EOPNOTSUPP;
	if (cmd->op == IOFD_U_IOMMU_OPTION_OP_GET) {
		cmd->val64 = ictx->account_mode == SIM_ACCOUNT_MM;
		return 0;
	}
	if (cmd->op == IOFD_U_IOMMU_OPTION_OP_SET) {
		if (!sim_has(ictx->sim, IOFD_SIM_CAP_SYS_RESOURCE))
			return -EPERM;
		if (ictx->nobjs)
			return -EBUSY;
		if (cmd->val64 == 0)
			ictx->account_mode = SIM_ACCOUNT_USER;
		else if (cmd->val64 == 1)
			ictx->account_mode = SIM_ACCOUNT_MM;
		else
			return -EINVAL;
		return 0;
	}
	return -EOPNOTSUPP;
}

int sim_ioas_option(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_option *cmd = ucmd->cmd;
	struct sim_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = sim_ioas_get(ucmd->ictx, cmd->object_id);
	if (!ioas)
		return -ENOENT;
	if (cmd->option_id != IOFD_U_IOMMU_OPTION_HUGE_PAGES)
		return -EOPNOTSUPP;
	if (cmd->op == IOFD_U_IOMMU_OPTION_OP_GET) {
		cmd->val64 = !ioas->iopt.disable_large_pages;
		return 0;
	}
	if (cmd->op == IOFD_U_IOMMU_OPTION_OP_SET) {
		if (cmd->val64 == 0)
			return sim_iopt_disable_large_pages(&ioas->iopt);
		if (cmd->val64 == 1) {
			sim_iopt_enable_large_pages(&ioas->iopt);
			return 0;
		}
		return -EINVAL;
	}
	return -EOPNOTSUPP;
}
