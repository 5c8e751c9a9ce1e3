/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The options-struct size rules, the same as the iommufd uAPI's own. */
#ifndef IOFD_OPTS_H
#define IOFD_OPTS_H

#include <stddef.h>

/* No options struct will ever be this large. */
#define IOFD_OPTS_MAX_SZ 4096

#define iofd_offsetofend(type, field) \
	(offsetof(type, field) + sizeof(((type *)0)->field))

/*
 * @opts: a caller's options struct starting with size_t sz, or NULL
 * @min_sz: the struct's size in its first release
 * @known_sz: its size in this library
 *
 * Return: 0 (NULL, or valid), -EINVAL when sz < min_sz, -E2BIG when sz >
 * known_sz and a byte past known_sz is not zero, or sz > IOFD_OPTS_MAX_SZ.
 */
int iofd_opts_check(const void *opts, size_t min_sz, size_t known_sz);

/* Copy a valid caller's options into a zeroed struct of ours. */
void iofd_opts_copy(void *dst, size_t known_sz, const void *opts);

#endif
