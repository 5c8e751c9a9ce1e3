// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iofdctl: show the host's IOMMU picture (backends, IOMMU instances, IOMMU
 * groups, devices) the way libiommufd sees it. Uses only the public API.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libiommufd.h>

#include "iofdctl.h"

/* The command whose --help a usage error points to, once it is known. */
static const char *help_command;

static int __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s%s%s --help' for more information.\n", prog,
		help_command ? " " : "", help_command ? help_command : "");
	return EXIT_USAGE;
}

static const char usage_text[] =
"NAME\n"
"    iofdctl - show what the host offers for giving devices to userspace\n"
"              through iommufd or VFIO\n"
"\n"
"SYNOPSIS\n"
"    iofdctl [OPTIONS] [probe]\n"
"    iofdctl [OPTIONS] place [--dirty] DEVICE...\n"
"    iofdctl [OPTIONS] bind [--force] DEVICE\n"
"    iofdctl [OPTIONS] unbind DEVICE\n"
"    iofdctl [COMMAND] --help | --version\n"
"\n"
"DESCRIPTION\n"
"    iofdctl reads sysfs and /dev through libiommufd and prints, for a\n"
"    person or (with --json) for a program:\n"
"\n"
"    Backends  which kernel interfaces can be used here: iommufd (/dev/iommu\n"
"              with VFIO device cdevs), type1 (the /dev/vfio/vfio container\n"
"              with VFIO groups) and compat (VFIO groups in an iommufd\n"
"              container), why, which one the library would pick on its\n"
"              own, and what serves /dev/vfio/vfio.\n"
"    IOMMUs    each IOMMU instance: its type, whether its domains can\n"
"              enforce cache coherency (block PCIe no-snoop), whether it can\n"
"              track dirty pages, its address width, the VT-d capability\n"
"              registers, and the devices behind it.\n"
"    Groups    each IOMMU group: its default domain type, whether VFIO\n"
"              could take it now (viable: every member unbound or bound to\n"
"              vfio-pci, a vfio-pci variant, pci-stub or pcieport), its VFIO\n"
"              node, and each member with its driver.\n"
"    Devices   each device: PCI address, vendor:device, class, driver,\n"
"              group, IOMMU and VFIO device cdev.\n"
"\n"
"    A host without an IOMMU is not an error: iofdctl says so, lists the\n"
"    PCI devices, and exits 0.\n"
"\n"
"COMMANDS\n"
"    probe     print the host's IOMMU picture (the default)\n"
"    place     attach DEVICEs to one IOAS and show in which translation\n"
"              domains libiommufd put them, and why; then detach them\n"
"              (the devices must be on vfio-pci: 'iofdctl place --help'\n"
"              says more)\n"
"    bind      hand DEVICE to vfio-pci (refused while the host uses it,\n"
"              unless --force: 'iofdctl bind --help' says more)\n"
"    unbind    give DEVICE back from vfio-pci to its host driver\n"
"\n"
"OPTIONS\n"
"    --json             print one JSON document instead of text\n"
"    --sysfs-root DIR   read sysfs from DIR instead of /sys\n"
"    --dev-root DIR     look for device nodes under DIR instead of /dev\n"
"    --backend NAME     the backend to ask for: auto (default), iommufd,\n"
"                       type1 or compat; shown as the requested backend\n"
"    -v, --verbose      print libiommufd's debug messages on stderr\n"
"    -h, --help         print this text (or COMMAND's) and exit\n"
"    -V, --version      print iofdctl's and libiommufd's versions and exit\n"
"\n"
"EXIT STATUS\n"
"    0  success (also on a host without an IOMMU)\n"
"    1  libiommufd or the system reported an error; the message says which\n"
"    2  bad usage: an unknown option, command or argument\n"
"\n"
"ENVIRONMENT\n"
"    LIBIOMMUFD_LOG=err|warning|info|debug sends libiommufd's messages to\n"
"    stderr when --verbose is not given.\n"
"\n"
"EXAMPLES\n"
"    iofdctl\n"
"    iofdctl --json | jq '.groups[] | select(.viable | not)'\n"
"    iofdctl --sysfs-root /tmp/fake/sys --dev-root /tmp/fake/dev\n"
"    iofdctl place 0000:00:01.0 0000:00:02.0\n"
"    iofdctl bind 0000:00:03.0 && iofdctl unbind 0000:00:03.0\n";

