// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A builder of sysfs and /dev trees shaped like Linux 6.12's (sysfs_tree.h):
 * the simulated host's view (sysfs_view.c) and the tests' fake trees
 * (tests/fake_sysfs.c) are made with it.
 *
 * What the builders make, and where the kernel makes the same thing:
 *
 *  PCI device   sys/devices/pciDDDD:BB[/bridge...]/BDF/{vendor,device,class,
 *               subsystem_vendor,subsystem_device,revision,uevent,modalias,
 *               driver_override}, subsystem -> bus/pci, driver ->
 *               bus/pci/drivers/NAME (and back), bus/pci/devices/BDF -> it
 *               (drivers/pci/pci-sysfs.c; values "0x%04x\n", class "0x%06x\n")
 *  platform     sys/devices/platform/NAME, bus/platform/devices/NAME -> it
 *  VT-d unit    sys/devices/virtual/iommu/dmarN/intel-iommu/{version,address,
 *               cap,ecap,domains_supported,domains_used} ("%llx\n", no 0x),
 *               devices/, class/iommu/dmarN -> it (intel/iommu.c, dmar.c:
 *               iommu_device_sysfs_add() with no parent)
 *  AMD unit     sys/devices/.../BDF/iommu/ivhdN/amd-iommu/{cap ("%x\n"),
 *               features ("%llx:%llx\n")}, parent: the IOMMU's own PCI
 *               function (amd/init.c)
 *  translated   DEVICE/iommu -> the unit, UNIT/devices/NAME -> the device
 *               (iommu-sysfs.c: iommu_device_link())
 *  group N      sys/kernel/iommu_groups/N/{type,reserved_regions,devices/NAME
 *               -> device}, DEVICE/iommu_group -> it (iommu.c)
 *  VFIO cdev    DEVICE/vfio-dev/vfioN/{dev,uevent,device,subsystem},
 *               class/vfio-dev/vfioN -> it, dev/vfio/devices/vfioN
 *               (vfio_main.c, device_cdev.c)
 *  VFIO group   sys/devices/virtual/vfio/N, class/vfio/N -> it, dev/vfio/N
 *               (group.c: no parent, devnode "vfio/N")
 *  containers   dev/vfio/vfio (misc "vfio", container.c or iommufd's
 *               compat), dev/iommu (misc "iommu", iommufd/main.c)
 *
 * Every symlink is relative, computed from the two paths as sysfs does
 * ("../../../devices/pci0000:00/0000:00:03.0").
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs_tree.h"

/* ------------------------------------------------------------------------
 * Paths
 */

__attribute__((format(printf, 3, 4)))
static int fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, len, f, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	return (size_t)n >= len ? -ENAMETOOLONG : 0;
}

bool sim_sysfs_name_ok(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

bool sim_sysfs_rel_ok(const char *rel)
{
	const char *p = rel;

	if (!rel || !*rel || *rel == '/')
		return false;
	while (*p) {
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p = *e ? e + 1 : e;
		if (*e && !*p)
			return false;	/* trailing slash */
	}
	return true;
}

static int abs_path(const struct sim_sysfs *fs, const char *rel, char *buf, size_t len)
{
	if (!fs || !sim_sysfs_rel_ok(rel))
		return -EINVAL;
	return fmt(buf, len, "%s/%s", fs->root, rel);
}

/* mkdir -p of the absolute path @path; components that exist may be
 * directories or links to them. */
static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);
	struct stat top;

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	/* Usually the parent is there: one call. Otherwise, component by component. */
	if (mkdir(path, 0755) == 0 ||
	    (errno == EEXIST && stat(path, &top) == 0 && S_ISDIR(top.st_mode)))
		return 0;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		struct stat st;

		*p = '\0';
		if (mkdir(buf, 0755) < 0) {
			if (errno != EEXIST)
				return -errno;
			if (stat(buf, &st) < 0)
				return -errno;
			if (!S_ISDIR(st.st_mode))
				return -ENOTDIR;
		}
		*p = c;
		if (!c)
			return 0;
	}
}

