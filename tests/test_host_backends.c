// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Which backends a host offers, and the reasons given: every combination
 * of /dev/iommu, /dev/vfio/vfio (VFIO's own or iommufd's), VFIO cdevs and
 * groups, answered by the fake kernel over a fake sysfs tree.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ctx.h"
#include "fake_sys.h"
#include "fake_sysfs.h"
#include "host.h"
#include "libiommufd.h"
#include "uapi/vfio.h"

/* QEMU's emulated VT-d with snoop control on (tests/vm measures the same). */
#define VTD_CAP 0xd2008c22260206ull
#define VTD_ECAP_SC 0xf00fcaull

enum node_kind { NODE_NONE, NODE_IOMMUFD, NODE_VFIO, NODE_VFIO_NO_TYPE1, NODE_REGULAR };

struct host_case {
	bool has_iommu;		/* a dmar0 in class/iommu */
	enum node_kind dev_iommu, dev_container;
	int iommu_errno, container_errno;	/* open errors */
	bool cdevs, groups;			/* class/vfio-dev, class/vfio */
};

struct t {
	struct fake_sysfs tree;
	struct fake_sys sys;
	struct iofd_ctx *ctx;
	struct iofd_host *host;
	char path_iommu[PATH_MAX + 16], path_container[PATH_MAX + 16];
};

static int vfio_no_type1_ioctl(void *priv, const char *path, unsigned long req, void *arg)
{
	if (req == IOFD_U_VFIO_CHECK_EXTENSION)
		return 0;	/* vfio_iommu_type1 not loaded: no driver answers */
	return fake_vfio_container_ioctl(priv, path, req, arg);
}

static void add_node(struct t *t, const char *path, enum node_kind kind, int err)
{
	static const fake_ioctl_fn fns[] = {
		[NODE_IOMMUFD] = fake_iommufd_ioctl,
		[NODE_VFIO] = fake_vfio_container_ioctl,
		[NODE_VFIO_NO_TYPE1] = vfio_no_type1_ioctl,
		[NODE_REGULAR] = fake_iommufd_ioctl,
	};

	if (kind == NODE_NONE && !err)
		return;	/* open gives ENOENT */
	fake_sys_add(&t->sys, path, err, fns[kind], NULL);
	if (kind == NODE_REGULAR)
		t->sys.nodes[t->sys.n_nodes - 1].not_chr = true;
}

static void setup_host(struct t *t, const struct host_case *c)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(fake_sysfs_init(&t->tree, NULL), 0);
	if (c->has_iommu) {
		assert_int_equal(fake_sysfs_vtd(&t->tree, "dmar0", VTD_CAP, VTD_ECAP_SC), 0);
		assert_int_equal(fake_sysfs_pci(&t->tree, "0000:00:03.0", NULL, 0x1b36, 0x0010,
						0x010802, "vfio-pci"), 0);
		assert_int_equal(fake_sysfs_iommu_add(&t->tree, "dmar0", "0000:00:03.0"), 0);
		assert_int_equal(fake_sysfs_group_add(&t->tree, 3, "0000:00:03.0"), 0);
	}
	assert_int_equal(fake_sysfs_vfio(&t->tree, c->cdevs, c->groups, false), 0);
	snprintf(t->path_iommu, sizeof(t->path_iommu), "%s/iommu", t->tree.dev);
	snprintf(t->path_container, sizeof(t->path_container), "%s/vfio/vfio", t->tree.dev);
	add_node(t, t->path_iommu, c->dev_iommu, c->iommu_errno);
	add_node(t, t->path_container, c->dev_container, c->container_errno);
}

static void scan(struct t *t, const struct iofd_ctx_opts *extra)
{
	IOFD_OPTS(iofd_ctx_opts, o, .sysfs_root = t->tree.sys, .dev_root = t->tree.dev);

	if (extra) {
		o.flags = extra->flags;
		o.iommu_fd = extra->iommu_fd;
		o.container_fd = extra->container_fd;
	}
	assert_int_equal(iofd_ctx_new_sys(&t->ctx, &o, &fake_sys_ops, &t->sys), 0);
	assert_int_equal(iofd_host_scan(&t->host, t->ctx), 0);
}