/* ------------------------------------------------------------------------
 * Facts shared by both output forms
 */

static const enum iofd_backend real_backends[] = {
	IOFD_BACKEND_IOMMUFD, IOFD_BACKEND_TYPE1, IOFD_BACKEND_COMPAT,
};

static const char *container_kind_name(int kind)
{
	switch (kind) {
	case IOFD_CONTAINER_VFIO:
		return "vfio";
	case IOFD_CONTAINER_IOMMUFD:
		return "iommufd";
	default:
		return "none";
	}
}

static const char *container_kind_text(int kind)
{
	switch (kind) {
	case IOFD_CONTAINER_VFIO:
		return "VFIO's own container (native type1)";
	case IOFD_CONTAINER_IOMMUFD:
		return "served by iommufd (type1 compatibility container)";
	default:
		return "absent or cannot be opened";
	}
}

static const char *iommu_type_name(const struct iofd_iommu *iommu)
{
	return str_or(iofd_iommu_type_name(iofd_iommu_type(iommu)), "unknown");
}

struct pci_ids_text {
	char vendor[8], device[8], class_code[12];
	bool pci;
};

static void pci_ids_text(const struct iofd_hostdev *dev, struct pci_ids_text *t)
{
	uint16_t vendor, device;
	uint32_t class_code;

	memset(t, 0, sizeof(*t));
	if (iofd_hostdev_pci_ids(dev, &vendor, &device, &class_code) < 0)
		return;
	t->pci = true;
	snprintf(t->vendor, sizeof(t->vendor), "%04x", vendor);
	snprintf(t->device, sizeof(t->device), "%04x", device);
	snprintf(t->class_code, sizeof(t->class_code), "0x%06" PRIx32, class_code);
}

/* ------------------------------------------------------------------------
 * Human output
 */

static int print_backends(const struct iofd_host *host, const struct options *o,
			  const char *dev_root)
{
	struct table t;
	int auto_be, kind, requested = o->backend;

	say("Backends (requested: %s)\n", str_or(iofd_backend_name(o->backend), "?"));
	table_init(&t, 3);
	table_row(&t, (const char *[]){ "BACKEND", "AVAILABLE", "WHY" });
	for (size_t i = 0; i < sizeof(real_backends) / sizeof(real_backends[0]); i++) {
		enum iofd_backend b = real_backends[i];
		int avail = iofd_host_backend_available(host, b);

		table_row(&t, (const char *[]){ iofd_backend_name(b),
			avail > 0 ? "yes" : avail == 0 ? "no" : "?",
			str_or(iofd_host_backend_reason(host, b), "-") });
	}
	if (t.err) {
		table_free(&t);
		return t.err;
	}
	table_print(&t, stdout, "  ");
	table_free(&t);

	auto_be = iofd_host_auto_backend(host);
	if (auto_be >= 0)
		say("  auto would pick: %s (%s)\n",
		       str_or(iofd_backend_name(auto_be), "?"),
		       str_or(iofd_host_backend_reason(host, IOFD_BACKEND_AUTO), "-"));
	else
		say("  auto: none (%s)\n",
		       str_or(iofd_host_backend_reason(host, IOFD_BACKEND_AUTO), "-"));
	if (requested != IOFD_BACKEND_AUTO &&
	    iofd_host_backend_available(host, requested) == 0)
		say("  note: the requested backend %s is not available here\n",
		       str_or(iofd_backend_name(requested), "?"));
	kind = iofd_host_container_kind(host);
	say("  %s/vfio/vfio: %s\n", dev_root, container_kind_text(kind));
	return 0;
}

