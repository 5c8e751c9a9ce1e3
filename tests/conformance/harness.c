// SPDX-License-Identifier: LGPL-2.1-or-later
/* The conformance harness: one kernel per test, simulated or real (harness.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/* ------------------------------------------------------------------------
 * Setup and teardown
 */

static bool want_real(void)
{
	const char *k = getenv("IOFD_KERNEL");

	return k && !strcmp(k, "real");
}

int kern_main_check(const char *prog)
{
	const char *k = getenv("IOFD_KERNEL");
	int fd;

	if (k && strcmp(k, "sim") && strcmp(k, "real")) {
		fprintf(stderr, "%s: IOFD_KERNEL must be sim or real, not '%s'\n", prog, k);
		return 2;
	}
	if (!want_real()) {
		printf("%s: on libiommufd-sim\n", prog);
		return 0;
	}
	fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("skip: %s: /dev/iommu: %s (this kernel has no iommufd)\n", prog,
		       strerror(errno));
		return 77;
	}
	close(fd);
	printf("%s: on the real kernel\n", prog);
	return 0;
}

int kern_run(const char *prog, const struct CMUnitTest *cdev, size_t n_cdev,
	     const struct CMUnitTest *mock, size_t n_mock, const struct CMUnitTest *sim,
	     size_t n_sim)
{
	int r = kern_main_check(prog), failed = 0;

	if (r)
		return r;
	if (want_real()) {
		failed += _cmocka_run_group_tests("cdev", cdev, n_cdev, NULL, NULL);
		failed += _cmocka_run_group_tests("mock", mock, n_mock, NULL, NULL);
		printf("%s: %zu simulator-only tests not run on a real kernel\n", prog, n_sim);
		return failed ? 1 : 0;
	}
	kern_sim_snoop_control = true;
	failed += _cmocka_run_group_tests("cdev (VT-d with snoop control)", cdev, n_cdev, NULL,
					  NULL);
	kern_sim_snoop_control = false;
	failed += _cmocka_run_group_tests("cdev (VT-d without snoop control)", cdev, n_cdev,
					  NULL, NULL);
	kern_sim_snoop_control = true;
	failed += _cmocka_run_group_tests("mock", mock, n_mock, NULL, NULL);
	failed += _cmocka_run_group_tests("sim", sim, n_sim, NULL, NULL);
	return failed ? 1 : 0;
}

bool kern_is_real(const struct kern *k)
{
	return !k->sim;
}

/* A line of /proc/self/status: the number after "@key:". */
static uint64_t status_field(const char *key, int base)
{
	char line[256];
	uint64_t v = 0;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtoull(line + n + 1, NULL, base);
			break;
		}
	fclose(f);
	return v;
}

static uint64_t vm_pin_pages(uint64_t page_size)
{
	return status_field("VmPin", 10) * 1024 / page_size;
}

/* A simulator that answers as the real kernel would answer this very
 * process: its capabilities and RLIMIT_MEMLOCK, the lab's kernel config. */
static int sim_like_this_process(struct kern *k)
{
	uint64_t caps = status_field("CapEff", 16), memlock = 0;
	uint32_t flags = IOFD_SIM_IOMMUFD_TEST | kern_sim_flags;
	struct rlimit rl = { .rlim_cur = RLIM_INFINITY };

	if (caps & (1ull << 14))
		flags |= IOFD_SIM_CAP_IPC_LOCK;
	if (caps & (1ull << 24))
		flags |= IOFD_SIM_CAP_SYS_RESOURCE;
	getrlimit(RLIMIT_MEMLOCK, &rl);
	/* (A limit below one page would need 0, which means unlimited here.) */
	if (rl.rlim_cur != RLIM_INFINITY)
		memlock = rl.rlim_cur / k->page_size ? rl.rlim_cur / k->page_size : 1;

	IOFD_OPTS(iofd_sim_opts, o, .flags = flags, .memlock_pages = memlock);
	return iofd_sim_new(&k->sim, &o);
}

