/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libiommufd-sim: a simulated Linux kernel (iommufd, later VFIO) that runs
 * inside the calling process, behind libiommufd's syscall seam
 * (struct iofd_kernel_ops). Tests of libiommufd, and tests of programs built
 * on it, run on it without an IOMMU, without root and in milliseconds, and
 * can make any kernel call fail.
 *
 * The specification is the Linux 6.12 kernel: every ioctl the simulator
 * answers follows the kernel's argument checks, errnos and side effects, and
 * tests/conformance runs the same checks against the simulator and against
 * a real kernel. sim/README.md lists what is modelled and what is not.
 *
 * Conventions are libiommufd's: iofd_sim_ prefix, int returns (>= 0 or
 * -errno; nothing changed on failure), options structs with "size_t sz"
 * first, declared with IOFD_OPTS(), destructors that accept NULL.
 *
 * Threads: every call, and every kernel op of a simulator, may be made from
 * any thread; a simulator serialises them with one lock. iofd_sim_free()
 * must not race with anything else on the same simulator.
 *
 * File descriptors: the simulator hands out real, unique file descriptors
 * of this process (memfds named "iofd-sim:<path>", O_CLOEXEC), so they never
 * collide with the program's other fds. They are kernel objects only
 * through the simulator's ops: close them with the ops' close (or with
 * iofd_sim_free()), never with close(2).
 */
#ifndef LIBIOMMUFD_SIM_H
#define LIBIOMMUFD_SIM_H

#include <stdint.h>

#include <libiommufd.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef IOFD_SIM_API
#define IOFD_SIM_API __attribute__((visibility("default")))
#endif

struct iofd_sim;

/* iofd_sim_opts.flags */
/* The simulated process has CAP_IPC_LOCK: pinned pages are not charged to
 * RLIMIT_MEMLOCK (the kernel's IOPT_PAGES_ACCOUNT_NONE). */
#define IOFD_SIM_CAP_IPC_LOCK		(1u << 0)
/* The simulated process has CAP_SYS_RESOURCE: it may set
 * IOMMU_OPTION_RLIMIT_MODE (else EPERM). */
#define IOFD_SIM_CAP_SYS_RESOURCE	(1u << 1)
/* The simulated kernel was built with CONFIG_IOMMUFD_TEST: /dev/iommu
 * answers IOMMU_TEST_CMD (ADD_RESERVED and SET_TEMP_MEMORY_LIMIT are
 * modelled; the mock device ops give EOPNOTSUPP until devices are).
 * Without it, IOMMU_TEST_CMD is ENOTTY. */
#define IOFD_SIM_IOMMUFD_TEST		(1u << 2)
/* The simulated kernel was built without CONFIG_TRANSPARENT_HUGEPAGE: an
 * IOVA the kernel picks is aligned to at most one page (else to at most a
 * PMD-sized huge page, 2 MiB with 4 KiB pages). */
#define IOFD_SIM_NO_THP			(1u << 3)

/**
 * struct iofd_sim_opts - how to make a simulator.
 * @sz: sizeof(struct iofd_sim_opts), set by IOFD_OPTS()
 * @flags: IOFD_SIM_* bits: the simulated process's capabilities and the
 *	simulated kernel's configuration; 0 is an unprivileged process on a
 *	distribution kernel
 * @memlock_pages: the simulated process's RLIMIT_MEMLOCK, in pages of the
 *	host's page size; 0 means unlimited (RLIM_INFINITY)
 */
struct iofd_sim_opts {
	size_t sz;
	uint32_t flags;
	uint64_t memlock_pages;
};

/**
 * iofd_sim_new() - make a simulated kernel.
 * @ret: where the new simulator is stored
 * @opts: options, or NULL for defaults
 *
 * The simulator starts with nothing open. It offers the device node
 * /dev/iommu (opened through its ops, see iofd_sim_kernel_ops()). Each
 * simulator is an independent kernel: objects, fds, pins and accounting are
 * its own.
 *
 * Return: 0, or
 *  -EINVAL: @ret is NULL, @opts->sz is smaller than the first release of
 *	the struct, or an unknown flag
 *  -E2BIG: @opts is larger than this library knows and the extra bytes are
 *	not zero
 *  -ENOMEM: out of memory
 */
IOFD_SIM_API int iofd_sim_new(struct iofd_sim **ret, const struct iofd_sim_opts *opts);

/**
 * iofd_sim_free() - close everything the simulator handed out and free it.
 * @sim: a simulator, or NULL
 *
 * Every fd still open on the simulator is closed (as a process exit would:
 * every iommufd object is destroyed and every pin released), so its number
 * may be reused by the process afterwards. Contexts using the simulator
 * must be freed first.
 */
IOFD_SIM_API void iofd_sim_free(struct iofd_sim *sim);

