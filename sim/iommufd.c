// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /dev/iommu: an open iommufd, its objects by id, and the ioctl dispatcher
 * with the 6.12 argument-size rules (drivers/iommu/iommufd/main.c):
 *
 *  - an NR outside iommufd's table goes to the VFIO type1 compatibility
 *    ioctls, which know a handful of numbers and answer ENOTTY otherwise;
 *  - inside it, the u32 size is read first (EFAULT), then a number whose
 *    direction/size bits differ from the table's is ENOTTY, a size below
 *    the last mandatory field is EINVAL, and a larger size is accepted when
 *    the bytes past the kernel's struct are zero (E2BIG otherwise);
 *  - replies copy back min(size, sizeof) bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "device.h"
#include "fault.h"
#include "kversion.h"
#include "uapi/iommufd.h"
#include "uapi/iommufd_test.h"

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* The misc minors /dev/iommu (dynamic) and /dev/vfio/vfio answer fstat with. */
#define IOMMUFD_MINOR 123
#define VFIO_MINOR 196
#define MISC_MAJOR 10

/* ------------------------------------------------------------------------
 * Objects
 */

static void (*const destroy_ops[SIM_OBJ_MAX])(struct sim_obj *) = {
	[SIM_OBJ_DEVICE] = sim_idev_destroy,
	[SIM_OBJ_HWPT_PAGING] = sim_hwpt_destroy,
	[SIM_OBJ_IOAS] = sim_ioas_destroy,
	[SIM_OBJ_FAULT] = sim_fault_destroy,
	[SIM_OBJ_SELFTEST] = sim_selftest_destroy,
};

int sim_obj_add(struct sim_ictx *ictx, struct sim_obj *obj, enum sim_obj_type type)
{
	uint32_t id;

	/* The lowest free id from 1, at most INT32_MAX (xa_limit_31b). */
	for (id = 1; id < ictx->nslots && ictx->objs[id]; id++)
		;
	if (id >= ictx->nslots) {
		uint32_t n = ictx->nslots ? ictx->nslots * 2 : 16;
		struct sim_obj **t;

		if (id > INT32_MAX)
			return -EBUSY;
		t = sim_realloc(ictx->sim, ictx->objs, n * sizeof(*t));
		if (!t)
			return -ENOMEM;
		memset(t + ictx->nslots, 0, (n - ictx->nslots) * sizeof(*t));
		ictx->objs = t;
		ictx->nslots = n;
	}
	obj->type = type;
	obj->id = id;
	obj->users = 1;
	obj->ictx = ictx;
	ictx->objs[id] = obj;
	ictx->nobjs++;
	ictx->sim->objects++;
	return 0;
}

/* Take @obj out of the table (the caller destroys it). */
static void obj_unlink(struct sim_ictx *ictx, struct sim_obj *obj)
{
	ictx->objs[obj->id] = NULL;
	ictx->nobjs--;
	ictx->sim->objects--;
	if (ictx->vfio_ioas && &ictx->vfio_ioas->obj == obj)
		ictx->vfio_ioas = NULL;
}

void sim_obj_abort(struct sim_ictx *ictx, struct sim_obj *obj)
{
	obj_unlink(ictx, obj);
}

struct sim_obj *sim_obj_get(struct sim_ictx *ictx, uint32_t id, enum sim_obj_type type)
{
	struct sim_obj *obj;

	if (id >= ictx->nslots)
		return NULL;
	obj = ictx->objs[id];
	if (!obj || (type != SIM_OBJ_ANY && obj->type != type))
		return NULL;
	return obj;
}

static int iommufd_destroy(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_destroy *cmd = ucmd->cmd;
	struct sim_obj *obj = sim_obj_get(ucmd->ictx, cmd->id, SIM_OBJ_ANY);

	if (!obj)
		return -ENOENT;
	/* Something else (a HWPT, an open fault fd) still uses it. */
	if (obj->users != 1)
		return -EBUSY;
	obj_unlink(ucmd->ictx, obj);
	destroy_ops[obj->type](obj);
	return 0;
}

