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
#include "hot.h"
#include "ioas.h"
#include "kas.h"
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

/* @out (room for na + nb) = the intersection of two sorted, disjoint lists. */
static size_t intersect(const struct iofd_iova_range *a, size_t na, const struct iofd_iova_range *b,
			size_t nb, struct iofd_iova_range *out)
{
	size_t i = 0, j = 0, n = 0;

	while (i < na && j < nb) {
		uint64_t lo = a[i].start > b[j].start ? a[i].start : b[j].start;
		uint64_t hi = a[i].last < b[j].last ? a[i].last : b[j].last;

		if (lo <= hi)
			out[n++] = (struct iofd_iova_range){ lo, hi };
		if (a[i].last < b[j].last)
			i++;
		else
			j++;
	}
	return n;
}

/*
 * type1's mapping limit, as one number for the map path: the table's count
 * at which some live space has no mapping left. Recomputed whenever a
 * space's DMA_AVAIL is read or a space goes live or away; between those, a
 * live space holds exactly the table's mappings, so what it has left moves
 * with the table's count.
 */
static void entry_cap(struct iofd_ioas *ioas)
{
	size_t cap = SIZE_MAX;

	for (size_t i = 0; i < ioas->n_kas; i++) {
		const struct iofd_kas *kas = ioas->kas[i];

		if (kas->live && kas->dma_avail >= 0 &&
		    (uint64_t)kas->dma_avail + kas->dma_held < cap)
			cap = (size_t)kas->dma_avail + kas->dma_held;
	}
	ioas->entry_cap = cap;
}

int iofd_ioas_reload_ranges(struct iofd_ioas *ioas)
{
	struct iofd_iova_range *cur = malloc(sizeof(*cur)), *next;
	uint64_t align = page_size();
	size_t n = 1;
	int err = cur ? 0 : -ENOMEM;

	if (cur)
		cur[0] = (struct iofd_iova_range){ 0, UINT64_MAX };
	/* Nothing live narrows nothing: the whole space, as iommufd without devices. */
	for (size_t i = 0; i < ioas->n_kas && err == 0; i++) {
		struct iofd_kas *kas = ioas->kas[i];

		if (!kas->live)
			continue;
		err = iofd_kas_read_ranges(kas);
		if (!err)
			kas->dma_held = iofd_mt_count(&ioas->mt);
		next = err ? NULL : malloc((n + kas->n_ranges + 1) * sizeof(*next));
		if (!err && !next)
			err = -ENOMEM;
		if (err)
			break;
		n = intersect(cur, n, kas->ranges, kas->n_ranges, next);
		free(cur);
		cur = next;
		if (kas->align > align)
			align = kas->align;
	}
	if (err == 0)
		err = iofd_iova_alloc_set_ranges(&ioas->alloc, &ioas->mt, cur, n, align);
	free(cur);
	entry_cap(ioas);
	ioas->ranges_stale = err < 0 && err != -EADDRINUSE;
	if (ioas->ranges_stale)
		iofd_warn(ioas->ctx, "cannot re-read the IOVA ranges: %s", strerror(-err));
	return err;
}

int iofd_ioas_new(struct iofd_ioas **ret, struct iofd_ctx *ctx, const struct iofd_ioas_opts *opts)
{
	IOFD_OPTS(iofd_ioas_opts, o);
	struct iofd_ioas *ioas;
	struct iofd_kas *kas;
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
	ioas->split = ctx->split_by_class ? IOFD_SPLIT_CLASS : IOFD_SPLIT_NONE;
	ioas->be = iofd_backend_of(ctx, &r);
	if (!ioas->be)
		goto fail_free;
	ioas->kas = calloc(1, sizeof(*ioas->kas));
	if (!ioas->kas) {
		r = -ENOMEM;
		goto fail_free;
	}
	r = iofd_iova_alloc_init(&ioas->alloc);
	if (r < 0)
		goto fail_free;
	iofd_mt_init(&ioas->mt);
	ioas->entry_cap = SIZE_MAX;
	ioas->page_shift = (unsigned int)__builtin_ctzll(page_size());
	iofd_rwlock_init(&ioas->lock);
	r = iofd_kas_new(ioas, ioas->be, &kas);
	if (r < 0)
		goto fail_alloc;
	ioas->kas[ioas->n_kas++] = kas;
	r = iofd_ioas_reload_ranges(ioas);
	if (r < 0)
		goto fail_kernel;
	iofd_dbg(ctx, "IOAS on %s%s%s", ioas->be->name,
		 ioas->split == IOFD_SPLIT_CLASS ? ", split by class" : "",
		 o.flags & IOFD_IOAS_DIRTY_TRACKING ? ", dirty tracking asked for" : "");
	*ret = ioas;
	return 0;

fail_kernel:
	iofd_kas_free(kas);
fail_alloc:
	iofd_iova_alloc_fini(&ioas->alloc);
fail_free:
	free(ioas->kas);
	free(ioas);
	return r;
}

