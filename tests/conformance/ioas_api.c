// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The library's IOAS/device API, checked the same way on libiommufd-sim and
 * on a real kernel (IOFD_KERNEL=real; in the lab: tests/vm/run --variant
 * sc|nosc|mock -- env IOFD_KERNEL=real <this program>). Every check is
 * something a VMM or a userspace driver relies on; the kernel's own view is
 * read beside the library's (raw IOAS ranges, pinned pages, MD_CHECK_MAP,
 * simulated DMA) so that "the library says so" is never the only proof.
 *
 *  - "cdev": the first devices on vfio-pci with a VFIO cdev (the lab's two
 *    NVMe controllers under VT-d, snoop control on or off).
 *  - "mock": the selftest's mock devices (the lab's mock boot, VT-d off):
 *    dirty-tracking placement, one map in two HWPTs of different classes.
 *  - "sim": what only the simulator can show: IOMMUs of mixed coherency and
 *    of unknown coherency on one IOAS, simulated DMA through every domain,
 *    and a fault-injection sweep over a whole map/attach/unmap/detach life.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"

#define PS (KERN(state)->page_size)
#define MSI_START 0xfee00000ull
#define MSI_LAST 0xfeefffffull
#define ECAP_SC (1ull << 7)
#define RWF (IOFD_MAP_READ | IOFD_MAP_WRITE)

/* The mode under test: IOFD_MODE=iommufd|type1, or the lab's IOFD_VM_MODE. */
static enum iofd_backend backend = IOFD_BACKEND_IOMMUFD;
/* type1: the test's container, which the context's first IOAS shares, and
 * whether iommufd serves it (CONFIG_IOMMUFD_VFIO_CONTAINER). */
static int cfd = -1;
static bool cfd_iommufd;

static bool type1(void)
{
	return backend == IOFD_BACKEND_TYPE1;
}

/* Devices reached through their VFIO groups (type1, compat): the kernel
 * picks their domains (no HWPT ids), and hands out a device fd only once
 * the group is in a container or an iommufd. */
static bool by_group(void)
{
	return backend != IOFD_BACKEND_IOMMUFD;
}

/* Pages the kernel pinned for the IOAS: iommufd counts them in VmPin,
 * VFIO's type1 charges them to mm->locked_vm (VmLck) instead. */
static uint64_t pinned(struct kern *k)
{
	return type1() && !cfd_iommufd ? k_locked(k) : k_pinned(k);
}

/* What the library says the IOAS pins: the sum over its kernel address
 * spaces. Checked against the kernel's count wherever a test reads that. */
static int64_t lib_pinned(struct iofd_ioas *ioas)
{
	int64_t sum = 0;

	for (size_t i = 0; i < iofd_ioas_space_count(ioas); i++) {
		int64_t p = iofd_ioas_space_pinned_pages(ioas, i);

		assert_true(p >= 0);
		sum += p;
	}
	assert_int_equal(iofd_ioas_space_pinned_pages(ioas, iofd_ioas_space_count(ioas)),
			 -EINVAL);
	return sum;
}

#define assert_pinned(k, ioas, n) do {				\
		assert_int_equal(pinned(k), (n));		\
		assert_int_equal(lib_pinned(ioas), (n));	\
	} while (0)

static void ctx_opts(struct kern *k, int ifd, struct iofd_ctx_opts *o)
{
	o->backend = backend;
	o->flags = IOFD_CTX_IOMMU_FD;
	o->iommu_fd = ifd;
	if (type1()) {
		o->flags |= IOFD_CTX_CONTAINER_FD;
		o->container_fd = cfd;
	}
	if (k->sim)
		assert_int_equal(iofd_sim_ctx_opts(k->sim, o), 0);
}

/* A context on the test's kernel, sharing the test's iommufd @ifd (and on
 * type1 a container): the context duplicates them, one open file, so the
 * test sees the kernel objects the library makes. */
static struct iofd_ctx *lib_ctx(struct kern *k, int ifd)
{
	IOFD_OPTS(iofd_ctx_opts, o);
	struct iofd_ctx *ctx;

	if (type1()) {
		uint64_t mode;

		cfd = k_open_path(k, "/dev/vfio/vfio");
		cfd_iommufd = k_option(k, cfd, IOFD_U_IOMMU_OPTION_RLIMIT_MODE,
				       IOFD_U_IOMMU_OPTION_OP_GET, 0, &mode) == 0;
	}
	ctx_opts(k, ifd, &o);
	assert_int_equal(iofd_ctx_new(&ctx, &o), 0);
	return ctx;
}

static void lib_ctx_free(struct kern *k, struct iofd_ctx *ctx)
{
	iofd_ctx_free(ctx);
	if (cfd >= 0)
		k_close(k, cfd);
	cfd = -1;
}

/* Ask the kernel to map one page at @iova in @ioas's kernel address space:
 * -EEXIST proves the kernel has a mapping there. */
static int kernel_map_page(struct kern *k, int ifd, struct iofd_ioas *ioas, const void *va,
			   uint64_t iova)
{
	struct iofd_u_vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = IOFD_U_VFIO_DMA_MAP_FLAG_READ,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = k->page_size,
	};

	if (type1())
		return k_ioctl(k, cfd, IOFD_U_VFIO_IOMMU_MAP_DMA, &m);
	return k_map_fixed(k, ifd, (uint32_t)iofd_ioas_kernel_id(ioas), va, k->page_size, iova);
}

/* VFIO_IOMMU_GET_INFO on the test's container, raw. */
union type1_info {
	struct iofd_u_vfio_iommu_type1_info info;
	char buf[4096];
};

static void type1_info(struct kern *k, union type1_info *u)
{
	u->info = (struct iofd_u_vfio_iommu_type1_info){ .argsz = sizeof(*u) };
	assert_int_equal(k_ioctl(k, cfd, IOFD_U_VFIO_IOMMU_GET_INFO, u), 0);
}

/* Its capability @id, or NULL. */
static const void *type1_cap(const union type1_info *u, uint16_t id)
{
	uint32_t off;

	for (off = u->info.cap_offset; off && off < sizeof(*u);) {
		const struct iofd_u_vfio_info_cap_header *h = (const void *)(u->buf + off);

		if (h->id == id)
			return h;
		assert_true(h->next > off);
		off = h->next;
	}
	return NULL;
}

