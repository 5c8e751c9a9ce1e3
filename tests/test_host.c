// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The host snapshot, read from fake sysfs trees shaped like Linux 6.12's
 * (tests/fake_sysfs.c, whose table of presets these tests check), with the
 * fake kernel behind the seam answering for /dev: IOMMU units and what
 * their registers say, groups and who keeps them from VFIO, drivers, cdevs,
 * lookups by name; trees the kernel does not make; devices vanishing
 * during a scan; a failing kernel call at every position; a failing
 * allocation at every position.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctx.h"
#include "fake_sys.h"
#include "fake_sysfs.h"
#include "host.h"
#include "libiommufd.h"
#include "sysfs.h"

#define SZ_4K (1ull << 12)
#define SZ_2M (1ull << 21)
#define SZ_1G (1ull << 30)

/* ------------------------------------------------------------------------
 * Allocation failure injection: malloc and friends replaced for this test
 * program (glibc supports that; its own strdup, realpath and opendir then
 * come here too). Not under a sanitizer, which owns the allocator.
 */

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || \
	defined(__SANITIZE_HWADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
	__has_feature(memory_sanitizer) || __has_feature(hwaddress_sanitizer)
#define SANITIZED 1
#endif
#endif

#ifndef SANITIZED
/* volatile: the compiler takes malloc() for the builtin that touches no
 * global of ours, and would otherwise move these around calls to it. */
static volatile struct {
	long seen;	/* allocations while armed */
	long fail_at;	/* fail this one (1-based); 0: none */
	bool armed;
	bool failed;	/* the failure happened */
	long live;	/* blocks allocated and not yet freed, always counted */
} alloc_fault;

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);

static bool alloc_should_fail(void)
{
	if (!alloc_fault.armed)
		return false;
	if (++alloc_fault.seen != alloc_fault.fail_at)
		return false;
	alloc_fault.failed = true;
	errno = ENOMEM;
	return true;
}

void *malloc(size_t n)
{
	void *p = alloc_should_fail() ? NULL : __libc_malloc(n);

	alloc_fault.live += p != NULL;
	return p;
}

void *calloc(size_t n, size_t size)
{
	void *p = alloc_should_fail() ? NULL : __libc_calloc(n, size);

	alloc_fault.live += p != NULL;
	return p;
}

void *realloc(void *old, size_t n)
{
	void *p;

	if (alloc_should_fail())
		return NULL;
	p = __libc_realloc(old, n);
	if (!old && p)
		alloc_fault.live++;
	else if (old && !n)
		alloc_fault.live--;	/* glibc frees and returns NULL */
	return p;
}

void free(void *p)
{
	alloc_fault.live -= p != NULL;
	__libc_free(p);
}

static void alloc_arm(long fail_at)
{
	alloc_fault.seen = 0;
	alloc_fault.fail_at = fail_at;
	alloc_fault.failed = false;
	alloc_fault.armed = true;
}

static long alloc_disarm(void)
{
	alloc_fault.armed = false;
	return alloc_fault.seen;
}

/* Blocks the process has allocated and not freed. */
static long heap_in_use(void)
{
	return alloc_fault.live;
}
#endif

/* snprintf that must fit (and tells the compiler it was checked). */
__attribute__((format(printf, 3, 4)))
static void fmt_ok(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, len, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		fail_msg("\"%s\": does not fit in %zu bytes", f, len);
}

/* ------------------------------------------------------------------------
 * The fixture: a tree, the fake kernel, a context and a snapshot.
 */

struct t {
	struct fake_sysfs tree;
	struct fake_sys sys;
	struct iofd_ctx *ctx;
	struct iofd_host *host;
	/* A log callback that may change the tree during the scan. */
	void (*on_log)(struct t *t, const char *msg);
	int logged;
};

/* Trees not yet destroyed: a failing test jumps past t_fini(), and the
 * group teardown removes what it left. */
static char live_trees[16][PATH_MAX];

static void tree_track(const char *root, bool add)
{
	for (size_t i = 0; i < sizeof(live_trees) / sizeof(live_trees[0]); i++) {
		if (add && !live_trees[i][0]) {
			fmt_ok(live_trees[i], sizeof(live_trees[i]), "%s", root);
			return;
		}
		if (!add && !strcmp(live_trees[i], root)) {
			live_trees[i][0] = '\0';
			return;
		}
	}
}

static int remove_left_trees(void **state)
{
	for (size_t i = 0; i < sizeof(live_trees) / sizeof(live_trees[0]); i++) {
		struct fake_sysfs fs = { .temp = true };

		if (!live_trees[i][0])
			continue;
		fmt_ok(fs.root, sizeof(fs.root), "%s", live_trees[i]);
		fake_sysfs_destroy(&fs);
		live_trees[i][0] = '\0';
	}
	return 0;
}

static void t_init(struct t *t)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(fake_sysfs_init(&t->tree, NULL), 0);
	tree_track(t->tree.root, true);
}

static void t_preset(struct t *t, const char *preset)
{
	t_init(t);
	assert_int_equal(fake_sysfs_preset(&t->tree, preset), 0);
}

/* The fake kernel answers for the nodes the tree has: /dev/iommu as
 * iommufd, /dev/vfio/vfio as VFIO's own container. */
static void t_add_nodes(struct t *t)
{
	char path[PATH_MAX];

	t->sys = (struct fake_sys){ 0 };
	fmt_ok(path, sizeof(path), "%s/iommu", t->tree.dev);
	if (access(path, F_OK) == 0)
		fake_sys_add(&t->sys, path, 0, fake_iommufd_ioctl, NULL);
	fmt_ok(path, sizeof(path), "%s/vfio/vfio", t->tree.dev);
	if (access(path, F_OK) == 0)
		fake_sys_add(&t->sys, path, 0, fake_vfio_container_ioctl, NULL);
}

static void t_log(void *userdata, int priority, const char *msg)
{
	struct t *t = userdata;

	t->logged++;
	if (t->on_log)
		t->on_log(t, msg);
}

static void t_ctx(struct t *t)
{
	IOFD_OPTS(iofd_ctx_opts, o, .sysfs_root = t->tree.sys, .dev_root = t->tree.dev,
		  .log_fn = t_log, .log_userdata = t, .log_priority = LOG_DEBUG);

	t_add_nodes(t);
	assert_int_equal(iofd_ctx_new_sys(&t->ctx, &o, &fake_sys_ops, &t->sys), 0);
}

static int t_try_scan(struct t *t)
{
	if (!t->ctx)
		t_ctx(t);
	return iofd_host_scan(&t->host, t->ctx);
}

static void t_scan(struct t *t)
{
	assert_int_equal(t_try_scan(t), 0);
	assert_non_null(t->host);
	assert_int_equal(t->sys.open_fds, 0);
}

static void t_fini(struct t *t)
{
	iofd_host_free(t->host);
	t->host = NULL;
	iofd_ctx_free(t->ctx);
	t->ctx = NULL;
	assert_int_equal(t->sys.open_fds, 0);
	tree_track(t->tree.root, false);
	fake_sysfs_destroy(&t->tree);
}

/* A path under the tree: @sub is relative to its root ("sys/...", "dev/..."). */
static const char *tp(const struct t *t, const char *sub)
{
	static char buf[4][PATH_MAX];
	static int next;
	char *b = buf[next++ % 4];

	fmt_ok(b, PATH_MAX, "%s/%s", t->tree.root, sub);
	return b;
}

static void rm_rf(const struct t *t, const char *sub)
{
	/* Reuse the tree's own remover on a sub-tree. */
	struct fake_sysfs sub_tree = { .temp = true };

	fmt_ok(sub_tree.root, sizeof(sub_tree.root), "%s", tp(t, sub));
	fake_sysfs_destroy(&sub_tree);
}

static const struct iofd_hostdev *dev_named(const struct t *t, const char *name)
{
	for (size_t i = 0; i < iofd_host_dev_count(t->host); i++)
		if (!strcmp(iofd_hostdev_name(iofd_host_dev(t->host, i)), name))
			return iofd_host_dev(t->host, i);
	fail_msg("no device %s in the snapshot", name);
	return NULL;
}

static bool has_dev(const struct t *t, const char *name)
{
	for (size_t i = 0; i < iofd_host_dev_count(t->host); i++)
		if (!strcmp(iofd_hostdev_name(iofd_host_dev(t->host, i)), name))
			return true;
	return false;
}

static const struct iofd_group *group_find(const struct t *t, int id)
{
	for (size_t i = 0; i < iofd_host_group_count(t->host); i++)
		if (iofd_group_id(iofd_host_group(t->host, i)) == id)
			return iofd_host_group(t->host, i);
	return NULL;
}

static const struct iofd_group *group_of(const struct t *t, int id)
{
	const struct iofd_group *g = group_find(t, id);

	if (!g)
		fail_msg("no group %d in the snapshot", id);
	return g;
}

static const struct iofd_iommu *iommu_named(const struct t *t, const char *name)
{
	for (size_t i = 0; i < iofd_host_iommu_count(t->host); i++)
		if (!strcmp(iofd_iommu_name(iofd_host_iommu(t->host, i)), name))
			return iofd_host_iommu(t->host, i);
	fail_msg("no IOMMU %s in the snapshot", name);
	return NULL;
}

static void assert_str_or_null(const char *got, const char *want)
{
	if (!want && got)
		fail_msg("expected NULL, got \"%s\"", got);
	if (want && (!got || strcmp(got, want)))
		fail_msg("expected \"%s\", got %s%s%s", want, got ? "\"" : "", got ? got : "NULL",
			 got ? "\"" : "");
}

/* The members of group @id, space-separated, and its blockers. */
static void assert_group(const struct t *t, int id, const char *type, int viable,
			 const char *members, const char *blockers)
{
	const struct iofd_group *g = group_of(t, id);
	char got[512] = "", got_b[512] = "";

	assert_str_or_null(iofd_group_type(g), type);
	assert_int_equal(iofd_group_viable(g), viable);
	for (size_t i = 0; i < iofd_group_dev_count(g); i++) {
		const struct iofd_hostdev *d = iofd_group_dev(g, i);

		strcat(got, i ? " " : "");
		strcat(got, iofd_hostdev_name(d));
		/* Each member points back at its group. */
		assert_ptr_equal(iofd_hostdev_group(d), g);
	}
	assert_null(iofd_group_dev(g, iofd_group_dev_count(g)));
	for (size_t i = 0; i < iofd_group_blocker_count(g); i++) {
		strcat(got_b, i ? " " : "");
		strcat(got_b, iofd_hostdev_name(iofd_group_blocker(g, i)));
	}
	assert_null(iofd_group_blocker(g, iofd_group_blocker_count(g)));
	if (strcmp(got, members))
		fail_msg("group %d holds \"%s\", expected \"%s\"", id, got, members);
	if (strcmp(got_b, blockers))
		fail_msg("group %d is blocked by \"%s\", expected \"%s\"", id, got_b, blockers);
}

