// SPDX-License-Identifier: LGPL-2.1-or-later
/* The options-struct rules every iofd_*_opts follows, seen through iofd_ctx_new(). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "libiommufd.h"
#include "opts.h"

/* What a caller built against a future header, with one more field, passes. */
struct future_ctx_opts {
	struct iofd_ctx_opts cur;
	uint64_t newer_field;
};

static void null_opts_mean_defaults(void **state)
{
	struct iofd_ctx *ctx = NULL;

	assert_int_equal(iofd_ctx_new(&ctx, NULL), 0);
	assert_non_null(ctx);
	assert_int_equal(iofd_ctx_backend(ctx), IOFD_BACKEND_AUTO);
	iofd_ctx_free(ctx);
}

static void opts_macro_sets_size_and_zeroes(void **state)
{
	IOFD_OPTS(iofd_ctx_opts, opts, .backend = IOFD_BACKEND_TYPE1);

	assert_int_equal(opts.sz, sizeof(struct iofd_ctx_opts));
	assert_int_equal(opts.backend, IOFD_BACKEND_TYPE1);
	assert_int_equal(opts.flags, 0);
	assert_null(opts.log_fn);
	assert_null(opts.sysfs_root);
}

static void smaller_than_first_release_is_einval(void **state)
{
	IOFD_OPTS(iofd_ctx_opts, opts);
	struct iofd_ctx *ctx = NULL;

	opts.sz = offsetof(struct iofd_ctx_opts, dev_root);
	assert_int_equal(iofd_ctx_new(&ctx, &opts), -EINVAL);
	assert_null(ctx);
	opts.sz = 0;
	assert_int_equal(iofd_ctx_new(&ctx, &opts), -EINVAL);
	assert_null(ctx);
}

static void larger_with_zero_tail_is_accepted(void **state)
{
	struct future_ctx_opts f;
	struct iofd_ctx *ctx = NULL;

	memset(&f, 0, sizeof(f));
	f.cur.sz = sizeof(f);
	f.cur.backend = IOFD_BACKEND_IOMMUFD;
	assert_int_equal(iofd_ctx_new(&ctx, &f.cur), 0);
	assert_int_equal(iofd_ctx_backend(ctx), IOFD_BACKEND_IOMMUFD);
	iofd_ctx_free(ctx);
}

static void larger_with_unknown_field_set_is_e2big(void **state)
{
	struct future_ctx_opts f;
	struct iofd_ctx *ctx = NULL;

	memset(&f, 0, sizeof(f));
	f.cur.sz = sizeof(f);
	f.newer_field = 1;
	assert_int_equal(iofd_ctx_new(&ctx, &f.cur), -E2BIG);
	assert_null(ctx);
}

static void absurd_size_is_e2big_without_reading_it(void **state)
{
	IOFD_OPTS(iofd_ctx_opts, opts);
	struct iofd_ctx *ctx = NULL;

	/* Would read far past the struct if the size were trusted. */
	opts.sz = (size_t)1 << 40;
	assert_int_equal(iofd_ctx_new(&ctx, &opts), -E2BIG);
	assert_null(ctx);
}

static void opts_check_rules(void **state)
{
	unsigned char buf[64] = { 0 };
	size_t sz = 48;

	memcpy(buf, &sz, sizeof(sz));
	assert_int_equal(iofd_opts_check(NULL, 32, 40), 0);
	assert_int_equal(iofd_opts_check(buf, 32, 40), 0);	/* tail zero */
	buf[44] = 1;
	assert_int_equal(iofd_opts_check(buf, 32, 40), -E2BIG);
	assert_int_equal(iofd_opts_check(buf, 32, 48), 0);	/* a field we know */
	sz = 16;
	memcpy(buf, &sz, sizeof(sz));
	assert_int_equal(iofd_opts_check(buf, 32, 40), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(null_opts_mean_defaults),
		cmocka_unit_test(opts_macro_sets_size_and_zeroes),
		cmocka_unit_test(smaller_than_first_release_is_einval),
		cmocka_unit_test(larger_with_zero_tail_is_accepted),
		cmocka_unit_test(larger_with_unknown_field_set_is_e2big),
		cmocka_unit_test(absurd_size_is_e2big_without_reading_it),
		cmocka_unit_test(opts_check_rules),
	};

	return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}
