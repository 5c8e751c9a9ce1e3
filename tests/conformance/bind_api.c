// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iofd_host_bind_vfio() and iofd_host_unbind_vfio(): handing a PCI device
 * to vfio-pci and giving it back, on the simulator and, with
 * IOFD_KERNEL=real, on the lab's kernel (tests/vm/suite.sh: "bind").
 *
 * The lab's tests (on the lab's host, rebuilt on the simulator too): an
 * NVMe controller goes back to the host (its nvme driver when the kernel
 * has one: the controller, its namespace's block device and their /dev
 * nodes appear; without one it stays unbound), comes back to vfio-pci,
 * and then opens and answers config-space reads; the e1000e goes back to
 * e1000e, its interface is brought up, the bind is refused with nothing
 * changed, and IOFD_BIND_FORCE takes it. On the real kernel only: an NVMe
 * namespace with a mounted ext2 filesystem, then used as swap, is refused
 * likewise, and bound once unused. Every lab device ends on vfio-pci (the
 * lab's later tests in the same boot need them there), even when a test
 * fails: the group's teardown puts them back.
 *
 * The simulator-only tests: refusal of devices the host uses, forcing,
 * vfio-pci absent, a probe that fails, group viability, and every kernel
 * call failing in turn with the device's state checked unchanged.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/swap.h>
#include <sys/wait.h>

#include <libiommufd.h>

#include "harness.h"

/* ------------------------------------------------------------------------
 * The log, and the context
 */

static char logbuf[16384];

static void log_to_buf(void *userdata, int priority, const char *msg)
{
	size_t used = strlen(logbuf);

	(void)userdata;
	(void)priority;
	snprintf(logbuf + used, sizeof(logbuf) - used, "%s\n", msg);
}

static bool logged(const char *what)
{
	return strstr(logbuf, what) != NULL;
}

static struct iofd_ctx *ctx_for(struct kern *k)
{
	IOFD_OPTS(iofd_ctx_opts, o, .log_fn = log_to_buf, .log_priority = 7);
	struct iofd_ctx *ctx = NULL;

	if (k->sim)
		assert_int_equal(iofd_sim_ctx_opts(k->sim, &o), 0);
	assert_int_equal(iofd_ctx_new(&ctx, &o), 0);
	logbuf[0] = '\0';
	return ctx;
}

/* ------------------------------------------------------------------------
 * A device's state, from sysfs
 */

struct state {
	char driver[64];	/* "" unbound */
	char override[256];	/* as shown: "(null)" for none */
};

static void state_of(struct kern *k, const char *bdf, struct state *st)
{
	char path[PATH_MAX], target[PATH_MAX], rel[128];
	ssize_t n;
	size_t len;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver", k_sysfs(k), bdf);
	n = readlink(path, target, sizeof(target) - 1);
	st->driver[0] = '\0';
	if (n > 0) {
		target[n] = '\0';
		snprintf(st->driver, sizeof(st->driver), "%s", strrchr(target, '/') + 1);
	}
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/driver_override", bdf);
	assert_int_equal(k_sysfs_text(k, rel, st->override, sizeof(st->override)), 0);
	len = strlen(st->override);
	if (len && st->override[len - 1] == '\n')
		st->override[len - 1] = '\0';
}

static void assert_state(struct kern *k, const char *bdf, const char *driver,
			 const char *override)
{
	struct state st;

	state_of(k, bdf, &st);
	if (strcmp(st.driver, driver) || strcmp(st.override, override))
		fail_msg("%s: driver '%s', driver_override '%s'; expected '%s', '%s'\nlog:\n%s",
			 bdf, st.driver, st.override, driver, override, logbuf);
}

static bool sysfs_has(struct kern *k, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", k_sysfs(k), rel);
	return access(path, F_OK) == 0;
}

/* ------------------------------------------------------------------------
 * The lab's test: on the lab's kernel and on its copy on the simulator
 */

/* The @nth NVMe controller on vfio-pci. */
static void nth_nvme(struct kern *k, unsigned int nth, struct k_vdev *v)
{
	for (unsigned int i = 0;; i++) {
		char rel[128];
		uint64_t class_code;

		k_vfio_dev(k, i, v);	/* skips when there are no more */
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/class", v->bdf);
		if (k_sysfs_u64(k, rel, 16, &class_code) == 0 && class_code == 0x010802 &&
		    nth-- == 0)
			return;
	}
}

static const char *k_dev(struct kern *k)
{
	return k->sim ? iofd_sim_dev_root(k->sim) : "/dev";
}

/* Is SYSFS/class/@class/@name's device (its "device" link) the PCI
 * device @bdf? */
static bool class_dev_is(struct kern *k, const char *class, const char *name, const char *bdf)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/class/%s/%s/device", k_sysfs(k), class, name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return !strcmp(strrchr(target, '/') ? strrchr(target, '/') + 1 : target, bdf);
}

/* A block device below the PCI device @bdf (SYSFS/class/block/X resolves
 * below it: the nvme driver's namespaces are children of its controller). */
