// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Devices in an IOAS: attach with placement (lib/placement.c decides which
 * domains a device may join; the kernel has the last word), detach, and the
 * domain facts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "device.h"
#include "ioas.h"
#include "log.h"
#include "placement.h"

/* Make room for one more pointer in *@v (holding @n). */
static int reserve(void *v, size_t n)
{
	void **p = *(void ***)v, **tmp = realloc(p, (n + 1) * sizeof(*p));

	if (!tmp)
		return -ENOMEM;
	*(void ***)v = tmp;
	return 0;
}

static void remove_ptr(void **v, size_t *n, const void *p)
{
	for (size_t i = 0; i < *n; i++) {
		if (v[i] == p) {
			memmove(&v[i], &v[i + 1], (*n - i - 1) * sizeof(*v));
			(*n)--;
			return;
		}
	}
}

static void domain_release(struct iofd_domain *d)
{
	free(d->devs);
	free(d);
}

int iofd_ioas_reap_domains(struct iofd_ioas *ioas)
{
	for (size_t i = 0; i < ioas->n_domains;) {
		struct iofd_domain *d = ioas->domains[i];
		int r;

		if (d->n_devs) {
			i++;
			continue;
		}
		r = d->kernel_id ? d->kas->be->domain_free(d->kas, d) : 0;
		if (r < 0)
			return r;
		remove_ptr((void **)ioas->domains, &ioas->n_domains, d);
		domain_release(d);
	}
	return 0;
}

/* "HWPT 7", or for the kernel's unnamed domains, what the library calls them. */
static const char *domain_label(const struct iofd_domain *d, char *buf, size_t len)
{
	if (d->kernel_id)
		snprintf(buf, len, "HWPT %u", d->kernel_id);
	else if (d->kas->id)
		snprintf(buf, len, "the kernel's automatic HWPT in IOAS %u", d->kas->id);
	else
		snprintf(buf, len, "the container's domain");
	return buf;
}

/* Does a mapping overlap a reserved region of @dev's group? The kernel
 * would refuse the attach (iommufd: EADDRINUSE; type1: EINVAL): the library
 * answers EADDRINUSE on every backend, before asking. */
static const struct iofd_iova_range *collides_with_reserved(const struct iofd_ioas *ioas,
							    const struct iofd_device *dev)
{
	for (size_t i = 0; i < dev->n_resv; i++)
		if (iofd_mt_range_first(&ioas->mt, dev->resv[i].start, dev->resv[i].last))
			return &dev->resv[i];
	return NULL;
}

/*
 * The address space for @dev. Devices whose domains the library allocates
 * (cdevs, the selftest's), and every device of a type1 IOAS that is not
 * split, share the first. Where the kernel chooses a group device's domain
 * and classes must not mix (VFIO groups on iommufd, whose automatic HWPTs
 * would take a coherent device into a non-coherent one; a type1 IOAS split
 * by class), group devices go to a space holding only their class: the
 * first if it has no group devices yet, else one of their class, else a
 * new one, filled with every mapping.
 */
static int choose_kas(struct iofd_ioas *ioas, struct iofd_device *dev, const struct iofd_class *c,
		      struct iofd_kas **ret)
{
	struct iofd_kas *kas, **tmp;
	int r;