/* The container's IOVA ranges (VFIO_IOMMU_GET_INFO's IOVA_RANGE capability). */
static int type1_ranges(struct kern *k, struct iofd_u_iommu_iova_range *r, int max,
			uint64_t *align)
{
	const struct iofd_u_vfio_iommu_type1_info_cap_iova_range *c;
	union type1_info u;
	int n;

	type1_info(k, &u);
	*align = u.info.iova_pgsizes & -u.info.iova_pgsizes;
	c = type1_cap(&u, IOFD_U_VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	if (!c)
		return 0;
	for (n = 0; n < (int)c->nr_iovas && n < max; n++) {
		r[n].start = c->iova_ranges[n].start;
		r[n].last = c->iova_ranges[n].end;
	}
	return (int)c->nr_iovas;
}

/* The container's DMA_AVAIL (mappings it may still take), or -1. */
static int64_t type1_dma_avail(struct kern *k)
{
	const struct iofd_u_vfio_iommu_type1_info_dma_avail *c;
	union type1_info u;

	type1_info(k, &u);
	c = type1_cap(&u, IOFD_U_VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	return c ? (int64_t)c->avail : -1;
}

static struct iofd_ioas *lib_ioas(struct iofd_ctx *ctx, uint32_t flags)
{
	IOFD_OPTS(iofd_ioas_opts, o, .flags = flags);
	struct iofd_ioas *ioas;

	assert_int_equal(iofd_ioas_new(&ioas, ctx, &o), 0);
	return ioas;
}

static struct iofd_device *lib_dev(struct iofd_ctx *ctx, const char *bdf)
{
	struct iofd_device *dev;

	assert_int_equal(iofd_device_open(&dev, ctx, bdf, NULL), 0);
	return dev;
}

/* The library's usable ranges equal the kernel's IOAS's, read raw. */
static size_t assert_ranges_match_kernel(struct kern *k, int ifd, struct iofd_ioas *ioas)
{
	struct iofd_u_iommu_iova_range kr[16];
	struct iofd_iova_range lr[16];
	uint64_t align;
	int nl = iofd_ioas_iova_ranges(ioas, lr, 16), nk;

	if (type1() && !iofd_ioas_device_count(ioas)) {
		/* No group in the container: the kernel has no IOMMU to ask;
		 * nothing narrows the space, as on iommufd without devices. */
		assert_int_equal(nl, 1);
		assert_int_equal(lr[0].start, 0);
		assert_int_equal(lr[0].last, UINT64_MAX);
		return 1;
	}
	nk = type1() ? type1_ranges(k, kr, 16, &align) :
		       k_ranges(k, ifd, (uint32_t)iofd_ioas_kernel_id(ioas), kr, 16, &align);

	assert_true(nk > 0 && nk <= 16);
	assert_int_equal(nl, nk);
	for (int i = 0; i < nk; i++) {
		assert_int_equal(lr[i].start, kr[i].start);
		assert_int_equal(lr[i].last, kr[i].last);
	}
	assert_int_equal(iofd_ioas_iova_alignment(ioas), align > k->page_size ? align : k->page_size);
	return (size_t)nk;
}

/* Is [start, last] inside one usable range of @ioas? */
static bool usable(struct iofd_ioas *ioas, uint64_t start, uint64_t last)
{
	struct iofd_iova_range r[16];
	int n = iofd_ioas_iova_ranges(ioas, r, 16);

	for (int i = 0; i < n && i < 16; i++)
		if (r[i].start <= start && last <= r[i].last)
			return true;
	return false;
}

/* ------------------------------------------------------------------------
 * cdev: the lab's NVMe controllers under VT-d
 */

static void two_devices_of_one_class_share_one_domain(void **state)
{
	struct kern *k = KERN(state);
	struct k_vdev v0, v1;
	int ifd, want_cc;
	struct iofd_ctx *ctx;
	struct iofd_ioas *ioas;
	struct iofd_device *d0, *d1;
	const struct iofd_domain *dom;

	k_vfio_dev(k, 0, &v0);
	k_vfio_dev(k, 1, &v1);
	if (!v0.vtd || strcmp(v0.iommu, v1.iommu)) {
		print_message("skip: needs two devices behind one VT-d unit\n");
		skip();
	}
	want_cc = !!(v0.ecap & ECAP_SC);
	ifd = k_open(k);
	ctx = lib_ctx(k, ifd);
	ioas = lib_ioas(ctx, 0);
	d0 = lib_dev(ctx, v0.bdf);
	d1 = lib_dev(ctx, v1.bdf);
	/* What the kernel's hw info says is what sysfs says. */
	assert_int_equal(iofd_device_iommu_type(d0), IOFD_IOMMU_INTEL_VTD);
	assert_string_equal(iofd_device_iommu_name(d0), v0.iommu);
	assert_int_equal(iofd_device_enforces_coherency(d0), want_cc);
	assert_int_equal(iofd_device_enforces_coherency(d1), want_cc);
	assert_string_equal(iofd_device_placement(d0), "");

	assert_int_equal(iofd_device_attach(d0, ioas), 0);
	assert_int_equal(iofd_device_attach(d1, ioas), 0);
	assert_int_equal(iofd_device_attach(d1, ioas), -EBUSY);
	/* One class, one HWPT: no needless duplicate. */
	assert_int_equal(iofd_ioas_domain_count(ioas), 1);
	dom = iofd_ioas_domain(ioas, 0);
	assert_ptr_equal(iofd_device_domain(d0), dom);
	assert_ptr_equal(iofd_device_domain(d1), dom);
	assert_int_equal(iofd_domain_enforces_coherency(dom), want_cc);
	assert_int_equal(iofd_domain_dirty_tracking(dom), 0);
	/* What KVM will be told: the device's ability, or on type1 the
	 * container's answer, the same here (one class). */
	assert_int_equal(iofd_device_kvm_coherent(d0), want_cc);
	assert_int_equal(iofd_device_kvm_coherent(d1), want_cc);
	assert_string_equal(iofd_domain_iommu_name(dom), v0.iommu);
	assert_int_equal(iofd_domain_device_count(dom), 2);
	assert_ptr_equal(iofd_domain_device(dom, 1), d1);
	assert_null(iofd_domain_device(dom, 2));
	assert_ptr_equal(iofd_device_ioas(d1), ioas);
	assert_int_equal(iofd_ioas_device_count(ioas), 2);
	assert_non_null(strstr(iofd_device_placement(d0), "new "));
	assert_non_null(strstr(iofd_device_placement(d1), "joined "));
	if (by_group()) {
		/* The kernel's domains for group devices have no id for us. */
		assert_int_equal(iofd_domain_kernel_id(dom), -ENODATA);
		assert_int_equal(iofd_ioas_kernel_id(ioas) == -ENODATA, type1());
	} else {
		/* The HWPT is the kernel's: destroying it while in use is EBUSY. */
		assert_int_equal(k_destroy(k, ifd, (uint32_t)iofd_domain_kernel_id(dom)), -EBUSY);
	}

	assert_int_equal(iofd_ioas_free(ioas), -EBUSY);
	assert_int_equal(iofd_device_detach(d0), 0);
	assert_int_equal(iofd_device_detach(d0), -EINVAL);
	assert_int_equal(iofd_ioas_domain_count(ioas), 1);
	assert_int_equal(iofd_domain_device_count(iofd_ioas_domain(ioas, 0)), 1);
	iofd_device_close(d1);	/* detaches */
	assert_int_equal(iofd_ioas_domain_count(ioas), 0);
	assert_int_equal(iofd_ioas_free(ioas), 0);
	iofd_device_close(d0);
	lib_ctx_free(k, ctx);
	k_close(k, ifd);
}

static void every_mapping_is_pinned_once_and_replayed_at_attach(void **state)
{
	struct kern *k = KERN(state);
	struct k_vdev v0, v1;
	char *buf = k_mem(k, 16 * PS), *more = k_mem(k, 4 * PS);
	uint64_t iova = 0, iova2 = 0, got, len;
	int ifd = k_open(k);
	struct iofd_ctx *ctx = lib_ctx(k, ifd);
	struct iofd_ioas *ioas = lib_ioas(ctx, 0);
	struct iofd_device *d0, *d1;
	void *va;

	k_vfio_dev(k, 0, &v0);
	k_vfio_dev(k, 1, &v1);
	/* Mapped before any device: nothing is pinned yet. */
	assert_int_equal(iofd_ioas_map(ioas, buf, 16 * PS, RWF, &iova), 0);
	assert_pinned(k, ioas, 0);
	d0 = lib_dev(ctx, v0.bdf);
	assert_int_equal(iofd_device_attach(d0, ioas), 0);
	assert_pinned(k, ioas, 16);
	/* The replayed mapping counts against type1's limit, as the kernel says. */
	if (type1() && !cfd_iommufd)
		assert_int_equal(iofd_ioas_mappings_left(ioas), type1_dma_avail(k));
	/* A second device (same domain or not) pins nothing more. */
	d1 = lib_dev(ctx, v1.bdf);
	assert_int_equal(iofd_device_attach(d1, ioas), 0);
	assert_pinned(k, ioas, 16);
	{
		/* VFIO's DMA_AVAIL, as the library reads and counts it. */
		int64_t left = iofd_ioas_mappings_left(ioas);

		assert_int_equal(iofd_ioas_map(ioas, more, 4 * PS, IOFD_MAP_READ, &iova2), 0);
		if (type1() && !cfd_iommufd) {
			assert_int_equal(left, 65535 - 1);
			assert_int_equal(iofd_ioas_mappings_left(ioas), left - 1);
			assert_int_equal(iofd_ioas_mappings_left(ioas), type1_dma_avail(k));
		} else if (!type1()) {
			assert_int_equal(left, -ENODATA);	/* iommufd has no limit */
		}
	}
	assert_pinned(k, ioas, 20);
	/* The kernel has them where the library says: mapping there again is EEXIST. */
	assert_int_equal(kernel_map_page(k, ifd, ioas, buf, iova), -EEXIST);
	assert_int_equal(kernel_map_page(k, ifd, ioas, buf, iova2 + 3 * PS), -EEXIST);
	if (k->sim) {
		char out[8];

		assert_true(iofd_sim_check_domains(k->sim) > 0);
		memcpy(buf + 5 * PS + 9, "devices", 7);
		assert_int_equal(iofd_sim_dma_read(k->sim, v1.bdf, iova + 5 * PS + 9, out, 7), 0);
		assert_memory_equal(out, "devices", 7);
		assert_int_equal(iofd_sim_dma_write(k->sim, v0.bdf, iova2, "x", 1), -EFAULT);
	}
	/* Translation both ways, anywhere inside a mapping. */
	assert_int_equal(iofd_ioas_translate(ioas, buf + 3 * PS + 17, &got, &len), 0);
	assert_int_equal(got, iova + 3 * PS + 17);
	assert_int_equal(len, 13 * PS - 17);
	assert_int_equal(iofd_ioas_iova_to_vaddr(ioas, iova2 + PS, &va, &len), 0);
	assert_ptr_equal(va, more + PS);
	assert_int_equal(len, 3 * PS);
	assert_int_equal(iofd_ioas_translate(ioas, (void *)(uintptr_t)k_hole(k, PS), &got, NULL),
			 -ENOENT);
	/* IOVA 0: never one the library picks. */
	assert_int_equal(iofd_ioas_iova_to_vaddr(ioas, 0, &va, NULL), -ENOENT);

	assert_int_equal(iofd_ioas_unmap(ioas, iova, 16 * PS), 0);
	assert_pinned(k, ioas, 4);
	assert_int_equal(iofd_ioas_unmap_all(ioas), 0);
	assert_int_equal(iofd_ioas_mapping_count(ioas), 0);
	assert_pinned(k, ioas, 0);
	assert_int_equal(iofd_ioas_unmap_all(ioas), 0);	/* nothing mapped: still fine */
	iofd_device_close(d0);
	iofd_device_close(d1);
	assert_int_equal(iofd_ioas_free(ioas), 0);
	lib_ctx_free(k, ctx);
	k_close(k, ifd);
}

/* Every bad input gets the documented errno, on every backend, and
 * changes nothing: mappings, pins and the kernel's ranges are as before. */
static void bad_input_gets_one_errno_and_changes_nothing(void **state)
{
	struct kern *k = KERN(state);
	struct k_vdev v0;
	char *buf = k_mem(k, 8 * PS);
	uint64_t iova = 0x100000, at, hole = k_hole(k, 4 * PS);
	int ifd = k_open(k);
	struct iofd_ctx *ctx = lib_ctx(k, ifd);
	struct iofd_ioas *ioas = lib_ioas(ctx, 0);
	struct iofd_device *d0;
	size_t nranges;

	k_vfio_dev(k, 0, &v0);
	d0 = lib_dev(ctx, v0.bdf);
	assert_int_equal(iofd_device_attach(d0, ioas), 0);
	nranges = assert_ranges_match_kernel(k, ifd, ioas);
	assert_int_equal(iofd_ioas_map(ioas, buf, 4 * PS, RWF | IOFD_MAP_FIXED_IOVA, &iova), 0);
	assert_int_equal(iofd_ioas_map(ioas, buf + 4 * PS, 4 * PS, RWF | IOFD_MAP_FIXED_IOVA,
				       &(uint64_t){ iova + 4 * PS }), 0);
	assert_pinned(k, ioas, 8);

	/* Arguments. */
	at = 0x200000;
	assert_int_equal(iofd_ioas_map(NULL, buf, PS, RWF, &at), -EINVAL);
	assert_int_equal(iofd_ioas_map(ioas, NULL, PS, RWF, &at), -EINVAL);
	assert_int_equal(iofd_ioas_map(ioas, buf, PS, RWF, NULL), -EINVAL);
	assert_int_equal(iofd_ioas_map(ioas, buf, PS, IOFD_MAP_FIXED_IOVA, &at), -EINVAL);
	assert_int_equal(iofd_ioas_map(ioas, buf, PS, RWF | (1u << 9), &at), -EINVAL);
	assert_int_equal(iofd_ioas_map(ioas, buf, 0, RWF, &at), -EINVAL);
	/* Overflow, alignment, range, overlap, space: in that order. */
	at = UINT64_MAX - PS + 1;
	assert_int_equal(iofd_ioas_map(ioas, buf, 2 * PS, RWF | IOFD_MAP_FIXED_IOVA, &at),
			 -EOVERFLOW);
	assert_int_equal(iofd_ioas_map(ioas, (void *)(UINTPTR_MAX - PS + 1), 2 * PS, RWF, &at),
			 -EOVERFLOW);
	at = 0x200000 + 1;
	assert_int_equal(iofd_ioas_map(ioas, buf, PS, RWF | IOFD_MAP_FIXED_IOVA, &at), -EINVAL);
	at = 0x200000;
	assert_int_equal(iofd_ioas_map(ioas, buf + 1, PS, RWF | IOFD_MAP_FIXED_IOVA, &at), -EINVAL);
	assert_int_equal(iofd_ioas_map(ioas, buf, PS + 1, RWF | IOFD_MAP_FIXED_IOVA, &at), -EINVAL);
	assert_int_equal(iofd_ioas_map(ioas, buf + 1, PS, RWF, &at), -EINVAL);
	at = MSI_START;		/* VT-d's reserved MSI window */
	assert_false(usable(ioas, MSI_START, MSI_START));
	assert_int_equal(iofd_ioas_map(ioas, buf, PS, RWF | IOFD_MAP_FIXED_IOVA, &at), -ERANGE);
	at = iova + 2 * PS;
	assert_int_equal(iofd_ioas_map(ioas, buf, 4 * PS, RWF | IOFD_MAP_FIXED_IOVA, &at), -EEXIST);
	assert_int_equal(at, iova + 2 * PS);	/* untouched on failure */
	{
		/* More than the address space holds: ENOSPC before the kernel is asked. */
		uint64_t big = 1ull << 60;
		void *res = mmap(NULL, PS, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		assert_int_equal(iofd_ioas_map(ioas, res, big, RWF, &at), -ENOSPC);
		munmap(res, PS);
	}
	/* Memory the kernel cannot pin: EFAULT, nothing left behind. */
	at = 0x400000;
	assert_int_equal(iofd_ioas_map(ioas, (void *)(uintptr_t)hole, 4 * PS,
				       RWF | IOFD_MAP_FIXED_IOVA, &at), -EFAULT);
	assert_int_equal(iofd_ioas_translate(ioas, (void *)(uintptr_t)hole, &at, NULL), -ENOENT);

	/* Unmap: a cut or an empty range is ENOENT and unmaps nothing. */
	assert_int_equal(iofd_ioas_unmap(NULL, iova, PS), -EINVAL);
	assert_int_equal(iofd_ioas_unmap(ioas, iova, 0), -EINVAL);
	assert_int_equal(iofd_ioas_unmap(ioas, UINT64_MAX - PS + 1, 2 * PS), -EOVERFLOW);
	assert_int_equal(iofd_ioas_unmap(ioas, iova, 2 * PS), -ENOENT);
	assert_int_equal(iofd_ioas_unmap(ioas, iova + PS, 4 * PS), -ENOENT);
	assert_int_equal(iofd_ioas_unmap(ioas, iova, 6 * PS), -ENOENT);
	assert_int_equal(iofd_ioas_unmap(ioas, 0x10000000, PS), -ENOENT);
	/* The kernel agrees nothing moved: its areas are whole and pinned. */
	assert_int_equal(iofd_ioas_mapping_count(ioas), 2);
	assert_pinned(k, ioas, 8);
	assert_int_equal(kernel_map_page(k, ifd, ioas, buf, iova), -EEXIST);
	assert_int_equal(assert_ranges_match_kernel(k, ifd, ioas), nranges);
	/* A range covering both, with room around them, unmaps both. */
	assert_int_equal(iofd_ioas_unmap(ioas, iova - PS, 10 * PS), 0);
	assert_pinned(k, ioas, 0);
	assert_int_equal(iofd_ioas_unmap(ioas, iova, 8 * PS), -ENOENT);

	/* Attach and detach. */
	assert_int_equal(iofd_device_attach(NULL, ioas), -EINVAL);
	assert_int_equal(iofd_device_attach(d0, NULL), -EINVAL);
	assert_int_equal(iofd_device_detach(NULL), -EINVAL);
	iofd_device_close(d0);
	assert_int_equal(iofd_ioas_free(ioas), 0);
	lib_ctx_free(k, ctx);
	k_close(k, ifd);
}

/* An IOVA the library picks is aligned, usable, and never 0. */
static void picked_iovas_are_aligned_and_usable(void **state)
{
	struct kern *k = KERN(state);
	struct k_vdev v0;
	size_t len = 2u << 20;
	char *big = k_mem(k, 2 * len), *b2m = (char *)(((uintptr_t)big + len - 1) & ~(len - 1));
	char *small = k_mem(k, 3 * PS);
	uint64_t a = 0, b = 0, c = 0;
	int ifd = k_open(k);
	struct iofd_ctx *ctx = lib_ctx(k, ifd);
	struct iofd_ioas *ioas = lib_ioas(ctx, 0);
	struct iofd_device *d0;

	k_vfio_dev(k, 0, &v0);
	d0 = lib_dev(ctx, v0.bdf);
	assert_int_equal(iofd_device_attach(d0, ioas), 0);
	assert_int_equal(iofd_ioas_map(ioas, small, PS, RWF, &a), 0);
	assert_int_equal(iofd_ioas_map(ioas, b2m, len, RWF, &b), 0);
	assert_int_equal(iofd_ioas_map(ioas, small + PS, 2 * PS, RWF, &c), 0);
	assert_int_not_equal(a, 0);
	assert_int_equal(a % PS, 0);
	/* A 2 MiB-aligned buffer gets a 2 MiB-aligned IOVA: huge pages can back it. */
	assert_int_equal(b % len, 0);
	assert_true(usable(ioas, a, a + PS - 1) && usable(ioas, b, b + len - 1) &&
		    usable(ioas, c, c + 2 * PS - 1));
	assert_true(c + 2 * PS <= b || c >= b + len);
	assert_true(c + 2 * PS <= a || c >= a + PS);
	iofd_device_close(d0);
	assert_int_equal(iofd_ioas_free(ioas), 0);	/* unmaps too */
	assert_int_equal(pinned(k), 0);
	lib_ctx_free(k, ctx);
	k_close(k, ifd);
}

/* A mapping where the device cannot translate: the attach is refused with
 * EADDRINUSE and nothing changes; ranges narrow at attach and widen at
 * detach, and the library follows the kernel each time. */
static void attach_under_a_colliding_mapping_is_refused_cleanly(void **state)
{
	struct kern *k = KERN(state);
	struct k_vdev v0;
	char *buf = k_mem(k, 2 * PS);
	uint64_t at = MSI_START;
	int ifd = k_open(k);
	struct iofd_ctx *ctx = lib_ctx(k, ifd);
	struct iofd_ioas *ioas = lib_ioas(ctx, 0);
	struct iofd_device *d0;
	uint32_t before;

	k_vfio_dev(k, 0, &v0);
	d0 = lib_dev(ctx, v0.bdf);
	assert_true(usable(ioas, MSI_START, MSI_LAST));
	assert_int_equal(iofd_ioas_map(ioas, buf, 2 * PS, RWF | IOFD_MAP_FIXED_IOVA, &at), 0);
	before = k->sim ? iofd_sim_objects(k->sim) : 0;
	assert_int_equal(iofd_device_attach(d0, ioas), -EADDRINUSE);
	assert_null(iofd_device_ioas(d0));
	assert_null(iofd_device_domain(d0));
	assert_int_equal(iofd_ioas_domain_count(ioas), 0);
	assert_int_equal(iofd_ioas_device_count(ioas), 0);
	assert_non_null(strstr(iofd_device_placement(d0), "attach failed"));
	if (k->sim)
		assert_int_equal(iofd_sim_objects(k->sim), before);	/* no HWPT left behind */
	assert_pinned(k, ioas, 0);
	assert_ranges_match_kernel(k, ifd, ioas);
	assert_true(usable(ioas, MSI_START, MSI_LAST));
	/* Out of the way, it attaches; the window is then not usable. */
	assert_int_equal(iofd_ioas_unmap(ioas, MSI_START, 2 * PS), 0);
	assert_int_equal(iofd_device_attach(d0, ioas), 0);
	assert_false(usable(ioas, MSI_START, MSI_START));
	assert_ranges_match_kernel(k, ifd, ioas);
	/* The last device leaves: its domain goes, the window comes back. */
	at = 0x100000;
	assert_int_equal(iofd_ioas_map(ioas, buf, 2 * PS, RWF | IOFD_MAP_FIXED_IOVA, &at), 0);
	assert_int_equal(iofd_device_detach(d0), 0);
	assert_int_equal(iofd_ioas_domain_count(ioas), 0);
	assert_int_equal(iofd_ioas_mapping_count(ioas), 1);
	assert_pinned(k, ioas, 0);	/* no domain, no pins */
	assert_true(usable(ioas, MSI_START, MSI_LAST));
	assert_ranges_match_kernel(k, ifd, ioas);
	/* Attached again, the mapping is replayed. */
	assert_int_equal(iofd_device_attach(d0, ioas), 0);
	assert_pinned(k, ioas, 2);
	iofd_device_close(d0);
	assert_int_equal(iofd_ioas_free(ioas), 0);
	lib_ctx_free(k, ctx);
	k_close(k, ifd);
}

static void opening_devices_names_the_problem(void **state)
{
	struct kern *k = KERN(state);
	struct k_vdev v0;
	int ifd = k_open(k), fd;
	struct iofd_ctx *ctx = lib_ctx(k, ifd);
	struct iofd_device *dev, *again;
	char path[PATH_MAX];
	IOFD_OPTS(iofd_device_opts, o, .flags = IOFD_DEVICE_FD);

	k_vfio_dev(k, 0, &v0);
	assert_int_equal(iofd_device_open(&dev, ctx, "0000:7f:1f.7", NULL), -ENOENT);
	assert_int_equal(iofd_device_open(&dev, ctx, "not-a-device", NULL), -EINVAL);
	assert_int_equal(iofd_device_open(&dev, ctx, NULL, NULL), -EINVAL);
	assert_int_equal(iofd_device_open(NULL, ctx, v0.bdf, NULL), -EINVAL);
	/* The host bridge is not on vfio-pci: no cdev. */
	assert_int_equal(iofd_device_open(&dev, ctx, "0000:00:00.0", NULL), -ENODEV);
	/* By cdev path: the same device, named by its PCI address. */
	assert_int_equal(iofd_device_open(&dev, ctx, v0.cdev, NULL), 0);
	assert_string_equal(iofd_device_name(dev), v0.bdf);
	/* A cdev is open from the start; a group's device once attached
	 * (VFIO hands it out only to a group in a container). */
	if (by_group())
		assert_int_equal(iofd_device_fd(dev), -ENODEV);
	else
		assert_true(iofd_device_fd(dev) >= 0);
	/* Open once: a second open of it is refused. */
	assert_int_equal(iofd_device_open(&again, ctx, v0.bdf, NULL), -EBUSY);
	iofd_device_close(dev);
	/* A pre-opened cdev (a VMM that gave it to KVM first). */
	fd = k_open_path(k, v0.cdev);
	o.fd = fd;
	if (by_group()) {
		/* A pre-opened group (a manager's): the device named in it. */
		char gpath[64];
		int gfd;

		snprintf(gpath, sizeof(gpath), "/dev/vfio/%d", v0.group);
		gfd = k_open_path(k, gpath);
		o.fd = gfd;
		assert_int_equal(iofd_device_open(&dev, ctx, NULL, &o), -EINVAL);
		assert_int_equal(iofd_device_open(&dev, ctx, v0.bdf, &o), 0);
		assert_int_equal(iofd_device_open(&again, ctx, v0.bdf, &o), -EBUSY);
		{
			struct iofd_ioas *ioas = lib_ioas(ctx, 0);

			assert_int_equal(iofd_device_attach(dev, ioas), 0);
			assert_true(iofd_device_fd(dev) >= 0);
			iofd_device_close(dev);
			assert_int_equal(iofd_ioas_free(ioas), 0);
		}
		k_close(k, gfd);	/* still the caller's, still open */
		o.fd = ifd;	/* not a group */
		assert_int_equal(iofd_device_open(&dev, ctx, v0.bdf, &o), -ENOTTY);
	} else {
		assert_int_equal(iofd_device_open(&dev, ctx, NULL, &o), 0);
		assert_string_equal(iofd_device_name(dev), v0.bdf);
		assert_int_not_equal(iofd_device_fd(dev), fd);
		iofd_device_close(dev);
		o.fd = ifd;	/* not a device */
		assert_int_equal(iofd_device_open(&dev, ctx, NULL, &o), -ENOTTY);
	}
	k_close(k, fd);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", k_sysfs(k), v0.bdf);
	assert_int_equal(iofd_device_open(&dev, ctx, path, NULL), 0);
	assert_string_equal(iofd_device_name(dev), v0.bdf);
	iofd_device_close(dev);
	lib_ctx_free(k, ctx);
	k_close(k, ifd);
}

/* Device access through the device fd, on every backend: what vfio-pci
 * reports of QEMU's NVMe, config space as sysfs shows it, bus mastering. */
static void device_access_through_the_device_fd(void **state)
{
	struct kern *k = KERN(state);
	struct k_vdev v0;
	int ifd = k_open(k);
	struct iofd_ctx *ctx = lib_ctx(k, ifd);
	struct iofd_ioas *ioas = lib_ioas(ctx, 0);
	struct iofd_device *d;
	uint64_t size;
	uint32_t flags;
	uint16_t ids[2], cmd;
	struct iofd_region_area area;
	uint64_t cap;
	void *bar;
	char byte;

	k_vfio_dev(k, 0, &v0);
	d = lib_dev(ctx, v0.bdf);
	if (by_group())	/* VFIO hands a group's device fd out once it is in a container */
		assert_int_equal(iofd_device_region(d, IOFD_PCI_CONFIG, &size, NULL), -ENODEV);
	assert_int_equal(iofd_device_attach(d, ioas), 0);
	assert_int_equal(iofd_device_region(d, IOFD_PCI_CONFIG, &size, &flags), 0);
	assert_true(size >= 256);
	assert_int_equal(flags & (IOFD_REGION_READ | IOFD_REGION_WRITE),
			 IOFD_REGION_READ | IOFD_REGION_WRITE);
	/* QEMU's NVMe BAR0 holds its MSI-X table: 6.12 says it may be mapped
	 * (MSIX_MAPPABLE) and has no sparse areas, so the whole BAR is one. */
	assert_int_equal(iofd_device_region(d, IOFD_PCI_BAR(0), &size, &flags), 0);
	assert_int_equal(size, 0x4000);
	assert_int_equal(flags, IOFD_REGION_READ | IOFD_REGION_WRITE | IOFD_REGION_MMAP |
				IOFD_REGION_MSIX_MAPPABLE);
	assert_int_equal(iofd_device_region_mmap_areas(d, IOFD_PCI_BAR(0), &area, 1), 1);
	assert_int_equal(area.offset, 0);
	assert_int_equal(area.size, 0x4000);
	assert_int_equal(iofd_device_region_mmap_areas(d, IOFD_PCI_CONFIG, &area, 1), 0);
	assert_int_equal(iofd_device_region(d, 99, &size, NULL), -EINVAL);
	assert_int_equal(iofd_device_irq_count(d, IOFD_PCI_IRQ_INTX), 1);
	assert_int_equal(iofd_device_irq_count(d, IOFD_PCI_IRQ_MSIX), 65);	/* QEMU's NVMe */
	assert_int_equal(iofd_device_region_read(d, IOFD_PCI_CONFIG, 0x10000, &byte, 1), -EINVAL);
	/* A count the int return cannot carry: refused before the kernel is asked. */
	assert_int_equal(iofd_device_region_read(d, IOFD_PCI_BAR(0), 0, &byte, (size_t)INT_MAX + 1),
			 -EINVAL);
	assert_int_equal(iofd_device_region_write(d, IOFD_PCI_BAR(0), 0, &byte, SIZE_MAX), -EINVAL);
	/* The whole BAR maps, the MSI-X table too; NVMe's CAP register reads
	 * the same through the mapping and through the device fd. */
	assert_int_equal(iofd_device_region_mmap(d, IOFD_PCI_BAR(0), 0, 0x4000, PROT_READ, &bar),
			 0);
	assert_int_equal(iofd_device_region_read(d, IOFD_PCI_BAR(0), 0, &cap, 8), 8);
	assert_true(cap == *(volatile uint64_t *)bar);
	assert_int_equal(munmap(bar, 0x4000), 0);
	/* Past the BAR, or config space: refused, nothing mapped. */
	assert_int_equal(iofd_device_region_mmap(d, IOFD_PCI_BAR(0), 0x1000, 0x4000, PROT_READ,
						 &bar), -EINVAL);
	assert_int_equal(iofd_device_region_mmap(d, IOFD_PCI_CONFIG, 0, 0x1000, PROT_READ, &bar),
			 -EINVAL);
	{
		/* Config space, as sysfs shows it. */
		assert_int_equal(iofd_device_region_read(d, IOFD_PCI_CONFIG, 0, ids, 4), 4);
		assert_int_equal(ids[0], v0.vendor);
		assert_int_equal(ids[1], v0.device);
		assert_int_equal(iofd_device_bus_master(d, true), 0);
		assert_int_equal(iofd_device_region_read(d, IOFD_PCI_CONFIG, 4, &cmd, 2), 2);
		assert_true(cmd & 0x4);
		assert_int_equal(iofd_device_bus_master(d, false), 0);
		assert_int_equal(iofd_device_region_read(d, IOFD_PCI_CONFIG, 4, &cmd, 2), 2);
		assert_false(cmd & 0x4);
	}
	iofd_device_close(d);
	assert_int_equal(iofd_ioas_free(ioas), 0);
	lib_ctx_free(k, ctx);
	k_close(k, ifd);
}

/*
 * Interrupts routed and disabled, with the kernel's answers: QEMU's NVMe
 * (INTx, 65 MSI-X vectors, no MSI capability) and the e1000e (one MSI
 * vector). Delivery itself is examples/nvme-identify's (MSI-X and INTx by
 * real commands) and, on the simulator, tests/sim/test_vfio_pci.c's.
 */
static void interrupts_route_and_disable(void **state)
{
	struct kern *k = KERN(state);
	struct k_vdev v0, v2;
	int ifd = k_open(k);
	struct iofd_ctx *ctx = lib_ctx(k, ifd);
	struct iofd_ioas *ioas = lib_ioas(ctx, 0);
	struct iofd_device *nvme, *nic;
	int efd[2];

	k_vfio_dev(k, 0, &v0);
	k_vfio_dev(k, 2, &v2);
	if (v2.vendor != 0x8086 || v2.device != 0x10d3)
		skip();	/* not the lab's e1000e */
	for (int i = 0; i < 2; i++) {
		efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		assert_true(efd[i] >= 0);
	}
	nvme = lib_dev(ctx, v0.bdf);
	nic = lib_dev(ctx, v2.bdf);
	assert_int_equal(iofd_device_attach(nvme, ioas), 0);
	assert_int_equal(iofd_device_attach(nic, ioas), 0);

	/* NVMe: no MSI capability, so no MSI vector to route or disable. */
	assert_int_equal(iofd_device_irq_count(nvme, IOFD_PCI_IRQ_MSI), 0);
	assert_int_equal(iofd_device_irq_set(nvme, IOFD_PCI_IRQ_MSI, 0, 1, efd), -EINVAL);
	assert_int_equal(iofd_device_irq_set(nvme, IOFD_PCI_IRQ_MSI, 0, 0, NULL), -EINVAL);
	/* INTx: routed, unmasked (not masked: still 0), disabled; then nothing to disable. */
	assert_int_equal(iofd_device_irq_unmask(nvme, IOFD_PCI_IRQ_INTX, 0), -EINVAL);
	assert_int_equal(iofd_device_irq_set(nvme, IOFD_PCI_IRQ_INTX, 0, 2, efd), -EINVAL);
	assert_int_equal(iofd_device_irq_set(nvme, IOFD_PCI_IRQ_INTX, 0, 1, efd), 0);
	assert_int_equal(iofd_device_irq_unmask(nvme, IOFD_PCI_IRQ_INTX, 0), 0);
	assert_int_equal(iofd_device_irq_mask(nvme, IOFD_PCI_IRQ_INTX, 0), 0);
	assert_int_equal(iofd_device_irq_unmask(nvme, IOFD_PCI_IRQ_INTX, 0), 0);
	assert_int_equal(iofd_device_irq_unmask(nvme, IOFD_PCI_IRQ_INTX, 1), -EINVAL);
	/* One kind at a time. */
	assert_int_equal(iofd_device_irq_set(nvme, IOFD_PCI_IRQ_MSIX, 0, 1, efd), -EINVAL);
	assert_int_equal(iofd_device_irq_set(nvme, IOFD_PCI_IRQ_INTX, 0, 0, NULL), 0);
	assert_int_equal(iofd_device_irq_set(nvme, IOFD_PCI_IRQ_INTX, 0, 0, NULL), -EINVAL);
	/* MSI-X: two vectors, one more later, a bad fd, the end of the table. */
	assert_int_equal(iofd_device_irq_set(nvme, IOFD_PCI_IRQ_MSIX, 0, 2, efd), 0);
	assert_int_equal(iofd_device_irq_unmask(nvme, IOFD_PCI_IRQ_MSIX, 0), -ENOTTY);
	assert_int_equal(iofd_device_irq_set(nvme, IOFD_PCI_IRQ_MSIX, 64, 1, efd), 0);
	assert_int_equal(iofd_device_irq_set(nvme, IOFD_PCI_IRQ_MSIX, 64, 2, efd), -EINVAL);
	assert_int_equal(iofd_device_irq_set(nvme, IOFD_PCI_IRQ_MSIX, 3, 1, (int[]){ 9999 }),
			 -EBADF);
	assert_int_equal(iofd_device_irq_set(nvme, IOFD_PCI_IRQ_MSIX, 0, 0, NULL), 0);

	/* e1000e: one MSI vector; routed, then INTx refused, then disabled. */
	assert_int_equal(iofd_device_irq_count(nic, IOFD_PCI_IRQ_MSI), 1);
	assert_int_equal(iofd_device_irq_count(nic, IOFD_PCI_IRQ_MSIX), 5);
	assert_int_equal(iofd_device_irq_count(nic, IOFD_PCI_IRQ_INTX), 1);
	assert_int_equal(iofd_device_irq_set(nic, IOFD_PCI_IRQ_MSI, 0, 2, efd), -EINVAL);
	assert_int_equal(iofd_device_irq_set(nic, IOFD_PCI_IRQ_MSI, 1, 1, efd), -EINVAL);
	assert_int_equal(iofd_device_irq_set(nic, IOFD_PCI_IRQ_MSI, 0, 1, &efd[1]), 0);
	assert_int_equal(iofd_device_irq_set(nic, IOFD_PCI_IRQ_INTX, 0, 1, efd), -EINVAL);
	assert_int_equal(iofd_device_irq_unmask(nic, IOFD_PCI_IRQ_MSI, 0), -ENOTTY);
	assert_int_equal(iofd_device_irq_set(nic, IOFD_PCI_IRQ_MSI, 0, 0, NULL), 0);
	assert_int_equal(iofd_device_irq_set(nic, IOFD_PCI_IRQ_MSI, 0, 0, NULL), -EINVAL);
	/* Its I/O port BAR cannot be mapped; its MSI-X BAR (3) may be whole. */
	{
		uint32_t flags;
		void *p;

		assert_int_equal(iofd_device_region(nic, IOFD_PCI_BAR(2), NULL, &flags), 0);
		assert_false(flags & IOFD_REGION_MMAP);
		assert_int_equal(iofd_device_region_mmap(nic, IOFD_PCI_BAR(2), 0, 0x1000, PROT_READ,
							 &p), -EINVAL);
		assert_int_equal(iofd_device_region(nic, IOFD_PCI_BAR(3), NULL, &flags), 0);
		assert_int_equal(flags, IOFD_REGION_READ | IOFD_REGION_WRITE | IOFD_REGION_MMAP |
					IOFD_REGION_MSIX_MAPPABLE);
		assert_int_equal(iofd_device_region(nic, IOFD_PCI_BAR(0), NULL, &flags), 0);
		assert_false(flags & (IOFD_REGION_MSIX_MAPPABLE | IOFD_REGION_SPARSE_MMAP));
	}
	/* Closing with vectors routed disables them. */
	assert_int_equal(iofd_device_irq_set(nic, IOFD_PCI_IRQ_MSI, 0, 1, efd), 0);
	iofd_device_close(nic);
	iofd_device_close(nvme);
	close(efd[0]);
	close(efd[1]);
	assert_int_equal(iofd_ioas_free(ioas), 0);
	lib_ctx_free(k, ctx);
	k_close(k, ifd);
}

/* ------------------------------------------------------------------------
 * mock: dirty tracking asked for, devices that differ in it
 */

static void one_map_lands_in_two_domains_of_different_classes(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 8 * PS);
	uint64_t iova = 0;
	int ifd = k_open(k);
	struct iofd_ctx *ctx;
	struct iofd_ioas *ioas;
	struct iofd_device *dirty, *plain;
	const struct iofd_domain *dd, *pd;

	k_need_mock(k, ifd);
	ctx = lib_ctx(k, ifd);
	ioas = lib_ioas(ctx, IOFD_IOAS_DIRTY_TRACKING);
	assert_int_equal(iofd_device_open_selftest(&dirty, ctx, 0), 0);
	assert_int_equal(iofd_device_open_selftest(&plain, ctx, IOFD_SELFTEST_NO_DIRTY), 0);
	assert_int_equal(iofd_device_fd(dirty), -ENODEV);
	/* Mapped before any device, inside the mock's aperture (a mapping
	 * outside it would make the attach EADDRINUSE). */
	iova = 0x1000000;
	assert_int_equal(iofd_ioas_map(ioas, buf, 8 * PS, RWF | IOFD_MAP_FIXED_IOVA, &iova), 0);
	assert_int_equal(iofd_device_attach(dirty, ioas), 0);
	assert_int_equal(iofd_device_attach(plain, ioas), 0);
	assert_int_equal(iofd_device_dirty_tracking(dirty), 1);
	assert_int_equal(iofd_device_dirty_tracking(plain), 0);
	assert_int_equal(iofd_device_enforces_coherency(dirty), 0);
	assert_int_equal(iofd_device_iommu_type(plain), IOFD_IOMMU_SELFTEST);
	assert_int_equal(iofd_ioas_domain_count(ioas), 2);
	dd = iofd_device_domain(dirty);
	pd = iofd_device_domain(plain);
	assert_ptr_not_equal(dd, pd);
	assert_int_equal(iofd_domain_dirty_tracking(dd), 1);
	assert_int_equal(iofd_domain_dirty_tracking(pd), 0);
	assert_int_equal(iofd_domain_enforces_coherency(dd), 0);
	/* The kernel's own check: both HWPTs translate the one mapping. */
	assert_int_equal(k_check_map(k, ifd, (uint32_t)iofd_domain_kernel_id(dd), iova, 8 * PS, buf),
			 0);
	assert_int_equal(k_check_map(k, ifd, (uint32_t)iofd_domain_kernel_id(pd), iova, 8 * PS, buf),
			 0);
	/* ... and pinned once. */
	assert_pinned(k, ioas, 8);
	/* A map after attach is in both too. */
	assert_int_equal(iofd_ioas_map(ioas, buf + 2 * PS, 2 * PS, IOFD_MAP_READ, &iova), 0);
	assert_int_equal(k_check_map(k, ifd, (uint32_t)iofd_domain_kernel_id(dd), iova, 2 * PS,
				     buf + 2 * PS), 0);
	assert_int_equal(k_check_map(k, ifd, (uint32_t)iofd_domain_kernel_id(pd), iova, 2 * PS,
				     buf + 2 * PS), 0);
	assert_pinned(k, ioas, 10);
	/* Without dirty tracking asked for, both share one domain. */
	{
		struct iofd_ioas *plain_ioas = lib_ioas(ctx, 0);

		assert_int_equal(iofd_device_detach(dirty), 0);
		assert_int_equal(iofd_device_detach(plain), 0);
		assert_int_equal(iofd_ioas_domain_count(ioas), 0);
		assert_int_equal(iofd_device_attach(dirty, plain_ioas), 0);
		assert_int_equal(iofd_device_attach(plain, plain_ioas), 0);
		assert_int_equal(iofd_ioas_domain_count(plain_ioas), 1);
		assert_int_equal(iofd_domain_dirty_tracking(iofd_ioas_domain(plain_ioas, 0)), 0);
		iofd_device_close(dirty);
		iofd_device_close(plain);
		assert_int_equal(iofd_ioas_free(plain_ioas), 0);
	}
	assert_int_equal(iofd_ioas_free(ioas), 0);
	lib_ctx_free(k, ctx);
	k_close(k, ifd);
}

/* ------------------------------------------------------------------------
 * sim: what only the simulator can show
 */

/* Both devices read what is in memory at every mapping, through their own domain. */
static void assert_both_translate(struct kern *k, const char *a, const char *b, char *buf,
				  uint64_t iova, size_t len)
{
	char got[16];

	for (size_t off = 0; off < len; off += k->page_size) {
		snprintf(buf + off, 16, "page@%x", (unsigned int)(off / k->page_size));
		memset(got, 0, sizeof(got));
		assert_int_equal(iofd_sim_dma_read(k->sim, a, iova + off, got, 16), 0);
		assert_string_equal(got, buf + off);
		memset(got, 0, sizeof(got));
		assert_int_equal(iofd_sim_dma_read(k->sim, b, iova + off, got, 16), 0);
		assert_string_equal(got, buf + off);
	}
}

static void mixed_coherency(void **state, bool cc_first)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 4 * PS), *late = k_mem(k, 2 * PS);
	int sc = k_sim_add_vtd(k->sim, 0xf00fca), nosc = k_sim_add_vtd(k->sim, 0xf00f4a);
	uint64_t iova = 0, iova2 = 0;
	struct iofd_device *c, *n;
	struct iofd_ctx *ctx;
	struct iofd_ioas *ioas;
	int ifd;

	k_sim_add_vfio_dev(k->sim, "0000:00:01.0", sc, 0);
	k_sim_add_vfio_dev(k->sim, "0000:00:02.0", nosc, 0);
	ifd = k_open(k);
	ctx = lib_ctx(k, ifd);
	ioas = lib_ioas(ctx, 0);
	c = lib_dev(ctx, "0000:00:01.0");
	n = lib_dev(ctx, "0000:00:02.0");
	assert_int_equal(iofd_device_enforces_coherency(c), 1);
	assert_int_equal(iofd_device_enforces_coherency(n), 0);
	assert_int_equal(iofd_ioas_map(ioas, buf, 4 * PS, RWF, &iova), 0);
	assert_int_equal(iofd_device_attach(cc_first ? c : n, ioas), 0);
	assert_int_equal(iofd_device_attach(cc_first ? n : c, ioas), 0);
	assert_int_equal(iofd_ioas_map(ioas, late, 2 * PS, RWF, &iova2), 0);
	/* Two domains; the coherent device's enforces coherency, in either order. */
	assert_int_equal(iofd_ioas_domain_count(ioas), 2);
	/* KVM: per device, except in one type1 container, whose answer (not
	 * every domain enforces) covers both. */
	assert_int_equal(iofd_device_kvm_coherent(c), type1() ? 0 : 1);
	assert_int_equal(iofd_device_kvm_coherent(n), 0);
	assert_int_equal(iofd_domain_enforces_coherency(iofd_device_domain(c)), 1);
	assert_int_equal(iofd_domain_enforces_coherency(iofd_device_domain(n)), 0);
	assert_string_equal(iofd_domain_iommu_name(iofd_device_domain(c)), "dmar0");
	assert_string_equal(iofd_domain_iommu_name(iofd_device_domain(n)), "dmar1");
	assert_non_null(strstr(iofd_device_placement(c), "ECAP.SC=1"));
	/* Every mapping in both domains, pinned once. */
	assert_int_equal(iofd_sim_check_domains(k->sim), 2 * 6);
	assert_pinned(k, ioas, 6);
	assert_both_translate(k, "0000:00:01.0", "0000:00:02.0", buf, iova, 4 * PS);
	assert_both_translate(k, "0000:00:01.0", "0000:00:02.0", late, iova2, 2 * PS);
	assert_int_equal(iofd_sim_dma_write(k->sim, "0000:00:02.0", iova2 + PS, "nc", 2), 0);
	assert_memory_equal(late + PS, "nc", 2);
	/* Unmapped from both at once. */
	assert_int_equal(iofd_ioas_unmap(ioas, iova, 4 * PS), 0);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:01.0", iova, buf, 1), -EFAULT);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:02.0", iova, buf, 1), -EFAULT);
	assert_pinned(k, ioas, 2);
	iofd_device_close(c);
	iofd_device_close(n);
	assert_int_equal(iofd_ioas_free(ioas), 0);
	lib_ctx_free(k, ctx);
	k_close(k, ifd);
}

