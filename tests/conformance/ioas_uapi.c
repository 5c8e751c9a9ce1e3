// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The iommufd IOAS uAPI, checked the same way on libiommufd-sim and on a real
 * kernel (IOFD_KERNEL=real; in the lab: tests/vm/run -- env IOFD_KERNEL=real
 * <this program>). Each test states one behaviour of Linux 6.12 that a user
 * of /dev/iommu relies on; where the simulator and the kernel disagree, the
 * simulator is wrong.
 *
 * Kernel-chosen IOVAs are never compared with numbers: only with the rules
 * the kernel promises (inside the allowed ranges, page offset kept, no
 * overlap), since its choice depends on THP and on what is mapped.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "harness.h"

#define PS (KERN(state)->page_size)
#define ULMAX ((uint64_t)ULONG_MAX)

/* ------------------------------------------------------------------------
 * Objects, ids, lifetimes
 */

static void ioas_alloc_gives_lowest_free_id(void **state)
{
	struct kern *k = KERN(state);
	int fd = k_open(k);
	uint32_t a = k_ioas_alloc(k, fd), b = k_ioas_alloc(k, fd), c;

	/* Ids count from 1 in each iommufd, and a destroyed one is reused. */
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_int_equal(k_destroy(k, fd, a), 0);
	c = k_ioas_alloc(k, fd);
	assert_int_equal(c, a);
	assert_int_equal(k_destroy(k, fd, b), 0);
	assert_int_equal(k_destroy(k, fd, c), 0);
	k_close(k, fd);
}

static void ioas_alloc_refuses_flags(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_ioas_alloc a = { .size = sizeof(a), .flags = 1 };
	int fd = k_open(k);

	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_IOAS_ALLOC, &a), -EOPNOTSUPP);
	k_close(k, fd);
}

static void destroy_unknown_id_is_enoent(void **state)
{
	struct kern *k = KERN(state);
	int fd = k_open(k);
	uint32_t id = k_ioas_alloc(k, fd);

	assert_int_equal(k_destroy(k, fd, 0), -ENOENT);
	assert_int_equal(k_destroy(k, fd, id + 1), -ENOENT);
	assert_int_equal(k_destroy(k, fd, UINT32_MAX), -ENOENT);
	assert_int_equal(k_destroy(k, fd, id), 0);
	assert_int_equal(k_destroy(k, fd, id), -ENOENT);
	k_close(k, fd);
}

static void ids_are_per_iommufd(void **state)
{
	struct kern *k = KERN(state);
	int fd1 = k_open(k), fd2 = k_open(k);
	uint32_t a = k_ioas_alloc(k, fd1);

	/* Another open of /dev/iommu is another namespace. */
	assert_int_equal(k_ioas_alloc(k, fd2), a);
	assert_int_equal(k_destroy(k, fd2, a), 0);
	assert_int_equal(k_destroy(k, fd2, a), -ENOENT);
	assert_int_equal(k_destroy(k, fd1, a), 0);
	k_close(k, fd1);
	k_close(k, fd2);
}

static void close_destroys_everything(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 4 * PS);
	int fd = k_open(k);
	uint32_t a = k_ioas_alloc(k, fd), b = k_ioas_alloc(k, fd);
	uint64_t iova = 0;

	assert_int_equal(k_map(k, fd, a, RW, buf, 4 * PS, &iova), 0);
	assert_int_equal(k_copy(k, fd, b, a, RW, iova, 4 * PS, &iova), 0);
	k_close(k, fd);
	/* A new open starts empty: its first id is 1 again. */
	fd = k_open(k);
	assert_int_equal(k_ioas_alloc(k, fd), 1);
	k_close(k, fd);
	/* (On the simulator, teardown also checks no object, fd or pin is left.) */
}

static void dup_keeps_the_iommufd_open(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, PS);
	int fd = k_open(k), fd2 = k->ops->dup(k->priv, fd);
	uint32_t a = k_ioas_alloc(k, fd);
	uint64_t unmapped;

	assert_true(fd2 >= 0 && fd2 != fd);
	assert_int_equal(k_map_fixed(k, fd, a, buf, PS, 0x100000), 0);
	k_close(k, fd);
	/* The same open file: its objects live on through the other fd. */
	assert_int_equal(k_unmap(k, fd2, a, 0x100000, PS, &unmapped), 0);
	assert_int_equal(unmapped, PS);
	assert_int_equal(k_destroy(k, fd2, a), 0);
	k_close(k, fd2);
}

static void iommufd_is_a_char_device_without_read_or_mmap(void **state)
{
	struct kern *k = KERN(state);
	int fd = k_open(k);
	struct stat st;
	char b[8];
	void *p;

	assert_int_equal(k->ops->fstat(k->priv, fd, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(major(st.st_rdev), 10);	/* a misc device */
	assert_int_equal(k->ops->read(k->priv, fd, b, sizeof(b)), -EINVAL);
	assert_int_equal(k->ops->write(k->priv, fd, b, sizeof(b)), -EINVAL);
	assert_int_equal(k->ops->mmap(k->priv, &p, PS, 3, 1 /* MAP_SHARED */, fd, 0), -ENODEV);
	k_close(k, fd);
}

/* ------------------------------------------------------------------------
 * The argument size rules, on every ioctl
 */

#define OP(name, type, last) \
	{ #name, IOFD_U_##name, sizeof(type), offsetof(type, last) + sizeof(((type *)0)->last) }

static const struct {
	const char *name;
	unsigned long cmd;
	size_t size, min;
} ops[] = {
	OP(IOMMU_DESTROY, struct iofd_u_iommu_destroy, id),
	OP(IOMMU_IOAS_ALLOC, struct iofd_u_iommu_ioas_alloc, out_ioas_id),
	OP(IOMMU_IOAS_ALLOW_IOVAS, struct iofd_u_iommu_ioas_allow_iovas, allowed_iovas),
	OP(IOMMU_IOAS_COPY, struct iofd_u_iommu_ioas_copy, src_iova),
	OP(IOMMU_IOAS_IOVA_RANGES, struct iofd_u_iommu_ioas_iova_ranges, out_iova_alignment),
	OP(IOMMU_IOAS_MAP, struct iofd_u_iommu_ioas_map, iova),
	OP(IOMMU_IOAS_UNMAP, struct iofd_u_iommu_ioas_unmap, length),
	OP(IOMMU_OPTION, struct iofd_u_iommu_option, val64),
	OP(IOMMU_VFIO_IOAS, struct iofd_u_iommu_vfio_ioas, __reserved),
	OP(IOMMU_HWPT_ALLOC, struct iofd_u_iommu_hwpt_alloc, __reserved),
	OP(IOMMU_GET_HW_INFO, struct iofd_u_iommu_hw_info, __reserved),
	OP(IOMMU_HWPT_SET_DIRTY_TRACKING, struct iofd_u_iommu_hwpt_set_dirty_tracking, __reserved),
	OP(IOMMU_HWPT_GET_DIRTY_BITMAP, struct iofd_u_iommu_hwpt_get_dirty_bitmap, data),
	OP(IOMMU_HWPT_INVALIDATE, struct iofd_u_iommu_hwpt_invalidate, __reserved),
	OP(IOMMU_FAULT_QUEUE_ALLOC, struct iofd_u_iommu_fault_alloc, out_fault_fd),
};

union argbuf {
	uint64_t align;
	unsigned char b[512];
};

static void every_ioctl_follows_the_size_rules(void **state)
{
	struct kern *k = KERN(state);
	int fd = k_open(k);
	union argbuf a;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		uint32_t *sz = (uint32_t *)a.b;

		/* Below the mandatory fields. */
		memset(&a, 0, sizeof(a));
		*sz = (uint32_t)ops[i].min - 1;
		if (k_ioctl(k, fd, ops[i].cmd, &a) != -EINVAL)
			fail_msg("%s: size %zu: want -EINVAL", ops[i].name, ops[i].min - 1);
		memset(&a, 0, sizeof(a));
		*sz = 0;
		if (k_ioctl(k, fd, ops[i].cmd, &a) != -EINVAL)
			fail_msg("%s: size 0: want -EINVAL", ops[i].name);
		/* Longer than the kernel's struct, a non-zero byte in the tail. */
		memset(&a, 0, sizeof(a));
		*sz = (uint32_t)ops[i].size + 16;
		a.b[ops[i].size + 9] = 1;
		if (k_ioctl(k, fd, ops[i].cmd, &a) != -E2BIG)
			fail_msg("%s: non-zero tail: want -E2BIG", ops[i].name);
		/* The size is read before anything else: a bad pointer faults. */
		if (k_ioctl(k, fd, ops[i].cmd, NULL) != -EFAULT)
			fail_msg("%s: NULL argument: want -EFAULT", ops[i].name);
		/* The same NR with direction bits set is another ioctl. */
		if (k_ioctl(k, fd, IOFD_U_IOC(IOFD_U_IOC_READ | IOFD_U_IOC_WRITE,
					      IOFD_U_IOC_TYPE(ops[i].cmd), IOFD_U_IOC_NR(ops[i].cmd),
					      ops[i].size), &a) != -ENOTTY)
			fail_msg("%s: with _IOWR bits: want -ENOTTY", ops[i].name);
	}
	k_close(k, fd);
}

static void a_longer_struct_with_a_zero_tail_is_accepted(void **state)
{
	struct kern *k = KERN(state);
	union argbuf a;
	struct iofd_u_iommu_ioas_alloc *al = (void *)a.b;
	struct iofd_u_iommu_destroy *d = (void *)a.b;
	int fd = k_open(k);

	memset(&a, 0, sizeof(a));
	al->size = sizeof(*al) + 64;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_IOAS_ALLOC, al), 0);
	assert_int_equal(al->out_ioas_id, 1);
	/* The reply wrote only the kernel's struct: the tail is untouched. */
	for (size_t i = sizeof(*al); i < sizeof(*al) + 64; i++)
		assert_int_equal(a.b[i], 0);
	memset(&a, 0, sizeof(a));
	d->size = sizeof(a);
	d->id = 1;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_DESTROY, d), 0);
	k_close(k, fd);
}

