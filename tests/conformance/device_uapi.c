// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Devices and HWPTs through the uAPI, checked the same way on libiommufd-sim
 * and on a real kernel (IOFD_KERNEL=real; in the lab: tests/vm/run
 * [--variant sc|nosc|mock|compat-sc] -- env IOFD_KERNEL=real <this program>).
 *
 *  - "cdev": the first devices on vfio-pci with a VFIO cdev (found in sysfs
 *    as any program finds them): bind, GET_HW_INFO, attach to an IOAS and
 *    to HWPTs, replace, detach, lifetimes, vfio-pci's information ioctls.
 *    What to expect comes from sysfs (the IOMMU's registers, the group's
 *    reserved regions) and, in the lab, IOFD_VM_SNOOP_CONTROL. On the
 *    simulator they run twice, on the lab's guest rebuilt as a topology with
 *    VT-d snoop control on and off.
 *  - "mock": the selftest's mock devices and domains (MOCK_DOMAIN,
 *    MD_CHECK_MAP, dirty tracking), which the real kernel offers only with
 *    VT-d off (the lab's mock boot).
 *  - "sim": what only the simulator can show: simulated DMA through every
 *    domain, IOMMUs of mixed coherency on one IOAS, ARM SMMUv3 and AMD
 *    rules, dirty pages written by DMA. Not run on a real kernel.
 *
 * A test skips only when the kernel lacks what it needs (no device on
 * vfio-pci with a cdev, no IOMMU_TEST_CMD, a mock IOMMU VT-d has taken).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define PS (KERN(state)->page_size)
#define ULMAX ((uint64_t)ULONG_MAX)
#define MOCK_APERTURE_START 0x1000000ull
#define MOCK_APERTURE_LAST 0x7fffffffull

/* VT-d ECAP bits (intel/iommu.h) */
#define ECAP_SC (1ull << 7)
#define ECAP_NEST (1ull << 26)
#define ECAP_SMTS (1ull << 43)
#define ECAP_SLADS (1ull << 45)
#define ECAP_SMPWC (1ull << 48)

/* ------------------------------------------------------------------------
 * What sysfs says a device's domains look like
 */

/* The width of a VT-d unit's domains: widest SAGAW level, capped by MGAW. */
static unsigned int vtd_width(uint64_t cap)
{
	unsigned int mgaw = (unsigned int)((cap >> 16) & 0x3f) + 1;

	for (int agaw = 3; agaw >= 0; agaw--)
		if ((cap >> 8) & (1u << agaw))
			return 30 + 9 * (unsigned int)agaw < mgaw ? 30 + 9 * (unsigned int)agaw : mgaw;
	return 0;
}

static bool vtd_dirty(uint64_t ecap)
{
	return (ecap & ECAP_SMTS) && (ecap & ECAP_SLADS) && (ecap & ECAP_SMPWC);
}

/*
 * The IOVA ranges an IOAS has once the device is attached: the domain's
 * aperture (VT-d: 0 .. 2^width - 1) minus the group's reserved regions
 * (direct-relaxable ones excepted, as iommufd skips them).
 */
static int expected_ranges(struct kern *k, const struct k_vdev *v,
			   struct iofd_u_iommu_iova_range *out, int max)
{
	uint64_t start[16], last[16], top = (1ull << vtd_width(v->cap)) - 1, from = 0;
	char text[2048], rel[128], kind[32];
	int n = 0, nres = 0;
	char *line = text;

	snprintf(rel, sizeof(rel), "kernel/iommu_groups/%d/reserved_regions", v->group);
	assert_int_equal(k_sysfs_text(k, rel, text, sizeof(text)), 0);
	while (nres < 16 && sscanf(line, "%" SCNx64 " %" SCNx64 " %31s", &start[nres], &last[nres],
				   kind) == 3) {
		if (strcmp(kind, "direct-relaxable"))
			nres++;
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
	start[nres] = top + 1;
	last[nres++] = ULMAX;
	/* The holes, in order (the regions do not overlap here). */
	for (;;) {
		int next = -1;

		for (int i = 0; i < nres; i++)
			if (start[i] >= from && (next < 0 || start[i] < start[next]))
				next = i;
		if (next < 0)
			break;
		if (start[next] > from) {
			assert_true(n < max);
			out[n].start = from;
			out[n++].last = start[next] - 1;
		}
		if (last[next] == ULMAX)
			break;
		from = last[next] + 1;
	}
	return n;
}

/* ECAP.SC as the lab says it should be, cross-checked with sysfs. */
static bool expect_snoop_control(struct kern *k, const struct k_vdev *v)
{
	const char *env = getenv("IOFD_VM_SNOOP_CONTROL");
	bool sc = v->ecap & ECAP_SC;

	if (k->sim)
		assert_int_equal(sc, kern_sim_snoop_control);
	else if (env && *env)
		assert_int_equal(sc, !strcmp(env, "1"));
	return sc;
}

/* A VT-d device, or skip: these checks are VT-d's. */
static void need_vtd(const struct k_vdev *v)
{
	if (!v->vtd) {
		print_message("skip: %s's IOMMU (%s) is not VT-d\n", v->bdf,
			      v->iommu[0] ? v->iommu : "none");
		skip();
	}
}

/* A device fd bound to a new iommufd with an IOAS. */
struct bound {
	int ifd, dev;
	uint32_t devid, ioas;
};

static void bind_new(struct kern *k, const struct k_vdev *v, struct bound *b)
{
	b->ifd = k_open(k);
	b->dev = k_open_path(k, v->cdev);
	assert_int_equal(k_bind(k, b->dev, b->ifd, &b->devid), 0);
	b->ioas = k_ioas_alloc(k, b->ifd);
}

static void unbind_close(struct kern *k, struct bound *b)
{
	k_close(k, b->dev);
	k_close(k, b->ifd);
}

/* ------------------------------------------------------------------------
 * cdev: binding
 */

static void a_cdev_answers_nothing_before_bind(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_vfio_device_info info = { .argsz = sizeof(info) };
	uint32_t pt = 1;
	struct k_vdev v;
	struct stat st;
	char b[8];
	int dev;

	k_vfio_dev(k, 0, &v);
	dev = k_open_path(k, v.cdev);
	assert_int_equal(k->ops->fstat(k->priv, dev, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(k_ioctl(k, dev, IOFD_U_VFIO_DEVICE_GET_INFO, &info), -EINVAL);
	assert_int_equal(k_attach(k, dev, &pt), -EINVAL);
	assert_int_equal(k_detach(k, dev), -EINVAL);
	assert_int_equal(k_ioctl(k, dev, IOFD_U_VFIO_DEVICE_RESET, NULL), -EINVAL);
	assert_int_equal(k->ops->read(k->priv, dev, b, sizeof(b)), -EINVAL);
	k_close(k, dev);
}

static void a_device_binds_once(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_vfio_device_bind_iommufd bind = { .argsz = 8 };
	struct k_vdev v;
	uint32_t devid, devid2;
	int ifd, dev, dev2, other;

	k_vfio_dev(k, 0, &v);
	ifd = k_open(k);
	dev = k_open_path(k, v.cdev);
	dev2 = k_open_path(k, v.cdev);
	/* Argument checks: size, flags, a negative fd. */
	bind.iommufd = ifd;
	assert_int_equal(k_ioctl(k, dev, IOFD_U_VFIO_DEVICE_BIND_IOMMUFD, &bind), -EINVAL);
	bind.argsz = sizeof(bind);
	bind.flags = 1;
	assert_int_equal(k_ioctl(k, dev, IOFD_U_VFIO_DEVICE_BIND_IOMMUFD, &bind), -EINVAL);
	assert_int_equal(k_ioctl(k, dev, IOFD_U_VFIO_DEVICE_BIND_IOMMUFD, NULL), -EFAULT);
	assert_int_equal(k_bind(k, dev, -1, NULL), -EINVAL);
	/* An fd that is not iommufd: EBADFD; one that is not open: EBADF. */
	other = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(other >= 0);
	assert_int_equal(k_bind(k, dev, other, NULL), -EBADFD);
	assert_int_equal(k_bind(k, dev, dev2, NULL), -EBADFD);
	close(other);
	assert_int_equal(k_bind(k, dev, other, NULL), -EBADF);

	assert_int_equal(k_bind(k, dev, ifd, &devid), 0);
	assert_int_not_equal(devid, 0);
	/* Once per fd, once per device. */
	assert_int_equal(k_bind(k, dev, ifd, NULL), -EINVAL);
	assert_int_equal(k_bind(k, dev2, ifd, NULL), -EINVAL);
	/* The driver holds the device object. */
	assert_int_equal(k_destroy(k, ifd, devid), -EBUSY);
	/* Closing the fd unbinds: the other fd can bind now, same id again. */
	k_close(k, dev);
	assert_int_equal(k_destroy(k, ifd, devid), -ENOENT);
	assert_int_equal(k_bind(k, dev2, ifd, &devid2), 0);
	assert_int_equal(devid2, devid);
	k_close(k, dev2);
	k_close(k, ifd);
}

static void hw_info_reports_what_sysfs_shows(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_hw_info hw;
	unsigned char data[64];
	struct iofd_u_iommu_hw_info_vtd vtd;
	struct k_vdev v;
	struct bound b;

	k_vfio_dev(k, 0, &v);
	need_vtd(&v);
	expect_snoop_control(k, &v);
	bind_new(k, &v, &b);
	memset(&hw, 0, sizeof(hw));
	memset(data, 0xaa, sizeof(data));
	hw.size = sizeof(hw);
	hw.dev_id = b.devid;
	hw.data_len = sizeof(data);
	hw.data_uptr = (uintptr_t)data;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_GET_HW_INFO, &hw), 0);
	assert_int_equal(hw.out_data_type, IOFD_U_IOMMU_HW_INFO_TYPE_INTEL_VTD);
	assert_int_equal(hw.data_len, sizeof(vtd));
	memcpy(&vtd, data, sizeof(vtd));
	/* The registers sysfs prints; 6.12 flags the SPR17 erratum on every unit. */
	assert_true(vtd.flags & IOFD_U_IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17);
	assert_int_equal(vtd.cap_reg, v.cap);
	assert_int_equal(vtd.ecap_reg, v.ecap);
	/* The rest of a bigger buffer is cleared. */
	for (size_t i = sizeof(vtd); i < sizeof(data); i++)
		assert_int_equal(data[i], 0);
	assert_int_equal(!!(hw.out_capabilities & IOFD_U_IOMMU_HW_CAP_DIRTY_TRACKING),
			 vtd_dirty(v.ecap));
	/* A smaller buffer gets what fits, and the kernel's length. */
	memset(data, 0xaa, sizeof(data));
	hw.data_len = 8;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_GET_HW_INFO, &hw), 0);
	assert_int_equal(hw.data_len, sizeof(vtd));
	assert_int_equal(data[8], 0xaa);
	hw.data_len = 0;
	hw.data_uptr = 0;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_GET_HW_INFO, &hw), 0);
	assert_int_equal(hw.data_len, sizeof(vtd));
	/* Only device ids. */
	hw.dev_id = b.ioas;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_GET_HW_INFO, &hw), -ENOENT);
	hw.dev_id = 999;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_GET_HW_INFO, &hw), -ENOENT);
	hw.dev_id = b.devid;
	hw.flags = 1;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_GET_HW_INFO, &hw), -EOPNOTSUPP);
	unbind_close(k, &b);
}

