/* A program that knows libiommufd only through pkg-config. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libiommufd.h>

int main(void)
{
	struct iofd_host *host = NULL;
	struct iofd_ctx *ctx = NULL;
	int r;

	if (strcmp(iofd_version(), IOFD_VERSION)) {
		fprintf(stderr, "header %s, library %s\n", IOFD_VERSION, iofd_version());
		return 1;
	}
	r = iofd_ctx_new(&ctx, NULL);
	if (r < 0) {
		fprintf(stderr, "iofd_ctx_new: %s\n", strerror(-r));
		return 1;
	}
	r = iofd_host_scan(&host, ctx);
	if (r < 0) {
		fprintf(stderr, "iofd_host_scan: %s\n", strerror(-r));
		iofd_ctx_free(ctx);
		return 1;
	}
	printf("consumer: libiommufd %s, %zu IOMMU(s), %zu device(s)\n", iofd_version(),
	       iofd_host_iommu_count(host), iofd_host_dev_count(host));
	iofd_host_free(host);
	iofd_ctx_free(ctx);
	return 0;
}
