/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iofdctl's pieces, shared by its commands: the options, messages and
 * aligned text tables (output.c), the context every command makes
 * (iofdctl.c), and the kernel behind it (real_host.c for the installed
 * tool; sim_host.c for iofdctl-sim, a test-only build on libiommufd-sim).
 */
#ifndef IOFDCTL_H
#define IOFDCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <libiommufd.h>

#include "json.h"

#define EXIT_LIBERR 1
#define EXIT_USAGE 2

extern const char *prog;

struct options {
	bool json;
	bool verbose;
	bool dirty;			/* place --dirty */
	bool force;			/* bind --force */
	/* Set by a command that takes the library's messages itself. */
	iofd_log_fn log_fn;
	void *log_userdata;
	const char *sysfs_root;		/* NULL: the library's default */
	const char *dev_root;
	enum iofd_backend backend;
};

/* ------------------------------------------------------------------------
 * Messages (output.c)
 */

/* "iofdctl: MESSAGE" on stderr. */
void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* printf to stdout for a person: control characters but the newline
 * become '?' (paths and reasons come from the file system). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Flush stdout; -1, said on stderr, when it could not be written. */
int out_flush(void);

/* A iofd_ctx_opts.log_fn: "iofdctl: MESSAGE" on stderr. */
void log_to_stderr(void *userdata, int priority, const char *msg);

const char *str_or(const char *s, const char *dflt);

/* "yes" (> 0), "no" (0), "unknown" (< 0). */
const char *tristate(int v);

/* JSON true (> 0), false (0), null (< 0). */
void json_tristate(struct json *j, const char *key, int v);

/* ------------------------------------------------------------------------
 * Aligned text tables (output.c)
 */

struct table {
	size_t ncols;
	size_t nrows, cap;	/* rows of ncols cells */
	char **cells;
	int err;		/* -ENOMEM once an allocation failed */
};

void table_init(struct table *t, size_t ncols);
void table_free(struct table *t);

/* Add a row of t->ncols cells; a NULL cell is empty. */
void table_row(struct table *t, const char *const *cells);

/* Print with two blanks between columns and @indent before each row. */
void table_print(const struct table *t, FILE *f, const char *indent);

/* table_print() to stdout and table_free(); or t->err. */
int table_flush(struct table *t, const char *indent);

/* ------------------------------------------------------------------------
 * The context a command works in (iofdctl.c)
 */

/*
 * Make a context from the options (roots, backend, --verbose): on the real
 * kernel, or on the one tool_host_setup() gives. *@sysfs_root and
 * *@dev_root are set to the roots it reads, for messages.
 * Return: 0, or -1 after printing why.
 */
int tool_ctx_new(const struct options *o, struct iofd_ctx **ret, const char **sysfs_root,
		 const char **dev_root);

/* ------------------------------------------------------------------------
 * The kernel behind the contexts (real_host.c or sim_host.c)
 */

/*
 * Point @opts at the host the tool runs on. real_host.c: nothing to do.
 * sim_host.c: a simulated kernel and host ($IOFDCTL_SIM_TOPOLOGY).
 * Return: 0, or -1 after printing why.
 */
int tool_host_setup(struct iofd_ctx_opts *opts, const struct options *o);

/*
 * After a command ran (and freed its context), with its exit status: the
 * status to exit with. sim_host.c checks that the simulated kernel holds
 * nothing any more (else says what and returns 3) and frees it.
 */
int tool_host_finish(int status);

/* ------------------------------------------------------------------------
 * Commands
 */

int cmd_place(const struct options *o, int argc, char **argv);
extern const char place_usage_text[];
int cmd_bind(const struct options *o, int argc, char **argv);
int cmd_unbind(const struct options *o, int argc, char **argv);
extern const char bind_usage_text[];

#endif
