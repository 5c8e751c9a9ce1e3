/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Waiting for device nodes with libudev: a monitor on the kernel's uevent
 * netlink socket (the "kernel" source: it needs no udevd, so it works in a
 * minimal system too), subscribed before the nodes are checked, so that an
 * add event between the check and the wait is not lost.
 */
#ifndef IOFD_UDEV_WAIT_H
#define IOFD_UDEV_WAIT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Wait until every one of @paths (@n of them) exists, waking on each
 * uevent of one of @subsystems (NULL-terminated), for at most @timeout_ms.
 *
 * Return: 0 when they all exist; -ETIMEDOUT when the time ran out; another
 * -errno when libudev could not make the monitor (the caller then polls).
 */
int iofd_udev_wait_nodes(const char *const *paths, size_t n, const char *const *subsystems,
			 int timeout_ms);

/* The same wait without uevents, for where none come (a simulated kernel,
 * no monitor): a look every 10 ms. Return: 0, or -ETIMEDOUT. */
int iofd_poll_nodes(const char *const *paths, size_t n, int timeout_ms);

/* Do all of @paths (@n of them) exist? */
bool iofd_nodes_exist(const char *const *paths, size_t n);

#endif
