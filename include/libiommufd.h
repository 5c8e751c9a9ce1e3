/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libiommufd: one IOAS/device API over Linux iommufd and VFIO type1.
 *
 * Conventions (doc/design.md says more):
 *  - Every public name starts with iofd_ / IOFD_; the kernel's own uAPI
 *    names (iommu_*, IOMMU_*, vfio_*) are never used, so <linux/iommufd.h>
 *    and this header can be included together.
 *  - A call that can fail returns int: >= 0 on success, -errno on failure.
 *    On failure nothing changed and out-parameters were not written.
 *  - Options structs start with "size_t sz" and only grow at the end. Use
 *    IOFD_OPTS() to declare one. NULL means all defaults. A struct shorter
 *    than its first released size gives -EINVAL; a longer one whose extra
 *    bytes are not all zero gives -E2BIG.
 *  - Destructors accept NULL. The library never prints (unless asked to by
 *    LIBIOMMUFD_LOG), never exits, never aborts, and has no global state.
 *
 * Threads: a context may be used from several threads at once; the calls
 * that create or free objects must not race with use of the same object.
 * A struct iofd_host is immutable once scanned: any thread may read it.
 */
#ifndef LIBIOMMUFD_H
#define LIBIOMMUFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <libiommufd-version.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef IOFD_API
#define IOFD_API __attribute__((visibility("default")))
#endif

/**
 * IOFD_OPTS() - declare an options struct, zeroed, with its sz set.
 * @TYPE: the struct's tag without "struct", e.g. iofd_ctx_opts
 * @NAME: the variable's name
 * @...: designated initializers for the fields to set
 *
 *	IOFD_OPTS(iofd_ctx_opts, opts, .backend = IOFD_BACKEND_TYPE1);
 */
#define IOFD_OPTS(TYPE, NAME, ...)                                        \
	struct TYPE NAME = ({                                             \
		memset(&NAME, 0, sizeof(struct TYPE));                    \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };  \
	})

/**
 * iofd_version() - the library's version string ("MAJOR.MINOR.PATCH").
 *
 * Compare with IOFD_VERSION from libiommufd-version.h to tell the header a
 * program was built against from the library it runs with.
 */
IOFD_API const char *iofd_version(void);

/* ------------------------------------------------------------------------
 * Backends
 */

/**
 * enum iofd_backend - which kernel interface a context drives.
 * @IOFD_BACKEND_AUTO: let the library choose, once per context, when it
 *	first needs to: iommufd with device cdevs when /dev/iommu opens and
 *	the kernel offers cdevs (/sys/class/vfio-dev); else type1. The choice
 *	and its reason are logged (LOG_INFO). On iommufd, a device without a
 *	cdev is then reached through its VFIO group on the same iommufd (as
 *	compat does) and shares the IOAS with the others.
 * @IOFD_BACKEND_IOMMUFD: /dev/iommu and VFIO device cdevs
 *	(/dev/vfio/devices/vfioN), Linux 6.6+.
 * @IOFD_BACKEND_TYPE1: the legacy /dev/vfio/vfio container with VFIO
 *	groups, VFIO_TYPE1v2_IOMMU.
 * @IOFD_BACKEND_COMPAT: VFIO groups whose container is an iommufd: a
 *	/dev/iommu fd given to VFIO_GROUP_SET_CONTAINER, or a /dev/vfio/vfio
 *	that iommufd itself serves (CONFIG_IOMMUFD_VFIO_CONTAINER).
 */
enum iofd_backend {
	IOFD_BACKEND_AUTO = 0,
	IOFD_BACKEND_IOMMUFD = 1,
	IOFD_BACKEND_TYPE1 = 2,
	IOFD_BACKEND_COMPAT = 3,
};

/**
 * iofd_backend_name() - "auto", "iommufd", "type1" or "compat".
 * @backend: a backend
 *
 * Return: a static string, or NULL for a value that is not a backend.
 */
IOFD_API const char *iofd_backend_name(enum iofd_backend backend);

/* ------------------------------------------------------------------------
 * Context
 */

struct iofd_ctx;

/**
 * typedef iofd_log_fn - receives the library's log messages.
 * @userdata: iofd_ctx_opts.log_userdata
 * @priority: a syslog priority, LOG_ERR (3) to LOG_DEBUG (7)
 * @msg: the message, one line, without a trailing newline
 *
 * Called from the thread that made the call being logged. errno is saved
 * and restored around it. It may be called while the library holds an
 * IOAS's lock (a map or unmap reporting a kernel failure): it must not call
 * into the library on that IOAS, or the thread waits on itself.
 */
typedef void (*iofd_log_fn)(void *userdata, int priority, const char *msg);

/**
 * struct iofd_kernel_ops - the kernel a context talks to, when it is not
 * the real one: a simulated kernel (libiommufd-sim), a fault injector, a
 * recorder. Every call the library makes on a kernel object (/dev/iommu,
 * /dev/vfio/..., device fds) goes through these ops; sysfs is read as files
 * under iofd_ctx_opts.sysfs_root.
 * @sz: sizeof(struct iofd_kernel_ops); every op up to @sz must be set
 * @open: open(@path, @flags | O_CLOEXEC); the new fd
 * @close: close(@fd)
 * @ioctl: ioctl(@fd, @request, @arg); its non-negative result
 * @mmap: mmap(NULL, @len, @prot, @flags, @fd, @offset) into *@ret
 * @munmap: munmap(@addr, @len)
 * @pread, @pwrite, @read, @write: as the system calls; bytes transferred
 * @fstat: fstat(@fd, @st)
 * @dup: fcntl(@fd, F_DUPFD_CLOEXEC, 3); the new fd
 *
 * @priv is iofd_ctx_opts.kernel_priv. Every op returns -errno on failure,
 * never -1 with errno set. Ops may be called from any thread that uses
 * the context.
 */
struct stat;

struct iofd_kernel_ops {
	size_t sz;
	int (*open)(void *priv, const char *path, int flags);
	int (*close)(void *priv, int fd);
	int (*ioctl)(void *priv, int fd, unsigned long request, void *arg);
	int (*mmap)(void *priv, void **ret, size_t len, int prot, int flags, int fd,
		    off_t offset);
	int (*munmap)(void *priv, void *addr, size_t len);
	ssize_t (*pread)(void *priv, int fd, void *buf, size_t len, off_t offset);
	ssize_t (*pwrite)(void *priv, int fd, const void *buf, size_t len, off_t offset);
	ssize_t (*read)(void *priv, int fd, void *buf, size_t len);
	ssize_t (*write)(void *priv, int fd, const void *buf, size_t len);
	int (*fstat)(void *priv, int fd, struct stat *st);
	int (*dup)(void *priv, int fd);
};

/**
 * iofd_kernel_real() - the real kernel, as struct iofd_kernel_ops.
 *
 * What a context uses when iofd_ctx_opts.kernel is NULL. For a wrapper
 * that passes calls on to the real kernel (a recorder, a fault injector
 * around real hardware) and for tests that run one suite on a simulated
 * and on the real kernel. Its ops ignore their priv argument.
 *
 * Return: a static table, never NULL.
 */
IOFD_API const struct iofd_kernel_ops *iofd_kernel_real(void);

/* iofd_ctx_opts.flags */
#define IOFD_CTX_IOMMU_FD	(1u << 0) /* iommu_fd holds an open /dev/iommu */
#define IOFD_CTX_CONTAINER_FD	(1u << 1) /* container_fd holds an open /dev/vfio/vfio */
/*
 * Type1 placement policy: one container per device class (coherency
 * enforcement x IOMMU instance) instead of one container for every device.
 * For a VMM whose KVM asks the container (VFIO_CHECK_EXTENSION
 * DMA_CC_IOMMU) rather than each device: each container's answer is then
 * true for all its devices. The library maps every mapping into every
 * container, all or nothing; each container pins and charges the memory
 * again (the price of the split). Without it (the default) one container
 * holds every device, the kernel splits it into domains by coherency and
 * IOMMU itself and pins once.
 */
#define IOFD_CTX_TYPE1_SPLIT	(1u << 2)

