// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Our uAPI definitions against a live kernel (in the lab: tests/vm/run).
 * The headers test (test_uapi_abi.c) compares us with the kernel's headers;
 * this one asks the kernel itself, through its size rules:
 *
 *  - iommufd copies min(size, its own sizeof) and refuses a larger size
 *    whose extra bytes are not zero (E2BIG). A non-zero byte right after
 *    our struct gives E2BIG, and one in our struct's last byte does not,
 *    only when the kernel's sizeof equals ours: checked for every ioctl.
 *  - a size below the mandatory fields is EINVAL; an ioctl number the
 *    kernel does not know is ENOTTY.
 *  - VFIO: argsz below the mandatory fields is EINVAL, and a full struct is
 *    filled with facts we can check (a PCI device, a VT-d hw info whose
 *    ECAP.SC matches QEMU's snoop-control setting).
 *
 * Skips, each naming what the kernel lacks: no /dev/iommu, no
 * /dev/vfio/vfio, no device bound to vfio-pci, no IOMMUFD_TEST.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmocka.h>

#include "uapi/iommufd.h"
#include "uapi/iommufd_test.h"
#include "uapi/vfio.h"

/* ioctl() as -errno, the way the library's seam returns it. */
static int xioctl(int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

static int open_or_skip(const char *path, const char *what)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		print_message("skip: %s: %s (%s)\n", path, strerror(errno), what);
		skip();
	}
	return fd;
}

#define IOMMUFD_OP(name, type) { #name, IOFD_U_##name, sizeof(type) }

static const struct {
	const char *name;
	unsigned long cmd;
	size_t size;
} iommufd_ops[] = {
	IOMMUFD_OP(IOMMU_DESTROY, struct iofd_u_iommu_destroy),
	IOMMUFD_OP(IOMMU_IOAS_ALLOC, struct iofd_u_iommu_ioas_alloc),
	IOMMUFD_OP(IOMMU_IOAS_ALLOW_IOVAS, struct iofd_u_iommu_ioas_allow_iovas),
	IOMMUFD_OP(IOMMU_IOAS_COPY, struct iofd_u_iommu_ioas_copy),
	IOMMUFD_OP(IOMMU_IOAS_IOVA_RANGES, struct iofd_u_iommu_ioas_iova_ranges),
	IOMMUFD_OP(IOMMU_IOAS_MAP, struct iofd_u_iommu_ioas_map),
	IOMMUFD_OP(IOMMU_IOAS_UNMAP, struct iofd_u_iommu_ioas_unmap),
	IOMMUFD_OP(IOMMU_OPTION, struct iofd_u_iommu_option),
	IOMMUFD_OP(IOMMU_VFIO_IOAS, struct iofd_u_iommu_vfio_ioas),
	IOMMUFD_OP(IOMMU_HWPT_ALLOC, struct iofd_u_iommu_hwpt_alloc),
	IOMMUFD_OP(IOMMU_GET_HW_INFO, struct iofd_u_iommu_hw_info),
	IOMMUFD_OP(IOMMU_HWPT_SET_DIRTY_TRACKING, struct iofd_u_iommu_hwpt_set_dirty_tracking),
	IOMMUFD_OP(IOMMU_HWPT_GET_DIRTY_BITMAP, struct iofd_u_iommu_hwpt_get_dirty_bitmap),
	IOMMUFD_OP(IOMMU_HWPT_INVALIDATE, struct iofd_u_iommu_hwpt_invalidate),
	IOMMUFD_OP(IOMMU_FAULT_QUEUE_ALLOC, struct iofd_u_iommu_fault_alloc),
};

#define N_OPS (sizeof(iommufd_ops) / sizeof(iommufd_ops[0]))

/* Room for any struct plus a tail; 8-aligned as the kernel's u64s want. */
union argbuf {
	uint64_t align;
	unsigned char b[1024];
};

/*
 * The size rules for one iommufd ioctl of @size bytes (ours). Returns 0,
 * or -ENOTTY when the kernel does not have it at all.
 */
