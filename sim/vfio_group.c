// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VFIO groups (/dev/vfio/N, drivers/vfio/group.c) and VFIO's own container
 * (/dev/vfio/vfio, drivers/vfio/container.c), whose IOMMU driver is type1
 * (type1.c).
 *
 * A group node exists for every IOMMU group with a VFIO device (a member on
 * vfio-pci); it opens once (EBUSY), and not while a member is open through
 * its cdev (EBUSY both ways). GET_STATUS, SET_CONTAINER (a container fd; an
 * iommufd, /dev/iommu or iommufd's /dev/vfio/vfio: its compat IOAS, made
 * then; the device files are bound to it and attached to that IOAS),
 * UNSET_CONTAINER (EBUSY while a device file is open), GET_DEVICE_FD (a
 * device file that holds the group file, answering vfio-pci's ioctls as a
 * cdev does; DMA goes through the group's type1 domain whether or not it
 * is open). Joining a container claims the group's DMA ownership (EPERM
 * when not viable or owned by an iommufd).
 *
 * The container: GET_API_VERSION, CHECK_EXTENSION (type1's answer for no
 * container before SET_IOMMU), SET_IOMMU (which opens type1 and attaches
 * every group, EINVAL without a group; the type's check, then type1's
 * open, decide ENODEV and EINVAL), everything else passed to type1 (EINVAL
 * before SET_IOMMU). The last group to leave takes the IOMMU with it.
 * Not modelled: VFIO_NOIOMMU, KVM.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "kversion.h"
#include "type1.h"
#include "uapi/vfio.h"

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

#define VFIO_GROUP_MAJOR 510
#define VFIO_CONTAINER_MINOR 196

struct sim_vcontainer;

/* A group in a container. */
struct vgroup {
	struct t1_group tg;		/* as type1 knows it */
	struct sim_vcontainer *c;
	struct vgroup *next;		/* in c->groups, newest first */
};

struct sim_vcontainer {
	struct iofd_sim *sim;
	struct vgroup *groups;
	struct sim_t1 *t1;		/* the IOMMU driver's data, once SET_IOMMU */
	struct sim_vcontainer *next;	/* in sim->vcontainers */
};

/* ------------------------------------------------------------------------
 * The container file
 */

/* vfio_ioctl_set_iommu() */
static int set_iommu(struct sim_vcontainer *c, uint64_t arg)
{
	struct sim_t1 *t1;
	struct vgroup *vg;
	int r;

	if (!c->groups || c->t1)
		return -EINVAL;
	/* The one driver, type1, if it says it has @arg; then its open decides. */
	if (sim_t1_check_extension(c->sim, NULL, arg) <= 0)
		return -ENODEV;
	r = sim_t1_open(c->sim, arg, &t1);
	if (r < 0)
		return r;
	for (vg = c->groups; vg; vg = vg->next) {
		r = sim_t1_attach_group(t1, &vg->tg);
		if (r < 0)
			goto unwind;
	}
	c->t1 = t1;
	return 0;
unwind:
	for (struct vgroup *u = c->groups; u != vg; u = u->next)
		sim_t1_detach_group(t1, &u->tg);
	sim_t1_release(t1);
	return r;
}

static int container_ioctl(struct sim_file *f, unsigned int cmd, uint64_t arg)
{
	struct sim_vcontainer *c = f->priv;

	switch (cmd) {
	case IOFD_U_VFIO_GET_API_VERSION:
		return IOFD_U_VFIO_API_VERSION;
	case IOFD_U_VFIO_CHECK_EXTENSION:
		return sim_t1_check_extension(c->sim, c->t1, arg);
	case IOFD_U_VFIO_SET_IOMMU:
		return set_iommu(c, arg);
	}
	return c->t1 ? sim_t1_ioctl(c->t1, cmd, arg) : -EINVAL;
}

static void container_release(struct sim_file *f)
{
	struct sim_vcontainer *c = f->priv;

	/* Groups hold the file: none is left, nor the IOMMU. */
	for (struct sim_vcontainer **p = &c->sim->vcontainers; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	sim_t1_release(c->t1);
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
	fd = sim_file_install(sim, &container_fops, c, VFIO_CONTAINER_MINOR, NULL);
	if (fd < 0) {
		free(c);
		return fd;
	}
	c->next = sim->vcontainers;
	sim->vcontainers = c;
	return fd;
}

uint64_t sim_vfio_containers_hash(struct iofd_sim *sim)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (struct sim_vcontainer *c = sim->vcontainers; c; c = c->next)
		h = c->t1 ? sim_t1_hash(c->t1, h) : (h ^ 1) * 0x100000001b3ull;
	return h;
}

int sim_vfio_check_containers(struct iofd_sim *sim, uint64_t *checked)
{
	for (struct sim_vcontainer *c = sim->vcontainers; c; c = c->next) {
		int r = c->t1 ? sim_iopt_check_domains(sim, &c->t1->iopt, checked) : 0;

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

	if (c->t1)
		sim_t1_detach_group(c->t1, &vg->tg);
	if (--vg->tg.g->owner_cnt == 0)
		vg->tg.g->owner = NULL;
	for (struct vgroup **p = &c->groups; *p; p = &(*p)->next) {
		if (*p == vg) {
			*p = vg->next;
			break;
		}
	}
	/* The last group out takes the IOMMU with it (vfio_group_detach_container()). */
	if (!c->groups && c->t1) {
		sim_t1_release(c->t1);
		c->t1 = NULL;
	}
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
	if (gf->vg.tg.g->owner_cnt || !sim_group_viable(sim, gf->vg.tg.g))
		return -EPERM;
	gf->vg.c = c;
	if (c->t1) {
		r = sim_t1_attach_group(c->t1, &gf->vg.tg);
		if (r < 0) {
			gf->vg.c = NULL;
			return r;
		}
	}
	gf->vg.tg.g->owner = &gf->vg;
	gf->vg.tg.g->owner_cnt = 1;
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
	if (sim_group_viable(f->sim, gf->vg.tg.g))
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
		if (d->group == gf->vg.tg.g && d->vfio && !strcmp(d->name, name))
			dev = d;
	if (!dev)
		return -ENODEV;
	/* vfio_df_group_open(): a container with an IOMMU, or an iommufd */
	if (!gf->ictx && (!gf->vg.c || !gf->vg.c->t1))
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
	gf->vg.tg.g->vfio_file = NULL;
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

	return gf && gf->vg.tg.dom ? &gf->vg.tg.dom->dom : NULL;
}

int sim_vfio_group_open(struct iofd_sim *sim, unsigned int n)
{
	struct sim_group *g = NULL;
	struct gfile *gf;
	bool vfio = false;
	int fd;

	for (struct sim_dev *d = sim->topo->devs; d; d = d->next) {
		if (d->group && d->group->id == (int)n && d->vfio) {
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
	gf->vg.tg.g = g;
	fd = sim_file_install(sim, &group_fops, gf, n, &gf->file);
	if (fd < 0) {
		free(gf);
		return fd;
	}
	g->vfio_file = gf;
	return fd;
}