	*ret = ioas->kas[0];
	if (!dev->ops->kernel_domains ||
	    (ioas->be == &iofd_backend_type1 && ioas->split == IOFD_SPLIT_NONE))
		return 0;
	for (size_t i = 0; i < ioas->n_kas; i++) {
		if (iofd_kas_is_for(ioas->kas[i], c)) {
			*ret = ioas->kas[i];
			return 0;
		}
	}
	if (!ioas->kas[0]->n_grouped)
		return 0;
	tmp = realloc(ioas->kas, (ioas->n_kas + 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	ioas->kas = tmp;
	r = iofd_kas_new(ioas, ioas->be, &kas);
	if (r == 0 && kas->live) {
		r = iofd_kas_fill(kas);
		if (r < 0)
			iofd_kas_free(kas);
	}
	if (r < 0)
		return r;
	ioas->kas[ioas->n_kas++] = kas;
	*ret = kas;
	return 0;
}

/* Try the domains of @kas that @dev's class may join, in the order made.
 * 0 and *@ret: joined; 1: none took it (@why says which refused); <0: a
 * kernel error. */
static int join_existing(struct iofd_ioas *ioas, struct iofd_kas *kas, struct iofd_device *dev,
			 const struct iofd_class *c, struct iofd_domain **ret, char *why, size_t len)
{
	size_t used = 0;

	why[0] = '\0';
	for (size_t i = 0; i < ioas->n_domains; i++) {
		struct iofd_domain *d = ioas->domains[i];
		char label[64];
		int r;

		if (d->kas != kas || d->kernel_chosen != dev->ops->kernel_domains ||
		    !iofd_placement_may_join(c, d))
			continue;
		r = dev->ops->attach(dev, ioas, d);
		if (r == 0) {
			*ret = d;
			return 0;
		}
		if (r != -EINVAL)
			return r;
		if (used < len)
			used += snprintf(why + used, len - used, "%s%s refused it", used ? ", " : "",
					 domain_label(d, label, sizeof(label)));
	}
	return 1;
}

/* A new domain for @dev in @kas, of its class, with @dev in it. */
static int join_new(struct iofd_ioas *ioas, struct iofd_kas *kas, struct iofd_device *dev,
		    const struct iofd_class *c, struct iofd_domain **ret)
{
	struct iofd_domain *d = calloc(1, sizeof(*d));
	bool explicit = !dev->ops->kernel_domains && kas->be->domain_new;
	int r;

	if (!d)
		return -ENOMEM;
	d->ioas = ioas;
	d->kas = kas;
	d->kernel_chosen = dev->ops->kernel_domains;
	d->cc = c->cc;
	d->dirty = c->dirty;
	snprintf(d->iommu, sizeof(d->iommu), "%s", c->iommu);
	r = reserve(&ioas->domains, ioas->n_domains);
	if (r == 0 && explicit)
		r = kas->be->domain_new(kas, dev, d, c->dirty);
	if (r < 0) {
		free(d);
		return r;
	}
	r = dev->ops->attach(dev, ioas, d);
	if (r < 0) {
		if (explicit && kas->be->domain_free(kas, d) < 0) {
			/* Keep it, empty, for iofd_ioas_reap_domains(). */
			ioas->domains[ioas->n_domains++] = d;
			return r;
		}
		free(d);
		return r;
	}
	ioas->domains[ioas->n_domains++] = d;
	*ret = d;
	return 0;
}

/* @dev has left @kas (or never made it in): count it out, and let go of
 * a space nothing uses any more. */
static void kas_leave(struct iofd_ioas *ioas, struct iofd_kas *kas, struct iofd_device *dev,
		      bool counted)
{
	if (counted) {
		kas->n_devs--;
		if (dev->ops->kernel_domains && --kas->n_grouped == 0)
			kas->for_class = false;
	}
	if (!kas->n_devs)
		iofd_ioas_kas_unused(ioas, kas);
	else
		iofd_ioas_reload_ranges(ioas);
}

static int attach_locked(struct iofd_device *dev, struct iofd_ioas *ioas)
{
	char cls[160], refused[96], label[64];
	const struct iofd_iova_range *resv = collides_with_reserved(ioas, dev);
	struct iofd_domain *d = NULL;
	struct iofd_kas *kas;
	struct iofd_class c;
	bool was_live;
	int r;

	if (resv) {
		snprintf(dev->placement, sizeof(dev->placement),
			 "attach failed: a mapping lies in reserved region %#llx-%#llx of its "
			 "IOMMU group", (unsigned long long)resv->start,
			 (unsigned long long)resv->last);
		return -EADDRINUSE;
	}
	r = reserve(&ioas->devs, ioas->n_devs);
	if (r < 0)
		return r;
	if (dev->ops->prepare) {
		r = dev->ops->prepare(dev, ioas);
		if (r < 0)
			return r;
	}
	iofd_placement_class(ioas, dev, &c);
	iofd_class_describe(&c, cls, sizeof(cls));
	r = choose_kas(ioas, dev, &c, &kas);
	if (r < 0) {
		if (dev->ops->unprepare)
			dev->ops->unprepare(dev);
		return r;
	}
	was_live = kas->live;
	r = join_existing(ioas, kas, dev, &c, &d, refused, sizeof(refused));
	if (r == 0) {
		snprintf(dev->placement, sizeof(dev->placement),
			 "joined %s, the domain of its class (%s; %s)",
			 domain_label(d, label, sizeof(label)), cls, dev->info.cc_why);
	} else if (r == 1) {
		r = join_new(ioas, kas, dev, &c, &d);
		if (r == 0)
			snprintf(dev->placement, sizeof(dev->placement), "new %s for its class (%s; %s): %s",
				 d->kernel_id ? domain_label(d, label, sizeof(label)) : "domain", cls,
				 dev->info.cc_why,
				 refused[0] ? refused : "no domain of that class yet");
	}
	if (r == 0)
		r = reserve(&d->devs, d->n_devs);
	if (r == 0 && !was_live && kas->live)
		r = iofd_ioas_kas_live(ioas, kas);
	if (r < 0) {
		if (d && dev->ops->detach(dev, ioas) == 0 && !d->n_devs)
			iofd_ioas_reap_domains(ioas);
		/*
		 * A space that went live in this attach and stays so without
		 * a group (a container iommufd serves keeps its IOAS) never
		 * took the table's mappings, or gave them back: not live, so
		 * that the next group sets it up again and fills it.
		 */
		if (!was_live && kas->live && !kas->groups)
			kas->live = false;
		kas_leave(ioas, kas, dev, false);
		if (dev->ops->unprepare)
			dev->ops->unprepare(dev);
		snprintf(dev->placement, sizeof(dev->placement), "attach failed: %s (class: %s)",
			 strerror(-r), cls);
		return r;
	}
	d->devs[d->n_devs++] = dev;
	ioas->devs[ioas->n_devs++] = dev;
	kas->n_devs++;
	if (dev->ops->kernel_domains && kas->n_grouped++ == 0 && !kas->for_class) {
		kas->for_class = true;
		kas->cls_cc = c.cc;
		kas->cls_dirty = c.dirty;
		snprintf(kas->cls_iommu, sizeof(kas->cls_iommu), "%s", c.iommu);
	}
	dev->ioas = ioas;
	dev->domain = d;
	if (c.cc < 0 && d->cc == 1) {
		dev->info.cc = 1;
		snprintf(dev->info.cc_why, sizeof(dev->info.cc_why),
			 "proven by its attach to coherency-enforcing HWPT %u", d->kernel_id);
	}
	if (was_live)	/* else kas_live read them */
		iofd_ioas_reload_ranges(ioas);
	return 0;
}

int iofd_device_attach(struct iofd_device *dev, struct iofd_ioas *ioas)
{
	int r;

	if (!dev || !ioas || dev->ctx != ioas->ctx)
		return -EINVAL;
	if (dev->ioas)
		return -EBUSY;
	iofd_rwlock_wrlock(&ioas->lock);
	r = attach_locked(dev, ioas);
	iofd_rwlock_wrunlock(&ioas->lock);
	if (r == 0)
		iofd_info(dev->ctx, "%s: %s", dev->name, dev->placement);
	else
		iofd_err(dev->ctx, "%s: %s", dev->name, dev->placement);
	return r;
}

/* Detach @dev; with @force, forget it even when the kernel refuses (the
 * device is being closed, and closing its fd detaches it in the kernel). */
static int detach(struct iofd_device *dev, bool force)
{
	struct iofd_ioas *ioas;
	struct iofd_domain *d;
	struct iofd_kas *kas;
	int r;

	if (!dev || !dev->ioas)
		return -EINVAL;
	ioas = dev->ioas;
	iofd_rwlock_wrlock(&ioas->lock);
	d = dev->domain;
	kas = d->kas;
	r = dev->ops->detach(dev, ioas);
	if (r < 0 && force) {
		iofd_warn(dev->ctx, "%s: detach: %s; closing it anyway", dev->name, strerror(-r));
		/* Closing the device's fd unbinds it, which detaches it: then
		 * its domain can go below. */
		if (dev->fd >= 0)
			iofd_sys_close(dev->ctx, dev->fd);
		dev->fd = -1;
	}
	if (r == 0 || force) {
		remove_ptr((void **)d->devs, &d->n_devs, dev);
		remove_ptr((void **)ioas->devs, &ioas->n_devs, dev);
		dev->ioas = NULL;
		dev->domain = NULL;
		if (!d->n_devs)
			iofd_ioas_reap_domains(ioas);
		kas_leave(ioas, kas, dev, true);
	}
	iofd_rwlock_wrunlock(&ioas->lock);
	return r;
}

int iofd_device_detach(struct iofd_device *dev)
{
	return detach(dev, false);
}

void iofd_device_detach_for_close(struct iofd_device *dev)
{
	detach(dev, true);
}

size_t iofd_ioas_device_count(const struct iofd_ioas *ioas)
{
	return ioas ? ioas->n_devs : 0;
}

struct iofd_device *iofd_ioas_device(const struct iofd_ioas *ioas, size_t idx)
{
	return ioas && idx < ioas->n_devs ? ioas->devs[idx] : NULL;
}

size_t iofd_ioas_domain_count(const struct iofd_ioas *ioas)
{
	return ioas ? ioas->n_domains : 0;
}

const struct iofd_domain *iofd_ioas_domain(const struct iofd_ioas *ioas, size_t idx)
{
	return ioas && idx < ioas->n_domains ? ioas->domains[idx] : NULL;
}

int iofd_domain_enforces_coherency(const struct iofd_domain *domain)
{
	return domain ? domain->cc : -EINVAL;
}

int iofd_domain_dirty_tracking(const struct iofd_domain *domain)
{
	return domain ? domain->dirty : -EINVAL;
}

const char *iofd_domain_iommu_name(const struct iofd_domain *domain)
{
	return domain && domain->iommu[0] ? domain->iommu : NULL;
}

int iofd_domain_kernel_id(const struct iofd_domain *domain)
{
	if (!domain)
		return -EINVAL;
	return domain->kernel_id ? (int)domain->kernel_id : -ENODATA;
}

size_t iofd_domain_device_count(const struct iofd_domain *domain)
{
	return domain ? domain->n_devs : 0;
}

struct iofd_device *iofd_domain_device(const struct iofd_domain *domain, size_t idx)
{
	return domain && idx < domain->n_devs ? domain->devs[idx] : NULL;
}