static void teardown_host(struct t *t)
{
	iofd_host_free(t->host);
	iofd_ctx_free(t->ctx);
	assert_int_equal(t->sys.open_fds, 0);
	fake_sysfs_destroy(&t->tree);
}

static void assert_contains(const char *s, const char *needle)
{
	if (!s || !strstr(s, needle))
		fail_msg("\"%s\" does not contain \"%s\"", s ? s : "(null)", needle);
}

static int avail(struct t *t, enum iofd_backend b)
{
	return iofd_host_backend_available(t->host, b);
}

static void everything_offered_picks_iommufd(void **state)
{
	struct t t;

	setup_host(&t, &(struct host_case){ .has_iommu = true, .dev_iommu = NODE_IOMMUFD,
		   .dev_container = NODE_VFIO, .cdevs = true, .groups = true });
	scan(&t, NULL);
	assert_int_equal(avail(&t, IOFD_BACKEND_IOMMUFD), 1);
	assert_int_equal(avail(&t, IOFD_BACKEND_TYPE1), 1);
	assert_int_equal(avail(&t, IOFD_BACKEND_COMPAT), 1);
	assert_int_equal(iofd_host_auto_backend(t.host), IOFD_BACKEND_IOMMUFD);
	assert_int_equal(iofd_host_container_kind(t.host), IOFD_CONTAINER_VFIO);
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_AUTO), "auto uses iommufd");
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_IOMMUFD),
			"answers as iommufd");
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_TYPE1), "type1v2");
	/* Both nodes were opened, asked and closed again. */
	assert_int_equal(t.sys.opens, 2);
	assert_int_equal(t.sys.open_fds, 0);
	teardown_host(&t);
}

static void no_dev_iommu_falls_back_to_type1(void **state)
{
	struct t t;

	setup_host(&t, &(struct host_case){ .has_iommu = true, .dev_iommu = NODE_NONE,
		   .dev_container = NODE_VFIO, .cdevs = true, .groups = true });
	scan(&t, NULL);
	assert_int_equal(avail(&t, IOFD_BACKEND_IOMMUFD), 0);
	assert_int_equal(avail(&t, IOFD_BACKEND_COMPAT), 0);
	assert_int_equal(iofd_host_auto_backend(t.host), IOFD_BACKEND_TYPE1);
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_IOMMUFD), "no such node");
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_IOMMUFD), "CONFIG_IOMMUFD");
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_AUTO), "auto uses type1");
	teardown_host(&t);
}

static void permission_denied_is_said_so(void **state)
{
	struct t t;

	setup_host(&t, &(struct host_case){ .has_iommu = true, .dev_iommu = NODE_IOMMUFD,
		   .iommu_errno = EACCES, .dev_container = NODE_VFIO, .container_errno = EPERM,
		   .cdevs = true, .groups = true });
	scan(&t, NULL);
	assert_int_equal(iofd_host_auto_backend(t.host), -ENODEV);
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_IOMMUFD),
			"permission denied");
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_TYPE1),
			"permission denied");
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_AUTO), "no IOMMU backend");
	teardown_host(&t);
}

static void no_cdevs_means_no_iommufd_backend(void **state)
{
	struct t t;

	/* A 6.2-6.5 kernel: iommufd exists, VFIO has no cdevs. */
	setup_host(&t, &(struct host_case){ .has_iommu = true, .dev_iommu = NODE_IOMMUFD,
		   .dev_container = NODE_VFIO, .cdevs = false, .groups = true });
	scan(&t, NULL);
	assert_int_equal(avail(&t, IOFD_BACKEND_IOMMUFD), 0);
	assert_int_equal(avail(&t, IOFD_BACKEND_COMPAT), 1);
	assert_int_equal(iofd_host_auto_backend(t.host), IOFD_BACKEND_TYPE1);
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_IOMMUFD), "vfio-dev");
	teardown_host(&t);
}

