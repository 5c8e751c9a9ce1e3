// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vfio-pci's side of the simulated host's PCI devices
 * (drivers/vfio/pci/vfio_pci_core.c, vfio_pci_rdwr.c, vfio_pci_intrs.c):
 *
 *  - the information ioctls, answered as vfio-pci answers for the QEMU
 *    device the simulated one stands for: QEMU's NVMe controller (BAR0 of
 *    16 KiB holding the MSI-X table at 0x2000 and the PBA at 0x3000, 65
 *    MSI-X vectors, INTx, no MSI), or, for 8086:10d3, QEMU's e1000e (BAR0
 *    and BAR1 of 128 KiB, BAR2 of 32 bytes of I/O ports, BAR3 of 16 KiB
 *    holding the MSI-X table and PBA of 5 vectors, a 256 KiB ROM, one MSI
 *    vector);
 *  - region access: config space (ids, the command register, the
 *    capability list; other writes are dropped), BARs as plain memory
 *    (reads of the MSI-X table give ~0 and writes to it are dropped, as
 *    vfio-pci keeps the table to itself), mmap of memory BARs;
 *  - the MSI-X BAR's capability: MSIX_MAPPABLE, as Linux 4.16 and later
 *    give it, or with iofd_sim_pci_sparse_msix() a SPARSE_MMAP capability
 *    that leaves the table's pages out (and mmap of them EINVAL), as
 *    kernels before 4.16 and some variant drivers answer;
 *  - VFIO_DEVICE_SET_IRQS with vfio_pci_intrs.c's rules, and the device
 *    raising an interrupt (iofd_sim_pci_irq()): INTx level-triggered and
 *    masked as it is delivered, MSI and MSI-X as messages, which need bus
 *    mastering.
 *
 * A device's state (config space, BAR memory, interrupts) is made the
 * first time it is needed, with plain allocations: it is the hardware,
 * which exists before any kernel call.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfio_pci.h"
#include "uapi/vfio.h"

#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* VFIO_PCI_OFFSET_SHIFT: a region's index in the fd's offset. */
#define REGION_SHIFT 40
#define REGION_OFFSET(i) ((uint64_t)(i) << REGION_SHIFT)
#define REGION_POS_MASK (REGION_OFFSET(1) - 1)

#define CFG_SIZE 4096
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MASTER 0x4
/* What the user may change in the command register: I/O, memory, bus
 * master, parity, SERR, INTx disable. */
#define PCI_COMMAND_USER 0x0547
#define NO_IRQ (-1)

struct vpci_profile {
	uint64_t bar[6];
	bool io[6];		/* an I/O port BAR: no mmap */
	uint64_t rom;
	unsigned int msi;	/* MSI vectors; 0: no MSI capability */
	unsigned int msix;	/* MSI-X vectors */
	unsigned int msix_bar;
	uint32_t msix_table, msix_pba;
	/* The capability list: id and position, in list order. */
	struct { uint8_t id, pos; } caps[4];
};

/* What the lab's guest shows of QEMU 7.2's devices (config space, resources). */
static const struct vpci_profile qemu_nvme = {
	.bar = { 0x4000 },
	.msix = 65, .msix_bar = 0, .msix_table = 0x2000, .msix_pba = 0x3000,
	.caps = { { 0x11, 0x40 }, { 0x10, 0x80 }, { 0x01, 0x60 } },
};

static const struct vpci_profile qemu_e1000e = {
	.bar = { 0x20000, 0x20000, 0x20, 0x4000 },
	.io = { false, false, true, false },
	.rom = 0x40000,
	.msi = 1,
	.msix = 5, .msix_bar = 3, .msix_table = 0, .msix_pba = 0x2000,
	.caps = { { 0x01, 0xc8 }, { 0x05, 0xd0 }, { 0x10, 0xe0 }, { 0x11, 0xa0 } },
};

struct sim_vpci {
	struct sim_dev *dev;
	struct sim_vpci *next;
	const struct vpci_profile *prof;
	bool sparse_msix;
	uint8_t cfg[CFG_SIZE];
	int barfd[6];		/* memfds, made on first use; -1 */
	/* Interrupts (vfio_pci_core_device's irq_type, ctx[]) */
	int irq_type;		/* IOFD_U_VFIO_PCI_*_IRQ_INDEX, or NO_IRQ */
	int intx_fd;		/* our reference on the trigger eventfd, or -1 */
	bool intx_masked;
	bool intx_line;		/* the device asserts its pin */
	int *vec_fd;		/* MSI/MSI-X: per vector, or -1 */
	unsigned int nvec;	/* vectors enabled */
	int err_fd, req_fd;
};