static void a_shorter_struct_down_to_the_mandatory_fields_is_accepted(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_hwpt_alloc h = { .size = 24, .dev_id = 1, .pt_id = 1 };
	struct iofd_u_iommu_hw_info hw = { .size = 32, .dev_id = 1 };
	int fd = k_open(k);

	/* HWPT_ALLOC from 24 bytes, GET_HW_INFO from 32: both get as far as
	 * looking up the device, which does not exist. */
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_ALLOC, &h), -ENOENT);
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_GET_HW_INFO, &hw), -ENOENT);
	k_close(k, fd);
}

static void unknown_ioctls_are_enotty(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_destroy d = { .size = sizeof(d) };
	int fd = k_open(k);

	/* Beyond the table, below it (where VFIO's numbers are), another type. */
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, 0xbf), &d), -ENOTTY);
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, 0x7f), &d), -ENOTTY);
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IO('x', 0x80), &d), -ENOTTY);
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IO(IOFD_U_IOMMUFD_TYPE, 0x00), &d), -ENOTTY);
	k_close(k, fd);
}

static void reserved_fields_must_be_zero(void **state)
{
	struct kern *k = KERN(state);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);
	struct iofd_u_iommu_ioas_map m = {
		.size = sizeof(m), .flags = RW, .ioas_id = ioas, .__reserved = 1, .length = PS,
	};
	struct iofd_u_iommu_ioas_iova_ranges r = {
		.size = sizeof(r), .ioas_id = ioas, .__reserved = 1,
	};
	struct iofd_u_iommu_ioas_allow_iovas al = {
		.size = sizeof(al), .ioas_id = ioas, .__reserved = 1,
	};
	struct iofd_u_iommu_option o = {
		.size = sizeof(o), .option_id = IOFD_U_IOMMU_OPTION_HUGE_PAGES,
		.op = IOFD_U_IOMMU_OPTION_OP_GET, .__reserved = 1, .object_id = ioas,
	};
	struct iofd_u_iommu_vfio_ioas v = { .size = sizeof(v), .__reserved = 1 };

	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_IOAS_MAP, &m), -EOPNOTSUPP);
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_IOAS_IOVA_RANGES, &r), -EOPNOTSUPP);
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_IOAS_ALLOW_IOVAS, &al), -EOPNOTSUPP);
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_OPTION, &o), -EOPNOTSUPP);
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_VFIO_IOAS, &v), -EOPNOTSUPP);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

/*
 * Without devices there are no HWPTs: these ioctls check their arguments,
 * then find no such object. (An IOAS id is not a device or a HWPT either.)
 */
static void hwpt_and_device_ioctls_check_then_find_nothing(void **state)
{
	struct kern *k = KERN(state);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);
	struct iofd_u_iommu_hwpt_alloc h = { .size = sizeof(h), .dev_id = ioas, .pt_id = ioas };
	struct iofd_u_iommu_hw_info hw = { .size = sizeof(hw), .dev_id = ioas };
	struct iofd_u_iommu_hwpt_set_dirty_tracking sd = { .size = sizeof(sd), .hwpt_id = ioas };
	struct iofd_u_iommu_hwpt_get_dirty_bitmap gd = {
		.size = sizeof(gd), .hwpt_id = ioas, .length = PS, .page_size = PS,
	};
	struct iofd_u_iommu_hwpt_invalidate inv = { .size = sizeof(inv), .hwpt_id = ioas };

	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_ALLOC, &h), -ENOENT);
	h.data_len = 8;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_ALLOC, &h), -EINVAL);
	h.data_len = 0;
	h.data_type = 1;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_ALLOC, &h), -EINVAL);
	h.__reserved = 1;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_ALLOC, &h), -EOPNOTSUPP);

	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_GET_HW_INFO, &hw), -ENOENT);
	hw.__reserved[2] = 1;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_GET_HW_INFO, &hw), -EOPNOTSUPP);
	hw.__reserved[2] = 0;
	hw.flags = 1;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_GET_HW_INFO, &hw), -EOPNOTSUPP);

	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_SET_DIRTY_TRACKING, &sd), -ENOENT);
	sd.flags = 2;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_SET_DIRTY_TRACKING, &sd), -EOPNOTSUPP);

	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP, &gd), -ENOENT);
	gd.flags = 2;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP, &gd), -EOPNOTSUPP);
	gd.flags = 0;
	gd.__reserved = 1;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_GET_DIRTY_BITMAP, &gd), -EOPNOTSUPP);

	/* INVALIDATE always writes back how many entries it handled. */
	inv.entry_num = 0;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_INVALIDATE, &inv), -ENOENT);
	inv.entry_num = 3;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_INVALIDATE, &inv), -EINVAL);
	assert_int_equal(inv.entry_num, 0);
	inv.entry_num = 3;
	inv.data_uptr = 0x1000;
	inv.entry_len = PS + 1;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_INVALIDATE, &inv), -EINVAL);
	inv.entry_len = 16;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_INVALIDATE, &inv), -ENOENT);
	assert_int_equal(inv.entry_num, 0);
	inv.entry_num = 3;
	inv.__reserved = 1;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_HWPT_INVALIDATE, &inv), -EOPNOTSUPP);
	assert_int_equal(inv.entry_num, 0);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

/* ------------------------------------------------------------------------
 * IOMMU_IOAS_MAP
 */

static void map_at_a_fixed_iova(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 8 * PS);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);
	uint64_t iova = 0x200000, unmapped;

	assert_int_equal(k_map(k, fd, ioas, FIXED | RW, buf, 4 * PS, &iova), 0);
	assert_int_equal(iova, 0x200000);	/* unchanged */
	/* Right next to it, and at IOVA 0 (no domain: no reserved range yet). */
	assert_int_equal(k_map_fixed(k, fd, ioas, buf + 4 * PS, 4 * PS, 0x200000 + 4 * PS), 0);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, PS, 0), 0);
	assert_int_equal(k_unmap(k, fd, ioas, 0, UINT64_MAX, &unmapped), 0);
	assert_int_equal(unmapped, 9 * PS);
	k_close(k, fd);
}