static bool block_below(struct kern *k, const char *bdf, char *blk, size_t len)
{
	char path[PATH_MAX], *dev, *real;
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", k_sysfs(k), bdf);
	dev = realpath(path, NULL);
	snprintf(path, sizeof(path), "%s/class/block", k_sysfs(k));
	d = opendir(path);
	while (dev && d && !found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/class/block/%s", k_sysfs(k), de->d_name);
		real = realpath(path, NULL);
		if (real && !strncmp(real, dev, strlen(dev)) && real[strlen(dev)] == '/') {
			snprintf(blk, len, "%.63s", de->d_name);
			found = true;
		}
		free(real);
	}
	if (d)
		closedir(d);
	free(dev);
	return found;
}

/* What the nvme driver made of the controller at @bdf, waiting up to 10 s
 * (it scans namespaces in a work item after its probe; devtmpfs makes the
 * nodes): its controller SYSFS/class/nvme/nvmeN with /dev/nvmeN, and a
 * namespace's block device with its /dev node. */
static bool nvme_host_nodes(struct kern *k, const char *bdf, char *ctrl, size_t clen, char *blk,
			    size_t blen)
{
	char path[PATH_MAX];

	ctrl[0] = blk[0] = '\0';
	for (int ms = 0; ms < 10000; ms += 50) {
		struct dirent *de;
		DIR *d;

		snprintf(path, sizeof(path), "%s/class/nvme", k_sysfs(k));
		d = opendir(path);
		while (d && !ctrl[0] && (de = readdir(d)))
			if (de->d_name[0] != '.' && class_dev_is(k, "nvme", de->d_name, bdf))
				snprintf(ctrl, clen, "%.63s", de->d_name);
		if (d)
			closedir(d);
		if (ctrl[0] && block_below(k, bdf, blk, blen)) {
			char p2[PATH_MAX];

			snprintf(path, sizeof(path), "%s/%s", k_dev(k), ctrl);
			snprintf(p2, sizeof(p2), "%s/%s", k_dev(k), blk);
			if (!access(path, F_OK) && !access(p2, F_OK))
				return true;
		}
		usleep(50 * 1000);
	}
	return false;
}

/* After a bind: the VFIO nodes exist at once (the library waited for
 * them), and the bind did not say they were late. */
static void assert_vfio_nodes(struct kern *k, const char *bdf)
{
	char rel[128], name[64], path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(rel, sizeof(rel), "%s/bus/pci/devices/%s/iommu_group", k_sysfs(k), bdf);
	assert_true(realpath(rel, path) != NULL);
	snprintf(name, sizeof(name), "%s", strrchr(path, '/') + 1);
	snprintf(path, sizeof(path), "%s/vfio/%s", k_dev(k), name);
	if (access(path, F_OK))
		fail_msg("%s: no %s after the bind\nlog:\n%s", bdf, path, logbuf);
	snprintf(rel, sizeof(rel), "%s/bus/pci/devices/%s/vfio-dev", k_sysfs(k), bdf);
	d = opendir(rel);
	name[0] = '\0';
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4))
			snprintf(name, sizeof(name), "%.63s", de->d_name);
	if (d)
		closedir(d);
	if (name[0]) {
		snprintf(path, sizeof(path), "%s/vfio/devices/%s", k_dev(k), name);
		if (access(path, F_OK))
			fail_msg("%s: no %s after the bind\nlog:\n%s", bdf, path, logbuf);
	}
	assert_false(logged("did not appear"));
	/* On the real kernel the library waited with its uevent monitor, which
	 * needs no udevd (the lab's guest has none), not by polling. */
	if (!k->sim && !logged("waited on kernel uevents"))
		fail_msg("%s: the bind did not wait with its uevent monitor\nlog:\n%s", bdf, logbuf);
}

/* Open @bdf with the library and read its vendor and device ids from
 * config space: they match sysfs. */
static void assert_opens_and_reads_config(struct kern *k, struct iofd_ctx *ctx, const char *bdf)
{
	struct iofd_device *dev = NULL;
	uint64_t vendor, device;
	uint8_t cfg[4];
	char rel[128];
	int r;

	r = iofd_device_open(&dev, ctx, bdf, NULL);
	if (r)
		fail_msg("%s: iofd_device_open: %d\nlog:\n%s", bdf, r, logbuf);
	assert_int_equal(iofd_device_region_read(dev, IOFD_PCI_CONFIG, 0, cfg, sizeof(cfg)),
			 sizeof(cfg));
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/vendor", bdf);
	assert_int_equal(k_sysfs_u64(k, rel, 16, &vendor), 0);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/device", bdf);
	assert_int_equal(k_sysfs_u64(k, rel, 16, &device), 0);
	assert_int_equal(cfg[0] | cfg[1] << 8, vendor);
	assert_int_equal(cfg[2] | cfg[3] << 8, device);
	iofd_device_close(dev);
}

