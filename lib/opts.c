// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <string.h>

#include "opts.h"

int iofd_opts_check(const void *opts, size_t min_sz, size_t known_sz)
{
	const unsigned char *p = opts;
	size_t sz;

	if (!opts)
		return 0;
	memcpy(&sz, opts, sizeof(sz));
	if (sz < min_sz)
		return -EINVAL;
	/* Far larger than any version of any struct of ours: not a size. */
	if (sz > IOFD_OPTS_MAX_SZ)
		return -E2BIG;
	for (size_t i = known_sz; i < sz; i++)
		if (p[i])
			return -E2BIG;
	return 0;
}

void iofd_opts_copy(void *dst, size_t known_sz, const void *opts)
{
	size_t sz;

	memset(dst, 0, known_sz);
	if (!opts)
		return;
	memcpy(&sz, opts, sizeof(sz));
	memcpy(dst, opts, sz < known_sz ? sz : known_sz);
}
