// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * User memory as the kernel reaches it. The "user" is this very process, so
 * an ioctl's argument is read and written with process_vm_readv/writev on
 * ourselves: a bad pointer is -EFAULT, as in the kernel, instead of a crash.
 * Where the host refuses those calls (a seccomp filter), plain memory
 * access is the fallback and a bad pointer crashes the test.
 *
 * Faulting in the pages of a mapping (what pin_user_pages() does) uses
 * madvise(MADV_POPULATE_READ/WRITE), which walks the same GUP paths: it
 * fails for unmapped, inaccessible, read-only-but-written, PFNMAP and IO
 * memory.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sim.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* A user pointer that is not one on this ABI (above the address space). */
static bool bad_uptr(uint64_t uptr, uint64_t len)
{
	return uptr != (uint64_t)(uintptr_t)uptr || uptr + len < uptr ||
	       (len && (uptr + len - 1) != (uint64_t)(uintptr_t)(uptr + len - 1));
}

/* One process_vm_{readv,writev} of @len bytes, all or -EFAULT. */
static int vm_xfer(uint64_t uptr, void *local, size_t len, bool write)
{
	pid_t pid = getpid();

	while (len) {
		struct iovec l = { .iov_base = local, .iov_len = len };
		struct iovec r = { .iov_base = (void *)(uintptr_t)uptr, .iov_len = len };
		ssize_t n = write ? process_vm_writev(pid, &l, 1, &r, 1, 0)
				  : process_vm_readv(pid, &l, 1, &r, 1, 0);

		if (n <= 0)
			return -EFAULT;
		uptr += (size_t)n;
		local = (char *)local + n;
		len -= (size_t)n;
	}
	return 0;
}

int sim_copy_from_user(struct iofd_sim *sim, void *dst, uint64_t uptr, size_t len)
{
	if (!len)
		return 0;
	if (bad_uptr(uptr, len))
		return -EFAULT;
	if (sim->uaccess == SIM_UACCESS_DIRECT) {
		if (!uptr)
			return -EFAULT;
		memcpy(dst, (const void *)(uintptr_t)uptr, len);
		return 0;
	}
	return vm_xfer(uptr, dst, len, false);
}

int sim_copy_to_user(struct iofd_sim *sim, uint64_t uptr, const void *src, size_t len)
{
	if (!len)
		return 0;
	if (bad_uptr(uptr, len))
		return -EFAULT;
	if (sim->uaccess == SIM_UACCESS_DIRECT) {
		if (!uptr)
			return -EFAULT;
		memcpy((void *)(uintptr_t)uptr, src, len);
		return 0;
	}
	return vm_xfer(uptr, (void *)src, len, true);
}

int sim_check_zeroed_user(struct iofd_sim *sim, uint64_t uptr, uint64_t len)
{
	unsigned char buf[512];

	while (len) {
		size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		int r = sim_copy_from_user(sim, buf, uptr, n);

		if (r < 0)
			return r;
		for (size_t i = 0; i < n; i++)
			if (buf[i])
				return 0;
		uptr += n;
		len -= n;
	}
	return 1;
}

int sim_copy_struct_from_user(struct iofd_sim *sim, void *dst, size_t ksize, uint64_t src,
			      size_t usize)
{
	size_t size = ksize < usize ? ksize : usize;

	if (usize < ksize) {
		memset((char *)dst + size, 0, ksize - size);
	} else if (usize > ksize) {
		int r = sim_check_zeroed_user(sim, src + ksize, usize - ksize);

		if (r <= 0)
			return r ? r : -E2BIG;
	}
	return sim_copy_from_user(sim, dst, src, size);
}

int sim_fault_in_user(struct iofd_sim *sim, uint64_t addr, uint64_t len, bool write)
{
	if (!len)
		return 0;
	if (bad_uptr(addr, len) || addr % sim->page_size)
		return -EFAULT;
	if (sim->have_populate) {
		if (madvise((void *)(uintptr_t)addr, len,
			    write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ) < 0)
			return -EFAULT;
		return 0;
	}
	/* An old host: at least every page must be readable. */
	for (uint64_t off = 0; off < len; off += sim->page_size) {
		unsigned char b;

		if (sim->uaccess == SIM_UACCESS_VM && vm_xfer(addr + off, &b, 1, false) < 0)
			return -EFAULT;
	}
	return 0;
}

void sim_uaccess_init(struct iofd_sim *sim)
{
	static const unsigned char probe_src = 0x5a;
	unsigned char probe = 0;
	long ps = (long)sim->page_size;
	void *page;

	sim->uaccess = vm_xfer((uintptr_t)&probe_src, &probe, 1, false) == 0 && probe == 0x5a
			       ? SIM_UACCESS_VM
			       : SIM_UACCESS_DIRECT;
	page = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page != MAP_FAILED) {
		sim->have_populate = madvise(page, ps, MADV_POPULATE_WRITE) == 0;
		munmap(page, ps);
	}
}
