// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the library costs on the map path: map+unmap of a 4 KiB and of a
 * 2 MiB buffer through libiommufd (iofd_ioas_map() with IOFD_MAP_FIXED_IOVA,
 * iofd_ioas_unmap()) against the same iommufd ioctls made by hand
 * (IOMMU_IOAS_MAP with FIXED_IOVA, IOMMU_IOAS_UNMAP) on the same kernel
 * objects, in one run; and, for scale, what the kernel itself charges for a
 * second domain and for a second IOAS. bench/README.md has the figures.
 *
 *   bench-ioas [--mode iommufd|type1|compat|all] [--sim] [--check] [--separate]
 *              [-r ROUNDS] [-n PAIRS] [-t MS] [-d BDF]
 *
 * --mode (default all; repeatable, or comma-separated) picks the backends:
 *  - iommufd: the configurations below.
 *  - type1: the same device in a VFIO type1 container: the library with
 *    IOFD_BACKEND_TYPE1 and IOFD_CTX_CONTAINER_FD (a /dev/vfio/vfio this
 *    program opened, which the library's first IOAS shares), the raw side
 *    VFIO_IOMMU_MAP_DMA / VFIO_IOMMU_UNMAP_DMA on that container at the same
 *    IOVA. And, for scale, raw only: the first two vfio-pci devices (groups
 *    of their own) in one container, against one container each mapping the
 *    same buffer (what IOFD_CTX_TYPE1_SPLIT does for devices of different
 *    classes: each container pins and charges again). Type1 charges
 *    mm->locked_vm (VmLck) for every page it pins, CAP_IPC_LOCK or not, and
 *    does not count them in VmPin.
 *  - compat: the device through its VFIO group on an iommufd: the library
 *    with IOFD_BACKEND_COMPAT and IOFD_CTX_IOMMU_FD, the raw side
 *    IOMMU_IOAS_MAP/UNMAP on that fd against iofd_ioas_kernel_id() (the
 *    device sits in an automatic HWPT of that IOAS).
 * Each mode runs as a phase of its own (a VFIO group opens once at a time).
 *
 * Configurations (each needs its kernel; those it lacks are skipped, saying
 * why):
 *  - vtd1: one VT-d domain: the first vfio-pci device with a VFIO cdev
 *    (or -d BDF), opened by PCI address through the library. Needs VT-d on
 *    (the lab's sc, nosc boots).
 *  - mock1, mock2: one IOAS with one, and with two, domains of the kernel's
 *    selftest mock IOMMU (CONFIG_IOMMUFD_TEST; the lab's mock boot, VT-d
 *    off): mock devices with different dirty-tracking capability in an
 *    IOAS made with IOFD_IOAS_DIRTY_TRACKING, so that the library gives
 *    each a domain of its own; by hand: IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS (0,
 *    then NO_DIRTY), IOMMU_HWPT_ALLOC with, then without, DIRTY_TRACKING,
 *    and IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE into it (the library's sequence).
 *    mock1 is mock2 without the second device.
 *  - mirror, copy (by hand only, for scale): two IOASes, each with mock1's
 *    device and domain; the buffer is mapped into the first and again into
 *    the second (IOMMU_IOAS_MAP twice: two pins, two charges), or mapped
 *    into the first and copied into the second (IOMMU_IOAS_COPY: the pages
 *    pinned once are shared); then unmapped from both.
 *
 * Method. Both sides map the same buffer at the same IOVA (0x40000000) into
 * the same kernel objects: the library builds the configuration (context,
 * IOAS, devices, domains) on a /dev/iommu this program opened and handed it
 * (IOFD_CTX_IOMMU_FD), and the raw side makes its ioctls on that fd, on the
 * library's IOAS (iofd_ioas_kernel_id()). So both do exactly the same work
 * in the kernel. Every configuration is set up once and kept; each side of
 * each configuration is a "lane". A round runs, per size, a few untimed
 * pairs of every lane, then n timed groups of every lane, the lanes taking
 * turns group by group (the lane going first rotates): whatever slows the
 * machine down for a while (here, or the emulator's thread on its host)
 * slows all lanes alike, and each group can be set against the group of
 * another lane in the same turn. A group is g pairs, about 0.1 ms (at least
 * one pair, and enough that reading the clock costs under 0.5%); n is the
 * same for all lanes, such that the slowest lane's groups take about -t MS
 * per round. Both are chosen in round 0.
 *
 * Figures: a lane's time per pair is the median over its groups of each
 * round, then the median over the rounds (a group that lost the CPU is an
 * outlier the median ignores, as a mean would not). lib/raw is the ratio of
 * those; "paired" is the median (and quartiles) over all groups of the
 * ratio of a library group to the raw group of the same turn, which the
 * target is checked against. The "for scale" ratios are paired likewise.
 *
 * --separate instead gives the raw side kernel objects of its own, made
 * from nothing by raw ioctls (below) and remade for each batch, as are the
 * library's (a cdev binds once, so the two cannot hold the device at the
 * same time): no library code at all on the raw side, at the price of more
 * noise.
 *
 * "lib own": the library's own work per pair, whatever the kernel costs:
 * its map and unmap timed (as above) on a null kernel, the context's kernel
 * ops with IOMMU_IOAS_MAP and IOMMU_IOAS_UNMAP answered 0 at once. Expect
 * lib/raw ~ 1 + own/raw.
 *
 * The raw side's own setup (also what the pinned/charged pass and the
 * mirror and copy configurations use): vtd1: open the cdev,
 * VFIO_DEVICE_BIND_IOMMUFD, IOMMU_IOAS_ALLOC, IOMMU_HWPT_ALLOC,
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT to that HWPT; mock1, mock2: as said above.
 *
 * Pinned and charged pages come from a separate, untimed pass: set up,
 * map, read, unmap, for each side. Pinned: the growth of VmPin in
 * /proc/self/status (mm->pinned_vm, which iommufd raises for every page it
 * pins, in every accounting mode). Charged: what iommufd counts against
 * RLIMIT_MEMLOCK. By default it charges the user (user->locked_vm, which
 * /proc does not show per process), and nothing at all for a process with
 * CAP_IPC_LOCK (as root in the lab is: the timed runs charge nothing). So
 * the pass drops CAP_IPC_LOCK from the effective set and sets
 * IOMMU_OPTION_RLIMIT_MODE = 1 on its /dev/iommu (needs CAP_SYS_RESOURCE;
 * the library's context gets that fd), which makes iommufd charge the same
 * page count to mm->locked_vm instead: the growth of VmLck. Without
 * CAP_SYS_RESOURCE the column says "?". On the simulator: its
 * iofd_sim_pinned_pages() and iofd_sim_locked_pages() (a process without
 * CAP_IPC_LOCK, charged per user).
 *
 * --sim runs everything on libiommufd-sim (a smoke run for CI; its times
 * are the simulator's, not a kernel's). --check exits 1 when lib/raw is
 * above 1.05 anywhere; otherwise the exit status is 0 whatever the figures
 * (a benchmark reports, tests assert), 2 for bad usage, 1 when nothing
 * could be measured or a kernel call failed.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <libiommufd.h>
#ifdef HAVE_LIBIOMMUFD_SIM
#include <libiommufd-sim.h>
#endif

#include "uapi/iommufd.h"
#include "uapi/iommufd_test.h"
#include "uapi/vfio.h"

#define IOVA		0x40000000ull	/* in VT-d's and the mock's apertures */
#define SZ_2M		(2ull << 20)
#define TARGET		1.05		/* lib/raw */
#define MAX_ROUNDS	99
#define WARMUP		4		/* untimed pairs before each batch */

/* ------------------------------------------------------------------------
 * The kernel: the real one, or libiommufd-sim
 */

static struct {
	const struct iofd_kernel_ops *ops;	/* NULL: the real kernel, by syscalls */
	void *priv;
#ifdef HAVE_LIBIOMMUFD_SIM
	struct iofd_sim *sim;
#endif
	char sysfs[1024];			/* where sysfs is ("/sys") */
	uint64_t page_size;
} K;

static bool on_sim(void)
{
	return K.ops != NULL;
}

static int k_open(const char *path)
{
	int fd;

	if (on_sim())
		return K.ops->open(K.priv, path, O_RDWR);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void k_close(int fd)
{
	if (fd < 0)
		return;
	if (on_sim())
		K.ops->close(K.priv, fd);
	else
		close(fd);
}

/* The raw side's only way into the kernel: ioctl(2) itself on a real one. */
static inline int k_ioctl(int fd, unsigned long request, void *arg)
{
	if (on_sim())
		return K.ops->ioctl(K.priv, fd, request, arg);
	return ioctl(fd, request, arg) < 0 ? -errno : 0;
}

/* The same, keeping what the ioctl returns (VFIO_GROUP_GET_DEVICE_FD's fd). */
static int k_ioctl_ret(int fd, unsigned long request, void *arg)
{
	int r;

	if (on_sim())
		return K.ops->ioctl(K.priv, fd, request, arg);
	r = ioctl(fd, request, arg);
	return r < 0 ? -errno : r;
}

/* A field of /proc/self/status, in kB. */
static uint64_t status_kb(const char *key)
{
	size_t n = strlen(key);
	char line[256];
	uint64_t v = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtoull(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Pages pinned (VmPin) and charged to the mm (VmLck) now. */
static void usage_now(uint64_t *pinned, uint64_t *charged)
{
#ifdef HAVE_LIBIOMMUFD_SIM
	if (K.sim) {
		*pinned = iofd_sim_pinned_pages(K.sim);
		*charged = iofd_sim_locked_pages(K.sim);
		return;
	}
#endif
	*pinned = status_kb("VmPin") * 1024 / K.page_size;
	*charged = status_kb("VmLck") * 1024 / K.page_size;
}

/* CAP_IPC_LOCK in the effective set on or off (it stays permitted). */
static int set_ipc_lock(bool on)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	if (on)
		d[0].effective |= d[0].permitted & (1u << CAP_IPC_LOCK);
	else
		d[0].effective &= ~(1u << CAP_IPC_LOCK);
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

/* ------------------------------------------------------------------------
 * Raw iommufd helpers (what a program without the library writes)
 */

static int raw_ioas_alloc(int fd, uint32_t *id)
{
	struct iofd_u_iommu_ioas_alloc a = { .size = sizeof(a) };
	int r = k_ioctl(fd, IOFD_U_IOMMU_IOAS_ALLOC, &a);

	*id = a.out_ioas_id;
	return r;
}

static int raw_hwpt_alloc(int fd, uint32_t dev_id, uint32_t pt_id, uint32_t flags,
			  uint32_t *hwpt)
{
	struct iofd_u_iommu_hwpt_alloc a = {
		.size = sizeof(a), .flags = flags, .dev_id = dev_id, .pt_id = pt_id,
	};
	int r = k_ioctl(fd, IOFD_U_IOMMU_HWPT_ALLOC, &a);

	*hwpt = a.out_hwpt_id;
	return r;
}

static int raw_test_cmd(int fd, struct iofd_u_iommu_test_cmd *c)
{
	c->size = sizeof(*c);
	return k_ioctl(fd, IOFD_U_IOMMU_TEST_CMD, c);
}

/*
 * A mock device in IOAS @ioas, moved into a HWPT of its own allocated with
 * @hwpt_flags: the library's sequence (the automatic domain the device got
 * first is freed by the kernel when the device leaves it).
 */
static int raw_mock_dev(int fd, uint32_t ioas, uint32_t dev_flags, uint32_t hwpt_flags)
{
	struct iofd_u_iommu_test_cmd c = {
		.op = IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = ioas,
		.mock_domain_flags.dev_flags = dev_flags,
	};
	uint32_t stdev, hwpt;
	int r = raw_test_cmd(fd, &c);

	if (r < 0)
		return r;
	stdev = c.mock_domain_flags.out_stdev_id;
	r = raw_hwpt_alloc(fd, c.mock_domain_flags.out_idev_id, ioas, hwpt_flags, &hwpt);
	if (r < 0)
		return r;
	memset(&c, 0, sizeof(c));
	c.op = IOFD_U_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE;
	c.id = stdev;
	c.mock_domain_replace.pt_id = hwpt;
	return raw_test_cmd(fd, &c);
}

static inline int raw_map(int fd, uint32_t ioas, void *buf, uint64_t len)
{
	struct iofd_u_iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOFD_U_IOMMU_IOAS_MAP_FIXED_IOVA | IOFD_U_IOMMU_IOAS_MAP_READABLE |
			 IOFD_U_IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)buf,
		.length = len,
		.iova = IOVA,
	};

	return k_ioctl(fd, IOFD_U_IOMMU_IOAS_MAP, &m);
}

static inline int raw_copy(int fd, uint32_t dst, uint32_t src, uint64_t len)
{
	struct iofd_u_iommu_ioas_copy c = {
		.size = sizeof(c),
		.flags = IOFD_U_IOMMU_IOAS_MAP_FIXED_IOVA | IOFD_U_IOMMU_IOAS_MAP_READABLE |
			 IOFD_U_IOMMU_IOAS_MAP_WRITEABLE,
		.dst_ioas_id = dst,
		.src_ioas_id = src,
		.length = len,
		.dst_iova = IOVA,
		.src_iova = IOVA,
	};

	return k_ioctl(fd, IOFD_U_IOMMU_IOAS_COPY, &c);
}

static inline int raw_unmap(int fd, uint32_t ioas, uint64_t len)
{
	struct iofd_u_iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = ioas, .iova = IOVA, .length = len,
	};

	return k_ioctl(fd, IOFD_U_IOMMU_IOAS_UNMAP, &u);
}

/* The same on a VFIO type1 container. */
static inline int raw_dma_map(int fd, void *buf, uint64_t len)
{
	struct iofd_u_vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = IOFD_U_VFIO_DMA_MAP_FLAG_READ | IOFD_U_VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)buf,
		.iova = IOVA,
		.size = len,
	};

	return k_ioctl(fd, IOFD_U_VFIO_IOMMU_MAP_DMA, &m);
}

static inline int raw_dma_unmap(int fd, uint64_t len)
{
	struct iofd_u_vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = IOVA, .size = len,
	};

	return k_ioctl(fd, IOFD_U_VFIO_IOMMU_UNMAP_DMA, &u);
}