static const struct vpci_profile *profile_of(const struct sim_dev *dev)
{
	return dev->vendor == 0x8086 && dev->device == 0x10d3 ? &qemu_e1000e : &qemu_nvme;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* Config space as vfio-pci shows it after the device is opened. */
static void cfg_init(struct sim_vpci *v)
{
	const struct vpci_profile *pr = v->prof;
	uint8_t *c = v->cfg;

	put16(c + 0x00, v->dev->vendor ? v->dev->vendor : 0x1b36);
	put16(c + 0x02, v->dev->vendor ? v->dev->device : 0x0010);
	put16(c + 0x06, 0x0010);	/* status: a capability list */
	put32(c + 0x08, ((v->dev->class_code ? v->dev->class_code : 0x010802) << 8) | 0x02);
	for (unsigned int i = 0; i < 6; i++)
		if (pr->bar[i])
			put32(c + 0x10 + 4 * i, pr->io[i] ? 0x1 : 0x4 * (i == 0 && pr == &qemu_nvme));
	c[0x34] = pr->caps[0].pos;
	c[0x3d] = 1;	/* INTA# */
	for (unsigned int i = 0; i < 4 && pr->caps[i].id; i++) {
		uint8_t *cap = c + pr->caps[i].pos;

		cap[0] = pr->caps[i].id;
		cap[1] = i + 1 < 4 ? pr->caps[i + 1].pos : 0;
		if (cap[0] == 0x05) {		/* MSI: 64-bit, log2 of the vectors */
			unsigned int q = 0;

			while ((1u << q) < pr->msi)
				q++;
			put16(cap + 2, (uint16_t)(0x80 | q << 1));
		} else if (cap[0] == 0x11) {	/* MSI-X: size, table, PBA */
			put16(cap + 2, (uint16_t)(pr->msix - 1));
			put32(cap + 4, pr->msix_table | pr->msix_bar);
			put32(cap + 8, pr->msix_pba | pr->msix_bar);
		}
	}
}

static struct sim_vpci *vpci_get(struct iofd_sim *sim, struct sim_dev *dev)
{
	struct sim_vpci *v;

	for (v = sim->vpcis; v; v = v->next)
		if (v->dev == dev)
			return v;
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->dev = dev;
	v->prof = profile_of(dev);
	v->irq_type = NO_IRQ;
	v->intx_fd = v->err_fd = v->req_fd = -1;
	for (unsigned int i = 0; i < 6; i++)
		v->barfd[i] = -1;
	cfg_init(v);
	v->next = sim->vpcis;
	sim->vpcis = v;
	return v;
}

static void put_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ------------------------------------------------------------------------
 * Interrupts (vfio_pci_intrs.c)
 */

static void signal_fd(int fd)
{
	uint64_t one = 1;

	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* a full counter: the kernel's eventfd_signal() saturates too */
	}
}

/* eventfd_ctx_fdget(): our own reference on an eventfd; -EBADF, -EINVAL. */
static int eventfd_get(int fd, int *ret)
{
	char path[64], link[64];
	ssize_t n;
	int nfd;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -EBADF;
	link[n] = '\0';
	if (strcmp(link, "anon_inode:[eventfd]"))
		return -EINVAL;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (nfd < 0)
		return -errno;
	*ret = nfd;
	return 0;
}

static unsigned int irq_count(const struct sim_vpci *v, uint32_t index)
{
	switch (index) {
	case IOFD_U_VFIO_PCI_INTX_IRQ_INDEX:
		return v->cfg[0x3d] ? 1 : 0;
	case IOFD_U_VFIO_PCI_MSI_IRQ_INDEX:
		return v->prof->msi;
	case IOFD_U_VFIO_PCI_MSIX_IRQ_INDEX:
		return v->prof->msix;
	case IOFD_U_VFIO_PCI_ERR_IRQ_INDEX:	/* PCIe */
	case IOFD_U_VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	default:
		return 0;
	}
}

/* vfio_intx_handler() / the unmask handler: deliver if the line is up. */
static bool intx_deliver(struct sim_vpci *v)
{
	if (v->irq_type != IOFD_U_VFIO_PCI_INTX_IRQ_INDEX || v->intx_masked || !v->intx_line)
		return false;
	v->intx_masked = true;
	signal_fd(v->intx_fd);
	return v->intx_fd >= 0;
}

static void intx_disable(struct sim_vpci *v)
{
	put_fd(&v->intx_fd);
	v->intx_masked = false;
	v->irq_type = NO_IRQ;
}