static void map_over_a_mapping_is_eexist(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 4 * PS);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);
	uint64_t iova = 0x400000;

	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 2 * PS, iova), 0);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 2 * PS, iova), -EEXIST);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 2 * PS, iova + PS), -EEXIST);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 2 * PS, iova - PS), -EEXIST);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 4 * PS, iova - PS), -EEXIST);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 1, iova + 2 * PS - 1), -EEXIST);
	assert_int_equal(k_unmap(k, fd, ioas, iova, 2 * PS, NULL), 0);
	k_close(k, fd);
}

/* What the kernel promises about an IOVA it picks for @va (page-aligned maps). */
static void check_kernel_iova(void **state, int fd, uint32_t ioas, const void *va,
			      uint64_t len, uint64_t iova)
{
	struct kern *k = KERN(state);

	assert_int_not_equal(iova, 0);
	assert_true(iova >= PS && iova + len - 1 <= ULMAX - PS);
	assert_int_equal(iova % PS, (uintptr_t)va % PS);
	/* It is mapped there: mapping it again overlaps. */
	assert_int_equal(k_map_fixed(k, fd, ioas, va, len, iova), -EEXIST);
}

static void map_at_a_kernel_chosen_iova(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 64 * PS);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);
	uint64_t iova[4], unmapped;

	assert_int_equal(k_map(k, fd, ioas, RW, buf, 16 * PS, &iova[0]), 0);
	check_kernel_iova(state, fd, ioas, buf, 16 * PS, iova[0]);
	assert_int_equal(k_map(k, fd, ioas, RW, buf + PS, 3 * PS, &iova[1]), 0);
	check_kernel_iova(state, fd, ioas, buf + PS, 3 * PS, iova[1]);
	assert_int_equal(k_map(k, fd, ioas, RW, buf, 64 * PS, &iova[2]), 0);
	check_kernel_iova(state, fd, ioas, buf, 64 * PS, iova[2]);
	/* Inside a page: the offset into the page is kept. */
	assert_int_equal(k_map(k, fd, ioas, RW, buf + 0x10, 0x100, &iova[3]), 0);
	assert_int_equal(iova[3] % PS, 0x10);
	/* No two overlap. */
	assert_true(iova[1] >= iova[0] + 16 * PS || iova[1] + 3 * PS <= iova[0]);
	assert_true(iova[2] >= iova[1] + 3 * PS || iova[2] + 64 * PS <= iova[1]);
	assert_true(iova[2] >= iova[0] + 16 * PS || iova[2] + 64 * PS <= iova[0]);
	assert_int_equal(k_unmap(k, fd, ioas, 0, UINT64_MAX, &unmapped), 0);
	assert_int_equal(unmapped, 83 * PS + 0x100);
	k_close(k, fd);
}

/*
 * The allocator's rule itself (iopt_alloc_iova in 6.12), on an empty IOAS:
 * the first hole from one page up that fits the length at an alignment of
 * min(roundup_pow_of_two(length), lowest set bit of the user address),
 * capped at the THP size, with the page offset of the address kept. The
 * expected IOVAs follow from that rule, not from a recorded run; the cap
 * needs THP (2 MiB), so a kernel without it skips.
 */
static void kernel_chosen_iovas_follow_the_allocator_rule(void **state)
{
	struct kern *k = KERN(state);
	const uint64_t thp = 2ull << 20;
	char *raw, *base;
	int fd;
	uint32_t ioas;
	uint64_t iova;

	if (kern_is_real(k) && access("/sys/kernel/mm/transparent_hugepage", F_OK) != 0) {
		print_message("skip: this kernel has no THP (the cap would be one page)\n");
		skip();
	}
	if (PS != 4096) {
		print_message("skip: the expected IOVAs are worked out for 4 KiB pages\n");
		skip();
	}
	raw = k_mem(k, 2 * thp);
	base = (char *)(((uintptr_t)raw + thp - 1) & ~(thp - 1));	/* 2 MiB aligned */
	fd = k_open(k);
	ioas = k_ioas_alloc(k, fd);
	/* 16 KiB from a 2 MiB-aligned address: 16 KiB alignment, above page 0. */
	assert_int_equal(k_map(k, fd, ioas, RW, base, 4 * PS, &iova), 0);
	assert_int_equal(iova, 4 * PS);
	/* 12 KiB from an address one page in: page alignment, the hole below. */
	assert_int_equal(k_map(k, fd, ioas, RW, base + PS, 3 * PS, &iova), 0);
	assert_int_equal(iova, PS);
	/* A page: the first hole after both. */
	assert_int_equal(k_map(k, fd, ioas, RW, base, PS, &iova), 0);
	assert_int_equal(iova, 8 * PS);
	/* 32 bytes at offset 0x10: 16-byte alignment, offset kept. */
	assert_int_equal(k_map(k, fd, ioas, RW, base + 0x10, 0x20, &iova), 0);
	assert_int_equal(iova, 9 * PS + 0x10);
	/* Over 2 MiB: the alignment stops at the THP size. */
	assert_int_equal(k_map(k, fd, ioas, RW, base, thp + PS, &iova), 0);
	assert_int_equal(iova, thp);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

static void map_argument_errors(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 2 * PS);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);
	uint64_t iova = 0x100000;

	/* Neither readable nor writeable; an unknown flag. */
	assert_int_equal(k_map(k, fd, ioas, FIXED, buf, PS, &iova), -EINVAL);
	assert_int_equal(k_map(k, fd, ioas, FIXED | RW | 8, buf, PS, &iova), -EOPNOTSUPP);
	/* No length; no such IOAS (checked after the flags and the overflow). */
	assert_int_equal(k_map(k, fd, ioas, FIXED | RW, buf, 0, &iova), -EINVAL);
	assert_int_equal(k_map(k, fd, ioas + 1, FIXED | RW, buf, PS, &iova), -ENOENT);
	assert_int_equal(k_map(k, fd, ioas + 1, FIXED, buf, PS, &iova), -EINVAL);
	assert_int_equal(k_map(k, fd, ioas + 1, FIXED | RW | 8, buf, PS, &iova), -EOPNOTSUPP);
	k_close(k, fd);
}

static void map_overflows_are_eoverflow(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 2 * PS);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);
	uint64_t iova;

	/* IOVA or length of all ones, before anything else. */
	iova = UINT64_MAX;
	assert_int_equal(k_map(k, fd, ioas + 1, FIXED | RW, buf, PS, &iova), -EOVERFLOW);
	iova = 0;
	assert_int_equal(k_map(k, fd, ioas + 1, FIXED | RW, buf, UINT64_MAX, &iova), -EOVERFLOW);
	/* iova + length wraps. */
	iova = ULMAX - PS + 1;
	assert_int_equal(k_map(k, fd, ioas, FIXED | RW, buf, 2 * PS, &iova), -EOVERFLOW);
	/* user_va + length wraps. */
	iova = 0x100000;
	assert_int_equal(k_map(k, fd, ioas, FIXED | RW, (void *)(uintptr_t)(ULMAX - PS + 1),
			       2 * PS, &iova), -EOVERFLOW);
	/* A length the kernel cannot count in pages is EINVAL, not EOVERFLOW. */
	assert_int_equal(k_map(k, fd, ioas, FIXED | RW, NULL, ULMAX - 1, &iova), -EINVAL);
	/* Half the address space or more cannot be placed by the kernel. */
	assert_int_equal(k_map(k, fd, ioas, RW, NULL, 1ull << 63, &iova), -EOVERFLOW);
	k_close(k, fd);
}

static void map_without_a_domain_pins_and_checks_nothing(void **state)
{
	struct kern *k = KERN(state);
	uint64_t hole = k_hole(k, 4 * PS), iova = 0x100000, unmapped;
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);
	char *buf = k_mem(k, 4 * PS);

	/* An IOAS with no device attached only records the mapping: memory
	 * that is not there maps, and nothing is pinned. */
	assert_int_equal(k_map(k, fd, ioas, FIXED | RW, (void *)(uintptr_t)hole, 4 * PS, &iova),
			 0);
	assert_int_equal(k_map(k, fd, ioas, RW, buf, 4 * PS, &iova), 0);
	assert_int_equal(k_map(k, fd, ioas, FIXED | RW, NULL, PS, &(uint64_t){ 0x10000000 }), 0);
	assert_int_equal(k_pinned(k), 0);
	assert_int_equal(k_unmap(k, fd, ioas, 0, UINT64_MAX, &unmapped), 0);
	assert_int_equal(unmapped, 9 * PS);
	k_close(k, fd);
}