/**
 * iofd_sim_ctx_opts() - point a libiommufd context's options at the simulator.
 * @sim: a simulator
 * @opts: options for iofd_ctx_new(), declared with IOFD_OPTS()
 *
 * Sets @opts->kernel and @opts->kernel_priv (later releases also set
 * @opts->sysfs_root and @opts->dev_root to the simulated host's trees), so
 * that iofd_ctx_new() runs on the simulator. Other fields are left alone.
 *
 *	IOFD_OPTS(iofd_ctx_opts, o);
 *	iofd_sim_ctx_opts(sim, &o);
 *	iofd_ctx_new(&ctx, &o);
 *
 * Return: 0, or -EINVAL for a NULL argument or an @opts->sz too small to
 * hold the fields set.
 */
IOFD_SIM_API int iofd_sim_ctx_opts(struct iofd_sim *sim, struct iofd_ctx_opts *opts);

/**
 * iofd_sim_kernel_ops() - the simulator's kernel ops, for direct use.
 *
 * The ops take the struct iofd_sim * as their priv. Every op returns
 * -errno on failure, as struct iofd_kernel_ops says. On an fd the simulator
 * did not hand out, every op fails with -EBADF (the simulator is a closed
 * world; it never touches the process's other fds). open() knows the
 * simulated nodes only: "/dev/iommu" (-ENOENT for other paths; the flags
 * are not checked). On /dev/iommu: ioctl() is the kernel's iommufd ioctl,
 * with the VFIO type1 ioctls it answers itself; read/write/pread/pwrite
 * give -EINVAL, mmap -ENODEV (iommufd has neither); fstat() describes a
 * character device (st_mode S_IFCHR | 0660, misc major 10). On a fault
 * queue's fd (IOMMU_FAULT_QUEUE_ALLOC): read/write take whole records as
 * the kernel's do (no fault is ever queued yet), pread/pwrite give -ESPIPE,
 * fstat() an anonymous inode (st_mode 0600). dup() shares the open file,
 * which lives until its last fd is closed. munmap() gives -EINVAL.
 *
 * Return: a static ops table.
 */
IOFD_SIM_API const struct iofd_kernel_ops *iofd_sim_kernel_ops(void);

/**
 * iofd_sim_fail_nth() - make the Nth kernel call from now fail.
 * @sim: a simulator
 * @n: 1 fails the next call, 2 the one after, ...; 0 cancels
 * @err: the positive errno that call returns (e.g. ENOMEM)
 *
 * Every op counts as a call: open, close, ioctl, mmap, munmap, read, write,
 * pread, pwrite, fstat, dup. The failing call does nothing and returns
 * -@err, except close, which (like Linux's) still closes the fd. One-shot:
 * after firing, the setting is cleared. See iofd_sim_calls() to size a
 * sweep over a sequence.
 *
 * Return: 0, or -EINVAL for a NULL @sim or an @err outside 1..4095.
 */
IOFD_SIM_API int iofd_sim_fail_nth(struct iofd_sim *sim, unsigned int n, int err);

/**
 * iofd_sim_fail_ioctl() - make an ioctl fail.
 * @sim: a simulator
 * @request: the ioctl number (e.g. IOMMU_IOAS_MAP), on any fd
 * @err: the positive errno it returns
 * @count: how many of the next calls of @request fail; 0 removes the rule
 *	for @request
 *
 * A failing ioctl does nothing. Up to 16 requests can have rules at once.
 *
 * Return: 0, or -EINVAL (NULL @sim, @err outside 1..4095), -ENOSPC (16
 * rules already).
 */
IOFD_SIM_API int iofd_sim_fail_ioctl(struct iofd_sim *sim, unsigned long request, int err,
				     unsigned int count);

/**
 * iofd_sim_calls() - how many kernel calls the simulator has answered.
 * @sim: a simulator (NULL counts as 0)
 *
 * Every op counts, including calls that failed or were made to fail.
 */
IOFD_SIM_API uint64_t iofd_sim_calls(struct iofd_sim *sim);

/**
 * iofd_sim_pinned_pages() - user pages currently pinned (/proc's VmPin, in pages).
 * @sim: a simulator (NULL counts as 0)
 *
 * As in the kernel, iommufd pins the pages under a mapping only while the
 * IOAS has a translation domain (a device or HWPT attached); a page shared
 * by several areas made from one mapping (IOAS_COPY) is pinned once, while
 * two separate maps of the same memory pin it twice.
 */
IOFD_SIM_API uint64_t iofd_sim_pinned_pages(struct iofd_sim *sim);

/**
 * iofd_sim_locked_pages() - pages charged to RLIMIT_MEMLOCK.
 * @sim: a simulator (NULL counts as 0)
 *
 * The sum of what iommufd charged to the user (IOMMU_OPTION_RLIMIT_MODE 0)
 * and to the process (mode 1). Always 0 with IOFD_SIM_CAP_IPC_LOCK.
 */
IOFD_SIM_API uint64_t iofd_sim_locked_pages(struct iofd_sim *sim);

/** iofd_sim_open_fds() - how many fds the simulator has handed out and not seen closed. */
IOFD_SIM_API unsigned int iofd_sim_open_fds(struct iofd_sim *sim);

/** iofd_sim_objects() - how many iommufd objects (IOAS, ...) live in all open iommufds. */
IOFD_SIM_API unsigned int iofd_sim_objects(struct iofd_sim *sim);

#ifdef __cplusplus
}
#endif

#endif /* LIBIOMMUFD_SIM_H */