static void a_controller_goes_back_to_the_host_and_returns(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_device *dev = NULL;
	struct iofd_ctx *ctx;
	struct k_vdev v;
	struct state st;
	bool has_nvme = sysfs_has(k, "bus/pci/drivers/nvme");
	char rel[128], ctrl[64], blk[64];

	nth_nvme(k, 0, &v);
	ctx = ctx_for(k);
	state_of(k, v.bdf, &st);
	assert_string_equal(st.driver, "vfio-pci");

	/* Open here: refused before the kernel's unbind would wait on us. */
	assert_int_equal(iofd_device_open(&dev, ctx, v.bdf, NULL), 0);
	logbuf[0] = '\0';
	assert_int_equal(iofd_host_unbind_vfio(ctx, v.bdf, 0), -EBUSY);
	assert_true(logged("open in this context"));
	assert_state(k, v.bdf, st.driver, st.override);	/* as it was */
	iofd_device_close(dev);
	dev = NULL;

	/* Back to the host: its nvme driver takes it, or, without one, nobody. */
	assert_int_equal(iofd_host_unbind_vfio(ctx, v.bdf, 0), 0);
	assert_state(k, v.bdf, has_nvme ? "nvme" : "", "(null)");
	if (has_nvme) {
		assert_true(logged("is on nvme"));
		if (!nvme_host_nodes(k, v.bdf, ctrl, sizeof(ctrl), blk, sizeof(blk)))
			fail_msg("%s on nvme: no controller '%s' or namespace '%s' with /dev nodes "
				 "within 10 s", v.bdf, ctrl, blk);
		printf("note: %s on nvme: %s, %s\n", v.bdf, ctrl, blk);
	} else {
		printf("note: this kernel has no nvme driver: %s stays unbound\n", v.bdf);
	}
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/vfio-dev", v.bdf);
	assert_false(sysfs_has(k, rel));	/* no VFIO device any more */
	assert_int_equal(iofd_device_open(&dev, ctx, v.bdf, NULL), -ENODEV);
	/* Given back already: nothing to do. */
	assert_int_equal(iofd_host_unbind_vfio(ctx, v.bdf, 0), 1);

	/* And to vfio-pci again (unused by the host: no force needed), where
	 * it opens and answers. */
	logbuf[0] = '\0';
	assert_int_equal(iofd_host_bind_vfio(ctx, v.bdf, 0), 0);
	assert_state(k, v.bdf, "vfio-pci", "vfio-pci");
	assert_vfio_nodes(k, v.bdf);
	if (has_nvme) {
		snprintf(rel, sizeof(rel), "class/nvme/%s", ctrl);
		assert_false(sysfs_has(k, rel));	/* nvme let go of it */
		snprintf(rel, sizeof(rel), "class/block/%s", blk);
		assert_false(sysfs_has(k, rel));
	}
	assert_int_equal(iofd_host_bind_vfio(ctx, v.bdf, 0), 1);
	assert_opens_and_reads_config(k, ctx, v.bdf);
	iofd_ctx_free(ctx);
}

/* Bring interface @ifname up, as `ip link set dev IF up` does (SIOCSIFFLAGS
 * on any socket: the lab's kernel has no INET). */
static void if_up(const char *ifname)
{
	struct ifreq ifr;
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		fail_msg("SIOCSIFFLAGS %s up: %s", ifname, strerror(errno));
	close(s);
}

static bool if_is_up(struct kern *k, const char *ifname)
{
	char rel[128];
	uint64_t flags = 0;

	snprintf(rel, sizeof(rel), "class/net/%s/flags", ifname);
	return k_sysfs_u64(k, rel, 16, &flags) == 0 && (flags & IFF_UP);
}

/* The lab's e1000e given back to its driver, its interface brought up:
 * refused, nothing changed; forced: taken. */
static void an_interface_that_is_up_is_refused(void **state)
{
	struct kern *k = KERN(state);
	char bdf[32] = "", rel[256], path[PATH_MAX];
	struct iofd_ctx *ctx;

	if (!k->sim && !sysfs_has(k, "bus/pci/drivers/e1000e"))
		skip();	/* a kernel without the e1000e driver (tests/vm/kernel.config has it) */
	for (unsigned int i = 0;; i++) {
		struct k_vdev v;
		uint64_t class_code;

		k_vfio_dev(k, i, &v);
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/class", v.bdf);
		if (k_sysfs_u64(k, rel, 16, &class_code) == 0 && (class_code >> 8) == 0x0200) {
			snprintf(bdf, sizeof(bdf), "%s", v.bdf);
			break;
		}
	}
	ctx = ctx_for(k);
	assert_int_equal(iofd_host_unbind_vfio(ctx, bdf, 0), 0);
	if (k->sim) {
		/* the lab's copy has no e1000e driver: nothing to bring up */
		assert_state(k, bdf, "", "(null)");
	} else {
		char ifname[64] = "";
		struct dirent *de;
		DIR *d;

		assert_state(k, bdf, "e1000e", "(null)");
		assert_true(logged("is on e1000e"));
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/net", bdf);
		for (int ms = 0; ms < 5000 && access(path, F_OK); ms += 50)
			usleep(50 * 1000);
		d = opendir(path);
		assert_non_null(d);
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				snprintf(ifname, sizeof(ifname), "%.63s", de->d_name);
		closedir(d);
		assert_true(ifname[0]);
		/* Down, it is not in use: the check sees the flag, not the driver. */
		assert_false(if_is_up(k, ifname));
		if_up(ifname);
		assert_true(if_is_up(k, ifname));
		logbuf[0] = '\0';
		assert_int_equal(iofd_host_bind_vfio(ctx, bdf, 0), -EBUSY);
		snprintf(path, sizeof(path), "network interface %s is up", ifname);
		if (!logged(path))
			fail_msg("the log does not say '%s':\n%s", path, logbuf);
		/* Nothing changed: its driver, no driver_override, still up. */
		assert_state(k, bdf, "e1000e", "(null)");
		assert_true(if_is_up(k, ifname));
		logbuf[0] = '\0';
		assert_int_equal(iofd_host_bind_vfio(ctx, bdf, IOFD_BIND_FORCE), 0);
		assert_true(logged("taken anyway"));
		snprintf(rel, sizeof(rel), "class/net/%s", ifname);
		assert_false(sysfs_has(k, rel));	/* e1000e let go of it */
		assert_state(k, bdf, "vfio-pci", "vfio-pci");
		assert_vfio_nodes(k, bdf);
		assert_opens_and_reads_config(k, ctx, bdf);
		iofd_ctx_free(ctx);
		return;
	}
	assert_int_equal(iofd_host_bind_vfio(ctx, bdf, IOFD_BIND_FORCE), 0);
	assert_state(k, bdf, "vfio-pci", "vfio-pci");
	iofd_ctx_free(ctx);
}

