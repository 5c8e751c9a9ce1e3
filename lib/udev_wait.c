// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Waiting for device nodes with a libudev monitor (lib/udev_wait.h).
 *
 * The monitor listens to the kernel's own uevents ("kernel"), not to
 * udevd's ("udev"): a busybox system or a container has no udevd, and on
 * devtmpfs the kernel makes the node before it sends the add event
 * (device_add() in drivers/base/core.c), so the event means the node is
 * there. Where udevd makes the nodes instead (a /dev that is not
 * devtmpfs), the node can follow the event: a 100 ms tick re-checks
 * meanwhile, so such a host still sees the node, only later.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <time.h>

#include <libudev.h>

#include "sysfs.h"
#include "udev_wait.h"

#define TICK_MS 100

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool iofd_nodes_exist(const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!iofd_sysfs_exists(paths[i]))
			return false;
	return true;
}

int iofd_udev_wait_nodes(const char *const *paths, size_t n, const char *const *subsystems,
			 int timeout_ms)
{
	struct udev *udev = udev_new();
	struct udev_monitor *mon = NULL;
	long long deadline = now_ms() + timeout_ms;
	int r = 0, fd = -1;

	if (!udev)
		return -ENOMEM;
	errno = 0;
	mon = udev_monitor_new_from_netlink(udev, "kernel");
	if (!mon)
		r = errno ? -errno : -ENOMEM;
	for (size_t i = 0; r >= 0 && subsystems[i]; i++)
		r = udev_monitor_filter_add_match_subsystem_devtype(mon, subsystems[i], NULL);
	if (r >= 0)
		r = udev_monitor_enable_receiving(mon);
	if (r >= 0)
		fd = udev_monitor_get_fd(mon);
	if (r >= 0 && fd < 0)
		r = -EBADF;
	/* Subscribed: now a node made from here on wakes us. Check, then wait. */
	while (r >= 0 && !iofd_nodes_exist(paths, n)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		struct udev_device *ev;
		int got;

		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		got = poll(&pfd, 1, left < TICK_MS ? (int)left : TICK_MS);
		if (got < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		/* Drain what came (the socket does not block); the check above
		 * decides, whatever the events said. */
		while (got > 0 && (ev = udev_monitor_receive_device(mon)))
			udev_device_unref(ev);
	}
	udev_monitor_unref(mon);
	udev_unref(udev);
	return r < 0 ? r : 0;
}

int iofd_poll_nodes(const char *const *paths, size_t n, int timeout_ms)
{
	struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	long long deadline = now_ms() + timeout_ms;

	while (!iofd_nodes_exist(paths, n)) {
		if (now_ms() >= deadline)
			return -ETIMEDOUT;
		nanosleep(&tick, NULL);
	}
	return 0;
}