/* ------------------------------------------------------------------------
 * IOMMU_IOAS_UNMAP
 */

static void unmap_exactly_one_mapping(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 4 * PS);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);
	uint64_t unmapped = 0;

	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 4 * PS, 0x100000), 0);
	assert_int_equal(k_unmap(k, fd, ioas, 0x100000, 4 * PS, &unmapped), 0);
	assert_int_equal(unmapped, 4 * PS);
	assert_int_equal(k_unmap(k, fd, ioas, 0x100000, 4 * PS, &unmapped), -ENOENT);
	/* Free again: it maps. */
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 4 * PS, 0x100000), 0);
	assert_int_equal(k_unmap(k, fd, ioas, 0x100000, 4 * PS, NULL), 0);
	k_close(k, fd);
}

static void unmap_a_superset_of_whole_mappings(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 8 * PS);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);
	uint64_t unmapped = 0;

	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 2 * PS, 0x100000), 0);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 3 * PS, 0x100000 + 2 * PS), 0);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, PS, 0x200000), 0);
	/* Gaps and unmapped ends inside the range are fine. */
	assert_int_equal(k_unmap(k, fd, ioas, 0x80000, 0x200000, &unmapped), 0);
	assert_int_equal(unmapped, 6 * PS);
	assert_int_equal(k_unmap(k, fd, ioas, 0, UINT64_MAX, &unmapped), 0);
	assert_int_equal(unmapped, 0);
	k_close(k, fd);
}

static void unmap_cannot_split_a_mapping(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 4 * PS);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);
	uint64_t unmapped;

	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 4 * PS, 0x100000), 0);
	/* Its head, its tail, its middle, or past either end. */
	assert_int_equal(k_unmap(k, fd, ioas, 0x100000, PS, NULL), -ENOENT);
	assert_int_equal(k_unmap(k, fd, ioas, 0x100000 + 3 * PS, PS, NULL), -ENOENT);
	assert_int_equal(k_unmap(k, fd, ioas, 0x100000 + PS, 2 * PS, NULL), -ENOENT);
	assert_int_equal(k_unmap(k, fd, ioas, 0x100000 - PS, 2 * PS, NULL), -ENOENT);
	assert_int_equal(k_unmap(k, fd, ioas, 0x100000 + PS, 8 * PS, NULL), -ENOENT);
	/* All of it is still there. */
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, PS, 0x100000 + 3 * PS), -EEXIST);
	assert_int_equal(k_unmap(k, fd, ioas, 0x100000, 4 * PS, &unmapped), 0);
	assert_int_equal(unmapped, 4 * PS);
	k_close(k, fd);
}

static void unmap_stops_at_the_first_cut_mapping(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 4 * PS);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);
	uint64_t unmapped;

	/* A whole mapping, then one the range cuts: the kernel unmaps the
	 * first before it finds the cut, and fails with ENOENT. */
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 2 * PS, 0x100000), 0);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 2 * PS, 0x100000 + 2 * PS), 0);
	assert_int_equal(k_unmap(k, fd, ioas, 0x100000, 3 * PS, NULL), -ENOENT);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 2 * PS, 0x100000), 0);	/* gone */
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, PS, 0x100000 + 3 * PS), -EEXIST);
	assert_int_equal(k_unmap(k, fd, ioas, 0, UINT64_MAX, &unmapped), 0);
	assert_int_equal(unmapped, 4 * PS);
	k_close(k, fd);
}

static void unmap_of_nothing_is_enoent(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, PS);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);
	uint64_t unmapped = 1;

	assert_int_equal(k_unmap(k, fd, ioas, 0x100000, PS, NULL), -ENOENT);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, PS, 0x100000), 0);
	assert_int_equal(k_unmap(k, fd, ioas, 0x100000 + PS, PS, NULL), -ENOENT);
	/* Except "everything", which is fine even when empty. */
	assert_int_equal(k_unmap(k, fd, ioas, 0, UINT64_MAX, &unmapped), 0);
	assert_int_equal(unmapped, PS);
	assert_int_equal(k_unmap(k, fd, ioas, 0, UINT64_MAX, &unmapped), 0);
	assert_int_equal(unmapped, 0);
	k_close(k, fd);
}

static void unmap_argument_errors(void **state)
{
	struct kern *k = KERN(state);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);

	assert_int_equal(k_unmap(k, fd, ioas, 0x100000, 0, NULL), -EINVAL);
	assert_int_equal(k_unmap(k, fd, ioas, UINT64_MAX, 1, NULL), -EOVERFLOW);
	assert_int_equal(k_unmap(k, fd, ioas, 1, UINT64_MAX, NULL), -EOVERFLOW);
	assert_int_equal(k_unmap(k, fd, ioas, ULMAX - PS + 1, 2 * PS, NULL), -EOVERFLOW);
	/* The IOAS is looked up first. */
	assert_int_equal(k_unmap(k, fd, ioas + 1, 1, UINT64_MAX, NULL), -ENOENT);
	assert_int_equal(k_unmap(k, fd, ioas + 1, 0, UINT64_MAX, NULL), -ENOENT);
	k_close(k, fd);
}

/* ------------------------------------------------------------------------
 * IOMMU_IOAS_COPY
 */

static void copy_maps_the_same_memory_elsewhere(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 8 * PS);
	int fd = k_open(k);
	uint32_t a = k_ioas_alloc(k, fd), b = k_ioas_alloc(k, fd);
	uint64_t dst = 0x800000, kdst = 0, unmapped;

	assert_int_equal(k_map_fixed(k, fd, a, buf, 8 * PS, 0x100000), 0);
	/* All of it at a fixed IOVA, part of it where the kernel likes. */
	assert_int_equal(k_copy(k, fd, b, a, FIXED | RW, 0x100000, 8 * PS, &dst), 0);
	assert_int_equal(dst, 0x800000);
	assert_int_equal(k_copy(k, fd, b, a, RW, 0x100000 + 2 * PS, 3 * PS, &kdst), 0);
	check_kernel_iova(state, fd, b, buf + 2 * PS, 3 * PS, kdst);
	/* Into the same IOAS too. */
	dst = 0x10000000;
	assert_int_equal(k_copy(k, fd, a, a, FIXED | RW, 0x100000, PS, &dst), 0);
	/* The copies outlive the source mapping. */
	assert_int_equal(k_unmap(k, fd, a, 0, UINT64_MAX, &unmapped), 0);
	assert_int_equal(unmapped, 9 * PS);
	assert_int_equal(k_unmap(k, fd, b, 0x800000, 8 * PS, &unmapped), 0);
	assert_int_equal(unmapped, 8 * PS);
	assert_int_equal(k_unmap(k, fd, b, kdst, 3 * PS, &unmapped), 0);
	k_close(k, fd);
}

