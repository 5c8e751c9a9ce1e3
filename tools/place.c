// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iofdctl place: open devices, attach them to one IOAS in the order given,
 * and show the placement libiommufd decided (its translation domains, and
 * why each device is where it is); then detach and close everything. It
 * maps nothing. Uses only the public API.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libiommufd.h>

#include "iofdctl.h"

const char place_usage_text[] =
"NAME\n"
"    iofdctl place - show how libiommufd places devices in one IOAS\n"
"\n"
"SYNOPSIS\n"
"    iofdctl [OPTIONS] place [--dirty] DEVICE...\n"
"\n"
"DESCRIPTION\n"
"    Opens each DEVICE through libiommufd, makes one I/O address space\n"
"    (IOAS), attaches the devices to it in the order given and prints the\n"
"    placement the library decided. Then it detaches and closes them all:\n"
"    it maps no memory, and leaves nothing attached.\n"
"\n"
"    A DEVICE is a PCI address (0000:00:03.0, or 00:03.0 in domain 0), the\n"
"    device's directory in sysfs (/sys/bus/pci/devices/0000:00:03.0), or its\n"
"    VFIO device cdev (/dev/vfio/devices/vfio0). Each must be bound to\n"
"    vfio-pci; on the iommufd backend (Linux 6.6+) it needs its cdev.\n"
"\n"
"    Domains   each translation domain of the IOAS: its iommufd HWPT id ('-'\n"
"              on a backend without HWPTs), whether it enforces cache\n"
"              coherency (blocks PCIe no-snoop), whether it tracks dirty\n"
"              pages, its IOMMU instance, and its devices in attach order.\n"
"    Devices   each device: the type and instance of its IOMMU; whether its\n"
"              IOMMU enforces coherency, which is what KVM is told about the\n"
"              device (and then treats its DMA as cache-coherent); whether\n"
"              its IOMMU can track dirty pages; its domain.\n"
"    Why       the library's one-sentence reason for each device's domain.\n"
"\n"
"    A device that can enforce coherency never shares a domain with one\n"
"    that cannot; devices of different IOMMU instances never share one;\n"
"    with --dirty, devices that can track dirty pages get domains made for\n"
"    it, the others domains of their own.\n"
"\n"
"OPTIONS\n"
"    --dirty            make the IOAS for a VMM that migrates\n"
"                       (IOFD_IOAS_DIRTY_TRACKING)\n"
"    --json             print one JSON document instead of text\n"
"    --sysfs-root DIR, --dev-root DIR, --backend NAME, -v, --verbose\n"
"                       as for the tool (iofdctl --help)\n"
"    -h, --help         print this text and exit\n"
"\n"
"EXIT STATUS\n"
"    0  the placement was printed, and everything was detached and closed\n"
"    1  a device could not be opened, attached or detached, or libiommufd\n"
"       or the system reported another error; the message names the device\n"
"       and says why. Nothing is left attached.\n"
"    2  bad usage: no DEVICE, an unknown option\n"
"\n"
"EXAMPLES\n"
"    iofdctl place 0000:00:01.0 0000:00:02.0\n"
"    iofdctl place --dirty --json /dev/vfio/devices/vfio0 00:02.0\n";

/* A device as given on the command line, and what became of it. */
struct placed {
	const char *arg;
	struct iofd_device *dev;
};

struct place {
	const struct options *o;
	struct iofd_ctx *ctx;
	const char *sysfs_root, *dev_root;
	struct iofd_ioas *ioas;
	struct placed *devs;
	size_t n;
};

/* ------------------------------------------------------------------------
 * Why an open failed, in words
 */

static bool is_vfio_driver(const char *drv)
{
	size_t n = drv ? strlen(drv) : 0;

	return n >= 8 && (!strcmp(drv + n - 8, "vfio-pci") || !strcmp(drv + n - 8, "vfio_pci"));
}

/* The scanned device @arg names: a PCI address, a sysfs path or a cdev. */
static const struct iofd_hostdev *host_lookup(const struct iofd_host *host, const char *arg)
{
	const struct iofd_hostdev *hd;
	const char *base = strstr(arg, "/vfio/devices/");

	if (iofd_host_find_dev(host, arg, &hd) == 0)
		return hd;
	if (!base)
		return NULL;
	base += strlen("/vfio/devices/");
	for (size_t i = 0; i < iofd_host_dev_count(host); i++) {
		const char *cdev = iofd_hostdev_cdev(iofd_host_dev(host, i));
		const char *b = cdev ? strrchr(cdev, '/') : NULL;

		if (b && !strcmp(b + 1, base))
			return iofd_host_dev(host, i);
	}
	return NULL;
}