/* ------------------------------------------------------------------------
 * The lab's kernel only: a namespace the host uses
 */

static char mnt_dir[64];	/* our mount point while mounted, else "" */
static char swap_dev[64];	/* our swap device while swapping, else "" */

/* Run "@prog @arg" quietly: its exit status (127: not found). */
static int sh(const char *prog, const char *arg)
{
	char cmd[512];
	int st;

	snprintf(cmd, sizeof(cmd), "PATH=/usr/sbin:/sbin:/usr/bin:/bin; %s %s >/dev/null 2>&1",
		 prog, arg);
	st = system(cmd);
	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void a_namespace_in_use_is_refused(void **state)
{
	struct kern *k = KERN(state);
	char ctrl[64], blk[64], node[80], rel[128];
	struct iofd_ctx *ctx;
	struct k_vdev v;

	if (!sysfs_has(k, "bus/pci/drivers/nvme"))
		skip();	/* a kernel without the nvme driver (tests/vm/kernel.config has it) */
	nth_nvme(k, 1, &v);	/* the other controller than the test above */
	ctx = ctx_for(k);
	assert_int_equal(iofd_host_unbind_vfio(ctx, v.bdf, 0), 0);
	assert_state(k, v.bdf, "nvme", "(null)");
	if (!nvme_host_nodes(k, v.bdf, ctrl, sizeof(ctrl), blk, sizeof(blk)))
		fail_msg("%s on nvme: no namespace with a /dev node within 10 s", v.bdf);
	snprintf(node, sizeof(node), "/dev/%s", blk);

	/* Mounted: refused, the mount point named, nothing changed. */
	if (sh("mke2fs -q -F", node) == 127) {
		printf("skip: no mke2fs here\n");
		skip();	/* the teardown puts the controller back */
	}
	snprintf(mnt_dir, sizeof(mnt_dir), "/tmp/iofd-bind-XXXXXX");
	assert_non_null(mkdtemp(mnt_dir));
	if (mount(node, mnt_dir, "ext2", 0, NULL))
		fail_msg("mount %s on %s: %s", node, mnt_dir, strerror(errno));
	logbuf[0] = '\0';
	assert_int_equal(iofd_host_bind_vfio(ctx, v.bdf, 0), -EBUSY);
	if (!logged(blk) || !logged("is mounted on") || !logged(mnt_dir))
		fail_msg("the log does not say that %s is mounted on %s:\n%s", blk, mnt_dir, logbuf);
	assert_state(k, v.bdf, "nvme", "(null)");
	snprintf(rel, sizeof(rel), "class/block/%s", blk);
	assert_true(sysfs_has(k, rel));
	assert_int_equal(umount(mnt_dir), 0);

	/* Mounted in another mount namespace (a container's, a service's
	 * private one): this process's mountinfo does not show it, but the
	 * kernel holds the disk exclusively, and that is what is asked. */
	{
		int up[2], down[2];
		char c = 0;
		pid_t pid;

		assert_int_equal(pipe(up), 0);
		assert_int_equal(pipe(down), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
			    mount(node, mnt_dir, "ext2", 0, NULL))
				_exit(1);
			(void)!write(up[1], "m", 1);
			(void)!read(down[0], &c, 1);	/* until the parent has asked */
			_exit(0);
		}
		if (read(up[0], &c, 1) != 1)
			fail_msg("the child could not mount %s in a namespace of its own", node);
		logbuf[0] = '\0';
		assert_int_equal(iofd_host_bind_vfio(ctx, v.bdf, 0), -EBUSY);
		if (!logged("held open exclusively") || logged("is mounted on"))
			fail_msg("the log does not say that %s is held exclusively:\n%s", blk, logbuf);
		assert_state(k, v.bdf, "nvme", "(null)");
		(void)!write(down[1], "x", 1);
		assert_int_equal(waitpid(pid, NULL, 0), pid);	/* its namespace, and mount, go */
		close(up[0]);
		close(up[1]);
		close(down[0]);
		close(down[1]);
	}
	rmdir(mnt_dir);
	mnt_dir[0] = '\0';

	/* Swap: likewise. */
	if (sh("mkswap", node) == 0) {
		snprintf(swap_dev, sizeof(swap_dev), "%.63s", node);
		if (swapon(node, 0))
			fail_msg("swapon %s: %s", node, strerror(errno));
		logbuf[0] = '\0';
		assert_int_equal(iofd_host_bind_vfio(ctx, v.bdf, 0), -EBUSY);
		snprintf(rel, sizeof(rel), "%s is used as swap", blk);
		if (!logged(rel))
			fail_msg("the log does not say '%s':\n%s", rel, logbuf);
		assert_state(k, v.bdf, "nvme", "(null)");
		assert_int_equal(swapoff(node), 0);
		swap_dev[0] = '\0';
	} else {
		printf("note: no mkswap here: the swap case was not run\n");
	}

	/* Unused again: taken without force. */
	logbuf[0] = '\0';
	assert_int_equal(iofd_host_bind_vfio(ctx, v.bdf, 0), 0);
	assert_false(logged("in use"));
	assert_state(k, v.bdf, "vfio-pci", "vfio-pci");
	snprintf(rel, sizeof(rel), "class/block/%s", blk);
	assert_false(sysfs_has(k, rel));
	assert_vfio_nodes(k, v.bdf);
	assert_opens_and_reads_config(k, ctx, v.bdf);
	iofd_ctx_free(ctx);
}