/* Device @name: its driver, group (-1: none), IOMMU and cdev (vfioN, -1: none). */
static void assert_dev(const struct t *t, const char *name, const char *driver, int group,
		       const char *iommu, int cdev)
{
	const struct iofd_hostdev *d = dev_named(t, name);
	char want[PATH_MAX];

	assert_str_or_null(iofd_hostdev_driver(d), driver);
	if (group < 0)
		assert_null(iofd_hostdev_group(d));
	else
		assert_int_equal(iofd_group_id(iofd_hostdev_group(d)), group);
	if (!iommu)
		assert_null(iofd_hostdev_iommu(d));
	else
		assert_str_or_null(iofd_iommu_name(iofd_hostdev_iommu(d)), iommu);
	if (cdev < 0) {
		assert_null(iofd_hostdev_cdev(d));
	} else {
		fmt_ok(want, sizeof(want), "%s/vfio/devices/vfio%d", t->tree.dev, cdev);
		assert_str_or_null(iofd_hostdev_cdev(d), want);
	}
}

static void assert_pci_ids(const struct t *t, const char *name, uint16_t vendor,
			   uint16_t device, uint32_t class_code)
{
	const struct iofd_hostdev *d = dev_named(t, name);
	uint16_t v = 0, dv = 0;
	uint32_t c = 0;

	assert_int_equal(iofd_hostdev_is_pci(d), 1);
	assert_int_equal(iofd_hostdev_pci_ids(d, &v, &dv, &c), 0);
	assert_int_equal(v, vendor);
	assert_int_equal(dv, device);
	assert_int_equal(c, class_code);
}

/* The device list, space-separated, in snapshot order. */
static void assert_dev_order(const struct t *t, const char *want)
{
	char got[1024] = "";

	for (size_t i = 0; i < iofd_host_dev_count(t->host); i++) {
		strcat(got, i ? " " : "");
		strcat(got, iofd_hostdev_name(iofd_host_dev(t->host, i)));
	}
	assert_null(iofd_host_dev(t->host, iofd_host_dev_count(t->host)));
	if (strcmp(got, want))
		fail_msg("devices \"%s\", expected \"%s\"", got, want);
}

static void assert_group_order(const struct t *t, const char *want)
{
	char got[256] = "", id[16];

	for (size_t i = 0; i < iofd_host_group_count(t->host); i++) {
		fmt_ok(id, sizeof(id), "%s%d", i ? " " : "",
			 iofd_group_id(iofd_host_group(t->host, i)));
		strcat(got, id);
	}
	assert_null(iofd_host_group(t->host, iofd_host_group_count(t->host)));
	if (strcmp(got, want))
		fail_msg("groups \"%s\", expected \"%s\"", got, want);
}

static void assert_iommu_order(const struct t *t, const char *want)
{
	char got[256] = "";

	for (size_t i = 0; i < iofd_host_iommu_count(t->host); i++) {
		strcat(got, i ? " " : "");
		strcat(got, iofd_iommu_name(iofd_host_iommu(t->host, i)));
	}
	assert_null(iofd_host_iommu(t->host, iofd_host_iommu_count(t->host)));
	if (strcmp(got, want))
		fail_msg("IOMMUs \"%s\", expected \"%s\"", got, want);
}

static void assert_contains(const char *s, const char *needle)
{
	if (!s || !strstr(s, needle))
		fail_msg("\"%s\" does not contain \"%s\"", s ? s : "(null)", needle);
}

/* ------------------------------------------------------------------------
 * The presets, as the table in tests/fake_sysfs.c describes them
 */

static void none_has_no_iommu_groups_or_backend(void **state)
{
	struct t t;

	t_preset(&t, "none");
	t_scan(&t);
	assert_int_equal(iofd_host_iommu_count(t.host), 0);
	assert_null(iofd_host_iommu(t.host, 0));
	assert_int_equal(iofd_host_group_count(t.host), 0);
	assert_dev_order(&t, "0000:00:00.0 0000:00:03.0");
	assert_pci_ids(&t, "0000:00:00.0", 0x8086, 0x29c0, 0x060000);
	assert_pci_ids(&t, "0000:00:03.0", 0x1b36, 0x0010, 0x010802);
	assert_dev(&t, "0000:00:00.0", NULL, -1, NULL, -1);
	assert_dev(&t, "0000:00:03.0", "nvme", -1, NULL, -1);
	assert_int_equal(iofd_host_auto_backend(t.host), -ENODEV);
	for (int b = IOFD_BACKEND_IOMMUFD; b <= IOFD_BACKEND_COMPAT; b++) {
		assert_int_equal(iofd_host_backend_available(t.host, b), 0);
		assert_contains(iofd_host_backend_reason(t.host, b), "no IOMMU");
	}
	assert_int_equal(iofd_host_container_kind(t.host), IOFD_CONTAINER_NONE);
	/* Nothing to open: the fake kernel saw two failed opens, no fd. */
	assert_int_equal(t.sys.opens, 2);
	t_fini(&t);
}

static void vtd_sc_unit_enforces_coherency(void **state)
{
	const struct iofd_iommu *u;
	uint64_t cap = 0, ecap = 0;
	struct t t;

	t_preset(&t, "vtd-sc");
	t_scan(&t);
	assert_iommu_order(&t, "dmar0");
	u = iommu_named(&t, "dmar0");
	assert_int_equal(iofd_iommu_type(u), IOFD_IOMMU_INTEL_VTD);
	assert_string_equal(iofd_iommu_type_name(iofd_iommu_type(u)), "intel-vtd");
	assert_int_equal(iofd_iommu_enforces_coherency(u), 1);
	assert_int_equal(iofd_iommu_dirty_tracking(u), 0);	/* legacy mode */
	assert_int_equal(iofd_iommu_addr_width(u), 39);
	assert_int_equal(iofd_iommu_pgsizes(u), SZ_4K | SZ_2M | SZ_1G);
	assert_int_equal(iofd_iommu_vtd_regs(u, &cap, &ecap), 0);
	assert_int_equal(cap, 0xd2008c22260206ull);
	assert_int_equal(ecap, 0xf00fcaull);
	/* Either register may be skipped. */
	assert_int_equal(iofd_iommu_vtd_regs(u, NULL, NULL), 0);
	/* Every device is behind it. */
	for (size_t i = 0; i < iofd_host_dev_count(t.host); i++)
		assert_ptr_equal(iofd_hostdev_iommu(iofd_host_dev(t.host, i)), u);
	t_fini(&t);
}

static void vtd_sc_groups_and_who_blocks_them(void **state)
{
	char path[PATH_MAX];
	struct t t;

	t_preset(&t, "vtd-sc");
	t_scan(&t);
	assert_group_order(&t, "0 1 2 3 4 5");
	assert_group(&t, 0, "DMA", 1, "0000:00:00.0", "");
	assert_group(&t, 1, "DMA", 1, "0000:00:02.0", "");
	assert_group(&t, 2, "DMA", 0, "0000:00:1f.0 0000:00:1f.2 0000:00:1f.3",
		     "0000:00:1f.0 0000:00:1f.2 0000:00:1f.3");
	assert_group(&t, 3, "DMA", 1, "0000:00:03.0", "");
	assert_group(&t, 4, "DMA", 1, "0000:00:04.0", "");
	assert_group(&t, 5, "DMA", 0, "0000:01:00.0", "0000:01:00.0");
	/* A VFIO node exactly for the groups with a member on vfio-pci. */
	for (int id = 0; id <= 5; id++) {
		const char *p = iofd_group_path(group_of(&t, id));

		if (id == 3 || id == 4) {
			fmt_ok(path, sizeof(path), "%s/vfio/%d", t.tree.dev, id);
			assert_str_or_null(p, path);
		} else {
			assert_null(p);
		}
	}
	t_fini(&t);
}

static void vtd_sc_devices_drivers_and_cdevs(void **state)
{
	char path[PATH_MAX];
	struct t t;

	t_preset(&t, "vtd-sc");
	t_scan(&t);
	assert_dev_order(&t, "0000:00:00.0 0000:00:02.0 0000:00:03.0 0000:00:04.0 "
			     "0000:00:1f.0 0000:00:1f.2 0000:00:1f.3 0000:01:00.0");
	assert_dev(&t, "0000:00:00.0", NULL, 0, "dmar0", -1);
	assert_dev(&t, "0000:00:02.0", "pcieport", 1, "dmar0", -1);
	assert_dev(&t, "0000:00:03.0", "vfio-pci", 3, "dmar0", 0);
	assert_dev(&t, "0000:00:04.0", "vfio-pci", 4, "dmar0", 1);
	assert_dev(&t, "0000:00:1f.0", "lpc_ich", 2, "dmar0", -1);
	assert_dev(&t, "0000:00:1f.2", "ahci", 2, "dmar0", -1);
	assert_dev(&t, "0000:00:1f.3", "i801_smbus", 2, "dmar0", -1);
	assert_dev(&t, "0000:01:00.0", "e1000e", 5, "dmar0", -1);
	assert_pci_ids(&t, "0000:00:02.0", 0x1b36, 0x000c, 0x060400);
	assert_pci_ids(&t, "0000:00:03.0", 0x1b36, 0x0010, 0x010802);
	assert_pci_ids(&t, "0000:01:00.0", 0x8086, 0x10d3, 0x020000);
	/* Syspaths are canonical: the device behind the root port nests. */
	fmt_ok(path, sizeof(path), "%s/devices/pci0000:00/0000:00:02.0/0000:01:00.0",
		 t.tree.sys);
	assert_string_equal(iofd_hostdev_syspath(dev_named(&t, "0000:01:00.0")), path);
	fmt_ok(path, sizeof(path), "%s/devices/pci0000:00/0000:00:03.0", t.tree.sys);
	assert_string_equal(iofd_hostdev_syspath(dev_named(&t, "0000:00:03.0")), path);
	/* With iommufd, cdevs and VFIO's container, auto takes iommufd. */
	assert_int_equal(iofd_host_auto_backend(t.host), IOFD_BACKEND_IOMMUFD);
	assert_int_equal(iofd_host_container_kind(t.host), IOFD_CONTAINER_VFIO);
	t_fini(&t);
}

static void vtd_nosc_unit_does_not_enforce(void **state)
{
	const struct iofd_iommu *u;
	uint64_t ecap = 0;
	struct t t;

	t_preset(&t, "vtd-nosc");
	t_scan(&t);
	u = iommu_named(&t, "dmar0");
	assert_int_equal(iofd_iommu_enforces_coherency(u), 0);
	assert_int_equal(iofd_iommu_dirty_tracking(u), 0);
	assert_int_equal(iofd_iommu_addr_width(u), 39);
	assert_int_equal(iofd_iommu_vtd_regs(u, NULL, &ecap), 0);
	assert_int_equal(ecap, 0xf00f4aull);
	/* The rest is vtd-sc's. */
	assert_int_equal(iofd_host_dev_count(t.host), 8);
	assert_group_order(&t, "0 1 2 3 4 5");
	assert_dev(&t, "0000:00:03.0", "vfio-pci", 3, "dmar0", 0);
	t_fini(&t);
}