static void copy_needs_contiguous_mappings(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 8 * PS);
	int fd = k_open(k);
	uint32_t a = k_ioas_alloc(k, fd), b = k_ioas_alloc(k, fd);
	uint64_t dst = 0x800000, unmapped;

	/* Two mappings that touch copy as one range. */
	assert_int_equal(k_map_fixed(k, fd, a, buf, 2 * PS, 0x100000), 0);
	assert_int_equal(k_map_fixed(k, fd, a, buf + 4 * PS, 2 * PS, 0x100000 + 2 * PS), 0);
	assert_int_equal(k_copy(k, fd, b, a, FIXED | RW, 0x100000 + PS, 2 * PS, &dst), 0);
	/* A gap, or a start or end outside every mapping: ENOENT. */
	assert_int_equal(k_map_fixed(k, fd, a, buf, PS, 0x100000 + 5 * PS), 0);
	dst = 0x900000;
	assert_int_equal(k_copy(k, fd, b, a, FIXED | RW, 0x100000, 6 * PS, &dst), -ENOENT);
	assert_int_equal(k_copy(k, fd, b, a, FIXED | RW, 0x100000 - PS, 2 * PS, &dst), -ENOENT);
	assert_int_equal(k_copy(k, fd, b, a, FIXED | RW, 0x100000 + 3 * PS, 2 * PS, &dst),
			 -ENOENT);
	assert_int_equal(k_copy(k, fd, b, a, FIXED | RW, 0x100000, 0, &dst), -EINVAL);
	/* Over what dst already maps: EEXIST. */
	dst = 0x800000 + PS;
	assert_int_equal(k_copy(k, fd, b, a, FIXED | RW, 0x100000, PS, &dst), -EEXIST);
	assert_int_equal(k_unmap(k, fd, b, 0, UINT64_MAX, &unmapped), 0);
	assert_int_equal(unmapped, 2 * PS);
	assert_int_equal(k_unmap(k, fd, a, 0, UINT64_MAX, &unmapped), 0);
	assert_int_equal(unmapped, 5 * PS);
	k_close(k, fd);
}

static void copy_cannot_add_write_access(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 2 * PS);
	int fd = k_open(k);
	uint32_t a = k_ioas_alloc(k, fd), b = k_ioas_alloc(k, fd);
	uint64_t iova = 0x100000, dst = 0x200000;

	assert_int_equal(k_map(k, fd, a, FIXED | IOFD_U_IOMMU_IOAS_MAP_READABLE, buf, 2 * PS,
			       &iova), 0);
	assert_int_equal(k_copy(k, fd, b, a, FIXED | RW, iova, 2 * PS, &dst), -EPERM);
	assert_int_equal(k_copy(k, fd, b, a, FIXED | IOFD_U_IOMMU_IOAS_MAP_READABLE, iova, 2 * PS,
				&dst), 0);
	assert_int_equal(k_destroy(k, fd, a), 0);
	assert_int_equal(k_destroy(k, fd, b), 0);
	k_close(k, fd);
}

static void copy_argument_errors(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, PS);
	int fd = k_open(k);
	uint32_t a = k_ioas_alloc(k, fd);
	uint64_t dst = 0x200000;

	assert_int_equal(k_map_fixed(k, fd, a, buf, PS, 0x100000), 0);
	assert_int_equal(k_copy(k, fd, a, a, FIXED, 0x100000, PS, &dst), -EINVAL);
	assert_int_equal(k_copy(k, fd, a, a, FIXED | RW | 8, 0x100000, PS, &dst), -EOPNOTSUPP);
	assert_int_equal(k_copy(k, fd, a, a + 1, FIXED | RW, 0x100000, PS, &dst), -ENOENT);
	assert_int_equal(k_copy(k, fd, a + 1, a, FIXED | RW, 0x100000, PS, &dst), -ENOENT);
	assert_int_equal(k_copy(k, fd, a, a, FIXED | RW, 0x100000, UINT64_MAX, &dst), -EOVERFLOW);
	assert_int_equal(k_copy(k, fd, a, a, FIXED | RW, UINT64_MAX, PS, &dst), -EOVERFLOW);
	dst = UINT64_MAX;
	assert_int_equal(k_copy(k, fd, a, a, FIXED | RW, 0x100000, PS, &dst), -EOVERFLOW);
	assert_int_equal(k_destroy(k, fd, a), 0);
	k_close(k, fd);
}

/* ------------------------------------------------------------------------
 * IOMMU_IOAS_IOVA_RANGES, ALLOW_IOVAS, and reserved ranges
 */

static int iova_ranges(struct kern *k, int fd, uint32_t ioas, struct iofd_u_iommu_iova_range *r,
		       uint32_t *num, uint64_t *align)
{
	struct iofd_u_iommu_ioas_iova_ranges q = {
		.size = sizeof(q), .ioas_id = ioas, .num_iovas = *num,
		.allowed_iovas = (uintptr_t)r,
	};
	int ret = k_ioctl(k, fd, IOFD_U_IOMMU_IOAS_IOVA_RANGES, &q);

	*num = q.num_iovas;
	if (align)
		*align = q.out_iova_alignment;
	return ret;
}

static void a_new_ioas_spans_every_iova(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_iova_range r[2];
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd), num = 0;
	uint64_t align = 0;

	/* No room: EMSGSIZE, and the count needed. */
	assert_int_equal(iova_ranges(k, fd, ioas, NULL, &num, &align), -EMSGSIZE);
	assert_int_equal(num, 1);
	assert_int_equal(align, 1);	/* no domain: byte granular */
	num = 2;
	memset(r, 0xff, sizeof(r));
	assert_int_equal(iova_ranges(k, fd, ioas, r, &num, &align), 0);
	assert_int_equal(num, 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, ULMAX);
	assert_int_equal(r[1].start, UINT64_MAX);	/* untouched */
	num = 1;
	assert_int_equal(iova_ranges(k, fd, ioas + 1, r, &num, NULL), -ENOENT);
	/* A bad array is EFAULT. */
	num = 1;
	assert_int_equal(iova_ranges(k, fd, ioas, NULL, &num, NULL), -EFAULT);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

static void iova_ranges_two_call_protocol(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_iova_range r[4];
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd), num;

	k_need_test_cmd(k, fd);
	assert_int_equal(k_add_reserved(k, fd, ioas, 0x100000, 0x100000), 0);
	assert_int_equal(k_add_reserved(k, fd, ioas, 0x400000, 0x100000), 0);
	/* Overlapping reserved ranges merge. */
	assert_int_equal(k_add_reserved(k, fd, ioas, 0x480000, 0x100000), 0);
	/* The first call, too short, fills what fits and says how many. */
	memset(r, 0, sizeof(r));
	num = 1;
	assert_int_equal(iova_ranges(k, fd, ioas, r, &num, NULL), -EMSGSIZE);
	assert_int_equal(num, 3);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].last, 0xfffff);
	assert_int_equal(r[1].last, 0);		/* not written */
	num = 3;
	assert_int_equal(iova_ranges(k, fd, ioas, r, &num, NULL), 0);
	assert_int_equal(num, 3);
	assert_int_equal(r[1].start, 0x200000);
	assert_int_equal(r[1].last, 0x3fffff);
	assert_int_equal(r[2].start, 0x580000);
	assert_int_equal(r[2].last, ULMAX);
	/* Destroying the IOAS drops its reserved ranges. */
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

static void reserved_iovas_refuse_mappings(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 4 * PS);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);
	uint64_t iova;

	k_need_test_cmd(k, fd);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, PS, 0x300000), 0);
	assert_int_equal(k_add_reserved(k, fd, ioas, 0x100000, 0x100000), 0);
	/* A fixed map touching it is EINVAL, and the kernel's choice avoids it. */
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, PS, 0x100000), -EINVAL);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, 2 * PS, 0x100000 - PS), -EINVAL);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, PS, 0x1ff000), -EINVAL);
	/* Over a mapping, a reserved range cannot be added. */
	assert_int_equal(k_add_reserved(k, fd, ioas, 0x300000, PS), -EADDRINUSE);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(k_map(k, fd, ioas, RW, buf, 4 * PS, &iova), 0);
		assert_true(iova + 4 * PS <= 0x100000 || iova >= 0x200000);
	}
	/* Test arguments: zero length, wrap, no IOAS. */
	assert_int_equal(k_add_reserved(k, fd, ioas, 0x100000, 0), -EINVAL);
	assert_int_equal(k_add_reserved(k, fd, ioas, ULMAX, 2), -EOVERFLOW);
	assert_int_equal(k_add_reserved(k, fd, ioas + 1, 0, PS), -ENOENT);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