static void free_mapping(struct iofd_mapping *m, void *arg)
{
	(void)arg;
	free(m);
}

int iofd_ioas_kas_live(struct iofd_ioas *ioas, struct iofd_kas *kas)
{
	int r = iofd_ioas_reload_ranges(ioas);

	if (r == 0) {
		/* Its DMA_AVAIL was read before the fill below: it held none. */
		kas->dma_held = 0;
		entry_cap(ioas);
		r = iofd_kas_fill(kas);
	}
	return r;
}

void iofd_ioas_kas_unused(struct iofd_ioas *ioas, struct iofd_kas *kas)
{
	kas->for_class = false;
	if (kas != ioas->kas[0] && iofd_kas_free(kas) == 0) {
		for (size_t i = 1; i < ioas->n_kas; i++) {
			if (ioas->kas[i] == kas) {
				ioas->kas[i] = ioas->kas[--ioas->n_kas];
				break;
			}
		}
	} else if (!kas->live) {
		kas->dma_avail = -1;
	}
	iofd_ioas_reload_ranges(ioas);	/* and entry_cap(), even when it fails */
}

int iofd_ioas_free(struct iofd_ioas *ioas)
{
	int r;

	if (!ioas)
		return 0;
	iofd_rwlock_wrlock(&ioas->lock);
	r = ioas->n_devs ? -EBUSY : iofd_ioas_reap_domains(ioas);
	while (r == 0 && ioas->n_kas) {
		r = iofd_kas_free(ioas->kas[ioas->n_kas - 1]);
		if (r == 0)
			ioas->n_kas--;
	}
	iofd_rwlock_wrunlock(&ioas->lock);
	if (r < 0)
		return r;
	iofd_mt_clear(&ioas->mt, free_mapping, NULL);
	while (ioas->spare) {
		struct iofd_mapping *m = ioas->spare;

		ioas->spare = m->cookie;
		free(m);
	}
	iofd_iova_alloc_fini(&ioas->alloc);
	free(ioas->kas);
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
		if (length - 1 > UINT64_MAX - *iova)
			return -EOVERFLOW;
		if (vaddr & (align - 1))
			return -EINVAL;
		/* The overlap (-EEXIST) is the table's insertion's to find. */
		return iofd_iova_alloc_check_range(&ioas->alloc, *iova, length);
	}
	if ((vaddr | length) & (align - 1))
		return -EINVAL;
	return iofd_iova_alloc_find(&ioas->alloc, &ioas->mt, length, pick_align(vaddr, length), 0,
				    iova);
}

/*
 * Map @m into every live space, first to last, all or nothing. The first
 * maps the user memory itself (iofd_kas_map() would too), called here
 * directly: the one space of most IOASes is then one call from the IOAS.
 */
static inline int map_everywhere(struct iofd_ioas *ioas, const struct iofd_mapping *m)
{
	struct iofd_kas *first = ioas->kas[0];
	size_t done;
	int r = 0;

	if (first->live)
		r = first->be->map(first, m->iova, m->vaddr, m->length, iofd_kas_prot(m));
	if (r < 0)
		return r;
	for (done = 1; done < ioas->n_kas; done++) {
		if (!ioas->kas[done]->live)
			continue;
		r = iofd_kas_map(ioas->kas[done], m);
		if (r < 0)
			break;
	}
	if (r == 0)
		return 0;
	/* kas[done] refused it: undo the spaces before, copies first. */
	while (done-- > 0)
		if (ioas->kas[done]->live)
			ioas->kas[done]->be->unmap(ioas->kas[done], m->iova, m->length);
	return r;
}

/* Unmap @m from every live space, last to first (copies before their
 * source), all or nothing: a failure maps it back where it was gone. */
static inline int unmap_everywhere(struct iofd_ioas *ioas, const struct iofd_mapping *m)
{
	size_t i = ioas->n_kas;
	int r = 0;

	while (i-- > 0) {
		if (!ioas->kas[i]->live)
			continue;
		r = ioas->kas[i]->be->unmap(ioas->kas[i], m->iova, m->length);
		if (r < 0)
			break;
	}
	if (r == 0)
		return 0;
	/* kas[i] refused it: the spaces after it have lost it already. */
	for (size_t j = i + 1; j < ioas->n_kas; j++)
		if (ioas->kas[j]->live && iofd_kas_map(ioas->kas[j], m) < 0)
			iofd_err(ioas->ctx, "cannot restore %#llx+%#llx after a failed unmap",
				 (unsigned long long)m->iova, (unsigned long long)m->length);
	return r;
}