/* After the lab's tests, pass or fail: nothing of ours mounted or swapping,
 * and every device the lab bound (IOFD_VM_VFIO_DEVICES) on vfio-pci again. */
static int lab_put_back(void **state)
{
	IOFD_OPTS(iofd_ctx_opts, o);
	const char *devs = getenv("IOFD_VM_VFIO_DEVICES");
	struct iofd_ctx *ctx = NULL;
	char list[512], *save = NULL;
	int bad = 0;

	(void)state;
	if (mnt_dir[0]) {
		umount(mnt_dir);
		rmdir(mnt_dir);
		mnt_dir[0] = '\0';
	}
	if (swap_dev[0]) {
		swapoff(swap_dev);
		swap_dev[0] = '\0';
	}
	if (!devs || !*devs)
		return 0;
	if (iofd_ctx_new(&ctx, &o) < 0) {
		printf("teardown: no context: the lab's devices were not put back on vfio-pci\n");
		return -1;
	}
	snprintf(list, sizeof(list), "%s", devs);
	for (char *bdf = strtok_r(list, " ", &save); bdf; bdf = strtok_r(NULL, " ", &save)) {
		int r = iofd_host_bind_vfio(ctx, bdf, IOFD_BIND_FORCE);

		if (r < 0) {
			fprintf(stderr, "teardown: %s not back on vfio-pci: %s\n", bdf, strerror(-r));
			bad = 1;
		} else if (r == 0) {
			fprintf(stderr, "teardown: %s put back on vfio-pci\n", bdf);
		}
	}
	iofd_ctx_free(ctx);
	return bad ? -1 : 0;
}

/* ------------------------------------------------------------------------
 * The simulator's own host: devices on their host drivers
 */

#define NVME0 "0000:00:03.0"
#define NVME1 "0000:00:04.0"
#define NIC "0000:00:02.0"
#define VGA "0000:00:01.0"
#define NOGROUP "0000:00:06.0"
#define SHARED0 "0000:00:05.0"
#define SHARED1 "0000:00:05.1"

static void add_dev(struct iofd_sim *sim, const char *bdf, int iommu, const char *driver,
		    uint32_t class_code, uint32_t flags, int group)
{
	IOFD_OPTS(iofd_sim_pci_opts, o, .bdf = bdf, .iommu = iommu, .driver = driver,
		  .class_code = class_code, .vendor = class_code == 0x010802 ? 0x1b36 : 0x8086,
		  .device = 0x0010, .flags = flags, .group = group);

	assert_int_equal(iofd_sim_add_pci(sim, &o), 0);
}

/* A VT-d unit; two NVMe controllers on nvme, an e1000e, the boot VGA
 * device, an NVMe without an IOMMU, and two NVMe functions sharing a group. */
static void host(struct kern *k)
{
	int u = k_sim_add_vtd(k->sim, 0xf00fca);

	assert_true(u >= 0);
	add_dev(k->sim, VGA, u, "bochs-drm", 0x030000, IOFD_SIM_PCI_BOOT_VGA, 0);
	add_dev(k->sim, NIC, u, "e1000e", 0x020000, 0, 0);
	add_dev(k->sim, NVME0, u, "nvme", 0x010802, 0, 0);
	add_dev(k->sim, NVME1, u, "nvme", 0x010802, 0, 0);
	add_dev(k->sim, SHARED0, u, "nvme", 0x010802, IOFD_SIM_PCI_GROUP, 10);
	add_dev(k->sim, SHARED1, u, "nvme", 0x010802, IOFD_SIM_PCI_GROUP, 10);
	add_dev(k->sim, NOGROUP, -1, "nvme", 0x010802, 0, 0);
}