static int check_size_rules(int fd, const char *name, unsigned long cmd, size_t size)
{
	union argbuf a;
	uint32_t *sz = (uint32_t *)a.b;
	int r;

	assert_true(size + 8 <= sizeof(a.b));

	/* Only the size field: below every ioctl's mandatory fields. */
	memset(&a, 0, sizeof(a));
	*sz = 4;
	r = xioctl(fd, cmd, &a);
	if (r == -ENOTTY)
		return r;
	if (r != -EINVAL)
		fail_msg("%s: size 4 gave %d, want -EINVAL", name, r);

	/* A non-zero byte just past our struct: the kernel's is not longer. */
	memset(&a, 0, sizeof(a));
	*sz = (uint32_t)(size + 8);
	a.b[size] = 1;
	r = xioctl(fd, cmd, &a);
	if (r != -E2BIG)
		fail_msg("%s: a non-zero byte at offset %zu gave %d, want -E2BIG: the kernel's "
			 "struct is longer than ours", name, size, r);

	/* A non-zero last byte of our struct: the kernel's is not shorter. The
	 * byte lands in an id, a reserved field or a pointer: whatever the
	 * kernel answers, it is not E2BIG. */
	memset(&a, 0, sizeof(a));
	*sz = (uint32_t)size;
	a.b[size - 1] = 0x80;
	r = xioctl(fd, cmd, &a);
	if (r == -E2BIG)
		fail_msg("%s: our last byte (offset %zu) gave -E2BIG: the kernel's struct is "
			 "shorter than ours", name, size - 1);
	return 0;
}

static void iommufd_ioctls_have_our_sizes(void **state)
{
	int fd = open_or_skip("/dev/iommu", "the kernel has no iommufd");

	for (size_t i = 0; i < N_OPS; i++) {
		int r = check_size_rules(fd, iommufd_ops[i].name, iommufd_ops[i].cmd,
					 iommufd_ops[i].size);

		if (r == -ENOTTY)
			fail_msg("%s: the kernel does not know it (ENOTTY)", iommufd_ops[i].name);
	}
	print_message("%zu iommufd ioctls answer with our sizes\n", N_OPS);
	close(fd);
}

static void iommufd_unknown_ioctls_are_enotty(void **state)
{
	int fd = open_or_skip("/dev/iommu", "the kernel has no iommufd");
	struct iofd_u_iommu_destroy d = { .size = sizeof(d) };

	/* A number past the table; a known number with the wrong direction bits. */
	assert_int_equal(xioctl(fd, IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, 0xbf), &d), -ENOTTY);
	assert_int_equal(xioctl(fd, IOFD_U_IOC(IOFD_U_IOC_READ, IOFD_U_IOMMUFD_TYPE,
					      IOFD_U_IOMMUFD_CMD_DESTROY, 8), &d), -ENOTTY);
	/* And the real one answers: object 0 never exists. */
	assert_int_equal(xioctl(fd, IOFD_U_IOMMU_DESTROY, &d), -ENOENT);
	close(fd);
}

static void selftest_cmd_has_our_size(void **state)
{
	int fd = open_or_skip("/dev/iommu", "the kernel has no iommufd");
	int r = check_size_rules(fd, "IOMMU_TEST_CMD", IOFD_U_IOMMU_TEST_CMD,
				 sizeof(struct iofd_u_iommu_test_cmd));

	close(fd);
	if (r == -ENOTTY) {
		print_message("skip: IOMMU_TEST_CMD: ENOTTY (kernel built without "
			      "CONFIG_IOMMUFD_TEST)\n");
		skip();
	}
}

/* ------------------------------------------------------------------------
 * VFIO, on a device the lab bound to vfio-pci
 */

struct vfio_dev {
	char bdf[32];
	char group[300];	/* /dev/vfio/N */
	char cdev[300];		/* /dev/vfio/devices/vfioN, or "" */
};

