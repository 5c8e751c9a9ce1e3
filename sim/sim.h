/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated kernel's insides: the simulator (one lock, the fd table,
 * fault injection, the process-wide counters), open files, and user memory
 * access. Every function here runs with sim->lock held unless it says so.
 */
#ifndef IOFD_SIM_SIM_H
#define IOFD_SIM_SIM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "libiommufd-sim.h"

#define SIM_KNOWN_FLAGS                                                       \
	(IOFD_SIM_CAP_IPC_LOCK | IOFD_SIM_CAP_SYS_RESOURCE | IOFD_SIM_IOMMUFD_TEST | \
	 IOFD_SIM_NO_THP | IOFD_SIM_VFIO_CONTAINER_IOMMUFD | IOFD_SIM_NO_VFIO_PCI)

#define SIM_MAX_IOCTL_RULES 16

/* How the kernel would have reached user memory. */
enum sim_uaccess {
	SIM_UACCESS_VM,		/* process_vm_readv/writev on ourselves: faults are -EFAULT */
	SIM_UACCESS_DIRECT,	/* plain loads and stores (process_vm_* refused us) */
};

struct sim_file;
struct sim_ictx;
struct sim_topo;
struct sim_vcontainer;
struct sim_vpci;

struct iofd_sim {
	pthread_mutex_t lock;
	uint32_t flags;
	uint32_t kversion;		/* the simulated kernel (kversion.h) */
	uint64_t memlock_pages;		/* 0: unlimited */
	uint64_t page_size;
	uint64_t hpage_size;		/* THP size, page_size without THP */
	enum sim_uaccess uaccess;
	bool have_populate;		/* MADV_POPULATE_READ/WRITE work here */

	/* Open fds: real fds of this process, indexed by number. */
	struct sim_file **fdtab;
	int fdtab_len;
	unsigned int open_fds;

	/* Fault injection: kernel calls, and failure points inside them. */
	uint64_t calls;
	uint64_t points;		/* failure points passed */
	uint64_t fail_point_at;		/* fail when points reaches this; 0 off */
	uint64_t fail_at;		/* fail when calls reaches this; 0 off */
	int fail_err;
	struct {
		unsigned int request;
		int err;
		unsigned int count;
	} ioctl_rules[SIM_MAX_IOCTL_RULES];

	/* The simulated process and user. */
	uint64_t pinned_vm;		/* pages pinned (mm->pinned_vm) */
	uint64_t locked_user;		/* charged to user->locked_vm */
	uint64_t locked_mm;		/* charged to mm->locked_vm */
	unsigned int objects;		/* live iommufd objects, every ctx */

	/* The simulated host (topology.h), and every live iommufd. */
	struct sim_topo *topo;
	struct sim_ictx *ictxs;
	struct sim_vcontainer *vcontainers;	/* open /dev/vfio/vfio (vfio_group.c) */
	struct sim_vpci *vpcis;		/* vfio-pci's device state (vfio_pci.c) */
};

/* ------------------------------------------------------------------------
 * Failure points inside kernel calls (the kernel's fail_nth/should_fail):
 * every allocation, pin and charge passes one. Tests set fail_point_at to
 * fail the Nth from now and check that the call unwinds completely.
 */
bool sim_should_fail(struct iofd_sim *sim);
/* calloc()/realloc() that fail at a failure point. */
void *sim_zalloc(struct iofd_sim *sim, size_t size);
void *sim_realloc(struct iofd_sim *sim, void *p, size_t size);

/* ------------------------------------------------------------------------
 * Open files: what an fd refers to. dup() shares one; the file is released
 * when its last fd is closed.
 */