int kern_setup(void **state)
{
	struct kern *k = calloc(1, sizeof(*k));

	if (!k)
		return -1;
	k->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	if (want_real()) {
		k->ops = iofd_kernel_real();
		k->pinned_at_start = vm_pin_pages(k->page_size);
		k->locked_at_start = status_field("VmLck", 10) * 1024 / k->page_size;
	} else {
		if (sim_like_this_process(k) < 0) {
			free(k);
			return -1;
		}
		k->ops = iofd_sim_kernel_ops();
		k->priv = k->sim;
	}
	*state = k;
	return 0;
}

/* ------------------------------------------------------------------------
 * The lab's hosts, rebuilt on the simulator
 */

bool kern_sim_snoop_control = true;
uint32_t kern_sim_flags;

int k_sim_add_vtd(struct iofd_sim *sim, uint64_t ecap)
{
	IOFD_OPTS(iofd_sim_iommu_opts, o, .type = IOFD_IOMMU_INTEL_VTD,
		  .vtd_cap = 0xd2008c22260206ull, .vtd_ecap = ecap);

	return iofd_sim_add_iommu(sim, &o);
}

void k_sim_add_vfio_dev(struct iofd_sim *sim, const char *bdf, int iommu, uint32_t flags)
{
	IOFD_OPTS(iofd_sim_pci_opts, o, .bdf = bdf, .iommu = iommu, .flags = flags,
		  .driver = "vfio-pci");

	assert_int_equal(iofd_sim_add_pci(sim, &o), 0);
}

/* What `tests/vm/run` shows in its guest (lspci, sysfs), VT-d as QEMU 7.2's. */
static int lab_topology(struct iofd_sim *sim)
{
	static const struct {
		const char *bdf;
		uint16_t vendor, device;
		uint32_t class_code;
		const char *driver;
		int group;
	} devs[] = {
		{ "0000:00:00.0", 0x8086, 0x29c0, 0x060000, NULL, 0 },
		{ "0000:00:01.0", 0x1b36, 0x0010, 0x010802, "vfio-pci", 1 },
		{ "0000:00:02.0", 0x1b36, 0x0010, 0x010802, "vfio-pci", 2 },
		{ "0000:00:03.0", 0x8086, 0x10d3, 0x020000, "vfio-pci", 3 },
		{ "0000:00:04.0", 0x1af4, 0x1009, 0x000200, "virtio-pci", 4 },
		{ "0000:00:05.0", 0x1af4, 0x1009, 0x000200, "virtio-pci", 5 },
		{ "0000:00:1f.0", 0x8086, 0x2918, 0x060100, NULL, 6 },
		{ "0000:00:1f.2", 0x8086, 0x2922, 0x010601, NULL, 6 },
		{ "0000:00:1f.3", 0x8086, 0x2930, 0x0c0500, NULL, 6 },
	};
	IOFD_OPTS(iofd_sim_iommu_opts, vtd, .type = IOFD_IOMMU_INTEL_VTD,
		  .vtd_cap = 0xd2008c22260206ull,
		  .vtd_ecap = kern_sim_snoop_control ? 0xf00fcaull : 0xf00f4aull);
	int iommu = iofd_sim_add_iommu(sim, &vtd), r = 0;

	if (iommu < 0)
		return iommu;
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]) && r == 0; i++) {
		IOFD_OPTS(iofd_sim_pci_opts, o, .bdf = devs[i].bdf, .iommu = iommu,
			  .flags = IOFD_SIM_PCI_GROUP, .group = devs[i].group,
			  .driver = devs[i].driver, .vendor = devs[i].vendor,
			  .device = devs[i].device, .class_code = devs[i].class_code);

		r = iofd_sim_add_pci(sim, &o);
	}
	return r;
}

int kern_setup_lab(void **state)
{
	int r = kern_setup(state);

	if (r == 0 && KERN(state)->sim && lab_topology(KERN(state)->sim) < 0) {
		kern_teardown(state);
		return -1;
	}
	return r;
}

