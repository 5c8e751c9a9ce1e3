// SPDX-License-Identifier: LGPL-2.1-or-later
/* The context: argument checks, pre-opened fds, logging, leaks on failure. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctx.h"
#include "fake_sys.h"
#include "libiommufd.h"

static int new_ctx(struct fake_sys *fs, const struct iofd_ctx_opts *opts,
		   struct iofd_ctx **ctx)
{
	return iofd_ctx_new_sys(ctx, opts, &fake_sys_ops, fs);
}

static void bad_arguments_are_einval(void **state)
{
	struct iofd_ctx *ctx = NULL;

	assert_int_equal(iofd_ctx_new(NULL, NULL), -EINVAL);
	{
		IOFD_OPTS(iofd_ctx_opts, o, .backend = (enum iofd_backend)4);
		assert_int_equal(iofd_ctx_new(&ctx, &o), -EINVAL);
	}
	{
		IOFD_OPTS(iofd_ctx_opts, o, .backend = (enum iofd_backend)-1);
		assert_int_equal(iofd_ctx_new(&ctx, &o), -EINVAL);
	}
	{
		IOFD_OPTS(iofd_ctx_opts, o, .flags = 1u << 7);
		assert_int_equal(iofd_ctx_new(&ctx, &o), -EINVAL);
	}
	{
		IOFD_OPTS(iofd_ctx_opts, o, .flags = IOFD_CTX_IOMMU_FD, .iommu_fd = -1);
		assert_int_equal(iofd_ctx_new(&ctx, &o), -EINVAL);
	}
	{
		IOFD_OPTS(iofd_ctx_opts, o, .flags = IOFD_CTX_CONTAINER_FD, .container_fd = -3);
		assert_int_equal(iofd_ctx_new(&ctx, &o), -EINVAL);
	}
	{
		IOFD_OPTS(iofd_ctx_opts, o, .log_priority = 8);
		assert_int_equal(iofd_ctx_new(&ctx, &o), -EINVAL);
	}
	{
		IOFD_OPTS(iofd_ctx_opts, o, .sysfs_root = "");
		assert_int_equal(iofd_ctx_new(&ctx, &o), -EINVAL);
	}
	{
		IOFD_OPTS(iofd_ctx_opts, o, .dev_root = "");
		assert_int_equal(iofd_ctx_new(&ctx, &o), -EINVAL);
	}
	assert_null(ctx);
	assert_int_equal(iofd_ctx_backend(NULL), -EINVAL);
	iofd_ctx_free(NULL);
}

static void names_and_version(void **state)
{
	assert_string_equal(iofd_version(), IOFD_VERSION);
	assert_string_equal(iofd_backend_name(IOFD_BACKEND_AUTO), "auto");
	assert_string_equal(iofd_backend_name(IOFD_BACKEND_IOMMUFD), "iommufd");
	assert_string_equal(iofd_backend_name(IOFD_BACKEND_TYPE1), "type1");
	assert_string_equal(iofd_backend_name(IOFD_BACKEND_COMPAT), "compat");
	assert_null(iofd_backend_name((enum iofd_backend)17));
}

static void roots_lose_trailing_slashes(void **state)
{
	IOFD_OPTS(iofd_ctx_opts, o, .sysfs_root = "/tmp/x//", .dev_root = "/");
	struct iofd_ctx *ctx;

	assert_int_equal(iofd_ctx_new(&ctx, &o), 0);
	assert_string_equal(ctx->sysfs_root, "/tmp/x");
	assert_string_equal(ctx->dev_root, "");
	iofd_ctx_free(ctx);
}

static void preopened_iommufd_is_duplicated_and_owned(void **state)
{
	struct fake_sys fs = { 0 };
	struct iofd_ctx *ctx = NULL;
	int fd;

	fake_sys_add(&fs, "/dev/iommu", 0, fake_iommufd_ioctl, NULL);
	fd = fake_sys_open(&fs, "/dev/iommu");
	assert_true(fd >= 0);
	{
		IOFD_OPTS(iofd_ctx_opts, o, .flags = IOFD_CTX_IOMMU_FD, .iommu_fd = fd);
		assert_int_equal(new_ctx(&fs, &o, &ctx), 0);
	}
	assert_int_equal(fs.open_fds, 2);	/* ours and the caller's */
	assert_true(ctx->iommu_fd >= 0 && ctx->iommu_fd != fd);
	iofd_ctx_free(ctx);
	assert_int_equal(fs.open_fds, 1);	/* the caller's is still open */
}

