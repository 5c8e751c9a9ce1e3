// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VFIO groups (/dev/vfio/N, drivers/vfio/group.c) and the native type1
 * container (/dev/vfio/vfio, drivers/vfio/container.c and
 * vfio_iommu_type1.c, v2 only).
 *
 * A group node exists for every IOMMU group with a VFIO device (a member on
 * vfio-pci, the devices with cdevs); it
 * opens once (EBUSY), and not while a member is open through its cdev
 * (EBUSY both ways). GET_STATUS, SET_CONTAINER (a container fd; an
 * /dev/iommu fd: iommufd's compat IOAS, made then; the device files are
 * bound to it and attached to that IOAS), UNSET_CONTAINER (EBUSY while a
 * device file is open), GET_DEVICE_FD (a device file that holds the group
 * file, answering vfio-pci's ioctls as a cdev does; DMA goes through the
 * group's type1 domain whether or not it is open). Joining a
 * container claims the group's DMA ownership (EPERM when not viable or
 * owned by an iommufd).
 *
 * The container keeps its mappings in an I/O page table (iopt.c) with v2's
 * rules checked here first; its type1 domains, one per IOMMU driver (an
 * SMMUv3 domain per instance) and coherency, mirror every mapping
 * (a new domain is filled from the existing mappings, pinning once).
 * Not modelled yet: type1 v1, UPDATE_VADDR, dirty pages, KVM.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "iopt.h"
#include "topology.h"
#include "uapi/vfio.h"

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

#define VFIO_GROUP_MAJOR 510
#define VFIO_CONTAINER_MINOR 196
#define DMA_ENTRY_LIMIT 65535u		/* vfio_iommu_type1's dma_entry_limit */
#define T1_MAX_DOMAINS 16

struct t1_domain {
	struct sim_domain dom;
	enum iofd_iommu_type type;
	const struct sim_iommu *inst;	/* SMMUv3: its instance only */
	bool enforce_cc;
	unsigned int groups;
};

struct sim_vcontainer;

struct vgroup {
	struct sim_group *g;
	struct sim_vcontainer *c;
	struct t1_domain *dom;		/* once the container has an IOMMU */
	struct vgroup *next;		/* in c->groups */
};

struct sim_vcontainer {
	struct iofd_sim *sim;
	struct vgroup *groups;
	bool iommu_set;
	struct sim_iopt iopt;
	struct t1_domain *doms[T1_MAX_DOMAINS];
	unsigned int ndoms;
	uint32_t dma_avail;
	struct sim_vcontainer *next;	/* in sim->vcontainers */
};

/* ------------------------------------------------------------------------
 * Type1 domains
 */

static struct sim_dev *first_member(struct iofd_sim *sim, const struct sim_group *g)
{
	for (struct sim_dev *d = sim->topo->devs; d; d = d->next)
		if (d->group == g && d->iommu)
			return d;
	return NULL;
}

static uint64_t t1_pgsizes(const struct sim_vcontainer *c)
{
	uint64_t ps = c->sim->page_size, bitmap = SIM_ULONG_MAX;

	for (unsigned int i = 0; i < c->ndoms; i++)
		bitmap &= c->doms[i]->dom.pgsize_bitmap;
	if (bitmap & (ps - 1)) {
		bitmap &= ~(ps - 1);
		bitmap |= ps;
	}
	return bitmap;
}

static void group_unreserve(struct sim_vcontainer *c, struct vgroup *vg)
{
	sim_iopt_remove_reserved_iova(&c->iopt, vg);
}

/*
 * The group's reserved regions, and what lies outside its IOMMU's aperture,
 * become holes of the container's IOVA space (vfio_iommu_aper_resize(),
 * vfio_iommu_resv_exclude()); a mapping there is a conflict: -EINVAL.
 */
