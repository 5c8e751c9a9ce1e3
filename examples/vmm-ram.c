// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vmm-ram: what a VMM does with libiommufd before it starts a guest with
 * passthrough devices. Guest RAM is a memfd (2 MiB huge pages when the
 * host has them), laid out as a PC's is: low RAM below the PCI hole and
 * high RAM from 4 GiB. Each RAM block is mapped at its guest-physical
 * address (a fixed IOVA) into one IOAS that all the devices share, so a
 * device's DMA to a guest-physical address lands in guest RAM. Then it
 * prints, per device, what the VMM hands to KVM: the file to add to the
 * KVM-VFIO device and whether KVM will treat its DMA as coherent.
 *
 *	vmm-ram [-b iommufd|type1|compat|auto] [-m MiB] BDF...
 *	vmm-ram --sim [-b ...]	(a simulated machine: two NVMe controllers
 *				 behind VT-d units of different coherency)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libiommufd.h>
#ifdef HAVE_LIBIOMMUFD_SIM
#include <libiommufd-sim.h>
#endif

#define MiB (1ull << 20)
#define PCI_HOLE_START (3ull << 30)	/* low RAM ends here at most */
#define HIGH_RAM_START (4ull << 30)

struct ram_block {
	const char *name;
	uint64_t gpa, size;
	void *hva;
};

