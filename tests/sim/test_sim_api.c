// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libiommufd-sim's public API: options, the ops as a closed world of real
 * fds, libiommufd contexts on the simulator, fault injection, threads, and
 * how fast it is.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "simtest.h"

#define PS page_size()

static const struct iofd_kernel_ops *ops(void)
{
	return iofd_sim_kernel_ops();
}

static void options_follow_the_size_rules(void **state)
{
	struct {
		struct iofd_sim_opts o;
		uint64_t tail;
	} big = { .o = { .sz = sizeof(big) } };
	struct iofd_sim_opts o = { .sz = 8 };
	struct iofd_sim *sim = NULL;

	assert_int_equal(iofd_sim_new(NULL, NULL), -EINVAL);
	assert_int_equal(iofd_sim_new(&sim, &o), -EINVAL);
	o.sz = sizeof(o);
	o.flags = 1u << 31;
	assert_int_equal(iofd_sim_new(&sim, &o), -EINVAL);
	assert_null(sim);
	/* A newer caller's struct: zero tail fine, non-zero tail E2BIG. */
	assert_int_equal(iofd_sim_new(&sim, &big.o), 0);
	iofd_sim_free(sim);
	big.tail = 1;
	sim = NULL;
	assert_int_equal(iofd_sim_new(&sim, &big.o), -E2BIG);
	assert_null(sim);
	assert_int_equal(iofd_sim_new(&sim, NULL), 0);
	iofd_sim_free(sim);
	iofd_sim_free(NULL);
	/* Getters accept NULL; setters do not. */
	assert_int_equal(iofd_sim_calls(NULL), 0);
	assert_int_equal(iofd_sim_objects(NULL), 0);
	assert_int_equal(iofd_sim_fail_nth(NULL, 1, EIO), -EINVAL);
	assert_int_equal(iofd_sim_fail_ioctl(NULL, 1, EIO, 1), -EINVAL);
}