static int group_reserve(struct sim_vcontainer *c, struct vgroup *vg)
{
	int r = 0;

	for (struct sim_dev *d = c->sim->topo->devs; d && r == 0; d = d->next) {
		const struct sim_iommu *u = d->iommu;

		if (d->group != vg->g || !u)
			continue;
		for (unsigned int i = 0; i < u->nresv && r == 0; i++)
			r = sim_iopt_reserve_iova(&c->iopt, u->resv[i].start, u->resv[i].last, vg);
		if (r == 0 && u->aperture_start)
			r = sim_iopt_reserve_iova(&c->iopt, 0, u->aperture_start - 1, vg);
		if (r == 0 && u->aperture_last < SIM_ULONG_MAX)
			r = sim_iopt_reserve_iova(&c->iopt, u->aperture_last + 1, SIM_ULONG_MAX, vg);
	}
	if (r < 0)
		group_unreserve(c, vg);
	return r == -EADDRINUSE ? -EINVAL : r;
}

static void domain_put(struct sim_vcontainer *c, struct t1_domain *td)
{
	if (--td->groups)
		return;
	sim_iopt_remove_domain(&c->iopt, &td->dom);
	for (unsigned int i = 0; i < c->ndoms; i++) {
		if (c->doms[i] == td) {
			c->doms[i] = c->doms[--c->ndoms];
			break;
		}
	}
	free(td);
}

/* vfio_iommu_type1_attach_group(): an existing compatible domain, or a new one. */
static int t1_attach_group(struct sim_vcontainer *c, struct vgroup *vg)
{
	struct sim_dev *dev = first_member(c->sim, vg->g);
	struct t1_domain *td;
	bool cc;
	int r;

	if (!dev)
		return -ENODEV;
	cc = sim_dev_enforce_cc(dev);
	r = group_reserve(c, vg);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < c->ndoms; i++) {
		td = c->doms[i];
		if (td->type == dev->iommu->type && td->enforce_cc == cc &&
		    (!td->inst || td->inst == dev->iommu)) {
			td->groups++;
			vg->dom = td;
			return 0;
		}
	}
	r = -ENOMEM;
	if (c->ndoms == T1_MAX_DOMAINS || !(td = sim_zalloc(c->sim, sizeof(*td))))
		goto out_unreserve;
	td->type = dev->iommu->type;
	td->inst = dev->iommu->type == IOFD_IOMMU_ARM_SMMUV3 ? dev->iommu : NULL;
	td->enforce_cc = cc;
	td->groups = 1;
	td->dom.aperture_start = dev->iommu->aperture_start;
	td->dom.aperture_last = dev->iommu->aperture_last;
	td->dom.pgsize_bitmap = dev->iommu->pgsize_bitmap;
	/* Replays (and pins, if first) every existing mapping. */
	r = sim_iopt_add_domain(&c->iopt, &td->dom);
	if (r < 0) {
		free(td);
		goto out_unreserve;
	}
	c->doms[c->ndoms++] = td;
	vg->dom = td;
	return 0;
out_unreserve:
	group_unreserve(c, vg);
	return r;
}

static void t1_detach_group(struct sim_vcontainer *c, struct vgroup *vg)
{
	if (!vg->dom)
		return;
	domain_put(c, vg->dom);
	vg->dom = NULL;
	group_unreserve(c, vg);
}

/* ------------------------------------------------------------------------
 * Type1 ioctls
 */

static int t1_check_extension(struct sim_vcontainer *c, uint64_t arg)
{
	switch (arg) {
	case IOFD_U_VFIO_TYPE1_IOMMU:
	case IOFD_U_VFIO_TYPE1v2_IOMMU:
	case IOFD_U_VFIO_TYPE1_NESTING_IOMMU:
	case IOFD_U_VFIO_UNMAP_ALL:
		return 1;
	case IOFD_U_VFIO_UPDATE_VADDR:
		return c->iommu_set;	/* no emulated (mdev) groups here */
	case IOFD_U_VFIO_DMA_CC_IOMMU:
		if (!c->iommu_set)
			return 0;
		for (unsigned int i = 0; i < c->ndoms; i++)
			if (!c->doms[i]->enforce_cc)
				return 0;
		return 1;
	default:
		return 0;
	}
}

/* Is [start, last] inside the container's IOVA space (vfio_iommu_iova_dma_valid)? */
static bool iova_valid(struct sim_vcontainer *c, uint64_t start, uint64_t last)
{
	struct itree_node *n;

	itree_for_each(n, &c->iopt.reserved, start, last)
		return false;
	return true;
}

