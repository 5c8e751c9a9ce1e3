// SPDX-License-Identifier: LGPL-2.1-or-later
/* The installed iofdctl runs on the real kernel: nothing to set up. */
#include "iofdctl.h"

int tool_host_setup(struct iofd_ctx_opts *opts, const struct options *o)
{
	return 0;
}

int tool_host_finish(int status)
{
	return status;
}