static void allow_iovas_steers_the_kernels_choice_only(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_iova_range allow[2] = {
		{ .start = 0x40000000, .last = 0x40000000 + 16 * PS - 1 },
		{ .start = 0x80000000, .last = 0x80000000 + 64 * PS - 1 },
	}, r[2];
	char *buf = k_mem(k, 64 * PS);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd), num = 2;
	uint64_t iova;

	assert_int_equal(k_allow(k, fd, ioas, allow, 2), 0);
	/* The usable ranges do not change: only the kernel's own picks. */
	assert_int_equal(iova_ranges(k, fd, ioas, r, &num, NULL), 0);
	assert_int_equal(num, 1);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(k_map(k, fd, ioas, RW, buf, 4 * PS, &iova), 0);
		assert_true(iova >= allow[0].start && iova + 4 * PS - 1 <= allow[0].last);
	}
	/* Full: the next one goes to the second range, then there is no room. */
	assert_int_equal(k_map(k, fd, ioas, RW, buf, 32 * PS, &iova), 0);
	assert_true(iova >= allow[1].start && iova + 32 * PS - 1 <= allow[1].last);
	assert_int_equal(k_map(k, fd, ioas, RW, buf, 64 * PS, &iova), -ENOSPC);
	/* A fixed IOVA outside the allowed ranges still maps. */
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, PS, 0x1000), 0);
	/* No ranges: no restriction again. */
	assert_int_equal(k_allow(k, fd, ioas, NULL, 0), 0);
	assert_int_equal(k_map(k, fd, ioas, RW, buf, 64 * PS, &iova), 0);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

static void allow_iovas_argument_errors(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_iova_range bad[2] = {
		{ .start = 0x100000, .last = 0x1fffff },
		{ .start = 0x180000, .last = 0x2fffff },
	}, one = { .start = 0x5000, .last = 0x5000 };
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);

	assert_int_equal(k_allow(k, fd, ioas, bad, 2), -EINVAL);	/* overlap */
	assert_int_equal(k_allow(k, fd, ioas, &one, 1), -EINVAL);	/* start == last */
	assert_int_equal(k_allow(k, fd, ioas, NULL, 1), -EFAULT);
	assert_int_equal(k_allow(k, fd, ioas + 1, bad, 1), -ENOENT);
	assert_int_equal(k_allow(k, fd, ioas, bad, 1), 0);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

static void allowed_and_reserved_exclude_each_other(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_iova_range allow = { .start = 0x100000, .last = 0x1fffff };
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd);

	k_need_test_cmd(k, fd);
	assert_int_equal(k_allow(k, fd, ioas, &allow, 1), 0);
	assert_int_equal(k_add_reserved(k, fd, ioas, 0x180000, PS), -EADDRINUSE);
	assert_int_equal(k_add_reserved(k, fd, ioas, 0x200000, PS), 0);
	allow.last = 0x200000;
	assert_int_equal(k_allow(k, fd, ioas, &allow, 1), -EADDRINUSE);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

/* ------------------------------------------------------------------------
 * IOMMU_OPTION
 */

static void huge_pages_option_sets_page_alignment(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 4 * PS);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd), num = 0;
	uint64_t v = 0, align;

	assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_HUGE_PAGES,
				  IOFD_U_IOMMU_OPTION_OP_GET, ioas, &v), 0);
	assert_int_equal(v, 1);
	/* A byte-granular mapping forbids page alignment. */
	assert_int_equal(k_map_fixed(k, fd, ioas, buf + 8, 64, 0x100008), 0);
	v = 0;
	assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_HUGE_PAGES,
				  IOFD_U_IOMMU_OPTION_OP_SET, ioas, &v), -EADDRINUSE);
	assert_int_equal(k_unmap(k, fd, ioas, 0, UINT64_MAX, NULL), 0);
	assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_HUGE_PAGES,
				  IOFD_U_IOMMU_OPTION_OP_SET, ioas, &v), 0);
	assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_HUGE_PAGES,
				  IOFD_U_IOMMU_OPTION_OP_GET, ioas, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(iova_ranges(k, fd, ioas, NULL, &num, &align), -EMSGSIZE);
	assert_int_equal(align, PS);
	/* Now only whole pages map. */
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, PS / 2, 0x100000), -EINVAL);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, PS, 0x100000 + 8), -EINVAL);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf + 8, PS, 0x100000), -EINVAL);
	assert_int_equal(k_map(k, fd, ioas, RW, buf + 8, PS, &v), -EINVAL);
	assert_int_equal(k_map_fixed(k, fd, ioas, buf, PS, 0x100000), 0);
	v = 1;
	assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_HUGE_PAGES,
				  IOFD_U_IOMMU_OPTION_OP_SET, ioas, &v), 0);
	num = 0;
	assert_int_equal(iova_ranges(k, fd, ioas, NULL, &num, &align), -EMSGSIZE);
	assert_int_equal(align, 1);
	/* Bad values, ops and objects. */
	v = 2;
	assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_HUGE_PAGES,
				  IOFD_U_IOMMU_OPTION_OP_SET, ioas, &v), -EINVAL);
	assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_HUGE_PAGES, 2, ioas, &v),
			 -EOPNOTSUPP);
	assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_HUGE_PAGES,
				  IOFD_U_IOMMU_OPTION_OP_GET, ioas + 1, &v), -ENOENT);
	assert_int_equal(k_option(k, fd, 2, IOFD_U_IOMMU_OPTION_OP_GET, ioas, &v), -EOPNOTSUPP);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

static bool has_cap_sys_resource(void)
{
	char line[256];
	unsigned long long caps = 0;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7))
			caps = strtoull(line + 7, NULL, 16);
	if (f)
		fclose(f);
	return caps & (1ull << 24);
}

static void rlimit_mode_is_per_iommufd_and_only_when_empty(void **state)
{
	struct kern *k = KERN(state);
	int fd = k_open(k);
	uint64_t v = 7;
	uint32_t ioas;

	assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_RLIMIT_MODE,
				  IOFD_U_IOMMU_OPTION_OP_GET, 0, &v), 0);
	assert_int_equal(v, 0);		/* per user, for /dev/iommu */
	v = 0;
	assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_RLIMIT_MODE,
				  IOFD_U_IOMMU_OPTION_OP_GET, 1, &v), -EOPNOTSUPP);
	if (!has_cap_sys_resource()) {
		v = 1;
		assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_RLIMIT_MODE,
					  IOFD_U_IOMMU_OPTION_OP_SET, 0, &v), -EPERM);
		k_close(k, fd);
		return;
	}
	v = 1;
	assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_RLIMIT_MODE,
				  IOFD_U_IOMMU_OPTION_OP_SET, 0, &v), 0);
	assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_RLIMIT_MODE,
				  IOFD_U_IOMMU_OPTION_OP_GET, 0, &v), 0);
	assert_int_equal(v, 1);
	v = 2;
	assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_RLIMIT_MODE,
				  IOFD_U_IOMMU_OPTION_OP_SET, 0, &v), -EINVAL);
	ioas = k_ioas_alloc(k, fd);
	v = 0;
	assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_RLIMIT_MODE,
				  IOFD_U_IOMMU_OPTION_OP_SET, 0, &v), -EBUSY);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	assert_int_equal(k_option(k, fd, IOFD_U_IOMMU_OPTION_RLIMIT_MODE,
				  IOFD_U_IOMMU_OPTION_OP_SET, 0, &v), 0);
	k_close(k, fd);
}

/* ------------------------------------------------------------------------
 * IOMMU_FAULT_QUEUE_ALLOC: an object with an fd, and the EBUSY rule
 */