static void mixed_coherency_coherent_first(void **state)
{
	mixed_coherency(state, true);
}

static void mixed_coherency_coherent_last(void **state)
{
	mixed_coherency(state, false);
}

/* ARM SMMUv3 does not say whether it enforces coherency (6.12's hw info has
 * no SMMUv3 data). Such a device may join only a domain known to enforce
 * (its acceptance would prove it can); there is none on its instance, so
 * each gets a domain of its own, of unknown coherency: never a coherent
 * device in a domain made for another device that does not enforce. */
static void unknown_coherency_is_never_shared(void **state)
{
	struct kern *k = KERN(state);
	IOFD_OPTS(iofd_sim_iommu_opts, smmu, .type = IOFD_IOMMU_ARM_SMMUV3);
	int s = iofd_sim_add_iommu(k->sim, &smmu), ifd;
	char *buf = k_mem(k, 2 * PS);
	struct iofd_device *coh, *nc;
	struct iofd_ctx *ctx;
	struct iofd_ioas *ioas;
	uint64_t iova = 0;

	assert_true(s >= 0);
	k_sim_add_vfio_dev(k->sim, "0000:00:01.0", s, 0);
	k_sim_add_vfio_dev(k->sim, "0000:00:02.0", s, IOFD_SIM_PCI_COHERENT);
	ifd = k_open(k);
	ctx = lib_ctx(k, ifd);
	ioas = lib_ioas(ctx, 0);
	nc = lib_dev(ctx, "0000:00:01.0");
	coh = lib_dev(ctx, "0000:00:02.0");
	assert_int_equal(iofd_device_iommu_type(coh), IOFD_IOMMU_ARM_SMMUV3);
	assert_int_equal(iofd_device_enforces_coherency(coh), -ENODATA);
	assert_int_equal(iofd_device_enforces_coherency(nc), -ENODATA);
	assert_int_equal(iofd_ioas_map(ioas, buf, 2 * PS, RWF, &iova), 0);
	assert_int_equal(iofd_device_attach(nc, ioas), 0);
	assert_int_equal(iofd_device_attach(coh, ioas), 0);
	assert_int_equal(iofd_ioas_domain_count(ioas), 2);
	assert_ptr_not_equal(iofd_device_domain(coh), iofd_device_domain(nc));
	assert_int_equal(iofd_domain_enforces_coherency(iofd_device_domain(coh)), -ENODATA);
	assert_non_null(strstr(iofd_device_placement(coh), "coherency unknown"));
	assert_both_translate(k, "0000:00:01.0", "0000:00:02.0", buf, iova, 2 * PS);
	iofd_device_close(coh);
	iofd_device_close(nc);
	assert_int_equal(iofd_ioas_domain_count(ioas), 0);
	assert_int_equal(iofd_ioas_free(ioas), 0);
	lib_ctx_free(k, ctx);
	k_close(k, ifd);
}