/* ------------------------------------------------------------------------
 * cdev: attaching
 */

static void attaching_to_an_ioas_makes_an_automatic_hwpt(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_iova_range r[8], want[8];
	uint32_t pt, pt2;
	uint64_t align;
	struct k_vdev v;
	struct bound b;
	int n, nwant;

	k_vfio_dev(k, 0, &v);
	need_vtd(&v);
	bind_new(k, &v, &b);
	pt = b.ioas;
	assert_int_equal(k_attach(k, b.dev, &pt), 0);
	assert_int_not_equal(pt, b.ioas);
	assert_int_not_equal(pt, b.devid);
	/* Attaching again to the IOAS keeps the same HWPT. */
	pt2 = b.ioas;
	assert_int_equal(k_attach(k, b.dev, &pt2), 0);
	assert_int_equal(pt2, pt);
	/* The IOVA space narrowed to the aperture, minus the reserved regions. */
	n = k_ranges(k, b.ifd, b.ioas, r, 8, &align);
	nwant = expected_ranges(k, &v, want, 8);
	assert_int_equal(n, nwant);
	for (int i = 0; i < n; i++) {
		assert_int_equal(r[i].start, want[i].start);
		assert_int_equal(r[i].last, want[i].last);
	}
	/* x86: the MSI window is one of them (0xfee00000-0xfeefffff). */
	assert_true(n >= 2 && r[0].last == 0xfedfffff && r[1].start == 0xfef00000);
	assert_int_equal(align, 4096);
	/* In use: nothing of it can be destroyed. */
	assert_int_equal(k_destroy(k, b.ifd, b.ioas), -EBUSY);
	assert_int_equal(k_destroy(k, b.ifd, pt), -EBUSY);
	assert_int_equal(k_destroy(k, b.ifd, b.devid), -EBUSY);
	/* The automatic HWPT goes with its last device; the IOAS is whole again. */
	assert_int_equal(k_detach(k, b.dev), 0);
	assert_int_equal(k_destroy(k, b.ifd, pt), -ENOENT);
	assert_int_equal(k_ranges(k, b.ifd, b.ioas, r, 8, &align), 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, ULMAX);
	assert_int_equal(align, 1);
	assert_int_equal(k_detach(k, b.dev), 0);
	assert_int_equal(k_destroy(k, b.ifd, b.ioas), 0);
	unbind_close(k, &b);
}

static void attaching_pins_and_replays_every_mapping(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 32 * PS);
	uint64_t iova = 0, unmapped;
	struct k_vdev v;
	struct bound b;
	uint32_t pt;

	k_vfio_dev(k, 0, &v);
	bind_new(k, &v, &b);
	assert_int_equal(k_map_fixed(k, b.ifd, b.ioas, buf, 16 * PS, 0x100000), 0);
	assert_int_equal(k_map(k, b.ifd, b.ioas, RW, buf + 16 * PS, 8 * PS, &iova), 0);
	/* No domain, no pins. */
	assert_int_equal(k_pinned(k), 0);
	pt = b.ioas;
	assert_int_equal(k_attach(k, b.dev, &pt), 0);
	assert_int_equal(k_pinned(k), 24);
	assert_int_equal(k_map_fixed(k, b.ifd, b.ioas, buf + 24 * PS, 4 * PS, 0x400000), 0);
	assert_int_equal(k_pinned(k), 28);
	assert_int_equal(k_unmap(k, b.ifd, b.ioas, 0x100000, 16 * PS, &unmapped), 0);
	assert_int_equal(unmapped, 16 * PS);
	assert_int_equal(k_pinned(k), 12);
	assert_int_equal(k_detach(k, b.dev), 0);
	assert_int_equal(k_pinned(k), 0);
	/* A new automatic HWPT gets the mappings again. */
	pt = b.ioas;
	assert_int_equal(k_attach(k, b.dev, &pt), 0);
	assert_int_equal(k_pinned(k), 12);
	/* Closing the device detaches it. */
	k_close(k, b.dev);
	assert_int_equal(k_pinned(k), 0);
	k_close(k, b.ifd);
}