static void fault_queue_is_busy_while_its_fd_is_open(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_fault_alloc f = { .size = sizeof(f) };
	struct iofd_u_iommu_hwpt_page_response resp = { 0 };
	struct iofd_u_iommu_hwpt_pgfault ev[2];
	int fd = k_open(k), ffd;
	struct stat st;
	char b[1];

	f.flags = 1;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_FAULT_QUEUE_ALLOC, &f), -EOPNOTSUPP);
	f.flags = 0;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_FAULT_QUEUE_ALLOC, &f), 0);
	ffd = (int)f.out_fault_fd;
	assert_true(ffd >= 0 && ffd != fd);
	assert_int_equal(f.out_fault_id, 1);
	/* An anonymous inode; reads of whole records find none, writes of
	 * whole responses name no fault. */
	assert_int_equal(k->ops->fstat(k->priv, ffd, &st), 0);
	assert_int_equal(st.st_mode, 0600);
	assert_int_equal(k->ops->read(k->priv, ffd, ev, sizeof(ev)), 0);
	assert_int_equal(k->ops->read(k->priv, ffd, b, 1), -ESPIPE);
	assert_int_equal(k->ops->pread(k->priv, ffd, ev, sizeof(ev), 0), -ESPIPE);
	assert_int_equal(k->ops->write(k->priv, ffd, &resp, sizeof(resp)), -EINVAL);
	assert_int_equal(k->ops->write(k->priv, ffd, &resp, 3), -ESPIPE);
	assert_int_equal(k->ops->write(k->priv, ffd, &resp, 0), 0);
	/* Its fd holds it. */
	assert_int_equal(k_destroy(k, fd, f.out_fault_id), -EBUSY);
	k_close(k, ffd);
	assert_int_equal(k_destroy(k, fd, f.out_fault_id), 0);
	k_close(k, fd);
}

static void fault_fd_keeps_its_iommufd_alive(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_iommu_fault_alloc f = { .size = sizeof(f) };
	int fd = k_open(k);

	assert_int_equal(k_ioctl(k, fd, IOFD_U_IOMMU_FAULT_QUEUE_ALLOC, &f), 0);
	k_close(k, fd);
	/* The iommufd lives on until its fault fd goes (teardown checks it is
	 * all gone after). */
	assert_int_equal(k->ops->read(k->priv, (int)f.out_fault_fd, NULL, 0), 0);
	if (k->sim)
		assert_int_equal(iofd_sim_objects(k->sim), 1);
	k_close(k, (int)f.out_fault_fd);
}

/* ------------------------------------------------------------------------
 * The VFIO type1 ioctls that /dev/iommu answers (compat)
 */

static int vfio_ioas(struct kern *k, int fd, uint16_t op, uint32_t *id)
{
	struct iofd_u_iommu_vfio_ioas v = { .size = sizeof(v), .op = op, .ioas_id = *id };
	int r = k_ioctl(k, fd, IOFD_U_IOMMU_VFIO_IOAS, &v);

	*id = v.ioas_id;
	return r;
}

#define EXT(k, fd, e) k_ioctl(k, fd, IOFD_U_VFIO_CHECK_EXTENSION, (void *)(uintptr_t)(e))
#define SET_IOMMU(k, fd, t) k_ioctl(k, fd, IOFD_U_VFIO_SET_IOMMU, (void *)(uintptr_t)(t))

static void vfio_ioas_selects_the_compat_ioas(void **state)
{
	struct kern *k = KERN(state);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd), id = 0;

	assert_int_equal(vfio_ioas(k, fd, IOFD_U_IOMMU_VFIO_IOAS_GET, &id), -ENODEV);
	id = ioas + 1;
	assert_int_equal(vfio_ioas(k, fd, IOFD_U_IOMMU_VFIO_IOAS_SET, &id), -ENOENT);
	id = ioas;
	assert_int_equal(vfio_ioas(k, fd, IOFD_U_IOMMU_VFIO_IOAS_SET, &id), 0);
	id = 0;
	assert_int_equal(vfio_ioas(k, fd, IOFD_U_IOMMU_VFIO_IOAS_GET, &id), 0);
	assert_int_equal(id, ioas);
	assert_int_equal(vfio_ioas(k, fd, IOFD_U_IOMMU_VFIO_IOAS_CLEAR, &id), 0);
	assert_int_equal(vfio_ioas(k, fd, IOFD_U_IOMMU_VFIO_IOAS_GET, &id), -ENODEV);
	assert_int_equal(vfio_ioas(k, fd, 3, &id), -EOPNOTSUPP);
	/* Destroying the compat IOAS unsets it (the compat IOAS holds no reference). */
	id = ioas;
	assert_int_equal(vfio_ioas(k, fd, IOFD_U_IOMMU_VFIO_IOAS_SET, &id), 0);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	assert_int_equal(vfio_ioas(k, fd, IOFD_U_IOMMU_VFIO_IOAS_GET, &id), -ENODEV);
	k_close(k, fd);
}

static void iommufd_answers_as_a_type1_container(void **state)
{
	struct kern *k = KERN(state);
	int fd = k_open(k);
	uint32_t ioas, id;

	assert_int_equal(k_ioctl(k, fd, IOFD_U_VFIO_GET_API_VERSION, NULL), 0);
	assert_int_equal(EXT(k, fd, IOFD_U_VFIO_TYPE1_IOMMU), 1);
	assert_int_equal(EXT(k, fd, IOFD_U_VFIO_TYPE1v2_IOMMU), 1);
	assert_int_equal(EXT(k, fd, IOFD_U_VFIO_UNMAP_ALL), 1);
	assert_int_equal(EXT(k, fd, IOFD_U_VFIO_UPDATE_VADDR), 0);
	assert_int_equal(EXT(k, fd, IOFD_U_VFIO_TYPE1_NESTING_IOMMU), 0);
	assert_int_equal(EXT(k, fd, IOFD_U_VFIO_SPAPR_TCE_IOMMU), 0);
	/* Questions about the IOAS need one. */
	assert_int_equal(EXT(k, fd, IOFD_U_VFIO_DMA_CC_IOMMU), -ENODEV);
	assert_int_equal(SET_IOMMU(k, fd, IOFD_U_VFIO_TYPE1v2_IOMMU), -ENODEV);
	assert_int_equal(SET_IOMMU(k, fd, IOFD_U_VFIO_SPAPR_TCE_IOMMU), -EINVAL);
	ioas = k_ioas_alloc(k, fd);
	id = ioas;
	assert_int_equal(vfio_ioas(k, fd, IOFD_U_IOMMU_VFIO_IOAS_SET, &id), 0);
	assert_int_equal(EXT(k, fd, IOFD_U_VFIO_DMA_CC_IOMMU), 1);	/* no HWPT: vacuously */
	assert_int_equal(SET_IOMMU(k, fd, IOFD_U_VFIO_TYPE1v2_IOMMU), 0);
	/* The container ioctls VFIO has and iommufd does not. */
	assert_int_equal(k_ioctl(k, fd, IOFD_U_VFIO_IOMMU_DIRTY_PAGES, NULL), -ENOTTY);
	assert_int_equal(k_ioctl(k, fd, IOFD_U_VFIO_GROUP_GET_STATUS, NULL), -ENOTTY);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

static int dma_map(struct kern *k, int fd, uint32_t flags, const void *va, uint64_t iova,
		   uint64_t size)
{
	struct iofd_u_vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags, .vaddr = (uintptr_t)va, .iova = iova,
		.size = size,
	};

	return k_ioctl(k, fd, IOFD_U_VFIO_IOMMU_MAP_DMA, &m);
}

static int dma_unmap(struct kern *k, int fd, uint32_t flags, uint64_t iova, uint64_t *size)
{
	struct iofd_u_vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .flags = flags, .iova = iova, .size = *size,
	};
	int r = k_ioctl(k, fd, IOFD_U_VFIO_IOMMU_UNMAP_DMA, &u);

	*size = u.size;
	return r;
}

#define DMA_RW (IOFD_U_VFIO_DMA_MAP_FLAG_READ | IOFD_U_VFIO_DMA_MAP_FLAG_WRITE)