/**
 * struct iofd_ctx_opts - how to make a context.
 * @sz: sizeof(struct iofd_ctx_opts), set by IOFD_OPTS()
 * @backend: the backend to use; IOFD_BACKEND_AUTO (0) lets the library pick
 * @flags: IOFD_CTX_* bits saying which of the fds below are set
 * @iommu_fd: an open /dev/iommu (IOFD_CTX_IOMMU_FD), for a process that
 *	cannot open it itself: the context duplicates it (O_CLOEXEC); the
 *	caller keeps and closes its own fd
 * @container_fd: an open /dev/vfio/vfio (IOFD_CTX_CONTAINER_FD); duplicated
 *	in the same way
 * @log_fn: where log messages go; NULL: nowhere, unless the environment
 *	variable LIBIOMMUFD_LOG is set (err, warning, info or debug), which
 *	sends them to stderr
 * @log_userdata: passed to @log_fn
 * @log_priority: the least important priority passed to @log_fn; 0 means
 *	LOG_INFO
 * @sysfs_root: where sysfs is mounted; NULL means "/sys". Tests and
 *	simulations point it at a directory tree of their own.
 * @dev_root: where device nodes live; NULL means "/dev"
 * @kernel: another kernel behind the context (see struct iofd_kernel_ops);
 *	NULL: the real one. Usually set by a simulator's helper
 *	(iofd_sim_ctx_opts()), together with @sysfs_root and @dev_root.
 * @kernel_priv: passed to every op of @kernel
 */
struct iofd_ctx_opts {
	size_t sz;
	enum iofd_backend backend;
	uint32_t flags;
	int iommu_fd;
	int container_fd;
	iofd_log_fn log_fn;
	void *log_userdata;
	int log_priority;
	const char *sysfs_root;
	const char *dev_root;
	const struct iofd_kernel_ops *kernel;
	void *kernel_priv;
};

/**
 * iofd_ctx_new() - make a context: the owner of every fd and object.
 * @ret: where the new context is stored
 * @opts: options, or NULL for defaults
 *
 * Opens nothing by itself except duplicates of the fds given in @opts. A
 * given fd must be the device it claims to be: a character device answering
 * as iommufd (for @iommu_fd) or as a VFIO container (for @container_fd).
 *
 * Return: 0, or
 *  -EINVAL: @ret is NULL; @opts->sz is too small; an unknown flag or
 *	backend; a negative fd with its flag set; an empty path;
 *	@log_priority outside 0..7; @kernel with @sz too small or an op unset
 *  -E2BIG: @opts is larger than this library knows and the extra bytes
 *	are not zero (built against a newer header, using a newer field)
 *  -EBADF: a given fd is not open
 *  -ENOTTY: a given fd is not the device it is said to be
 *  -ENOMEM: out of memory
 */
IOFD_API int iofd_ctx_new(struct iofd_ctx **ret, const struct iofd_ctx_opts *opts);

/**
 * iofd_ctx_free() - close every fd the context owns and free it.
 * @ctx: a context, or NULL
 */
IOFD_API void iofd_ctx_free(struct iofd_ctx *ctx);

/**
 * iofd_ctx_backend() - the backend asked for in the context's options.
 * @ctx: a context
 *
 * Return: the enum iofd_backend value, or -EINVAL if @ctx is NULL.
 */
IOFD_API int iofd_ctx_backend(const struct iofd_ctx *ctx);

/* ------------------------------------------------------------------------
 * The host: what sysfs and /dev say about IOMMUs, groups, devices and the
 * backends on offer. A snapshot; scan again to see changes.
 */

struct iofd_host;
struct iofd_iommu;
struct iofd_group;
struct iofd_hostdev;

/**
 * iofd_host_scan() - read the host's IOMMU picture.
 * @ret: where the snapshot is stored; free it with iofd_host_free()
 * @ctx: the context whose sysfs_root and dev_root are read
 *
 * Enumerates PCI devices (with libudev on the real /sys, by reading the
 * directory under any other sysfs_root), their IOMMU groups and the other
 * members of those groups, bound drivers, VFIO device cdevs, the IOMMU
 * instances in /sys/class/iommu with what their registers say, and which
 * backends the host offers (by opening /dev/iommu and /dev/vfio/vfio and
 * asking them, then closing them again). A host with no IOMMU is not an
 * error: the snapshot then has no IOMMUs and no backend.
 *
 * Return: 0, or -EINVAL (NULL argument), -ENOMEM, or the errno of a sysfs
 * directory that exists but could not be read.
 */
IOFD_API int iofd_host_scan(struct iofd_host **ret, struct iofd_ctx *ctx);

/**
 * iofd_host_free() - free a snapshot.
 * @host: a snapshot, or NULL
 */
IOFD_API void iofd_host_free(struct iofd_host *host);

/**
 * iofd_host_backend_available() - can this host use a backend?
 * @host: a snapshot
 * @backend: IOFD_BACKEND_IOMMUFD, _TYPE1 or _COMPAT
 *
 * IOMMUFD needs /dev/iommu to open and the kernel to offer VFIO device
 * cdevs (/sys/class/vfio-dev). TYPE1 needs /dev/vfio/vfio to open and be
 * VFIO's own container. COMPAT needs /dev/iommu, or a /dev/vfio/vfio that
 * iommufd serves, and VFIO groups (/sys/class/vfio).
 * iofd_host_backend_reason() says why, either way.
 *
 * Return: 1 available, 0 not, -EINVAL for a NULL host or IOFD_BACKEND_AUTO
 * or a value that is not a backend.
 */
IOFD_API int iofd_host_backend_available(const struct iofd_host *host,
					 enum iofd_backend backend);

/**
 * iofd_host_auto_backend() - the backend IOFD_BACKEND_AUTO would use here.
 * @host: a snapshot
 *
 * iommufd when available, else type1, else compat (a /dev/vfio/vfio served
 * by iommufd). A device without a cdev is later driven by type1 or compat
 * even when this says iommufd.
 *
 * Return: the backend, -ENODEV when the host offers none, -EINVAL for NULL.
 */
IOFD_API int iofd_host_auto_backend(const struct iofd_host *host);

/**
 * iofd_host_backend_reason() - one sentence on a backend's availability.
 * @host: a snapshot
 * @backend: any backend; for IOFD_BACKEND_AUTO, why auto picks what it picks
 *
 * Return: a string owned by @host, or NULL for a NULL host or a value that
 * is not a backend.
 */
IOFD_API const char *iofd_host_backend_reason(const struct iofd_host *host,
					      enum iofd_backend backend);

/**
 * enum iofd_container_kind - what serves /dev/vfio/vfio.
 * @IOFD_CONTAINER_NONE: no /dev/vfio/vfio, or it would not open
 * @IOFD_CONTAINER_VFIO: VFIO's own container (native type1)
 * @IOFD_CONTAINER_IOMMUFD: iommufd (CONFIG_IOMMUFD_VFIO_CONTAINER)
 */
enum iofd_container_kind {
	IOFD_CONTAINER_NONE = 0,
	IOFD_CONTAINER_VFIO = 1,
	IOFD_CONTAINER_IOMMUFD = 2,
};

/**
 * iofd_host_container_kind() - what /dev/vfio/vfio is on this host.
 * @host: a snapshot
 *
 * Told apart by asking the opened node an iommufd ioctl: iommufd answers
 * it, VFIO's container does not.
 *
 * Return: an enum iofd_container_kind, or -EINVAL for NULL.
 */
IOFD_API int iofd_host_container_kind(const struct iofd_host *host);

/**
 * iofd_host_iommu_count() - how many IOMMU instances sysfs lists.
 * @host: a snapshot (NULL counts as empty)
 */
IOFD_API size_t iofd_host_iommu_count(const struct iofd_host *host);

/**
 * iofd_host_iommu() - the @idx-th IOMMU instance, in name order.
 * @host: a snapshot
 * @idx: 0 .. iofd_host_iommu_count() - 1
 *
 * Return: the instance, owned by @host, or NULL when @idx is out of range.
 */
IOFD_API const struct iofd_iommu *iofd_host_iommu(const struct iofd_host *host,
						  size_t idx);

/** iofd_host_group_count() - how many IOMMU groups hold a scanned device. */
IOFD_API size_t iofd_host_group_count(const struct iofd_host *host);

/** iofd_host_group() - the @idx-th group, in group number order, or NULL. */
IOFD_API const struct iofd_group *iofd_host_group(const struct iofd_host *host,
						  size_t idx);

/**
 * iofd_host_dev_count() - how many devices the scan saw: every PCI device,
 * and every non-PCI member of a PCI device's IOMMU group.
 */
