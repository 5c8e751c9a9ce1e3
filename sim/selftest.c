// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOMMU_TEST_CMD, the kernel's CONFIG_IOMMUFD_TEST interface (present only
 * when the simulator is made with IOFD_SIM_IOMMUFD_TEST;
 * drivers/iommu/iommufd/selftest.c). Modelled:
 *  - ADD_RESERVED: a reserved IOVA range in an IOAS;
 *  - SET_TEMP_MEMORY_LIMIT: accepted, no effect;
 *  - MOCK_DOMAIN, MOCK_DOMAIN_FLAGS: a mock device (its own group, on the
 *    mock IOMMU) bound to the iommufd and attached to an IOAS or HWPT, held
 *    by a selftest object whose destruction detaches and unbinds it;
 *  - MOCK_DOMAIN_REPLACE: that device to another IOAS/HWPT;
 *  - MD_CHECK_MAP: every half-page of [iova, iova + length) of a mock HWPT
 *    translates to the same offset of the user memory at uptr;
 *  - DIRTY: mark IO pages of a dirty-tracking mock HWPT dirty.
 * The access (emulated device) ops, MD_CHECK_REFS/IOTLB and TRIGGER_IOPF
 * give EOPNOTSUPP, as unknown ops do.
 */
#include <errno.h>
#include <stdlib.h>

#include "device.h"
#include "uapi/iommufd_test.h"

/* The selftest object of a mock device (struct selftest_obj, TYPE_IDEV). */
struct sim_selftest {
	struct sim_obj obj;
	struct sim_dev *mdev;
	struct sim_idev *idev;
};

static int add_reserved(struct sim_ucmd *ucmd, uint32_t ioas_id, uint64_t start,
			uint64_t length)
{
	struct sim_ioas *ioas;

	if (!length)
		return -EINVAL;
	if (start > SIM_ULONG_MAX || length - 1 > SIM_ULONG_MAX - start)
		return -EOVERFLOW;
	ioas = sim_ioas_get(ucmd->ictx, ioas_id);
	if (!ioas)
		return -ENOENT;
	return sim_iopt_reserve_iova(&ioas->iopt, start, start + length - 1, NULL);
}

void sim_selftest_destroy(struct sim_obj *obj)
{
	struct sim_selftest *st = itree_entry(obj, struct sim_selftest, obj);
	struct iofd_sim *sim = obj->ictx->sim;

	sim_idev_detach(st->idev);
	sim_idev_unbind(st->idev);
	sim_mock_dev_free(sim, st->mdev);
	free(st);
}

static int mock_domain(struct sim_ucmd *ucmd, struct iofd_u_iommu_test_cmd *cmd)
{
	struct sim_ictx *ictx = ucmd->ictx;
	struct sim_selftest *st;
	uint32_t pt_id = cmd->id, flags = 0;
	int r;

	st = sim_zalloc(ictx->sim, sizeof(*st));
	if (!st)
		return -ENOMEM;
	r = sim_obj_add(ictx, &st->obj, SIM_OBJ_SELFTEST);
	if (r < 0) {
		free(st);
		return r;
	}
	if (cmd->op == IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS)
		flags = cmd->mock_domain_flags.dev_flags;
	r = sim_mock_dev_new(ictx->sim, flags, &st->mdev);
	if (r < 0)
		goto out_obj;
	r = sim_idev_bind(ictx, st->mdev, &st->idev);
	if (r < 0)
		goto out_mdev;
	r = sim_idev_attach(st->idev, &pt_id);
	if (r < 0)
		goto out_unbind;
	/* The device id must be destroyed (through stdev) to destroy it. */
	cmd->mock_domain.out_hwpt_id = pt_id;
	cmd->mock_domain.out_stdev_id = st->obj.id;
	cmd->mock_domain.out_idev_id = st->idev->obj.id;
	r = sim_ucmd_respond(ucmd, sizeof(*cmd));
	if (r == 0)
		return 0;
	sim_idev_detach(st->idev);
out_unbind:
	sim_idev_unbind(st->idev);
out_mdev:
	sim_mock_dev_free(ictx->sim, st->mdev);
out_obj:
	sim_obj_abort(ictx, &st->obj);
	free(st);
	return r;
}

static int mock_domain_replace(struct sim_ucmd *ucmd, struct iofd_u_iommu_test_cmd *cmd)
{
	struct sim_obj *obj = sim_obj_get(ucmd->ictx, cmd->id, SIM_OBJ_SELFTEST);
	uint32_t pt_id = cmd->mock_domain_replace.pt_id;
	int r;

	if (!obj)
		return -ENOENT;
	r = sim_idev_replace(itree_entry(obj, struct sim_selftest, obj)->idev, &pt_id);
	if (r < 0)
		return r;
	cmd->mock_domain_replace.pt_id = pt_id;
	return sim_ucmd_respond(ucmd, sizeof(*cmd));
}

