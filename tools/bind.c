// SPDX-License-Identifier: LGPL-2.1-or-later
/* iofdctl bind and unbind: a device to vfio-pci and back to its host driver. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "iofdctl.h"

const char bind_usage_text[] =
"NAME\n"
"    iofdctl bind, iofdctl unbind - hand a PCI device to vfio-pci, and back\n"
"\n"
"SYNOPSIS\n"
"    iofdctl [OPTIONS] bind [--force] DEVICE\n"
"    iofdctl [OPTIONS] unbind DEVICE\n"
"\n"
"DESCRIPTION\n"
"    bind sets DEVICE's driver_override to vfio-pci, unbinds it from its\n"
"    driver and has the PCI bus probe it again, then checks that vfio-pci\n"
"    took it (libiommufd's iofd_host_bind_vfio()). If anything fails, the\n"
"    device is put back as it was. vfio-pci must be loaded (modprobe\n"
"    vfio-pci). A device on vfio-pci already is left alone.\n"
"\n"
"    bind refuses a device the host uses: an NVMe namespace (or any block\n"
"    device of the device) that is mounted, used as swap or held by device\n"
"    mapper or md; a network interface of the device that is up; the boot\n"
"    VGA device. --force takes it anyway (its users then see I/O errors).\n"
"\n"
"    When other devices of DEVICE's IOMMU group are still on host drivers,\n"
"    bind succeeds but says the group is not viable yet, and names them.\n"
"\n"
"    unbind clears driver_override, unbinds DEVICE from vfio-pci and has the\n"
"    bus probe it, so that its host driver (nvme, e1000e) takes it back; it\n"
"    says which driver did, or that none did. A device not on vfio-pci is\n"
"    left alone. The kernel waits for programs that have the device open.\n"
"\n"
"    A DEVICE is a PCI address (0000:00:03.0, or 00:03.0 in domain 0) or the\n"
"    device's directory in sysfs. Both need root.\n"
"\n"
"OUTPUT\n"
"    One line: what was done and the device's driver now; for bind also its\n"
"    IOMMU group, whether the group is viable, and its VFIO cdev. The\n"
"    library's errors and warnings (why a device is in use, which devices\n"
"    keep its group from being viable) go to stderr, or with --json into\n"
"    \"messages\". --json prints {\"device\", \"command\", \"changed\",\n"
"    \"driver\", \"group\", \"viable\", \"cdev\", \"error\", \"errno\",\n"
"    \"messages\"}; \"error\" is null on success.\n"
"\n"
"EXIT STATUS\n"
"    0  done, or nothing to do\n"
"    1  refused or failed (the device is as it was); the message says why\n"
"    2  bad usage\n"
"\n"
"EXAMPLES\n"
"    iofdctl bind 0000:00:03.0\n"
"    iofdctl bind --force 00:03.0\n"
"    iofdctl --json unbind /sys/bus/pci/devices/0000:00:03.0\n";

/* The library's messages: errors and warnings (everything with -v). */
struct messages {
	char *msg[32];
	size_t n;
	bool all;
};

static void collect(void *userdata, int priority, const char *msg)
{
	struct messages *m = userdata;

	if ((priority > LOG_WARNING && !m->all) || m->n >= sizeof(m->msg) / sizeof(m->msg[0]))
		return;
	m->msg[m->n] = strdup(msg);
	if (m->msg[m->n])
		m->n++;
}

/* What the device looks like now. */
struct after {
	const char *driver;
	int group;		/* -1 none */
	int viable;		/* -1 unknown */
	const char *cdev;
};

static const char *errno_name(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "unknown";
}

static int run(const struct options *opts, const char *name, bool bind)
{
	struct messages m = { .all = opts->verbose };
	struct options o = *opts;
	const char *sysfs_root, *dev_root;
	const struct iofd_hostdev *hd = NULL;
	struct iofd_host *host = NULL;
	struct iofd_ctx *ctx = NULL;
	struct after a = { NULL, -1, -1, NULL };
	int r, ret = EXIT_LIBERR;

	o.log_fn = collect;
	o.log_userdata = &m;
	if (tool_ctx_new(&o, &ctx, &sysfs_root, &dev_root) < 0)
		return EXIT_LIBERR;
	r = bind ? iofd_host_bind_vfio(ctx, name, o.force ? IOFD_BIND_FORCE : 0)
		 : iofd_host_unbind_vfio(ctx, name, 0);
	if (iofd_host_scan(&host, ctx) == 0 && iofd_host_find_dev(host, name, &hd) == 0) {
		const struct iofd_group *g = iofd_hostdev_group(hd);

		a.driver = iofd_hostdev_driver(hd);
		a.group = g ? iofd_group_id(g) : -1;
		a.viable = g ? iofd_group_viable(g) : -1;
		a.cdev = iofd_hostdev_cdev(hd);
	}
	if (o.json) {
		struct json j;

		json_init(&j, stdout);
		json_begin_object(&j, NULL);
		json_string(&j, "device", hd ? iofd_hostdev_name(hd) : name);
		json_string(&j, "command", bind ? "bind" : "unbind");
		json_bool(&j, "changed", r == 0);
		if (a.driver)
			json_string(&j, "driver", a.driver);
		else
			json_null(&j, "driver");
		if (a.group >= 0)
			json_int(&j, "group", a.group);
		else
			json_null(&j, "group");
		json_tristate(&j, "viable", a.viable);
		if (a.cdev)
			json_string(&j, "cdev", a.cdev);
		else
			json_null(&j, "cdev");
		if (r < 0) {
			json_string(&j, "error", strerror(-r));
			json_string(&j, "errno", errno_name(-r));
		} else {
			json_null(&j, "error");
			json_null(&j, "errno");
		}
		json_begin_array(&j, "messages");
		for (size_t i = 0; i < m.n; i++)
			json_string(&j, NULL, m.msg[i]);
		json_end_array(&j);
		json_end_object(&j);
		if (json_finish(&j) < 0)
			r = r < 0 ? r : -EIO;
	} else {
		for (size_t i = 0; i < m.n; i++)
			err_msg("%s", m.msg[i]);
		if (r < 0)
			err_msg("%s %s: %s", bind ? "bind" : "unbind", name, strerror(-r));
		else if (bind)
			say("%s: %s; IOMMU group %d, %s; cdev %s\n", hd ? iofd_hostdev_name(hd) : name,
			    r ? "on vfio-pci already" : "bound to vfio-pci", a.group,
			    a.viable > 0 ? "viable" : "not viable", str_or(a.cdev, "none"));
		else
			say("%s: %s; driver %s\n", hd ? iofd_hostdev_name(hd) : name,
			    r ? "not on vfio-pci, nothing to do" : "given back",
			    str_or(a.driver, "none (unbound)"));
	}
	if (r >= 0 && out_flush() == 0)
		ret = EXIT_SUCCESS;
	iofd_host_free(host);
	iofd_ctx_free(ctx);
	for (size_t i = 0; i < m.n; i++)
		free(m.msg[i]);
	return ret;
}

int cmd_bind(const struct options *o, int argc, char **argv)
{
	return run(o, argv[0], true);
}

int cmd_unbind(const struct options *o, int argc, char **argv)
{
	return run(o, argv[0], false);
}