/* A context of @be with @flags on the simulator (whatever the mode). */
static struct iofd_ctx *sim_ctx(struct kern *k, enum iofd_backend be, uint32_t flags)
{
	IOFD_OPTS(iofd_ctx_opts, o, .backend = be, .flags = flags);
	struct iofd_ctx *ctx;

	assert_int_equal(iofd_sim_ctx_opts(k->sim, &o), 0);
	assert_int_equal(iofd_ctx_new(&ctx, &o), 0);
	return ctx;
}

/* Type1 split by class: a container per class, every map in each, and a
 * map that fails in the second container is undone in the first. */
static void type1_split_mirrors_all_or_nothing(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 4 * PS), *more = k_mem(k, 2 * PS), got[8];
	int sc = k_sim_add_vtd(k->sim, 0xf00fca), nosc = k_sim_add_vtd(k->sim, 0xf00f4a);
	struct iofd_ctx *ctx;
	struct iofd_ioas *ioas;
	struct iofd_device *c, *n;
	uint64_t iova = 0, iova2 = 0;

	k_sim_add_vfio_dev(k->sim, "0000:00:01.0", sc, 0);
	k_sim_add_vfio_dev(k->sim, "0000:00:02.0", nosc, 0);
	ctx = sim_ctx(k, IOFD_BACKEND_TYPE1, IOFD_CTX_TYPE1_SPLIT);
	ioas = lib_ioas(ctx, 0);
	c = lib_dev(ctx, "0000:00:01.0");
	n = lib_dev(ctx, "0000:00:02.0");
	assert_int_equal(iofd_ioas_map(ioas, buf, 4 * PS, RWF, &iova), 0);
	assert_int_equal(iofd_device_attach(c, ioas), 0);
	assert_int_equal(iofd_device_attach(n, ioas), 0);
	assert_int_equal(iofd_ioas_domain_count(ioas), 2);
	assert_int_equal(iofd_domain_enforces_coherency(iofd_device_domain(c)), 1);
	assert_int_equal(iofd_domain_enforces_coherency(iofd_device_domain(n)), 0);
	/* Each container answers KVM for its own class. */
	assert_int_equal(iofd_device_kvm_coherent(c), 1);
	assert_int_equal(iofd_device_kvm_coherent(n), 0);
	/* Each container has its own domain with every mapping: the price
	 * is a second pin of the same pages. */
	assert_int_equal(iofd_sim_check_domains(k->sim), 2 * 4);
	assert_both_translate(k, "0000:00:01.0", "0000:00:02.0", buf, iova, 4 * PS);
	/* ... and the library says so: two containers, each pinning and
	 * charging the 4 pages, as the kernel counts them. */
	assert_int_equal(iofd_ioas_space_count(ioas), 2);
	assert_int_not_equal(iofd_domain_space(iofd_device_domain(c)),
			     iofd_domain_space(iofd_device_domain(n)));
	assert_int_equal(iofd_ioas_space_pinned_pages(ioas, 0), 4);
	assert_int_equal(iofd_ioas_space_pinned_pages(ioas, 1), 4);
	assert_int_equal(k_locked(k), 2 * 4);
	/* The second container's map fails: the first's is undone. */
	assert_int_equal(iofd_sim_fail_nth(k->sim, 2, ENOMEM), 0);
	assert_int_equal(iofd_ioas_map(ioas, more, 2 * PS, RWF, &iova2), -ENOMEM);
	assert_int_equal(iofd_ioas_mapping_count(ioas), 1);
	assert_int_equal(iofd_ioas_translate(ioas, more, &iova2, NULL), -ENOENT);
	assert_int_equal(iofd_sim_check_domains(k->sim), 2 * 4);
	/* Again without the failure: in both. */
	assert_int_equal(iofd_ioas_map(ioas, more, 2 * PS, RWF, &iova2), 0);
	assert_both_translate(k, "0000:00:01.0", "0000:00:02.0", more, iova2, 2 * PS);
	/* An unmap the first container refuses (after the second's went): the
	 * second gets it back, so both still translate it. */
	assert_int_equal(iofd_sim_fail_nth(k->sim, 2, EIO), 0);
	assert_int_equal(iofd_ioas_unmap(ioas, iova2, 2 * PS), -EIO);
	assert_int_equal(iofd_ioas_mapping_count(ioas), 2);
	assert_both_translate(k, "0000:00:01.0", "0000:00:02.0", more, iova2, 2 * PS);
	assert_int_equal(iofd_sim_check_domains(k->sim), 2 * 6);
	/* Unmapped from both. */
	assert_int_equal(iofd_ioas_unmap(ioas, iova2, 2 * PS), 0);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:01.0", iova2, got, 1), -EFAULT);
	assert_int_equal(iofd_sim_dma_read(k->sim, "0000:00:02.0", iova2, got, 1), -EFAULT);
	iofd_device_close(c);
	iofd_device_close(n);
	assert_int_equal(iofd_ioas_free(ioas), 0);
	iofd_ctx_free(ctx);
}

