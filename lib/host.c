// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The host snapshot: PCI devices, their IOMMU groups and IOMMU instances,
 * read from sysfs under the context's sysfs_root. On the real /sys the
 * device and IOMMU names come from libudev; under any other root from the
 * directories themselves. Either way every attribute is read by the same
 * code below, so the fake-tree tests exercise all of it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libudev.h>

#include "ctx.h"
#include "host.h"
#include "iommu_regs.h"
#include "log.h"
#include "sysfs.h"

#define NAME_MAX_LEN 256

/* ---- growing arrays of pointers ---- */

static int ptr_push(void ***v, size_t *n, void *p)
{
	if ((*n & (*n - 1)) == 0) {	/* 0, 1, 2, 4, ...: grow to the next power */
		void **nv = reallocarray(*v, *n ? *n * 2 : 1, sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
	}
	(*v)[(*n)++] = p;
	return 0;
}

#define PUSH(arr, n, p) ptr_push((void ***)&(arr), &(n), (p))

/* ---- names: from libudev on the real /sys, else from the directory ---- */

static int udev_names(const char *subsystem, char ***ret, size_t *n_ret)
{
	struct udev *udev = udev_new();
	struct udev_enumerate *e = NULL;
	struct udev_list_entry *it;
	char **v = NULL;
	size_t n = 0;
	int r;

	if (!udev)
		return -ENOMEM;
	e = udev_enumerate_new(udev);
	r = e ? udev_enumerate_add_match_subsystem(e, subsystem) : -ENOMEM;
	if (r >= 0)
		r = udev_enumerate_scan_devices(e);
	if (r >= 0) {
		udev_list_entry_foreach(it, udev_enumerate_get_list_entry(e)) {
			const char *path = udev_list_entry_get_name(it);
			const char *base = strrchr(path, '/');
			char *s = strdup(base ? base + 1 : path);

			if (!s || PUSH(v, n, s) < 0) {
				free(s);
				r = -ENOMEM;
				break;
			}
		}
	}
	udev_enumerate_unref(e);
	udev_unref(udev);
	if (r < 0) {
		iofd_strv_free(v, n);
		return r;
	}
	*ret = v;
	*n_ret = n;
	return 0;
}

/* Entries of SYSFS/@dir, or of the udev @subsystem on the real /sys. A
 * missing directory is an empty list. */
static int list_names(struct iofd_ctx *ctx, const char *dir, const char *subsystem,
		      char ***ret, size_t *n)
{
	char path[PATH_MAX];
	int r;

	if (!strcmp(ctx->sysfs_root, "/sys"))
		return udev_names(subsystem, ret, n);
	r = iofd_path_fmt(path, sizeof(path), "%s/%s", ctx->sysfs_root, dir);
	if (r < 0)
		return r;
	r = iofd_sysfs_list(path, ret, n);
	if (r == -ENOENT) {
		*ret = NULL;
		*n = 0;
		return 0;
	}
	if (r < 0)
		iofd_dbg(ctx, "%s: cannot list: %s", path, strerror(-r));
	return r;
}

static int cmp_pci_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- IOMMU instances ---- */

static void iommu_free(struct iofd_iommu *iommu)
{
	if (!iommu)
		return;
	free(iommu->name);
	free(iommu->syspath);
	free(iommu);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static void iommu_read_regs(struct iofd_ctx *ctx, struct iofd_iommu *iommu,
			    const char *dir)
{
	char path[PATH_MAX], buf[128];

	if (!iofd_path_fmt(path, sizeof(path), "%s/intel-iommu", dir) &&
	    iofd_sysfs_exists(path)) {
		iommu->type = IOFD_IOMMU_INTEL_VTD;
		iommu->has_vtd_regs =
			!iofd_path_fmt(path, sizeof(path), "%s/intel-iommu/cap", dir) &&
			!iofd_sysfs_read_u64(path, 16, UINT64_MAX, &iommu->cap) &&
			!iofd_path_fmt(path, sizeof(path), "%s/intel-iommu/ecap", dir) &&
			!iofd_sysfs_read_u64(path, 16, UINT64_MAX, &iommu->ecap);
		if (!iommu->has_vtd_regs)
			iofd_dbg(ctx, "%s: unreadable intel-iommu/cap or ecap", iommu->name);
	} else if (!iofd_path_fmt(path, sizeof(path), "%s/amd-iommu", dir) &&
		   iofd_sysfs_exists(path)) {
		iommu->type = IOFD_IOMMU_AMD;
		iommu->has_efr =
			!iofd_path_fmt(path, sizeof(path), "%s/amd-iommu/features", dir) &&
			!iofd_sysfs_read(path, buf, sizeof(buf)) &&
			!iofd_amd_parse_features(buf, &iommu->efr, &iommu->efr2);
		if (!iommu->has_efr)
			iofd_dbg(ctx, "%s: unreadable amd-iommu/features", iommu->name);
	} else if (has_prefix(iommu->name, "smmu3.")) {
		iommu->type = IOFD_IOMMU_ARM_SMMUV3;
	} else if (has_prefix(iommu->name, "iommufd_selftest_iommu")) {
		iommu->type = IOFD_IOMMU_SELFTEST;
	} else {
		iommu->type = IOFD_IOMMU_UNKNOWN;
	}
}

static int scan_iommus(struct iofd_ctx *ctx, struct iofd_host *host)
{
	char **names, path[PATH_MAX];
	size_t n;
	int r = list_names(ctx, "class/iommu", "iommu", &names, &n);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct iofd_iommu *iommu;

		r = iofd_path_fmt(path, sizeof(path), "%s/class/iommu/%s",
				  ctx->sysfs_root, names[i]);
		if (r < 0)
			break;
		iommu = calloc(1, sizeof(*iommu));
		if (!iommu) {
			r = -ENOMEM;
			break;
		}
		iommu->name = strdup(names[i]);
		iommu->syspath = realpath(path, NULL);
		if (!iommu->syspath && errno != ENOMEM) {
			iofd_dbg(ctx, "%s: vanished during the scan", path);
			iommu_free(iommu);
			continue;
		}
		if (!iommu->name || !iommu->syspath || PUSH(host->iommus, host->n_iommus, iommu) < 0) {
			iommu_free(iommu);
			r = -ENOMEM;
			break;
		}
		iommu_read_regs(ctx, iommu, iommu->syspath);
		iofd_dbg(ctx, "iommu %s: %s", iommu->name, iofd_iommu_type_name(iommu->type));
	}
	iofd_strv_free(names, n);
	return r < 0 ? r : 0;
}

static struct iofd_iommu *find_iommu(struct iofd_host *host, const char *name)
{
	for (size_t i = 0; i < host->n_iommus; i++)
		if (!strcmp(host->iommus[i]->name, name))
			return host->iommus[i];
	return NULL;
}

/* ---- devices ---- */

static void hostdev_free(struct iofd_hostdev *dev)
{
	if (!dev)
		return;
	free(dev->name);
	free(dev->syspath);
	free(dev->driver);
	free(dev->cdev);
	free(dev);
}

/* A device at canonical @syspath (taken over, freed on failure). */
static struct iofd_hostdev *hostdev_new(struct iofd_host *host, const char *name,
					char *syspath, bool is_pci)
{
	struct iofd_hostdev *dev = calloc(1, sizeof(*dev));

	if (!dev) {
		free(syspath);
		return NULL;
	}
	dev->syspath = syspath;
	dev->is_pci = is_pci;
	dev->name = strdup(name);
	if (!dev->name || PUSH(host->devs, host->n_devs, dev) < 0) {
		hostdev_free(dev);
		return NULL;
	}
	return dev;
}

static int dup_link_name(const char *dir, const char *link, char **ret)
{
	char path[PATH_MAX], name[NAME_MAX_LEN];
	int r = iofd_path_fmt(path, sizeof(path), "%s/%s", dir, link);

	if (r >= 0)
		r = iofd_sysfs_link_name(path, name, sizeof(name));
	if (r < 0)
		return r;
	*ret = strdup(name);
	return *ret ? 0 : -ENOMEM;
}

/* Driver, IOMMU and VFIO cdev: what every device has, PCI or not. */
static int hostdev_read_common(struct iofd_ctx *ctx, struct iofd_host *host,
			       struct iofd_hostdev *dev)
{
	char path[PATH_MAX], *iommu = NULL, **cdevs = NULL;
	size_t n = 0;
	int r;

	r = dup_link_name(dev->syspath, "driver", &dev->driver);
	if (r == -ENOMEM)
		return r;
	r = dup_link_name(dev->syspath, "iommu", &iommu);
	if (r == -ENOMEM)
		return r;
	if (iommu) {
		dev->iommu = find_iommu(host, iommu);
		if (!dev->iommu)
			iofd_dbg(ctx, "%s: its iommu %s is not in class/iommu", dev->name, iommu);
		free(iommu);
	}
	r = iofd_path_fmt(path, sizeof(path), "%s/vfio-dev", dev->syspath);
	if (r >= 0)
		r = iofd_sysfs_list(path, &cdevs, &n);
	if (r == -ENOMEM)
		return r;
	if (r >= 0 && n > 0) {
		r = iofd_path_fmt(path, sizeof(path), "%s/vfio/devices/%s", ctx->dev_root,
				  cdevs[0]);
		if (r >= 0) {
			dev->cdev = strdup(path);
			r = dev->cdev ? 0 : -ENOMEM;
		}
	}
	iofd_strv_free(cdevs, n);
	return r == -ENOMEM ? r : 0;
}

static void pci_read_ids(struct iofd_ctx *ctx, struct iofd_hostdev *dev)
{
	static const struct { const char *attr; uint64_t max; } ids[] = {
		{ "vendor", 0xffff }, { "device", 0xffff }, { "class", 0xffffff },
	};
	char path[PATH_MAX];
	uint64_t v[3] = { 0 };

	for (size_t i = 0; i < 3; i++) {
		int r = iofd_path_fmt(path, sizeof(path), "%s/%s", dev->syspath, ids[i].attr);

		if (r >= 0)
			r = iofd_sysfs_read_u64(path, 16, ids[i].max, &v[i]);
		if (r < 0)
			iofd_dbg(ctx, "%s: %s: %s", dev->name, ids[i].attr, strerror(-r));
	}
	dev->vendor = (uint16_t)v[0];
	dev->device = (uint16_t)v[1];
	dev->class_code = (uint32_t)v[2];
}

static int scan_pci(struct iofd_ctx *ctx, struct iofd_host *host)
{
	char **names, path[PATH_MAX];
	size_t n;
	int r = list_names(ctx, "bus/pci/devices", "pci", &names, &n);

	if (r < 0)
		return r;
	if (n)
		qsort(names, n, sizeof(*names), cmp_pci_name);
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct iofd_hostdev *dev;
		char *syspath;

		r = iofd_path_fmt(path, sizeof(path), "%s/bus/pci/devices/%s",
				  ctx->sysfs_root, names[i]);
		if (r < 0)
			break;
		syspath = realpath(path, NULL);
		if (!syspath) {
			if (errno == ENOMEM) {
				r = -ENOMEM;
				break;
			}
			iofd_dbg(ctx, "%s: vanished during the scan", path);
			continue;
		}
		dev = hostdev_new(host, names[i], syspath, true);
		if (!dev) {
			r = -ENOMEM;
			break;
		}
		pci_read_ids(ctx, dev);
		r = hostdev_read_common(ctx, host, dev);
	}
	host->n_pci = host->n_devs;
	iofd_strv_free(names, n);
	return r < 0 ? r : 0;
}

