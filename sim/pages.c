// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * User memory under mappings (the kernel's iopt_pages): pinning, and what
 * it costs in RLIMIT_MEMLOCK.
 *
 * A pages object is made by one IOAS_MAP and shared by the areas made from
 * it (IOAS_COPY, VFIO splits). Its pages are pinned only while some area
 * over them is filled into a domain; the ranges those areas hold are kept
 * in an interval tree, so a page under several filled areas is pinned and
 * charged once, and unpinned when the last of them goes.
 *
 * "Pinning" faults the pages in as pin_user_pages(FOLL_LONGTERM) would
 * (madvise populate): a range that is not mapped, not accessible, or not
 * writable when the mapping is, fails with EFAULT. The charge goes to the
 * user (the default) or to the process (IOMMU_OPTION_RLIMIT_MODE 1), and
 * is refused with ENOMEM beyond the simulated RLIMIT_MEMLOCK; a process with
 * CAP_IPC_LOCK is not charged. Either way the pages count in VmPin.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "iopt.h"

int sim_pages_new(struct iofd_sim *sim, uint64_t uptr, uint64_t length, bool writable,
		  struct sim_pages **ret)
{
	uint64_t ps = sim->page_size;
	struct sim_pages *p;

	if (length > (uint64_t)SIZE_MAX - ps || length == 0)
		return -EINVAL;
	if (uptr > SIM_ULONG_MAX || length > SIM_ULONG_MAX - uptr)
		return -EOVERFLOW;
	p = sim_zalloc(sim, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->sim = sim;
	p->uptr = uptr & ~(ps - 1);
	p->npages = (length + (uptr - p->uptr) + ps - 1) / ps;
	p->writable = writable;
	p->account_mode = sim_has(sim, IOFD_SIM_CAP_IPC_LOCK) ? SIM_ACCOUNT_NONE
							       : SIM_ACCOUNT_USER;
	p->refs = 1;
	*ret = p;
	return 0;
}

void sim_pages_put(struct sim_pages *p)
{
	if (!p || --p->refs)
		return;
	free(p);
}

static uint64_t *charge_counter(struct sim_pages *p)
{
	switch (p->account_mode) {
	case SIM_ACCOUNT_USER:
		return &p->sim->locked_user;
	case SIM_ACCOUNT_MM:
		return &p->sim->locked_mm;
	case SIM_ACCOUNT_NONE:
		break;
	}
	return NULL;
}

int sim_pages_hold(struct sim_pages *p, struct itree_node *holder)
{
	const struct itree *trees[1] = { &p->holders };
	struct iofd_sim *sim = p->sim;
	uint64_t ps = sim->page_size, newly = 0, *counter;
	struct itree_span s;
	int r;

	/* Pin what is not pinned yet: the holes among the other holders. */
	itree_for_each_span(&s, trees, 1, holder->start, holder->last) {
		if (s.used)
			continue;
		r = sim_fault_in_user(sim, p->uptr + s.start * ps, (s.last - s.start + 1) * ps,
				      p->writable);
		if (r == 0 && sim_should_fail(sim))
			r = -EFAULT;
		if (r < 0)
			return r;
		newly += s.last - s.start + 1;
	}
	/* Charged after pinning, as the kernel does: over the limit undoes it all. */
	if (newly && sim_should_fail(sim))
		return -ENOMEM;
	counter = charge_counter(p);
	if (counter && newly) {
		if (sim->memlock_pages && !p->lock_cap &&
		    (*counter + newly > sim->memlock_pages || *counter + newly < *counter))
			return -ENOMEM;
		*counter += newly;
	}
	itree_insert(&p->holders, holder);
	p->npinned += newly;
	if (!p->no_pinned_vm)
		sim->pinned_vm += newly;
	return 0;
}

void sim_pages_release(struct sim_pages *p, struct itree_node *holder)
{
	uint64_t freed, *counter;

	itree_remove(&p->holders, holder);
	freed = holder->last - holder->start + 1 -
		itree_covered(&p->holders, holder->start, holder->last);
	p->npinned -= freed;
	if (!p->no_pinned_vm)
		p->sim->pinned_vm -= freed;
	counter = charge_counter(p);
	if (counter)
		*counter -= freed;
}