struct sim_file_ops {
	const char *name;	/* the device node or anon inode, for the memfd's name */
	unsigned int mode;	/* st_mode: S_IFCHR | 0660 for a device node */
	unsigned int major;	/* st_rdev's major, with sim_file.minor */
	bool nonseekable;	/* pread/pwrite: ESPIPE */
	/* @cmd as the kernel sees it (32 bits); @arg the raw argument */
	int (*ioctl)(struct sim_file *f, unsigned int cmd, uint64_t arg);
	/* @buf a user pointer; NULL ops: EINVAL, as the VFS answers */
	ssize_t (*read)(struct sim_file *f, uint64_t buf, size_t len);
	ssize_t (*write)(struct sim_file *f, uint64_t buf, size_t len);
	/* pread/pwrite at @pos; NULL: the file has no positions (EINVAL past 0) */
	ssize_t (*pread)(struct sim_file *f, uint64_t buf, size_t len, uint64_t pos);
	ssize_t (*pwrite)(struct sim_file *f, uint64_t buf, size_t len, uint64_t pos);
	/* mmap; NULL: ENODEV, as the VFS answers */
	int (*mmap)(struct sim_file *f, void **ret, size_t len, int prot, int flags, uint64_t pos);
	void (*release)(struct sim_file *f);
};

/*
 * @refs counts the fds open on the file and the kernel's own references
 * (a fault queue's file holds its iommufd's); the last put releases it.
 */
struct sim_file {
	struct iofd_sim *sim;
	const struct sim_file_ops *ops;
	void *priv;
	unsigned int refs;
	unsigned int minor;
};

/* A new fd on a new file (refs 1); nothing is left behind on failure. */
int sim_file_install(struct iofd_sim *sim, const struct sim_file_ops *ops, void *priv,
		     unsigned int minor, struct sim_file **ret);
static inline void sim_file_get(struct sim_file *f)
{
	f->refs++;
}
void sim_file_put(struct sim_file *f);
/* The file behind @fd, if the simulator handed it out. */
struct sim_file *sim_fd_file(struct iofd_sim *sim, int fd);
/* Close @fd, an fd the simulator handed out (drops its file reference). */
void sim_fd_close(struct iofd_sim *sim, int fd);

/* ------------------------------------------------------------------------
 * User memory, as copy_from_user()/copy_to_user() see it: 0 or -EFAULT.
 */
int sim_copy_from_user(struct iofd_sim *sim, void *dst, uint64_t uptr, size_t len);
int sim_copy_to_user(struct iofd_sim *sim, uint64_t uptr, const void *src, size_t len);
/* 1 when [uptr, uptr + len) is all zero bytes, 0 when not, -EFAULT. */
int sim_check_zeroed_user(struct iofd_sim *sim, uint64_t uptr, uint64_t len);
/* The kernel's copy_struct_from_user(): 0, -E2BIG (non-zero tail), -EFAULT. */
int sim_copy_struct_from_user(struct iofd_sim *sim, void *dst, size_t ksize, uint64_t src,
			      size_t usize);
/*
 * Fault in [addr, addr + len) as pin_user_pages(FOLL_LONGTERM [| FOLL_WRITE])
 * would: 0, or -EFAULT when some page is not mapped, not accessible, or
 * (@write) not writable.
 */
int sim_fault_in_user(struct iofd_sim *sim, uint64_t addr, uint64_t len, bool write);
/* Decide how to reach user memory on this host (at sim creation). */
void sim_uaccess_init(struct iofd_sim *sim);

/* ------------------------------------------------------------------------
 * Device nodes: /dev/iommu (iommufd.c), /dev/vfio/devices/vfioN (vfio_cdev.c)
 */
int sim_iommufd_open(struct iofd_sim *sim);
/* /dev/vfio/vfio as iommufd serves it (IOFD_SIM_VFIO_CONTAINER_IOMMUFD) */
int sim_iommufd_vfio_open(struct iofd_sim *sim);
int sim_vfio_cdev_open(struct iofd_sim *sim, unsigned int n);
/* /dev/vfio/vfio and /dev/vfio/N (vfio_group.c) */
int sim_vfio_container_open(struct iofd_sim *sim);
int sim_vfio_group_open(struct iofd_sim *sim, unsigned int n);
/* Writable sysfs attributes (pci_bus.c): @rel is relative to the sysfs
 * root; and /proc/self/mountinfo, /proc/swaps. */
int sim_sysfs_attr_open(struct iofd_sim *sim, const char *rel, int flags);
int sim_proc_open(struct iofd_sim *sim, const char *path, int flags);

static inline bool sim_has(const struct iofd_sim *sim, uint32_t flag)
{
	return sim->flags & flag;
}

#endif