static void vtd_mixed_units_differ(void **state)
{
	const struct iofd_iommu *gfx, *rest;
	struct t t;

	t_preset(&t, "vtd-mixed");
	t_scan(&t);
	assert_iommu_order(&t, "dmar0 dmar1");
	gfx = iommu_named(&t, "dmar0");
	rest = iommu_named(&t, "dmar1");
	assert_int_equal(iofd_iommu_enforces_coherency(gfx), 0);
	assert_int_equal(iofd_iommu_dirty_tracking(gfx), 0);
	assert_int_equal(iofd_iommu_addr_width(gfx), 39);	/* SAGAW 48, MGAW 39 */
	assert_int_equal(iofd_iommu_enforces_coherency(rest), 1);
	assert_int_equal(iofd_iommu_dirty_tracking(rest), 1);	/* scalable mode + SLADS */
	assert_int_equal(iofd_iommu_addr_width(rest), 39);
	assert_int_equal(iofd_iommu_pgsizes(rest), SZ_4K | SZ_2M | SZ_1G);
	assert_dev(&t, "0000:00:02.0", "i915", 0, "dmar0", -1);
	assert_pci_ids(&t, "0000:00:02.0", 0x8086, 0x46a6, 0x030000);
	assert_dev(&t, "0000:01:00.0", "vfio-pci", 3, "dmar1", 0);
	assert_dev(&t, "0000:02:00.0", "vfio-pci", 5, "dmar1", 1);
	assert_dev(&t, "0000:02:00.1", "igb", 5, "dmar1", -1);
	t_fini(&t);
}

static void vtd_mixed_groups(void **state)
{
	char path[PATH_MAX];
	struct t t;

	t_preset(&t, "vtd-mixed");
	t_scan(&t);
	assert_group_order(&t, "0 1 2 3 4 5 6");
	assert_group(&t, 0, "DMA", 0, "0000:00:02.0", "0000:00:02.0");
	assert_group(&t, 1, "identity", 1, "0000:00:00.0", "");
	assert_group(&t, 2, "DMA-FQ", 1, "0000:00:06.0", "");
	assert_group(&t, 3, "DMA-FQ", 1, "0000:01:00.0", "");
	assert_group(&t, 4, "DMA-FQ", 1, "0000:00:1c.0", "");
	/* One function on vfio-pci, its sibling still on igb. */
	assert_group(&t, 5, "DMA-FQ", 0, "0000:02:00.0 0000:02:00.1", "0000:02:00.1");
	assert_group(&t, 6, "DMA-FQ", 0, "0000:00:15.0 INT33C2:00", "0000:00:15.0");
	fmt_ok(path, sizeof(path), "%s/vfio/5", t.tree.dev);
	assert_str_or_null(iofd_group_path(group_of(&t, 5)), path);
	assert_null(iofd_group_path(group_of(&t, 6)));
	t_fini(&t);
}

static void vtd_mixed_platform_member_is_found(void **state)
{
	const struct iofd_hostdev *p;
	uint16_t v = 0x1234;
	char path[PATH_MAX];
	struct t t;

	t_preset(&t, "vtd-mixed");
	t_scan(&t);
	/* PCI devices first, by address, then the group's other member. */
	assert_dev_order(&t, "0000:00:00.0 0000:00:02.0 0000:00:06.0 0000:00:15.0 "
			     "0000:00:1c.0 0000:01:00.0 0000:02:00.0 0000:02:00.1 INT33C2:00");
	p = dev_named(&t, "INT33C2:00");
	assert_int_equal(iofd_hostdev_is_pci(p), 0);
	assert_int_equal(iofd_hostdev_pci_ids(p, &v, NULL, NULL), -ENODATA);
	assert_int_equal(v, 0x1234);
	assert_dev(&t, "INT33C2:00", NULL, 6, "dmar1", -1);
	fmt_ok(path, sizeof(path), "%s/devices/platform/INT33C2:00", t.tree.sys);
	assert_string_equal(iofd_hostdev_syspath(p), path);
	/* It is not a PCI device to look up. */
	assert_int_equal(iofd_host_find_dev(t.host, "INT33C2:00", &p), -EINVAL);
	assert_int_equal(iofd_host_find_dev(t.host, path, &p), -ENODEV);
	t_fini(&t);
}

static void amd_unit_is_coherent_and_tracks_dirty(void **state)
{
	const struct iofd_iommu *u;
	uint64_t cap = 7;
	char path[PATH_MAX];
	struct t t;

	t_preset(&t, "amd");
	t_scan(&t);
	assert_iommu_order(&t, "ivhd0");
	u = iommu_named(&t, "ivhd0");
	assert_int_equal(iofd_iommu_type(u), IOFD_IOMMU_AMD);
	assert_int_equal(iofd_iommu_enforces_coherency(u), 1);
	assert_int_equal(iofd_iommu_dirty_tracking(u), 1);	/* EFR HDSup */
	assert_int_equal(iofd_iommu_addr_width(u), 64);
	assert_int_equal(iofd_iommu_vtd_regs(u, &cap, NULL), -ENODATA);
	assert_int_equal(cap, 7);
	assert_int_equal(iofd_iommu_pgsizes(u), 0);
	assert_int_equal(u->efr, 0x25bf732fa2295afeull);
	assert_int_equal(u->efr2, 0xd);
	/* The unit lives under its own PCI function. */
	fmt_ok(path, sizeof(path), "%s/devices/pci0000:00/0000:00:00.2/iommu/ivhd0",
		 t.tree.sys);
	assert_string_equal(u->syspath, path);
	assert_dev_order(&t, "0000:00:00.0 0000:00:00.2 0000:00:01.1 0000:00:02.1 "
			     "0000:01:00.0 0000:02:00.0");
	/* ...which is neither translated nor grouped. */
	assert_dev(&t, "0000:00:00.2", NULL, -1, NULL, -1);
	assert_pci_ids(&t, "0000:00:00.2", 0x1022, 0x14d9, 0x080600);
	assert_dev(&t, "0000:01:00.0", "vfio-pci", 2, "ivhd0", 0);
	assert_dev(&t, "0000:02:00.0", "r8169", 4, "ivhd0", -1);
	assert_group_order(&t, "0 1 2 3 4");
	assert_group(&t, 2, "DMA-FQ", 1, "0000:01:00.0", "");
	assert_group(&t, 4, "DMA-FQ", 0, "0000:02:00.0", "0000:02:00.0");
	t_fini(&t);
}

static void every_preset_is_consistent(void **state)
{
	for (const char *const *p = fake_sysfs_presets; *p; p++) {
		struct t t;

		t_preset(&t, *p);
		t_scan(&t);
		for (size_t i = 0; i < iofd_host_dev_count(t.host); i++) {
			const struct iofd_hostdev *d = iofd_host_dev(t.host, i), *found = NULL;
			const struct iofd_group *g = iofd_hostdev_group(d);
			bool member = false;

			/* PCI devices are found by name and by syspath. */
			assert_int_equal(iofd_hostdev_is_pci(d), i < t.host->n_pci);
			if (iofd_hostdev_is_pci(d)) {
				assert_int_equal(iofd_host_find_dev(t.host, iofd_hostdev_name(d),
								    &found), 0);
				assert_ptr_equal(found, d);
				found = NULL;
				assert_int_equal(iofd_host_find_dev(t.host, iofd_hostdev_syspath(d),
								    &found), 0);
				assert_ptr_equal(found, d);
			}
			for (size_t m = 0; g && m < iofd_group_dev_count(g); m++)
				member |= iofd_group_dev(g, m) == d;
			assert_true(!g || member);
			/* A cdev only for a device on a VFIO driver. */
			if (iofd_hostdev_cdev(d)) {
				assert_non_null(iofd_hostdev_driver(d));
				assert_non_null(strstr(iofd_hostdev_driver(d), "vfio"));
			}
		}
		for (size_t i = 0; i < iofd_host_group_count(t.host); i++) {
			const struct iofd_group *g = iofd_host_group(t.host, i);
			size_t blockers = 0;

			assert_true(iofd_group_dev_count(g) > 0);
			for (size_t m = 0; m < iofd_group_dev_count(g); m++)
				blockers += !iofd_driver_manages_dma(
					iofd_hostdev_driver(iofd_group_dev(g, m)));
			assert_int_equal(iofd_group_blocker_count(g), blockers);
			assert_int_equal(iofd_group_viable(g), blockers == 0);
		}
		t_fini(&t);
	}
}

/* ------------------------------------------------------------------------
 * Looking a device up
 */

static void find_dev_by_address(void **state)
{
	const struct iofd_hostdev *a = NULL, *b = NULL;
	struct t t;

	t_preset(&t, "vtd-sc");
	t_scan(&t);
	assert_int_equal(iofd_host_find_dev(t.host, "0000:00:03.0", &a), 0);
	assert_string_equal(iofd_hostdev_name(a), "0000:00:03.0");
	/* Domain 0 may be left out; hex digits in either case. */
	assert_int_equal(iofd_host_find_dev(t.host, "00:03.0", &b), 0);
	assert_ptr_equal(a, b);
	assert_int_equal(iofd_host_find_dev(t.host, "0000:00:1F.3", &b), 0);
	assert_string_equal(iofd_hostdev_name(b), "0000:00:1f.3");
	assert_int_equal(iofd_host_find_dev(t.host, "01:00.0", &b), 0);
	assert_string_equal(iofd_hostdev_name(b), "0000:01:00.0");
	t_fini(&t);
}