static int t1_map(struct sim_vcontainer *c, uint64_t arg)
{
	const uint32_t mask = IOFD_U_VFIO_DMA_MAP_FLAG_READ | IOFD_U_VFIO_DMA_MAP_FLAG_WRITE |
			      IOFD_U_VFIO_DMA_MAP_FLAG_VADDR;
	size_t minsz = offsetofend(struct iofd_u_vfio_iommu_type1_dma_map, size);
	struct iofd_u_vfio_iommu_type1_dma_map map;
	uint64_t pgsize, iova;
	struct itree_node *n;
	int prot = 0, r;

	if (sim_copy_from_user(c->sim, &map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz || (map.flags & ~mask))
		return -EINVAL;
	if (map.size > SIM_ULONG_MAX || map.vaddr > SIM_ULONG_MAX || map.iova > SIM_ULONG_MAX)
		return -EINVAL;
	if (map.flags & IOFD_U_VFIO_DMA_MAP_FLAG_WRITE)
		prot |= SIM_PROT_WRITE;
	if (map.flags & IOFD_U_VFIO_DMA_MAP_FLAG_READ)
		prot |= SIM_PROT_READ;
	if (!!prot == !!(map.flags & IOFD_U_VFIO_DMA_MAP_FLAG_VADDR))
		return -EINVAL;
	if (!prot)
		return -EOPNOTSUPP;	/* UPDATE_VADDR: not modelled */
	pgsize = t1_pgsizes(c) & -t1_pgsizes(c);
	if (!map.size || ((map.size | map.iova | map.vaddr) & (pgsize - 1)))
		return -EINVAL;
	if (map.iova + map.size - 1 < map.iova || map.vaddr + map.size - 1 < map.vaddr)
		return -EINVAL;
	itree_for_each(n, &c->iopt.areas, map.iova, map.iova + map.size - 1)
		return -EEXIST;
	if (!c->dma_avail)
		return -ENOSPC;
	if (!iova_valid(c, map.iova, map.iova + map.size - 1))
		return -EINVAL;
	iova = map.iova;
	r = sim_iopt_map_user_pages(&c->iopt, SIM_ACCOUNT_MM, &iova, map.vaddr, map.size,
				    prot | SIM_PROT_CACHE, 0);
	if (r < 0)
		return r;
	c->dma_avail--;
	return 0;
}

static unsigned int count_areas(struct sim_vcontainer *c, uint64_t start, uint64_t last)
{
	struct itree_node *n;
	unsigned int cnt = 0;

	itree_for_each(n, &c->iopt.areas, start, last)
		cnt++;
	return cnt;
}

static int t1_unmap(struct sim_vcontainer *c, uint64_t arg)
{
	const uint32_t mask = IOFD_U_VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP |
			      IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL | IOFD_U_VFIO_DMA_UNMAP_FLAG_VADDR;
	size_t minsz = offsetofend(struct iofd_u_vfio_iommu_type1_dma_unmap, size);
	struct iofd_u_vfio_iommu_type1_dma_unmap unmap;
	uint64_t pgsize, iova, size, unmapped = 0;
	struct itree_node *n;
	unsigned int cnt;
	int r;

	if (sim_copy_from_user(c->sim, &unmap, arg, minsz))
		return -EFAULT;
	if (unmap.argsz < minsz || (unmap.flags & ~mask))
		return -EINVAL;
	if ((unmap.flags & IOFD_U_VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) &&
	    (unmap.flags & (IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL | IOFD_U_VFIO_DMA_UNMAP_FLAG_VADDR)))
		return -EINVAL;
	if (unmap.flags & (IOFD_U_VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP |
			   IOFD_U_VFIO_DMA_UNMAP_FLAG_VADDR))
		return -EOPNOTSUPP;	/* dirty pages, UPDATE_VADDR: not modelled */
	iova = unmap.iova;
	size = unmap.size;
	pgsize = t1_pgsizes(c) & -t1_pgsizes(c);
	if (iova & (pgsize - 1))
		return -EINVAL;
	if (unmap.flags & IOFD_U_VFIO_DMA_UNMAP_FLAG_ALL) {
		if (iova || size)
			return -EINVAL;
		cnt = count_areas(c, 0, SIM_ULONG_MAX);
		r = sim_iopt_unmap_all(&c->iopt, &unmapped);
	} else {
		if (!size || (size & (pgsize - 1)) || iova + size - 1 < iova ||
		    size > SIM_ULONG_MAX)
			return -EINVAL;
		/* v2: no mapping may be cut */
		n = itree_iter_first(&c->iopt.areas, iova, iova);
		if (n && n->start != iova)
			return -EINVAL;
		n = itree_iter_first(&c->iopt.areas, iova + size - 1, iova + size - 1);
		if (n && n->last != iova + size - 1)
			return -EINVAL;
		cnt = count_areas(c, iova, iova + size - 1);
		r = cnt ? sim_iopt_unmap_iova(&c->iopt, iova, size, &unmapped) : 0;
	}
	if (r == -ENOENT)
		r = 0;
	if (r < 0)
		return r;
	c->dma_avail += cnt;
	unmap.size = unmapped;
	return sim_copy_to_user(c->sim, arg, &unmap, minsz) ? -EFAULT : 0;
}

/* vfio_info_add_capability(): one capability appended to @buf, 8-aligned. */
static int cap_add(struct iofd_sim *sim, uint8_t **buf, size_t *size, void *cap, size_t len,
		   size_t *last)
{
	size_t at = *size, alen = (len + 7) & ~(size_t)7;
	uint8_t *nb = sim_realloc(sim, *buf, at + alen);

	if (!nb)
		return -ENOMEM;
	memset(nb + at, 0, alen);
	memcpy(nb + at, cap, len);
	if (at)
		((struct iofd_u_vfio_info_cap_header *)(nb + *last))->next = (uint32_t)at;
	*last = at;
	*buf = nb;
	*size = at + alen;
	return 0;
}

static int t1_get_info(struct sim_vcontainer *c, uint64_t arg)
{
	struct iofd_u_vfio_iommu_type1_info info = { 0 };
	size_t minsz = offsetofend(struct iofd_u_vfio_iommu_type1_info, iova_pgsizes);
	struct iofd_u_vfio_iommu_type1_info_cap_migration mig = {
		.header = { .id = IOFD_U_VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, .version = 1 },
	};
	struct iofd_u_vfio_iommu_type1_info_dma_avail avail = {
		.header = { .id = IOFD_U_VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, .version = 1 },
	};
	struct iofd_u_vfio_iommu_type1_info_cap_iova_range *iovas = NULL;
	const struct itree *trees[1] = { &c->iopt.reserved };
	uint8_t *buf = NULL;
	size_t size = 0, last = 0, isz;
	struct itree_span s;
	uint32_t nr = 0;
	int r;

	if (sim_copy_from_user(c->sim, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	minsz = info.argsz < sizeof(info) ? info.argsz : sizeof(info);
	info.flags = IOFD_U_VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = t1_pgsizes(c);
	mig.pgsize_bitmap = info.iova_pgsizes & -info.iova_pgsizes;
	mig.max_dirty_bitmap_size = (((uint64_t)INT32_MAX + 63) & ~63ull) / 8;
	avail.avail = c->dma_avail;
	r = cap_add(c->sim, &buf, &size, &mig, sizeof(mig), &last);
	if (!r)
		r = cap_add(c->sim, &buf, &size, &avail, sizeof(avail), &last);
	itree_for_each_span(&s, trees, 1, 0, SIM_ULONG_MAX)
		nr += !s.used;
	isz = sizeof(*iovas) + nr * sizeof(struct iofd_u_vfio_iova_range);
	if (!r && nr) {
		iovas = sim_zalloc(c->sim, isz);
		if (!iovas) {
			r = -ENOMEM;
		} else {
			iovas->header.id = IOFD_U_VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
			iovas->header.version = 1;
			itree_for_each_span(&s, trees, 1, 0, SIM_ULONG_MAX) {
				if (s.used)
					continue;
				iovas->iova_ranges[iovas->nr_iovas].start = s.start;
				iovas->iova_ranges[iovas->nr_iovas].end = s.last;
				iovas->nr_iovas++;
			}
			r = cap_add(c->sim, &buf, &size, iovas, isz, &last);
			free(iovas);
		}
	}
	if (r < 0) {
		free(buf);
		return r;
	}
	info.flags |= IOFD_U_VFIO_IOMMU_INFO_CAPS;
	if (info.argsz < sizeof(info) + size) {
		info.argsz = (uint32_t)(sizeof(info) + size);
	} else {
		/* vfio_info_cap_shift(): offsets from the start of info */
		for (size_t at = 0;;) {
			struct iofd_u_vfio_info_cap_header *h = (void *)(buf + at);

			if (!h->next)
				break;
			at = h->next;
			h->next += sizeof(info);
		}
		if (sim_copy_to_user(c->sim, arg + sizeof(info), buf, size)) {
			free(buf);
			return -EFAULT;
		}
		info.cap_offset = sizeof(info);
	}
	free(buf);
	return sim_copy_to_user(c->sim, arg, &info, minsz) ? -EFAULT : 0;
}

/* ------------------------------------------------------------------------
 * The container file
 */

static int set_iommu(struct sim_vcontainer *c, uint64_t arg)
{
	struct vgroup *vg;
	int r;

	if (!c->groups || c->iommu_set)
		return -EINVAL;
	if (arg != IOFD_U_VFIO_TYPE1v2_IOMMU) {
		/* type1 v1 and nesting: not modelled; anything else no driver takes */
		return arg == IOFD_U_VFIO_TYPE1_IOMMU || arg == IOFD_U_VFIO_TYPE1_NESTING_IOMMU
			       ? -EOPNOTSUPP
			       : -ENODEV;
	}
	for (vg = c->groups; vg; vg = vg->next) {
		r = t1_attach_group(c, vg);
		if (r < 0)
			goto unwind;
	}
	c->iommu_set = true;
	c->dma_avail = DMA_ENTRY_LIMIT;
	return 0;
unwind:
	for (struct vgroup *u = c->groups; u != vg; u = u->next)
		t1_detach_group(c, u);
	return r;
}

static int container_ioctl(struct sim_file *f, unsigned int cmd, uint64_t arg)
{
	struct sim_vcontainer *c = f->priv;

	switch (cmd) {
	case IOFD_U_VFIO_GET_API_VERSION:
		return IOFD_U_VFIO_API_VERSION;
	case IOFD_U_VFIO_CHECK_EXTENSION:
		return t1_check_extension(c, arg);
	case IOFD_U_VFIO_SET_IOMMU:
		return set_iommu(c, arg);
	}
	if (!c->iommu_set)
		return -EINVAL;
	switch (cmd) {
	case IOFD_U_VFIO_IOMMU_GET_INFO:
		return t1_get_info(c, arg);
	case IOFD_U_VFIO_IOMMU_MAP_DMA:
		return t1_map(c, arg);
	case IOFD_U_VFIO_IOMMU_UNMAP_DMA:
		return t1_unmap(c, arg);
	default:
		return -ENOTTY;
	}
}

static void container_release(struct sim_file *f)
{
	struct sim_vcontainer *c = f->priv;

	/* Groups hold the file: none is left. */
	for (struct sim_vcontainer **p = &c->sim->vcontainers; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	sim_iopt_destroy(&c->iopt);
	free(c);
}

static const struct sim_file_ops container_fops = {
	.name = "/dev/vfio/vfio",
	.mode = 0020666,
	.major = 10,
	.nonseekable = true,
	.ioctl = container_ioctl,
	.release = container_release,
};

int sim_vfio_container_open(struct iofd_sim *sim)
{
	struct sim_vcontainer *c = sim_zalloc(sim, sizeof(*c));
	int fd;

	if (!c)
		return -ENOMEM;
	c->sim = sim;
	sim_iopt_init(&c->iopt, sim);
	c->iopt.type1 = true;
	fd = sim_file_install(sim, &container_fops, c, VFIO_CONTAINER_MINOR, NULL);
	if (fd < 0) {
		free(c);
		return fd;
	}
	c->next = sim->vcontainers;
	sim->vcontainers = c;
	return fd;
}

int sim_vfio_check_containers(struct iofd_sim *sim, uint64_t *checked)
{
	for (struct sim_vcontainer *c = sim->vcontainers; c; c = c->next) {
		int r = sim_iopt_check_domains(sim, &c->iopt, checked);

		if (r < 0)
			return r;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * The group file
 */

struct gfile {
	struct vgroup vg;
	struct sim_file *file;
	struct sim_file *cfile;		/* the container's, referenced while set */
	struct sim_ictx *ictx;		/* or an iommufd's (compat): its file referenced */
	unsigned int devices;		/* open device files (the container's users) */
};

static void group_detach(struct gfile *gf)
{
	struct vgroup *vg = &gf->vg;
	struct sim_vcontainer *c = vg->c;

	t1_detach_group(c, vg);
	for (struct vgroup **p = &c->groups; *p; p = &(*p)->next) {
		if (*p == vg) {
			*p = vg->next;
			break;
		}
	}
	/* The last group out takes the IOMMU with it (vfio_container's). */
	if (!c->groups && c->iommu_set) {
		uint64_t unmapped;

		sim_iopt_unmap_all(&c->iopt, &unmapped);
		c->iommu_set = false;
	}
	if (--vg->g->owner_cnt == 0)
		vg->g->owner = NULL;
	vg->c = NULL;
	sim_file_put(gf->cfile);
	gf->cfile = NULL;
}

static int group_set_container(struct sim_file *f, uint64_t arg)
{
	struct gfile *gf = f->priv;
	struct iofd_sim *sim = f->sim;
	struct sim_file *cf;
	struct sim_vcontainer *c;
	int32_t fd;
	int r;

	if (sim_copy_from_user(sim, &fd, arg, sizeof(fd)))
		return -EFAULT;
	cf = fd >= 0 ? sim_fd_file(sim, fd) : NULL;
	if (!cf)
		return -EBADF;
	if (gf->vg.c || gf->ictx)
		return -EINVAL;
	if (cf->ops != &container_fops) {
		struct sim_ictx *ictx = sim_fd_ictx(sim, fd);

		if (!ictx)
			return -EBADFD;
		/* iommufd as the container: its compat IOAS, made now */
		r = sim_vfio_compat_ioas_create(ictx);
		if (r < 0)
			return r;
		gf->ictx = ictx;
		sim_file_get(ictx->file);
		return 0;
	}
	c = cf->priv;
	/* iommu_group_claim_dma_owner() */
	if (gf->vg.g->owner_cnt || !sim_group_viable(sim, gf->vg.g))
		return -EPERM;
	gf->vg.c = c;
	if (c->iommu_set) {
		r = t1_attach_group(c, &gf->vg);
		if (r < 0) {
			gf->vg.c = NULL;
			return r;
		}
	}
	gf->vg.g->owner = &gf->vg;
	gf->vg.g->owner_cnt = 1;
	gf->vg.next = c->groups;
	c->groups = &gf->vg;
	sim_file_get(cf);
	gf->cfile = cf;
	return 0;
}

static int group_get_status(struct sim_file *f, uint64_t arg)
{
	struct gfile *gf = f->priv;
	struct iofd_u_vfio_group_status st;
	const size_t minsz = offsetofend(struct iofd_u_vfio_group_status, flags);

	if (sim_copy_from_user(f->sim, &st, arg, minsz))
		return -EFAULT;
	if (st.argsz < minsz)
		return -EINVAL;
	st.flags = 0;
	if (gf->vg.c || gf->ictx)
		st.flags |= IOFD_U_VFIO_GROUP_FLAGS_CONTAINER_SET;
	if (sim_group_viable(f->sim, gf->vg.g))
		st.flags |= IOFD_U_VFIO_GROUP_FLAGS_VIABLE;
	return sim_copy_to_user(f->sim, arg, &st, minsz) ? -EFAULT : 0;
}

/* strndup_user(): -EFAULT, -EINVAL when there is no NUL within a page. */
static int get_name(struct iofd_sim *sim, uint64_t arg, char *buf, size_t cap)
{
	for (size_t i = 0; i < sim->page_size; i++) {
		char ch;

		if (sim_copy_from_user(sim, &ch, arg + i, 1))
			return -EFAULT;
		if (i < cap)
			buf[i] = ch;
		if (!ch)
			return i < cap ? 0 : -ENODEV;	/* longer than any device name */
	}
	return -EINVAL;
}

static int group_get_device_fd(struct sim_file *f, uint64_t arg)
{
	struct gfile *gf = f->priv;
	struct iofd_sim *sim = f->sim;
	struct sim_dev *dev = NULL;
	char name[64];
	int r, fd;

	r = get_name(sim, arg, name, sizeof(name));
	if (r < 0)
		return r;
	/* vfio_device_get_from_name(): a member on vfio-pci, by name */
	for (struct sim_dev *d = sim->topo->devs; d; d = d->next)
		if (d->group == gf->vg.g && d->cdev >= 0 && !strcmp(d->name, name))
			dev = d;
	if (!dev)
		return -ENODEV;
	/* vfio_df_group_open(): a container with an IOMMU, or an iommufd */
	if (!gf->ictx && (!gf->vg.c || !gf->vg.c->iommu_set))
		return -EINVAL;
	fd = sim_vfio_group_device_open(sim, dev, gf->file, gf->ictx);
	if (fd >= 0)
		gf->devices++;
	return fd;
}

void sim_vfio_group_device_closed(struct sim_file *group)
{
	struct gfile *gf = group->priv;

	gf->devices--;
	sim_file_put(group);
}

static int group_ioctl(struct sim_file *f, unsigned int cmd, uint64_t arg)
{
	struct gfile *gf = f->priv;

	switch (cmd) {
	case IOFD_U_VFIO_GROUP_GET_STATUS:
		return group_get_status(f, arg);
	case IOFD_U_VFIO_GROUP_SET_CONTAINER:
		return group_set_container(f, arg);
	case IOFD_U_VFIO_GROUP_UNSET_CONTAINER:
		if (!gf->vg.c && !gf->ictx)
			return -EINVAL;
		if (gf->vg.c) {
			if (gf->devices)
				return -EBUSY;
			group_detach(gf);
		}
		if (gf->ictx) {
			sim_file_put(gf->ictx->file);
			gf->ictx = NULL;
		}
		return 0;
	case IOFD_U_VFIO_GROUP_GET_DEVICE_FD:
		return group_get_device_fd(f, arg);
	default:
		return -ENOTTY;
	}
}

static void group_release(struct sim_file *f)
{
	struct gfile *gf = f->priv;

	if (gf->vg.c)
		group_detach(gf);
	if (gf->ictx)
		sim_file_put(gf->ictx->file);
	gf->vg.g->vfio_file = NULL;
	free(gf);
}

static const struct sim_file_ops group_fops = {
	.name = "/dev/vfio/",
	.mode = 0020600,
	.major = VFIO_GROUP_MAJOR,
	.nonseekable = true,
	.ioctl = group_ioctl,
	.release = group_release,
};

struct sim_domain *sim_vfio_group_domain(const struct sim_group *g)
{
	struct gfile *gf = g ? g->vfio_file : NULL;

	return gf && gf->vg.dom ? &gf->vg.dom->dom : NULL;
}

int sim_vfio_group_open(struct iofd_sim *sim, unsigned int n)
{
	struct sim_group *g = NULL;
	struct gfile *gf;
	bool vfio = false;
	int fd;

	for (struct sim_dev *d = sim->topo->devs; d; d = d->next) {
		if (d->group && d->group->id == (int)n && d->cdev >= 0) {
			g = d->group;
			vfio = true;
		}
	}
	if (!vfio)
		return -ENOENT;
	if (g->cdev_open_cnt || g->vfio_file)
		return -EBUSY;
	gf = sim_zalloc(sim, sizeof(*gf));
	if (!gf)
		return -ENOMEM;
	gf->vg.g = g;
	fd = sim_file_install(sim, &group_fops, gf, n, &gf->file);
	if (fd < 0) {
		free(gf);
		return fd;
	}
	g->vfio_file = gf;
	return fd;
}