/* ------------------------------------------------------------------------
 * Fixtures: one side of one configuration, set up from nothing
 */

enum cfg {
	CFG_VTD1, CFG_MOCK1, CFG_MOCK2, CFG_MIRROR, CFG_COPY,	/* iommufd */
	CFG_TYPE1,						/* type1 */
	CFG_COMPAT,						/* compat */
	CFG_T1SHARED, CFG_T1SPLIT,				/* type1, for scale */
	NR_CFG
};

/* What --mode picks, and the phases the run goes through one after another. */
enum mode { MODE_IOMMUFD, MODE_TYPE1, MODE_COMPAT, MODE_SPLIT, NR_MODE };

enum side { RAW, LIB, NR_SIDE };

struct fixture {
	enum cfg cfg;
	enum side made_by;	/* whose setup made it */
	bool share;		/* the library's, on our iommufd, for both sides */
	bool charge;		/* the accounting pass: RLIMIT_MODE 1 on our iommufd */
	bool null;		/* the library's context on the null kernel below */
	const char *err;	/* what failed, for the message */
	/* the library's side */
	struct iofd_ctx *ctx;
	struct iofd_ioas *ioas;
	struct iofd_device *dev[2];
	/* the raw side */
	int iommufd;		/* type1: the (first) container */
	int devfd;
	uint32_t ioas_id[2];
	int cont2;		/* type1, split: the second container */
	int grp[2];		/* type1, compat: the VFIO groups */
};

struct side_ops {
	int (*setup)(struct fixture *f);
	int (*map)(struct fixture *f, void *buf, uint64_t len);
	int (*unmap)(struct fixture *f, uint64_t len);
	void (*teardown)(struct fixture *f);
};

static char vfio_bdf[256];	/* the vtd1 device, "" when none */
static char vfio_cdev[300];	/* its cdev, /dev/vfio/devices/vfioN */
static char vfio_group[2][300];	/* its VFIO group (/dev/vfio/N), and the next device's */
static char vfio_bdf2[256];	/* the next vfio-pci device with a cdev, for split */

static bool is_vfio(enum cfg c)
{
	return c == CFG_VTD1 || c >= CFG_TYPE1;
}

/* Our own /dev/vfio/vfio: a type1 container. */
static int open_container(struct fixture *f)
{
	int fd = k_open("/dev/vfio/vfio");

	if (fd < 0)
		f->err = "open /dev/vfio/vfio";
	return fd;
}

/* Our own /dev/iommu; for the accounting pass with RLIMIT_MODE 1. */
static int open_iommufd(struct fixture *f)
{
	int fd = k_open("/dev/iommu");

	if (fd < 0) {
		f->err = "open /dev/iommu";
		return fd;
	}
	if (f->charge && !on_sim()) {
		struct iofd_u_iommu_option o = {
			.size = sizeof(o), .option_id = IOFD_U_IOMMU_OPTION_RLIMIT_MODE,
			.op = IOFD_U_IOMMU_OPTION_OP_SET, .val64 = 1,
		};
		int r = k_ioctl(fd, IOFD_U_IOMMU_OPTION, &o);

		if (r < 0) {
			k_close(fd);
			f->err = "IOMMU_OPTION RLIMIT_MODE=1";
			return r;
		}
	}
	return fd;
}

/*
 * The null kernel: the kernel the context would have, except that, while
 * on, IOMMU_IOAS_MAP and IOMMU_IOAS_UNMAP return 0 at once. Timing the
 * library on it measures the library's own work per pair, whatever the
 * kernel costs.
 */
static struct {
	const struct iofd_kernel_ops *base;
	void *priv;
	bool on;
} nullk;

static int n_open(void *p, const char *path, int flags)
{
	return nullk.base->open(nullk.priv, path, flags);
}

static int n_close(void *p, int fd)
{
	return nullk.base->close(nullk.priv, fd);
}

static int n_ioctl(void *p, int fd, unsigned long request, void *arg)
{
	if (nullk.on && (request == IOFD_U_IOMMU_IOAS_MAP || request == IOFD_U_IOMMU_IOAS_UNMAP ||
			 request == IOFD_U_VFIO_IOMMU_MAP_DMA ||
			 request == IOFD_U_VFIO_IOMMU_UNMAP_DMA))
		return 0;
	return nullk.base->ioctl(nullk.priv, fd, request, arg);
}

static int n_mmap(void *p, void **ret, size_t len, int prot, int flags, int fd, off_t offset)
{
	return nullk.base->mmap(nullk.priv, ret, len, prot, flags, fd, offset);
}

static int n_munmap(void *p, void *addr, size_t len)
{
	return nullk.base->munmap(nullk.priv, addr, len);
}

static ssize_t n_pread(void *p, int fd, void *buf, size_t len, off_t offset)
{
	return nullk.base->pread(nullk.priv, fd, buf, len, offset);
}