/* "0000:00:05.1 on ahci, 0000:00:05.2 unbound": the other members of @hd's group. */
static void group_members(const struct iofd_hostdev *hd, char *buf, size_t len)
{
	const struct iofd_group *g = iofd_hostdev_group(hd);
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; g && i < iofd_group_dev_count(g) && used < len; i++) {
		const struct iofd_hostdev *m = iofd_group_dev(g, i);
		const char *drv = iofd_hostdev_driver(m);

		if (m == hd)
			continue;
		used += snprintf(buf + used, len - used, "%s%s %s%s", used ? ", " : "",
				 iofd_hostdev_name(m), drv ? "on " : "unbound", drv ? drv : "");
	}
}

/* What the library's errno means for device @arg: a few words into @buf. */
static void explain_open(const struct place *p, size_t idx, int err, char *buf, size_t len)
{
	const char *arg = p->devs[idx].arg;
	const struct iofd_hostdev *hd = NULL;
	struct iofd_host *host = NULL;
	char members[256];

	buf[0] = '\0';
	if (err == -ENODEV || err == -EPERM || err == -EBUSY) {
		if (iofd_host_scan(&host, p->ctx) == 0)
			hd = host_lookup(host, arg);
	}
	switch (err) {
	case -ENOENT:
		snprintf(buf, len, "no such device in %s and %s", p->sysfs_root, p->dev_root);
		break;
	case -EINVAL:
		snprintf(buf, len, "not a PCI address, a sysfs path or a VFIO cdev path");
		break;
	case -ENODEV:
		if (hd && iofd_hostdev_is_pci(hd) == 0)
			snprintf(buf, len, "not a PCI device");
		else if (hd && is_vfio_driver(iofd_hostdev_driver(hd)))
			snprintf(buf, len, "it is on %s but has no VFIO cdev: the kernel has no "
				 "CONFIG_VFIO_DEVICE_CDEV", iofd_hostdev_driver(hd));
		else if (hd && iofd_hostdev_driver(hd))
			snprintf(buf, len, "it has no VFIO cdev: it is bound to %s, not vfio-pci",
				 iofd_hostdev_driver(hd));
		else if (hd)
			snprintf(buf, len, "it has no VFIO cdev: it is not bound to vfio-pci");
		else
			snprintf(buf, len, "not a PCI device, or one without a VFIO cdev "
				 "(not bound to vfio-pci)");
		break;
	case -EPERM:
		if (hd && iofd_hostdev_group(hd) && iofd_group_viable(iofd_hostdev_group(hd)) == 0) {
			group_members(hd, members, sizeof(members));
			snprintf(buf, len, "the kernel refuses to bind it: its IOMMU group %d is "
				 "not viable: %s", iofd_group_id(iofd_hostdev_group(hd)), members);
		} else if (hd) {
			snprintf(buf, len, "the kernel refuses to bind it: its IOMMU does not "
				 "isolate interrupts (no interrupt remapping)");
		} else {
			snprintf(buf, len, "the kernel refuses to bind it: its IOMMU group is not "
				 "viable, or its IOMMU does not isolate interrupts");
		}
		break;
	case -EBUSY:
		for (size_t i = 0; hd && i < idx; i++) {
			if (!strcmp(iofd_device_name(p->devs[i].dev), iofd_hostdev_name(hd))) {
				snprintf(buf, len, "it is given twice, as %s and as %s",
					 p->devs[i].arg, arg);
				break;
			}
		}
		if (!buf[0])
			snprintf(buf, len, "it is in use: its VFIO group or cdev is open "
				 "elsewhere");
		break;
	case -EACCES:
		snprintf(buf, len, "no permission to open its VFIO cdev");
		break;
	default:
		break;
	}
	iofd_host_free(host);
}

