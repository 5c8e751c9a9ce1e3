// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Handing a PCI device to vfio-pci and giving it back, through the driver
 * core's sysfs ABI (Linux 6.12, drivers/base/bus.c and dd.c):
 *
 *   DEV/driver_override      a driver name: only that driver may bind;
 *                            "\n" clears it
 *   drivers/NAME/unbind      the device's name: detach it from NAME
 *                            (ENODEV when NAME does not have it)
 *   drivers/NAME/bind        the device's name: bind NAME if it matches
 *   bus/pci/drivers_probe    the device's name: if it has no driver, bind
 *                            the first that matches (the override, else
 *                            the id tables); success even when none did
 *
 * so the truth is the device's driver link, read back after every change.
 * The writes go through the seam (iofd_sys_open/write), so the simulated
 * kernel carries them out; sysfs is read as files. What "in use" means is
 * in the header.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "device.h"
#include "host.h"
#include "log.h"
#include "sysfs.h"
#include "udev_wait.h"
#include "vfio_group.h"

#define VFIO_PCI "vfio-pci"
#define IFF_UP_BIT 0x1		/* include/uapi/linux/if.h */
#define NODE_WAIT_MS 2000	/* for the VFIO nodes after a bind */
#define WHY_MAX 400

/* What the device looks like now; "" for no driver, no override. */
struct dev_state {
	char driver[64];
	char override[256];
};

/* The device being worked on. */
struct bdev {
	struct iofd_ctx *ctx;
	char name[32];		/* its PCI address */
	char syspath[PATH_MAX];	/* its canonical sysfs directory */
	int group;		/* IOMMU group, -1 none */
};

static int read_state(const struct bdev *d, struct dev_state *st)
{
	char path[PATH_MAX];
	int r;

	r = iofd_path_fmt(path, sizeof(path), "%s/driver", d->syspath);
	if (r == 0)
		r = iofd_sysfs_link_name(path, st->driver, sizeof(st->driver));
	if (r == -ENOENT) {
		st->driver[0] = '\0';
		r = 0;
	}
	if (r == 0)
		r = iofd_path_fmt(path, sizeof(path), "%s/driver_override", d->syspath);
	if (r == 0)
		r = iofd_sysfs_read(path, st->override, sizeof(st->override));
	if (r < 0)
		return r;
	if (!strcmp(st->override, "(null)"))	/* what 6.12 shows for none */
		st->override[0] = '\0';
	return 0;
}

/* Write @val to the sysfs file @path through the seam. Closing cannot undo
 * a store that happened, so only the write's answer counts. */