/* AUTO on iommufd: a device without a cdev joins the same IOAS through its
 * group (compat's way), and both translate one mapping. */
static void auto_reaches_a_device_without_a_cdev_by_its_group(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 2 * PS);
	int sc = k_sim_add_vtd(k->sim, 0xf00fca);
	struct iofd_ctx *ctx;
	struct iofd_ioas *ioas;
	struct iofd_device *cdev, *nocdev;
	uint64_t iova = 0;

	k_sim_add_vfio_dev(k->sim, "0000:00:01.0", sc, 0);
	k_sim_add_vfio_dev(k->sim, "0000:00:02.0", sc, IOFD_SIM_PCI_NO_CDEV);
	ctx = sim_ctx(k, IOFD_BACKEND_AUTO, 0);
	ioas = lib_ioas(ctx, 0);
	cdev = lib_dev(ctx, "0000:00:01.0");
	nocdev = lib_dev(ctx, "0000:00:02.0");
	assert_true(iofd_device_fd(cdev) >= 0);
	assert_int_equal(iofd_device_fd(nocdev), -ENODEV);	/* a group's: once attached */
	assert_int_equal(iofd_device_attach(cdev, ioas), 0);
	assert_int_equal(iofd_device_attach(nocdev, ioas), 0);
	assert_int_equal(iofd_ioas_map(ioas, buf, 2 * PS, RWF, &iova), 0);
	assert_int_equal(iofd_sim_pinned_pages(k->sim), 2);
	assert_int_equal(lib_pinned(ioas), 2);
	assert_both_translate(k, "0000:00:01.0", "0000:00:02.0", buf, iova, 2 * PS);
	iofd_device_close(cdev);
	iofd_device_close(nocdev);
	assert_int_equal(iofd_ioas_free(ioas), 0);
	iofd_ctx_free(ctx);
}