static void msi_disable(struct sim_vpci *v)
{
	for (unsigned int i = 0; i < v->nvec; i++)
		put_fd(&v->vec_fd[i]);
	free(v->vec_fd);
	v->vec_fd = NULL;
	v->nvec = 0;
	v->irq_type = NO_IRQ;
}

static int intx_mask_unmask(struct sim_vpci *v, uint32_t start, uint32_t count, uint32_t flags,
			    const uint8_t *data, bool mask)
{
	uint32_t type = flags & IOFD_U_VFIO_IRQ_SET_DATA_TYPE_MASK;

	if (v->irq_type != IOFD_U_VFIO_PCI_INTX_IRQ_INDEX || start != 0 || count != 1)
		return -EINVAL;
	if (type == IOFD_U_VFIO_IRQ_SET_DATA_EVENTFD)
		return -ENOTTY;	/* mask: the kernel's "implement me"; unmask by eventfd: not modelled */
	if (type == IOFD_U_VFIO_IRQ_SET_DATA_BOOL && !data[0])
		return 0;
	if (mask) {
		v->intx_masked = true;
	} else if (v->intx_masked) {
		/* A line still asserted is re-sent at once and stays masked. */
		v->intx_masked = false;
		intx_deliver(v);
	}
	return 0;
}

static int intx_trigger(struct sim_vpci *v, uint32_t start, uint32_t count, uint32_t flags,
			const uint8_t *data)
{
	bool is_intx = v->irq_type == IOFD_U_VFIO_PCI_INTX_IRQ_INDEX;
	int32_t fd;
	int nfd = -1, r;

	if (is_intx && !count && (flags & IOFD_U_VFIO_IRQ_SET_DATA_NONE)) {
		intx_disable(v);
		return 0;
	}
	if (!(is_intx || v->irq_type == NO_IRQ) || start != 0 || count != 1)
		return -EINVAL;
	if (flags & IOFD_U_VFIO_IRQ_SET_DATA_EVENTFD) {
		memcpy(&fd, data, sizeof(fd));
		if (fd >= 0) {
			r = eventfd_get(fd, &nfd);
			if (r < 0)
				return r;
		}
		if (!is_intx) {
			v->irq_type = IOFD_U_VFIO_PCI_INTX_IRQ_INDEX;
			v->intx_masked = false;
		}
		put_fd(&v->intx_fd);
		v->intx_fd = nfd;
		intx_deliver(v);	/* a pin asserted already fires at once */
		return 0;
	}
	if (!is_intx)
		return -EINVAL;
	/* DATA_NONE or a true DATA_BOOL: loopback */
	if ((flags & IOFD_U_VFIO_IRQ_SET_DATA_NONE) || data[0])
		signal_fd(v->intx_fd);
	return 0;
}

/* vfio_msi_set_vector_signal() for vector @j: -1 unroutes it. */
static int msi_set_vector(struct sim_vpci *v, unsigned int j, int32_t fd, bool msix)
{
	int nfd, r;

	if (j >= v->nvec) {
		int *p;

		if (fd < 0)
			return 0;
		if (!msix)
			return -EINVAL;	/* MSI vectors are allocated once, at enable */
		/* MSI-X: allocated as it is needed */
		p = realloc(v->vec_fd, (j + 1) * sizeof(*p));
		if (!p)
			return -ENOMEM;
		for (unsigned int i = v->nvec; i <= j; i++)
			p[i] = -1;
		v->vec_fd = p;
		v->nvec = j + 1;
	}
	put_fd(&v->vec_fd[j]);
	if (fd < 0)
		return 0;
	r = eventfd_get(fd, &nfd);
	if (r < 0)
		return r;
	v->vec_fd[j] = nfd;
	return 0;
}

static int msi_set_block(struct sim_vpci *v, uint32_t start, uint32_t count, const int32_t *fds,
			 bool msix)
{
	unsigned int i, j;
	int r = 0;

	for (i = 0, j = start; i < count && !r; i++, j++) {
		int32_t fd;

		memcpy(&fd, fds + i, sizeof(fd));
		r = msi_set_vector(v, j, fd, msix);
	}
	if (r)
		for (i = start; i < j; i++)
			msi_set_vector(v, i, -1, msix);
	return r;
}

