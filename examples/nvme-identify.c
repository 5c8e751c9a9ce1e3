// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * nvme-identify: a small userspace NVMe driver on libiommufd's public API.
 * For each controller given (on vfio-pci): map BAR0, reset the controller,
 * put an admin queue pair in memory mapped for DMA, enable it, send
 * Identify Controller, and print the model, serial number and firmware the
 * controller wrote by DMA into our buffer. The first command completes by
 * polling the completion queue, the second by its MSI-X interrupt arriving
 * on an eventfd. With two controllers they share one IOAS, and the program
 * shows where the library placed them.
 *
 *	nvme-identify [-b iommufd|type1|compat|auto] [--irq msix|intx] [--bad-dma] BDF...
 *
 * --irq intx routes the pin interrupt instead of MSI-X (QEMU's NVMe asserts
 * INTx while MSI-X is off and the admin completion queue has entries):
 * vfio-pci masks INTx as it signals the eventfd, so after each completion
 * the program rings the completion doorbell (the controller lowers its pin)
 * and unmasks; two commands complete by interrupt to show the second one
 * arrives too.
 *
 * --bad-dma instead points the command at an IOVA that is not mapped: the
 * IOMMU must stop the DMA; the command fails, times out, or (QEMU's NVMe)
 * completes unaware while the kernel logs the IOMMU fault. The program
 * prints what the controller said; tests/vm/guest/nvme_identify.py checks
 * the kernel log.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <libiommufd.h>

/* Controller registers (NVMe 1.4, section 3.1) */
#define REG_CAP		0x00
#define REG_CC		0x14
#define REG_CSTS	0x1c
#define REG_AQA		0x24
#define REG_ASQ		0x28
#define REG_ACQ		0x30
#define REG_DBS		0x1000
#define CC_EN		(1u << 0)
#define CC_IOSQES	(6u << 16)	/* 64-byte submission entries */
#define CC_IOCQES	(4u << 20)	/* 16-byte completion entries */
#define CSTS_RDY	(1u << 0)
#define CSTS_CFS	(1u << 1)
#define QDEPTH		16
#define OPC_IDENTIFY	0x06
#define CNS_CONTROLLER	1

struct ctrl {
	const char *bdf;
	struct iofd_device *dev;
	volatile uint8_t *bar;
	size_t bar_len;
	unsigned int dstrd;		/* doorbell stride, bytes */
	unsigned int timeout_ms;	/* CAP.TO */
	uint8_t *sq, *cq, *buf;		/* one page each */
	uint64_t sq_iova, cq_iova, buf_iova;
	unsigned int sq_tail, cq_head, phase;
	uint16_t cid;
	int efd;
	unsigned int irq;		/* IOFD_PCI_IRQ_MSIX or _INTX */
};

static size_t page;

static uint32_t rd32(struct ctrl *c, size_t off)
{
	return *(volatile uint32_t *)(c->bar + off);
}

static uint64_t rd64(struct ctrl *c, size_t off)
{
	return rd32(c, off) | (uint64_t)rd32(c, off + 4) << 32;
}

static void wr32(struct ctrl *c, size_t off, uint32_t v)
{
	*(volatile uint32_t *)(c->bar + off) = v;
}

static void wr64(struct ctrl *c, size_t off, uint64_t v)
{
	wr32(c, off, (uint32_t)v);
	wr32(c, off + 4, (uint32_t)(v >> 32));
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int wait_ready(struct ctrl *c, bool ready)
{
	uint64_t end = now_ms() + c->timeout_ms;

	while (!!(rd32(c, REG_CSTS) & CSTS_RDY) != ready) {
		if (rd32(c, REG_CSTS) & CSTS_CFS)
			return -EIO;
		if (now_ms() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
	return 0;
}

/* Map one zeroed page for DMA; its IOVA from the library's translation. */
static int dma_page(struct iofd_ioas *ioas, uint8_t **va, uint64_t *iova)
{
	uint64_t at = 0;
	int r;

	*va = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*va == MAP_FAILED)
		return -errno;
	r = iofd_ioas_map(ioas, *va, page, IOFD_MAP_READ | IOFD_MAP_WRITE, &at);
	if (r == 0)
		r = iofd_ioas_translate(ioas, *va, iova, NULL);
	return r;
}

static int ctrl_setup(struct ctrl *c, struct iofd_ioas *ioas)
{
	uint64_t cap, size;
	int r;

	r = iofd_device_region(c->dev, IOFD_PCI_BAR(0), &size, NULL);
	if (r < 0)
		return r;
	c->bar_len = size < 2 * page ? size : 2 * page;
	r = iofd_device_region_mmap(c->dev, IOFD_PCI_BAR(0), 0, c->bar_len,
				    PROT_READ | PROT_WRITE, (void **)&c->bar);
	if (r < 0)
		return r;
	cap = rd64(c, REG_CAP);
	c->dstrd = 4u << ((cap >> 32) & 0xf);
	c->timeout_ms = (unsigned int)((cap >> 24) & 0xff) * 500 + 500;
	r = iofd_device_bus_master(c->dev, true);
	if (r < 0)
		return r;
	/* Disable, then give it an admin queue pair and enable it. */
	wr32(c, REG_CC, 0);
	r = wait_ready(c, false);
	if (r < 0)
		return r;
	if ((r = dma_page(ioas, &c->sq, &c->sq_iova)) < 0 ||
	    (r = dma_page(ioas, &c->cq, &c->cq_iova)) < 0 ||
	    (r = dma_page(ioas, &c->buf, &c->buf_iova)) < 0)
		return r;
	/* Interrupts before queues: MSI-X vector 0 (the admin queue's), or
	 * INTx, to an eventfd. (QEMU's NVMe even ignores vectors enabled after.) */
	c->efd = eventfd(0, EFD_CLOEXEC);
	if (c->efd < 0)
		return -errno;
	r = iofd_device_irq_set(c->dev, c->irq, 0, 1, &c->efd);
	if (r < 0)
		return r;
	wr32(c, REG_AQA, (QDEPTH - 1) << 16 | (QDEPTH - 1));
	wr64(c, REG_ASQ, c->sq_iova);
	wr64(c, REG_ACQ, c->cq_iova);
	wr32(c, REG_CC, CC_EN | CC_IOSQES | CC_IOCQES);
	c->phase = 1;
	return wait_ready(c, true);
}

/* Submit Identify Controller into @prp; wait for its completion by polling
 * or (with an eventfd) by interrupt. Return the NVMe status, or -errno. */
static int identify(struct ctrl *c, uint64_t prp, bool by_irq)
{
	uint32_t *sqe = (uint32_t *)(c->sq + 64 * c->sq_tail);
	volatile uint32_t *cqe = (volatile uint32_t *)(c->cq + 16 * c->cq_head);
	uint64_t end = now_ms() + 5000;
	uint16_t cid = ++c->cid;
	uint64_t events;

	memset(sqe, 0, 64);
	sqe[0] = OPC_IDENTIFY | (uint32_t)cid << 16;
	sqe[6] = (uint32_t)prp;			/* PRP1 */
	sqe[7] = (uint32_t)(prp >> 32);
	sqe[10] = CNS_CONTROLLER;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	c->sq_tail = (c->sq_tail + 1) % QDEPTH;
	wr32(c, REG_DBS, c->sq_tail);		/* admin SQ tail doorbell */
	if (by_irq) {
		struct pollfd p = { .fd = c->efd, .events = POLLIN };

		if (poll(&p, 1, 5000) != 1 || read(c->efd, &events, sizeof(events)) != sizeof(events))
			return -ETIMEDOUT;
	}
	while (((cqe[3] >> 16) & 1) != c->phase) {
		if (now_ms() > end)
			return -ETIMEDOUT;
		usleep(100);
	}
	if ((cqe[3] & 0xffff) != cid)
		return -EPROTO;
	c->cq_head = (c->cq_head + 1) % QDEPTH;
	if (c->cq_head == 0)
		c->phase ^= 1;
	wr32(c, REG_DBS + c->dstrd, c->cq_head);	/* admin CQ head doorbell */
	/* INTx: the queue is empty, so the pin is down: let the next one in. */
	if (c->irq == IOFD_PCI_IRQ_INTX) {
		int r = iofd_device_irq_unmask(c->dev, IOFD_PCI_IRQ_INTX, 0);

		if (r < 0)
			return r;
	}
	return (cqe[3] >> 17) & 0x7fff;
}

static void field(const uint8_t *p, size_t n, char *out)
{
	memcpy(out, p, n);
	out[n] = '\0';
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\0'))
		out[--n] = '\0';
}

static int report(struct ctrl *c)
{
	char sn[21], mn[41], fr[9];

	field(c->buf + 4, 20, sn);
	field(c->buf + 24, 40, mn);
	field(c->buf + 64, 8, fr);
	printf("%s: model '%s', serial '%s', firmware '%s'\n", c->bdf, mn, sn, fr);
	return sn[0] ? 0 : -EIO;
}

static void unmap_page(uint8_t *p)
{
	if (p && p != MAP_FAILED)
		munmap(p, page);
}

static void show_placement(struct iofd_ioas *ioas)
{
	printf("IOAS: %zu device(s) in %zu domain(s)\n", iofd_ioas_device_count(ioas),
	       iofd_ioas_domain_count(ioas));
	for (size_t i = 0; i < iofd_ioas_device_count(ioas); i++) {
		struct iofd_device *d = iofd_ioas_device(ioas, i);

		printf("  %s: KVM would be told coherent: %s; %s\n", iofd_device_name(d),
		       iofd_device_kvm_coherent(d) == 1 ? "yes" : "no", iofd_device_placement(d));
	}
}

int main(int argc, char **argv)
{
	enum iofd_backend backend = IOFD_BACKEND_AUTO;
	struct ctrl ctrls[8] = { 0 };
	struct iofd_ioas *ioas = NULL;
	struct iofd_ctx *ctx = NULL;
	bool bad_dma = false;
	unsigned int irq = IOFD_PCI_IRQ_MSIX;
	const char *irq_name = "MSI-X";
	int n = 0, r = 0, failed = 0;

	page = (size_t)sysconf(_SC_PAGESIZE);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-b") && i + 1 < argc) {
			const char *b = argv[++i];

			backend = !strcmp(b, "iommufd") ? IOFD_BACKEND_IOMMUFD :
				  !strcmp(b, "type1")   ? IOFD_BACKEND_TYPE1 :
				  !strcmp(b, "compat")  ? IOFD_BACKEND_COMPAT : IOFD_BACKEND_AUTO;
		} else if (!strcmp(argv[i], "--irq") && i + 1 < argc) {
			irq = !strcmp(argv[++i], "intx") ? IOFD_PCI_IRQ_INTX : IOFD_PCI_IRQ_MSIX;
			irq_name = irq == IOFD_PCI_IRQ_INTX ? "INTx" : "MSI-X";
		} else if (!strcmp(argv[i], "--bad-dma")) {
			bad_dma = true;
		} else if (n < 8) {
			ctrls[n].efd = -1;
			ctrls[n++].bdf = argv[i];
		}
	}
	for (int i = 0; i < n; i++)
		ctrls[i].irq = irq;
	if (!n) {
		fprintf(stderr, "usage: %s [-b iommufd|type1|compat|auto] [--irq msix|intx] "
				"[--bad-dma] BDF...\n",
			argv[0]);
		return 2;
	}
	IOFD_OPTS(iofd_ctx_opts, o, .backend = backend);
	if ((r = iofd_ctx_new(&ctx, &o)) < 0 || (r = iofd_ioas_new(&ioas, ctx, NULL)) < 0) {
		fprintf(stderr, "nvme-identify: %s\n", strerror(-r));
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct ctrl *c = &ctrls[i];

		r = iofd_device_open(&c->dev, ctx, c->bdf, NULL);
		if (r == 0)
			r = iofd_device_attach(c->dev, ioas);
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", c->bdf, strerror(-r));
			goto out;
		}
	}
	show_placement(ioas);
	for (int i = 0; i < n; i++) {
		struct ctrl *c = &ctrls[i];
		int st;

		r = ctrl_setup(c, ioas);
		if (r < 0) {
			fprintf(stderr, "%s: bringing the controller up: %s\n", c->bdf, strerror(-r));
			failed++;
			continue;
		}
		if (bad_dma) {
			/* An IOVA the IOAS does not map: the IOMMU must refuse. */
			st = identify(c, c->buf_iova + (1ull << 30), false);
			if (st < 0)
				printf("%s: Identify into an unmapped IOVA: %s\n", c->bdf, strerror(-st));
			else
				printf("%s: Identify into an unmapped IOVA: NVMe status %#x%s\n", c->bdf,
				       st, st ? "" : " (the controller did not notice; the IOMMU "
						     "logs a fault)");
			continue;
		}
		/* By polling. */
		st = identify(c, c->buf_iova, false);
		if (st != 0 || report(c) < 0) {
			fprintf(stderr, "%s: Identify (polled): %s\n", c->bdf,
				st < 0 ? strerror(-st) : "error status");
			failed++;
			continue;
		}
		/* Again, completed by the interrupt on the eventfd (INTx: twice,
		 * the second after the library unmasked it). */
		for (int k = 0; k < (irq == IOFD_PCI_IRQ_INTX ? 2 : 1); k++) {
			memset(c->buf, 0, page);
			while (poll(&(struct pollfd){ .fd = c->efd, .events = POLLIN }, 1, 0) == 1 &&
			       read(c->efd, &(uint64_t){ 0 }, sizeof(uint64_t)) == sizeof(uint64_t))
				;	/* the polled command's interrupt */
			st = identify(c, c->buf_iova, true);
			if (st != 0 || report(c) < 0) {
				fprintf(stderr, "%s: Identify (%s%s): %s\n", c->bdf, irq_name,
					k ? ", again" : "", st < 0 ? strerror(-st) : "error status");
				failed++;
				break;
			}
			if (k == 0)
				printf("%s: the same by %s interrupt: ok\n", c->bdf, irq_name);
			else
				printf("%s: a second command by %s interrupt, after unmasking: ok\n",
				       c->bdf, irq_name);
		}
	}
out:
	for (int i = 0; i < n; i++) {
		struct ctrl *c = &ctrls[i];

		if (c->bar) {
			wr32(c, REG_CC, 0);
			munmap((void *)c->bar, c->bar_len);
		}
		if (c->dev) {
			iofd_device_irq_set(c->dev, c->irq, 0, 0, NULL);
			iofd_device_bus_master(c->dev, false);
		}
		iofd_device_close(c->dev);
		if (c->efd >= 0)
			close(c->efd);
	}
	iofd_ioas_free(ioas);	/* unmaps the queues and buffers */
	iofd_ctx_free(ctx);
	for (int i = 0; i < n; i++) {
		unmap_page(ctrls[i].sq);
		unmap_page(ctrls[i].cq);
		unmap_page(ctrls[i].buf);
	}
	return r < 0 || failed ? 1 : 0;
}