static void attaching_fails_on_mappings_the_device_cannot_take(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, PS);
	uint32_t pt, hwpt;
	struct k_vdev v;
	struct bound b;
	uint64_t top;

	k_vfio_dev(k, 0, &v);
	need_vtd(&v);
	top = 1ull << vtd_width(v.cap);
	bind_new(k, &v, &b);
	/* Over the MSI window: mapped while no device is there... */
	assert_int_equal(k_map_fixed(k, b.ifd, b.ioas, buf, PS, 0xfee00000), 0);
	/* ...so the device's reserved region cannot go in. */
	pt = b.ioas;
	assert_int_equal(k_attach(k, b.dev, &pt), -EADDRINUSE);
	assert_int_equal(pt, b.ioas);
	assert_int_equal(k_pinned(k), 0);
	/* A HWPT alone takes no reserved regions: it can be made. */
	assert_int_equal(k_hwpt_alloc(k, b.ifd, b.devid, b.ioas, 0, &hwpt), 0);
	assert_int_equal(k_pinned(k), 1);
	assert_int_equal(k_destroy(k, b.ifd, hwpt), 0);
	assert_int_equal(k_unmap(k, b.ifd, b.ioas, 0xfee00000, PS, NULL), 0);
	/* Beyond the aperture: no domain can be made at all. */
	assert_int_equal(k_map_fixed(k, b.ifd, b.ioas, buf, PS, top), 0);
	assert_int_equal(k_attach(k, b.dev, &pt), -EADDRINUSE);
	assert_int_equal(k_hwpt_alloc(k, b.ifd, b.devid, b.ioas, 0, &hwpt), -EADDRINUSE);
	assert_int_equal(k_pinned(k), 0);
	assert_int_equal(k_unmap(k, b.ifd, b.ioas, top, PS, NULL), 0);
	/* Nothing left behind: the next object gets the lowest free id. */
	assert_int_equal(k_attach(k, b.dev, &pt), 0);
	assert_int_equal(pt, b.ioas + 1);
	/* Attached, the window refuses mappings. */
	assert_int_equal(k_map_fixed(k, b.ifd, b.ioas, buf, PS, 0xfee00000), -EINVAL);
	assert_int_equal(k_map_fixed(k, b.ifd, b.ioas, buf, PS, top), -EINVAL);
	unbind_close(k, &b);
}

static void attach_and_detach_argument_errors(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_vfio_device_attach_iommufd_pt a = { .argsz = 8 };
	struct iofd_u_vfio_device_detach_iommufd_pt d = { .argsz = 4 };
	struct iofd_u_iommu_fault_alloc f = { .size = sizeof(f) };
	struct k_vdev v;
	struct bound b;
	uint32_t pt;

	k_vfio_dev(k, 0, &v);
	bind_new(k, &v, &b);
	a.pt_id = b.ioas;
	assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), -EINVAL);
	a.argsz = sizeof(a);
	a.flags = 1;
	assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), -EINVAL);
	assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_ATTACH_IOMMUFD_PT, NULL), -EFAULT);
	/* Not there: ENOENT; not a page table: EINVAL. */
	pt = 999;
	assert_int_equal(k_attach(k, b.dev, &pt), -ENOENT);
	pt = b.devid;
	assert_int_equal(k_attach(k, b.dev, &pt), -EINVAL);
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_FAULT_QUEUE_ALLOC, &f), 0);
	pt = f.out_fault_id;
	assert_int_equal(k_attach(k, b.dev, &pt), -EINVAL);
	k_close(k, (int)f.out_fault_fd);
	/* Detach: size and flags; not attached is fine. */
	assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_DETACH_IOMMUFD_PT, &d), -EINVAL);
	d.argsz = sizeof(d);
	d.flags = 1;
	assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_DETACH_IOMMUFD_PT, &d), -EINVAL);
	assert_int_equal(k_detach(k, b.dev), 0);
	unbind_close(k, &b);
}

static void hwpt_alloc_then_replace(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 8 * PS);
	uint64_t data = 0;
	struct iofd_u_iommu_hwpt_alloc h;
	uint32_t m, a, a2, pt, x;
	struct k_vdev v;
	struct bound b;

	k_vfio_dev(k, 0, &v);
	need_vtd(&v);
	bind_new(k, &v, &b);
	assert_int_equal(k_map_fixed(k, b.ifd, b.ioas, buf, 8 * PS, 0x100000), 0);
	/* What the IOMMU cannot do: dirty tracking, nesting (legacy mode). */
	if (vtd_dirty(v.ecap)) {
		assert_int_equal(k_hwpt_alloc(k, b.ifd, b.devid, b.ioas,
					      IOFD_U_IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &x), 0);
		assert_int_equal(k_destroy(k, b.ifd, x), 0);
	} else {
		assert_int_equal(k_hwpt_alloc(k, b.ifd, b.devid, b.ioas,
					      IOFD_U_IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &x),
				 -EOPNOTSUPP);
	}
	if ((v.ecap & ECAP_SMTS) && (v.ecap & ECAP_NEST)) {
		assert_int_equal(k_hwpt_alloc(k, b.ifd, b.devid, b.ioas,
					      IOFD_U_IOMMU_HWPT_ALLOC_NEST_PARENT, &x), 0);
		assert_int_equal(k_destroy(k, b.ifd, x), 0);
	} else {
		assert_int_equal(k_hwpt_alloc(k, b.ifd, b.devid, b.ioas,
					      IOFD_U_IOMMU_HWPT_ALLOC_NEST_PARENT, &x),
				 -EOPNOTSUPP);
	}
	assert_int_equal(k_hwpt_alloc(k, b.ifd, b.devid, b.ioas,
				      IOFD_U_IOMMU_HWPT_FAULT_ID_VALID, &x), -EOPNOTSUPP);
	/* Argument errors, in the kernel's order. */
	assert_int_equal(k_hwpt_alloc(k, b.ifd, b.devid, 999, 0, &x), -EINVAL);
	assert_int_equal(k_hwpt_alloc(k, b.ifd, b.devid, b.devid, 0, &x), -EINVAL);
	assert_int_equal(k_hwpt_alloc(k, b.ifd, 999, b.ioas, 0, &x), -ENOENT);
	assert_int_equal(k_hwpt_alloc(k, b.ifd, b.ioas, b.ioas, 0, &x), -ENOENT);
	memset(&h, 0, sizeof(h));
	h.size = sizeof(h);
	h.dev_id = b.devid;
	h.pt_id = b.ioas;
	h.data_len = sizeof(data);
	h.data_uptr = (uintptr_t)&data;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_HWPT_ALLOC, &h), -EINVAL);
	h.data_type = IOFD_U_IOMMU_HWPT_DATA_VTD_S1;
	h.data_len = 0;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_HWPT_ALLOC, &h), -EINVAL);
	h.data_len = sizeof(data);
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_HWPT_ALLOC, &h), -EOPNOTSUPP);
	h.data_type = 0;
	h.data_len = 0;
	h.__reserved = 1;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_HWPT_ALLOC, &h), -EOPNOTSUPP);

	/* A HWPT mirrors the IOAS from the start: its mappings are pinned. */
	assert_int_equal(k_hwpt_alloc(k, b.ifd, b.devid, b.ioas, 0, &m), 0);
	assert_int_equal(k_pinned(k), 8);
	/* Nested on it: no data is EOPNOTSUPP, and it is not a NEST_PARENT. */
	assert_int_equal(k_hwpt_alloc(k, b.ifd, b.devid, m, 0, &x), -EOPNOTSUPP);
	h.__reserved = 0;
	h.pt_id = m;
	h.data_type = IOFD_U_IOMMU_HWPT_DATA_VTD_S1;
	h.data_len = sizeof(data);
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_HWPT_ALLOC, &h), -EINVAL);

	/* Attaching to the IOAS never picks a HWPT the user made. */
	a = b.ioas;
	assert_int_equal(k_attach(k, b.dev, &a), 0);
	assert_int_not_equal(a, m);
	assert_int_equal(k_pinned(k), 8);
	/* Replace: the automatic one goes with its last device. */
	pt = m;
	assert_int_equal(k_attach(k, b.dev, &pt), 0);
	assert_int_equal(pt, m);
	assert_int_equal(k_destroy(k, b.ifd, a), -ENOENT);
	a2 = b.ioas;
	assert_int_equal(k_attach(k, b.dev, &a2), 0);
	assert_int_not_equal(a2, m);
	pt = m;
	assert_int_equal(k_attach(k, b.dev, &pt), 0);
	assert_int_equal(k_destroy(k, b.ifd, a2), -ENOENT);
	/* Destroy order: device off, HWPT, then the IOAS. */
	assert_int_equal(k_destroy(k, b.ifd, m), -EBUSY);
	assert_int_equal(k_detach(k, b.dev), 0);
	assert_int_equal(k_destroy(k, b.ifd, b.ioas), -EBUSY);
	assert_int_equal(k_pinned(k), 8);
	assert_int_equal(k_destroy(k, b.ifd, m), 0);
	assert_int_equal(k_pinned(k), 0);
	assert_int_equal(k_destroy(k, b.ifd, b.ioas), 0);
	unbind_close(k, &b);
}