int kern_setup_with(void **state, int (*setup)(void **state), uint32_t flags)
{
	uint32_t saved = kern_sim_flags;
	int r;

	kern_sim_flags |= flags;
	r = setup(state);
	kern_sim_flags = saved;
	return r;
}

int kern_setup_iommufd_container(void **state)
{
	return kern_setup_with(state, kern_setup, IOFD_SIM_VFIO_CONTAINER_IOMMUFD);
}

int kern_setup_lab_iommufd_container(void **state)
{
	return kern_setup_with(state, kern_setup_lab, IOFD_SIM_VFIO_CONTAINER_IOMMUFD);
}

int kern_setup_mock(void **state)
{
	/* The simulator's selftest IOMMU is there with IOMMUFD_TEST; no VT-d. */
	return kern_setup(state);
}

int kern_teardown(void **state)
{
	struct kern *k = KERN(state);
	int bad = 0;

	if (k->sim) {
		/* The test closed what it opened: the kernel holds nothing. */
		unsigned int fds = iofd_sim_open_fds(k->sim), objs = iofd_sim_objects(k->sim);
		uint64_t pinned = iofd_sim_pinned_pages(k->sim), locked = iofd_sim_locked_pages(k->sim);

		if (fds || objs || pinned || locked) {
			print_error("left behind: %u fds, %u objects, %llu pinned, %llu locked pages\n",
				    fds, objs, (unsigned long long)pinned,
				    (unsigned long long)locked);
			bad = -1;
		}
		iofd_sim_free(k->sim);
	} else if (vm_pin_pages(k->page_size) != k->pinned_at_start) {
		print_error("VmPin changed by %lld pages\n",
			    (long long)(vm_pin_pages(k->page_size) - k->pinned_at_start));
		bad = -1;
	}
	for (int i = 0; i < k->nmem; i++)
		munmap(k->mem[i].p, k->mem[i].len);
	free(k);
	return bad;
}

/* ------------------------------------------------------------------------
 * Ops and helpers
 */

/* The test's iommufd: /dev/iommu, or $IOFD_IOMMU_PATH (the lab's compat
 * kernel: /dev/vfio/vfio, which iommufd serves there). */
int k_open(struct kern *k)
{
	const char *path = k->sim ? NULL : getenv("IOFD_IOMMU_PATH");
	int fd = k->ops->open(k->priv, path ? path : "/dev/iommu", O_RDWR);

	assert_true(fd >= 0);
	return fd;
}

int k_ioctl(struct kern *k, int fd, unsigned long req, void *arg)
{
	return k->ops->ioctl(k->priv, fd, req, arg);
}

void k_close(struct kern *k, int fd)
{
	assert_int_equal(k->ops->close(k->priv, fd), 0);
}

uint64_t k_locked(struct kern *k)
{
	if (k->sim)
		return iofd_sim_locked_pages(k->sim);
	return status_field("VmLck", 10) * 1024 / k->page_size - k->locked_at_start;
}

uint64_t k_pinned(struct kern *k)
{
	if (k->sim)
		return iofd_sim_pinned_pages(k->sim);
	return vm_pin_pages(k->page_size) - k->pinned_at_start;
}

void *k_mem(struct kern *k, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	assert_true(k->nmem < (int)(sizeof(k->mem) / sizeof(k->mem[0])));
	k->mem[k->nmem].p = p;
	k->mem[k->nmem].len = len;
	k->nmem++;
	return p;
}

uint64_t k_hole(struct kern *k, size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	munmap(p, len);
	return (uintptr_t)p;
}

void k_need_test_cmd(struct kern *k, int fd)
{
	struct iofd_u_iommu_test_cmd cmd = { .size = sizeof(cmd), .op = 0 };
	int r = k_ioctl(k, fd, IOFD_U_IOMMU_TEST_CMD, &cmd);

	/* An op the kernel does not have: EOPNOTSUPP once the command exists. */
	if (r == -ENOTTY) {
		print_message("skip: IOMMU_TEST_CMD is ENOTTY (no CONFIG_IOMMUFD_TEST)\n");
		k_close(k, fd);
		skip();
	}
	assert_int_equal(r, -EOPNOTSUPP);
}