IOFD_API size_t iofd_host_dev_count(const struct iofd_host *host);

/** iofd_host_dev() - the @idx-th device (PCI devices first, by address), or NULL. */
IOFD_API const struct iofd_hostdev *iofd_host_dev(const struct iofd_host *host,
						  size_t idx);

/**
 * iofd_host_find_dev() - look up a PCI device by name.
 * @host: a snapshot
 * @name: a PCI address ("0000:00:03.0", or "00:03.0" for domain 0), or a
 *	path to the device in sysfs (any path that resolves to it, such as
 *	SYSFS/bus/pci/devices/0000:00:03.0)
 * @ret: where the device is stored
 *
 * Return: 0, or
 *  -EINVAL: a NULL argument, or @name is neither a PCI address nor a path
 *	(a path starts with '/' or '.')
 *  -ENOENT: no such device in this snapshot (the address is not on this
 *	host, the path does not exist, or it names a PCI device that
 *	appeared after the scan)
 *  -ENODEV: the path exists but is not a PCI device
 */
IOFD_API int iofd_host_find_dev(const struct iofd_host *host, const char *name,
				const struct iofd_hostdev **ret);

/* ------------------------------------------------------------------------
 * Handing a PCI device to vfio-pci and giving it back
 *
 * Both calls work through the driver core's sysfs files (Linux 6.12's ABI):
 * the device's driver_override, its driver's unbind, the PCI bus's
 * drivers_probe; never new_id, which would claim every device with the same
 * ids. They write those files through the context's kernel (the seam of
 * struct iofd_kernel_ops, so a simulated kernel sees them) and read the
 * result back from sysfs under iofd_ctx_opts.sysfs_root. They need the
 * privilege to write sysfs (root). Loading vfio-pci is not the library's
 * job: "modprobe vfio-pci" first.
 *
 * "In use" (what iofd_host_bind_vfio() refuses without IOFD_BIND_FORCE):
 *  - a block device of the device (a disk or partition in sysfs below it,
 *    such as an NVMe namespace, or an NVMe multipath head of one of its
 *    controllers, or a partition of one) that is mounted (its major:minor
 *    in /proc/self/mountinfo), used as swap (/dev/NAME in /proc/swaps),
 *    held by another block device (its sysfs holders/ directory is not
 *    empty: device mapper, md, bcache), or, where none of those says so,
 *    held open exclusively by the kernel (an O_EXCL open of /dev/NAME
 *    gives EBUSY: a btrfs, whose mountinfo entry has a device number of
 *    its own; a mount in another mount namespace; a lazy unmount still
 *    alive);
 *  - a network interface of the device (in class/net, below the device:
 *    directly, or deeper, as virtio-net's) that is up (IFF_UP in its
 *    flags);
 *  - the boot VGA device (boot_vga is 1): the firmware's console.
 * An open file on the device (a block device opened raw, a socket bound to
 * the interface while it is down) is not seen. The log names every use
 * found; with IOFD_BIND_FORCE they are logged as warnings and the device
 * is taken anyway (its filesystems then see I/O errors).
 *
 * Thread-safety: both calls may be used from several threads, for
 * different devices. Two calls on one device at once (from this process
 * or another) race as two shell scripts would.
 */

/* iofd_host_bind_vfio() flags */
#define IOFD_BIND_FORCE	(1u << 0)	/* take the device even if the host uses it */

/**
 * iofd_host_bind_vfio() - hand a PCI device to vfio-pci.
 * @ctx: a context
 * @name: the device: a PCI address ("0000:00:03.0" or "00:03.0") or a path
 *	to it in sysfs, as iofd_device_open() takes them
 * @flags: 0, or IOFD_BIND_FORCE
 *
 * Sets the device's driver_override to "vfio-pci", unbinds it from its
 * driver, asks the bus to probe it, and checks that vfio-pci took it (the
 * device's driver link). Then it waits, up to two seconds, until the
 * device's VFIO nodes exist (the group's DEV/vfio/N and, on a kernel with
 * VFIO cdevs, DEV/vfio/devices/vfioM), so that they can be opened at once:
 * on the host's own kernel, /sys and /dev by a libudev monitor of the
 * kernel's uevents (no udevd needed), on any other a poll; a node still
 * missing then is logged (warning), not an error. When other devices of
 * the same IOMMU group are still bound to host drivers, it logs (warning)
 * that the group is not viable yet and names them: the bind succeeds, but the
 * device cannot be opened until they are bound to vfio-pci too (or
 * unbound). On any failure it puts back what was there (driver_override,
 * and the old driver bound again) and logs what failed: the call changes
 * nothing. If even that fails, the log says in which state the device was
 * left.
 *
 * Return: 0 when the device was bound now, 1 when it was on vfio-pci
 * already (nothing done), or
 *  -EINVAL: NULL @ctx or @name, an empty or malformed @name, unknown @flags
 *  -ENOENT: no such PCI device
 *  -ENODEV: @name is a sysfs path of something that is not a PCI device
 *  -ENXIO: vfio-pci is not loaded (SYSFS/bus/pci/drivers/vfio-pci is
 *	missing; like opening a device node whose driver is not there)
 *  -EBUSY: the host uses the device (see "In use" above; the log says
 *	how) and @flags has no IOFD_BIND_FORCE
 *  -EIO: the kernel took every write but vfio-pci did not take the device
 *	(its probe failed: no IOMMU group, a bridge, a denylisted device);
 *	the old state was restored
 *  -EACCES, -EPERM: not allowed to write sysfs
 *  other errnos of reading sysfs or writing its files, passed through
 */
IOFD_API int iofd_host_bind_vfio(struct iofd_ctx *ctx, const char *name, uint32_t flags);

/**
 * iofd_host_unbind_vfio() - give a PCI device on vfio-pci back to the host.
 * @ctx: a context
 * @name: the device, as for iofd_host_bind_vfio()
 * @flags: 0 (no flags yet)
 *
 * Clears the device's driver_override, unbinds it from vfio-pci and asks
 * the bus to probe it, so that the host's driver for it (nvme, e1000e)
 * takes it back; the log names the driver that did, or says that none did
 * (no driver on this host claims it: the device stays unbound, which is
 * not an error). A device not on vfio-pci is left alone, except that a
 * driver_override of "vfio-pci" is cleared (and, if the device has no
 * driver, the bus probes it). On failure the device is put back on
 * vfio-pci with its driver_override: the call changes nothing.
 *
 * The kernel does not finish unbinding vfio-pci from a device that a
 * program has open: it asks that program to let go (the device's request
 * IRQ) and waits, uninterruptibly once signalled. The library refuses
 * (-EBUSY) when this context has the device open (by its cdev or its VFIO
 * group); a device open elsewhere, or kept open by what the library cannot
 * see (a BAR mapping from iofd_device_region_mmap() not yet munmap'ed, a
 * cdev fd the caller passed with IOFD_DEVICE_FD and still holds), makes
 * this call wait until it is let go: munmap and close those first.
 *
 * Return: 0 when the device was given back now, 1 when there was nothing
 * to do (not on vfio-pci and no driver_override of vfio-pci), or
 *  -EINVAL, -ENOENT, -ENODEV: as for iofd_host_bind_vfio()
 *  -EBUSY: this context has the device, or its VFIO group, open
 *  -EACCES, -EPERM: not allowed to write sysfs
 *  other errnos of reading sysfs or writing its files, passed through
 */
IOFD_API int iofd_host_unbind_vfio(struct iofd_ctx *ctx, const char *name, uint32_t flags);

/* ------------------------------------------------------------------------
 * IOMMU instances (from /sys/class/iommu)
 */

/**
 * enum iofd_iommu_type - IOMMU hardware families. The values after
 * UNKNOWN follow the kernel's IOMMU_GET_HW_INFO types where they exist.
 */
enum iofd_iommu_type {
	IOFD_IOMMU_UNKNOWN = 0,
	IOFD_IOMMU_INTEL_VTD = 1,
	IOFD_IOMMU_ARM_SMMUV3 = 2,
	IOFD_IOMMU_AMD = 3,
	IOFD_IOMMU_SELFTEST = 4,	/* the kernel's CONFIG_IOMMUFD_TEST mock */
};

/** iofd_iommu_type_name() - "unknown", "intel-vtd", "arm-smmuv3", "amd", "selftest"; NULL otherwise. */
IOFD_API const char *iofd_iommu_type_name(enum iofd_iommu_type type);