/* Make the directories above the absolute path @path. */
static int mkparents(const char *path)
{
	char buf[PATH_MAX];
	char *slash;
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	slash = strrchr(buf, '/');
	if (!slash || slash == buf)
		return 0;
	*slash = '\0';
	return mkdir_p(buf);
}

static int write_all(const char *path, const char *data, size_t len)
{
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		data += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

/* The link text that leads from the symlink at @link_rel to @target_rel,
 * both relative to the same root: up to the deepest common directory, then
 * down ("../../../devices/pci0000:00/0000:00:03.0"). */
static int relative_target(const char *link_rel, const char *target_rel, char *buf, size_t len)
{
	const char *a = link_rel, *b = target_rel;
	size_t ups = 0, used = 0;

	for (;;) {
		const char *sa = strchr(a, '/'), *sb = strchr(b, '/');

		if (!sa || !sb || sa - a != sb - b || memcmp(a, b, (size_t)(sa - a)))
			break;
		a = sa + 1;
		b = sb + 1;
	}
	for (const char *p = a; *p; p++)
		ups += *p == '/';
	for (size_t i = 0; i < ups; i++) {
		if (used + 3 >= len)
			return -ENAMETOOLONG;
		memcpy(buf + used, "../", 3);
		used += 3;
	}
	if (used + strlen(b) >= len)
		return -ENAMETOOLONG;
	memcpy(buf + used, b, strlen(b) + 1);
	return 0;
}

/* Where the link at sys/@base/@name points, relative to the root: the
 * canonical path of a device (or unit) by its name. -ENOENT if none. */
static int resolve_rel(const struct sim_sysfs *fs, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX], *real;
	size_t n = strlen(fs->root);
	int r;

	SIM_TRY(abs_path(fs, rel, path, sizeof(path)));
	real = realpath(path, NULL);
	if (!real)
		return -errno;
	if (strncmp(real, fs->root, n) || real[n] != '/') {
		free(real);
		return -EXDEV;	/* leads out of the tree */
	}
	r = fmt(buf, len, "%s", real + n + 1);
	free(real);
	return r;
}

/* A device's directory (relative to the root) by its kernel name: a PCI
 * address or a platform device's name. */
static int device_rel(const struct sim_sysfs *fs, const char *devname, char *buf, size_t len)
{
	static const char *const buses[] = { "pci", "platform" };
	char rel[PATH_MAX];

	if (!sim_sysfs_name_ok(devname))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(buses) / sizeof(buses[0]); i++) {
		int r;

		SIM_TRY(fmt(rel, sizeof(rel), "sys/bus/%s/devices/%s", buses[i], devname));
		r = resolve_rel(fs, rel, buf, len);
		if (r != -ENOENT)
			return r;
	}
	return -ENOENT;
}

/* ------------------------------------------------------------------------
 * The tree
 */

int sim_sysfs_init(struct sim_sysfs *fs, const char *dir, const char *prefix)
{
	char path[PATH_MAX], *real;
	bool temp = false;
	int r;

	if (!fs || (dir && !*dir) || (!dir && (!prefix || strchr(prefix, '/'))))
		return -EINVAL;
	memset(fs, 0, sizeof(*fs));
	if (dir) {
		SIM_TRY(fmt(path, sizeof(path), "%s", dir));
		SIM_TRY(mkdir_p(path));
	} else {
		const char *tmp = getenv("TMPDIR");

		SIM_TRY(fmt(path, sizeof(path), "%s/%sXXXXXX", tmp && *tmp ? tmp : "/tmp", prefix));
		if (!mkdtemp(path))
			return -errno;
		temp = true;
	}
	/* Canonical, so that realpath() of anything inside starts with it. */
	real = realpath(path, NULL);
	if (!real) {
		r = -errno;
		if (temp)
			rmdir(path);
		return r;
	}
	if (fmt(fs->root, sizeof(fs->root), "%s", real) < 0 ||
	    fmt(fs->sys, sizeof(fs->sys), "%s/sys", real) < 0 ||
	    fmt(fs->dev, sizeof(fs->dev), "%s/dev", real) < 0) {
		if (temp)
			rmdir(real);
		free(real);
		memset(fs, 0, sizeof(*fs));
		return -ENAMETOOLONG;
	}
	free(real);
	fs->temp = temp;
	r = mkdir_p(fs->sys);
	if (r >= 0)
		r = mkdir_p(fs->dev);
	if (r < 0) {
		sim_sysfs_destroy(fs);
		return r;
	}
	return 0;
}