void k_need_mock(struct kern *k, int fd)
{
	uint32_t ioas, stdev;
	int r;

	k_need_test_cmd(k, fd);
	ioas = k_ioas_alloc(k, fd);
	r = k_mock_domain(k, fd, ioas, 0, &stdev, NULL, NULL);
	if (r == -EINVAL) {
		print_message("skip: MOCK_DOMAIN is EINVAL: the mock IOMMU works only with "
			      "VT-d off (the lab's mock boot)\n");
		k_destroy(k, fd, ioas);
		k_close(k, fd);
		skip();
	}
	assert_int_equal(r, 0);
	assert_int_equal(k_destroy(k, fd, stdev), 0);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
}

uint32_t k_ioas_alloc(struct kern *k, int fd)
{
	struct iofd_u_iommu_ioas_alloc a = { .size = sizeof(a) };

	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_IOAS_ALLOC, &a), 0);
	assert_int_not_equal(a.out_ioas_id, 0);
	return a.out_ioas_id;
}

int k_destroy(struct kern *k, int fd, uint32_t id)
{
	struct iofd_u_iommu_destroy d = { .size = sizeof(d), .id = id };

	return k_ioctl(k, fd, IOFD_U_IOMMU_DESTROY, &d);
}

int k_map(struct kern *k, int fd, uint32_t ioas, uint32_t flags, const void *va, uint64_t len,
	  uint64_t *iova)
{
	struct iofd_u_iommu_ioas_map m = {
		.size = sizeof(m), .flags = flags, .ioas_id = ioas,
		.user_va = (uintptr_t)va, .length = len, .iova = iova ? *iova : 0,
	};
	int r = k_ioctl(k, fd, IOFD_U_IOMMU_IOAS_MAP, &m);

	if (r == 0 && iova)
		*iova = m.iova;
	return r;
}

int k_map_fixed(struct kern *k, int fd, uint32_t ioas, const void *va, uint64_t len,
		uint64_t iova)
{
	return k_map(k, fd, ioas, FIXED | RW, va, len, &iova);
}

int k_unmap(struct kern *k, int fd, uint32_t ioas, uint64_t iova, uint64_t len,
	    uint64_t *unmapped)
{
	struct iofd_u_iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = ioas, .iova = iova, .length = len,
	};
	int r = k_ioctl(k, fd, IOFD_U_IOMMU_IOAS_UNMAP, &u);

	if (r == 0 && unmapped)
		*unmapped = u.length;
	return r;
}

int k_copy(struct kern *k, int fd, uint32_t dst, uint32_t src, uint32_t flags, uint64_t src_iova,
	   uint64_t len, uint64_t *dst_iova)
{
	struct iofd_u_iommu_ioas_copy c = {
		.size = sizeof(c), .flags = flags, .dst_ioas_id = dst, .src_ioas_id = src,
		.length = len, .dst_iova = dst_iova ? *dst_iova : 0, .src_iova = src_iova,
	};
	int r = k_ioctl(k, fd, IOFD_U_IOMMU_IOAS_COPY, &c);

	if (r == 0 && dst_iova)
		*dst_iova = c.dst_iova;
	return r;
}

int k_add_reserved(struct kern *k, int fd, uint32_t ioas, uint64_t start, uint64_t len)
{
	struct iofd_u_iommu_test_cmd cmd = {
		.size = sizeof(cmd), .op = IOFD_U_IOMMU_TEST_OP_ADD_RESERVED, .id = ioas,
		.add_reserved = { .start = start, .length = len },
	};

	return k_ioctl(k, fd, IOFD_U_IOMMU_TEST_CMD, &cmd);
}