/* A device closed while the kernel refuses its detach still leaves its
 * IOAS (closing the cdev detaches it in the kernel): no dangling device,
 * domain or pin; the teardown checks the simulator holds nothing. */
static void closing_a_device_whose_detach_fails_leaves_no_trace(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 2 * PS);
	int sc = k_sim_add_vtd(k->sim, 0xf00fca);
	struct iofd_ctx *ctx;
	struct iofd_ioas *ioas;
	struct iofd_device *d;
	uint64_t iova = 0;

	k_sim_add_vfio_dev(k->sim, "0000:00:01.0", sc, 0);
	ctx = sim_ctx(k, IOFD_BACKEND_IOMMUFD, 0);
	ioas = lib_ioas(ctx, 0);
	d = lib_dev(ctx, "0000:00:01.0");
	assert_int_equal(iofd_device_attach(d, ioas), 0);
	assert_int_equal(iofd_ioas_map(ioas, buf, 2 * PS, RWF, &iova), 0);
	assert_int_equal(iofd_sim_fail_ioctl(k->sim, IOFD_U_VFIO_DEVICE_DETACH_IOMMUFD_PT, EIO, 1),
			 0);
	assert_int_equal(iofd_device_detach(d), -EIO);	/* detach itself reports it */
	assert_int_equal(iofd_ioas_device_count(ioas), 1);	/* and changes nothing */
	assert_int_equal(iofd_sim_fail_ioctl(k->sim, IOFD_U_VFIO_DEVICE_DETACH_IOMMUFD_PT, EIO, 1),
			 0);
	iofd_device_close(d);
	assert_int_equal(iofd_ioas_device_count(ioas), 0);
	assert_int_equal(iofd_ioas_domain_count(ioas), 0);
	assert_int_equal(iofd_sim_pinned_pages(k->sim), 0);
	assert_int_equal(lib_pinned(ioas), 0);
	assert_int_equal(iofd_ioas_mapping_count(ioas), 1);	/* mappings stay */
	/* A HWPT the kernel will not destroy outlives its last device, and
	 * keeps the pages pinned: the library says so too. */
	d = lib_dev(ctx, "0000:00:01.0");
	assert_int_equal(iofd_device_attach(d, ioas), 0);
	assert_int_equal(iofd_sim_fail_ioctl(k->sim, IOFD_U_IOMMU_DESTROY, EBUSY, 1), 0);
	assert_int_equal(iofd_device_detach(d), 0);
	assert_int_equal(iofd_ioas_domain_count(ioas), 1);
	assert_int_equal(iofd_sim_pinned_pages(k->sim), 2);
	assert_int_equal(lib_pinned(ioas), 2);
	iofd_device_close(d);
	assert_int_equal(iofd_ioas_free(ioas), 0);	/* destroys it this time */
	assert_int_equal(iofd_sim_pinned_pages(k->sim), 0);
	iofd_ctx_free(ctx);
}

