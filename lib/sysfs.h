/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Small readers of sysfs attributes, links and directories. Paths are
 * built as ROOT + "/" + relative path, so a test can put a whole fake
 * sysfs under a directory of its own. Every call returns -errno.
 */
#ifndef IOFD_SYSFS_H
#define IOFD_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* printf into @buf (size @len); -ENAMETOOLONG when it does not fit. */
__attribute__((format(printf, 3, 4)))
int iofd_path_fmt(char *buf, size_t len, const char *fmt, ...);

/* Read the file at @path (at most @len - 1 bytes), without trailing
 * whitespace. -EFBIG when the content does not fit. */
int iofd_sysfs_read(const char *path, char *buf, size_t len);

/* Parse all of @s as an unsigned number: base 16 (an optional "0x"
 * prefix) or 10. -EINVAL for anything but digits, -ERANGE above @max. */
int iofd_parse_u64(const char *s, int base, uint64_t max, uint64_t *ret);

/* iofd_sysfs_read() then iofd_parse_u64(). */
int iofd_sysfs_read_u64(const char *path, int base, uint64_t max, uint64_t *ret);

/* The last component of the target of the symlink at @path. */
int iofd_sysfs_link_name(const char *path, char *buf, size_t len);

/* Does @path exist (following symlinks)? */
bool iofd_sysfs_exists(const char *path);

/* The names in directory @path except "." and "..", sorted (strverscmp,
 * so "dmar10" follows "dmar9"); free with iofd_strv_free(). A missing
 * directory is -ENOENT. */
int iofd_sysfs_list(const char *path, char ***ret, size_t *n_ret);

void iofd_strv_free(char **v, size_t n);

#endif