/* Tests may leave directories without permissions (odd trees): give them
 * back before removing. */
static int unlock_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type == FTW_D || type == FTW_DNR)
		chmod(path, 0755);
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (ftw->level == 0)
		return 0;	/* the root itself: the caller decides */
	if (type == FTW_DP || type == FTW_D || type == FTW_DNR)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void sim_sysfs_destroy(struct sim_sysfs *fs)
{
	if (!fs || !fs->root[0])
		return;
	nftw(fs->root, unlock_one, 16, FTW_PHYS);
	nftw(fs->root, remove_one, 16, FTW_PHYS | FTW_DEPTH);
	if (fs->temp)
		rmdir(fs->root);
	memset(fs, 0, sizeof(*fs));
}

int sim_sysfs_write(struct sim_sysfs *fs, const char *rel, const char *f, ...)
{
	char path[PATH_MAX], *data = NULL;
	va_list ap;
	int n, r;

	SIM_TRY(abs_path(fs, rel, path, sizeof(path)));
	if (!f)
		return -EINVAL;
	SIM_TRY(mkparents(path));
	va_start(ap, f);
	n = vasprintf(&data, f, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	r = write_all(path, data, (size_t)n);
	free(data);
	return r;
}

int sim_sysfs_mkdir(struct sim_sysfs *fs, const char *rel)
{
	char path[PATH_MAX];

	SIM_TRY(abs_path(fs, rel, path, sizeof(path)));
	return mkdir_p(path);
}

int sim_sysfs_link(struct sim_sysfs *fs, const char *rel, const char *target_rel)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct stat st;

	SIM_TRY(abs_path(fs, rel, path, sizeof(path)));
	if (!sim_sysfs_rel_ok(target_rel))
		return -EINVAL;
	SIM_TRY(relative_target(rel, target_rel, target, sizeof(target)));
	SIM_TRY(mkparents(path));
	if (lstat(path, &st) == 0) {
		if (!S_ISLNK(st.st_mode))
			return -EEXIST;
		if (unlink(path) < 0)
			return -errno;
	}
	return symlink(target, path) < 0 ? -errno : 0;
}