/* ---- groups ---- */

static void group_free(struct iofd_group *g)
{
	if (!g)
		return;
	free(g->type);
	free(g->path);
	free(g->devs);
	free(g->blockers);
	free(g);
}

static struct iofd_group *find_group(struct iofd_host *host, int id)
{
	for (size_t i = 0; i < host->n_groups; i++)
		if (host->groups[i]->id == id)
			return host->groups[i];
	return NULL;
}

static int group_get(struct iofd_ctx *ctx, struct iofd_host *host, int id,
		     struct iofd_group **ret)
{
	char path[PATH_MAX], buf[64];
	struct iofd_group *g = find_group(host, id);

	if (g) {
		*ret = g;
		return 0;
	}
	g = calloc(1, sizeof(*g));
	if (!g || PUSH(host->groups, host->n_groups, g) < 0) {
		free(g);
		return -ENOMEM;
	}
	g->id = id;
	if (!iofd_path_fmt(path, sizeof(path), "%s/kernel/iommu_groups/%d/type",
			   ctx->sysfs_root, id) &&
	    !iofd_sysfs_read(path, buf, sizeof(buf)) && buf[0]) {
		g->type = strdup(buf);
		if (!g->type)
			return -ENOMEM;
	}
	if (!iofd_path_fmt(path, sizeof(path), "%s/vfio/%d", ctx->dev_root, id) &&
	    iofd_sysfs_exists(path)) {
		g->path = strdup(path);
		if (!g->path)
			return -ENOMEM;
	}
	*ret = g;
	return 0;
}