static void preopened_container_native_and_iommufd_are_accepted(void **state)
{
	struct fake_sys fs = { 0 };
	struct iofd_ctx *ctx = NULL;

	fake_sys_add(&fs, "/dev/vfio/vfio", 0, fake_vfio_container_ioctl, NULL);
	fake_sys_add(&fs, "/dev/iommu", 0, fake_iommufd_ioctl, NULL);
	for (int i = 0; i < 2; i++) {
		int fd = fake_sys_open(&fs, i ? "/dev/iommu" : "/dev/vfio/vfio");
		IOFD_OPTS(iofd_ctx_opts, o, .flags = IOFD_CTX_CONTAINER_FD, .container_fd = fd);

		assert_int_equal(new_ctx(&fs, &o, &ctx), 0);
		assert_true(ctx->container_fd >= 0);
		iofd_ctx_free(ctx);
	}
	assert_int_equal(fs.open_fds, 2);
}

static void wrong_kind_of_fd_is_enotty_and_leaves_nothing(void **state)
{
	struct fake_sys fs = { 0 };
	struct iofd_ctx *ctx = NULL;
	int cont, plain;

	fake_sys_add(&fs, "/dev/vfio/vfio", 0, fake_vfio_container_ioctl, NULL);
	fake_sys_add(&fs, "/tmp/file", 0, NULL, NULL);
	fs.nodes[1].not_chr = true;
	cont = fake_sys_open(&fs, "/dev/vfio/vfio");
	plain = fake_sys_open(&fs, "/tmp/file");
	{
		/* A VFIO container is not an iommufd. */
		IOFD_OPTS(iofd_ctx_opts, o, .flags = IOFD_CTX_IOMMU_FD, .iommu_fd = cont);
		assert_int_equal(new_ctx(&fs, &o, &ctx), -ENOTTY);
	}
	{
		/* Nor is a regular file a container. */
		IOFD_OPTS(iofd_ctx_opts, o, .flags = IOFD_CTX_CONTAINER_FD, .container_fd = plain);
		assert_int_equal(new_ctx(&fs, &o, &ctx), -ENOTTY);
	}
	{
		/* The iommufd is checked first; the bad container still fails the call. */
		int good;

		fake_sys_add(&fs, "/dev/iommu", 0, fake_iommufd_ioctl, NULL);
		good = fake_sys_open(&fs, "/dev/iommu");
		IOFD_OPTS(iofd_ctx_opts, o, .flags = IOFD_CTX_IOMMU_FD | IOFD_CTX_CONTAINER_FD,
			  .iommu_fd = good, .container_fd = plain);
		assert_int_equal(new_ctx(&fs, &o, &ctx), -ENOTTY);
	}
	assert_null(ctx);
	assert_int_equal(fs.open_fds, 3);	/* only the three we opened */
}