/* The attribute at DIR/NAME, where DIR is relative to the root. */
__attribute__((format(printf, 4, 5)))
static int attr(struct sim_sysfs *fs, const char *dir, const char *name, const char *f, ...)
{
	char rel[PATH_MAX], *data = NULL;
	va_list ap;
	int n, r;

	SIM_TRY(fmt(rel, sizeof(rel), "%s/%s", dir, name));
	va_start(ap, f);
	n = vasprintf(&data, f, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	r = sim_sysfs_write(fs, rel, "%s", data);
	free(data);
	return r;
}

static int link_in(struct sim_sysfs *fs, const char *dir, const char *name,
		   const char *target_rel)
{
	char rel[PATH_MAX];

	SIM_TRY(fmt(rel, sizeof(rel), "%s/%s", dir, name));
	return sim_sysfs_link(fs, rel, target_rel);
}

static int subdir(struct sim_sysfs *fs, const char *dir, const char *name)
{
	char rel[PATH_MAX];

	SIM_TRY(fmt(rel, sizeof(rel), "%s/%s", dir, name));
	return sim_sysfs_mkdir(fs, rel);
}

/* A driver's directory on @bus, with the files the kernel gives it. */
static int driver_dir(struct sim_sysfs *fs, const char *bus, const char *driver)
{
	static const char *const files[] = { "bind", "unbind", "uevent" };
	char dir[PATH_MAX];

	SIM_TRY(fmt(dir, sizeof(dir), "sys/bus/%s/drivers/%s", bus, driver));
	SIM_TRY(sim_sysfs_mkdir(fs, dir));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		SIM_TRY(attr(fs, dir, files[i], "%s", ""));
	if (!strcmp(bus, "pci")) {
		SIM_TRY(attr(fs, dir, "new_id", "%s", ""));
		SIM_TRY(attr(fs, dir, "remove_id", "%s", ""));
	}
	return 0;
}

/* Bind the device at @dev_rel, named @devname, to @driver on @bus. */
static int bind_driver(struct sim_sysfs *fs, const char *bus, const char *dev_rel,
		       const char *devname, const char *driver)
{
	char drv[PATH_MAX];

	if (!sim_sysfs_name_ok(driver))
		return -EINVAL;
	SIM_TRY(driver_dir(fs, bus, driver));
	SIM_TRY(fmt(drv, sizeof(drv), "sys/bus/%s/drivers/%s", bus, driver));
	SIM_TRY(link_in(fs, dev_rel, "driver", drv));
	return link_in(fs, drv, devname, dev_rel);
}

int sim_sysfs_driver(struct sim_sysfs *fs, const char *bus, const char *driver)
{
	if (!fs || !sim_sysfs_name_ok(bus) || !sim_sysfs_name_ok(driver))
		return -EINVAL;
	return driver_dir(fs, bus, driver);
}

int sim_sysfs_bind(struct sim_sysfs *fs, const char *bus, const char *devname,
		   const char *driver)
{
	char dev[PATH_MAX];

	if (!fs || !sim_sysfs_name_ok(bus))
		return -EINVAL;
	SIM_TRY(device_rel(fs, devname, dev, sizeof(dev)));
	return bind_driver(fs, bus, dev, devname, driver);
}

int sim_sysfs_unbind(struct sim_sysfs *fs, const char *bus, const char *devname,
		     const char *driver)
{
	char dev[PATH_MAX], rel[PATH_MAX];

	if (!fs || !sim_sysfs_name_ok(bus) || !sim_sysfs_name_ok(driver))
		return -EINVAL;
	SIM_TRY(device_rel(fs, devname, dev, sizeof(dev)));
	SIM_TRY(fmt(rel, sizeof(rel), "%s/driver", dev));
	SIM_TRY(sim_sysfs_remove(fs, rel));
	SIM_TRY(fmt(rel, sizeof(rel), "sys/bus/%s/drivers/%s/%s", bus, driver, devname));
	return sim_sysfs_remove(fs, rel);
}

int sim_sysfs_device_rel(struct sim_sysfs *fs, const char *devname, char *buf, size_t len)
{
	return fs ? device_rel(fs, devname, buf, len) : -EINVAL;
}

int sim_sysfs_remove(struct sim_sysfs *fs, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	if (!fs || !sim_sysfs_rel_ok(rel))
		return -EINVAL;
	SIM_TRY(abs_path(fs, rel, path, sizeof(path)));
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode)) {
		nftw(path, remove_one, 16, FTW_PHYS | FTW_DEPTH);
		return rmdir(path) < 0 ? -errno : 0;
	}
	return unlink(path) < 0 ? -errno : 0;
}

bool sim_sysfs_bdf_ok(const char *bdf)
{
	size_t n;

	if (!sim_sysfs_name_ok(bdf))
		return false;
	n = strlen(bdf);
	if (n < 12 || bdf[n - 8] != ':' || bdf[n - 5] != ':' || bdf[n - 2] != '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (i == n - 8 || i == n - 5 || i == n - 2)
			continue;
		if (!strchr("0123456789abcdef", bdf[i]))
			return false;
	}
	return bdf[n - 1] <= '7';
}

