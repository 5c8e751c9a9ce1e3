/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * IOFD_HOT marks the functions of the map and unmap paths (IOAS, table,
 * allocator's range check, address spaces, backends' map/unmap, the
 * syscall seam). GCC puts them in .text.hot, which the linker lays out
 * together: the few pages a driver mapping a buffer per I/O runs stay
 * together in the caches and TLBs instead of spreading over the library's
 * text (and under QEMU's TCG, where a jump to another page is a lookup
 * rather than a chained branch, this alone is measurable: bench/README.md).
 */
#ifndef IOFD_HOT_H
#define IOFD_HOT_H

#define IOFD_HOT __attribute__((hot))

#endif
