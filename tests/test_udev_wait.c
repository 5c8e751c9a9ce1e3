// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lib/udev_wait.c: waiting for nodes with a libudev monitor on the kernel's
 * uevents. What a bind relies on: nodes already there return at once, a
 * node that appears while waiting ends the wait, a node that never comes
 * ends it at the deadline (not before, not much after). The real vfio
 * add events are exercised in the lab (conformance-bind).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "udev_wait.h"

static const char *const subsystems[] = { "vfio", "vfio-dev", NULL };

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct dir {
	char path[64];
	char a[96], b[96];
};

static int setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	snprintf(d->path, sizeof(d->path), "/tmp/iofd-udev-wait-XXXXXX");
	if (!mkdtemp(d->path)) {
		free(d);
		return -1;
	}
	snprintf(d->a, sizeof(d->a), "%s/a", d->path);
	snprintf(d->b, sizeof(d->b), "%s/b", d->path);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dir *d = *state;

	unlink(d->a);
	unlink(d->b);
	rmdir(d->path);
	free(d);
	return 0;
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	close(fd);
}

/* The monitor may be refused (no netlink in a sandbox): the caller then
 * polls, and this test has nothing to check. */
static int wait_or_skip(const char *const *paths, size_t n, int timeout_ms)
{
	int r = iofd_udev_wait_nodes(paths, n, subsystems, timeout_ms);

	if (r < 0 && r != -ETIMEDOUT) {
		printf("no uevent monitor here (%d): skipped\n", r);
		skip();
	}
	return r;
}

static void nodes_already_there_return_at_once(void **state)
{
	struct dir *d = *state;
	const char *paths[] = { d->a, d->b };
	long long t0;

	touch(d->a);
	touch(d->b);
	t0 = now_ms();
	assert_int_equal(wait_or_skip(paths, 2, 5000), 0);
	assert_true(now_ms() - t0 < 1000);
}

static void a_missing_node_times_out_at_the_deadline(void **state)
{
	struct dir *d = *state;
	const char *paths[] = { d->a, d->b };
	long long t0, took;

	touch(d->a);	/* one of two is not enough */
	t0 = now_ms();
	assert_int_equal(wait_or_skip(paths, 2, 300), -ETIMEDOUT);
	took = now_ms() - t0;
	assert_true(took >= 300);
	assert_true(took < 2000);
}

static void *make_later(void *arg)
{
	struct timespec ts = { .tv_nsec = 200 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	touch(arg);
	return NULL;
}

static void a_node_made_while_waiting_ends_the_wait(void **state)
{
	struct dir *d = *state;
	const char *paths[] = { d->a };
	long long t0, took;
	pthread_t t;

	wait_or_skip(NULL, 0, 0);	/* skips before the thread starts */
	t0 = now_ms();
	assert_int_equal(pthread_create(&t, NULL, make_later, d->a), 0);
	assert_int_equal(iofd_udev_wait_nodes(paths, 1, subsystems, 10000), 0);
	took = now_ms() - t0;
	pthread_join(t, NULL);
	assert_true(took >= 200);
	assert_true(took < 5000);	/* long before the deadline */
}

/* The fallback without uevents (a simulated kernel, no monitor): the same
 * three answers from a look every 10 ms. */
static void polling_sees_nodes_come_and_times_out(void **state)
{
	struct dir *d = *state;
	const char *paths[] = { d->a, d->b };
	long long t0, took;
	pthread_t t;

	touch(d->a);
	t0 = now_ms();
	assert_int_equal(iofd_poll_nodes(paths, 2, 300), -ETIMEDOUT);
	took = now_ms() - t0;
	assert_true(took >= 300 && took < 2000);
	assert_int_equal(pthread_create(&t, NULL, make_later, d->b), 0);
	assert_int_equal(iofd_poll_nodes(paths, 2, 10000), 0);
	took = now_ms() - t0;
	pthread_join(t, NULL);
	assert_true(took < 5000);
	assert_true(iofd_nodes_exist(paths, 2));
	t0 = now_ms();
	assert_int_equal(iofd_poll_nodes(paths, 2, 5000), 0);
	assert_true(now_ms() - t0 < 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(nodes_already_there_return_at_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_missing_node_times_out_at_the_deadline, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_node_made_while_waiting_ends_the_wait, setup,
						teardown),
		cmocka_unit_test_setup_teardown(polling_sees_nodes_come_and_times_out, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("udev-wait", tests, NULL, NULL);
}