/* The same for making the IOAS (which opens DEV/iommu on iommufd). */
static void explain_ioas(const struct place *p, int err, char *buf, size_t len)
{
	bool iommufd = p->o->backend == IOFD_BACKEND_AUTO || p->o->backend == IOFD_BACKEND_IOMMUFD;

	buf[0] = '\0';
	if (!iommufd && err != -EOPNOTSUPP)
		return;
	switch (err) {
	case -EOPNOTSUPP:
		snprintf(buf, len, "the %s backend cannot place devices with this libiommufd: "
			 "use iommufd (--backend auto or iommufd)",
			 str_or(iofd_backend_name(p->o->backend), "?"));
		break;
	case -ENOENT:
		snprintf(buf, len, "there is no %s/iommu: the kernel has no iommufd "
			 "(CONFIG_IOMMUFD)", p->dev_root);
		break;
	case -EACCES:
	case -EPERM:
		snprintf(buf, len, "no permission to open %s/iommu", p->dev_root);
		break;
	case -ENOTTY:
		snprintf(buf, len, "%s/iommu is not iommufd", p->dev_root);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------------
 * The placement, for a person
 */

static const char *iommu_type_of(const struct iofd_device *dev)
{
	return str_or(iofd_iommu_type_name(iofd_device_iommu_type(dev)), "unknown");
}

/* A kernel object's id, or "-" when it has none (a backend without HWPTs). */
static void id_text(int id, char *buf, size_t len)
{
	if (id >= 0)
		snprintf(buf, len, "%d", id);
	else
		snprintf(buf, len, "-");
}

static void hwpt_text(const struct iofd_domain *d, char *buf, size_t len)
{
	id_text(d ? iofd_domain_kernel_id(d) : -ENODATA, buf, len);
}

/* "IOAS 3", or "the IOAS" when it has no kernel id. */
static void ioas_text(const struct iofd_ioas *ioas, char *buf, size_t len)
{
	int id = iofd_ioas_kernel_id(ioas);

	if (id >= 0)
		snprintf(buf, len, "IOAS %d", id);
	else
		snprintf(buf, len, "the IOAS");
}

static int print_domains(const struct place *p)
{
	size_t n = iofd_ioas_domain_count(p->ioas);
	struct table t;

	say("\nDomains (%zu)\n", n);
	table_init(&t, 5);
	table_row(&t, (const char *[]){ "HWPT", "COHERENCY", "DIRTY-TRACKING", "IOMMU",
					"DEVICES" });
	for (size_t i = 0; i < n; i++) {
		const struct iofd_domain *d = iofd_ioas_domain(p->ioas, i);
		char hwpt[16];

		hwpt_text(d, hwpt, sizeof(hwpt));
		const char *row[5] = {
			hwpt, tristate(iofd_domain_enforces_coherency(d)),
			tristate(iofd_domain_dirty_tracking(d)),
			str_or(iofd_domain_iommu_name(d), "unknown"), "-",
		};
		for (size_t k = 0; k < iofd_domain_device_count(d) || k == 0; k++) {
			struct iofd_device *dev = iofd_domain_device(d, k);

			if (dev)
				row[4] = iofd_device_name(dev);
			table_row(&t, row);
			for (size_t c = 0; c < 4; c++)
				row[c] = "";
		}
	}
	if (table_flush(&t, "  ") < 0)
		return -ENOMEM;
	say("  COHERENCY: the domain enforces cache coherency (blocks PCIe no-snoop)\n");
	return 0;
}

static int print_devices(const struct place *p)
{
	struct table t;

	say("\nDevices (%zu)\n", p->n);
	table_init(&t, 6);
	table_row(&t, (const char *[]){ "DEVICE", "IOMMU", "INSTANCE", "COHERENT",
					"DIRTY-CAPABLE", "HWPT" });
	for (size_t i = 0; i < p->n; i++) {
		const struct iofd_device *dev = p->devs[i].dev;
		char hwpt[16];

		hwpt_text(iofd_device_domain(dev), hwpt, sizeof(hwpt));
		table_row(&t, (const char *[]){
			iofd_device_name(dev), iommu_type_of(dev),
			str_or(iofd_device_iommu_name(dev), "unknown"),
			tristate(iofd_device_enforces_coherency(dev)),
			tristate(iofd_device_dirty_tracking(dev)), hwpt });
	}
	if (table_flush(&t, "  ") < 0)
		return -ENOMEM;
	say("  COHERENT: what KVM is told about the device: yes when its IOMMU enforces\n"
	    "  coherency (KVM then treats its DMA as cache-coherent)\n");
	return 0;
}

static int print_human(const struct place *p)
{
	size_t nd = iofd_ioas_domain_count(p->ioas);
	int r, id = iofd_ioas_kernel_id(p->ioas);
	char ioas[32] = "IOAS";

	if (id >= 0)
		snprintf(ioas, sizeof(ioas), "IOAS %d", id);

	say("libiommufd %s; sysfs %s, devices %s\n", iofd_version(), p->sysfs_root,
	    p->dev_root);
	say("%s%s%s%s: %zu device%s in %zu domain%s\n", ioas,
	    p->o->backend != IOFD_BACKEND_AUTO ? " on " : "",
	    p->o->backend != IOFD_BACKEND_AUTO ? str_or(iofd_backend_name(p->o->backend), "?") : "",
	    p->o->dirty ? " (for dirty tracking)" : "", p->n, p->n == 1 ? "" : "s", nd,
	    nd == 1 ? "" : "s");
	r = print_domains(p);
	if (r == 0)
		r = print_devices(p);
	if (r < 0)
		return r;
	say("\nWhy\n");
	for (size_t i = 0; i < p->n; i++) {
		const char *name = iofd_device_name(p->devs[i].dev);

		if (strcmp(name, p->devs[i].arg))
			say("  %s (%s): %s\n", name, p->devs[i].arg,
			    iofd_device_placement(p->devs[i].dev));
		else
			say("  %s: %s\n", name, iofd_device_placement(p->devs[i].dev));
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * The placement, for a program
 */

/* A kernel object's id, or null when it has none. */
static void json_id(struct json *j, const char *key, int id)
{
	if (id >= 0)
		json_int(j, key, id);
	else
		json_null(j, key);
}

static void json_hwpt(struct json *j, const char *key, const struct iofd_domain *d)
{
	json_id(j, key, d ? iofd_domain_kernel_id(d) : -ENODATA);
}

static int print_json(const struct place *p)
{
	struct json j;

	json_init(&j, stdout);
	json_begin_object(&j, NULL);
	json_string(&j, "version", iofd_version());
	json_string(&j, "tool_version", IOFD_VERSION);
	json_string(&j, "sysfs_root", p->sysfs_root);
	json_string(&j, "dev_root", p->dev_root);
	json_string(&j, "requested_backend", iofd_backend_name(p->o->backend));
	json_id(&j, "ioas", iofd_ioas_kernel_id(p->ioas));
	json_bool(&j, "dirty_tracking_requested", p->o->dirty);

	json_begin_array(&j, "domains");
	for (size_t i = 0; i < iofd_ioas_domain_count(p->ioas); i++) {
		const struct iofd_domain *d = iofd_ioas_domain(p->ioas, i);

		json_begin_object(&j, NULL);
		json_hwpt(&j, "hwpt", d);
		json_tristate(&j, "enforces_coherency", iofd_domain_enforces_coherency(d));
		json_tristate(&j, "dirty_tracking", iofd_domain_dirty_tracking(d));
		json_string(&j, "iommu", iofd_domain_iommu_name(d));
		json_begin_array(&j, "devices");
		for (size_t k = 0; k < iofd_domain_device_count(d); k++)
			json_string(&j, NULL, iofd_device_name(iofd_domain_device(d, k)));
		json_end_array(&j);
		json_end_object(&j);
	}
	json_end_array(&j);

	json_begin_array(&j, "devices");
	for (size_t i = 0; i < p->n; i++) {
		const struct iofd_device *dev = p->devs[i].dev;

		json_begin_object(&j, NULL);
		json_string(&j, "name", iofd_device_name(dev));
		json_string(&j, "given", p->devs[i].arg);
		json_string(&j, "iommu_type", iommu_type_of(dev));
		json_string(&j, "iommu", iofd_device_iommu_name(dev));
		json_tristate(&j, "enforces_coherency", iofd_device_enforces_coherency(dev));
		json_tristate(&j, "dirty_capable", iofd_device_dirty_tracking(dev));
		json_hwpt(&j, "hwpt", iofd_device_domain(dev));
		json_string(&j, "placement", iofd_device_placement(dev));
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	return json_finish(&j);
}

/* ------------------------------------------------------------------------
 * The command
 */

/* Open, make the IOAS, attach. 0, or -1 after saying which device failed
 * and why. */
static int place_devices(struct place *p, char **argv)
{
	char why[512], ioas[32];
	int r;

	IOFD_OPTS(iofd_ioas_opts, io, .flags = p->o->dirty ? IOFD_IOAS_DIRTY_TRACKING : 0);
	/* The IOAS first: it opens DEV/iommu, whose failure is no device's. */
	r = iofd_ioas_new(&p->ioas, p->ctx, &io);
	if (r < 0) {
		explain_ioas(p, r, why, sizeof(why));
		err_msg("cannot make an IOAS: %s%s%s%s", strerror(-r), why[0] ? " (" : "", why,
			why[0] ? ")" : "");
		return -1;
	}
	for (size_t i = 0; i < p->n; i++) {
		p->devs[i].arg = argv[i];
		r = iofd_device_open(&p->devs[i].dev, p->ctx, argv[i], NULL);
		if (r < 0) {
			p->devs[i].dev = NULL;
			explain_open(p, i, r, why, sizeof(why));
			err_msg("cannot open device %s: %s%s%s%s", argv[i], strerror(-r),
				why[0] ? " (" : "", why, why[0] ? ")" : "");
			return -1;
		}
	}
	for (size_t i = 0; i < p->n; i++) {
		struct iofd_device *dev = p->devs[i].dev;

		r = iofd_device_attach(dev, p->ioas);
		if (r < 0) {
			const char *name = iofd_device_name(dev), *why_lib = iofd_device_placement(dev);
			bool same = !strcmp(name, argv[i]);

			/* The library's sentence says why, with the errno's meaning
			 * in it as a rule: then say it once. */
			snprintf(why, sizeof(why), "%s%s%s", strstr(why_lib, strerror(-r)) ? "" :
				 strerror(-r), strstr(why_lib, strerror(-r)) || !*why_lib ? "" : ": ",
				 why_lib);
			ioas_text(p->ioas, ioas, sizeof(ioas));
			err_msg("cannot attach device %s%s%s%s to %s: %s", name,
				same ? "" : " (given as ", same ? "" : argv[i], same ? "" : ")",
				ioas, why);
			return -1;
		}
	}
	return 0;
}

/* Detach (last attached first), close, free. 0, or -1 after saying what
 * could not be detached. */
static int place_undo(struct place *p)
{
	int ret = 0;

	for (size_t i = p->n; i-- > 0;) {
		struct iofd_device *dev = p->devs[i].dev;
		int r;

		if (!dev || !iofd_device_ioas(dev))
			continue;
		r = iofd_device_detach(dev);
		if (r < 0) {
			err_msg("cannot detach device %s: %s", iofd_device_name(dev), strerror(-r));
			ret = -1;
		}
	}
	for (size_t i = p->n; i-- > 0;)
		iofd_device_close(p->devs[i].dev);
	if (p->ioas) {
		int r = iofd_ioas_free(p->ioas);

		if (r < 0) {
			char ioas[32];

			ioas_text(p->ioas, ioas, sizeof(ioas));
			err_msg("cannot free %s: %s", ioas, strerror(-r));
			ret = -1;
		}
	}
	return ret;
}

int cmd_place(const struct options *o, int argc, char **argv)
{
	struct place p = { .o = o, .n = (size_t)argc };
	int r, ret = EXIT_LIBERR;

	p.devs = calloc(p.n, sizeof(*p.devs));
	if (!p.devs) {
		err_msg("%s", strerror(ENOMEM));
		return EXIT_LIBERR;
	}
	if (tool_ctx_new(o, &p.ctx, &p.sysfs_root, &p.dev_root) < 0)
		goto out;
	if (place_devices(&p, argv) < 0)
		goto out;
	r = o->json ? print_json(&p) : print_human(&p);
	if (r < 0) {
		err_msg("cannot print the placement: %s", strerror(-r));
		goto out;
	}
	if (out_flush() < 0)
		goto out;
	ret = EXIT_SUCCESS;
out:
	if (place_undo(&p) < 0)
		ret = EXIT_LIBERR;
	iofd_ctx_free(p.ctx);
	free(p.devs);
	return ret;
}
