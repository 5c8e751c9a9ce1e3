/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A tiny streaming JSON writer for iofdctl: objects, arrays, strings,
 * integers, booleans and null, pretty-printed with a two-space indent.
 *
 * Every value call takes a key: the member name inside an object, NULL
 * inside an array or at the top level. Errors (nesting deeper than
 * JSON_MAX_DEPTH, a key where none belongs or none where one does, an
 * unbalanced end, a failed write) are sticky: later calls do nothing and
 * json_finish() reports the first one.
 *
 * Strings are written as UTF-8: '"', '\\' and control characters are
 * escaped, valid multi-byte sequences pass through unchanged, and bytes
 * that are not valid UTF-8 become U+FFFD so the output always parses.
 */
#ifndef IOFDCTL_JSON_H
#define IOFDCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	int depth;		/* open containers */
	int err;		/* first error, as -errno; 0 when none */
	bool done;		/* a complete top-level value was written */
	/* per open container: is it an object, has it a member yet */
	bool is_object[JSON_MAX_DEPTH];
	bool has_member[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f);

void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);
void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);

/* A NULL @val writes null. */
void json_string(struct json *j, const char *key, const char *val);
void json_int(struct json *j, const char *key, int64_t val);
void json_uint(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

/*
 * End the document with a newline. Return: 0, -EINVAL when the document is
 * incomplete or a call was misused, or the -errno of a failed write.
 */
int json_finish(struct json *j);

/* Write @s as a JSON string literal (with quotes) to @f; for tests and reuse. */
int json_write_string(FILE *f, const char *s);

#endif
