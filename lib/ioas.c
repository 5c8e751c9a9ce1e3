// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The IOAS: its mapping table, IOVA allocation, map, unmap and translation,
 * with the uniform semantics of the header, the same over every backend.
 * Devices and domains: lib/ioas_attach.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctx.h"
#include "device.h"
#include "ioas.h"
#include "log.h"
#include "opts.h"

#define IOAS_OPTS_SZ_V1 iofd_offsetofend(struct iofd_ioas_opts, flags)
#define MAP_FLAGS (IOFD_MAP_READ | IOFD_MAP_WRITE | IOFD_MAP_FIXED_IOVA)
/* The largest alignment the library gives an IOVA it picks. */
#define MAX_PICK_ALIGN (1ull << 30)

static uint64_t page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

int iofd_ioas_reload_ranges(struct iofd_ioas *ioas)
{
	static const struct iofd_iova_range everything = { 0, UINT64_MAX };
	struct iofd_iova_range *r = NULL;
	uint64_t align = 0;
	size_t n = 0;
	int err;

	if (!ioas->live)	/* nothing in the kernel yet: nothing narrows it */
		return iofd_iova_alloc_set_ranges(&ioas->alloc, &ioas->mt, &everything, 1,
						  page_size());
	err = ioas->be->iova_ranges(ioas, &r, &n, &align);

	if (err == 0) {
		if (align < page_size())
			align = page_size();
		err = iofd_iova_alloc_set_ranges(&ioas->alloc, &ioas->mt, r, n, align);
	}
	free(r);
	ioas->ranges_stale = err < 0;
	if (err < 0)
		iofd_warn(ioas->ctx, "IOAS %u: cannot re-read its IOVA ranges: %s", ioas->kernel_id,
			  strerror(-err));
	return err;
}

int iofd_ioas_new(struct iofd_ioas **ret, struct iofd_ctx *ctx, const struct iofd_ioas_opts *opts)
{
	IOFD_OPTS(iofd_ioas_opts, o);
	struct iofd_ioas *ioas;
	int r;

	if (!ret || !ctx)
		return -EINVAL;
	r = iofd_opts_check(opts, IOAS_OPTS_SZ_V1, sizeof(o));
	if (r < 0)
		return r;
	iofd_opts_copy(&o, sizeof(o), opts);
	if (o.flags & ~IOFD_IOAS_DIRTY_TRACKING)
		return -EINVAL;

	ioas = calloc(1, sizeof(*ioas));
	if (!ioas)
		return -ENOMEM;
	ioas->ctx = ctx;
	ioas->flags = o.flags;
	ioas->kfd = -1;
	ioas->dma_avail = -1;
	ioas->be = iofd_backend_of(ctx, &r);
	if (!ioas->be)
		goto fail_free;
	r = iofd_iova_alloc_init(&ioas->alloc);
	if (r < 0)
		goto fail_free;
	iofd_mt_init(&ioas->mt);
	r = -pthread_rwlock_init(&ioas->lock, NULL);
	if (r < 0)
		goto fail_alloc;
	r = ioas->be->ioas_new(ioas);
	if (r < 0)
		goto fail_lock;
	r = iofd_ioas_reload_ranges(ioas);
	if (r < 0)
		goto fail_kernel;
	iofd_dbg(ctx, "IOAS %u (%s)%s", ioas->kernel_id, ioas->be->name,
		 o.flags & IOFD_IOAS_DIRTY_TRACKING ? ", dirty tracking asked for" : "");
	*ret = ioas;
	return 0;

fail_kernel:
	ioas->be->ioas_free(ioas);
fail_lock:
	pthread_rwlock_destroy(&ioas->lock);
fail_alloc:
	iofd_iova_alloc_fini(&ioas->alloc);
fail_free:
	free(ioas);
	return r;
}

static void free_mapping(struct iofd_mapping *m, void *arg)
{
	(void)arg;
	free(m);
}

static uint32_t prot_of(const struct iofd_mapping *m)
{
	return (m->flags & IOFD_MT_READ ? IOFD_MAP_READ : 0) |
	       (m->flags & IOFD_MT_WRITE ? IOFD_MAP_WRITE : 0);
}

int iofd_ioas_go_live(struct iofd_ioas *ioas)
{
	struct iofd_mapping *m, *undo;
	int r = iofd_ioas_reload_ranges(ioas);

	if (r < 0)
		return r;
	for (m = iofd_mt_first(&ioas->mt); m; m = iofd_mt_next(m)) {
		r = ioas->be->map(ioas, m->iova, m->vaddr, m->length, prot_of(m));
		if (r < 0)
			break;
	}
	if (r == 0)
		return 0;
	iofd_err(ioas->ctx, "replaying mapping %#llx+%#llx: %s", (unsigned long long)m->iova,
		 (unsigned long long)m->length, strerror(-r));
	for (undo = iofd_mt_first(&ioas->mt); undo != m; undo = iofd_mt_next(undo))
		ioas->be->unmap(ioas, undo->iova, undo->length);
	return r;
}

