// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The PCI bus's driver core, as its sysfs files drive it (Linux 6.12,
 * drivers/base/bus.c and dd.c): a device's driver_override, a driver's
 * bind and unbind, the bus's drivers_probe; what a host driver shows of
 * the device it drives (an NVMe namespace, a network interface) and how the
 * host uses it (mounted, swap, held, up), with /proc/self/mountinfo and
 * /proc/swaps to show the uses. Opened through the simulator's open op;
 * every function runs with sim->lock held.
 *
 * The model: a device has at most one driver. drivers_probe on a device
 * without one binds the first driver that matches: its driver_override
 * when set (and nothing else then), else its host driver (by ids). vfio-pci
 * refuses (probe EINVAL) a device without an IOMMU group or one that is a
 * bridge; a probe that fails leaves the device unbound and drivers_probe
 * still succeeds. Binding vfio-pci makes the VFIO device (its cdev, and its
 * group's node with the group's first VFIO device); unbinding takes them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kversion.h"
#include "topology.h"

#define SYSFS_PAGE 4096
#define NVME_BLOCK_MAJOR 259	/* blkext: NVMe namespaces */

static bool is_nvme(const struct sim_dev *d)
{
	return (d->class_code >> 8) == 0x0108;
}

static bool is_ether(const struct sim_dev *d)
{
	return (d->class_code >> 8) == 0x0200;
}

static bool on_host_driver(const struct sim_dev *d)
{
	return d->host_driver[0] && !strcmp(d->driver, d->host_driver);
}

/* A PCI device by the name written to a bus file (one trailing newline
 * ignored, as sysfs_streq() does). */
static struct sim_dev *find_written(struct iofd_sim *sim, const char *buf)
{
	char name[64];
	size_t n = strlen(buf);

