/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The conformance harness: every test gets a kernel behind a
 * struct iofd_kernel_ops, chosen by the environment:
 *
 *   IOFD_KERNEL=sim (default)  a fresh libiommufd-sim per test, made with the
 *                              capabilities and RLIMIT_MEMLOCK this process
 *                              has and with CONFIG_IOMMUFD_TEST, so that it
 *                              answers as the lab's kernel answers this process;
 *                              after each test nothing may be left: no fd,
 *                              object, pin or charge
 *   IOFD_KERNEL=real           the running kernel (/dev/iommu); the whole
 *                              program skips (77) when it has none
 *
 * Tests talk to the kernel only through the ops, so the same check runs on
 * both. A test needing something a kernel lacks (CONFIG_IOMMUFD_TEST) skips
 * saying so.
 */
#ifndef IOFD_CONFORMANCE_HARNESS_H
#define IOFD_CONFORMANCE_HARNESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>

#include <libiommufd-sim.h>

#include "uapi/iommufd.h"
#include "uapi/iommufd_test.h"
#include "uapi/vfio.h"

struct kern {
	const struct iofd_kernel_ops *ops;
	void *priv;
	struct iofd_sim *sim;		/* NULL on the real kernel */
	uint64_t page_size;
	uint64_t pinned_at_start;	/* VmPin when the test began */
	uint64_t locked_at_start;	/* VmLck when the test began */
	/* Memory the test asked for, unmapped at teardown. */
	struct {
		void *p;
		size_t len;
	} mem[32];
	int nmem;
};

#define KERN(state) ((struct kern *)*(state))

/* cmocka setup/teardown for each test. */
int kern_setup(void **state);
int kern_teardown(void **state);

/*
 * The lab's host for device tests: on the real kernel, the running one; on
 * the simulator, the lab's guest rebuilt as a topology (QEMU q35 with an
 * emulated VT-d, snoop control on or off as kern_sim_snoop_control says;
 * two NVMe controllers and an e1000e on vfio-pci, two virtio devices, the
 * ICH9 functions), so the same device tests run on both.
 */
extern bool kern_sim_snoop_control;
/* More IOFD_SIM_* flags for the simulators kern_setup() makes (for example
 * IOFD_SIM_VFIO_CONTAINER_IOMMUFD); 0 by default. */
extern uint32_t kern_sim_flags;
/* A VT-d unit as QEMU 7.2's (cap 0xd2008c22260206) with ECAP @ecap. */
int k_sim_add_vtd(struct iofd_sim *sim, uint64_t ecap);
/* A PCI device on vfio-pci behind IOMMU @iommu (asserted to succeed). */
void k_sim_add_vfio_dev(struct iofd_sim *sim, const char *bdf, int iommu, uint32_t flags);
int kern_setup_lab(void **state);
/* kern_setup() and kern_setup_lab() with iommufd serving /dev/vfio/vfio on
 * the simulator (IOFD_SIM_VFIO_CONTAINER_IOMMUFD, as in the lab's compat
 * boots); on the real kernel, the running one as it is. */
int kern_setup_iommufd_container(void **state);
/* @setup with IOFD_SIM_* @flags added for the simulator it makes. */
int kern_setup_with(void **state, int (*setup)(void **state), uint32_t flags);
int kern_setup_lab_iommufd_container(void **state);
/* The lab's mock boot: no VT-d (intel_iommu=off), only the selftest IOMMU. */
int kern_setup_mock(void **state);
/* cmocka tests on the lab's host, on the mock boot's, and on a bare simulator. */
#define T_LAB(f) cmocka_unit_test_setup_teardown(f, kern_setup_lab, kern_teardown)
#define T_MOCK(f) cmocka_unit_test_setup_teardown(f, kern_setup_mock, kern_teardown)
#define T_SIM(f) cmocka_unit_test_setup_teardown(f, kern_setup, kern_teardown)

/*
 * The main of a suite of device tests: @cdev on the lab's host (on the
 * simulator twice, VT-d snoop control on and off), @mock on the mock boot,
 * and, on the simulator only, @sim. Return: the exit status (77: no kernel).
 */
#define KERN_RUN(prog, cdev, mock, sim)                                          \
	kern_run(prog, cdev, sizeof(cdev) / sizeof(cdev[0]), mock,               \
		 sizeof(mock) / sizeof(mock[0]), sim, sizeof(sim) / sizeof(sim[0]))
int kern_run(const char *prog, const struct CMUnitTest *cdev, size_t n_cdev,
	     const struct CMUnitTest *mock, size_t n_mock, const struct CMUnitTest *sim,
	     size_t n_sim);

/* "sim" or "real"; the program's main calls this first (77 when real is missing). */
int kern_main_check(const char *prog);
bool kern_is_real(const struct kern *k);

/* The ops, asserting nothing. */
int k_open(struct kern *k);		/* /dev/iommu, asserted to open */
int k_ioctl(struct kern *k, int fd, unsigned long req, void *arg);
void k_close(struct kern *k, int fd);	/* asserted to succeed */