/* get_md_pagetable(): a paging HWPT with a mock domain. */
static int md_pagetable(struct sim_ucmd *ucmd, uint32_t id, struct sim_hwpt **ret)
{
	struct sim_hwpt *hwpt = sim_hwpt_get(ucmd->ictx, id);

	if (!hwpt)
		return -ENOENT;
	if (hwpt->iommu->type != IOFD_IOMMU_SELFTEST)
		return -EINVAL;
	*ret = hwpt;
	return 0;
}

static int md_check_map(struct sim_ucmd *ucmd, uint32_t id, uint64_t iova, uint64_t length,
			uint64_t uptr)
{
	struct iofd_sim *sim = ucmd->ictx->sim;
	uint64_t io_page = sim->page_size / 2;	/* MOCK_IO_PAGE_SIZE */
	struct sim_hwpt *hwpt;
	int r;

	if (iova % io_page || length % io_page || uptr % io_page || uptr > UINT64_MAX - length)
		return -EINVAL;
	r = md_pagetable(ucmd, id, &hwpt);
	if (r < 0)
		return r;
	for (; length; length -= io_page, iova += io_page, uptr += io_page) {
		uint64_t uva;
		int prot;

		/* get_user_pages_fast() of the page under uptr */
		if (sim_fault_in_user(sim, uptr & ~(sim->page_size - 1), sim->page_size, false))
			return -EFAULT;
		if (sim_domain_translate(&hwpt->dom, iova, &uva, &prot) < 0 || uva != uptr)
			return -EINVAL;
	}
	return 0;
}

/* iommufd_test_dirty(): bit i of the user's bitmap marks the mock IO page
 * the kernel finds at index (iova + i * page_size) / page_size. */
static int test_dirty(struct sim_ucmd *ucmd, struct iofd_u_iommu_test_cmd *cmd)
{
	struct iofd_sim *sim = ucmd->ictx->sim;
	uint64_t io_page = sim->page_size / 2, page_size = cmd->dirty.page_size, max, count = 0;
	unsigned char *bits;
	struct sim_hwpt *hwpt;
	int r;

	if (!page_size || !cmd->dirty.length || cmd->dirty.iova % page_size ||
	    cmd->dirty.length % page_size || !cmd->dirty.uptr)
		return -EINVAL;
	max = cmd->dirty.length / page_size;
	if (max > (16ull << 20) * 8)
		return -EOVERFLOW;
	r = md_pagetable(ucmd, cmd->id, &hwpt);
	if (r < 0)
		return r;
	if (!hwpt->dirty_tracking)
		return -EINVAL;
	bits = sim_zalloc(sim, (max + 63) / 64 * 8);
	if (!bits)
		return -ENOMEM;
	r = sim_copy_from_user(sim, bits, cmd->dirty.uptr, (max + 7) / 8);
	for (uint64_t i = 0; r == 0 && i < max; i++) {
		uint64_t at = (cmd->dirty.iova + i * page_size) / page_size * io_page, uva;
		int prot;

		if (!(bits[i / 8] & (1u << (i % 8))))
			continue;
		if (sim_domain_translate(&hwpt->dom, at, &uva, &prot) < 0)
			continue;
		r = sim_hwpt_mark_dirty(hwpt, at, at);
		count++;
	}
	free(bits);
	if (r < 0)
		return r;
	cmd->dirty.out_nr_dirty = count;
	return sim_ucmd_respond(ucmd, sizeof(*cmd));
}

int sim_test_cmd(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOFD_U_IOMMU_TEST_OP_ADD_RESERVED:
		return add_reserved(ucmd, cmd->id, cmd->add_reserved.start,
				    cmd->add_reserved.length);
	case IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN:
	case IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		return mock_domain(ucmd, cmd);
	case IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		return mock_domain_replace(ucmd, cmd);
	case IOFD_U_IOMMU_TEST_OP_MD_CHECK_MAP:
		return md_check_map(ucmd, cmd->id, cmd->check_map.iova, cmd->check_map.length,
				    cmd->check_map.uptr);
	case IOFD_U_IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		/* The kernel's floor: one batch element. */
		if (cmd->memory_limit.limit < sizeof(unsigned long) + sizeof(uint32_t))
			return -EINVAL;
		return 0;
	case IOFD_U_IOMMU_TEST_OP_DIRTY:
		return test_dirty(ucmd, cmd);
	default:
		return -EOPNOTSUPP;
	}
}