	if (n && buf[n - 1] == '\n')
		n--;
	if (n >= sizeof(name))
		return NULL;
	memcpy(name, buf, n);
	name[n] = '\0';
	for (struct sim_dev *d = sim->topo->devs; d; d = d->next)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

/* ------------------------------------------------------------------------
 * What a host driver shows
 */

static int lowest_host_index(struct iofd_sim *sim, const struct sim_dev *dev)
{
	int k = 0;

	for (const struct sim_dev *d = sim->topo->devs; d;) {
		if (d != dev && d->host_index == k && is_nvme(d) == is_nvme(dev)) {
			k++;
			d = sim->topo->devs;
		} else {
			d = d->next;
		}
	}
	return k;
}

static int write_uses(struct iofd_sim *sim, const struct sim_dev *d)
{
	struct sim_sysfs *fs = &sim->topo->fs;
	char dir[PATH_MAX], rel[PATH_MAX + 64];
	int k = d->host_index;

	SIM_TRY(sim_sysfs_device_rel(fs, d->name, dir, sizeof(dir)));
	if (is_nvme(d)) {
		snprintf(rel, sizeof(rel), "%s/nvme/nvme%d/nvme%dn1/holders", dir, k, k);
		SIM_TRY(sim_sysfs_remove(fs, rel));
		SIM_TRY(sim_sysfs_mkdir(fs, rel));
		if (d->uses & IOFD_SIM_USE_HELD) {
			strcat(rel, "/dm-0");
			SIM_TRY(sim_sysfs_link(fs, rel, "sys/devices/virtual/block/dm-0"));
		}
		return 0;
	}
	snprintf(rel, sizeof(rel), "%s/net/eth%d/flags", dir, k);
	SIM_TRY(sim_sysfs_write(fs, rel, "0x%x\n", d->uses & IOFD_SIM_USE_UP ? 0x1003 : 0x1002));
	snprintf(rel, sizeof(rel), "%s/net/eth%d/operstate", dir, k);
	return sim_sysfs_write(fs, rel, "%s\n", d->uses & IOFD_SIM_USE_UP ? "up" : "down");
}

int sim_view_host_children(struct iofd_sim *sim, struct sim_dev *d)
{
	struct sim_sysfs *fs = &sim->topo->fs;
	char dir[PATH_MAX], rel[PATH_MAX + 64], link[128];
	int k;

	if (!is_nvme(d) && !is_ether(d))
		return 0;
	if (d->host_index < 0)
		d->host_index = lowest_host_index(sim, d);
	k = d->host_index;
	SIM_TRY(sim_sysfs_device_rel(fs, d->name, dir, sizeof(dir)));
	if (is_nvme(d)) {
		snprintf(rel, sizeof(rel), "%s/nvme/nvme%d/nvme%dn1/dev", dir, k, k);
		SIM_TRY(sim_sysfs_write(fs, rel, "%d:%d\n", NVME_BLOCK_MAJOR, k));
		snprintf(rel, sizeof(rel), "%s/nvme/nvme%d/nvme%dn1", dir, k, k);
		snprintf(link, sizeof(link), "sys/class/block/nvme%dn1", k);
		SIM_TRY(sim_sysfs_link(fs, link, rel));
		snprintf(link, sizeof(link), "dev/nvme%dn1", k);
		SIM_TRY(sim_sysfs_write(fs, link, "%s", ""));
	} else {
		snprintf(rel, sizeof(rel), "%s/net/eth%d", dir, k);
		snprintf(link, sizeof(link), "sys/class/net/eth%d", k);
		SIM_TRY(sim_sysfs_mkdir(fs, rel));
		SIM_TRY(sim_sysfs_link(fs, link, rel));
	}
	return write_uses(sim, d);
}

static int remove_host_children(struct iofd_sim *sim, struct sim_dev *d)
{
	struct sim_sysfs *fs = &sim->topo->fs;
	char dir[PATH_MAX], rel[PATH_MAX + 64];
	int k = d->host_index;

	if (k < 0)
		return 0;
	SIM_TRY(sim_sysfs_device_rel(fs, d->name, dir, sizeof(dir)));
	if (is_nvme(d)) {
		snprintf(rel, sizeof(rel), "sys/class/block/nvme%dn1", k);
		SIM_TRY(sim_sysfs_remove(fs, rel));
		snprintf(rel, sizeof(rel), "dev/nvme%dn1", k);
		SIM_TRY(sim_sysfs_remove(fs, rel));
		snprintf(rel, sizeof(rel), "%s/nvme", dir);
	} else {
		snprintf(rel, sizeof(rel), "sys/class/net/eth%d", k);
		SIM_TRY(sim_sysfs_remove(fs, rel));
		snprintf(rel, sizeof(rel), "%s/net", dir);
	}
	SIM_TRY(sim_sysfs_remove(fs, rel));
	d->host_index = -1;
	d->uses = 0;
	return 0;
}

/* ------------------------------------------------------------------------
 * Drivers coming and going
 */

static bool group_has_vfio(struct iofd_sim *sim, const struct sim_group *g,
			   const struct sim_dev *except)
{
	for (const struct sim_dev *d = sim->topo->devs; d; d = d->next)
		if (d != except && d->group == g && d->vfio)
			return true;
	return false;
}

static int vfio_remove(struct iofd_sim *sim, struct sim_dev *d)
{
	struct sim_sysfs *fs = &sim->topo->fs;
	char dir[PATH_MAX], rel[PATH_MAX + 64];

	if (d->cdev >= 0) {
		SIM_TRY(sim_sysfs_device_rel(fs, d->name, dir, sizeof(dir)));
		snprintf(rel, sizeof(rel), "%s/vfio-dev", dir);
		SIM_TRY(sim_sysfs_remove(fs, rel));
		snprintf(rel, sizeof(rel), "sys/class/vfio-dev/vfio%d", d->cdev);
		SIM_TRY(sim_sysfs_remove(fs, rel));
		snprintf(rel, sizeof(rel), "dev/vfio/devices/vfio%d", d->cdev);
		SIM_TRY(sim_sysfs_remove(fs, rel));
	}
	if (d->group && !group_has_vfio(sim, d->group, d)) {
		snprintf(rel, sizeof(rel), "sys/devices/virtual/vfio/%d", d->group->id);
		SIM_TRY(sim_sysfs_remove(fs, rel));
		snprintf(rel, sizeof(rel), "sys/class/vfio/%d", d->group->id);
		SIM_TRY(sim_sysfs_remove(fs, rel));
		snprintf(rel, sizeof(rel), "dev/vfio/%d", d->group->id);
		SIM_TRY(sim_sysfs_remove(fs, rel));
	}
	d->vfio = false;
	d->cdev = -1;
	return 0;
}

static int vfio_add(struct iofd_sim *sim, struct sim_dev *d)
{
	struct sim_sysfs *fs = &sim->topo->fs;
	bool first = !group_has_vfio(sim, d->group, d);

	d->vfio = true;
	if (!(d->flags & IOFD_SIM_PCI_NO_CDEV)) {
		d->cdev = sim_topo_free_cdev(sim);
		if (sim_kernel_has(sim, SIM_KF_VFIO_CDEV))
			SIM_TRY(sim_sysfs_vfio_cdev(fs, d->name, d->cdev));
	}
	return first ? sim_sysfs_vfio_group(fs, d->group->id) : 0;
}

int sim_pci_set_driver(struct iofd_sim *sim, struct sim_dev *d, const char *driver)
{
	struct sim_sysfs *fs = &sim->topo->fs;

	SIM_TRY(sim_view_ready(sim));
	if (d->driver[0]) {
		if (d->vfio)
			SIM_TRY(vfio_remove(sim, d));
		if (on_host_driver(d))
			SIM_TRY(remove_host_children(sim, d));
		SIM_TRY(sim_sysfs_unbind(fs, "pci", d->name, d->driver));
		d->driver[0] = '\0';
	}
	if (!*driver)
		return 0;
	SIM_TRY(sim_sysfs_bind(fs, "pci", d->name, driver));
	snprintf(d->driver, sizeof(d->driver), "%s", driver);
	if (sim_vfio_driver(driver))
		return vfio_add(sim, d);
	return on_host_driver(d) ? sim_view_host_children(sim, d) : 0;
}

/* Does @driver want @d: its override, else its ids (the host driver). */
static bool driver_matches(const struct sim_dev *d, const char *driver)
{
	return d->override[0] ? !strcmp(d->override, driver) : !strcmp(d->host_driver, driver);
}

/* The driver's probe: vfio-pci wants an IOMMU group and a normal header. */
static int driver_probe(struct iofd_sim *sim, struct sim_dev *d, const char *driver)
{
	if (sim_vfio_driver(driver) && (!d->group || (d->class_code >> 8) == 0x0604))
		return -EINVAL;
	return sim_pci_set_driver(sim, d, driver);
}

/* The kernel waits for VFIO's users to let go before unbinding vfio-pci;
 * the simulator says EBUSY instead of waiting forever in one thread. */
static bool vfio_busy(const struct sim_dev *d)
{
	return d->vfio && (d->open_count || d->idev || (d->group && d->group->vfio_file));
}

/* ------------------------------------------------------------------------
 * The files
 */

enum attr_kind { ATTR_OVERRIDE, ATTR_BIND, ATTR_UNBIND, ATTR_PROBE };

struct attr_file {
	enum attr_kind kind;
	char dev[64];		/* ATTR_OVERRIDE */
	char driver[64];	/* ATTR_BIND, ATTR_UNBIND */
};

static ssize_t attr_write(struct sim_file *f, uint64_t ubuf, size_t len)
{
	struct iofd_sim *sim = f->sim;
	struct attr_file *a = f->priv;
	char buf[SYSFS_PAGE], rel[PATH_MAX];
	struct sim_dev *d;
	size_t n = len < SYSFS_PAGE - 1 ? len : SYSFS_PAGE - 1;
	int r;

	if (sim_copy_from_user(sim, buf, ubuf, n) < 0)
		return -EFAULT;
	buf[n] = '\0';
	switch (a->kind) {
	case ATTR_OVERRIDE: {
		char *nl;

		d = find_written(sim, a->dev);
		if (!d)
			return -ENODEV;
		if (len >= SYSFS_PAGE - 1)
			return -EINVAL;
		nl = strchr(buf, '\n');
		if (nl)
			*nl = '\0';
		if (strlen(buf) >= sizeof(d->override))
			return -ENOMEM;
		SIM_TRY(sim_view_ready(sim));
		SIM_TRY(sim_sysfs_device_rel(&sim->topo->fs, d->name, rel, sizeof(rel) - 32));
		snprintf(d->override, sizeof(d->override), "%s", buf);
		strcat(rel, "/driver_override");
		r = sim_sysfs_write(&sim->topo->fs, rel, "%s\n",
				    d->override[0] ? d->override : "(null)");
		return r < 0 ? r : (ssize_t)len;
	}
	case ATTR_UNBIND:
		d = find_written(sim, buf);
		if (!d || strcmp(d->driver, a->driver))
			return -ENODEV;
		if (vfio_busy(d))
			return -EBUSY;
		r = sim_pci_set_driver(sim, d, "");
		return r < 0 ? r : (ssize_t)len;
	case ATTR_BIND:
		d = find_written(sim, buf);
		if (!d || !driver_matches(d, a->driver))
			return -ENODEV;
		if (d->driver[0])
			return -EBUSY;
		r = driver_probe(sim, d, a->driver);
		return r < 0 ? r : (ssize_t)len;
	case ATTR_PROBE:
		d = find_written(sim, buf);
		if (!d)
			return -ENODEV;
		if (!d->driver[0]) {
			const char *want = d->override[0] ? d->override : d->host_driver;

			/* a probe that fails leaves it unbound; the write succeeds */
			if (sim_driver_loaded(sim, want) && driver_probe(sim, d, want) < 0 &&
			    d->driver[0])
				return -EIO;
		}
		return (ssize_t)len;
	}
	return -EINVAL;
}

static void attr_release(struct sim_file *f)
{
	free(f->priv);
}

static const struct sim_file_ops attr_ops = {
	.name = "sysfs",
	.mode = 0100644,	/* S_IFREG */
	.write = attr_write,
	.release = attr_release,
};

/* "devices/.../BDF/<leaf>" or "bus/pci/devices/BDF/<leaf>": the device. */
static struct sim_dev *dev_of(struct iofd_sim *sim, const char *rel, const char *leaf)
{
	size_t n = strlen(rel), l = strlen(leaf);
	const char *end, *start;
	char name[64];