/** iofd_iommu_name() - the sysfs name, e.g. "dmar0", "ivhd0". */
IOFD_API const char *iofd_iommu_name(const struct iofd_iommu *iommu);

/** iofd_iommu_type() - the family, from the sysfs attributes the instance has. */
IOFD_API enum iofd_iommu_type iofd_iommu_type(const struct iofd_iommu *iommu);

/**
 * iofd_iommu_enforces_coherency() - can its domains enforce cache coherency
 * (block PCIe no-snoop)?
 * @iommu: an instance
 *
 * VT-d: ECAP.SC (bit 7). AMD: always. Others: sysfs does not tell; only an
 * attach to a coherency-enforcing domain proves it.
 *
 * Return: 1 yes, 0 no, -ENODATA unknown, -EINVAL for NULL.
 */
IOFD_API int iofd_iommu_enforces_coherency(const struct iofd_iommu *iommu);

/**
 * iofd_iommu_dirty_tracking() - can the hardware track DMA dirty pages?
 * @iommu: an instance
 *
 * VT-d: ECAP.SLADS (bit 45) with scalable mode (ECAP.SMTS, bit 43); the
 * kernel uses it only when it runs the IOMMU in scalable mode. AMD: EFR
 * HDSup (bit 52). Others: unknown from sysfs.
 *
 * Return: 1 yes, 0 no, -ENODATA unknown, -EINVAL for NULL.
 */
IOFD_API int iofd_iommu_dirty_tracking(const struct iofd_iommu *iommu);

/**
 * iofd_iommu_addr_width() - the widest input address its domains translate.
 * @iommu: an instance
 *
 * VT-d: from CAP.SAGAW, the widest supported page-table level count
 * (39 bits for 3 levels, 48 for 4, 57 for 5), capped by CAP.MGAW.
 *
 * Return: the width in bits, -ENODATA unknown, -EINVAL for NULL.
 */
IOFD_API int iofd_iommu_addr_width(const struct iofd_iommu *iommu);

/**
 * iofd_iommu_vtd_regs() - a VT-d unit's capability registers as sysfs shows them.
 * @iommu: an instance
 * @cap: where CAP_REG goes (may be NULL)
 * @ecap: where ECAP_REG goes (may be NULL)
 *
 * Return: 0, -ENODATA when @iommu is not VT-d, -EINVAL for NULL @iommu.
 */
IOFD_API int iofd_iommu_vtd_regs(const struct iofd_iommu *iommu, uint64_t *cap,
				 uint64_t *ecap);

/* ------------------------------------------------------------------------
 * IOMMU groups (from /sys/kernel/iommu_groups)
 */

/** iofd_group_id() - the group's number: /dev/vfio/N, -EINVAL for NULL. */
IOFD_API int iofd_group_id(const struct iofd_group *group);

/** iofd_group_type() - its default domain type ("DMA", "DMA-FQ", "identity", ...), or NULL if unknown. */
IOFD_API const char *iofd_group_type(const struct iofd_group *group);

/**
 * iofd_group_viable() - could VFIO use this group now?
 * @group: a group
 *
 * VFIO can take a group only when no kernel driver in it uses the DMA API:
 * every member is unbound or bound to a driver that leaves DMA to its user
 * (vfio-pci and its variant drivers, pci-stub, pcieport). This is sysfs'
 * prediction; VFIO_GROUP_GET_STATUS has the last word when the group is
 * opened.
 *
 * Return: 1 viable, 0 not, -EINVAL for NULL.
 */
IOFD_API int iofd_group_viable(const struct iofd_group *group);

/** iofd_group_dev_count() - how many devices the group holds. */
IOFD_API size_t iofd_group_dev_count(const struct iofd_group *group);

/** iofd_group_dev() - the @idx-th member, or NULL. */
IOFD_API const struct iofd_hostdev *iofd_group_dev(const struct iofd_group *group,
						   size_t idx);

/**
 * iofd_group_path() - the group's VFIO node (DEV/vfio/N) when it exists,
 * else NULL (no member is bound to vfio-pci, or VFIO is not loaded).
 */
IOFD_API const char *iofd_group_path(const struct iofd_group *group);

/* ------------------------------------------------------------------------
 * Devices as the host shows them
 */

/** iofd_hostdev_name() - the kernel's name: the PCI address for a PCI device. */
IOFD_API const char *iofd_hostdev_name(const struct iofd_hostdev *dev);

/** iofd_hostdev_is_pci() - 1 for a PCI device, 0 otherwise, -EINVAL for NULL. */
IOFD_API int iofd_hostdev_is_pci(const struct iofd_hostdev *dev);

/** iofd_hostdev_syspath() - its canonical directory under the sysfs root. */
IOFD_API const char *iofd_hostdev_syspath(const struct iofd_hostdev *dev);

/**
 * iofd_hostdev_pci_ids() - a PCI device's identity.
 * @dev: a device
 * @vendor, @device, @class_code: where the ids go (each may be NULL);
 *	@class_code is the 24-bit class code (e.g. 0x010802 for NVMe)
 *
 * Return: 0, -ENODATA for a device that is not PCI, -EINVAL for NULL @dev.
 */
IOFD_API int iofd_hostdev_pci_ids(const struct iofd_hostdev *dev, uint16_t *vendor,
				  uint16_t *device, uint32_t *class_code);

/** iofd_hostdev_driver() - the bound driver's name, or NULL when unbound. */
IOFD_API const char *iofd_hostdev_driver(const struct iofd_hostdev *dev);

/** iofd_hostdev_group() - its IOMMU group, or NULL when it has none. */
IOFD_API const struct iofd_group *iofd_hostdev_group(const struct iofd_hostdev *dev);

/** iofd_hostdev_iommu() - the IOMMU instance translating its DMA, or NULL. */
IOFD_API const struct iofd_iommu *iofd_hostdev_iommu(const struct iofd_hostdev *dev);

/**
 * iofd_hostdev_cdev() - its VFIO device cdev (DEV/vfio/devices/vfioN), or
 * NULL when it has none (not bound to vfio-pci, or a kernel without
 * CONFIG_VFIO_DEVICE_CDEV).
 */
IOFD_API const char *iofd_hostdev_cdev(const struct iofd_hostdev *dev);

/* ------------------------------------------------------------------------
 * Devices: VFIO devices opened for DMA through an IOAS
 *
 * A device is opened once and belongs to its context. On the iommufd
 * backend it is the device's VFIO cdev, bound to the context's iommufd when
 * opened (VFIO_DEVICE_BIND_IOMMUFD); the library then asks the kernel what
 * IOMMU translates it (IOMMU_GET_HW_INFO) and decides from that, and from
 * sysfs, which domains it may share (iofd_device_enforces_coherency(),
 * iofd_device_dirty_tracking()). On the type1 and compat backends it is
 * reached through its VFIO group (/dev/vfio/N, opened once per context and
 * shared by the group's devices, checked viable); its IOMMU facts come from
 * sysfs, and VFIO hands out its fd only once the group is in a container
 * (type1) or an iommufd (compat), that is, once the device is attached. On
 * compat, VFIO attaches it to an automatic HWPT of the kernel IOAS the
 * library aims it at (IOMMU_VFIO_IOAS): group devices of different classes
 * get different kernel IOASes, which the library keeps identical with
 * IOMMU_IOAS_COPY (pinned once).
 *
 * A VMM hands the device to KVM (KVM_DEV_VFIO_FILE_ADD) with
 * iofd_device_fd(); for a cdev, KVM must see it before it is bound, so such
 * a VMM opens the cdev itself, adds it to KVM, and passes the fd in
 * (IOFD_DEVICE_FD).
 */

struct iofd_device;
struct iofd_ioas;
struct iofd_domain;

/* iofd_device_opts.flags */
/* fd holds an open, unbound VFIO device cdev (iommufd), or, on type1 and
 * compat, the device's open VFIO group (/dev/vfio/N; @name then names the
 * device in it) */
#define IOFD_DEVICE_FD	(1u << 0)
/* On a compat context, open this device by its cdev rather than through its
 * group, so that cdev and group devices share one IOAS (IOMMU_VFIO_IOAS). */
#define IOFD_DEVICE_CDEV	(1u << 1)