int sim_sysfs_pci(struct sim_sysfs *fs, const char *bdf, const char *parent,
		   uint16_t vendor, uint16_t device, uint32_t class_code, const char *driver)
{
	char dir[PATH_MAX], root_bus[32], link[PATH_MAX];
	size_t n;

	if (!fs || !sim_sysfs_bdf_ok(bdf) || class_code > 0xffffff ||
	    (parent && !sim_sysfs_rel_ok(parent)))
		return -EINVAL;
	if (driver && !sim_sysfs_name_ok(driver))
		return -EINVAL;
	if (!parent) {	/* the root bus of the address's domain and bus */
		n = strlen(bdf);
		SIM_TRY(fmt(root_bus, sizeof(root_bus), "pci%.*s", (int)(n - 5), bdf));
		parent = root_bus;
	}
	SIM_TRY(fmt(dir, sizeof(dir), "sys/devices/%s/%s", parent, bdf));
	SIM_TRY(sim_sysfs_mkdir(fs, dir));
	SIM_TRY(attr(fs, dir, "vendor", "0x%04x\n", vendor));
	SIM_TRY(attr(fs, dir, "device", "0x%04x\n", device));
	SIM_TRY(attr(fs, dir, "subsystem_vendor", "0x%04x\n", vendor));
	SIM_TRY(attr(fs, dir, "subsystem_device", "0x%04x\n", device));
	SIM_TRY(attr(fs, dir, "class", "0x%06x\n", class_code));
	SIM_TRY(attr(fs, dir, "revision", "0x00\n"));
	SIM_TRY(attr(fs, dir, "driver_override", "(null)\n"));
	SIM_TRY(attr(fs, dir, "modalias", "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n",
		 vendor, device, vendor, device, class_code >> 16, (class_code >> 8) & 0xff,
		 class_code & 0xff));
	SIM_TRY(attr(fs, dir, "uevent",
		 "%s%s%sPCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\n"
		 "PCI_SLOT_NAME=%s\nMODALIAS=pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n",
		 driver ? "DRIVER=" : "", driver ? driver : "", driver ? "\n" : "",
		 class_code, vendor, device, vendor, device, bdf, vendor, device, vendor,
		 device, class_code >> 16, (class_code >> 8) & 0xff, class_code & 0xff));
	SIM_TRY(subdir(fs, dir, "power"));
	SIM_TRY(sim_sysfs_mkdir(fs, "sys/bus/pci/drivers"));
	SIM_TRY(link_in(fs, dir, "subsystem", "sys/bus/pci"));
	SIM_TRY(fmt(link, sizeof(link), "sys/bus/pci/devices/%s", bdf));
	SIM_TRY(sim_sysfs_link(fs, link, dir));
	return driver ? bind_driver(fs, "pci", dir, bdf, driver) : 0;
}

int sim_sysfs_platform(struct sim_sysfs *fs, const char *name, const char *driver)
{
	char dir[PATH_MAX], link[PATH_MAX];

	if (!fs || !sim_sysfs_name_ok(name) || (driver && !sim_sysfs_name_ok(driver)))
		return -EINVAL;
	SIM_TRY(fmt(dir, sizeof(dir), "sys/devices/platform/%s", name));
	SIM_TRY(sim_sysfs_mkdir(fs, dir));
	SIM_TRY(attr(fs, dir, "modalias", "platform:%s\n", name));
	SIM_TRY(attr(fs, dir, "driver_override", "(null)\n"));
	SIM_TRY(attr(fs, dir, "uevent", "%s%s%sMODALIAS=platform:%s\n", driver ? "DRIVER=" : "",
		 driver ? driver : "", driver ? "\n" : "", name));
	SIM_TRY(subdir(fs, dir, "power"));
	SIM_TRY(sim_sysfs_mkdir(fs, "sys/bus/platform/drivers"));
	SIM_TRY(link_in(fs, dir, "subsystem", "sys/bus/platform"));
	SIM_TRY(fmt(link, sizeof(link), "sys/bus/platform/devices/%s", name));
	SIM_TRY(sim_sysfs_link(fs, link, dir));
	return driver ? bind_driver(fs, "platform", dir, name, driver) : 0;
}

/* ------------------------------------------------------------------------
 * IOMMU instances
 */