static void no_iommu_message(const char *sysfs_root)
{
	say("  No IOMMU on this host: the kernel lists no IOMMU in %s/class/iommu,\n"
	       "  so VFIO and iommufd cannot be used (no device can be given to\n"
	       "  userspace with DMA isolation).\n", sysfs_root);
}

static int print_iommus(const struct iofd_host *host, const char *sysfs_root)
{
	size_t n = iofd_host_iommu_count(host);
	struct table t;

	say("\nIOMMUs (%zu)\n", n);
	if (n == 0) {
		say("  (none: no IOMMU is listed in %s/class/iommu)\n", sysfs_root);
		return 0;
	}
	table_init(&t, 8);
	table_row(&t, (const char *[]){ "NAME", "TYPE", "COHERENCY", "DIRTY-TRACKING",
					"ADDR-WIDTH", "VT-D CAP", "VT-D ECAP", "DEVICES" });
	for (size_t i = 0; i < n; i++) {
		const struct iofd_iommu *iommu = iofd_host_iommu(host, i);
		char width[16] = "unknown", cap[24] = "-", ecap[24] = "-";
		uint64_t c, e;
		int w = iofd_iommu_addr_width(iommu);
		bool first = true;

		if (w >= 0)
			snprintf(width, sizeof(width), "%d bits", w);
		if (iofd_iommu_vtd_regs(iommu, &c, &e) == 0) {
			snprintf(cap, sizeof(cap), "0x%" PRIx64, c);
			snprintf(ecap, sizeof(ecap), "0x%" PRIx64, e);
		}
		const char *row[8] = {
			iofd_iommu_name(iommu), iommu_type_name(iommu),
			tristate(iofd_iommu_enforces_coherency(iommu)),
			tristate(iofd_iommu_dirty_tracking(iommu)),
			width, cap, ecap, "-",
		};
		/* one row per device behind it; the first carries the facts */
		for (size_t d = 0; d < iofd_host_dev_count(host); d++) {
			const struct iofd_hostdev *dev = iofd_host_dev(host, d);

			if (iofd_hostdev_iommu(dev) != iommu)
				continue;
			if (first) {
				row[7] = iofd_hostdev_name(dev);
				table_row(&t, row);
				first = false;
			} else {
				table_row(&t, (const char *[]){ "", "", "", "", "", "", "",
								iofd_hostdev_name(dev) });
			}
		}
		if (first)
			table_row(&t, row);
	}
	if (t.err) {
		table_free(&t);
		return t.err;
	}
	table_print(&t, stdout, "  ");
	table_free(&t);
	say("  COHERENCY: its domains can enforce cache coherency (block PCIe no-snoop)\n");
	return 0;
}

static int print_groups(const struct iofd_host *host)
{
	size_t n = iofd_host_group_count(host);
	struct table t;

	say("\nIOMMU groups (%zu)\n", n);
	if (n == 0) {
		say("  (none)\n");
		return 0;
	}
	table_init(&t, 6);
	table_row(&t, (const char *[]){ "GROUP", "TYPE", "VFIO", "NODE", "MEMBER", "DRIVER" });
	for (size_t i = 0; i < n; i++) {
		const struct iofd_group *g = iofd_host_group(host, i);
		size_t nm = iofd_group_dev_count(g);
		char id[16];
		int viable = iofd_group_viable(g);

		snprintf(id, sizeof(id), "%d", iofd_group_id(g));
		const char *row[6] = {
			id, str_or(iofd_group_type(g), "-"),
			viable > 0 ? "viable" : viable == 0 ? "not viable" : "?",
			str_or(iofd_group_path(g), "-"), "-", "",
		};
		for (size_t m = 0; m < nm || m == 0; m++) {
			const struct iofd_hostdev *dev = iofd_group_dev(g, m);

			if (dev) {
				row[4] = iofd_hostdev_name(dev);
				row[5] = str_or(iofd_hostdev_driver(dev), "(none)");
			}
			table_row(&t, row);
			for (size_t c = 0; c < 4; c++)
				row[c] = "";
		}
	}
	if (t.err) {
		table_free(&t);
		return t.err;
	}
	table_print(&t, stdout, "  ");
	table_free(&t);
	say("  A group is viable when every member is unbound or bound to vfio-pci\n"
	       "  (or a variant), pci-stub or pcieport; a member with another driver\n"
	       "  keeps VFIO from taking the whole group.\n");
	return 0;
}