/* Closing the last reference: destroy leaf objects until none is left. */
static void iommufd_release(struct sim_file *f)
{
	struct sim_ictx *ictx = f->priv;

	while (ictx->nobjs) {
		unsigned int destroyed = 0;

		for (uint32_t id = 1; id < ictx->nslots; id++) {
			struct sim_obj *obj = ictx->objs[id];

			if (!obj || obj->users != 1)
				continue;
			obj_unlink(ictx, obj);
			destroy_ops[obj->type](obj);
			destroyed++;
		}
		if (!destroyed)
			break;	/* a reference cycle: a bug in the simulator */
	}
	for (struct sim_ictx **p = &ictx->sim->ictxs; *p; p = &(*p)->next)
		if (*p == ictx) {
			*p = ictx->next;
			break;
		}
	free(ictx->objs);
	free(ictx);
}

int sim_ucmd_respond(struct sim_ucmd *ucmd, size_t len)
{
	if (len > ucmd->ksize)
		len = ucmd->ksize;
	return sim_copy_to_user(ucmd->ictx->sim, ucmd->ubuffer, ucmd->cmd,
				ucmd->user_size < len ? ucmd->user_size : len);
}

/* ------------------------------------------------------------------------
 * Options, the compat IOAS, and nested HWPTs (none: not modelled)
 */

static int iommufd_option(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_option *cmd = ucmd->cmd;
	int r;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->option_id) {
	case IOFD_U_IOMMU_OPTION_RLIMIT_MODE:
		r = sim_option_rlimit_mode(ucmd);
		break;
	case IOFD_U_IOMMU_OPTION_HUGE_PAGES:
		r = sim_ioas_option(ucmd);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (r < 0)
		return r;
	/* Only val64 goes back. */
	return sim_copy_to_user(ucmd->ictx->sim,
				ucmd->ubuffer + offsetof(struct iofd_u_iommu_option, val64),
				&cmd->val64, sizeof(cmd->val64));
}

int sim_vfio_ioas(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_vfio_ioas *cmd = ucmd->cmd;
	struct sim_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->op) {
	case IOFD_U_IOMMU_VFIO_IOAS_GET:
		if (!ucmd->ictx->vfio_ioas)
			return -ENODEV;
		cmd->ioas_id = ucmd->ictx->vfio_ioas->obj.id;
		return sim_ucmd_respond(ucmd, sizeof(*cmd));
	case IOFD_U_IOMMU_VFIO_IOAS_SET:
		ioas = sim_ioas_get(ucmd->ictx, cmd->ioas_id);
		if (!ioas)
			return -ENOENT;
		ucmd->ictx->vfio_ioas = ioas;
		return 0;
	case IOFD_U_IOMMU_VFIO_IOAS_CLEAR:
		ucmd->ictx->vfio_ioas = NULL;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/* An arbitrary cap of the kernel's, far above any real batch. */
#define HWPT_INVALIDATE_ENTRY_NUM_MAX (1u << 19)

static int hwpt_invalidate(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_hwpt_invalidate *cmd = ucmd->cmd;
	int r;

	if (cmd->__reserved)
		r = -EOPNOTSUPP;
	else if (cmd->entry_num &&
		 (!cmd->data_uptr || !cmd->entry_len || cmd->entry_len > ucmd->ictx->sim->page_size ||
		  cmd->entry_num > HWPT_INVALIDATE_ENTRY_NUM_MAX))
		r = -EINVAL;
	else
		r = -ENOENT;	/* no nested HWPT */
	/* Whatever happened, the number of entries handled goes back. */
	cmd->entry_num = 0;
	if (sim_ucmd_respond(ucmd, sizeof(*cmd)))
		return -EFAULT;
	return r;
}

/* ------------------------------------------------------------------------
 * The dispatcher
 */

union ucmd_buffer {
	struct iofd_u_iommu_destroy destroy;
	struct iofd_u_iommu_fault_alloc fault;
	struct iofd_u_iommu_hw_info info;
	struct iofd_u_iommu_hwpt_alloc hwpt;
	struct iofd_u_iommu_hwpt_get_dirty_bitmap get_dirty_bitmap;
	struct iofd_u_iommu_hwpt_invalidate cache;
	struct iofd_u_iommu_hwpt_set_dirty_tracking set_dirty_tracking;
	struct iofd_u_iommu_ioas_alloc alloc;
	struct iofd_u_iommu_ioas_allow_iovas allow_iovas;
	struct iofd_u_iommu_ioas_copy ioas_copy;
	struct iofd_u_iommu_ioas_iova_ranges iova_ranges;
	struct iofd_u_iommu_ioas_map map;
	struct iofd_u_iommu_ioas_unmap unmap;
	struct iofd_u_iommu_option option;
	struct iofd_u_iommu_vfio_ioas vfio_ioas;
	struct iofd_u_iommu_test_cmd test;
};

struct ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	int (*execute)(struct sim_ucmd *ucmd);
};