/* Pinned pages of this process (sim: the simulator's; real: VmPin), since setup. */
uint64_t k_pinned(struct kern *k);
/* Pages charged to this process's mm->locked_vm (real: VmLck; type1 charges
 * its pins there), since setup. */
uint64_t k_locked(struct kern *k);

/* Page-aligned anonymous memory, read-write, zeroed, freed at teardown. */
void *k_mem(struct kern *k, size_t len);
/* An address range that is not mapped (reserved, then unmapped). */
uint64_t k_hole(struct kern *k, size_t len);

/* Does this kernel have IOMMU_TEST_CMD? Skips the test when not (the reason printed). */
void k_need_test_cmd(struct kern *k, int fd);
/* Can it make mock devices (VT-d off)? Skips the test when not, closing @fd. */
void k_need_mock(struct kern *k, int fd);

/* The host's sysfs: "/sys", or the simulated host's. */
const char *k_sysfs(struct kern *k);
/* Read SYSFS/@rel (a number in @base: 0 auto, 16 hex) into *@v: 0 or -errno. */
int k_sysfs_u64(struct kern *k, const char *rel, int base, uint64_t *v);
/* Read SYSFS/@rel as text (trailing newline kept). */
int k_sysfs_text(struct kern *k, const char *rel, char *buf, size_t len);

/* A device on vfio-pci with a VFIO cdev, and what sysfs says of it. */
struct k_vdev {
	char bdf[32];
	char cdev[64];		/* /dev/vfio/devices/vfioN */
	int group;
	uint16_t vendor, device;
	char iommu[64];		/* its IOMMU's name, "" if none */
	bool vtd;		/* the IOMMU is VT-d: cap and ecap are set */
	uint64_t cap, ecap;
};
/* The @nth (from 0) such device in address order; skips when there are not
 * that many (say why). */
void k_vfio_dev(struct kern *k, unsigned int nth, struct k_vdev *v);
/* Open a node through the kernel's ops (asserted to succeed). */
int k_open_path(struct kern *k, const char *path);
/* Bind a device fd to iommufd @ifd: 0 with the device id, or -errno. */
int k_bind(struct kern *k, int dev, int ifd, uint32_t *devid);
/* Attach (or replace) to @pt; *pt gets the HWPT used. Detach. */
int k_attach(struct kern *k, int dev, uint32_t *pt);
int k_detach(struct kern *k, int dev);
int k_hwpt_alloc(struct kern *k, int fd, uint32_t dev, uint32_t pt, uint32_t flags,
		 uint32_t *hwpt);
/* IOMMU_IOAS_IOVA_RANGES into @r (up to @max): the count, or -errno. */
int k_ranges(struct kern *k, int fd, uint32_t ioas, struct iofd_u_iommu_iova_range *r,
	     uint32_t max, uint64_t *align);
/* IOMMU_TEST_OP_MOCK_DOMAIN(_FLAGS) on @pt: 0 with the three ids, or -errno. */
int k_mock_domain(struct kern *k, int fd, uint32_t pt, uint32_t dev_flags, uint32_t *stdev,
		  uint32_t *hwpt, uint32_t *idev);
/* IOMMU_TEST_OP_MD_CHECK_MAP */
int k_check_map(struct kern *k, int fd, uint32_t hwpt, uint64_t iova, uint64_t len,
		const void *uptr);

/* Small helpers: the ioctl's result (0 or -errno); out-values on success. */
uint32_t k_ioas_alloc(struct kern *k, int fd);	/* asserted to succeed */
int k_destroy(struct kern *k, int fd, uint32_t id);
int k_map(struct kern *k, int fd, uint32_t ioas, uint32_t flags, const void *va, uint64_t len,
	  uint64_t *iova);
int k_map_fixed(struct kern *k, int fd, uint32_t ioas, const void *va, uint64_t len,
		uint64_t iova);
int k_unmap(struct kern *k, int fd, uint32_t ioas, uint64_t iova, uint64_t len,
	    uint64_t *unmapped);
int k_copy(struct kern *k, int fd, uint32_t dst, uint32_t src, uint32_t flags, uint64_t src_iova,
	   uint64_t len, uint64_t *dst_iova);
int k_add_reserved(struct kern *k, int fd, uint32_t ioas, uint64_t start, uint64_t len);
int k_allow(struct kern *k, int fd, uint32_t ioas, const struct iofd_u_iommu_iova_range *r,
	    uint32_t n);
int k_option(struct kern *k, int fd, uint32_t option, uint16_t op, uint32_t object,
	     uint64_t *val);

#define RW (IOFD_U_IOMMU_IOAS_MAP_READABLE | IOFD_U_IOMMU_IOAS_MAP_WRITEABLE)
#define FIXED IOFD_U_IOMMU_IOAS_MAP_FIXED_IOVA

#endif