/**
 * struct iofd_device_opts - how to open a device.
 * @sz: sizeof(struct iofd_device_opts), set by IOFD_OPTS()
 * @flags: IOFD_DEVICE_* bits
 * @fd: with IOFD_DEVICE_FD, an open VFIO device cdev, or on type1 and
 *	compat the device's open VFIO group (for a process that cannot open
 *	them, or a VMM that added them to KVM first): the library checks it is
 *	what it should be and duplicates it (O_CLOEXEC); the caller keeps and
 *	closes its own fd
 */
struct iofd_device_opts {
	size_t sz;
	uint32_t flags;
	int fd;
};

/**
 * iofd_device_open() - open a VFIO device and bind it to the context.
 * @ret: where the device is stored; close it with iofd_device_close()
 * @ctx: a context (any backend)
 * @name: a PCI address ("0000:00:03.0" or "00:03.0"), the device's
 *	directory in sysfs, or its VFIO cdev (DEV/vfio/devices/vfioN); with
 *	IOFD_DEVICE_FD, on iommufd a name for messages (may be NULL: the PCI
 *	address behind the fd), on type1 and compat the device in the group
 *	(required)
 * @opts: options, or NULL
 *
 * The context's /dev/iommu is opened on first use (or is the fd given in
 * its options). A PCI address or sysfs path is looked up in a fresh host
 * scan, and its cdev opened.
 *
 * Return: 0, or
 *  -EINVAL: a NULL @ret or @ctx, a NULL @name without IOFD_DEVICE_FD, bad
 *	options, or a negative @opts->fd
 *  -ENOENT: no such device
 *  -ENODEV: @name is not a PCI device, or the device has no VFIO cdev
 *	(iommufd: not bound to vfio-pci, or a kernel without
 *	CONFIG_VFIO_DEVICE_CDEV) or VFIO group (type1)
 *  -ENOTTY: the fd given is not the device's cdev (iommufd) or group
 *	(type1, compat)
 *  -EBUSY: also: a group fd given for a group this context holds already
 *  -EBUSY: the device is open already (in this context, by its group, or
 *	through another cdev fd bound to an iommufd)
 *  -EPERM: the kernel refuses it: its group is not viable (a member is
 *	bound to a driver that uses the DMA API; the log names it), or its
 *	IOMMU does not isolate interrupts
 *  -ENOMEM, or the errno of opening /dev/iommu or the cdev
 */
IOFD_API int iofd_device_open(struct iofd_device **ret, struct iofd_ctx *ctx,
			      const char *name, const struct iofd_device_opts *opts);

/* iofd_device_open_selftest() flags */
#define IOFD_SELFTEST_NO_DIRTY	(1u << 0) /* cannot track dirty pages (MOCK_FLAGS_DEVICE_NO_DIRTY) */

/**
 * iofd_device_open_selftest() - a mock device of the kernel's iommufd selftest.
 * @ret: where the device is stored
 * @ctx: a context on the iommufd backend
 * @flags: IOFD_SELFTEST_* bits
 *
 * Only kernels built with CONFIG_IOMMUFD_TEST have it: for tests of this
 * library and of programs built on it (a kernel with two devices of
 * different capabilities, without hardware). The kernel makes a mock
 * device when it is attached (IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS) and
 * destroys it on detach; it has no fd and no BARs. Its IOMMU never
 * enforces coherency and tracks dirty pages unless IOFD_SELFTEST_NO_DIRTY.
 *
 * Return: 0, -EINVAL (NULL, unknown flag), -EOPNOTSUPP (not iommufd),
 * -ENOMEM, or the errno of opening /dev/iommu. Whether the kernel has the
 * selftest shows at the first attach (-ENOTTY without it).
 */
IOFD_API int iofd_device_open_selftest(struct iofd_device **ret, struct iofd_ctx *ctx,
				       uint32_t flags);

/**
 * iofd_device_close() - detach the device if attached, unbind and close it.
 * @dev: a device, or NULL
 */
IOFD_API void iofd_device_close(struct iofd_device *dev);

/** iofd_device_name() - the PCI address (or the cdev's name, "mock0"). */
IOFD_API const char *iofd_device_name(const struct iofd_device *dev);

/**
 * iofd_device_fd() - the device's own fd, for KVM_DEV_VFIO_FILE_ADD,
 * region and IRQ ioctls. Borrowed: valid until iofd_device_close().
 *
 * Return: the fd; -ENODEV for a selftest device, and on type1 while the
 * device is not attached; -EINVAL for NULL.
 */
IOFD_API int iofd_device_fd(const struct iofd_device *dev);

/**
 * iofd_device_iommu_type() - the family of the IOMMU translating the device,
 * from IOMMU_GET_HW_INFO and sysfs.
 *
 * Return: an enum iofd_iommu_type, or -EINVAL for NULL.
 */
IOFD_API int iofd_device_iommu_type(const struct iofd_device *dev);

/** iofd_device_iommu_name() - its IOMMU instance's sysfs name ("dmar0"), or NULL when unknown. */
IOFD_API const char *iofd_device_iommu_name(const struct iofd_device *dev);

/**
 * iofd_device_enforces_coherency() - can the device's IOMMU make its DMA
 * cache-coherent (block PCIe no-snoop)? KVM, asking VFIO about this device,
 * gets this answer and then treats its DMA as coherent: so the library
 * places such a device only in domains that enforce coherency.
 * @dev: a device
 *
 * VT-d: ECAP.SC from IOMMU_GET_HW_INFO (type1: from sysfs). AMD: always.
 * The selftest mock:
 * never. ARM SMMUv3 and unknown IOMMUs: unknown until the device has been
 * attached to a domain that enforces coherency (which proves it).
 *
 * Return: 1 yes, 0 no, -ENODATA unknown, -EINVAL for NULL.
 */
IOFD_API int iofd_device_enforces_coherency(const struct iofd_device *dev);

/**
 * iofd_device_dirty_tracking() - can the device's IOMMU track the pages it
 * writes (IOMMU_HW_CAP_DIRTY_TRACKING)?
 *
 * Return: 1 yes, 0 no, -EINVAL for NULL.
 */
IOFD_API int iofd_device_dirty_tracking(const struct iofd_device *dev);

/**
 * iofd_device_kvm_coherent() - what KVM will be told about this device's
 * DMA when the VMM adds its file to the KVM-VFIO device: whether it is
 * cache-coherent (KVM then ignores the guest's no-snoop, e.g. WBINVD).
 * @dev: an attached device
 *
 * A cdev, or a group on an iommufd: the device's own ability
 * (iofd_device_enforces_coherency(), which placement honours). A group in a
 * VFIO type1 container: the container's answer (VFIO_CHECK_EXTENSION
 * VFIO_DMA_CC_IOMMU), true only if every domain in the container enforces;
 * with devices of mixed coherency in one container it is 0 for all of them
 * (safe, but KVM then honours no-snoop for all): IOFD_CTX_TYPE1_SPLIT gives
 * each class a container of its own.
 *
 * Return: 1 yes, 0 no, -ENODATA unknown, -EINVAL (NULL, or not attached), or
 * the kernel's errno.
 */
IOFD_API int iofd_device_kvm_coherent(const struct iofd_device *dev);

/** iofd_device_ioas() - the IOAS it is attached to, or NULL. */
IOFD_API struct iofd_ioas *iofd_device_ioas(const struct iofd_device *dev);

/**
 * iofd_device_domain() - the domain the library placed it in, or NULL when
 * detached. Valid until the next attach or detach on that IOAS.
 */
IOFD_API const struct iofd_domain *iofd_device_domain(const struct iofd_device *dev);

/**
 * iofd_device_placement() - one sentence: why the device is in its domain
 * (or why its last attach failed). Owned by @dev; changes with the next
 * attach. "" before the first attach.
 */
IOFD_API const char *iofd_device_placement(const struct iofd_device *dev);

/* ------------------------------------------------------------------------
 * Device access: regions (BARs, config space), bus mastering, reset, IRQs
 *
 * Through the device's fd, on every backend; on type1 and compat that fd
 * exists while the device is attached, and these calls give -ENODEV before.
 * Region and IRQ indexes are vfio-pci's.
 */

/* vfio-pci's region indexes */
#define IOFD_PCI_BAR(n)		(n)	/* BAR 0..5 */
#define IOFD_PCI_ROM		6
#define IOFD_PCI_CONFIG		7
/* vfio-pci's IRQ indexes */
#define IOFD_PCI_IRQ_INTX	0
#define IOFD_PCI_IRQ_MSI	1
#define IOFD_PCI_IRQ_MSIX	2

