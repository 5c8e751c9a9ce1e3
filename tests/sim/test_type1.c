// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VFIO's type1 IOMMU and iommufd's stand-in for it, where only the
 * simulator can show it (tests/conformance/type1_uapi.c checks the rest on
 * the lab's kernel too): UPDATE_VADDR moving a mapping to new memory for
 * DMA, pins and charges untouched; dirty pages whatever the DMA; mappings
 * made while tracking that fail; a group leaving while tracking; v1 unmaps
 * releasing pins; NESTING on SMMUv3; MSI isolation; CAP_IPC_LOCK's charge;
 * and iommufd serving /dev/vfio/vfio: its accounting per process, the
 * sysfs tree, libiommufd's discovery.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "device.h"
#include "simtest.h"
#include "type1.h"
#include "uapi/vfio.h"

#define PS page_size()
#define DMA_RW (IOFD_U_VFIO_DMA_MAP_FLAG_READ | IOFD_U_VFIO_DMA_MAP_FLAG_WRITE)
#define VTD_CAP 0xd2008c22260206ull
#define VTD_ECAP_SC 0xf00fcaull

static int open_node(struct iofd_sim *sim, const char *path)
{
	return iofd_sim_kernel_ops()->open(sim, path, O_RDWR);
}

static int set_container(struct iofd_sim *sim, int g, int c)
{
	int32_t fd = c;

	return sim_ioctl(sim, g, IOFD_U_VFIO_GROUP_SET_CONTAINER, &fd);
}

static int set_iommu(struct iofd_sim *sim, int c, unsigned long type)
{
	return sim_ioctl(sim, c, IOFD_U_VFIO_SET_IOMMU, (void *)(uintptr_t)type);
}

static int map_dma(struct iofd_sim *sim, int c, uint32_t flags, const void *va, uint64_t len,
		   uint64_t iova)
{
	struct iofd_u_vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags, .vaddr = (uintptr_t)va, .iova = iova,
		.size = len,
	};

	return sim_ioctl(sim, c, IOFD_U_VFIO_IOMMU_MAP_DMA, &m);
}

static int unmap_dma(struct iofd_sim *sim, int c, uint32_t flags, uint64_t iova, uint64_t len,
		     uint64_t *unmapped)
{
	struct iofd_u_vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .flags = flags, .iova = iova, .size = len,
	};
	int r = sim_ioctl(sim, c, IOFD_U_VFIO_IOMMU_UNMAP_DMA, &u);

	if (unmapped)
		*unmapped = r == 0 ? u.size : ~0ull;
	return r;
}

static int dirty_pages(struct iofd_sim *sim, int c, uint32_t flags)
{
	struct iofd_u_vfio_iommu_type1_dirty_bitmap d = { .argsz = sizeof(d), .flags = flags };

	return sim_ioctl(sim, c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES, &d);
}

static int get_bitmap(struct iofd_sim *sim, int c, uint64_t iova, uint64_t len, uint64_t *bm,
		      uint64_t bm_size)
{
	struct iofd_u_vfio_dirty_pages_get req = {
		.argsz = sizeof(req), .flags = IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP,
		.range = { .iova = iova, .size = len,
			   .bitmap = { .pgsize = PS, .size = bm_size, .data = bm } },
	};

	return sim_ioctl(sim, c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES, &req);
}

/* A host with one IOMMU of @opts and vfio-pci devices 0000:00:0N.0 (N = 1..ndevs) in groups N. */
static struct iofd_sim *host(uint32_t flags, uint64_t memlock, const struct iofd_sim_iommu_opts *u,
			     int ndevs)
{
	struct iofd_sim *sim = sim_make(flags, memlock);
	int iommu = iofd_sim_add_iommu(sim, u);

	assert_true(iommu >= 0);
	for (int i = 1; i <= ndevs; i++) {
		char bdf[16];
		IOFD_OPTS(iofd_sim_pci_opts, p, .bdf = bdf, .iommu = iommu, .driver = "vfio-pci",
			  .flags = IOFD_SIM_PCI_GROUP, .group = i);

		snprintf(bdf, sizeof(bdf), "0000:00:%02x.0", i);
		assert_int_equal(iofd_sim_add_pci(sim, &p), 0);
	}
	return sim;
}

