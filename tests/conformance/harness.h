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
/* "sim" or "real"; the program's main calls this first (77 when real is missing). */
int kern_main_check(const char *prog);
bool kern_is_real(const struct kern *k);

/* The ops, asserting nothing. */
int k_open(struct kern *k);		/* /dev/iommu, asserted to open */
int k_ioctl(struct kern *k, int fd, unsigned long req, void *arg);
void k_close(struct kern *k, int fd);	/* asserted to succeed */

/* Pinned pages of this process (sim: the simulator's; real: VmPin), since setup. */
uint64_t k_pinned(struct kern *k);

/* Page-aligned anonymous memory, read-write, zeroed, freed at teardown. */
void *k_mem(struct kern *k, size_t len);
/* An address range that is not mapped (reserved, then unmapped). */
uint64_t k_hole(struct kern *k, size_t len);

/* Does this kernel have IOMMU_TEST_CMD? Skips the test when not (the reason printed). */
void k_need_test_cmd(struct kern *k, int fd);

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
