// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IOMMU_TEST_CMD, the kernel's CONFIG_IOMMUFD_TEST interface (present only
 * when the simulator is made with IOFD_SIM_IOMMUFD_TEST). Modelled:
 * ADD_RESERVED (a reserved IOVA range in an IOAS, as a device's reserved
 * region would make) and SET_TEMP_MEMORY_LIMIT (accepted, no effect). The
 * mock device and domain ops come with the simulated devices; until then
 * they, like the kernel's unknown ops, give EOPNOTSUPP.
 */
#include <errno.h>

#include "iopt.h"
#include "uapi/iommufd_test.h"

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

int sim_test_cmd(struct sim_ucmd *ucmd)
{
	struct iofd_u_iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOFD_U_IOMMU_TEST_OP_ADD_RESERVED:
		return add_reserved(ucmd, cmd->id, cmd->add_reserved.start,
				    cmd->add_reserved.length);
	case IOFD_U_IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		/* The kernel's floor: one batch element. */
		if (cmd->memory_limit.limit < sizeof(unsigned long) + sizeof(uint32_t))
			return -EINVAL;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}