static bool group_has(const struct iofd_group *g, const struct iofd_hostdev *dev)
{
	for (size_t i = 0; i < g->n_devs; i++)
		if (g->devs[i] == dev)
			return true;
	return false;
}

static struct iofd_hostdev *find_syspath(struct iofd_host *host, const char *syspath)
{
	for (size_t i = 0; i < host->n_devs; i++)
		if (!strcmp(host->devs[i]->syspath, syspath))
			return host->devs[i];
	return NULL;
}

/* Put each PCI device in the group its iommu_group link names. */
static int groups_from_pci(struct iofd_ctx *ctx, struct iofd_host *host)
{
	for (size_t i = 0; i < host->n_pci; i++) {
		struct iofd_hostdev *dev = host->devs[i];
		char path[PATH_MAX], name[NAME_MAX_LEN];
		struct iofd_group *g;
		uint64_t id;
		int r = iofd_path_fmt(path, sizeof(path), "%s/iommu_group", dev->syspath);

		if (r >= 0)
			r = iofd_sysfs_link_name(path, name, sizeof(name));
		if (r < 0)
			continue;	/* no group: no IOMMU for it */
		r = iofd_parse_u64(name, 10, INT_MAX, &id);
		if (r < 0) {
			iofd_dbg(ctx, "%s: odd iommu_group %s", dev->name, name);
			continue;
		}
		r = group_get(ctx, host, (int)id, &g);
		if (r < 0 || (r = PUSH(g->devs, g->n_devs, dev)) < 0)
			return r;
		dev->group = g;
	}
	return 0;
}