static ssize_t n_pwrite(void *p, int fd, const void *buf, size_t len, off_t offset)
{
	return nullk.base->pwrite(nullk.priv, fd, buf, len, offset);
}

static ssize_t n_read(void *p, int fd, void *buf, size_t len)
{
	return nullk.base->read(nullk.priv, fd, buf, len);
}

static ssize_t n_write(void *p, int fd, const void *buf, size_t len)
{
	return nullk.base->write(nullk.priv, fd, buf, len);
}

static int n_fstat(void *p, int fd, struct stat *st)
{
	return nullk.base->fstat(nullk.priv, fd, st);
}

static int n_dup(void *p, int fd)
{
	return nullk.base->dup(nullk.priv, fd);
}

static const struct iofd_kernel_ops null_ops = {
	.sz = sizeof(null_ops),
	.open = n_open, .close = n_close, .ioctl = n_ioctl, .mmap = n_mmap,
	.munmap = n_munmap, .pread = n_pread, .pwrite = n_pwrite, .read = n_read,
	.write = n_write, .fstat = n_fstat, .dup = n_dup,
};

static int lib_setup(struct fixture *f)
{
	IOFD_OPTS(iofd_ctx_opts, co);
	IOFD_OPTS(iofd_ioas_opts, io);
	size_t want = 1;
	int fd = -1, r;

#ifdef HAVE_LIBIOMMUFD_SIM
	if (K.sim)
		iofd_sim_ctx_opts(K.sim, &co);
#endif
	if (f->cfg == CFG_TYPE1)
		co.backend = IOFD_BACKEND_TYPE1;
	else if (f->cfg == CFG_COMPAT)
		co.backend = IOFD_BACKEND_COMPAT;
	if (f->cfg == CFG_TYPE1 && f->share) {
		/* the library's first IOAS shares this container */
		fd = open_container(f);
		if (fd < 0)
			return fd;
		co.flags |= IOFD_CTX_CONTAINER_FD;
		co.container_fd = fd;
	} else if (f->cfg != CFG_TYPE1 && (f->share || (f->charge && !on_sim()))) {
		fd = open_iommufd(f);
		if (fd < 0)
			return fd;
		co.flags |= IOFD_CTX_IOMMU_FD;
		co.iommu_fd = fd;
	}
	if (f->null) {
		nullk.base = co.kernel ? co.kernel : iofd_kernel_real();
		nullk.priv = co.kernel_priv;
		nullk.on = false;
		co.kernel = &null_ops;
		co.kernel_priv = NULL;
	}
	r = iofd_ctx_new(&f->ctx, &co);
	/* The context holds a duplicate: the same iommufd. */
	if (f->share)
		f->iommufd = fd;
	else
		k_close(fd);
	if (r < 0) {
		f->err = "iofd_ctx_new";
		return r;
	}
	if (!is_vfio(f->cfg))
		io.flags = IOFD_IOAS_DIRTY_TRACKING;
	r = iofd_ioas_new(&f->ioas, f->ctx, &io);
	if (r < 0) {
		f->err = "iofd_ioas_new";
		return r;
	}
	if (is_vfio(f->cfg)) {
		r = iofd_device_open(&f->dev[0], f->ctx, vfio_bdf, NULL);
		f->err = "iofd_device_open";
	} else {
		r = iofd_device_open_selftest(&f->dev[0], f->ctx, 0);
		f->err = "iofd_device_open_selftest";
	}
	if (r == 0) {
		r = iofd_device_attach(f->dev[0], f->ioas);
		f->err = "iofd_device_attach";
	}
	if (r == 0 && f->cfg == CFG_MOCK2) {
		want = 2;
		r = iofd_device_open_selftest(&f->dev[1], f->ctx, IOFD_SELFTEST_NO_DIRTY);
		f->err = "iofd_device_open_selftest (NO_DIRTY)";
		if (r == 0) {
			r = iofd_device_attach(f->dev[1], f->ioas);
			f->err = "iofd_device_attach (NO_DIRTY)";
		}
	}
	if (r < 0)
		return r;
	if (iofd_ioas_domain_count(f->ioas) != want) {
		f->err = "the library's domain count";
		return -EPROTO;
	}
	if (f->cfg == CFG_TYPE1) {
		/* a container has no id: the raw side uses f->iommufd */
		f->err = NULL;
		return 0;
	}
	r = iofd_ioas_kernel_id(f->ioas);
	if (r < 0) {
		f->err = "iofd_ioas_kernel_id";
		return r;
	}
	f->ioas_id[0] = (uint32_t)r;
	f->err = NULL;
	return 0;
}

static int lib_map(struct fixture *f, void *buf, uint64_t len)
{
	uint64_t iova = IOVA;

	return iofd_ioas_map(f->ioas, buf, len, IOFD_MAP_READ | IOFD_MAP_WRITE | IOFD_MAP_FIXED_IOVA,
			     &iova);
}

static int lib_unmap(struct fixture *f, uint64_t len)
{
	return iofd_ioas_unmap(f->ioas, IOVA, len);
}

static void lib_teardown(struct fixture *f)
{
	iofd_device_close(f->dev[1]);
	iofd_device_close(f->dev[0]);
	iofd_ioas_free(f->ioas);
	iofd_ctx_free(f->ctx);
	k_close(f->iommufd);
}

