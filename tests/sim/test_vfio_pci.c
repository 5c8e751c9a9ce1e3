// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Device access through libiommufd on the simulated kernel's vfio-pci:
 * regions and their mmap-able areas (6.12's MSIX_MAPPABLE BAR, and a
 * sparse BAR whose MSI-X table the kernel keeps, which the library refuses
 * to map before asking), config space, and interrupts end to end: routed
 * to eventfds, raised by the simulated device, INTx masked on delivery and
 * unmasked by the library, MSI and MSI-X, the kernel's errnos, and
 * teardown. Each on iommufd (a cdev) and on type1 (a group's device fd).
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>

#include "simtest.h"

#include <libiommufd.h>

#define NVME "0000:00:01.0"
#define E1000E "0000:00:03.0"

struct fixture {
	struct iofd_sim *sim;
	struct iofd_ctx *ctx;
	struct iofd_ioas *ioas;
	struct iofd_device *nvme, *nic;
	unsigned int mmaps;	/* mmap calls that reached the kernel */
};

static struct fixture *the_fixture;

/* The simulator's ops, with mmap counted. */
static int counting_mmap(void *priv, void **ret, size_t len, int prot, int flags, int fd,
			 off_t off)
{
	the_fixture->mmaps++;
	return iofd_sim_kernel_ops()->mmap(priv, ret, len, prot, flags, fd, off);
}

static struct iofd_kernel_ops counting_ops;

static int setup(void **state, enum iofd_backend backend)
{
	struct fixture *f = calloc(1, sizeof(*f));
	IOFD_OPTS(iofd_sim_iommu_opts, vtd, .type = IOFD_IOMMU_INTEL_VTD);
	IOFD_OPTS(iofd_sim_pci_opts, nvme, .bdf = NVME, .driver = "vfio-pci");
	IOFD_OPTS(iofd_sim_pci_opts, nic, .bdf = E1000E, .driver = "vfio-pci", .vendor = 0x8086,
		  .device = 0x10d3, .class_code = 0x020000);
	IOFD_OPTS(iofd_ctx_opts, o, .backend = backend);

	assert_non_null(f);
	the_fixture = f;
	f->sim = sim_make(0, 0);
	nvme.iommu = nic.iommu = iofd_sim_add_iommu(f->sim, &vtd);
	assert_true(nvme.iommu >= 0);
	assert_int_equal(iofd_sim_add_pci(f->sim, &nvme), 0);
	assert_int_equal(iofd_sim_add_pci(f->sim, &nic), 0);
	assert_int_equal(iofd_sim_ctx_opts(f->sim, &o), 0);
	counting_ops = *o.kernel;
	counting_ops.mmap = counting_mmap;
	o.kernel = &counting_ops;
	assert_int_equal(iofd_ctx_new(&f->ctx, &o), 0);
	assert_int_equal(iofd_ioas_new(&f->ioas, f->ctx, NULL), 0);
	assert_int_equal(iofd_device_open(&f->nvme, f->ctx, NVME, NULL), 0);
	assert_int_equal(iofd_device_open(&f->nic, f->ctx, E1000E, NULL), 0);
	assert_int_equal(iofd_device_attach(f->nvme, f->ioas), 0);
	assert_int_equal(iofd_device_attach(f->nic, f->ioas), 0);
	*state = f;
	return 0;
}

static int setup_cdev(void **state)
{
	return setup(state, IOFD_BACKEND_IOMMUFD);
}

static int setup_type1(void **state)
{
	return setup(state, IOFD_BACKEND_TYPE1);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	iofd_device_close(f->nvme);
	iofd_device_close(f->nic);
	assert_int_equal(iofd_ioas_free(f->ioas), 0);
	iofd_ctx_free(f->ctx);
	assert_int_equal(iofd_sim_open_fds(f->sim), 0);
	iofd_sim_free(f->sim);
	free(f);
	return 0;
}

/* How many times @efd was signalled since the last look (0: none). */
static uint64_t fired(int efd)
{
	uint64_t n = 0;

	if (read(efd, &n, sizeof(n)) != sizeof(n))
		return 0;
	return n;
}

static int new_eventfd(void)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	assert_true(efd >= 0);
	return efd;
}

/* ------------------------------------------------------------------------
 * Regions
 */

