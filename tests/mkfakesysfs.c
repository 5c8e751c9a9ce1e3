// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mkfakesysfs: build one of tests/fake_sysfs.c's preset trees in a
 * directory, for iofdctl's tests and demos:
 *
 *	mkfakesysfs vtd-mixed /tmp/fake
 *	iofdctl --sysfs-root /tmp/fake/sys --dev-root /tmp/fake/dev
 *
 * Silent on success (scripts/main.sh prints its output as is).
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fake_sysfs.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2

static const char *prog = "mkfakesysfs";

static void list_presets(FILE *f, const char *indent)
{
	for (const char *const *p = fake_sysfs_presets; *p; p++)
		fprintf(f, "%s%s\n", indent, *p);
}

static void help(void)
{
	printf("Usage: %s PRESET DIR\n"
	       "       %s --list | --help\n"
	       "\n"
	       "Build a fake sysfs tree shaped like Linux 6.12's in DIR/sys, and its\n"
	       "device nodes (empty files) in DIR/dev. DIR is created if missing and\n"
	       "must otherwise be empty. Then, for example:\n"
	       "    iofdctl --sysfs-root DIR/sys --dev-root DIR/dev\n"
	       "\n"
	       "Presets (the table at the top of tests/fake_sysfs.c says what each holds):\n",
	       prog, prog);
	list_presets(stdout, "    ");
	printf("\nExit status: 0 built, 1 could not build, 2 bad usage.\n");
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *f, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, f);
	vfprintf(stderr, f, ap);
	va_end(ap);
	fprintf(stderr, "\nUsage: %s PRESET DIR | --list | --help\n", prog);
	return EXIT_USAGE;
}

static bool is_preset(const char *name)
{
	for (const char *const *p = fake_sysfs_presets; *p; p++)
		if (!strcmp(*p, name))
			return true;
	return false;
}

/* 1 when @dir exists with entries in it, 0 when it is missing or empty,
 * -errno when it cannot be read. */
static int non_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			r = 1;
			break;
		}
	}
	closedir(d);
	return r;
}

int main(int argc, char **argv)
{
	struct fake_sysfs fs;
	const char *preset, *dir;
	int r;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		list_presets(stdout, "");
		return fflush(stdout) ? EXIT_FAIL : 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		help();
		return fflush(stdout) ? EXIT_FAIL : 0;
	}
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1])
			return usage_error("unknown option '%s'", argv[i]);
	if (argc != 3)
		return usage_error("expected PRESET DIR, got %d argument%s", argc - 1,
				   argc == 2 ? "" : "s");
	preset = argv[1];
	dir = argv[2];
	if (!is_preset(preset)) {
		fprintf(stderr, "%s: unknown preset '%s'; the presets are:\n", prog, preset);
		list_presets(stderr, "    ");
		return EXIT_USAGE;
	}
	if (!*dir)
		return usage_error("DIR is an empty string");

	r = non_empty(dir);
	if (r < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, dir, strerror(-r));
		return EXIT_FAIL;
	}
	if (r > 0) {
		fprintf(stderr, "%s: %s: not empty; give a new or empty directory\n", prog, dir);
		return EXIT_FAIL;
	}
	r = fake_sysfs_init(&fs, dir);
	if (r < 0) {
		fprintf(stderr, "%s: cannot make a tree in %s: %s\n", prog, dir, strerror(-r));
		return EXIT_FAIL;
	}
	r = fake_sysfs_preset(&fs, preset);
	if (r < 0) {
		fprintf(stderr, "%s: cannot build preset %s in %s: %s\n", prog, preset, dir,
			strerror(-r));
		return EXIT_FAIL;
	}
	return 0;
}