static int raw_setup(struct fixture *f)
{
	int r;

	f->iommufd = open_iommufd(f);
	if (f->iommufd < 0)
		return f->iommufd;
	f->err = "IOMMU_IOAS_ALLOC";
	r = raw_ioas_alloc(f->iommufd, &f->ioas_id[0]);
	if (r == 0 && (f->cfg == CFG_MIRROR || f->cfg == CFG_COPY))
		r = raw_ioas_alloc(f->iommufd, &f->ioas_id[1]);
	if (r < 0)
		return r;

	if (f->cfg == CFG_VTD1) {
		struct iofd_u_vfio_device_bind_iommufd b = {
			.argsz = sizeof(b), .iommufd = f->iommufd,
		};
		struct iofd_u_vfio_device_attach_iommufd_pt a = { .argsz = sizeof(a) };

		f->err = "open the cdev";
		r = f->devfd = k_open(vfio_cdev);
		if (r < 0)
			return r;
		f->err = "VFIO_DEVICE_BIND_IOMMUFD";
		r = k_ioctl(f->devfd, IOFD_U_VFIO_DEVICE_BIND_IOMMUFD, &b);
		if (r < 0)
			return r;
		f->err = "IOMMU_HWPT_ALLOC";
		r = raw_hwpt_alloc(f->iommufd, b.out_devid, f->ioas_id[0], 0, &a.pt_id);
		if (r < 0)
			return r;
		f->err = "VFIO_DEVICE_ATTACH_IOMMUFD_PT";
		r = k_ioctl(f->devfd, IOFD_U_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
	} else {
		f->err = "IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS + HWPT_ALLOC + MOCK_DOMAIN_REPLACE";
		r = raw_mock_dev(f->iommufd, f->ioas_id[0], 0,
				 IOFD_U_IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
		if (r == 0 && f->cfg == CFG_MOCK2)
			r = raw_mock_dev(f->iommufd, f->ioas_id[0],
					 IOFD_U_MOCK_FLAGS_DEVICE_NO_DIRTY, 0);
		if (r == 0 && (f->cfg == CFG_MIRROR || f->cfg == CFG_COPY))
			r = raw_mock_dev(f->iommufd, f->ioas_id[1], 0,
					 IOFD_U_IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	}
	if (r == 0)
		f->err = NULL;
	return r;
}

static int raw_map1(struct fixture *f, void *buf, uint64_t len)
{
	return raw_map(f->iommufd, f->ioas_id[0], buf, len);
}

static int raw_unmap1(struct fixture *f, uint64_t len)
{
	return raw_unmap(f->iommufd, f->ioas_id[0], len);
}

static int raw_map_mirror(struct fixture *f, void *buf, uint64_t len)
{
	int r = raw_map(f->iommufd, f->ioas_id[0], buf, len);

	return r ? r : raw_map(f->iommufd, f->ioas_id[1], buf, len);
}

static int raw_map_copy(struct fixture *f, void *buf, uint64_t len)
{
	int r = raw_map(f->iommufd, f->ioas_id[0], buf, len);

	return r ? r : raw_copy(f->iommufd, f->ioas_id[1], f->ioas_id[0], len);
}

static int raw_unmap2(struct fixture *f, uint64_t len)
{
	int r = raw_unmap(f->iommufd, f->ioas_id[0], len);

	return r ? r : raw_unmap(f->iommufd, f->ioas_id[1], len);
}

/* Closing the device unbinds it; closing the iommufd destroys the rest. */
static void raw_teardown(struct fixture *f)
{
	k_close(f->devfd);
	k_close(f->iommufd);
}

/* A VFIO group, opened and checked viable, in @c's group slot @i. */
static int open_group(struct fixture *f, int i)
{
	struct iofd_u_vfio_group_status st = { .argsz = sizeof(st) };
	int r;

	f->err = "open the VFIO group";
	r = f->grp[i] = k_open(vfio_group[i]);
	if (r < 0)
		return r;
	f->err = "VFIO_GROUP_GET_STATUS";
	r = k_ioctl(f->grp[i], IOFD_U_VFIO_GROUP_GET_STATUS, &st);
	if (r == 0 && !(st.flags & IOFD_U_VFIO_GROUP_FLAGS_VIABLE)) {
		f->err = "the VFIO group is not viable";
		r = -EBUSY;
	}
	return r;
}

/*
 * type1: group 0 in a container; t1shared: groups 0 and 1 in one container;
 * t1split: group 0 in one, group 1 in another. The first group of a
 * container sets its IOMMU (VFIO_TYPE1v2_IOMMU).
 */
static int raw_t1_setup(struct fixture *f)
{
	int ngrp = f->cfg == CFG_TYPE1 ? 1 : 2, r;

	r = f->iommufd = open_container(f);
	if (r >= 0 && f->cfg == CFG_T1SPLIT)
		r = f->cont2 = open_container(f);
	for (int i = 0; r >= 0 && i < ngrp; i++) {
		int cont = i && f->cfg == CFG_T1SPLIT ? f->cont2 : f->iommufd;

		r = open_group(f, i);
		if (r < 0)
			break;
		f->err = "VFIO_GROUP_SET_CONTAINER";
		r = k_ioctl(f->grp[i], IOFD_U_VFIO_GROUP_SET_CONTAINER, &cont);
		if (r == 0 && (i == 0 || f->cfg == CFG_T1SPLIT)) {
			f->err = "VFIO_SET_IOMMU(TYPE1v2)";
			r = k_ioctl(cont, IOFD_U_VFIO_SET_IOMMU,
				    (void *)(uintptr_t)IOFD_U_VFIO_TYPE1v2_IOMMU);
		}
	}
	if (r >= 0)
		f->err = NULL;
	return r < 0 ? r : 0;
}

static int raw_t1_map1(struct fixture *f, void *buf, uint64_t len)
{
	return raw_dma_map(f->iommufd, buf, len);
}

static int raw_t1_unmap1(struct fixture *f, uint64_t len)
{
	return raw_dma_unmap(f->iommufd, len);
}

static int raw_t1_map2(struct fixture *f, void *buf, uint64_t len)
{
	int r = raw_dma_map(f->iommufd, buf, len);

	return r ? r : raw_dma_map(f->cont2, buf, len);
}

static int raw_t1_unmap2(struct fixture *f, uint64_t len)
{
	int r = raw_dma_unmap(f->iommufd, len);

	return r ? r : raw_dma_unmap(f->cont2, len);
}

/* Groups leave their containers when closed; the containers go last. */
static void raw_t1_teardown(struct fixture *f)
{
	k_close(f->devfd);
	k_close(f->grp[1]);
	k_close(f->grp[0]);
	k_close(f->cont2);
	k_close(f->iommufd);
}

/*
 * compat: an IOAS made the compat one (IOMMU_VFIO_IOAS SET), the group into
 * the iommufd (VFIO_GROUP_SET_CONTAINER), and the device fd
 * (VFIO_GROUP_GET_DEVICE_FD), which binds the device and attaches it to an
 * automatic HWPT of that IOAS: what the library does.
 */
static int raw_compat_setup(struct fixture *f)
{
	struct iofd_u_iommu_vfio_ioas v = { .size = sizeof(v), .op = IOFD_U_IOMMU_VFIO_IOAS_SET };
	int r;

	r = f->iommufd = open_iommufd(f);
	if (r < 0)
		return r;
	f->err = "IOMMU_IOAS_ALLOC";
	r = raw_ioas_alloc(f->iommufd, &f->ioas_id[0]);
	if (r < 0)
		return r;
	v.ioas_id = f->ioas_id[0];
	f->err = "IOMMU_VFIO_IOAS SET";
	r = k_ioctl(f->iommufd, IOFD_U_IOMMU_VFIO_IOAS, &v);
	if (r == 0)
		r = open_group(f, 0);
	if (r < 0)
		return r;
	f->err = "VFIO_GROUP_SET_CONTAINER (the iommufd)";
	r = k_ioctl(f->grp[0], IOFD_U_VFIO_GROUP_SET_CONTAINER, &f->iommufd);
	if (r < 0)
		return r;
	f->err = "VFIO_GROUP_GET_DEVICE_FD";
	r = f->devfd = k_ioctl_ret(f->grp[0], IOFD_U_VFIO_GROUP_GET_DEVICE_FD, vfio_bdf);
	if (r < 0)
		return r;
	f->err = NULL;
	return 0;
}

static const struct side_ops lib_ops = { lib_setup, lib_map, lib_unmap, lib_teardown };
static const struct side_ops t1_ops = { raw_t1_setup, raw_t1_map1, raw_t1_unmap1, raw_t1_teardown };
static const struct side_ops t1split_ops = { raw_t1_setup, raw_t1_map2, raw_t1_unmap2,
					     raw_t1_teardown };
static const struct side_ops compat_ops = { raw_compat_setup, raw_map1, raw_unmap1,
					    raw_t1_teardown };
static const struct side_ops raw1_ops = { raw_setup, raw_map1, raw_unmap1, raw_teardown };
static const struct side_ops mirror_ops = { raw_setup, raw_map_mirror, raw_unmap2, raw_teardown };
static const struct side_ops copy_ops = { raw_setup, raw_map_copy, raw_unmap2, raw_teardown };

/*
 * @mode: the --mode, and the phase, it runs in (configurations of one phase
 * are kept side by side; a VFIO group opens once, so those using the same
 * device run in phases of their own). @fresh: the fixture is made for each
 * batch (the split: the same groups in other containers), ratios per round.
 */
static const struct config {
	const char *name;
	const char *what;
	const struct side_ops *ops[NR_SIDE];
	enum mode mode;
	bool fresh;
} configs[NR_CFG] = {
	[CFG_VTD1] = { "vtd1", "1 VT-d domain", { &raw1_ops, &lib_ops }, MODE_IOMMUFD, false },
	[CFG_MOCK1] = { "mock1", "1 mock domain, 1 IOAS", { &raw1_ops, &lib_ops }, MODE_IOMMUFD,
			false },
	[CFG_MOCK2] = { "mock2", "2 mock domains, 1 IOAS", { &raw1_ops, &lib_ops }, MODE_IOMMUFD,
			false },
	[CFG_MIRROR] = { "mirror", "mirror: MAP into 2 IOAS", { &mirror_ops, NULL }, MODE_IOMMUFD,
			 false },
	[CFG_COPY] = { "copy", "MAP + IOAS_COPY, 2 IOAS", { &copy_ops, NULL }, MODE_IOMMUFD,
		       false },
	[CFG_TYPE1] = { "type1", "type1: 1 VT-d container", { &t1_ops, &lib_ops }, MODE_TYPE1,
			false },
	[CFG_COMPAT] = { "compat", "compat: group on iommufd", { &compat_ops, &lib_ops },
			 MODE_COMPAT, false },
	[CFG_T1SHARED] = { "t1shared", "type1: 2 groups, 1 cont.", { &t1_ops, NULL }, MODE_SPLIT,
			   true },
	[CFG_T1SPLIT] = { "t1split", "type1: 2 groups, 2 cont.", { &t1split_ops, NULL },
			  MODE_SPLIT, true },
};


static const char *const side_name[NR_SIDE] = { "raw", "library" };

/* ------------------------------------------------------------------------
 * Buffers and timing
 */

enum size { SZ_SMALL, SZ_BIG, NR_SIZE };

static struct {
	void *buf;
	uint64_t len;
	char label[32];
	char backing[96];
} sizes[NR_SIZE];

/* AnonHugePages of the mapping holding @p, in kB (-1: not found). */
static long anon_huge_kb(const void *p)
{
	uintptr_t a = (uintptr_t)p, lo = 0, hi = 0;
	char line[512];
	bool in = false;
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (isxdigit((unsigned char)line[0]) && strchr(line, '-') &&
		    sscanf(line, "%" SCNxPTR "-%" SCNxPTR, &lo, &hi) == 2) {
			in = lo <= a && a < hi;
			continue;
		}
		if (in && !strncmp(line, "AnonHugePages:", 14)) {
			kb = strtol(line + 14, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

static int make_buffers(void)
{
	uint8_t *p;
	long kb;

	p = mmap(NULL, K.page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	sizes[SZ_SMALL].buf = p;
	sizes[SZ_SMALL].len = K.page_size;
	snprintf(sizes[SZ_SMALL].label, sizeof(sizes[SZ_SMALL].label), "%" PRIu64 " KiB",
		 K.page_size >> 10);
	snprintf(sizes[SZ_SMALL].backing, sizeof(sizes[SZ_SMALL].backing), "one page");

	/* 2 MiB aligned inside 4 MiB; THP asked for before it is touched. */
	p = mmap(NULL, 2 * SZ_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	p = (uint8_t *)(((uintptr_t)p + SZ_2M - 1) & ~(uintptr_t)(SZ_2M - 1));
	madvise(p, SZ_2M, MADV_HUGEPAGE);
	memset(p, 0x5a, SZ_2M);
	sizes[SZ_BIG].buf = p;
	sizes[SZ_BIG].len = SZ_2M;
	snprintf(sizes[SZ_BIG].label, sizeof(sizes[SZ_BIG].label), "2 MiB");
	kb = anon_huge_kb(p);
	if (kb >= (long)(SZ_2M >> 10)) {
		snprintf(sizes[SZ_BIG].backing, sizeof(sizes[SZ_BIG].backing),
			 "one transparent huge page (AnonHugePages %ld kB)", kb);
		return 0;
	}
#ifdef MAP_HUGETLB
	/* No THP: a hugetlbfs page if the system has one to give. */
	{
		void *h = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);

		if (h != MAP_FAILED) {
			memset(h, 0x5a, SZ_2M);
			sizes[SZ_BIG].buf = h;
			snprintf(sizes[SZ_BIG].backing, sizeof(sizes[SZ_BIG].backing),
				 "a hugetlbfs page (THP gave AnonHugePages %ld kB)", kb);
			return 0;
		}
	}
#endif
	snprintf(sizes[SZ_BIG].backing, sizeof(sizes[SZ_BIG].backing),
		 "small pages (no THP: AnonHugePages %ld kB; no hugetlbfs page)", kb);
	return 0;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @v[0..n-1], which it sorts. */
static double median_of(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The @q-quantile of the sorted @v[0..n-1], interpolated (0.5: the median). */
static double quantile_sorted(const double *v, size_t n, double q)
{
	double at = q * (double)(n - 1);
	size_t i = (size_t)at;

	return i + 1 < n ? v[i] + (at - (double)i) * (v[i + 1] - v[i]) : v[i];
}

/* The same of @v[0..n-1] (n <= MAX_ROUNDS), left as it is. */
static double quantile(const double *v, int n, double q)
{
	double sorted[MAX_ROUNDS];

	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	return quantile_sorted(sorted, n, q);
}

/* @n pairs; the mean µs per pair, or a negative errno. */
static double run_pairs(const struct side_ops *ops, struct fixture *f, enum size s,
			unsigned int n)
{
	void *buf = sizes[s].buf;
	uint64_t len = sizes[s].len;
	double t0 = now_us();
	int r;

	for (unsigned int i = 0; i < n; i++) {
		r = ops->map(f, buf, len);
		if (r == 0)
			r = ops->unmap(f, len);
		if (r < 0) {
			f->err = i ? "map+unmap" : "the first map+unmap";
			return r;
		}
	}
	return (now_us() - t0) / n;
}

/*
 * A timed batch: @n groups of @g pairs, each group timed; the median over
 * the groups of the µs per pair, or a negative errno. A group whose time
 * another process took (preemption, here or on the emulator's host) is an
 * outlier the median ignores, as a mean would not.
 */
static double run_batch(const struct side_ops *ops, struct fixture *f, enum size s,
			unsigned int n, unsigned int g)
{
	double *t = malloc(n * sizeof(*t)), m;

	if (!t)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		t[i] = run_pairs(ops, f, s, g);
		if (t[i] < 0) {
			m = t[i];
			free(t);
			return m;
		}
	}
	m = median_of(t, n);
	free(t);
	return m;
}

/* What clock_gettime() costs here, in µs (265 ns in the lab's guest). */
static double clock_cost_us(void)
{
	double t0 = now_us();

	for (int i = 0; i < 9999; i++)
		now_us();
	return (now_us() - t0) / 10000;
}

#ifdef HAVE_LIBIOMMUFD_SIM
/*
 * The lab's two boots on the simulator, which (as the kernel) gives the
 * mock devices no IOMMU while VT-d is active: "sc" (QEMU's VT-d with snoop
 * control and one NVMe on vfio-pci) for vtd1, "mock" (the selftest IOMMU
 * only) for the others.
 */
static struct iofd_sim *sim_boot[2];

static int sim_setup(void)
{
	IOFD_OPTS(iofd_sim_opts, so, .flags = IOFD_SIM_IOMMUFD_TEST);
	IOFD_OPTS(iofd_sim_iommu_opts, vtd, .type = IOFD_IOMMU_INTEL_VTD,
		  .vtd_cap = 0xd2008c22260206ull, .vtd_ecap = 0xf00fcaull);
	IOFD_OPTS(iofd_sim_pci_opts, nvme, .bdf = "0000:00:01.0", .driver = "vfio-pci");
	const char *root;
	int r;

	for (int i = 0; i < 2; i++) {
		r = iofd_sim_new(&sim_boot[i], &so);
		if (r < 0)
			return r;
	}
	r = nvme.iommu = iofd_sim_add_iommu(sim_boot[0], &vtd);
	if (r >= 0)
		r = iofd_sim_add_pci(sim_boot[0], &nvme);
	if (r < 0)
		return r;
	root = iofd_sim_sysfs_root(sim_boot[0]);
	if (!root)
		return -errno;
	snprintf(K.sysfs, sizeof(K.sysfs), "%s", root);
	K.ops = iofd_sim_kernel_ops();
	return 0;
}

/* The simulated boot configuration @c runs on. */
static void sim_select(enum cfg c)
{
	if (K.ops) {
		K.sim = sim_boot[is_vfio(c) ? 0 : 1];
		K.priv = K.sim;
	}
}

static void sim_teardown(void)
{
	iofd_sim_free(sim_boot[0]);
	iofd_sim_free(sim_boot[1]);
}
#else
static void sim_select(enum cfg c)
{
}

static void sim_teardown(void)
{
}
#endif

/* ------------------------------------------------------------------------
 * The run
 */

static struct {
	int rounds;
	unsigned int pairs;	/* 0: calibrate */
	double target_us;
	bool check;
	bool sim;
	bool separate;
	const char *bdf;
	unsigned int modes;	/* 1 << enum mode */
} opt = { .rounds = 15, .target_us = 30e3, .modes = (1u << NR_MODE) - 1 };

static enum mode cur_phase;

static bool cfg_on(enum cfg c)
{
	return opt.modes & (1u << configs[c].mode);
}

static struct result {
	bool have;		/* the configuration runs */
	char why[1536];		/* else why not */
	unsigned int n[NR_SIZE];	/* groups per batch */
	unsigned int g[NR_SIZE];	/* pairs per group */
	double group_us[NR_SIZE];	/* what a group takes, as sized */
	double us[NR_SIDE][NR_SIZE][MAX_ROUNDS];
	double med[NR_SIDE][NR_SIZE];
	/* every group's time per pair, round by round (not with --separate) */
	double *samples[NR_SIDE][NR_SIZE];
	double ratio[NR_SIZE];		/* lib/raw: paired median, else per-round median */
	double q1[NR_SIZE], q3[NR_SIZE];	/* and its quartiles */
	double own[NR_SIZE];	/* the library's own µs per pair (null kernel) */
	bool own_ok;
	bool usage_ok[NR_SIDE];
	bool charge_ok[NR_SIDE];
	uint64_t pinned[NR_SIDE][NR_SIZE];
	uint64_t charged[NR_SIDE][NR_SIZE];
} res[NR_CFG];

/* The fixtures kept from round to round (not with --separate). */
static struct fixture *kept[NR_CFG];

static bool has_lib(enum cfg c)
{
	return configs[c].ops[LIB] != NULL;
}

static void fixture_fail(enum cfg c, enum side sd, const struct fixture *f, int r)
{
	struct result *R = &res[c];

	snprintf(R->why, sizeof(R->why), "%s side: %s: %s", side_name[sd],
		 f->err ? f->err : "setup", strerror(-r));
	if (!is_vfio(c) && r == -EINVAL && !on_sim())
		snprintf(R->why + strlen(R->why), sizeof(R->why) - strlen(R->why),
			 " (the mock IOMMU works only with VT-d off: the lab's mock boot)");
	if (r == -ENOTTY)
		snprintf(R->why + strlen(R->why), sizeof(R->why) - strlen(R->why),
			 " (no CONFIG_IOMMUFD_TEST)");
}

/*
 * A fixture for side @sd of @c: with --separate, or for the accounting pass
 * (@charge), each side's own, made now; else the kept one, made by the
 * library for both sides where the configuration has a library side.
 */
static int fixture_get(enum cfg c, enum side sd, bool charge, struct fixture **ret)
{
	bool keep = !opt.separate && !charge && !configs[c].fresh;
	struct fixture *f;
	int r;

	if (keep && kept[c]) {
		*ret = kept[c];
		return 0;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->cfg = c;
	f->charge = charge;
	f->iommufd = f->devfd = f->cont2 = f->grp[0] = f->grp[1] = -1;
	f->share = keep && has_lib(c);
	f->made_by = f->share ? LIB : sd;
	r = configs[c].ops[f->made_by]->setup(f);
	if (r < 0) {
		fixture_fail(c, f->made_by, f, r);
		configs[c].ops[f->made_by]->teardown(f);
		free(f);
		return r;
	}
	if (keep)
		kept[c] = f;
	*ret = f;
	return 0;
}

static void fixture_put(struct fixture *f, bool last)
{
	if (!f || (kept[f->cfg] == f && !last))
		return;
	if (kept[f->cfg] == f)
		kept[f->cfg] = NULL;
	configs[f->cfg].ops[f->made_by]->teardown(f);
	free(f);
}

/*
 * The time per pair of a side, in round 0: batches doubling in length until
 * one takes half of -t MS; the fastest of them (noise only ever adds).
 */
static double clock_us;

static double time_per_pair(const struct side_ops *ops, struct fixture *f, enum size s)
{
	double t = 1e30, u;

	for (unsigned int k = 8;; k *= 2) {
		u = run_pairs(ops, f, s, k);
		if (u < 0)
			return u;
		t = u < t ? u : t;
		if (u * k >= opt.target_us / 2 || k >= (1u << 24))
			break;
	}
	return t < 0.001 ? 0.001 : t;
}

/* Pairs per timed group: enough that reading the clock costs under 0.5%. */
static unsigned int clock_group(double t)
{
	return (unsigned int)(200 * clock_us / t) + 1;
}

/*
 * A batch's shape (--separate, and the null kernel): groups of @g pairs, and
 * @n groups: -n PAIRS / g, or as many as take about -t MS.
 */
static int calibrate(const struct side_ops *ops, struct fixture *f, enum size s,
		     unsigned int *n, unsigned int *g)
{
	double t = time_per_pair(ops, f, s);

	if (t < 0)
		return (int)t;
	*g = clock_group(t);
	t = (opt.pairs ? opt.pairs : opt.target_us / t) / *g;
	*n = t < 16 ? 16 : t > 1e7 ? 10000000 : (unsigned int)t;
	return 0;
}

/* One side of one configuration in one round: a batch per size. */
static int run_side(enum cfg c, enum side sd, int round)
{
	const struct side_ops *ops = configs[c].ops[sd];
	struct result *R = &res[c];
	struct fixture *f;
	double us;
	int r = fixture_get(c, sd, false, &f);

	if (r < 0)
		return r;
	for (enum size s = 0; s < NR_SIZE; s++) {
		us = run_pairs(ops, f, s, WARMUP);
		if (us >= 0 && !R->n[s]) {
			r = calibrate(ops, f, s, &R->n[s], &R->g[s]);
			us = r;
		}
		if (us >= 0)
			us = run_batch(ops, f, s, R->n[s], R->g[s]);
		if (us < 0) {
			r = (int)us;
			fixture_fail(c, sd, f, r);
			break;
		}
		R->us[sd][s][round] = us;
	}
	fixture_put(f, r < 0);
	return r;
}

/*
 * One round on the kept objects: per size, every side of every
 * configuration (a "lane") runs a few untimed pairs, then n groups of pairs,
 * the lanes taking turns group by group (which goes first rotates), so
 * that whatever slows the machine down for a while slows them all alike,
 * and a group of one lane can be set against the group of another lane in
 * the same turn. The shape is chosen in round 0: a configuration's groups
 * are g pairs, which take about GROUP_US (at least one pair, and enough
 * that reading the clock costs under 0.5%); n, the same for every lane, is
 * such that the slowest lane's groups take about -t MS in all.
 */
#define GROUP_US 100.0

static int lane_fail(enum cfg c, enum side sd, struct fixture *f, int r)
{
	fixture_fail(c, sd, f, r);
	res[c].have = false;
	return r;
}

static unsigned int round_n[NR_SIZE];	/* groups per lane: per phase */

static int run_round(int round)
{
	unsigned int *n = round_n;
	struct lane {
		enum cfg c;
		enum side sd;
		struct fixture *f;
	} lanes[NR_CFG * NR_SIDE];
	unsigned int nl = 0;
	int r;

	for (enum cfg c = 0; c < NR_CFG; c++)
		for (enum side sd = 0; res[c].have && sd < NR_SIDE; sd++) {
			struct fixture *f;

			if (!configs[c].ops[sd] || configs[c].mode != cur_phase || configs[c].fresh)
				continue;
			sim_select(c);
			r = fixture_get(c, sd, false, &f);
			if (r < 0) {
				res[c].have = false;
				return r;
			}
			lanes[nl++] = (struct lane){ c, sd, f };
		}
	if (!nl)
		return 0;

	for (enum size s = 0; s < NR_SIZE; s++) {
		double slowest = 0;

		for (unsigned int l = 0; l < nl; l++) {
			struct lane *L = &lanes[l];
			struct result *R = &res[L->c];
			const struct side_ops *ops = configs[L->c].ops[L->sd];
			double t;

			sim_select(L->c);
			t = run_pairs(ops, L->f, s, WARMUP);
			/* The first lane of a configuration (raw) sizes its groups. */
			if (t >= 0 && !n[s] && !R->g[s]) {
				t = time_per_pair(ops, L->f, s);
				if (t > 0) {
					double want = GROUP_US / t;

					R->g[s] = clock_group(t);
					if (want > R->g[s])
						R->g[s] = want > 1e6 ? 1000000 : (unsigned int)want;
					R->group_us[s] = R->g[s] * t;
				}
			}
			if (t < 0)
				return lane_fail(L->c, L->sd, L->f, (int)t);
			if (R->group_us[s] > slowest)
				slowest = R->group_us[s];
		}
		if (!n[s]) {
			double want = (opt.pairs ? opt.pairs * slowest / GROUP_US : opt.target_us) /
				      slowest;

			n[s] = want < 16 ? 16 : want > 100000 ? 100000 : (unsigned int)want;
			for (unsigned int l = 0; l < nl; l++) {
				struct result *R = &res[lanes[l].c];

				R->n[s] = n[s];
				R->samples[lanes[l].sd][s] = calloc((size_t)opt.rounds * n[s],
								    sizeof(double));
				if (!R->samples[lanes[l].sd][s])
					return lane_fail(lanes[l].c, lanes[l].sd, lanes[l].f, -ENOMEM);
			}
		}
		for (unsigned int i = 0; i < n[s]; i++)
			for (unsigned int j = 0; j < nl; j++) {
				struct lane *L = &lanes[(i + j + (unsigned int)round) % nl];
				struct result *R = &res[L->c];
				double t;

				sim_select(L->c);
				t = run_pairs(configs[L->c].ops[L->sd], L->f, s, R->g[s]);
				if (t < 0)
					return lane_fail(L->c, L->sd, L->f, (int)t);
				R->samples[L->sd][s][(size_t)round * n[s] + i] = t;
			}
		for (unsigned int l = 0; l < nl; l++) {
			struct result *R = &res[lanes[l].c];
			double *v = malloc(n[s] * sizeof(*v));

			if (!v)
				return lane_fail(lanes[l].c, lanes[l].sd, lanes[l].f, -ENOMEM);
			memcpy(v, &R->samples[lanes[l].sd][s][(size_t)round * n[s]],
			       n[s] * sizeof(*v));
			R->us[lanes[l].sd][s][round] = median_of(v, n[s]);
			free(v);
		}
	}
	return 0;
}

/* The quartiles of a / b, group by group over all rounds. */
static void paired_ratio(const double *a, const double *b, size_t n, double q[3])
{
	double *v = malloc(n * sizeof(*v));

	q[0] = q[1] = q[2] = 0;
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = a[i] / b[i];
	qsort(v, n, sizeof(*v), cmp_double);
	q[0] = quantile_sorted(v, n, 0.25);
	q[1] = quantile_sorted(v, n, 0.5);
	q[2] = quantile_sorted(v, n, 0.75);
	free(v);
}

/* The library's own work per pair: its map and unmap on the null kernel. */
static void measure_own(enum cfg c)
{
	struct fixture f = { .cfg = c, .null = true, .iommufd = -1, .devfd = -1, .cont2 = -1,
			     .grp = { -1, -1 } };
	struct result *R = &res[c];
	double t[MAX_ROUNDS];
	unsigned int n = 16, g = 1;
	int r = lib_setup(&f);

	nullk.on = true;
	for (enum size s = 0; r == 0 && s < NR_SIZE; s++) {
		r = calibrate(&lib_ops, &f, s, &n, &g);
		for (int i = 0; r == 0 && i < opt.rounds; i++) {
			t[i] = run_batch(&lib_ops, &f, s, n, g);
			r = t[i] < 0 ? (int)t[i] : 0;
		}
		if (r == 0)
			R->own[s] = quantile(t, opt.rounds, 0.5);
	}
	nullk.on = false;
	R->own_ok = r == 0;
	if (r < 0)
		fprintf(stderr, "bench-ioas: %s: the library on the null kernel: %s: %s\n",
			configs[c].name, f.err ? f.err : "setup", strerror(-r));
	lib_teardown(&f);
}

/* Set up, then per size: map, read the counters, unmap. */
static int usage_pass(enum cfg c, enum side sd, bool charge)
{
	const struct side_ops *ops = configs[c].ops[sd];
	struct result *R = &res[c];
	uint64_t p0, c0, p1, c1;
	struct fixture *f = NULL;
	int r = fixture_get(c, sd, true, &f);

	for (enum size s = 0; r == 0 && s < NR_SIZE; s++) {
		usage_now(&p0, &c0);
		r = ops->map(f, sizes[s].buf, sizes[s].len);
		if (r < 0) {
			f->err = "map";
			break;
		}
		usage_now(&p1, &c1);
		r = ops->unmap(f, sizes[s].len);
		f->err = "unmap";
		R->pinned[sd][s] = p1 - p0;
		R->charged[sd][s] = c1 - c0;
	}
	if (r < 0 && f)
		fixture_fail(c, sd, f, r);
	if (f)
		fixture_put(f, true);
	return r;
}

/*
 * The untimed pass: pages pinned and charged with the mapping live, each
 * side on objects of its own. Also the probe: -errno when the side cannot
 * run here (res[c].why says why).
 */
static int measure_usage(enum cfg c, enum side sd)
{
	struct result *R = &res[c];
	struct rlimit old, inf = { RLIM_INFINITY, RLIM_INFINITY };
	int r;

	if (on_sim()) {
		r = usage_pass(c, sd, false);
		R->usage_ok[sd] = R->charge_ok[sd] = r == 0;
		return r;
	}
	/* Charged as to a process without CAP_IPC_LOCK, to mm->locked_vm. */
	getrlimit(RLIMIT_MEMLOCK, &old);
	setrlimit(RLIMIT_MEMLOCK, &inf);
	set_ipc_lock(false);
	r = usage_pass(c, sd, true);
	set_ipc_lock(true);
	setrlimit(RLIMIT_MEMLOCK, &old);
	if (r == 0) {
		R->usage_ok[sd] = R->charge_ok[sd] = true;
		return 0;
	}
	/* No RLIMIT_MODE (no CAP_SYS_RESOURCE)? The pins only. */
	r = usage_pass(c, sd, false);
	R->usage_ok[sd] = r == 0;
	return r;
}

/* /dev/vfio/N of @bdf (under the driver's directory @dir) into @out[300]. */
static int vfio_group_of(const char *dir, const char *bdf, char *out)
{
	char link[1400], target[1024];
	ssize_t n;

	snprintf(link, sizeof(link), "%s/%s/iommu_group", dir, bdf);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0) {
		out[0] = 0;
		return -errno;
	}
	target[n] = 0;
	snprintf(out, 300, "/dev/vfio/%.64s",
		 strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
	return 0;
}

/*
 * The first vfio-pci device with a VFIO cdev, lowest address first (and its
 * group); and the next one in a group of its own (for the split).
 */
static void find_vfio_device(void)
{
	char dir[1100], sub[1400];
	struct dirent **ents;
	int n;

	snprintf(dir, sizeof(dir), "%s/bus/pci/drivers/vfio-pci", K.sysfs);
	n = scandir(dir, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *bdf = ents[i]->d_name;
		struct dirent *e;
		DIR *d;

		if (!vfio_bdf[0] && strchr(bdf, ':') && (!opt.bdf || !strcmp(opt.bdf, bdf))) {
			snprintf(sub, sizeof(sub), "%s/%s/vfio-dev", dir, bdf);
			d = opendir(sub);
			while (d && (e = readdir(d)))
				if (!strncmp(e->d_name, "vfio", 4) && isdigit((unsigned char)e->d_name[4])) {
					snprintf(vfio_bdf, sizeof(vfio_bdf), "%s", bdf);
					snprintf(vfio_cdev, sizeof(vfio_cdev), "/dev/vfio/devices/%s",
						 e->d_name);
					vfio_group_of(dir, bdf, vfio_group[0]);
					break;
				}
			if (d)
				closedir(d);
		} else if (vfio_bdf[0] && !vfio_bdf2[0] && strchr(bdf, ':') &&
			   strcmp(bdf, vfio_bdf)) {
			snprintf(sub, sizeof(sub), "%s/%s/vfio-dev", dir, bdf);
			d = opendir(sub);
			if (d) {
				closedir(d);
				if (vfio_group_of(dir, bdf, vfio_group[1]) == 0 &&
				    strcmp(vfio_group[0], vfio_group[1]))
					snprintf(vfio_bdf2, sizeof(vfio_bdf2), "%s", bdf);
			}
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [--mode M] [--sim] [--check] [--separate] [-r ROUNDS] [-n PAIRS] [-t MS]\n"
		"          [-d BDF]\n"
		"  map+unmap of a page and of 2 MiB through libiommufd vs the same raw\n"
		"  iommufd ioctls, and what a second domain or IOAS costs the kernel.\n"
		"  --mode M    iommufd, type1, compat or all (default; comma-separated or\n"
		"              repeated for several): the backends measured\n"
		"  --sim       run on libiommufd-sim (a smoke run; not a kernel's times)\n"
		"  --check     exit 1 when library/raw > %.2f anywhere\n"
		"  --separate  the raw side on kernel objects of its own, made by raw\n"
		"              ioctls for each batch (default: on the library's, made once)\n"
		"  -r ROUNDS   rounds, the side that goes first alternating (default %d)\n"
		"  -n PAIRS    map+unmap pairs per timed batch (default: about -t MS)\n"
		"  -t MS       the time a batch aims at when -n is not given (default %.0f)\n"
		"  -d BDF      the vfio-pci device for the VT-d case (default: the first)\n",
		prog, TARGET, opt.rounds, opt.target_us / 1e3);
}

static int parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "sim", no_argument, NULL, 'S' },
		{ "check", no_argument, NULL, 'C' },
		{ "separate", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "mode", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int modes = 0;
	char *end, *tok, *save;
	int c;

	while ((c = getopt_long(argc, argv, "r:n:t:d:h", lo, NULL)) != -1) {
		switch (c) {
		case 'M':
			for (tok = strtok_r(optarg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				if (!strcmp(tok, "all"))
					modes |= (1u << NR_MODE) - 1;
				else if (!strcmp(tok, "iommufd"))
					modes |= 1u << MODE_IOMMUFD;
				else if (!strcmp(tok, "type1"))
					modes |= 1u << MODE_TYPE1 | 1u << MODE_SPLIT;
				else if (!strcmp(tok, "compat"))
					modes |= 1u << MODE_COMPAT;
				else
					goto bad;
			}
			break;
		case 'S':
			opt.sim = true;
			break;
		case 'C':
			opt.check = true;
			break;
		case 'P':
			opt.separate = true;
			break;
		case 'r':
			opt.rounds = (int)strtol(optarg, &end, 10);
			if (*end || opt.rounds < 1 || opt.rounds > MAX_ROUNDS)
				goto bad;
			break;
		case 'n':
			opt.pairs = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || !opt.pairs)
				goto bad;
			break;
		case 't':
			opt.target_us = strtod(optarg, &end) * 1e3;
			if (*end || opt.target_us <= 0)
				goto bad;
			break;
		case 'd':
			opt.bdf = optarg;
			break;
		case 'h':
			usage(stdout, argv[0]);
			exit(0);
		default:
			goto bad;
		}
	}
	if (modes)
		opt.modes = modes;
	if (optind == argc)
		return 0;
bad:
	usage(stderr, argv[0]);
	return -1;
}

static void fmt_pages(char *buf, size_t len, enum cfg c, bool charged, enum size s)
{
	const struct result *R = &res[c];
	const uint64_t(*v)[NR_SIZE] = charged ? R->charged : R->pinned;
	const bool *ok = charged ? R->charge_ok : R->usage_ok;
	bool lib = ok[LIB] && has_lib(c);

	if (!ok[RAW] && !lib)
		snprintf(buf, len, "?");
	else if (!lib || !ok[RAW] || v[LIB][s] == v[RAW][s])
		snprintf(buf, len, "%" PRIu64, ok[RAW] ? v[RAW][s] : v[LIB][s]);
	else
		snprintf(buf, len, "%" PRIu64 "/%" PRIu64, v[LIB][s], v[RAW][s]);
}

static void print_scale(const char *what, enum cfg c, enum cfg base)
{
	double q[3];

	printf("  %-44s", what);
	if (!res[c].have || !res[base].have) {
		printf("(not measured: needs %s and %s)\n", configs[c].name, configs[base].name);
		return;
	}
	for (enum size s = 0; s < NR_SIZE; s++) {
		if (opt.separate || configs[c].fresh || configs[base].fresh) {
			printf("  %s %.2fx", sizes[s].label,
			       res[c].med[RAW][s] / res[base].med[RAW][s]);
			continue;
		}
		paired_ratio(res[c].samples[RAW][s], res[base].samples[RAW][s],
			     (size_t)opt.rounds * res[c].n[s], q);
		printf("  %s %.2fx (%.2f-%.2f)", sizes[s].label, q[1], q[0], q[2]);
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	bool any = false, missed = false, failed = false;
	struct utsname u;

	if (parse_args(argc, argv) < 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	K.page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	snprintf(K.sysfs, sizeof(K.sysfs), "/sys");
	if (opt.sim) {
#ifdef HAVE_LIBIOMMUFD_SIM
		int r = sim_setup();

		if (r < 0) {
			fprintf(stderr, "bench-ioas: cannot make the simulator: %s\n", strerror(-r));
			return 1;
		}
#else
		fprintf(stderr, "bench-ioas: built without libiommufd-sim (-Dsim=false)\n");
		return 2;
#endif
	}
	if (make_buffers() < 0) {
		perror("bench-ioas: mmap");
		return 1;
	}
	find_vfio_device();
	clock_us = clock_cost_us();

	uname(&u);
	printf("bench-ioas: map+unmap through libiommufd %s vs the same raw iommufd ioctls\n",
	       iofd_version());
	printf("kernel: %s\n", opt.sim ? "libiommufd-sim (a smoke run: the simulator's times, "
					 "not a kernel's)" : u.release);
	printf("buffers: %s: %s; %s: %s; both mapped at IOVA %#llx, READ|WRITE\n",
	       sizes[SZ_SMALL].label, sizes[SZ_SMALL].backing, sizes[SZ_BIG].label,
	       sizes[SZ_BIG].backing, IOVA);
	if (opt.separate)
		printf("method: %d rounds; per round, configuration, side and size %d untimed "
		       "pairs, then a batch of N timed pairs in groups; each side on kernel objects "
		       "of its own, made for each batch; the side going first alternates\n",
		       opt.rounds, WARMUP);
	else
		printf("method: %d rounds; per round and size, %d untimed pairs of every "
		       "configuration and side, then N timed pairs of each in groups of ~0.1 ms, "
		       "taking turns group by group; library and raw on the same kernel objects, "
		       "made once\n", opt.rounds, WARMUP);
	for (enum cfg c = 0; c < NR_CFG; c++) {
		if (is_vfio(c) && !vfio_bdf[0])
			snprintf(res[c].why, sizeof(res[c].why),
				 "no vfio-pci device with a VFIO cdev%s%s under %s/bus/pci/drivers/vfio-pci",
				 opt.bdf ? " named " : "", opt.bdf ? opt.bdf : "", K.sysfs);
		else if (configs[c].mode == MODE_SPLIT && !vfio_bdf2[0])
			snprintf(res[c].why, sizeof(res[c].why),
				 "needs a second vfio-pci device with a cdev, in a VFIO group of its own");
	}

	/*
	 * The accounting pass first: it is also the probe. A raw side that
	 * cannot run means the kernel lacks something (skipped); a library
	 * side that fails where the raw side ran is a failure.
	 */
	for (enum cfg c = 0; c < NR_CFG; c++) {
		if (!cfg_on(c) || res[c].why[0])
			continue;
		sim_select(c);
		if (measure_usage(c, RAW) < 0)
			continue;
		if (has_lib(c) && measure_usage(c, LIB) < 0) {
			failed = true;
			continue;
		}
		res[c].have = true;
	}

	for (cur_phase = 0; cur_phase < NR_MODE; cur_phase++) {
		memset(round_n, 0, sizeof(round_n));
		for (int round = 0; round < opt.rounds; round++) {
			/* A failure drops its configuration; the others go on. */
			while (!opt.separate && run_round(round) < 0)
				failed = true;
			for (int k = 0; k < NR_CFG; k++) {
				/* the first configuration alternates between rounds, too */
				enum cfg c = (enum cfg)(round % 2 ? NR_CFG - 1 - k : k);

				if (configs[c].mode != cur_phase || (!opt.separate && !configs[c].fresh))
					continue;
				sim_select(c);
				for (int j = 0; j < NR_SIDE && res[c].have; j++) {
					/* the first side alternates between rounds */
					enum side sd = (enum side)((j + round) % NR_SIDE);

					if (configs[c].ops[sd] && run_side(c, sd, round) < 0) {
						res[c].have = false;
						failed = true;
					}
				}
			}
		}
		for (enum cfg c = 0; c < NR_CFG; c++) {
			sim_select(c);
			if (configs[c].mode == cur_phase)
				fixture_put(kept[c], true);
		}
	}
	for (enum cfg c = 0; c < NR_CFG; c++) {
		sim_select(c);
		if (res[c].have && has_lib(c))
			measure_own(c);
	}

	for (enum cfg c = 0; c < NR_CFG; c++) {
		struct result *R = &res[c];
		double q[MAX_ROUNDS];

		if (!R->have)
			continue;
		any = true;
		for (enum side sd = 0; sd < NR_SIDE; sd++)
			for (enum size s = 0; configs[c].ops[sd] && s < NR_SIZE; s++)
				R->med[sd][s] = quantile(R->us[sd][s], opt.rounds, 0.5);
		for (enum size s = 0; has_lib(c) && s < NR_SIZE; s++) {
			if (!opt.separate && !configs[c].fresh) {
				double qs[3];

				paired_ratio(R->samples[LIB][s], R->samples[RAW][s],
					     (size_t)opt.rounds * R->n[s], qs);
				R->q1[s] = qs[0];
				R->ratio[s] = qs[1];
				R->q3[s] = qs[2];
				continue;
			}
			for (int i = 0; i < opt.rounds; i++)
				q[i] = R->us[LIB][s][i] / R->us[RAW][s][i];
			R->ratio[s] = quantile(q, opt.rounds, 0.5);
			R->q1[s] = quantile(q, opt.rounds, 0.25);
			R->q3[s] = quantile(q, opt.rounds, 0.75);
		}
	}

	printf("\n%-24s %-6s %7s %11s %11s %8s %-20s %7s %7s %8s\n", "configuration", "size", "N",
	       "raw us/pair", "lib us/pair", "lib/raw", opt.separate ? "per round (q1-q3)" :
	       "paired (q1-q3)", "lib own", "pinned", "charged");
	for (enum cfg c = 0; c < NR_CFG; c++) {
		const struct result *R = &res[c];

		if (!cfg_on(c))
			continue;
		if (!R->have) {
			printf("%-24s skipped: %s\n", configs[c].what, R->why);
			continue;
		}
		for (enum size s = 0; s < NR_SIZE; s++) {
			char pin[48], chg[48], lib[16] = "-", q[16] = "-", range[48] = "", own[16] = "-";

			fmt_pages(pin, sizeof(pin), c, false, s);
			fmt_pages(chg, sizeof(chg), c, true, s);
			if (has_lib(c)) {
				double ratio = R->med[LIB][s] / R->med[RAW][s];

				snprintf(lib, sizeof(lib), "%.2f", R->med[LIB][s]);
				snprintf(q, sizeof(q), "%.3f", ratio);
				snprintf(range, sizeof(range), "%.3f%s (%.2f-%.2f)", R->ratio[s],
					 R->ratio[s] > TARGET ? "!" : "", R->q1[s], R->q3[s]);
				if (R->own_ok)
					snprintf(own, sizeof(own), "%.2f", R->own[s]);
				missed |= R->ratio[s] > TARGET;
			}
			printf("%-24s %-6s %7u %11.2f %11s %8s %-20s %7s %7s %8s\n",
			       s ? "" : configs[c].what, sizes[s].label, R->n[s] * R->g[s],
			       R->med[RAW][s], lib, q, range, own, pin, chg);
		}
	}
	if (res[CFG_VTD1].have || res[CFG_TYPE1].have || res[CFG_COMPAT].have)
		printf("(VT-d device: %s, %s, group %s)\n", vfio_bdf, vfio_cdev, vfio_group[0]);
	if (res[CFG_T1SPLIT].have)
		printf("(split: and %s, group %s)\n", vfio_bdf2, vfio_group[1]);

	printf("\nfor scale, the kernel itself (raw ioctls, same run):\n");
	if (opt.modes & 1u << MODE_IOMMUFD) {
		print_scale("2 mock domains / 1, one IOAS:", CFG_MOCK2, CFG_MOCK1);
		print_scale("mirror by hand into a 2nd IOAS / one IOAS:", CFG_MIRROR, CFG_MOCK1);
		print_scale("IOAS_COPY into a 2nd IOAS / one IOAS:", CFG_COPY, CFG_MOCK1);
	}
	if (opt.modes & 1u << MODE_SPLIT) {
		print_scale("type1 split (2 containers) / shared (1):", CFG_T1SPLIT, CFG_T1SHARED);
		if (res[CFG_T1SPLIT].have && res[CFG_T1SHARED].have) {
			char p[4][48];

			fmt_pages(p[0], sizeof(p[0]), CFG_T1SHARED, false, SZ_SMALL);
			fmt_pages(p[1], sizeof(p[1]), CFG_T1SHARED, false, SZ_BIG);
			fmt_pages(p[2], sizeof(p[2]), CFG_T1SHARED, true, SZ_SMALL);
			fmt_pages(p[3], sizeof(p[3]), CFG_T1SHARED, true, SZ_BIG);
			printf("  %-44s  pinned (VmPin) %s / %s, charged (VmLck) %s / %s\n",
			       "  shared, 1 container, 4 KiB / 2 MiB:", p[0], p[1], p[2], p[3]);
			fmt_pages(p[0], sizeof(p[0]), CFG_T1SPLIT, false, SZ_SMALL);
			fmt_pages(p[1], sizeof(p[1]), CFG_T1SPLIT, false, SZ_BIG);
			fmt_pages(p[2], sizeof(p[2]), CFG_T1SPLIT, true, SZ_SMALL);
			fmt_pages(p[3], sizeof(p[3]), CFG_T1SPLIT, true, SZ_BIG);
			printf("  %-44s  pinned (VmPin) %s / %s, charged (VmLck) %s / %s\n",
			       "  split, 2 containers, 4 KiB / 2 MiB:", p[0], p[1], p[2], p[3]);
		}
	}

	printf("\nN: map+unmap pairs per round, timed in groups (reading the clock costs %.0f ns "
	       "here).\n"
	       "us/pair: microseconds per map+unmap pair: the median over the groups of a "
	       "round, then the median over the rounds.\n", clock_us * 1e3);
	if (opt.separate)
		printf("lib/raw: the ratio of those medians. per round: the median and quartiles "
		       "of the ratios of single rounds; target <= %.2f (\"!\": above it).\n",
		       TARGET);
	else
		printf("lib/raw: the ratio of those medians. paired: the median and quartiles "
		       "over all groups of lib/raw of a library group and the raw group of the same "
		       "turn; target <= %.2f (\"!\": above it). The ratios for scale are paired "
		       "likewise.\n", TARGET);
	printf("lib own: us per pair the library spends itself: its map and unmap timed on a "
	       "null kernel (the context's kernel ops answer IOMMU_IOAS_MAP and _UNMAP at once); "
	       "lib/raw ~ 1 + own/raw.\n");
	if (on_sim())
		printf("pinned: pages the simulated kernel holds pinned while the buffer is mapped "
		       "(iofd_sim_pinned_pages(), its VmPin).\n"
		       "charged: pages it charges to RLIMIT_MEMLOCK meanwhile "
		       "(iofd_sim_locked_pages(); a process without CAP_IPC_LOCK).\n");
	else
		printf("pinned: growth of VmPin (/proc/self/status) while the buffer is mapped: "
		       "pages iommufd pinned.\n"
		       "charged: growth of VmLck meanwhile, in an untimed pass without CAP_IPC_LOCK "
		       "and with IOMMU_OPTION_RLIMIT_MODE=1 (iommufd then charges RLIMIT_MEMLOCK "
		       "per process, mm->locked_vm, instead of per user; the count is the same); "
		       "\"?\": could not set it (no CAP_SYS_RESOURCE). The timed runs, as root, "
		       "charge nothing (CAP_IPC_LOCK).\n");
	printf("\"L/R\" in those columns: the library's and the raw side's counts differ.\n");

	if (!any)
		printf("\nbench-ioas: no configuration could run on this kernel\n");
	else if (failed)
		printf("\nbench-ioas: a configuration failed after it had started, or on the "
		       "library's side only (see \"skipped\" above)\n");
	else if (missed)
		printf("\nbench-ioas: library/raw above %.2f somewhere%s\n", TARGET,
		       opt.check ? "" : " (exit 0: pass --check to fail)");
	for (enum cfg c = 0; c < NR_CFG; c++)
		for (enum side sd = 0; sd < NR_SIDE; sd++)
			for (enum size s = 0; s < NR_SIZE; s++)
				free(res[c].samples[sd][s]);
	sim_teardown();
	return !any || failed || (opt.check && missed) ? 1 : 0;
}