static void the_msix_bar_maps_whole_on_6_12(void **state)
{
	struct fixture *f = *state;
	struct iofd_region_area a[2] = { { 1, 1 }, { 7, 7 } };
	const uint32_t want = IOFD_REGION_READ | IOFD_REGION_WRITE | IOFD_REGION_MMAP |
			      IOFD_REGION_MSIX_MAPPABLE;
	uint32_t flags, reg = 0xabcd1234, back = 0;
	uint64_t size;
	volatile uint32_t *bar;
	void *p = NULL;

	assert_int_equal(iofd_device_region(f->nvme, IOFD_PCI_BAR(0), &size, &flags), 0);
	assert_int_equal(size, 0x4000);
	assert_int_equal(flags, want);
	/* One area, the whole BAR; sizing with n = 0 writes nothing. */
	assert_int_equal(iofd_device_region_mmap_areas(f->nvme, IOFD_PCI_BAR(0), NULL, 0), 1);
	assert_int_equal(iofd_device_region_mmap_areas(f->nvme, IOFD_PCI_BAR(0), a, 2), 1);
	assert_int_equal(a[0].offset, 0);
	assert_int_equal(a[0].size, 0x4000);
	assert_int_equal(a[1].offset, 7);
	assert_int_equal(iofd_device_region_mmap_areas(f->nvme, IOFD_PCI_BAR(0), NULL, 1), -EINVAL);
	/* Config space and an absent BAR: nothing to mmap. */
	assert_int_equal(iofd_device_region_mmap_areas(f->nvme, IOFD_PCI_CONFIG, a, 2), 0);
	assert_int_equal(iofd_device_region_mmap_areas(f->nvme, IOFD_PCI_BAR(1), a, 2), 0);

	/* The whole BAR maps, and what is written there is the BAR's. */
	assert_int_equal(iofd_device_region_mmap(f->nvme, IOFD_PCI_BAR(0), 0, 0x4000,
						 PROT_READ | PROT_WRITE, &p), 0);
	assert_int_equal(f->mmaps, 1);
	bar = p;
	bar[0x14 / 4] = 0x460001;
	assert_int_equal(iofd_device_region_read(f->nvme, IOFD_PCI_BAR(0), 0x14, &back, 4), 4);
	assert_int_equal(back, 0x460001);
	assert_int_equal(iofd_device_region_write(f->nvme, IOFD_PCI_BAR(0), 0x1000, &reg, 4), 4);
	assert_int_equal(bar[0x1000 / 4], 0xabcd1234);
	/* pread/pwrite never reach the MSI-X table: vfio-pci keeps it. */
	assert_int_equal(iofd_device_region_read(f->nvme, IOFD_PCI_BAR(0), 0x2000, &back, 4), 4);
	assert_int_equal(back, 0xffffffff);
	munmap(p, 0x4000);

	/* Past the end, or config space: refused by the library, not mapped. */
	assert_int_equal(iofd_device_region_mmap(f->nvme, IOFD_PCI_BAR(0), 0x1000, 0x4000,
						 PROT_READ, &p), -EINVAL);
	assert_int_equal(iofd_device_region_mmap(f->nvme, IOFD_PCI_CONFIG, 0, 0x1000, PROT_READ,
						 &p), -EINVAL);
	assert_int_equal(iofd_device_region_mmap(f->nvme, IOFD_PCI_BAR(0), 0x800, 0x1000,
						 PROT_READ, &p), -EINVAL);
	assert_int_equal(f->mmaps, 1);

	/* The e1000e: its I/O BAR reads but does not map; its MSI-X BAR is 3. */
	assert_int_equal(iofd_device_region(f->nic, IOFD_PCI_BAR(2), &size, &flags), 0);
	assert_int_equal(size, 0x20);
	assert_int_equal(flags, IOFD_REGION_READ | IOFD_REGION_WRITE);
	assert_int_equal(iofd_device_region_mmap(f->nic, IOFD_PCI_BAR(2), 0, 0x1000, PROT_READ,
						 &p), -EINVAL);
	assert_int_equal(iofd_device_region(f->nic, IOFD_PCI_BAR(0), NULL, &flags), 0);
	assert_false(flags & IOFD_REGION_MSIX_MAPPABLE);
	assert_int_equal(iofd_device_region(f->nic, IOFD_PCI_BAR(3), NULL, &flags), 0);
	assert_true(flags & IOFD_REGION_MSIX_MAPPABLE);
	assert_int_equal(f->mmaps, 1);
}

