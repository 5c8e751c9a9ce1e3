// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

void json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

static void set_err(struct json *j, int err)
{
	if (!j->err)
		j->err = err;
}

static void check_io(struct json *j, int rc)
{
	if (rc < 0)
		set_err(j, errno ? -errno : -EIO);
}

static void indent(struct json *j)
{
	for (int i = 0; i < j->depth; i++)
		check_io(j, fputs("  ", j->f));
}

/* Length of the valid UTF-8 sequence at @s (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2; cp = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3; cp = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4; cp = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int json_write_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (putc('"', f) == EOF)
		return -EIO;
	while (*p) {
		unsigned char c = *p;
		const char *esc = NULL;
		char buf[8];
		size_t n;

		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (c < 0x20 || c == 0x7f) {
				snprintf(buf, sizeof(buf), "\\u%04x", c);
				esc = buf;
			}
		}
		if (esc) {
			if (fputs(esc, f) == EOF)
				return -EIO;
			p++;
			continue;
		}
		n = utf8_len(p);
		if (n == 0) {
			/* not UTF-8: write U+FFFD and skip the byte */
			if (fputs("\\ufffd", f) == EOF)
				return -EIO;
			p++;
			continue;
		}
		if (fwrite(p, 1, n, f) != n)
			return -EIO;
		p += n;
	}
	if (putc('"', f) == EOF)
		return -EIO;
	return 0;
}

/* Write what goes before a value: the comma, newline, indent and key. */
static bool begin_value(struct json *j, const char *key)
{
	if (j->err)
		return false;
	if (j->depth == 0) {
		if (key || j->done) {
			set_err(j, -EINVAL);
			return false;
		}
		return true;
	}
	int d = j->depth - 1;

	if (j->is_object[d] != (key != NULL)) {
		set_err(j, -EINVAL);
		return false;
	}
	check_io(j, fputs(j->has_member[d] ? ",\n" : "\n", j->f));
	j->has_member[d] = true;
	indent(j);
	if (key) {
		int rc = json_write_string(j->f, key);

		if (rc)
			set_err(j, rc);
		check_io(j, fputs(": ", j->f));
	}
	return !j->err;
}

static void end_value(struct json *j)
{
	if (j->depth == 0)
		j->done = true;
}

static void begin_container(struct json *j, const char *key, bool object)
{
	if (!begin_value(j, key))
		return;
	if (j->depth >= JSON_MAX_DEPTH) {
		set_err(j, -EINVAL);
		return;
	}
	check_io(j, putc(object ? '{' : '[', j->f) == EOF ? -1 : 0);
	j->is_object[j->depth] = object;
	j->has_member[j->depth] = false;
	j->depth++;
}

static void end_container(struct json *j, bool object)
{
	if (j->err)
		return;
	if (j->depth == 0 || j->is_object[j->depth - 1] != object) {
		set_err(j, -EINVAL);
		return;
	}
	j->depth--;
	if (j->has_member[j->depth]) {
		check_io(j, putc('\n', j->f) == EOF ? -1 : 0);
		indent(j);
	}
	check_io(j, putc(object ? '}' : ']', j->f) == EOF ? -1 : 0);
	end_value(j);
}

void json_begin_object(struct json *j, const char *key)
{
	begin_container(j, key, true);
}

void json_end_object(struct json *j)
{
	end_container(j, true);
}

void json_begin_array(struct json *j, const char *key)
{
	begin_container(j, key, false);
}

void json_end_array(struct json *j)
{
	end_container(j, false);
}

void json_string(struct json *j, const char *key, const char *val)
{
	int rc;

	if (!val) {
		json_null(j, key);
		return;
	}
	if (!begin_value(j, key))
		return;
	rc = json_write_string(j->f, val);
	if (rc)
		set_err(j, rc);
	end_value(j);
}

void json_int(struct json *j, const char *key, int64_t val)
{
	if (!begin_value(j, key))
		return;
	check_io(j, fprintf(j->f, "%" PRId64, val));
	end_value(j);
}

void json_uint(struct json *j, const char *key, uint64_t val)
{
	if (!begin_value(j, key))
		return;
	check_io(j, fprintf(j->f, "%" PRIu64, val));
	end_value(j);
}

void json_bool(struct json *j, const char *key, bool val)
{
	if (!begin_value(j, key))
		return;
	check_io(j, fputs(val ? "true" : "false", j->f));
	end_value(j);
}

void json_null(struct json *j, const char *key)
{
	if (!begin_value(j, key))
		return;
	check_io(j, fputs("null", j->f));
	end_value(j);
}

int json_finish(struct json *j)
{
	if (j->err)
		return j->err;
	if (j->depth != 0 || !j->done)
		return -EINVAL;
	if (putc('\n', j->f) == EOF)
		return -EIO;
	return 0;
}
