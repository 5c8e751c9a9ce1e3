// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * An IOAS used from many threads at once, as a userspace driver's I/O
 * threads use it: each maps and unmaps its own buffers while others
 * translate a long-lived mapping, on the simulated kernel with a device
 * attached. Every translation must be right at every moment, every IOVA
 * picked must really be the thread's own memory (a device writes through
 * it), and at the end the table, the kernel's domains and its pins agree.
 * Run under ThreadSanitizer by scripts/test.sh.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <libiommufd-sim.h>

#define WRITERS 3
#define READERS 2
#define ROUNDS 200
#define STABLE_PAGES 16

struct shared {
	struct iofd_sim *sim;
	struct iofd_ioas *ioas;
	char *stable;
	uint64_t stable_iova;
	size_t ps;
	int done;		/* writers finished: readers stop */
	int errors;
};

struct writer {
	struct shared *s;
	int id;
	char *buf;
};

static void count_error(struct shared *s)
{
	__atomic_add_fetch(&s->errors, 1, __ATOMIC_RELAXED);
}

static void *writer(void *arg)
{
	struct writer *w = arg;
	struct shared *s = w->s;
	char tag[32];

	for (int i = 0; i < ROUNDS; i++) {
		size_t len = s->ps * (1 + (size_t)(i % 4));
		uint64_t iova = 0, t, rest;

		if (iofd_ioas_map(s->ioas, w->buf, len, IOFD_MAP_READ | IOFD_MAP_WRITE, &iova)) {
			count_error(s);
			continue;
		}
		if (iofd_ioas_translate(s->ioas, w->buf + len - 1, &t, &rest) || t != iova + len - 1 ||
		    rest != 1)
			count_error(s);
		/* The device writes through the IOVA: it must land in our buffer. */
		snprintf(tag, sizeof(tag), "w%d/%d", w->id, i);
		if (iofd_sim_dma_write(s->sim, "0000:00:03.0", iova + len - s->ps, tag,
				       strlen(tag) + 1) ||
		    strcmp(w->buf + len - s->ps, tag))
			count_error(s);
		if (iofd_ioas_unmap(s->ioas, iova, len))
			count_error(s);
	}
	return NULL;
}

static void *reader(void *arg)
{
	struct shared *s = arg;
	uint64_t n = 0;

	while (!__atomic_load_n(&s->done, __ATOMIC_ACQUIRE) || n < 1000) {
		size_t off = (size_t)(n * 4097) % (STABLE_PAGES * s->ps);
		uint64_t iova;
		void *va;

		if (iofd_ioas_translate(s->ioas, s->stable + off, &iova, NULL) ||
		    iova != s->stable_iova + off)
			count_error(s);
		if (iofd_ioas_iova_to_vaddr(s->ioas, s->stable_iova + off, &va, NULL) ||
		    va != s->stable + off)
			count_error(s);
		n++;
	}
	return NULL;
}

static void many_threads_map_unmap_and_translate_at_once(void **state)
{
	struct shared s = { .ps = (size_t)sysconf(_SC_PAGESIZE) };
	struct writer w[WRITERS];
	pthread_t wt[WRITERS], rt[READERS];
	struct iofd_device *dev;
	struct iofd_ctx *ctx;
	IOFD_OPTS(iofd_ctx_opts, copts, .backend = IOFD_BACKEND_IOMMUFD);
	IOFD_OPTS(iofd_sim_iommu_opts, vtd, .type = IOFD_IOMMU_INTEL_VTD);
	IOFD_OPTS(iofd_sim_pci_opts, nvme, .bdf = "0000:00:03.0", .driver = "vfio-pci");

	(void)state;
	assert_int_equal(iofd_sim_new(&s.sim, NULL), 0);
	nvme.iommu = iofd_sim_add_iommu(s.sim, &vtd);
	assert_int_equal(iofd_sim_add_pci(s.sim, &nvme), 0);
	assert_int_equal(iofd_sim_ctx_opts(s.sim, &copts), 0);
	assert_int_equal(iofd_ctx_new(&ctx, &copts), 0);
	assert_int_equal(iofd_ioas_new(&s.ioas, ctx, NULL), 0);
	assert_int_equal(iofd_device_open(&dev, ctx, "0000:00:03.0", NULL), 0);
	assert_int_equal(iofd_device_attach(dev, s.ioas), 0);

	s.stable = mmap(NULL, STABLE_PAGES * s.ps, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(s.stable != MAP_FAILED);
	assert_int_equal(iofd_ioas_map(s.ioas, s.stable, STABLE_PAGES * s.ps, IOFD_MAP_READ,
				       &s.stable_iova), 0);
	for (int i = 0; i < READERS; i++)
		assert_int_equal(pthread_create(&rt[i], NULL, reader, &s), 0);
	for (int i = 0; i < WRITERS; i++) {
		w[i] = (struct writer){ .s = &s, .id = i };
		w[i].buf = mmap(NULL, 4 * s.ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);
		assert_true(w[i].buf != MAP_FAILED);
		assert_int_equal(pthread_create(&wt[i], NULL, writer, &w[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(wt[i], NULL);
	__atomic_store_n(&s.done, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < READERS; i++)
		pthread_join(rt[i], NULL);

	assert_int_equal(s.errors, 0);
	assert_int_equal(iofd_ioas_mapping_count(s.ioas), 1);
	assert_int_equal(iofd_sim_pinned_pages(s.sim), STABLE_PAGES);
	assert_int_equal(iofd_sim_check_domains(s.sim), STABLE_PAGES);

	iofd_device_close(dev);
	assert_int_equal(iofd_ioas_free(s.ioas), 0);
	iofd_ctx_free(ctx);
	assert_int_equal(iofd_sim_open_fds(s.sim), 0);
	assert_int_equal(iofd_sim_pinned_pages(s.sim), 0);
	iofd_sim_free(s.sim);
	for (int i = 0; i < WRITERS; i++)
		munmap(w[i].buf, 4 * s.ps);
	munmap(s.stable, STABLE_PAGES * s.ps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(many_threads_map_unmap_and_translate_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