static void a_sparse_bar_maps_only_its_areas(void **state)
{
	struct fixture *f = *state;
	struct iofd_region_area a[2] = { { 0 } }, sentinel = { 7, 7 };
	uint32_t flags;
	void *p = NULL;
	int dfd = iofd_device_fd(f->nvme);

	assert_int_equal(iofd_sim_pci_sparse_msix(f->sim, NVME, true), 0);
	assert_int_equal(iofd_device_region(f->nvme, IOFD_PCI_BAR(0), NULL, &flags), 0);
	assert_int_equal(flags, IOFD_REGION_READ | IOFD_REGION_WRITE | IOFD_REGION_MMAP |
				IOFD_REGION_SPARSE_MMAP);
	/* Two areas around the table's page; room for one writes one. */
	a[1] = sentinel;
	assert_int_equal(iofd_device_region_mmap_areas(f->nvme, IOFD_PCI_BAR(0), a, 1), 2);
	assert_int_equal(a[0].offset, 0);
	assert_int_equal(a[0].size, 0x2000);
	assert_int_equal(a[1].offset, 7);
	assert_int_equal(iofd_device_region_mmap_areas(f->nvme, IOFD_PCI_BAR(0), a, 2), 2);
	assert_int_equal(a[1].offset, 0x3000);
	assert_int_equal(a[1].size, 0x1000);

	/* Inside an area: mapped. */
	assert_int_equal(iofd_device_region_mmap(f->nvme, IOFD_PCI_BAR(0), 0, 0x2000,
						 PROT_READ | PROT_WRITE, &p), 0);
	munmap(p, 0x2000);
	assert_int_equal(iofd_device_region_mmap(f->nvme, IOFD_PCI_BAR(0), 0x3000, 0x1000,
						 PROT_READ | PROT_WRITE, &p), 0);
	munmap(p, 0x1000);
	assert_int_equal(f->mmaps, 2);
	/* The table's page, across it, the whole BAR: refused before the kernel. */
	assert_int_equal(iofd_device_region_mmap(f->nvme, IOFD_PCI_BAR(0), 0x2000, 0x1000,
						 PROT_READ, &p), -EINVAL);
	assert_int_equal(iofd_device_region_mmap(f->nvme, IOFD_PCI_BAR(0), 0x1000, 0x2000,
						 PROT_READ, &p), -EINVAL);
	assert_int_equal(iofd_device_region_mmap(f->nvme, IOFD_PCI_BAR(0), 0, 0x4000, PROT_READ,
						 &p), -EINVAL);
	assert_int_equal(f->mmaps, 2);
	/* The simulated kernel refuses them too, as kernels before 4.16 did. */
	if (dfd >= 0)
		assert_int_equal(iofd_sim_kernel_ops()->mmap(f->sim, &p, 0x1000, PROT_READ,
							     MAP_SHARED, dfd, 0x2000), -EINVAL);
	/* And back to 6.12's answer. */
	assert_int_equal(iofd_sim_pci_sparse_msix(f->sim, NVME, false), 0);
	assert_int_equal(iofd_device_region_mmap(f->nvme, IOFD_PCI_BAR(0), 0x2000, 0x1000,
						 PROT_READ, &p), 0);
	munmap(p, 0x1000);
	assert_int_equal(iofd_sim_pci_sparse_msix(f->sim, "0000:00:09.0", true), -ENODEV);
}

static void config_space_and_bus_mastering(void **state)
{
	struct fixture *f = *state;
	uint16_t ids[2], cmd;
	uint8_t pin, cap;

	assert_int_equal(iofd_device_region_read(f->nic, IOFD_PCI_CONFIG, 0, ids, 4), 4);
	assert_int_equal(ids[0], 0x8086);
	assert_int_equal(ids[1], 0x10d3);
	assert_int_equal(iofd_device_region_read(f->nic, IOFD_PCI_CONFIG, 0x3d, &pin, 1), 1);
	assert_int_equal(pin, 1);
	assert_int_equal(iofd_device_region_read(f->nvme, IOFD_PCI_CONFIG, 0x34, &cap, 1), 1);
	assert_int_equal(cap, 0x40);	/* MSI-X first, as QEMU's NVMe */
	assert_int_equal(iofd_device_bus_master(f->nvme, true), 0);
	assert_int_equal(iofd_device_region_read(f->nvme, IOFD_PCI_CONFIG, 4, &cmd, 2), 2);
	assert_true(cmd & 0x4);
	assert_int_equal(iofd_device_bus_master(f->nvme, false), 0);
	assert_int_equal(iofd_device_region_read(f->nvme, IOFD_PCI_CONFIG, 4, &cmd, 2), 2);
	assert_false(cmd & 0x4);
	/* Read-only fields keep their value. */
	ids[0] = 0;
	assert_int_equal(iofd_device_region_write(f->nvme, IOFD_PCI_CONFIG, 0, ids, 2), 2);
	assert_int_equal(iofd_device_region_read(f->nvme, IOFD_PCI_CONFIG, 0, ids, 2), 2);
	assert_int_equal(ids[0], 0x1b36);
}