/* Is the device directory @syspath on the PCI bus (its subsystem link)? */
static bool is_pci_dir(const char *syspath)
{
	char path[PATH_MAX], name[NAME_MAX_LEN];

	return iofd_path_fmt(path, sizeof(path), "%s/subsystem", syspath) >= 0 &&
	       iofd_sysfs_link_name(path, name, sizeof(name)) >= 0 && !strcmp(name, "pci");
}

/* Add the members the group's devices/ directory lists that no PCI device
 * brought in: non-PCI devices sharing a PCI device's group. */
static int group_add_others(struct iofd_ctx *ctx, struct iofd_host *host,
			    struct iofd_group *g)
{
	char path[PATH_MAX], **names = NULL;
	size_t n = 0;
	int r = iofd_path_fmt(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices",
			      ctx->sysfs_root, g->id);

	if (r >= 0)
		r = iofd_sysfs_list(path, &names, &n);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	for (size_t i = 0; i < n && r >= 0; i++) {
		struct iofd_hostdev *dev;
		char *syspath;

		r = iofd_path_fmt(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices/%s",
				  ctx->sysfs_root, g->id, names[i]);
		if (r < 0)
			break;
		syspath = realpath(path, NULL);
		if (!syspath) {
			r = errno == ENOMEM ? -ENOMEM : 0;
			continue;
		}
		dev = find_syspath(host, syspath);
		if (dev) {
			free(syspath);
			if (!group_has(g, dev) && !dev->group) {
				r = PUSH(g->devs, g->n_devs, dev);
				dev->group = g;
			}
			continue;
		}
		if (is_pci_dir(syspath)) {
			/* Hot-added after bus/pci/devices was read: not in this
			 * snapshot, rather than in it as a device that is not PCI. */
			iofd_dbg(ctx, "group %d: %s appeared during the scan", g->id, names[i]);
			free(syspath);
			continue;
		}
		dev = hostdev_new(host, names[i], syspath, false);
		if (!dev || PUSH(g->devs, g->n_devs, dev) < 0) {
			r = -ENOMEM;
			break;
		}
		dev->group = g;
		r = hostdev_read_common(ctx, host, dev);
	}
	iofd_strv_free(names, n);
	return r < 0 ? r : 0;
}