int k_allow(struct kern *k, int fd, uint32_t ioas, const struct iofd_u_iommu_iova_range *r,
	    uint32_t n)
{
	struct iofd_u_iommu_ioas_allow_iovas a = {
		.size = sizeof(a), .ioas_id = ioas, .num_iovas = n,
		.allowed_iovas = (uintptr_t)r,
	};

	return k_ioctl(k, fd, IOFD_U_IOMMU_IOAS_ALLOW_IOVAS, &a);
}

int k_option(struct kern *k, int fd, uint32_t option, uint16_t op, uint32_t object,
	     uint64_t *val)
{
	struct iofd_u_iommu_option o = {
		.size = sizeof(o), .option_id = option, .op = op, .object_id = object,
		.val64 = *val,
	};
	int r = k_ioctl(k, fd, IOFD_U_IOMMU_OPTION, &o);

	if (r == 0)
		*val = o.val64;
	return r;
}

/* ------------------------------------------------------------------------
 * Devices, sysfs, and the device and HWPT ioctls
 */

const char *k_sysfs(struct kern *k)
{
	const char *p = k->sim ? iofd_sim_sysfs_root(k->sim) : "/sys";

	assert_non_null(p);
	return p;
}

int k_sysfs_text(struct kern *k, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", k_sysfs(k), rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

int k_sysfs_u64(struct kern *k, const char *rel, int base, uint64_t *v)
{
	char buf[64], *end;
	int r = k_sysfs_text(k, rel, buf, sizeof(buf));

	if (r < 0)
		return r;
	*v = strtoull(buf, &end, base);
	return end == buf ? -EINVAL : 0;
}

/* @src into @dst when it fits, else "" (gcc's -Wformat-truncation agrees). */
static void copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	dst[0] = '\0';
	if (n < size)
		memcpy(dst, src, n + 1);
}

/* The last component of the link SYSFS/@rel, or "". */
static void link_name(struct kern *k, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", k_sysfs(k), rel);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	copy_name(buf, len, strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

void k_vfio_dev(struct kern *k, unsigned int nth, struct k_vdev *v)
{
	char path[PATH_MAX], bdfs[16][32], rel[PATH_MAX], name[32];
	unsigned int n = 0, found = 0;
	struct dirent *de;
	uint64_t x;
	DIR *d;

	memset(v, 0, sizeof(*v));
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/vfio-pci", k_sysfs(k));
	d = opendir(path);
	while (d && (de = readdir(d)) && n < 16)
		if (strchr(de->d_name, ':') && strlen(de->d_name) < sizeof(bdfs[0]))
			copy_name(bdfs[n++], sizeof(bdfs[0]), de->d_name);
	if (d)
		closedir(d);
	qsort(bdfs, n, sizeof(bdfs[0]), cmp_str);
	/* The nth of those with a cdev. */
	for (unsigned int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/vfio-dev", k_sysfs(k), bdfs[i]);
		d = opendir(path);
		name[0] = '\0';
		while (d && (de = readdir(d)))
			if (!strncmp(de->d_name, "vfio", 4))
				copy_name(name, sizeof(name), de->d_name);
		if (d)
			closedir(d);
		if (!name[0] || found++ != nth)
			continue;
		copy_name(v->bdf, sizeof(v->bdf), bdfs[i]);
		memcpy(v->cdev, "/dev/vfio/devices/", 19);
		copy_name(v->cdev + 18, sizeof(v->cdev) - 18, name);
		break;
	}
	if (!v->bdf[0]) {
		print_message("skip: fewer than %u devices on vfio-pci with a VFIO cdev "
			      "(no IOMMU, or CONFIG_VFIO_DEVICE_CDEV off)\n", nth + 1);
		skip();
	}
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/iommu_group", v->bdf);
	link_name(k, rel, name, sizeof(name));
	v->group = atoi(name);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/vendor", v->bdf);
	x = 0;
	k_sysfs_u64(k, rel, 16, &x);
	v->vendor = (uint16_t)x;
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/device", v->bdf);
	x = 0;
	k_sysfs_u64(k, rel, 16, &x);
	v->device = (uint16_t)x;
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/iommu", v->bdf);
	link_name(k, rel, v->iommu, sizeof(v->iommu));
	snprintf(rel, sizeof(rel), "class/iommu/%s/intel-iommu/cap", v->iommu);
	v->vtd = v->iommu[0] && k_sysfs_u64(k, rel, 16, &v->cap) == 0;
	snprintf(rel, sizeof(rel), "class/iommu/%s/intel-iommu/ecap", v->iommu);
	v->vtd = v->vtd && k_sysfs_u64(k, rel, 16, &v->ecap) == 0;
}

int k_open_path(struct kern *k, const char *path)
{
	int fd = k->ops->open(k->priv, path, O_RDWR);

	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(-fd));
	return fd;
}

