// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fake sysfs and /dev trees shaped like Linux 6.12's (tests/fake_sysfs.h).
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
 *
 * ---------------------------------------------------------------------------
 * The presets. tests/test_iofdctl.py and tests/test_host.c assert on these
 * facts: change them together.
 *
 * Every preset has sys/class/iommu, sys/kernel/iommu_groups,
 * sys/bus/{pci,platform}/{devices,drivers} (the kernel always makes them).
 * "vfio" rows: cdev = dev/vfio/devices/vfioN; a group has dev/vfio/N when a
 * member is bound to vfio-pci (VFIO makes the group node for it).
 *
 * none: a host without an IOMMU (QEMU q35 without intel-iommu). No groups,
 *   no VFIO, no /dev/iommu, no /dev/vfio.
 *   device        id         class     driver
 *   0000:00:00.0  8086:29c0  0x060000  -
 *   0000:00:03.0  1b36:0010  0x010802  nvme
 *
 * vtd-sc: QEMU q35 with intel-iommu (snoop control on), two NVMe functions
 *   on vfio-pci and an e1000e behind a root port.
 *   dmar0: cap 0xd2008c22260206 ecap 0xf00fca: coherency yes, dirty
 *   tracking no (legacy mode), 39-bit, 4K|2M|1G. Every device is behind it.
 *   VFIO: cdevs, groups, /dev/vfio/vfio, /dev/iommu.
 *   device        parent   id         class     driver      group  vfio
 *   0000:00:00.0  root     8086:29c0  0x060000  -           0
 *   0000:00:02.0  root     1b36:000c  0x060400  pcieport    1
 *   0000:00:03.0  root     1b36:0010  0x010802  vfio-pci    3      vfio0
 *   0000:00:04.0  root     1b36:0010  0x010802  vfio-pci    4      vfio1
 *   0000:00:1f.0  root     8086:2918  0x060100  lpc_ich     2
 *   0000:00:1f.2  root     8086:2922  0x010601  ahci        2
 *   0000:00:1f.3  root     8086:2930  0x0c0500  i801_smbus  2
 *   0000:01:00.0  00:02.0  8086:10d3  0x020000  e1000e      5
 *   Groups (all type "DMA"): 0, 1, 3 (/dev/vfio/3), 4 (/dev/vfio/4) viable;
 *   2 not viable (blockers 1f.0, 1f.2, 1f.3); 5 not viable (01:00.0).
 *
 * vtd-nosc: vtd-sc with dmar0 ecap 0xf00f4a (snoop control off: coherency
 *   no). Everything else identical.
 *
 * vtd-mixed: an Intel client host: the integrated GPU's own VT-d unit
 *   without snoop control, and the unit for everything else with it.
 *   dmar0: cap 0x1c0000c40660462 ecap 0x19e2ff0505e: coherency no, dirty
 *   no, 39-bit (SAGAW 48 capped by MGAW 39), 4K|2M|1G.
 *   dmar1: cap 0xd2008c40660462 ecap 0x1680000f050da: coherency yes, dirty
 *   yes (scalable mode with SLADS and SMPWC), 39-bit, 4K|2M|1G.
 *   VFIO: cdevs, groups, /dev/vfio/vfio, /dev/iommu.
 *   device        parent   id         class     driver      iommu  group  vfio
 *   0000:00:00.0  root     8086:4621  0x060000  -           dmar1  1
 *   0000:00:02.0  root     8086:46a6  0x030000  i915        dmar0  0
 *   0000:00:06.0  root     8086:464d  0x060400  pcieport    dmar1  2
 *   0000:00:15.0  root     8086:51e8  0x0c8000  intel-lpss  dmar1  6
 *   0000:00:1c.0  root     8086:51bc  0x060400  pcieport    dmar1  4
 *   0000:01:00.0  00:06.0  144d:a80a  0x010802  vfio-pci    dmar1  3      vfio0
 *   0000:02:00.0  00:1c.0  8086:1521  0x020000  vfio-pci    dmar1  5      vfio1
 *   0000:02:00.1  00:1c.0  8086:1521  0x020000  igb         dmar1  5
 *   INT33C2:00    platform -          -         -           dmar1  6
 *   Groups: 0 "DMA" not viable (i915); 1 "identity" viable; 2, 4 "DMA-FQ"
 *   viable; 3 "DMA-FQ" viable, /dev/vfio/3; 5 "DMA-FQ" not viable
 *   (02:00.1 on igb blocks its sibling on vfio-pci), /dev/vfio/5; 6
 *   "DMA-FQ" not viable (00:15.0 on intel-lpss), and its second member is
 *   the platform device. (VT-d puts an ACPI namespace device in a group of
 *   its own; it shares 00:15.0's here so that the scan has a non-PCI
 *   member to find.)
 *
 * amd: an AMD Zen 4 host. ivhd0 hangs off its PCI function 0000:00:00.2:
 *   cap 0x190b640f, features 25bf732fa2295afe:d (EFR bit 52 HDSup set):
 *   coherency yes (always on AMD), dirty tracking yes, no VT-d registers.
 *   VFIO: cdevs, groups, /dev/vfio/vfio, /dev/iommu.
 *   device        parent   id         class     driver      iommu  group  vfio
 *   0000:00:00.0  root     1022:14d8  0x060000  -           ivhd0  0
 *   0000:00:00.2  root     1022:14d9  0x080600  -           -      -
 *   0000:00:01.1  root     1022:14db  0x060400  pcieport    ivhd0  1
 *   0000:00:02.1  root     1022:14db  0x060400  pcieport    ivhd0  3
 *   0000:01:00.0  00:01.1  144d:a80c  0x010802  vfio-pci    ivhd0  2      vfio0
 *   0000:02:00.0  00:02.1  10ec:8125  0x020000  r8169       ivhd0  4
 *   Groups (all "DMA-FQ"): 0, 1, 2 (/dev/vfio/2), 3 viable; 4 not viable.
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