static int msi_trigger(struct sim_vpci *v, uint32_t index, uint32_t start, uint32_t count,
		       uint32_t flags, const uint8_t *data)
{
	bool msix = index == IOFD_U_VFIO_PCI_MSIX_IRQ_INDEX;
	bool is = v->irq_type == (int)index;
	int r;

	if (is && !count && (flags & IOFD_U_VFIO_IRQ_SET_DATA_NONE)) {
		msi_disable(v);
		return 0;
	}
	if (!(is || v->irq_type == NO_IRQ))
		return -EINVAL;
	if (flags & IOFD_U_VFIO_IRQ_SET_DATA_EVENTFD) {
		if (is)
			return msi_set_block(v, start, count, (const int32_t *)data, msix);
		/* vfio_msi_enable(start + count) */
		v->vec_fd = calloc(start + count ? start + count : 1, sizeof(int));
		if (!v->vec_fd)
			return -ENOMEM;
		v->nvec = start + count;
		for (unsigned int i = 0; i < v->nvec; i++)
			v->vec_fd[i] = -1;
		v->irq_type = (int)index;
		r = msi_set_block(v, start, count, (const int32_t *)data, msix);
		if (r)
			msi_disable(v);
		return r;
	}
	if (!is)
		return -EINVAL;
	for (uint32_t i = start; i < start + count; i++)
		if (i < v->nvec && ((flags & IOFD_U_VFIO_IRQ_SET_DATA_NONE) || data[i - start]))
			signal_fd(v->vec_fd[i]);
	return 0;
}

/* vfio_pci_set_ctx_trigger_single(): ERR and REQ. */
static int single_trigger(int *slot, uint32_t start, uint32_t count, uint32_t flags,
			  const uint8_t *data)
{
	int32_t fd;
	int nfd, r;

	if (start != 0 || count > 1)
		return -EINVAL;
	if (flags & IOFD_U_VFIO_IRQ_SET_DATA_NONE) {
		if (*slot < 0)
			return -EINVAL;
		if (count)
			signal_fd(*slot);
		else
			put_fd(slot);
		return 0;
	}
	if (!count)
		return -EINVAL;
	if (flags & IOFD_U_VFIO_IRQ_SET_DATA_BOOL) {
		if (data[0])
			signal_fd(*slot);
		return 0;
	}
	memcpy(&fd, data, sizeof(fd));
	if (fd == -1) {
		put_fd(slot);
		return 0;
	}
	if (fd < 0)
		return -EINVAL;
	r = eventfd_get(fd, &nfd);
	if (r < 0)
		return r;
	put_fd(slot);
	*slot = nfd;
	return 0;
}

static int set_irqs(struct iofd_sim *sim, struct sim_vpci *v, uint64_t arg)
{
	const size_t minsz = offsetofend(struct iofd_u_vfio_irq_set, count);
	struct iofd_u_vfio_irq_set hdr;
	uint8_t *data = NULL;
	size_t size = 0;
	unsigned int max;
	uint32_t action;
	int r;

	if (sim_copy_from_user(sim, &hdr, arg, minsz))
		return -EFAULT;
	max = irq_count(v, hdr.index);
	/* vfio_set_irqs_validate_and_prepare() */
	if (hdr.argsz < minsz || hdr.index >= IOFD_U_VFIO_PCI_NUM_IRQS ||
	    hdr.count >= UINT32_MAX - hdr.start ||
	    (hdr.flags & ~(IOFD_U_VFIO_IRQ_SET_DATA_TYPE_MASK |
			   IOFD_U_VFIO_IRQ_SET_ACTION_TYPE_MASK)))
		return -EINVAL;
	if (hdr.start >= max || hdr.start + hdr.count > max)
		return -EINVAL;
	switch (hdr.flags & IOFD_U_VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case IOFD_U_VFIO_IRQ_SET_DATA_NONE:
		break;
	case IOFD_U_VFIO_IRQ_SET_DATA_BOOL:
		size = 1;
		break;
	case IOFD_U_VFIO_IRQ_SET_DATA_EVENTFD:
		size = sizeof(int32_t);
		break;
	default:
		return -EINVAL;
	}
	if (size) {
		if (hdr.argsz - minsz < hdr.count * size)
			return -EINVAL;
		size *= hdr.count;
		/* memdup_user() */
		data = size ? sim_zalloc(sim, size) : NULL;
		if (size && !data)
			return -ENOMEM;
		if (size && sim_copy_from_user(sim, data, arg + minsz, size)) {
			free(data);
			return -EFAULT;
		}
	}
	action = hdr.flags & IOFD_U_VFIO_IRQ_SET_ACTION_TYPE_MASK;
	r = -ENOTTY;	/* no handler for that index and action */
	switch (hdr.index) {
	case IOFD_U_VFIO_PCI_INTX_IRQ_INDEX:
		if (action == IOFD_U_VFIO_IRQ_SET_ACTION_MASK ||
		    action == IOFD_U_VFIO_IRQ_SET_ACTION_UNMASK)
			r = intx_mask_unmask(v, hdr.start, hdr.count, hdr.flags, data,
					     action == IOFD_U_VFIO_IRQ_SET_ACTION_MASK);
		else if (action == IOFD_U_VFIO_IRQ_SET_ACTION_TRIGGER)
			r = intx_trigger(v, hdr.start, hdr.count, hdr.flags, data);
		break;
	case IOFD_U_VFIO_PCI_MSI_IRQ_INDEX:
	case IOFD_U_VFIO_PCI_MSIX_IRQ_INDEX:
		if (action == IOFD_U_VFIO_IRQ_SET_ACTION_TRIGGER)
			r = msi_trigger(v, hdr.index, hdr.start, hdr.count, hdr.flags, data);
		break;
	case IOFD_U_VFIO_PCI_ERR_IRQ_INDEX:
	case IOFD_U_VFIO_PCI_REQ_IRQ_INDEX:
		if (action == IOFD_U_VFIO_IRQ_SET_ACTION_TRIGGER)
			r = single_trigger(hdr.index == IOFD_U_VFIO_PCI_ERR_IRQ_INDEX ? &v->err_fd
										      : &v->req_fd,
					   hdr.start, hdr.count, hdr.flags, data);
		break;
	}
	free(data);
	return r;
}