static void find_dev_by_sysfs_path(void **state)
{
	const struct iofd_hostdev *want = NULL, *got = NULL;
	char cwd[PATH_MAX];
	struct t t;

	t_preset(&t, "vtd-sc");
	t_scan(&t);
	assert_int_equal(iofd_host_find_dev(t.host, "0000:01:00.0", &want), 0);
	static const char *const paths[] = {
		"sys/bus/pci/devices/0000:01:00.0",
		"sys/bus/pci/devices/0000:01:00.0/",
		"sys/devices/pci0000:00/0000:00:02.0/0000:01:00.0",
		"sys/kernel/iommu_groups/5/devices/0000:01:00.0",
		"sys/bus/pci/drivers/e1000e/0000:01:00.0",
		"sys/devices/pci0000:00/0000:00:02.0/../0000:00:02.0/0000:01:00.0",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		got = NULL;
		if (iofd_host_find_dev(t.host, tp(&t, paths[i]), &got) != 0)
			fail_msg("%s not found", paths[i]);
		assert_ptr_equal(got, want);
	}
	/* A relative path starts with '.'. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(t.tree.sys), 0);
	got = NULL;
	assert_int_equal(iofd_host_find_dev(t.host, "./bus/pci/devices/0000:01:00.0", &got), 0);
	assert_ptr_equal(got, want);
	assert_int_equal(chdir("devices"), 0);
	assert_int_equal(iofd_host_find_dev(t.host, "../bus/pci/devices/0000:01:00.0", &got), 0);
	assert_ptr_equal(got, want);
	assert_int_equal(chdir(cwd), 0);
	t_fini(&t);
}

static void find_dev_malformed_is_einval(void **state)
{
	static const char *const bad[] = {
		"", "0000:00:03", "00:03", "0:00:03.0", "000:00:03.0", "0000:0:03.0",
		"0000:00:3.0", "0000:00:20.0", "0000:00:03.8", "0000:100:03.0",
		"zzzz:00:03.0", "0000:00:03.0 ", " 0000:00:03.0", "0000-00-03.0",
		"0000:00:03:0", "0000:00:03.", "dmar0", "vfio0", "3", "0000:00:0g.0",
		"000000000:00:03.0", "0000:00:03.0.0", "::.", "devices/pci0000:00",
	};
	const struct iofd_hostdev *d = (const void *)&bad;
	struct t t;

	t_preset(&t, "vtd-sc");
	t_scan(&t);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (iofd_host_find_dev(t.host, bad[i], &d) != -EINVAL)
			fail_msg("\"%s\" was not rejected with -EINVAL", bad[i]);
	assert_ptr_equal(d, (const void *)&bad);	/* untouched */
	assert_int_equal(iofd_host_find_dev(NULL, "00:03.0", &d), -EINVAL);
	assert_int_equal(iofd_host_find_dev(t.host, NULL, &d), -EINVAL);
	assert_int_equal(iofd_host_find_dev(t.host, "00:03.0", NULL), -EINVAL);
	t_fini(&t);
}

static void find_dev_missing_is_enoent(void **state)
{
	const struct iofd_hostdev *d = NULL;
	struct t t;

	t_preset(&t, "vtd-sc");
	t_scan(&t);
	assert_int_equal(iofd_host_find_dev(t.host, "0000:00:05.0", &d), -ENOENT);
	assert_int_equal(iofd_host_find_dev(t.host, "0001:00:03.0", &d), -ENOENT);
	assert_int_equal(iofd_host_find_dev(t.host, "00:03.1", &d), -ENOENT);
	assert_int_equal(iofd_host_find_dev(t.host, "ffffffff:ff:1f.7", &d), -ENOENT);
	assert_int_equal(iofd_host_find_dev(t.host, tp(&t, "sys/bus/pci/devices/0000:00:09.0"),
					    &d), -ENOENT);
	assert_int_equal(iofd_host_find_dev(t.host, "/nonexistent/0000:00:03.0", &d), -ENOENT);
	assert_int_equal(iofd_host_find_dev(t.host, "./nonexistent", &d), -ENOENT);
	assert_null(d);
	t_fini(&t);
}

static void find_dev_path_to_non_pci_is_enodev(void **state)
{
	static const char *const paths[] = {
		"sys", "sys/class/iommu/dmar0", "sys/devices/virtual/iommu/dmar0",
		"sys/kernel/iommu_groups/3", "sys/bus/pci/devices",
		"sys/devices/pci0000:00/0000:00:03.0/vfio-dev/vfio0",
		"sys/devices/pci0000:00/0000:00:03.0/vendor", "dev/vfio/3",
	};
	const struct iofd_hostdev *d = NULL;
	struct t t;

	t_preset(&t, "vtd-sc");
	t_scan(&t);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (iofd_host_find_dev(t.host, tp(&t, paths[i]), &d) != -ENODEV)
			fail_msg("%s was not -ENODEV", paths[i]);
	assert_int_equal(iofd_host_find_dev(t.host, "/", &d), -ENODEV);
	assert_null(d);
	t_fini(&t);
}