void iofd_ioas_go_idle(struct iofd_ioas *ioas)
{
	ioas->live = false;
	ioas->dma_avail = -1;
	iofd_ioas_reload_ranges(ioas);
}

int iofd_ioas_free(struct iofd_ioas *ioas)
{
	int r;

	if (!ioas)
		return 0;
	pthread_rwlock_wrlock(&ioas->lock);
	r = ioas->n_devs ? -EBUSY : iofd_ioas_reap_domains(ioas);
	if (r == 0)
		r = ioas->be->ioas_free(ioas);
	pthread_rwlock_unlock(&ioas->lock);
	if (r < 0)
		return r;
	iofd_mt_clear(&ioas->mt, free_mapping, NULL);
	iofd_iova_alloc_fini(&ioas->alloc);
	pthread_rwlock_destroy(&ioas->lock);
	free(ioas->domains);
	free(ioas->devs);
	free(ioas);
	return 0;
}

static uint64_t pow2_floor(uint64_t x)
{
	return x ? 1ull << (63 - __builtin_clzll(x)) : 0;
}

/* The alignment of an IOVA the library picks: as @vaddr is aligned, up to
 * the largest power of two not above @length, at most 1 GiB. */
static uint64_t pick_align(uint64_t vaddr, uint64_t length)
{
	uint64_t a = pow2_floor(length);

	if (vaddr && (vaddr & -vaddr) < a)
		a = vaddr & -vaddr;
	return a < MAX_PICK_ALIGN ? a : MAX_PICK_ALIGN;
}

/* Under the write lock: where [vaddr, +length) goes, by the uniform rules. */
static int place_iova(struct iofd_ioas *ioas, uint64_t vaddr, uint64_t length, uint32_t flags,
		      uint64_t *iova)
{
	uint64_t align;
	int r;

	if (ioas->ranges_stale) {
		r = iofd_ioas_reload_ranges(ioas);
		if (r < 0)
			return r;
	}
	align = iofd_iova_alloc_alignment(&ioas->alloc);
	if (flags & IOFD_MAP_FIXED_IOVA) {
		/* overflow, then alignment (vaddr here, iova and length
		 * there), range, overlap */
		if (*iova + (length - 1) < *iova)
			return -EOVERFLOW;
		if (vaddr & (align - 1))
			return -EINVAL;
		return iofd_iova_alloc_check(&ioas->alloc, &ioas->mt, *iova, length);
	}
	if ((vaddr | length) & (align - 1))
		return -EINVAL;
	return iofd_iova_alloc_find(&ioas->alloc, &ioas->mt, length, pick_align(vaddr, length), 0,
				    iova);
}

int iofd_ioas_map(struct iofd_ioas *ioas, void *vaddr, uint64_t length, uint32_t flags,
		  uint64_t *iova)
{
	uint64_t va = (uintptr_t)vaddr, at;
	struct iofd_mapping *m;
	int r;

	if (!ioas || !vaddr || !iova || (flags & ~MAP_FLAGS) ||
	    !(flags & (IOFD_MAP_READ | IOFD_MAP_WRITE)) || !length)
		return -EINVAL;
	if (va + (length - 1) < va)
		return -EOVERFLOW;
	at = flags & IOFD_MAP_FIXED_IOVA ? *iova : 0;
	m = malloc(sizeof(*m));
	if (!m)
		return -ENOMEM;

	pthread_rwlock_wrlock(&ioas->lock);
	r = place_iova(ioas, va, length, flags, &at);
	if (r == 0 && ioas->dma_avail == 0)
		r = -ENOSPC;	/* type1's mapping limit, before the kernel is asked */
	if (r == 0 && ioas->live)
		r = ioas->be->map(ioas, at, va, length, flags & (IOFD_MAP_READ | IOFD_MAP_WRITE));
	if (r == 0) {
		m->iova = at;
		m->length = length;
		m->vaddr = va;
		m->flags = (flags & IOFD_MAP_READ ? IOFD_MT_READ : 0) |
			   (flags & IOFD_MAP_WRITE ? IOFD_MT_WRITE : 0);
		m->cookie = NULL;
		r = iofd_mt_insert(&ioas->mt, m);
		if (r == 0 && ioas->dma_avail > 0)
			ioas->dma_avail--;
		if (r < 0 && ioas->live && ioas->be->unmap(ioas, at, length) < 0)
			iofd_err(ioas->ctx, "IOAS %u: cannot undo the map at %#llx", ioas->kernel_id,
				 (unsigned long long)at);
	}
	pthread_rwlock_unlock(&ioas->lock);
	if (r < 0) {
		free(m);
		return r;
	}
	*iova = at;
	return 0;
}