static struct iofd_sim *vtd_host(uint32_t flags, uint64_t memlock, int ndevs)
{
	IOFD_OPTS(iofd_sim_iommu_opts, vtd, .type = IOFD_IOMMU_INTEL_VTD, .vtd_cap = VTD_CAP,
		  .vtd_ecap = VTD_ECAP_SC);

	return host(flags, memlock, &vtd, ndevs);
}

/* /dev/vfio/vfio with group 1 in it and @type set; *g gets the group. */
static int container(struct iofd_sim *sim, unsigned long type, int *g)
{
	int c = open_node(sim, "/dev/vfio/vfio");

	assert_true(c >= 0);
	*g = open_node(sim, "/dev/vfio/1");
	assert_true(*g >= 0);
	assert_int_equal(set_container(sim, *g, c), 0);
	assert_int_equal(set_iommu(sim, c, type), 0);
	return c;
}

/* ------------------------------------------------------------------------ */

static void update_vaddr_moves_dma_to_the_new_memory(void **state)
{
	struct iofd_sim *sim = vtd_host(0, 0, 1);
	int memfd = memfd_create("iofd-test", MFD_CLOEXEC), g, c;
	char *a, *b, got[8];
	uint64_t un, locked;

	/* One memory, seen at two addresses: a live update's old and new process. */
	assert_true(memfd >= 0);
	assert_int_equal(ftruncate(memfd, 4 * PS), 0);
	a = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	b = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	assert_true(a != MAP_FAILED && b != MAP_FAILED);
	c = container(sim, IOFD_U_VFIO_TYPE1v2_IOMMU, &g);
	assert_int_equal(map_dma(sim, c, DMA_RW, a, 4 * PS, 0x100000), 0);
	locked = iofd_sim_locked_pages(sim);
	assert_int_equal(locked, 4);
	assert_int_equal(unmap_dma(sim, c, IOFD_U_VFIO_DMA_UNMAP_FLAG_VADDR, 0x100000, 4 * PS, &un),
			 0);
	assert_int_equal(un, 4 * PS);
	/* Invalidated, still mapped and pinned: the device goes on. */
	assert_int_equal(iofd_sim_dma_write(sim, "0000:00:01.0", 0x100000, "old", 3), 0);
	/* The old address goes; the new one takes over. */
	munmap(a, 4 * PS);
	assert_int_equal(map_dma(sim, c, IOFD_U_VFIO_DMA_MAP_FLAG_VADDR, b, 4 * PS, 0x100000), 0);
	assert_int_equal(iofd_sim_locked_pages(sim), locked);
	assert_int_equal(iofd_sim_check_domains(sim), 4);
	assert_int_equal(iofd_sim_dma_read(sim, "0000:00:01.0", 0x100000, got, 3), 0);
	assert_memory_equal(got, "old", 3);
	assert_int_equal(iofd_sim_dma_write(sim, "0000:00:01.0", 0x100000 + 3 * PS, "new", 3), 0);
	assert_memory_equal(b + 3 * PS, "new", 3);
	assert_int_equal(unmap_dma(sim, c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(un, 4 * PS);
	assert_int_equal(sim_close(sim, g), 0);
	assert_int_equal(sim_close(sim, c), 0);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
	munmap(b, 4 * PS);
	close(memfd);
}

static void a_vaddr_left_invalid_goes_with_its_mapping(void **state)
{
	struct iofd_sim *sim = vtd_host(0, 0, 2);
	char *buf = mem(4 * PS);
	int g, g2, c;

	c = container(sim, IOFD_U_VFIO_TYPE1v2_IOMMU, &g);
	g2 = open_node(sim, "/dev/vfio/2");
	assert_int_equal(map_dma(sim, c, DMA_RW, buf, 4 * PS, 0x100000), 0);
	assert_int_equal(unmap_dma(sim, c, IOFD_U_VFIO_DMA_UNMAP_FLAG_VADDR, 0, 8 << 20, NULL), 0);
	assert_int_equal(set_container(sim, g2, c), -EBUSY);
	/* The last group out takes the mappings, invalid or not. */
	assert_int_equal(sim_ioctl(sim, g, IOFD_U_VFIO_GROUP_UNSET_CONTAINER, NULL), 0);
	assert_int_equal(iofd_sim_locked_pages(sim), 0);
	assert_int_equal(set_container(sim, g2, c), 0);
	assert_int_equal(set_iommu(sim, c, IOFD_U_VFIO_TYPE1v2_IOMMU), 0);
	assert_int_equal(set_container(sim, g, c), 0);
	assert_int_equal(sim_close(sim, g), 0);
	assert_int_equal(sim_close(sim, g2), 0);
	assert_int_equal(sim_close(sim, c), 0);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
	munmap(buf, 4 * PS);
}

static void dirty_bitmaps_ignore_dma_and_survive_failures(void **state)
{
	struct iofd_sim *sim = vtd_host(0, 0, 2);
	const uint64_t a = 0x100000, b = a + 64 * PS;	/* each at bit 0 of a word */
	char *buf = mem(8 * PS);
	uint64_t bm[2] = { 0 }, un, before;
	int g, g2, c;

	c = container(sim, IOFD_U_VFIO_TYPE1v2_IOMMU, &g);
	g2 = open_node(sim, "/dev/vfio/2");
	assert_int_equal(set_container(sim, g2, c), 0);
	assert_int_equal(map_dma(sim, c, DMA_RW, buf, 2 * PS, a), 0);
	/* START needs a bitmap per mapping: failing one, nothing starts. */
	before = sim_vfio_containers_hash(sim);
	sim->fail_point_at = sim->points + 1;
	assert_int_equal(dirty_pages(sim, c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_START), -ENOMEM);
	assert_int_equal(sim_vfio_containers_hash(sim), before);
	assert_int_equal(get_bitmap(sim, c, a, 128 * PS, bm, 16), -EINVAL);
	assert_int_equal(dirty_pages(sim, c, IOFD_U_VFIO_IOMMU_DIRTY_PAGES_FLAG_START), 0);
	/* A map while tracking failing anywhere, its bitmap last: not made at all. */
	before = sim_vfio_containers_hash(sim);
	for (unsigned int n = 1;; n++) {
		uint64_t locked = iofd_sim_locked_pages(sim);
		int r;

		sim->fail_point_at = sim->points + n;
		r = map_dma(sim, c, DMA_RW, buf + 2 * PS, 2 * PS, b);
		if (r == 0)
			break;
		assert_true(r == -ENOMEM || r == -EFAULT);
		assert_int_equal(iofd_sim_locked_pages(sim), locked);
		assert_int_equal(sim_vfio_containers_hash(sim), before);
		assert_true(n < 100);
	}
	sim->fail_point_at = 0;
	/*
	 * No DMA at all: every mapped page is dirty, at every read. Writes
	 * change nothing. (Mappings at bit 0 of a word: no shift, so no stale
	 * bits, see tests/conformance/type1_uapi.c.)
	 */
	assert_int_equal(get_bitmap(sim, c, a, 128 * PS, bm, 16), 0);
	assert_int_equal(bm[0], 0x3);
	assert_int_equal(bm[1], 0x3);
	assert_int_equal(iofd_sim_dma_write(sim, "0000:00:01.0", a, "w", 1), 0);
	memset(bm, 0, sizeof(bm));
	assert_int_equal(get_bitmap(sim, c, a, 128 * PS, bm, 16), 0);
	assert_int_equal(bm[0], 0x3);
	assert_int_equal(bm[1], 0x3);
	/* A group leaving while tracking: still every page. */
	assert_int_equal(sim_ioctl(sim, g2, IOFD_U_VFIO_GROUP_UNSET_CONTAINER, NULL), 0);
	memset(bm, 0, sizeof(bm));
	assert_int_equal(get_bitmap(sim, c, a, 128 * PS, bm, 16), 0);
	assert_int_equal(bm[0], 0x3);
	assert_int_equal(bm[1], 0x3);
	/* Unmapping everything while tracking frees the bitmaps (ASan checks). */
	assert_int_equal(unmap_dma(sim, c, 0, a, 128 * PS, &un), 0);
	assert_int_equal(un, 4 * PS);
	assert_int_equal(map_dma(sim, c, DMA_RW, buf, 2 * PS, a), 0);
	assert_int_equal(sim_close(sim, g), 0);	/* the last group: the IOMMU, tracking and all */
	assert_int_equal(sim_close(sim, g2), 0);
	assert_int_equal(sim_close(sim, c), 0);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
	munmap(buf, 8 * PS);
}

static void v1_unmaps_release_whole_pins(void **state)
{
	struct iofd_sim *sim = vtd_host(0, 0, 1);
	char *buf = mem(8 * PS);
	uint64_t un;
	int g, c;

	c = container(sim, IOFD_U_VFIO_TYPE1_IOMMU, &g);
	assert_int_equal(map_dma(sim, c, DMA_RW, buf, 8 * PS, 0x100000), 0);
	assert_int_equal(iofd_sim_locked_pages(sim), 8);
	assert_int_equal(unmap_dma(sim, c, 0, 0x100000 + 4 * PS, 4 * PS, &un), 0);
	assert_int_equal(un, 0);
	assert_int_equal(iofd_sim_dma_write(sim, "0000:00:01.0", 0x100000 + 7 * PS, "v1", 2), 0);
	/* Its first page: all 8 go, pins and DMA with them. */
	assert_int_equal(unmap_dma(sim, c, 0, 0x100000, PS, &un), 0);
	assert_int_equal(un, 8 * PS);
	assert_int_equal(iofd_sim_locked_pages(sim), 0);
	assert_int_equal(iofd_sim_dma_write(sim, "0000:00:01.0", 0x100000 + 7 * PS, "v1", 2),
			 -EFAULT);
	assert_int_equal(sim_close(sim, g), 0);
	assert_int_equal(sim_close(sim, c), 0);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
	munmap(buf, 8 * PS);
}

static void nesting_and_unisolated_msis_refuse_set_iommu(void **state)
{
	IOFD_OPTS(iofd_sim_iommu_opts, smmu, .type = IOFD_IOMMU_ARM_SMMUV3);
	IOFD_OPTS(iofd_sim_iommu_opts, noremap, .type = IOFD_IOMMU_INTEL_VTD, .vtd_cap = VTD_CAP,
		  .vtd_ecap = VTD_ECAP_SC, .flags = IOFD_SIM_IOMMU_NO_IRQ_REMAP);
	struct iofd_sim *sim = host(0, 0, &smmu, 1);
	int c = open_node(sim, "/dev/vfio/vfio"), g = open_node(sim, "/dev/vfio/1");

	/* 6.12's SMMUv3 finalises a domain for its device: nesting is EPERM. */
	assert_int_equal(set_container(sim, g, c), 0);
	assert_int_equal(set_iommu(sim, c, IOFD_U_VFIO_TYPE1_NESTING_IOMMU), -EPERM);
	assert_int_equal(set_iommu(sim, c, IOFD_U_VFIO_TYPE1v2_IOMMU), 0);
	assert_int_equal(sim_close(sim, g), 0);
	assert_int_equal(sim_close(sim, c), 0);
	iofd_sim_free(sim);
	/* Without interrupt remapping, type1 takes no group (allow_unsafe_interrupts off). */
	sim = host(0, 0, &noremap, 1);
	c = open_node(sim, "/dev/vfio/vfio");
	g = open_node(sim, "/dev/vfio/1");
	assert_int_equal(set_container(sim, g, c), 0);
	assert_int_equal(set_iommu(sim, c, IOFD_U_VFIO_TYPE1v2_IOMMU), -EPERM);
	assert_int_equal(set_iommu(sim, c, IOFD_U_VFIO_TYPE1_IOMMU), -EPERM);
	assert_int_equal(sim_close(sim, g), 0);
	assert_int_equal(sim_close(sim, c), 0);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
}

static void cap_ipc_lock_lifts_the_limit_but_type1_still_charges(void **state)
{
	struct iofd_sim *sim = vtd_host(0, 4, 1);
	char *buf = mem(8 * PS);
	uint64_t un;
	int g, c;

	c = container(sim, IOFD_U_VFIO_TYPE1v2_IOMMU, &g);
	assert_int_equal(map_dma(sim, c, DMA_RW, buf, 8 * PS, 0x100000), -ENOMEM);
	assert_int_equal(map_dma(sim, c, DMA_RW, buf, 4 * PS, 0x100000), 0);
	assert_int_equal(iofd_sim_locked_pages(sim), 4);
	assert_int_equal(iofd_sim_pinned_pages(sim), 0);	/* not VmPin */
	assert_int_equal(unmap_dma(sim, c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(sim_close(sim, g), 0);
	assert_int_equal(sim_close(sim, c), 0);
	iofd_sim_free(sim);

	sim = vtd_host(IOFD_SIM_CAP_IPC_LOCK, 4, 1);
	c = container(sim, IOFD_U_VFIO_TYPE1v2_IOMMU, &g);
	assert_int_equal(map_dma(sim, c, DMA_RW, buf, 8 * PS, 0x100000), 0);
	assert_int_equal(iofd_sim_locked_pages(sim), 8);
	assert_int_equal(unmap_dma(sim, c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(iofd_sim_locked_pages(sim), 0);
	assert_int_equal(sim_close(sim, g), 0);
	assert_int_equal(sim_close(sim, c), 0);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
	munmap(buf, 8 * PS);
}

/* ------------------------------------------------------------------------
 * iommufd as /dev/vfio/vfio (IOFD_SIM_VFIO_CONTAINER_IOMMUFD)
 */

static int option(struct iofd_sim *sim, int fd, uint16_t op, uint64_t *val)
{
	struct iofd_u_iommu_option o = {
		.size = sizeof(o), .option_id = IOFD_U_IOMMU_OPTION_RLIMIT_MODE, .op = op,
		.val64 = *val,
	};
	int r = sim_ioctl(sim, fd, IOFD_U_IOMMU_OPTION, &o);

	*val = o.val64;
	return r;
}

static void the_vfio_container_charges_the_process(void **state)
{
	struct iofd_sim *sim = vtd_host(IOFD_SIM_VFIO_CONTAINER_IOMMUFD | IOFD_SIM_CAP_SYS_RESOURCE,
					4, 1);
	char *buf = mem(8 * PS);
	int c, g, d, ifd;
	uint64_t un, val = 0;
	uint32_t ioas = 0;
	struct stat st;

	c = open_node(sim, "/dev/vfio/vfio");
	assert_true(c >= 0);
	assert_int_equal(iofd_sim_kernel_ops()->fstat(sim, c, &st), 0);
	assert_int_equal(st.st_mode, S_IFCHR | 0666);
	assert_int_equal(st.st_rdev, makedev(10, 196));
	assert_int_equal(option(sim, c, IOFD_U_IOMMU_OPTION_OP_GET, &val), 0);
	assert_int_equal(val, 1);
	/* An iommufd in every way: its own IOAS ids. */
	assert_int_equal(ioas_alloc(sim, c, &ioas), 0);
	assert_int_equal(ioas, 1);
	assert_int_equal(obj_destroy(sim, c, ioas), 0);
	g = open_node(sim, "/dev/vfio/1");
	assert_int_equal(set_container(sim, g, c), 0);
	d = sim_ioctl(sim, g, IOFD_U_VFIO_GROUP_GET_DEVICE_FD, (void *)"0000:00:01.0");
	assert_true(d >= 0);
	assert_int_equal(set_iommu(sim, c, IOFD_U_VFIO_TYPE1v2_IOMMU), 0);
	/* The process's RLIMIT_MEMLOCK (4 pages): mm->locked_vm ... */
	assert_int_equal(map_dma(sim, c, DMA_RW, buf, 8 * PS, 0x100000), -ENOMEM);
	assert_int_equal(map_dma(sim, c, DMA_RW, buf, 3 * PS, 0x100000), 0);
	assert_int_equal(iofd_sim_pinned_pages(sim), 3);	/* iommufd's pins are VmPin */
	/* ... which /dev/iommu does not share by default (the user's) ... */
	ifd = sim_open_iommu(sim);
	assert_int_equal(ioas_alloc(sim, ifd, &ioas), 0);
	{
		struct sim_domain dom;
		uint64_t iova = 0x100000;

		domain_init(&dom, PS, 0, UINT64_MAX);
		assert_int_equal(sim_ioas_add_domain(ioas_of(sim, ifd, ioas), &dom), 0);
		assert_int_equal(ioas_map(sim, ifd, ioas, RW | FIXED, buf + 3 * PS, 3 * PS, &iova),
				 0);
		assert_int_equal(iofd_sim_locked_pages(sim), 6);
		assert_int_equal(ioas_unmap(sim, ifd, ioas, 0, UINT64_MAX, NULL), 0);
		sim_ioas_remove_domain(ioas_of(sim, ifd, ioas), &dom);
	}
	assert_int_equal(sim_close(sim, ifd), 0);
	/* ... until it charges the process too (RLIMIT_MODE 1). */
	ifd = sim_open_iommu(sim);
	val = 1;
	assert_int_equal(option(sim, ifd, IOFD_U_IOMMU_OPTION_OP_SET, &val), 0);
	assert_int_equal(ioas_alloc(sim, ifd, &ioas), 0);
	{
		struct sim_domain dom;
		uint64_t iova = 0x100000;

		domain_init(&dom, PS, 0, UINT64_MAX);
		assert_int_equal(sim_ioas_add_domain(ioas_of(sim, ifd, ioas), &dom), 0);
		assert_int_equal(ioas_map(sim, ifd, ioas, RW | FIXED, buf + 3 * PS, 3 * PS, &iova),
				 -ENOMEM);
		sim_ioas_remove_domain(ioas_of(sim, ifd, ioas), &dom);
	}
	assert_int_equal(sim_close(sim, ifd), 0);
	assert_int_equal(unmap_dma(sim, c, IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &un), 0);
	assert_int_equal(un, 3 * PS);
	assert_int_equal(sim_close(sim, d), 0);
	assert_int_equal(sim_close(sim, g), 0);
	assert_int_equal(sim_close(sim, c), 0);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
	munmap(buf, 8 * PS);
}

/* A file under the simulated host's sysfs or /dev, read into @buf ("" if none). */
static bool tree_has(struct iofd_sim *sim, bool dev, const char *rel, char *buf, size_t len)
{
	char path[4096];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dev ? iofd_sim_dev_root(sim) : iofd_sim_sysfs_root(sim),
		 rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = buf ? read(fd, buf, len - 1) : 0;
	if (buf)
		buf[n > 0 ? n : 0] = 0;
	close(fd);
	return true;
}

/* What libiommufd's discovery makes of the simulated host. */
static void discover(struct iofd_sim *sim, int *kind, int *type1, int *compat)
{
	IOFD_OPTS(iofd_ctx_opts, o, .backend = IOFD_BACKEND_AUTO);
	struct iofd_host *h;
	struct iofd_ctx *ctx;

	assert_int_equal(iofd_sim_ctx_opts(sim, &o), 0);
	assert_int_equal(iofd_ctx_new(&ctx, &o), 0);
	assert_int_equal(iofd_host_scan(&h, ctx), 0);
	*kind = iofd_host_container_kind(h);
	*type1 = iofd_host_backend_available(h, IOFD_BACKEND_TYPE1);
	*compat = iofd_host_backend_available(h, IOFD_BACKEND_COMPAT);
	iofd_host_free(h);
	iofd_ctx_free(ctx);
}

static void discovery_tells_the_two_containers_apart(void **state)
{
	char with[64], without[64];
	struct iofd_sim *sim;
	int kind, type1, compat;

	sim = vtd_host(0, 0, 1);
	assert_true(tree_has(sim, false, "class/misc/vfio/dev", without, sizeof(without)));
	assert_true(tree_has(sim, true, "vfio/vfio", NULL, 0));
	discover(sim, &kind, &type1, &compat);
	assert_int_equal(kind, IOFD_CONTAINER_VFIO);
	assert_int_equal(type1, 1);
	assert_int_equal(compat, 1);
	assert_sim_empty(sim);
	iofd_sim_free(sim);

	/* The same tree; only asking /dev/vfio/vfio an iommufd ioctl tells. */
	sim = vtd_host(IOFD_SIM_VFIO_CONTAINER_IOMMUFD, 0, 1);
	assert_true(tree_has(sim, false, "class/misc/vfio/dev", with, sizeof(with)));
	assert_string_equal(with, without);
	assert_string_equal(with, "10:196\n");
	assert_true(tree_has(sim, true, "vfio/vfio", NULL, 0));
	discover(sim, &kind, &type1, &compat);
	assert_int_equal(kind, IOFD_CONTAINER_IOMMUFD);
	assert_int_equal(type1, 0);
	assert_int_equal(compat, 1);
	assert_sim_empty(sim);
	iofd_sim_free(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(update_vaddr_moves_dma_to_the_new_memory),
		cmocka_unit_test(a_vaddr_left_invalid_goes_with_its_mapping),
		cmocka_unit_test(dirty_bitmaps_ignore_dma_and_survive_failures),
		cmocka_unit_test(v1_unmaps_release_whole_pins),
		cmocka_unit_test(nesting_and_unisolated_msis_refuse_set_iommu),
		cmocka_unit_test(cap_ipc_lock_lifts_the_limit_but_type1_still_charges),
		cmocka_unit_test(the_vfio_container_charges_the_process),
		cmocka_unit_test(discovery_tells_the_two_containers_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