static void pci_addr_canon(void **state)
{
	char buf[32];

	assert_int_equal(iofd_pci_addr_canon("00:03.0", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0000:00:03.0");
	assert_int_equal(iofd_pci_addr_canon("0000:AB:1F.7", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0000:ab:1f.7");
	/* Domains above 0xffff (VMD) keep all their digits, as the kernel names them. */
	assert_int_equal(iofd_pci_addr_canon("10000:e0:06.0", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10000:e0:06.0");
	assert_int_equal(iofd_pci_addr_canon("ffffffff:00:00.0", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ffffffff:00:00.0");
	assert_int_equal(iofd_pci_addr_canon("0000:00:03.0", buf, 12), -EINVAL);	/* too small */
	assert_int_equal(iofd_pci_addr_canon("0000:00:03.0", buf, 13), 0);
}

/* ------------------------------------------------------------------------
 * Trees the presets do not make
 */

static void unreadable_vtd_registers_are_unknown(void **state)
{
	uint64_t cap = 3;
	struct t t;

	t_init(&t);
	/* dmar0: cap is a directory (read fails with EISDIR); dmar1: ecap is
	 * not hex; dmar2: cap is missing; dmar3: fine. */
	assert_int_equal(fake_sysfs_vtd(&t.tree, "dmar0", 0xd2008c22260206ull, 0xf00fca), 0);
	assert_int_equal(unlink(tp(&t, "sys/devices/virtual/iommu/dmar0/intel-iommu/cap")), 0);
	assert_int_equal(fake_sysfs_mkdir(&t.tree,
					  "sys/devices/virtual/iommu/dmar0/intel-iommu/cap"), 0);
	assert_int_equal(fake_sysfs_vtd(&t.tree, "dmar1", 0xd2008c22260206ull, 0xf00fca), 0);
	assert_int_equal(fake_sysfs_write(&t.tree, "sys/devices/virtual/iommu/dmar1/intel-iommu/ecap",
					  "f00fcaz\n"), 0);
	assert_int_equal(fake_sysfs_vtd(&t.tree, "dmar2", 0xd2008c22260206ull, 0xf00fca), 0);
	assert_int_equal(unlink(tp(&t, "sys/devices/virtual/iommu/dmar2/intel-iommu/cap")), 0);
	assert_int_equal(fake_sysfs_vtd(&t.tree, "dmar3", 0xd2008c22260206ull, 0xf00fca), 0);
	t_scan(&t);
	assert_iommu_order(&t, "dmar0 dmar1 dmar2 dmar3");
	for (int i = 0; i < 3; i++) {
		const struct iofd_iommu *u = iofd_host_iommu(t.host, (size_t)i);

		/* Still VT-d (the attribute group is there), but nothing known. */
		assert_int_equal(iofd_iommu_type(u), IOFD_IOMMU_INTEL_VTD);
		assert_int_equal(iofd_iommu_enforces_coherency(u), -ENODATA);
		assert_int_equal(iofd_iommu_dirty_tracking(u), -ENODATA);
		assert_int_equal(iofd_iommu_addr_width(u), -ENODATA);
		assert_int_equal(iofd_iommu_vtd_regs(u, &cap, NULL), -ENODATA);
		assert_int_equal(iofd_iommu_pgsizes(u), 0);
		assert_int_equal(cap, 3);
	}
	assert_int_equal(iofd_iommu_enforces_coherency(iommu_named(&t, "dmar3")), 1);
	/* The scan said why. */
	assert_true(t.logged > 0);
	t_fini(&t);
}

static void odd_amd_features_are_unknown(void **state)
{
	const struct iofd_iommu *u;
	struct t t;

	t_init(&t);
	assert_int_equal(fake_sysfs_amd(&t.tree, "ivhd0", "0000:00:00.2", 0x190b640f,
					1ull << 52, 0), 0);
	assert_int_equal(fake_sysfs_amd(&t.tree, "ivhd1", "0000:40:00.2", 0x190b640f, 0, 0), 0);
	assert_int_equal(fake_sysfs_write(&t.tree,
		"sys/devices/pci0000:40/0000:40:00.2/iommu/ivhd1/amd-iommu/features",
		"not hex\n"), 0);
	/* An older kernel: EFR alone. */
	assert_int_equal(fake_sysfs_amd(&t.tree, "ivhd2", "0001:00:00.2", 0x190b640f, 0, 0), 0);
	assert_int_equal(fake_sysfs_write(&t.tree,
		"sys/devices/pci0001:00/0001:00:00.2/iommu/ivhd2/amd-iommu/features",
		"%llx\n", 1ull << 52), 0);
	t_scan(&t);
	assert_iommu_order(&t, "ivhd0 ivhd1 ivhd2");
	assert_int_equal(iofd_iommu_dirty_tracking(iommu_named(&t, "ivhd0")), 1);
	u = iommu_named(&t, "ivhd1");
	assert_int_equal(iofd_iommu_type(u), IOFD_IOMMU_AMD);
	assert_int_equal(iofd_iommu_dirty_tracking(u), -ENODATA);
	assert_int_equal(iofd_iommu_enforces_coherency(u), 1);	/* AMD always */
	assert_int_equal(iofd_iommu_dirty_tracking(iommu_named(&t, "ivhd2")), 1);
	/* The units' own functions are PCI devices, in three PCI domains. */
	assert_dev_order(&t, "0000:00:00.2 0000:40:00.2 0001:00:00.2");
	t_fini(&t);
}

static void other_iommus_by_name(void **state)
{
	struct t t;

	t_init(&t);
	assert_int_equal(fake_sysfs_platform(&t.tree, "9050000.smmuv3", "arm-smmu-v3"), 0);
	assert_int_equal(fake_sysfs_iommu(&t.tree, "smmu3.0x0000000009050000",
					  "platform/9050000.smmuv3"), 0);
	assert_int_equal(fake_sysfs_iommu(&t.tree, "iommufd_selftest_iommu", NULL), 0);
	assert_int_equal(fake_sysfs_iommu(&t.tree, "s390-iommu.0", NULL), 0);
	t_scan(&t);
	assert_iommu_order(&t, "iommufd_selftest_iommu s390-iommu.0 smmu3.0x0000000009050000");
	static const struct {
		const char *name;
		enum iofd_iommu_type type;
		int coherency;
	} want[] = {
		{ "smmu3.0x0000000009050000", IOFD_IOMMU_ARM_SMMUV3, -ENODATA },
		{ "iommufd_selftest_iommu", IOFD_IOMMU_SELFTEST, 0 },
		{ "s390-iommu.0", IOFD_IOMMU_UNKNOWN, -ENODATA },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct iofd_iommu *u = iommu_named(&t, want[i].name);

		assert_int_equal(iofd_iommu_type(u), want[i].type);
		assert_int_equal(iofd_iommu_enforces_coherency(u), want[i].coherency);
		assert_int_equal(iofd_iommu_dirty_tracking(u), -ENODATA);
		assert_int_equal(iofd_iommu_addr_width(u), -ENODATA);
		assert_int_equal(iofd_iommu_vtd_regs(u, NULL, NULL), -ENODATA);
	}
	assert_string_equal(iofd_iommu_type_name(IOFD_IOMMU_ARM_SMMUV3), "arm-smmuv3");
	assert_string_equal(iofd_iommu_type_name(IOFD_IOMMU_SELFTEST), "selftest");
	assert_string_equal(iofd_iommu_type_name(IOFD_IOMMU_UNKNOWN), "unknown");
	assert_string_equal(iofd_iommu_type_name(IOFD_IOMMU_AMD), "amd");
	assert_null(iofd_iommu_type_name((enum iofd_iommu_type)99));
	t_fini(&t);
}

static void iommus_sort_by_number(void **state)
{
	struct t t;

	t_init(&t);
	assert_int_equal(fake_sysfs_vtd(&t.tree, "dmar10", 0xd2008c22260206ull, 0xf00fca), 0);
	assert_int_equal(fake_sysfs_vtd(&t.tree, "dmar9", 0xd2008c22260206ull, 0xf00fca), 0);
	assert_int_equal(fake_sysfs_vtd(&t.tree, "dmar2", 0xd2008c22260206ull, 0xf00fca), 0);
	/* Groups 10 and 9, devices named out of order. */
	assert_int_equal(fake_sysfs_pci(&t.tree, "0000:00:1f.0", NULL, 1, 2, 3, NULL), 0);
	assert_int_equal(fake_sysfs_pci(&t.tree, "0000:00:02.0", NULL, 1, 2, 3, NULL), 0);
	assert_int_equal(fake_sysfs_group_add(&t.tree, 10, "0000:00:02.0"), 0);
	assert_int_equal(fake_sysfs_group_add(&t.tree, 9, "0000:00:1f.0"), 0);
	t_scan(&t);
	assert_iommu_order(&t, "dmar2 dmar9 dmar10");
	assert_group_order(&t, "9 10");
	assert_dev_order(&t, "0000:00:02.0 0000:00:1f.0");
	t_fini(&t);
}

static void missing_directories_are_empty(void **state)
{
	struct t t;

	/* Not even sys/class/iommu: no IOMMU, no group, no device, no error. */
	t_init(&t);
	t_scan(&t);
	assert_int_equal(iofd_host_iommu_count(t.host), 0);
	assert_int_equal(iofd_host_group_count(t.host), 0);
	assert_int_equal(iofd_host_dev_count(t.host), 0);
	assert_int_equal(iofd_host_auto_backend(t.host), -ENODEV);
	t_fini(&t);

	/* A device whose iommu link names a unit class/iommu does not list,
	 * and whose group has no directory at all. */
	t_init(&t);
	assert_int_equal(fake_sysfs_vtd(&t.tree, "dmar0", 0xd2008c22260206ull, 0xf00fca), 0);
	assert_int_equal(fake_sysfs_pci(&t.tree, "0000:00:03.0", NULL, 0x1b36, 0x10, 0x010802,
					"vfio-pci"), 0);
	assert_int_equal(fake_sysfs_iommu_add(&t.tree, "dmar0", "0000:00:03.0"), 0);
	assert_int_equal(fake_sysfs_group_add(&t.tree, 3, "0000:00:03.0"), 0);
	rm_rf(&t, "sys/class");
	rm_rf(&t, "sys/kernel");
	t_scan(&t);
	assert_int_equal(iofd_host_iommu_count(t.host), 0);
	assert_dev(&t, "0000:00:03.0", "vfio-pci", 3, NULL, -1);
	assert_group(&t, 3, NULL, 1, "0000:00:03.0", "");
	assert_null(iofd_group_path(group_of(&t, 3)));
	t_fini(&t);
}

static void unreadable_directories_fail_the_scan(void **state)
{
	static const char *const dirs[] = { "sys/class/iommu", "sys/bus/pci/devices" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct t t;

		t_preset(&t, "vtd-sc");
		rm_rf(&t, dirs[i]);
		assert_int_equal(fake_sysfs_write(&t.tree, dirs[i], "not a directory\n"), 0);
		assert_int_equal(t_try_scan(&t), -ENOTDIR);
		assert_null(t.host);
		t_fini(&t);
	}
}

static void odd_attributes_and_links(void **state)
{
	struct t t;

	t_preset(&t, "vtd-sc");
	/* Out-of-range and garbage ids are read as 0. */
	assert_int_equal(fake_sysfs_write(&t.tree, "sys/devices/pci0000:00/0000:00:03.0/vendor",
					  "0x12345\n"), 0);
	assert_int_equal(fake_sysfs_write(&t.tree, "sys/devices/pci0000:00/0000:00:03.0/class",
					  "nvme\n"), 0);
	assert_int_equal(unlink(tp(&t, "sys/devices/pci0000:00/0000:00:03.0/device")), 0);
	/* A group type that is empty, and one that is odd but kept. */
	assert_int_equal(fake_sysfs_write(&t.tree, "sys/kernel/iommu_groups/4/type", "\n"), 0);
	assert_int_equal(fake_sysfs_group_type(&t.tree, 5, "unmanaged"), 0);
	/* An iommu_group link whose name is not a number: no group. */
	assert_int_equal(fake_sysfs_link(&t.tree, "sys/devices/pci0000:00/0000:00:00.0/iommu_group",
					 "sys/kernel/iommu_groups/zero"), 0);
	rm_rf(&t, "sys/kernel/iommu_groups/0");
	/* vfio-dev/ present but empty: no cdev. */
	rm_rf(&t, "sys/devices/pci0000:00/0000:00:04.0/vfio-dev/vfio1");
	t_scan(&t);
	assert_pci_ids(&t, "0000:00:03.0", 0, 0, 0);
	assert_group(&t, 4, NULL, 1, "0000:00:04.0", "");
	assert_group(&t, 5, "unmanaged", 0, "0000:01:00.0", "0000:01:00.0");
	assert_dev(&t, "0000:00:00.0", NULL, -1, "dmar0", -1);
	assert_null(group_find(&t, 0));
	assert_dev(&t, "0000:00:04.0", "vfio-pci", 4, "dmar0", -1);
	assert_dev(&t, "0000:00:03.0", "vfio-pci", 3, "dmar0", 0);
	t_fini(&t);
}

static void dangling_links_are_skipped(void **state)
{
	struct t t;

	t_preset(&t, "vtd-sc");
	/* A bus entry, a class/iommu entry and a group entry leading nowhere. */
	assert_int_equal(fake_sysfs_link(&t.tree, "sys/bus/pci/devices/0000:00:09.0",
					 "sys/devices/pci0000:00/0000:00:09.0"), 0);
	assert_int_equal(fake_sysfs_link(&t.tree, "sys/class/iommu/dmar7",
					 "sys/devices/virtual/iommu/dmar7"), 0);
	assert_int_equal(fake_sysfs_link(&t.tree, "sys/kernel/iommu_groups/3/devices/gone.0",
					 "sys/devices/platform/gone.0"), 0);
	/* A device whose iommu link leads to a unit that is gone. */
	assert_int_equal(fake_sysfs_link(&t.tree, "sys/devices/pci0000:00/0000:00:04.0/iommu",
					 "sys/devices/virtual/iommu/dmar7"), 0);
	t_scan(&t);
	assert_iommu_order(&t, "dmar0");
	assert_int_equal(iofd_host_dev_count(t.host), 8);
	assert_false(has_dev(&t, "0000:00:09.0"));
	assert_false(has_dev(&t, "gone.0"));
	assert_group(&t, 3, "DMA", 1, "0000:00:03.0", "");
	assert_dev(&t, "0000:00:04.0", "vfio-pci", 4, NULL, 1);
	t_fini(&t);
}

static void non_pci_members_have_drivers_and_cdevs(void **state)
{
	struct t t;

	t_init(&t);
	assert_int_equal(fake_sysfs_vtd(&t.tree, "dmar0", 0xd2008c22260206ull, 0xf00fca), 0);
	assert_int_equal(fake_sysfs_vfio(&t.tree, true, true, true), 0);
	assert_int_equal(fake_sysfs_pci(&t.tree, "0000:00:03.0", NULL, 0x1b36, 0x10, 0x010802,
					"vfio-pci"), 0);
	assert_int_equal(fake_sysfs_platform(&t.tree, "fe000000.dma", "vfio-platform"), 0);
	assert_int_equal(fake_sysfs_platform(&t.tree, "fe100000.eth", "pci-stub"), 0);
	assert_int_equal(fake_sysfs_platform(&t.tree, "alone.0", NULL), 0);
	for (int i = 0; i < 3; i++) {
		static const char *const n[] = { "0000:00:03.0", "fe000000.dma", "fe100000.eth" };

		assert_int_equal(fake_sysfs_iommu_add(&t.tree, "dmar0", n[i]), 0);
		assert_int_equal(fake_sysfs_group_add(&t.tree, 7, n[i]), 0);
	}
	/* A PCI device the group lists but whose own iommu_group link is gone
	 * still joins it, in name order. */
	assert_int_equal(fake_sysfs_pci(&t.tree, "0000:00:01.0", NULL, 0x8086, 0x29c0, 0x060000,
					NULL), 0);
	assert_int_equal(fake_sysfs_group_add(&t.tree, 7, "0000:00:01.0"), 0);
	assert_int_equal(unlink(tp(&t, "sys/devices/pci0000:00/0000:00:01.0/iommu_group")), 0);
	/* A non-PCI device in a group of its own is not seen. */
	assert_int_equal(fake_sysfs_group_add(&t.tree, 8, "alone.0"), 0);
	assert_int_equal(fake_sysfs_vfio_cdev(&t.tree, "0000:00:03.0", 0), 0);
	assert_int_equal(fake_sysfs_vfio_cdev(&t.tree, "fe000000.dma", 1), 0);
	assert_int_equal(fake_sysfs_vfio_group(&t.tree, 7), 0);
	t_scan(&t);
	assert_dev_order(&t, "0000:00:01.0 0000:00:03.0 fe000000.dma fe100000.eth");
	assert_group_order(&t, "7");
	assert_group(&t, 7, "DMA", 1, "0000:00:01.0 0000:00:03.0 fe000000.dma fe100000.eth", "");
	assert_dev(&t, "fe000000.dma", "vfio-platform", 7, "dmar0", 1);
	assert_dev(&t, "fe100000.eth", "pci-stub", 7, "dmar0", -1);
	assert_int_equal(iofd_hostdev_is_pci(dev_named(&t, "fe000000.dma")), 0);
	t_fini(&t);
}

static void driver_rule(void **state)
{
	static const char *const manage[] = {
		"vfio-pci", "mlx5_vfio_pci", "hisi_acc_vfio_pci", "nvgrace_gpu_vfio_pci",
		"virtio_vfio_pci", "pds_vfio_pci", "qat_vfio_pci", "xe-vfio-pci",
		"vfio-platform", "vfio-amba", "vfio-fsl-mc", "vfio-cdx", "pci-stub", "pcieport",
	};
	static const char *const use_dma[] = {
		"nvme", "e1000e", "i915", "vfio", "vfio-pci-core", "vfio_pci_core", "pci_stub",
		"xhci_hcd", "vfio-pci2", "", "fio-pci",
	};

	assert_true(iofd_driver_manages_dma(NULL));	/* unbound */
	for (size_t i = 0; i < sizeof(manage) / sizeof(manage[0]); i++)
		if (!iofd_driver_manages_dma(manage[i]))
			fail_msg("%s should leave the group viable", manage[i]);
	for (size_t i = 0; i < sizeof(use_dma) / sizeof(use_dma[0]); i++)
		if (iofd_driver_manages_dma(use_dma[i]))
			fail_msg("%s should block the group", use_dma[i]);
}

static void null_arguments(void **state)
{
	struct iofd_host *host = (void *)&host;
	struct iofd_ctx *ctx;
	struct fake_sys sys = { 0 };

	assert_int_equal(iofd_host_scan(&host, NULL), -EINVAL);
	assert_int_equal(iofd_ctx_new_sys(&ctx, NULL, &fake_sys_ops, &sys), 0);
	assert_int_equal(iofd_host_scan(NULL, ctx), -EINVAL);
	iofd_ctx_free(ctx);
	assert_ptr_equal(host, (void *)&host);
	iofd_host_free(NULL);
	assert_int_equal(iofd_host_iommu_count(NULL), 0);
	assert_null(iofd_host_iommu(NULL, 0));
	assert_int_equal(iofd_host_group_count(NULL), 0);
	assert_null(iofd_host_group(NULL, 0));
	assert_int_equal(iofd_host_dev_count(NULL), 0);
	assert_null(iofd_host_dev(NULL, 0));
	assert_null(iofd_iommu_name(NULL));
	assert_int_equal(iofd_iommu_type(NULL), IOFD_IOMMU_UNKNOWN);
	assert_int_equal(iofd_iommu_enforces_coherency(NULL), -EINVAL);
	assert_int_equal(iofd_iommu_dirty_tracking(NULL), -EINVAL);
	assert_int_equal(iofd_iommu_addr_width(NULL), -EINVAL);
	assert_int_equal(iofd_iommu_vtd_regs(NULL, NULL, NULL), -EINVAL);
	assert_int_equal(iofd_iommu_pgsizes(NULL), 0);
	assert_int_equal(iofd_group_id(NULL), -EINVAL);
	assert_null(iofd_group_type(NULL));
	assert_int_equal(iofd_group_viable(NULL), -EINVAL);
	assert_int_equal(iofd_group_dev_count(NULL), 0);
	assert_null(iofd_group_dev(NULL, 0));
	assert_null(iofd_group_path(NULL));
	assert_int_equal(iofd_group_blocker_count(NULL), 0);
	assert_null(iofd_group_blocker(NULL, 0));
	assert_null(iofd_hostdev_name(NULL));
	assert_int_equal(iofd_hostdev_is_pci(NULL), -EINVAL);
	assert_null(iofd_hostdev_syspath(NULL));
	assert_int_equal(iofd_hostdev_pci_ids(NULL, NULL, NULL, NULL), -EINVAL);
	assert_null(iofd_hostdev_driver(NULL));
	assert_null(iofd_hostdev_group(NULL));
	assert_null(iofd_hostdev_iommu(NULL));
	assert_null(iofd_hostdev_cdev(NULL));
}

/* ------------------------------------------------------------------------
 * Devices vanishing while the scan runs (the log callback removes them)
 */

static void remove_0400_on_iommu(struct t *t, const char *msg)
{
	if (strstr(msg, "iommu dmar0:"))
		rm_rf(t, "sys/devices/pci0000:00/0000:00:04.0");
}

static void pci_device_vanishes_during_scan(void **state)
{
	struct t t;

	t_preset(&t, "vtd-sc");
	t.on_log = remove_0400_on_iommu;
	t_scan(&t);
	/* Listed by bus/pci/devices, gone before it was read: skipped. */
	assert_int_equal(access(tp(&t, "sys/devices/pci0000:00/0000:00:04.0"), F_OK), -1);
	assert_false(has_dev(&t, "0000:00:04.0"));
	assert_int_equal(iofd_host_dev_count(t.host), 7);
	assert_null(group_find(&t, 4));
	assert_group_order(&t, "0 1 2 3 5");
	t_fini(&t);
}

static void remove_platform_on_group0(struct t *t, const char *msg)
{
	if (strstr(msg, "group 0: not viable"))
		rm_rf(t, "sys/devices/platform/INT33C2:00");
}

static void group_member_vanishes_during_scan(void **state)
{
	struct t t;

	t_preset(&t, "vtd-mixed");
	t.on_log = remove_platform_on_group0;
	t_scan(&t);
	assert_false(has_dev(&t, "INT33C2:00"));
	assert_group(&t, 6, "DMA-FQ", 0, "0000:00:15.0", "0000:00:15.0");
	assert_int_equal(iofd_host_dev_count(t.host), 8);
	t_fini(&t);
}

static void hotplug_on_group0(struct t *t, const char *msg)
{
	if (!strstr(msg, "group 0: not viable"))
		return;
	assert_int_equal(fake_sysfs_pci(&t->tree, "0000:00:15.1", NULL, 0x8086, 0x51e9, 0x0c8000,
					"intel-lpss"), 0);
	assert_int_equal(fake_sysfs_group_add(&t->tree, 6, "0000:00:15.1"), 0);
}

static void pci_device_added_during_scan_waits_for_the_next(void **state)
{
	const struct iofd_hostdev *d = NULL;
	struct t t;

	/* Hot-added between the PCI listing and the group scan: group 6 lists
	 * it, but it is not in this snapshot, and not as a non-PCI device. */
	t_preset(&t, "vtd-mixed");
	t.on_log = hotplug_on_group0;
	t_scan(&t);
	assert_false(has_dev(&t, "0000:00:15.1"));
	assert_group(&t, 6, "DMA-FQ", 0, "0000:00:15.0 INT33C2:00", "0000:00:15.0");
	assert_int_equal(iofd_host_find_dev(t.host, "0000:00:15.1", &d), -ENOENT);
	assert_int_equal(iofd_host_find_dev(t.host, tp(&t, "sys/bus/pci/devices/0000:00:15.1"),
					    &d), -ENOENT);
	assert_null(d);
	iofd_host_free(t.host);
	t.host = NULL;
	/* The next scan has it. */
	t.on_log = NULL;
	t_scan(&t);
	assert_group(&t, 6, "DMA-FQ", 0, "0000:00:15.0 0000:00:15.1 INT33C2:00",
		     "0000:00:15.0 0000:00:15.1");
	assert_int_equal(iofd_hostdev_is_pci(dev_named(&t, "0000:00:15.1")), 1);
	t_fini(&t);
}

static void remove_attrs_on_iommu(struct t *t, const char *msg)
{
	static const char *const files[] = { "vendor", "device", "class", "driver",
					     "iommu", "iommu_group" };
	char rel[PATH_MAX];

	if (!strstr(msg, "iommu dmar0:"))
		return;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		fmt_ok(rel, sizeof(rel), "sys/devices/pci0000:00/0000:00:03.0/%s", files[i]);
		unlink(tp(t, rel));
	}
	rm_rf(t, "sys/devices/pci0000:00/0000:00:03.0/vfio-dev");
}

static void device_emptied_during_scan(void **state)
{
	struct t t;

	/* The directory stays but its contents go (the kernel removes the
	 * attributes before the directory). */
	t_preset(&t, "vtd-sc");
	t.on_log = remove_attrs_on_iommu;
	t_scan(&t);
	assert_pci_ids(&t, "0000:00:03.0", 0, 0, 0);
	assert_dev(&t, "0000:00:03.0", NULL, -1, NULL, -1);
	assert_null(group_find(&t, 3));
	t_fini(&t);
}

/* ------------------------------------------------------------------------
 * Every kernel call failing in turn
 */

static void each_failing_kernel_call_leaves_the_scan_whole(void **state)
{
	static const int errnos[] = { EIO, EINTR, ENOMEM, EACCES };
	struct t ref;
	int calls;

	t_preset(&ref, "vtd-mixed");
	t_scan(&ref);
	calls = ref.sys.calls;
	assert_true(calls >= 6);	/* two nodes: open, fstat, ioctl..., close */

	for (size_t e = 0; e < sizeof(errnos) / sizeof(errnos[0]); e++) {
		for (int n = 1; n <= calls + 1; n++) {
			struct iofd_host *host = NULL;
			struct iofd_ctx *ctx = NULL;
			struct fake_sys sys = ref.sys;

			/* The same kernel, failing its nth call. */
			memset(sys.fds, 0, sizeof(sys.fds));
			sys.open_fds = sys.opens = sys.ioctls = sys.calls = 0;
			sys.fail_call = n;
			sys.fail_errno = errnos[e];
			IOFD_OPTS(iofd_ctx_opts, o, .sysfs_root = ref.tree.sys,
				  .dev_root = ref.tree.dev);
			assert_int_equal(iofd_ctx_new_sys(&ctx, &o, &fake_sys_ops, &sys), 0);
			/* Probing never fails the scan... */
			assert_int_equal(iofd_host_scan(&host, ctx), 0);
			/* ...nor leaks a node it opened... */
			assert_int_equal(sys.open_fds, 0);
			/* ...nor changes what sysfs says... */
			assert_int_equal(iofd_host_dev_count(host), iofd_host_dev_count(ref.host));
			assert_int_equal(iofd_host_group_count(host), iofd_host_group_count(ref.host));
			assert_int_equal(iofd_host_iommu_count(host), iofd_host_iommu_count(ref.host));
			/* ...nor offers what it could not check, and it says why. */
			for (int b = IOFD_BACKEND_AUTO; b <= IOFD_BACKEND_COMPAT; b++) {
				const char *why = iofd_host_backend_reason(host, b);

				assert_non_null(why);
				assert_true(why[0] != '\0');
				if (b != IOFD_BACKEND_AUTO)
					assert_true(iofd_host_backend_available(host, b) <=
						    iofd_host_backend_available(ref.host, b));
			}
			assert_true(iofd_host_container_kind(host) == IOFD_CONTAINER_NONE ||
				    iofd_host_container_kind(host) ==
					    iofd_host_container_kind(ref.host));
			if (n > calls)	/* past the last call: nothing failed */
				assert_int_equal(iofd_host_auto_backend(host),
						 iofd_host_auto_backend(ref.host));
			iofd_host_free(host);
			iofd_ctx_free(ctx);
			assert_int_equal(sys.open_fds, 0);
		}
	}
	t_fini(&ref);
}

/* ------------------------------------------------------------------------
 * Every allocation failing in turn
 */

#ifndef SANITIZED
/* Two snapshots say the same thing. */
static void assert_same_host(const struct iofd_host *a, const struct iofd_host *b)
{
	assert_int_equal(a->n_devs, b->n_devs);
	assert_int_equal(a->n_pci, b->n_pci);
	assert_int_equal(a->n_groups, b->n_groups);
	assert_int_equal(a->n_iommus, b->n_iommus);
	for (size_t i = 0; i < a->n_devs; i++) {
		const struct iofd_hostdev *x = a->devs[i], *y = b->devs[i];

		assert_string_equal(x->name, y->name);
		assert_string_equal(x->syspath, y->syspath);
		assert_str_or_null(x->driver, y->driver);
		assert_str_or_null(x->cdev, y->cdev);
		assert_int_equal(x->vendor, y->vendor);
		assert_int_equal(x->class_code, y->class_code);
		assert_int_equal(x->group ? x->group->id : -1, y->group ? y->group->id : -1);
		assert_str_or_null(x->iommu ? x->iommu->name : NULL, y->iommu ? y->iommu->name : NULL);
	}
	for (size_t i = 0; i < a->n_groups; i++) {
		assert_int_equal(a->groups[i]->id, b->groups[i]->id);
		assert_int_equal(a->groups[i]->n_devs, b->groups[i]->n_devs);
		assert_int_equal(a->groups[i]->n_blockers, b->groups[i]->n_blockers);
		assert_str_or_null(a->groups[i]->type, b->groups[i]->type);
		assert_str_or_null(a->groups[i]->path, b->groups[i]->path);
	}
	for (size_t i = 0; i < a->n_iommus; i++) {
		assert_string_equal(a->iommus[i]->name, b->iommus[i]->name);
		assert_int_equal(a->iommus[i]->type, b->iommus[i]->type);
		assert_int_equal(a->iommus[i]->has_vtd_regs, b->iommus[i]->has_vtd_regs);
		assert_int_equal(a->iommus[i]->has_efr, b->iommus[i]->has_efr);
		assert_int_equal(a->iommus[i]->ecap, b->iommus[i]->ecap);
	}
	for (int k = 0; k < 4; k++) {
		assert_int_equal(a->available[k], b->available[k]);
		assert_string_equal(a->reason[k], b->reason[k]);
	}
}

static void sweep_preset(const char *preset)
{
	struct t ref;
	long total;
	int failed = 0;

	t_preset(&ref, preset);
	t_ctx(&ref);
	alloc_arm(0);
	t_scan(&ref);
	total = alloc_disarm();
	assert_true(total > 10);

	for (long n = 1; n <= total + 1; n++) {
		const struct iofd_hostdev *d;
		struct iofd_host *host = (void *)&host;
		long before = heap_in_use();
		int r;

		alloc_arm(n);
		r = iofd_host_scan(&host, ref.ctx);
		alloc_disarm();
		if (r == 0) {
			/* A failure the scan got past changed nothing. */
			assert_same_host(host, ref.host);
			iofd_host_free(host);
		} else {
			if (r != -ENOMEM)
				fail_msg("%s: allocation %ld failed: scan returned %d", preset, n, r);
			assert_true(alloc_fault.failed);
			assert_ptr_equal(host, (void *)&host);	/* untouched */
			failed++;
		}
		if (heap_in_use() != before)
			fail_msg("%s: allocation %ld failed: %ld blocks leaked", preset, n,
				 heap_in_use() - before);
		assert_int_equal(ref.sys.open_fds, 0);

		/* A lookup by path allocates too. */
		d = NULL;
		alloc_arm(n);
		r = iofd_host_find_dev(ref.host, ref.host->devs[0]->syspath, &d);
		alloc_disarm();
		assert_true(r == 0 || r == -ENOMEM);
		assert_true(r != 0 || d == ref.host->devs[0]);
	}
	/* Most allocations are not optional. */
	assert_true(failed > total / 2);
	t_fini(&ref);
}
#endif

static void each_failing_allocation_is_enomem_without_leaks(void **state)
{
#ifdef SANITIZED
	skip();	/* the sanitizer owns malloc; the plain build runs this */
#else
	char *volatile probe1;
	void *volatile probe2;

	/* Under valgrind (or another preloaded allocator) ours is not called,
	 * at least not by libc (strdup) or not by this program (calloc). */
	alloc_arm(0);
	probe1 = strdup(__func__);
	probe2 = calloc(1, 1);
	free(probe1);
	free(probe2);
	if (alloc_disarm() != 2) {
		skip();
		return;
	}
	for (const char *const *p = fake_sysfs_presets; *p; p++)
		sweep_preset(*p);
#endif
}

/* ------------------------------------------------------------------------
 * The real /sys, through libudev (no /dev node is opened: the fake kernel
 * has none)
 */

static void real_sysfs_lists_its_pci_devices(void **state)
{
	struct fake_sys sys = { 0 };
	struct iofd_ctx *ctx = NULL;
	struct iofd_host *host = NULL;
	char **names = NULL;
	size_t n = 0;

	if (iofd_sysfs_list("/sys/bus/pci/devices", &names, &n) < 0 || n == 0) {
		iofd_strv_free(names, n);
		skip();
		return;
	}
	assert_int_equal(iofd_ctx_new_sys(&ctx, NULL, &fake_sys_ops, &sys), 0);
	assert_int_equal(iofd_host_scan(&host, ctx), 0);
	assert_true(host->n_pci <= n);	/* one may vanish, none appear from nowhere */
	assert_true(host->n_pci + 1 >= n);
	for (size_t i = 0; i < host->n_pci; i++) {
		assert_int_equal(iofd_hostdev_is_pci(host->devs[i]), 1);
		assert_non_null(strstr(host->devs[i]->syspath, "/sys/devices/"));
		if (i)
			assert_true(strcmp(host->devs[i - 1]->name, host->devs[i]->name) < 0);
	}
	/* Without an IOMMU no backend is offered. */
	if (host->n_iommus == 0)
		assert_int_equal(iofd_host_auto_backend(host), -ENODEV);
	iofd_host_free(host);
	iofd_ctx_free(ctx);
	assert_int_equal(sys.open_fds, 0);
	iofd_strv_free(names, n);
}

/* ------------------------------------------------------------------------
 * The sysfs readers under all of it
 */

static void sysfs_read_trims_and_bounds(void **state)
{
	char buf[8];
	struct t t;

	t_init(&t);
	assert_int_equal(fake_sysfs_write(&t.tree, "sys/a", "DMA-FQ\n"), 0);
	assert_int_equal(iofd_sysfs_read(tp(&t, "sys/a"), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "DMA-FQ");
	/* Exactly len - 1 bytes fit; one more is too big. */
	assert_int_equal(fake_sysfs_write(&t.tree, "sys/b", "1234567"), 0);
	assert_int_equal(iofd_sysfs_read(tp(&t, "sys/b"), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1234567");
	assert_int_equal(fake_sysfs_write(&t.tree, "sys/c", "12345678"), 0);
	assert_int_equal(iofd_sysfs_read(tp(&t, "sys/c"), buf, sizeof(buf)), -EFBIG);
	assert_int_equal(fake_sysfs_write(&t.tree, "sys/d", " \n\t"), 0);
	assert_int_equal(iofd_sysfs_read(tp(&t, "sys/d"), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(iofd_sysfs_read(tp(&t, "sys/none"), buf, sizeof(buf)), -ENOENT);
	assert_int_equal(iofd_sysfs_read(tp(&t, "sys"), buf, sizeof(buf)), -EISDIR);
	assert_int_equal(iofd_sysfs_read(tp(&t, "sys/a"), buf, 1), -EINVAL);
	t_fini(&t);
}

static void parse_u64_is_strict(void **state)
{
	uint64_t v = 42;

	assert_int_equal(iofd_parse_u64("0x8086", 16, 0xffff, &v), 0);
	assert_int_equal(v, 0x8086);
	assert_int_equal(iofd_parse_u64("8086", 16, 0xffff, &v), 0);
	assert_int_equal(v, 0x8086);
	assert_int_equal(iofd_parse_u64("0X10", 16, 0xff, &v), 0);
	assert_int_equal(v, 0x10);
	assert_int_equal(iofd_parse_u64("ffffffffffffffff", 16, UINT64_MAX, &v), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(iofd_parse_u64("18446744073709551615", 10, UINT64_MAX, &v), 0);
	assert_int_equal(v, UINT64_MAX);
	v = 42;
	assert_int_equal(iofd_parse_u64("18446744073709551616", 10, UINT64_MAX, &v), -ERANGE);
	assert_int_equal(iofd_parse_u64("10000000000000000", 16, UINT64_MAX, &v), -ERANGE);
	assert_int_equal(iofd_parse_u64("0x12345", 16, 0xffff, &v), -ERANGE);
	assert_int_equal(iofd_parse_u64("", 16, 1, &v), -EINVAL);
	assert_int_equal(iofd_parse_u64("0x", 16, 1, &v), -EINVAL);
	assert_int_equal(iofd_parse_u64("0x10", 10, 100, &v), -EINVAL);
	assert_int_equal(iofd_parse_u64("a", 10, 100, &v), -EINVAL);
	assert_int_equal(iofd_parse_u64("-1", 10, 100, &v), -EINVAL);
	assert_int_equal(iofd_parse_u64(" 1", 10, 100, &v), -EINVAL);
	assert_int_equal(iofd_parse_u64("1", 8, 100, &v), -EINVAL);
	assert_int_equal(iofd_parse_u64(NULL, 10, 100, &v), -EINVAL);
	assert_int_equal(v, 42);
}

static void sysfs_links_and_lists(void **state)
{
	char name[8], **v = NULL;
	size_t n = 0;
	struct t t;

	t_init(&t);
	assert_int_equal(fake_sysfs_link(&t.tree, "sys/class/iommu/dmar0",
					 "sys/devices/virtual/iommu/dmar0"), 0);
	assert_int_equal(iofd_sysfs_link_name(tp(&t, "sys/class/iommu/dmar0"), name,
					      sizeof(name)), 0);
	assert_string_equal(name, "dmar0");
	/* The name must fit. */
	assert_int_equal(iofd_sysfs_link_name(tp(&t, "sys/class/iommu/dmar0"), name, 5),
			 -ENAMETOOLONG);
	assert_int_equal(iofd_sysfs_link_name(tp(&t, "sys/class/iommu"), name, sizeof(name)),
			 -EINVAL);	/* not a link */
	assert_int_equal(iofd_sysfs_link_name(tp(&t, "sys/nothing"), name, sizeof(name)),
			 -ENOENT);
	assert_false(iofd_sysfs_exists(tp(&t, "sys/class/iommu/dmar0")));	/* dangling */
	assert_true(iofd_sysfs_exists(tp(&t, "sys/class/iommu")));
	/* Lists sort as versions: 10 after 9. */
	for (int i = 0; i < 12; i++) {
		char rel[64];

		fmt_ok(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/type", 11 - i);
		assert_int_equal(fake_sysfs_write(&t.tree, rel, "DMA\n"), 0);
	}
	assert_int_equal(iofd_sysfs_list(tp(&t, "sys/kernel/iommu_groups"), &v, &n), 0);
	assert_int_equal(n, 12);
	for (size_t i = 0; i < n; i++) {
		char want[8];

		fmt_ok(want, sizeof(want), "%zu", i);
		assert_string_equal(v[i], want);
	}
	iofd_strv_free(v, n);
	assert_int_equal(iofd_sysfs_list(tp(&t, "sys/none"), &v, &n), -ENOENT);
	assert_int_equal(iofd_sysfs_list(tp(&t, "sys/kernel/iommu_groups/0/type"), &v, &n),
			 -ENOTDIR);
	iofd_strv_free(NULL, 3);
	t_fini(&t);
}

static void path_fmt_reports_truncation(void **state)
{
	char buf[8];

	assert_int_equal(iofd_path_fmt(buf, sizeof(buf), "%s", "1234567"), 0);
	assert_int_equal(iofd_path_fmt(buf, sizeof(buf), "%s", "12345678"), -ENAMETOOLONG);
}

/* ------------------------------------------------------------------------
 * The builder itself
 */

static void fake_sysfs_matches_the_kernel_layout(void **state)
{
	char target[PATH_MAX], buf[64];
	struct t t;
	ssize_t n;

	t_preset(&t, "vtd-mixed");
	static const struct { const char *link, *target; } links[] = {
		{ "sys/bus/pci/devices/0000:00:02.0", "../../../devices/pci0000:00/0000:00:02.0" },
		{ "sys/bus/pci/devices/0000:01:00.0",
		  "../../../devices/pci0000:00/0000:00:06.0/0000:01:00.0" },
		{ "sys/devices/pci0000:00/0000:00:02.0/driver", "../../../bus/pci/drivers/i915" },
		{ "sys/devices/pci0000:00/0000:00:02.0/iommu", "../../virtual/iommu/dmar0" },
		{ "sys/devices/pci0000:00/0000:00:02.0/iommu_group",
		  "../../../kernel/iommu_groups/0" },
		{ "sys/devices/pci0000:00/0000:00:06.0/0000:01:00.0/iommu_group",
		  "../../../../kernel/iommu_groups/3" },
		{ "sys/class/iommu/dmar1", "../../devices/virtual/iommu/dmar1" },
		{ "sys/devices/virtual/iommu/dmar0/devices/0000:00:02.0",
		  "../../../../pci0000:00/0000:00:02.0" },
		{ "sys/kernel/iommu_groups/5/devices/0000:02:00.1",
		  "../../../../devices/pci0000:00/0000:00:1c.0/0000:02:00.1" },
		{ "sys/class/vfio-dev/vfio0",
		  "../../devices/pci0000:00/0000:00:06.0/0000:01:00.0/vfio-dev/vfio0" },
		{ "sys/devices/pci0000:00/0000:00:06.0/0000:01:00.0/vfio-dev/vfio0/device",
		  "../../../0000:01:00.0" },
		{ "sys/class/vfio/3", "../../devices/virtual/vfio/3" },
		{ "sys/bus/pci/drivers/vfio-pci/0000:02:00.0",
		  "../../../../devices/pci0000:00/0000:00:1c.0/0000:02:00.0" },
		{ "sys/bus/platform/devices/INT33C2:00", "../../../devices/platform/INT33C2:00" },
	};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		n = readlink(tp(&t, links[i].link), target, sizeof(target) - 1);
		if (n < 0)
			fail_msg("%s: %s", links[i].link, strerror(errno));
		target[n] = '\0';
		if (strcmp(target, links[i].target))
			fail_msg("%s -> %s, expected %s", links[i].link, target, links[i].target);
	}
	static const struct { const char *file, *content; } files[] = {
		{ "sys/devices/pci0000:00/0000:00:02.0/vendor", "0x8086" },
		{ "sys/devices/pci0000:00/0000:00:02.0/device", "0x46a6" },
		{ "sys/devices/pci0000:00/0000:00:02.0/class", "0x030000" },
		{ "sys/devices/virtual/iommu/dmar1/intel-iommu/cap", "d2008c40660462" },
		{ "sys/devices/virtual/iommu/dmar1/intel-iommu/ecap", "1680000f050da" },
		{ "sys/kernel/iommu_groups/1/type", "identity" },
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		assert_int_equal(iofd_sysfs_read(tp(&t, files[i].file), buf, sizeof(buf)), 0);
		assert_string_equal(buf, files[i].content);
	}
	for (const char *const *p = (const char *const[]){ "dev/iommu", "dev/vfio/vfio",
			"dev/vfio/3", "dev/vfio/5", "dev/vfio/devices/vfio0",
			"dev/vfio/devices/vfio1", NULL }; *p; p++)
		assert_int_equal(access(tp(&t, *p), F_OK), 0);
	assert_int_equal(access(tp(&t, "dev/vfio/6"), F_OK), -1);
	t_fini(&t);
}

static void fake_sysfs_rejects_bad_input(void **state)
{
	struct t t;

	t_init(&t);
	assert_int_equal(fake_sysfs_preset(&t.tree, "nope"), -EINVAL);
	assert_int_equal(fake_sysfs_preset(&t.tree, NULL), -EINVAL);
	assert_int_equal(fake_sysfs_write(&t.tree, "../escape", "x"), -EINVAL);
	assert_int_equal(fake_sysfs_write(&t.tree, "/abs", "x"), -EINVAL);
	assert_int_equal(fake_sysfs_write(&t.tree, "sys//x", "x"), -EINVAL);
	assert_int_equal(fake_sysfs_link(&t.tree, "sys/x", "sys/../y"), -EINVAL);
	assert_int_equal(fake_sysfs_pci(&t.tree, "00:03.0", NULL, 1, 2, 3, NULL), -EINVAL);
	assert_int_equal(fake_sysfs_pci(&t.tree, "0000:00:03.0", NULL, 1, 2, 0x1000000, NULL),
			 -EINVAL);
	assert_int_equal(fake_sysfs_pci(&t.tree, "0000:00:03.0", NULL, 1, 2, 3, "a/b"), -EINVAL);
	assert_int_equal(fake_sysfs_iommu_add(&t.tree, "dmar0", "0000:00:03.0"), -ENOENT);
	assert_int_equal(fake_sysfs_group_add(&t.tree, 1, "0000:00:03.0"), -ENOENT);
	assert_int_equal(fake_sysfs_vfio_cdev(&t.tree, "0000:00:03.0", 0), -ENOENT);
	assert_int_equal(fake_sysfs_group_add(&t.tree, -1, "x"), -ENOENT);
	assert_int_equal(fake_sysfs_vfio_group(&t.tree, -1), -EINVAL);
	/* Nothing was made: the tree is still empty. */
	assert_int_equal(access(tp(&t, "sys/devices"), F_OK), -1);
	t_fini(&t);
	/* An existing directory is kept by destroy; its contents are not. */
	assert_int_equal(fake_sysfs_init(&t.tree, NULL), 0);
	{
		struct fake_sysfs inner;
		char dir[PATH_MAX];

		fmt_ok(dir, sizeof(dir), "%s/given", t.tree.root);
		assert_int_equal(fake_sysfs_init(&inner, dir), 0);
		assert_false(inner.temp);
		assert_int_equal(fake_sysfs_preset(&inner, "amd"), 0);
		fake_sysfs_destroy(&inner);
		assert_int_equal(access(dir, F_OK), 0);
		assert_int_equal(access(tp(&t, "given/sys"), F_OK), -1);
	}
	fake_sysfs_destroy(&t.tree);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(none_has_no_iommu_groups_or_backend),
		cmocka_unit_test(vtd_sc_unit_enforces_coherency),
		cmocka_unit_test(vtd_sc_groups_and_who_blocks_them),
		cmocka_unit_test(vtd_sc_devices_drivers_and_cdevs),
		cmocka_unit_test(vtd_nosc_unit_does_not_enforce),
		cmocka_unit_test(vtd_mixed_units_differ),
		cmocka_unit_test(vtd_mixed_groups),
		cmocka_unit_test(vtd_mixed_platform_member_is_found),
		cmocka_unit_test(amd_unit_is_coherent_and_tracks_dirty),
		cmocka_unit_test(every_preset_is_consistent),
		cmocka_unit_test(find_dev_by_address),
		cmocka_unit_test(find_dev_by_sysfs_path),
		cmocka_unit_test(find_dev_malformed_is_einval),
		cmocka_unit_test(find_dev_missing_is_enoent),
		cmocka_unit_test(find_dev_path_to_non_pci_is_enodev),
		cmocka_unit_test(pci_addr_canon),
		cmocka_unit_test(unreadable_vtd_registers_are_unknown),
		cmocka_unit_test(odd_amd_features_are_unknown),
		cmocka_unit_test(other_iommus_by_name),
		cmocka_unit_test(iommus_sort_by_number),
		cmocka_unit_test(missing_directories_are_empty),
		cmocka_unit_test(unreadable_directories_fail_the_scan),
		cmocka_unit_test(odd_attributes_and_links),
		cmocka_unit_test(dangling_links_are_skipped),
		cmocka_unit_test(non_pci_members_have_drivers_and_cdevs),
		cmocka_unit_test(driver_rule),
		cmocka_unit_test(null_arguments),
		cmocka_unit_test(pci_device_vanishes_during_scan),
		cmocka_unit_test(group_member_vanishes_during_scan),
		cmocka_unit_test(device_emptied_during_scan),
		cmocka_unit_test(pci_device_added_during_scan_waits_for_the_next),
		cmocka_unit_test(each_failing_kernel_call_leaves_the_scan_whole),
		cmocka_unit_test(each_failing_allocation_is_enomem_without_leaks),
		cmocka_unit_test(real_sysfs_lists_its_pci_devices),
		cmocka_unit_test(sysfs_read_trims_and_bounds),
		cmocka_unit_test(parse_u64_is_strict),
		cmocka_unit_test(sysfs_links_and_lists),
		cmocka_unit_test(path_fmt_reports_truncation),
		cmocka_unit_test(fake_sysfs_matches_the_kernel_layout),
		cmocka_unit_test(fake_sysfs_rejects_bad_input),
	};

	return cmocka_run_group_tests_name("host", tests, NULL, remove_left_trees);
}