/* iofd_device_region() flags */
#define IOFD_REGION_READ	(1u << 0)
#define IOFD_REGION_WRITE	(1u << 1)
#define IOFD_REGION_MMAP	(1u << 2) /* some or all of it can be mmap'ed */
/* Only the areas iofd_device_region_mmap_areas() lists can be mmap'ed
 * (VFIO_REGION_INFO_CAP_SPARSE_MMAP); without it, with IOFD_REGION_MMAP,
 * the whole region can. */
#define IOFD_REGION_SPARSE_MMAP	(1u << 3)
/* The MSI-X table (and PBA) in this BAR may be mmap'ed with the rest
 * (VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, Linux 4.16; vfio-pci gives it to the
 * BAR holding the table). Without it, on a BAR holding the table, expect a
 * sparse region that leaves the table's pages out. */
#define IOFD_REGION_MSIX_MAPPABLE (1u << 4)

/**
 * struct iofd_region_area - a part of a region that can be mmap'ed.
 * @offset: from the start of the region, in bytes
 * @size: in bytes
 */
struct iofd_region_area {
	uint64_t offset;
	uint64_t size;
};

/**
 * iofd_device_region() - a region's size and what it allows.
 * @dev: a device
 * @index: IOFD_PCI_BAR(n), IOFD_PCI_ROM, IOFD_PCI_CONFIG, or a
 *	device-specific index
 * @size: where its size in bytes goes (may be NULL); 0 for a BAR the
 *	device does not implement
 * @flags: where IOFD_REGION_* go (may be NULL)
 *
 * Return: 0, -EINVAL (NULL @dev, or an index the device does not have),
 * -ENODEV (no device fd yet), -EIO (the kernel's capability chain does not
 * hold together: an entry outside the answer, a loop, an area outside the
 * region), or the kernel's errno.
 */
IOFD_API int iofd_device_region(struct iofd_device *dev, unsigned int index, uint64_t *size,
				uint32_t *flags);

/**
 * iofd_device_region_read() - read @len bytes at @offset of a region.
 * @dev, @index: as iofd_device_region()
 * @offset: into the region
 * @buf, @len: where to, how many
 *
 * Config space and BARs alike (vfio-pci emulates parts of config space).
 *
 * Return: @len, or -EINVAL (past the region's end, NULL arguments,
 * @len above INT_MAX: the count is returned as an int),
 * -ENODEV, or the kernel's errno. Short transfers are errors (-EIO).
 */
IOFD_API int iofd_device_region_read(struct iofd_device *dev, unsigned int index,
				     uint64_t offset, void *buf, size_t len);

/** iofd_device_region_write() - as iofd_device_region_read(), the other way. */
IOFD_API int iofd_device_region_write(struct iofd_device *dev, unsigned int index,
				      uint64_t offset, const void *buf, size_t len);

/**
 * iofd_device_region_mmap_areas() - the parts of a region that can be mmap'ed.
 * @dev, @index: as iofd_device_region()
 * @areas: where up to @n areas go, in the kernel's order (NULL when @n is 0)
 * @n: room in @areas
 *
 * The areas of the region's sparse-mmap capability when it has one (a BAR
 * whose MSI-X table the kernel keeps to itself: kernels before 4.16, some
 * vfio-pci variant drivers); else, when the region can be mmap'ed at all
 * (IOFD_REGION_MMAP), one area: the whole region; else none. Call with
 * @n 0 to size the array.
 *
 * Return: how many areas the region has (may be more than @n: only @n were
 * written), -EINVAL (NULL @dev, @areas NULL with @n > 0, an index the
 * device does not have), -ENODEV, -EIO (a capability chain that does not
 * hold together), -ENOMEM, or the kernel's errno.
 */
IOFD_API int iofd_device_region_mmap_areas(struct iofd_device *dev, unsigned int index,
					   struct iofd_region_area *areas, size_t n);

/**
 * iofd_device_region_mmap() - map a region (a BAR's registers) into memory.
 * @dev, @index: as iofd_device_region()
 * @offset: into the region, page aligned
 * @len: how much
 * @prot: PROT_READ | PROT_WRITE
 * @ret: where the address goes
 *
 * The window must lie inside one area of iofd_device_region_mmap_areas()
 * (an area that ends the region reaches the end of its last page, as the
 * kernel maps whole pages); else the library refuses it without asking the
 * kernel. Use iofd_device_region_read/write for the rest (the MSI-X table
 * of a sparse BAR). The mapping is the caller's: undo it with munmap(2)
 * (the device fd stays open until iofd_device_close()); it is MAP_SHARED.
 *
 * Return: 0, -EINVAL (NULL @ret, @len 0, @offset not page aligned, a
 * window not inside one mmap-able area: nothing is mapped), -ENODEV, -EIO
 * (see iofd_device_region()), or the kernel's errno.
 */
IOFD_API int iofd_device_region_mmap(struct iofd_device *dev, unsigned int index,
				     uint64_t offset, size_t len, int prot, void **ret);

/**
 * iofd_device_bus_master() - let the device do DMA (PCI command register's
 * bus master bit), or stop it.
 * @dev: a device
 * @on: true to enable
 *
 * Return: 0, -ENODEV, or the errno of config space access.
 */
IOFD_API int iofd_device_bus_master(struct iofd_device *dev, bool on);

/**
 * iofd_device_reset() - reset the device (VFIO_DEVICE_RESET: FLR or the
 * method vfio-pci picked).
 *
 * Return: 0, -ENODEV, -ENOTTY (the device cannot be reset alone), or the
 * kernel's errno.
 */
IOFD_API int iofd_device_reset(struct iofd_device *dev);

/**
 * iofd_device_irq_count() - how many interrupts of a kind the device has.
 * @dev: a device
 * @index: IOFD_PCI_IRQ_INTX, _MSI or _MSIX
 *
 * Return: the count (0: none of that kind), -ENODEV, or the kernel's errno.
 */
IOFD_API int iofd_device_irq_count(struct iofd_device *dev, unsigned int index);

/**
 * iofd_device_irq_set() - route interrupts to eventfds, or stop them.
 * @dev: a device
 * @index: IOFD_PCI_IRQ_INTX, _MSI or _MSIX
 * @start: the first vector
 * @count: how many
 * @eventfds: @count eventfds (-1: leave that vector unrouted), or NULL to
 *	disable every vector of @index
 *
 * One kind at a time: while INTx, MSI or MSI-X is routed, routing another
 * kind is -EINVAL; disable the first. Routing more vectors of the kind in
 * use adds or replaces them (MSI: only within the vectors enabled first).
 * INTx is level-triggered and vfio-pci masks it as it delivers: after each
 * interrupt, once the device has been serviced, iofd_device_irq_unmask().
 * The eventfds stay the caller's; VFIO holds its own references until the
 * vectors are disabled or the device is closed (closing the device
 * disables everything).
 *
 * Return: 0, -EINVAL (vectors the device does not have: for instance any
 * MSI vector of a device without an MSI capability; another kind routed
 * already; disabling a kind that is not routed), -EBADF (not an open fd),
 * -ENODEV, or the kernel's errno.
 */
IOFD_API int iofd_device_irq_set(struct iofd_device *dev, unsigned int index, unsigned int start,
				 unsigned int count, const int *eventfds);

/**
 * iofd_device_irq_unmask() - let an interrupt be delivered again.
 * @dev: a device
 * @index: IOFD_PCI_IRQ_INTX (vfio-pci masks only INTx)
 * @vector: 0
 *
 * vfio-pci masks INTx when it signals its eventfd (the line is level
 * triggered and the device still asserts it); unmask it once the device
 * no longer needs service. If the device still asserts the line then, the
 * eventfd is signalled again at once and INTx stays masked.
 *
 * Return: 0 (also when not masked), -EINVAL (INTx not routed, @vector not
 * 0, no such index), -ENOTTY (the kernel cannot mask @index: MSI, MSI-X),
 * -ENODEV, or the kernel's errno.
 */
IOFD_API int iofd_device_irq_unmask(struct iofd_device *dev, unsigned int index,
				    unsigned int vector);

/**
 * iofd_device_irq_mask() - hold an interrupt back until
 * iofd_device_irq_unmask().
 * @dev, @index, @vector: as iofd_device_irq_unmask()
 *
 * Return: as iofd_device_irq_unmask().
 */
