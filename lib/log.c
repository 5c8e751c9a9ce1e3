// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "log.h"

static const char *const prio_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

int iofd_log_parse_priority(const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	for (int i = 0; i <= LOG_DEBUG; i++)
		if (!strcmp(s, prio_names[i]))
			return i;
	if (!strcmp(s, "error"))
		return LOG_ERR;
	if (!strcmp(s, "warn"))
		return LOG_WARNING;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > LOG_DEBUG)
		return -1;
	return (int)v;
}

void iofd_log(const struct iofd_ctx *ctx, int priority, const char *fmt, ...)
{
	char msg[512];
	int saved = errno;
	va_list ap;

	if (!ctx || !ctx->log_fn || priority > ctx->log_priority)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_userdata, priority, msg);
	errno = saved;
}