static int print_devices(const struct iofd_host *host)
{
	size_t n = iofd_host_dev_count(host);
	struct table t;

	say("\nDevices (%zu)\n", n);
	if (n == 0) {
		say("  (none)\n");
		return 0;
	}
	table_init(&t, 7);
	table_row(&t, (const char *[]){ "ADDRESS", "ID", "CLASS", "DRIVER", "GROUP",
					"IOMMU", "CDEV" });
	for (size_t i = 0; i < n; i++) {
		const struct iofd_hostdev *dev = iofd_host_dev(host, i);
		const struct iofd_group *g = iofd_hostdev_group(dev);
		const struct iofd_iommu *iommu = iofd_hostdev_iommu(dev);
		struct pci_ids_text ids;
		char id[16] = "-", group[16] = "-";

		pci_ids_text(dev, &ids);
		if (ids.pci)
			snprintf(id, sizeof(id), "%s:%s", ids.vendor, ids.device);
		if (g)
			snprintf(group, sizeof(group), "%d", iofd_group_id(g));
		table_row(&t, (const char *[]){
			iofd_hostdev_name(dev), id, ids.pci ? ids.class_code : "-",
			str_or(iofd_hostdev_driver(dev), "(none)"), group,
			iommu ? iofd_iommu_name(iommu) : "-",
			str_or(iofd_hostdev_cdev(dev), "-") });
	}
	if (t.err) {
		table_free(&t);
		return t.err;
	}
	table_print(&t, stdout, "  ");
	table_free(&t);
	return 0;
}

static int print_human(const struct iofd_host *host, const struct options *o,
		       const char *sysfs_root, const char *dev_root)
{
	int r;

	say("libiommufd %s; sysfs %s, devices %s\n\n", iofd_version(), sysfs_root,
	       dev_root);
	if (iofd_host_iommu_count(host) == 0) {
		no_iommu_message(sysfs_root);
		say("\n");
	}
	r = print_backends(host, o, dev_root);
	if (r < 0)
		return r;
	r = print_iommus(host, sysfs_root);
	if (r < 0)
		return r;
	r = print_groups(host);
	if (r < 0)
		return r;
	return print_devices(host);
}

/* ------------------------------------------------------------------------
 * JSON output
 */

static void json_hex(struct json *j, const char *key, uint64_t v, int digits)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%0*" PRIx64, digits, v);
	json_string(j, key, buf);
}

static void json_backends(struct json *j, const struct iofd_host *host)
{
	int auto_be = iofd_host_auto_backend(host);

	json_begin_object(j, "backends");
	for (size_t i = 0; i < sizeof(real_backends) / sizeof(real_backends[0]); i++) {
		enum iofd_backend b = real_backends[i];

		json_begin_object(j, iofd_backend_name(b));
		json_bool(j, "available", iofd_host_backend_available(host, b) > 0);
		json_string(j, "reason", iofd_host_backend_reason(host, b));
		json_end_object(j);
	}
	json_begin_object(j, "auto");
	json_string(j, "backend", auto_be >= 0 ? iofd_backend_name(auto_be) : NULL);
	json_string(j, "reason", iofd_host_backend_reason(host, IOFD_BACKEND_AUTO));
	json_end_object(j);
	json_string(j, "vfio_container", container_kind_name(iofd_host_container_kind(host)));
	json_end_object(j);
}

