// SPDX-License-Identifier: MIT
/*
 * coherency-report: what a VMM needs to know before it hands devices to a
 * guest — for each PCI device (or the ones named on the command line),
 * its IOMMU, whether that IOMMU can enforce cache coherency (block the
 * device's no-snoop DMA), whether it can track dirty pages for migration,
 * and whether its group can be given to VFIO.
 *
 *   coherency-report [BDF|SYSFS-PATH]...
 *
 * LIBIOMMUFD_SYSFS / LIBIOMMUFD_DEV point it at another sysfs and /dev
 * (a fake tree from tests/mkfakesysfs, say). Exit 0, or 1 on an error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libiommufd.h>

static const char *tristate(int v, const char *yes, const char *no)
{
	return v > 0 ? yes : v == 0 ? no : "unknown";
}

static void report(const struct iofd_hostdev *dev)
{
	const struct iofd_iommu *iommu = iofd_hostdev_iommu(dev);
	const struct iofd_group *group = iofd_hostdev_group(dev);
	const char *driver = iofd_hostdev_driver(dev);

	printf("%s\n", iofd_hostdev_name(dev));
	printf("  driver     %s\n", driver ? driver : "(none)");
	if (!iommu || !group) {
		printf("  iommu      none: no VFIO assignment possible\n");
		return;
	}
	printf("  iommu      %s (%s)\n", iofd_iommu_name(iommu),
	       iofd_iommu_type_name(iofd_iommu_type(iommu)));
	printf("  coherency  %s\n",
	       tristate(iofd_iommu_enforces_coherency(iommu),
			"enforced: no-snoop DMA is blocked, KVM may skip cache flushes",
			"not enforced: KVM must honour guest WBINVD for this device"));
	printf("  dirty      %s\n", tristate(iofd_iommu_dirty_tracking(iommu),
					   "the IOMMU can track dirty pages",
					   "no IOMMU dirty tracking"));
	printf("  group      %d, %s\n", iofd_group_id(group),
	       iofd_group_viable(group) > 0 ? "viable" : "not viable (a member uses a host driver)");
}

int main(int argc, char **argv)
{
	IOFD_OPTS(iofd_ctx_opts, opts,
		  .sysfs_root = getenv("LIBIOMMUFD_SYSFS"),
		  .dev_root = getenv("LIBIOMMUFD_DEV"));
	struct iofd_ctx *ctx = NULL;
	struct iofd_host *host = NULL;
	int r, status = 0;

	r = iofd_ctx_new(&ctx, &opts);
	if (r < 0) {
		fprintf(stderr, "coherency-report: context: %s\n", strerror(-r));
		return 1;
	}
	r = iofd_host_scan(&host, ctx);
	if (r < 0) {
		fprintf(stderr, "coherency-report: scan: %s\n", strerror(-r));
		iofd_ctx_free(ctx);
		return 1;
	}
	if (iofd_host_iommu_count(host) == 0)
		printf("this host has no IOMMU: %s\n",
		       iofd_host_backend_reason(host, IOFD_BACKEND_AUTO));
	if (argc < 2) {
		for (size_t i = 0; i < iofd_host_dev_count(host); i++)
			if (iofd_hostdev_is_pci(iofd_host_dev(host, i)) > 0)
				report(iofd_host_dev(host, i));
	}
	for (int i = 1; i < argc; i++) {
		const struct iofd_hostdev *dev;

		r = iofd_host_find_dev(host, argv[i], &dev);
		if (r < 0) {
			fprintf(stderr, "coherency-report: %s: %s\n", argv[i],
				r == -EINVAL ? "not a PCI address or path" :
				r == -ENODEV ? "not a PCI device" : strerror(-r));
			status = 1;
			continue;
		}
		report(dev);
	}
	iofd_host_free(host);
	iofd_ctx_free(ctx);
	return status;
}