/* The first device bound to vfio-pci, or skip. */
static void find_vfio_dev(struct vfio_dev *v)
{
	const char *drv = "/sys/bus/pci/drivers/vfio-pci";
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(drv);
	ssize_t n;

	memset(v, 0, sizeof(*v));
	while (d && (de = readdir(d)))
		if (strchr(de->d_name, ':') && strlen(de->d_name) < sizeof(v->bdf)) {
			snprintf(v->bdf, sizeof(v->bdf), "%s", de->d_name);
			break;
		}
	if (d)
		closedir(d);
	if (!v->bdf[0]) {
		print_message("skip: no device is bound to vfio-pci\n");
		skip();
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", v->bdf);
	n = readlink(path, link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	snprintf(v->group, sizeof(v->group), "/dev/vfio/%s", strrchr(link, '/') + 1);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", v->bdf);
	d = opendir(path);
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4)) {
			snprintf(v->cdev, sizeof(v->cdev), "/dev/vfio/devices/%s", de->d_name);
			break;
		}
	if (d)
		closedir(d);
}

static void check_device_info(int dev)
{
	struct iofd_u_vfio_device_info info = { .argsz = 8 };
	struct iofd_u_vfio_region_info reg = { .argsz = 8 };
	struct iofd_u_vfio_irq_info irq = { .argsz = 8 };

	assert_int_equal(xioctl(dev, IOFD_U_VFIO_DEVICE_GET_INFO, &info), -EINVAL);
	info.argsz = sizeof(info);
	assert_int_equal(xioctl(dev, IOFD_U_VFIO_DEVICE_GET_INFO, &info), 0);
	assert_true(info.flags & IOFD_U_VFIO_DEVICE_FLAGS_PCI);
	assert_true(info.num_regions >= IOFD_U_VFIO_PCI_CONFIG_REGION_INDEX + 1);
	assert_true(info.num_irqs >= IOFD_U_VFIO_PCI_MSIX_IRQ_INDEX + 1);

	assert_int_equal(xioctl(dev, IOFD_U_VFIO_DEVICE_GET_REGION_INFO, &reg), -EINVAL);
	reg.argsz = sizeof(reg);
	reg.index = IOFD_U_VFIO_PCI_CONFIG_REGION_INDEX;
	assert_int_equal(xioctl(dev, IOFD_U_VFIO_DEVICE_GET_REGION_INFO, &reg), 0);
	assert_true(reg.size >= 256);	/* config space, 4096 for PCIe */
	assert_true(reg.flags & IOFD_U_VFIO_REGION_INFO_FLAG_READ);

	assert_int_equal(xioctl(dev, IOFD_U_VFIO_DEVICE_GET_IRQ_INFO, &irq), -EINVAL);
	irq.argsz = sizeof(irq);
	irq.index = IOFD_U_VFIO_PCI_MSIX_IRQ_INDEX;
	assert_int_equal(xioctl(dev, IOFD_U_VFIO_DEVICE_GET_IRQ_INFO, &irq), 0);
	assert_int_equal(irq.index, IOFD_U_VFIO_PCI_MSIX_IRQ_INDEX);
}

static void type1_container_group_and_device(void **state)
{
	struct iofd_u_vfio_group_status st = { .argsz = 4 };
	struct iofd_u_vfio_iommu_type1_info info = { .argsz = 4 };
	struct vfio_dev v;
	int container, group, dev;

	find_vfio_dev(&v);
	container = open_or_skip("/dev/vfio/vfio", "no VFIO container in this kernel");
	assert_int_equal(xioctl(container, IOFD_U_VFIO_GET_API_VERSION, NULL),
			 IOFD_U_VFIO_API_VERSION);
	assert_int_equal(xioctl(container, IOFD_U_VFIO_CHECK_EXTENSION,
				(void *)(unsigned long)IOFD_U_VFIO_TYPE1v2_IOMMU), 1);

	group = open(v.group, O_RDWR | O_CLOEXEC);
	assert_true(group >= 0);
	assert_int_equal(xioctl(group, IOFD_U_VFIO_GROUP_GET_STATUS, &st), -EINVAL);
	st.argsz = sizeof(st);
	assert_int_equal(xioctl(group, IOFD_U_VFIO_GROUP_GET_STATUS, &st), 0);
	assert_true(st.flags & IOFD_U_VFIO_GROUP_FLAGS_VIABLE);
	assert_int_equal(xioctl(group, IOFD_U_VFIO_GROUP_SET_CONTAINER, &container), 0);
	assert_int_equal(xioctl(container, IOFD_U_VFIO_SET_IOMMU,
				(void *)(unsigned long)IOFD_U_VFIO_TYPE1v2_IOMMU), 0);

	/* Ask with a device open: iommufd's compat container only knows the
	 * real ranges and page sizes once a device is attached. */
	dev = xioctl(group, IOFD_U_VFIO_GROUP_GET_DEVICE_FD, v.bdf);
	assert_true(dev >= 0);
	assert_int_equal(xioctl(container, IOFD_U_VFIO_IOMMU_GET_INFO, &info), -EINVAL);
	info.argsz = sizeof(info);
	assert_int_equal(xioctl(container, IOFD_U_VFIO_IOMMU_GET_INFO, &info), 0);
	assert_true(info.flags & IOFD_U_VFIO_IOMMU_INFO_PGSIZES);
	assert_true(info.iova_pgsizes & 4096);
	/* With capabilities, the kernel asks for more room than the struct. */
	if (info.flags & IOFD_U_VFIO_IOMMU_INFO_CAPS)
		assert_true(info.argsz > sizeof(info));

	check_device_info(dev);
	close(dev);
	close(group);
	close(container);
}