/* What every class iommu device has: devices/ (the "devices" attribute
 * group of iommu-sysfs.c), uevent, power/, subsystem, class/iommu/NAME. */
static int iommu_common(struct sim_sysfs *fs, const char *dir, const char *name)
{
	char link[PATH_MAX];

	SIM_TRY(subdir(fs, dir, "devices"));
	SIM_TRY(subdir(fs, dir, "power"));
	SIM_TRY(attr(fs, dir, "uevent", "%s", ""));
	SIM_TRY(link_in(fs, dir, "subsystem", "sys/class/iommu"));
	SIM_TRY(fmt(link, sizeof(link), "sys/class/iommu/%s", name));
	return sim_sysfs_link(fs, link, dir);
}

/* Units are numbered from the name's digits (for the address attribute). */
static unsigned name_index(const char *name)
{
	const char *p = name + strlen(name);

	while (p > name && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return (unsigned)strtoul(p, NULL, 10);
}

int sim_sysfs_vtd(struct sim_sysfs *fs, const char *name, uint64_t cap, uint64_t ecap)
{
	char dir[PATH_MAX], regs[PATH_MAX];

	if (!fs || !sim_sysfs_name_ok(name))
		return -EINVAL;
	SIM_TRY(fmt(dir, sizeof(dir), "sys/devices/virtual/iommu/%s", name));
	SIM_TRY(fmt(regs, sizeof(regs), "%s/intel-iommu", dir));
	SIM_TRY(sim_sysfs_mkdir(fs, regs));
	SIM_TRY(attr(fs, regs, "version", "1:0\n"));
	SIM_TRY(attr(fs, regs, "address", "%llx\n",
		 0xfed90000ull + 0x1000ull * name_index(name)));
	SIM_TRY(attr(fs, regs, "cap", "%llx\n", (unsigned long long)cap));
	SIM_TRY(attr(fs, regs, "ecap", "%llx\n", (unsigned long long)ecap));
	/* cap_ndoms(): 2^(4 + 2 * ND); domain id 0 is reserved, so one is used */
	SIM_TRY(attr(fs, regs, "domains_supported", "%lu\n", 1ul << (4 + 2 * (cap & 7))));
	SIM_TRY(attr(fs, regs, "domains_used", "1\n"));
	return iommu_common(fs, dir, name);
}

int sim_sysfs_amd(struct sim_sysfs *fs, const char *name, const char *pci_bdf,
		   uint32_t cap, uint64_t efr, uint64_t efr2)
{
	char pdev[PATH_MAX], dir[PATH_MAX], regs[PATH_MAX];
	int r;

	if (!fs || !sim_sysfs_name_ok(name) || !sim_sysfs_bdf_ok(pci_bdf))
		return -EINVAL;
	r = device_rel(fs, pci_bdf, pdev, sizeof(pdev));
	if (r == -ENOENT) {	/* the IOMMU's own function: class 0806, no driver */
		SIM_TRY(sim_sysfs_pci(fs, pci_bdf, NULL, 0x1022, 0x14d9, 0x080600, NULL));
		r = device_rel(fs, pci_bdf, pdev, sizeof(pdev));
	}
	SIM_TRY(r);
	SIM_TRY(fmt(dir, sizeof(dir), "%s/iommu/%s", pdev, name));
	SIM_TRY(fmt(regs, sizeof(regs), "%s/amd-iommu", dir));
	SIM_TRY(sim_sysfs_mkdir(fs, regs));
	SIM_TRY(attr(fs, regs, "cap", "%x\n", cap));
	SIM_TRY(attr(fs, regs, "features", "%llx:%llx\n", (unsigned long long)efr,
		 (unsigned long long)efr2));
	return iommu_common(fs, dir, name);
}

int sim_sysfs_iommu(struct sim_sysfs *fs, const char *name, const char *parent_rel)
{
	char dir[PATH_MAX];

	if (!fs || !sim_sysfs_name_ok(name) || (parent_rel && !sim_sysfs_rel_ok(parent_rel)))
		return -EINVAL;
	if (parent_rel)
		SIM_TRY(fmt(dir, sizeof(dir), "sys/devices/%s/iommu/%s", parent_rel, name));
	else
		SIM_TRY(fmt(dir, sizeof(dir), "sys/devices/virtual/iommu/%s", name));
	SIM_TRY(sim_sysfs_mkdir(fs, dir));
	return iommu_common(fs, dir, name);
}

int sim_sysfs_iommu_add(struct sim_sysfs *fs, const char *iommu, const char *devname)
{
	char unit[PATH_MAX], dev[PATH_MAX], rel[PATH_MAX];

	if (!fs || !sim_sysfs_name_ok(iommu) || !sim_sysfs_name_ok(devname))
		return -EINVAL;
	SIM_TRY(fmt(rel, sizeof(rel), "sys/class/iommu/%s", iommu));
	SIM_TRY(resolve_rel(fs, rel, unit, sizeof(unit)));
	SIM_TRY(device_rel(fs, devname, dev, sizeof(dev)));
	SIM_TRY(fmt(rel, sizeof(rel), "%s/devices/%s", unit, devname));
	SIM_TRY(sim_sysfs_link(fs, rel, dev));
	return link_in(fs, dev, "iommu", unit);
}

/* ------------------------------------------------------------------------
 * IOMMU groups
 */

/* Group @id's directory, made with its attributes if new. */
static int group_dir(struct sim_sysfs *fs, int id, char *dir, size_t len)
{
	char path[PATH_MAX];

	if (id < 0)
		return -EINVAL;
	SIM_TRY(fmt(dir, len, "sys/kernel/iommu_groups/%d", id));
	SIM_TRY(abs_path(fs, dir, path, sizeof(path)));
	if (access(path, F_OK) == 0)
		return 0;
	SIM_TRY(subdir(fs, dir, "devices"));
	SIM_TRY(attr(fs, dir, "type", "DMA\n"));
	/* x86: the interrupt remapping window */
	return attr(fs, dir, "reserved_regions", "0x00000000fee00000 0x00000000feefffff msi\n");
}

int sim_sysfs_group_add(struct sim_sysfs *fs, int id, const char *devname)
{
	char dir[PATH_MAX], dev[PATH_MAX], rel[PATH_MAX];

	if (!fs || !sim_sysfs_name_ok(devname))
		return -EINVAL;
	SIM_TRY(device_rel(fs, devname, dev, sizeof(dev)));
	SIM_TRY(group_dir(fs, id, dir, sizeof(dir)));
	SIM_TRY(fmt(rel, sizeof(rel), "%s/devices/%s", dir, devname));
	SIM_TRY(sim_sysfs_link(fs, rel, dev));
	return link_in(fs, dev, "iommu_group", dir);
}

int sim_sysfs_group_type(struct sim_sysfs *fs, int id, const char *type)
{
	char dir[PATH_MAX];

	if (!fs || !type)
		return -EINVAL;
	SIM_TRY(group_dir(fs, id, dir, sizeof(dir)));
	return attr(fs, dir, "type", "%s\n", type);
}

int sim_sysfs_group_reserved(struct sim_sysfs *fs, int id, const char *text)
{
	char dir[PATH_MAX];

	if (!fs || !text)
		return -EINVAL;
	SIM_TRY(group_dir(fs, id, dir, sizeof(dir)));
	return attr(fs, dir, "reserved_regions", "%s", text);
}

/* ------------------------------------------------------------------------
 * VFIO
 */

/* A misc device (major 10): sys/devices/virtual/misc/NAME, class/misc/NAME,
 * and its node dev/@node. */
static int misc_dev(struct sim_sysfs *fs, const char *name, int minor, const char *node)
{
	char dir[PATH_MAX], rel[PATH_MAX];

	SIM_TRY(fmt(dir, sizeof(dir), "sys/devices/virtual/misc/%s", name));
	SIM_TRY(attr(fs, dir, "dev", "10:%d\n", minor));
	SIM_TRY(attr(fs, dir, "uevent", "MAJOR=10\nMINOR=%d\nDEVNAME=%s\n", minor, node));
	SIM_TRY(link_in(fs, dir, "subsystem", "sys/class/misc"));
	SIM_TRY(fmt(rel, sizeof(rel), "sys/class/misc/%s", name));
	SIM_TRY(sim_sysfs_link(fs, rel, dir));
	SIM_TRY(fmt(rel, sizeof(rel), "dev/%s", node));
	return sim_sysfs_write(fs, rel, "%s", "");
}

int sim_sysfs_vfio(struct sim_sysfs *fs, bool cdevs, bool groups, bool iommu_node)
{
	if (!fs)
		return -EINVAL;
	if (cdevs) {
		SIM_TRY(sim_sysfs_mkdir(fs, "sys/class/vfio-dev"));
		SIM_TRY(sim_sysfs_mkdir(fs, "dev/vfio/devices"));
	}
	if (groups) {
		/* VFIO's own container (or iommufd's stand-in): /dev/vfio/vfio */
		SIM_TRY(sim_sysfs_mkdir(fs, "sys/class/vfio"));
		SIM_TRY(misc_dev(fs, "vfio", 196, "vfio/vfio"));
	}
	if (iommu_node)
		SIM_TRY(misc_dev(fs, "iommu", 123, "iommu"));
	return 0;
}

/* Dynamic majors, as a 6.12 boot happens to hand them out. */
#define VFIO_DEV_MAJOR 511
#define VFIO_GROUP_MAJOR 510

int sim_sysfs_vfio_cdev(struct sim_sysfs *fs, const char *devname, int n)
{
	char dev[PATH_MAX], dir[PATH_MAX], rel[PATH_MAX];

	if (!fs || !sim_sysfs_name_ok(devname) || n < 0)
		return -EINVAL;
	SIM_TRY(device_rel(fs, devname, dev, sizeof(dev)));
	SIM_TRY(fmt(dir, sizeof(dir), "%s/vfio-dev/vfio%d", dev, n));
	SIM_TRY(attr(fs, dir, "dev", "%d:%d\n", VFIO_DEV_MAJOR, n));
	SIM_TRY(attr(fs, dir, "uevent", "MAJOR=%d\nMINOR=%d\nDEVNAME=vfio/devices/vfio%d\n",
		 VFIO_DEV_MAJOR, n, n));
	SIM_TRY(subdir(fs, dir, "power"));
	SIM_TRY(link_in(fs, dir, "device", dev));
	SIM_TRY(link_in(fs, dir, "subsystem", "sys/class/vfio-dev"));
	SIM_TRY(fmt(rel, sizeof(rel), "sys/class/vfio-dev/vfio%d", n));
	SIM_TRY(sim_sysfs_link(fs, rel, dir));
	SIM_TRY(fmt(rel, sizeof(rel), "dev/vfio/devices/vfio%d", n));
	return sim_sysfs_write(fs, rel, "%s", "");
}

int sim_sysfs_vfio_group(struct sim_sysfs *fs, int id)
{
	char dir[PATH_MAX], rel[PATH_MAX];

	if (!fs || id < 0)
		return -EINVAL;
	SIM_TRY(fmt(dir, sizeof(dir), "sys/devices/virtual/vfio/%d", id));
	SIM_TRY(attr(fs, dir, "dev", "%d:%d\n", VFIO_GROUP_MAJOR, id));
	SIM_TRY(attr(fs, dir, "uevent", "MAJOR=%d\nMINOR=%d\nDEVNAME=vfio/%d\n",
		 VFIO_GROUP_MAJOR, id, id));
	SIM_TRY(subdir(fs, dir, "power"));
	SIM_TRY(link_in(fs, dir, "subsystem", "sys/class/vfio"));
	SIM_TRY(fmt(rel, sizeof(rel), "sys/class/vfio/%d", id));
	SIM_TRY(sim_sysfs_link(fs, rel, dir));
	SIM_TRY(fmt(rel, sizeof(rel), "dev/vfio/%d", id));
	return sim_sysfs_write(fs, rel, "%s", "");
}