static void dirty_tracking_needs_a_hwpt_made_for_it(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_hwpt_set_dirty_tracking s = { .size = sizeof(s) };
	struct iofd_u_iommu_hwpt_get_dirty_bitmap g = { .size = sizeof(g) };
	char *buf = k_mem(k, 4 * PS);
	uint64_t bm = 0;
	struct k_vdev v;
	struct bound b;
	uint32_t m;

	k_vfio_dev(k, 0, &v);
	bind_new(k, &v, &b);
	assert_int_equal(k_map_fixed(k, b.ifd, b.ioas, buf, 4 * PS, 0x100000), 0);
	assert_int_equal(k_hwpt_alloc(k, b.ifd, b.devid, b.ioas, 0, &m), 0);
	s.hwpt_id = m;
	s.flags = IOFD_U_IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_HWPT_SET_DIRTY_TRACKING, &s), -EOPNOTSUPP);
	s.flags = 2;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_HWPT_SET_DIRTY_TRACKING, &s), -EOPNOTSUPP);
	s.flags = IOFD_U_IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	s.hwpt_id = b.ioas;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_HWPT_SET_DIRTY_TRACKING, &s), -ENOENT);
	/* The range is checked before whether the HWPT tracks at all. */
	g.hwpt_id = m;
	g.iova = 0x100000;
	g.page_size = PS;
	g.data = (uintptr_t)&bm;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP, &g), -EINVAL);
	g.length = 4 * PS;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP, &g), -EOPNOTSUPP);
	g.flags = 2;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP, &g), -EOPNOTSUPP);
	g.flags = 0;
	g.hwpt_id = b.ioas;
	assert_int_equal(k_ioctl(k, b.ifd, IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP, &g), -ENOENT);
	assert_int_equal(k_destroy(k, b.ifd, m), 0);
	unbind_close(k, &b);
}

static void two_devices_share_an_automatic_hwpt(void **state)
{
	struct kern *k = KERN(state);
	struct k_vdev v1, v2;
	struct bound b;
	uint32_t devid2, p1, p2, m;
	int dev2;

	k_vfio_dev(k, 0, &v1);
	k_vfio_dev(k, 1, &v2);
	bind_new(k, &v1, &b);
	dev2 = k_open_path(k, v2.cdev);
	assert_int_equal(k_bind(k, dev2, b.ifd, &devid2), 0);
	assert_int_not_equal(devid2, b.devid);
	p1 = p2 = b.ioas;
	assert_int_equal(k_attach(k, b.dev, &p1), 0);
	assert_int_equal(k_attach(k, dev2, &p2), 0);
	assert_int_equal(p1, p2);
	/* It lives while either device is on it. */
	assert_int_equal(k_detach(k, b.dev), 0);
	assert_int_equal(k_destroy(k, b.ifd, p1), -EBUSY);
	assert_int_equal(k_detach(k, dev2), 0);
	assert_int_equal(k_destroy(k, b.ifd, p1), -ENOENT);
	/* A HWPT made for one device takes the other (same IOMMU). */
	assert_int_equal(k_hwpt_alloc(k, b.ifd, b.devid, b.ioas, 0, &m), 0);
	p2 = m;
	assert_int_equal(k_attach(k, dev2, &p2), 0);
	assert_int_equal(p2, m);
	k_close(k, dev2);
	assert_int_equal(k_destroy(k, b.ifd, m), 0);
	unbind_close(k, &b);
}

static void closing_cleans_up_in_either_order(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 4 * PS);
	struct k_vdev v;
	struct bound b;
	uint32_t pt;
	int fd;

	k_vfio_dev(k, 0, &v);
	/* The iommufd first: the bound device keeps it alive. */
	bind_new(k, &v, &b);
	assert_int_equal(k_map_fixed(k, b.ifd, b.ioas, buf, 4 * PS, 0x100000), 0);
	pt = b.ioas;
	assert_int_equal(k_attach(k, b.dev, &pt), 0);
	k_close(k, b.ifd);
	assert_int_equal(k_pinned(k), 4);
	assert_int_equal(k_detach(k, b.dev), 0);
	assert_int_equal(k_pinned(k), 0);
	pt = b.ioas;
	assert_int_equal(k_attach(k, b.dev, &pt), 0);
	assert_int_equal(k_pinned(k), 4);
	k_close(k, b.dev);
	assert_int_equal(k_pinned(k), 0);
	/* Everything went: a new iommufd starts from id 1. */
	fd = k_open(k);
	assert_int_equal(k_ioas_alloc(k, fd), 1);
	k_close(k, fd);
	/* The device first: its automatic HWPT goes, the IOAS is free. */
	bind_new(k, &v, &b);
	assert_int_equal(k_map_fixed(k, b.ifd, b.ioas, buf, 4 * PS, 0x100000), 0);
	pt = b.ioas;
	assert_int_equal(k_attach(k, b.dev, &pt), 0);
	k_close(k, b.dev);
	assert_int_equal(k_pinned(k), 0);
	assert_int_equal(k_destroy(k, b.ifd, pt), -ENOENT);
	assert_int_equal(k_destroy(k, b.ifd, b.devid), -ENOENT);
	assert_int_equal(k_destroy(k, b.ifd, b.ioas), 0);
	k_close(k, b.ifd);
}

/* QEMU's NVMe controller under vfio-pci (1b36:0010), and any PCI device. */
static void device_info_as_vfio_pci_answers(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_vfio_device_info info = { .argsz = 8 };
	struct {
		struct iofd_u_vfio_region_info r;
		struct iofd_u_vfio_info_cap_header cap;
	} reg;
	struct iofd_u_vfio_irq_info irq = { .argsz = 8 };
	bool qemu_nvme;
	struct k_vdev v;
	struct bound b;

	k_vfio_dev(k, 0, &v);
	qemu_nvme = v.vendor == 0x1b36 && v.device == 0x0010;
	bind_new(k, &v, &b);
	assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_GET_INFO, &info), -EINVAL);
	info.argsz = sizeof(info);
	assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_GET_INFO, &info), 0);
	assert_true(info.flags & IOFD_U_VFIO_DEVICE_FLAGS_PCI);
	assert_int_equal(info.num_regions, IOFD_U_VFIO_PCI_NUM_REGIONS);
	assert_int_equal(info.num_irqs, IOFD_U_VFIO_PCI_NUM_IRQS);
	if (!(info.flags & IOFD_U_VFIO_DEVICE_FLAGS_CAPS))
		assert_int_equal(info.argsz, sizeof(info));

	/* Regions */
	memset(&reg, 0, sizeof(reg));
	reg.r.argsz = 8;
	assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_GET_REGION_INFO, &reg), -EINVAL);
	reg.r.argsz = sizeof(reg.r);
	reg.r.index = IOFD_U_VFIO_PCI_CONFIG_REGION_INDEX;
	assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_GET_REGION_INFO, &reg), 0);
	assert_int_equal(reg.r.offset, (uint64_t)IOFD_U_VFIO_PCI_CONFIG_REGION_INDEX << 40);
	assert_true(reg.r.size >= 256);
	assert_int_equal(reg.r.flags, IOFD_U_VFIO_REGION_INFO_FLAG_READ |
					      IOFD_U_VFIO_REGION_INFO_FLAG_WRITE);
	reg.r.index = IOFD_U_VFIO_PCI_VGA_REGION_INDEX;
	assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_GET_REGION_INFO, &reg), -EINVAL);
	reg.r.index = IOFD_U_VFIO_PCI_NUM_REGIONS;
	assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_GET_REGION_INFO, &reg), -EINVAL);
	if (qemu_nvme) {
		assert_int_equal(reg.r.argsz, sizeof(reg.r));
		reg.r.index = IOFD_U_VFIO_PCI_CONFIG_REGION_INDEX;
		assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_GET_REGION_INFO, &reg), 0);
		assert_int_equal(reg.r.size, 4096);
		/* BAR0 holds the MSI-X table: a capability, so more room is asked for. */
		reg.r.index = IOFD_U_VFIO_PCI_BAR0_REGION_INDEX;
		assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_GET_REGION_INFO, &reg), 0);
		assert_int_equal(reg.r.size, 0x4000);
		assert_int_equal(reg.r.flags, 0xf);	/* READ|WRITE|MMAP|CAPS */
		assert_int_equal(reg.r.argsz, sizeof(reg));
		assert_int_equal(reg.r.cap_offset, 0);
		assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_GET_REGION_INFO, &reg), 0);
		assert_int_equal(reg.r.cap_offset, sizeof(reg.r));
		assert_int_equal(reg.cap.id, IOFD_U_VFIO_REGION_INFO_CAP_MSIX_MAPPABLE);
		assert_int_equal(reg.cap.version, 1);
		assert_int_equal(reg.cap.next, 0);
		for (uint32_t i = IOFD_U_VFIO_PCI_BAR1_REGION_INDEX;
		     i <= IOFD_U_VFIO_PCI_ROM_REGION_INDEX; i++) {
			memset(&reg, 0, sizeof(reg));
			reg.r.argsz = sizeof(reg.r);
			reg.r.index = i;
			assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_GET_REGION_INFO,
						 &reg), 0);
			assert_int_equal(reg.r.size, 0);
			assert_int_equal(reg.r.flags, 0);
			assert_int_equal(reg.r.offset, (uint64_t)i << 40);
		}
	}

	/* Interrupts */
	assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_GET_IRQ_INFO, &irq), -EINVAL);
	irq.argsz = sizeof(irq);
	irq.index = IOFD_U_VFIO_PCI_NUM_IRQS;
	assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_GET_IRQ_INFO, &irq), -EINVAL);
	irq.index = IOFD_U_VFIO_PCI_MSIX_IRQ_INDEX;
	assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_GET_IRQ_INFO, &irq), 0);
	assert_true(irq.flags & IOFD_U_VFIO_IRQ_INFO_EVENTFD);
	if (qemu_nvme) {
		static const struct { uint32_t flags, count; } want[IOFD_U_VFIO_PCI_NUM_IRQS] = {
			{ 0x7, 1 }, { 0x9, 0 }, { 0x1, 65 }, { 0x9, 1 }, { 0x9, 1 },
		};

		for (uint32_t i = 0; i < IOFD_U_VFIO_PCI_NUM_IRQS; i++) {
			irq.index = i;
			assert_int_equal(k_ioctl(k, b.dev, IOFD_U_VFIO_DEVICE_GET_IRQ_INFO, &irq),
					 0);
			assert_int_equal(irq.flags, want[i].flags);
			assert_int_equal(irq.count, want[i].count);
		}
	}
	unbind_close(k, &b);
}