static void fds_are_real_cloexec_and_closed_world(void **state)
{
	struct iofd_sim *sim = sim_make(0, 0);
	int fd = sim_open_iommu(sim), fd2, other = open("/dev/null", O_RDONLY | O_CLOEXEC);
	char link[64], target[256];
	struct stat st;
	ssize_t n;

	/* A real fd of this process, close-on-exec, named for what it is. */
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_non_null(strstr(target, "iofd-sim:/dev/iommu"));
	/* fstat says character device; a dup is the same file. */
	assert_int_equal(ops()->fstat(sim, fd, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	fd2 = ops()->dup(sim, fd);
	assert_true(fd2 > fd || fd2 >= 3);
	assert_true(fcntl(fd2, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(iofd_sim_open_fds(sim), 2);
	/* Other fds and paths are not the simulator's. */
	assert_int_equal(ops()->ioctl(sim, other, IOFD_U_IOMMU_DESTROY, NULL), -EBADF);
	assert_int_equal(ops()->close(sim, other), -EBADF);
	assert_int_equal(ops()->fstat(sim, other, &st), -EBADF);
	assert_int_equal(ops()->dup(sim, other), -EBADF);
	assert_int_equal(ops()->read(sim, -1, target, 1), -EBADF);
	assert_int_equal(ops()->open(sim, "/dev/vfio/none", O_RDWR), -ENOENT);
	assert_int_equal(ops()->open(sim, "/dev/null", O_RDWR), -ENOENT);
	assert_int_equal(ops()->munmap(sim, target, 1), -EINVAL);
	assert_true(fcntl(other, F_GETFD) >= 0);	/* untouched */
	close(other);
	assert_int_equal(sim_close(sim, fd), 0);
	assert_int_equal(sim_close(sim, fd), -EBADF);
	/* iofd_sim_free() closes the rest. */
	iofd_sim_free(sim);
	assert_int_equal(fcntl(fd2, F_GETFD), -1);
}

static void a_libiommufd_context_runs_on_the_simulator(void **state)
{
	struct iofd_sim *sim = sim_make(0, 0);
	struct iofd_ctx *ctx = NULL;
	int fd = sim_open_iommu(sim);
	IOFD_OPTS(iofd_ctx_opts, o, .flags = IOFD_CTX_IOMMU_FD, .iommu_fd = fd);

	assert_int_equal(iofd_sim_ctx_opts(NULL, &o), -EINVAL);
	assert_int_equal(iofd_sim_ctx_opts(sim, NULL), -EINVAL);
	assert_int_equal(iofd_sim_ctx_opts(sim, &o), 0);
	assert_ptr_equal(o.kernel, iofd_sim_kernel_ops());
	assert_ptr_equal(o.kernel_priv, sim);
	/* The context checks the fd is iommufd (through the simulator) and
	 * keeps a duplicate of its own. */
	assert_int_equal(iofd_ctx_new(&ctx, &o), 0);
	assert_int_equal(iofd_sim_open_fds(sim), 2);
	assert_int_equal(sim_close(sim, fd), 0);
	iofd_ctx_free(ctx);
	assert_sim_empty(sim);
	/* An fd that is not the simulator's is refused. */
	o.iommu_fd = 0;
	assert_int_equal(iofd_ctx_new(&ctx, &o), -EBADF);
	iofd_sim_free(sim);
}

static void fail_nth_fails_exactly_that_call(void **state)
{
	struct iofd_sim *sim = sim_make(0, 0);
	uint64_t calls = iofd_sim_calls(sim);
	uint32_t id = 0;
	int fd;

	assert_int_equal(iofd_sim_fail_nth(sim, 1, 0), -EINVAL);
	assert_int_equal(iofd_sim_fail_nth(sim, 1, EMFILE), 0);
	assert_int_equal(ops()->open(sim, "/dev/iommu", O_RDWR), -EMFILE);
	assert_int_equal(iofd_sim_calls(sim), calls + 1);
	fd = sim_open_iommu(sim);
	/* The third call from now: the second ioctl. */
	assert_int_equal(iofd_sim_fail_nth(sim, 3, ENOMEM), 0);
	assert_int_equal(ioas_alloc(sim, fd, &id), 0);
	assert_int_equal(obj_destroy(sim, fd, id), 0);
	assert_int_equal(ioas_alloc(sim, fd, &id), -ENOMEM);
	assert_int_equal(iofd_sim_objects(sim), 0);
	assert_int_equal(ioas_alloc(sim, fd, &id), 0);	/* one-shot */
	/* A failing close still closes. */
	assert_int_equal(iofd_sim_fail_nth(sim, 1, EIO), 0);
	assert_int_equal(sim_close(sim, fd), -EIO);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
}

static void fail_ioctl_fails_that_request(void **state)
{
	struct iofd_sim *sim = sim_make(0, 0);
	int fd = sim_open_iommu(sim);
	uint32_t id = 0;

	assert_int_equal(iofd_sim_fail_ioctl(sim, IOFD_U_IOMMU_IOAS_ALLOC, 0, 1), -EINVAL);
	assert_int_equal(iofd_sim_fail_ioctl(sim, IOFD_U_IOMMU_IOAS_ALLOC, ENOSPC, 2), 0);
	assert_int_equal(obj_destroy(sim, fd, 1), -ENOENT);	/* other requests pass */
	assert_int_equal(ioas_alloc(sim, fd, &id), -ENOSPC);
	assert_int_equal(ioas_alloc(sim, fd, &id), -ENOSPC);
	assert_int_equal(ioas_alloc(sim, fd, &id), 0);
	/* Cancelled by count 0; at most 16 rules. */
	assert_int_equal(iofd_sim_fail_ioctl(sim, IOFD_U_IOMMU_IOAS_ALLOC, EIO, 5), 0);
	assert_int_equal(iofd_sim_fail_ioctl(sim, IOFD_U_IOMMU_IOAS_ALLOC, 0, 0), 0);
	assert_int_equal(ioas_alloc(sim, fd, &id), 0);
	for (unsigned int i = 0; i < 16; i++)
		assert_int_equal(iofd_sim_fail_ioctl(sim, 0x1000 + i, EIO, 1), 0);
	assert_int_equal(iofd_sim_fail_ioctl(sim, 0x2000, EIO, 1), -ENOSPC);
	/* Replacing an existing rule needs no new slot. */
	assert_int_equal(iofd_sim_fail_ioctl(sim, 0x1000, EPERM, 1), 0);
	assert_int_equal(sim_close(sim, fd), 0);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
}

static void free_releases_everything(void **state)
{
	struct iofd_sim *sim = sim_make(0, 0);
	int fd = sim_open_iommu(sim);
	char *buf = mem(4 * PS);
	uint64_t iova = 0;
	uint32_t id = 0;

	assert_int_equal(ioas_alloc(sim, fd, &id), 0);
	assert_int_equal(ioas_map(sim, fd, id, RW, buf, 4 * PS, &iova), 0);
	assert_int_equal(iofd_sim_objects(sim), 1);
	iofd_sim_free(sim);
	/* (LeakSanitizer would see anything left behind.) */
	munmap(buf, 4 * PS);
}

/* ------------------------------------------------------------------------
 * Threads: each maps and unmaps in its own IOAS of one shared iommufd.
 */

struct worker {
	struct iofd_sim *sim;
	int fd;
	uint32_t ioas;
	char *buf;
	int errors;
};

#define ROUNDS 2000

static void *work(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < ROUNDS; i++) {
		uint64_t iova = 0, unmapped = 0;

		if (ioas_map(w->sim, w->fd, w->ioas, RW, w->buf, 4 * PS, &iova) ||
		    ioas_unmap(w->sim, w->fd, w->ioas, iova, 4 * PS, &unmapped) ||
		    unmapped != 4 * PS)
			w->errors++;
	}
	return NULL;
}

static void many_threads_share_one_simulator(void **state)
{
	struct iofd_sim *sim = sim_make(0, 0);
	int fd = sim_open_iommu(sim);
	struct worker w[4];
	pthread_t t[4];
	char *buf = mem(4 * PS);

	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .sim = sim, .fd = fd, .buf = buf };
		assert_int_equal(ioas_alloc(sim, fd, &w[i].ioas), 0);
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].errors, 0);
	}
	assert_int_equal(iofd_sim_objects(sim), 4);
	assert_int_equal(sim_close(sim, fd), 0);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
	munmap(buf, 4 * PS);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Not a pass/fail criterion: the numbers go to the log. */