IOFD_API int iofd_device_irq_mask(struct iofd_device *dev, unsigned int index,
				  unsigned int vector);

/* ------------------------------------------------------------------------
 * I/O address spaces
 *
 * An IOAS is one address space of IOVAs, shared by every device attached
 * to it. The library keeps every translation domain of the IOAS mapping
 * every mapping (on iommufd: one kernel IOAS, whose HWPTs the kernel fills
 * and whose pages it pins once), places each device in a domain of its
 * class (coherency enforcement x dirty tracking x IOMMU instance), and
 * keeps its own table of mappings for fast translation.
 *
 * Semantics, the same on every backend (checked in this order, so one bad
 * input gives one errno):
 *  - length 0: -EINVAL; iova + length - 1 or vaddr + length - 1 past
 *    2^64-1: -EOVERFLOW (a mapping may end at 2^64-1)
 *  - iova, vaddr or length not a multiple of iofd_ioas_iova_alignment():
 *    -EINVAL
 *  - a fixed IOVA window not inside one usable range: -ERANGE
 *  - a fixed IOVA window overlapping a mapping: -EEXIST
 *  - no free window for an IOVA the library picks: -ENOSPC
 *  - unmap of a range that cuts a mapping or holds none: -ENOENT, and
 *    nothing is unmapped (the kernels would unmap part of it, or not fail)
 *  - an attach whose device cannot translate an existing mapping (its
 *    aperture, reserved regions or page size): -EADDRINUSE, nothing attached
 * The usable ranges are the intersection of what every attached device can
 * translate; they are re-read after every attach and detach.
 *
 * Threads: map, unmap, unmap_all and the translations may be called from
 * any number of threads at once on one IOAS (a reader-writer lock: the
 * translations take only the read side). Attach and detach serialise with
 * them. The getters of domains and devices must not race with attach,
 * detach or free.
 */

/* iofd_ioas_opts.flags */
/* The IOAS is for a VMM that will migrate: devices whose IOMMU can track
 * dirty pages get domains allocated for dirty tracking; the others get
 * domains of their own and are not tracked (iofd_domain_dirty_tracking()). */
#define IOFD_IOAS_DIRTY_TRACKING	(1u << 0)

/**
 * struct iofd_ioas_opts - how to make an IOAS.
 * @sz: sizeof(struct iofd_ioas_opts), set by IOFD_OPTS()
 * @flags: IOFD_IOAS_* bits
 */
struct iofd_ioas_opts {
	size_t sz;
	uint32_t flags;
};

/**
 * iofd_ioas_new() - make an empty IOAS.
 * @ret: where it is stored; free it with iofd_ioas_free()
 * @ctx: a context
 * @opts: options, or NULL
 *
 * On iommufd: a kernel IOAS (IOMMU_IOAS_ALLOC) on the context's /dev/iommu,
 * which is opened on first use. On type1: a VFIO container of its own (the
 * context's container_fd for the first IOAS, when one was given), which
 * must offer VFIO_TYPE1v2_IOMMU. Memory can be mapped before any device is
 * attached, on both: the kernel pins it when the first device attaches
 * (type1 cannot map before a group has set the container's IOMMU: the
 * library keeps such mappings and replays them then, and again whenever the
 * container's last group has left and a new one arrives). On compat: a
 * kernel IOAS on the context's iommufd, as on iommufd.
 *
 * Return: 0, or -EINVAL (NULL argument, bad options, unknown flag),
 * -E2BIG (options from a newer header), -EOPNOTSUPP (a container without
 * type1 v2),
 * -ENOMEM, or the errno of opening /dev/iommu or /dev/vfio/vfio or of
 * IOMMU_IOAS_ALLOC.
 */
IOFD_API int iofd_ioas_new(struct iofd_ioas **ret, struct iofd_ctx *ctx,
			   const struct iofd_ioas_opts *opts);

/**
 * iofd_ioas_free() - unmap everything and free the IOAS.
 * @ioas: an IOAS, or NULL
 *
 * Return: 0, or -EBUSY (nothing done) while a device is attached.
 */
IOFD_API int iofd_ioas_free(struct iofd_ioas *ioas);

/**
 * iofd_device_attach() - put a device into an IOAS.
 * @dev: a device, not attached
 * @ioas: an IOAS of the same context
 *
 * The library works out the device's class (coherency enforcement, dirty
 * tracking if the IOAS asks for it, IOMMU instance), tries the IOAS's
 * domains of that class (the kernel may still refuse one: -EINVAL from the
 * kernel means "not this one", and the next is tried), and else makes a new
 * domain for it (IOMMU_HWPT_ALLOC). A device able to enforce coherency is
 * never put in a domain that does not; a device whose ability is unknown
 * joins only a domain that enforces coherency (its acceptance proves the
 * device can) or gets a domain of its own. Every existing mapping is in the
 * new domain before this returns (the kernel fills it). Then the usable
 * IOVA ranges are re-read. iofd_device_placement() says what was decided.
 *
 * Return: 0, or
 *  -EINVAL: NULL argument, or devices of two contexts
 *  -EBUSY: @dev is attached already
 *  -EADDRINUSE: an existing mapping lies where the device cannot translate
 *	(outside its aperture, in a reserved region, or misaligned for its
 *	page size); nothing changed
 *  -ENOTTY: a selftest device on a kernel without CONFIG_IOMMUFD_TEST
 *  the kernel's errno otherwise (e.g. -ENOMEM, or -EFAULT for a mapping
 *	whose memory is gone), with nothing changed
 */
IOFD_API int iofd_device_attach(struct iofd_device *dev, struct iofd_ioas *ioas);

/**
 * iofd_device_detach() - take a device out of its IOAS.
 * @dev: an attached device
 *
 * The device's DMA is blocked from here on. A domain left without devices
 * is freed; the IOAS's mappings stay. The usable ranges are re-read (and
 * may widen).
 *
 * Return: 0, -EINVAL (NULL, or not attached), or the kernel's errno.
 */
IOFD_API int iofd_device_detach(struct iofd_device *dev);

/* iofd_ioas_map() flags */
#define IOFD_MAP_READ		(1u << 0) /* devices may read the memory */
#define IOFD_MAP_WRITE		(1u << 1) /* devices may write it */
#define IOFD_MAP_FIXED_IOVA	(1u << 2) /* at *iova; else the library picks */

/**
 * iofd_ioas_map() - map user memory for DMA.
 * @ioas: an IOAS
 * @vaddr: the memory; aligned to iofd_ioas_iova_alignment()
 * @length: its size in bytes; a multiple of the alignment
 * @flags: IOFD_MAP_* bits; at least one of READ and WRITE
 * @iova: with IOFD_MAP_FIXED_IOVA, the IOVA to map at; else the IOVA the
 *	library picked is stored here: the lowest free window in the usable
 *	ranges, aligned as @vaddr is up to the largest power of two not above
 *	@length (at most 1 GiB), so that huge pages can back it; never
 *	containing IOVA 0 or 2^64-1
 *
 * All or nothing: every domain of the IOAS maps it when this returns 0,
 * and none does when it fails. The memory must stay mapped in the process
 * until it is unmapped here.
 *
 * Return: 0, or the errnos of the semantics above, or
 *  -EINVAL: NULL argument, no READ/WRITE, an unknown flag
 *  -EFAULT: the kernel could not pin the memory (not mapped, or read-only
 *	memory mapped for device writes, or memory the kernel cannot pin, such
 *	as a BAR)
 *  -ENOMEM: out of memory, or RLIMIT_MEMLOCK would be exceeded
 *  -ENOSPC: also on type1 when the container's mapping limit (65535 by
 *	default; VFIO's DMA_AVAIL) is used up, before the kernel is asked
 */
IOFD_API int iofd_ioas_map(struct iofd_ioas *ioas, void *vaddr, uint64_t length,
			   uint32_t flags, uint64_t *iova);

/**
 * iofd_ioas_unmap() - unmap every mapping inside [iova, iova + length).
 * @ioas: an IOAS
 * @iova: where the range starts
 * @length: its size; the range must cover whole mappings
 *
 * Return: 0, or -EINVAL (NULL, length 0), -EOVERFLOW, -ENOENT (the range
 * cuts a mapping or holds none; nothing was unmapped), or the kernel's
 * errno, after which the IOAS holds exactly what the kernel still maps.
 */
IOFD_API int iofd_ioas_unmap(struct iofd_ioas *ioas, uint64_t iova, uint64_t length);