static int setup_host(void **state)
{
	int r = kern_setup(state);

	if (r == 0)
		host(KERN(state));
	return r;
}

static int setup_no_vfio_pci(void **state)
{
	return kern_setup_with(state, setup_host, IOFD_SIM_NO_VFIO_PCI);
}

static void bind_takes_a_controller_from_nvme(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_ctx *ctx = ctx_for(k);
	struct iofd_device *dev = NULL;

	assert_true(sysfs_has(k, "class/block/nvme0n1"));
	assert_int_equal(iofd_host_bind_vfio(ctx, "00:03.0", 0), 0);
	assert_state(k, NVME0, "vfio-pci", "vfio-pci");
	assert_false(sysfs_has(k, "class/block/nvme0n1"));	/* nvme let go of it */
	assert_true(sysfs_has(k, "bus/pci/devices/" NVME0 "/vfio-dev"));
	assert_true(logged("IOMMU group"));
	assert_int_equal(iofd_device_open(&dev, ctx, NVME0, NULL), 0);
	iofd_device_close(dev);
	/* Already there: success, nothing done (by address with its domain too). */
	logbuf[0] = '\0';
	assert_int_equal(iofd_host_bind_vfio(ctx, NVME0, 0), 1);
	assert_true(logged("already"));
	assert_state(k, NVME0, "vfio-pci", "vfio-pci");
	/* The other controller was not touched. */
	assert_state(k, NVME1, "nvme", "(null)");
	iofd_ctx_free(ctx);
}

static void unbind_gives_it_back_to_nvme(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_ctx *ctx = ctx_for(k);
	char path[PATH_MAX];

	assert_int_equal(iofd_host_bind_vfio(ctx, NVME0, 0), 0);
	/* By sysfs path, as iofd_device_open() takes it too. */
	snprintf(path, sizeof(path), "%s/bus/pci/devices/" NVME0, k_sysfs(k));
	assert_int_equal(iofd_host_unbind_vfio(ctx, path, 0), 0);
	assert_state(k, NVME0, "nvme", "(null)");
	assert_true(sysfs_has(k, "class/block/nvme0n1"));
	assert_false(sysfs_has(k, "bus/pci/devices/" NVME0 "/vfio-dev"));
	assert_true(logged("is on nvme"));
	/* Not on vfio-pci: nothing to do. */
	assert_int_equal(iofd_host_unbind_vfio(ctx, NVME1, 0), 1);
	assert_state(k, NVME1, "nvme", "(null)");
	iofd_ctx_free(ctx);
}

static void unbind_refuses_a_device_open_here(void **state)
{
	/* By its group (type1) and by its cdev (iofd): the kernel's unbind
	 * would wait for either, so the library refuses first. */
	static const int backends[] = { IOFD_BACKEND_TYPE1, IOFD_BACKEND_IOMMUFD };
	struct kern *k = KERN(state);

	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		IOFD_OPTS(iofd_ctx_opts, o, .log_fn = log_to_buf, .log_priority = 7);
		struct iofd_device *dev = NULL;
		struct iofd_ctx *ctx = NULL;

		assert_int_equal(iofd_sim_ctx_opts(k->sim, &o), 0);
		o.backend = backends[i];
		assert_int_equal(iofd_ctx_new(&ctx, &o), 0);
		assert_int_equal(iofd_host_bind_vfio(ctx, NVME0, 0), 0);
		assert_int_equal(iofd_device_open(&dev, ctx, NVME0, NULL), 0);
		logbuf[0] = '\0';
		assert_int_equal(iofd_host_unbind_vfio(ctx, NVME0, 0), -EBUSY);
		assert_true(logged("open in this context"));
		assert_state(k, NVME0, "vfio-pci", "vfio-pci");
		iofd_device_close(dev);
		assert_int_equal(iofd_host_unbind_vfio(ctx, NVME0, 0), 0);
		assert_state(k, NVME0, "nvme", "(null)");
		iofd_ctx_free(ctx);
	}
}

/* Refused with -EBUSY, the reason in the log, nothing changed. */
static void assert_refused(struct kern *k, struct iofd_ctx *ctx, const char *bdf,
			   const char *driver, const char *why)
{
	logbuf[0] = '\0';
	assert_int_equal(iofd_host_bind_vfio(ctx, bdf, 0), -EBUSY);
	if (!logged(why))
		fail_msg("the log does not say '%s':\n%s", why, logbuf);
	assert_state(k, bdf, driver, "(null)");
}

