// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel selftest's mock device (CONFIG_IOMMUFD_TEST). The kernel makes
 * one only attached to something (IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS), so
 * prepare() makes it on the IOAS itself (the kernel gives it an automatic
 * domain), reads its hw info, and placement then moves it
 * (MOCK_DOMAIN_REPLACE) into the domain chosen; destroying its selftest
 * object detaches and unbinds it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "device.h"
#include "ioas.h"
#include "log.h"
#include "uapi/iommufd.h"
#include "uapi/iommufd_test.h"

static int test_cmd(struct iofd_device *dev, struct iofd_u_iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return iofd_sys_ioctl(dev->ctx, dev->ctx->iommu_fd, IOFD_U_IOMMU_TEST_CMD, cmd);
}

static void destroy_mock(struct iofd_device *dev)
{
	struct iofd_u_iommu_destroy cmd = { .size = sizeof(cmd), .id = dev->stdev_id };
	int r;

	if (!dev->stdev_id)
		return;
	r = iofd_sys_ioctl(dev->ctx, dev->ctx->iommu_fd, IOFD_U_IOMMU_DESTROY, &cmd);
	if (r < 0)
		iofd_warn(dev->ctx, "%s: IOMMU_DESTROY of selftest device %u: %s", dev->name,
			  dev->stdev_id, strerror(-r));
	dev->stdev_id = 0;
	dev->dev_id = 0;
	dev->attached = false;
}

static int mock_prepare(struct iofd_device *dev, struct iofd_ioas *ioas)
{
	struct iofd_u_iommu_test_cmd cmd = {
		.op = IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = ioas->kas[0]->id,
		.mock_domain_flags.dev_flags =
			dev->mock_flags & IOFD_SELFTEST_NO_DIRTY ? IOFD_U_MOCK_FLAGS_DEVICE_NO_DIRTY : 0,
	};
	int r = test_cmd(dev, &cmd);

	if (r < 0) {
		iofd_err(dev->ctx, "%s: IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS: %s%s", dev->name,
			 strerror(-r), r == -ENOTTY ? " (a kernel without CONFIG_IOMMUFD_TEST)" : "");
		return r;
	}
	dev->stdev_id = cmd.mock_domain_flags.out_stdev_id;
	dev->dev_id = cmd.mock_domain_flags.out_idev_id;
	dev->attached = true;
	r = iofd_hw_info_read(dev->ctx, dev->ctx->iommu_fd, dev->dev_id, NULL, &dev->info);
	if (r < 0) {
		destroy_mock(dev);
		return r;
	}
	/* Every mock device sits behind the one mock IOMMU. */
	snprintf(dev->info.iommu, sizeof(dev->info.iommu), "iommufd_selftest");
	return 0;
}

static int mock_attach(struct iofd_device *dev, struct iofd_ioas *ioas, struct iofd_domain *d)
{
	struct iofd_u_iommu_test_cmd cmd = {
		.op = IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = dev->stdev_id,
		.mock_domain_replace.pt_id = d->kernel_id,
	};

	return test_cmd(dev, &cmd);
}

static int mock_detach(struct iofd_device *dev, struct iofd_ioas *ioas)
{
	destroy_mock(dev);
	return 0;
}

const struct iofd_device_ops iofd_device_selftest_ops = {
	.kind = "selftest",
	.prepare = mock_prepare,
	.unprepare = destroy_mock,
	.attach = mock_attach,
	.detach = mock_detach,
};
