/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Logging through the context's callback. */
#ifndef IOFD_LOG_H
#define IOFD_LOG_H

#include <syslog.h>

struct iofd_ctx;

__attribute__((format(printf, 3, 4)))
void iofd_log(const struct iofd_ctx *ctx, int priority, const char *fmt, ...);

#define iofd_err(ctx, ...)   iofd_log(ctx, LOG_ERR, __VA_ARGS__)
#define iofd_warn(ctx, ...)  iofd_log(ctx, LOG_WARNING, __VA_ARGS__)
#define iofd_info(ctx, ...)  iofd_log(ctx, LOG_INFO, __VA_ARGS__)
#define iofd_dbg(ctx, ...)   iofd_log(ctx, LOG_DEBUG, __VA_ARGS__)

/* Parse LIBIOMMUFD_LOG's value: a priority name or number; -1 if unset/bad. */
int iofd_log_parse_priority(const char *s);

#endif