	if (n <= l + 1 || strcmp(rel + n - l, leaf) || rel[n - l - 1] != '/')
		return NULL;
	end = rel + n - l - 1;
	for (start = end; start > rel && start[-1] != '/'; start--)
		;
	if ((size_t)(end - start) >= sizeof(name))
		return NULL;
	memcpy(name, start, (size_t)(end - start));
	name[end - start] = '\0';
	if (strncmp(rel, "devices/", 8) && strncmp(rel, "bus/pci/devices/", 16))
		return NULL;
	return find_written(sim, name);
}

int sim_sysfs_attr_open(struct iofd_sim *sim, const char *rel, int flags)
{
	static const char drivers[] = "bus/pci/drivers/";
	struct attr_file a = { 0 };
	struct attr_file *p;
	struct sim_dev *d;
	char path[PATH_MAX];
	int acc = flags & O_ACCMODE, fd;

	if (!strcmp(rel, "bus/pci/drivers_probe")) {
		a.kind = ATTR_PROBE;
	} else if (!strncmp(rel, drivers, sizeof(drivers) - 1)) {
		const char *drv = rel + sizeof(drivers) - 1, *slash = strchr(drv, '/');

		if (!slash || (size_t)(slash - drv) >= sizeof(a.driver) ||
		    (strcmp(slash, "/bind") && strcmp(slash, "/unbind")))
			goto other;
		memcpy(a.driver, drv, (size_t)(slash - drv));
		if (!sim_driver_loaded(sim, a.driver))
			return -ENOENT;
		a.kind = strcmp(slash, "/bind") ? ATTR_UNBIND : ATTR_BIND;
	} else if ((d = dev_of(sim, rel, "driver_override"))) {
		a.kind = ATTR_OVERRIDE;
		snprintf(a.dev, sizeof(a.dev), "%s", d->name);
		if (acc == O_RDONLY)
			goto other;
	} else if ((d = dev_of(sim, rel, "driver/unbind")) || (d = dev_of(sim, rel, "driver/bind"))) {
		if (!d->driver[0])
			return -ENOENT;
		a.kind = strstr(rel, "/driver/bind") ? ATTR_BIND : ATTR_UNBIND;
		snprintf(a.driver, sizeof(a.driver), "%s", d->driver);
	} else {
		goto other;
	}
	if (a.kind != ATTR_OVERRIDE && acc != O_WRONLY)
		return -EACCES;	/* write-only (0200): kernfs refuses reading */
	p = sim_zalloc(sim, sizeof(*p));
	if (!p)
		return -ENOMEM;
	*p = a;
	fd = sim_file_install(sim, &attr_ops, p, 0, NULL);
	if (fd < 0)
		free(p);
	return fd;
other:
	/* Files the simulator does not carry out: read them as files. */
	if (snprintf(path, sizeof(path), "%s/%s", sim->topo->fs.sys, rel) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return access(path, F_OK) == 0 ? -EACCES : -ENOENT;
}

/* ------------------------------------------------------------------------
 * /proc/self/mountinfo and /proc/swaps
 */

struct proc_file {
	char *text;
	size_t len, pos;
};

static ssize_t proc_read(struct sim_file *f, uint64_t ubuf, size_t len)
{
	struct proc_file *p = f->priv;
	size_t n = p->len - p->pos < len ? p->len - p->pos : len;

	if (n && sim_copy_to_user(f->sim, ubuf, p->text + p->pos, n) < 0)
		return -EFAULT;
	p->pos += n;
	return (ssize_t)n;
}

static void proc_release(struct sim_file *f)
{
	struct proc_file *p = f->priv;

	free(p->text);
	free(p);
}

static const struct sim_file_ops proc_ops = {
	.name = "proc",
	.mode = 0100444,
	.read = proc_read,
	.release = proc_release,
};

static int proc_text(struct iofd_sim *sim, bool swaps, char **ret, size_t *len)
{
	FILE *m = open_memstream(ret, len);
	unsigned int id = 30;

	if (!m)
		return -ENOMEM;
	if (swaps)
		fprintf(m, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	else
		fprintf(m, "22 1 0:21 / / rw,relatime shared:1 - tmpfs rootfs rw\n");
	for (const struct sim_dev *d = sim->topo->devs; d; d = d->next) {
		if (d->host_index < 0 || !is_nvme(d))
			continue;
		if (swaps && (d->uses & IOFD_SIM_USE_SWAP))
			fprintf(m, "/dev/nvme%dn1\t\t\t\tpartition\t1048572\t\t0\t\t-2\n",
				d->host_index);
		if (!swaps && (d->uses & IOFD_SIM_USE_MOUNTED)) {
			fprintf(m, "%u 22 %d:%d / /mnt/nvme%dn1 rw,relatime shared:%u - ext4 "
				"/dev/nvme%dn1 rw\n", id, NVME_BLOCK_MAJOR, d->host_index,
				d->host_index, id, d->host_index);
			id++;
		}
	}
	return fclose(m) == 0 ? 0 : -ENOMEM;
}

int sim_proc_open(struct iofd_sim *sim, const char *path, int flags)
{
	bool swaps = !strcmp(path, "/proc/swaps");
	struct proc_file *p;
	int fd, r;

	if (!swaps && strcmp(path, "/proc/self/mountinfo"))
		return -ENOENT;
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	p = sim_zalloc(sim, sizeof(*p));
	if (!p)
		return -ENOMEM;
	r = proc_text(sim, swaps, &p->text, &p->len);
	if (r < 0) {
		free(p);
		return r;
	}
	fd = sim_file_install(sim, &proc_ops, p, 0, NULL);
	if (fd < 0) {
		free(p->text);
		free(p);
	}
	return fd;
}

/* ------------------------------------------------------------------------
 * The public call
 */

int iofd_sim_pci_use(struct iofd_sim *sim, const char *bdf, uint32_t uses)
{
	const uint32_t block = IOFD_SIM_USE_MOUNTED | IOFD_SIM_USE_SWAP | IOFD_SIM_USE_HELD;
	struct sim_dev *d;
	int r;

	if (!sim || !bdf || (uses & ~(block | IOFD_SIM_USE_UP)))
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	d = find_written(sim, bdf);
	if (!d)
		r = -ENOENT;
	else if (((uses & block) && !is_nvme(d)) || ((uses & IOFD_SIM_USE_UP) && !is_ether(d)))
		r = -EINVAL;
	else if (!on_host_driver(d))
		r = -ENODEV;
	else
		r = sim_view_ready(sim);
	if (r == 0) {
		uint32_t old = d->uses;

		d->uses = uses;
		if (d->host_index < 0)
			r = sim_view_host_children(sim, d);
		else
			r = write_uses(sim, d);
		if (r < 0)
			d->uses = old;
	}
	pthread_mutex_unlock(&sim->lock);
	return r;
}