#define IOCTL_OP(_ioctl, _fn, _struct, _last)                                   \
	[IOFD_U_IOC_NR(_ioctl) - IOFD_U_IOMMUFD_CMD_BASE] = {                   \
		.size = sizeof(_struct),                                        \
		.min_size = offsetofend(_struct, _last),                        \
		.ioctl_num = _ioctl,                                            \
		.execute = _fn,                                                 \
	}

static const struct ioctl_op ioctl_ops[] = {
	IOCTL_OP(IOFD_U_IOMMU_DESTROY, iommufd_destroy, struct iofd_u_iommu_destroy, id),
	IOCTL_OP(IOFD_U_IOMMU_FAULT_QUEUE_ALLOC, sim_fault_alloc, struct iofd_u_iommu_fault_alloc,
		 out_fault_fd),
	IOCTL_OP(IOFD_U_IOMMU_GET_HW_INFO, sim_get_hw_info, struct iofd_u_iommu_hw_info, __reserved),
	IOCTL_OP(IOFD_U_IOMMU_HWPT_ALLOC, sim_hwpt_alloc_ioctl, struct iofd_u_iommu_hwpt_alloc,
		 __reserved),
	IOCTL_OP(IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP, sim_hwpt_get_dirty_bitmap,
		 struct iofd_u_iommu_hwpt_get_dirty_bitmap, data),
	IOCTL_OP(IOFD_U_IOMMU_HWPT_INVALIDATE, hwpt_invalidate, struct iofd_u_iommu_hwpt_invalidate,
		 __reserved),
	IOCTL_OP(IOFD_U_IOMMU_HWPT_SET_DIRTY_TRACKING, sim_hwpt_set_dirty_tracking,
		 struct iofd_u_iommu_hwpt_set_dirty_tracking, __reserved),
	IOCTL_OP(IOFD_U_IOMMU_IOAS_ALLOC, sim_ioas_alloc_ioctl, struct iofd_u_iommu_ioas_alloc,
		 out_ioas_id),
	IOCTL_OP(IOFD_U_IOMMU_IOAS_ALLOW_IOVAS, sim_ioas_allow_iovas,
		 struct iofd_u_iommu_ioas_allow_iovas, allowed_iovas),
	IOCTL_OP(IOFD_U_IOMMU_IOAS_COPY, sim_ioas_copy, struct iofd_u_iommu_ioas_copy, src_iova),
	IOCTL_OP(IOFD_U_IOMMU_IOAS_IOVA_RANGES, sim_ioas_iova_ranges,
		 struct iofd_u_iommu_ioas_iova_ranges, out_iova_alignment),
	IOCTL_OP(IOFD_U_IOMMU_IOAS_MAP, sim_ioas_map, struct iofd_u_iommu_ioas_map, iova),
	IOCTL_OP(IOFD_U_IOMMU_IOAS_UNMAP, sim_ioas_unmap, struct iofd_u_iommu_ioas_unmap, length),
	IOCTL_OP(IOFD_U_IOMMU_OPTION, iommufd_option, struct iofd_u_iommu_option, val64),
	IOCTL_OP(IOFD_U_IOMMU_VFIO_IOAS, sim_vfio_ioas, struct iofd_u_iommu_vfio_ioas, __reserved),
	IOCTL_OP(IOFD_U_IOMMU_TEST_CMD, sim_test_cmd, struct iofd_u_iommu_test_cmd, last),
};