static void container_served_by_iommufd_is_compat_not_type1(void **state)
{
	struct t t;

	/* CONFIG_IOMMUFD_VFIO_CONTAINER: /dev/vfio/vfio is iommufd. */
	setup_host(&t, &(struct host_case){ .has_iommu = true, .dev_iommu = NODE_NONE,
		   .dev_container = NODE_IOMMUFD, .cdevs = false, .groups = true });
	scan(&t, NULL);
	assert_int_equal(iofd_host_container_kind(t.host), IOFD_CONTAINER_IOMMUFD);
	assert_int_equal(avail(&t, IOFD_BACKEND_TYPE1), 0);
	assert_int_equal(avail(&t, IOFD_BACKEND_COMPAT), 1);
	assert_int_equal(iofd_host_auto_backend(t.host), IOFD_BACKEND_COMPAT);
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_TYPE1),
			"served by iommufd");
	teardown_host(&t);
}

static void container_without_type1_driver(void **state)
{
	struct t t;

	setup_host(&t, &(struct host_case){ .has_iommu = true, .dev_iommu = NODE_NONE,
		   .dev_container = NODE_VFIO_NO_TYPE1, .cdevs = true, .groups = true });
	scan(&t, NULL);
	assert_int_equal(avail(&t, IOFD_BACKEND_TYPE1), 0);
	assert_int_equal(iofd_host_auto_backend(t.host), -ENODEV);
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_TYPE1), "no TYPE1v2");
	teardown_host(&t);
}

static void regular_file_is_not_iommufd(void **state)
{
	struct t t;

	setup_host(&t, &(struct host_case){ .has_iommu = true, .dev_iommu = NODE_REGULAR,
		   .dev_container = NODE_NONE, .cdevs = true, .groups = true });
	scan(&t, NULL);
	assert_int_equal(avail(&t, IOFD_BACKEND_IOMMUFD), 0);
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_IOMMUFD),
			"does not answer");
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_COMPAT), "no iommufd");
	teardown_host(&t);
}

static void no_iommu_offers_nothing_and_says_why(void **state)
{
	struct t t;

	/* VFIO and iommufd are there, but nothing translates: no backend. */
	setup_host(&t, &(struct host_case){ .has_iommu = false, .dev_iommu = NODE_IOMMUFD,
		   .dev_container = NODE_VFIO, .cdevs = true, .groups = true });
	scan(&t, NULL);
	assert_int_equal(iofd_host_iommu_count(t.host), 0);
	for (int b = IOFD_BACKEND_IOMMUFD; b <= IOFD_BACKEND_COMPAT; b++) {
		assert_int_equal(avail(&t, b), 0);
		assert_contains(iofd_host_backend_reason(t.host, b), "no IOMMU");
	}
	assert_int_equal(iofd_host_auto_backend(t.host), -ENODEV);
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_AUTO), "no IOMMU");
	teardown_host(&t);
}

static void preopened_fds_are_asked_instead_of_the_nodes(void **state)
{
	struct t t;
	int ifd, cfd;

	/* The nodes cannot be opened (a sandboxed VMM), but its manager passed fds. */
	setup_host(&t, &(struct host_case){ .has_iommu = true, .dev_iommu = NODE_IOMMUFD,
		   .iommu_errno = 0, .dev_container = NODE_VFIO, .cdevs = true, .groups = true });
	ifd = fake_sys_open(&t.sys, t.path_iommu);
	cfd = fake_sys_open(&t.sys, t.path_container);
	assert_true(ifd >= 0 && cfd >= 0);
	t.sys.nodes[0].open_errno = EACCES;
	t.sys.nodes[1].open_errno = EACCES;
	scan(&t, &(struct iofd_ctx_opts){ .flags = IOFD_CTX_IOMMU_FD | IOFD_CTX_CONTAINER_FD,
					   .iommu_fd = ifd, .container_fd = cfd });
	assert_int_equal(avail(&t, IOFD_BACKEND_IOMMUFD), 1);
	assert_int_equal(avail(&t, IOFD_BACKEND_TYPE1), 1);
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_IOMMUFD),
			"given to the context");
	assert_contains(iofd_host_backend_reason(t.host, IOFD_BACKEND_TYPE1),
			"given to the context");
	/* The caller's fds and the context's duplicates: nothing else is open. */
	assert_int_equal(t.sys.open_fds, 4);
	iofd_host_free(t.host);
	iofd_ctx_free(t.ctx);
	assert_int_equal(t.sys.open_fds, 2);
	t.host = NULL;
	t.ctx = NULL;
	assert_int_equal(fake_sys_ops.close(&t.sys, ifd), 0);
	assert_int_equal(fake_sys_ops.close(&t.sys, cfd), 0);
	teardown_host(&t);
}