/**
 * iofd_ioas_unmap_all() - unmap everything (0 also when nothing was mapped).
 *
 * Return: 0, -EINVAL for NULL, or the kernel's errno, after which the
 * IOAS holds exactly what the kernel still maps.
 */
IOFD_API int iofd_ioas_unmap_all(struct iofd_ioas *ioas);

/**
 * iofd_ioas_translate() - the IOVA of a user address.
 * @ioas: an IOAS
 * @vaddr: any address inside a mapping
 * @iova: where its IOVA goes
 * @len: where the bytes from @vaddr to the mapping's end go (may be NULL)
 *
 * O(log n), only the read side of the IOAS's lock, but for the first call
 * after mappings were made: it adds them to the index by user address (which
 * mapping does not do, so a driver that maps per I/O and never translates
 * never pays for it), once, under the write side. Memory mapped at two
 * IOVAs translates to the mapping that starts lowest in user address, then
 * lowest in IOVA.
 *
 * Return: 0, -EINVAL (NULL @ioas or @iova), -ENOENT (not mapped).
 */
IOFD_API int iofd_ioas_translate(struct iofd_ioas *ioas, const void *vaddr,
				 uint64_t *iova, uint64_t *len);

/**
 * iofd_ioas_iova_to_vaddr() - the user address behind an IOVA.
 * @ioas, @len: as iofd_ioas_translate()
 * @iova: any IOVA inside a mapping
 * @vaddr: where the address goes
 *
 * Return: 0, -EINVAL, -ENOENT.
 */
IOFD_API int iofd_ioas_iova_to_vaddr(struct iofd_ioas *ioas, uint64_t iova,
				     void **vaddr, uint64_t *len);

/** struct iofd_iova_range - an inclusive range of IOVAs, [start, last]. */
struct iofd_iova_range {
	uint64_t start;
	uint64_t last;
};

/**
 * iofd_ioas_iova_ranges() - the IOVAs that can be mapped now.
 * @ioas: an IOAS
 * @ranges: where up to @n ranges go, sorted (may be NULL when @n is 0)
 * @n: how many fit
 *
 * Return: how many ranges there are (more than @n: call again with more
 * room), or -EINVAL.
 */
IOFD_API int iofd_ioas_iova_ranges(struct iofd_ioas *ioas, struct iofd_iova_range *ranges,
				   size_t n);

/**
 * iofd_ioas_iova_alignment() - the alignment every iova, vaddr and length
 * must have: the largest smallest page size of the attached domains (at
 * least the CPU page size).
 *
 * Return: the alignment, or 0 for NULL.
 */
IOFD_API uint64_t iofd_ioas_iova_alignment(struct iofd_ioas *ioas);

/** iofd_ioas_mapping_count() - how many mappings it holds. */
IOFD_API size_t iofd_ioas_mapping_count(struct iofd_ioas *ioas);

/**
 * iofd_ioas_mappings_left() - how many more mappings the kernel allows.
 * @ioas: an IOAS
 *
 * Type1 limits each container (65535 by default, vfio_iommu_type1's
 * dma_entry_limit) and reports what is left (DMA_AVAIL); iofd_ioas_map()
 * gives -ENOSPC, before asking the kernel, when none is. iommufd has no
 * such limit.
 *
 * Return: the number left (the least over the IOAS's containers), -ENODATA
 * when there is no limit or it is not known yet (type1 before the first
 * group), -EINVAL for NULL.
 */
IOFD_API int64_t iofd_ioas_mappings_left(struct iofd_ioas *ioas);

/*
 * Kernel address spaces: what holds an IOAS's mappings in the kernel, and
 * what it pins. Usually one: an iommufd IOAS (whose domains the kernel
 * fills from it) or a type1 container (which the kernel splits into domains
 * itself). More where classes must not share one: a type1 IOAS split by
 * coherency (IOFD_CTX_TYPE1_SPLIT: a container per class, each pinning and
 * charging every mapping again: the price of the split), VFIO groups of
 * several classes on an iommufd (a kernel IOAS per class, filled with
 * IOMMU_IOAS_COPY: pinned once). Indexes are valid until the next attach or
 * detach.
 */

/** iofd_ioas_space_count() - how many kernel address spaces it has now (0 for NULL). */
IOFD_API size_t iofd_ioas_space_count(struct iofd_ioas *ioas);

/**
 * iofd_ioas_space_pinned_pages() - what one kernel address space pins.
 * @ioas: an IOAS
 * @idx: 0 .. iofd_ioas_space_count() - 1
 *
 * The pages (of the system's page size) the kernel holds pinned on account
 * of this space for the IOAS's mappings, as the library counts them: a
 * type1 container, every mapping's pages while it holds a group (mapping
 * one buffer twice pins it twice); iommufd, the same, once for all the
 * spaces that share them by IOMMU_IOAS_COPY, while a domain needs them
 * (counted at the first such space with devices; the others say 0).
 * Type1 charges these to RLIMIT_MEMLOCK (mm->locked_vm, VmLck) even with
 * CAP_IPC_LOCK; iommufd counts them in VmPin, and charges RLIMIT_MEMLOCK
 * without CAP_IPC_LOCK. Their sum over the spaces is what the IOAS costs in
 * pinned memory.
 *
 * Return: the pages, or -EINVAL (NULL @ioas, @idx out of range).
 */
IOFD_API int64_t iofd_ioas_space_pinned_pages(struct iofd_ioas *ioas, size_t idx);

/** iofd_ioas_device_count() - how many devices are attached. */
IOFD_API size_t iofd_ioas_device_count(const struct iofd_ioas *ioas);

/** iofd_ioas_device() - the @idx-th attached device, in attach order, or NULL. */
IOFD_API struct iofd_device *iofd_ioas_device(const struct iofd_ioas *ioas, size_t idx);

/** iofd_ioas_domain_count() - how many domains hold its devices. */
IOFD_API size_t iofd_ioas_domain_count(const struct iofd_ioas *ioas);

/** iofd_ioas_domain() - the @idx-th domain, in the order made, or NULL. */
IOFD_API const struct iofd_domain *iofd_ioas_domain(const struct iofd_ioas *ioas,
						    size_t idx);

/**
 * iofd_ioas_kernel_id() - the kernel object behind it: the iommufd IOAS id.
 *
 * Return: the id, -ENODATA on type1 (a container has no id), -EINVAL for NULL.
 */
IOFD_API int iofd_ioas_kernel_id(const struct iofd_ioas *ioas);

/* ------------------------------------------------------------------------
 * Domains: where the library placed devices (read-only facts)
 */

/**
 * iofd_domain_enforces_coherency() - does the domain block no-snoop DMA?
 *
 * Decided when the domain was made, by the device it was made for.
 * Return: 1 yes, 0 no, -ENODATA unknown (its devices' IOMMU does not say),
 * -EINVAL for NULL.
 */
IOFD_API int iofd_domain_enforces_coherency(const struct iofd_domain *domain);

/** iofd_domain_dirty_tracking() - was it made to track dirty pages? 1, 0, -EINVAL. */
IOFD_API int iofd_domain_dirty_tracking(const struct iofd_domain *domain);

/** iofd_domain_iommu_name() - the IOMMU instance of its devices, or NULL when unknown. */
IOFD_API const char *iofd_domain_iommu_name(const struct iofd_domain *domain);

/**
 * iofd_domain_kernel_id() - the iommufd HWPT id; -ENODATA on type1, where
 * the kernel splits a container into domains of its own (by IOMMU and
 * coherency, as the library's classes do) and names none; -EINVAL for NULL.
 */
IOFD_API int iofd_domain_kernel_id(const struct iofd_domain *domain);

/**
 * iofd_domain_space() - the kernel address space the domain translates.
 *
 * Return: its index for iofd_ioas_space_pinned_pages(), -EINVAL for NULL.
 */
IOFD_API int iofd_domain_space(const struct iofd_domain *domain);

/** iofd_domain_device_count() - how many devices it holds (at least 1). */
IOFD_API size_t iofd_domain_device_count(const struct iofd_domain *domain);

/** iofd_domain_device() - the @idx-th device, in attach order, or NULL. */
IOFD_API struct iofd_device *iofd_domain_device(const struct iofd_domain *domain,
						size_t idx);

#ifdef __cplusplus
}
#endif

#endif /* LIBIOMMUFD_H */
