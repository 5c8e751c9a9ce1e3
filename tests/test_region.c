// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading a region's capability chain (lib/region.c) as untrusted input:
 * the kernel's own layouts, unknown ids skipped, and chains that do not
 * hold together (outside the answer, loops, areas outside the region)
 * refused with -EIO rather than read past the buffer or forever.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "region.h"
#include "uapi/vfio.h"

#define INFO_SZ sizeof(struct iofd_u_vfio_region_info)

struct buf {
	union {
		struct iofd_u_vfio_region_info info;
		unsigned char b[256];
	};
};

static void put_hdr(struct buf *bf, uint32_t at, uint16_t id, uint32_t next)
{
	struct iofd_u_vfio_info_cap_header h = { .id = id, .version = 1, .next = next };

	memcpy(bf->b + at, &h, sizeof(h));
}

/* A sparse cap at @at with @n areas. */
static uint32_t put_sparse(struct buf *bf, uint32_t at, uint32_t next, uint32_t n,
			   const struct iofd_region_area *a)
{
	struct iofd_u_vfio_region_info_cap_sparse_mmap cap = {
		.header = { .id = IOFD_U_VFIO_REGION_INFO_CAP_SPARSE_MMAP, .version = 1,
			    .next = next },
		.nr_areas = n,
	};

	memcpy(bf->b + at, &cap, sizeof(cap));
	for (uint32_t i = 0; i < n && a; i++)
		memcpy(bf->b + at + sizeof(cap) + 16 * i, &a[i], 16);
	return at + (uint32_t)sizeof(cap) + 16 * n;
}

static int parse(struct buf *bf, size_t len, struct iofd_region *reg)
{
	memset(reg, 0, sizeof(*reg));
	reg->size = 0x4000;
	return iofd_region_parse_caps(reg, bf, len);
}

static void the_kernels_chains_are_read(void **state)
{
	const struct iofd_region_area a[2] = { { 0, 0x2000 }, { 0x3000, 0x1000 } };
	struct iofd_region reg;
	struct buf bf = { 0 };
	uint32_t end;

	(void)state;
	/* 6.12's MSI-X BAR: MSIX_MAPPABLE alone. */
	bf.info.cap_offset = INFO_SZ;
	put_hdr(&bf, INFO_SZ, IOFD_U_VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 0);
	assert_int_equal(parse(&bf, INFO_SZ + 8, &reg), 0);
	assert_true(reg.msix_mappable);
	assert_false(reg.sparse);
	iofd_region_release(&reg);

	/* An unknown id, then a sparse cap, then a TYPE cap: the areas. */
	memset(&bf, 0, sizeof(bf));
	bf.info.cap_offset = INFO_SZ;
	put_hdr(&bf, INFO_SZ, 0x7777, INFO_SZ + 8);
	end = put_sparse(&bf, INFO_SZ + 8, 0, 2, a);
	assert_int_equal(parse(&bf, end, &reg), 0);
	assert_true(reg.sparse);
	assert_false(reg.msix_mappable);
	assert_int_equal(reg.nr_areas, 2);
	assert_int_equal(reg.areas[0].offset, 0);
	assert_int_equal(reg.areas[0].size, 0x2000);
	assert_int_equal(reg.areas[1].offset, 0x3000);
	assert_int_equal(reg.areas[1].size, 0x1000);
	iofd_region_release(&reg);
	assert_null(reg.areas);

	/* A sparse cap with no areas: nothing can be mmap'ed. */
	memset(&bf, 0, sizeof(bf));
	bf.info.cap_offset = INFO_SZ;
	end = put_sparse(&bf, INFO_SZ, 0, 0, NULL);
	assert_int_equal(parse(&bf, end, &reg), 0);
	assert_true(reg.sparse);
	assert_int_equal(reg.nr_areas, 0);
	iofd_region_release(&reg);
}

static void broken_chains_are_refused(void **state)
{
	const struct iofd_region_area a[1] = { { 0x3000, 0x2000 } };	/* past 0x4000 */
	struct iofd_region reg;
	struct buf bf = { 0 };

	(void)state;
	/* The first entry inside the fixed part, or past the answer. */
	bf.info.cap_offset = 8;
	assert_int_equal(parse(&bf, sizeof(bf.b), &reg), -EIO);
	bf.info.cap_offset = INFO_SZ;
	put_hdr(&bf, INFO_SZ, 0x7777, 0);
	assert_int_equal(parse(&bf, INFO_SZ + 4, &reg), -EIO);	/* a header cut short */
	bf.info.cap_offset = 250;
	assert_int_equal(parse(&bf, sizeof(bf.b), &reg), -EIO);

	/* A loop: to itself, and back to the first. */
	memset(&bf, 0, sizeof(bf));
	bf.info.cap_offset = INFO_SZ;
	put_hdr(&bf, INFO_SZ, 0x7777, INFO_SZ);
	assert_int_equal(parse(&bf, sizeof(bf.b), &reg), -EIO);
	put_hdr(&bf, INFO_SZ, 0x7777, INFO_SZ + 8);
	put_hdr(&bf, INFO_SZ + 8, IOFD_U_VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, INFO_SZ);
	assert_int_equal(parse(&bf, sizeof(bf.b), &reg), -EIO);

	/* More areas than the answer holds. */
	memset(&bf, 0, sizeof(bf));
	bf.info.cap_offset = INFO_SZ;
	put_sparse(&bf, INFO_SZ, 0, 1000, NULL);
	assert_int_equal(parse(&bf, sizeof(bf.b), &reg), -EIO);
	assert_null(reg.areas);

	/* An area outside the region. */
	memset(&bf, 0, sizeof(bf));
	bf.info.cap_offset = INFO_SZ;
	put_sparse(&bf, INFO_SZ, 0, 1, a);
	assert_int_equal(parse(&bf, sizeof(bf.b), &reg), -EIO);
	iofd_region_release(&reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_kernels_chains_are_read),
		cmocka_unit_test(broken_chains_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