#define N_OPS (sizeof(ioctl_ops) / sizeof(ioctl_ops[0]))

/*
 * Structs that grew: what they were before the feature (kversion.c) that
 * grew them, newest first. An older kernel's size rules follow its struct.
 */
static const struct {
	unsigned int ioctl_num;
	uint32_t feature;
	unsigned int size, min_size;
} old_sizes[] = {
	{ IOFD_U_IOMMU_HWPT_ALLOC, SIM_KF_HWPT_FAULT_ID,
	  offsetof(struct iofd_u_iommu_hwpt_alloc, fault_id),
	  offsetofend(struct iofd_u_iommu_hwpt_alloc, __reserved) },
	{ IOFD_U_IOMMU_HWPT_ALLOC, SIM_KF_HWPT_ALLOC_USER,
	  offsetof(struct iofd_u_iommu_hwpt_alloc, data_type),
	  offsetofend(struct iofd_u_iommu_hwpt_alloc, __reserved) },
	/* Before out_capabilities, a u32 __reserved ended it. */
	{ IOFD_U_IOMMU_GET_HW_INFO, SIM_KF_HW_INFO_CAPS,
	  offsetof(struct iofd_u_iommu_hw_info, out_capabilities),
	  offsetof(struct iofd_u_iommu_hw_info, out_capabilities) },
};

/* The op for @nr on this kernel, with its struct's sizes; NULL past the table. */
static const struct ioctl_op *find_op(struct iofd_sim *sim, unsigned int nr,
				      struct ioctl_op *buf)
{
	unsigned int nops = N_OPS;

	if (!sim_has(sim, IOFD_SIM_IOMMUFD_TEST)) {
		/* Without CONFIG_IOMMUFD_TEST the table ends at this kernel's last ioctl. */
		for (nops = IOFD_U_IOC_NR(IOFD_U_IOMMU_TEST_CMD) - IOFD_U_IOMMUFD_CMD_BASE; nops;
		     nops--) {
			const struct ioctl_op *op = &ioctl_ops[nops - 1];

			if (op->ioctl_num && sim_kernel_has(sim, op->ioctl_num))
				break;
		}
	}
	if (nr < IOFD_U_IOMMUFD_CMD_BASE || nr - IOFD_U_IOMMUFD_CMD_BASE >= nops)
		return NULL;
	*buf = ioctl_ops[nr - IOFD_U_IOMMUFD_CMD_BASE];
	/* One this kernel lacks is a hole in its table. */
	if (buf->ioctl_num && !sim_kernel_has(sim, buf->ioctl_num))
		buf->ioctl_num = 0;
	for (size_t i = 0; i < sizeof(old_sizes) / sizeof(old_sizes[0]); i++) {
		if (old_sizes[i].ioctl_num == buf->ioctl_num &&
		    !sim_kernel_has(sim, old_sizes[i].feature)) {
			buf->size = old_sizes[i].size;
			buf->min_size = old_sizes[i].min_size;
		}
	}
	return buf;
}