int k_bind(struct kern *k, int dev, int ifd, uint32_t *devid)
{
	struct iofd_u_vfio_device_bind_iommufd b = { .argsz = sizeof(b), .iommufd = ifd };
	int r = k_ioctl(k, dev, IOFD_U_VFIO_DEVICE_BIND_IOMMUFD, &b);

	if (r == 0 && devid)
		*devid = b.out_devid;
	return r;
}

int k_attach(struct kern *k, int dev, uint32_t *pt)
{
	struct iofd_u_vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a), .pt_id = *pt };
	int r = k_ioctl(k, dev, IOFD_U_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);

	if (r == 0)
		*pt = a.pt_id;
	return r;
}

int k_detach(struct kern *k, int dev)
{
	struct iofd_u_vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };

	return k_ioctl(k, dev, IOFD_U_VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

int k_hwpt_alloc(struct kern *k, int fd, uint32_t dev, uint32_t pt, uint32_t flags,
		 uint32_t *hwpt)
{
	struct iofd_u_iommu_hwpt_alloc h = {
		.size = sizeof(h), .flags = flags, .dev_id = dev, .pt_id = pt,
	};
	int r = k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_ALLOC, &h);

	if (r == 0 && hwpt)
		*hwpt = h.out_hwpt_id;
	return r;
}

int k_ranges(struct kern *k, int fd, uint32_t ioas, struct iofd_u_iommu_iova_range *r,
	     uint32_t max, uint64_t *align)
{
	struct iofd_u_iommu_ioas_iova_ranges q = {
		.size = sizeof(q), .ioas_id = ioas, .num_iovas = max, .allowed_iovas = (uintptr_t)r,
	};
	int ret = k_ioctl(k, fd, IOFD_U_IOMMU_IOAS_IOVA_RANGES, &q);

	if (align)
		*align = q.out_iova_alignment;
	return ret < 0 ? ret : (int)q.num_iovas;
}

int k_mock_domain(struct kern *k, int fd, uint32_t pt, uint32_t dev_flags, uint32_t *stdev,
		  uint32_t *hwpt, uint32_t *idev)
{
	struct iofd_u_iommu_test_cmd c = {
		.size = sizeof(c), .id = pt,
		.op = dev_flags ? IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS
				: IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	int r;

	c.mock_domain_flags.dev_flags = dev_flags;
	r = k_ioctl(k, fd, IOFD_U_IOMMU_TEST_CMD, &c);
	if (r == 0) {
		if (stdev)
			*stdev = c.mock_domain.out_stdev_id;
		if (hwpt)
			*hwpt = c.mock_domain.out_hwpt_id;
		if (idev)
			*idev = c.mock_domain.out_idev_id;
	}
	return r;
}

int k_check_map(struct kern *k, int fd, uint32_t hwpt, uint64_t iova, uint64_t len,
		const void *uptr)
{
	struct iofd_u_iommu_test_cmd c = {
		.size = sizeof(c), .op = IOFD_U_IOMMU_TEST_OP_MD_CHECK_MAP, .id = hwpt,
		.check_map = { .iova = iova, .length = len, .uptr = (uintptr_t)uptr },
	};

	return k_ioctl(k, fd, IOFD_U_IOMMU_TEST_CMD, &c);
}
