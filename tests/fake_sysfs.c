// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fake sysfs and /dev trees for the tests (tests/fake_sysfs.h): the builder
 * is the simulator's (sim/sysfs_tree.c, which says what each call makes and
 * where the kernel makes the same); this file holds the named presets.
 *
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
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fake_sysfs.h"

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
		SIM_TRY(fake_sysfs_mkdir(fs, skeleton[i]));
	if (p->vfio)
		SIM_TRY(fake_sysfs_vfio(fs, true, true, true));
	for (const struct preset_iommu *u = p->iommus; u->name; u++) {
		if (u->kind == 'v')
			SIM_TRY(fake_sysfs_vtd(fs, u->name, u->cap, u->ecap));
		else
			SIM_TRY(fake_sysfs_amd(fs, u->name, u->pci, (uint32_t)u->cap, u->ecap, u->efr2));
	}
	for (d = p->devs; d->name; d++) {
		if (d->vendor)
			SIM_TRY(fake_sysfs_pci(fs, d->name, d->parent, d->vendor, d->device,
					   d->class_code, d->driver));
		else
			SIM_TRY(fake_sysfs_platform(fs, d->name, d->driver));
		if (d->iommu)
			SIM_TRY(fake_sysfs_iommu_add(fs, d->iommu, d->name));
		if (d->group != NO_GROUP)
			SIM_TRY(fake_sysfs_group_add(fs, d->group, d->name));
		if (d->cdev != NO_CDEV)
			SIM_TRY(fake_sysfs_vfio_cdev(fs, d->name, d->cdev));
		if (d->group != NO_GROUP && vfio_driver(d->driver))
			SIM_TRY(fake_sysfs_vfio_group(fs, d->group));
	}
	for (const struct preset_group_type *t = p->types; t->type; t++)
		SIM_TRY(fake_sysfs_group_type(fs, t->group, t->type));
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