static void mock_devices_are_refused_while_vtd_is_on(void **state)
{
	struct kern *k = KERN(state);
	struct k_vdev v;
	struct stat st;
	char path[PATH_MAX];
	uint32_t ioas;
	int fd;

	k_vfio_dev(k, 0, &v);
	need_vtd(&v);
	fd = k_open(k);
	k_need_test_cmd(k, fd);
	/* The selftest IOMMU is registered, with no device behind it... */
	snprintf(path, sizeof(path), "%s/class/iommu/iommufd_selftest_iommu.0", k_sysfs(k));
	assert_int_equal(stat(path, &st), 0);
	/* ...and VT-d, registered first, takes the mock bus: no IOMMU for them. */
	ioas = k_ioas_alloc(k, fd);
	assert_int_equal(k_mock_domain(k, fd, ioas, 0, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	assert_int_equal(k_ioas_alloc(k, fd), ioas);
	k_close(k, fd);
}

/* ------------------------------------------------------------------------
 * mock: the selftest's mock devices and domains
 */

/* IOMMU_TEST_CMD and a mock IOMMU that works (VT-d off), or skip. */
static void two_mock_domains_mirror_one_ioas(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 16 * PS);
	uint32_t ioas, s1, s2, s3, h1, h2, h3, i1, hm;
	struct iofd_u_iommu_iova_range r[4];
	uint64_t align;
	int fd = k_open(k);

	k_need_mock(k, fd);
	ioas = k_ioas_alloc(k, fd);
	assert_int_equal(k_mock_domain(k, fd, ioas, 0, &s1, &h1, &i1), 0);
	/* The selftest object first, then the device, then its HWPT. */
	assert_true(ioas < s1 && s1 < i1 && i1 < h1);
	/* A second mock device fits the first's automatic HWPT. */
	assert_int_equal(k_mock_domain(k, fd, ioas, 0, &s2, &h2, NULL), 0);
	assert_int_equal(h2, h1);
	/* A second domain on the IOAS: a HWPT of its own, with a device on it. */
	assert_int_equal(k_hwpt_alloc(k, fd, i1, ioas, 0, &hm), 0);
	assert_int_equal(k_mock_domain(k, fd, hm, 0, &s3, &h3, NULL), 0);
	assert_int_equal(h3, hm);
	/* The mock aperture, half-page IO pages. */
	assert_int_equal(k_ranges(k, fd, ioas, r, 4, &align), 1);
	assert_int_equal(r[0].start, MOCK_APERTURE_START);
	assert_int_equal(r[0].last, MOCK_APERTURE_LAST);
	assert_int_equal(align, PS / 2);
	/* One map, in both domains, pinned once. */
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 16 * PS, MOCK_APERTURE_START), 0);
	assert_int_equal(k_pinned(k), 16);
	assert_int_equal(k_check_map(k, fd, h1, MOCK_APERTURE_START, 16 * PS, buf), 0);
	assert_int_equal(k_check_map(k, fd, hm, MOCK_APERTURE_START, 16 * PS, buf), 0);
	assert_int_equal(k_check_map(k, fd, hm, MOCK_APERTURE_START + PS / 2, 15 * PS,
				     buf + PS / 2), 0);
	/* What it catches: other memory, no mapping, misalignment. */
	assert_int_equal(k_check_map(k, fd, h1, MOCK_APERTURE_START, PS, buf + PS), -EINVAL);
	assert_int_equal(k_check_map(k, fd, h1, MOCK_APERTURE_START + 16 * PS, PS, buf), -EINVAL);
	assert_int_equal(k_check_map(k, fd, h1, MOCK_APERTURE_START + 1, PS, buf + 1), -EINVAL);
	assert_int_equal(k_check_map(k, fd, h1, MOCK_APERTURE_START, PS,
				     (void *)(uintptr_t)k_hole(k, PS)), -EFAULT);
	assert_int_equal(k_check_map(k, fd, ioas, MOCK_APERTURE_START, PS, buf), -ENOENT);
	assert_int_equal(k_check_map(k, fd, 999, MOCK_APERTURE_START, PS, buf), -ENOENT);
	/* Devices go with their selftest objects; the automatic HWPT with the last. */
	assert_int_equal(k_destroy(k, fd, i1), -EBUSY);
	assert_int_equal(k_destroy(k, fd, h1), -EBUSY);
	assert_int_equal(k_destroy(k, fd, ioas), -EBUSY);
	assert_int_equal(k_destroy(k, fd, s1), 0);
	assert_int_equal(k_destroy(k, fd, s2), 0);
	assert_int_equal(k_destroy(k, fd, h1), -ENOENT);
	assert_int_equal(k_destroy(k, fd, s3), 0);
	assert_int_equal(k_pinned(k), 16);
	assert_int_equal(k_destroy(k, fd, hm), 0);
	assert_int_equal(k_pinned(k), 0);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