#include "fake_sysfs.h"

#define TRY(expr)                        \
	do {                             \
		int r_ = (expr);         \
		if (r_ < 0)              \
			return r_;       \
	} while (0)

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

/* A name that can be one path component. */
static bool name_ok(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/* A relative path of clean components ("a/b/c"). */
static bool rel_ok(const char *rel)
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

static int abs_path(const struct fake_sysfs *fs, const char *rel, char *buf, size_t len)
{
	if (!fs || !rel_ok(rel))
		return -EINVAL;
	return fmt(buf, len, "%s/%s", fs->root, rel);
}

/* mkdir -p of the absolute path @path; components that exist may be
 * directories or links to them. */
static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
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
static int resolve_rel(const struct fake_sysfs *fs, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX], *real;
	size_t n = strlen(fs->root);
	int r;

	TRY(abs_path(fs, rel, path, sizeof(path)));
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
static int device_rel(const struct fake_sysfs *fs, const char *devname, char *buf, size_t len)
{
	static const char *const buses[] = { "pci", "platform" };
	char rel[PATH_MAX];

	if (!name_ok(devname))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(buses) / sizeof(buses[0]); i++) {
		int r;

		TRY(fmt(rel, sizeof(rel), "sys/bus/%s/devices/%s", buses[i], devname));
		r = resolve_rel(fs, rel, buf, len);
		if (r != -ENOENT)
			return r;
	}
	return -ENOENT;
}

/* ------------------------------------------------------------------------
 * The tree
 */