static void devices_in_use_are_refused(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_ctx *ctx = ctx_for(k);

	assert_int_equal(iofd_sim_pci_use(k->sim, NVME0, IOFD_SIM_USE_MOUNTED), 0);
	assert_refused(k, ctx, NVME0, "nvme", "nvme0n1 (259:0) is mounted on /mnt/nvme0n1");
	assert_true(sysfs_has(k, "class/block/nvme0n1"));
	assert_int_equal(iofd_sim_pci_use(k->sim, NVME0, IOFD_SIM_USE_SWAP), 0);
	assert_refused(k, ctx, NVME0, "nvme", "nvme0n1 is used as swap");
	assert_int_equal(iofd_sim_pci_use(k->sim, NVME0, IOFD_SIM_USE_HELD), 0);
	assert_refused(k, ctx, NVME0, "nvme", "nvme0n1 is held by dm-0");
	assert_int_equal(iofd_sim_pci_use(k->sim, NIC, IOFD_SIM_USE_UP), 0);
	assert_refused(k, ctx, NIC, "e1000e", "interface eth0 is up");
	assert_refused(k, ctx, VGA, "bochs-drm", "boot VGA");
	/* The same devices, unused, are taken. */
	assert_int_equal(iofd_sim_pci_use(k->sim, NVME0, 0), 0);
	assert_int_equal(iofd_host_bind_vfio(ctx, NVME0, 0), 0);
	assert_int_equal(iofd_sim_pci_use(k->sim, NIC, 0), 0);
	assert_int_equal(iofd_host_bind_vfio(ctx, NIC, 0), 0);
	assert_state(k, NIC, "vfio-pci", "vfio-pci");
	iofd_ctx_free(ctx);
}

static void force_takes_a_device_in_use(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_ctx *ctx = ctx_for(k);

	assert_int_equal(iofd_sim_pci_use(k->sim, NVME1, IOFD_SIM_USE_MOUNTED), 0);
	assert_int_equal(iofd_host_bind_vfio(ctx, NVME1, IOFD_BIND_FORCE), 0);
	assert_true(logged("taken anyway"));
	assert_state(k, NVME1, "vfio-pci", "vfio-pci");
	assert_int_equal(iofd_host_bind_vfio(ctx, VGA, IOFD_BIND_FORCE), 0);
	assert_state(k, VGA, "vfio-pci", "vfio-pci");
	/* And back: the host driver takes each again. */
	assert_int_equal(iofd_host_unbind_vfio(ctx, VGA, 0), 0);
	assert_state(k, VGA, "bochs-drm", "(null)");
	iofd_ctx_free(ctx);
}

static void missing_vfio_pci_is_enxio(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_ctx *ctx = ctx_for(k);

	assert_int_equal(iofd_host_bind_vfio(ctx, NVME0, 0), -ENXIO);
	assert_true(logged("vfio-pci is not loaded"));
	assert_state(k, NVME0, "nvme", "(null)");
	iofd_ctx_free(ctx);
}

static void a_probe_that_fails_restores_the_device(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_ctx *ctx = ctx_for(k);

	/* No IOMMU group: vfio-pci's probe refuses it; nvme takes it back. */
	assert_int_equal(iofd_host_bind_vfio(ctx, NOGROUP, 0), -EIO);
	assert_true(logged("vfio-pci did not take it"));
	assert_true(logged("no IOMMU group"));
	assert_state(k, NOGROUP, "nvme", "(null)");
	iofd_ctx_free(ctx);
}

static void bad_names_and_flags(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_ctx *ctx = ctx_for(k);
	char path[PATH_MAX];

	assert_int_equal(iofd_host_bind_vfio(NULL, NVME0, 0), -EINVAL);
	assert_int_equal(iofd_host_bind_vfio(ctx, NULL, 0), -EINVAL);
	assert_int_equal(iofd_host_bind_vfio(ctx, "", 0), -EINVAL);
	assert_int_equal(iofd_host_bind_vfio(ctx, NVME0, 1u << 7), -EINVAL);
	assert_int_equal(iofd_host_unbind_vfio(ctx, NVME0, IOFD_BIND_FORCE), -EINVAL);
	assert_int_equal(iofd_host_bind_vfio(ctx, "nvme0", 0), -EINVAL);
	assert_int_equal(iofd_host_bind_vfio(ctx, "0000:00:1f.7", 0), -ENOENT);
	assert_int_equal(iofd_host_unbind_vfio(ctx, "0000:00:1f.7", 0), -ENOENT);
	assert_true(logged("no such PCI device"));
	snprintf(path, sizeof(path), "%s/class/iommu/dmar0", k_sysfs(k));
	assert_int_equal(iofd_host_bind_vfio(ctx, path, 0), -ENODEV);
	assert_state(k, NVME0, "nvme", "(null)");
	iofd_ctx_free(ctx);
}

static void a_group_not_yet_viable_is_reported(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_ctx *ctx = ctx_for(k);
	struct iofd_device *dev = NULL;

	assert_int_equal(iofd_host_bind_vfio(ctx, SHARED0, 0), 0);
	assert_true(logged("IOMMU group 10 is not viable yet: " SHARED1 " (nvme)"));
	assert_state(k, SHARED0, "vfio-pci", "vfio-pci");
	assert_int_equal(iofd_device_open(&dev, ctx, SHARED0, NULL), -EPERM);
	logbuf[0] = '\0';
	assert_int_equal(iofd_host_bind_vfio(ctx, SHARED1, 0), 0);
	assert_true(logged("IOMMU group 10 is viable"));
	assert_int_equal(iofd_device_open(&dev, ctx, SHARED0, NULL), 0);
	iofd_device_close(dev);
	iofd_ctx_free(ctx);
}

/* Every kernel call of a bind, then of an unbind, fails in turn: a failed
 * call leaves the device as it was; one that succeeds anyway (a failed
 * close, a failed probe of the backends) did the whole job. */