static void json_iommus(struct json *j, const struct iofd_host *host)
{
	json_begin_array(j, "iommus");
	for (size_t i = 0; i < iofd_host_iommu_count(host); i++) {
		const struct iofd_iommu *iommu = iofd_host_iommu(host, i);
		uint64_t cap, ecap;
		int w = iofd_iommu_addr_width(iommu);

		json_begin_object(j, NULL);
		json_string(j, "name", iofd_iommu_name(iommu));
		json_string(j, "type", iommu_type_name(iommu));
		json_tristate(j, "enforces_coherency", iofd_iommu_enforces_coherency(iommu));
		json_tristate(j, "dirty_tracking", iofd_iommu_dirty_tracking(iommu));
		if (w >= 0)
			json_int(j, "address_width", w);
		else
			json_null(j, "address_width");
		if (iofd_iommu_vtd_regs(iommu, &cap, &ecap) == 0) {
			json_hex(j, "vtd_cap", cap, 1);
			json_hex(j, "vtd_ecap", ecap, 1);
		} else {
			json_null(j, "vtd_cap");
			json_null(j, "vtd_ecap");
		}
		json_begin_array(j, "devices");
		for (size_t d = 0; d < iofd_host_dev_count(host); d++) {
			const struct iofd_hostdev *dev = iofd_host_dev(host, d);

			if (iofd_hostdev_iommu(dev) == iommu)
				json_string(j, NULL, iofd_hostdev_name(dev));
		}
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);
}

static void json_groups(struct json *j, const struct iofd_host *host)
{
	json_begin_array(j, "groups");
	for (size_t i = 0; i < iofd_host_group_count(host); i++) {
		const struct iofd_group *g = iofd_host_group(host, i);

		json_begin_object(j, NULL);
		json_int(j, "id", iofd_group_id(g));
		json_string(j, "type", iofd_group_type(g));
		json_bool(j, "viable", iofd_group_viable(g) > 0);
		json_string(j, "path", iofd_group_path(g));
		json_begin_array(j, "devices");
		for (size_t m = 0; m < iofd_group_dev_count(g); m++) {
			const struct iofd_hostdev *dev = iofd_group_dev(g, m);

			json_begin_object(j, NULL);
			json_string(j, "name", iofd_hostdev_name(dev));
			json_string(j, "driver", iofd_hostdev_driver(dev));
			json_end_object(j);
		}
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);
}

static void json_devices(struct json *j, const struct iofd_host *host)
{
	json_begin_array(j, "devices");
	for (size_t i = 0; i < iofd_host_dev_count(host); i++) {
		const struct iofd_hostdev *dev = iofd_host_dev(host, i);
		const struct iofd_group *g = iofd_hostdev_group(dev);
		const struct iofd_iommu *iommu = iofd_hostdev_iommu(dev);
		uint16_t vendor, device;
		uint32_t class_code;
		bool ids = iofd_hostdev_pci_ids(dev, &vendor, &device, &class_code) == 0;

		json_begin_object(j, NULL);
		json_string(j, "name", iofd_hostdev_name(dev));
		json_bool(j, "pci", iofd_hostdev_is_pci(dev) > 0);
		if (ids) {
			json_hex(j, "vendor", vendor, 4);
			json_hex(j, "device", device, 4);
			json_hex(j, "class", class_code, 6);
		} else {
			json_null(j, "vendor");
			json_null(j, "device");
			json_null(j, "class");
		}
		json_string(j, "driver", iofd_hostdev_driver(dev));
		if (g)
			json_int(j, "group", iofd_group_id(g));
		else
			json_null(j, "group");
		json_string(j, "iommu", iommu ? iofd_iommu_name(iommu) : NULL);
		json_string(j, "cdev", iofd_hostdev_cdev(dev));
		json_string(j, "syspath", iofd_hostdev_syspath(dev));
		json_end_object(j);
	}
	json_end_array(j);
}

