/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An open /dev/iommu: its objects by id, and the command plumbing every
 * ioctl handler uses (the kernel's iommufd_ctx, iommufd_object and
 * iommufd_ucmd).
 */
#ifndef IOFD_SIM_IOMMUFD_H
#define IOFD_SIM_IOMMUFD_H

#include "sim.h"

/* The kernel's enum iommufd_object_type, in its order. */
enum sim_obj_type {
	SIM_OBJ_NONE,
	SIM_OBJ_ANY = SIM_OBJ_NONE,
	SIM_OBJ_DEVICE,
	SIM_OBJ_HWPT_PAGING,
	SIM_OBJ_HWPT_NESTED,
	SIM_OBJ_IOAS,
	SIM_OBJ_ACCESS,
	SIM_OBJ_FAULT,
	SIM_OBJ_SELFTEST,
	SIM_OBJ_MAX,
};

struct sim_ictx;

/*
 * Every object with an id. @users starts at 1, the reference the id table
 * holds; other objects that depend on this one (a HWPT on its IOAS) add
 * theirs, and IOMMU_DESTROY refuses (EBUSY) while any is held.
 */
struct sim_obj {
	enum sim_obj_type type;
	uint32_t id;
	unsigned int users;
	struct sim_ictx *ictx;
};

/* How iommufd charges pinned pages (the kernel's IOPT_PAGES_ACCOUNT_*). */
enum sim_account {
	SIM_ACCOUNT_NONE,	/* CAP_IPC_LOCK */
	SIM_ACCOUNT_USER,	/* user->locked_vm: /dev/iommu's default */
	SIM_ACCOUNT_MM,		/* mm->locked_vm: VFIO's way */
};

struct sim_ioas;
struct sim_igroup;

struct sim_ictx {
	struct iofd_sim *sim;
	struct sim_ictx *next;	/* in sim->ictxs */
	struct sim_file *file;	/* the open /dev/iommu */
	struct sim_igroup *igroups;	/* groups with a device bound here */
	struct sim_obj **objs;	/* by id; [0] is never used */
	uint32_t nslots;
	uint32_t nobjs;
	enum sim_account account_mode;
	struct sim_ioas *vfio_ioas;	/* IOMMU_VFIO_IOAS's */
};

/* One ioctl in progress. */
struct sim_ucmd {
	struct sim_ictx *ictx;
	uint64_t ubuffer;
	uint32_t user_size;
	uint32_t ksize;		/* the struct as this kernel version has it */
	void *cmd;		/* the kernel's copy of the argument */
};

/* The iommufd behind @fd, or NULL when @fd is not an open /dev/iommu. */
struct sim_ictx *sim_fd_ictx(struct iofd_sim *sim, int fd);

/* Copy the (updated) command back: min(user_size, @len, ksize) bytes. */
int sim_ucmd_respond(struct sim_ucmd *ucmd, size_t len);

/* A new object's id (the lowest free one from 1, as the kernel's xarray). */
int sim_obj_add(struct sim_ictx *ictx, struct sim_obj *obj, enum sim_obj_type type);
/* Take a new object out again before anyone saw it. */
void sim_obj_abort(struct sim_ictx *ictx, struct sim_obj *obj);
/* The object with @id and @type (SIM_OBJ_ANY: any), or NULL. */
struct sim_obj *sim_obj_get(struct sim_ictx *ictx, uint32_t id, enum sim_obj_type type);

/* Object types' destructors, called once users dropped to the table's. */
void sim_ioas_destroy(struct sim_obj *obj);
void sim_selftest_destroy(struct sim_obj *obj);

/* ioctl handlers (ioas.c, selftest.c, vfio_compat.c). */
int sim_ioas_alloc_ioctl(struct sim_ucmd *ucmd);
int sim_ioas_allow_iovas(struct sim_ucmd *ucmd);
int sim_ioas_copy(struct sim_ucmd *ucmd);
int sim_ioas_iova_ranges(struct sim_ucmd *ucmd);
int sim_ioas_map(struct sim_ucmd *ucmd);
int sim_ioas_unmap(struct sim_ucmd *ucmd);
int sim_ioas_option(struct sim_ucmd *ucmd);
int sim_option_rlimit_mode(struct sim_ucmd *ucmd);
int sim_vfio_ioas(struct sim_ucmd *ucmd);
int sim_test_cmd(struct sim_ucmd *ucmd);
/* The VFIO type1 ioctls iommufd answers on /dev/iommu (vfio_compat.c). */
int sim_vfio_compat_ioctl(struct sim_ictx *ictx, unsigned int cmd, uint64_t arg);

#endif
