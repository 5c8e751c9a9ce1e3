// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The simulator: its options, the table of fds it handed out, the kernel
 * ops that libiommufd's seam calls, fault injection and the counters tests
 * read. One mutex serialises every op and every public call.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kversion.h"
#include "topology.h"
#include "vfio_pci.h"

#define SIM_OPTS_SZ_V1 (offsetof(struct iofd_sim_opts, memlock_pages) + sizeof(uint64_t))
#define SIM_OPTS_MAX_SZ 4096

/* The options-struct rules, the same as libiommufd's and the uAPI's. */
static int opts_check(const struct iofd_sim_opts *opts, struct iofd_sim_opts *o)
{
	const unsigned char *p = (const void *)opts;
	size_t sz;

	memset(o, 0, sizeof(*o));
	o->kernel_version = sim_kversion(0);
	if (!opts)
		return 0;
	sz = opts->sz;
	if (sz < SIM_OPTS_SZ_V1)
		return -EINVAL;
	if (sz > SIM_OPTS_MAX_SZ)
		return -E2BIG;
	for (size_t i = sizeof(*o); i < sz; i++)
		if (p[i])
			return -E2BIG;
	memcpy(o, opts, sz < sizeof(*o) ? sz : sizeof(*o));
	if (o->flags & ~SIM_KNOWN_FLAGS)
		return -EINVAL;
	o->kernel_version = sim_kversion(o->kernel_version);
	if (!o->kernel_version)
		return -EINVAL;
	/* iommufd as /dev/vfio/vfio came with iommufd. */
	if ((o->flags & IOFD_SIM_VFIO_CONTAINER_IOMMUFD) &&
	    !sim_kversion_has(o->kernel_version, SIM_KF_IOMMUFD))
		return -EINVAL;
	return 0;
}

int iofd_sim_new(struct iofd_sim **ret, const struct iofd_sim_opts *opts)
{
	struct iofd_sim_opts o;
	struct iofd_sim *sim;
	long ps;
	int r;

	if (!ret)
		return -EINVAL;
	r = opts_check(opts, &o);
	if (r < 0)
		return r;
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return -ENOMEM;
	r = pthread_mutex_init(&sim->lock, NULL);
	if (r) {
		free(sim);
		return -r;
	}
	sim->flags = o.flags;
	sim->kversion = o.kernel_version;
	sim->memlock_pages = o.memlock_pages;
	ps = sysconf(_SC_PAGESIZE);
	sim->page_size = ps > 0 ? (uint64_t)ps : 4096;
	/* A PMD maps as many pages as a page holds 8-byte entries. */
	sim->hpage_size = sim_has(sim, IOFD_SIM_NO_THP) ? sim->page_size
							: sim->page_size / 8 * sim->page_size;
	sim_uaccess_init(sim);
	r = sim_topo_new(sim);
	if (r < 0) {
		pthread_mutex_destroy(&sim->lock);
		free(sim);
		return r;
	}
	*ret = sim;
	return 0;
}

void sim_file_put(struct sim_file *f)
{
	if (--f->refs)
		return;
	if (f->ops->release)
		f->ops->release(f);
	free(f);
}

struct sim_file *sim_fd_file(struct iofd_sim *sim, int fd)
{
	if (fd < 0 || fd >= sim->fdtab_len)
		return NULL;
	return sim->fdtab[fd];
}

/* Enter @f under the real @fd. */
static int fd_register(struct iofd_sim *sim, int fd, struct sim_file *f)
{
	if (fd >= sim->fdtab_len) {
		int n = sim->fdtab_len ? sim->fdtab_len : 64;
		struct sim_file **t;

		while (n <= fd)
			n *= 2;
		t = sim_realloc(sim, sim->fdtab, n * sizeof(*t));
		if (!t)
			return -ENOMEM;
		memset(t + sim->fdtab_len, 0, (n - sim->fdtab_len) * sizeof(*t));
		sim->fdtab = t;
		sim->fdtab_len = n;
	}
	sim->fdtab[fd] = f;
	sim->open_fds++;
	return 0;
}

int sim_file_install(struct iofd_sim *sim, const struct sim_file_ops *ops, void *priv,
		     unsigned int minor, struct sim_file **ret)
{
	char name[64] = "iofd-sim:";
	struct sim_file *f = sim_zalloc(sim, sizeof(*f));
	int fd, r;

	if (!f)
		return -ENOMEM;
	strncat(name, ops->name, sizeof(name) - strlen(name) - 1);
	fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		free(f);
		return r;
	}
	f->sim = sim;
	f->ops = ops;
	f->priv = priv;
	f->refs = 1;
	f->minor = minor;
	r = fd_register(sim, fd, f);
	if (r < 0) {
		close(fd);
		free(f);
		return r;
	}
	if (ret)
		*ret = f;
	return fd;
}

