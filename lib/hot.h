/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * IOFD_HOT marks the functions of the map, unmap and translate paths that
 * are calls of their own: the IOAS's, the backends' map and unmap, the
 * table's lookups. The rest of those paths is inline in them (the table's
 * insert and remove, lib/avl.h; the range check; the seam's ioctl,
 * lib/sys_hot.h), so that a map is two calls from the caller to libc's
 * ioctl. GCC puts the marked ones in .text.hot, which the linker lays out
 * together: the few pages a driver mapping a buffer per I/O runs stay
 * together in the caches and TLBs instead of spreading over the library's
 * text (and under QEMU's TCG, where a jump to another page is a lookup
 * rather than a chained branch, this alone is measurable: bench/README.md).
 */
#ifndef IOFD_HOT_H
#define IOFD_HOT_H

#define IOFD_HOT __attribute__((hot))

#endif