static int write_attr(struct iofd_ctx *ctx, const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd = iofd_sys_open(ctx, path, O_WRONLY);

	if (fd < 0)
		return fd;
	n = iofd_sys_write(ctx, fd, val, len);
	iofd_sys_close(ctx, fd);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

static int set_override(const struct bdev *d, const char *drv)
{
	char path[PATH_MAX];
	int r = iofd_path_fmt(path, sizeof(path), "%s/driver_override", d->syspath);

	if (r == 0)
		r = write_attr(d->ctx, path, drv[0] ? drv : "\n");
	if (r < 0)
		iofd_err(d->ctx, "%s: writing driver_override (\"%s\") failed: %s", d->name, drv,
			 strerror(-r));
	return r;
}

/* drivers/@drv/@what ("bind" or "unbind") */
static int driver_op(const struct bdev *d, const char *drv, const char *what)
{
	char path[PATH_MAX];
	int r = iofd_path_fmt(path, sizeof(path), "%s/bus/pci/drivers/%s/%s", d->ctx->sysfs_root,
			      drv, what);

	if (r == 0)
		r = write_attr(d->ctx, path, d->name);
	if (r < 0)
		iofd_err(d->ctx, "%s: %s of driver %s failed: %s", d->name, what, drv, strerror(-r));
	return r;
}

static int probe(const struct bdev *d)
{
	char path[PATH_MAX];
	int r = iofd_path_fmt(path, sizeof(path), "%s/bus/pci/drivers_probe", d->ctx->sysfs_root);

	if (r == 0)
		r = write_attr(d->ctx, path, d->name);
	if (r < 0)
		iofd_err(d->ctx, "%s: drivers_probe failed: %s", d->name, strerror(-r));
	return r;
}

/* Put the device back as @old was: its override, then its driver. */
static void restore(const struct bdev *d, const struct dev_state *old)
{
	struct dev_state now;
	int r = read_state(d, &now);

	if (r == 0 && strcmp(now.override, old->override))
		set_override(d, old->override);
	if (r == 0 && strcmp(now.driver, old->driver)) {
		if (now.driver[0])
			driver_op(d, now.driver, "unbind");
		if (old->driver[0])
			driver_op(d, old->driver, "bind");
	}
	r = read_state(d, &now);
	if (r < 0)
		iofd_err(d->ctx, "%s: cannot read its state back: %s", d->name, strerror(-r));
	else if (strcmp(now.driver, old->driver) || strcmp(now.override, old->override))
		iofd_err(d->ctx, "%s: could not restore it: driver %s, driver_override %s "
			 "(was %s, %s)", d->name, now.driver[0] ? now.driver : "none",
			 now.override[0] ? now.override : "none",
			 old->driver[0] ? old->driver : "none",
			 old->override[0] ? old->override : "none");
	else
		iofd_info(d->ctx, "%s: restored (driver %s)", d->name,
			  old->driver[0] ? old->driver : "none");
}

/* ------------------------------------------------------------------------
 * Finding the device
 */

static int find(struct iofd_ctx *ctx, const char *name, struct bdev *d)
{
	const struct iofd_hostdev *hd;
	struct iofd_host *host;
	int r = iofd_host_scan(&host, ctx);

	if (r < 0)
		return r;
	r = iofd_host_find_dev(host, name, &hd);
	if (r == 0 && (snprintf(d->name, sizeof(d->name), "%s", hd->name) >= (int)sizeof(d->name) ||
		       snprintf(d->syspath, sizeof(d->syspath), "%s", hd->syspath) >=
			       (int)sizeof(d->syspath)))
		r = -ENAMETOOLONG;
	if (r == 0) {
		d->ctx = ctx;
		d->group = hd->group ? hd->group->id : -1;
	} else {
		iofd_err(ctx, "%s: %s", name,
			 r == -ENOENT ? "no such PCI device" :
			 r == -ENODEV ? "not a PCI device" :
			 r == -EINVAL ? "neither a PCI address nor a sysfs path" : strerror(-r));
	}
	iofd_host_free(host);
	return r;
}

/* ------------------------------------------------------------------------
 * Is the host using it?
 */

/* Append "; @fmt" to @why. */
__attribute__((format(printf, 2, 3)))
static void why_add(char *why, const char *fmt, ...)
{
	size_t used = strlen(why);
	va_list ap;

	if (used && used + 2 < WHY_MAX) {
		strcpy(why + used, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(why + used, WHY_MAX - used, fmt, ap);
	va_end(ap);
}

/* A whole /proc file through the seam, NUL-terminated; free() it. */
static int read_proc(struct iofd_ctx *ctx, const char *path, char **ret)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	int fd, r = 0;

	if (!buf)
		return -ENOMEM;
	fd = iofd_sys_open(ctx, path, O_RDONLY);
	if (fd < 0) {
		free(buf);
		return fd;
	}
	for (;;) {
		ssize_t n;

		if (cap - len < 2) {
			char *nb = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;

			if (!nb) {
				r = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = iofd_sys_read(ctx, fd, buf + len, cap - len - 1);
		if (n < 0) {
			r = (int)n;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	iofd_sys_close(ctx, fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0';
	*ret = buf;
	return 0;
}

/* Is @path (a canonical path) @dir or below it? */
static bool below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

/* An NVMe multipath head or one of its partitions (devices/virtual/
 * nvme-subsystem/nvme-subsysN/nvmeXnY[/nvmeXnYpZ]): does its subsystem have
 * a controller below @syspath? The subsystem's directory links to each of
 * its controllers. */
static bool head_of(const char *real, const char *syspath)
{
	static const char subsystems[] = "/nvme-subsystem/";
	char dir[PATH_MAX], path[PATH_MAX], *at, *slash, **names = NULL, *target;
	size_t n = 0;
	bool ours = false;

	if (snprintf(dir, sizeof(dir), "%s", real) >= (int)sizeof(dir))
		return false;
	at = strstr(dir, subsystems);
	if (!at)
		return false;
	/* Cut after nvme-subsysN, however deep below it @real is. */
	slash = strchr(at + sizeof(subsystems) - 1, '/');
	if (!slash)
		return false;
	*slash = '\0';
	if (iofd_sysfs_list(dir, &names, &n) < 0)
		return false;
	for (size_t i = 0; i < n && !ours; i++) {
		if (iofd_path_fmt(path, sizeof(path), "%s/%s", dir, names[i]) < 0)
			continue;
		target = realpath(path, NULL);
		ours = target && below(target, syspath);
		free(target);
	}
	iofd_strv_free(names, n);
	return ours;
}

/* Is major:minor @mm in /proc/self/mountinfo (its third field)? Where? */
static bool mounted(const char *mountinfo, const char *mm, char *where, size_t len)
{
	for (const char *line = mountinfo; line && *line;) {
		const char *end = strchr(line, '\n');
		char f[4][256];
		int got = sscanf(line, "%255s %255s %255s %*s %255s", f[0], f[1], f[2], f[3]);

		if (got == 4 && !strcmp(f[2], mm)) {
			snprintf(where, len, "%s", f[3]);
			return true;
		}
		line = end ? end + 1 : NULL;
	}
	return false;
}

/* Is /dev/@name a swap area in /proc/swaps? */
static bool swapping(const char *swaps, const char *name)
{
	for (const char *line = swaps; line && *line;) {
		const char *end = strchr(line, '\n');
		char file[PATH_MAX];

		if (sscanf(line, "%4095s", file) == 1 && !strncmp(file, "/dev/", 5) &&
		    !strcmp(file + 5, name))
			return true;
		line = end ? end + 1 : NULL;
	}
	return false;
}

/* Does the kernel refuse us DEV/@blk with O_EXCL? Any other answer (no
 * node, no permission) says nothing. */
static bool exclusively_held(const struct bdev *d, const char *blk)
{
	char path[PATH_MAX];
	int fd;

	if (iofd_path_fmt(path, sizeof(path), "%s/%s", d->ctx->dev_root, blk) < 0)
		return false;
	fd = iofd_sys_open(d->ctx, path, O_RDONLY | O_EXCL | O_NONBLOCK);
	if (fd >= 0)
		iofd_sys_close(d->ctx, fd);
	return fd == -EBUSY;
}

/* One block device of ours: mounted, swap, held? */
static int block_in_use(const struct bdev *d, const char *blk, const char *real, char **mountinfo,
			char **swaps, char *why)
{
	char path[PATH_MAX], mm[32], where[256], **holders = NULL;
	bool found = false;
	size_t n = 0;
	int r;

	r = iofd_path_fmt(path, sizeof(path), "%s/dev", real);
	if (r == 0)
		r = iofd_sysfs_read(path, mm, sizeof(mm));
	if (r < 0)
		return r == -ENOENT ? 0 : r;	/* not a block device node */
	r = iofd_path_fmt(path, sizeof(path), "%s/holders", real);
	if (r == 0 && iofd_sysfs_list(path, &holders, &n) == 0 && n) {
		why_add(why, "block device %s is held by %s", blk, holders[0]);
		found = true;
	}
	iofd_strv_free(holders, n);
	if (!*mountinfo && (r = read_proc(d->ctx, "/proc/self/mountinfo", mountinfo)) < 0) {
		iofd_err(d->ctx, "%s: cannot read /proc/self/mountinfo: %s", d->name, strerror(-r));
		return r;
	}
	if (!*swaps && (r = read_proc(d->ctx, "/proc/swaps", swaps)) < 0) {
		iofd_err(d->ctx, "%s: cannot read /proc/swaps: %s", d->name, strerror(-r));
		return r;
	}
	if (mounted(*mountinfo, mm, where, sizeof(where))) {
		why_add(why, "block device %s (%s) is mounted on %s", blk, mm, where);
		found = true;
	}
	if (swapping(*swaps, blk)) {
		why_add(why, "block device %s is used as swap", blk);
		found = true;
	}
	/* What the tables above miss: filesystems whose superblock has a
	 * device number of its own (btrfs), mounts in other namespaces, lazy
	 * unmounts still alive. The kernel holds every one of those open
	 * exclusively, so an exclusive open of our own is refused (EBUSY). */
	if (!found && exclusively_held(d, blk))
		why_add(why, "block device %s is held open exclusively (a filesystem, swap or "
			"another claim)", blk);
	return 0;
}

static int blocks_in_use(const struct bdev *d, char *why)
{
	char path[PATH_MAX], **names = NULL, *mountinfo = NULL, *swaps = NULL;
	size_t n = 0;
	int r = iofd_path_fmt(path, sizeof(path), "%s/class/block", d->ctx->sysfs_root);

	if (r == 0)
		r = iofd_sysfs_list(path, &names, &n);
	if (r == -ENOENT)
		return 0;	/* no block layer */
	for (size_t i = 0; i < n && r >= 0; i++) {
		char *real;

		if (iofd_path_fmt(path, sizeof(path), "%s/class/block/%s", d->ctx->sysfs_root,
				  names[i]) < 0)
			continue;
		real = realpath(path, NULL);
		if (real && (below(real, d->syspath) || head_of(real, d->syspath)))
			r = block_in_use(d, names[i], real, &mountinfo, &swaps, why);
		free(real);
	}
	iofd_strv_free(names, n);
	free(mountinfo);
	free(swaps);
	return r;
}

/* Every interface whose device is below ours (directly, or deeper: a
 * virtio-net interface sits under SYSPATH/virtioN/net), found through
 * class/net as the block devices are. */
static void nets_in_use(const struct bdev *d, char *why)
{
	char path[PATH_MAX], **names = NULL;
	uint64_t flags;
	size_t n = 0;

	if (iofd_path_fmt(path, sizeof(path), "%s/class/net", d->ctx->sysfs_root) < 0 ||
	    iofd_sysfs_list(path, &names, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char *real;

		if (iofd_path_fmt(path, sizeof(path), "%s/class/net/%s", d->ctx->sysfs_root,
				  names[i]) < 0)
			continue;
		real = realpath(path, NULL);
		if (real && below(real, d->syspath) &&
		    iofd_path_fmt(path, sizeof(path), "%s/flags", real) == 0 &&
		    iofd_sysfs_read_u64(path, 16, UINT32_MAX, &flags) == 0 && (flags & IFF_UP_BIT))
			why_add(why, "network interface %s is up", names[i]);
		free(real);
	}
	iofd_strv_free(names, n);
}

/* Fill @why with every use found ("" for none). */
static int in_use(const struct bdev *d, char *why)
{
	char path[PATH_MAX];
	uint64_t v;
	int r;

	why[0] = '\0';
	if (iofd_path_fmt(path, sizeof(path), "%s/boot_vga", d->syspath) == 0 &&
	    iofd_sysfs_read_u64(path, 10, 1, &v) == 0 && v == 1)
		why_add(why, "it is the boot VGA device (the firmware's console)");
	nets_in_use(d, why);
	r = blocks_in_use(d, why);
	return r;
}

/* ------------------------------------------------------------------------
 * After a bind
 */

/* Is this context on the host's own kernel, /sys and /dev? Then the
 * kernel's uevents tell when a node appears; anything else (a simulated
 * kernel, a fake tree) sends none and is polled through its own paths. */
static bool on_the_real_host(const struct iofd_ctx *ctx)
{
	return ctx->sys == iofd_kernel_real() && !strcmp(ctx->sysfs_root, "/sys") &&
	       !strcmp(ctx->dev_root, "/dev");
}

/* After vfio-pci took the device: wait until its VFIO nodes exist, the
 * group's (DEV/vfio/N) and, on a kernel with VFIO cdevs, the device's
 * (DEV/vfio/devices/vfioM, named by SYSFS/.../vfio-dev/vfioM), so that the
 * caller can open them at once. */
static void wait_for_nodes(const struct bdev *d)
{
	static const char *const subsystems[] = { "vfio", "vfio-dev", NULL };
	char paths[2][PATH_MAX], dir[PATH_MAX], **names = NULL;
	const char *ptrs[2];
	size_t n = 0, n_names = 0;
	int r;

	/* A group node only where the kernel has VFIO groups (their class,
	 * "vfio", is made by drivers/vfio/group.c; CONFIG_VFIO_GROUP=n has
	 * cdevs alone). */
	if (d->group >= 0 && iofd_ctx_sysfs_has(d->ctx, "class/vfio") &&
	    iofd_path_fmt(paths[n], sizeof(paths[n]), "%s/vfio/%d", d->ctx->dev_root, d->group) == 0)
		n++;
	if (iofd_path_fmt(dir, sizeof(dir), "%s/vfio-dev", d->syspath) == 0 &&
	    iofd_sysfs_list(dir, &names, &n_names) == 0 && n_names &&
	    iofd_path_fmt(paths[n], sizeof(paths[n]), "%s/vfio/devices/%s", d->ctx->dev_root,
			  names[0]) == 0)
		n++;
	iofd_strv_free(names, n_names);
	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		ptrs[i] = paths[i];
	r = on_the_real_host(d->ctx) ? iofd_udev_wait_nodes(ptrs, n, subsystems, NODE_WAIT_MS)
				     : -EOPNOTSUPP;
	if (r == 0) {
		iofd_dbg(d->ctx, "%s: its VFIO nodes are there (waited on kernel uevents)", d->name);
		return;
	}
	if (r != -ETIMEDOUT) {
		if (r != -EOPNOTSUPP)
			iofd_dbg(d->ctx, "%s: no uevent monitor (%s): polling for its nodes",
				 d->name, strerror(-r));
		if (iofd_poll_nodes(ptrs, n, NODE_WAIT_MS) == 0)
			return;
	}
	for (size_t i = 0; i < n; i++)
		if (!iofd_sysfs_exists(paths[i]))
			iofd_warn(d->ctx, "%s: %s did not appear within %d ms", d->name, paths[i],
				  NODE_WAIT_MS);
}

/* Log whether the device's group is usable, naming what keeps it from it. */
static void report_viability(const struct bdev *d)
{
	const struct iofd_hostdev *hd;
	struct iofd_host *host;
	char who[WHY_MAX];

	if (iofd_host_scan(&host, d->ctx) < 0)
		return;
	if (iofd_host_find_dev(host, d->name, &hd) == 0 && hd->group) {
		iofd_group_name_blockers(hd->group, who, sizeof(who));
		if (who[0])
			iofd_warn(d->ctx, "%s: IOMMU group %d is not viable yet: %s still on host "
				  "drivers; bind them to vfio-pci (or unbind them) before opening it",
				  d->name, hd->group->id, who);
		else
			iofd_info(d->ctx, "%s: IOMMU group %d is viable", d->name, hd->group->id);
	}
	iofd_host_free(host);
}

/* ------------------------------------------------------------------------
 * The calls
 */

static bool vfio_pci_loaded(const struct bdev *d)
{
	return iofd_ctx_sysfs_has(d->ctx, "bus/pci/drivers/" VFIO_PCI);
}

/* The device @name, and its driver and override as they are now. */
static int find_as_is(struct iofd_ctx *ctx, const char *name, struct bdev *d,
		      struct dev_state *st)
{
	int r = find(ctx, name, d);

	if (r < 0)
		return r;
	r = read_state(d, st);
	if (r < 0)
		iofd_err(ctx, "%s: cannot read its driver: %s", d->name, strerror(-r));
	return r;
}

int iofd_host_bind_vfio(struct iofd_ctx *ctx, const char *name, uint32_t flags)
{
	struct dev_state old, now;
	char why[WHY_MAX];
	struct bdev d;
	int r, probe_r;

	if (!ctx || !name || !*name || (flags & ~IOFD_BIND_FORCE))
		return -EINVAL;
	r = find_as_is(ctx, name, &d, &old);
	if (r < 0)
		return r;
	if (!strcmp(old.driver, VFIO_PCI)) {
		iofd_info(ctx, "%s is on vfio-pci already", d.name);
		report_viability(&d);
		return 1;
	}
	if (!vfio_pci_loaded(&d)) {
		iofd_err(ctx, "%s: vfio-pci is not loaded (no %s/bus/pci/drivers/vfio-pci): "
			 "modprobe vfio-pci", d.name, ctx->sysfs_root);
		return -ENXIO;
	}
	r = in_use(&d, why);
	if (r < 0)
		return r;
	if (why[0] && !(flags & IOFD_BIND_FORCE)) {
		iofd_err(ctx, "%s is in use by the host: %s (forcing the bind takes it anyway)",
			 d.name, why);
		return -EBUSY;
	}
	if (why[0])
		iofd_warn(ctx, "%s is in use by the host, taken anyway (forced): %s", d.name, why);

	iofd_info(ctx, "%s: binding to vfio-pci (driver %s, driver_override %s)", d.name,
		  old.driver[0] ? old.driver : "none", old.override[0] ? old.override : "none");
	r = set_override(&d, VFIO_PCI);
	if (r < 0)
		goto fail;
	if (old.driver[0]) {
		r = driver_op(&d, old.driver, "unbind");
		if (r < 0)
			goto fail;
	}
	probe_r = probe(&d);
	r = read_state(&d, &now);
	if (r == 0 && strcmp(now.driver, VFIO_PCI)) {
		iofd_err(ctx, "%s: vfio-pci did not take it (driver now %s)%s", d.name,
			 now.driver[0] ? now.driver : "none",
			 d.group < 0 ? ": it has no IOMMU group (is the IOMMU on?)" : "");
		r = probe_r < 0 ? probe_r : -EIO;
	}
	if (r < 0)
		goto fail;
	iofd_info(ctx, "%s is on vfio-pci", d.name);
	wait_for_nodes(&d);
	report_viability(&d);
	return 0;
fail:
	restore(&d, &old);
	return r;
}

/* Does this context hold group @id open? */
static bool group_open_here(struct iofd_ctx *ctx, int id)
{
	bool found = false;

	pthread_mutex_lock(&ctx->lock);
	for (const struct iofd_vfio_group *g = ctx->groups; g && !found; g = g->next)
		found = g->id == id;
	pthread_mutex_unlock(&ctx->lock);
	return found;
}

int iofd_host_unbind_vfio(struct iofd_ctx *ctx, const char *name, uint32_t flags)
{
	struct dev_state old, now;
	struct bdev d;
	int r;

	if (!ctx || !name || !*name || flags)
		return -EINVAL;
	r = find_as_is(ctx, name, &d, &old);
	if (r < 0)
		return r;
	if (strcmp(old.driver, VFIO_PCI)) {
		if (strcmp(old.override, VFIO_PCI)) {
			iofd_info(ctx, "%s is not on vfio-pci (driver %s): nothing to give back",
				  d.name, old.driver[0] ? old.driver : "none");
			return 1;
		}
		/* Marked for vfio-pci but not on it: only the mark goes. */
		r = set_override(&d, "");
		if (r == 0 && !old.driver[0])
			r = probe(&d);
		if (r < 0)
			restore(&d, &old);
		return r;
	}
	/* The kernel's unbind waits, uninterruptibly, until every user has
	 * closed the device: this thread would wait on itself. */
	if (iofd_ctx_has_device(ctx, d.name) || (d.group >= 0 && group_open_here(ctx, d.group))) {
		iofd_err(ctx, "%s: it (or its VFIO group %d) is open in this context: close its "
			 "devices first", d.name, d.group);
		return -EBUSY;
	}
	iofd_info(ctx, "%s: giving it back to the host", d.name);
	r = set_override(&d, "");
	if (r == 0)
		r = driver_op(&d, VFIO_PCI, "unbind");
	if (r == 0)
		r = probe(&d);
	if (r == 0)
		r = read_state(&d, &now);
	if (r < 0) {
		restore(&d, &old);
		return r;
	}
	if (now.driver[0])
		iofd_info(ctx, "%s is on %s", d.name, now.driver);
	else
		iofd_info(ctx, "%s: no host driver took it: it stays unbound", d.name);
	return 0;
}