/* Type1's mapping limit: the library says what is left and answers
 * ENOSPC before asking the kernel; unmapping gives room back. */
static void type1_runs_out_of_mappings_before_asking(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, PS);
	int sc = k_sim_add_vtd(k->sim, 0xf00fca);
	struct iofd_ctx *ctx;
	struct iofd_ioas *ioas;
	struct iofd_device *d;
	uint64_t iova = 0, calls;
	int64_t left;

	k_sim_add_vfio_dev(k->sim, "0000:00:01.0", sc, 0);
	ctx = sim_ctx(k, IOFD_BACKEND_TYPE1, 0);
	ioas = lib_ioas(ctx, 0);
	d = lib_dev(ctx, "0000:00:01.0");
	assert_int_equal(iofd_ioas_mappings_left(ioas), -ENODATA);	/* no container IOMMU yet */
	/* One mapped before the group: the attach replays it, and it counts. */
	assert_int_equal(iofd_ioas_map(ioas, buf, PS, IOFD_MAP_READ, &iova), 0);
	assert_int_equal(iofd_device_attach(d, ioas), 0);
	left = iofd_ioas_mappings_left(ioas);
	assert_int_equal(left, 65535 - 1);
	for (int64_t i = 0; i < left; i++)
		assert_int_equal(iofd_ioas_map(ioas, buf, PS, IOFD_MAP_READ, &iova), 0);
	assert_int_equal(iofd_ioas_mappings_left(ioas), 0);
	calls = iofd_sim_calls(k->sim);
	assert_int_equal(iofd_ioas_map(ioas, buf, PS, IOFD_MAP_READ, &iova), -ENOSPC);
	assert_int_equal(iofd_sim_calls(k->sim), calls);
	assert_int_equal(iofd_ioas_unmap(ioas, iova, PS), 0);
	assert_int_equal(iofd_ioas_mappings_left(ioas), 1);
	assert_int_equal(iofd_ioas_map(ioas, buf, PS, IOFD_MAP_READ, &iova), 0);
	assert_int_equal(iofd_ioas_unmap_all(ioas), 0);
	assert_int_equal(iofd_ioas_mappings_left(ioas), 65535);
	iofd_device_close(d);
	assert_int_equal(iofd_ioas_free(ioas), 0);
	iofd_ctx_free(ctx);
}

/*
 * Memory mapped before any device is pinned at the first attach (type1:
 * the library replays the table once a group sets the container's IOMMU;
 * iommufd: the kernel fills the first domain): a mapping whose memory is
 * gone fails that attach with EFAULT, cleanly, and once it is unmapped the
 * next attach maps the rest. A container iommufd serves
 * (CONFIG_IOMMUFD_VFIO_CONTAINER; the lab's compat boots) keeps its IOAS
 * after its last group leaves: the failed attach must not leave it counted
 * as holding the table.
 */
static void a_failed_replay_is_replayed_at_the_next_attach(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 2 * PS);
	uint64_t iova = 0, bad = 0, hole = k_hole(k, PS);
	int ifd;
	struct iofd_ctx *ctx;
	struct iofd_ioas *ioas;
	struct iofd_device *d;
	struct k_vdev v;

	ifd = k_open(k);
	ctx = lib_ctx(k, ifd);
	ioas = lib_ioas(ctx, 0);
	k_vfio_dev(k, 0, &v);
	memcpy(buf + PS, "abc", 4);
	assert_int_equal(iofd_ioas_map(ioas, buf, 2 * PS, RWF, &iova), 0);
	assert_int_equal(iofd_ioas_map(ioas, (void *)(uintptr_t)hole, PS, RWF, &bad), 0);
	d = lib_dev(ctx, v.bdf);
	assert_int_equal(iofd_device_attach(d, ioas), -EFAULT);
	assert_int_equal(iofd_ioas_device_count(ioas), 0);
	assert_pinned(k, ioas, 0);
	assert_int_equal(iofd_ioas_unmap(ioas, bad, PS), 0);
	assert_int_equal(iofd_device_attach(d, ioas), 0);
	assert_pinned(k, ioas, 2);
	/* The kernel has the replayed mapping: mapping there again is EEXIST. */
	assert_int_equal(kernel_map_page(k, ifd, ioas, buf, iova), -EEXIST);
	if (k->sim) {
		char got[4];

		assert_int_equal(iofd_sim_dma_read(k->sim, v.bdf, iova + PS, got, 4), 0);
		assert_string_equal(got, "abc");
	}
	iofd_device_close(d);
	assert_int_equal(iofd_ioas_free(ioas), 0);
	lib_ctx_free(k, ctx);
	k_close(k, ifd);
}