static int iommufd_ioctl(struct sim_file *f, unsigned int cmd, uint64_t arg)
{
	struct sim_ictx *ictx = f->priv;
	struct sim_ucmd ucmd = { .ictx = ictx, .ubuffer = arg };
	const struct ioctl_op *op;
	struct ioctl_op opbuf;
	union ucmd_buffer buf;
	int r;

	op = find_op(ictx->sim, IOFD_U_IOC_NR(cmd), &opbuf);
	if (!op)
		return sim_vfio_compat_ioctl(ictx, cmd, arg);
	ucmd.cmd = &buf;
	ucmd.ksize = op->size;
	/* The kernel's struct is all zero past what the user gave. */
	memset(&buf, 0, sizeof(buf));
	/*
	 * Usually the whole struct is there: one read gets the size and the
	 * fields. Otherwise do it step by step, as the kernel does, so that
	 * only the size being unreadable is EFAULT at this point.
	 */
	if (op->size && sim_copy_from_user(ictx->sim, &buf, arg, op->size) == 0) {
		memcpy(&ucmd.user_size, &buf, sizeof(ucmd.user_size));
		if (op->ioctl_num != cmd)
			return -ENOTTY;
		if (ucmd.user_size < op->min_size)
			return -EINVAL;
		if (ucmd.user_size < op->size) {
			memset((char *)&buf + ucmd.user_size, 0, op->size - ucmd.user_size);
		} else if (ucmd.user_size > op->size) {
			r = sim_check_zeroed_user(ictx->sim, arg + op->size,
						  ucmd.user_size - op->size);
			if (r <= 0)
				return r ? r : -E2BIG;
		}
		return op->execute(&ucmd);
	}
	r = sim_copy_from_user(ictx->sim, &ucmd.user_size, arg, sizeof(ucmd.user_size));
	if (r < 0)
		return r;
	if (op->ioctl_num != cmd)
		return -ENOTTY;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;
	r = sim_copy_struct_from_user(ictx->sim, &buf, op->size, arg, ucmd.user_size);
	if (r < 0)
		return r;
	return op->execute(&ucmd);
}

static const struct sim_file_ops iommufd_fops = {
	.name = "/dev/iommu",
	.mode = S_IFCHR | 0660,
	.major = MISC_MAJOR,
	.ioctl = iommufd_ioctl,
	.release = iommufd_release,
};

/* The same file operations behind iommufd's second misc device, "vfio". */
static const struct sim_file_ops iommufd_vfio_fops = {
	.name = "/dev/vfio/vfio",
	.mode = S_IFCHR | 0666,
	.major = MISC_MAJOR,
	.ioctl = iommufd_ioctl,
	.release = iommufd_release,
};

static int open_ictx(struct iofd_sim *sim, const struct sim_file_ops *fops, unsigned int minor,
		     enum sim_account mode)
{
	struct sim_ictx *ictx = sim_zalloc(sim, sizeof(*ictx));
	int fd;

	if (!ictx)
		return -ENOMEM;
	ictx->sim = sim;
	ictx->account_mode = mode;
	fd = sim_file_install(sim, fops, ictx, minor, &ictx->file);
	if (fd < 0) {
		free(ictx);
		return fd;
	}
	ictx->next = sim->ictxs;
	sim->ictxs = ictx;
	return fd;
}

int sim_iommufd_open(struct iofd_sim *sim)
{
	return open_ictx(sim, &iommufd_fops, IOMMUFD_MINOR, SIM_ACCOUNT_USER);
}

int sim_iommufd_vfio_open(struct iofd_sim *sim)
{
	/* As VFIO does: the process's mm->locked_vm (iommufd_fops_open()). */
	return open_ictx(sim, &iommufd_vfio_fops, VFIO_MINOR, SIM_ACCOUNT_MM);
}

struct sim_ictx *sim_fd_ictx(struct iofd_sim *sim, int fd)
{
	struct sim_file *f = sim_fd_file(sim, fd);

	return f && (f->ops == &iommufd_fops || f->ops == &iommufd_vfio_fops) ? f->priv : NULL;
}