static int cmp_dev_name(const void *a, const void *b)
{
	const struct iofd_hostdev *x = *(const struct iofd_hostdev *const *)a;
	const struct iofd_hostdev *y = *(const struct iofd_hostdev *const *)b;

	return strcmp(x->name, y->name);
}

static int cmp_group(const void *a, const void *b)
{
	const struct iofd_group *x = *(const struct iofd_group *const *)a;
	const struct iofd_group *y = *(const struct iofd_group *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

bool iofd_driver_manages_dma(const char *driver)
{
	static const char *const exact[] = {
		"vfio-pci", "vfio-platform", "vfio-amba", "vfio-fsl-mc", "vfio-cdx",
		"pci-stub", "pcieport",
	};
	size_t n;

	if (!driver)
		return true;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (!strcmp(driver, exact[i]))
			return true;
	n = strlen(driver);
	return n >= 8 && (!strcmp(driver + n - 8, "vfio-pci") ||
			  !strcmp(driver + n - 8, "vfio_pci"));
}

static int scan_groups(struct iofd_ctx *ctx, struct iofd_host *host)
{
	int r = groups_from_pci(ctx, host);
	size_t n_groups;

	if (r < 0)
		return r;
	n_groups = host->n_groups;
	for (size_t i = 0; i < n_groups; i++) {
		struct iofd_group *g = host->groups[i];

		r = group_add_others(ctx, host, g);
		if (r < 0)
			return r;
		qsort(g->devs, g->n_devs, sizeof(*g->devs), cmp_dev_name);
		for (size_t j = 0; j < g->n_devs; j++) {
			if (iofd_driver_manages_dma(g->devs[j]->driver))
				continue;
			if (PUSH(g->blockers, g->n_blockers, g->devs[j]) < 0)
				return -ENOMEM;
			iofd_dbg(ctx, "group %d: not viable: %s is bound to %s", g->id,
				 g->devs[j]->name, g->devs[j]->driver);
		}
	}
	if (host->n_groups)
		qsort(host->groups, host->n_groups, sizeof(*host->groups), cmp_group);
	return 0;
}

/* ---- the snapshot ---- */

void iofd_host_free(struct iofd_host *host)
{
	if (!host)
		return;
	for (size_t i = 0; i < host->n_devs; i++)
		hostdev_free(host->devs[i]);
	for (size_t i = 0; i < host->n_groups; i++)
		group_free(host->groups[i]);
	for (size_t i = 0; i < host->n_iommus; i++)
		iommu_free(host->iommus[i]);
	free(host->devs);
	free(host->groups);
	free(host->iommus);
	free(host);
}

int iofd_host_scan(struct iofd_host **ret, struct iofd_ctx *ctx)
{
	struct iofd_host *host;
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	host = calloc(1, sizeof(*host));
	if (!host)
		return -ENOMEM;
	r = scan_iommus(ctx, host);
	if (r >= 0)
		r = scan_pci(ctx, host);
	if (r >= 0)
		r = scan_groups(ctx, host);
	if (r >= 0)
		r = iofd_host_probe_backends(ctx, host);
	if (r < 0) {
		iofd_dbg(ctx, "host scan of %s failed: %s", ctx->sysfs_root, strerror(-r));
		iofd_host_free(host);
		return r;
	}
	iofd_dbg(ctx, "host: %zu IOMMUs, %zu groups, %zu devices (%zu PCI)",
		 host->n_iommus, host->n_groups, host->n_devs, host->n_pci);
	*ret = host;
	return 0;
}

/* ---- lookups ---- */

static int parse_hex_field(const char *s, size_t len, uint64_t max, uint64_t *ret)
{
	char buf[16];

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return iofd_parse_u64(buf, 16, max, ret) < 0 ? -EINVAL : 0;
}

int iofd_pci_addr_canon(const char *s, char *buf, size_t len)
{
	const char *bus = s, *colon, *dot;
	uint64_t dom = 0, b, d, f;
	size_t n = strlen(s);

	colon = strchr(s, ':');
	if (!colon)
		return -EINVAL;
	if (strchr(colon + 1, ':')) {	/* "DDDD:BB:DD.F": domain of 4 to 8 digits */
		if (colon - s < 4 || parse_hex_field(s, (size_t)(colon - s), UINT32_MAX, &dom))
			return -EINVAL;
		bus = colon + 1;
	}
	/* "BB:DD.F" exactly */
	if (strlen(bus) != 7 || bus[2] != ':' || bus[5] != '.' || n > 16)
		return -EINVAL;
	dot = bus + 5;
	if (parse_hex_field(bus, 2, 0xff, &b) || parse_hex_field(bus + 3, 2, 0x1f, &d) ||
	    parse_hex_field(dot + 1, 1, 7, &f))
		return -EINVAL;
	return iofd_path_fmt(buf, len, "%04x:%02x:%02x.%x", (unsigned)dom, (unsigned)b,
			     (unsigned)d, (unsigned)f) < 0 ? -EINVAL : 0;
}

int iofd_host_find_dev(const struct iofd_host *host, const char *name,
		       const struct iofd_hostdev **ret)
{
	char canon[32], *real;
	int r;

	if (!host || !name || !ret)
		return -EINVAL;
	if (name[0] == '/' || name[0] == '.') {
		real = realpath(name, NULL);
		if (!real)
			return errno == ENOMEM ? -ENOMEM : -ENOENT;
		for (size_t i = 0; i < host->n_pci; i++) {
			if (!strcmp(host->devs[i]->syspath, real)) {
				free(real);
				*ret = host->devs[i];
				return 0;
			}
		}
		/* A PCI device that came after the scan is as absent as its
		 * address would be; anything else is not a PCI device. */
		r = is_pci_dir(real) ? -ENOENT : -ENODEV;
		free(real);
		return r;
	}
	if (iofd_pci_addr_canon(name, canon, sizeof(canon)) < 0)
		return -EINVAL;
	for (size_t i = 0; i < host->n_pci; i++) {
		if (!strcmp(host->devs[i]->name, canon)) {
			*ret = host->devs[i];
			return 0;
		}
	}
	return -ENOENT;
}

size_t iofd_host_iommu_count(const struct iofd_host *host)
{
	return host ? host->n_iommus : 0;
}

const struct iofd_iommu *iofd_host_iommu(const struct iofd_host *host, size_t idx)
{
	return host && idx < host->n_iommus ? host->iommus[idx] : NULL;
}

size_t iofd_host_group_count(const struct iofd_host *host)
{
	return host ? host->n_groups : 0;
}

const struct iofd_group *iofd_host_group(const struct iofd_host *host, size_t idx)
{
	return host && idx < host->n_groups ? host->groups[idx] : NULL;
}

size_t iofd_host_dev_count(const struct iofd_host *host)
{
	return host ? host->n_devs : 0;
}

const struct iofd_hostdev *iofd_host_dev(const struct iofd_host *host, size_t idx)
{
	return host && idx < host->n_devs ? host->devs[idx] : NULL;
}

/* ---- IOMMU getters ---- */

const char *iofd_iommu_type_name(enum iofd_iommu_type type)
{
	switch (type) {
	case IOFD_IOMMU_UNKNOWN: return "unknown";
	case IOFD_IOMMU_INTEL_VTD: return "intel-vtd";
	case IOFD_IOMMU_ARM_SMMUV3: return "arm-smmuv3";
	case IOFD_IOMMU_AMD: return "amd";
	case IOFD_IOMMU_SELFTEST: return "selftest";
	}
	return NULL;
}

const char *iofd_iommu_name(const struct iofd_iommu *iommu)
{
	return iommu ? iommu->name : NULL;
}

enum iofd_iommu_type iofd_iommu_type(const struct iofd_iommu *iommu)
{
	return iommu ? iommu->type : IOFD_IOMMU_UNKNOWN;
}

int iofd_iommu_enforces_coherency(const struct iofd_iommu *iommu)
{
	if (!iommu)
		return -EINVAL;
	switch (iommu->type) {
	case IOFD_IOMMU_INTEL_VTD:
		return iommu->has_vtd_regs ? iofd_vtd_enforces_coherency(iommu->ecap) : -ENODATA;
	case IOFD_IOMMU_AMD:
		return 1;	/* amd_iommu_capable(ENFORCE_CACHE_COHERENCY) is always true */
	case IOFD_IOMMU_SELFTEST:
		return 0;	/* the mock never enforces */
	default:
		return -ENODATA;
	}
}

int iofd_iommu_dirty_tracking(const struct iofd_iommu *iommu)
{
	if (!iommu)
		return -EINVAL;
	if (iommu->type == IOFD_IOMMU_INTEL_VTD && iommu->has_vtd_regs)
		return iofd_vtd_dirty_tracking(iommu->ecap);
	if (iommu->type == IOFD_IOMMU_AMD && iommu->has_efr)
		return iofd_amd_dirty_tracking(iommu->efr);
	return -ENODATA;
}

int iofd_iommu_addr_width(const struct iofd_iommu *iommu)
{
	if (!iommu)
		return -EINVAL;
	if (iommu->type == IOFD_IOMMU_INTEL_VTD && iommu->has_vtd_regs)
		return iofd_vtd_addr_width(iommu->cap);
	if (iommu->type == IOFD_IOMMU_AMD)
		return 64;	/* v1 page table domains: aperture up to ~0ULL */
	return -ENODATA;
}

int iofd_iommu_vtd_regs(const struct iofd_iommu *iommu, uint64_t *cap, uint64_t *ecap)
{
	if (!iommu)
		return -EINVAL;
	if (iommu->type != IOFD_IOMMU_INTEL_VTD || !iommu->has_vtd_regs)
		return -ENODATA;
	if (cap)
		*cap = iommu->cap;
	if (ecap)
		*ecap = iommu->ecap;
	return 0;
}

uint64_t iofd_iommu_pgsizes(const struct iofd_iommu *iommu)
{
	if (iommu && iommu->type == IOFD_IOMMU_INTEL_VTD && iommu->has_vtd_regs)
		return iofd_vtd_pgsizes(iommu->cap);
	return 0;
}

/* ---- group getters ---- */

int iofd_group_id(const struct iofd_group *group)
{
	return group ? group->id : -EINVAL;
}

const char *iofd_group_type(const struct iofd_group *group)
{
	return group ? group->type : NULL;
}

int iofd_group_viable(const struct iofd_group *group)
{
	return group ? group->n_blockers == 0 : -EINVAL;
}

size_t iofd_group_dev_count(const struct iofd_group *group)
{
	return group ? group->n_devs : 0;
}

const struct iofd_hostdev *iofd_group_dev(const struct iofd_group *group, size_t idx)
{
	return group && idx < group->n_devs ? group->devs[idx] : NULL;
}

const char *iofd_group_path(const struct iofd_group *group)
{
	return group ? group->path : NULL;
}

size_t iofd_group_blocker_count(const struct iofd_group *group)
{
	return group ? group->n_blockers : 0;
}

const struct iofd_hostdev *iofd_group_blocker(const struct iofd_group *group, size_t idx)
{
	return group && idx < group->n_blockers ? group->blockers[idx] : NULL;
}

/* ---- device getters ---- */

const char *iofd_hostdev_name(const struct iofd_hostdev *dev)
{
	return dev ? dev->name : NULL;
}

int iofd_hostdev_is_pci(const struct iofd_hostdev *dev)
{
	return dev ? dev->is_pci : -EINVAL;
}

const char *iofd_hostdev_syspath(const struct iofd_hostdev *dev)
{
	return dev ? dev->syspath : NULL;
}

int iofd_hostdev_pci_ids(const struct iofd_hostdev *dev, uint16_t *vendor,
			 uint16_t *device, uint32_t *class_code)
{
	if (!dev)
		return -EINVAL;
	if (!dev->is_pci)
		return -ENODATA;
	if (vendor)
		*vendor = dev->vendor;
	if (device)
		*device = dev->device;
	if (class_code)
		*class_code = dev->class_code;
	return 0;
}

const char *iofd_hostdev_driver(const struct iofd_hostdev *dev)
{
	return dev ? dev->driver : NULL;
}

const struct iofd_group *iofd_hostdev_group(const struct iofd_hostdev *dev)
{
	return dev ? dev->group : NULL;
}

const struct iofd_iommu *iofd_hostdev_iommu(const struct iofd_hostdev *dev)
{
	return dev ? dev->iommu : NULL;
}

const char *iofd_hostdev_cdev(const struct iofd_hostdev *dev)
{
	return dev ? dev->cdev : NULL;
}