/* ------------------------------------------------------------------------
 * Information ioctls (vfio_pci_core.c)
 */

static int get_info(struct iofd_sim *sim, uint64_t arg)
{
	struct iofd_u_vfio_device_info info = { 0 };
	size_t minsz = offsetofend(struct iofd_u_vfio_device_info, num_irqs);

	if (sim_copy_from_user(sim, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	minsz = info.argsz < sizeof(info) ? info.argsz : sizeof(info);
	info.flags = IOFD_U_VFIO_DEVICE_FLAGS_PCI | IOFD_U_VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = IOFD_U_VFIO_PCI_NUM_REGIONS;
	info.num_irqs = IOFD_U_VFIO_PCI_NUM_IRQS;
	return sim_copy_to_user(sim, arg, &info, minsz);
}

/* The pages of the MSI-X table, [*start, *end). */
static void msix_pages(const struct iofd_sim *sim, const struct sim_vpci *v, uint64_t *start,
		       uint64_t *end)
{
	uint64_t ps = sim->page_size;

	*start = v->prof->msix_table & ~(ps - 1);
	*end = (v->prof->msix_table + v->prof->msix * 16ull + ps - 1) & ~(ps - 1);
}

static int get_region_info(struct iofd_sim *sim, struct sim_vpci *v, uint64_t arg)
{
	const size_t minsz = offsetofend(struct iofd_u_vfio_region_info, offset);
	const struct vpci_profile *pr = v->prof;
	struct iofd_u_vfio_region_info info;
	uint8_t caps[64] = { 0 };
	size_t capsz = 0;

	if (sim_copy_from_user(sim, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.offset = REGION_OFFSET(info.index);
	switch (info.index) {
	case IOFD_U_VFIO_PCI_CONFIG_REGION_INDEX:
		info.size = CFG_SIZE;	/* PCIe: extended config space */
		info.flags = IOFD_U_VFIO_REGION_INFO_FLAG_READ | IOFD_U_VFIO_REGION_INFO_FLAG_WRITE;
		break;
	case IOFD_U_VFIO_PCI_BAR0_REGION_INDEX ... IOFD_U_VFIO_PCI_BAR5_REGION_INDEX:
		info.size = pr->bar[info.index];
		info.flags = 0;
		if (!info.size)
			break;
		info.flags = IOFD_U_VFIO_REGION_INFO_FLAG_READ | IOFD_U_VFIO_REGION_INFO_FLAG_WRITE;
		if (pr->io[info.index])
			break;	/* I/O ports cannot be mmap'ed */
		info.flags |= IOFD_U_VFIO_REGION_INFO_FLAG_MMAP;
		if (!pr->msix || info.index != pr->msix_bar)
			break;
		if (!v->sparse_msix) {
			struct iofd_u_vfio_info_cap_header h = {
				.id = IOFD_U_VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, .version = 1,
			};

			memcpy(caps, &h, sizeof(h));
			capsz = sizeof(h);
		} else {
			/* The areas before and after the table's pages. */
			struct iofd_u_vfio_region_info_cap_sparse_mmap sp = {
				.header = { .id = IOFD_U_VFIO_REGION_INFO_CAP_SPARSE_MMAP, .version = 1 },
			};
			struct iofd_u_vfio_region_sparse_mmap_area a[2];
			uint64_t ts, te;

			msix_pages(sim, v, &ts, &te);
			if (ts) {
				a[sp.nr_areas].offset = 0;
				a[sp.nr_areas++].size = ts;
			}
			if (te < info.size) {
				a[sp.nr_areas].offset = te;
				a[sp.nr_areas++].size = info.size - te;
			}
			memcpy(caps, &sp, sizeof(sp));
			memcpy(caps + sizeof(sp), a, sp.nr_areas * sizeof(a[0]));
			capsz = sizeof(sp) + sp.nr_areas * sizeof(a[0]);
		}
		break;
	case IOFD_U_VFIO_PCI_ROM_REGION_INDEX:
		info.size = pr->rom;
		info.flags = pr->rom ? IOFD_U_VFIO_REGION_INFO_FLAG_READ : 0;
		break;
	default:	/* no VGA, no device-specific regions */
		return -EINVAL;
	}
	if (capsz) {
		info.flags |= IOFD_U_VFIO_REGION_INFO_FLAG_CAPS;
		if (info.argsz < sizeof(info) + capsz) {
			info.argsz = (uint32_t)(sizeof(info) + capsz);
			info.cap_offset = 0;
		} else {
			if (sim_copy_to_user(sim, arg + sizeof(info), caps, capsz))
				return -EFAULT;
			info.cap_offset = sizeof(info);
		}
	}
	return sim_copy_to_user(sim, arg, &info, minsz);
}

static int get_irq_info(struct iofd_sim *sim, struct sim_vpci *v, uint64_t arg)
{
	const size_t minsz = offsetofend(struct iofd_u_vfio_irq_info, count);
	struct iofd_u_vfio_irq_info info;

	if (sim_copy_from_user(sim, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= IOFD_U_VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	info.flags = IOFD_U_VFIO_IRQ_INFO_EVENTFD;
	info.count = irq_count(v, info.index);
	if (info.index == IOFD_U_VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= IOFD_U_VFIO_IRQ_INFO_MASKABLE | IOFD_U_VFIO_IRQ_INFO_AUTOMASKED;
	else if (info.index != IOFD_U_VFIO_PCI_MSIX_IRQ_INDEX)	/* MSI-X: dynamic */
		info.flags |= IOFD_U_VFIO_IRQ_INFO_NORESIZE;
	return sim_copy_to_user(sim, arg, &info, minsz);
}

int sim_vpci_ioctl(struct iofd_sim *sim, struct sim_dev *dev, unsigned int cmd, uint64_t arg)
{
	struct sim_vpci *v;

	if (cmd == IOFD_U_VFIO_DEVICE_GET_INFO)
		return get_info(sim, arg);
	if (cmd != IOFD_U_VFIO_DEVICE_GET_REGION_INFO && cmd != IOFD_U_VFIO_DEVICE_GET_IRQ_INFO &&
	    cmd != IOFD_U_VFIO_DEVICE_SET_IRQS && cmd != IOFD_U_VFIO_DEVICE_RESET)
		return -ENOTTY;	/* vfio-pci's answer; FEATURE, hot reset: not modelled */
	v = vpci_get(sim, dev);
	if (!v)
		return -ENOMEM;
	switch (cmd) {
	case IOFD_U_VFIO_DEVICE_GET_REGION_INFO:
		return get_region_info(sim, v, arg);
	case IOFD_U_VFIO_DEVICE_GET_IRQ_INFO:
		return get_irq_info(sim, v, arg);
	case IOFD_U_VFIO_DEVICE_SET_IRQS:
		return set_irqs(sim, v, arg);
	default:
		return 0;	/* RESET: the function reset works */
	}
}

/* ------------------------------------------------------------------------
 * Regions: read/write (vfio_pci_rdwr.c, vfio_pci_config.c) and mmap
 */

static int bar_fd(struct iofd_sim *sim, struct sim_vpci *v, unsigned int bar)
{
	uint64_t len = (v->prof->bar[bar] + sim->page_size - 1) & ~(sim->page_size - 1);
	char name[96];
	int fd;

	if (v->barfd[bar] >= 0)
		return v->barfd[bar];
	snprintf(name, sizeof(name), "iofd-sim:%s:bar%u", v->dev->name, bar);
	fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)len) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	v->barfd[bar] = fd;
	return fd;
}

static ssize_t cfg_rw(struct iofd_sim *sim, struct sim_vpci *v, uint64_t buf, size_t len,
		      uint64_t pos, bool write)
{
	uint8_t tmp[CFG_SIZE];

	if (pos >= CFG_SIZE)
		return -EINVAL;
	if (len > CFG_SIZE - pos)
		len = CFG_SIZE - pos;
	if (!write)
		return sim_copy_to_user(sim, buf, v->cfg + pos, len) ? -EFAULT : (ssize_t)len;
	if (sim_copy_from_user(sim, tmp, buf, len))
		return -EFAULT;
	/* Only the command register's user bits take a write. */
	for (size_t i = 0; i < len; i++) {
		uint64_t at = pos + i;

		if (at == PCI_COMMAND || at == PCI_COMMAND + 1) {
			uint8_t m = (uint8_t)(PCI_COMMAND_USER >> (8 * (at - PCI_COMMAND)));

			v->cfg[at] = (uint8_t)((v->cfg[at] & ~m) | (tmp[i] & m));
		}
	}
	return (ssize_t)len;
}

static ssize_t bar_rw(struct iofd_sim *sim, struct sim_vpci *v, unsigned int bar, uint64_t buf,
		      size_t len, uint64_t pos, bool write)
{
	const struct vpci_profile *pr = v->prof;
	uint64_t size = pr->bar[bar], xs = 0, xe = 0;
	uint8_t tmp[4096];
	size_t done = 0;
	int fd;

	if (pos >= size)
		return -EINVAL;
	if (len > size - pos)
		len = (size_t)(size - pos);
	if (pr->msix && bar == pr->msix_bar) {	/* vfio-pci keeps the table */
		xs = pr->msix_table;
		xe = xs + pr->msix * 16ull;
	}
	fd = bar_fd(sim, v, bar);
	if (fd < 0)
		return fd;
	while (done < len) {
		size_t n = len - done < sizeof(tmp) ? len - done : sizeof(tmp);
		uint64_t at = pos + done;

		if (write) {
			if (sim_copy_from_user(sim, tmp, buf + done, n))
				return -EFAULT;
			for (size_t i = 0; i < n; i++)
				if (at + i < xs || at + i >= xe)
					if (pwrite(fd, tmp + i, 1, (off_t)(at + i)) != 1)
						return -EIO;
		} else {
			if (pread(fd, tmp, n, (off_t)at) != (ssize_t)n)
				return -EIO;
			for (size_t i = 0; i < n; i++)
				if (at + i >= xs && at + i < xe)
					tmp[i] = 0xff;
			if (sim_copy_to_user(sim, buf + done, tmp, n))
				return -EFAULT;
		}
		done += n;
	}
	return (ssize_t)len;
}

ssize_t sim_vpci_rw(struct iofd_sim *sim, struct sim_dev *dev, uint64_t buf, size_t len,
		    uint64_t pos, bool write)
{
	uint64_t index = pos >> REGION_SHIFT, off = pos & REGION_POS_MASK;
	struct sim_vpci *v = vpci_get(sim, dev);

	if (!v)
		return -ENOMEM;
	switch (index) {
	case IOFD_U_VFIO_PCI_CONFIG_REGION_INDEX:
		return cfg_rw(sim, v, buf, len, off, write);
	case IOFD_U_VFIO_PCI_BAR0_REGION_INDEX ... IOFD_U_VFIO_PCI_BAR5_REGION_INDEX:
		if (!v->prof->bar[index])
			return -EINVAL;
		return bar_rw(sim, v, (unsigned int)index, buf, len, off, write);
	case IOFD_U_VFIO_PCI_ROM_REGION_INDEX: {
		uint8_t zero[256] = { 0 };
		size_t n;

		if (write || off >= v->prof->rom)
			return -EINVAL;
		n = len < v->prof->rom - off ? len : (size_t)(v->prof->rom - off);
		for (size_t done = 0; done < n; done += sizeof(zero))
			if (sim_copy_to_user(sim, buf + done, zero,
					     n - done < sizeof(zero) ? n - done : sizeof(zero)))
				return -EFAULT;
		return (ssize_t)n;
	}
	default:
		return -EINVAL;
	}
}

int sim_vpci_mmap(struct iofd_sim *sim, struct sim_dev *dev, void **ret, size_t len, int prot,
		  int flags, uint64_t pos)
{
	uint64_t index = pos >> REGION_SHIFT, off = pos & REGION_POS_MASK, ps = sim->page_size;
	struct sim_vpci *v = vpci_get(sim, dev);
	uint64_t plen;
	void *p;
	int fd;

	if (!v)
		return -ENOMEM;
	if (!len || (off & (ps - 1)))
		return -EINVAL;	/* the VFS's checks */
	/* vfio_pci_core_mmap() */
	if (index >= IOFD_U_VFIO_PCI_NUM_REGIONS || !(flags & MAP_SHARED))
		return -EINVAL;
	if (index >= IOFD_U_VFIO_PCI_ROM_REGION_INDEX || !v->prof->bar[index] || v->prof->io[index])
		return -EINVAL;
	plen = (v->prof->bar[index] + ps - 1) & ~(ps - 1);
	len = (len + ps - 1) & ~(ps - 1);
	if (off + len > plen)
		return -EINVAL;
	if (v->sparse_msix && v->prof->msix && index == v->prof->msix_bar) {
		uint64_t ts, te;

		/* Kernels before 4.16: not over the table's pages. */
		msix_pages(sim, v, &ts, &te);
		if (off < te && off + len > ts)
			return -EINVAL;
	}
	fd = bar_fd(sim, v, (unsigned int)index);
	if (fd < 0)
		return fd;
	p = mmap(NULL, len, prot, flags, fd, (off_t)off);
	if (p == MAP_FAILED)
		return -errno;
	*ret = p;
	return 0;
}

void sim_vpci_close(struct iofd_sim *sim, struct sim_dev *dev)
{
	struct sim_vpci *v;

	for (v = sim->vpcis; v && v->dev != dev; v = v->next)
		;
	if (!v)
		return;
	/* vfio_pci_core_disable(): every interrupt off */
	if (v->irq_type == IOFD_U_VFIO_PCI_INTX_IRQ_INDEX)
		intx_disable(v);
	else if (v->irq_type != NO_IRQ)
		msi_disable(v);
	put_fd(&v->err_fd);
	put_fd(&v->req_fd);
}

void sim_vpci_free_all(struct iofd_sim *sim)
{
	while (sim->vpcis) {
		struct sim_vpci *v = sim->vpcis;

		sim->vpcis = v->next;
		sim_vpci_close(sim, v->dev);
		for (unsigned int i = 0; i < 6; i++)
			put_fd(&v->barfd[i]);
		free(v);
	}
}

/* ------------------------------------------------------------------------
 * The public calls: the device's side
 */

static struct sim_dev *find_vfio_pci(struct iofd_sim *sim, const char *bdf)
{
	struct sim_dev *dev = bdf ? sim_topo_find_dev(sim, bdf) : NULL;

	return dev && !dev->mock ? dev : NULL;
}

int iofd_sim_pci_sparse_msix(struct iofd_sim *sim, const char *bdf, bool on)
{
	struct sim_dev *dev;
	struct sim_vpci *v;
	int r = 0;

	if (!sim || !bdf)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	dev = find_vfio_pci(sim, bdf);
	v = dev ? vpci_get(sim, dev) : NULL;
	if (!dev)
		r = -ENODEV;
	else if (!v)
		r = -ENOMEM;
	else
		v->sparse_msix = on;
	pthread_mutex_unlock(&sim->lock);
	return r;
}

int iofd_sim_pci_irq(struct iofd_sim *sim, const char *bdf, unsigned int index,
		     unsigned int vector, int level)
{
	struct sim_dev *dev;
	struct sim_vpci *v;
	int r = 0;

	if (!sim || !bdf || (level != 0 && level != 1))
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	dev = find_vfio_pci(sim, bdf);
	v = dev ? vpci_get(sim, dev) : NULL;
	if (!dev) {
		r = -ENODEV;
	} else if (!v) {
		r = -ENOMEM;
	} else if (index > IOFD_U_VFIO_PCI_MSIX_IRQ_INDEX || vector >= irq_count(v, index) ||
		   (index != IOFD_U_VFIO_PCI_INTX_IRQ_INDEX && !level)) {
		r = -EINVAL;
	} else if (index == IOFD_U_VFIO_PCI_INTX_IRQ_INDEX) {
		v->intx_line = level;
		r = intx_deliver(v);
	} else if (v->irq_type == (int)index && vector < v->nvec && v->vec_fd[vector] >= 0 &&
		   (v->cfg[PCI_COMMAND] & PCI_COMMAND_MASTER)) {
		/* A message is a memory write: it needs bus mastering. */
		signal_fd(v->vec_fd[vector]);
		r = 1;
	}
	pthread_mutex_unlock(&sim->lock);
	return r;
}