/* A failing open, fstat or ioctl at any point of the probe: the scan still
 * succeeds, the backend concerned is reported unavailable, no fd stays. */
static void every_failing_kernel_call_still_scans_and_leaks_nothing(void **state)
{
	for (int n = 1;; n++) {
		struct t t;
		int calls;

		setup_host(&t, &(struct host_case){ .has_iommu = true,
			   .dev_iommu = NODE_IOMMUFD, .dev_container = NODE_VFIO,
			   .cdevs = true, .groups = true });
		t.sys.fail_call = n;
		t.sys.fail_errno = EIO;
		scan(&t, NULL);
		calls = t.sys.calls;
		assert_true(iofd_host_auto_backend(t.host) == IOFD_BACKEND_IOMMUFD ||
			    iofd_host_auto_backend(t.host) == IOFD_BACKEND_TYPE1 ||
			    iofd_host_auto_backend(t.host) == IOFD_BACKEND_COMPAT ||
			    iofd_host_auto_backend(t.host) == -ENODEV);
		for (int b = IOFD_BACKEND_AUTO; b <= IOFD_BACKEND_COMPAT; b++)
			assert_true(iofd_host_backend_reason(t.host, b)[0] != '\0');
		teardown_host(&t);
		if (n > calls)
			break;	/* the failure point is past the last call: all tried */
	}
}

static void getters_reject_null_and_bad_backends(void **state)
{
	assert_int_equal(iofd_host_backend_available(NULL, IOFD_BACKEND_TYPE1), -EINVAL);
	assert_int_equal(iofd_host_auto_backend(NULL), -EINVAL);
	assert_int_equal(iofd_host_container_kind(NULL), -EINVAL);
	assert_null(iofd_host_backend_reason(NULL, IOFD_BACKEND_AUTO));

	struct t t;

	setup_host(&t, &(struct host_case){ .has_iommu = true, .dev_iommu = NODE_IOMMUFD,
		   .dev_container = NODE_VFIO, .cdevs = true, .groups = true });
	scan(&t, NULL);
	assert_int_equal(avail(&t, IOFD_BACKEND_AUTO), -EINVAL);
	assert_int_equal(avail(&t, (enum iofd_backend)4), -EINVAL);
	assert_null(iofd_host_backend_reason(t.host, (enum iofd_backend)-1));
	teardown_host(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(everything_offered_picks_iommufd),
		cmocka_unit_test(no_dev_iommu_falls_back_to_type1),
		cmocka_unit_test(permission_denied_is_said_so),
		cmocka_unit_test(no_cdevs_means_no_iommufd_backend),
		cmocka_unit_test(container_served_by_iommufd_is_compat_not_type1),
		cmocka_unit_test(container_without_type1_driver),
		cmocka_unit_test(regular_file_is_not_iommufd),
		cmocka_unit_test(no_iommu_offers_nothing_and_says_why),
		cmocka_unit_test(preopened_fds_are_asked_instead_of_the_nodes),
		cmocka_unit_test(every_failing_kernel_call_still_scans_and_leaks_nothing),
		cmocka_unit_test(getters_reject_null_and_bad_backends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