static void type1_map_and_unmap_on_the_compat_ioas(void **state)
{
	struct kern *k = KERN(state);
	struct iofd_u_vfio_iommu_type1_dma_map small = { .argsz = 8 };
	char *buf = k_mem(k, 8 * PS);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd), id = ioas;
	uint64_t size, unmapped;

	assert_int_equal(dma_map(k, fd, DMA_RW, buf, 0x100000, 4 * PS), -ENODEV);
	assert_int_equal(vfio_ioas(k, fd, IOFD_U_IOMMU_VFIO_IOAS_SET, &id), 0);
	assert_int_equal(k_ioctl(k, fd, IOFD_U_VFIO_IOMMU_MAP_DMA, &small), -EINVAL);
	assert_int_equal(dma_map(k, fd, DMA_RW | IOFD_U_VFIO_DMA_MAP_FLAG_VADDR, buf, 0x100000,
				 4 * PS), -EINVAL);
	assert_int_equal(dma_map(k, fd, DMA_RW, buf, 0x100000, 4 * PS), 0);
	assert_int_equal(dma_map(k, fd, DMA_RW, buf, 0x100000, 4 * PS), -EEXIST);
	/* Neither read nor write is no error here. */
	assert_int_equal(dma_map(k, fd, 0, buf, 0x200000, PS), 0);
	/* An empty range unmaps nothing, successfully; a cut is ENOENT (v2). */
	size = PS;
	assert_int_equal(dma_unmap(k, fd, 0, 0x800000, &size), 0);
	assert_int_equal(size, 0);
	size = PS;
	assert_int_equal(dma_unmap(k, fd, 0, 0x100000, &size), -ENOENT);
	assert_int_equal(size, 0);
	/* ALL wants iova and size 0. */
	size = PS;
	assert_int_equal(dma_unmap(k, fd, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, &size), -EINVAL);
	size = 0;
	assert_int_equal(dma_unmap(k, fd, IOFD_U_VFIO_DMA_UNMAP_FLAG_VADDR, 0, &size), -EINVAL);
	/* The same IOAS through iommufd's own ioctls. */
	assert_int_equal(k_unmap(k, fd, ioas, 0x200000, PS, &unmapped), 0);
	size = 0;
	assert_int_equal(dma_unmap(k, fd, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, &size), 0);
	assert_int_equal(size, 4 * PS);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

static void type1v1_unmap_may_cut_a_mapping(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 8 * PS);
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd), id = ioas, num = 0;
	uint64_t size, align;

	assert_int_equal(vfio_ioas(k, fd, IOFD_U_IOMMU_VFIO_IOAS_SET, &id), 0);
	assert_int_equal(SET_IOMMU(k, fd, IOFD_U_VFIO_TYPE1_IOMMU), 0);
	/* v1 turns huge pages off: page alignment from now on. */
	assert_int_equal(iova_ranges(k, fd, ioas, NULL, &num, &align), -EMSGSIZE);
	assert_int_equal(align, PS);
	assert_int_equal(dma_map(k, fd, DMA_RW, buf, 0x100000, 8 * PS), 0);
	size = 2 * PS;
	assert_int_equal(dma_unmap(k, fd, 0, 0x100000 + 2 * PS, &size), 0);
	assert_int_equal(size, 2 * PS);
	/* Left: pages [0, 2) and [4, 8), two mappings now. */
	assert_int_equal(k_unmap(k, fd, ioas, 0x100000, 2 * PS, &size), 0);
	assert_int_equal(size, 2 * PS);
	assert_int_equal(k_unmap(k, fd, ioas, 0x100000 + 4 * PS, PS, NULL), -ENOENT);
	assert_int_equal(k_unmap(k, fd, ioas, 0x100000 + 4 * PS, 4 * PS, &size), 0);
	assert_int_equal(size, 4 * PS);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

static void type1_get_info_with_capabilities(void **state)
{
	struct kern *k = KERN(state);
	union {
		struct iofd_u_vfio_iommu_type1_info info;
		unsigned char b[256];
	} u;
	struct iofd_u_vfio_info_cap_header *h;
	struct iofd_u_vfio_iommu_type1_info_cap_iova_range *iova;
	int fd = k_open(k);
	uint32_t ioas = k_ioas_alloc(k, fd), id = ioas, full;

	assert_int_equal(vfio_ioas(k, fd, IOFD_U_IOMMU_VFIO_IOAS_SET, &id), 0);
	memset(&u, 0, sizeof(u));
	u.info.argsz = 12;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_VFIO_IOMMU_GET_INFO, &u), -EINVAL);
	/* Without room for capabilities: the size they need. */
	u.info.argsz = 16;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_VFIO_IOMMU_GET_INFO, &u), 0);
	assert_int_equal(u.info.flags, IOFD_U_VFIO_IOMMU_INFO_PGSIZES | IOFD_U_VFIO_IOMMU_INFO_CAPS);
	assert_int_equal(u.info.iova_pgsizes, ~(PS - 1) & ULMAX);
	full = u.info.argsz;
	assert_true(full > sizeof(u.info));
	assert_int_equal(u.info.cap_offset, 0);	/* not written: 16 < its offset */
	/* With room: DMA_AVAIL, then the IOVA ranges. */
	memset(&u, 0, sizeof(u));
	u.info.argsz = full;
	assert_int_equal(k_ioctl(k, fd, IOFD_U_VFIO_IOMMU_GET_INFO, &u), 0);
	assert_int_equal(u.info.argsz, full);
	assert_int_equal(u.info.cap_offset, sizeof(u.info));
	h = (void *)(u.b + u.info.cap_offset);
	assert_int_equal(h->id, IOFD_U_VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	assert_int_equal(((struct iofd_u_vfio_iommu_type1_info_dma_avail *)h)->avail, UINT32_MAX);
	assert_true(h->next > u.info.cap_offset && h->next < full);
	iova = (void *)(u.b + h->next);
	assert_int_equal(iova->header.id, IOFD_U_VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	assert_int_equal(iova->header.version, 1);
	assert_int_equal(iova->header.next, 0);
	assert_int_equal(iova->nr_iovas, 1);
	assert_int_equal(iova->iova_ranges[0].start, 0);
	assert_int_equal(iova->iova_ranges[0].end, ULMAX);
	assert_int_equal(k_destroy(k, fd, ioas), 0);
	k_close(k, fd);
}

#define T(f) cmocka_unit_test_setup_teardown(f, kern_setup, kern_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(ioas_alloc_gives_lowest_free_id),
		T(ioas_alloc_refuses_flags),
		T(destroy_unknown_id_is_enoent),
		T(ids_are_per_iommufd),
		T(close_destroys_everything),
		T(dup_keeps_the_iommufd_open),
		T(iommufd_is_a_char_device_without_read_or_mmap),
		T(every_ioctl_follows_the_size_rules),
		T(a_longer_struct_with_a_zero_tail_is_accepted),
		T(a_shorter_struct_down_to_the_mandatory_fields_is_accepted),
		T(unknown_ioctls_are_enotty),
		T(reserved_fields_must_be_zero),
		T(hwpt_and_device_ioctls_check_then_find_nothing),
		T(map_at_a_fixed_iova),
		T(map_over_a_mapping_is_eexist),
		T(map_at_a_kernel_chosen_iova),
		T(kernel_chosen_iovas_follow_the_allocator_rule),
		T(map_argument_errors),
		T(map_overflows_are_eoverflow),
		T(map_without_a_domain_pins_and_checks_nothing),
		T(unmap_exactly_one_mapping),
		T(unmap_a_superset_of_whole_mappings),
		T(unmap_cannot_split_a_mapping),
		T(unmap_stops_at_the_first_cut_mapping),
		T(unmap_of_nothing_is_enoent),
		T(unmap_argument_errors),
		T(copy_maps_the_same_memory_elsewhere),
		T(copy_needs_contiguous_mappings),
		T(copy_cannot_add_write_access),
		T(copy_argument_errors),
		T(a_new_ioas_spans_every_iova),
		T(iova_ranges_two_call_protocol),
		T(reserved_iovas_refuse_mappings),
		T(allow_iovas_steers_the_kernels_choice_only),
		T(allow_iovas_argument_errors),
		T(allowed_and_reserved_exclude_each_other),
		T(huge_pages_option_sets_page_alignment),
		T(rlimit_mode_is_per_iommufd_and_only_when_empty),
		T(fault_queue_is_busy_while_its_fd_is_open),
		T(fault_fd_keeps_its_iommufd_alive),
		T(vfio_ioas_selects_the_compat_ioas),
		T(iommufd_answers_as_a_type1_container),
		T(type1_map_and_unmap_on_the_compat_ioas),
		T(type1v1_unmap_may_cut_a_mapping),
		T(type1_get_info_with_capabilities),
	};
	int r = kern_main_check("conformance-ioas");

	if (r)
		return r;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