/* Guest RAM: one memfd, huge pages when there are enough. */
static void *guest_ram(size_t size, bool *huge)
{
	int fd = memfd_create("guest-ram", MFD_CLOEXEC | MFD_HUGETLB);
	void *p = MAP_FAILED;

	*huge = fd >= 0 && ftruncate(fd, (off_t)size) == 0 &&
		(p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0)) !=
			MAP_FAILED;
	if (fd >= 0)
		close(fd);
	if (*huge)
		return p;
	fd = memfd_create("guest-ram", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* Is [gpa, gpa + size) inside one usable IOVA range? */
static bool usable(struct iofd_ioas *ioas, uint64_t gpa, uint64_t size)
{
	struct iofd_iova_range r[32];
	int n = iofd_ioas_iova_ranges(ioas, r, 32);

	for (int i = 0; i < n && i < 32; i++)
		if (r[i].start <= gpa && gpa + size - 1 <= r[i].last)
			return true;
	return false;
}

static int run(struct iofd_ctx *ctx, char **bdfs, int n, uint64_t ram_mib)
{
	struct iofd_device *devs[16] = { 0 };
	uint64_t low = ram_mib * MiB / 2, high = ram_mib * MiB - low;
	struct ram_block ram[2] = {
		{ "low RAM", 0, low, NULL },
		{ "high RAM", HIGH_RAM_START, high, NULL },
	};
	struct iofd_ioas *ioas = NULL;
	bool huge;
	char *base;
	int r;

	base = guest_ram(ram_mib * MiB, &huge);
	if (!base)
		return -ENOMEM;
	ram[0].hva = base;
	ram[1].hva = base + low;
	printf("guest RAM: %llu MiB memfd, %s pages\n", (unsigned long long)ram_mib,
	       huge ? "2 MiB huge" : "4 KiB (no huge pages available)");
	r = iofd_ioas_new(&ioas, ctx, NULL);
	for (int i = 0; i < n && r == 0; i++) {
		r = iofd_device_open(&devs[i], ctx, bdfs[i], NULL);
		if (r == 0)
			r = iofd_device_attach(devs[i], ioas);
		if (r < 0)
			fprintf(stderr, "%s: %s\n", bdfs[i], strerror(-r));
	}
	for (int i = 0; i < 2 && r == 0; i++) {
		uint64_t gpa = ram[i].gpa;

		if (!usable(ioas, gpa, ram[i].size)) {
			fprintf(stderr, "%s at %#llx: not usable by every device (reserved or "
				"beyond an aperture)\n", ram[i].name, (unsigned long long)gpa);
			r = -ERANGE;
			break;
		}
		r = iofd_ioas_map(ioas, ram[i].hva, ram[i].size,
				  IOFD_MAP_READ | IOFD_MAP_WRITE | IOFD_MAP_FIXED_IOVA, &gpa);
		if (r == 0)
			printf("%-8s GPA 0x%09llx-0x%09llx -> HVA %p\n", ram[i].name,
			       (unsigned long long)ram[i].gpa,
			       (unsigned long long)(ram[i].gpa + ram[i].size - 1), ram[i].hva);
		else
			fprintf(stderr, "%s: map: %s\n", ram[i].name, strerror(-r));
	}
	if (r == 0) {
		printf("\n%zu device(s) in %zu domain(s) of one IOAS; for KVM:\n",
		       iofd_ioas_device_count(ioas), iofd_ioas_domain_count(ioas));
		for (int i = 0; i < n; i++) {
			int kvm = iofd_device_kvm_coherent(devs[i]);

			printf("  %s: KVM_DEV_VFIO_FILE_ADD fd %d; DMA coherent for KVM: %s\n"
			       "    (domain enforces coherency: %s) %s\n",
			       iofd_device_name(devs[i]), iofd_device_fd(devs[i]),
			       kvm == 1 ? "yes" : kvm == 0 ? "no: KVM honours no-snoop (WBINVD)" : "?",
			       iofd_domain_enforces_coherency(iofd_device_domain(devs[i])) == 1 ? "yes"
												  : "no",
			       iofd_device_placement(devs[i]));
		}
		/* What the mappings cost in pinned memory, per kernel address space. */
		for (size_t s = 0; s < iofd_ioas_space_count(ioas); s++)
			printf("  kernel address space %zu: %lld pages pinned\n", s,
			       (long long)iofd_ioas_space_pinned_pages(ioas, s));
		/* A VMM's DMA path: the GPA a device was given is guest RAM. */
		uint64_t iova;

		r = iofd_ioas_translate(ioas, ram[1].hva, &iova, NULL);
		if (r == 0 && iova != HIGH_RAM_START)
			r = -EPROTO;
	}
	for (int i = 0; i < n; i++)
		iofd_device_close(devs[i]);
	iofd_ioas_free(ioas);
	munmap(base, ram_mib * MiB);
	return r;
}

#ifdef HAVE_LIBIOMMUFD_SIM
static int sim_machine(struct iofd_sim *sim)
{
	IOFD_OPTS(iofd_sim_iommu_opts, sc, .type = IOFD_IOMMU_INTEL_VTD, .vtd_ecap = 0xf00fca,
		  .vtd_cap = 0xd2008c22260206);
	IOFD_OPTS(iofd_sim_iommu_opts, nosc, .type = IOFD_IOMMU_INTEL_VTD, .vtd_ecap = 0xf00f4a,
		  .vtd_cap = 0xd2008c22260206);
	IOFD_OPTS(iofd_sim_pci_opts, a, .bdf = "0000:00:01.0", .driver = "vfio-pci");
	IOFD_OPTS(iofd_sim_pci_opts, b, .bdf = "0000:00:02.0", .driver = "vfio-pci");
	int r;

	a.iommu = iofd_sim_add_iommu(sim, &sc);
	b.iommu = iofd_sim_add_iommu(sim, &nosc);
	r = a.iommu < 0 ? a.iommu : b.iommu < 0 ? b.iommu : iofd_sim_add_pci(sim, &a);
	return r ? r : iofd_sim_add_pci(sim, &b);
}
#endif

int main(int argc, char **argv)
{
	static char *sim_bdfs[] = { "0000:00:01.0", "0000:00:02.0" };
	IOFD_OPTS(iofd_ctx_opts, o);
	struct iofd_ctx *ctx = NULL;
	void *sim = NULL;
	uint64_t ram_mib = 64;
	char **bdfs = NULL;
	bool use_sim = false;
	int n = 0, r;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-b") && i + 1 < argc) {
			const char *b = argv[++i];

			o.backend = !strcmp(b, "iommufd") ? IOFD_BACKEND_IOMMUFD :
				    !strcmp(b, "type1")   ? IOFD_BACKEND_TYPE1 :
				    !strcmp(b, "compat")  ? IOFD_BACKEND_COMPAT : IOFD_BACKEND_AUTO;
		} else if (!strcmp(argv[i], "-m") && i + 1 < argc) {
			ram_mib = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--sim")) {
			use_sim = true;
		} else {
			if (!bdfs)
				bdfs = &argv[i];
			n++;
		}
	}
	if ((!n && !use_sim) || n > 16 || ram_mib < 4 || ram_mib * MiB / 2 > PCI_HOLE_START) {
		fprintf(stderr, "usage: %s [-b iommufd|type1|compat|auto] [-m MiB] BDF... | --sim\n",
			argv[0]);
		return 2;
	}
	if (use_sim) {
#ifdef HAVE_LIBIOMMUFD_SIM
		r = iofd_sim_new((struct iofd_sim **)&sim, NULL);
		if (r == 0)
			r = sim_machine(sim);
		if (r == 0)
			r = iofd_sim_ctx_opts(sim, &o);
		if (r < 0) {
			fprintf(stderr, "vmm-ram: the simulated machine: %s\n", strerror(-r));
			return 1;
		}
		bdfs = sim_bdfs;
		n = 2;
#else
		fprintf(stderr, "vmm-ram: built without libiommufd-sim\n");
		return 2;
#endif
	}
	r = iofd_ctx_new(&ctx, &o);
	if (r == 0)
		r = run(ctx, bdfs, n, ram_mib);
	iofd_ctx_free(ctx);
#ifdef HAVE_LIBIOMMUFD_SIM
	iofd_sim_free(sim);
#endif
	if (r < 0)
		fprintf(stderr, "vmm-ram: %s\n", strerror(-r));
	return r < 0;
}