/*
 * A few freed mapping structs are kept for the next map: a driver that maps
 * and unmaps a buffer per I/O then never reaches malloc. Under the write
 * lock.
 */
#define SPARE_MAX 32

static struct iofd_mapping *mapping_get(struct iofd_ioas *ioas)
{
	struct iofd_mapping *m = ioas->spare;

	if (!m)
		return malloc(sizeof(*m));
	ioas->spare = m->cookie;
	ioas->n_spare--;
	return m;
}

static void mapping_put(struct iofd_ioas *ioas, struct iofd_mapping *m)
{
	if (ioas->n_spare >= SPARE_MAX) {
		free(m);
		return;
	}
	m->cookie = ioas->spare;
	ioas->spare = m;
	ioas->n_spare++;
}

/* @m is gone from the kernel: out of the table, and one more entry left. */
static inline void forget(struct iofd_ioas *ioas, struct iofd_mapping *m)
{
	iofd_mt_remove(&ioas->mt, m);
	mapping_put(ioas, m);
}

IOFD_HOT
int iofd_ioas_map(struct iofd_ioas *ioas, void *vaddr, uint64_t length, uint32_t flags,
		  uint64_t *iova)
{
	uint64_t va = (uintptr_t)vaddr, at;
	struct iofd_mapping *m;
	int r;

	if (!ioas || !vaddr || !iova || (flags & ~MAP_FLAGS) ||
	    !(flags & (IOFD_MAP_READ | IOFD_MAP_WRITE)) || !length)
		return -EINVAL;
	if (length - 1 > UINT64_MAX - va)
		return -EOVERFLOW;
	at = flags & IOFD_MAP_FIXED_IOVA ? *iova : 0;

	iofd_rwlock_wrlock(&ioas->lock);
	m = mapping_get(ioas);
	r = m ? place_iova(ioas, va, length, flags, &at) : -ENOMEM;
	if (r == 0 && iofd_mt_count(&ioas->mt) >= ioas->entry_cap)
		r = -ENOSPC;	/* type1's mapping limit, before the kernel is asked */
	if (r == 0) {
		m->iova = at;
		m->length = length;
		m->vaddr = va;
		m->flags = (flags & IOFD_MAP_READ ? IOFD_MT_READ : 0) |
			   (flags & IOFD_MAP_WRITE ? IOFD_MT_WRITE : 0);
		m->cookie = NULL;
		/* Into the table first (one walk that also finds an overlap),
		 * then the kernel; readers wait on the lock meanwhile. */
		r = iofd_mt_insert(&ioas->mt, m);
	}
	if (r == 0) {
		r = map_everywhere(ioas, m);
		if (r < 0)
			iofd_mt_remove(&ioas->mt, m);
	}
	if (r < 0 && m)
		mapping_put(ioas, m);
	iofd_rwlock_wrunlock(&ioas->lock);
	if (r < 0)
		return r;
	*iova = at;
	return 0;
}

IOFD_HOT
int iofd_ioas_unmap(struct iofd_ioas *ioas, uint64_t iova, uint64_t length)
{
	struct iofd_mapping *m, *next;
	int r;

	if (!ioas)
		return -EINVAL;
	iofd_rwlock_wrlock(&ioas->lock);
	/* The common case, one whole mapping: one lookup. */
	m = length ? iofd_mt_find_exact(&ioas->mt, iova, length) : NULL;
	if (m) {
		r = unmap_everywhere(ioas, m);
		if (r == 0)
			forget(ioas, m);
		iofd_rwlock_wrunlock(&ioas->lock);
		return r;
	}
	r = iofd_mt_range_check(&ioas->mt, iova, length);
	/*
	 * One kernel call per mapping and space: each mapping is one kernel
	 * area, and a failure then leaves exactly the mappings after it, as
	 * the table says.
	 */
	for (m = r ? NULL : iofd_mt_range_first(&ioas->mt, iova, iova + length - 1); m; m = next) {
		next = iofd_mt_range_next(m, iova + length - 1);
		r = unmap_everywhere(ioas, m);
		if (r < 0)
			break;
		forget(ioas, m);
	}
	iofd_rwlock_wrunlock(&ioas->lock);
	return r;
}