static void cdev_bind_and_hw_info(void **state)
{
	struct iofd_u_vfio_device_bind_iommufd bind = { .argsz = 8 };
	struct iofd_u_iommu_hw_info hw;
	struct iofd_u_iommu_hw_info_vtd vtd;
	const char *snoop = getenv("IOFD_VM_SNOOP_CONTROL");
	struct vfio_dev v;
	int iommufd, dev;

	find_vfio_dev(&v);
	if (!v.cdev[0]) {
		print_message("skip: %s has no VFIO cdev (CONFIG_VFIO_DEVICE_CDEV off)\n", v.bdf);
		skip();
	}
	iommufd = open_or_skip("/dev/iommu", "the kernel has no iommufd");
	dev = open(v.cdev, O_RDWR | O_CLOEXEC);
	assert_true(dev >= 0);

	bind.iommufd = iommufd;
	assert_int_equal(xioctl(dev, IOFD_U_VFIO_DEVICE_BIND_IOMMUFD, &bind), -EINVAL);
	bind.argsz = sizeof(bind);
	bind.flags = 1;
	assert_int_equal(xioctl(dev, IOFD_U_VFIO_DEVICE_BIND_IOMMUFD, &bind), -EINVAL);
	bind.flags = 0;
	assert_int_equal(xioctl(dev, IOFD_U_VFIO_DEVICE_BIND_IOMMUFD, &bind), 0);
	assert_int_not_equal(bind.out_devid, 0);

	/* GET_HW_INFO on a real device, our struct and our VT-d data. */
	memset(&hw, 0, sizeof(hw));
	memset(&vtd, 0, sizeof(vtd));
	hw.size = sizeof(hw);
	hw.dev_id = bind.out_devid;
	hw.data_len = sizeof(vtd);
	hw.data_uptr = (uintptr_t)&vtd;
	assert_int_equal(xioctl(iommufd, IOFD_U_IOMMU_GET_HW_INFO, &hw), 0);
	if (hw.out_data_type == IOFD_U_IOMMU_HW_INFO_TYPE_INTEL_VTD) {
		assert_int_equal(hw.data_len, sizeof(vtd));
		assert_int_not_equal(vtd.cap_reg, 0);
		/* The lab's QEMU variant: 1 snoop-control=on, 0 off. */
		if (snoop && (!strcmp(snoop, "1") || !strcmp(snoop, "0")))
			assert_int_equal(!!(vtd.ecap_reg & (1ull << 7)), !strcmp(snoop, "1"));
		print_message("%s: VT-d cap 0x%llx ecap 0x%llx caps 0x%llx\n", v.bdf,
			      (unsigned long long)vtd.cap_reg, (unsigned long long)vtd.ecap_reg,
			      (unsigned long long)hw.out_capabilities);
	}

	/* The device info ioctls answer the same on a cdev. */
	check_device_info(dev);
	close(dev);
	close(iommufd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(iommufd_ioctls_have_our_sizes),
		cmocka_unit_test(iommufd_unknown_ioctls_are_enotty),
		cmocka_unit_test(selftest_cmd_has_our_size),
		cmocka_unit_test(type1_container_group_and_device),
		cmocka_unit_test(cdev_bind_and_hw_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