static void real_kernel_fds_are_checked_too(void **state)
{
	struct iofd_ctx *ctx = NULL;
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	int closed_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(null_fd >= 0 && closed_fd >= 0);
	close(closed_fd);
	{
		/* A character device, but no iommufd: the ioctl is refused. */
		IOFD_OPTS(iofd_ctx_opts, o, .flags = IOFD_CTX_IOMMU_FD, .iommu_fd = null_fd);
		assert_int_equal(iofd_ctx_new(&ctx, &o), -ENOTTY);
	}
	{
		IOFD_OPTS(iofd_ctx_opts, o, .flags = IOFD_CTX_CONTAINER_FD,
			  .container_fd = closed_fd);
		assert_int_equal(iofd_ctx_new(&ctx, &o), -EBADF);
	}
	{
		/* The real kernel named explicitly answers the same. */
		IOFD_OPTS(iofd_ctx_opts, o, .flags = IOFD_CTX_IOMMU_FD, .iommu_fd = null_fd,
			  .kernel = iofd_kernel_real());
		assert_int_equal(iofd_kernel_real()->sz, sizeof(struct iofd_kernel_ops));
		assert_int_equal(iofd_ctx_new(&ctx, &o), -ENOTTY);
	}
	assert_null(ctx);
	/* Nothing was duplicated: the next fd number is the one we freed. */
	{
		int again = open("/dev/null", O_RDONLY | O_CLOEXEC);

		assert_int_equal(again, closed_fd);
		close(again);
	}
	close(null_fd);
}

static void every_failing_kernel_call_leaves_nothing(void **state)
{
	int ok = 0, failed = 0;

	/* Fail the 1st, 2nd, ... seam call of a context with both fds given. */
	for (int n = 1; n < 32; n++) {
		struct fake_sys fs = { 0 };
		struct iofd_ctx *ctx = NULL;
		int ifd, cfd, r;

		fake_sys_add(&fs, "/dev/iommu", 0, fake_iommufd_ioctl, NULL);
		fake_sys_add(&fs, "/dev/vfio/vfio", 0, fake_vfio_container_ioctl, NULL);
		ifd = fake_sys_open(&fs, "/dev/iommu");
		cfd = fake_sys_open(&fs, "/dev/vfio/vfio");
		fs.fail_call = n;
		fs.fail_errno = EIO;
		{
			IOFD_OPTS(iofd_ctx_opts, o,
				  .flags = IOFD_CTX_IOMMU_FD | IOFD_CTX_CONTAINER_FD,
				  .iommu_fd = ifd, .container_fd = cfd);
			r = new_ctx(&fs, &o, &ctx);
		}
		if (r == 0) {
			assert_int_equal(fs.open_fds, 4);
			iofd_ctx_free(ctx);
			ok++;
			if (fs.calls < n)
				break;	/* the call to fail was never reached */
		} else {
			assert_true(r < 0);
			assert_null(ctx);
			failed++;
		}
		assert_int_equal(fs.open_fds, 2);
	}
	assert_true(failed >= 6);	/* fstat, 2 ioctls and dup, for each fd */
	assert_true(ok >= 1);
}

struct log_rec {
	int n;
	int last_prio;
	char last[512];
};

static void record_log(void *userdata, int priority, const char *msg)
{
	struct log_rec *rec = userdata;

	rec->n++;
	rec->last_prio = priority;
	snprintf(rec->last, sizeof(rec->last), "%s", msg);
	errno = EPERM;	/* the library must not see this */
}

static void log_callback_gets_messages_up_to_its_priority(void **state)
{
	struct fake_sys fs = { 0 };
	struct log_rec rec = { 0 };
	struct iofd_ctx *ctx;
	int fd;

	fake_sys_add(&fs, "/dev/vfio/vfio", 0, fake_vfio_container_ioctl, NULL);
	fd = fake_sys_open(&fs, "/dev/vfio/vfio");
	{
		IOFD_OPTS(iofd_ctx_opts, o, .log_fn = record_log, .log_userdata = &rec,
			  .log_priority = LOG_DEBUG);
		assert_int_equal(new_ctx(&fs, &o, &ctx), 0);
		assert_true(rec.n >= 1);
		assert_int_equal(rec.last_prio, LOG_DEBUG);
		assert_non_null(strstr(rec.last, "backend auto"));
		iofd_ctx_free(ctx);
	}
	{
		/* The default priority (info) hides debug; errors get through,
		 * and errno is the library's, not the callback's. */
		IOFD_OPTS(iofd_ctx_opts, o, .log_fn = record_log, .log_userdata = &rec,
			  .flags = IOFD_CTX_IOMMU_FD, .iommu_fd = fd);
		rec.n = 0;
		errno = 0;
		assert_int_equal(new_ctx(&fs, &o, &ctx), -ENOTTY);
		assert_int_equal(rec.n, 1);
		assert_int_equal(rec.last_prio, LOG_ERR);
		assert_non_null(strstr(rec.last, "not one"));
		assert_int_not_equal(errno, EPERM);
	}
}

