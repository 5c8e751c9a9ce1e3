// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fault queues (IOMMU_FAULT_QUEUE_ALLOC, 6.11): an object with an fd of its
 * own. The fd holds a reference to the object (IOMMU_DESTROY is EBUSY while
 * it is open) and to its iommufd (closing /dev/iommu destroys nothing until
 * the fault fd is closed too). No simulated device raises I/O page faults
 * yet, so reads find nothing and every response names an unknown cookie.
 */
#include <errno.h>
#include <stdlib.h>

#include "fault.h"
#include "itree.h"
#include "uapi/iommufd.h"

struct sim_fault {
	struct sim_obj obj;
	struct sim_ictx *ictx;
};

void sim_fault_destroy(struct sim_obj *obj)
{
	free(itree_entry(obj, struct sim_fault, obj));
}

static ssize_t fault_read(struct sim_file *f, uint64_t buf, size_t len)
{
	/* Whole struct iommu_hwpt_pgfault records only; none are queued. */
	if (len % sizeof(struct iofd_u_iommu_hwpt_pgfault))
		return -ESPIPE;
	return 0;
}

static ssize_t fault_write(struct sim_file *f, uint64_t buf, size_t len)
{
	struct iofd_u_iommu_hwpt_page_response resp;
	int r;

	if (len % sizeof(resp))
		return -ESPIPE;
	if (!len)
		return 0;
	r = sim_copy_from_user(f->sim, &resp, buf, sizeof(resp));
	if (r < 0)
		return r;
	/* A bad code, or a cookie no read handed out. */
	return -EINVAL;
}

static void fault_release(struct sim_file *f)
{
	struct sim_fault *fault = f->priv;
	struct sim_file *ictx_file = fault->ictx->file;

	fault->obj.users--;
	/* May release the iommufd, and with it this fault object. */
	sim_file_put(ictx_file);
}

static const struct sim_file_ops fault_fops = {
	.name = "[iommufd-pgfault]",
	.mode = 0600,		/* an anon inode: no file type bits */
	.nonseekable = true,
	.read = fault_read,
	.write = fault_write,
	.release = fault_release,
};

int sim_fault_alloc(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_fault_alloc *cmd = ucmd->cmd;
	struct sim_ictx *ictx = ucmd->ictx;
	struct sim_fault *fault;
	int fd, r;

	if (cmd->flags)
		return -EOPNOTSUPP;
	fault = sim_zalloc(ictx->sim, sizeof(*fault));
	if (!fault)
		return -ENOMEM;
	fault->ictx = ictx;
	r = sim_obj_add(ictx, &fault->obj, SIM_OBJ_FAULT);
	if (r < 0) {
		free(fault);
		return r;
	}
	fd = sim_file_install(ictx->sim, &fault_fops, fault, 0, NULL);
	if (fd < 0) {
		r = fd;
		goto out_abort;
	}
	fault->obj.users++;
	sim_file_get(ictx->file);
	cmd->out_fault_id = fault->obj.id;
	cmd->out_fault_fd = (uint32_t)fd;
	r = sim_ucmd_respond(ucmd, sizeof(*cmd));
	if (r == 0)
		return 0;
	sim_fd_close(ictx->sim, fd);
out_abort:
	sim_obj_abort(ictx, &fault->obj);
	sim_fault_destroy(&fault->obj);
	return r;
}