int iofd_ioas_unmap_all(struct iofd_ioas *ioas)
{
	struct iofd_mapping *m, *next;
	int r = 0;

	if (!ioas)
		return -EINVAL;
	iofd_rwlock_wrlock(&ioas->lock);
	for (size_t i = ioas->n_kas; i-- > 0 && r == 0;)
		if (ioas->kas[i]->live && iofd_mt_count(&ioas->mt))
			r = ioas->kas[i]->be->unmap_all(ioas->kas[i]);
	if (r == 0) {
		iofd_mt_clear(&ioas->mt, free_mapping, NULL);
	} else {
		/*
		 * The kernel may have stopped part way. Finish one mapping at a
		 * time; ENOENT means a space had unmapped it already.
		 */
		iofd_warn(ioas->ctx, "unmap-all: %s; unmapping one by one", strerror(-r));
		for (m = iofd_mt_first(&ioas->mt); m; m = next) {
			next = iofd_mt_next(m);
			r = 0;
			for (size_t i = ioas->n_kas; i-- > 0 && (r == 0 || r == -ENOENT);)
				if (ioas->kas[i]->live)
					r = ioas->kas[i]->be->unmap(ioas->kas[i], m->iova, m->length);
			if (r < 0 && r != -ENOENT)
				break;
			r = 0;
			forget(ioas, m);
		}
	}
	iofd_rwlock_wrunlock(&ioas->lock);
	return r;
}

IOFD_HOT
int iofd_ioas_translate(struct iofd_ioas *ioas, const void *vaddr, uint64_t *iova, uint64_t *len)
{
	int r;

	if (!ioas || !iova)
		return -EINVAL;
	iofd_rwlock_rdlock(&ioas->lock);
	if (iofd_mt_vaddr_indexed(&ioas->mt)) {
		r = iofd_mt_vaddr_to_iova(&ioas->mt, (uintptr_t)vaddr, iova, len);
		iofd_rwlock_rdunlock(&ioas->lock);
		return r;
	}
	iofd_rwlock_rdunlock(&ioas->lock);
	/* Mappings made since the last lookup by user address: they join
	 * the vaddr index now, once, under the write side. */
	iofd_rwlock_wrlock(&ioas->lock);
	iofd_mt_index_vaddr(&ioas->mt);
	r = iofd_mt_vaddr_to_iova(&ioas->mt, (uintptr_t)vaddr, iova, len);
	iofd_rwlock_wrunlock(&ioas->lock);
	return r;
}

IOFD_HOT
int iofd_ioas_iova_to_vaddr(struct iofd_ioas *ioas, uint64_t iova, void **vaddr, uint64_t *len)
{
	uint64_t va;
	int r;

	if (!ioas || !vaddr)
		return -EINVAL;
	iofd_rwlock_rdlock(&ioas->lock);
	r = iofd_mt_iova_to_vaddr(&ioas->mt, iova, &va, len);
	iofd_rwlock_rdunlock(&ioas->lock);
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
	iofd_rwlock_rdlock(&ioas->lock);
	total = iofd_iova_alloc_ranges(&ioas->alloc, &r);
	if (n)
		memcpy(ranges, r, (n < total ? n : total) * sizeof(*r));
	iofd_rwlock_rdunlock(&ioas->lock);
	return (int)total;
}

uint64_t iofd_ioas_iova_alignment(struct iofd_ioas *ioas)
{
	uint64_t a;

	if (!ioas)
		return 0;
	iofd_rwlock_rdlock(&ioas->lock);
	a = iofd_iova_alloc_alignment(&ioas->alloc);
	iofd_rwlock_rdunlock(&ioas->lock);
	return a;
}

size_t iofd_ioas_mapping_count(struct iofd_ioas *ioas)
{
	size_t n;

	if (!ioas)
		return 0;
	iofd_rwlock_rdlock(&ioas->lock);
	n = iofd_mt_count(&ioas->mt);
	iofd_rwlock_rdunlock(&ioas->lock);
	return n;
}

int iofd_ioas_kernel_id(const struct iofd_ioas *ioas)
{
	if (!ioas)
		return -EINVAL;
	return ioas->kas[0]->id ? (int)ioas->kas[0]->id : -ENODATA;
}

int64_t iofd_ioas_mappings_left(struct iofd_ioas *ioas)
{
	int64_t left = -ENODATA;

	if (!ioas)
		return -EINVAL;
	iofd_rwlock_rdlock(&ioas->lock);
	if (ioas->entry_cap != SIZE_MAX)
		left = (int64_t)(ioas->entry_cap - iofd_mt_count(&ioas->mt));
	iofd_rwlock_rdunlock(&ioas->lock);
	return left;
}