static void env_var_sends_log_to_stderr_when_no_callback(void **state)
{
	char buf[1024] = { 0 };
	struct iofd_ctx *ctx;
	int pipefd[2], saved;
	ssize_t n;

	assert_int_equal(pipe(pipefd), 0);
	saved = dup(STDERR_FILENO);
	dup2(pipefd[1], STDERR_FILENO);
	setenv("LIBIOMMUFD_LOG", "debug", 1);
	assert_int_equal(iofd_ctx_new(&ctx, NULL), 0);
	iofd_ctx_free(ctx);
	unsetenv("LIBIOMMUFD_LOG");
	/* Unset again: silent. */
	assert_int_equal(iofd_ctx_new(&ctx, NULL), 0);
	iofd_ctx_free(ctx);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(pipefd[1]);
	n = read(pipefd[0], buf, sizeof(buf) - 1);
	close(pipefd[0]);
	assert_true(n > 0);
	assert_non_null(strstr(buf, "libiommufd: context: backend auto"));
	/* Exactly one context logged. */
	assert_null(strstr(strstr(buf, "context:") + 1, "context:"));
}

/* A kernel given in the public options answers every call, from the
 * checks of pre-opened fds on; an incomplete ops table is refused. */
static void kernel_in_options_is_used(void **state)
{
	struct fake_sys fs = { 0 };
	struct iofd_kernel_ops partial = fake_sys_ops;
	struct iofd_ctx *ctx = NULL;
	int fd;

	fake_sys_add(&fs, "/dev/iommu", 0, fake_iommufd_ioctl, NULL);
	fd = fake_sys_open(&fs, "/dev/iommu");
	assert_true(fd >= FAKE_SYS_FD_BASE);
	{
		IOFD_OPTS(iofd_ctx_opts, o, .flags = IOFD_CTX_IOMMU_FD, .iommu_fd = fd,
			  .kernel = &fake_sys_ops, .kernel_priv = &fs);
		assert_int_equal(iofd_ctx_new(&ctx, &o), 0);
	}
	assert_true(fs.ioctls > 0);
	assert_int_equal(fs.open_fds, 2);	/* the caller's and the context's copy */
	iofd_ctx_free(ctx);
	assert_int_equal(fs.open_fds, 1);

	partial.ioctl = NULL;
	ctx = NULL;
	{
		IOFD_OPTS(iofd_ctx_opts, o, .kernel = &partial, .kernel_priv = &fs);
		assert_int_equal(iofd_ctx_new(&ctx, &o), -EINVAL);
	}
	partial = fake_sys_ops;
	partial.sz = offsetof(struct iofd_kernel_ops, dup);
	{
		IOFD_OPTS(iofd_ctx_opts, o, .kernel = &partial, .kernel_priv = &fs);
		assert_int_equal(iofd_ctx_new(&ctx, &o), -EINVAL);
	}
	assert_null(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_arguments_are_einval),
		cmocka_unit_test(names_and_version),
		cmocka_unit_test(roots_lose_trailing_slashes),
		cmocka_unit_test(preopened_iommufd_is_duplicated_and_owned),
		cmocka_unit_test(preopened_container_native_and_iommufd_are_accepted),
		cmocka_unit_test(wrong_kind_of_fd_is_enotty_and_leaves_nothing),
		cmocka_unit_test(real_kernel_fds_are_checked_too),
		cmocka_unit_test(every_failing_kernel_call_leaves_nothing),
		cmocka_unit_test(log_callback_gets_messages_up_to_its_priority),
		cmocka_unit_test(env_var_sends_log_to_stderr_when_no_callback),
		cmocka_unit_test(kernel_in_options_is_used),
	};

	return cmocka_run_group_tests_name("ctx", tests, NULL, NULL);
}