static void every_failure_leaves_the_device_as_it_was(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_ctx *ctx = ctx_for(k);
	unsigned int failed = 0, n;

	for (int pass = 0; pass < 2; pass++) {
		bool bind = pass == 0;

		for (n = 1;; n++) {
			uint64_t calls = iofd_sim_calls(k->sim);
			int r;

			assert_int_equal(iofd_sim_fail_nth(k->sim, n, EIO), 0);
			r = bind ? iofd_host_bind_vfio(ctx, NVME0, 0)
				 : iofd_host_unbind_vfio(ctx, NVME0, 0);
			if (iofd_sim_calls(k->sim) - calls < n) {	/* did not fire: fewer calls */
				assert_int_equal(iofd_sim_fail_nth(k->sim, 0, EIO), 0);
				assert_int_equal(r, 0);
				break;
			}
			if (r < 0) {
				failed++;
				assert_state(k, NVME0, bind ? "nvme" : "vfio-pci",
					     bind ? "(null)" : "vfio-pci");
				assert_int_equal(iofd_sim_open_fds(k->sim), 0);
				continue;
			}
			/* It worked despite the failure: put it back for the next turn. */
			assert_state(k, NVME0, bind ? "vfio-pci" : "nvme", bind ? "vfio-pci" : "(null)");
			r = bind ? iofd_host_unbind_vfio(ctx, NVME0, 0)
				 : iofd_host_bind_vfio(ctx, NVME0, 0);
			assert_int_equal(r, 0);
		}
		assert_true(n > 8);
		/* The last bind worked: the unbind pass starts on vfio-pci. */
		assert_state(k, NVME0, bind ? "vfio-pci" : "nvme", bind ? "vfio-pci" : "(null)");
	}
	assert_true(failed > 8);
	iofd_ctx_free(ctx);
}

/* Opening a device the host still drives, on every backend: a clear errno,
 * and the log names its driver; nothing is bound. */
static void opening_a_device_the_host_drives_names_its_driver(void **state)
{
	static const int backends[] = { IOFD_BACKEND_AUTO, IOFD_BACKEND_IOMMUFD,
					IOFD_BACKEND_TYPE1, IOFD_BACKEND_COMPAT };
	struct kern *k = KERN(state);

	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		IOFD_OPTS(iofd_ctx_opts, o, .log_fn = log_to_buf, .log_priority = 7,
			  .backend = backends[i]);
		struct iofd_device *dev = NULL;
		struct iofd_ctx *ctx;

		assert_int_equal(iofd_sim_ctx_opts(k->sim, &o), 0);
		assert_int_equal(iofd_ctx_new(&ctx, &o), 0);
		logbuf[0] = '\0';
		assert_int_equal(iofd_device_open(&dev, ctx, NVME1, NULL), -ENODEV);
		assert_true(logged(NVME1 " is bound to nvme, not vfio-pci"));
		assert_null(dev);
		assert_state(k, NVME1, "nvme", "(null)");
		iofd_ctx_free(ctx);
	}
}

#define T_HOST(f) cmocka_unit_test_setup_teardown(f, setup_host, kern_teardown)

int main(void)
{
	const struct CMUnitTest lab[] = {
		T_LAB(a_controller_goes_back_to_the_host_and_returns),
		T_LAB(an_interface_that_is_up_is_refused),
	};
	/* On the real kernel only: the simulator's copy of the lab has no host
	 * drivers (devices_in_use_are_refused covers the rule there). */
	const struct CMUnitTest real[] = {
		T_LAB(a_namespace_in_use_is_refused),
	};
	const struct CMUnitTest sim[] = {
		T_HOST(bind_takes_a_controller_from_nvme),
		T_HOST(opening_a_device_the_host_drives_names_its_driver),
		T_HOST(unbind_gives_it_back_to_nvme),
		T_HOST(unbind_refuses_a_device_open_here),
		T_HOST(devices_in_use_are_refused),
		T_HOST(force_takes_a_device_in_use),
		cmocka_unit_test_setup_teardown(missing_vfio_pci_is_enxio, setup_no_vfio_pci,
						kern_teardown),
		T_HOST(a_probe_that_fails_restores_the_device),
		T_HOST(bad_names_and_flags),
		T_HOST(a_group_not_yet_viable_is_reported),
		T_HOST(every_failure_leaves_the_device_as_it_was),
	};
	int r = kern_main_check("conformance-bind"), failed = 0;

	if (r)
		return r;
	if (getenv("IOFD_KERNEL") && !strcmp(getenv("IOFD_KERNEL"), "real")) {
		failed += cmocka_run_group_tests_name("lab", lab, NULL, lab_put_back);
		failed += cmocka_run_group_tests_name("lab-real", real, NULL, lab_put_back);
		printf("conformance-bind: %zu simulator-only tests not run on a real kernel\n",
		       sizeof(sim) / sizeof(sim[0]));
	} else {
		failed += cmocka_run_group_tests_name("lab", lab, NULL, NULL);
		printf("conformance-bind: %zu real-kernel-only tests not run on the simulator\n",
		       sizeof(real) / sizeof(real[0]));
		failed += cmocka_run_group_tests_name("sim", sim, NULL, NULL);
	}
	return failed ? 1 : 0;
}
