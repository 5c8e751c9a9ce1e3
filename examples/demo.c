// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The end-to-end demo: what libiommufd does for a VMM or a driver, shown on
 * a simulated machine (libiommufd-sim) with two VT-d units, one that
 * enforces cache coherency (snoop control) and one that does not, and an
 * NVMe controller behind each, on vfio-pci.
 *
 *  1. the library opens both devices and reads each one's IOMMU;
 *  2. attaches both to one IOAS and says where it placed each, and why;
 *  3. maps one buffer once, and each device reads it back by (simulated)
 *     DMA through its own domain; one device writes, the other reads;
 *  4. the memory is pinned once, however many domains translate it;
 *  5. after the unmap, both devices fault.
 *
 * Every step is checked; the exit status is 0 only when all of it held.
 *
 *	demo [iommufd|type1|compat]	(default: iommufd)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libiommufd-sim.h>
#include <libiommufd.h>

#define NVME_CC "0000:00:01.0"
#define NVME_NC "0000:00:02.0"

static int failures;

static void check(int ok, const char *what)
{
	printf("  [%s] %s\n", ok ? " ok " : "FAIL", what);
	failures += !ok;
}

static int add_machine(struct iofd_sim *sim)
{
	IOFD_OPTS(iofd_sim_iommu_opts, sc, .type = IOFD_IOMMU_INTEL_VTD, .vtd_cap = 0xd2008c22260206,
		  .vtd_ecap = 0xf00fca);
	IOFD_OPTS(iofd_sim_iommu_opts, nosc, .type = IOFD_IOMMU_INTEL_VTD,
		  .vtd_cap = 0xd2008c22260206, .vtd_ecap = 0xf00f4a);
	IOFD_OPTS(iofd_sim_pci_opts, a, .bdf = NVME_CC, .driver = "vfio-pci");
	IOFD_OPTS(iofd_sim_pci_opts, b, .bdf = NVME_NC, .driver = "vfio-pci");
	int r;

	a.iommu = iofd_sim_add_iommu(sim, &sc);
	b.iommu = iofd_sim_add_iommu(sim, &nosc);
	if (a.iommu < 0 || b.iommu < 0)
		return a.iommu < 0 ? a.iommu : b.iommu;
	r = iofd_sim_add_pci(sim, &a);
	return r ? r : iofd_sim_add_pci(sim, &b);
}

static uint64_t pinned(struct iofd_sim *sim, enum iofd_backend backend)
{
	return backend == IOFD_BACKEND_TYPE1 ? iofd_sim_locked_pages(sim) : iofd_sim_pinned_pages(sim);
}

static void show_device(struct iofd_device *dev)
{
	printf("  %s: IOMMU %s (%s); enforces coherency: %s; KVM will be told coherent: %s\n"
	       "    placement: %s\n",
	       iofd_device_name(dev), iofd_device_iommu_name(dev),
	       iofd_iommu_type_name(iofd_device_iommu_type(dev)),
	       iofd_device_enforces_coherency(dev) == 1 ? "yes" : "no",
	       iofd_device_kvm_coherent(dev) == 1 ? "yes" : "no", iofd_device_placement(dev));
}

