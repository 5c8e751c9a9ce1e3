// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Simulated DMA: a device reads or writes through the translation of the
 * domain its group is attached to, to the user memory behind each mapping
 * (the simulator keeps user addresses where the kernel keeps pinned
 * pages). And the kernel selftests' MD_CHECK_MAP, over every domain.
 */
#include <errno.h>
#include <stdlib.h>

#include "device.h"

/* Can @hwpt's domain do the whole [iova, last] with @prot? */
static int translate_all(const struct sim_domain *dom, uint64_t iova, uint64_t last, int prot)
{
	for (uint64_t cur = iova;;) {
		struct itree_node *n = itree_iter_first(&dom->map, cur, cur);

		if (!n || (itree_entry(n, struct sim_dmap, node)->prot & prot) != prot)
			return -EFAULT;
		if (n->last >= last)
			return 0;
		cur = n->last + 1;
	}
}

static int dma(struct iofd_sim *sim, const char *name, uint64_t iova, void *buf, size_t len,
	       bool write)
{
	int prot = write ? SIM_PROT_WRITE : SIM_PROT_READ;
	struct sim_hwpt *hwpt;
	struct sim_domain *dom;
	struct sim_dev *dev;
	uint64_t last, cur;
	size_t done = 0;
	int r;

	if (!sim || !name || !buf || !len || iova > UINT64_MAX - (len - 1))
		return -EINVAL;
	last = iova + (len - 1);
	pthread_mutex_lock(&sim->lock);
	dev = sim_topo_find_dev(sim, name);
	if (!dev || !dev->iommu) {
		r = -ENODEV;
		goto out;
	}
	/* iommufd's HWPT, or the type1 domain of its group's container */
	hwpt = sim_dev_domain(sim, dev);
	dom = hwpt ? &hwpt->dom : sim_vfio_group_domain(dev->group);
	r = dom ? translate_all(dom, iova, last, prot) : -EFAULT;
	for (cur = iova; r == 0;) {
		struct itree_node *n = itree_iter_first(&dom->map, cur, cur);
		uint64_t end = n->last < last ? n->last : last, uva;
		size_t chunk = (size_t)(end - cur + 1);
		int p;

		sim_domain_translate(dom, cur, &uva, &p);
		r = write ? sim_copy_to_user(sim, uva, (char *)buf + done, chunk)
			  : sim_copy_from_user(sim, (char *)buf + done, uva, chunk);
		if (r == 0 && write && hwpt && hwpt->dirty_tracking)
			r = sim_hwpt_mark_dirty(hwpt, cur, end);
		if (r < 0 || end == last)
			break;
		done += chunk;
		cur = end + 1;
	}
out:
	pthread_mutex_unlock(&sim->lock);
	return r;
}

int iofd_sim_dma_read(struct iofd_sim *sim, const char *dev, uint64_t iova, void *buf, size_t len)
{
	return dma(sim, dev, iova, buf, len, false);
}

int iofd_sim_dma_write(struct iofd_sim *sim, const char *dev, uint64_t iova, const void *buf,
		       size_t len)
{
	return dma(sim, dev, iova, (void *)buf, len, true);
}

/* Every page of every area of @iopt, through every domain. */
int sim_iopt_check_domains(struct iofd_sim *sim, struct sim_iopt *iopt, uint64_t *checked)
{
	struct itree_node *an;

	if (sim_iopt_check(iopt) < 0)
		return -EUCLEAN;
	for (unsigned int i = 0; i < iopt->ndomains; i++) {
		itree_for_each(an, &iopt->areas, 0, UINT64_MAX) {
			struct sim_area *a = itree_entry(an, struct sim_area, node);

			for (uint64_t off = 0; off <= an->last - an->start;) {
				uint64_t uva, want = a->pages->uptr + a->start_byte + off;
				int prot;

				if (sim_domain_translate(iopt->domains[i], an->start + off, &uva,
							 &prot) < 0 ||
				    uva != want || prot != a->prot)
					return -EUCLEAN;
				(*checked)++;
				/* to the next page boundary of the user memory */
				off += sim->page_size - want % sim->page_size;
			}
		}
	}
	return 0;
}

int iofd_sim_check_domains(struct iofd_sim *sim)
{
	uint64_t checked = 0;
	int r = 0;

	if (!sim)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	for (struct sim_ictx *ictx = sim->ictxs; ictx && r == 0; ictx = ictx->next)
		for (uint32_t id = 1; id < ictx->nslots && r == 0; id++) {
			struct sim_ioas *ioas = sim_ioas_get(ictx, id);

			if (ioas)
				r = sim_iopt_check_domains(sim, &ioas->iopt, &checked);
		}
	if (r == 0)
		r = sim_vfio_check_containers(sim, &checked);
	pthread_mutex_unlock(&sim->lock);
	if (r < 0)
		return r;
	return checked > INT32_MAX ? INT32_MAX : (int)checked;
}