int fake_sysfs_init(struct fake_sysfs *fs, const char *dir)
{
	char path[PATH_MAX], *real;
	bool temp = false;
	int r;

	if (!fs || (dir && !*dir))
		return -EINVAL;
	memset(fs, 0, sizeof(*fs));
	if (dir) {
		TRY(fmt(path, sizeof(path), "%s", dir));
		TRY(mkdir_p(path));
	} else {
		const char *tmp = getenv("TMPDIR");

		TRY(fmt(path, sizeof(path), "%s/fake-sysfs-XXXXXX", tmp && *tmp ? tmp : "/tmp"));
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
		fake_sysfs_destroy(fs);
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

void fake_sysfs_destroy(struct fake_sysfs *fs)
{
	if (!fs || !fs->root[0])
		return;
	nftw(fs->root, unlock_one, 16, FTW_PHYS);
	nftw(fs->root, remove_one, 16, FTW_PHYS | FTW_DEPTH);
	if (fs->temp)
		rmdir(fs->root);
	memset(fs, 0, sizeof(*fs));
}

int fake_sysfs_write(struct fake_sysfs *fs, const char *rel, const char *f, ...)
{
	char path[PATH_MAX], *data = NULL;
	va_list ap;
	int n, r;

	TRY(abs_path(fs, rel, path, sizeof(path)));
	if (!f)
		return -EINVAL;
	TRY(mkparents(path));
	va_start(ap, f);
	n = vasprintf(&data, f, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	r = write_all(path, data, (size_t)n);
	free(data);
	return r;
}

int fake_sysfs_mkdir(struct fake_sysfs *fs, const char *rel)
{
	char path[PATH_MAX];

	TRY(abs_path(fs, rel, path, sizeof(path)));
	return mkdir_p(path);
}

int fake_sysfs_link(struct fake_sysfs *fs, const char *rel, const char *target_rel)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct stat st;

	TRY(abs_path(fs, rel, path, sizeof(path)));
	if (!rel_ok(target_rel))
		return -EINVAL;
	TRY(relative_target(rel, target_rel, target, sizeof(target)));
	TRY(mkparents(path));
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
static int attr(struct fake_sysfs *fs, const char *dir, const char *name, const char *f, ...)
{
	char rel[PATH_MAX], *data = NULL;
	va_list ap;
	int n, r;

	TRY(fmt(rel, sizeof(rel), "%s/%s", dir, name));
	va_start(ap, f);
	n = vasprintf(&data, f, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	r = fake_sysfs_write(fs, rel, "%s", data);
	free(data);
	return r;
}

static int link_in(struct fake_sysfs *fs, const char *dir, const char *name,
		   const char *target_rel)
{
	char rel[PATH_MAX];

	TRY(fmt(rel, sizeof(rel), "%s/%s", dir, name));
	return fake_sysfs_link(fs, rel, target_rel);
}

static int subdir(struct fake_sysfs *fs, const char *dir, const char *name)
{
	char rel[PATH_MAX];

	TRY(fmt(rel, sizeof(rel), "%s/%s", dir, name));
	return fake_sysfs_mkdir(fs, rel);
}

/* A driver's directory on @bus, with the files the kernel gives it. */
static int driver_dir(struct fake_sysfs *fs, const char *bus, const char *driver)
{
	static const char *const files[] = { "bind", "unbind", "uevent" };
	char dir[PATH_MAX];

	TRY(fmt(dir, sizeof(dir), "sys/bus/%s/drivers/%s", bus, driver));
	TRY(fake_sysfs_mkdir(fs, dir));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		TRY(attr(fs, dir, files[i], "%s", ""));
	if (!strcmp(bus, "pci")) {
		TRY(attr(fs, dir, "new_id", "%s", ""));
		TRY(attr(fs, dir, "remove_id", "%s", ""));
	}
	return 0;
}

/* Bind the device at @dev_rel, named @devname, to @driver on @bus. */
static int bind_driver(struct fake_sysfs *fs, const char *bus, const char *dev_rel,
		       const char *devname, const char *driver)
{
	char drv[PATH_MAX];

	if (!name_ok(driver))
		return -EINVAL;
	TRY(driver_dir(fs, bus, driver));
	TRY(fmt(drv, sizeof(drv), "sys/bus/%s/drivers/%s", bus, driver));
	TRY(link_in(fs, dev_rel, "driver", drv));
	return link_in(fs, drv, devname, dev_rel);
}

/* Is @bdf "DDDD:BB:DD.F" (a domain of 4 or more hex digits)? */
static bool bdf_ok(const char *bdf)
{
	size_t n;

	if (!name_ok(bdf))
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

int fake_sysfs_pci(struct fake_sysfs *fs, const char *bdf, const char *parent,
		   uint16_t vendor, uint16_t device, uint32_t class_code, const char *driver)
{
	char dir[PATH_MAX], root_bus[32], link[PATH_MAX];
	size_t n;

	if (!fs || !bdf_ok(bdf) || class_code > 0xffffff || (parent && !rel_ok(parent)))
		return -EINVAL;
	if (driver && !name_ok(driver))
		return -EINVAL;
	if (!parent) {	/* the root bus of the address's domain and bus */
		n = strlen(bdf);
		TRY(fmt(root_bus, sizeof(root_bus), "pci%.*s", (int)(n - 5), bdf));
		parent = root_bus;
	}
	TRY(fmt(dir, sizeof(dir), "sys/devices/%s/%s", parent, bdf));
	TRY(fake_sysfs_mkdir(fs, dir));
	TRY(attr(fs, dir, "vendor", "0x%04x\n", vendor));
	TRY(attr(fs, dir, "device", "0x%04x\n", device));
	TRY(attr(fs, dir, "subsystem_vendor", "0x%04x\n", vendor));
	TRY(attr(fs, dir, "subsystem_device", "0x%04x\n", device));
	TRY(attr(fs, dir, "class", "0x%06x\n", class_code));
	TRY(attr(fs, dir, "revision", "0x00\n"));
	TRY(attr(fs, dir, "driver_override", "(null)\n"));
	TRY(attr(fs, dir, "modalias", "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n",
		 vendor, device, vendor, device, class_code >> 16, (class_code >> 8) & 0xff,
		 class_code & 0xff));
	TRY(attr(fs, dir, "uevent",
		 "%s%s%sPCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\n"
		 "PCI_SLOT_NAME=%s\nMODALIAS=pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n",
		 driver ? "DRIVER=" : "", driver ? driver : "", driver ? "\n" : "",
		 class_code, vendor, device, vendor, device, bdf, vendor, device, vendor,
		 device, class_code >> 16, (class_code >> 8) & 0xff, class_code & 0xff));
	TRY(subdir(fs, dir, "power"));
	TRY(fake_sysfs_mkdir(fs, "sys/bus/pci/drivers"));
	TRY(link_in(fs, dir, "subsystem", "sys/bus/pci"));
	TRY(fmt(link, sizeof(link), "sys/bus/pci/devices/%s", bdf));
	TRY(fake_sysfs_link(fs, link, dir));
	return driver ? bind_driver(fs, "pci", dir, bdf, driver) : 0;
}

int fake_sysfs_platform(struct fake_sysfs *fs, const char *name, const char *driver)
{
	char dir[PATH_MAX], link[PATH_MAX];

	if (!fs || !name_ok(name) || (driver && !name_ok(driver)))
		return -EINVAL;
	TRY(fmt(dir, sizeof(dir), "sys/devices/platform/%s", name));
	TRY(fake_sysfs_mkdir(fs, dir));
	TRY(attr(fs, dir, "modalias", "platform:%s\n", name));
	TRY(attr(fs, dir, "driver_override", "(null)\n"));
	TRY(attr(fs, dir, "uevent", "%s%s%sMODALIAS=platform:%s\n", driver ? "DRIVER=" : "",
		 driver ? driver : "", driver ? "\n" : "", name));
	TRY(subdir(fs, dir, "power"));
	TRY(fake_sysfs_mkdir(fs, "sys/bus/platform/drivers"));
	TRY(link_in(fs, dir, "subsystem", "sys/bus/platform"));
	TRY(fmt(link, sizeof(link), "sys/bus/platform/devices/%s", name));
	TRY(fake_sysfs_link(fs, link, dir));
	return driver ? bind_driver(fs, "platform", dir, name, driver) : 0;
}

/* ------------------------------------------------------------------------
 * IOMMU instances
 */

/* What every class iommu device has: devices/ (the "devices" attribute
 * group of iommu-sysfs.c), uevent, power/, subsystem, class/iommu/NAME. */
static int iommu_common(struct fake_sysfs *fs, const char *dir, const char *name)
{
	char link[PATH_MAX];

	TRY(subdir(fs, dir, "devices"));
	TRY(subdir(fs, dir, "power"));
	TRY(attr(fs, dir, "uevent", "%s", ""));
	TRY(link_in(fs, dir, "subsystem", "sys/class/iommu"));
	TRY(fmt(link, sizeof(link), "sys/class/iommu/%s", name));
	return fake_sysfs_link(fs, link, dir);
}

/* Units are numbered from the name's digits (for the address attribute). */
static unsigned name_index(const char *name)
{
	const char *p = name + strlen(name);

	while (p > name && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return (unsigned)strtoul(p, NULL, 10);
}

int fake_sysfs_vtd(struct fake_sysfs *fs, const char *name, uint64_t cap, uint64_t ecap)
{
	char dir[PATH_MAX], regs[PATH_MAX];

	if (!fs || !name_ok(name))
		return -EINVAL;
	TRY(fmt(dir, sizeof(dir), "sys/devices/virtual/iommu/%s", name));
	TRY(fmt(regs, sizeof(regs), "%s/intel-iommu", dir));
	TRY(fake_sysfs_mkdir(fs, regs));
	TRY(attr(fs, regs, "version", "1:0\n"));
	TRY(attr(fs, regs, "address", "%llx\n",
		 0xfed90000ull + 0x1000ull * name_index(name)));
	TRY(attr(fs, regs, "cap", "%llx\n", (unsigned long long)cap));
	TRY(attr(fs, regs, "ecap", "%llx\n", (unsigned long long)ecap));
	/* cap_ndoms(): 2^(4 + 2 * ND); domain id 0 is reserved, so one is used */
	TRY(attr(fs, regs, "domains_supported", "%lu\n", 1ul << (4 + 2 * (cap & 7))));
	TRY(attr(fs, regs, "domains_used", "1\n"));
	return iommu_common(fs, dir, name);
}

int fake_sysfs_amd(struct fake_sysfs *fs, const char *name, const char *pci_bdf,
		   uint32_t cap, uint64_t efr, uint64_t efr2)
{
	char pdev[PATH_MAX], dir[PATH_MAX], regs[PATH_MAX];
	int r;

	if (!fs || !name_ok(name) || !bdf_ok(pci_bdf))
		return -EINVAL;
	r = device_rel(fs, pci_bdf, pdev, sizeof(pdev));
	if (r == -ENOENT) {	/* the IOMMU's own function: class 0806, no driver */
		TRY(fake_sysfs_pci(fs, pci_bdf, NULL, 0x1022, 0x14d9, 0x080600, NULL));
		r = device_rel(fs, pci_bdf, pdev, sizeof(pdev));
	}
	TRY(r);
	TRY(fmt(dir, sizeof(dir), "%s/iommu/%s", pdev, name));
	TRY(fmt(regs, sizeof(regs), "%s/amd-iommu", dir));
	TRY(fake_sysfs_mkdir(fs, regs));
	TRY(attr(fs, regs, "cap", "%x\n", cap));
	TRY(attr(fs, regs, "features", "%llx:%llx\n", (unsigned long long)efr,
		 (unsigned long long)efr2));
	return iommu_common(fs, dir, name);
}

int fake_sysfs_iommu(struct fake_sysfs *fs, const char *name, const char *parent_rel)
{
	char dir[PATH_MAX];

	if (!fs || !name_ok(name) || (parent_rel && !rel_ok(parent_rel)))
		return -EINVAL;
	if (parent_rel)
		TRY(fmt(dir, sizeof(dir), "sys/devices/%s/iommu/%s", parent_rel, name));
	else
		TRY(fmt(dir, sizeof(dir), "sys/devices/virtual/iommu/%s", name));
	TRY(fake_sysfs_mkdir(fs, dir));
	return iommu_common(fs, dir, name);
}

int fake_sysfs_iommu_add(struct fake_sysfs *fs, const char *iommu, const char *devname)
{
	char unit[PATH_MAX], dev[PATH_MAX], rel[PATH_MAX];

	if (!fs || !name_ok(iommu) || !name_ok(devname))
		return -EINVAL;
	TRY(fmt(rel, sizeof(rel), "sys/class/iommu/%s", iommu));
	TRY(resolve_rel(fs, rel, unit, sizeof(unit)));
	TRY(device_rel(fs, devname, dev, sizeof(dev)));
	TRY(fmt(rel, sizeof(rel), "%s/devices/%s", unit, devname));
	TRY(fake_sysfs_link(fs, rel, dev));
	return link_in(fs, dev, "iommu", unit);
}

/* ------------------------------------------------------------------------
 * IOMMU groups
 */

/* Group @id's directory, made with its attributes if new. */
static int group_dir(struct fake_sysfs *fs, int id, char *dir, size_t len)
{
	char path[PATH_MAX];

	if (id < 0)
		return -EINVAL;
	TRY(fmt(dir, len, "sys/kernel/iommu_groups/%d", id));
	TRY(abs_path(fs, dir, path, sizeof(path)));
	if (access(path, F_OK) == 0)
		return 0;
	TRY(subdir(fs, dir, "devices"));
	TRY(attr(fs, dir, "type", "DMA\n"));
	/* x86: the interrupt remapping window */
	return attr(fs, dir, "reserved_regions", "0x00000000fee00000 0x00000000feefffff msi\n");
}

int fake_sysfs_group_add(struct fake_sysfs *fs, int id, const char *devname)
{
	char dir[PATH_MAX], dev[PATH_MAX], rel[PATH_MAX];

	if (!fs || !name_ok(devname))
		return -EINVAL;
	TRY(device_rel(fs, devname, dev, sizeof(dev)));
	TRY(group_dir(fs, id, dir, sizeof(dir)));
	TRY(fmt(rel, sizeof(rel), "%s/devices/%s", dir, devname));
	TRY(fake_sysfs_link(fs, rel, dev));
	return link_in(fs, dev, "iommu_group", dir);
}

int fake_sysfs_group_type(struct fake_sysfs *fs, int id, const char *type)
{
	char dir[PATH_MAX];

	if (!fs || !type)
		return -EINVAL;
	TRY(group_dir(fs, id, dir, sizeof(dir)));
	return attr(fs, dir, "type", "%s\n", type);
}

/* ------------------------------------------------------------------------
 * VFIO
 */

/* A misc device (major 10): sys/devices/virtual/misc/NAME, class/misc/NAME,
 * and its node dev/@node. */
static int misc_dev(struct fake_sysfs *fs, const char *name, int minor, const char *node)
{
	char dir[PATH_MAX], rel[PATH_MAX];

	TRY(fmt(dir, sizeof(dir), "sys/devices/virtual/misc/%s", name));
	TRY(attr(fs, dir, "dev", "10:%d\n", minor));
	TRY(attr(fs, dir, "uevent", "MAJOR=10\nMINOR=%d\nDEVNAME=%s\n", minor, node));
	TRY(link_in(fs, dir, "subsystem", "sys/class/misc"));
	TRY(fmt(rel, sizeof(rel), "sys/class/misc/%s", name));
	TRY(fake_sysfs_link(fs, rel, dir));
	TRY(fmt(rel, sizeof(rel), "dev/%s", node));
	return fake_sysfs_write(fs, rel, "%s", "");
}

int fake_sysfs_vfio(struct fake_sysfs *fs, bool cdevs, bool groups, bool iommu_node)
{
	if (!fs)
		return -EINVAL;
	if (cdevs) {
		TRY(fake_sysfs_mkdir(fs, "sys/class/vfio-dev"));
		TRY(fake_sysfs_mkdir(fs, "dev/vfio/devices"));
	}
	if (groups) {
		/* VFIO's own container (or iommufd's stand-in): /dev/vfio/vfio */
		TRY(fake_sysfs_mkdir(fs, "sys/class/vfio"));
		TRY(misc_dev(fs, "vfio", 196, "vfio/vfio"));
	}
	if (iommu_node)
		TRY(misc_dev(fs, "iommu", 123, "iommu"));
	return 0;
}

/* Dynamic majors, as a 6.12 boot happens to hand them out. */
#define VFIO_DEV_MAJOR 511
#define VFIO_GROUP_MAJOR 510

int fake_sysfs_vfio_cdev(struct fake_sysfs *fs, const char *devname, int n)
{
	char dev[PATH_MAX], dir[PATH_MAX], rel[PATH_MAX];

	if (!fs || !name_ok(devname) || n < 0)
		return -EINVAL;
	TRY(device_rel(fs, devname, dev, sizeof(dev)));
	TRY(fmt(dir, sizeof(dir), "%s/vfio-dev/vfio%d", dev, n));
	TRY(attr(fs, dir, "dev", "%d:%d\n", VFIO_DEV_MAJOR, n));
	TRY(attr(fs, dir, "uevent", "MAJOR=%d\nMINOR=%d\nDEVNAME=vfio/devices/vfio%d\n",
		 VFIO_DEV_MAJOR, n, n));
	TRY(subdir(fs, dir, "power"));
	TRY(link_in(fs, dir, "device", dev));
	TRY(link_in(fs, dir, "subsystem", "sys/class/vfio-dev"));
	TRY(fmt(rel, sizeof(rel), "sys/class/vfio-dev/vfio%d", n));
	TRY(fake_sysfs_link(fs, rel, dir));
	TRY(fmt(rel, sizeof(rel), "dev/vfio/devices/vfio%d", n));
	return fake_sysfs_write(fs, rel, "%s", "");
}

int fake_sysfs_vfio_group(struct fake_sysfs *fs, int id)
{
	char dir[PATH_MAX], rel[PATH_MAX];

	if (!fs || id < 0)
		return -EINVAL;
	TRY(fmt(dir, sizeof(dir), "sys/devices/virtual/vfio/%d", id));
	TRY(attr(fs, dir, "dev", "%d:%d\n", VFIO_GROUP_MAJOR, id));
	TRY(attr(fs, dir, "uevent", "MAJOR=%d\nMINOR=%d\nDEVNAME=vfio/%d\n",
		 VFIO_GROUP_MAJOR, id, id));
	TRY(subdir(fs, dir, "power"));
	TRY(link_in(fs, dir, "subsystem", "sys/class/vfio"));
	TRY(fmt(rel, sizeof(rel), "sys/class/vfio/%d", id));
	TRY(fake_sysfs_link(fs, rel, dir));
	TRY(fmt(rel, sizeof(rel), "dev/vfio/%d", id));
	return fake_sysfs_write(fs, rel, "%s", "");
}

/* ------------------------------------------------------------------------
 * Presets (the table at the top of this file)
 */

#define NO_GROUP (-1)
#define NO_CDEV (-1)

struct preset_dev {
	const char *name;	/* PCI address, or a platform device's name */
	const char *parent;	/* NULL: the root bus; else the bridge's path */
	uint16_t vendor, device;	/* vendor 0: a platform device */
	uint32_t class_code;
	const char *driver;
	const char *iommu;	/* NULL: not translated */
	int group;
	int cdev;
};

struct preset_group_type {
	int group;
	const char *type;
};

struct preset_iommu {
	char kind;		/* 'v': VT-d, 'a': AMD */
	const char *name;
	uint64_t cap, ecap;	/* VT-d; AMD: cap, EFR */
	uint64_t efr2;
	const char *pci;	/* AMD: the unit's own PCI function */
};

struct preset {
	const char *name;
	const struct preset_iommu *iommus;
	const struct preset_dev *devs;
	const struct preset_group_type *types;	/* groups not "DMA" */
	bool vfio;		/* cdevs, groups, /dev/vfio/vfio, /dev/iommu */
};

#define QEMU_VTD_CAP 0xd2008c22260206ull

static const struct preset_iommu none_iommus[] = { { 0 } };

static const struct preset_dev none_devs[] = {
	{ "0000:00:00.0", NULL, 0x8086, 0x29c0, 0x060000, NULL, NULL, NO_GROUP, NO_CDEV },
	{ "0000:00:03.0", NULL, 0x1b36, 0x0010, 0x010802, "nvme", NULL, NO_GROUP, NO_CDEV },
	{ 0 },
};

static const struct preset_iommu vtd_sc_iommus[] = {
	{ 'v', "dmar0", QEMU_VTD_CAP, 0xf00fcaull, 0, NULL },
	{ 0 },
};

static const struct preset_iommu vtd_nosc_iommus[] = {
	{ 'v', "dmar0", QEMU_VTD_CAP, 0xf00f4aull, 0, NULL },
	{ 0 },
};

static const struct preset_dev q35_devs[] = {
	{ "0000:00:00.0", NULL, 0x8086, 0x29c0, 0x060000, NULL, "dmar0", 0, NO_CDEV },
	{ "0000:00:02.0", NULL, 0x1b36, 0x000c, 0x060400, "pcieport", "dmar0", 1, NO_CDEV },
	{ "0000:00:03.0", NULL, 0x1b36, 0x0010, 0x010802, "vfio-pci", "dmar0", 3, 0 },
	{ "0000:00:04.0", NULL, 0x1b36, 0x0010, 0x010802, "vfio-pci", "dmar0", 4, 1 },
	{ "0000:00:1f.0", NULL, 0x8086, 0x2918, 0x060100, "lpc_ich", "dmar0", 2, NO_CDEV },
	{ "0000:00:1f.2", NULL, 0x8086, 0x2922, 0x010601, "ahci", "dmar0", 2, NO_CDEV },
	{ "0000:00:1f.3", NULL, 0x8086, 0x2930, 0x0c0500, "i801_smbus", "dmar0", 2, NO_CDEV },
	{ "0000:01:00.0", "pci0000:00/0000:00:02.0", 0x8086, 0x10d3, 0x020000, "e1000e",
	  "dmar0", 5, NO_CDEV },
	{ 0 },
};

static const struct preset_group_type all_dma[] = { { NO_GROUP, NULL } };

static const struct preset_iommu vtd_mixed_iommus[] = {
	{ 'v', "dmar0", 0x1c0000c40660462ull, 0x19e2ff0505eull, 0, NULL },
	{ 'v', "dmar1", 0xd2008c40660462ull, 0x1680000f050daull, 0, NULL },
	{ 0 },
};

static const struct preset_dev vtd_mixed_devs[] = {
	{ "0000:00:00.0", NULL, 0x8086, 0x4621, 0x060000, NULL, "dmar1", 1, NO_CDEV },
	{ "0000:00:02.0", NULL, 0x8086, 0x46a6, 0x030000, "i915", "dmar0", 0, NO_CDEV },
	{ "0000:00:06.0", NULL, 0x8086, 0x464d, 0x060400, "pcieport", "dmar1", 2, NO_CDEV },
	{ "0000:00:15.0", NULL, 0x8086, 0x51e8, 0x0c8000, "intel-lpss", "dmar1", 6, NO_CDEV },
	{ "0000:00:1c.0", NULL, 0x8086, 0x51bc, 0x060400, "pcieport", "dmar1", 4, NO_CDEV },
	{ "0000:01:00.0", "pci0000:00/0000:00:06.0", 0x144d, 0xa80a, 0x010802, "vfio-pci",
	  "dmar1", 3, 0 },
	{ "0000:02:00.0", "pci0000:00/0000:00:1c.0", 0x8086, 0x1521, 0x020000, "vfio-pci",
	  "dmar1", 5, 1 },
	{ "0000:02:00.1", "pci0000:00/0000:00:1c.0", 0x8086, 0x1521, 0x020000, "igb",
	  "dmar1", 5, NO_CDEV },
	{ "INT33C2:00", NULL, 0, 0, 0, NULL, "dmar1", 6, NO_CDEV },
	{ 0 },
};

static const struct preset_group_type vtd_mixed_types[] = {
	{ 1, "identity" }, { 2, "DMA-FQ" }, { 3, "DMA-FQ" }, { 4, "DMA-FQ" },
	{ 5, "DMA-FQ" }, { 6, "DMA-FQ" }, { NO_GROUP, NULL },
};

static const struct preset_iommu amd_iommus[] = {
	{ 'a', "ivhd0", 0x190b640f, 0x25bf732fa2295afeull, 0xd, "0000:00:00.2" },
	{ 0 },
};

static const struct preset_dev amd_devs[] = {
	{ "0000:00:00.0", NULL, 0x1022, 0x14d8, 0x060000, NULL, "ivhd0", 0, NO_CDEV },
	/* 0000:00:00.2, the unit itself, is made by fake_sysfs_amd() */
	{ "0000:00:01.1", NULL, 0x1022, 0x14db, 0x060400, "pcieport", "ivhd0", 1, NO_CDEV },
	{ "0000:00:02.1", NULL, 0x1022, 0x14db, 0x060400, "pcieport", "ivhd0", 3, NO_CDEV },
	{ "0000:01:00.0", "pci0000:00/0000:00:01.1", 0x144d, 0xa80c, 0x010802, "vfio-pci",
	  "ivhd0", 2, 0 },
	{ "0000:02:00.0", "pci0000:00/0000:00:02.1", 0x10ec, 0x8125, 0x020000, "r8169",
	  "ivhd0", 4, NO_CDEV },
	{ 0 },
};

static const struct preset_group_type amd_types[] = {
	{ 0, "DMA-FQ" }, { 1, "DMA-FQ" }, { 2, "DMA-FQ" }, { 3, "DMA-FQ" }, { 4, "DMA-FQ" },
	{ NO_GROUP, NULL },
};

static const struct preset presets[] = {
	{ "none", none_iommus, none_devs, all_dma, false },
	{ "vtd-sc", vtd_sc_iommus, q35_devs, all_dma, true },
	{ "vtd-nosc", vtd_nosc_iommus, q35_devs, all_dma, true },
	{ "vtd-mixed", vtd_mixed_iommus, vtd_mixed_devs, vtd_mixed_types, true },
	{ "amd", amd_iommus, amd_devs, amd_types, true },
};

const char *const fake_sysfs_presets[] = {
	"none", "vtd-sc", "vtd-nosc", "vtd-mixed", "amd", NULL,
};

/* VFIO makes a group's node when a member is bound to one of its drivers. */
static bool vfio_driver(const char *driver)
{
	size_t n = driver ? strlen(driver) : 0;

	return n >= 8 && (!strcmp(driver + n - 8, "vfio-pci") ||
			  !strcmp(driver + n - 8, "vfio_pci") || !strcmp(driver, "vfio-platform"));
}

static int build_preset(struct fake_sysfs *fs, const struct preset *p)
{
	static const char *const skeleton[] = {
		"sys/class/iommu", "sys/kernel/iommu_groups", "sys/bus/pci/devices",
		"sys/bus/pci/drivers", "sys/bus/platform/devices", "sys/bus/platform/drivers",
		"sys/devices/virtual", "sys/class/misc",
	};
	const struct preset_dev *d;

	for (size_t i = 0; i < sizeof(skeleton) / sizeof(skeleton[0]); i++)
		TRY(fake_sysfs_mkdir(fs, skeleton[i]));
	if (p->vfio)
		TRY(fake_sysfs_vfio(fs, true, true, true));
	for (const struct preset_iommu *u = p->iommus; u->name; u++) {
		if (u->kind == 'v')
			TRY(fake_sysfs_vtd(fs, u->name, u->cap, u->ecap));
		else
			TRY(fake_sysfs_amd(fs, u->name, u->pci, (uint32_t)u->cap, u->ecap, u->efr2));
	}
	for (d = p->devs; d->name; d++) {
		if (d->vendor)
			TRY(fake_sysfs_pci(fs, d->name, d->parent, d->vendor, d->device,
					   d->class_code, d->driver));
		else
			TRY(fake_sysfs_platform(fs, d->name, d->driver));
		if (d->iommu)
			TRY(fake_sysfs_iommu_add(fs, d->iommu, d->name));
		if (d->group != NO_GROUP)
			TRY(fake_sysfs_group_add(fs, d->group, d->name));
		if (d->cdev != NO_CDEV)
			TRY(fake_sysfs_vfio_cdev(fs, d->name, d->cdev));
		if (d->group != NO_GROUP && vfio_driver(d->driver))
			TRY(fake_sysfs_vfio_group(fs, d->group));
	}
	for (const struct preset_group_type *t = p->types; t->type; t++)
		TRY(fake_sysfs_group_type(fs, t->group, t->type));
	return 0;
}

int fake_sysfs_preset(struct fake_sysfs *fs, const char *name)
{
	if (!fs || !name)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (!strcmp(presets[i].name, name))
			return build_preset(fs, &presets[i]);
	return -EINVAL;
}
