// SPDX-License-Identifier: LGPL-2.1-or-later
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs.h"

int iofd_path_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	return (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int iofd_sysfs_read(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	int fd, r = 0;

	if (len < 2)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Read one byte more than fits, to tell a full buffer from a longer file. */
	while (got < len) {
		char extra;
		ssize_t n = got < len - 1 ? read(fd, buf + got, len - 1 - got)
					  : read(fd, &extra, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		if (got == len - 1) {
			r = -EFBIG;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (r < 0)
		return r;
	while (got > 0 && isspace((unsigned char)buf[got - 1]))
		got--;
	buf[got] = '\0';
	return 0;
}

static int digit_value(char c, int base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return v < base ? v : -1;
}

int iofd_parse_u64(const char *s, int base, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (!s || (base != 10 && base != 16))
		return -EINVAL;
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		int d = digit_value(*s, base);

		if (d < 0)
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -ERANGE;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int iofd_sysfs_read_u64(const char *path, int base, uint64_t max, uint64_t *ret)
{
	char buf[64];
	int r = iofd_sysfs_read(path, buf, sizeof(buf));

	return r < 0 ? r : iofd_parse_u64(buf, base, max, ret);
}

int iofd_sysfs_link_name(const char *path, char *buf, size_t len)
{
	char target[4096];
	const char *base;
	ssize_t n = readlink(path, target, sizeof(target));

	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(target))
		return -ENAMETOOLONG;
	target[n] = '\0';
	while (n > 1 && target[n - 1] == '/')
		target[--n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (!*base || strlen(base) >= len)
		return *base ? -ENAMETOOLONG : -EINVAL;
	memcpy(buf, base, strlen(base) + 1);
	return 0;
}

bool iofd_sysfs_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

void iofd_strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int iofd_sysfs_list(const char *path, char ***ret, size_t *n_ret)
{
	DIR *d = opendir(path);	/* glibc opens it O_CLOEXEC */
	char **v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int r = 0;

	if (!d)
		return -errno;
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			r = -errno;
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nv = reallocarray(v, ncap, sizeof(*v));

			if (!nv) {
				r = -ENOMEM;
				break;
			}
			v = nv;
			cap = ncap;
		}
		v[n] = strdup(de->d_name);
		if (!v[n]) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (r < 0) {
		iofd_strv_free(v, n);
		return r;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_names);
	*ret = v;
	*n_ret = n;
	return 0;
}