static int run(struct iofd_sim *sim, enum iofd_backend backend)
{
	IOFD_OPTS(iofd_ctx_opts, copts, .backend = backend);
	struct iofd_device *cc = NULL, *nc = NULL;
	struct iofd_ioas *ioas = NULL;
	struct iofd_ctx *ctx = NULL;
	size_t ps = (size_t)sysconf(_SC_PAGESIZE), len = 16 * ps;
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char got[64];
	uint64_t iova = 0, back;
	int r;

	if (buf == MAP_FAILED)
		return -errno;
	printf("1. Open the two NVMe controllers (backend: %s)\n", iofd_backend_name(backend));
	r = iofd_sim_ctx_opts(sim, &copts);
	if (r == 0)
		r = iofd_ctx_new(&ctx, &copts);
	if (r == 0)
		r = iofd_ioas_new(&ioas, ctx, NULL);
	if (r == 0)
		r = iofd_device_open(&cc, ctx, NVME_CC, NULL);
	if (r == 0)
		r = iofd_device_open(&nc, ctx, NVME_NC, NULL);
	if (r < 0)
		goto out;
	check(iofd_device_enforces_coherency(cc) == 1, NVME_CC " is behind an IOMMU with snoop control");
	check(iofd_device_enforces_coherency(nc) == 0, NVME_NC " is behind one without");

	printf("2. Attach both to one IOAS\n");
	r = iofd_device_attach(cc, ioas);
	if (r == 0)
		r = iofd_device_attach(nc, ioas);
	if (r < 0)
		goto out;
	show_device(cc);
	show_device(nc);
	check(iofd_ioas_domain_count(ioas) == 2, "two domains: the classes differ in coherency");
	check(iofd_domain_enforces_coherency(iofd_device_domain(cc)) == 1,
	      "the coherent device is in a domain that enforces coherency");
	check(iofd_device_domain(cc) != iofd_device_domain(nc),
	      "the other device is not in that domain (it would be refused)");

	printf("3. Map one buffer once; both devices read it through their own domain\n");
	r = iofd_ioas_map(ioas, buf, len, IOFD_MAP_READ | IOFD_MAP_WRITE, &iova);
	if (r < 0)
		goto out;
	printf("  %zu KiB at user address %p mapped at IOVA %#llx\n", len >> 10, (void *)buf,
	       (unsigned long long)iova);
	check(iofd_ioas_translate(ioas, buf + 5 * ps + 7, &back, NULL) == 0 &&
		      back == iova + 5 * ps + 7,
	      "translate(user address) gives the IOVA a driver puts in a command");
	snprintf(buf + 3 * ps, 64, "written by the CPU");
	memset(got, 0, sizeof(got));
	check(iofd_sim_dma_read(sim, NVME_CC, iova + 3 * ps, got, 19) == 0 &&
		      !strcmp(got, "written by the CPU"),
	      NVME_CC " reads it by DMA");
	memset(got, 0, sizeof(got));
	check(iofd_sim_dma_read(sim, NVME_NC, iova + 3 * ps, got, 19) == 0 &&
		      !strcmp(got, "written by the CPU"),
	      NVME_NC " reads it by DMA");
	check(iofd_sim_dma_write(sim, NVME_NC, iova + 9 * ps, "written by a device", 20) == 0 &&
		      iofd_sim_dma_read(sim, NVME_CC, iova + 9 * ps, got, 20) == 0 &&
		      !strcmp(got, "written by a device") && !strcmp(buf + 9 * ps, got),
	      "one device writes, the other (and the CPU) read it");
	r = iofd_sim_check_domains(sim);
	printf("  the kernel's own check: %d (domain, page) translations right\n", r);
	check(r >= 0, "every domain translates every mapped page (MD_CHECK_MAP)");

	printf("4. Pinned once\n");
	printf("  %llu pages pinned (VmPin), %llu charged to RLIMIT_MEMLOCK, for %zu mapped\n",
	       (unsigned long long)iofd_sim_pinned_pages(sim),
	       (unsigned long long)iofd_sim_locked_pages(sim), len / ps);
	/* iommufd counts its pins in VmPin; VFIO's type1 charges locked_vm. */
	check(pinned(sim, backend) == len / ps, "two domains, one pin per page");

	printf("5. Unmap: both devices fault\n");
	r = iofd_ioas_unmap(ioas, iova, len);
	if (r < 0)
		goto out;
	check(iofd_sim_dma_read(sim, NVME_CC, iova, got, 1) == -EFAULT &&
		      iofd_sim_dma_read(sim, NVME_NC, iova, got, 1) == -EFAULT,
	      "DMA to the unmapped IOVA faults on both");
	check(pinned(sim, backend) == 0, "nothing is pinned any more");
out:
	if (r < 0)
		printf("  FAIL: %s\n", strerror(-r));
	iofd_device_close(cc);
	iofd_device_close(nc);
	iofd_ioas_free(ioas);
	iofd_ctx_free(ctx);
	munmap(buf, len);
	return r < 0 ? r : 0;
}

int main(int argc, char **argv)
{
	enum iofd_backend backend = IOFD_BACKEND_IOMMUFD;
	struct iofd_sim *sim;
	int r;

	if (argc > 1 && !strcmp(argv[1], "type1"))
		backend = IOFD_BACKEND_TYPE1;
	else if (argc > 1 && !strcmp(argv[1], "compat"))
		backend = IOFD_BACKEND_COMPAT;
	else if (argc > 1 && strcmp(argv[1], "iommufd")) {
		fprintf(stderr, "usage: %s [iommufd|type1|compat]\n", argv[0]);
		return 2;
	}
	printf("libiommufd %s on a simulated machine: VT-d with snoop control + NVMe %s,\n"
	       "VT-d without + NVMe %s, both on vfio-pci\n\n", iofd_version(), NVME_CC, NVME_NC);
	r = iofd_sim_new(&sim, NULL);
	if (r == 0)
		r = add_machine(sim);
	if (r == 0)
		r = run(sim, backend);
	if (r == 0 && (iofd_sim_open_fds(sim) || iofd_sim_objects(sim))) {
		printf("  FAIL: the kernel still holds %u fds, %u objects\n", iofd_sim_open_fds(sim),
		       iofd_sim_objects(sim));
		failures++;
	}
	iofd_sim_free(sim);
	if (r < 0)
		failures++;
	printf("\n%s\n", failures ? "demo: FAILED" : "demo: everything held");
	return failures ? 1 : 0;
}