static int print_json(const struct iofd_host *host, const struct options *o,
		      const char *sysfs_root, const char *dev_root)
{
	struct json j;

	json_init(&j, stdout);
	json_begin_object(&j, NULL);
	json_string(&j, "version", iofd_version());
	json_string(&j, "tool_version", IOFD_VERSION);
	json_string(&j, "sysfs_root", sysfs_root);
	json_string(&j, "dev_root", dev_root);
	json_string(&j, "requested_backend", iofd_backend_name(o->backend));
	json_bool(&j, "has_iommu", iofd_host_iommu_count(host) > 0);
	json_backends(&j, host);
	json_iommus(&j, host);
	json_groups(&j, host);
	json_devices(&j, host);
	json_end_object(&j);
	return json_finish(&j);
}

/* ------------------------------------------------------------------------
 * Commands
 */

/* A root given on the command line must be a directory: a typo should be
 * an error, not an empty host. */
static int check_root(const char *what, const char *dir)
{
	struct stat st;

	if (!dir)
		return 0;
	if (stat(dir, &st) < 0) {
		err_msg("%s %s: %s", what, dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		err_msg("%s %s: %s", what, dir, strerror(ENOTDIR));
		return -1;
	}
	return 0;
}

int tool_ctx_new(const struct options *o, struct iofd_ctx **ret, const char **sysfs_root,
		 const char **dev_root)
{
	int r;

	if (check_root("--sysfs-root", o->sysfs_root) < 0 ||
	    check_root("--dev-root", o->dev_root) < 0)
		return -1;

	IOFD_OPTS(iofd_ctx_opts, opts,
		  .backend = o->backend,
		  .sysfs_root = o->sysfs_root,
		  .dev_root = o->dev_root);
	if (o->log_fn) {
		opts.log_fn = o->log_fn;
		opts.log_userdata = o->log_userdata;
		opts.log_priority = 7; /* LOG_DEBUG: the command filters */
	} else if (o->verbose) {
		opts.log_fn = log_to_stderr;
		opts.log_priority = 7; /* LOG_DEBUG */
	}
	if (tool_host_setup(&opts, o) < 0)
		return -1;

	r = iofd_ctx_new(ret, &opts);
	if (r < 0) {
		err_msg("cannot create a libiommufd context: %s", strerror(-r));
		return -1;
	}
	*sysfs_root = opts.sysfs_root ? opts.sysfs_root : "/sys";
	*dev_root = opts.dev_root ? opts.dev_root : "/dev";
	return 0;
}

static int cmd_probe(const struct options *o, int argc, char **argv)
{
	const char *sysfs_root, *dev_root;
	struct iofd_ctx *ctx = NULL;
	struct iofd_host *host = NULL;
	int r, ret = EXIT_LIBERR;

	if (tool_ctx_new(o, &ctx, &sysfs_root, &dev_root) < 0)
		return EXIT_LIBERR;
	r = iofd_host_scan(&host, ctx);
	if (r < 0) {
		err_msg("cannot scan the host (sysfs %s, devices %s): %s", sysfs_root,
			dev_root, strerror(-r));
		goto out;
	}

	if (o->json)
		r = print_json(host, o, sysfs_root, dev_root);
	else
		r = print_human(host, o, sysfs_root, dev_root);
	if (r < 0) {
		err_msg("cannot print the host's picture: %s", strerror(-r));
		goto out;
	}
	if (out_flush() < 0)
		goto out;
	ret = EXIT_SUCCESS;
out:
	iofd_host_free(host);
	iofd_ctx_free(ctx);
	return ret;
}

/*
 * The command table. A command takes min_args..max_args positional
 * arguments (max_args < 0: no limit); later commands (bind BDF, unbind
 * BDF) are one line each here, with their code in a file of their own.
 */
struct command {
	const char *name;
	const char *args;	/* for messages, e.g. "DEVICE..." */
	int min_args, max_args;
	int (*run)(const struct options *o, int argc, char **argv);
	const char *help;	/* its --help; NULL: the tool's */
};

static const struct command commands[] = {
	{ "probe", "", 0, 0, cmd_probe, NULL },
	{ "place", "at least one DEVICE", 1, -1, cmd_place, place_usage_text },
	{ "bind", "one DEVICE", 1, 1, cmd_bind, bind_usage_text },
	{ "unbind", "one DEVICE", 1, 1, cmd_unbind, bind_usage_text },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int parse_backend(const char *arg, enum iofd_backend *ret)
{
	for (int b = IOFD_BACKEND_AUTO; b <= IOFD_BACKEND_COMPAT; b++) {
		const char *name = iofd_backend_name(b);

		if (name && !strcmp(name, arg)) {
			*ret = b;
			return 0;
		}
	}
	return -EINVAL;
}

enum {
	OPT_JSON = 0x100,
	OPT_SYSFS_ROOT,
	OPT_DEV_ROOT,
	OPT_BACKEND,
	OPT_DIRTY,
	OPT_FORCE,
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "sysfs-root", required_argument, NULL, OPT_SYSFS_ROOT },
		{ "dev-root", required_argument, NULL, OPT_DEV_ROOT },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "dirty", no_argument, NULL, OPT_DIRTY },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { .backend = IOFD_BACKEND_AUTO };
	const struct command *cmd;
	bool help = false;
	int c;

	opterr = 0;	/* our own messages, with exit code 2 */
	while ((c = getopt_long(argc, argv, ":vhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			o.json = true;
			break;
		case OPT_SYSFS_ROOT:
		case OPT_DEV_ROOT:
			if (!*optarg)
				return usage_error("%s needs a directory, not an empty string",
						   c == OPT_SYSFS_ROOT ? "--sysfs-root" : "--dev-root");
			if (c == OPT_SYSFS_ROOT)
				o.sysfs_root = optarg;
			else
				o.dev_root = optarg;
			break;
		case OPT_BACKEND:
			if (parse_backend(optarg, &o.backend) < 0)
				return usage_error("unknown backend '%s' (auto, iommufd, type1 or compat)",
						   optarg);
			break;
		case OPT_DIRTY:
			o.dirty = true;
			break;
		case OPT_FORCE:
			o.force = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			/* after the loop: "COMMAND --help" is COMMAND's */
			help = true;
			break;
		case 'V':
			printf("iofdctl %s (libiommufd %s)\n", IOFD_VERSION, iofd_version());
			return fflush(stdout) == EOF ? EXIT_LIBERR : EXIT_SUCCESS;
		case ':':
			return usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			for (const struct option *l = longopts; optopt && l->name; l++)
				if (l->val == optopt && l->has_arg == no_argument)
					return usage_error("option '--%s' takes no argument",
							   l->name);
			if (optopt > 0 && optopt < 0x100)
				return usage_error("unknown option '-%c'", optopt);
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}

	const char *name = optind < argc ? argv[optind++] : "probe";

	cmd = find_command(name);
	if (help) {
		fputs(cmd && cmd->help ? cmd->help : usage_text, stdout);
		return fflush(stdout) == EOF ? EXIT_LIBERR : EXIT_SUCCESS;
	}
	if (!cmd)
		return usage_error("unknown command '%s'", name);
	if (cmd->help)
		help_command = cmd->name;
	if (o.dirty && cmd->run != cmd_place)
		return usage_error("option '--dirty' is for 'place' only");
	if (o.force && cmd->run != cmd_bind)
		return usage_error("option '--force' is for 'bind' only");
	int nargs = argc - optind;

	if (nargs < cmd->min_args)
		return usage_error("'%s' needs %s", cmd->name, cmd->args);
	if (cmd->max_args >= 0 && nargs > cmd->max_args)
		return usage_error("'%s' takes %s: unexpected '%s'", cmd->name,
				   cmd->max_args == 0 ? "no arguments" : "fewer arguments",
				   argv[optind + cmd->max_args]);
	return tool_host_finish(cmd->run(&o, nargs, argv + optind));
}
