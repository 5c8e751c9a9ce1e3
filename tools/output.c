// SPDX-License-Identifier: LGPL-2.1-or-later
/* iofdctl's messages and aligned text tables, shared by its commands. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iofdctl.h"

const char *prog = "iofdctl";

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int out_flush(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		err_msg("cannot write to standard output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void log_to_stderr(void *userdata, int priority, const char *msg)
{
	fprintf(stderr, "%s: %s\n", prog, msg);
}

void say(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	for (unsigned char *p = (unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			*p = '?';
	fputs(s, stdout);
	free(s);
}

const char *str_or(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

const char *tristate(int v)
{
	return v > 0 ? "yes" : v == 0 ? "no" : "unknown";
}

void json_tristate(struct json *j, const char *key, int v)
{
	if (v < 0)
		json_null(j, key);
	else
		json_bool(j, key, v > 0);
}

/* ------------------------------------------------------------------------
 * Aligned text tables
 */

void table_init(struct table *t, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}

/* A copy of @s safe to print on a terminal: control characters become '?'. */
static char *clean_dup(const char *s)
{
	char *c = strdup(s ? s : "");

	if (!c)
		return NULL;
	for (unsigned char *p = (unsigned char *)c; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	return c;
}

void table_row(struct table *t, const char *const *cells)
{
	if (t->err)
		return;
	if (t->nrows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		char **n = reallocarray(t->cells, ncap * t->ncols, sizeof(*n));

		if (!n) {
			t->err = -ENOMEM;
			return;
		}
		t->cells = n;
		t->cap = ncap;
	}
	char **row = &t->cells[t->nrows * t->ncols];

	for (size_t c = 0; c < t->ncols; c++) {
		row[c] = clean_dup(cells[c]);
		if (!row[c]) {
			while (c--)
				free(row[c]);
			t->err = -ENOMEM;
			return;
		}
	}
	t->nrows++;
}

/* Display width: UTF-8 code points, close enough for names from sysfs. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void table_print(const struct table *t, FILE *f, const char *indent)
{
	size_t width[16] = { 0 };

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols && c < 16; c++) {
			size_t w = text_width(t->cells[r * t->ncols + c]);

			if (w > width[c])
				width[c] = w;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		char **row = &t->cells[r * t->ncols];
		size_t last = t->ncols;

		/* no trailing blanks: stop at the last non-empty cell */
		while (last > 0 && !*row[last - 1])
			last--;
		fputs(indent, f);
		for (size_t c = 0; c < last; c++) {
			fputs(row[c], f);
			if (c + 1 < last)
				fprintf(f, "%*s", (int)(width[c] - text_width(row[c]) + 2), "");
		}
		fputc('\n', f);
	}
}

int table_flush(struct table *t, const char *indent)
{
	int err = t->err;

	if (!err)
		table_print(t, stdout, indent);
	table_free(t);
	return err;
}