static void how_fast_it_is(void **state)
{
	struct iofd_sim *sim = sim_make(0, 0);
	int fd = sim_open_iommu(sim);
	char *buf = mem(4 * PS);
	const int n = 50000, live = 10000;
	struct sim_domain d;
	uint64_t iova;
	uint32_t id = 0;
	double t0, t1, t2;

	assert_int_equal(ioas_alloc(sim, fd, &id), 0);
	t0 = now();
	for (int i = 0; i < n; i++) {
		iova = 0;
		assert_int_equal(ioas_map(sim, fd, id, RW, buf, 4 * PS, &iova), 0);
		assert_int_equal(ioas_unmap(sim, fd, id, iova, 4 * PS, NULL), 0);
	}
	t1 = now();
	/* With 10000 mappings in place: the tree's depth at work. */
	for (int i = 0; i < live; i++) {
		iova = 0x100000000ull + (uint64_t)i * 8 * PS;
		assert_int_equal(ioas_map(sim, fd, id, FIXED | RW, buf, 4 * PS, &iova), 0);
	}
	t2 = now();
	for (int i = 0; i < n; i++) {
		iova = 0;
		assert_int_equal(ioas_map(sim, fd, id, RW, buf, 4 * PS, &iova), 0);
		assert_int_equal(ioas_unmap(sim, fd, id, iova, 4 * PS, NULL), 0);
	}
	print_message("sim: map+unmap (empty IOAS): %.0f pairs/s; %d fixed maps: %.0f/s; "
		      "map+unmap among %d mappings: %.0f pairs/s\n",
		      n / (t1 - t0), live, live / (t2 - t1), live, n / (now() - t2));
	/* With a domain: every map pins (faults in) its pages. */
	domain_init(&d, PS, 0, SIM_ULONG_MAX);
	assert_int_equal(ioas_unmap(sim, fd, id, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(sim_ioas_add_domain(ioas_of(sim, fd, id), &d), 0);
	t0 = now();
	for (int i = 0; i < n / 5; i++) {
		iova = 0;
		assert_int_equal(ioas_map(sim, fd, id, RW, buf, 4 * PS, &iova), 0);
		assert_int_equal(ioas_unmap(sim, fd, id, iova, 4 * PS, NULL), 0);
	}
	print_message("sim: map+unmap with a domain (pinning 4 pages): %.0f pairs/s\n",
		      n / 5 / (now() - t0));
	sim_ioas_remove_domain(ioas_of(sim, fd, id), &d);
	assert_int_equal(sim_close(sim, fd), 0);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
	munmap(buf, 4 * PS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_follow_the_size_rules),
		cmocka_unit_test(fds_are_real_cloexec_and_closed_world),
		cmocka_unit_test(a_libiommufd_context_runs_on_the_simulator),
		cmocka_unit_test(fail_nth_fails_exactly_that_call),
		cmocka_unit_test(fail_ioctl_fails_that_request),
		cmocka_unit_test(free_releases_everything),
		cmocka_unit_test(many_threads_share_one_simulator),
		cmocka_unit_test(how_fast_it_is),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