static void mock_devices_report_the_mock_iommu(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_hw_info hw = { .size = sizeof(hw) };
	struct {
		uint32_t flags, test_reg;
	} data;
	uint32_t ioas, s1, i1, s2, i2;
	int fd = k_open(k);

	k_need_mock(k, fd);
	ioas = k_ioas_alloc(k, fd);
	assert_int_equal(k_mock_domain(k, fd, ioas, 0, &s1, NULL, &i1), 0);
	assert_int_equal(k_mock_domain(k, fd, ioas, IOFD_U_MOCK_FLAGS_DEVICE_NO_DIRTY, &s2, NULL,
				       &i2), 0);
	assert_int_equal(k_mock_domain(k, fd, ioas, 4, NULL, NULL, NULL), -EINVAL);
	memset(&data, 0xaa, sizeof(data));
	hw.dev_id = i1;
	hw.data_len = sizeof(data);
	hw.data_uptr = (uintptr_t)&data;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_GET_HW_INFO, &hw), 0);
	assert_int_equal(hw.out_data_type, IOFD_U_IOMMU_HW_INFO_TYPE_SELFTEST);
	assert_int_equal(hw.data_len, sizeof(data));
	assert_int_equal(data.flags, 0);
	assert_int_equal(data.test_reg, IOFD_U_IOMMU_HW_INFO_SELFTEST_REGVAL);
	assert_int_equal(hw.out_capabilities, IOFD_U_IOMMU_HW_CAP_DIRTY_TRACKING);
	hw.dev_id = i2;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_GET_HW_INFO, &hw), 0);
	assert_int_equal(hw.out_capabilities, 0);
	hw.dev_id = s1;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_GET_HW_INFO, &hw), -ENOENT);
	assert_int_equal(k_destroy(k, fd, s1), 0);
	assert_int_equal(k_destroy(k, fd, s2), 0);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

static void mock_domain_replace_moves_a_device(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_test_cmd c = { .size = sizeof(c) };
	uint32_t ioas, s1, h1, i1, hm;
	int fd = k_open(k);

	k_need_mock(k, fd);
	ioas = k_ioas_alloc(k, fd);
	assert_int_equal(k_mock_domain(k, fd, ioas, 0, &s1, &h1, &i1), 0);
	assert_int_equal(k_hwpt_alloc(k, fd, i1, ioas, 0, &hm), 0);
	c.op = IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE;
	c.id = s1;
	c.mock_domain_replace.pt_id = hm;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_TEST_CMD, &c), 0);
	assert_int_equal(c.mock_domain_replace.pt_id, hm);
	assert_int_equal(k_destroy(k, fd, h1), -ENOENT);
	/* Back to the IOAS: a new automatic HWPT, not the one made by hand. */
	c.mock_domain_replace.pt_id = ioas;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_TEST_CMD, &c), 0);
	assert_int_not_equal(c.mock_domain_replace.pt_id, hm);
	/* Only selftest objects. */
	c.id = i1;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_TEST_CMD, &c), -ENOENT);
	assert_int_equal(k_destroy(k, fd, s1), 0);
	assert_int_equal(k_destroy(k, fd, hm), 0);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

static int test_dirty(struct kern *k, int fd, uint32_t hwpt, uint64_t iova, uint64_t len,
		      uint64_t page_size, uint64_t bits, uint64_t *n)
{
	struct iofd_u_iommu_test_cmd c = {
		.size = sizeof(c), .op = IOFD_U_IOMMU_TEST_OP_DIRTY, .id = hwpt,
		.dirty = { .iova = iova, .length = len, .page_size = page_size,
			   .uptr = (uintptr_t)&bits },
	};
	int r = k_ioctl(k, fd, IOFD_U_IOMMU_TEST_CMD, &c);

	if (r == 0 && n)
		*n = c.dirty.out_nr_dirty;
	return r;
}

static int dirty_bitmap(struct kern *k, int fd, uint32_t hwpt, uint64_t iova, uint64_t len,
			uint64_t page_size, uint64_t flags, uint64_t *bm)
{
	struct iofd_u_iommu_hwpt_get_dirty_bitmap g = {
		.size = sizeof(g), .hwpt_id = hwpt, .flags = flags, .iova = iova, .length = len,
		.page_size = page_size, .data = (uintptr_t)bm,
	};

	*bm = 0;
	return k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP, &g);
}

static int set_dirty(struct kern *k, int fd, uint32_t hwpt, bool on)
{
	struct iofd_u_iommu_hwpt_set_dirty_tracking s = {
		.size = sizeof(s), .hwpt_id = hwpt,
		.flags = on ? IOFD_U_IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
	};

	return k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_SET_DIRTY_TRACKING, &s);
}

static void mock_dirty_tracking(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_test_cmd c = { .size = sizeof(c) };
	char *buf = k_mem(k, 16 * PS);
	const uint64_t base = MOCK_APERTURE_START, io = PS / 2;
	uint32_t ioas, s1, h1, i1, s4, i4, hd, hn;
	uint64_t bm, n;
	int fd = k_open(k);

	k_need_mock(k, fd);
	ioas = k_ioas_alloc(k, fd);
	assert_int_equal(k_mock_domain(k, fd, ioas, 0, &s1, &h1, &i1), 0);
	assert_int_equal(k_mock_domain(k, fd, ioas, IOFD_U_MOCK_FLAGS_DEVICE_NO_DIRTY, &s4, NULL,
				       &i4), 0);
	/* Only a device that can track makes a tracking HWPT, and only such go on it. */
	assert_int_equal(k_hwpt_alloc(k, fd, i4, ioas, IOFD_U_IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hd),
			 -EOPNOTSUPP);
	assert_int_equal(k_hwpt_alloc(k, fd, i1, ioas, IOFD_U_IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hd),
			 0);
	assert_int_equal(k_hwpt_alloc(k, fd, i1, ioas, IOFD_U_IOMMU_HWPT_ALLOC_NEST_PARENT, &hn), 0);
	assert_int_equal(k_destroy(k, fd, hn), 0);
	c.op = IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE;
	c.id = s4;
	c.mock_domain_replace.pt_id = hd;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_TEST_CMD, &c), -EINVAL);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 16 * PS, base), 0);

	/* Not tracking: nothing to mark, the bitmap untouched, no error. */
	assert_int_equal(test_dirty(k, fd, hd, base, 16 * PS, io, 1, NULL), -EINVAL);
	assert_int_equal(dirty_bitmap(k, fd, hd, base, 16 * PS, PS, 0, &bm), 0);
	assert_int_equal(bm, 0);
	assert_int_equal(set_dirty(k, fd, h1, true), -EOPNOTSUPP);
	assert_int_equal(set_dirty(k, fd, hd, true), 0);
	/* IO pages 0, 2 and 8 (half pages): pages 0, 1 and 4. */
	assert_int_equal(test_dirty(k, fd, hd, base, 16 * PS, io, 0x105, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(dirty_bitmap(k, fd, hd, base, 16 * PS, PS,
				      IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, &bm), 0);
	assert_int_equal(bm, 0x13);
	assert_int_equal(dirty_bitmap(k, fd, hd, base, 16 * PS, PS, 0, &bm), 0);
	assert_int_equal(bm, 0x13);
	assert_int_equal(dirty_bitmap(k, fd, hd, base, 16 * PS, PS, 0, &bm), 0);
	assert_int_equal(bm, 0);
	/* Coarser bits. */
	assert_int_equal(test_dirty(k, fd, hd, base, 16 * PS, io, 0x105, &n), 0);
	assert_int_equal(dirty_bitmap(k, fd, hd, base, 16 * PS, 2 * PS, 0, &bm), 0);
	assert_int_equal(bm, 0x5);
	/* The walk starts at an unmapped IOVA: nothing is read, nothing cleared. */
	assert_int_equal(test_dirty(k, fd, hd, base, 16 * PS, io, 0x105, &n), 0);
	assert_int_equal(dirty_bitmap(k, fd, hd, base - 16 * PS, 32 * PS, PS, 0, &bm), 0);
	assert_int_equal(bm, 0);
	assert_int_equal(dirty_bitmap(k, fd, hd, base, 16 * PS, PS, 0, &bm), 0);
	assert_int_equal(bm, 0x13);
	/* Range checks; an unreachable bitmap is not an error. */
	assert_int_equal(dirty_bitmap(k, fd, hd, base + 1, 16 * PS, PS, 0, &bm), -EINVAL);
	assert_int_equal(dirty_bitmap(k, fd, hd, base, 16 * PS, 0, 0, &bm), -EINVAL);
	assert_int_equal(dirty_bitmap(k, fd, hd, base, 0, PS, 0, &bm), -EINVAL);
	{
		struct iofd_u_iommu_hwpt_get_dirty_bitmap g = {
			.size = sizeof(g), .hwpt_id = hd, .iova = base, .length = 16 * PS,
			.page_size = PS, .data = k_hole(k, PS),
		};

		assert_int_equal(test_dirty(k, fd, hd, base, 16 * PS, io, 1, NULL), 0);
		assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP, &g), 0);
	}
	/* Tracking off again: marking is refused. */
	assert_int_equal(set_dirty(k, fd, hd, false), 0);
	assert_int_equal(test_dirty(k, fd, hd, base, 16 * PS, io, 1, NULL), -EINVAL);
	assert_int_equal(k_destroy(k, fd, s1), 0);
	assert_int_equal(k_destroy(k, fd, s4), 0);
	assert_int_equal(k_destroy(k, fd, hd), 0);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