int iofd_ioas_unmap(struct iofd_ioas *ioas, uint64_t iova, uint64_t length)
{
	struct iofd_mapping *m, *next;
	int r;

	if (!ioas)
		return -EINVAL;
	pthread_rwlock_wrlock(&ioas->lock);
	r = iofd_mt_range_check(&ioas->mt, iova, length);
	/*
	 * One kernel call per mapping: each is one kernel area, and a failure
	 * then leaves exactly the mappings after it, as the table says.
	 */
	for (m = r ? NULL : iofd_mt_range_first(&ioas->mt, iova, iova + length - 1); m; m = next) {
		next = iofd_mt_range_next(m, iova + length - 1);
		r = ioas->live ? ioas->be->unmap(ioas, m->iova, m->length) : 0;
		if (r < 0)
			break;
		if (ioas->dma_avail >= 0)
			ioas->dma_avail++;
		iofd_mt_remove(&ioas->mt, m);
		free(m);
	}
	pthread_rwlock_unlock(&ioas->lock);
	return r;
}

int iofd_ioas_unmap_all(struct iofd_ioas *ioas)
{
	struct iofd_mapping *m, *next;
	int r;

	if (!ioas)
		return -EINVAL;
	pthread_rwlock_wrlock(&ioas->lock);
	r = ioas->live && iofd_mt_count(&ioas->mt) ? ioas->be->unmap_all(ioas) : 0;
	if (r == 0) {
		if (ioas->dma_avail >= 0)
			ioas->dma_avail += (int64_t)iofd_mt_count(&ioas->mt);
		iofd_mt_clear(&ioas->mt, free_mapping, NULL);
	} else {
		/*
		 * The kernel may have stopped part way. Finish one mapping at a
		 * time; ENOENT means the kernel had unmapped it already.
		 */
		iofd_warn(ioas->ctx, "IOAS %u: unmap-all: %s; unmapping one by one",
			  ioas->kernel_id, strerror(-r));
		for (m = iofd_mt_first(&ioas->mt); m; m = next) {
			next = iofd_mt_next(m);
			r = ioas->be->unmap(ioas, m->iova, m->length);
			if (r < 0 && r != -ENOENT)
				break;
			r = 0;
			if (ioas->dma_avail >= 0)
				ioas->dma_avail++;
			iofd_mt_remove(&ioas->mt, m);
			free(m);
		}
	}
	pthread_rwlock_unlock(&ioas->lock);
	return r;
}

int iofd_ioas_translate(struct iofd_ioas *ioas, const void *vaddr, uint64_t *iova, uint64_t *len)
{
	int r;

	if (!ioas || !iova)
		return -EINVAL;
	pthread_rwlock_rdlock(&ioas->lock);
	r = iofd_mt_vaddr_to_iova(&ioas->mt, (uintptr_t)vaddr, iova, len);
	pthread_rwlock_unlock(&ioas->lock);
	return r;
}

int iofd_ioas_iova_to_vaddr(struct iofd_ioas *ioas, uint64_t iova, void **vaddr, uint64_t *len)
{
	uint64_t va;
	int r;

	if (!ioas || !vaddr)
		return -EINVAL;
	pthread_rwlock_rdlock(&ioas->lock);
	r = iofd_mt_iova_to_vaddr(&ioas->mt, iova, &va, len);
	pthread_rwlock_unlock(&ioas->lock);
	if (r == 0)
		*vaddr = (void *)(uintptr_t)va;
	return r;
}

int iofd_ioas_iova_ranges(struct iofd_ioas *ioas, struct iofd_iova_range *ranges, size_t n)
{
	const struct iofd_iova_range *r;
	size_t total;

	if (!ioas || (n && !ranges))
		return -EINVAL;
	pthread_rwlock_rdlock(&ioas->lock);
	total = iofd_iova_alloc_ranges(&ioas->alloc, &r);
	if (n)
		memcpy(ranges, r, (n < total ? n : total) * sizeof(*r));
	pthread_rwlock_unlock(&ioas->lock);
	return (int)total;
}

uint64_t iofd_ioas_iova_alignment(struct iofd_ioas *ioas)
{
	uint64_t a;

	if (!ioas)
		return 0;
	pthread_rwlock_rdlock(&ioas->lock);
	a = iofd_iova_alloc_alignment(&ioas->alloc);
	pthread_rwlock_unlock(&ioas->lock);
	return a;
}

size_t iofd_ioas_mapping_count(struct iofd_ioas *ioas)
{
	size_t n;

	if (!ioas)
		return 0;
	pthread_rwlock_rdlock(&ioas->lock);
	n = iofd_mt_count(&ioas->mt);
	pthread_rwlock_unlock(&ioas->lock);
	return n;
}

int iofd_ioas_kernel_id(const struct iofd_ioas *ioas)
{
	if (!ioas)
		return -EINVAL;
	return ioas->kernel_id ? (int)ioas->kernel_id : -ENODATA;
}