/* ------------------------------------------------------------------------
 * Interrupts
 */

static void intx_is_masked_on_delivery_and_unmasked_by_the_library(void **state)
{
	struct fixture *f = *state;
	int efd = new_eventfd(), fds[2] = { -1, -1 };

	assert_int_equal(iofd_device_irq_count(f->nvme, IOFD_PCI_IRQ_INTX), 1);
	/* Nothing routed: unmasking or disabling is EINVAL, a raise goes nowhere. */
	assert_int_equal(iofd_device_irq_unmask(f->nvme, IOFD_PCI_IRQ_INTX, 0), -EINVAL);
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_INTX, 0, 0, NULL), -EINVAL);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 0, 0, 1), 0);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 0, 0, 0), 0);
	/* INTx has one vector. */
	fds[0] = fds[1] = efd;
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_INTX, 0, 2, fds), -EINVAL);
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_INTX, 1, 1, &efd), -EINVAL);

	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_INTX, 0, 1, &efd), 0);
	assert_int_equal(fired(efd), 0);
	/* The device asserts its pin: one signal, then masked. */
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 0, 0, 1), 1);
	assert_int_equal(fired(efd), 1);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 0, 0, 1), 0);
	assert_int_equal(fired(efd), 0);
	/* Unmasked while the pin is still asserted: sent again, still masked. */
	assert_int_equal(iofd_device_irq_unmask(f->nvme, IOFD_PCI_IRQ_INTX, 0), 0);
	assert_int_equal(fired(efd), 1);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 0, 0, 1), 0);
	/* Serviced (the pin drops), then unmasked: the next one arrives. */
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 0, 0, 0), 0);
	assert_int_equal(iofd_device_irq_unmask(f->nvme, IOFD_PCI_IRQ_INTX, 0), 0);
	assert_int_equal(fired(efd), 0);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 0, 0, 1), 1);
	assert_int_equal(fired(efd), 1);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 0, 0, 0), 0);
	assert_int_equal(iofd_device_irq_unmask(f->nvme, IOFD_PCI_IRQ_INTX, 0), 0);
	/* Masked by the caller: held back until unmasked. */
	assert_int_equal(iofd_device_irq_mask(f->nvme, IOFD_PCI_IRQ_INTX, 0), 0);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 0, 0, 1), 0);
	assert_int_equal(fired(efd), 0);
	assert_int_equal(iofd_device_irq_unmask(f->nvme, IOFD_PCI_IRQ_INTX, 0), 0);
	assert_int_equal(fired(efd), 1);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 0, 0, 0), 0);
	assert_int_equal(iofd_device_irq_unmask(f->nvme, IOFD_PCI_IRQ_INTX, 0), 0);
	/* Other vectors and MSI-X cannot be masked: the kernel's errnos. */
	assert_int_equal(iofd_device_irq_unmask(f->nvme, IOFD_PCI_IRQ_INTX, 1), -EINVAL);
	assert_int_equal(iofd_device_irq_unmask(f->nvme, IOFD_PCI_IRQ_MSIX, 0), -ENOTTY);
	/* One kind at a time. */
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_MSIX, 0, 1, &efd), -EINVAL);

	/* VFIO holds its own reference: the caller's fd may go. */
	{
		int keep = dup(efd);

		assert_true(keep >= 0);
		close(efd);
		assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 0, 0, 1), 1);
		assert_int_equal(fired(keep), 1);
		efd = keep;
	}
	/* Disabled: nothing is delivered; a second disable is EINVAL. */
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_INTX, 0, 0, NULL), 0);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 0, 0, 0), 0);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 0, 0, 1), 0);
	assert_int_equal(fired(efd), 0);
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_INTX, 0, 0, NULL), -EINVAL);
	/* Routed again with the pin still up: it fires at once. */
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_INTX, 0, 1, &efd), 0);
	assert_int_equal(fired(efd), 1);
	/* Closing the device turns it off. */
	iofd_device_close(f->nvme);
	f->nvme = NULL;
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 0, 0, 0), 0);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 0, 0, 1), 0);
	assert_int_equal(fired(efd), 0);
	close(efd);
}

