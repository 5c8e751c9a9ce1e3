// SPDX-License-Identifier: MIT
/*
 * sim-consumer: how a program built on libiommufd tests itself without an
 * IOMMU. Copy this file into your test suite; build it with
 *
 *   cc sim_consumer_test.c $(pkg-config --cflags --libs libiommufd-sim)
 *
 * The code under test here is vmm_setup(), the part of an imaginary VMM that
 * adopts an iommufd its privileged manager opened and makes a libiommufd
 * context from it. The test runs it on a simulated kernel:
 *   1. as it should work;
 *   2. with each kernel call it makes failing in turn (the simulator's
 *      iofd_sim_fail_nth), checking that the VMM reports the error and
 *      leaves no fd behind;
 *   3. with a chosen ioctl failing (iofd_sim_fail_ioctl).
 * Exit 0 when everything held, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libiommufd-sim.h>

/* ---- the code under test: it only sees struct iofd_ctx_opts ---- */

static int vmm_setup(struct iofd_ctx **ctx, const struct iofd_ctx_opts *base, int iommu_fd)
{
	struct iofd_ctx_opts o = *base;

	o.flags |= IOFD_CTX_IOMMU_FD;
	o.iommu_fd = iommu_fd;
	return iofd_ctx_new(ctx, &o);
}

/* ---- the test ---- */

static int failures;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                          \
		}                                                            \
	} while (0)

int main(void)
{
	IOFD_OPTS(iofd_sim_opts, sopts, .memlock_pages = 1024);
	IOFD_OPTS(iofd_ctx_opts, copts);
	const struct iofd_kernel_ops *k = iofd_sim_kernel_ops();
	struct iofd_ctx *ctx = NULL;
	struct iofd_sim *sim;
	unsigned int n;
	int fd, r;

	r = iofd_sim_new(&sim, &sopts);
	if (r < 0) {
		fprintf(stderr, "iofd_sim_new: %s\n", strerror(-r));
		return 1;
	}
	iofd_sim_ctx_opts(sim, &copts);

	/* The manager's fd: opened on the simulated /dev/iommu. */
	fd = k->open(sim, "/dev/iommu", 2 /* O_RDWR */);
	CHECK(fd >= 0);

	/* 1. It works, and the context keeps a duplicate of its own. */
	CHECK(vmm_setup(&ctx, &copts, fd) == 0);
	CHECK(iofd_sim_open_fds(sim) == 2);
	iofd_ctx_free(ctx);
	CHECK(iofd_sim_open_fds(sim) == 1);

	/* 2. Every kernel call it makes fails in turn: an error, never a leak. */
	for (n = 1;; n++) {
		uint64_t calls = iofd_sim_calls(sim);

		iofd_sim_fail_nth(sim, n, EIO);
		ctx = NULL;
		r = vmm_setup(&ctx, &copts, fd);
		if (r == 0) {
			/* Past the last call: the failure never fired. */
			iofd_sim_fail_nth(sim, 0, 0);
			iofd_ctx_free(ctx);
			break;
		}
		CHECK(r == -EIO && ctx == NULL);
		CHECK(iofd_sim_open_fds(sim) == 1);
		CHECK(iofd_sim_calls(sim) > calls);
	}
	printf("sim-consumer: vmm_setup makes %u kernel calls; each one failing was handled\n",
	       n - 1);

	/* 3. A chosen ioctl fails: here the iommufd check itself. */
	iofd_sim_fail_ioctl(sim, 0x3b80 /* IOMMU_DESTROY */, EPERM, 1);
	CHECK(vmm_setup(&ctx, &copts, fd) == -EPERM);

	k->close(sim, fd);
	CHECK(iofd_sim_open_fds(sim) == 0 && iofd_sim_objects(sim) == 0);
	iofd_sim_free(sim);
	printf("sim-consumer: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