/* ------------------------------------------------------------------------
 * sim: what only the simulator shows
 */

/* Open the cdev of the device at @bdf (its vfio-dev/vfioN in sysfs) and bind it to @ifd. */
static int bind_bdf(struct kern *k, const char *bdf, int ifd, uint32_t *devid)
{
	char path[PATH_MAX], node[PATH_MAX] = "";
	struct dirent *de;
	DIR *d;
	int dev;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/vfio-dev", k_sysfs(k), bdf);
	d = opendir(path);
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "vfio", 4))
			snprintf(node, sizeof(node), "/dev/vfio/devices/%s", de->d_name);
	if (d)
		closedir(d);
	assert_true(node[0]);
	dev = k_open_path(k, node);
	assert_int_equal(k_bind(k, dev, ifd, devid), 0);
	return dev;
}

static void dma_goes_through_every_domain(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 8 * PS), *ro = k_mem(k, 2 * PS), got[8];
	uint32_t d1, d2, p1, m;
	int ifd = k_open(k), dev1, dev2;
	uint32_t ioas = k_ioas_alloc(k, ifd);
	uint64_t iova = 0x200000;

	dev1 = bind_bdf(k, "0000:00:01.0", ifd, &d1);
	dev2 = bind_bdf(k, "0000:00:02.0", ifd, &d2);
	p1 = ioas;
	assert_int_equal(k_attach(k, dev1, &p1), 0);
	assert_int_equal(k_hwpt_alloc(k, ifd, d2, ioas, 0, &m), 0);
	assert_int_not_equal(m, p1);
	assert_int_equal(k_attach(k, dev2, &m), 0);
	assert_int_equal(k_map_fixed(k, ifd, ioas, buf, 8 * PS, 0x100000), 0);
	assert_int_equal(k_map(k, ifd, ioas, FIXED | IOFD_U_IOMMU_IOAS_MAP_READABLE, ro, 2 * PS,
			       &iova), 0);
	/* Two domains, one set of pins. */
	assert_int_equal(k_pinned(k), 10);
	assert_int_equal(iofd_sim_check_domains(k->sim), 2 * 10);
	/* A write by one device lands in memory; the other reads it back. */
	assert_int_equal(iofd_sim_dma_write(k->sim, "0000:00:01.0", 0x100000 + PS - 3, "abcdefg", 7),
			 0);
	assert_memory_equal(buf + PS - 3, "abcdefg", 7);
	memcpy(buf + 5 * PS, "memory!", 7);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:02.0", 0x100000 + 5 * PS, got, 7), 0);
	assert_memory_equal(got, "memory!", 7);
	/* Faults: read-only, unmapped, past the end (nothing moves). */
	ro[0] = 'r';
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:01.0", 0x200000, got, 1), 0);
	assert_int_equal(got[0], 'r');
	assert_int_equal(iofd_sim_dma_write(k->sim, "0000:00:01.0", 0x200000, "x", 1), -EFAULT);
	assert_int_equal(ro[0], 'r');
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:01.0", 0x300000, got, 1), -EFAULT);
	buf[8 * PS - 1] = 'z';
	assert_int_equal(iofd_sim_dma_write(k->sim, "0000:00:02.0", 0x100000 + 8 * PS - 1, "yy", 2),
			 -EFAULT);
	assert_int_equal(buf[8 * PS - 1], 'z');
	/* A device not attached (or not bound) does no DMA; unknown ones none at all. */
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:03.0", 0x100000, got, 1), -EFAULT);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:04.0", 0x100000, got, 1), -EFAULT);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:09:00.0", 0x100000, got, 1), -ENODEV);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:01.0", 0x100000, got, 0), -EINVAL);
	/* Detached: blocked. */
	assert_int_equal(k_detach(k, dev2), 0);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:02.0", 0x100000, got, 1), -EFAULT);
	assert_int_equal(iofd_sim_check_domains(k->sim), 2 * 10);
	k_close(k, dev1);
	k_close(k, dev2);
	assert_int_equal(k_pinned(k), 10);	/* the HWPT made by hand holds them */
	assert_int_equal(k_destroy(k, ifd, m), 0);
	assert_int_equal(k_pinned(k), 0);
	k_close(k, ifd);
}

static void mixed_coherency_needs_two_hwpts(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 4 * PS), got[4];
	int sc = k_sim_add_vtd(k->sim, 0xf00fca), nosc = k_sim_add_vtd(k->sim, 0xf00f4a);
	uint32_t da, db, pa, pb, x;
	int ifd, deva, devb;
	uint32_t ioas;

	k_sim_add_vfio_dev(k->sim, "0000:00:01.0", sc, 0);
	k_sim_add_vfio_dev(k->sim, "0000:00:02.0", nosc, 0);
	/* The coherent device first: its HWPT blocks no-snoop, the other needs its own. */
	ifd = k_open(k);
	ioas = k_ioas_alloc(k, ifd);
	deva = bind_bdf(k, "0000:00:01.0", ifd, &da);
	devb = bind_bdf(k, "0000:00:02.0", ifd, &db);
	assert_int_equal(k_map_fixed(k, ifd, ioas, buf, 4 * PS, 0x100000), 0);
	pa = pb = ioas;
	assert_int_equal(k_attach(k, deva, &pa), 0);
	assert_int_equal(k_attach(k, devb, &pb), 0);
	assert_int_not_equal(pa, pb);
	x = pa;
	assert_int_equal(k_attach(k, devb, &x), -EINVAL);
	assert_int_equal(k_pinned(k), 4);
	assert_int_equal(iofd_sim_check_domains(k->sim), 2 * 4);
	memcpy(buf, "snoo", 4);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:01.0", 0x100000, got, 4), 0);
	assert_memory_equal(got, "snoo", 4);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:02.0", 0x100000, got, 4), 0);
	assert_memory_equal(got, "snoo", 4);
	/* The coherent device is accepted on the non-coherent HWPT (the trap). */
	x = pb;
	assert_int_equal(k_attach(k, deva, &x), 0);
	assert_int_equal(k_destroy(k, ifd, pa), -ENOENT);
	k_close(k, deva);
	k_close(k, devb);
	k_close(k, ifd);
	/* The other order: one HWPT, non-coherent, for both. */
	ifd = k_open(k);
	ioas = k_ioas_alloc(k, ifd);
	devb = bind_bdf(k, "0000:00:02.0", ifd, &db);
	deva = bind_bdf(k, "0000:00:01.0", ifd, &da);
	pa = pb = ioas;
	assert_int_equal(k_attach(k, devb, &pb), 0);
	assert_int_equal(k_attach(k, deva, &pa), 0);
	assert_int_equal(pa, pb);
	/* Asking for a HWPT with the coherent device gives one that enforces. */
	assert_int_equal(k_hwpt_alloc(k, ifd, da, ioas, 0, &x), 0);
	assert_int_equal(k_attach(k, deva, &x), 0);
	pb = x;
	assert_int_equal(k_attach(k, devb, &pb), -EINVAL);
	k_close(k, deva);
	k_close(k, devb);
	k_close(k, ifd);
}