bool sim_should_fail(struct iofd_sim *sim)
{
	sim->points++;
	if (sim->fail_point_at && sim->points == sim->fail_point_at) {
		sim->fail_point_at = 0;
		return true;
	}
	return false;
}

void *sim_zalloc(struct iofd_sim *sim, size_t size)
{
	return sim_should_fail(sim) ? NULL : calloc(1, size);
}

void *sim_realloc(struct iofd_sim *sim, void *p, size_t size)
{
	return sim_should_fail(sim) ? NULL : realloc(p, size);
}

/* The fault injector: 0, or the errno (negative) this call returns. */
static int inject(struct iofd_sim *sim, bool is_ioctl, unsigned int cmd)
{
	sim->calls++;
	if (sim->fail_at && sim->calls == sim->fail_at) {
		sim->fail_at = 0;
		return -sim->fail_err;
	}
	if (!is_ioctl)
		return 0;
	for (int i = 0; i < SIM_MAX_IOCTL_RULES; i++) {
		if (!sim->ioctl_rules[i].count || sim->ioctl_rules[i].request != cmd)
			continue;
		sim->ioctl_rules[i].count--;
		return -sim->ioctl_rules[i].err;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * The kernel ops
 */

/* A node by its path under /dev: "iommu", "vfio/devices/vfioN". */
static int open_node(struct iofd_sim *sim, const char *node)
{
	static const char cdev[] = "vfio/devices/vfio";
	unsigned long n;
	char *end;

	if (!strcmp(node, "iommu"))
		return sim_kernel_has(sim, SIM_KF_IOMMUFD) ? sim_iommufd_open(sim) : -ENOENT;
	if (!strcmp(node, "vfio/vfio"))
		return sim_has(sim, IOFD_SIM_VFIO_CONTAINER_IOMMUFD) ? sim_iommufd_vfio_open(sim)
								       : sim_vfio_container_open(sim);
	if (!strncmp(node, "vfio/", 5) && node[5] >= '0' && node[5] <= '9' &&
	    (node[5] != '0' || !node[6])) {
		n = strtoul(node + 5, &end, 10);
		if (*end || n > INT32_MAX)
			return -ENOENT;
		return sim_vfio_group_open(sim, (unsigned int)n);
	}
	if (strncmp(node, cdev, sizeof(cdev) - 1))
		return -ENOENT;
	node += sizeof(cdev) - 1;
	if (*node < '0' || *node > '9' || (node[0] == '0' && node[1]))
		return -ENOENT;
	n = strtoul(node, &end, 10);
	if (*end || n > UINT32_MAX)
		return -ENOENT;
	return sim_vfio_cdev_open(sim, (unsigned int)n);
}

static int s_open(void *priv, const char *path, int flags)
{
	struct iofd_sim *sim = priv;
	const char *dev_root;
	size_t n;
	int r;

	pthread_mutex_lock(&sim->lock);
	dev_root = sim->topo->fs_made ? sim->topo->fs.dev : NULL;
	n = dev_root ? strlen(dev_root) : 0;
	r = inject(sim, false, 0);
	if (!r) {
		/* "/dev/X", or X under the simulated host's dev root */
		const char *sys_root = sim->topo->fs_made ? sim->topo->fs.sys : NULL;
		size_t m = sys_root ? strlen(sys_root) : 0;

		if (path && !strncmp(path, "/dev/", 5))
			r = open_node(sim, path + 5);
		else if (path && n && !strncmp(path, dev_root, n) && path[n] == '/')
			r = open_node(sim, path + n + 1);
		else if (path && !strncmp(path, "/proc/", 6))
			r = sim_proc_open(sim, path, flags);
		else if (path && m && !strncmp(path, sys_root, m) && path[m] == '/')
			r = sim_sysfs_attr_open(sim, path + m + 1, flags);
		else
			r = -ENOENT;
	}
	pthread_mutex_unlock(&sim->lock);
	return r;
}

void sim_fd_close(struct iofd_sim *sim, int fd)
{
	struct sim_file *f = sim->fdtab[fd];

	sim->fdtab[fd] = NULL;
	sim->open_fds--;
	close(fd);
	sim_file_put(f);
}

static int s_close(void *priv, int fd)
{
	struct iofd_sim *sim = priv;
	int r;

	pthread_mutex_lock(&sim->lock);
	r = inject(sim, false, 0);
	if (sim_fd_file(sim, fd))
		sim_fd_close(sim, fd);	/* Linux closes even when close() reports an error */
	else
		r = -EBADF;
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static int s_ioctl(void *priv, int fd, unsigned long request, void *arg)
{
	struct iofd_sim *sim = priv;
	unsigned int cmd = (unsigned int)request;	/* the syscall takes 32 bits */
	struct sim_file *f;
	int r;

	pthread_mutex_lock(&sim->lock);
	r = inject(sim, true, cmd);
	if (!r) {
		f = sim_fd_file(sim, fd);
		if (!f)
			r = -EBADF;
		else if (!f->ops->ioctl)
			r = -ENOTTY;
		else
			r = f->ops->ioctl(f, cmd, (uint64_t)(uintptr_t)arg);
	}
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static int s_mmap(void *priv, void **ret, size_t len, int prot, int flags, int fd,
		  off_t offset)
{
	struct iofd_sim *sim = priv;
	int r;

	pthread_mutex_lock(&sim->lock);
	r = inject(sim, false, 0);
	if (!r) {
		struct sim_file *f = sim_fd_file(sim, fd);

		if (!f)
			r = -EBADF;
		else if (offset < 0)
			r = -EINVAL;
		else if (!f->ops->mmap)	/* the VFS's answer */
			r = -ENODEV;
		else
			r = f->ops->mmap(f, ret, len, prot, flags, (uint64_t)offset);
	}
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static int s_munmap(void *priv, void *addr, size_t len)
{
	struct iofd_sim *sim = priv;
	int r;

	/* What a simulated file maps (a BAR) is the caller's to munmap(2). */
	pthread_mutex_lock(&sim->lock);
	r = inject(sim, false, 0);
	pthread_mutex_unlock(&sim->lock);
	return r ? r : -EINVAL;
}

/* read, write, and (@pos) pread and pwrite. */
static ssize_t rw(struct iofd_sim *sim, int fd, void *buf, size_t len, bool pos, off_t off,
		  bool write)
{
	struct sim_file *f;
	ssize_t r;

	pthread_mutex_lock(&sim->lock);
	r = inject(sim, false, 0);
	if (r)
		goto out;
	f = sim_fd_file(sim, fd);
	if (!f)
		r = -EBADF;
	else if (pos && off < 0)
		r = -EINVAL;
	else if (pos && f->ops->nonseekable)
		r = -ESPIPE;
	else if (pos && (write ? f->ops->pwrite : f->ops->pread))
		r = write ? f->ops->pwrite(f, (uint64_t)(uintptr_t)buf, len, (uint64_t)off)
			  : f->ops->pread(f, (uint64_t)(uintptr_t)buf, len, (uint64_t)off);
	else if (pos && off > 0)
		r = -EINVAL;	/* a file without positions */
	else if (write ? !f->ops->write : !f->ops->read)
		r = -EINVAL;
	else if (write)
		r = f->ops->write(f, (uint64_t)(uintptr_t)buf, len);
	else
		r = f->ops->read(f, (uint64_t)(uintptr_t)buf, len);
out:
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static ssize_t s_pread(void *priv, int fd, void *buf, size_t len, off_t off)
{
	return rw(priv, fd, buf, len, true, off, false);
}

static ssize_t s_pwrite(void *priv, int fd, const void *buf, size_t len, off_t off)
{
	return rw(priv, fd, (void *)buf, len, true, off, true);
}

static ssize_t s_read(void *priv, int fd, void *buf, size_t len)
{
	return rw(priv, fd, buf, len, false, 0, false);
}

static ssize_t s_write(void *priv, int fd, const void *buf, size_t len)
{
	return rw(priv, fd, (void *)buf, len, false, 0, true);
}

static int s_fstat(void *priv, int fd, struct stat *st)
{
	struct iofd_sim *sim = priv;
	struct sim_file *f;
	int r;

	pthread_mutex_lock(&sim->lock);
	r = inject(sim, false, 0);
	if (!r) {
		f = sim_fd_file(sim, fd);
		if (!f) {
			r = -EBADF;
		} else if (fstat(fd, st) < 0) {	/* for st_dev/st_ino: one per file */
			r = -errno;
		} else {
			st->st_mode = f->ops->mode;
			st->st_rdev = f->ops->major ? makedev(f->ops->major, f->minor) : 0;
			st->st_size = 0;
			st->st_blocks = 0;
			st->st_nlink = 1;
		}
	}
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static int s_dup(void *priv, int fd)
{
	struct iofd_sim *sim = priv;
	struct sim_file *f;
	int r, nfd;

	pthread_mutex_lock(&sim->lock);
	r = inject(sim, false, 0);
	if (r)
		goto out;
	f = sim_fd_file(sim, fd);
	if (!f) {
		r = -EBADF;
		goto out;
	}
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (nfd < 0) {
		r = -errno;
		goto out;
	}
	r = fd_register(sim, nfd, f);
	if (r < 0) {
		close(nfd);
		goto out;
	}
	sim_file_get(f);
	r = nfd;
out:
	pthread_mutex_unlock(&sim->lock);
	return r;
}

static const struct iofd_kernel_ops sim_ops = {
	.sz = sizeof(struct iofd_kernel_ops),
	.open = s_open,
	.close = s_close,
	.ioctl = s_ioctl,
	.mmap = s_mmap,
	.munmap = s_munmap,
	.pread = s_pread,
	.pwrite = s_pwrite,
	.read = s_read,
	.write = s_write,
	.fstat = s_fstat,
	.dup = s_dup,
};

const struct iofd_kernel_ops *iofd_sim_kernel_ops(void)
{
	return &sim_ops;
}

int iofd_sim_ctx_opts(struct iofd_sim *sim, struct iofd_ctx_opts *opts)
{
	const char *sys, *dev;

	if (!sim || !opts ||
	    opts->sz < offsetof(struct iofd_ctx_opts, kernel_priv) + sizeof(void *))
		return -EINVAL;
	sys = iofd_sim_sysfs_root(sim);
	dev = iofd_sim_dev_root(sim);
	if (!sys || !dev)
		return -errno;
	opts->sysfs_root = sys;
	opts->dev_root = dev;
	opts->kernel = &sim_ops;
	opts->kernel_priv = sim;
	return 0;
}

void iofd_sim_free(struct iofd_sim *sim)
{
	if (!sim)
		return;
	pthread_mutex_lock(&sim->lock);
	for (int fd = 0; fd < sim->fdtab_len; fd++)
		if (sim->fdtab[fd])
			sim_fd_close(sim, fd);
	sim_vpci_free_all(sim);
	sim_topo_free(sim);
	pthread_mutex_unlock(&sim->lock);
	free(sim->fdtab);
	pthread_mutex_destroy(&sim->lock);
	free(sim);
}

/* ------------------------------------------------------------------------
 * Fault injection and observation
 */

static bool errno_ok(int err)
{
	return err > 0 && err < 4096;
}

int iofd_sim_fail_nth(struct iofd_sim *sim, unsigned int n, int err)
{
	if (!sim || (n && !errno_ok(err)))
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	sim->fail_at = n ? sim->calls + n : 0;
	sim->fail_err = err;
	pthread_mutex_unlock(&sim->lock);
	return 0;
}

int iofd_sim_fail_ioctl(struct iofd_sim *sim, unsigned long request, int err,
			unsigned int count)
{
	unsigned int cmd = (unsigned int)request;
	int r = -ENOSPC, free_slot = -1;

	if (!sim || (count && !errno_ok(err)))
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	for (int i = 0; i < SIM_MAX_IOCTL_RULES; i++) {
		if (sim->ioctl_rules[i].count && sim->ioctl_rules[i].request == cmd) {
			sim->ioctl_rules[i].count = 0;
			free_slot = i;
			break;
		}
		if (!sim->ioctl_rules[i].count && free_slot < 0)
			free_slot = i;
	}
	if (!count) {
		r = 0;
	} else if (free_slot >= 0) {
		sim->ioctl_rules[free_slot].request = cmd;
		sim->ioctl_rules[free_slot].err = err;
		sim->ioctl_rules[free_slot].count = count;
		r = 0;
	}
	pthread_mutex_unlock(&sim->lock);
	return r;
}

#define SIM_GETTER(type, name, expr)                     \
	type name(struct iofd_sim *sim)                  \
	{                                                \
		type v;                                  \
                                                         \
		if (!sim)                                \
			return 0;                        \
		pthread_mutex_lock(&sim->lock);          \
		v = (expr);                              \
		pthread_mutex_unlock(&sim->lock);        \
		return v;                                \
	}

SIM_GETTER(uint64_t, iofd_sim_calls, sim->calls)
SIM_GETTER(uint64_t, iofd_sim_pinned_pages, sim->pinned_vm)
SIM_GETTER(uint64_t, iofd_sim_locked_pages, sim->locked_user + sim->locked_mm)
SIM_GETTER(unsigned int, iofd_sim_open_fds, sim->open_fds)
SIM_GETTER(unsigned int, iofd_sim_objects, sim->objects)