static void msi_and_msix_deliver_to_their_vectors(void **state)
{
	struct fixture *f = *state;
	int e0 = new_eventfd(), e1 = new_eventfd(), pipefd[2], fds[3];

	/* QEMU's NVMe has no MSI capability: nothing to route. */
	assert_int_equal(iofd_device_irq_count(f->nvme, IOFD_PCI_IRQ_MSI), 0);
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_MSI, 0, 1, &e0), -EINVAL);
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_MSI, 0, 0, NULL), -EINVAL);

	/* The e1000e's one MSI vector. */
	assert_int_equal(iofd_device_irq_count(f->nic, IOFD_PCI_IRQ_MSI), 1);
	assert_int_equal(iofd_device_irq_count(f->nic, IOFD_PCI_IRQ_MSIX), 5);
	fds[0] = fds[1] = e0;
	assert_int_equal(iofd_device_irq_set(f->nic, IOFD_PCI_IRQ_MSI, 0, 2, fds), -EINVAL);
	assert_int_equal(iofd_device_irq_set(f->nic, IOFD_PCI_IRQ_MSI, 0, 1, &e0), 0);
	/* A message is a DMA write: nothing without bus mastering. */
	assert_int_equal(iofd_sim_pci_irq(f->sim, E1000E, 1, 0, 1), 0);
	assert_int_equal(iofd_device_bus_master(f->nic, true), 0);
	assert_int_equal(iofd_sim_pci_irq(f->sim, E1000E, 1, 0, 1), 1);
	assert_int_equal(iofd_sim_pci_irq(f->sim, E1000E, 1, 0, 1), 1);
	assert_int_equal(fired(e0), 2);	/* edge: no masking */
	assert_int_equal(iofd_sim_pci_irq(f->sim, E1000E, 1, 1, 1), -EINVAL);
	/* One kind at a time; MSI cannot be masked. */
	assert_int_equal(iofd_device_irq_set(f->nic, IOFD_PCI_IRQ_INTX, 0, 1, &e1), -EINVAL);
	assert_int_equal(iofd_device_irq_unmask(f->nic, IOFD_PCI_IRQ_MSI, 0), -ENOTTY);
	assert_int_equal(iofd_device_irq_set(f->nic, IOFD_PCI_IRQ_MSI, 0, 0, NULL), 0);
	assert_int_equal(iofd_sim_pci_irq(f->sim, E1000E, 1, 0, 1), 0);
	assert_int_equal(fired(e0), 0);

	/* MSI-X: vectors 0 and 2 routed, 1 left out; more added later. */
	assert_int_equal(iofd_device_bus_master(f->nvme, true), 0);
	fds[0] = e0;
	fds[1] = -1;
	fds[2] = e1;
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_MSIX, 0, 3, fds), 0);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 2, 2, 1), 1);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 2, 1, 1), 0);
	assert_int_equal(fired(e1), 1);
	assert_int_equal(fired(e0), 0);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 2, 64, 1), 0);
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_MSIX, 64, 1, &e0), 0);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 2, 64, 1), 1);
	assert_int_equal(fired(e0), 1);
	/* Out of range, not an fd, not an eventfd: nothing changes. */
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_MSIX, 64, 2, fds), -EINVAL);
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_MSIX, 65, 1, &e0), -EINVAL);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 2, 65, 1), -EINVAL);
	fds[0] = 999;
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_MSIX, 3, 1, fds), -EBADF);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_MSIX, 3, 1, pipefd), -EINVAL);
	close(pipefd[0]);
	close(pipefd[1]);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 2, 2, 1), 1);
	assert_int_equal(fired(e1), 1);
	/* Disabled: every vector. */
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_MSIX, 0, 0, NULL), 0);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 2, 2, 1), 0);
	assert_int_equal(iofd_sim_pci_irq(f->sim, NVME, 2, 64, 1), 0);
	assert_int_equal(fired(e0) + fired(e1), 0);
	assert_int_equal(iofd_device_irq_set(f->nvme, IOFD_PCI_IRQ_MSIX, 0, 0, NULL), -EINVAL);
	close(e0);
	close(e1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define BOTH(t) cmocka_unit_test_setup_teardown(t, setup_cdev, teardown), \
		cmocka_unit_test_setup_teardown(t, setup_type1, teardown)
		BOTH(the_msix_bar_maps_whole_on_6_12),
		BOTH(a_sparse_bar_maps_only_its_areas),
		BOTH(config_space_and_bus_mastering),
		BOTH(intx_is_masked_on_delivery_and_unmasked_by_the_library),
		BOTH(msi_and_msix_deliver_to_their_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