static void smmuv3_domains_stay_on_their_instance(void **state)
{
	struct kern *k = KERN(state);
	IOFD_OPTS(iofd_sim_iommu_opts, smmu, .type = IOFD_IOMMU_ARM_SMMUV3);
	struct iofd_u_iommu_iova_range r[4];
	struct iofd_u_iommu_hw_info hw = { .size = sizeof(hw) };
	int s0 = iofd_sim_add_iommu(k->sim, &smmu), s1 = iofd_sim_add_iommu(k->sim, &smmu);
	uint32_t da, db, dc, pa, pb, pc, x, ioas;
	int ifd, deva, devb, devc;

	assert_true(s0 >= 0 && s1 > s0);
	k_sim_add_vfio_dev(k->sim, "0000:00:01.0", s0, IOFD_SIM_PCI_COHERENT);
	k_sim_add_vfio_dev(k->sim, "0000:00:02.0", s0, 0);
	k_sim_add_vfio_dev(k->sim, "0000:00:03.0", s1, IOFD_SIM_PCI_COHERENT);
	ifd = k_open(k);
	ioas = k_ioas_alloc(k, ifd);
	deva = bind_bdf(k, "0000:00:01.0", ifd, &da);
	devb = bind_bdf(k, "0000:00:02.0", ifd, &db);
	devc = bind_bdf(k, "0000:00:03.0", ifd, &dc);
	pa = pb = pc = ioas;
	assert_int_equal(k_attach(k, deva, &pa), 0);
	/* The non-coherent device cannot join the coherent one's HWPT... */
	assert_int_equal(k_attach(k, devb, &pb), 0);
	assert_int_not_equal(pb, pa);
	/* ...nor the other SMMU's device either HWPT. */
	assert_int_equal(k_attach(k, devc, &pc), 0);
	assert_true(pc != pa && pc != pb);
	x = pb;
	assert_int_equal(k_attach(k, devc, &x), -EINVAL);
	/* 48 bits, the software MSI window reserved. */
	assert_int_equal(k_ranges(k, ifd, ioas, r, 4, NULL), 2);
	assert_int_equal(r[0].last, 0x7ffffff);
	assert_int_equal(r[1].start, 0x8100000);
	assert_int_equal(r[1].last, (1ull << 48) - 1);
	/* No hw_info in 6.12's SMMUv3, no dirty tracking unless the SMMU has it. */
	hw.dev_id = da;
	assert_int_equal(k_ioctl(k, ifd, IOFD_U_IOMMU_GET_HW_INFO, &hw), 0);
	assert_int_equal(hw.out_data_type, IOFD_U_IOMMU_HW_INFO_TYPE_NONE);
	assert_int_equal(hw.data_len, 0);
	assert_int_equal(hw.out_capabilities, 0);
	assert_int_equal(k_hwpt_alloc(k, ifd, da, ioas, IOFD_U_IOMMU_HWPT_ALLOC_NEST_PARENT, &x),
			 -EOPNOTSUPP);
	k_close(k, deva);
	k_close(k, devb);
	k_close(k, devc);
	k_close(k, ifd);
}

static void dirty_pages_follow_simulated_dma(void **state)
{
	struct kern *k = KERN(state);
	IOFD_OPTS(iofd_sim_iommu_opts, amd, .type = IOFD_IOMMU_AMD, .amd_efr = 1ull << 52);
	struct iofd_u_iommu_hw_info hw = { .size = sizeof(hw) };
	struct iofd_u_iommu_iova_range r[4];
	char *buf = k_mem(k, 8 * PS);
	int u = iofd_sim_add_iommu(k->sim, &amd), ifd, dev;
	uint32_t devid, ioas, hd;
	uint64_t bm;

	assert_true(u >= 0);
	k_sim_add_vfio_dev(k->sim, "0000:01:00.0", u, 0);
	ifd = k_open(k);
	ioas = k_ioas_alloc(k, ifd);
	dev = bind_bdf(k, "0000:01:00.0", ifd, &devid);
	hw.dev_id = devid;
	assert_int_equal(k_ioctl(k, ifd, IOFD_U_IOMMU_GET_HW_INFO, &hw), 0);
	assert_int_equal(hw.out_data_type, IOFD_U_IOMMU_HW_INFO_TYPE_NONE);
	assert_int_equal(hw.out_capabilities, IOFD_U_IOMMU_HW_CAP_DIRTY_TRACKING);
	assert_int_equal(k_map_fixed(k, ifd, ioas, buf, 8 * PS, 0x100000), 0);
	assert_int_equal(k_hwpt_alloc(k, ifd, devid, ioas, IOFD_U_IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				      &hd), 0);
	assert_int_equal(k_attach(k, dev, &hd), 0);
	/* AMD: the MSI window and the HyperTransport hole are reserved. */
	assert_int_equal(k_ranges(k, ifd, ioas, r, 4, NULL), 3);
	assert_int_equal(r[1].start, 0xfef00000);
	assert_int_equal(r[1].last, 0xfcffffffffull);
	assert_int_equal(r[2].start, 0x10000000000ull);
	/* Writes before tracking starts are not recorded. */
	assert_int_equal(iofd_sim_dma_write(k->sim, "0000:01:00.0", 0x100000, "a", 1), 0);
	assert_int_equal(set_dirty(k, ifd, hd, true), 0);
	assert_int_equal(dirty_bitmap(k, ifd, hd, 0x100000, 8 * PS, PS, 0, &bm), 0);
	assert_int_equal(bm, 0);
	/* A write across pages 2 and 3, one in page 6; reads mark nothing. */
	assert_int_equal(iofd_sim_dma_write(k->sim, "0000:01:00.0", 0x100000 + 3 * PS - 1, "bc", 2),
			 0);
	assert_int_equal(iofd_sim_dma_write(k->sim, "0000:01:00.0", 0x100000 + 6 * PS, "d", 1), 0);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:01:00.0", 0x100000 + 7 * PS, &bm, 1), 0);
	assert_int_equal(dirty_bitmap(k, ifd, hd, 0x100000, 8 * PS, PS,
				      IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, &bm), 0);
	assert_int_equal(bm, 0x4c);
	assert_int_equal(dirty_bitmap(k, ifd, hd, 0x100000, 8 * PS, PS, 0, &bm), 0);
	assert_int_equal(bm, 0x4c);
	assert_int_equal(dirty_bitmap(k, ifd, hd, 0x100000, 8 * PS, PS, 0, &bm), 0);
	assert_int_equal(bm, 0);
	/* Unmapping drops the dirty bits with the IOPTEs. */
	assert_int_equal(iofd_sim_dma_write(k->sim, "0000:01:00.0", 0x100000, "e", 1), 0);
	assert_int_equal(k_unmap(k, ifd, ioas, 0x100000, 8 * PS, NULL), 0);
	assert_int_equal(k_map_fixed(k, ifd, ioas, buf, 8 * PS, 0x100000), 0);
	assert_int_equal(dirty_bitmap(k, ifd, hd, 0x100000, 8 * PS, PS, 0, &bm), 0);
	assert_int_equal(bm, 0);
	k_close(k, dev);
	k_close(k, ifd);
}

int main(void)
{
	const struct CMUnitTest cdev[] = {
		T_LAB(a_cdev_answers_nothing_before_bind),
		T_LAB(a_device_binds_once),
		T_LAB(hw_info_reports_what_sysfs_shows),
		T_LAB(attaching_to_an_ioas_makes_an_automatic_hwpt),
		T_LAB(attaching_pins_and_replays_every_mapping),
		T_LAB(attaching_fails_on_mappings_the_device_cannot_take),
		T_LAB(attach_and_detach_argument_errors),
		T_LAB(hwpt_alloc_then_replace),
		T_LAB(dirty_tracking_needs_a_hwpt_made_for_it),
		T_LAB(two_devices_share_an_automatic_hwpt),
		T_LAB(closing_cleans_up_in_either_order),
		T_LAB(device_info_as_vfio_pci_answers),
		T_LAB(mock_devices_are_refused_while_vtd_is_on),
	};
	const struct CMUnitTest mock[] = {
		T_MOCK(two_mock_domains_mirror_one_ioas),
		T_MOCK(mock_devices_report_the_mock_iommu),
		T_MOCK(mock_domain_replace_moves_a_device),
		T_MOCK(mock_dirty_tracking),
	};
	const struct CMUnitTest sim[] = {
		T_LAB(dma_goes_through_every_domain),
		T_SIM(mixed_coherency_needs_two_hwpts),
		T_SIM(smmuv3_domains_stay_on_their_instance),
		T_SIM(dirty_pages_follow_simulated_dma),
	};

	return KERN_RUN("conformance-device", cdev, mock, sim);
}