/* Compat: a device through its group and one through its cdev share one
 * kernel IOAS: mapped once, pinned once, both devices' domains hold it (on
 * the simulator, both translate it by DMA). On the lab's host too. */
static void compat_group_and_cdev_devices_share_one_ioas(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 4 * PS);
	IOFD_OPTS(iofd_device_opts, by_cdev, .flags = IOFD_DEVICE_CDEV);
	IOFD_OPTS(iofd_ctx_opts, o, .backend = IOFD_BACKEND_COMPAT);
	struct k_vdev v0, v1;
	struct iofd_ctx *ctx;
	struct iofd_ioas *ioas;
	struct iofd_device *g, *cd;
	uint64_t iova = 0;
	int ifd;

	k_vfio_dev(k, 0, &v0);
	k_vfio_dev(k, 1, &v1);
	ifd = k_open(k);
	o.flags = IOFD_CTX_IOMMU_FD;
	o.iommu_fd = ifd;
	if (k->sim)
		assert_int_equal(iofd_sim_ctx_opts(k->sim, &o), 0);
	assert_int_equal(iofd_ctx_new(&ctx, &o), 0);
	ioas = lib_ioas(ctx, 0);
	g = lib_dev(ctx, v0.bdf);
	assert_int_equal(iofd_device_open(&cd, ctx, v1.bdf, &by_cdev), 0);
	assert_true(iofd_device_fd(cd) >= 0);
	assert_int_equal(iofd_device_fd(g), -ENODEV);
	assert_int_equal(iofd_device_attach(g, ioas), 0);
	assert_int_equal(iofd_device_attach(cd, ioas), 0);
	assert_true(iofd_device_fd(g) >= 0);
	assert_int_equal(iofd_ioas_map(ioas, buf, 4 * PS, RWF, &iova), 0);
	/* One kernel IOAS holds it, pinned once for both domains. */
	assert_int_equal(k_pinned(k), 4);
	assert_int_equal(lib_pinned(ioas), 4);
	assert_int_equal(k_map_fixed(k, ifd, (uint32_t)iofd_ioas_kernel_id(ioas), buf, PS, iova),
			 -EEXIST);
	if (k->sim) {
		assert_int_equal(iofd_sim_check_domains(k->sim), 2 * 4);
		assert_both_translate(k, v0.bdf, v1.bdf, buf, iova, 4 * PS);
	}
	iofd_device_close(g);
	iofd_device_close(cd);
	assert_int_equal(k_pinned(k), 0);
	assert_int_equal(lib_pinned(ioas), 0);
	assert_int_equal(iofd_ioas_free(ioas), 0);
	iofd_ctx_free(ctx);
	k_close(k, ifd);
}

/*
 * Fail every kernel call of a whole life in turn: map before attach, attach
 * two devices of different classes, map, unmap, detach, free. After each
 * failure the library's view equals the simulated kernel's (pins, objects),
 * and after cleanup nothing is left (the harness's teardown checks fds,
 * objects, pins and charges).
 */
static int life(struct kern *k, int ifd, char *buf, int *step)
{
	struct iofd_ctx *ctx = NULL;
	struct iofd_ioas *ioas = NULL;
	struct iofd_device *c = NULL, *n = NULL;
	uint64_t iova = 0, iova2 = 0x40000000;
	int r;

	IOFD_OPTS(iofd_ctx_opts, o);
	ctx_opts(k, ifd, &o);
#define STEP(x) do { (*step)++; if ((r = (x)) < 0) goto out; } while (0)
	STEP(iofd_ctx_new(&ctx, &o));
	STEP(iofd_ioas_new(&ioas, ctx, NULL));
	STEP(iofd_ioas_map(ioas, buf, 4 * k->page_size, RWF, &iova));
	STEP(iofd_device_open(&c, ctx, "0000:00:01.0", NULL));
	STEP(iofd_device_open(&n, ctx, "0000:00:02.0", NULL));
	STEP(iofd_device_attach(c, ioas));
	STEP(iofd_device_attach(n, ioas));
	STEP(iofd_ioas_map(ioas, buf + 4 * k->page_size, 2 * k->page_size,
			   RWF | IOFD_MAP_FIXED_IOVA, &iova2));
	assert_int_equal(iofd_sim_check_domains(k->sim), 2 * 6);
	STEP(iofd_ioas_unmap(ioas, iova, 4 * k->page_size));
	STEP(iofd_device_detach(c));
	STEP(iofd_ioas_unmap_all(ioas));
	STEP(iofd_device_detach(n));
	STEP(iofd_ioas_free(ioas));
	ioas = NULL;
#undef STEP
out:
	/* The library's view equals the kernel's, whatever failed. */
	if (ioas) {
		size_t pages = 0;
		struct iofd_iova_range rr[8];

		assert_true(iofd_ioas_iova_ranges(ioas, rr, 8) > 0);
		for (uint64_t va = (uintptr_t)buf; va < (uintptr_t)buf + 6 * k->page_size;
		     va += k->page_size)
			pages += iofd_ioas_translate(ioas, (void *)(uintptr_t)va, &iova, NULL) == 0;
		if (iofd_ioas_domain_count(ioas))
			assert_pinned(k, ioas, pages);
		else
			assert_pinned(k, ioas, 0);
		assert_true(iofd_sim_check_domains(k->sim) >= 0);
	}
	iofd_device_close(c);
	iofd_device_close(n);
	if (ioas)
		assert_int_equal(iofd_ioas_free(ioas), 0);
	iofd_ctx_free(ctx);
	return r;
}

static void every_failing_kernel_call_leaves_no_trace(void **state)
{
	struct kern *k = KERN(state);
	char *buf = k_mem(k, 6 * PS);
	int sc = k_sim_add_vtd(k->sim, 0xf00fca), nosc = k_sim_add_vtd(k->sim, 0xf00f4a);
	uint64_t calls;
	int ifd, step = 0, failures = 0;

	k_sim_add_vfio_dev(k->sim, "0000:00:01.0", sc, 0);
	k_sim_add_vfio_dev(k->sim, "0000:00:02.0", nosc, 0);
	/* How many kernel calls a clean life makes. */
	ifd = k_open(k);
	if (type1())
		cfd = k_open_path(k, "/dev/vfio/vfio");
	calls = iofd_sim_calls(k->sim);
	assert_int_equal(life(k, ifd, buf, &step), 0);
	calls = iofd_sim_calls(k->sim) - calls;
	lib_ctx_free(k, NULL);
	k_close(k, ifd);
	assert_true(calls > 20);
	for (unsigned int nth = 1; nth <= calls; nth++) {
		ifd = k_open(k);
		if (type1())
			cfd = k_open_path(k, "/dev/vfio/vfio");
		step = 0;
		assert_int_equal(iofd_sim_fail_nth(k->sim, nth, nth % 2 ? ENOMEM : EFAULT), 0);
		failures += life(k, ifd, buf, &step) < 0;
		iofd_sim_fail_nth(k->sim, 0, 0);
		lib_ctx_free(k, NULL);
		k_close(k, ifd);
		assert_int_equal(iofd_sim_open_fds(k->sim), 0);
		assert_int_equal(iofd_sim_objects(k->sim), 0);
		assert_int_equal(pinned(k), 0);
	}
	print_message("fault sweep: %llu kernel calls failed in turn, %d lives failed\n",
		      (unsigned long long)calls, failures);
	assert_true(failures > 0);
}

int main(void)
{
	const struct CMUnitTest cdev[] = {
		T_LAB(two_devices_of_one_class_share_one_domain),
		T_LAB(every_mapping_is_pinned_once_and_replayed_at_attach),
		T_LAB(bad_input_gets_one_errno_and_changes_nothing),
		T_LAB(picked_iovas_are_aligned_and_usable),
		T_LAB(attach_under_a_colliding_mapping_is_refused_cleanly),
		T_LAB(opening_devices_names_the_problem),
		T_LAB(device_access_through_the_device_fd),
		T_LAB(interrupts_route_and_disable),
		T_LAB(compat_group_and_cdev_devices_share_one_ioas),
		T_LAB(a_failed_replay_is_replayed_at_the_next_attach),
	};
	const struct CMUnitTest mock[] = {
		T_MOCK(one_map_lands_in_two_domains_of_different_classes),
	};
	const struct CMUnitTest sim[] = {
		T_SIM(mixed_coherency_coherent_first),
		T_SIM(mixed_coherency_coherent_last),
		T_SIM(unknown_coherency_is_never_shared),
		T_SIM(type1_split_mirrors_all_or_nothing),
		T_SIM(type1_runs_out_of_mappings_before_asking),
		T_SIM(auto_reaches_a_device_without_a_cdev_by_its_group),
		T_SIM(closing_a_device_whose_detach_fails_leaves_no_trace),
		T_SIM(every_failing_kernel_call_leaves_no_trace),
		/* the compat boots' container, on the simulator */
		cmocka_unit_test_setup_teardown(a_failed_replay_is_replayed_at_the_next_attach,
						kern_setup_lab_iommufd_container, kern_teardown),
	};

	const char *mode = getenv("IOFD_MODE"), *vm = getenv("IOFD_VM_MODE");

	if ((mode && !strcmp(mode, "type1")) || (!mode && vm && !strcmp(vm, "type1"))) {
		backend = IOFD_BACKEND_TYPE1;
	} else if ((mode && !strcmp(mode, "compat")) ||
		   (!mode && vm && !strcmp(vm, "compat-iommu"))) {
		backend = IOFD_BACKEND_COMPAT;
	} else if (mode && strcmp(mode, "iommufd")) {
		fprintf(stderr, "conformance-api: IOFD_MODE must be iommufd, type1 or compat\n");
		return 2;
	}
	printf("conformance-api: the %s backend\n", iofd_backend_name(backend));
	/* The selftest's mock devices exist only on iommufd. */
	return kern_run("conformance-api", cdev, sizeof(cdev) / sizeof(cdev[0]), mock,
			by_group() ? 0 : sizeof(mock) / sizeof(mock[0]), sim,
			sizeof(sim) / sizeof(sim[0]));
}
